-- Point-in-time recovery planning (restore/pitr_plan).
--
-- wal_segments.unavailable mirrors "its object is missing or deleted", kept
-- by triggers whoever changes objects, so the planner counts a range of
-- usable segments on one covering index instead of joining a million rows.
ALTER TABLE wal_segments ADD COLUMN unavailable INTEGER NOT NULL DEFAULT 0;
UPDATE wal_segments SET unavailable = (SELECT o.missing_since IS NOT NULL OR o.deleted_at IS NOT NULL
                                       FROM objects o WHERE o.id = wal_segments.object_id);
CREATE TRIGGER wal_segments_unavailable_insert AFTER INSERT ON wal_segments BEGIN
  UPDATE wal_segments SET unavailable = (SELECT o.missing_since IS NOT NULL OR o.deleted_at IS NOT NULL
                                         FROM objects o WHERE o.id = NEW.object_id)
   WHERE object_id = NEW.object_id;
END;
CREATE TRIGGER objects_wal_unavailable AFTER UPDATE OF missing_since, deleted_at ON objects
WHEN (OLD.missing_since IS NULL) <> (NEW.missing_since IS NULL) OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL)
BEGIN
  UPDATE wal_segments SET unavailable = (NEW.missing_since IS NOT NULL OR NEW.deleted_at IS NOT NULL)
   WHERE object_id = NEW.id;
END;
-- Segments recovery may use: whole, present, whose header matched their name.
CREATE INDEX wal_segments_usable ON wal_segments(cluster_id, timeline, segno)
  WHERE partial = 0 AND unavailable = 0 AND problem IS NULL;

-- pg_waldump's view of a segment: its first and latest commit (or abort)
-- timestamps, which map a target time to WAL exactly. Keyed by object: a
-- changed object gets a new sha256 and is recomputed (sha256 remembered).
CREATE TABLE wal_commit_times (
  object_id          INTEGER PRIMARY KEY REFERENCES objects(id),
  sha256             TEXT,
  first_commit_time  TEXT,     -- RFC 3339 UTC with microseconds; NULL when the segment has no commit
  latest_commit_time TEXT,
  first_commit_lsn   INTEGER,
  latest_commit_lsn  INTEGER,
  commits            INTEGER NOT NULL DEFAULT 0,
  computed_at        TEXT NOT NULL
);

-- `pick` asks for the newest backup in a status by its own time; with 10,000
-- backups a sort per call is most of its time.
CREATE INDEX backups_by_status_time ON backups(status, coalesce(stop_time, start_time));

-- plan: base backups by timeline in consistency order, and by time.
CREATE INDEX backups_by_cluster_timeline ON backups(cluster_id, timeline, stop_lsn);
CREATE INDEX backups_by_cluster_stop_time ON backups(cluster_id, stop_time);
CREATE INDEX backups_by_cluster_start_time ON backups(cluster_id, start_time);
