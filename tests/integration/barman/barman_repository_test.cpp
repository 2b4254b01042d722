// formats/barman against a real Barman 3.4 repository built by
// tests/fixtures/make-barman-repo (streaming backups of a throwaway
// PostgreSQL 15, WAL through archive_command, gzip'd by barman archive-wal).

#include "common/error.hpp"
#include "formats/barman/materialise.hpp"
#include "formats/barman/server_directory.hpp"
#include "formats/barman/wal_range_check.hpp"
#include "pg/backup_label.hpp"
#include "storage/storage.hpp"
#include "tests/support/temp_dir.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <set>

namespace lastgood::formats::barman {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

fs::path repo_dir()
{
  const char* dir = std::getenv("LASTGOOD_BARMAN_REPO");
  return dir && *dir ? fs::path(dir) : fs::path();
}

std::map<std::string, std::string> expected()
{
  std::map<std::string, std::string> facts;
  std::ifstream in(repo_dir() / "expected.env");
  std::string line;
  while (std::getline(in, line))
    if (auto eq = line.find('='); eq != std::string::npos)
      facts[line.substr(0, eq)] = line.substr(eq + 1);
  return facts;
}

std::string slurp(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class BarmanRepository : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (repo_dir().empty()) GTEST_SKIP() << "LASTGOOD_BARMAN_REPO is not set (ctest sets it)";
    m_facts = expected();
    ASSERT_FALSE(m_facts["PLAIN1"].empty()) << "expected.env is incomplete";
  }

