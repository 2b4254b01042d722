// lastgood drill against real dumps and a real private scratch cluster: every
// step passes on a good backup (exit 0); a failing user check, a
// configured table missing from the restore, a failing [[drill.command]] or a corrupted backup
// file make it exit 3 with that step failed; it is recorded in the catalog.

#include "catalog/backup_queries.hpp"
#include "catalog/catalog.hpp"
#include "catalog/repositories.hpp"
#include "catalog/scanner.hpp"
#include "storage/storage.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::TempDir;

constexpr const char* kGoodCheck =
    "[[verify.check]]\ndatabase = \"shop\"\nname = \"orders exist\"\n"
    "sql = \"SELECT count(*) > 0 FROM orders\"\n";
constexpr const char* kBadCheck = "[[verify.check]]\ndatabase = \"shop\"\nname = \"never\"\n"
                                  "sql = \"SELECT count(*) < 0 FROM orders\"\n";

class DrillTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    fs::permissions(m_repo.path(), fs::perms::all);
    auto catalog = catalog::Catalog::open(catalog_path());
    auto repository = catalog::add_repository(catalog->db(), "repo", m_repo.path().string());
    m_repo.write("shop.dump",
                 testing::read_file(testing::artifacts_dir() / "repo/dumps/shop.dump"));
    m_repo.write("inventory.dump",
                 testing::read_file(testing::artifacts_dir() / "repo/dumps/inventory.dump"));
    auto storage = storage::open_storage(m_repo.path().string());
    catalog::scan_repository(catalog->db(), repository, *storage, {});
  }
  std::string catalog_path() const { return (m_home.path() / "catalog.db").string(); }
  testing::CommandResult drill(const std::string& config, const std::string& args = "")
  {
    auto path = m_home.write("config.toml", config);
    return testing::run_lastgood("--catalog " + testing::shell_quote(catalog_path()) +
                                 " --config " + testing::shell_quote(path.string()) + " drill " +
                                 args);
  }
  static json step(const json& doc, const std::string& name)
  {
    for (const auto& s : doc["steps"])
      if (s["name"] == name) return s;
    return nullptr;
  }
  std::string status_of_shop()
  {
    auto catalog = catalog::Catalog::open(catalog_path());
    catalog::BackupFilter filter;
    filter.database = "shop";
    return catalog::list_backups(catalog->db(), filter).at(0).status;
  }
  std::int64_t count(const std::string& sql)
  {
    auto catalog = catalog::Catalog::open(catalog_path());
    auto s = catalog->db().prepare(sql);
    s.step();
    return s.int64(0);
  }

  TempDir m_home, m_repo;
};

TEST_F(DrillTest, EveryStepPassesOnAGoodBackupAndIsRecorded)
{
  const std::string config =
      std::string("[drill]\ndatabase = \"shop\"\n"
                  "tables = [\"orders\", \"public.customers\"]\n"
                  "[[drill.command]]\nname = \"ok\"\nrun = \"echo ready\"\n") +
      kGoodCheck;
  auto text = drill(config);
  ASSERT_EQ(text.exit_code, 0) << text.out << text.err;
  for (const auto* name : {"select", "checksum", "test restore", "data checks", "command ok"})
    EXPECT_NE(text.out.find(name), std::string::npos) << name << "\n" << text.out;
  EXPECT_NE(text.out.find("PASS in"), std::string::npos) << text.out;

  auto r = drill(config, "--json");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto doc = json::parse(r.out);
  EXPECT_EQ(doc["outcome"], "pass");
  EXPECT_EQ(doc["database"], "shop");
  ASSERT_EQ(doc["steps"].size(), 5u) << r.out;
  for (const auto& s : doc["steps"]) {
    EXPECT_EQ(s["outcome"], "pass") << s.dump();
    EXPECT_TRUE(s["seconds"].is_number());
  }
  EXPECT_GT(step(doc, "data checks")["data"]["tables"]["orders"].get<std::int64_t>(), 0);
  EXPECT_EQ(step(doc, "command ok")["detail"], "exit 0: ready");
  EXPECT_EQ(status_of_shop(), "good");
  EXPECT_EQ(
      count("SELECT count(*) FROM drill_runs WHERE outcome = 'pass' AND restore_run IS NOT NULL"
            " AND checksum_run IS NOT NULL"),
      2);
  EXPECT_EQ(count("SELECT count(*) FROM verification_runs WHERE trigger = 'drill'"), 4);
}

