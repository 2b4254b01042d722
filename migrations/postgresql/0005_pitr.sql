-- 0005 on PostgreSQL: the same columns, index and tables as ../0005_pitr.sql,
-- with its two triggers written as PL/pgSQL trigger functions.
ALTER TABLE wal_segments ADD COLUMN unavailable BIGINT NOT NULL DEFAULT 0;
UPDATE wal_segments SET unavailable = (SELECT CASE WHEN o.missing_since IS NOT NULL
                                                     OR o.deleted_at IS NOT NULL THEN 1 ELSE 0 END
                                       FROM objects o WHERE o.id = wal_segments.object_id);
CREATE FUNCTION wal_segments_unavailable_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE wal_segments SET unavailable = (SELECT CASE WHEN o.missing_since IS NOT NULL
                                                       OR o.deleted_at IS NOT NULL THEN 1 ELSE 0 END
                                         FROM objects o WHERE o.id = NEW.object_id)
   WHERE object_id = NEW.object_id;
  RETURN NULL;
END $$;
CREATE TRIGGER wal_segments_unavailable_insert AFTER INSERT ON wal_segments
  FOR EACH ROW EXECUTE FUNCTION wal_segments_unavailable_insert();
CREATE FUNCTION objects_wal_unavailable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE wal_segments SET unavailable = CASE WHEN NEW.missing_since IS NOT NULL
                                               OR NEW.deleted_at IS NOT NULL THEN 1 ELSE 0 END
   WHERE object_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER objects_wal_unavailable AFTER UPDATE OF missing_since, deleted_at ON objects
  FOR EACH ROW
  WHEN ((OLD.missing_since IS NULL) <> (NEW.missing_since IS NULL)
        OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL))
  EXECUTE FUNCTION objects_wal_unavailable();
-- Segments recovery may use: whole, present, whose header matched their name.
CREATE INDEX wal_segments_usable ON wal_segments(cluster_id, timeline, segno)
  WHERE partial = 0 AND unavailable = 0 AND problem IS NULL;

CREATE TABLE wal_commit_times (
  object_id          BIGINT PRIMARY KEY REFERENCES objects(id),
  sha256             TEXT COLLATE "C",
  first_commit_time  TEXT COLLATE "C",
  latest_commit_time TEXT COLLATE "C",
  first_commit_lsn   BIGINT,
  latest_commit_lsn  BIGINT,
  commits            BIGINT NOT NULL DEFAULT 0,
  computed_at        TEXT COLLATE "C" NOT NULL
);

CREATE INDEX backups_by_status_time ON backups(status, coalesce(stop_time, start_time));
CREATE INDEX backups_by_cluster_timeline ON backups(cluster_id, timeline, stop_lsn);
CREATE INDEX backups_by_cluster_stop_time ON backups(cluster_id, stop_time);
CREATE INDEX backups_by_cluster_start_time ON backups(cluster_id, start_time);
