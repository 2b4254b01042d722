// The HTML report: one self-contained page (inline CSS, inline SVG, no
// scripts, no external references) that an auditor can open or archive.

#include "common/markup_escape.hpp"
#include "compliance/report_render.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace lastgood::compliance {

std::string html_escape(std::string_view text)
{
  return markup_escape(text);
}

namespace {

constexpr double kWidth = 1000, kLeft = 20, kRight = 980, kAxisY = 60;

const char* kStyle =
    R"(body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em;color:#1b1b1b;max-width:1100px}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccc;padding-bottom:.2em}
table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top;font-size:.92em}
th{background:#f4f4f4}.v{font-weight:bold;width:4em;text-align:center}.OK{background:#e3f4e1;color:#1e6b1e}
.WARN{background:#fff3cd;color:#7a5b00}.FAIL{background:#fbe0e0;color:#a31515}.badge{padding:.1em .5em;border-radius:.3em}
.legend span{margin-right:1.2em;font-size:.85em}.muted{color:#666;font-size:.9em}svg{display:block;margin:.5em 0}
)";

std::string fmt(double v)
{
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

struct Axis
{
  TimePoint from, to;
  double x(TimePoint t) const
  {
    auto span = std::max<double>(1, static_cast<double>((to - from).count()));
    auto share = static_cast<double>((t - from).count()) / span;
    return kLeft + std::clamp(share, 0.0, 1.0) * (kRight - kLeft);
  }
};

const char* status_colour(const BackupFact& b)
{
  switch (evidence_state(b)) {
  case BackupState::Bad:
    return "#c62828";
  case BackupState::Error:
    return "#ef6c00"; // could not be checked: neither good nor bad
  case BackupState::Good:
    return "#2e7d32";
  case BackupState::Unverified:
    break;
  }
  return "#9e9e9e";
}

std::string timeline_svg(const Scope& s, const ReportFacts& f, std::chrono::seconds rpo)
{
  Axis axis{f.period_start, f.as_of};
  if (s.oldest_backup && *s.oldest_backup < axis.from) axis.from = *s.oldest_backup;
  if (s.pitr && s.pitr->from < axis.from) axis.from = s.pitr->from;
  std::ostringstream svg;
  svg << "<svg width=\"" << kWidth << "\" height=\"100\" viewBox=\"0 0 " << kWidth
      << " 100\" role=\"img\" aria-label=\"" << html_escape("timeline of " + scope_title(s))
      << "\">\n";
  if (s.pitr)
    svg << "<rect x=\"" << fmt(axis.x(s.pitr->from)) << "\" y=\"22\" width=\""
        << fmt(std::max(1.0, axis.x(s.pitr->to) - axis.x(s.pitr->from)))
        << "\" height=\"10\" fill=\"#bbdefb\"><title>"
        << html_escape("PITR window " + format_rfc3339(s.pitr->from) + " .. " +
                       format_rfc3339(s.pitr->to))
        << "</title></rect>\n";
  // Stretches longer than the RPO without a backup, up to the report's moment.
  std::optional<TimePoint> previous;
  auto gap = [&](TimePoint a, TimePoint b) {
    if (b - a <= rpo) return;
    svg << "<rect x=\"" << fmt(axis.x(a)) << "\" y=\"38\" width=\""
        << fmt(std::max(1.0, axis.x(b) - axis.x(a))) << "\" height=\"20\" fill=\"#fbe0e0\"><title>"
        << html_escape("no backup for " + format_duration(b - a) + " (" + format_rfc3339(a) +
                       " .. " + format_rfc3339(b) + ")")
        << "</title></rect>\n";
  };
  for (const auto& b : s.backups) {
    if (previous) gap(*previous, b.taken);
    previous = b.taken;
  }
  if (previous) gap(*previous, f.as_of);
  svg << "<line x1=\"" << kLeft << "\" y1=\"" << kAxisY << "\" x2=\"" << kRight << "\" y2=\""
      << kAxisY << "\" stroke=\"#555\"/>\n";
  for (int i = 0; i <= 4; ++i) {
    auto t = axis.from + (axis.to - axis.from) * i / 4;
    auto x = axis.x(t);
    svg << "<line x1=\"" << fmt(x) << "\" y1=\"" << kAxisY << "\" x2=\"" << fmt(x) << "\" y2=\""
        << kAxisY + 5 << "\" stroke=\"#555\"/><text x=\"" << fmt(std::clamp(x, 70.0, kWidth - 70))
        << "\" y=\"80\" font-size=\"11\" text-anchor=\"middle\" fill=\"#444\">"
        << html_escape(format_rfc3339(t).substr(0, 16)) << "</text>\n";
  }
  for (const auto& b : s.backups) {
    std::string title =
        b.backup_id + "\n" + format_rfc3339(b.taken) + "\nstatus: " + to_string(evidence_state(b));
    if (b.last_problem && evidence_state(b) != BackupState::Good) title += "\n" + *b.last_problem;
    if (b.failing_check) title += "\na checksum/structure check failed";
    if (b.objects_missing) title += "\n" + std::to_string(b.objects_missing) + " objects missing";
    if (b.held) title += "\nunder legal hold";
    svg << "<circle cx=\"" << fmt(axis.x(b.taken)) << "\" cy=\"48\" r=\"6\" fill=\""
        << status_colour(b) << "\""
        << (b.held ? " stroke=\"#1565c0\" stroke-width=\"3\""
                   : " stroke=\"#fff\" stroke-width=\"1\"")
        << "><title>" << html_escape(title) << "</title></circle>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

} // namespace

std::string render_html(const Report& r)
{
  const auto& f = *r.facts;
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>lastgood "
         "compliance report "
      << html_escape(format_rfc3339(f.as_of)) << "</title>\n<style>" << kStyle
      << "</style></head><body>\n"
      << "<h1>Compliance report <span class=\"badge " << to_string(r.overall) << "\">"
      << to_string(r.overall) << "</span></h1>\n<p class=\"muted\">As of "
      << html_escape(format_rfc3339(f.as_of)) << "; period from "
      << html_escape(format_rfc3339(f.period_start)) << ". Targets: RPO "
      << html_escape(format_duration(r.targets.rpo)) << ", restore-tested within "
      << html_escape(format_duration(r.targets.verified_within)) << ", RTO "
      << html_escape(r.targets.rto ? format_duration(*r.targets.rto) : std::string("not set"))
      << ".</p>\n"
      << "<p class=\"legend\"><span style=\"color:#2e7d32\">&#9679; good (test restore "
         "passed)</span>"
      << "<span style=\"color:#c62828\">&#9679; bad, damaged or incomplete</span>"
      << "<span style=\"color:#9e9e9e\">&#9679; not yet verified</span>"
      << "<span style=\"color:#1565c0\">&#9711; under legal hold</span>"
      << "<span style=\"background:#fbe0e0\">&nbsp;longer than the RPO without a "
         "backup&nbsp;</span>"
      << "<span style=\"background:#bbdefb\">&nbsp;PITR window&nbsp;</span></p>\n";
  if (r.scopes.empty()) out << "<p class=\"FAIL\">No backups in the catalog.</p>\n";
  for (const auto& s : r.scopes) {
    out << "<h2>" << html_escape(scope_title(*s.scope)) << " <span class=\"badge "
        << to_string(s.overall) << "\">" << to_string(s.overall) << "</span></h2>\n"
        << timeline_svg(*s.scope, f, r.targets.rpo)
        << "<table><tr><th>verdict</th><th>item</th><th>measured</th></tr>\n";
    for (const auto& i : s.items)
      out << "<tr><td class=\"v " << to_string(i.verdict) << "\">" << to_string(i.verdict)
          << "</td><td>" << html_escape(i.name) << "</td><td>" << html_escape(i.summary)
          << "</td></tr>\n";
    out << "</table>\n";
    if (!s.scope->wal_gaps.empty()) {
      out << "<p>WAL gaps:</p><ul>";
      for (const auto& g : s.scope->wal_gaps)
        out << "<li>timeline " << g.timeline << ": " << html_escape(g.first) << " .. "
            << html_escape(g.last) << " (" << g.segments << " missing)</li>";
      out << "</ul>\n";
    }
    if (!s.scope->holds.empty()) {
      out << "<table><tr><th>held "
             "backup</th><th>reason</th><th>until</th><th>by</th><th>since</th></tr>\n";
      for (const auto& h : s.scope->holds)
        out << "<tr><td>" << html_escape(h.backup_id) << "</td><td>" << html_escape(h.reason)
            << "</td><td>" << html_escape(h.until.value_or("released by hand")) << "</td><td>"
            << html_escape(h.created_by) << "</td><td>" << html_escape(h.created_at)
            << "</td></tr>\n";
      out << "</table>\n";
    }
  }
  if (!f.events.empty()) {
    out << "<h2>Retention and hold events in the "
           "period</h2>\n<table><tr><th>at</th><th>action</th><th>subject</th>"
           "<th>actor</th><th>severity</th></tr>\n";
    for (const auto& e : f.events)
      out << "<tr><td>" << html_escape(e.at) << "</td><td>" << html_escape(e.action) << "</td><td>"
          << html_escape(e.subject) << "</td><td>" << html_escape(e.actor) << "</td><td>"
          << html_escape(e.severity) << "</td></tr>\n";
    out << "</table>\n";
  }
  out << "<p class=\"muted\">Generated by lastgood " << html_escape(LASTGOOD_VERSION)
      << ".</p>\n</body></html>\n";
  return out.str();
}

} // namespace lastgood::compliance
