// lastgood's own materialisation of real pgBackRest backups, byte for byte
// against `pgbackrest restore` of the same backup, and damaged repositories.
#include "formats/pgbackrest/materialise.hpp"
#include "formats/pgbackrest/stanza.hpp"
#include "storage/fs_storage.hpp"
#include "tests/integration/pgbackrest/repos.hpp"
#include "tests/support/temp_dir.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <set>

namespace fs = std::filesystem;
namespace pgbr = lastgood::formats::pgbackrest;
using namespace lastgood::testing;

namespace {

std::string stanza()
{
  return pgbackrest_expected().at("stanza").get<std::string>();
}

// Files pgbackrest restore writes or rewrites itself (recovery settings).
bool written_by_restore(const std::string& relative)
{
  return relative == "postgresql.auto.conf" || relative == "recovery.signal" ||
         relative == "standby.signal";
}

std::set<std::string> regular_files(const fs::path& root)
{
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) out.insert(fs::relative(e.path(), root).string());
  return out;
}

void expect_same_as_pgbackrest_restore(const std::string& name, const std::string& label,
                                       const std::optional<std::string>& passphrase)
{
  lastgood::storage::FsStorage repo(pgbackrest_repo(name));
  TempDir tmp;
  const fs::path ours = tmp.path() / "pgdata";
  auto result = pgbr::materialise_backup(repo, stanza(), label, ours, passphrase);
  EXPECT_TRUE(result.findings.empty());
  const fs::path theirs = pgbackrest_fixture_dir() / "restored" / (name + "-" + label);
  ASSERT_TRUE(fs::is_directory(theirs)) << theirs;

  auto our_files = regular_files(ours);
  auto their_files = regular_files(theirs);
  EXPECT_EQ(result.files, our_files.size());
  std::size_t compared = 0;
  for (const auto& f : their_files) {
    if (written_by_restore(f)) continue;
    ASSERT_TRUE(our_files.count(f))
        << f << " restored by pgbackrest is missing from lastgood's " << label;
    EXPECT_TRUE(read_file(ours / f) == read_file(theirs / f))
        << f << " differs in " << name << " " << label;
    ++compared;
  }
  for (const auto& f : our_files)
    EXPECT_TRUE(their_files.count(f) || written_by_restore(f))
        << f << " is not in pgbackrest's restore";
  EXPECT_GT(compared, 900u);
  EXPECT_EQ(read_file(ours / "PG_VERSION"), "15\n");
}

TEST(PgBackRestMaterialise, FullBackupMatchesPgBackRestRestore)
{
  expect_same_as_pgbackrest_restore("plain", pgbackrest_labels("plain").front(), std::nullopt);
}

TEST(PgBackRestMaterialise, IncrementalOfDiffOfFullMatchesPgBackRestRestore)
{
  expect_same_as_pgbackrest_restore("plain", pgbackrest_labels("plain").back(), std::nullopt);
}

TEST(PgBackRestMaterialise, EncryptedIncrementalMatchesPgBackRestRestore)
{
  expect_same_as_pgbackrest_restore("enc", pgbackrest_labels("enc").back(),
                                    pgbackrest_passphrase());
}

// Backups without a pgbackrest restore beside them: every file is still
// checked against its manifest size and SHA-1 while written.
void expect_materialises(const std::string& name, const std::string& label)
{
  lastgood::storage::FsStorage repo(pgbackrest_repo(name));
  TempDir tmp;
  auto result = pgbr::materialise_backup(repo, stanza(), label, tmp.path() / "d", std::nullopt);
  EXPECT_TRUE(result.findings.empty());
  EXPECT_GT(result.files, 900u);
  EXPECT_GT(result.bytes, 10u << 20);
  EXPECT_EQ(read_file(tmp.path() / "d" / "PG_VERSION"), "15\n");
}

TEST(PgBackRestMaterialise, Lz4FullBackupPassesItsManifestChecksums)
{
  expect_materialises("lz4", pgbackrest_labels("lz4").front());
}

TEST(PgBackRestMaterialise, BundledGzipIncrementalPassesItsManifestChecksums)
{
  expect_materialises("gz", pgbackrest_labels("gz").back());
}

// Materialises `label` of a damaged copy and returns the error message.
template <typename Expected>
std::string materialise_error(const fs::path& repo_dir, const std::string& label,
                              const std::optional<std::string>& passphrase = std::nullopt)
{
  lastgood::storage::FsStorage repo(repo_dir);
  TempDir out;
  try {
    (void)pgbr::materialise_backup(repo, stanza(), label, out.path() / "d", passphrase);
  } catch (const Expected& e) {
    return e.what();
  }
  ADD_FAILURE() << "materialising the damaged " << label << " did not fail as expected";
  return {};
}

const std::string kFile = "pg_data/base/1/1259"; // pg_class of template1

TEST(PgBackRestMaterialise, FlippedByteInAStoredFileNamesTheFile)
{
  TempDir tmp;
  copy_pgbackrest_repo("plain", tmp.path() / "r");
  const auto labels = pgbackrest_labels("plain");
  flip_byte(tmp.path() / "r" / "backup" / stanza() / labels[0] / kFile, 5000);
  // The incremental references the full backup's copy of the file.
  auto message = materialise_error<pgbr::FileDamagedError>(tmp.path() / "r", labels.back());
  EXPECT_NE(
      message.find(kFile + " (stored in backup/" + stanza() + "/" + labels[0] + "/" + kFile + ")"),
      std::string::npos)
      << message;
  EXPECT_NE(message.find("SHA-1"), std::string::npos) << message;
}

