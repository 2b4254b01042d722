// `verify --level structure|restore` on the real pgBackRest repositories of
// tests/fixtures/make-pgbackrest-repos: a full and incremental backups
// test-restore and pass; damage in a data file, the WAL range or a manifest
// makes the backup bad (exit 3) with a finding naming the file.

#include "tests/integration/pgbackrest/repos.hpp"
#include "tests/integration/pgbackrest_catalog/catalog_home.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_lastgood;
using testing::shell_quote;
using testing::TempDir;

std::string stanza()
{
  return testing::pgbackrest_expected()["stanza"];
}

std::string read_text(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool has_finding(const json& run, const std::string& kind, const std::string& subject_part,
                 const std::string& message_part = "")
{
  for (const auto& f : run["findings"])
    if (f["kind"] == kind && f["severity"] == "failure" &&
        f["subject"].get<std::string>().find(subject_part) != std::string::npos &&
        f["message"].get<std::string>().find(message_part) != std::string::npos)
      return true;
  return false;
}

class PgbackrestVerify : public testing::PgbackrestCatalogHome
{
protected:
  // A copy of a fixture repository to damage, registered as `name` (not scanned).
  fs::path add_copy(const std::string& fixture, const std::string& name)
  {
    const fs::path repo = m_home.path() / name;
    testing::copy_pgbackrest_repo(fixture, repo);
    EXPECT_EQ(lastgood("repo add " + name + " " + shell_quote(repo)).exit_code, 0);
    return repo;
  }
  // The catalog ID of the backup with this label in this repository.
  std::string id_of(const std::string& repository, const std::string& label)
  {
    const auto listed = json_of("backups --json");
    for (const auto& b : listed["backups"])
      if (b["repository"] == repository && b["label"] == label) return b["id"];
    ADD_FAILURE() << "no backup " << label << " in " << repository;
    return "";
  }
  // lastgood with an encrypted repository's passphrase in its environment.
  testing::CommandResult with_passphrase(const std::string& repository,
                                         const std::string& passphrase, const std::string& args)
  {
    std::string variable = "LASTGOOD_CIPHER_PASS_";
    for (char c : repository)
      variable += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return testing::run_shell(variable + "=" + shell_quote(passphrase) + " " +
                              testing::lastgood_binary() + " " + m_catalog + args);
  }
  std::string catalog_bytes() const { return read_text(m_home.path() / "catalog.db"); }
  json verify(const std::string& id, const std::string& level, int exit_code)
  {
    auto runs = json_of("verify " + id + " --level " + level + " --json", exit_code)["runs"];
    return runs.empty() ? json::object() : runs[0];
  }
  std::string status_of(const std::string& id)
  {
    return json_of("show " + id + " --json")["status"];
  }
  static std::string archive_start(const std::string& fixture, const std::string& label)
  {
    return testing::pgbackrest_expected()["repos"][fixture]["backups"][label]["archive_start"];
  }
  // archive/<stanza>/15-1/<16 hex>/<segment>-<sha1>[.ext] of a segment.
  static fs::path archived_segment(const fs::path& repo, const std::string& segment)
  {
    const fs::path dir = repo / "archive" / stanza() / "15-1" / segment.substr(0, 16);
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.path().filename().string().starts_with(segment + "-")) return entry.path();
    ADD_FAILURE() << segment << " is not archived in " << dir;
    return {};
  }
};

bool has_table(const json& run, const std::string& table)
{
  for (const auto& c : run["row_counts"])
    if (c["schema"] == "postgres.public" && c["table"] == table) return true;
  return false;
}

