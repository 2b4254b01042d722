#include "compliance/holds.hpp"

#include "common/error.hpp"

namespace lastgood::compliance {

HoldRecord add_hold(catalog::Database& db, const std::string& backup_id,
                    const std::optional<TimePoint>& until, const std::string& reason, TimePoint now)
{
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos)
    throw UsageError(
        "a hold needs --reason: say why (case number, request...) so auditors can tell");
  if (until && *until <= now)
    throw UsageError("--until " + format_rfc3339(*until) +
                     " is not in the future; a hold must end later than now");
  std::optional<std::string> until_text;
  if (until) until_text = format_rfc3339(*until);
  return catalog::insert_hold(db, backup_id, until_text, reason, format_rfc3339(now));
}

std::vector<HoldRecord> release_holds(catalog::Database& db, const std::string& backup_id,
                                      const std::string& reason, TimePoint now)
{
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos)
    throw UsageError("releasing a hold needs --reason: say why, it goes into the audit log");
  return catalog::release_active_holds(db, backup_id, reason, format_rfc3339(now));
}

nlohmann::json to_json(const HoldRecord& h, TimePoint now)
{
  auto opt = [](const std::optional<std::string>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json();
  };
  return {{"id", h.id},
          {"backup_id", h.backup_id},
          {"state", h.state(now)},
          {"reason", h.reason},
          {"until", opt(h.until)},
          {"created_by", h.created_by},
          {"created_at", h.created_at},
          {"released_by", opt(h.released_by)},
          {"released_at", opt(h.released_at)},
          {"release_reason", opt(h.release_reason)}};
}

} // namespace lastgood::compliance
