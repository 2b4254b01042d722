#pragma once
// Recovery settings for a restored data directory (pg-formats.md §4):
// recovery.signal plus lines appended to postgresql.auto.conf, which
// PostgreSQL reads last, so they override the backup's own settings.

#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace lastgood::pg {

struct RecoverySettings
{
  std::string restore_command; // shell command with %f and %p
  // Exactly one target, or none (replay to the end of the archive).
  bool target_immediate = false;          // recovery_target = 'immediate': stop once consistent
  std::optional<std::string> target_time; // RFC 3339 with an explicit offset
  std::optional<std::string> target_lsn;  // "X/Y"
  std::optional<std::string> target_xid;  // a transaction ID, decimal
  bool target_inclusive = true;           // false: recovery_target_inclusive = off
  std::string target_timeline = "latest"; // "latest", "current" or a number
  std::string target_action = "promote";  // pause | promote | shutdown
  std::vector<std::pair<std::string, std::string>> extra; // further name = value settings
};

// The text appended to postgresql.auto.conf (values quoted for it).
std::string recovery_conf_text(const RecoverySettings& settings);

// Creates recovery.signal and appends recovery_conf_text to
// postgresql.auto.conf in data_dir; both handed to owner when given.
void write_recovery_config(const std::string& data_dir, const RecoverySettings& settings,
                           std::optional<std::pair<uid_t, gid_t>> owner = std::nullopt);

// A word for /bin/sh: single-quoted unless it is plain.
std::string shell_quote(std::string_view word);

// restore_command running `<exe> wal-fetch %f %p --catalog <catalog> [--config <config>]
// [--cluster <sysid>]`, every path shell-quoted and '%' in them doubled.
std::string wal_fetch_command(const std::string& exe, const std::string& catalog,
                              const std::string& config, const std::optional<std::string>& cluster);

// A user's RFC 3339 time as recovery_target_time: checked, fractions kept,
// always with an explicit offset (PostgreSQL would read a bare time in the
// server's time zone). Throws UsageError.
std::string recovery_target_time_value(std::string_view text);

// The absolute path of the running binary (/proc/self/exe).
std::string self_executable();

} // namespace lastgood::pg