TEST_F(DrillTest, AFailingUserCheckFailsTheDataChecksAndMarksTheBackupBad)
{
  auto r = drill(std::string("[drill]\ndatabase = \"shop\"\n") + kGoodCheck + kBadCheck, "--json");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  auto doc = json::parse(r.out);
  EXPECT_EQ(doc["outcome"], "fail");
  EXPECT_EQ(step(doc, "test restore")["outcome"], "pass") << r.out;
  EXPECT_EQ(step(doc, "data checks")["outcome"], "fail") << r.out;
  EXPECT_NE(step(doc, "data checks")["detail"].get<std::string>().find("never"), std::string::npos);
  EXPECT_EQ(status_of_shop(), "bad");
  EXPECT_EQ(count("SELECT count(*) FROM drill_runs WHERE outcome = 'fail'"), 1);

  // --check narrows the user checks to the ones named.
  auto narrowed = drill(std::string("[drill]\ndatabase = \"shop\"\n") + kGoodCheck + kBadCheck,
                        "--check 'orders exist'");
  EXPECT_EQ(narrowed.exit_code, 0) << narrowed.out << narrowed.err;
  auto unknown = drill(std::string(kGoodCheck), "--database shop --check nope");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
  EXPECT_NE(unknown.err.find("nope"), std::string::npos) << unknown.err;
}

TEST_F(DrillTest, AConfiguredTableMissingFromTheRestoreFails)
{
  auto r = drill("[drill]\ndatabase = \"inventory\"\ntables = [\"stock\", \"orders\"]\n", "--json");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  auto doc = json::parse(r.out);
  EXPECT_EQ(step(doc, "data checks")["outcome"], "fail") << r.out;
  EXPECT_NE(step(doc, "data checks")["detail"].get<std::string>().find("orders"), std::string::npos)
      << r.out;
  EXPECT_TRUE(step(doc, "data checks")["data"]["tables"]["orders"].is_null());
  EXPECT_GT(step(doc, "data checks")["data"]["tables"]["stock"].get<std::int64_t>(), 0);
}

TEST_F(DrillTest, AFailingCommandFailsTheDrill)
{
  auto r = drill("[drill]\ndatabase = \"shop\"\n[[drill.command]]\nname = \"cache\"\n"
                 "run = \"echo connection refused >&2; exit 1\"\n",
                 "--json");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  auto doc = json::parse(r.out);
  auto cache = step(doc, "command cache");
  EXPECT_EQ(cache["outcome"], "fail") << r.out;
  EXPECT_NE(cache["detail"].get<std::string>().find("connection refused"), std::string::npos)
      << r.out;
  EXPECT_EQ(step(doc, "data checks")["outcome"], "pass") << r.out;
}

TEST_F(DrillTest, ACorruptedBackupFailsTheChecksumAndSkipsTheRestore)
{
  {
    std::fstream f(m_repo.path() / "shop.dump", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4000);
    f.put('\x5a');
    f.put('\xa5');
  }
  auto r = drill("", "--database shop --json");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  auto doc = json::parse(r.out);
  EXPECT_EQ(step(doc, "select")["outcome"], "pass");
  EXPECT_EQ(step(doc, "checksum")["outcome"], "fail") << r.out;
  EXPECT_EQ(step(doc, "test restore")["outcome"], "skipped") << r.out;
  EXPECT_EQ(status_of_shop(), "bad");
}

TEST_F(DrillTest, AnUnreachableScratchServerIsExitOneNotABadBackup)
{
  auto r = drill("", "--database shop --scratch 'host=/nonexistent port=1' --json");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto doc = json::parse(r.out);
  EXPECT_EQ(doc["outcome"], "error");
  EXPECT_EQ(step(doc, "checksum")["outcome"], "pass") << r.out;
  EXPECT_EQ(step(doc, "test restore")["outcome"], "error") << r.out;
  EXPECT_EQ(step(doc, "data checks")["outcome"], "skipped") << r.out;
  EXPECT_NE(status_of_shop(), "bad");
}

TEST_F(DrillTest, NoBackupOfTheDatabaseFails)
{
  auto r = drill("", "--database nothing_here");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("no logical backup of database nothing_here"), std::string::npos) << r.out;
  auto ambiguous = drill("");
  EXPECT_EQ(ambiguous.exit_code, 2) << "two databases cataloged and none named: " << ambiguous.err;
}

} // namespace
} // namespace lastgood
