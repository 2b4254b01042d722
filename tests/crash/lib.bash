# Crash-trial helpers, sourced by tests/crash/*.sh (each one a ctest). Real binary, real dumps
# (the fixture artifacts), real processes killed with SIGKILL. Needs
# LASTGOOD_BIN and LASTGOOD_ARTIFACTS (ctest sets both). LASTGOOD_CRASH_TRIALS
# sets the number of kill trials (long mode), LASTGOOD_CRASH_SEED the seed.
set -euo pipefail

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
  sqlite3 "$1" "SELECT b.backup_id, b.root_key, count(bo.object_id), b.missing_since IS NOT NULL,
                        coalesce(b.problem, '') FROM backups b
                 LEFT JOIN backup_objects bo ON bo.backup_id = b.id GROUP BY b.id ORDER BY b.backup_id"
}

# `expect_consistent CATALOG WHAT`: catalog check exits 0, SQLite integrity is ok.
expect_consistent() {
  local catalog=$1 what=$2
  lg "$catalog" catalog check
  ((RC == 0)) || fail "$what: catalog check exited $RC: $(cat "$W/out" "$W/err")"
  local integrity
  integrity=$(sqlite3 "$catalog" 'PRAGMA integrity_check')
  [[ $integrity == ok ]] || fail "$what: PRAGMA integrity_check: $integrity"
}

# `seconds_to_sleep SPAN_MS`: a seeded random moment in [0, SPAN_MS) ms, as seconds for sleep.
seconds_to_sleep() {
  local ms=$((((RANDOM << 15) | RANDOM) % $1))
  printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}

# `now_ms`: wall clock in milliseconds (for measuring, never asserted).
now_ms() { date +%s%3N; }
