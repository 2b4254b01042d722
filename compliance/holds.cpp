#include "compliance/holds.hpp"

#include "catalog/audit.hpp"
#include "catalog/backup_queries.hpp"
#include "common/error.hpp"

namespace lastgood::compliance {

namespace {

constexpr const char* kSelect =
    "SELECT h.id, h.backup_id, b.backup_id, h.reason, h.until, h.created_by, h.created_at, "
    "h.released_by,"
    " h.released_at, h.release_reason FROM holds h JOIN backups b ON b.id = h.backup_id";

HoldRecord read_hold(catalog::Statement& s)
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
std::pair<std::int64_t, std::string> resolve_backup(catalog::Database& db, const std::string& id)
{
  auto row = catalog::find_backup(db, id);
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

HoldRecord add_hold(catalog::Database& db, const std::string& backup_id,
                    const std::optional<TimePoint>& until, const std::string& reason, TimePoint now)
{
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos)
    throw UsageError(
        "a hold needs --reason: say why (case number, request...) so auditors can tell");
  if (until && *until <= now)
    throw UsageError("--until " + format_rfc3339(*until) +
                     " is not in the future; a hold must end later than now");
  catalog::Transaction tx(db);
  auto [row_id, full_id] = resolve_backup(db, backup_id);
  const auto actor = catalog::current_actor();
  std::optional<std::string> until_text;
  if (until) until_text = format_rfc3339(*until);
  db.prepare("INSERT INTO holds (backup_id, reason, until, created_by, created_at) VALUES (?, ?, "
             "?, ?, ?)")
      .bind_all(row_id, reason, until_text, actor, format_rfc3339(now))
      .run();
  const auto id = db.last_insert_id();
  catalog::write_audit(db, "hold.add", full_id, catalog::Severity::Info,
                       {{"hold", id},
                        {"until", until_text ? nlohmann::json(*until_text) : nlohmann::json()},
                        {"reason", reason}});
  auto s = db.prepare(std::string(kSelect) + " WHERE h.id = ?");
  s.bind(1, id);
  s.step();
  auto record = read_hold(s);
  tx.commit();
  return record;
}

std::vector<HoldRecord> release_holds(catalog::Database& db, const std::string& backup_id,
                                      const std::string& reason, TimePoint now)
{
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos)
    throw UsageError("releasing a hold needs --reason: say why, it goes into the audit log");
  catalog::Transaction tx(db);
  auto row = catalog::find_backup(db, backup_id);
  if (!row) throw UsageError("no backup with ID '" + backup_id + "' (see 'lastgood hold list')");
  auto s = db.prepare(std::string(kSelect) +
                      " WHERE h.backup_id = ? AND h.released_at IS NULL ORDER BY h.id");
  s.bind(1, row->id);
  std::vector<HoldRecord> active;
  while (s.step()) {
    auto h = read_hold(s);
    if (h.state(now) == "active") active.push_back(std::move(h));
  }
  if (active.empty())
    throw UsageError("backup " + row->backup_id + " has no active hold (see 'lastgood hold list')");
  const auto actor = catalog::current_actor();
  const auto at = format_rfc3339(now);
  auto update = db.prepare(
      "UPDATE holds SET released_by = ?, released_at = ?, release_reason = ? WHERE id = ?");
  for (auto& h : active) {
    catalog::write_audit(db, "hold.release", row->backup_id, catalog::Severity::Info,
                         {{"hold", h.id}, {"reason", reason}, {"hold_reason", h.reason}});
    update.bind_all(actor, at, reason, h.id).run();
    h.released_by = actor;
    h.released_at = at;
    h.release_reason = reason;
  }
  tx.commit();
  return active;
}

std::vector<HoldRecord> list_holds(catalog::Database& db)
{
  auto s = db.prepare(std::string(kSelect) + " ORDER BY h.id DESC");
  std::vector<HoldRecord> out;
  while (s.step())
    out.push_back(read_hold(s));
  return out;
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
