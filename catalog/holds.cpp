#include "catalog/holds.hpp"

#include "catalog/audit.hpp"
#include "catalog/backup_queries.hpp"
#include "common/error.hpp"

#include <nlohmann/json.hpp>

namespace lastgood::catalog {

namespace {

constexpr const char* kSelect =
    "SELECT h.id, h.backup_id, b.backup_id, h.reason, h.until, h.created_by, h.created_at, "
    "h.released_by,"
    " h.released_at, h.release_reason FROM holds h JOIN backups b ON b.id = h.backup_id";

HoldRecord read_hold(Statement& s)
{
  HoldRecord h;
  h.id = s.int64(0);
  h.backup_row_id = s.int64(1);
  h.backup_id = s.text(2);
  h.reason = s.text(3);
  h.until = s.opt_text(4);
  h.created_by = s.text(5);
  h.created_at = s.text(6);
  h.released_by = s.opt_text(7);
  h.released_at = s.opt_text(8);
  h.release_reason = s.opt_text(9);
  return h;
}

// The backup's row id and full ID; refuses unknown and deleted backups.
std::pair<std::int64_t, std::string> resolve_backup(Database& db, const std::string& id)
{
  auto row = find_backup(db, id);
  if (!row) throw UsageError("no backup with ID '" + id + "' (see 'lastgood backups')");
  auto deleted = db.prepare("SELECT deleted_at FROM backups WHERE id = ?");
  deleted.bind(1, row->id);
  if (deleted.step() && !deleted.is_null(0))
    throw UsageError("backup " + row->backup_id + " was deleted by retention at " +
                     deleted.text(0) + "; there is nothing left to hold");
  return {row->id, row->backup_id};
}

} // namespace

std::string HoldRecord::state(TimePoint now) const
{
  if (released_at) return "released";
  if (until && parse_rfc3339(*until) <= now) return "expired";
  return "active";
}

std::string active_hold_condition(std::string_view alias, std::string_view at)
{
  const std::string a(alias), t(at);
  return "(" + a + ".released_at IS NULL OR " + a + ".released_at > " + t + ") AND (" + a +
         ".until IS NULL OR " + a + ".until > " + t + ")";
}

bool backup_held_at(Database& db, std::int64_t backup_row_id, const std::string& at)
{
  auto s = db.prepare("SELECT 1 FROM holds h WHERE h.backup_id = ?1 AND " +
                      active_hold_condition("h", "?2") + " LIMIT 1");
  s.bind_all(backup_row_id, at);
  return s.step();
}

HoldRecord insert_hold(Database& db, const std::string& backup_id,
                       const std::optional<std::string>& until, const std::string& reason,
                       const std::string& created_at)
{
  Transaction tx(db);
  auto [row_id, full_id] = resolve_backup(db, backup_id);
  const auto actor = current_actor();
  db.prepare("INSERT INTO holds (backup_id, reason, until, created_by, created_at) VALUES (?, ?, "
             "?, ?, ?)")
      .bind_all(row_id, reason, until, actor, created_at)
      .run();
  const auto id = db.last_insert_id();
  write_audit(db, "hold.add", full_id, Severity::Info,
              {{"hold", id},
               {"until", until ? nlohmann::json(*until) : nlohmann::json()},
               {"reason", reason}});
  auto s = db.prepare(std::string(kSelect) + " WHERE h.id = ?");
  s.bind(1, id);
  s.step();
  auto record = read_hold(s);
  tx.commit();
  return record;
}

std::vector<HoldRecord> release_active_holds(Database& db, const std::string& backup_id,
                                             const std::string& reason, const std::string& at)
{
  Transaction tx(db);
  auto row = find_backup(db, backup_id);
  if (!row) throw UsageError("no backup with ID '" + backup_id + "' (see 'lastgood hold list')");
  auto s = db.prepare(std::string(kSelect) + " WHERE h.backup_id = ?1 AND " +
                      active_hold_condition("h", "?2") + " ORDER BY h.id");
  s.bind_all(row->id, at);
  std::vector<HoldRecord> active;
  while (s.step())
    active.push_back(read_hold(s));
  if (active.empty())
    throw UsageError("backup " + row->backup_id + " has no active hold (see 'lastgood hold list')");
  const auto actor = current_actor();
  auto update = db.prepare(
      "UPDATE holds SET released_by = ?, released_at = ?, release_reason = ? WHERE id = ?");
  for (auto& h : active) {
    write_audit(db, "hold.release", row->backup_id, Severity::Info,
                {{"hold", h.id}, {"reason", reason}, {"hold_reason", h.reason}});
    update.bind_all(actor, at, reason, h.id).run();
    h.released_by = actor;
    h.released_at = at;
    h.release_reason = reason;
  }
  tx.commit();
  return active;
}

std::vector<HoldRecord> list_holds(Database& db)
{
  auto s = db.prepare(std::string(kSelect) + " ORDER BY h.id DESC");
  std::vector<HoldRecord> out;
  while (s.step())
    out.push_back(read_hold(s));
  return out;
}

} // namespace lastgood::catalog
