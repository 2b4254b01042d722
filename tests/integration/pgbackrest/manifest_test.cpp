// backup.manifest of real pgBackRest 2.45 backups, and the archive beside them.
#include "formats/pgbackrest/archive_layout.hpp"
#include "formats/pgbackrest/materialise.hpp"
#include "formats/pgbackrest/sha1.hpp"
#include "formats/pgbackrest/stanza.hpp"
#include "storage/fs_storage.hpp"
#include "tests/integration/pgbackrest/repos.hpp"
#include "tests/support/temp_dir.hpp"

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

TEST(PgBackRestManifest, IncrementalOfAChain)
{
  lastgood::storage::FsStorage repo(pgbackrest_repo("plain"));
  const auto labels = pgbackrest_labels("plain");
  auto loaded = pgbr::load_manifest(repo, stanza(), labels[2], std::nullopt);
  EXPECT_TRUE(loaded.findings.empty());
  const auto& m = loaded.manifest;
  EXPECT_EQ(m.label, labels[2]);
  EXPECT_EQ(m.type, pgbr::BackupType::incr);
  EXPECT_EQ(m.prior, labels[1]);
  EXPECT_EQ(m.references, (std::vector<std::string>{labels[0], labels[1], labels[2]}));
  EXPECT_EQ(m.system_id, system_id());
  EXPECT_EQ(m.pg_version, "15");
  EXPECT_EQ(m.compress_type, pgbr::CompressType::none);
  EXPECT_FALSE(m.bundle);
  EXPECT_FALSE(m.cipher_pass);
  EXPECT_TRUE(m.checksum_page);
  EXPECT_EQ(m.archive_start.size(), 24u);
  EXPECT_TRUE(m.lsn_start.starts_with("0/"));
  EXPECT_LE(m.timestamp_start, m.timestamp_stop);
  ASSERT_EQ(m.targets.size(), 1u);
  EXPECT_EQ(m.targets[0].name, "pg_data");
  EXPECT_GT(m.files.size(), 900u);
  EXPECT_GT(m.paths.size(), 20u);

  const auto* version = m.find_file("pg_data/PG_VERSION");
  ASSERT_NE(version, nullptr);
  EXPECT_EQ(version->size, 3u);
  EXPECT_EQ(version->checksum, pgbr::Sha1::of("15\n"));
  EXPECT_EQ(version->reference, labels[0]) << "unchanged since the full backup";
  const auto* control = m.find_file("pg_data/global/pg_control");
  ASSERT_NE(control, nullptr);
  EXPECT_FALSE(control->reference) << "pg_control is copied by every backup";
  EXPECT_EQ(control->size, 8192u);
  ASSERT_NE(m.find_file("pg_data/backup_label"), nullptr);
  std::size_t from_diff = 0, page_checked = 0;
  for (const auto& f : m.files) {
    EXPECT_TRUE(f.page_errors.empty()) << f.name;
    if (f.reference == labels[1]) ++from_diff;
    if (f.checksum_page == true) ++page_checked;
  }
  EXPECT_GT(from_diff, 0u) << "some files changed between the full and the diff backup";
  EXPECT_GT(page_checked, 500u);
}

TEST(PgBackRestManifest, BundledCompressedRepository)
{
  lastgood::storage::FsStorage repo(pgbackrest_repo("gz"));
  const auto labels = pgbackrest_labels("gz");
  auto m = pgbr::load_manifest(repo, stanza(), labels[1], std::nullopt).manifest;
  EXPECT_TRUE(m.bundle);
  EXPECT_EQ(m.compress_type, pgbr::CompressType::gz);
  std::size_t bundled = 0;
  for (const auto& f : m.files) {
    if (!f.bundle_id) continue;
    ++bundled;
    EXPECT_TRUE(f.repo_checksum) << f.name;
    auto where = pgbr::stored_location(m, f, stanza());
    EXPECT_EQ(where.key, "backup/" + stanza() + "/" + f.reference.value_or(m.label) + "/bundle/" +
                             std::to_string(*f.bundle_id));
    auto object = repo.stat(where.key);
    ASSERT_TRUE(object) << where.key;
    EXPECT_LE(f.bundle_offset + f.repo_size, object->size) << f.name << " lies outside its bundle";
  }
  EXPECT_GT(bundled, 500u);
}