  // A private copy of one server directory, to damage.
  fs::path copy_server(const std::string& server)
  {
    fs::path copy = m_temp.path() / server;
    fs::copy(repo_dir() / "barman" / server, copy,
             fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    return copy;
  }

  static BarmanServer read(const fs::path& dir)
  {
    auto storage = storage::open_storage(dir.string());
    return read_server_directory(*storage, "");
  }

  static const BarmanBackupInfo& backup(const BarmanServer& server, const std::string& id)
  {
    auto it = std::find_if(server.backups.begin(), server.backups.end(),
                           [&](const BarmanBackupInfo& b) { return b.backup_id == id; });
    if (it == server.backups.end()) throw std::runtime_error("no backup " + id);
    return *it;
  }

  static std::vector<std::string> describe(const std::vector<BarmanFinding>& findings)
  {
    std::vector<std::string> out;
    for (const auto& f : findings)
      out.push_back(std::string(to_string(f.kind)) + " " + f.object + ": " + f.message);
    return out;
  }

  std::map<std::string, std::string> m_facts;
  TempDir m_temp;
};

std::string joined(const std::vector<std::string>& lines)
{
  std::string out;
  for (const auto& l : lines)
    out += l + "\n";
  return out;
}

TEST_F(BarmanRepository, BackupInfoMatchesTheCluster)
{
  BarmanServer server = read(repo_dir() / "barman" / "plain");
  EXPECT_TRUE(server.findings.empty()) << joined(describe(server.findings));
  ASSERT_EQ(server.backups.size(), 2u);
  for (const auto& id : {m_facts["PLAIN1"], m_facts["PLAIN2"]}) {
    const BarmanBackupInfo& info = backup(server, id);
    EXPECT_EQ(info.status, "DONE");
    EXPECT_EQ(info.mode, "postgres");
    EXPECT_EQ(info.server_name, "plain");
    EXPECT_EQ(std::to_string(info.systemid.value()), m_facts["SYSTEM_ID"]);
    EXPECT_EQ(info.timeline, 1u);
    EXPECT_GE(info.version.value(), 150000);
    EXPECT_LT(info.version.value(), 160000);
    EXPECT_GT(info.size.value(), 1000000u);
    // PostgreSQL's own backup history file for this backup (copied from
    // pg_wal by the fixture) says where it started and stopped.
    ASSERT_TRUE(info.begin_xlog && info.end_xlog && info.begin_offset);
    std::string history_name = info.begin_wal + "." + [&] {
      char buf[9];
      std::snprintf(buf, sizeof buf, "%08llX", static_cast<unsigned long long>(*info.begin_offset));
      return std::string(buf);
    }() + ".backup";
    pg::BackupLabel history = pg::parse_backup_label(slurp(repo_dir() / "history" / history_name));
    EXPECT_EQ(info.begin_xlog->str(), history.start_lsn.str());
    EXPECT_EQ(info.begin_wal, history.start_wal_file);
    ASSERT_TRUE(history.stop_lsn);
    EXPECT_GE(*info.end_xlog, *history.stop_lsn);
    EXPECT_EQ(info.end_wal, history.stop_wal_file);
    // Barman notes its begin_time just before pg_basebackup starts the backup.
    ASSERT_TRUE(info.begin_time_utc && info.end_time_utc && history.start_time);
    EXPECT_LE(*info.begin_time_utc, *history.start_time);
    EXPECT_GE(*info.begin_time_utc + std::chrono::minutes(1), *history.start_time);
    EXPECT_LE(*info.begin_time_utc, *info.end_time_utc);
    EXPECT_NE(info.backup_label.find("START WAL LOCATION: " + history.start_lsn.str()),
              std::string::npos);
  }
  for (const BarmanBackupInfo& info : server.backups) {
    ASSERT_EQ(info.tablespaces.size(), 1u);
    EXPECT_EQ(info.tablespaces[0].name, "extra");
    EXPECT_GT(info.tablespaces[0].oid, 16384u);
    EXPECT_TRUE(info.tablespaces[0].location.ends_with("/tbs")) << info.tablespaces[0].location;
  }
  EXPECT_LT(backup(server, m_facts["PLAIN1"]).end_xlog,
            backup(server, m_facts["PLAIN2"]).begin_xlog);
  // xlog.db lists every WAL file on disk, gzip'd by barman archive-wal.
  EXPECT_EQ(server.xlog_db.size(), server.wal_files.size());
  for (const XlogDbEntry& entry : server.xlog_db)
    EXPECT_EQ(entry.compression, "gzip") << entry.name;

  BarmanServer tar = read(repo_dir() / "barman" / "tar");
  ASSERT_EQ(tar.backups.size(), 1u);
  EXPECT_EQ(tar.backups[0].compression, "gzip");
  EXPECT_EQ(std::to_string(tar.backups[0].systemid.value()), m_facts["SYSTEM_ID"]);
}

TEST_F(BarmanRepository, RequiredWalOfEveryBackupIsPresentAndValid)
{
  for (const std::string& name : {std::string("plain"), std::string("tar")}) {
    auto storage = storage::open_storage((repo_dir() / "barman" / name).string());
    BarmanServer server = read_server_directory(*storage, "");
    for (const BarmanBackupInfo& info : server.backups) {
      WalRangeResult result = check_backup_wal_range(*storage, server, info);
      EXPECT_TRUE(result.findings.empty()) << joined(describe(result.findings));
      EXPECT_GE(result.segments_needed, 1u);
      EXPECT_EQ(result.segments_valid, result.segments_needed);
    }
  }
}

// Every regular file under root, relative path -> content, minus what barman
// recover writes itself (its marker, recovery.signal, WAL, the configuration it
// edits, the renamed manifest) and tablespace_map (which it leaves out).
std::map<std::string, std::string> tree(const fs::path& root, bool recovered)
{
  std::map<std::string, std::string> files;
  // Both link pg_tblspc/<oid> to the tablespace's directory: follow the links.
  for (auto it =
           fs::recursive_directory_iterator(root, fs::directory_options::follow_directory_symlink);
       it != fs::recursive_directory_iterator(); ++it) {
    std::string path = it->path().lexically_relative(root).generic_string();
    if (it->is_directory()) {
      if (path != "pg_wal" && !path.starts_with("pg_wal/")) files[path + "/"] = "";
      continue;
    }
    if (path == ".barman-recover.info" || path.starts_with("pg_wal/") || path == "tablespace_map" ||
        path.starts_with("backup_manifest"))
      continue;
    if (recovered &&
        (path == "postgresql.conf" || path == "postgresql.auto.conf" || path == "recovery.signal"))
      continue;
    if (recovered && path.ends_with(".origin"))
      path.resize(path.size() - 7); // barman's copy of the original
    files[path] = slurp(it->path());
  }
  return files;
}

void expect_same_as_barman_recover(const fs::path& ours, const fs::path& theirs)
{
  auto a = tree(ours, false);
  auto b = tree(theirs, true);
  EXPECT_GT(a.size(), 900u);
  for (const auto& [path, content] : b) {
    auto it = a.find(path);
    if (it == a.end()) {
      ADD_FAILURE() << "barman recover has " << path << ", the materialised backup does not";
      continue;
    }
    EXPECT_TRUE(it->second == content) << path << " differs from barman recover's";
  }
  for (const auto& [path, content] : a)
    EXPECT_TRUE(b.contains(path)) << "materialised " << path << ", barman recover did not";
  // The manifest barman recover keeps as backup_manifest.<id> is ours.
  bool compared_manifest = false;
  for (const auto& entry : fs::directory_iterator(theirs))
    if (entry.path().filename().string().starts_with("backup_manifest.")) {
      EXPECT_EQ(slurp(ours / "backup_manifest"), slurp(entry.path()));
      compared_manifest = true;
    }
  EXPECT_TRUE(compared_manifest);
}

TEST_F(BarmanRepository, MaterialisedLikeBarmanRecoverAndCheckedAgainstManifest)
{
  for (const auto& [name, id] : {std::pair{std::string("plain"), m_facts["PLAIN1"]},
                                 std::pair{std::string("tar"), m_facts["TAR1"]}}) {
    SCOPED_TRACE(name);
    auto storage = storage::open_storage((repo_dir() / "barman" / name).string());
    BarmanServer server = read_server_directory(*storage, "");
    fs::path target = m_temp.path() / ("materialised-" + name);
    MaterialiseResult result = materialise_backup(*storage, server, backup(server, id), target);
    EXPECT_TRUE(result.findings.empty()) << joined(describe(result.findings));
    EXPECT_TRUE(result.manifest_checked);
    EXPECT_GT(result.files, 900u);
    // The tablespace's files are beside the target, linked from pg_tblspc/<oid>.
    const auto oid = std::to_string(backup(server, id).tablespaces.at(0).oid);
    const fs::path tablespace =
        fs::absolute(m_temp.path() / ("materialised-" + name + ".tablespaces") / oid);
    ASSERT_TRUE(fs::is_symlink(target / "pg_tblspc" / oid)) << oid;
    EXPECT_EQ(fs::read_symlink(target / "pg_tblspc" / oid), tablespace);
    EXPECT_FALSE(fs::is_empty(tablespace));
    expect_same_as_barman_recover(target, repo_dir() / "recovered" / name / id);
    EXPECT_THROW(materialise_backup(*storage, server, backup(server, id), target), UsageError)
        << "a non-empty target is refused";
  }
}

void flip_byte(const fs::path& file, std::uintmax_t offset)
{
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ 0x40));
}

