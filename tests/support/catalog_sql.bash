# SQL on a test's catalog from bash, whichever engine holds it: the SQLite
# file, or — when the suite keeps its catalogs on PostgreSQL
# (`scripts/test --catalog postgresql`, catalog/test_catalog_server.hpp) — the
# database the file names. Sourced by tests/crash/lib.bash, tests/scenarios/lib.sh
# and tests/views.

# The database a marker file names, or nothing for an SQLite file.
test_catalog_database() {
  local line=
  [[ -n ${LASTGOOD_TEST_CATALOG_SERVER:-} && -s $1 ]] || return 0
  IFS= read -r line <"$1" 2>/dev/null || true
  [[ $line == "lastgood test catalog: database lgt_"* ]] && echo "${line#lastgood test catalog: database }"
  return 0
}

# The server URI with its database replaced.
test_catalog_uri() {
  local server=$LASTGOOD_TEST_CATALOG_SERVER
  echo "${server%%/postgres\?*}/$1?${server#*\?}"
}

# `catalog_sql CATALOG SQL`: output as sqlite3 prints it by default: one row a
# line, '|' between columns (booleans are t/f on PostgreSQL, 1/0 on SQLite).
catalog_sql() {
  local db
  db=$(test_catalog_database "$1")
  if [[ -n $db ]]; then
    psql "$(test_catalog_uri "$db")" -XAtq -F'|' -v ON_ERROR_STOP=1 -c "$2"
  else
    sqlite3 "$1" "$2"
  fi
}

# `catalog_copy FROM TO`: TO becomes a copy of the catalog FROM (SQLite's
# .backup; on PostgreSQL a database made from FROM's as its template).
catalog_copy() {
  local from=$1 to=$2 db name path
  db=$(test_catalog_database "$from")
  if [[ -z $db ]]; then
    sqlite3 "$from" ".backup '$to'"
    return
  fi
  path=$(realpath -ms "$to")
  name=lgt_$(printf %s "$path" | sha256sum | cut -c1-24)
  psql "$LASTGOOD_TEST_CATALOG_SERVER" -XAtq -v ON_ERROR_STOP=1 \
    -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" \
    -c "CREATE DATABASE $name TEMPLATE $db" \
    -c "INSERT INTO lastgood_test_catalogs (name, path) VALUES ('$name', '$path')
        ON CONFLICT (name) DO UPDATE SET path = excluded.path" >/dev/null
  printf 'lastgood test catalog: database %s\n' "$name" >"$to"
  chmod 600 "$to"
}

# `catalog_integrity CATALOG`: SQLite's PRAGMA integrity_check; on PostgreSQL
# `catalog check` reads tables and indexes with amcheck, so this says ok.
catalog_integrity() {
  if [[ -n $(test_catalog_database "$1") ]]; then
    echo ok
  else
    sqlite3 "$1" 'PRAGMA integrity_check'
  fi
}