// The done-when of issue 14: a full and incremental backups are test-restored
// by lastgood's own reader (references, bundles, gz) and pass.
TEST_F(PgbackrestVerify, FullAndIncrementalBackupsTestRestoreAndPass)
{
  for (const std::string name : {"plain", "gz", "lz4"})
    ASSERT_EQ(
        lastgood("repo add " + name + " " + shell_quote(testing::pgbackrest_repo(name))).exit_code,
        0);
  ASSERT_EQ(lastgood("scan -q").exit_code, 0);
  for (const std::string name : {"plain", "gz"})
    for (const auto& label : testing::pgbackrest_labels(name)) {
      SCOPED_TRACE(name + " " + label);
      auto run = verify(id_of(name, label), "structure", 0);
      EXPECT_EQ(run["level"], "structure") << run.dump(2);
      EXPECT_EQ(run["outcome"], "pass") << run.dump(2);
      EXPECT_TRUE(run["findings"].empty()) << run.dump(2);
    }

  const auto plain = testing::pgbackrest_labels("plain"); // full, diff, incr
  const auto gz = testing::pgbackrest_labels("gz");       // full, incr (bundled)
  const auto lz4 = testing::pgbackrest_labels("lz4");     // full, WAL lz4 (wal-fetch)
  struct Case
  {
    std::string repository, label, newest_table, later_table;
  };
  for (const auto& c : {Case{"plain", plain.front(), "notes", "after_full"},
                        Case{"plain", plain.back(), "after_diff", ""},
                        Case{"gz", gz.back(), "after_full", "after_diff"},
                        Case{"lz4", lz4.front(), "notes", "after_full"}}) {
    SCOPED_TRACE(c.repository + " " + c.label);
    const auto id = id_of(c.repository, c.label);
    auto run = verify(id, "restore", 0);
    EXPECT_EQ(run["level"], "restore") << run.dump(2);
    EXPECT_EQ(run["outcome"], "pass") << run.dump(2);
    EXPECT_TRUE(run["findings"].empty()) << run.dump(2);
    // The restored cluster holds the data as of this backup, not of its full.
    EXPECT_TRUE(has_table(run, "notes")) << run.dump(2);
    EXPECT_TRUE(has_table(run, c.newest_table)) << run.dump(2);
    if (!c.later_table.empty()) {
      EXPECT_FALSE(has_table(run, c.later_table)) << run.dump(2);
    }
    EXPECT_FALSE(run["recovery_point"].value("consistent_at", "").empty()) << run.dump(2);
    EXPECT_EQ(status_of(id), "good");
  }
}

// With its passphrase (LASTGOOD_CIPHER_PASS_ENC) an encrypted, bundled, zst
// repository's full and incremental backups are materialised (decrypted),
// recovered with WAL that wal-fetch decrypts, and pass; the passphrase is in
// no output and no catalog byte.
TEST_F(PgbackrestVerify, EncryptedBackupsTestRestoreWithTheirPassphrase)
{
  const std::string passphrase = testing::pgbackrest_passphrase();
  const auto labels = testing::pgbackrest_labels("enc"); // full, incr
  ASSERT_EQ(lastgood("repo add enc " + shell_quote(testing::pgbackrest_repo("enc"))).exit_code, 0);
  ASSERT_EQ(with_passphrase("enc", passphrase, "scan -q").exit_code, 0);
  struct Case
  {
    std::string label, newest_table, later_table;
  };
  for (const auto& c : {Case{labels.front(), "notes", "after_full"},
                        Case{labels.back(), "after_full", "after_diff"}}) {
    SCOPED_TRACE(c.label);
    const auto id = id_of("enc", c.label);
    for (const std::string level : {"structure", "restore"}) {
      auto r = with_passphrase("enc", passphrase, "verify " + id + " --level " + level + " --json");
      ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
      EXPECT_EQ((r.out + r.err).find(passphrase), std::string::npos) << r.out << r.err;
      const auto run = json::parse(r.out)["runs"][0];
      EXPECT_EQ(run["level"], level) << run.dump(2);
      EXPECT_EQ(run["outcome"], "pass") << run.dump(2);
      EXPECT_TRUE(run["findings"].empty()) << run.dump(2);
      if (level == "restore") {
        EXPECT_TRUE(has_table(run, c.newest_table)) << run.dump(2);
        EXPECT_FALSE(has_table(run, c.later_table)) << run.dump(2);
        EXPECT_FALSE(run["recovery_point"].value("consistent_at", "").empty()) << run.dump(2);
      }
    }
    EXPECT_EQ(status_of(id), "good");
    auto history = lastgood("history " + id + " --json");
    EXPECT_EQ(history.out.find(passphrase), std::string::npos) << history.out;
  }
  EXPECT_EQ(catalog_bytes().find(passphrase), std::string::npos)
      << "the passphrase is in the catalog";
}

