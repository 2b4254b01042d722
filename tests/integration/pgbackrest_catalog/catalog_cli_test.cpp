// `repo add`, `scan`, `backups`, `show` and `wal` on the real pgBackRest
// repositories of tests/fixtures/make-pgbackrest-repos, checked against what
// `pgbackrest info --output=json` said of them (expected.json).

#include "tests/integration/pgbackrest/repos.hpp"
#include "tests/integration/pgbackrest_catalog/catalog_home.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <set>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_lastgood;
using testing::shell_quote;
using testing::TempDir;

class PgbackrestCatalog : public testing::PgbackrestCatalogHome
{
};

std::int64_t timeline_of(const std::string& segment)
{
  return std::stoll(segment.substr(0, 8), nullptr, 16);
}

TEST_F(PgbackrestCatalog, EveryBackupIsABaseBackupWithPgbackrestsOwnFacts)
{
  const auto& expected = testing::pgbackrest_expected();
  const std::vector<std::string> repos = {"plain", "gz", "lz4"};
  for (const auto& name : repos) {
    auto add = lastgood("repo add " + name + " " + shell_quote(testing::pgbackrest_repo(name)));
    ASSERT_EQ(add.exit_code, 0) << add.err;
  }
  auto listed = json_of("repo list --json");
  ASSERT_EQ(listed.size(), repos.size());
  for (const auto& r : listed) {
    EXPECT_EQ(r["format"], "pgbackrest") << r.dump();
    EXPECT_EQ(r["stanza"], expected["stanza"]) << r.dump();
  }
  auto scan = json_of("scan --json");
  EXPECT_TRUE(scan["clean"].get<bool>()) << scan.dump(2);

  auto backups = json_of("backups --json")["backups"];
  std::size_t want = 0;
  for (const auto& name : repos)
    want += expected["repos"][name]["labels"].size();
  ASSERT_EQ(backups.size(), want) << backups.dump(2);
  for (const auto& b : backups) {
    SCOPED_TRACE(b.dump(2));
    const auto repo = b["repository"].get<std::string>();
    const auto label = b["label"].get<std::string>();
    const auto& e = expected["repos"][repo]["backups"].at(label);
    EXPECT_EQ(b["kind"], "physical");
    EXPECT_EQ(b["format"], "pgbackrest");
    EXPECT_EQ(b["location"], "backup/" + expected["stanza"].get<std::string>() + "/" + label);
    EXPECT_EQ(b["system_identifier"], expected["system_identifier"]);
    EXPECT_EQ(b["server_version"], expected["pg_version"]);
    EXPECT_EQ(b["backup_type"], e["type"]);
    EXPECT_EQ(b["prior"], e["prior"]);
    auto references = b["references"].get<std::set<std::string>>();
    EXPECT_EQ(references, e["reference"].get<std::set<std::string>>());
    EXPECT_EQ(b["start_lsn"], e["lsn_start"]);
    EXPECT_EQ(b["stop_lsn"], e["lsn_stop"]);
    EXPECT_EQ(b["timeline"], timeline_of(e["archive_start"]));
    EXPECT_EQ(b["stop_timeline"], timeline_of(e["archive_stop"]));
    EXPECT_TRUE(b["problem"].is_null());
    EXPECT_EQ(b["missing_since"], nullptr);
  }
  // The types in the order pgBackRest took them, per repository.
  for (const auto& name : repos) {
    const auto labels = expected["repos"][name]["labels"];
    for (std::size_t i = 0; i < labels.size(); ++i) {
      auto e = expected["repos"][name]["backups"][labels[i].get<std::string>()];
      EXPECT_EQ(e["type"], expected["repos"][name]["types"][i]) << "fixture: " << labels[i];
    }
  }

  // show: the stored files are the backup's objects, its manifest among them.
  const auto incr = std::find_if(backups.begin(), backups.end(),
                                 [](const json& b) { return b["backup_type"] == "incr"; });
  ASSERT_NE(incr, backups.end());
  auto shown = json_of("show " + (*incr)["id"].get<std::string>() + " --json");
  EXPECT_EQ(shown["label"], (*incr)["label"]);
  EXPECT_EQ(shown["backup_type"], "incr");
  EXPECT_FALSE(shown["references"].empty());
  std::set<std::string> roles;
  for (const auto& o : shown["objects"]) {
    roles.insert(o["role"].get<std::string>());
    EXPECT_TRUE(o["key"].get<std::string>().starts_with((*incr)["location"].get<std::string>()));
    EXPECT_FALSE(o["sha256"].is_null());
  }
  EXPECT_TRUE(roles.contains("pgbackrest_manifest")) << shown.dump(2);
  EXPECT_TRUE(roles.contains("file"));
  auto text = lastgood("show " + (*incr)["id"].get<std::string>());
  EXPECT_NE(text.out.find("type            incr"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find((*incr)["label"].get<std::string>()), std::string::npos);

  // wal: the archive's segments (names with a SHA-1 suffix, any compression)
  // are WAL of the cluster, and every backup's own range is there.
  auto wal = json_of("wal --json");
  ASSERT_EQ(wal["clusters"].size(), 1u) << wal.dump(2);
  const auto& cluster = wal["clusters"][0];
  EXPECT_EQ(cluster["system_identifier"], expected["system_identifier"]);
  ASSERT_EQ(cluster["timelines"].size(), 1u);
  EXPECT_EQ(cluster["timelines"][0]["timeline"], 1);
  EXPECT_TRUE(cluster["timelines"][0]["gaps"].empty());
  EXPECT_EQ(cluster["base_backups"].size(), want);
  for (const auto& b : cluster["base_backups"]) {
    EXPECT_TRUE(b["complete"].get<bool>()) << b.dump();
    auto backup = std::find_if(backups.begin(), backups.end(),
                               [&](const json& x) { return x["id"] == b["backup_id"]; });
    ASSERT_NE(backup, backups.end());
    const auto& e = expected["repos"][(*backup)["repository"].get<std::string>()]["backups"]
                            [(*backup)["label"].get<std::string>()];
    EXPECT_EQ(b["label"], (*backup)["label"]);
    EXPECT_EQ(b["backup_type"], e["type"]);
    EXPECT_EQ(b["first"], e["archive_start"]);
    EXPECT_EQ(b["last"], e["archive_stop"]);
  }

  // A second scan finds the same backups again and no problem.
  auto again = json_of("scan --json");
  EXPECT_TRUE(again["clean"].get<bool>());
  EXPECT_EQ(again["repositories"].size(), repos.size());
  for (const auto& r : again["repositories"])
    EXPECT_EQ(r["new_backups"], 0) << r.dump();
}

TEST_F(PgbackrestCatalog, DamagedInfoFilesAreScanProblemsNamingTheFile)
{
  const fs::path repo = m_home.path() / "repo";
  testing::copy_pgbackrest_repo("plain", repo);
  ASSERT_EQ(lastgood("repo add r " + shell_quote(repo)).exit_code, 0);
  const std::string stanza = testing::pgbackrest_expected()["stanza"];
  const fs::path info = repo / "backup" / stanza / "backup.info";

  // The main file damaged: read from its copy, backups cataloged, the damage reported.
  testing::flip_byte(info, 40);
  auto scan = json_of("scan --json", 3);
  auto problems = scan["repositories"][0]["problems"];
  ASSERT_FALSE(problems.empty()) << scan.dump(2);
  EXPECT_TRUE(std::any_of(problems.begin(), problems.end(), [&](const json& p) {
    return p["key"] == "backup/" + stanza + "/backup.info";
  })) << problems.dump(2);
  EXPECT_EQ(json_of("backups --json")["backups"].size(),
            testing::pgbackrest_labels("plain").size());

  // Both damaged: nothing to read, a problem naming the file, no crash.
  testing::flip_byte(fs::path(info.string() + ".copy"), 40);
  scan = json_of("scan --json", 3);
  problems = scan["repositories"][0]["problems"];
  EXPECT_TRUE(std::any_of(problems.begin(), problems.end(), [&](const json& p) {
    return p["key"] == "backup/" + stanza + "/backup.info" &&
           p["problem"].get<std::string>().find("backup.info") != std::string::npos;
  })) << problems.dump(2);

  // backup.info good again, archive.info gone altogether.
  const fs::path fixture_info = testing::pgbackrest_repo("plain") / "backup" / stanza;
  fs::copy_file(fixture_info / "backup.info", info, fs::copy_options::overwrite_existing);
  fs::copy_file(fixture_info / "backup.info.copy", fs::path(info.string() + ".copy"),
                fs::copy_options::overwrite_existing);
  fs::remove(repo / "archive" / stanza / "archive.info");
  fs::remove(repo / "archive" / stanza / "archive.info.copy");
  scan = json_of("scan --json", 3);
  problems = scan["repositories"][0]["problems"];
  EXPECT_TRUE(std::any_of(problems.begin(), problems.end(), [&](const json& p) {
    return p["key"] == "archive/" + stanza + "/archive.info";
  })) << problems.dump(2);
}

// An encrypted repository is read with its passphrase, from a file named in
// the config or from LASTGOOD_CIPHER_PASS_<NAME>; without it, or with a wrong
// one, scan cannot do its job (exit 1) and says where the passphrase goes.
// The passphrase never appears in any output or in the catalog.
TEST_F(PgbackrestCatalog, EncryptedRepositoryNeedsItsPassphrase)
{
  const auto& expected = testing::pgbackrest_expected();
  const std::string passphrase = testing::pgbackrest_passphrase();
  const std::string repo = testing::pgbackrest_repo("enc");
  const std::string wrong = "not-the-" + passphrase;
  ASSERT_EQ(lastgood("repo add enc " + shell_quote(repo)).exit_code, 0);

  auto missing = lastgood("scan");
  EXPECT_EQ(missing.exit_code, 1) << missing.out << missing.err;
  EXPECT_NE(missing.err.find("repository enc is an encrypted pgBackRest repository"),
            std::string::npos)
      << missing.err;
  EXPECT_NE(missing.err.find("LASTGOOD_CIPHER_PASS_ENC"), std::string::npos) << missing.err;

  auto bad = testing::run_shell("LASTGOOD_CIPHER_PASS_ENC=" + shell_quote(wrong) + " " +
                                testing::lastgood_binary() + " " + m_catalog + "scan");
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  EXPECT_NE(bad.err.find("could not decrypt"), std::string::npos) << bad.err;
  EXPECT_EQ((bad.out + bad.err).find(wrong), std::string::npos) << bad.err;
  EXPECT_TRUE(json_of("backups --json")["backups"].empty());

  const fs::path pass_file = m_home.path() / "enc.pass";
  std::ofstream(pass_file) << passphrase << "\n";
  const fs::path config = m_home.path() / "config.toml";
  std::ofstream(config) << "[[repository]]\nname = \"enc\"\nurl = " << json(repo).dump()
                        << "\ncipher_pass_file = " << json(pass_file.string()).dump() << "\n";
  const std::string with_config = "--config " + shell_quote(config.string()) + " ";
  auto scan = lastgood(with_config + "scan --json");
  ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  EXPECT_TRUE(json::parse(scan.out)["clean"].get<bool>()) << scan.out;
  auto backups = json_of(with_config + "backups --json")["backups"];
  EXPECT_EQ(backups.size(), expected["repos"]["enc"]["labels"].size()) << backups.dump(2);
  auto wal = json_of("wal --json");
  ASSERT_FALSE(wal["clusters"].empty()) << wal.dump(2);
  EXPECT_GT(wal["clusters"][0]["timelines"][0]["segments"].get<int>(), 0) << wal.dump(2);

  auto shown = lastgood(with_config + "config");
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  for (const auto& out : {scan.out + scan.err, shown.out + shown.err})
    EXPECT_EQ(out.find(passphrase), std::string::npos) << out;
  std::ifstream db(m_home.path() / "catalog.db", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(db)), {});
  EXPECT_EQ(bytes.find(passphrase), std::string::npos) << "the passphrase is in the catalog";

  std::ofstream(pass_file, std::ios::trunc) << "\n";
  auto empty = lastgood(with_config + "scan");
  EXPECT_EQ(empty.exit_code, 2) << empty.err;
  EXPECT_NE(empty.err.find(pass_file.string()), std::string::npos) << empty.err;
}

