// backup.info and archive.info of real repositories written by pgBackRest 2.45.
#include "formats/pgbackrest/stanza.hpp"
#include "storage/fs_storage.hpp"
#include "tests/integration/pgbackrest/repos.hpp"
#include "tests/support/temp_dir.hpp"

#include <fstream>
#include <gtest/gtest.h>

namespace pgbr = lastgood::formats::pgbackrest;
using namespace lastgood::testing;

namespace {

std::string stanza()
{
  return pgbackrest_expected().at("stanza").get<std::string>();
}

std::uint64_t system_id()
{
  return std::stoull(pgbackrest_expected().at("system_identifier").get<std::string>());
}

TEST(PgBackRestInfo, ChainOfFullDiffIncr)
{
  lastgood::storage::FsStorage repo(pgbackrest_repo("plain"));
  auto info = pgbr::read_stanza(repo, stanza(), std::nullopt);
  EXPECT_TRUE(info.findings.empty());
  EXPECT_EQ(info.backup.backrest_version, "2.45");
  EXPECT_EQ(info.backup.current.system_id, system_id());
  EXPECT_EQ(info.backup.current.version, "15");
  ASSERT_EQ(info.backup.history.size(), 1u);
  EXPECT_EQ(info.backup.history[0].system_id, system_id());
  EXPECT_EQ(info.archive.current.system_id, system_id());
  EXPECT_EQ(info.archive.history.at(0).archive_id(), "15-1");

  const auto labels = pgbackrest_labels("plain");
  ASSERT_EQ(info.backup.backups.size(), 3u);
  const auto& full = info.backup.backups[0];
  const auto& diff = info.backup.backups[1];
  const auto& incr = info.backup.backups[2];
  EXPECT_EQ(full.label, labels[0]);
  EXPECT_EQ(full.type, pgbr::BackupType::full);
  EXPECT_FALSE(full.prior);
  EXPECT_TRUE(full.references.empty());
  EXPECT_EQ(diff.label, labels[1]);
  EXPECT_EQ(diff.type, pgbr::BackupType::diff);
  EXPECT_EQ(diff.prior, labels[0]);
  EXPECT_EQ(diff.references, (std::vector<std::string>{labels[0]}));
  EXPECT_EQ(incr.label, labels[2]);
  EXPECT_EQ(incr.type, pgbr::BackupType::incr);
  EXPECT_EQ(incr.prior, labels[1]);
  EXPECT_EQ(incr.references, (std::vector<std::string>{labels[0], labels[1]}));
  for (const auto& b : info.backup.backups) {
    EXPECT_EQ(b.archive_start.size(), 24u) << b.label;
    EXPECT_LE(b.archive_start, b.archive_stop) << b.label;
    EXPECT_TRUE(b.lsn_start.starts_with("0/")) << b.label;
    EXPECT_LE(b.timestamp_start, b.timestamp_stop) << b.label;
    EXPECT_GT(b.size, 10u << 20) << b.label; // a whole cluster, even for diff/incr
    EXPECT_EQ(b.db_id, 1u);
    EXPECT_FALSE(b.error);
  }
  EXPECT_LT(incr.size_delta, full.size_delta);
  EXPECT_LT(full.archive_stop, diff.archive_start);
}

TEST(PgBackRestInfo, EncryptedRepositoryNeedsItsPassphrase)
{
  lastgood::storage::FsStorage repo(pgbackrest_repo("enc"));
  auto info = pgbr::read_stanza(repo, stanza(), pgbackrest_passphrase());
  EXPECT_TRUE(info.findings.empty());
  EXPECT_EQ(info.backup.current.system_id, system_id());
  EXPECT_EQ(info.backup.backups.size(), 2u);
  ASSERT_TRUE(info.backup.cipher_pass);
  ASSERT_TRUE(info.archive.cipher_pass);
  EXPECT_NE(*info.backup.cipher_pass, *info.archive.cipher_pass);

  const std::string wrong = "not-the-passphrase";
  try {
    (void)pgbr::read_stanza(repo, stanza(), wrong);
    FAIL() << "a wrong passphrase was accepted";
  } catch (const pgbr::PassphraseError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("wrong passphrase"), std::string::npos) << message;
    EXPECT_EQ(message.find(wrong), std::string::npos) << "the passphrase leaked: " << message;
    EXPECT_EQ(e.exit_code(), lastgood::kExitFailed);
  }
  EXPECT_THROW((void)pgbr::read_stanza(repo, stanza(), std::nullopt), pgbr::PassphraseError);
  // A plain repository read with a passphrase: not encrypted.
  lastgood::storage::FsStorage plain(pgbackrest_repo("plain"));
  EXPECT_THROW((void)pgbr::read_stanza(plain, stanza(), wrong), pgbr::PassphraseError);
}

