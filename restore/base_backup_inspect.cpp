#include "restore/base_backup_inspect.hpp"

#include "catalog/backup_queries.hpp"
#include "catalog/repositories.hpp"
#include "pg/lsn.hpp"
#include "storage/storage.hpp"
#include "verifier/physical_restore_level.hpp"

namespace lastgood::restore {

std::optional<std::string> inspect_base_backup(catalog::Database& db,
                                               const catalog::BaseBackupRow& row,
                                               std::optional<std::uint64_t> before_lsn,
                                               const std::function<void(pg::ScratchCluster&)>& read,
                                               const VerifyConfig& config,
                                               const std::string& config_path)
{
  auto backup = catalog::find_backup(db, row.backup_id);
  auto url = catalog::repository_url(db, row.repository_id);
  if (!backup || !url) return "it is no longer in the catalog";
  auto storage = storage::open_storage(*url);
  verifier::PhysicalRestoreRequest request;
  request.config_path = config_path;
  request.data_checks = false;
  if (before_lsn) {
    request.target_lsn = pg::Lsn{*before_lsn}.str();
    request.target_inclusive = false; // the record at before_lsn is not replayed
  }
  bool inspected = false;
  request.inspect = [&](pg::ScratchCluster& cluster) {
    inspected = true;
    read(cluster);
  };
  auto result = verifier::restore_base_backup_and_check(
      db, *storage, *backup, catalog::backup_objects(db, backup->id), request, config);
  if (inspected) return std::nullopt;
  for (const auto& f : result.findings.items())
    if (f.severity != verifier::Severity::Warning) return f.message;
  return "it could not be restored";
}

} // namespace lastgood::restore
