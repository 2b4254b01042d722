#!/usr/bin/env bash
# kill -9 a `scan` (first, and incremental: 150 new dumps on top of 150
# cataloged) at seeded random moments, then scan again normally. Afterwards
# the catalog must be consistent (`catalog check` exits 0, SQLite integrity
# ok) and hold exactly the backups (IDs, roots, members) an uninterrupted scan
# into a fresh catalog makes. Prints one line per trial and a tally.
source "$(dirname "$0")/lib.bash"
TRIALS=${LASTGOOD_CRASH_TRIALS:-3}
SEED=${LASTGOOD_CRASH_SEED:-1126}
COUNT=${LASTGOOD_CRASH_DUMPS:-300}
RANDOM=$SEED
REPO=$W/repo
make_dump_repository "$REPO" "$COUNT"
half=$((COUNT / 2))

# The incremental trials start from a catalog holding the first half.
mkdir "$W/later"
for ((i = half; i < COUNT; i++)); do mv "$REPO"/nightly-"$(printf %04d "$i")"-* "$W/later/"; done
lg "$W/base.db" repo add main "$REPO"
lg "$W/base.db" scan
((RC == 0)) || { fail "scan of the first half exited $RC: $(cat "$W/out" "$W/err")"; done_trials; }
mv "$W/later"/* "$REPO/"

# Uninterrupted references (and how long each scan takes, to aim the kills).
catalog_copy "$W/base.db" "$W/ref-incremental.db"
start=$(now_ms)
lg "$W/ref-incremental.db" scan
incremental_ms=$(($(now_ms) - start))
((RC == 0)) || fail "uninterrupted incremental scan exited $RC: $(cat "$W/out" "$W/err")"
lg "$W/ref-first.db" repo add main "$REPO"
start=$(now_ms)
lg "$W/ref-first.db" scan
first_ms=$(($(now_ms) - start))
((RC == 0)) || fail "uninterrupted first scan exited $RC: $(cat "$W/out" "$W/err")"
backups_of "$W/ref-first.db" >"$W/ref-first.backups"
backups_of "$W/ref-incremental.db" >"$W/ref-incremental.backups"
[[ $(wc -l <"$W/ref-first.backups") == "$COUNT" ]] ||
  fail "an uninterrupted scan of $COUNT dumps made $(wc -l <"$W/ref-first.backups") backups"
echo "uninterrupted: first scan ${first_ms} ms, incremental ${incremental_ms} ms; $COUNT dumps; seed $SEED"

# The state a kill between committing the object rows and building the
# backups leaves (issue 12, finding 1), made exactly, since a random kill
# lands in that window only now and then: the next plain scan must build them.
catalog_copy "$W/ref-first.db" "$W/replay.db"
catalog_sql "$W/replay.db" 'DELETE FROM backup_objects; DELETE FROM backups'
lg "$W/replay.db" catalog check
((RC == 3)) || fail "catalog check of a catalog without its backups exited $RC, expected 3"
lg "$W/replay.db" scan
((RC == 0)) || fail "the scan after the replayed kill exited $RC: $(cat "$W/out" "$W/err")"
expect_consistent "$W/replay.db" "replayed kill before the backups were built"
backups_of "$W/replay.db" | diff -q "$W/ref-first.backups" - >/dev/null ||
  fail "after the replayed kill the next scan made $(backups_of "$W/replay.db" | wc -l) backups, not $COUNT"

killed=0 finished=0 left_inconsistent=0
for mode in first incremental; do
  span_ms=$first_ms
  [[ $mode == incremental ]] && span_ms=$incremental_ms
  span_ms=$((span_ms + span_ms / 5 + 1)) # a little past the end: some scans finish
  for ((t = 1; t <= TRIALS; t++)); do
    catalog=$W/trial.db
    rm -f "$catalog" "$catalog"-*
    if [[ $mode == first ]]; then
      lg "$catalog" repo add main "$REPO"
    else
      catalog_copy "$W/base.db" "$catalog"
    fi
    delay=$(seconds_to_sleep "$span_ms")
    "$LASTGOOD_BIN" --catalog "$catalog" scan >/dev/null 2>"$W/killed.err" &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null || true
    set +e
    wait "$pid" 2>/dev/null
    status=$?
    set -e
    if ((status == 137)); then
      outcome=killed
      killed=$((killed + 1))
    elif ((status == 0)); then
      outcome=finished
      finished=$((finished + 1))
    else
      outcome="exited $status"
      fail "$mode trial $t: scan exited $status before the kill: $(cat "$W/killed.err")"
    fi
    objects=$(catalog_sql "$catalog" 'SELECT count(*) FROM objects')
    backups=$(catalog_sql "$catalog" 'SELECT count(*) FROM backups')
    lg "$catalog" catalog check
    after_kill=$RC
    ((after_kill == 0 || after_kill == 3)) || fail "$mode trial $t: catalog check after the kill exited $RC"
    ((after_kill == 3)) && left_inconsistent=$((left_inconsistent + 1))
    lg "$catalog" scan
    ((RC == 0)) || fail "$mode trial $t: the scan after the kill exited $RC: $(cat "$W/out" "$W/err")"
    expect_consistent "$catalog" "$mode trial $t"
    backups_of "$catalog" >"$W/trial.backups"
    if ! diff -q "$W/ref-$mode.backups" "$W/trial.backups" >/dev/null; then
      fail "$mode trial $t (kill at ${delay} s): backups differ from an uninterrupted scan:
$(diff "$W/ref-$mode.backups" "$W/trial.backups" | head -n 10)"
    fi
    echo "$mode trial $t: kill at ${delay} s: $outcome; left $objects objects, $backups backups," \
      "catalog check $after_kill; after the next scan $(wc -l <"$W/trial.backups") backups"
  done
done
echo "tally: $((2 * TRIALS)) trials, $killed killed mid-scan, $finished finished first," \
  "$left_inconsistent left derived state for the next scan to repair"
done_trials