TEST(PgBackRestInfo, DamagedMainFileFallsBackToItsCopy)
{
  TempDir tmp;
  copy_pgbackrest_repo("gz", tmp.path() / "r");
  const auto key = pgbr::backup_info_key(stanza());
  flip_byte(tmp.path() / "r" / key, 60);
  lastgood::storage::FsStorage repo(tmp.path() / "r");
  auto info = pgbr::read_stanza(repo, stanza(), std::nullopt);
  EXPECT_EQ(info.backup.backups.size(), 2u);
  ASSERT_EQ(info.findings.size(), 1u);
  EXPECT_EQ(info.findings[0].kind, pgbr::RepoFinding::Kind::damaged);
  EXPECT_EQ(info.findings[0].key, key);
  EXPECT_NE(info.findings[0].problem.find("checksum mismatch"), std::string::npos)
      << info.findings[0].problem;
  EXPECT_NE(info.findings[0].problem.find("copy"), std::string::npos) << info.findings[0].problem;
}

TEST(PgBackRestInfo, MissingCopyIsAFinding)
{
  TempDir tmp;
  copy_pgbackrest_repo("gz", tmp.path() / "r");
  const auto key = pgbr::archive_info_key(stanza()) + ".copy";
  std::filesystem::remove(tmp.path() / "r" / key);
  lastgood::storage::FsStorage repo(tmp.path() / "r");
  auto info = pgbr::read_stanza(repo, stanza(), std::nullopt);
  ASSERT_EQ(info.findings.size(), 1u);
  EXPECT_EQ(info.findings[0].kind, pgbr::RepoFinding::Kind::missing);
  EXPECT_EQ(info.findings[0].key, key);
}

TEST(PgBackRestInfo, ValidCopyDisagreeingWithMainIsAFinding)
{
  // Another repository's backup.info of the same cluster is valid but different.
  TempDir tmp;
  copy_pgbackrest_repo("gz", tmp.path() / "r");
  const auto key = pgbr::backup_info_key(stanza());
  std::filesystem::copy_file(pgbackrest_repo("plain") / key, tmp.path() / "r" / (key + ".copy"),
                             std::filesystem::copy_options::overwrite_existing);
  lastgood::storage::FsStorage repo(tmp.path() / "r");
  auto info = pgbr::read_stanza(repo, stanza(), std::nullopt);
  EXPECT_EQ(info.backup.backups.size(), 2u) << "the main file must win";
  ASSERT_EQ(info.findings.size(), 1u);
  EXPECT_EQ(info.findings[0].kind, pgbr::RepoFinding::Kind::copy_disagrees);
  EXPECT_EQ(info.findings[0].key, key + ".copy");
}

TEST(PgBackRestInfo, BothDamagedIsAnErrorNamingBoth)
{
  TempDir tmp;
  copy_pgbackrest_repo("gz", tmp.path() / "r");
  const auto key = pgbr::backup_info_key(stanza());
  flip_byte(tmp.path() / "r" / key, 60);
  std::filesystem::resize_file(tmp.path() / "r" / (key + ".copy"), 100);
  lastgood::storage::FsStorage repo(tmp.path() / "r");
  try {
    (void)pgbr::read_stanza(repo, stanza(), std::nullopt);
    FAIL() << "two damaged files were accepted";
  } catch (const lastgood::ValidationError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(key + ": checksum mismatch"), std::string::npos) << message;
    EXPECT_NE(message.find(key + ".copy"), std::string::npos) << message;
  }
}

} // namespace
