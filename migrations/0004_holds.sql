-- Legal holds: a backup under an active hold is never deleted, whatever the
-- retention policy says. A hold expires by itself at `until` (NULL: held
-- until released); releasing is recorded here and in the audit log, never
-- by deleting the row.

CREATE TABLE holds (
  id             INTEGER PRIMARY KEY,
  backup_id      INTEGER NOT NULL REFERENCES backups(id),
  reason         TEXT NOT NULL,
  until          TEXT,            -- RFC 3339; NULL = indefinite
  created_by     TEXT NOT NULL,   -- OS user
  created_at     TEXT NOT NULL,
  released_by    TEXT,
  released_at    TEXT,
  release_reason TEXT
);
CREATE INDEX holds_by_backup ON holds(backup_id);

-- Retention deletes objects (WAL segments, backup files) as well as backups:
-- the row stays, marked, so history is never lost.
ALTER TABLE objects ADD COLUMN deleted_at TEXT;