// Without the passphrase, or with a wrong one, nothing past the stored bytes
// can be checked: exit 1 (error), a message saying where the passphrase
// goes, and the backup is not bad.
TEST_F(PgbackrestVerify, EncryptedBackupWithoutItsPassphraseIsAnErrorNotBad)
{
  const std::string passphrase = testing::pgbackrest_passphrase();
  const std::string wrong = "not-the-" + passphrase;
  const auto labels = testing::pgbackrest_labels("enc");
  ASSERT_EQ(lastgood("repo add enc " + shell_quote(testing::pgbackrest_repo("enc"))).exit_code, 0);
  ASSERT_EQ(with_passphrase("enc", passphrase, "scan -q").exit_code, 0);
  const auto id = id_of("enc", labels.back());
  for (const std::string level : {"structure", "restore"}) {
    SCOPED_TRACE(level);
    auto run = verify(id, level, 1);
    EXPECT_EQ(run["outcome"], "error") << run.dump(2);
    EXPECT_NE(run.dump().find("LASTGOOD_CIPHER_PASS_ENC"), std::string::npos) << run.dump(2);
    EXPECT_NE(run.dump().find("cipher_pass_file"), std::string::npos) << run.dump(2);

    auto r = with_passphrase("enc", wrong, "verify " + id + " --level " + level + " --json");
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("could not be decrypted"), std::string::npos) << r.out << r.err;
    EXPECT_EQ((r.out + r.err).find(wrong), std::string::npos) << r.out << r.err;
    EXPECT_EQ((r.out + r.err).find(passphrase), std::string::npos) << r.out << r.err;
  }
  EXPECT_NE(status_of(id), "bad");
  EXPECT_NE(status_of(id), "good");
  EXPECT_EQ(catalog_bytes().find(wrong), std::string::npos);
}

// A flipped byte in an encrypted bundle (damaged before the scan: only the
// manifest's SHA-1, after decrypting and decompressing, can tell) makes the
// backup bad, exit 3.
TEST_F(PgbackrestVerify, FlippedByteInAnEncryptedBundleIsBad)
{
  const std::string passphrase = testing::pgbackrest_passphrase();
  const auto labels = testing::pgbackrest_labels("enc");
  const fs::path repo = add_copy("enc", "encdamaged");
  fs::path largest;
  std::uintmax_t size = 0;
  for (const auto& entry :
       fs::directory_iterator(repo / "backup" / stanza() / labels.front() / "bundle"))
    if (entry.file_size() > size) {
      size = entry.file_size();
      largest = entry.path();
    }
  ASSERT_GT(size, 4096u) << "no bundle in the encrypted full backup";
  testing::flip_byte(largest, size / 2);
  ASSERT_EQ(with_passphrase("encdamaged", passphrase, "scan -q").exit_code, 0);
  const auto id = id_of("encdamaged", labels.front());
  auto r = with_passphrase("encdamaged", passphrase, "verify " + id + " --level restore --json");
  ASSERT_EQ(r.exit_code, 3) << r.out << r.err;
  const auto run = json::parse(r.out)["runs"][0];
  EXPECT_EQ(run["outcome"], "fail") << run.dump(2);
  const std::string bundle_key =
      (fs::path("backup") / stanza() / labels.front() / "bundle" / largest.filename()).string();
  EXPECT_NE(run.dump().find(bundle_key), std::string::npos) << run.dump(2);
  EXPECT_EQ(status_of(id), "bad");
  EXPECT_EQ((r.out + r.err).find(passphrase), std::string::npos);
}