TEST_F(BarmanRepository, FlippedByteInAWalSegmentIsCorruptWal)
{
  fs::path dir = copy_server("plain");
  const std::string first = read(dir).backups[0].begin_wal;
  fs::path segment = dir / "wals" / first.substr(0, 16) / first;
  flip_byte(segment, fs::file_size(segment) / 2);
  auto storage = storage::open_storage(dir.string());
  BarmanServer server = read_server_directory(*storage, "");
  auto result = check_backup_wal_range(*storage, server, backup(server, m_facts["PLAIN1"]));
  ASSERT_EQ(result.findings.size(), 1u) << joined(describe(result.findings));
  EXPECT_EQ(result.findings[0].kind, FindingKind::CorruptWal);
  EXPECT_EQ(result.findings[0].object, "wals/" + first.substr(0, 16) + "/" + first);
  EXPECT_NE(result.findings[0].message.find("(gzip) does not decompress"), std::string::npos)
      << result.findings[0].message;
}

TEST_F(BarmanRepository, MissingSegmentInsideTheRangeIsNamedTwice)
{
  fs::path dir = copy_server("tar");
  const BarmanBackupInfo info = read(dir).backups[0];
  fs::remove(dir / "wals" / info.end_wal.substr(0, 16) / info.end_wal);
  auto storage = storage::open_storage(dir.string());
  BarmanServer server = read_server_directory(*storage, "");
  std::string key = "wals/" + info.end_wal.substr(0, 16) + "/" + info.end_wal;
  ASSERT_EQ(server.findings.size(), 1u) << joined(describe(server.findings));
  EXPECT_EQ(server.findings[0].kind, FindingKind::MissingWal);
  EXPECT_EQ(server.findings[0].message, key + " is listed in wals/xlog.db but not on disk");
  auto result = check_backup_wal_range(*storage, server, server.backups[0]);
  ASSERT_EQ(result.findings.size(), 1u) << joined(describe(result.findings));
  EXPECT_EQ(result.findings[0].kind, FindingKind::MissingWal);
  EXPECT_EQ(result.findings[0].object, key);
  EXPECT_EQ(result.segments_valid, result.segments_needed - 1);
}

