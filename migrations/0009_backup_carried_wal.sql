-- The WAL a base backup carries itself (pg_basebackup -X fetch / -X stream):
-- segments found in its pg_wal/ directory, pg_wal.tar or under pg_wal/ in
-- base.tar. Facts about the object holding them (the pg_wal/ file or the
-- tar), replaced whenever that object is read again; a backup's own WAL is
-- what its member objects carry. PITR planning and `wal` count these as
-- present from the backup's start to its consistency point.
CREATE TABLE backup_carried_wal (
  object_id         INTEGER NOT NULL REFERENCES objects(id),
  name              TEXT NOT NULL,      -- canonical 24-character segment name
  timeline          INTEGER NOT NULL,
  segno             INTEGER NOT NULL,
  segment_size      INTEGER NOT NULL,
  system_identifier TEXT,               -- from its page header; NULL when unreadable
  problem           TEXT,               -- e.g. page address does not match the name
  PRIMARY KEY (object_id, name)
);
CREATE INDEX backup_carried_wal_by_segment ON backup_carried_wal(timeline, segno);
