// The command line as a user types it: the "done when" and bad input.

#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_lastgood;
using testing::shell_quote;
using testing::TempDir;

class CliScan : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    // Readable by the unprivileged user the bad-input test runs as.
    fs::permissions(m_home.path(), fs::perms::all);
    m_catalog = "--catalog " + shell_quote((m_home.path() / "catalog.db").string()) + " ";
  }
  testing::CommandResult lastgood(const std::string& args, bool unprivileged = false)
  {
    return run_lastgood(m_catalog + args, unprivileged);
  }
  TempDir m_home;
  std::string m_catalog;
};

TEST_F(CliScan, AddScanListAndRescanHashesNothing)
{
  auto repo = (testing::artifacts_dir() / "repo").string();
  ASSERT_EQ(lastgood("repo add demo " + shell_quote(repo)).exit_code, 0);
  auto scan = lastgood("scan demo --json");
  ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  auto first = json::parse(scan.out);
  EXPECT_TRUE(first["clean"].get<bool>());
  EXPECT_GT(first["repositories"][0]["bytes_hashed"].get<std::uint64_t>(), 0u);

  auto list = lastgood("backups --json");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto backups = json::parse(list.out)["backups"];
  auto expected = json::parse(testing::read_file(testing::artifacts_dir() / "expected.json"));
  EXPECT_EQ(backups.size(), expected["dumps"].size() + expected["base_backups"].size());
  for (const auto& b : backups) {
    EXPECT_EQ(b["status"], "unverified");
    EXPECT_TRUE(b["problem"].is_null()) << b["location"] << ": " << b["problem"];
    if (b["kind"] == "physical") {
      const auto& e = expected["base_backups"][b["location"].get<std::string>().substr(5)];
      EXPECT_EQ(b["start_lsn"], e["start_lsn"]);
      EXPECT_EQ(b["stop_lsn"], e["stop_lsn"]);
      EXPECT_EQ(b["timeline"], e["start_timeline"]);
    }
  }

  auto again = lastgood("scan demo --json");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out)["repositories"][0]["bytes_hashed"], 0);

  auto id = backups[0]["id"].get<std::string>();
  auto show = lastgood("show " + id + " --json");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(json::parse(show.out)["id"], id);
  EXPECT_FALSE(json::parse(show.out)["objects"].empty());

  auto wal = lastgood("wal --json");
  EXPECT_EQ(wal.exit_code, 0) << wal.out;
  EXPECT_FALSE(json::parse(wal.out)["gaps"].get<bool>());
}

TEST_F(CliScan, BadInputIsReportedOnceEachAndTheScanGoesOn)
{
  TempDir repo;
  fs::permissions(repo.path(), fs::perms::all);
  const auto dump = testing::read_file(testing::artifacts_dir() / "repo/dumps/shop.dump");
  const auto plain = testing::read_file(testing::artifacts_dir() / "repo/dumps/shop.sql");
  repo.write("good/my shop \xc3\xbc.dump", dump); // spaces and non-ASCII
  repo.write("bad/truncated-header.dump", dump.substr(0, 40));
  repo.write("bad/truncated.sql", plain.substr(0, plain.size() / 2));
  auto flipped = dump;
  flipped[8] = '\x7f'; // intSize
  repo.write("bad/flipped.dump", flipped);
  std::string noise(4096, '\0');
  for (std::size_t i = 0; i < noise.size(); ++i)
    noise[i] = static_cast<char>((i * 2654435761u) >> 13);
  repo.write("bad/random.dump", noise);
  repo.write("bad/empty.dump", "");
  auto locked = repo.write("bad/locked.dump", dump);
  fs::permissions(locked, fs::perms::none);
  fs::create_directories(repo.path() / "loop");
  fs::create_directory_symlink("..", repo.path() / "loop/up");
  for (auto& entry : fs::recursive_directory_iterator(repo.path()))
    if (!entry.is_symlink() && entry.path() != locked)
      fs::permissions(entry.path(), fs::perms::all);

  ASSERT_EQ(lastgood("repo add broken " + shell_quote(repo.path().string()), true).exit_code, 0);
  auto scan = lastgood("scan broken --json", true);
  EXPECT_EQ(scan.exit_code, 3) << scan.out << scan.err;
  auto result = json::parse(scan.out)["repositories"][0];
  std::map<std::string, int> reported;
  for (const auto& p : result["problems"]) {
    ++reported[p["key"].get<std::string>()];
    EXPECT_FALSE(p["problem"].get<std::string>().empty());
  }
  for (const char* key : {"bad/truncated-header.dump", "bad/truncated.sql", "bad/flipped.dump",
                          "bad/random.dump", "bad/empty.dump", "bad/locked.dump", "loop/up"})
    EXPECT_EQ(reported[key], 1) << key << " should be reported exactly once\n" << scan.out;
  EXPECT_EQ(reported.count("good/my shop \xc3\xbc.dump"), 0u);
  for (const auto& p : result["problems"]) {
    if (p["key"] == "bad/locked.dump") {
      EXPECT_NE(p["problem"].get<std::string>().find("ermission"), std::string::npos);
    }
  }

  auto list = lastgood("backups --json", true);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  bool found_good = false;
  const auto listed = json::parse(list.out);
  for (const auto& b : listed["backups"])
    if (b["location"] == "good/my shop \xc3\xbc.dump") {
      found_good = true;
      EXPECT_EQ(b["database"], "shop");
      EXPECT_TRUE(b["problem"].is_null());
    }
  EXPECT_TRUE(found_good) << list.out;
  fs::permissions(locked, fs::perms::owner_all);
}

TEST_F(CliScan, UsageErrorsExitTwo)
{
  ASSERT_EQ(lastgood("catalog init").exit_code, 0);
  EXPECT_EQ(lastgood("scan no-such-repo").exit_code, 2);
  EXPECT_EQ(lastgood("show 2099").exit_code, 2);
  EXPECT_EQ(lastgood("repo add 'bad name' /tmp").exit_code, 2);
  EXPECT_EQ(lastgood("frobnicate").exit_code, 2);
  EXPECT_EQ(lastgood("repo add x s3://bucket").exit_code, 2);
}

TEST_F(CliScan, CatalogFileIsPrivate)
{
  ASSERT_EQ(lastgood("catalog init").exit_code, 0);
  struct stat st
  {
  };
  ASSERT_EQ(::stat((m_home.path() / "catalog.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

} // namespace
} // namespace lastgood