TEST(PgBackRestMaterialise, TruncatedStoredFileNamesTheFile)
{
  TempDir tmp;
  copy_pgbackrest_repo("plain", tmp.path() / "r");
  const auto full = pgbackrest_labels("plain").front();
  fs::resize_file(tmp.path() / "r" / "backup" / stanza() / full / kFile, 4096);
  auto message = materialise_error<pgbr::FileDamagedError>(tmp.path() / "r", full);
  EXPECT_NE(message.find(kFile), std::string::npos) << message;
  EXPECT_NE(message.find("4096 bytes where the manifest records"), std::string::npos) << message;
}

TEST(PgBackRestMaterialise, MissingStoredFileOfAPriorBackupNamesTheFile)
{
  TempDir tmp;
  copy_pgbackrest_repo("plain", tmp.path() / "r");
  const auto labels = pgbackrest_labels("plain");
  fs::remove(tmp.path() / "r" / "backup" / stanza() / labels[0] / "PG_VERSION");
  fs::remove(tmp.path() / "r" / "backup" / stanza() / labels[0] / "pg_data" / "PG_VERSION");
  auto message = materialise_error<pgbr::FileDamagedError>(tmp.path() / "r", labels.back());
  EXPECT_NE(message.find("pg_data/PG_VERSION (stored in backup/" + stanza() + "/" + labels[0] +
                         "/pg_data/PG_VERSION): missing from the repository"),
            std::string::npos)
      << message;
}

TEST(PgBackRestMaterialise, FlippedByteInABundleNamesTheFile)
{
  TempDir tmp;
  copy_pgbackrest_repo("gz", tmp.path() / "r");
  const auto label = pgbackrest_labels("gz").front();
  lastgood::storage::FsStorage repo(tmp.path() / "r");
  auto manifest = pgbr::load_manifest(repo, stanza(), label, std::nullopt).manifest;
  const auto* file = manifest.find_file(kFile);
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(file->bundle_id);
  auto where = pgbr::stored_location(manifest, *file, stanza());
  flip_byte(tmp.path() / "r" / where.key, where.offset + file->repo_size / 2);
  auto message = materialise_error<pgbr::FileDamagedError>(tmp.path() / "r", label);
  EXPECT_NE(message.find(kFile + " (stored in " + where.key + " at offset " +
                         std::to_string(where.offset) + ")"),
            std::string::npos)
      << message;
}

TEST(PgBackRestMaterialise, FlippedByteInLz4FileNamesTheFile)
{
  TempDir tmp;
  copy_pgbackrest_repo("lz4", tmp.path() / "r");
  const auto label = pgbackrest_labels("lz4").front();
  const fs::path stored = tmp.path() / "r" / "backup" / stanza() / label / (kFile + ".lz4");
  flip_byte(stored, fs::file_size(stored) / 2);
  auto message = materialise_error<pgbr::FileDamagedError>(tmp.path() / "r", label);
  EXPECT_NE(message.find(kFile + " (stored in"), std::string::npos) << message;
}

TEST(PgBackRestMaterialise, WrongPassphraseIsAClearErrorWithoutTheSecret)
{
  const std::string wrong = "definitely-wrong-passphrase";
  auto message = materialise_error<pgbr::PassphraseError>(pgbackrest_repo("enc"),
                                                          pgbackrest_labels("enc").back(), wrong);
  EXPECT_NE(message.find("wrong passphrase"), std::string::npos) << message;
  EXPECT_EQ(message.find(wrong), std::string::npos) << message;
  EXPECT_EQ(message.find(pgbackrest_passphrase()), std::string::npos) << message;
}

TEST(PgBackRestMaterialise, DamagedManifestWithGoodCopyStillMaterialisesAndReportsIt)
{
  TempDir tmp;
  copy_pgbackrest_repo("lz4", tmp.path() / "r");
  const auto label = pgbackrest_labels("lz4").front();
  const std::string key = "backup/" + stanza() + "/" + label + "/backup.manifest";
  fs::resize_file(tmp.path() / "r" / key, 1000);
  lastgood::storage::FsStorage repo(tmp.path() / "r");
  auto result = pgbr::materialise_backup(repo, stanza(), label, tmp.path() / "d", std::nullopt);
  EXPECT_GT(result.files, 900u);
  ASSERT_EQ(result.findings.size(), 1u);
  EXPECT_EQ(result.findings[0].key, key);
}

TEST(PgBackRestMaterialise, RefusesANonEmptyTarget)
{
  lastgood::storage::FsStorage repo(pgbackrest_repo("lz4"));
  TempDir tmp;
  tmp.write("d/keep", "x");
  EXPECT_THROW((void)pgbr::materialise_backup(repo, stanza(), pgbackrest_labels("lz4").front(),
                                              tmp.path() / "d", std::nullopt),
               lastgood::UsageError);
}

} // namespace
