#pragma once
// What `report`, `metrics` and `run` publish, put together in one place so the
// three always say the same: the report in a chosen format, the names of the
// failing scopes for a notification, and the metrics as of a moment.

#include "catalog/database.hpp"
#include "common/config.hpp"
#include "common/time.hpp"
#include "compliance/verdicts.hpp"

#include <string>
#include <string_view>

namespace lastgood::compliance {

// format: text | json | markdown | html; anything else is a UsageError.
std::string render_report(const Report& report, std::string_view format);
bool is_report_format(std::string_view format);

// "database shop, cluster 7312..." for the scopes that FAIL; "no backups
// cataloged" when the report fails without any scope.
std::string failing_scopes(const Report& report);

// The Prometheus exposition as of a moment, with the verdicts judged then (counters from the whole
// history, deletions and events over the 30 days before now).
std::string render_current_metrics(catalog::Database& db, const Config& config, TimePoint now);

} // namespace lastgood::compliance
