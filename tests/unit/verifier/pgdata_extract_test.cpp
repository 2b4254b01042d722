// Extracting base backups into a data directory: plain and tar, manifest and
// catalog checks on the way, and refusal of members that would land outside.

#include "common/fast_hash.hpp"
#include "tests/unit/verifier/fake_backup.hpp"
#include "verifier/extract_paths.hpp"
#include "verifier/pgdata_extract.hpp"

#include <sys/stat.h>

namespace lastgood::verifier {
namespace {

namespace fs = std::filesystem;

struct Entry
{
  Entry(std::string p, std::string d, unsigned t = AE_IFREG, std::string l = "", bool h = false)
      : path(std::move(p)), data(std::move(d)), type(t), link(std::move(l)), hard(h)
  {
  }
  std::string path, data;
  unsigned type;
  std::string link; // symlink target or hardlink member
  bool hard;
};

std::string make_link_tar(const std::vector<Entry>& entries)
{
  std::unique_ptr<archive, decltype(&archive_write_free)> a(archive_write_new(),
                                                            archive_write_free);
  archive_write_set_format_pax_restricted(a.get());
  std::vector<char> buffer(4 << 20);
  std::size_t used = 0;
  archive_write_open_memory(a.get(), buffer.data(), buffer.size(), &used);
  for (const auto& m : entries) {
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(),
                                                                    archive_entry_free);
    archive_entry_set_pathname(e.get(), m.path.c_str());
    archive_entry_set_filetype(e.get(), m.type);
    archive_entry_set_perm(e.get(), 0600);
    if (m.type == AE_IFLNK) archive_entry_set_symlink(e.get(), m.link.c_str());
    if (m.hard) archive_entry_set_hardlink(e.get(), m.link.c_str());
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(m.hard ? 0 : m.data.size()));
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK)
      throw std::runtime_error(archive_error_string(a.get()));
    if (!m.hard && !m.data.empty()) archive_write_data(a.get(), m.data.data(), m.data.size());
  }
  archive_write_close(a.get());
  return std::string(buffer.data(), used);
}

class PgdataExtract : public fake::ChecksumLevel
{
protected:
  void set_roles()
  {
    for (auto& o : m_objects) {
      std::string name = o.key.substr(o.key.rfind('/') + 1);
      o.role = name == "backup_manifest"                ? "manifest"
               : name.starts_with("base.tar")           ? "base_tar"
               : name.starts_with("pg_wal.tar")         ? "wal_tar"
               : name.find(".tar") != std::string::npos ? "tablespace_tar"
                                                        : "file";
    }
  }
  ExtractResult extract()
  {
    set_roles();
    auto storage = storage::open_storage(repo().string());
    ExtractOptions options;
    options.data_dir = target().string();
    return extract_base_backup(*storage, m_backup, m_objects, options);
  }
  fs::path target() const { return m_dir.path() / "restored"; }
  fs::path outside() const { return m_dir.path() / "outside"; }
  // A tar backup whose base.tar is `entries` (plus the fake files), no manifest.
  void make_evil(const std::vector<Entry>& entries)
  {
    std::vector<Entry> all;
    for (const auto& f : fake::data_files())
      all.emplace_back(f.path, f.data);
    all.insert(all.end(), entries.begin(), entries.end());
    write("base/evil/base.tar", make_link_tar(all));
    m_backup = row("base/evil", "base_tar");
    catalog_objects();
  }
  // Refused as unsafe, and nothing of it is left anywhere.
  void expect_refused(const std::string& what)
  {
    auto result = extract();
    EXPECT_FALSE(result.ok());
    bool unsafe = false;
    for (const auto& f : result.findings.items())
      if (f.kind == finding_kind::unsafe_member) {
        unsafe = true;
        EXPECT_NE(f.message.find(what), std::string::npos) << f.message;
      }
    EXPECT_TRUE(unsafe) << "no unsafe_member finding for " << what;
    EXPECT_FALSE(fs::exists(target())) << "the restored directory was left behind";
    EXPECT_FALSE(fs::exists(outside())) << "something was written outside";
    EXPECT_FALSE(fs::exists(m_dir.path() / "evil"));
    EXPECT_FALSE(fs::exists(m_dir.path() / "x"));
  }
};

