#!/usr/bin/env bash
# kill -9 a `restore --last-good` at seeded random moments, plain (into a new
# database) and with --drop-existing (over an existing one, after a safety
# snapshot), then run the same command again normally. Afterwards the target
# database holds the backup's data, the catalog is consistent, no restore run
# is left 'running', the backups are the scan's plus complete safety snapshots
# only (each passes `verify --level structure`; a partial snapshot file is
# gone with an audit row), and no temporary database, pg_dump, pg_restore or
# temp file is left. A rerun of the plain restore may find the database
# already there (the killed run got as far as naming it): then it refuses
# (exit 2) and the database must hold the backup's data all the same.
source "$(dirname "$0")/lib.bash"
TRIALS=${LASTGOOD_CRASH_TRIALS:-1}
SEED=${LASTGOOD_CRASH_SEED:-1313}
RANDOM=$SEED
start_server
REPO=$W/repo
mkdir -p "$REPO"
as_pg "$PG_BIN/pg_dump" -Fc -h "$W/sock" -U postgres -d shop >"$REPO/shop-nightly.dump"
chmod -R a+rX "$REPO"
chmod 777 "$REPO" # safety snapshots are written here
lg "$W/base.db" repo add main "$REPO"
lg "$W/base.db" scan
lg "$W/base.db" verify --level restore --scratch "$SERVER dbname=postgres"
((RC == 0)) || { fail "set-up verify exited $RC: $(cat "$W/out" "$W/err")"; done_trials; }
backups_of "$W/base.db" >"$W/ref.backups"
want=$(shop_fingerprint shop)
files_of "$REPO" >"$W/files.before"

# `drop_restored`: the target and every database a restore put aside, between trials.
drop_restored() {
  local d
  for d in $(psql_at postgres -c "SELECT datname FROM pg_database WHERE datname LIKE 'target%'"); do
    psql_at postgres -c "DROP DATABASE \"$d\"" >/dev/null
  done
}
# `existing_target`: a database 'target' holding other data than the backup.
existing_target() {
  psql_at postgres -c "CREATE DATABASE target TEMPLATE shop" >/dev/null
  psql_at target -c "DELETE FROM orders WHERE id > 1000" >/dev/null
}

