#include "compliance/publish.hpp"

#include "common/error.hpp"
#include "compliance/metrics.hpp"
#include "compliance/report_facts.hpp"
#include "compliance/report_render.hpp"

namespace lastgood::compliance {

bool is_report_format(std::string_view format)
{
  return format == "text" || format == "json" || format == "markdown" || format == "html";
}

std::string render_report(const Report& report, std::string_view format)
{
  if (format == "json") return render_json(report).dump(2) + "\n";
  if (format == "markdown") return render_markdown(report);
  if (format == "html") return render_html(report);
  if (format == "text") return render_text(report);
  throw UsageError("unknown report format '" + std::string(format) +
                   "': use text, json, markdown or html");
}

std::string failing_scopes(const Report& report)
{
  std::string failing;
  for (const auto& s : report.scopes)
    if (s.overall == Verdict::Fail)
      failing += (failing.empty() ? "" : ", ") + scope_title(*s.scope);
  return failing.empty() ? "no backups cataloged" : failing;
}

std::string render_current_metrics(catalog::Database& db, const Config& config, TimePoint now)
{
  auto facts = gather_facts(db, now, now - std::chrono::hours(24 * 30));
  return render_metrics(judge(facts, config), gather_restore_stats(db), config);
}

} // namespace lastgood::compliance
