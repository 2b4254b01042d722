# Crash-trial helpers, sourced by tests/crash/*.sh (each one a ctest). Real binary, real dumps
# (the fixture artifacts), real processes killed with SIGKILL. Needs
# LASTGOOD_BIN and LASTGOOD_ARTIFACTS (ctest sets both). LASTGOOD_CRASH_TRIALS
# sets the number of kill trials (long mode), LASTGOOD_CRASH_SEED the seed.
set -euo pipefail
# shellcheck source=../support/catalog_sql.bash
source "$(dirname "${BASH_SOURCE[0]}")/../support/catalog_sql.bash"

: "${LASTGOOD_BIN:?set LASTGOOD_BIN (ctest does)}"
: "${LASTGOOD_ARTIFACTS:?set LASTGOOD_ARTIFACTS (ctest does)}"
ART=$LASTGOOD_ARTIFACTS
W=$(mktemp -d "${TMPDIR:-/tmp}/lg-crash.XXXXXX")
chmod 755 "$W"
FAILURES=0

crash_cleanup() {
  if ((FAILURES == 0)) && [[ -z ${KEEP:-} ]]; then rm -rf "$W"; else echo "crash-trial files kept in $W" >&2; fi
}
trap crash_cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  FAILURES=$((FAILURES + 1))
}
done_trials() {
  if ((FAILURES)); then
    echo "$FAILURES expectation(s) failed" >&2
    exit 1
  fi
  echo "all trials passed"
}

# `make_dump_repository DIR COUNT`: COUNT real dumps (custom, compressed
# custom, tar, directory) copied from the fixtures under nightly names, one a
# day (their mtimes), so each becomes its own backup.
make_dump_repository() {
  local dir=$1 count=$2 i src name
  local sources=(shop.dump shop-z.dump inventory.dump shop.tar shop.dir)
  mkdir -p "$dir"
  for ((i = 0; i < count; i++)); do
    src=${sources[i % ${#sources[@]}]}
    name=$(printf 'nightly-%04d-%s' "$i" "$src")
    cp -r "$ART/repo/dumps/$src" "$dir/$name"
    touch -h -d "2025-01-01 02:00 UTC + $i days" "$dir/$name"
    [[ -d $dir/$name ]] && find "$dir/$name" -type f -exec touch -d "2025-01-01 02:00 UTC + $i days" {} +
  done
  chmod -R a+rX "$dir"
}

# `lg CATALOG ARGS...`: lastgood on that catalog; stdout to $W/out, stderr to $W/err; sets RC.
lg() {
  local catalog=$1
  shift
  set +e
  "$LASTGOOD_BIN" --catalog "$catalog" "$@" >"$W/out" 2>"$W/err"
  RC=$?
  set -e
}

# `backups_of CATALOG`: one line per backup: ID, root, member count, missing, problem.
backups_of() {
  catalog_sql "$1" "SELECT b.backup_id, b.root_key, count(bo.object_id), b.missing_since IS NOT NULL,
                        coalesce(b.problem, '') FROM backups b
                 LEFT JOIN backup_objects bo ON bo.backup_id = b.id GROUP BY b.id ORDER BY b.backup_id"
}

# `expect_consistent CATALOG WHAT`: catalog check exits 0, SQLite integrity is ok.
expect_consistent() {
  local catalog=$1 what=$2
  lg "$catalog" catalog check
  ((RC == 0)) || fail "$what: catalog check exited $RC: $(cat "$W/out" "$W/err")"
  local integrity
  integrity=$(catalog_integrity "$catalog")
  [[ $integrity == ok ]] || fail "$what: PRAGMA integrity_check: $integrity"
}

# `seconds_to_sleep SPAN_MS`: a seeded random moment in [0, SPAN_MS) ms, as seconds for sleep.
seconds_to_sleep() {
  local ms=$((((RANDOM << 15) | RANDOM) % $1))
  printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}

# `now_ms`: wall clock in milliseconds (for measuring, never asserted).
now_ms() { date +%s%3N; }

# --- commands that need a PostgreSQL server, killed with their children ------

# lastgood's own temp files and scratch clusters go here, so "nothing left"
# is an empty directory (other runs on the machine use other directories).
LG_TMP=$W/tmp
mkdir -p "$LG_TMP"
chmod 1777 "$LG_TMP"
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
SERVER=

as_pg() {
  if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi
}
stop_server() {
  [[ -n $SERVER ]] && as_pg "$PG_BIN/pg_ctl" -D "$W/server" -m immediate stop >/dev/null 2>&1 || true
}
trap 'stop_server; crash_cleanup' EXIT

# `start_server`: a throwaway PostgreSQL of our own (socket in $W/sock) with a
# database shop (customers, orders); sets SERVER (a connection string without dbname).
start_server() {
  mkdir -p "$W/server" "$W/sock"
  ((EUID == 0)) && chown postgres "$W/server" "$W/sock"
  as_pg "$PG_BIN/initdb" -D "$W/server" -U postgres -A trust --no-sync >/dev/null
  as_pg "$PG_BIN/pg_ctl" -D "$W/server" -l "$W/server/log" -w \
    -o "-k $W/sock -c listen_addresses='' -c fsync=off" start >/dev/null
  SERVER="host=$W/sock user=postgres"
  psql_at postgres -c "CREATE DATABASE shop" >/dev/null
  psql_at shop -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (id int PRIMARY KEY, customer int REFERENCES customers, total numeric);
INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 2000) g;
INSERT INTO orders SELECT g, 1 + g % 2000, g * 1.5 FROM generate_series(1, 200000) g;
SQL
}
# `psql_at DB ARGS...`: psql on our server as postgres, unaligned, quiet.
psql_at() {
  local db=$1
  shift
  as_pg "$PG_BIN/psql" -qXAt -h "$W/sock" -U postgres -d "$db" "$@"
}
# `shop_fingerprint DB`: what the shop data amounts to (equal after a good restore).
shop_fingerprint() {
  psql_at "$1" -c "SELECT (SELECT count(*) || ':' || sum(id) FROM customers) || '/' ||
                          (SELECT count(*) || ':' || sum(total) FROM orders)" 2>&1
}

# `lg_bg ARGS...`: lastgood in the background in a session of its own (so its
# descendants can be found after it dies), TMPDIR=$LG_TMP; sets PID.
lg_bg() {
  TMPDIR=$LG_TMP setsid "$LASTGOOD_BIN" "$@" >"$W/killed.out" 2>"$W/killed.err" &
  PID=$!
}
# `lgt CATALOG ARGS...`: like lg, with TMPDIR=$LG_TMP.
lgt() {
  local catalog=$1
  shift
  set +e
  TMPDIR=$LG_TMP "$LASTGOOD_BIN" --catalog "$catalog" "$@" >"$W/out" 2>"$W/err"
  RC=$?
  set -e
}
# `kill_after SECONDS`: kill -9 $PID after that long (unless it finished);
# sets OUTCOME (killed | finished | exited N) and KILL_SID (its session).
kill_after() {
  sleep "$1"
  kill -9 "$PID" 2>/dev/null || true
  set +e
  wait "$PID" 2>/dev/null
  local status=$?
  set -e
  case $status in
    137) OUTCOME=killed ;;
    0) OUTCOME=finished ;;
    *) OUTCOME="exited $status" ;;
  esac
  KILL_SID=$PID
}
# `time_ms ARGS...` (after lgt): prints how long `lgt ARGS` took, in ms.
time_ms() {
  local start
  start=$(now_ms)
  lgt "$@"
  echo $(($(now_ms) - start))
}

