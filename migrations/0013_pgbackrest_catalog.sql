-- Repositories written by another backup tool: their format ('pgbackrest';
-- NULL = files as they come) and, for pgBackRest, the stanza cataloged.
-- A pgBackRest backup is a physical backup (format 'pgbackrest') whose type
-- (full | diff | incr), prior backup and references (every backup whose
-- files it uses, by label) say what it depends on.
ALTER TABLE repositories ADD COLUMN format TEXT;
ALTER TABLE repositories ADD COLUMN stanza TEXT;
ALTER TABLE backups ADD COLUMN backup_type TEXT;
ALTER TABLE backups ADD COLUMN prior_label TEXT;
CREATE TABLE backup_references (
  backup_id INTEGER NOT NULL REFERENCES backups(id),
  label     TEXT NOT NULL,              -- a backup of the same repository (backups.label)
  PRIMARY KEY (backup_id, label)
);
