#include "restore/pick.hpp"

#include "catalog/last_good.hpp"
#include "catalog/repositories.hpp"
#include "common/error.hpp"

namespace lastgood::restore {

namespace {

// The newest backup in `status` matching the request, by its own time.
std::optional<catalog::BackupRow>
newest_with_status(catalog::Database& db, const PickRequest& request, const std::string& status)
{
  std::optional<std::string> before;
  if (request.before) before = format_rfc3339(*request.before);
  auto id = catalog::newest_backup_with_status(
      db, {status, request.database, request.cluster, before, request.source});
  if (!id) return std::nullopt;
  return catalog::find_backup(db, *id);
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
  if (auto run = catalog::last_restore_run_id(db, result.backup->id)) {
    result.evidence = catalog::find_run(db, *run);
    result.row_counts = catalog::run_row_counts(db, *run);
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
