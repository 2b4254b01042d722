#include "verifier/due_policy.hpp"

#include "catalog/due_evidence.hpp"
#include "common/error.hpp"
#include "common/sha256.hpp"
#include "common/time.hpp"

#include <set>

namespace lastgood::verifier {

namespace {

bool in_slice(const std::string& backup_id, const Slice& slice)
{
  if (slice.count <= 1) return true;
  auto digest = Sha256::of(backup_id).substr(0, 8);
  return std::stoul(digest, nullptr, 16) % slice.count == slice.index - 1;
}

std::string cutoff(std::chrono::seconds age)
{
  return format_rfc3339(now_seconds() - age);
}

} // namespace

Slice parse_slice(const std::string& text)
{
  auto slash = text.find('/');
  try {
    if (slash != std::string::npos) {
      Slice s{static_cast<unsigned>(std::stoul(text.substr(0, slash))),
              static_cast<unsigned>(std::stoul(text.substr(slash + 1)))};
      if (s.count >= 1 && s.index >= 1 && s.index <= s.count) return s;
    }
  } catch (const std::exception&) {
  }
  throw UsageError("invalid slice '" + text + "': use N/T with 1 <= N <= T, e.g. 3/7");
}

std::vector<DueWork> due_work(catalog::Database& db, const VerifyConfig& config, const Slice& slice)
{
  std::vector<DueWork> work;
  std::set<std::string> chosen;
  // Each scope (a database's dumps, a cluster's base backups) gets one test
  // restore once its newest restore verdict is older than restore_every.
  for (const auto& scope : catalog::scopes_due_for_restore(db, cutoff(config.restore_every))) {
    for (const auto& id : scope.candidates) {
      if (!in_slice(id, slice)) continue;
      work.push_back(
          {id, Level::Restore,
           scope.scope + " last restore-tested: " + scope.last_restore_at.value_or("never")});
      chosen.insert(id);
      break;
    }
  }
  // Backups whose bytes were last re-read longer ago than checksum_every.
  for (const auto& backup : catalog::backups_due_for_checksum(db, cutoff(config.checksum_every))) {
    if (chosen.count(backup.backup_id) || !in_slice(backup.backup_id, slice)) continue;
    work.push_back({backup.backup_id, Level::Checksum,
                    "objects last re-read: " + backup.last_read.value_or("never")});
  }
  return work;
}

} // namespace lastgood::verifier
