#include "formats/barman/server_directory.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <map>

namespace lastgood::formats::barman {
namespace {

constexpr std::size_t kMaxInfoBytes = 16 << 20;

std::string normalised_prefix(std::string_view prefix)
{
  std::string p(prefix);
  while (p.starts_with("/"))
    p.erase(0, 1);
  if (!p.empty() && !p.ends_with("/")) p += '/';
  return p;
}

// base/<id>/backup.info -> <id>; meta/<id>-backup.info -> <id>; else "".
std::string backup_id_of(std::string_view relative)
{
  if (relative.starts_with("base/") && relative.ends_with("/backup.info")) {
    std::string_view id = relative.substr(5, relative.size() - 5 - 12);
    if (!id.empty() && id.find('/') == std::string_view::npos) return std::string(id);
  }
  if (relative.starts_with("meta/") && relative.ends_with("-backup.info")) {
    std::string_view id = relative.substr(5, relative.size() - 5 - 12);
    if (!id.empty() && id.find('/') == std::string_view::npos) return std::string(id);
  }
  return {};
}

void read_backups(storage::Storage& storage, BarmanServer& server,
                  const std::vector<std::string>& info_keys)
{
  std::map<std::string, std::string> key_by_id; // meta/ (newer) wins over base/
  for (const std::string& key : info_keys) {
    std::string relative = key.substr(server.prefix.size());
    std::string id = backup_id_of(relative);
    if (id.empty()) continue;
    if (relative.starts_with("meta/") || !key_by_id.contains(id)) key_by_id[id] = key;
  }
  for (const auto& [id, key] : key_by_id) {
    std::string relative = key.substr(server.prefix.size());
    try {
      BarmanBackupInfo info = parse_backup_info(storage::read_all(storage, key, kMaxInfoBytes));
      if (info.backup_id.empty()) info.backup_id = id;
      server.backups.push_back(std::move(info));
    } catch (const ValidationError& e) {
      server.findings.push_back(
          {FindingKind::MalformedBackupInfo, relative, relative + ": " + e.what()});
    }
  }
}

void cross_check_xlog_db(BarmanServer& server)
{
  std::map<std::string, const BarmanWalFile*> on_disk;
  for (const BarmanWalFile& file : server.wal_files)
    on_disk.emplace(file.name, &file);
  std::map<std::string, const XlogDbEntry*> listed;
  for (const XlogDbEntry& entry : server.xlog_db) {
    listed.emplace(entry.name, &entry);
    auto it = on_disk.find(entry.name);
    std::string relative = wal_relative_key(entry.name);
    if (it == on_disk.end()) {
      server.findings.push_back({FindingKind::MissingWal, relative,
                                 relative + " is listed in wals/xlog.db but not on disk"});
    } else if (it->second->size != entry.size) {
      server.findings.push_back({FindingKind::WalSizeMismatch, relative,
                                 relative + " is " + std::to_string(it->second->size) +
                                     " bytes, wals/xlog.db says " + std::to_string(entry.size)});
    }
  }
  if (!server.has_xlog_db) return;
  for (const BarmanWalFile& file : server.wal_files) {
    if (listed.contains(file.name)) continue;
    std::string relative = file.key.substr(server.prefix.size());
    server.findings.push_back(
        {FindingKind::UnlistedWal, relative, relative + " is on disk but not in wals/xlog.db"});
  }
}

} // namespace

std::string wal_relative_key(std::string_view name)
{
  auto parsed = pg::parse_wal_archive_name(name);
  if (parsed && parsed->kind != pg::WalFileKind::TimelineHistory && name.size() >= 16)
    return "wals/" + std::string(name.substr(0, 16)) + "/" + std::string(name);
  return "wals/" + std::string(name);
}

BarmanServer read_server_directory(storage::Storage& storage, std::string_view prefix)
{
  BarmanServer server;
  server.prefix = normalised_prefix(prefix);
  std::vector<std::string> info_keys;
  bool any_base_or_wals = false;
  auto on_problem = [&](const storage::ListProblem& problem) {
    std::string relative = problem.key.substr(std::min(problem.key.size(), server.prefix.size()));
    // base/<id>/data/pg_tblspc/<oid> links by absolute path to base/<id>/<oid>/
    // (Barman's --tablespace-mapping); it dangles once the repository moves.
    if (relative.starts_with("base/") && relative.find("/data/pg_tblspc/") != std::string::npos)
      return;
    server.findings.push_back({FindingKind::MissingBackupFile, relative,
                               relative + " cannot be read: " + problem.message});
  };
  for (std::string_view dir : {"base/", "meta/"}) {
    storage.list(
        server.prefix + std::string(dir),
        [&](const storage::ObjectInfo& object) {
          any_base_or_wals = true;
          if (object.key.ends_with("backup.info")) info_keys.push_back(object.key);
        },
        on_problem);
  }
  std::string xlog_db_key = server.prefix + "wals/xlog.db";
  storage.list(
      server.prefix + "wals/",
      [&](const storage::ObjectInfo& object) {
        any_base_or_wals = true;
        std::string relative = object.key.substr(server.prefix.size());
        std::string_view name = relative;
        name.remove_prefix(name.rfind('/') + 1);
        auto parsed = pg::parse_wal_archive_name(name);
        // Barman's own bookkeeping (xlog.db, .tmp copies being written) is not WAL.
        if (!parsed || !parsed->compression.empty()) return;
        if (wal_relative_key(name) != relative) {
          server.findings.push_back(
              {FindingKind::MisplacedWal, relative,
               relative + " is not where Barman keeps it (" + wal_relative_key(name) + ")"});
          return;
        }
        server.wal_files.push_back({object.key, std::string(name), *parsed, object.size});
      },
      on_problem);
  if (!any_base_or_wals)
    throw ValidationError("no Barman server directory at '" + storage.display_url() + "/" +
                          server.prefix + "': neither base/ nor wals/ exists; point at " +
                          "barman_home/<server name>");
  std::sort(info_keys.begin(), info_keys.end());
  read_backups(storage, server, info_keys);
  std::sort(server.wal_files.begin(), server.wal_files.end(),
            [](const BarmanWalFile& a, const BarmanWalFile& b) { return a.name < b.name; });
  if (auto stat = storage.stat(xlog_db_key)) {
    server.has_xlog_db = true;
    XlogDb db = parse_xlog_db(storage::read_all(storage, xlog_db_key, std::size_t{1} << 30));
    server.xlog_db = std::move(db.entries);
    for (const std::string& why : db.malformed)
      server.findings.push_back(
          {FindingKind::MalformedXlogDb, "wals/xlog.db", "wals/xlog.db " + why});
  }
  cross_check_xlog_db(server);
  return server;
}

} // namespace lastgood::formats::barman
