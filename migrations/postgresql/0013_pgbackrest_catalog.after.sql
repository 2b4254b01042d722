-- After the shared migration on PostgreSQL: v_backups selects b.*, which
-- PostgreSQL expands when the view is made (SQLite, each time it is used),
-- so the view is made again to carry the columns backups just gained.
DROP VIEW v_backups;
CREATE VIEW v_backups AS
SELECT b.*, r.name AS repository, c.system_identifier,
       (SELECT count(*) FROM backup_objects bo WHERE bo.backup_id = b.id) AS object_count,
       (SELECT count(*) FROM backup_objects bo JOIN objects o ON o.id = bo.object_id
         WHERE bo.backup_id = b.id AND o.missing_since IS NOT NULL) AS objects_missing
FROM backups b
JOIN repositories r ON r.id = b.repository_id
LEFT JOIN clusters c ON c.id = b.cluster_id;