TEST(ExtractPaths, NormalisesAndRefuses)
{
  std::string why;
  EXPECT_EQ(safe_member_path("./base/1/123", why), "base/1/123");
  EXPECT_EQ(safe_member_path("pg_wal/", why), "pg_wal");
  EXPECT_EQ(safe_member_path("./", why), "");
  EXPECT_FALSE(safe_member_path("../evil", why));
  EXPECT_EQ(why, "contains a '..' component");
  EXPECT_FALSE(safe_member_path("base/../../evil", why));
  EXPECT_FALSE(safe_member_path("/etc/passwd", why));
  EXPECT_EQ(why, "is an absolute path");
  EXPECT_TRUE(safe_member_path("base/..hidden", why)); // a name, not a component
  EXPECT_TRUE(safe_link_target("archive_status"));
  EXPECT_FALSE(safe_link_target("../../x"));
  EXPECT_FALSE(safe_link_target("/etc"));
  EXPECT_EQ(tablespace_link_oid("pg_tblspc/16384"), "16384");
  EXPECT_FALSE(tablespace_link_oid("pg_tblspc/16384/PG_15"));
  EXPECT_FALSE(tablespace_link_oid("pg_tblspc/abc"));
}

TEST_F(PgdataExtract, PlainBackupLandsWithEveryFileChecked)
{
  make_plain();
  auto result = extract();
  ASSERT_TRUE(result.ok()) << to_json(result.findings.items().front()).dump();
  EXPECT_TRUE(result.manifest_checked);
  EXPECT_TRUE(result.wal_included);
  for (const auto& f : fake::data_files())
    EXPECT_EQ(testing::read_file(target() / f.path), f.data) << f.path;
  EXPECT_TRUE(fs::is_directory(target() / "pg_wal/archive_status"));
  EXPECT_TRUE(fs::is_directory(target() / "pg_notify"));
  struct stat st
  {
  };
  ASSERT_EQ(::stat(target().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(PgdataExtract, TarBackupWithTablespaceAndWal)
{
  make_tar_backup(true);
  auto result = extract();
  ASSERT_TRUE(result.ok()) << to_json(result.findings.items().front()).dump();
  EXPECT_EQ(result.tablespaces, std::vector<std::string>{"16384"});
  EXPECT_TRUE(result.wal_included);
  fs::path link = target() / "pg_tblspc/16384";
  ASSERT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(fs::read_symlink(link), fs::path(result.tablespace_dir) / "16384");
  EXPECT_EQ(testing::read_file(link / "PG_15_202209061/16385/16390"), fake::pattern(40000, 5));
  EXPECT_EQ(testing::read_file(target() / "pg_wal/000000010000000000000002"),
            fake::pattern(65536, 9));
}

TEST_F(PgdataExtract, ManifestMismatchRemovesEverything)
{
  make_plain();
  write("base/b1/base/1/1259", fake::pattern(100 * 1024, 7)); // same size, other bytes
  catalog_objects(); // the catalog agrees: only the manifest can tell
  auto result = extract();
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(of(result.findings), Strings{"manifest_mismatch base/b1/base/1/1259"});
  EXPECT_FALSE(fs::exists(target()));
}

TEST_F(PgdataExtract, CatalogMismatchRemovesEverything)
{
  make_tar_backup(false);
  flip_byte("base/t1/pg_wal.tar", 700); // inside the segment: the manifest does not list WAL
  auto result = extract();
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(of(result.findings), Strings{"checksum_mismatch base/t1/pg_wal.tar"});
  EXPECT_FALSE(fs::exists(target()));
  EXPECT_FALSE(fs::exists(result.tablespace_dir));
}

// The catalog's XXH3-128 blocks (recorded by the scan) name the bytes that changed.
TEST_F(PgdataExtract, ACatalogMismatchNamesItsByteRange)
{
  make_tar_backup(false);
  for (auto& o : m_objects) {
    FastHasher hasher;
    const std::string data = testing::read_file(repo() / o.key);
    hasher.update(std::as_bytes(std::span(data)));
    o.fast = hasher.finish();
  }
  flip_byte("base/t1/pg_wal.tar", 700);
  auto result = extract();
  ASSERT_EQ(of(result.findings), Strings{"checksum_mismatch base/t1/pg_wal.tar"});
  const Finding& f = result.findings.items().front();
  const std::uint64_t size = fs::file_size(repo() / "base/t1/pg_wal.tar");
  EXPECT_NE(f.message.find("XXH3-128 blocks differ in bytes 0-" + std::to_string(size - 1)),
            std::string::npos)
      << f.message;
  EXPECT_NE(f.message.find("nothing extracted from it was kept"), std::string::npos) << f.message;
  EXPECT_EQ(f.detail["ranges"][0]["first_byte"], 0) << f.detail.dump();
  EXPECT_FALSE(fs::exists(target()));
}

// Changed bytes that break the tar on the way are what they are: a mismatch
// with the catalog (the rest is read to tell), not a damaged backup as cataloged.
TEST_F(PgdataExtract, ATarBrokenByChangedBytesIsACatalogMismatch)
{
  make_tar_backup(false);
  flip_byte("base/t1/base.tar", 100); // the first header's mode: its checksum fails
  auto result = extract();
  EXPECT_EQ(of(result.findings), Strings{"checksum_mismatch base/t1/base.tar"});
  EXPECT_FALSE(fs::exists(target()));
  EXPECT_FALSE(fs::exists(result.tablespace_dir));
}

TEST_F(PgdataExtract, NonEmptyTargetIsRefusedUntouched)
{
  make_plain();
  m_dir.write("restored/keep.txt", "mine");
  set_roles();
  auto storage = storage::open_storage(repo().string());
  ExtractOptions options;
  options.data_dir = target().string();
  EXPECT_THROW(extract_base_backup(*storage, m_backup, m_objects, options), UsageError);
  EXPECT_EQ(testing::read_file(target() / "keep.txt"), "mine");
  EXPECT_EQ(std::distance(fs::directory_iterator(target()), fs::directory_iterator()), 1);
}

TEST_F(PgdataExtract, DotDotMemberIsRefused)
{
  make_evil({{"../evil", "gotcha"}});
  expect_refused("'..'");
}

TEST_F(PgdataExtract, AbsoluteMemberIsRefused)
{
  make_evil({{outside().string() + "/passwd", "root::0:0"}});
  expect_refused("absolute");
}

TEST_F(PgdataExtract, SymlinkOutOfTheDirectoryIsRefused)
{
  make_evil({{"base/link", "", AE_IFLNK, "../../x"}});
  expect_refused("outside the restored directory");
}

TEST_F(PgdataExtract, WritingThroughALinkIsRefused)
{
  make_evil({{"sub", "", AE_IFLNK, "base"}, {"sub/file", "data"}});
  expect_refused("through the symbolic link");
}

TEST_F(PgdataExtract, EscapingHardlinkIsRefused)
{
  make_evil({{"base/hard", "", AE_IFREG, "../../x", true}});
  expect_refused("'..'");
}

TEST_F(PgdataExtract, HardlinkToAnEarlierFileIsKept)
{
  make_evil({{"base/copy", "", AE_IFREG, "PG_VERSION", true}});
  auto result = extract();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(testing::read_file(target() / "base/copy"), "15\n");
}

} // namespace
} // namespace lastgood::verifier
