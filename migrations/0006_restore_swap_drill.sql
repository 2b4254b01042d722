-- Restore with --drop-existing swaps databases: the existing one is renamed
-- aside (kept, never dropped by lastgood), after a safety snapshot unless told
-- otherwise, and the restored one takes its name. `restore --rollback RUN`
-- swaps back while the aside database is still there; those columns are the
-- only ones written after a run ends.
ALTER TABLE restore_runs ADD COLUMN drop_existing INTEGER NOT NULL DEFAULT 0;
ALTER TABLE restore_runs ADD COLUMN aside_database TEXT;        -- <name>__lastgood_old_<id>, set before the rename
ALTER TABLE restore_runs ADD COLUMN safety_snapshot_backup_id INTEGER REFERENCES backups(id);
ALTER TABLE restore_runs ADD COLUMN terminated_sessions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE restore_runs ADD COLUMN swapped_at TEXT;            -- the restored database took the name
ALTER TABLE restore_runs ADD COLUMN rolled_back_at TEXT;        -- restore --rollback swapped back
ALTER TABLE restore_runs ADD COLUMN rolled_back_database TEXT;  -- <name>__lastgood_rolledback_<id>

-- The restore drill (`lastgood drill`): one row per drill with every step's
-- outcome and duration. Its checksum and test restore are verification runs
-- (trigger 'drill') like any other; this row ties them together.
CREATE TABLE drill_runs (
  id               INTEGER PRIMARY KEY,
  database         TEXT NOT NULL,
  backup_id        INTEGER REFERENCES backups(id),   -- NULL when no backup was found
  checksum_run     INTEGER REFERENCES verification_runs(id),
  restore_run      INTEGER REFERENCES verification_runs(id),
  started_at       TEXT NOT NULL,
  finished_at      TEXT,
  duration_seconds REAL,
  outcome          TEXT NOT NULL DEFAULT 'running'
                   CHECK (outcome IN ('running', 'pass', 'fail', 'error')),
  steps            TEXT NOT NULL DEFAULT '[]',         -- JSON: name, outcome, seconds, detail
  host             TEXT NOT NULL,
  pid              INTEGER NOT NULL,
  tool_version     TEXT NOT NULL
);
CREATE INDEX drill_runs_by_database ON drill_runs(database, started_at);
