// retention and hold through the command line on a file repository of real
// artifacts: plan shows every reason, apply deletes the files and keeps the
// history, holds protect until released or expired, WAL a kept base backup
// needs stays, and a deletion storage refuses is reported while the rest goes.

#include "catalog/catalog.hpp"
#include "catalog/verification_runs.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <chrono>
#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sys/stat.h>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_lastgood;
using testing::shell_quote;
using testing::TempDir;

// The artifacts are large; hard links cost nothing and deleting a link leaves
// the shared artifact alone. Directories are the test's own (world-writable,
// so the unprivileged user can delete in them).
void link_tree(const fs::path& from, const fs::path& to)
{
  fs::create_directories(to);
  fs::permissions(to, fs::perms::all);
  for (const auto& entry : fs::directory_iterator(from)) {
    const auto target = to / entry.path().filename();
    if (entry.is_directory())
      link_tree(entry.path(), target);
    else
      fs::create_hard_link(entry.path(), target);
  }
}

class Retention : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    fs::permissions(m_home.path(), fs::perms::all);
    fs::permissions(m_repo.path(), fs::perms::all);
    m_args = "--catalog " + shell_quote(catalog_path()) + " --config " +
             shell_quote(config_path()) + " ";
    config("[retention]\nkeep_last = 1\n");
  }
  std::string catalog_path() const { return (m_home.path() / "catalog.db").string(); }
  std::string config_path() const { return (m_home.path() / "config.toml").string(); }
  void config(const std::string& text)
  {
    fs::permissions(m_home.write("config.toml", text), fs::perms::all);
  }
  testing::CommandResult lastgood(const std::string& args, bool unprivileged = false)
  {
    return run_lastgood(m_args + args, unprivileged);
  }
  // A real dump of shop whose time (its mtime) is `days_ago` days back.
  void add_dump(const std::string& key, int days_ago)
  {
    auto path =
        m_repo.write(key, testing::read_file(testing::artifacts_dir() / "repo/dumps/shop.dump"));
    fs::permissions(path.parent_path(), fs::perms::all);
    fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::hours(24 * days_ago));
  }
  void scan(bool unprivileged = false)
  {
    auto add = lastgood("repo add repo " + shell_quote(m_repo.path().string()), unprivileged);
    ASSERT_EQ(add.exit_code, 0) << add.err;
    auto scan = lastgood("scan", unprivileged);
    ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
    auto list = lastgood("backups --json", unprivileged);
    ASSERT_EQ(list.exit_code, 0) << list.err;
    const auto listed =
        json::parse(list.out); // kept alive: range-for over a temporary's member dangles
    for (const auto& b : listed["backups"])
      m_ids[b["location"].get<std::string>()] = b["id"];
  }
  std::string id(const std::string& location) { return m_ids.at(location); }
  // A passing test restore: the backup becomes good.
  void verified_good(const std::string& location)
  {
    auto catalog = catalog::Catalog::open(catalog_path());
    auto s = catalog->db().prepare("SELECT id FROM backups WHERE backup_id = ?");
    s.bind(1, id(location));
    ASSERT_TRUE(s.step());
    auto run =
        catalog::begin_run(catalog->db(), s.int64(0), "restore", "manual", std::string("auto"));
    catalog::finish_run(catalog->db(), run, "pass", 1.0, {}, {});
  }
  std::map<std::string, std::optional<std::string>> deleted_at()
  {
    auto catalog = catalog::Catalog::open(catalog_path());
    auto s = catalog->db().prepare("SELECT root_key, deleted_at FROM backups");
    std::map<std::string, std::optional<std::string>> out;
    while (s.step())
      out[s.text(0)] = s.opt_text(1);
    return out;
  }
  std::vector<std::tuple<std::string, std::string, std::string>> audit()
  {
    auto catalog = catalog::Catalog::open(catalog_path());
    auto s = catalog->db().prepare(
        "SELECT action, coalesce(subject, ''), severity FROM audit_log"
        " WHERE action LIKE 'retention.%' OR action LIKE 'hold.%' ORDER BY id");
    std::vector<std::tuple<std::string, std::string, std::string>> out;
    while (s.step())
      out.emplace_back(s.text(0), s.text(1), s.text(2));
    return out;
  }

  TempDir m_home, m_repo;
  std::string m_args;
  std::map<std::string, std::string> m_ids;
};

