#pragma once
// Findings are data, not exceptions: a verification collects every problem it
// sees, typed, and reports them all. Exceptions are for not being able to
// verify at all.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::verifier {

// Pitr: a test restore of a base backup recovered to a target time (a drill).
enum class Level { Checksum, Structure, Restore, Pitr };
std::string_view to_string(Level level);
Level parse_level(std::string_view text); // throws UsageError

// failure: the backup is bad. error: we could not tell (scratch server gone,
// storage unreachable). warning: worth a look, changes no verdict.
enum class Severity { Warning, Failure, Error };
std::string_view to_string(Severity severity);

namespace finding_kind {
inline constexpr const char* missing_object =
    "missing_object"; // object listed in the catalog is gone
inline constexpr const char* unreadable_object =
    "unreadable_object";                                      // cannot be read (permissions, I/O)
inline constexpr const char* size_mismatch = "size_mismatch"; // size differs from the catalog
inline constexpr const char* checksum_mismatch =
    "checksum_mismatch"; // SHA-256 differs from the catalog
inline constexpr const char* manifest_invalid =
    "manifest_invalid"; // backup_manifest unreadable or its own checksum wrong
inline constexpr const char* manifest_mismatch =
    "manifest_mismatch"; // a file's size/checksum differs from the manifest
inline constexpr const char* manifest_missing_file =
    "manifest_missing_file"; // in the manifest, not in the backup
inline constexpr const char* manifest_extra_file =
    "manifest_extra_file"; // in the backup, not in the manifest
inline constexpr const char* toc_unreadable =
    "toc_unreadable"; // pg_restore --list fails or lists nothing
inline constexpr const char* incomplete_dump =
    "incomplete_dump"; // plain dump without completion marker, truncated data
inline constexpr const char* missing_label = "missing_label"; // base backup without backup_label
inline constexpr const char* missing_pg_control = "missing_pg_control";
inline constexpr const char* missing_wal =
    "missing_wal"; // WAL named by the manifest's WAL-Ranges is nowhere
inline constexpr const char* restore_failed =
    "restore_failed"; // pg_restore/psql failed or reported errors
inline constexpr const char* check_failed = "check_failed"; // a user check returned false
inline constexpr const char* check_error = "check_error"; // a user check could not run (syntax...)
inline constexpr const char* amcheck = "amcheck";         // amcheck reported corruption
inline constexpr const char* fingerprint_mismatch =
    "fingerprint_mismatch"; // the restored copy differs from the source at backup time
inline constexpr const char* data_shrink =
    "data_shrink"; // a table vanished or lost rows since the last pass
inline constexpr const char* scratch_error = "scratch_error"; // the scratch server failed us
inline constexpr const char* backup_deleted =
    "backup_deleted"; // retention apply deleted it while it was read: nothing was checked
} // namespace finding_kind

struct Finding
{
  std::string kind;
  Severity severity = Severity::Failure;
  std::string subject;   // object key or schema.table
  std::string message;   // what failed, on which object, what to do
  nlohmann::json detail; // optional structured facts
};

class Findings
{
public:
  void add(Finding finding) { m_items.push_back(std::move(finding)); }
  void add(std::string kind, Severity severity, std::string subject, std::string message,
           nlohmann::json detail = nullptr)
  {
    m_items.push_back(
        {std::move(kind), severity, std::move(subject), std::move(message), std::move(detail)});
  }
  void append(const Findings& other)
  {
    m_items.insert(m_items.end(), other.m_items.begin(), other.m_items.end());
  }
  bool any(Severity severity) const;
  const std::vector<Finding>& items() const { return m_items; }

private:
  std::vector<Finding> m_items;
};

nlohmann::json to_json(const Finding& finding);

} // namespace lastgood::verifier
