// The damage matrix of issue 14, side by side with `pgbackrest verify`: each
// case copies a fixture repository (tests/fixtures/make-pgbackrest-repos),
// damages it the way pgBackRest's issue tracker reports, then runs
// `lastgood repo add + scan + verify --level structure` on a fresh catalog and
// the real `pgbackrest verify` on the same copy. lastgood must find every
// case with exit 3 and name the damaged file; pgbackrest's exit code and
// whether its output names the file are only recorded, in
// <build>/pgbackrest-damage-matrix.md (the table in docs/pgbackrest.md).

#include "tests/integration/pgbackrest/repos.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_lastgood;
using testing::run_shell;
using testing::shell_quote;

std::string stanza()
{
  return testing::pgbackrest_expected()["stanza"];
}

std::string archive_start(const std::string& fixture, const std::string& label)
{
  return testing::pgbackrest_expected()["repos"][fixture]["backups"][label]["archive_start"];
}

// archive/<stanza>/15-1/<16 hex>/<segment>-<sha1>[.ext] of a segment.
fs::path archived_segment(const fs::path& repo, const std::string& segment)
{
  const fs::path dir = repo / "archive" / stanza() / "15-1" / segment.substr(0, 16);
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().starts_with(segment + "-")) return entry.path();
  ADD_FAILURE() << segment << " is not archived in " << dir;
  return {};
}

fs::path largest_file_in(const fs::path& dir)
{
  fs::path largest;
  for (const auto& entry : fs::directory_iterator(dir))
    if (largest.empty() || fs::file_size(entry.path()) > fs::file_size(largest))
      largest = entry.path();
  return largest;
}

struct DamageCase
{
  std::string what;    // for the table
  std::string fixture; // plain (no bundles) or gz (bundled, gz)
  // Damages the copy; returns what a report must name (a key or a segment name).
  std::function<std::string(const fs::path& repo)> damage;
};

std::vector<DamageCase> damage_cases()
{
  const auto plain = testing::pgbackrest_labels("plain"); // full, diff, incr
  const auto gz = testing::pgbackrest_labels("gz");       // full, incr (bundled)
  const std::string data_file = "pg_data/base/5/1255";    // pg_proc, 768 kB, in the full only
  auto backup_key = [](const std::string& label, const std::string& rest) {
    return "backup/" + stanza() + "/" + label + "/" + rest;
  };
  return {
      {"flipped byte in a data file", "plain",
       [=](const fs::path& repo) {
         const auto key = backup_key(plain[0], data_file);
         testing::flip_byte(repo / key, 9000);
         return key;
       }},
      {"flipped byte in a bundle (gz)", "gz",
       [=](const fs::path& repo) {
         const auto bundle = largest_file_in(repo / backup_key(gz[0], "bundle"));
         testing::flip_byte(bundle, fs::file_size(bundle) / 2);
         return backup_key(gz[0], "bundle/" + bundle.filename().string());
       }},
      {"flipped byte in a WAL segment (in a backup's range)", "plain",
       [=](const fs::path& repo) {
         const auto segment = archive_start("plain", plain[0]);
         testing::flip_byte(archived_segment(repo, segment), 5000);
         return segment;
       }},
      {"truncated data file", "plain",
       [=](const fs::path& repo) {
         const auto key = backup_key(plain[0], data_file);
         fs::resize_file(repo / key, fs::file_size(repo / key) / 2);
         return key;
       }},
      {"deleted backup.manifest and its copy (of a diff)", "plain",
       [=](const fs::path& repo) {
         fs::remove(repo / backup_key(plain[1], "backup.manifest"));
         fs::remove(repo / backup_key(plain[1], "backup.manifest.copy"));
         return backup_key(plain[1], "backup.manifest");
       }},
      {"deleted archive.info and its copy", "plain",
       [=](const fs::path& repo) {
         const std::string key = "archive/" + stanza() + "/archive.info";
         fs::remove(repo / key);
         fs::remove(repo / (key + ".copy"));
         return key;
       }},
      {"missing segment inside a backup's archive range (mid-archive)", "plain",
       [=](const fs::path& repo) {
         const auto segment = archive_start("plain", plain[1]);
         fs::remove(archived_segment(repo, segment));
         return segment;
       }},
      {"missing segment inside a backup's archive range (the newest segment)", "plain",
       [=](const fs::path& repo) {
         const auto segment = archive_start("plain", plain[2]);
         fs::remove(archived_segment(repo, segment));
         return segment;
       }},
      {"backup.info and its copy disagreeing (both valid)", "plain",
       [=](const fs::path& repo) {
         const std::string key = "backup/" + stanza() + "/backup.info.copy";
         testing::rewrite_pgbackrest_info_file(
             repo / key, "\"backup-timestamp-stop\":", "\"backup-timestamp-stop\":1");
         return key;
       }},
  };
}

