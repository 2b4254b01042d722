-- The catalog's first schema: where backups live, every object in them, what
-- those objects are (backups, WAL, timelines), and the audit log.
-- Times are RFC 3339 UTC text ("2026-11-22T02:00:00Z"), which sorts correctly.
-- LSNs are integers (byte positions); system identifiers are decimal text
-- because they are unsigned 64-bit.

CREATE TABLE repositories (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  url         TEXT NOT NULL,            -- without credentials
  created_at  TEXT NOT NULL,
  removed_at  TEXT                      -- 'repo remove' keeps the row and its history
);
CREATE UNIQUE INDEX repositories_active_name ON repositories(name) WHERE removed_at IS NULL;

CREATE TABLE scans (
  id              INTEGER PRIMARY KEY,
  repository_id   INTEGER NOT NULL REFERENCES repositories(id),
  started_at      TEXT NOT NULL,
  finished_at     TEXT,
  objects_new     INTEGER NOT NULL DEFAULT 0,
  objects_changed INTEGER NOT NULL DEFAULT 0,
  objects_unchanged INTEGER NOT NULL DEFAULT 0,
  objects_missing INTEGER NOT NULL DEFAULT 0,
  problems        INTEGER NOT NULL DEFAULT 0,
  bytes_hashed    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE objects (
  id            INTEGER PRIMARY KEY,
  repository_id INTEGER NOT NULL REFERENCES repositories(id),
  key           TEXT NOT NULL,
  size          INTEGER NOT NULL,
  mtime_ns      INTEGER,
  etag          TEXT,
  version_id    TEXT,
  retain_until  TEXT,                   -- object lock retain-until, when known
  sha256        TEXT,                   -- NULL until the content could be read
  kind          TEXT NOT NULL DEFAULT 'other',
  detail        TEXT,                   -- JSON: what the parsers read from it (header fields, LSNs...)
  problem       TEXT,                   -- why it could not be read or classified, NULL if fine
  first_seen    TEXT NOT NULL,
  last_seen     TEXT NOT NULL,
  last_scan_id  INTEGER REFERENCES scans(id),
  last_hashed   TEXT,
  missing_since TEXT,
  UNIQUE (repository_id, key)
);
CREATE INDEX objects_by_scan ON objects(repository_id, last_scan_id);
CREATE INDEX objects_by_kind ON objects(kind);
CREATE INDEX objects_missing ON objects(missing_since) WHERE missing_since IS NOT NULL;

CREATE TABLE clusters (
  id                INTEGER PRIMARY KEY,
  system_identifier TEXT NOT NULL UNIQUE,
  pg_version        TEXT,
  wal_segment_size  INTEGER,
  first_seen        TEXT NOT NULL
);

CREATE TABLE backups (
  id             INTEGER PRIMARY KEY,
  backup_id      TEXT NOT NULL UNIQUE,  -- short human ID, e.g. 20261122T0200-shop-7f3a
  repository_id  INTEGER NOT NULL REFERENCES repositories(id),
  root_key       TEXT NOT NULL,         -- the file or directory that is the backup
  kind           TEXT NOT NULL CHECK (kind IN ('logical', 'physical')),
  format         TEXT NOT NULL,         -- custom | directory | tar | plain | plain_cluster | base_plain | base_tar
  cluster_id     INTEGER REFERENCES clusters(id),
  database       TEXT,
  label          TEXT,
  start_time     TEXT,
  stop_time      TEXT,
  start_lsn      INTEGER,
  stop_lsn       INTEGER,
  timeline       INTEGER,
  stop_timeline  INTEGER,
  server_version TEXT,
  tool_version   TEXT,
  compression    TEXT,
  size_bytes     INTEGER NOT NULL DEFAULT 0,
  status         TEXT NOT NULL DEFAULT 'unverified' CHECK (status IN ('unverified', 'good', 'bad')),
  problem        TEXT,                  -- what the scan found wrong with it (truncated, unreadable...)
  first_seen     TEXT NOT NULL,
  last_seen      TEXT NOT NULL,
  missing_since  TEXT,
  deleted_at     TEXT,
  UNIQUE (repository_id, root_key)
);
CREATE INDEX backups_by_database ON backups(database, start_time);
CREATE INDEX backups_by_cluster ON backups(cluster_id, stop_lsn);

CREATE TABLE backup_objects (
  backup_id INTEGER NOT NULL REFERENCES backups(id),
  object_id INTEGER NOT NULL REFERENCES objects(id),
  role      TEXT NOT NULL,              -- archive | toc | data | label | manifest | pg_control | base_tar | wal_tar | tablespace_tar | file
  PRIMARY KEY (backup_id, object_id)
);
CREATE INDEX backup_objects_by_object ON backup_objects(object_id);

CREATE TABLE wal_segments (
  object_id         INTEGER PRIMARY KEY REFERENCES objects(id),
  cluster_id        INTEGER REFERENCES clusters(id),  -- from the segment's own page header
  timeline          INTEGER NOT NULL,
  segno             INTEGER NOT NULL,
  segment_size      INTEGER NOT NULL,
  name              TEXT NOT NULL,      -- canonical 24-character name
  partial           INTEGER NOT NULL DEFAULT 0,
  compression       TEXT NOT NULL DEFAULT '',
  header_timeline   INTEGER,
  header_pageaddr   INTEGER,
  problem           TEXT                -- e.g. page address does not match the name
);
CREATE INDEX wal_segments_chain ON wal_segments(cluster_id, timeline, segno);

CREATE TABLE timeline_history (
  object_id        INTEGER NOT NULL REFERENCES objects(id),
  cluster_id       INTEGER REFERENCES clusters(id),
  timeline         INTEGER NOT NULL,    -- the timeline this file describes
  parent_timeline  INTEGER NOT NULL,
  switch_lsn       INTEGER NOT NULL,
  reason           TEXT,
  PRIMARY KEY (object_id, parent_timeline)
);
CREATE INDEX timeline_history_by_cluster ON timeline_history(cluster_id, timeline);

CREATE TABLE backup_history_files (   -- WAL archive .backup files
  object_id      INTEGER PRIMARY KEY REFERENCES objects(id),
  cluster_id     INTEGER REFERENCES clusters(id),
  start_lsn      INTEGER NOT NULL,
  stop_lsn       INTEGER,
  start_timeline INTEGER,
  stop_timeline  INTEGER,
  start_time     TEXT,
  stop_time      TEXT,
  label          TEXT
);
CREATE INDEX backup_history_by_start ON backup_history_files(start_lsn);

CREATE TABLE audit_log (
  id        INTEGER PRIMARY KEY,
  at        TEXT NOT NULL,
  actor     TEXT NOT NULL,              -- OS user
  action    TEXT NOT NULL,              -- repo.add, repo.remove, scan.object_changed, ...
  subject   TEXT,
  severity  TEXT NOT NULL DEFAULT 'info' CHECK (severity IN ('info', 'warning', 'error')),
  detail    TEXT                        -- JSON
);
CREATE INDEX audit_log_by_time ON audit_log(at);

CREATE VIEW v_backups AS
SELECT b.*, r.name AS repository, c.system_identifier,
       (SELECT count(*) FROM backup_objects bo WHERE bo.backup_id = b.id) AS object_count,
       (SELECT count(*) FROM backup_objects bo JOIN objects o ON o.id = bo.object_id
         WHERE bo.backup_id = b.id AND o.missing_since IS NOT NULL) AS objects_missing
FROM backups b
JOIN repositories r ON r.id = b.repository_id
LEFT JOIN clusters c ON c.id = b.cluster_id;
