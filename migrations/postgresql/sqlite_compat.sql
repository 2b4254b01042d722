-- SQLite functions the catalog's queries use, made on a PostgreSQL catalog
-- before its first migration, so one query text serves both engines.
-- A change here goes into a new numbered migration (with its PostgreSQL
-- version in this directory), never into this file alone.

-- instr(haystack, needle): 1-based position of needle, 0 when absent.
CREATE FUNCTION instr(text, text) RETURNS bigint
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS 'SELECT strpos($1, $2)::bigint';

-- json_extract(json_text, '$.key'): the member's value as text (objects and
-- arrays as JSON text), NULL when absent; only the '$.key' paths the catalog uses.
CREATE FUNCTION json_extract(text, text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$SELECT CASE jsonb_typeof($1::jsonb -> substr($2, 3))
                WHEN 'object' THEN ($1::jsonb -> substr($2, 3))::text
                WHEN 'array' THEN ($1::jsonb -> substr($2, 3))::text
                WHEN 'null' THEN NULL
                ELSE $1::jsonb ->> substr($2, 3) END$$;

-- group_concat(value, separator): string_agg under SQLite's name.
CREATE FUNCTION lastgood_concat_step(acc text, value text, separator text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$SELECT CASE WHEN value IS NULL THEN acc
                   WHEN acc IS NULL THEN value
                   ELSE acc || separator || value END$$;
CREATE AGGREGATE group_concat(text, text) (SFUNC = lastgood_concat_step, STYPE = text);
