#include "catalog/last_good.hpp"

#include "catalog/repositories.hpp"

namespace lastgood::catalog {

std::optional<std::string> newest_backup_with_status(Database& db, const NewestBackupQuery& query)
{
  auto s = db.prepare("SELECT backup_id FROM v_backups WHERE status = ?1 AND deleted_at IS NULL"
                      " AND missing_since IS NULL AND (?2 IS NULL OR database = ?2)"
                      // A dump records its server's cluster too; --cluster asks for base backups.
                      " AND (?3 IS NULL OR system_identifier = ?3 AND kind = 'physical')"
                      " AND (?4 IS NULL OR coalesce(stop_time, start_time) < ?4)"
                      " AND (?5 IS NULL OR coalesce(source, ?6) = ?5)"
                      " ORDER BY coalesce(stop_time, start_time) DESC NULLS LAST, id DESC LIMIT 1");
  s.bind_all(query.status, query.database, query.cluster, query.before, query.source,
             kDefaultSource);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

std::optional<std::int64_t> last_restore_run_id(Database& db, std::int64_t backup_row_id)
{
  auto s = db.prepare("SELECT last_restore_run FROM v_backup_status WHERE id = ?");
  s.bind(1, backup_row_id);
  if (!s.step() || s.is_null(0)) return std::nullopt;
  return s.int64(0);
}

} // namespace lastgood::catalog
