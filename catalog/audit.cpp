#include "catalog/audit.hpp"

#include <pwd.h>
#include <unistd.h>

#include <vector>

#include "common/time.hpp"

namespace lastgood::catalog {

std::string current_actor()
{
  uid_t uid = ::geteuid();
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found)
    return found->pw_name;
  return "uid:" + std::to_string(uid);
}

void write_audit(Database& db, std::string_view action, std::string_view subject, Severity severity,
                 const nlohmann::json& detail)
{
  static constexpr const char* names[] = {"info", "warning", "error"};
  db.prepare("INSERT INTO audit_log (at, actor, action, subject, severity, detail)"
             " VALUES (?, ?, ?, ?, ?, ?)")
      .bind_all(format_rfc3339(now_seconds()), current_actor(), action, subject,
                names[static_cast<int>(severity)],
                detail.is_null() ? std::optional<std::string>() : std::optional(detail.dump()))
      .run();
}

} // namespace lastgood::catalog
