#include "catalog/barman_backups.hpp"

#include "catalog/backup_builder.hpp"
#include "catalog/classify.hpp"
#include "catalog/object_records.hpp"
#include "catalog/repository_format.hpp"
#include "common/error.hpp"
#include "common/time.hpp"
#include "formats/barman/server_directory.hpp"
#include "pg/wal_archive_name.hpp"

#include <optional>

namespace lastgood::catalog {

namespace barman = formats::barman;

namespace {

std::optional<std::int64_t> lsn_of(const std::optional<pg::Lsn>& lsn)
{
  return lsn ? std::optional<std::int64_t>(static_cast<std::int64_t>(lsn->value)) : std::nullopt;
}

// server_version_num 150018 -> "15.18"; 90624 -> "9.6.24".
std::string version_text(int version)
{
  if (version >= 100000)
    return std::to_string(version / 10000) + "." + std::to_string(version % 10000);
  return std::to_string(version / 10000) + "." + std::to_string(version / 100 % 100) + "." +
         std::to_string(version % 100);
}

void add_problem(BackupFacts& f, const std::string& text)
{
  f.problem = f.problem ? *f.problem + "; " + text : text;
}

std::string role_of(const std::string& relative)
{
  if (relative == "backup.info") return "barman_backup_info";
  if (relative == "data/backup_manifest") return "backup_manifest";
  return "file";
}

BackupFacts facts_of(Database& db, const Repository& repository,
                     const barman::BarmanBackupInfo& info)
{
  BackupFacts f;
  f.root_key = "base/" + info.backup_id;
  f.kind = "physical";
  f.format = repository_format::barman;
  f.source = repository.source;
  f.label = info.backup_id;
  f.start_lsn = lsn_of(info.begin_xlog);
  if (info.timeline) f.timeline = *info.timeline;
  f.stop_timeline = pg::segment_timeline(info.end_wal);
  if (info.begin_time_utc) f.start_time = format_rfc3339(*info.begin_time_utc);
  if (info.end_time_utc) f.stop_time = format_rfc3339(*info.end_time_utc);
  f.tool_version = "Barman (" + (info.mode.empty() ? std::string("?") : info.mode) + " method)";
  f.compression = info.compression.empty() ? "none" : info.compression;
  if (info.version) f.server_version = version_text(*info.version);
  if (info.systemid)
    f.cluster_id =
        ensure_cluster(db, std::to_string(*info.systemid), info.version ? *info.version / 10000 : 0,
                       static_cast<std::uint32_t>(info.xlog_segment_size));
  else
    add_problem(f, "backup.info names no systemid: the backup's cluster is unknown");
  if (barman::is_done(info)) {
    f.stop_lsn = lsn_of(info.end_xlog);
  } else {
    // Barman would not recover it: no stop LSN, so no plan or pick ever uses it.
    add_problem(f, "Barman recorded status " + (info.status.empty() ? "(none)" : info.status) +
                       (info.error.empty() ? std::string() : " (error: " + info.error + ")") +
                       ": not a usable backup; it is never restored");
  }
  if (!f.start_lsn || !f.timeline)
    add_problem(f, "backup.info gives no readable begin_xlog or timeline");

  auto set_kind = db.prepare("UPDATE objects SET kind = ? WHERE id = ?");
  auto add_members = [&](const std::vector<Member>& members, const std::string& prefix) {
    for (const auto& m : members) {
      const std::string relative = m.key.substr(std::min(m.key.size(), prefix.size()));
      const std::string role = role_of(relative);
      // Barman's copies of pg_basebackup output: the generic classifier's view
      // of them (a backup_label, a base tar) would make them a backup of their own.
      if (role == "file" && m.kind != kind::base_file)
        set_kind.bind_all(kind::base_file, m.id).run();
      f.members.emplace_back(m.id, role);
      f.size += m.size;
    }
  };
  add_members(objects_under(db, repository.id, f.root_key), f.root_key + "/");
  add_members(objects_under(db, repository.id, "meta/" + info.backup_id + "-backup.info"), "meta/");
  return f;
}

} // namespace

bool is_barman_tablespace_link(std::string_view key)
{
  if (!key.starts_with("base/")) return false;
  auto at = key.find("/data/pg_tblspc/");
  return at != std::string_view::npos && key.find('/', at + 16) == std::string_view::npos;
}

BarmanCatalogResult catalog_barman_server(Database& db, const Repository& repository,
                                          storage::Storage& storage, const std::string& now)
{
  BarmanCatalogResult result;
  barman::BarmanServer server;
  try {
    server = barman::read_server_directory(storage, "");
  } catch (const ValidationError& e) {
    result.problems.push_back({"", e.what()});
    return result;
  }
  for (const auto& finding : server.findings)
    result.problems.push_back({finding.object, finding.message});
  for (const auto& info : server.backups) {
    auto facts = facts_of(db, repository, info);
    ++result.backups;
    if (upsert_backup(db, repository.id, facts, now)) ++result.new_backups;
  }
  return result;
}

} // namespace lastgood::catalog
