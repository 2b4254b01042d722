#include "catalog/backup_details.hpp"

namespace lastgood::catalog {

std::optional<std::string> backup_compression(Database& db, std::int64_t backup_row_id)
{
  auto s = db.prepare("SELECT coalesce(compression, '') FROM backups WHERE id = ?");
  s.bind(1, backup_row_id);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

void set_backup_label(Database& db, std::int64_t backup_row_id, const std::string& label)
{
  db.prepare("UPDATE backups SET label = ? WHERE id = ?").bind_all(label, backup_row_id).run();
}

} // namespace lastgood::catalog
