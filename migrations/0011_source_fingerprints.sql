-- The source's fingerprint at backup time: taken by `lastgood backup` in the
-- snapshot pg_dump used (or attached with `lastgood fingerprint --attach`
-- beside another tool), compared table by table after each test restore. A
-- backup whose restored copy differs is bad (finding fingerprint_mismatch).
CREATE TABLE source_fingerprints (
  backup_id  INTEGER PRIMARY KEY REFERENCES backups(id),
  mode       TEXT NOT NULL,             -- counts | full
  wal_lsn    TEXT,                      -- the source's pg_current_wal_lsn() in the snapshot
  taken_at   TEXT NOT NULL,             -- RFC 3339
  how        TEXT NOT NULL              -- backup (same snapshot as pg_dump) | attached
);
CREATE TABLE source_fingerprint_tables (
  backup_id    INTEGER NOT NULL REFERENCES backups(id),
  schema_name  TEXT NOT NULL,
  table_name   TEXT NOT NULL,
  rows         INTEGER NOT NULL,
  content_hash TEXT,                    -- full mode: sum of 64-bit row hashes, decimal
  PRIMARY KEY (backup_id, schema_name, table_name)
);
