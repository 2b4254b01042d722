#pragma once
// `lastgood check`: the judged report as a monitoring plugin (Nagios, Icinga,
// Naemon) reads it — one status line `LASTGOOD OK|WARNING|CRITICAL|UNKNOWN -
// summary | perfdata`, then one line per WARN/FAIL item, and the plugin exit
// code. The state is the report's verdict (OK → OK, WARN → WARNING,
// FAIL → CRITICAL); perfdata thresholds are the report's targets.

#include "compliance/verdicts.hpp"

#include <string>

namespace lastgood::compliance {

// Monitoring-plugin exit codes (Nagios plugin API).
enum PluginState : int {
  kPluginOk = 0,
  kPluginWarning = 1,
  kPluginCritical = 2,
  kPluginUnknown = 3
};

struct PluginResult
{
  PluginState state = kPluginUnknown;
  std::string output; // every line ends in '\n'
};

PluginResult check_plugin_result(const Report& judged);

// Could not judge at all (no catalog, configuration error): UNKNOWN with why.
PluginResult check_plugin_unknown(const std::string& reason);

// 'label'=value[unit];warn;crit;min as the plugin guidelines spell it: the
// label quoted, its quotes doubled, '=' (never allowed in a label) and '|' (ends the plugin text)
// as '_'.
std::string perfdata(const std::string& label, const std::string& value, const std::string& warn,
                     const std::string& crit, const std::string& min);

} // namespace lastgood::compliance
