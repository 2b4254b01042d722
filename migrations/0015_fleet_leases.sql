-- Many verifier hosts share one catalog (issue 15). A lease now carries a
-- heartbeat: its holder ("host:pid:start", start = the process's start time,
-- so a reused pid is not mistaken for the holder) renews expires_at while it
-- works; a lease whose heartbeat stopped expires and any host takes it over.
-- source_key and restores let lease acquisition cap concurrent test restores
-- per source server across every process sharing the catalog.
ALTER TABLE verification_leases ADD COLUMN acquired_at TEXT;
ALTER TABLE verification_leases ADD COLUMN heartbeat_at TEXT;
ALTER TABLE verification_leases ADD COLUMN source_key TEXT;
ALTER TABLE verification_leases ADD COLUMN restores INTEGER NOT NULL DEFAULT 0;
CREATE INDEX verification_leases_by_source ON verification_leases(source_key, restores);

-- Views for dashboards (Grafana's SQL data source, docs/grafana/) and auditors:
-- written in SQL that SQLite and PostgreSQL both speak (no date functions: a
-- panel computes ages from the RFC 3339 times). A scope is what one test
-- restore stands for: a source's database (dumps) or a cluster (base backups).

-- Every backup, deleted ones too (history outlives them), with its scope.
CREATE VIEW v_backup_scopes AS
SELECT b.id, b.backup_id, coalesce(b.source, 'default') AS source, b.kind, b.format, b.database,
       c.system_identifier,
       CASE WHEN b.kind = 'logical'
            THEN 'database ' || coalesce(b.source || '/', '') || coalesce(b.database, '?')
            ELSE 'cluster ' || coalesce(c.system_identifier, '?') END AS scope,
       coalesce(b.stop_time, b.start_time, b.first_seen) AS taken_at, b.deleted_at
FROM backups b
LEFT JOIN clusters c ON c.id = b.cluster_id;

-- Every backup not deleted, with its scope, when it was taken and its evidence.
CREATE VIEW v_backups_state AS
SELECT v.backup_id, v.source, v.kind, v.format, v.database, v.system_identifier, v.scope,
       v.taken_at, b.size_bytes, b.status,
       CASE WHEN b.missing_since IS NULL THEN 0 ELSE 1 END AS missing,
       s.last_restore_outcome, s.last_restore_at, s.last_verified_at
FROM v_backup_scopes v
JOIN backups b ON b.id = v.id
JOIN v_backup_status s ON s.id = v.id
WHERE v.deleted_at IS NULL;

-- Per scope, the newest backup a test restore proved good and that is still there.
CREATE VIEW v_newest_restorable AS
SELECT scope, source, database, system_identifier, backup_id, taken_at, last_restore_at
FROM (SELECT v.*, row_number() OVER (PARTITION BY v.scope ORDER BY v.taken_at DESC,
                                                          v.backup_id DESC) AS nth
      FROM v_backups_state v WHERE v.status = 'good' AND v.missing = 0) ranked
WHERE nth = 1;

-- Every verification run (of deleted backups too), with its backup's scope.
CREATE VIEW v_verification_history AS
SELECT r.id AS run, v.backup_id, v.source, v.scope, r.level, r.trigger, r.outcome, r.started_at,
       r.finished_at, r.duration_seconds, r.host,
       (SELECT count(*) FROM verification_findings f WHERE f.run_id = r.id) AS findings
FROM verification_runs r
JOIN v_backup_scopes v ON v.id = r.backup_id;

-- Per scope, its newest finished test restore (a restore- or pitr-level run).
CREATE VIEW v_last_test_restore AS
SELECT scope, source, backup_id, run, level, outcome, started_at, finished_at, duration_seconds,
       host
FROM (SELECT h.*, row_number() OVER (PARTITION BY h.scope ORDER BY h.run DESC) AS nth
      FROM v_verification_history h
      WHERE h.level IN ('restore', 'pitr') AND h.outcome IN ('pass', 'fail', 'error')) ranked
WHERE nth = 1;

-- How many backups of each source are good, bad or unverified.
CREATE VIEW v_verdict_counts AS
SELECT source, status, count(*) AS backups
FROM v_backups_state
WHERE missing = 0
GROUP BY source, status;

-- Per cluster and timeline: the archived WAL range, its segments, and how many
-- segments inside the range are missing (0: the range is unbroken).
CREATE VIEW v_wal_coverage AS
SELECT c.system_identifier, w.timeline, min(w.name) AS first_segment, max(w.name) AS last_segment,
       count(DISTINCT w.segno) AS segments,
       max(w.segno) - min(w.segno) + 1 - count(DISTINCT w.segno) AS missing_segments
FROM wal_segments w
JOIN objects o ON o.id = w.object_id
LEFT JOIN clusters c ON c.id = w.cluster_id
WHERE o.missing_since IS NULL AND w.partial = 0
GROUP BY c.system_identifier, w.timeline;

-- What the fleet is verifying now: one row per lease, live or expired.
CREATE VIEW v_verification_leases AS
SELECT b.backup_id, l.holder, l.source_key, l.restores, l.run_id AS run, l.acquired_at,
       l.heartbeat_at, l.expires_at
FROM verification_leases l
JOIN backups b ON b.id = l.backup_id;
