#include "formats/barman/materialise.hpp"

#include "common/error.hpp"
#include "formats/barman/manifest_check.hpp"
#include "pg/backup_manifest.hpp"
#include "pg/tar_reader.hpp"

#include <fstream>
#include <map>
#include <optional>

namespace lastgood::formats::barman {
namespace {

namespace fs = std::filesystem;

// Directories a PostgreSQL data directory needs that a list of files (object
// storage, an empty directory in data/) cannot carry.
constexpr const char* kSkeleton[] = {"base",
                                     "global",
                                     "pg_commit_ts",
                                     "pg_dynshmem",
                                     "pg_logical",
                                     "pg_logical/mappings",
                                     "pg_logical/snapshots",
                                     "pg_multixact",
                                     "pg_multixact/members",
                                     "pg_multixact/offsets",
                                     "pg_notify",
                                     "pg_replslot",
                                     "pg_serial",
                                     "pg_snapshots",
                                     "pg_stat",
                                     "pg_stat_tmp",
                                     "pg_subtrans",
                                     "pg_tblspc",
                                     "pg_twophase",
                                     "pg_wal",
                                     "pg_wal/archive_status",
                                     "pg_xact"};

// A relative path that stays inside the target, without "./" and trailing '/'; nullopt if unsafe.
std::optional<std::string> safe_relative(std::string_view path)
{
  while (path.starts_with("./"))
    path.remove_prefix(2);
  while (path.ends_with("/"))
    path.remove_suffix(1);
  if (path.empty() || path.starts_with("/")) return std::nullopt;
  fs::path p(path);
  for (const fs::path& part : p)
    if (part == ".." || part == ".") return std::nullopt;
  return std::string(path);
}

class TargetWriter
{
public:
  TargetWriter(fs::path root, MaterialiseResult& result) : m_root(std::move(root)), m_result(result)
  {
  }

  void write(const std::string& relative, storage::ReadStream& content)
  {
    fs::path path = m_root / relative;
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot create " + path.string() + ": check the target's permissions");
    std::vector<std::byte> buffer(1 << 20);
    while (std::size_t n = content.read(buffer)) {
      out.write(reinterpret_cast<const char*>(buffer.data()), static_cast<std::streamsize>(n));
      m_result.bytes += n;
    }
    out.close();
    if (!out) throw Error("cannot write " + path.string() + ": disk full or read-only?");
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
    ++m_result.files;
  }