// PLAIN1's .backup history file: PostgreSQL's own text (copied from pg_wal by
// the fixture) with one line replaced, stored uncompressed in place of
// Barman's gzip'd copy; the finding check_backup_wal_range reports.
BarmanFinding history_finding(const fs::path& dir, const BarmanBackupInfo& info,
                              const std::string& key, const std::string& new_line)
{
  char offset[9];
  std::snprintf(offset, sizeof offset, "%08llX",
                static_cast<unsigned long long>(info.begin_offset.value()));
  const std::string name = info.begin_wal + "." + offset + ".backup";
  std::string text = slurp(repo_dir() / "history" / name);
  auto at = text.find(key);
  if (at == std::string::npos) throw std::runtime_error("no " + key + " in " + text);
  text.replace(at, text.find('\n', at) - at, new_line);
  std::ofstream(dir / "wals" / name.substr(0, 16) / name, std::ios::binary | std::ios::trunc)
      << text;
  auto storage = storage::open_storage(dir.string());
  BarmanServer server = read_server_directory(*storage, "");
  auto result = check_backup_wal_range(*storage, server, info);
  if (result.findings.size() != 1) {
    std::string all;
    for (const auto& f : result.findings)
      all += f.message + "\n";
    throw std::runtime_error("expected one finding, got:\n" + all);
  }
  EXPECT_EQ(result.findings[0].object, "wals/" + name.substr(0, 16) + "/" + name);
  return result.findings[0];
}

TEST_F(BarmanRepository, BackupHistoryFileDisagreeingWithBackupInfoIsNamed)
{
  fs::path dir = copy_server("plain");
  const BarmanBackupInfo info = backup(read(dir), m_facts["PLAIN1"]);
  BarmanFinding moved_start =
      history_finding(dir, info, "START WAL LOCATION: ",
                      "START WAL LOCATION: " + pg::Lsn{info.begin_xlog->value + 8}.str() +
                          " (file " + info.begin_wal + ")");
  EXPECT_EQ(moved_start.kind, FindingKind::HistoryMismatch);
  EXPECT_NE(moved_start.message.find(", backup.info begin_xlog " + info.begin_xlog->str()),
            std::string::npos)
      << moved_start.message;

  // PostgreSQL says the backup ended one segment after Barman's end_wal.
  const pg::Lsn late{info.end_xlog->value + info.xlog_segment_size};
  BarmanFinding late_stop =
      history_finding(dir, info, "STOP WAL LOCATION: ",
                      "STOP WAL LOCATION: " + late.str() + " (file " +
                          pg::wal_file_name(1, late.value >> 24, 16u << 20) + ")");
  EXPECT_EQ(late_stop.kind, FindingKind::HistoryMismatch);
  EXPECT_NE(late_stop.message.find("the backup's WAL range is too short"), std::string::npos)
      << late_stop.message;
}

TEST_F(BarmanRepository, UnlistedAndUnknownCompressionSegmentsAreRefused)
{
  fs::path dir = copy_server("plain");
  const std::string first = backup(read(dir), m_facts["PLAIN1"]).begin_wal;
  fs::path segment = dir / "wals" / first.substr(0, 16) / first;
  std::ofstream(segment, std::ios::binary | std::ios::trunc)
      << std::string("\x28\xb5\x2f\xfd", 4) << std::string(100, 'z');
  std::ofstream(dir / "wals" / "0000000100000000" / "0000000100000000000000FE", std::ios::binary)
      << "x";
  auto storage = storage::open_storage(dir.string());
  BarmanServer server = read_server_directory(*storage, "");
  auto findings = describe(server.findings);
  EXPECT_EQ(findings.size(), 2u) << joined(findings);
  EXPECT_NE(std::find(findings.begin(), findings.end(),
                      "unlisted_wal wals/0000000100000000/0000000100000000000000FE: "
                      "wals/0000000100000000/0000000100000000000000FE is on disk but not in "
                      "wals/xlog.db"),
            findings.end())
      << joined(findings);
  EXPECT_EQ(server.findings[0].kind, FindingKind::WalSizeMismatch) << joined(findings);
  auto result = check_backup_wal_range(*storage, server, backup(server, m_facts["PLAIN1"]));
  ASSERT_EQ(result.findings.size(), 1u) << joined(describe(result.findings));
  EXPECT_EQ(result.findings[0].kind, FindingKind::UnknownCompression);
  EXPECT_EQ(result.findings[0].object, "wals/" + first.substr(0, 16) + "/" + first);
}

