#!/usr/bin/env bash
# kill -9 a `verify --level restore` at seeded random moments, into a private
# scratch cluster (--scratch auto) and into a named scratch server, then verify
# the same backup again normally. The rerun must take over at once and pass;
# afterwards the catalog is consistent, the backups are those of the scan, no
# run is left 'running', and no scratch cluster, postmaster, initdb,
# pg_restore, scratch database or temp file of lastgood is left.
source "$(dirname "$0")/lib.bash"
TRIALS=${LASTGOOD_CRASH_TRIALS:-1}
SEED=${LASTGOOD_CRASH_SEED:-1212}
RANDOM=$SEED
start_server
REPO=$W/repo
mkdir -p "$REPO"
as_pg "$PG_BIN/pg_dump" -Fc -h "$W/sock" -U postgres -d shop >"$REPO/shop-nightly.dump"
chmod -R a+rX "$REPO"
lg "$W/base.db" repo add main "$REPO"
lg "$W/base.db" scan
((RC == 0)) || { fail "scan exited $RC: $(cat "$W/out" "$W/err")"; done_trials; }
id=$(catalog_sql "$W/base.db" 'SELECT backup_id FROM backups')
backups_of "$W/base.db" >"$W/ref.backups"

for scratch in auto named; do
  scratch_arg=auto
  [[ $scratch == named ]] && scratch_arg="$SERVER dbname=postgres"
  catalog_copy "$W/base.db" "$W/ref.db"
  span_ms=$(time_ms "$W/ref.db" verify "$id" --level restore --scratch "$scratch_arg")
  ((RC == 0)) || fail "uninterrupted verify ($scratch) exited $RC: $(cat "$W/out" "$W/err")"
  echo "uninterrupted verify --level restore ($scratch scratch): ${span_ms} ms; seed $SEED"
  span_ms=$((span_ms + span_ms / 5 + 1))
  killed=0
  for ((t = 1; t <= TRIALS; t++)); do
    catalog=$W/trial.db
    rm -f "$catalog" "$catalog"-*
    catalog_copy "$W/base.db" "$catalog"
    delay=$(seconds_to_sleep "$span_ms")
    lg_bg --catalog "$catalog" verify "$id" --level restore --scratch "$scratch_arg"
    kill_after "$delay"
    [[ $OUTCOME == killed ]] && killed=$((killed + 1))
    [[ $OUTCOME == killed || $OUTCOME == finished ]] ||
      fail "$scratch trial $t: verify $OUTCOME before the kill: $(cat "$W/killed.err")"
    runs_left=$(catalog_sql "$catalog" "SELECT count(*) FROM verification_runs WHERE outcome = 'running'")
    lgt "$catalog" verify "$id" --level restore --scratch "$scratch_arg"
    ((RC == 0)) || fail "$scratch trial $t (kill at $delay s): the next verify exited $RC: $(cat "$W/out" "$W/err")"
    ! grep -q SKIPPED "$W/out" || fail "$scratch trial $t: the next verify honoured the dead run's lease: $(cat "$W/out")"
    outcome=$(catalog_sql "$catalog" "SELECT outcome FROM verification_runs ORDER BY id DESC LIMIT 1")
    [[ $outcome == pass ]] || fail "$scratch trial $t: the next verify's run is '$outcome', not pass"
    running=$(catalog_sql "$catalog" "SELECT count(*) FROM verification_runs WHERE outcome = 'running'")
    ((running == 0)) || fail "$scratch trial $t: $running verification runs still 'running' after the rerun"
    expect_consistent "$catalog" "$scratch trial $t"
    backups_of "$catalog" | diff -q "$W/ref.backups" - >/dev/null ||
      fail "$scratch trial $t: backups changed: $(backups_of "$catalog")"
    expect_nothing_left "$scratch trial $t (kill at $delay s)"
    echo "$scratch trial $t: kill at ${delay} s: $OUTCOME; $runs_left run(s) left running; rerun passed"
  done
  echo "tally ($scratch): $TRIALS trials, $killed killed mid-verify"
done
done_trials