# The moment a random kill hits only now and then, made exactly: the killed
# run's CREATE DATABASE of its temporary database is still running in its
# backend (held here by a SHARE lock on pg_database, which blocks creations
# but not reads) when the next run cleans up. The cleanup must end it; before
# the fix it looked, found nothing, and the database appeared afterwards.
replay() {
  local catalog=$W/replay.db dead_pid
  catalog_copy "$W/base.db" "$catalog"
  lgt "$catalog" restore --last-good --database shop --to "$SERVER dbname=postgres" --as target_replay
  ((RC == 0)) || fail "replay set-up restore exited $RC: $(cat "$W/out" "$W/err")"
  sh -c 'exit 0' &
  dead_pid=$!
  wait "$dead_pid"
  catalog_sql "$catalog" "UPDATE restore_runs SET outcome = 'running', finished_at = NULL,
    duration_seconds = NULL, target_database = 'target', temporary_database = 'target__lastgood_1',
    pid = $dead_pid WHERE id = 1"
  drop_restored
  mkfifo "$W/lock.in"
  psql_at postgres <"$W/lock.in" >/dev/null &
  local locker=$!
  exec 7>"$W/lock.in"
  echo "BEGIN; LOCK TABLE pg_database IN SHARE MODE; SELECT 'locked';" >&7
  until [[ $(psql_at postgres -c "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
             WHERE c.relname = 'pg_database' AND l.mode = 'ShareLock' AND l.granted") == 1 ]]; do sleep 0.05; done
  as_pg "$PG_BIN/psql" -qX -h "$W/sock" -U postgres -d postgres \
    -c 'CREATE DATABASE "target__lastgood_1" TEMPLATE template0' >/dev/null 2>&1 &
  local creator=$!
  until [[ $(psql_at postgres -c "SELECT count(*) FROM pg_stat_activity
             WHERE query LIKE 'CREATE DATABASE \"target\_\_lastgood\_1\"%'") == 1 ]]; do sleep 0.05; done
  kill -9 "$creator"
  wait "$creator" 2>/dev/null || true
  lg_bg --catalog "$catalog" restore --last-good --database shop --to "$SERVER dbname=postgres" --as target
  # Once the rerun creates its own temporary database its cleanup is over: let everything go on.
  until [[ $(psql_at postgres -c "SELECT count(*) FROM pg_stat_activity
             WHERE query LIKE 'CREATE DATABASE \"target\_\_lastgood\_2\"%'") == 1 ]]; do
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "COMMIT;" >&7
  exec 7>&-
  wait "$locker" || true
  set +e
  wait "$PID"
  RC=$?
  set -e
  ((RC == 0)) || fail "replay: the restore after the killed creation exited $RC: $(cat "$W/killed.out" "$W/killed.err")"
  KILL_SID=
  expect_nothing_left "replay of a creation left running by a killed restore"
  drop_restored
  echo "replay: the killed run's unfinished CREATE DATABASE ended by the next run's cleanup"
}
replay

for mode in plain drop-existing; do
  args=(restore --last-good --database shop --to "$SERVER dbname=postgres" --as target)
  [[ $mode == drop-existing ]] && args+=(--drop-existing)
  drop_restored
  [[ $mode == drop-existing ]] && existing_target
  catalog_copy "$W/base.db" "$W/ref.db"
  span_ms=$(time_ms "$W/ref.db" "${args[@]}")
  ((RC == 0)) || fail "uninterrupted restore ($mode) exited $RC: $(cat "$W/out" "$W/err")"
  echo "uninterrupted restore --last-good ($mode): ${span_ms} ms; seed $SEED"
  span_ms=$((span_ms + span_ms / 5 + 1))
  killed=0
  for ((t = 1; t <= TRIALS; t++)); do
    what="$mode trial $t"
    drop_restored
    [[ $mode == drop-existing ]] && existing_target
    catalog=$W/trial.db
    rm -f "$catalog" "$catalog"-*
    find "$REPO" -mindepth 1 -maxdepth 1 ! -name shop-nightly.dump -exec rm -rf {} +
    catalog_copy "$W/base.db" "$catalog"
    delay=$(seconds_to_sleep "$span_ms")
    lg_bg --catalog "$catalog" "${args[@]}"
    kill_after "$delay"
    [[ $OUTCOME == killed ]] && killed=$((killed + 1))
    [[ $OUTCOME == killed || $OUTCOME == finished ]] ||
      fail "$what: restore $OUTCOME before the kill: $(cat "$W/killed.err")"
    files_of "$REPO" >"$W/files.killed"
    lgt "$catalog" "${args[@]}"
    rerun=$RC
    if ((rerun == 2)) && [[ $mode == plain ]] && grep -q exists "$W/err" "$W/out"; then
      rerun="2 (already restored)"
    elif ((rerun != 0)); then
      fail "$what (kill at $delay s): the rerun exited $rerun: $(cat "$W/out" "$W/err")"
    fi
    got=$(shop_fingerprint target)
    [[ $got == "$want" ]] || fail "$what (kill at $delay s): target holds '$got', the backup '$want'"
    running=$(catalog_sql "$catalog" "SELECT count(*) FROM restore_runs WHERE outcome = 'running'")
    ((running == 0)) || fail "$what: $running restore runs still 'running' after the rerun"
    expect_consistent "$catalog" "$what"
    # The scan's backups are all there; any other is a safety snapshot and complete.
    backups_of "$catalog" | grep -F -f <(cut -f1 -d'|' "$W/ref.backups") | diff -q "$W/ref.backups" - >/dev/null ||
      fail "$what: the scan's backups changed: $(backups_of "$catalog")"
    snapshots=$(($(backups_of "$catalog" | wc -l) - $(wc -l <"$W/ref.backups")))
    if ((snapshots > 0)); then
      lgt "$catalog" verify --level structure
      ((RC == 0)) || fail "$what: a cataloged safety snapshot does not pass structure: $(cat "$W/out" "$W/err")"
    fi
    expect_gone_files_audited "$catalog" "$W/files.killed" "$what"
    [[ -n $(grep lastgood-tmp "$W/files.killed") ]] && partial="a partial file removed, " || partial=
    expect_nothing_left "$what (kill at $delay s)"
    echo "$what: kill at ${delay} s: $OUTCOME; rerun exit $rerun; $partial$snapshots safety snapshot(s) cataloged"
  done
  echo "tally ($mode): $TRIALS trials, $killed killed mid-restore"
done
done_trials