TEST_F(PgbackrestCatalog, FormatAndStanzaFlags)
{
  const fs::path repo = m_home.path() / "repo";
  testing::copy_pgbackrest_repo("plain", repo);
  const std::string stanza = testing::pgbackrest_expected()["stanza"];
  // A second stanza: one must be named.
  fs::copy(repo / "backup" / stanza, repo / "backup" / "other", fs::copy_options::recursive);
  fs::copy(repo / "archive" / stanza, repo / "archive" / "other", fs::copy_options::recursive);
  auto several = lastgood("repo add r " + shell_quote(repo));
  EXPECT_EQ(several.exit_code, 2) << several.err;
  EXPECT_NE(several.err.find("--stanza"), std::string::npos) << several.err;
  EXPECT_EQ(lastgood("repo add r " + shell_quote(repo) + " --stanza nosuch").exit_code, 2);
  ASSERT_EQ(
      lastgood("repo add r " + shell_quote(repo) + " --format pgbackrest --stanza other").exit_code,
      0);
  auto listed = json_of("repo list --json");
  EXPECT_EQ(listed[0]["stanza"], "other");

  // Not a pgBackRest repository: refused when told it is one, plain files otherwise.
  const fs::path files = m_home.path() / "files";
  fs::create_directories(files);
  std::ofstream(files / "note.txt") << "hello\n";
  EXPECT_EQ(lastgood("repo add f " + shell_quote(files) + " --format pgbackrest").exit_code, 2);
  EXPECT_EQ(lastgood("repo add f " + shell_quote(files) + " --format tarball").exit_code, 2);
  ASSERT_EQ(lastgood("repo add f " + shell_quote(files)).exit_code, 0);
  listed = json_of("repo list --json");
  for (const auto& r : listed)
    if (r["name"] == "f") {
      EXPECT_TRUE(r["format"].is_null());
    }
}

