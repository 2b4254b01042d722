-- wal search and --target-xid: what each archived segment's transactions did,
-- read once with pg_waldump and kept (pg::WalActivity as JSON), so a second
-- search over the same window reads no WAL. Keyed like wal_commit_times: an
-- object whose content changed (sha256) is read again.
CREATE TABLE wal_activity (
  object_id   INTEGER PRIMARY KEY REFERENCES objects(id),
  sha256      TEXT,
  activity    TEXT NOT NULL,
  computed_at TEXT NOT NULL
);
-- A relation's identity in a base backup's own catalog (pg_class of a
-- test-restored copy), for names that no live server knows any more (DROP).
-- found = 0 records that the backup does not have it, so it is not restored again.
CREATE TABLE base_backup_relations (
  backup_id       INTEGER NOT NULL REFERENCES backups(id),
  database_name   TEXT NOT NULL,
  schema_name     TEXT NOT NULL,
  relation_name   TEXT NOT NULL,
  found           INTEGER NOT NULL,
  database_oid    INTEGER,
  relation_oid    INTEGER,
  tablespace_oid  INTEGER,
  relfilenode     INTEGER,
  computed_at     TEXT NOT NULL,
  PRIMARY KEY (backup_id, database_name, schema_name, relation_name)
);