# `expect_nothing_left WHAT`: no process of the killed run's session, nothing
# naming our temp directory, no lastgood temp file in $REPO or $LG_TMP, no
# temporary or scratch database on our server (after the rerun).
expect_nothing_left() {
  local what=$1 left
  if [[ -n ${KILL_SID:-} ]]; then
    left=$(ps -eo pid=,sid=,stat=,args= | awk -v sid="$KILL_SID" '$2 == sid && $3 !~ /^Z/')
    [[ -z $left ]] || fail "$what: processes of the killed run are alive: $left"
  fi
  left=$(ps -eo pid=,stat=,args= | grep -F -- "$LG_TMP" | grep -v -e grep -e ' Z' || true)
  [[ -z $left ]] || fail "$what: processes running in $LG_TMP: $left"
  left=$(ls -A "$LG_TMP")
  [[ -z $left ]] || fail "$what: left in TMPDIR: $left"
  if [[ -n ${REPO:-} && -d $REPO ]]; then
    left=$(find "$REPO" -name '.lastgood-tmp-*')
    [[ -z $left ]] || fail "$what: temp files left in the repository: $left"
  fi
  if [[ -n $SERVER ]]; then
    left=$(psql_at postgres -c "SELECT datname FROM pg_database
             WHERE datname LIKE '%\_\_lastgood\_%' AND datname NOT LIKE '%\_\_lastgood\_old\_%'
                OR datname LIKE 'lastgood\_verify\_%'")
    [[ -z $left ]] || fail "$what: temporary databases left on the server: $left"
  fi
}

# `files_of DIR`: every file under DIR, relative, sorted.
files_of() { (cd "$1" && find . -type f -o -type l | sed 's|^\./||' | sort); }

# `expect_gone_files_audited CATALOG BEFORE_LIST WHAT`: every file listed in
# BEFORE_LIST and gone from $REPO now has an audit row: its backup's
# retention.delete_backup, its own cleanup.temp_file, or a retention.delete_wal.
expect_gone_files_audited() {
  local catalog=$1 before=$2 what=$3 key unaudited
  : >"$W/gone"
  while IFS= read -r key; do
    [[ -e $REPO/$key || -L $REPO/$key ]] || printf '%s\n' "$key" >>"$W/gone"
  done <"$before"
  [[ -s $W/gone ]] || return 0
  local values
  values=$(sed "s/'/''/g; s/.*/('&')/" "$W/gone" | paste -sd,)
  unaudited=$(catalog_sql "$catalog" "WITH gone(key) AS (VALUES $values)
SELECT g.key FROM gone g WHERE NOT EXISTS (
  SELECT 1 FROM audit_log a WHERE
     (a.action = 'retention.delete_backup' AND a.subject IN (
        SELECT b.backup_id FROM backups b JOIN backup_objects bo ON bo.backup_id = b.id
        JOIN objects o ON o.id = bo.object_id WHERE o.key = g.key))
  OR (a.action = 'cleanup.temp_file' AND a.subject = 'main:' || g.key)
  OR (a.action = 'retention.delete_wal' AND g.key LIKE 'wal/%'))")
  [[ -z $unaudited ]] ||
    fail "$what: $(wc -l <<<"$unaudited") files gone without an audit row: $(head -n 5 <<<"$unaudited")"
}
