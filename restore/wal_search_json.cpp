#include "restore/wal_search.hpp"

namespace lastgood::restore {

nlohmann::json to_json(const WalSearchResult& r)
{
  using nlohmann::json;
  json hits = json::array();
  for (const auto& h : r.hits)
    hits.push_back({{"xid", h.xid},
                    {"operation", h.operation},
                    {"operations", h.operations},
                    {"commit_time", h.commit_time ? json(*h.commit_time) : json()},
                    {"first_lsn", h.first_lsn.str()},
                    {"commit_lsn", h.commit_lsn.str()},
                    {"timeline", h.timeline},
                    {"records", h.records},
                    {"rows",
                     {{"inserted", h.rows_inserted},
                      {"updated", h.rows_updated},
                      {"deleted", h.rows_deleted}}},
                    {"plan_command", h.plan_command},
                    {"restore_command", h.restore_command}});
  json identity;
  if (r.identity)
    identity = {{"database_oid", r.identity->database_oid},
                {"oid", r.identity->oid},
                {"tablespace_oid", r.identity->tablespace_oid},
                {"relfilenode", r.identity->relfilenode},
                {"from", r.resolved_from}};
  return {{"system_identifier", r.system_identifier},
          {"database", r.database},
          {"table", r.schema + "." + r.table},
          {"op", r.op},
          {"resolved", r.resolved},
          {"relation", identity},
          {"notes", r.notes},
          {"segments",
           {{"scanned", r.segments_scanned},
            {"read", r.segments_read},
            {"cached", r.segments_cached},
            {"first", r.first_segment ? json(*r.first_segment) : json()},
            {"last", r.last_segment ? json(*r.last_segment) : json()},
            {"window_end", r.window_end_segment ? json(*r.window_end_segment) : json()}}},
          {"results", hits}};
}

} // namespace lastgood::restore