// Retention leaves the repository to pgBackRest (a diff or incr needs its
// prior's files). (verify_levels_test.cpp and restore_pgdata_test.cpp cover
// the verification levels, PITR drills and restores.)
TEST_F(PgbackrestCatalog, NeverPlannedForDeletion)
{
  ASSERT_EQ(lastgood("repo add plain " + shell_quote(testing::pgbackrest_repo("plain"))).exit_code,
            0);
  ASSERT_EQ(lastgood("scan -q").exit_code, 0);
  ASSERT_FALSE(json_of("backups --json")["backups"].empty());

  m_home.write("config.toml", "[retention]\nkeep_last = 1\nkeep_daily = 0\nkeep_weekly = 0\n"
                              "keep_monthly = 0\nkeep_yearly = 0\npitr_window = \"0s\"\n");
  auto plan = json_of("--config " + shell_quote((m_home.path() / "config.toml").string()) +
                      " retention plan --json");
  EXPECT_EQ(plan["backups_to_delete"], 0) << plan.dump(2);
  EXPECT_EQ(plan["wal_segments_to_delete"], 0) << plan.dump(2);
}

} // namespace
} // namespace lastgood

namespace lastgood {
namespace {

// pgBackRest's backup/<stanza>/latest link to the newest backup is not
// followed: its files are cataloged once, under the backup's own label.
TEST(PgbackrestCatalogLatestLink, FilesBelowTheLatestLinkAreNotCatalogedTwice)
{
  const fs::path repo = testing::pgbackrest_repo("plain");
  const fs::path latest =
      repo / "backup" / testing::pgbackrest_expected()["stanza"].get<std::string>() / "latest";
  ASSERT_TRUE(fs::is_symlink(latest)) << latest << " (pgBackRest makes it a symlink)";
  std::size_t files = 0; // recursive_directory_iterator does not follow directory links
  for (const auto& entry : fs::recursive_directory_iterator(repo))
    if (entry.is_regular_file() && !entry.is_symlink()) ++files;

  TempDir home;
  const std::string catalog = "--catalog " + shell_quote((home.path() / "c.db").string()) + " ";
  ASSERT_EQ(run_lastgood(catalog + "repo add plain " + shell_quote(repo.string())).exit_code, 0);
  const auto scan = run_lastgood(catalog + "scan --json");
  ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  EXPECT_EQ(json::parse(scan.out)["repositories"][0]["new"].get<std::size_t>(), files);
}

} // namespace
} // namespace lastgood