json by_location(const json& plan, const std::string& id)
{
  for (const auto& b : plan["backups"])
    if (b["backup_id"] == id) return b;
  return json();
}

bool has_reason(const json& decision, const std::string& prefix)
{
  for (const auto& r : decision["reasons"])
    if (r.get<std::string>().rfind(prefix, 0) == 0) return true;
  return false;
}

TEST_F(Retention, PlanApplyHoldsAndWalOnRealArtifacts)
{
  add_dump("dumps/shop-40d.dump", 40);
  add_dump("dumps/shop-30d.dump", 30);
  add_dump("dumps/shop-20d.dump", 20);
  add_dump("dumps/shop-10d.dump", 10);
  add_dump("dumps/shop-01d.dump", 1);
  const auto artifacts = testing::artifacts_dir() / "repo";
  for (const char* base : {"plain-1", "tar-1", "tar-gz-1"})
    link_tree(artifacts / "base" / base, m_repo.path() / "base" / base);
  link_tree(artifacts / "wal", m_repo.path() / "wal");
  scan();
  ASSERT_EQ(m_ids.size(), 8u);
  verified_good("dumps/shop-30d.dump");
  verified_good("base/plain-1");

  // Holds: indefinite on the oldest; one that is released; one that expired.
  auto held =
      lastgood("hold add " + id("dumps/shop-40d.dump") + " --indefinite --reason 'case 7' --json");
  ASSERT_EQ(held.exit_code, 0) << held.err;
  EXPECT_EQ(json::parse(held.out)["state"], "active");
  ASSERT_EQ(
      lastgood("hold add " + id("dumps/shop-10d.dump") + " --until 2099-01-01 --reason 'audit'")
          .exit_code,
      0);
  auto released =
      lastgood("hold release " + id("dumps/shop-10d.dump") + " --reason 'audit closed' --json");
  ASSERT_EQ(released.exit_code, 0) << released.err;
  {
    auto catalog = catalog::Catalog::open(catalog_path());
    catalog->db()
        .prepare("INSERT INTO holds (backup_id, reason, until, created_by, created_at)"
                 " SELECT id, 'expired', '2026-01-02T00:00:00Z', 'tester', '2026-01-01T00:00:00Z' "
                 "FROM backups"
                 " WHERE root_key = 'dumps/shop-20d.dump'")
        .run();
  }
  auto list = lastgood("hold list --json");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  std::multiset<std::string> states;
  const auto holds = json::parse(list.out);
  for (const auto& h : holds["holds"])
    states.insert(h["state"].get<std::string>());
  EXPECT_EQ(states, (std::multiset<std::string>{"active", "released", "expired"}));
  EXPECT_EQ(lastgood("hold add " + id("dumps/shop-20d.dump") + " --reason x").exit_code, 2)
      << "--until or --indefinite is required";

  auto plan_run = lastgood("retention plan --json");
  ASSERT_EQ(plan_run.exit_code, 0) << plan_run.err;
  const auto plan = json::parse(plan_run.out);
  auto decision = [&](const std::string& location) { return by_location(plan, id(location)); };
  EXPECT_TRUE(has_reason(decision("dumps/shop-40d.dump"), "legal hold #"))
      << decision("dumps/shop-40d.dump");
  EXPECT_TRUE(
      has_reason(decision("dumps/shop-30d.dump"), "last known good backup of database shop"));
  EXPECT_EQ(decision("dumps/shop-20d.dump")["action"], "delete")
      << "an expired hold does not protect";
  EXPECT_EQ(decision("dumps/shop-10d.dump")["action"], "delete")
      << "a released hold does not protect";
  EXPECT_TRUE(has_reason(decision("dumps/shop-01d.dump"), "keep_last 1"));
  EXPECT_TRUE(has_reason(decision("base/plain-1"), "last known good backup of cluster"));
  EXPECT_TRUE(has_reason(decision("base/tar-gz-1"), "keep_last 1"));
  EXPECT_EQ(decision("base/tar-1")["action"], "delete");
  EXPECT_TRUE(has_reason(decision("base/tar-1"), "not kept by any rule (keep_last 1)"));
  EXPECT_EQ(plan["backups_to_delete"], 3);
  // plain-1 starts in segment 3: only 1 and 2 may go.
  ASSERT_EQ(plan["wal_delete"].size(), 1u) << plan["wal_delete"];
  EXPECT_EQ(plan["wal_delete"][0]["first"], "000000010000000000000001");
  EXPECT_EQ(plan["wal_delete"][0]["last"], "000000010000000000000002");
  EXPECT_GT(plan["bytes_freed"].get<std::uint64_t>(), 32u << 20);

  auto refused = lastgood("retention apply");
  EXPECT_EQ(refused.exit_code, 2) << "not a terminal and no --yes";
  EXPECT_NE(refused.err.find("--yes"), std::string::npos) << refused.err;
  EXPECT_TRUE(fs::exists(m_repo.path() / "dumps/shop-20d.dump"));

  auto apply = lastgood("retention apply --yes --json");
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  const auto result = json::parse(apply.out)["result"];
  EXPECT_TRUE(result["complete"].get<bool>());
  EXPECT_EQ(result["deleted_backups"].size(), 3u);
  EXPECT_EQ(result["wal_segments_deleted"], 2);

  // Files gone from disk; everything kept is still there.
  EXPECT_FALSE(fs::exists(m_repo.path() / "dumps/shop-20d.dump"));
  EXPECT_FALSE(fs::exists(m_repo.path() / "dumps/shop-10d.dump"));
  EXPECT_FALSE(fs::exists(m_repo.path() / "base/tar-1"))
      << "the directory backup leaves no empty tree behind";
  for (const char* kept : {"dumps/shop-40d.dump", "dumps/shop-30d.dump", "dumps/shop-01d.dump",
                           "base/plain-1/backup_label", "base/tar-gz-1/backup_manifest"})
    EXPECT_TRUE(fs::exists(m_repo.path() / kept)) << kept;
  EXPECT_FALSE(fs::exists(m_repo.path() / "wal/000000010000000000000001"));
  EXPECT_FALSE(fs::exists(m_repo.path() / "wal/000000010000000000000002"));
  for (const auto& entry : fs::directory_iterator(artifacts / "wal")) {
    const auto name = entry.path().filename().string();
    if (name == "000000010000000000000001" || name == "000000010000000000000002") continue;
    EXPECT_TRUE(fs::exists(m_repo.path() / "wal" / name))
        << name << ": needed by a kept base backup, or history";
  }
  EXPECT_TRUE(fs::exists(artifacts / "wal/000000010000000000000001"))
      << "the shared artifacts are untouched";

  // History stays: rows marked, audit written before each deletion.
  auto marks = deleted_at();
  EXPECT_EQ(marks.size(), 8u);
  for (const auto& [location, at] : marks) {
    const bool gone = location == "dumps/shop-20d.dump" || location == "dumps/shop-10d.dump" ||
                      location == "base/tar-1";
    EXPECT_EQ(at.has_value(), gone) << location;
  }
  auto rows = audit();
  std::vector<std::string> retention_rows;
  for (const auto& [action, subject, severity] : rows)
    if (action.rfind("retention.", 0) == 0) retention_rows.push_back(action + " " + subject);
  ASSERT_EQ(retention_rows.size(), 5u);
  EXPECT_EQ(retention_rows[0], "retention.apply 3 backups, 2 WAL segments");
  EXPECT_EQ(retention_rows[4],
            "retention.delete_wal 000000010000000000000001..000000010000000000000002");
  EXPECT_EQ(std::get<0>(rows[0]), "hold.add");

  auto listed = json::parse(lastgood("backups --json").out)["backups"];
  EXPECT_EQ(listed.size(), 5u) << "deleted backups are no longer listed";
  auto again = lastgood("scan --json");
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_EQ(json::parse(again.out)["repositories"][0]["missing"], 0) << "deleted is not missing";
  auto next = json::parse(lastgood("retention plan --json").out);
  EXPECT_EQ(next["backups_to_delete"], 0);
  EXPECT_TRUE(next["wal_delete"].empty());
  EXPECT_EQ(deleted_at().at("base/tar-1"), marks.at("base/tar-1"))
      << "a later scan keeps the deletion mark";
}

