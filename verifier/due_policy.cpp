#include "verifier/due_policy.hpp"

#include <optional>
#include <set>
#include <tuple>

#include "common/error.hpp"
#include "common/sha256.hpp"
#include "common/time.hpp"

namespace lastgood::verifier {

namespace {

bool in_slice(const std::string& backup_id, const Slice& slice)
{
  if (slice.count <= 1) return true;
  auto digest = Sha256::of(backup_id).substr(0, 8);
  return std::stoul(digest, nullptr, 16) % slice.count == slice.index - 1;
}

std::string cutoff(std::chrono::seconds age) { return format_rfc3339(now_seconds() - age); }

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
  // Databases (of each source: two servers' shop are two) whose newest restore
  // verdict is older than restore_every (or missing): pick their newest backup
  // that has no restore verdict yet, else their newest.
  auto stale = db.prepare(
      "SELECT b.database, max(s.last_restore_at), b.source"
      " FROM backups b JOIN v_backup_status s ON s.id = b.id"
      " WHERE b.kind = 'logical' AND b.format <> 'plain_cluster' AND b.deleted_at IS NULL"
      " AND b.missing_since IS NULL AND b.database IS NOT NULL GROUP BY b.source, b.database"
      " HAVING max(s.last_restore_at) IS NULL OR max(s.last_restore_at) < ?"
      " ORDER BY 2 NULLS FIRST, 1, 3");
  stale.bind(1, cutoff(config.restore_every));
  std::vector<std::tuple<std::string, std::string, std::optional<std::string>>> databases;
  while (stale.step())
    databases.emplace_back(stale.text(0), stale.opt_text(1).value_or("never"), stale.opt_text(2));
  auto pick = db.prepare(
      "SELECT b.backup_id FROM backups b JOIN v_backup_status s ON s.id = b.id"
      " WHERE b.database = ? AND b.source IS ? AND b.kind = 'logical'"
      " AND b.format <> 'plain_cluster'"
      " AND b.deleted_at IS NULL AND b.missing_since IS NULL"
      " ORDER BY s.last_restore_at IS NULL DESC, coalesce(b.stop_time, b.start_time) DESC");
  for (const auto& [database, last, source] : databases) {
    pick.bind_all(database, source);
    while (pick.step()) {
      auto id = pick.text(0);
      if (!in_slice(id, slice)) continue;
      work.push_back({id, Level::Restore,
                      "database " + (source ? *source + "/" : "") + database +
                          " last restore-tested: " + last});
      chosen.insert(id);
      break;
    }
    pick.reset();
  }
  // Backups whose bytes were last re-read longer ago than checksum_every.
  auto hash = db.prepare("SELECT b.backup_id, (SELECT max(r.finished_at) FROM verification_runs r"
                         "  WHERE r.backup_id = b.id AND r.outcome IN ('pass', 'fail')) AS last"
                         " FROM backups b WHERE b.deleted_at IS NULL AND b.missing_since IS NULL"
                         " AND (last IS NULL OR last < ?) ORDER BY last NULLS FIRST, b.backup_id");
  hash.bind(1, cutoff(config.checksum_every));
  while (hash.step()) {
    auto id = hash.text(0);
    if (chosen.count(id) || !in_slice(id, slice)) continue;
    work.push_back({id, Level::Checksum, "objects last re-read: " + hash.opt_text(1).value_or("never")});
  }
  return work;
}

} // namespace lastgood::verifier
