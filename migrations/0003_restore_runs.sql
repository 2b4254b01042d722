-- Restore history: every `restore` of a logical backup into a target server is
-- a new row, written before anything happens on the target and finished with
-- its outcome. Never updated after it ends.

CREATE TABLE restore_runs (
  id                 INTEGER PRIMARY KEY,
  backup_id          INTEGER NOT NULL REFERENCES backups(id),
  target             TEXT NOT NULL,   -- the target server's connection string, credentials removed
  target_database    TEXT NOT NULL,   -- the final name
  temporary_database TEXT,            -- <name>__lastgood_<id> while the restore runs
  options            TEXT NOT NULL,   -- JSON: tables, schema, schema_only, data_only, jobs
  started_at         TEXT NOT NULL,
  finished_at        TEXT,
  duration_seconds   REAL,
  outcome            TEXT NOT NULL DEFAULT 'running'
                     CHECK (outcome IN ('running', 'pass', 'fail', 'error')),
  message            TEXT,            -- why it failed, or what was restored
  host               TEXT NOT NULL,
  pid                INTEGER NOT NULL,
  tool_version       TEXT NOT NULL
);
CREATE INDEX restore_runs_by_backup ON restore_runs(backup_id, started_at);
