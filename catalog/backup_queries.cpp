#include "catalog/backup_queries.hpp"

#include "catalog/repositories.hpp"
#include "common/error.hpp"
#include "pg/lsn.hpp"

#include <sstream>

namespace lastgood::catalog {

namespace {

constexpr const char* kSelect =
    "SELECT id, backup_id, repository, root_key, kind, format, status, system_identifier, "
    "database, label,"
    " start_time, stop_time, server_version, tool_version, compression, problem, missing_since,"
    " start_lsn, stop_lsn, timeline, stop_timeline, size_bytes, object_count, objects_missing,"
    " source, (SELECT r.outcome FROM verification_runs r WHERE r.backup_id = v_backups.id"
    "   AND r.outcome <> 'running' ORDER BY r.id DESC LIMIT 1),"
    // Another tool's lineage (migration 0013): pgBackRest's full | diff | incr.
    " (SELECT b.backup_type FROM backups b WHERE b.id = v_backups.id),"
    " (SELECT b.prior_label FROM backups b WHERE b.id = v_backups.id),"
    " (SELECT group_concat(label, ' ') FROM (SELECT label FROM backup_references br"
    "   WHERE br.backup_id = v_backups.id ORDER BY label) AS refs)"
    " FROM v_backups";

BackupRow read_row(Statement& s)
{
  BackupRow r;
  r.id = s.int64(0);
  r.backup_id = s.text(1);
  r.repository = s.text(2);
  r.root_key = s.text(3);
  r.kind = s.text(4);
  r.format = s.text(5);
  r.status = s.text(6);
  r.system_identifier = s.opt_text(7);
  r.database = s.opt_text(8);
  r.label = s.opt_text(9);
  r.start_time = s.opt_text(10);
  r.stop_time = s.opt_text(11);
  r.server_version = s.opt_text(12);
  r.tool_version = s.opt_text(13);
  r.compression = s.opt_text(14);
  r.problem = s.opt_text(15);
  r.missing_since = s.opt_text(16);
  r.start_lsn = s.opt_int64(17);
  r.stop_lsn = s.opt_int64(18);
  r.timeline = s.opt_int64(19);
  r.stop_timeline = s.opt_int64(20);
  r.size_bytes = static_cast<std::uint64_t>(s.int64(21));
  r.object_count = s.int64(22);
  r.objects_missing = s.int64(23);
  r.source = s.opt_text(24);
  r.last_check = s.opt_text(25);
  r.backup_type = s.opt_text(26);
  r.prior_label = s.opt_text(27);
  if (auto references = s.opt_text(28)) {
    std::istringstream words(*references);
    for (std::string label; words >> label;)
      r.references.push_back(label);
  }
  return r;
}

template <typename T> nlohmann::json opt(const std::optional<T>& v)
{
  return v ? nlohmann::json(*v) : nlohmann::json();
}

nlohmann::json lsn(const std::optional<std::int64_t>& v)
{
  return v ? nlohmann::json(pg::Lsn{static_cast<std::uint64_t>(*v)}.str()) : nlohmann::json();
}

} // namespace

std::vector<BackupRow> list_backups(Database& db, const BackupFilter& filter)
{
  auto s = db.prepare(std::string(kSelect) +
                      " WHERE deleted_at IS NULL AND (?1 IS NULL OR database = ?1)"
                      " AND (?2 IS NULL OR system_identifier = ?2)"
                      " AND (?3 IS NULL OR coalesce(source, ?4) = ?3)"
                      " ORDER BY coalesce(start_time, stop_time) NULLS FIRST, backup_id");
  s.bind_all(filter.database, filter.cluster, filter.source, kDefaultSource);
  std::vector<BackupRow> out;
  while (s.step())
    out.push_back(read_row(s));
  return out;
}

std::vector<std::optional<std::string>> sources_of_database(Database& db,
                                                            const std::string& database)
{
  auto s =
      db.prepare("SELECT source FROM backups WHERE database = ? AND kind = 'logical'"
                 " AND deleted_at IS NULL GROUP BY source ORDER BY source IS NOT NULL, source");
  s.bind(1, database);
  std::vector<std::optional<std::string>> out;
  while (s.step())
    out.push_back(s.opt_text(0));
  return out;
}

std::string list_sources(const std::vector<std::optional<std::string>>& sources)
{
  std::string out;
  for (const auto& source : sources)
    out += (out.empty() ? "" : ", ") + source_label(source);
  return out;
}

std::optional<BackupRow> find_backup(Database& db, const std::string& id_or_prefix)
{
  auto s = db.prepare(std::string(kSelect) +
                      " WHERE backup_id = ?1 OR substr(backup_id, 1, length(?1)) = ?1"
                      " ORDER BY backup_id = ?1 DESC, backup_id LIMIT 3");
  s.bind(1, id_or_prefix);
  std::vector<BackupRow> rows;
  while (s.step())
    rows.push_back(read_row(s));
  if (rows.empty()) return std::nullopt;
  if (rows[0].backup_id == id_or_prefix || rows.size() == 1) return rows[0];
  throw UsageError("backup ID '" + id_or_prefix + "' is ambiguous (" + rows[0].backup_id + ", " +
                   rows[1].backup_id + (rows.size() > 2 ? ", ..." : "") + "); give more of it");
}

std::vector<BackupObjectRow> backup_objects(Database& db, std::int64_t backup_row_id)
{
  auto s = db.prepare(
      "SELECT o.key, bo.role, o.kind, o.size, o.sha256, o.last_hashed, o.missing_since, o.problem,"
      // Digests of another block size are as good as none: the next full read replaces them.
      " CASE WHEN o.xxh3_block_size = ?2 THEN o.xxh3_128 END,"
      " CASE WHEN o.xxh3_block_size = ?2 THEN o.xxh3_blocks END, o.sha256_checked"
      " FROM backup_objects bo JOIN objects o ON o.id = bo.object_id"
      " WHERE bo.backup_id = ?1 ORDER BY o.key");
  s.bind_all(backup_row_id, static_cast<std::int64_t>(kFastBlockBytes));
  std::vector<BackupObjectRow> out;
  while (s.step())
    out.push_back(BackupObjectRow{s.text(0),
                                  s.text(1),
                                  s.text(2),
                                  static_cast<std::uint64_t>(s.int64(3)),
                                  s.opt_text(4),
                                  s.opt_text(5),
                                  s.opt_text(6),
                                  s.opt_text(7),
                                  {s.opt_text(8).value_or(""), s.opt_text(9).value_or("")},
                                  s.opt_text(10)});
  return out;
}

std::string status_text(const BackupRow& r)
{
  return r.last_check == "error" ? r.status + " (last check: error)" : r.status;
}

nlohmann::json to_json(const BackupRow& r)
{
  return {{"id", r.backup_id},
          {"repository", r.repository},
          {"location", r.root_key},
          {"kind", r.kind},
          {"format", r.format},
          {"status", r.status},
          {"source", opt(r.source)},
          {"last_check", opt(r.last_check)},
          {"database", opt(r.database)},
          {"system_identifier", opt(r.system_identifier)},
          {"label", opt(r.label)},
          {"start_time", opt(r.start_time)},
          {"stop_time", opt(r.stop_time)},
          {"start_lsn", lsn(r.start_lsn)},
          {"stop_lsn", lsn(r.stop_lsn)},
          {"timeline", opt(r.timeline)},
          {"stop_timeline", opt(r.stop_timeline)},
          {"server_version", opt(r.server_version)},
          {"tool_version", opt(r.tool_version)},
          {"compression", opt(r.compression)},
          {"size_bytes", r.size_bytes},
          {"objects", r.object_count},
          {"objects_missing", r.objects_missing},
          {"missing_since", opt(r.missing_since)},
          {"problem", opt(r.problem)},
          {"backup_type", opt(r.backup_type)},
          {"prior", opt(r.prior_label)},
          {"references", r.references}};
}

nlohmann::json to_json(const BackupObjectRow& r)
{
  return {{"key", r.key},
          {"role", r.role},
          {"kind", r.kind},
          {"size", r.size},
          {"sha256", opt(r.sha256)},
          {"last_hashed", opt(r.last_hashed)},
          {"missing_since", opt(r.missing_since)},
          {"problem", opt(r.problem)}};
}

} // namespace lastgood::catalog
