-- Fast re-verification: XXH3-128 of each object and of each 64 MiB block
-- (computed in the same read as its SHA-256), and when the SHA-256 was last
-- recomputed and found equal, so SHA-256 re-reads run on their own period.
-- Objects cataloged before this gain them at their next full read.
ALTER TABLE objects ADD COLUMN xxh3_128 TEXT;          -- 32 hex digits; NULL until read again
ALTER TABLE objects ADD COLUMN xxh3_blocks TEXT;       -- 32 hex digits per block, concatenated; NULL for one block
ALTER TABLE objects ADD COLUMN xxh3_block_size INTEGER; -- bytes per block the digests cover
ALTER TABLE objects ADD COLUMN sha256_checked TEXT;    -- RFC 3339: SHA-256 last computed from the bytes
UPDATE objects SET sha256_checked = last_hashed WHERE sha256 IS NOT NULL;
-- Which hash a run compared the bytes with: 'xxh3-128', 'sha256' or 'xxh3-128+sha256'
-- (some objects each); NULL for runs before this or runs that read nothing.
ALTER TABLE verification_runs ADD COLUMN checksum_hash TEXT;