TEST(PgBackRestManifest, EncryptedManifestUsesBackupInfoSubPassphrase)
{
  lastgood::storage::FsStorage repo(pgbackrest_repo("enc"));
  auto info = pgbr::read_stanza(repo, stanza(), pgbackrest_passphrase());
  const auto labels = pgbackrest_labels("enc");
  auto m = pgbr::load_manifest(repo, stanza(), labels[1], info.backup.cipher_pass).manifest;
  EXPECT_EQ(m.type, pgbr::BackupType::incr);
  EXPECT_EQ(m.compress_type, pgbr::CompressType::zst);
  EXPECT_TRUE(m.cipher_pass);
  EXPECT_EQ(m.system_id, system_id());
  EXPECT_THROW((void)pgbr::load_manifest(repo, stanza(), labels[1], pgbackrest_passphrase()),
               pgbr::PassphraseError)
      << "the repository passphrase is not the manifests' passphrase";
}

TEST(PgBackRestManifest, DamagedManifestFallsBackToCopy)
{
  TempDir tmp;
  copy_pgbackrest_repo("lz4", tmp.path() / "r");
  const auto label = pgbackrest_labels("lz4")[0];
  const std::string key = "backup/" + stanza() + "/" + label + "/backup.manifest";
  flip_byte(tmp.path() / "r" / key, 200);
  lastgood::storage::FsStorage repo(tmp.path() / "r");
  auto loaded = pgbr::load_manifest(repo, stanza(), label, std::nullopt);
  EXPECT_EQ(loaded.manifest.label, label);
  ASSERT_EQ(loaded.findings.size(), 1u);
  EXPECT_EQ(loaded.findings[0].key, key);
  EXPECT_EQ(loaded.findings[0].kind, pgbr::RepoFinding::Kind::damaged);
}

// Every backup's first WAL segment is in the archive, named by its own SHA-1.
void check_archive(const std::string& name, bool encrypted)
{
  lastgood::storage::FsStorage repo(pgbackrest_repo(name));
  auto info = pgbr::read_stanza(repo, stanza(),
                                encrypted ? std::optional(pgbackrest_passphrase()) : std::nullopt);
  const std::string archive_id = info.archive.current.archive_id();
  for (const auto& b : info.backup.backups) {
    auto key = pgbr::locate_segment(repo, stanza(), archive_id, b.archive_start);
    ASSERT_TRUE(key) << b.archive_start << " not found in " << name;
    auto parsed = pgbr::parse_archive_file_name(key->substr(key->rfind('/') + 1));
    ASSERT_TRUE(parsed) << *key;
    EXPECT_EQ(parsed->wal_name, b.archive_start);
    std::vector<std::unique_ptr<pgbr::Transform>> chain;
    if (encrypted) chain.push_back(pgbr::make_decryptor(*info.archive.cipher_pass));
    if (parsed->compression != pgbr::CompressType::none)
      chain.push_back(pgbr::make_decompressor(parsed->compression));
    auto bytes =
        pgbr::transform_all(lastgood::storage::read_all(repo, *key), std::move(chain), *key);
    EXPECT_EQ(bytes.size(), 1u << 20) << "the fixture uses 1 MB segments";
    EXPECT_EQ(pgbr::Sha1::of(bytes), parsed->sha1) << *key;
  }
  EXPECT_FALSE(pgbr::locate_segment(repo, stanza(), archive_id, "0000000100000000000000FF"));
}

TEST(PgBackRestArchive, SegmentsAreWhereTheirNamesSay)
{
  check_archive("plain", false);
  check_archive("gz", false);
  check_archive("lz4", false);
  check_archive("enc", true);
}

} // namespace
