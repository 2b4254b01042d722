-- A test restore whose copy matched the source fingerprint in every table is
-- stronger evidence than "it restored": pick, status and the report say so.
-- Set only on such runs; NULL when no fingerprint was compared.
ALTER TABLE verification_runs ADD COLUMN source_match_mode TEXT;      -- counts | full
ALTER TABLE verification_runs ADD COLUMN source_match_tables INTEGER; -- tables compared