TEST_F(PgbackrestVerify, DamagedDataFileMakesTheBackupAndItsDependentsBad)
{
  const auto labels = testing::pgbackrest_labels("plain");
  const fs::path repo = add_copy("plain", "damaged");
  // Damaged before the scan: the catalog's SHA-256 is of the damaged bytes,
  // so only the manifest's SHA-1 (checked while materialising) can tell.
  const std::string file = "pg_data/base/5/1255"; // pg_proc, unchanged since the full
  const fs::path stored = repo / "backup" / stanza() / labels.front() / file;
  ASSERT_TRUE(fs::exists(stored));
  testing::flip_byte(stored, 9000);
  ASSERT_EQ(lastgood("scan -q").exit_code, 0);

  for (const auto& label : {labels.front(), labels.back()}) {
    SCOPED_TRACE(label);
    const auto id = id_of("damaged", label);
    auto run = verify(id, "restore", 3);
    EXPECT_EQ(run["outcome"], "fail") << run.dump(2);
    EXPECT_TRUE(has_finding(run, "manifest_mismatch",
                            "backup/" + stanza() + "/" + labels.front() + "/" + file,
                            file + " (stored in backup/" + stanza() + "/" + labels.front()))
        << run.dump(2);
    EXPECT_EQ(status_of(id), "bad");
  }
}

TEST_F(PgbackrestVerify, WalRangeSegmentMissingOrDamagedIsBadAtStructure)
{
  const auto labels = testing::pgbackrest_labels("plain"); // full, diff, incr
  const fs::path repo = add_copy("plain", "wal");
  const auto missing = archive_start("plain", labels[0]);
  const auto damaged = archive_start("plain", labels[2]);
  fs::remove(archived_segment(repo, missing));
  testing::flip_byte(archived_segment(repo, damaged), 5000);
  ASSERT_EQ(lastgood("scan -q").exit_code, 0);

  auto run = verify(id_of("wal", labels[0]), "structure", 3);
  EXPECT_TRUE(has_finding(run, "missing_wal", missing, "is not in archive/" + stanza() + "/15-1"))
      << run.dump(2);
  EXPECT_EQ(status_of(id_of("wal", labels[0])), "bad");

  run = verify(id_of("wal", labels[2]), "restore", 3);
  EXPECT_EQ(run["level"], "restore");
  EXPECT_TRUE(has_finding(run, "checksum_mismatch", damaged, "its name says")) << run.dump(2);
  EXPECT_NE(run["notes"].dump().find("test restore skipped"), std::string::npos) << run.dump(2);

  // wal-fetch never hands PostgreSQL the damaged segment: the catalog's
  // SHA-256 is of the damaged bytes (scanned after the damage), the SHA-1 in
  // its name is not.
  const fs::path dest = m_home.path() / "fetched";
  auto fetched = lastgood("wal-fetch " + damaged + " " + shell_quote(dest));
  EXPECT_NE(fetched.exit_code, 0) << fetched.out << fetched.err;
  EXPECT_NE(fetched.err.find("SHA-1"), std::string::npos) << fetched.err;
  EXPECT_FALSE(fs::exists(dest));
  const auto good = archive_start("plain", labels[1]);
  fetched = lastgood("wal-fetch " + good + " " + shell_quote(dest));
  EXPECT_EQ(fetched.exit_code, 0) << fetched.out << fetched.err;
  EXPECT_EQ(fs::file_size(dest), 1u << 20) << "the fixture's 1 MB segments";

  // The diff needs neither segment: nothing against it.
  run = verify(id_of("wal", labels[1]), "structure", 0);
  EXPECT_TRUE(run["findings"].empty()) << run.dump(2);
}

