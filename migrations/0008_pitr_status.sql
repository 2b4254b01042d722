-- A PITR drill (verify --level pitr) tests the WAL chain to a target as much
-- as the base backup: a failed one must not mark a proven base backup bad (a
-- missing segment is the archive's fault, and `wal`/`plan` report it). A
-- passing drill still proves the backup restores. So the newest restore
-- verdict is the newest restore-level run, or the newest passing pitr run.
DROP VIEW v_backup_status;
CREATE VIEW v_backup_status AS
SELECT b.id, b.backup_id, b.database, b.cluster_id, b.status,
       r.id AS last_restore_run, r.outcome AS last_restore_outcome, r.finished_at AS last_restore_at,
       (SELECT max(c.finished_at) FROM verification_runs c
         WHERE c.backup_id = b.id AND c.level IN ('checksum', 'structure') AND c.outcome = 'fail'
           AND (r.id IS NULL OR c.id > r.id)) AS failed_check_after,
       (SELECT max(v.finished_at) FROM verification_runs v
         WHERE v.backup_id = b.id AND v.outcome IN ('pass', 'fail')) AS last_verified_at
FROM backups b
LEFT JOIN verification_runs r ON r.id = (
  SELECT id FROM verification_runs x
   WHERE x.backup_id = b.id
     AND (x.level = 'restore' AND x.outcome IN ('pass', 'fail') OR x.level = 'pitr' AND x.outcome = 'pass')
   ORDER BY x.id DESC LIMIT 1);