// One line of a command's output for the table: the first naming `needle`,
// else the first saying something is wrong, else pgBackRest's `status:` line.
std::string telling_line(const std::string& output, const std::string& needle)
{
  std::istringstream lines(output);
  std::string first_problem, status;
  for (std::string line; std::getline(lines, line);) {
    const auto start = line.find_first_not_of(' ');
    line = start == std::string::npos ? "" : line.substr(start);
    if (line.find(needle) != std::string::npos) return line;
    if (status.empty() && line.starts_with("status: ")) status = line;
    if (first_problem.empty() && !line.starts_with("missing: 0, checksum invalid: 0") &&
        (line.find("ERROR") != std::string::npos || line.find("WARN") != std::string::npos ||
         line.find("invalid") != std::string::npos || line.find("missing") != std::string::npos))
      first_problem = line;
  }
  return first_problem.empty() ? status : first_problem;
}

std::string table_cell(std::string text)
{
  // pgBackRest's log lines start with a timestamp and process: not part of what it said.
  if (text.size() > 24 && text[4] == '-' && text[10] == ' ') {
    const auto colon = text.find(": ", 24);
    if (colon != std::string::npos) text = text.substr(colon + 2);
  }
  std::replace(text.begin(), text.end(), '|', '/');
  if (text.size() > 160) text = text.substr(0, 157) + "...";
  return text;
}

struct Observed
{
  std::string what;
  int scan_exit = -1, verify_exit = -1;
  std::string lastgood_said;
  bool lastgood_named = false;
  int pgbackrest_exit = -1;
  // Its default console output (what a cron job or CI log shows) ...
  bool pgbackrest_named = false, pgbackrest_status_error = false;
  // ... and the most it says (--verbose --log-level-console=detail).
  std::string pgbackrest_said;
};

Observed run_case(const DamageCase& c, const fs::path& home)
{
  Observed seen;
  seen.what = c.what;
  const fs::path repo = home / "repo";
  testing::copy_pgbackrest_repo(c.fixture, repo);
  const std::string needle = c.damage(repo);

  const std::string catalog = "--catalog " + shell_quote((home / "catalog.db").string()) + " ";
  EXPECT_EQ(run_lastgood(catalog + "repo add damaged " + shell_quote(repo.string())).exit_code, 0);
  const auto scan = run_lastgood(catalog + "scan");
  seen.scan_exit = scan.exit_code;
  const auto verify = run_lastgood(catalog + "verify --level structure --json");
  seen.verify_exit = verify.exit_code;
  // What names the file, most telling first: a failing finding, scan's
  // PROBLEM line, then a warning.
  std::string failure, warning;
  if (!verify.out.empty()) {
    const json report = json::parse(verify.out); // kept alive: the loop reads into it
    for (const auto& run : report["runs"])
      for (const auto& f : run["findings"]) {
        const std::string line =
            f["severity"].get<std::string>() + " " + f["kind"].get<std::string>() + " " +
            f["subject"].get<std::string>() + ": " + f["message"].get<std::string>();
        if (line.find(needle) == std::string::npos) continue;
        auto& slot = f["severity"] == "failure" ? failure : warning;
        if (slot.empty()) slot = "verify: " + line;
      }
  }
  std::string problem = telling_line(scan.out, needle);
  problem = problem.find(needle) == std::string::npos ? "" : "scan: " + problem;
  seen.lastgood_said = !failure.empty() ? failure : !problem.empty() ? problem : warning;
  seen.lastgood_named = !seen.lastgood_said.empty();

  // pgBackRest's own verify on the same copy (a repository-only command: no pg1-path).
  const fs::path conf = home / "pgbackrest.conf";
  std::ofstream(conf) << "[global]\nrepo1-path=" << repo.string()
                      << "\nlock-path=" << (home / "lock").string()
                      << "\nlog-path=" << (home / "log").string()
                      << "\nlog-level-file=off\nlog-level-console=info\n";
  const std::string pgbackrest_verify =
      "pgbackrest --config=" + shell_quote(conf.string()) + " --stanza=" + stanza() + " verify";
  const auto pgbr = run_shell(pgbackrest_verify + " 2>&1");
  const auto verbose = run_shell(pgbackrest_verify + " --verbose --log-level-console=detail 2>&1");
  seen.pgbackrest_exit = pgbr.exit_code;
  std::string wal_or_file = needle;
  // pgBackRest names backup files relative to the backup directory.
  if (const auto at = needle.find(stanza() + "/"); at != std::string::npos)
    wal_or_file = needle.substr(at + stanza().size() + 1);
  seen.pgbackrest_named = pgbr.out.find(wal_or_file) != std::string::npos;
  seen.pgbackrest_status_error = pgbr.out.find("status: error") != std::string::npos;
  seen.pgbackrest_said = telling_line(verbose.out, wal_or_file);
  for (auto at = seen.pgbackrest_said.find(repo.string()); at != std::string::npos;
       at = seen.pgbackrest_said.find(repo.string()))
    seen.pgbackrest_said.replace(at, repo.string().size(), "<repo>");
  return seen;
}

