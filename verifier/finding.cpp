#include "verifier/finding.hpp"

#include "common/error.hpp"

#include <algorithm>

namespace lastgood::verifier {

std::string_view to_string(Level level)
{
  switch (level) {
  case Level::Checksum:
    return "checksum";
  case Level::Structure:
    return "structure";
  case Level::Restore:
    return "restore";
  case Level::Pitr:
    return "pitr";
  }
  return "?";
}

Level parse_level(std::string_view text)
{
  if (text == "checksum") return Level::Checksum;
  if (text == "structure") return Level::Structure;
  if (text == "restore") return Level::Restore;
  if (text == "pitr") return Level::Pitr;
  throw UsageError("unknown verification level '" + std::string(text) +
                   "': use checksum, structure, restore or pitr (with --target-time)");
}

std::string_view to_string(Severity severity)
{
  switch (severity) {
  case Severity::Warning:
    return "warning";
  case Severity::Failure:
    return "failure";
  case Severity::Error:
    return "error";
  }
  return "?";
}

bool Findings::any(Severity severity) const
{
  return std::any_of(m_items.begin(), m_items.end(),
                     [&](const Finding& f) { return f.severity == severity; });
}

nlohmann::json to_json(const Finding& f)
{
  return {{"kind", f.kind},
          {"severity", to_string(f.severity)},
          {"subject", f.subject},
          {"message", f.message},
          {"detail", f.detail}};
}

} // namespace lastgood::verifier