TEST_F(PgbackrestVerify, ManifestProblemsAreFindingsNamingTheFile)
{
  const auto labels = testing::pgbackrest_labels("plain"); // full, diff, incr
  // Page-checksum errors pgBackRest recorded while backing up a file of the diff.
  const fs::path pages = add_copy("plain", "pages");
  const std::string file = "pg_data/base/5/1255";
  for (const std::string name : {"backup.manifest", "backup.manifest.copy"}) {
    const auto path = pages / "backup" / stanza() / labels[1] / name;
    const std::string text = read_text(path);
    const auto line = text.find("\n" + file + "={");
    const auto flag = text.find("\"checksum-page\":true", line);
    ASSERT_LT(flag, text.find('\n', line + 1)) << path;
    const std::string head = text.substr(line, flag - line);
    testing::rewrite_pgbackrest_info_file(
        path, head + "\"checksum-page\":true",
        head + "\"checksum-page\":false,\"checksum-page-error\":[1,[3,5]]");
  }
  // The full a diff and an incr reference loses its manifest and copy.
  const fs::path lost = add_copy("plain", "lost");
  fs::remove(lost / "backup" / stanza() / labels[0] / "backup.manifest");
  fs::remove(lost / "backup" / stanza() / labels[0] / "backup.manifest.copy");
  lastgood("scan -q"); // exit 3: the full's manifest is missing

  auto run = verify(id_of("pages", labels[1]), "structure", 3);
  EXPECT_TRUE(has_finding(run, "page_checksum_error", labels[1] + "/" + file, "pages 1, 3-5"))
      << run.dump(2);
  // Its full has no such record: fine.
  run = verify(id_of("pages", labels[0]), "structure", 0);
  EXPECT_TRUE(run["findings"].empty()) << run.dump(2);

  run = verify(id_of("lost", labels[2]), "structure", 3);
  EXPECT_TRUE(has_finding(run, "missing_object",
                          "backup/" + stanza() + "/" + labels[0] + "/backup.manifest",
                          "references backup " + labels[0]))
      << run.dump(2);
}

TEST_F(PgbackrestVerify, TruncatedBundleIsBadDamagedInfoCopyIsAWarning)
{
  // A bundle of the gz repository's full loses its last bytes.
  const auto gz = testing::pgbackrest_labels("gz"); // full, incr
  const fs::path bundles = add_copy("gz", "bundled") / "backup" / stanza() / gz.front() / "bundle";
  fs::path largest;
  for (const auto& entry : fs::directory_iterator(bundles))
    if (largest.empty() || fs::file_size(entry.path()) > fs::file_size(largest))
      largest = entry.path();
  ASSERT_FALSE(largest.empty());
  fs::resize_file(largest, fs::file_size(largest) - 100);
  // backup.info's copy damaged: the main file is read, as pgBackRest does.
  const fs::path info = add_copy("plain", "infocopy") / "backup" / stanza() / "backup.info.copy";
  testing::flip_byte(info, 40);
  lastgood("scan -q"); // exit 3: scan reports the damaged copy

  const std::string bundle_key =
      "backup/" + stanza() + "/" + gz.front() + "/bundle/" + largest.filename().string();
  auto run = verify(id_of("bundled", gz.front()), "structure", 3);
  EXPECT_TRUE(has_finding(run, "size_mismatch", bundle_key, "the bundle is truncated"))
      << run.dump(2);

  const auto full = testing::pgbackrest_labels("plain").front();
  run = verify(id_of("infocopy", full), "structure", 0);
  EXPECT_EQ(run["outcome"], "pass") << run.dump(2);
  bool warned = false;
  for (const auto& f : run["findings"])
    if (f["severity"] == "warning" && f["subject"] == "backup/" + stanza() + "/backup.info.copy")
      warned = true;
  EXPECT_TRUE(warned) << run.dump(2);
}

} // namespace
} // namespace lastgood