TEST(PgbackrestDamageMatrix, LastgoodFindsEveryCaseAndPgbackrestVerifyIsRecorded)
{
  ASSERT_FALSE(testing::pgbackrest_fixture_dir().empty());
  ASSERT_EQ(run_shell("command -v pgbackrest").exit_code, 0) << "pgbackrest is not installed";
  testing::TempDir home;
  std::vector<Observed> table;
  int n = 0;
  for (const auto& c : damage_cases()) {
    SCOPED_TRACE(c.what);
    const fs::path dir = home.path() / ("case-" + std::to_string(++n));
    fs::create_directories(dir);
    const auto seen = run_case(c, dir);
    // Found, with exit 3, naming the file; never "could not do the job" or a crash.
    EXPECT_TRUE(seen.scan_exit == 3 || seen.verify_exit == 3)
        << "scan " << seen.scan_exit << ", verify " << seen.verify_exit;
    EXPECT_TRUE(seen.scan_exit == 0 || seen.scan_exit == 3) << seen.scan_exit;
    EXPECT_TRUE(seen.verify_exit == 0 || seen.verify_exit == 3) << seen.verify_exit;
    EXPECT_TRUE(seen.lastgood_named) << "no finding or scan problem names the damaged file";
    // pgbackrest verify ran (0 even when it reports errors: its known behaviour, only recorded).
    EXPECT_GE(seen.pgbackrest_exit, 0);
    table.push_back(seen);
  }

  const fs::path out =
      testing::pgbackrest_fixture_dir().parent_path() / "pgbackrest-damage-matrix.md";
  std::ofstream md(out, std::ios::trunc);
  md << "| damage | lastgood exit: scan / verify --level structure | what lastgood said | "
        "pgbackrest verify exit | its output names the file / says `status: error` | "
        "what `pgbackrest verify --verbose --log-level-console=detail` said |\n"
        "|---|---|---|---|---|---|\n";
  for (const auto& s : table)
    md << "| " << s.what << " | " << s.scan_exit << " / " << s.verify_exit << " | "
       << table_cell(s.lastgood_said) << " | " << s.pgbackrest_exit << " | "
       << (s.pgbackrest_named ? "yes" : "no") << " / " << (s.pgbackrest_status_error ? "yes" : "no")
       << " | " << table_cell(s.pgbackrest_said.empty() ? "(nothing about it)" : s.pgbackrest_said)
       << " |\n";
  std::cout << "damage matrix written to " << out << "\n";
}

} // namespace
} // namespace lastgood
