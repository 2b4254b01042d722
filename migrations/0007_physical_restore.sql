-- Physical restores and PITR drills.
-- A test restore of a base backup (verify --level restore|pitr) records where
-- recovery stopped; `restore --pgdata` runs get a history of their own (the
-- logical restore_runs table needs a target server and database).

ALTER TABLE verification_runs ADD COLUMN recovery_point TEXT;  -- JSON: redo_done, stop, last_transaction_time...

CREATE TABLE physical_restore_runs (
  id               INTEGER PRIMARY KEY,
  backup_id        INTEGER NOT NULL REFERENCES backups(id),
  pgdata           TEXT NOT NULL,   -- the data directory written
  target           TEXT NOT NULL,   -- JSON: time | lsn | immediate | latest, timeline, action
  wal_segments     INTEGER,         -- WAL files the plan needs from the archive
  started_at       TEXT NOT NULL,
  finished_at      TEXT,
  duration_seconds REAL,
  outcome          TEXT NOT NULL DEFAULT 'running'
                   CHECK (outcome IN ('running', 'pass', 'fail', 'error')),
  message          TEXT,            -- what was restored and reached, or why not
  recovery_point   TEXT,            -- JSON, with --start: where recovery stopped
  host             TEXT NOT NULL,
  pid              INTEGER NOT NULL,
  tool_version     TEXT NOT NULL
);
CREATE INDEX physical_restore_runs_by_backup ON physical_restore_runs(backup_id, started_at);
