-- The fleet report without passes over every object (issue 15, bench/fleet at
-- 10,300,000 objects: each of these was a whole-table scan of 2-6 s): objects
-- with a problem (count_objects_with_problems), objects deleted in a period
-- (wal_deleted_between, retention's history), and the few present WAL segments
-- recovery cannot use (.partial or damaged: wal_summary's unusable segments).
CREATE INDEX objects_with_problem ON objects(first_seen) WHERE problem IS NOT NULL;
CREATE INDEX objects_deleted ON objects(deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX wal_segments_unusable ON wal_segments(cluster_id, timeline, segno)
  WHERE partial <> 0 OR problem IS NOT NULL;