  void directory(const std::string& relative) { fs::create_directories(m_root / relative); }

private:
  fs::path m_root;
  MaterialiseResult& m_result;
};

// Extracts a tar (compression detected from content) under prefix_in_target.
void extract_tar(storage::Storage& storage, const std::string& key, const std::string& relative_key,
                 const std::string& prefix_in_target, TargetWriter& writer,
                 MaterialiseResult& result)
{
  auto source = storage.read(key);
  try {
    pg::for_each_tar_member(
        *source, [&](const pg::TarMember& member, storage::ReadStream& content) {
          auto relative = safe_relative(member.path);
          if (!relative) {
            result.findings.push_back({FindingKind::UnsafePath, relative_key + ":" + member.path,
                                       relative_key + " holds member '" + member.path +
                                           "' that would land outside the target; skipped"});
            return true;
          }
          std::string path = prefix_in_target + *relative;
          if (member.directory)
            writer.directory(path);
          else if (member.regular_file)
            writer.write(path, content);
          // Symlinks (pg_tblspc/<oid> in base.tar) are replaced by the tablespace's own tar.
          return true;
        });
  } catch (const ValidationError& e) {
    result.findings.push_back(
        {FindingKind::DamagedArchive, relative_key, relative_key + ": " + e.what()});
  }
}

bool is_oid(std::string_view text)
{
  return !text.empty() && text.size() <= 10 &&
         text.find_first_not_of("0123456789") == std::string_view::npos;
}

} // namespace

MaterialiseResult materialise_backup(storage::Storage& storage, const BarmanServer& server,
                                     const BarmanBackupInfo& backup, const fs::path& target,
                                     const MaterialiseOptions& options)
{
  std::error_code ec;
  if (fs::exists(target, ec) && !fs::is_empty(target, ec))
    throw UsageError("materialise target " + target.string() +
                     " is not empty: give a new or empty directory");
  const fs::path tablespace_dir =
      fs::absolute(options.tablespace_dir.empty()
                       ? target.parent_path() / (target.filename().string() + ".tablespaces")
                       : options.tablespace_dir);
  if (!backup.tablespaces.empty() && fs::exists(tablespace_dir, ec) &&
      !fs::is_empty(tablespace_dir, ec))
    throw UsageError("tablespace directory " + tablespace_dir.string() +
                     " is not empty: give a new or empty directory");
  fs::create_directories(target);
  fs::permissions(target, fs::perms::owner_all);
  // Each tablespace's files are written through its pg_tblspc/<oid> link.
  for (const BarmanTablespace& tablespace : backup.tablespaces) {
    const std::string oid = std::to_string(tablespace.oid);
    fs::create_directories(tablespace_dir / oid);
    fs::permissions(tablespace_dir, fs::perms::owner_all);
    fs::permissions(tablespace_dir / oid, fs::perms::owner_all);
    fs::create_directories(target / "pg_tblspc");
    fs::create_directory_symlink(tablespace_dir / oid, target / "pg_tblspc" / oid);
  }

  MaterialiseResult result;
  TargetWriter writer(target, result);
  const std::string base_rel = "base/" + backup.backup_id + "/";
  const std::string base_key = server.prefix + base_rel;
  std::map<std::string, storage::ObjectInfo> objects; // by key relative to base/<id>/
  storage.list(
      base_key,
      [&](const storage::ObjectInfo& object) {
        objects.emplace(object.key.substr(base_key.size()), object);
      },
      [&](const storage::ListProblem& problem) {
        // data/pg_tblspc/<oid> links to where the tablespace was copied
        // (base/<id>/<oid>/, read from there), as an absolute path that
        // dangles once the repository moves.
        if (problem.key.starts_with(base_key + "data/pg_tblspc/")) return;
        result.findings.push_back({FindingKind::MissingBackupFile, problem.key,
                                   problem.key + " cannot be read: " + problem.message});
      });

  // Where each manifest path came from, to name the stored file in findings.
  std::map<std::string, std::string> tar_of_path_prefix; // "pg_tblspc/<oid>/" or "" -> tar key
  std::optional<std::string> base_tar;
  for (const auto& [relative, object] : objects) {
    if (relative.starts_with("data/base.tar") || relative.starts_with("data.tar"))
      base_tar = relative;
  }
  if (base_tar) {
    tar_of_path_prefix[""] = base_rel + *base_tar;
    extract_tar(storage, base_key + *base_tar, base_rel + *base_tar, "", writer, result);
    for (const BarmanTablespace& tablespace : backup.tablespaces) {
      std::string oid = std::to_string(tablespace.oid);
      std::optional<std::string> tar;
      for (const auto& [relative, object] : objects)
        if (relative.starts_with("data/" + oid + ".tar") || relative.starts_with(oid + ".tar"))
          tar = relative;
      if (!tar) {
        result.findings.push_back({FindingKind::MissingBackupFile,
                                   base_rel + "data/" + oid + ".tar",
                                   "tablespace " + tablespace.name + " (oid " + oid +
                                       "): no tar file for it in " + base_rel + "data/"});
        continue;
      }
      tar_of_path_prefix["pg_tblspc/" + oid + "/"] = base_rel + *tar;
      extract_tar(storage, base_key + *tar, base_rel + *tar, "pg_tblspc/" + oid + "/", writer,
                  result);
    }
    if (objects.contains("data/backup_manifest")) {
      auto stream = storage.read(base_key + "data/backup_manifest");
      writer.write("backup_manifest", *stream);
      --result.files;
    }
  } else {
    bool any_data = false;
    for (const auto& [relative, object] : objects) {
      std::string in_target;
      if (relative.starts_with("data/pg_tblspc/") && !backup.tablespaces.empty()) {
        continue; // the same files through the link; taken from base/<id>/<oid>/
      } else if (relative.starts_with("data/")) {
        in_target = relative.substr(5);
        any_data = true;
      } else if (auto slash = relative.find('/');
                 slash != std::string::npos && is_oid(relative.substr(0, slash))) {
        in_target = "pg_tblspc/" + relative; // rsync/plain layout: base/<id>/<oid>/...
      } else {
        continue; // backup.info and Barman's other bookkeeping
      }
      auto stream = storage.read(object.key);
      writer.write(in_target, *stream);
    }
    if (!any_data)
      result.findings.push_back({FindingKind::MissingBackupFile, base_rel + "data/",
                                 "backup " + backup.backup_id + " has neither " + base_rel +
                                     "data/ nor a base tar: nothing to restore from"});
  }
  for (const char* dir : kSkeleton)
    writer.directory(dir);

  fs::path manifest_path = target / "backup_manifest";
  if (fs::is_regular_file(manifest_path)) {
    std::ifstream in(manifest_path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto source_of = [&](const std::string& path) -> std::string {
      if (path == "backup_manifest") return base_rel + "data/backup_manifest";
      if (!base_tar) {
        if (path.starts_with("pg_tblspc/")) return base_rel + path.substr(10);
        return base_rel + "data/" + path;
      }
      for (const auto& [prefix, tar] : tar_of_path_prefix)
        if (!prefix.empty() && path.starts_with(prefix))
          return tar + ":" + path.substr(prefix.size());
      return tar_of_path_prefix[""] + ":" + path;
    };
    try {
      pg::BackupManifest manifest = pg::parse_backup_manifest(text);
      auto findings = check_against_manifest(target, manifest, source_of);
      result.findings.insert(result.findings.end(), findings.begin(), findings.end());
      result.manifest_checked = true;
    } catch (const ValidationError& e) {
      result.findings.push_back({FindingKind::ManifestMismatch, source_of("backup_manifest"),
                                 source_of("backup_manifest") + " does not parse: " + e.what()});
    }
  }
  // tablespace_map would make PostgreSQL point pg_tblspc/<oid> back at the
  // source server's locations (barman recover likewise leaves the file out).
  if (!backup.tablespaces.empty()) fs::remove(target / "tablespace_map", ec);
  return result;
}

} // namespace lastgood::formats::barman
