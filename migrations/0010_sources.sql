-- Sources: a dump belongs to the server it came from, not just to a database
-- name, so `shop` from two servers is two scopes (pick, report, retention,
-- metrics). A repository names its source (`repo add --source`, or
-- `[[repository]] source` in the config file); its backups carry it. NULL is
-- the default source (a repository that names none), shown as "default".
-- database_from_name: the repository's regular expression that names the
-- database of a dump whose header does not (first capture group); NULL = the
-- built-in convention (docs/sources.md).
ALTER TABLE repositories ADD COLUMN source TEXT;
ALTER TABLE repositories ADD COLUMN database_from_name TEXT;
ALTER TABLE backups ADD COLUMN source TEXT;
CREATE INDEX backups_by_source_database ON backups(source, database, start_time);
