-- wal search, tables created after a base backup: the backup recovered to
-- just before a WAL record (recovery_target_lsn, exclusive) and its pg_class
-- read there. Every table's relation file seen at that point is kept, and so
-- is the fact that the point was looked at, so a second search recovers nothing.
CREATE TABLE base_backup_relfilenodes (
  backup_id       INTEGER NOT NULL REFERENCES backups(id),
  database_name   TEXT NOT NULL,
  tablespace_oid  INTEGER NOT NULL,
  relfilenode     INTEGER NOT NULL,
  database_oid    INTEGER NOT NULL,
  relation_oid    INTEGER NOT NULL,
  schema_name     TEXT NOT NULL,
  relation_name   TEXT NOT NULL,
  seen_before_lsn INTEGER NOT NULL,
  PRIMARY KEY (backup_id, database_name, tablespace_oid, relfilenode)
);
-- outcome: 'read' (pg_class read there) or the reason it could not be.
CREATE TABLE base_backup_lsn_lookups (
  backup_id     INTEGER NOT NULL REFERENCES backups(id),
  database_name TEXT NOT NULL,
  before_lsn    INTEGER NOT NULL,
  outcome       TEXT NOT NULL,
  computed_at   TEXT NOT NULL,
  PRIMARY KEY (backup_id, database_name, before_lsn)
);