TEST_F(Retention, StorageRefusalIsReportedAndTheRestGoes)
{
  add_dump("dumps/locked/shop-a.dump", 30);
  add_dump("dumps/shop-b.dump", 20);
  add_dump("dumps/shop-c.dump", 1);
  fs::permissions(m_repo.path() / "dumps", fs::perms::all);
  scan(true); // as the unprivileged user, who then cannot delete inside dumps/locked
  ASSERT_EQ(m_ids.size(), 3u);
  ::chmod((m_repo.path() / "dumps/locked").c_str(), 0555);

  auto apply = lastgood("retention apply --yes --json", true);
  ::chmod((m_repo.path() / "dumps/locked").c_str(), 0777);
  EXPECT_EQ(apply.exit_code, 3) << apply.out << apply.err;
  const auto result = json::parse(apply.out)["result"];
  EXPECT_FALSE(result["complete"].get<bool>());
  ASSERT_EQ(result["refused"].size(), 1u);
  EXPECT_EQ(result["refused"][0]["key"], "dumps/locked/shop-a.dump");
  EXPECT_NE(result["refused"][0]["what_to_do"].get<std::string>().find("permission"),
            std::string::npos)
      << result["refused"][0];
  EXPECT_EQ(result["deleted_backups"], json::array({id("dumps/shop-b.dump")}))
      << "the rest still goes";
  EXPECT_EQ(result["partly_deleted_backups"], json::array({id("dumps/locked/shop-a.dump")}));
  EXPECT_TRUE(fs::exists(m_repo.path() / "dumps/locked/shop-a.dump"));
  EXPECT_FALSE(fs::exists(m_repo.path() / "dumps/shop-b.dump"));
  EXPECT_TRUE(fs::exists(m_repo.path() / "dumps/shop-c.dump"));
  auto marks = deleted_at();
  EXPECT_FALSE(marks.at("dumps/locked/shop-a.dump").has_value())
      << "a refused backup is not marked deleted";
  EXPECT_TRUE(marks.at("dumps/shop-b.dump").has_value());
  bool recorded = false;
  for (const auto& [action, subject, severity] : audit())
    if (action == "retention.delete_refused") {
      recorded = true;
      EXPECT_EQ(subject, "dumps/locked/shop-a.dump");
      EXPECT_EQ(severity, "error");
    }
  EXPECT_TRUE(recorded);

  // Text output names the object and what to do.
  ::chmod((m_repo.path() / "dumps/locked").c_str(), 0555);
  auto text = lastgood("retention apply --yes", true);
  ::chmod((m_repo.path() / "dumps/locked").c_str(), 0777);
  EXPECT_EQ(text.exit_code, 3);
  EXPECT_NE(text.out.find("REFUSED repo: dumps/locked/shop-a.dump"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("what to do:"), std::string::npos) << text.out;
}

// On a terminal, apply asks first; anything but yes deletes nothing. The
// terminal is util-linux `script`'s pseudo-terminal.
TEST_F(Retention, OnATerminalApplyAsksFirst)
{
  add_dump("dumps/shop-b.dump", 20);
  add_dump("dumps/shop-c.dump", 1);
  scan();
  const char* env = std::getenv("LASTGOOD_BIN");
  const std::string bin =
      env && *env
          ? env
          : (fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "lastgood").string();
  auto answer = [&](const std::string& reply) {
    const auto inner = shell_quote(bin) + " " + m_args + "retention apply";
    return testing::run_shell("printf '" + reply + "\\n' | script -qec " + shell_quote(inner) +
                              " /dev/null");
  };
  auto no = answer("n");
  EXPECT_EQ(no.exit_code, 0) << no.out << no.err;
  EXPECT_NE(no.out.find("Delete 1 backups and 0 WAL segments"), std::string::npos) << no.out;
  EXPECT_NE(no.out.find("nothing deleted"), std::string::npos) << no.out;
  EXPECT_TRUE(fs::exists(m_repo.path() / "dumps/shop-b.dump"));
  auto yes = answer("y");
  EXPECT_EQ(yes.exit_code, 0) << yes.out << yes.err;
  EXPECT_FALSE(fs::exists(m_repo.path() / "dumps/shop-b.dump")) << yes.out;
  EXPECT_TRUE(fs::exists(m_repo.path() / "dumps/shop-c.dump"));
}

} // namespace
} // namespace lastgood
