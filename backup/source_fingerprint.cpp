#include "backup/source_fingerprint.hpp"

#include "catalog/audit.hpp"
#include "catalog/backup_queries.hpp"
#include "catalog/source_fingerprints.hpp"
#include "common/error.hpp"
#include "common/time.hpp"

namespace lastgood::backup {

AttachedFingerprint attach_source_fingerprint(catalog::Database& db,
                                              const AttachFingerprintRequest& request)
{
  const auto backup = catalog::find_backup(db, request.backup);
  if (!backup)
    throw UsageError("no backup " + request.backup +
                     " in the catalog; `lastgood backups` lists "
                     "them (scan the repository first if the backup is new)");
  if (backup->kind == "physical" || backup->format == "plain_cluster")
    throw UsageError("backup " + backup->backup_id +
                     " is not a dump of one database; a source fingerprint is compared with a "
                     "test restore of one database");
  AttachedFingerprint out;
  out.backup_id = backup->backup_id;
  out.fingerprint = pg::fingerprint_database(request.conninfo, request.mode, request.snapshot);
  out.replaced = catalog::source_fingerprint(db, backup->id).has_value();
  catalog::record_source_fingerprint(db, backup->id,
                                     {out.fingerprint, format_rfc3339(now_seconds()), "attached"});
  catalog::write_audit(db, "fingerprint.attached", backup->backup_id, catalog::Severity::Info,
                       {{"mode", pg::to_string(out.fingerprint.mode)},
                        {"tables", out.fingerprint.tables.size()},
                        {"in_snapshot", !request.snapshot.empty()},
                        {"replaced", out.replaced}});
  return out;
}

} // namespace lastgood::backup
