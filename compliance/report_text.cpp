// The plain-text and Markdown reports: one verdict line per item.

#include "compliance/report_render.hpp"

#include <sstream>

namespace lastgood::compliance {

std::string scope_title(const Scope& scope)
{
  return scope.kind + " " + qualified_name(scope);
}

std::string render_text(const Report& r)
{
  std::ostringstream out;
  out << "lastgood compliance report as of " << format_rfc3339(r.facts->as_of) << " (period from "
      << format_rfc3339(r.facts->period_start) << ")\n";
  if (r.scopes.empty()) out << "FAIL  no backups in the catalog\n";
  for (const auto& s : r.scopes) {
    out << '\n' << to_string(s.overall) << "  " << scope_title(*s.scope) << '\n';
    for (const auto& i : s.items) {
      auto v = to_string(i.verdict);
      out << "  " << v << std::string(6 - v.size(), ' ') << i.name
          << std::string(18 - std::min<std::size_t>(i.name.size(), 17), ' ') << i.summary << '\n';
    }
  }
  if (!r.facts->events.empty()) {
    out << "\nretention and hold events in the period\n";
    for (const auto& e : r.facts->events)
      out << "  " << e.at << "  " << e.action << "  " << e.subject << "  (" << e.actor << ")\n";
  }
  out << "\noverall: " << to_string(r.overall) << '\n';
  return out.str();
}

namespace {

// Table cells must not break the Markdown table.
std::string md_cell(std::string_view text)
{
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

} // namespace

std::string render_markdown(const Report& r)
{
  std::ostringstream out;
  out << "# Compliance report\n\nAs of " << format_rfc3339(r.facts->as_of) << ", period from "
      << format_rfc3339(r.facts->period_start) << ". **Overall: " << to_string(r.overall) << "**\n";
  if (r.scopes.empty()) out << "\nNo backups in the catalog.\n";
  for (const auto& s : r.scopes) {
    out << "\n## " << md_cell(scope_title(*s.scope)) << ": " << to_string(s.overall) << "\n\n"
        << "| verdict | item | measured |\n|---|---|---|\n";
    for (const auto& i : s.items)
      out << "| " << to_string(i.verdict) << " | " << i.name << " | " << md_cell(i.summary)
          << " |\n";
  }
  if (!r.facts->events.empty()) {
    out << "\n## Retention and hold events in the period\n\n| at | action | subject | actor "
           "|\n|---|---|---|---|\n";
    for (const auto& e : r.facts->events)
      out << "| " << e.at << " | " << md_cell(e.action) << " | " << md_cell(e.subject) << " | "
          << md_cell(e.actor) << " |\n";
  }
  return out.str();
}

} // namespace lastgood::compliance
