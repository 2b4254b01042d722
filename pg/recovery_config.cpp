#include "pg/recovery_config.hpp"

#include "common/error.hpp"
#include "common/time.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace lastgood::pg {

namespace {

// A value for postgresql.conf: single-quoted, quotes doubled, backslashes escaped.
std::string conf_quote(std::string_view value)
{
  std::string out = "'";
  for (char c : value)
    out += c == '\'' ? std::string("''") : c == '\\' ? std::string("\\\\") : std::string(1, c);
  return out + "'";
}

// restore_command expands %f, %p, %r and %%: a literal '%' must be doubled.
std::string percent_escape(std::string_view text)
{
  std::string out;
  for (char c : text)
    out += c == '%' ? std::string("%%") : std::string(1, c);
  return out;
}

void hand_over(const std::string& path, std::optional<std::pair<uid_t, gid_t>> owner)
{
  if (owner && ::chown(path.c_str(), owner->first, owner->second) != 0)
    throw Error("cannot hand " + path + " to uid " + std::to_string(owner->first) + ": " +
                std::strerror(errno));
}

} // namespace

std::string shell_quote(std::string_view word)
{
  if (!word.empty() &&
      word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                             "/._-+=:,@") == std::string_view::npos)
    return std::string(word);
  std::string out = "'";
  for (char c : word)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string wal_fetch_command(const std::string& exe, const std::string& catalog,
                              const std::string& config, const std::optional<std::string>& cluster)
{
  std::string command =
      percent_escape(shell_quote(exe)) + " --catalog " + percent_escape(shell_quote(catalog));
  if (!config.empty()) command += " --config " + percent_escape(shell_quote(config));
  command += " wal-fetch %f %p";
  if (cluster) command += " --cluster " + percent_escape(shell_quote(*cluster));
  return command;
}

std::string recovery_target_time_value(std::string_view text)
{
  try {
    parse_rfc3339(text);
  } catch (const ValidationError& e) {
    throw UsageError(e.what());
  }
  // PostgreSQL's recovery_target_time check refuses 'T' and 'Z' (a "Z" zone
  // is not among its abbreviations): "2026-11-22 04:10:44.755377+00".
  std::string value(text);
  if (value.size() == 10)
    return value + " 00:00:00+00"; // a bare date: midnight UTC, as parse_rfc3339 reads it
  if (value.size() > 10 && (value[10] == 'T' || value[10] == 't')) value[10] = ' ';
  if (value.ends_with("Z") || value.ends_with("z")) value.replace(value.size() - 1, 1, "+00");
  return value;
}

std::string self_executable()
{
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error("cannot find this program's own path (/proc/self/exe): " + ec.message());
  return path.string();
}

std::string recovery_conf_text(const RecoverySettings& s)
{
  int targets = (s.target_immediate ? 1 : 0) + (s.target_time ? 1 : 0) + (s.target_lsn ? 1 : 0) +
                (s.target_xid ? 1 : 0);
  if (targets > 1)
    throw UsageError("give at most one recovery target (immediate, time, LSN or xid)");
  std::string text = "\n# ---- lastgood restore: recovery settings ----\n";
  text += "restore_command = " + conf_quote(s.restore_command) + "\n";
  if (s.target_immediate) text += "recovery_target = 'immediate'\n";
  if (s.target_time) text += "recovery_target_time = " + conf_quote(*s.target_time) + "\n";
  if (s.target_lsn) text += "recovery_target_lsn = " + conf_quote(*s.target_lsn) + "\n";
  if (s.target_xid) text += "recovery_target_xid = " + conf_quote(*s.target_xid) + "\n";
  if (targets && !s.target_immediate && !s.target_inclusive)
    text += "recovery_target_inclusive = 'off'\n";
  text += "recovery_target_timeline = " + conf_quote(s.target_timeline) + "\n";
  if (targets) text += "recovery_target_action = " + conf_quote(s.target_action) + "\n";
  for (const auto& [name, value] : s.extra)
    text += name + " = " + conf_quote(value) + "\n";
  return text;
}

void write_recovery_config(const std::string& data_dir, const RecoverySettings& settings,
                           std::optional<std::pair<uid_t, gid_t>> owner)
{
  const std::string text = recovery_conf_text(settings);
  const std::string signal = data_dir + "/recovery.signal";
  int fd = ::open(signal.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) throw Error("cannot create " + signal + ": " + std::strerror(errno));
  ::close(fd);
  hand_over(signal, owner);
  const std::string conf = data_dir + "/postgresql.auto.conf";
  const bool existed = std::filesystem::exists(conf);
  std::ofstream out(conf, std::ios::app);
  out << text;
  out.close();
  if (!out)
    throw Error("cannot append the recovery settings to " + conf + ": " + std::strerror(errno));
  if (!existed) hand_over(conf, owner);
}

} // namespace lastgood::pg