// The largest relation file of the backup (inside data/base/).
fs::path largest_relation(const fs::path& data)
{
  fs::path best;
  std::uintmax_t size = 0;
  for (const auto& entry : fs::recursive_directory_iterator(data / "base"))
    if (entry.is_regular_file() && entry.file_size() > size) {
      size = entry.file_size();
      best = entry.path();
    }
  return best;
}

TEST_F(BarmanRepository, TruncatedDataFileIsAManifestMismatchNamingIt)
{
  fs::path dir = copy_server("plain");
  const std::string id = m_facts["PLAIN1"];
  fs::path data = dir / "base" / id / "data";
  fs::path victim = largest_relation(data);
  std::uintmax_t size = fs::file_size(victim);
  fs::resize_file(victim, size / 2);
  std::string relative = fs::relative(victim, dir).generic_string();
  auto storage = storage::open_storage(dir.string());
  BarmanServer server = read_server_directory(*storage, "");
  MaterialiseResult result =
      materialise_backup(*storage, server, backup(server, id), m_temp.path() / "target");
  ASSERT_EQ(result.findings.size(), 1u) << joined(describe(result.findings));
  EXPECT_EQ(result.findings[0].kind, FindingKind::ManifestMismatch);
  EXPECT_EQ(result.findings[0].object, relative);
  EXPECT_EQ(result.findings[0].message, relative + " is " + std::to_string(size / 2) +
                                            " bytes, backup_manifest says " + std::to_string(size));
}

TEST_F(BarmanRepository, TruncatedBaseTarIsADamagedArchive)
{
  fs::path dir = copy_server("tar");
  const std::string id = m_facts["TAR1"];
  fs::path tar = dir / "base" / id / "data" / "base.tar.gz";
  fs::resize_file(tar, fs::file_size(tar) / 2);
  auto storage = storage::open_storage(dir.string());
  BarmanServer server = read_server_directory(*storage, "");
  MaterialiseResult result =
      materialise_backup(*storage, server, backup(server, id), m_temp.path() / "target");
  ASSERT_FALSE(result.findings.empty());
  EXPECT_EQ(result.findings[0].kind, FindingKind::DamagedArchive)
      << joined(describe(result.findings));
  EXPECT_EQ(result.findings[0].object, "base/" + id + "/data/base.tar.gz");
  // What the tar no longer holds is missing against the manifest, named inside the tar.
  auto missing = std::count_if(result.findings.begin(), result.findings.end(), [&](const auto& f) {
    return f.kind == FindingKind::MissingBackupFile &&
           f.object.starts_with("base/" + id + "/data/base.tar.gz:");
  });
  EXPECT_GT(missing, 0) << joined(describe(result.findings));
}

TEST_F(BarmanRepository, MalformedBackupInfoIsNamedAndTheOtherBackupStillRead)
{
  fs::path dir = copy_server("plain");
  const std::string id = m_facts["PLAIN2"];
  fs::path info = dir / "base" / id / "backup.info";
  std::string text = slurp(info);
  auto at = text.find("begin_xlog=");
  text.replace(at, text.find('\n', at) - at, "begin_xlog=0/XYZ");
  std::ofstream(info, std::ios::binary | std::ios::trunc) << text;
  BarmanServer server = read(dir);
  ASSERT_EQ(server.backups.size(), 1u);
  EXPECT_EQ(server.backups[0].backup_id, m_facts["PLAIN1"]);
  ASSERT_EQ(server.findings.size(), 1u) << joined(describe(server.findings));
  EXPECT_EQ(server.findings[0].kind, FindingKind::MalformedBackupInfo);
  EXPECT_EQ(server.findings[0].object, "base/" + id + "/backup.info");
  EXPECT_NE(server.findings[0].message.find("(begin_xlog): '0/XYZ' is not an LSN"),
            std::string::npos)
      << server.findings[0].message;
}

TEST_F(BarmanRepository, NotABarmanServerDirectoryIsRefused)
{
  auto storage = storage::open_storage(repo_dir().string());
  EXPECT_THROW(read_server_directory(*storage, "recovered"), ValidationError);
}

} // namespace
} // namespace lastgood::formats::barman
