#include "restore/pick.hpp"

#include "catalog/repositories.hpp"
#include "common/error.hpp"

namespace lastgood::restore {

namespace {

// The newest backup in `status` matching the request, by its own time.
std::optional<catalog::BackupRow>
newest_with_status(catalog::Database& db, const PickRequest& request, const std::string& status)
{
  auto s = db.prepare("SELECT backup_id FROM v_backups WHERE status = ?1 AND deleted_at IS NULL"
                      " AND missing_since IS NULL AND (?2 IS NULL OR database = ?2)"
                      // A dump records its server's cluster too; --cluster asks for base backups.
                      " AND (?3 IS NULL OR system_identifier = ?3 AND kind = 'physical')"
                      " AND (?4 IS NULL OR coalesce(stop_time, start_time) < ?4)"
                      " AND (?5 IS NULL OR coalesce(source, ?6) = ?5)"
                      " ORDER BY coalesce(stop_time, start_time) DESC, id DESC LIMIT 1");
  std::optional<std::string> before;
  if (request.before) before = format_rfc3339(*request.before);
  s.bind_all(status, request.database, request.cluster, before, request.source,
             catalog::kDefaultSource);
  if (!s.step()) return std::nullopt;
  return catalog::find_backup(db, s.text(0));
}

} // namespace

PickResult pick_last_good(catalog::Database& db, const PickRequest& request)
{
  if (request.database && request.cluster)
    throw UsageError("give --database or --cluster, not both");
  if (request.database && !request.source) {
    auto sources = catalog::sources_of_database(db, *request.database);
    if (sources.size() > 1)
      throw UsageError("database " + *request.database + " is dumped from " +
                       std::to_string(sources.size()) + " sources (" +
                       catalog::list_sources(sources) +
                       "): say which with --source NAME; their backups are never merged");
  }
  PickResult result;
  result.backup = newest_with_status(db, request, "good");
  if (!result.backup) {
    result.newest_unverified = newest_with_status(db, request, "unverified");
    result.newest_bad = newest_with_status(db, request, "bad");
    return result;
  }
  auto evidence = db.prepare("SELECT last_restore_run FROM v_backup_status WHERE id = ?");
  evidence.bind(1, result.backup->id);
  if (evidence.step() && !evidence.is_null(0)) {
    result.evidence = catalog::find_run(db, evidence.int64(0));
    result.row_counts = catalog::run_row_counts(db, evidence.int64(0));
  }
  return result;
}

nlohmann::json to_json(const PickResult& r)
{
  nlohmann::json out;
  out["backup"] = r.backup ? catalog::to_json(*r.backup) : nlohmann::json();
  out["evidence"] = r.evidence ? catalog::to_json(*r.evidence) : nlohmann::json();
  out["row_counts"] = nlohmann::json::array();
  for (const auto& c : r.row_counts)
    out["row_counts"].push_back(
        {{"schema", c.schema_name}, {"table", c.table_name}, {"rows", c.row_count}});
  if (!r.backup) {
    out["newest_unverified"] =
        r.newest_unverified ? nlohmann::json(r.newest_unverified->backup_id) : nlohmann::json();
    out["newest_bad"] = r.newest_bad ? nlohmann::json(r.newest_bad->backup_id) : nlohmann::json();
  }
  return out;
}

} // namespace lastgood::restore
