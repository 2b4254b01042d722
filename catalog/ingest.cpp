#include "catalog/ingest.hpp"

#include "catalog/backup_builder.hpp"
#include "catalog/classify.hpp"
#include "catalog/object_records.hpp"
#include "common/error.hpp"
#include "common/time.hpp"

namespace lastgood::catalog {

IngestedBackup ingest_backup(Database& db, const Repository& repository,
                             const std::vector<IngestObject>& objects, const std::string& root_key,
                             const std::string& start_time, const std::string& stop_time,
                             const std::optional<std::string>& system_identifier)
{
  const std::string now = format_rfc3339(now_seconds());
  Transaction tx(db);
  db.prepare("INSERT INTO scans (repository_id, started_at) VALUES (?, ?)")
      .bind_all(repository.id, now)
      .run();
  const std::int64_t scan_id = db.last_insert_id();
  ObjectRecords records(db, repository.id, scan_id, now);
  std::uint64_t added = 0, changed = 0, bytes = 0;
  for (const auto& object : objects) {
    ReadResult r;
    r.info = object.info;
    r.sha256 = object.sha256;
    r.fast = object.fast;
    r.bytes_read = object.info.size;
    r.classification = classify_object(object.info.key, object.info.size, object.head, object.tail);
    auto previous = records.find(object.info.key);
    records.record(r, previous);
    ++(previous ? changed : added);
    bytes += object.info.size;
  }
  build_backups(db, repository.id, now);
  db.prepare("UPDATE scans SET finished_at = ?, objects_new = ?, objects_changed = ?, bytes_hashed "
             "= ? WHERE id = ?")
      .bind_all(format_rfc3339(now_seconds()), added, changed, bytes, scan_id)
      .run();
  std::optional<std::int64_t> cluster;
  if (system_identifier) cluster = ensure_cluster(db, *system_identifier, 0, 0);
  db.prepare(
        "UPDATE backups SET start_time = ?, stop_time = ?, cluster_id = coalesce(?, cluster_id)"
        " WHERE repository_id = ? AND root_key = ?")
      .bind_all(start_time, stop_time, cluster, repository.id, root_key)
      .run();
  auto found = db.prepare("SELECT id, backup_id, coalesce(problem, '') FROM backups"
                          " WHERE repository_id = ? AND root_key = ?");
  found.bind_all(repository.id, root_key);
  if (!found.step()) {
    std::string why;
    auto problem = db.prepare(
        "SELECT kind, coalesce(problem, '') FROM objects WHERE repository_id = ? AND key = ?");
    problem.bind_all(repository.id, root_key);
    if (problem.step())
      why = " (classified as " + problem.text(0) +
            (problem.text(1).empty() ? "" : ": " + problem.text(1)) + ")";
    throw Error("the backup was stored at " + root_key + " in repository " + repository.name +
                " but is not recognised as a backup" + why +
                "; nothing was cataloged. Inspect the object, then run 'lastgood scan " +
                repository.name + "'");
  }
  IngestedBackup result;
  result.row_id = found.int64(0);
  result.backup_id = found.text(1);
  result.problem = found.text(2);
  found.reset();
  tx.commit();
  return result;
}

} // namespace lastgood::catalog
