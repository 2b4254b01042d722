#include "backup/source_fingerprint.hpp"

#include "catalog/audit.hpp"
#include "catalog/backup_queries.hpp"
#include "catalog/source_fingerprints.hpp"
#include "common/error.hpp"
#include "common/time.hpp"
#include "pg/exact_fingerprint.hpp"

namespace lastgood::backup {

pg::DatabaseFingerprint fingerprint_source(const std::string& conninfo, pg::FingerprintMode mode,
                                           const std::string& snapshot)
{
  if (snapshot.empty()) return pg::fingerprint_at_exact_lsn(conninfo, mode);
  auto f = pg::fingerprint_database(conninfo, mode, snapshot);
  f.lsn_note = "WAL position approximate (read in the given snapshot " + snapshot +
               ", whose exact LSN is not known): a PITR drill to it is not compared as proof";
  return f;
}

AttachedFingerprint attach_source_fingerprint(catalog::Database& db,
                                              const AttachFingerprintRequest& request)
{
  const auto backup = catalog::find_backup(db, request.backup);
  if (!backup)
    throw UsageError("no backup " + request.backup +
                     " in the catalog; `lastgood backups` lists "
                     "them (scan the repository first if the backup is new)");
  if (backup->format == "plain_cluster")
    throw UsageError("backup " + backup->backup_id +
                     " is a pg_dumpall script; a source fingerprint is compared with a test "
                     "restore of one database (a dump, or one database of a base backup)");
  AttachedFingerprint out;
  out.backup_id = backup->backup_id;
  out.fingerprint = fingerprint_source(request.conninfo, request.mode, request.snapshot);
  out.replaced = catalog::source_fingerprint(db, backup->id).has_value();
  catalog::record_source_fingerprint(db, backup->id,
                                     {out.fingerprint, format_rfc3339(now_seconds()), "attached"});
  catalog::write_audit(db, "fingerprint.attached", backup->backup_id, catalog::Severity::Info,
                       {{"mode", pg::to_string(out.fingerprint.mode)},
                        {"tables", out.fingerprint.tables.size()},
                        {"in_snapshot", !request.snapshot.empty()},
                        {"database", out.fingerprint.database_name},
                        {"wal_lsn", out.fingerprint.wal_lsn},
                        {"exact_lsn", out.fingerprint.exact_lsn},
                        {"replaced", out.replaced}});
  return out;
}

} // namespace lastgood::backup
