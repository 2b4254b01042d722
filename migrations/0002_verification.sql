-- Verification history: every run is a new row, never overwritten.

CREATE TABLE verification_runs (
  id               INTEGER PRIMARY KEY,
  backup_id        INTEGER NOT NULL REFERENCES backups(id),
  level            TEXT NOT NULL CHECK (level IN ('checksum', 'structure', 'restore', 'pitr')),
  trigger          TEXT NOT NULL DEFAULT 'manual',  -- manual | due | drill
  started_at       TEXT NOT NULL,
  finished_at      TEXT,
  duration_seconds REAL,
  outcome          TEXT NOT NULL DEFAULT 'running'
                   CHECK (outcome IN ('running', 'pass', 'fail', 'error')),
  scratch          TEXT,        -- 'auto' or the scratch server, credentials removed
  scratch_database TEXT,        -- lastgood_verify_<id> while a restore runs
  host             TEXT NOT NULL,
  pid              INTEGER NOT NULL,
  tool_version     TEXT NOT NULL
);
CREATE INDEX verification_runs_by_backup ON verification_runs(backup_id, level, started_at);
CREATE INDEX verification_runs_running ON verification_runs(outcome) WHERE outcome = 'running';

CREATE TABLE verification_findings (
  id       INTEGER PRIMARY KEY,
  run_id   INTEGER NOT NULL REFERENCES verification_runs(id),
  kind     TEXT NOT NULL,     -- checksum_mismatch, missing_object, restore_failed, check_failed, data_shrink, ...
  severity TEXT NOT NULL CHECK (severity IN ('warning', 'failure', 'error')),
  subject  TEXT,              -- the object key or table it is about
  message  TEXT NOT NULL,
  detail   TEXT               -- JSON
);
CREATE INDEX verification_findings_by_run ON verification_findings(run_id);

CREATE TABLE verification_row_counts (
  run_id      INTEGER NOT NULL REFERENCES verification_runs(id),
  schema_name TEXT NOT NULL,
  table_name  TEXT NOT NULL,
  row_count   INTEGER NOT NULL,
  PRIMARY KEY (run_id, schema_name, table_name)
);

-- At most one verifier works on a backup at a time (verify --due on many hosts).
CREATE TABLE verification_leases (
  backup_id  INTEGER PRIMARY KEY REFERENCES backups(id),
  holder     TEXT NOT NULL,   -- host:pid
  run_id     INTEGER REFERENCES verification_runs(id),
  expires_at TEXT NOT NULL
);

-- Status evidence per backup: the newest restore-level verdict, and whether a
-- later checksum/structure run failed (which demotes, never promotes).
-- "Later" is by run id: ids follow start order exactly, timestamps only to the second.
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
   WHERE x.backup_id = b.id AND x.level IN ('restore', 'pitr') AND x.outcome IN ('pass', 'fail')
   ORDER BY x.id DESC LIMIT 1);
