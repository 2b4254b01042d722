#include "pg/scratch_cluster.hpp"

#include "common/error.hpp"
#include "pg/background_process.hpp"
#include "pg/child_process.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <optional>
#include <pwd.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace lastgood::pg {
namespace fs = std::filesystem;
namespace {

using namespace std::chrono_literals;

std::string default_base_dir()
{
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

struct UserIds
{
  uid_t uid;
  gid_t gid;
};

UserIds lookup_user(const std::string& name)
{
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  while (::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) == ERANGE)
    buf.resize(buf.size() * 2);
  if (!found)
    throw Error(
        "cannot run the scratch PostgreSQL cluster as user '" + name +
        "': no such user; install PostgreSQL (it creates 'postgres') or choose another user");
  return {pw.pw_uid, pw.pw_gid};
}

std::string user_name(uid_t uid)
{
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  while (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == ERANGE)
    buf.resize(buf.size() * 2);
  return found ? pw.pw_name : "";
}

// A process that no longer exists, or only as a zombie.
bool process_gone(pid_t pid)
{
  if (pid <= 0) return true;
  if (::kill(pid, 0) != 0) return errno == ESRCH;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  auto paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

bool wait_gone(pid_t pid, std::chrono::milliseconds limit)
{
  for (auto waited = 0ms; !process_gone(pid); waited += 10ms) {
    if (waited >= limit) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

pid_t read_postmaster_pid(const std::string& data_dir)
{
  std::ifstream in(data_dir + "/postmaster.pid");
  long pid = 0;
  return in >> pid ? static_cast<pid_t>(pid) : 0;
}

// A value for postgresql.conf: single-quoted, quotes doubled, backslashes escaped.
std::string conf_quote(std::string_view value)
{
  std::string out = "'";
  for (char c : value)
    out += c == '\'' ? std::string("''") : c == '\\' ? std::string("\\\\") : std::string(1, c);
  return out + "'";
}

// A value for a libpq keyword/value connection string.
std::string conninfo_quote(std::string_view value)
{
  if (!value.empty() && value.find_first_of(" \t\n'\\") == std::string_view::npos)
    return std::string(value);
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string conf_line(const std::string& setting)
{
  auto eq = setting.find('=');
  std::string name = setting.substr(0, eq == std::string::npos ? 0 : eq);
  if (name.empty() ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") !=
          std::string::npos)
    throw UsageError("scratch cluster setting '" + setting +
                     "' is not name=value (e.g. work_mem=64MB)");
  return name + " = " + conf_quote(setting.substr(eq + 1)) + "\n";
}

} // namespace

ScratchCluster::ScratchCluster(Key, const ScratchClusterOptions& options)
    : m_run_as(options.run_as_user)
{
  if (m_run_as.empty() && ::geteuid() == 0) m_run_as = "postgres";
  std::string base = options.base_dir.empty() ? default_base_dir() : options.base_dir;
  std::string pattern = base + "/" + kDirPrefix + std::to_string(::getpid()) + "-XXXXXX";
  // The socket lives in the temp dir; sun_path holds 107 bytes.
  if (pattern.size() + std::strlen("/.s.PGSQL.65535.lock") > 107)
    throw Error("scratch directory path too long for a unix socket: " + pattern +
                "; set TMPDIR to a shorter directory");
  std::optional<UserIds> owner;
  if (!m_run_as.empty() && ::geteuid() == 0) owner = lookup_user(m_run_as);
  if (!::mkdtemp(pattern.data()))
    throw Error("could not create a scratch directory in " + base + ": " + std::strerror(errno) +
                "; set TMPDIR to a writable directory");
  if (owner && ::chown(pattern.c_str(), owner->uid, owner->gid) != 0) {
    int error = errno;
    ::rmdir(pattern.c_str()); // the destructor does not run for a throwing constructor
    throw Error("could not hand " + pattern + " to user '" + m_run_as +
                "': " + std::strerror(error));
  }
  m_dir = pattern;
  m_data_dir = m_dir + "/data";
  m_log = m_dir + "/server.log";
}

ScratchCluster::~ScratchCluster()
{
  try {
    stop();
  } catch (const std::exception&) {
    // Nothing more to do from a destructor; stop() already tried SIGKILL.
  }
  std::error_code ignored;
  fs::remove_all(m_dir, ignored);
}

std::unique_ptr<ScratchCluster> ScratchCluster::start(const ScratchClusterOptions& options)
{
  for (const auto& setting : options.settings)
    conf_line(setting); // throws UsageError before anything is made
  auto cluster = std::make_unique<ScratchCluster>(Key{}, options);
  cluster->init(options);
  std::string failure;
  int first_port = pick_free_port();
  if (cluster->try_start(first_port, failure)) return cluster;
  // A restored cluster that failed has replayed WAL already: no second try.
  if (options.populate)
    throw Error("the restored PostgreSQL server did not start: " + failure +
                "\nserver log (last lines):\n" + cluster->log_tail(15));
  int second_port = pick_free_port();
  if (cluster->try_start(second_port, failure)) return cluster;
  throw Error("could not start a scratch PostgreSQL server (tried ports " +
              std::to_string(first_port) + " and " + std::to_string(second_port) + "): " + failure +
              "\nserver log (last lines):\n" + cluster->log_tail(10) +
              "\ncheck the scratch settings and the log above (the scratch directory " +
              cluster->m_dir + " is removed)");
}

std::vector<std::string> ScratchCluster::pg_ctl(std::vector<std::string> args) const
{
  args.insert(args.begin(), {find_pg_program("pg_ctl"), "-D", m_data_dir});
  return args;
}

void ScratchCluster::init(const ScratchClusterOptions& options)
{
  m_start_timeout = options.start_timeout;
  m_environment = options.environment;
  if (options.populate) {
    std::optional<std::pair<uid_t, gid_t>> owner;
    if (!m_run_as.empty() && ::geteuid() == 0) {
      auto ids = lookup_user(m_run_as);
      owner = std::pair{ids.uid, ids.gid};
    }
    options.populate(m_data_dir, owner);
    std::string conf =
        "\n# ---- lastgood scratch cluster ----\nlisten_addresses = ''\nunix_socket_directories "
        "= " +
        conf_quote(m_dir) +
        "\nfsync = off\nsynchronous_commit = off\nlogging_collector = off\narchive_mode = off\n"
        "ssl = off\nhot_standby = on\n";
    for (const auto& setting : options.settings)
      conf += conf_line(setting);
    std::ofstream out(m_data_dir + "/postgresql.auto.conf", std::ios::app);
    out << conf;
    out.close();
    if (!out)
      throw Error("could not write " + m_data_dir +
                  "/postgresql.auto.conf: " + std::strerror(errno));
    return;
  }
  ProcessResult r =
      run_process({.argv = {find_pg_program("initdb"), "-D", m_data_dir, "-A", "trust", "-U",
                            kSuperuser, "--no-sync", "-E", "UTF8", "--locale=C"},
                   .env = {{"LC_ALL", "C"}},
                   .run_as_user = m_run_as,
                   .cwd = m_dir,
                   .timeout = 120s});
  if (r.exit_code != 0)
    throw Error(describe_failure(r, "initdb of the scratch cluster in " + m_data_dir) +
                (m_run_as.empty()
                     ? ""
                     : "\n(" + m_dir + " and its parents must be accessible to user '" + m_run_as +
                           "'; set TMPDIR to a directory such as /tmp)"));
  std::string conf = "\n# ---- lastgood scratch cluster ----\n"
                     "listen_addresses = ''\n"
                     "unix_socket_directories = " +
                     conf_quote(m_dir) +
                     "\n"
                     "fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n"
                     "max_connections = 40\nshared_buffers = 128MB\nmax_wal_size = 1GB\n"
                     "logging_collector = off\n";
  for (const auto& setting : options.settings)
    conf += conf_line(setting);
  std::ofstream out(m_data_dir + "/postgresql.conf", std::ios::app);
  out << conf;
  out.close();
  if (!out)
    throw Error("could not write " + m_data_dir + "/postgresql.conf: " + std::strerror(errno));
}

namespace {

// The postmaster whose postmaster.pid says it accepts connections (pg_ctl -w's
// test: "ready", or "standby" for a hot standby); false while starting up.
bool postmaster_ready(const std::string& data_dir, pid_t pid)
{
  std::ifstream in(data_dir + "/postmaster.pid");
  std::string line;
  std::vector<std::string> lines;
  while (lines.size() < 8 && std::getline(in, line))
    lines.push_back(line);
  if (lines.size() < 8 || lines[0] != std::to_string(pid)) return false;
  std::string status = lines[7].substr(0, lines[7].find(' '));
  return status == "ready" || status == "standby";
}

} // namespace

// The postmaster runs as our child (not through pg_ctl, which daemonizes it)
// so that it dies with lastgood. Settings live in postgresql.conf; only the
// port goes on the command line.
bool ScratchCluster::try_start(int port, std::string& failure)
{
  m_server = std::make_unique<BackgroundProcess>(
      ProcessOptions{
          .argv = {find_pg_program("postgres"), "-D", m_data_dir, "-p", std::to_string(port)},
          .env = m_environment,
          .run_as_user = m_run_as,
          .cwd = m_dir},
      m_log);
  m_running = true;
  m_postmaster = m_server->pid();
  const auto deadline = std::chrono::steady_clock::now() + m_start_timeout;
  while (!postmaster_ready(m_data_dir, m_postmaster)) {
    if (m_server->exited()) {
      int status = m_server->wait();
      failure = "the server exited during start-up (" +
                (WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                     : "exit code " + std::to_string(WEXITSTATUS(status))) +
                ")";
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      failure = "the server did not accept connections within " +
                std::to_string(m_start_timeout.count()) + "s";
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  if (failure.empty()) {
    m_port = port;
    return true;
  }
  // A server that came up too late must not linger.
  try {
    stop();
  } catch (const Error&) {
  }
  return false;
}

void ScratchCluster::stop()
{
  if (!m_running) return;
  if (m_server && m_server->exited()) {
    m_server->wait();
    m_server.reset();
    if (!fs::exists(m_data_dir + "/postmaster.pid")) {
      m_running = false;
      m_postmaster = 0;
      return;
    }
  }
  pid_t pid = m_postmaster ? m_postmaster : read_postmaster_pid(m_data_dir);
  std::string failure;
  for (const char* mode : {"fast", "immediate"}) {
    ProcessResult r = run_process({.argv = pg_ctl({"-w", "-t", "30", "-m", mode, "stop"}),
                                   .run_as_user = m_run_as,
                                   .cwd = m_dir,
                                   .timeout = 60s});
    if (r.exit_code == 0 || !fs::exists(m_data_dir + "/postmaster.pid")) break;
    failure = describe_failure(r, std::string("pg_ctl stop -m ") + mode, 5);
    if (pid == 0) pid = read_postmaster_pid(m_data_dir);
  }
  // The postmaster removes postmaster.pid just before it exits; wait for it.
  if (!wait_gone(pid, 10s)) {
    ::kill(pid, SIGKILL);
    if (!wait_gone(pid, 5s))
      throw Error("could not stop the scratch PostgreSQL server " + std::to_string(pid) + " in " +
                  m_data_dir + (failure.empty() ? "" : ": " + failure) + "; kill it by hand");
  }
  if (m_server) m_server->wait(); // our child: reap it
  m_server.reset();
  m_running = false;
  m_postmaster = 0;
}

std::string ScratchCluster::conninfo(const std::string& dbname) const
{
  return "host=" + conninfo_quote(m_dir) + " port=" + std::to_string(m_port) +
         " dbname=" + conninfo_quote(dbname) + " user=" + conninfo_quote(m_user);
}

bool ScratchCluster::running() const
{
  return m_running && !process_gone(m_postmaster);
}

std::string ScratchCluster::log_tail(std::size_t lines) const
{
  std::ifstream in(m_log, std::ios::binary);
  if (!in) return "(no server log at " + m_log + ")";
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  std::streamoff from = std::max<std::streamoff>(0, size - 65536);
  in.seekg(from);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && text.back() == '\n')
    text.pop_back();
  std::size_t pos = text.size(), found = 0;
  while (found < lines && pos > 0) {
    std::size_t nl = text.rfind('\n', pos - 1);
    ++found;
    pos = nl == std::string::npos ? 0 : nl;
  }
  return pos == 0 ? text : text.substr(pos + 1);
}

namespace {

// Stops a server left running in a stale scratch dir. False when one is still
// running there afterwards (the dir must then stay).
bool stop_stale_server(const std::string& dir, uid_t owner)
{
  std::string data = dir + "/data";
  pid_t pid = read_postmaster_pid(data);
  if (pid == 0 || process_gone(pid)) return true;
  std::string user = owner == ::geteuid() ? "" : user_name(owner);
  bool can_run = owner != 0 && (owner == ::geteuid() || (::geteuid() == 0 && !user.empty()));
  if (can_run) {
    try {
      run_process({.argv = {find_pg_program("pg_ctl"), "-D", data, "-m", "immediate", "-w", "-t",
                            "30", "stop"},
                   .run_as_user = user,
                   .cwd = dir,
                   .timeout = 60s});
    } catch (const Error&) {
      return false;
    }
  }
  pid = read_postmaster_pid(data);
  return pid == 0 || wait_gone(pid, 5s);
}

// Whether some process still works inside dir (its cwd is there): a killed
// postmaster's children or an initdb finish dying a moment after their parent.
bool process_works_in(const std::string& dir)
{
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code link_error;
    std::string cwd = fs::read_symlink(entry.path() / "cwd", link_error).string();
    if (!link_error && (cwd == dir || cwd.starts_with(dir + "/"))) return true;
  }
  return false;
}

// remove_all fails when a dying process still creates files in the tree; the
// dir is left for the next run only when it keeps failing.
bool remove_when_idle(const std::string& dir)
{
  for (auto waited = 0ms; process_works_in(dir) && waited < 10s; waited += 50ms)
    std::this_thread::sleep_for(50ms);
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::error_code error;
    fs::remove_all(dir, error);
    if (!error && !fs::exists(dir)) return true;
    std::this_thread::sleep_for(200ms);
  }
  return false;
}

} // namespace

int remove_stale_scratch_clusters(
    const std::string& base_dir,
    const std::function<void(const std::string&, pid_t)>& before_removing)
{
  std::string base = base_dir.empty() ? default_base_dir() : base_dir;
  const std::string prefix = ScratchCluster::kDirPrefix;
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with(prefix)) continue;
    std::string rest = name.substr(prefix.size());
    std::size_t digits = rest.find_first_not_of("0123456789");
    if (digits == 0 || digits == std::string::npos || rest[digits] != '-' || digits > 9) continue;
    if (rest.size() != digits + 7) continue; // mkdtemp's six characters
    pid_t pid = static_cast<pid_t>(std::stol(rest.substr(0, digits)));
    if (pid <= 0 || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    struct stat st;
    std::string dir = entry.path().string();
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    if (::geteuid() != 0 && st.st_uid != ::geteuid()) continue;
    if (before_removing) before_removing(dir, pid);
    if (!stop_stale_server(dir, st.st_uid)) continue;
    if (remove_when_idle(dir)) ++removed;
  }
  return removed;
}

int pick_free_port()
{
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    throw Error("could not pick a free port for a PostgreSQL server: " +
                std::string(std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  int error = errno;
  ::close(fd);
  if (!ok)
    throw Error("could not pick a free port for a PostgreSQL server: " +
                std::string(std::strerror(error)));
  return ntohs(addr.sin_port);
}

} // namespace lastgood::pg
