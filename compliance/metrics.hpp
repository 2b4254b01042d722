#pragma once
// Prometheus text exposition (format 0.0.4) for node_exporter's textfile
// collector: the restore_* metrics operators know from other restore tools,
// from restore runs and restore-level verification runs, plus lastgood_* gauges
// per database and cluster from the compliance facts.

#include "catalog/database.hpp"
#include "common/config.hpp"
#include "compliance/report_facts.hpp"
#include "compliance/verdicts.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::compliance {

// Upper bounds of restore_duration_seconds buckets (+Inf is added).
inline const std::vector<double> kRestoreBuckets = {10,   30,   60,   120,   300,  600,
                                                    1800, 3600, 7200, 14400, 28800};

struct RestoreStats
{
  std::vector<double> durations; // every finished restore and test restore
  std::uint64_t success = 0;
  std::map<std::string, std::uint64_t> failures;      // by failure_reason
  std::map<std::string, std::uint64_t> verifications; // restore-level verification runs by status
  std::int64_t in_progress = 0;
  std::map<std::string, std::uint64_t>
      last_size_bytes; // database -> size of the backup restored last
};

RestoreStats gather_restore_stats(catalog::Database& db);

// A small fixed set of failure_reason values: pg_restore, check, amcheck,
// data_shrink, scratch, storage, target_exists, connection, other.
std::string failure_reason_of_finding(std::string_view finding_kind);
std::string failure_reason_of_message(std::string_view message);

// Backslash, double quote and newline escaped as the exposition format wants.
std::string escape_label_value(std::string_view value);

// Every failure_reason and verification status a rule reads, so each counter
// series exists at 0 before its first increase.
inline const std::vector<std::string> kFailureReasons = {"pg_restore",    "check",      "amcheck",
                                                         "data_shrink",   "scratch",    "storage",
                                                         "target_exists", "connection", "other"};

// The judged report's verdicts and facts as of its moment: the same verdicts
// the report prints (lastgood_check_status), current state per scope, and
// times as Unix timestamps so rules compute ages with time() between writes.
std::string render_metrics(const Report& judged, const RestoreStats& restores,
                           const Config& config);

} // namespace lastgood::compliance
