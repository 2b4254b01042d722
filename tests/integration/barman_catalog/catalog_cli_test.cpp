// `repo add`, `scan`, `backups`, `show` and `wal` on the real Barman
// repository of tests/fixtures/make-barman-repo, checked against what Barman
// wrote in its own files (backup.info, wals/xlog.db) and what the fixture
// measured of the cluster (expected.env).

#include "tests/integration/barman_catalog/barman_fixture.hpp"

#include <algorithm>
#include <set>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::shell_quote;

// Barman writes "2026-11-26 07:33:49.604647+00:00" (the fixture's server runs in UTC).
std::string rfc3339_of(const std::string& barman_time)
{
  std::string out = barman_time.substr(0, 19) + "Z";
  out[10] = 'T';
  return out;
}

class BarmanCatalog : public testing::BarmanCliTest
{
};

TEST_F(BarmanCatalog, EveryBackupIsABaseBackupWithBarmansOwnFacts)
{
  const fs::path home = testing::barman_home();
  // A server directory as it is; a barman home with --server.
  auto plain = lastgood("repo add plain " + shell_quote((home / "plain").string()));
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  auto tar = lastgood("repo add tar " + shell_quote(home.string()) + " --server tar");
  ASSERT_EQ(tar.exit_code, 0) << tar.err;
  for (const auto& r : json_of("repo list --json")) {
    EXPECT_EQ(r["format"], "barman") << r.dump();
    EXPECT_TRUE(r["url"].get<std::string>().ends_with("/" + r["name"].get<std::string>()))
        << r.dump();
  }
  auto scan = json_of("scan --json");
  EXPECT_TRUE(scan["clean"].get<bool>()) << scan.dump(2);

  const std::map<std::string, std::string> server_of = {{m_expected["PLAIN1"], "plain"},
                                                        {m_expected["PLAIN2"], "plain"},
                                                        {m_expected["TAR1"], "tar"}};
  auto backups = json_of("backups --json")["backups"];
  ASSERT_EQ(backups.size(), 3u) << backups.dump(2);
  for (const auto& b : backups) {
    SCOPED_TRACE(b.dump(2));
    const auto label = b["label"].get<std::string>();
    ASSERT_TRUE(server_of.contains(label));
    EXPECT_EQ(b["repository"], server_of.at(label));
    auto info = testing::barman_backup_info(home / server_of.at(label), label);
    EXPECT_EQ(info["status"], "DONE");
    EXPECT_EQ(b["kind"], "physical");
    EXPECT_EQ(b["format"], "barman");
    EXPECT_EQ(b["location"], "base/" + label);
    EXPECT_EQ(b["system_identifier"], m_expected["SYSTEM_ID"]);
    EXPECT_EQ(b["system_identifier"], info["systemid"]);
    EXPECT_EQ(b["start_lsn"], info["begin_xlog"]);
    EXPECT_EQ(b["stop_lsn"], info["end_xlog"]);
    EXPECT_EQ(std::to_string(b["timeline"].get<int>()), info["timeline"]);
    EXPECT_EQ(b["start_time"], rfc3339_of(info["begin_time"]));
    EXPECT_EQ(b["stop_time"], rfc3339_of(info["end_time"]));
    EXPECT_EQ(b["server_version"], "15." + std::to_string(std::stoi(info["version"]) % 10000));
    EXPECT_TRUE(b["problem"].is_null());
    EXPECT_TRUE(b["missing_since"].is_null());
    EXPECT_EQ(b["status"], "unverified");
  }

  // show: every file under base/<id>/ is an object with lastgood's own SHA-256
  // (Barman keeps none), backup.info and backup_manifest among them.
  const auto& tar_backup = *std::find_if(backups.begin(), backups.end(), [&](const json& b) {
    return b["label"] == m_expected["TAR1"];
  });
  auto shown = json_of("show " + tar_backup["id"].get<std::string>() + " --json");
  std::set<std::string> keys, roles;
  for (const auto& o : shown["objects"]) {
    keys.insert(o["key"].get<std::string>());
    roles.insert(o["role"].get<std::string>());
    EXPECT_EQ(o["sha256"].get<std::string>().size(), 64u) << o.dump();
  }
  const std::string base = "base/" + m_expected["TAR1"] + "/";
  EXPECT_TRUE(keys.contains(base + "backup.info")) << shown.dump(2);
  EXPECT_TRUE(keys.contains(base + "data/base.tar.gz")) << shown.dump(2);
  EXPECT_TRUE(keys.contains(base + "data/backup_manifest")) << shown.dump(2);
  EXPECT_TRUE(roles.contains("barman_backup_info"));
  EXPECT_TRUE(roles.contains("backup_manifest"));
  auto text = lastgood("show " + tar_backup["id"].get<std::string>());
  EXPECT_NE(text.out.find(m_expected["TAR1"]), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Barman"), std::string::npos) << text.out;

  // wal: Barman's gzip'd segments (no suffix) are WAL of the cluster, as
  // many as wals/xlog.db lists, and each backup's own range is there.
  std::set<std::string> listed;
  for (const std::string server : {"plain", "tar"}) {
    std::ifstream xlog(home / server / "wals" / "xlog.db");
    for (std::string line; std::getline(xlog, line);)
      if (auto name = line.substr(0, line.find('\t')); name.size() == 24) listed.insert(name);
  }
  auto wal = json_of("wal --json");
  ASSERT_EQ(wal["clusters"].size(), 1u) << wal.dump(2);
  const auto& cluster = wal["clusters"][0];
  EXPECT_EQ(cluster["system_identifier"], m_expected["SYSTEM_ID"]);
  ASSERT_EQ(cluster["timelines"].size(), 1u);
  EXPECT_TRUE(cluster["timelines"][0]["gaps"].empty()) << wal.dump(2);
  const auto& timeline = cluster["timelines"][0];
  ASSERT_EQ(timeline["ranges"].size(), 1u) << wal.dump(2);
  EXPECT_EQ(timeline["ranges"][0]["first"], *listed.begin()) << wal.dump(2);
  EXPECT_EQ(timeline["ranges"][0]["last"], *listed.rbegin()) << wal.dump(2);
  EXPECT_EQ(timeline["ranges"][0]["segments"], listed.size()) << wal.dump(2);
  ASSERT_EQ(cluster["base_backups"].size(), 3u);
  for (const auto& b : cluster["base_backups"]) {
    auto backup = std::find_if(backups.begin(), backups.end(),
                               [&](const json& x) { return x["id"] == b["backup_id"]; });
    ASSERT_NE(backup, backups.end());
    const auto label = (*backup)["label"].get<std::string>();
    auto info = testing::barman_backup_info(home / server_of.at(label), label);
    EXPECT_TRUE(b["complete"].get<bool>()) << b.dump();
    EXPECT_EQ(b["first"], info["begin_wal"]) << b.dump();
    EXPECT_EQ(b["last"], info["end_wal"]) << b.dump();
  }

  // A second scan: nothing new, still clean.
  auto again = json_of("scan --json");
  EXPECT_TRUE(again["clean"].get<bool>()) << again.dump(2);
  for (const auto& r : again["repositories"])
    EXPECT_EQ(r["new_backups"], 0) << r.dump();
}

TEST_F(BarmanCatalog, ABarmanHomeWithSeveralServersNeedsOne)
{
  const std::string home = shell_quote(testing::barman_home().string());
  auto several = lastgood("repo add h " + home);
  EXPECT_EQ(several.exit_code, 2) << several.err;
  EXPECT_NE(several.err.find("--server"), std::string::npos) << several.err;
  EXPECT_NE(several.err.find("plain"), std::string::npos) << several.err;
  EXPECT_NE(several.err.find("tar"), std::string::npos) << several.err;
  auto nosuch = lastgood("repo add h " + home + " --server nosuch");
  EXPECT_EQ(nosuch.exit_code, 2);
  EXPECT_NE(nosuch.err.find("nosuch"), std::string::npos) << nosuch.err;
  EXPECT_EQ(lastgood("repo add h " + home + " --server plain --stanza x").exit_code, 2);
  // The server directory itself takes no --server.
  EXPECT_EQ(lastgood("repo add h " + shell_quote((testing::barman_home() / "plain").string()) +
                     " --server plain")
                .exit_code,
            2);
  EXPECT_FALSE(fs::exists(m_home.path() / "catalog.db"));

  // Not Barman: refused when told it is, files otherwise.
  const fs::path files = m_home.path() / "files";
  fs::create_directories(files);
  std::ofstream(files / "note.txt") << "hello\n";
  auto told = lastgood("repo add f " + shell_quote(files.string()) + " --format barman");
  EXPECT_EQ(told.exit_code, 2);
  EXPECT_NE(told.err.find("Barman"), std::string::npos) << told.err;
  ASSERT_EQ(lastgood("repo add f " + shell_quote(files.string())).exit_code, 0);
  EXPECT_TRUE(json_of("repo list --json")[0]["format"].is_null());
}

// Barman marks a backup FAILED when it could not finish it: cataloged with
// what Barman says, never a base for a restore (no stop LSN), and retention
// leaves Barman's repository to Barman.
TEST_F(BarmanCatalog, AFailedBackupIsCatalogedButNeverUsable)
{
  const fs::path server = m_home.path() / "plain";
  testing::copy_barman_server("plain", server);
  const fs::path info = server / "base" / m_expected["PLAIN2"] / "backup.info";
  std::string text = testing::read_file(info);
  auto at = text.find("status=DONE");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 11, "status=FAILED");
  at = text.find("error=None");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 10, "error='failure during backup'");
  std::ofstream(info, std::ios::trunc) << text;

  ASSERT_EQ(lastgood("repo add plain " + shell_quote(server.string())).exit_code, 0);
  ASSERT_EQ(lastgood("scan -q").exit_code, 0);
  auto failed = backup_labelled(m_expected["PLAIN2"]);
  EXPECT_NE(failed["problem"].get<std::string>().find("FAILED"), std::string::npos)
      << failed.dump(2);
  EXPECT_NE(failed["problem"].get<std::string>().find("failure during backup"), std::string::npos);
  EXPECT_TRUE(failed["stop_lsn"].is_null()) << failed.dump(2);
  auto good = backup_labelled(m_expected["PLAIN1"]);
  EXPECT_TRUE(good["problem"].is_null());
  EXPECT_FALSE(good["stop_lsn"].is_null());

  // The newest point in the archive: only PLAIN1 can be its base.
  auto plan = json_of("plan --target-lsn 0/7000000 --json");
  EXPECT_EQ(plan["backup"]["backup_id"], good["id"]) << plan.dump(2);

  m_home.write("config.toml", "[retention]\nkeep_last = 1\nkeep_daily = 0\nkeep_weekly = 0\n"
                              "keep_monthly = 0\nkeep_yearly = 0\npitr_window = \"0s\"\n");
  auto retention = json_of("--config " + shell_quote((m_home.path() / "config.toml").string()) +
                           " retention plan --json");
  EXPECT_EQ(retention["backups_to_delete"], 0) << retention.dump(2);
  EXPECT_EQ(retention["wal_segments_to_delete"], 0) << retention.dump(2);
}

} // namespace
} // namespace lastgood
