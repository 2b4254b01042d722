-- A source fingerprint's WAL position is exact (exact_lsn = 1) when it was read
-- in the snapshot of a temporary logical replication slot and wal_lsn is that
-- slot's consistent_point: a PITR drill of a base backup to that LSN must hold
-- exactly the fingerprinted rows. Otherwise it is pg_current_wal_lsn() read in
-- the snapshot, which racing commits can pass, and is never compared as proof.
-- database_name: the database fingerprinted (a base backup holds them all).
ALTER TABLE source_fingerprints ADD COLUMN exact_lsn INTEGER NOT NULL DEFAULT 0;
ALTER TABLE source_fingerprints ADD COLUMN database_name TEXT;
