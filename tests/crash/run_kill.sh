#!/usr/bin/env bash
# kill -9 a first `run` (scan, verify what is due into a named scratch server,
# metrics, report) at seeded random moments, then run it again normally. The
# rerun must exit 0; afterwards the catalog is consistent and holds the
# backups an uninterrupted run makes, each with a passing test restore as its
# latest, no verification left 'running', the metrics and report files whole
# (no temp file beside them), and no scratch database or temp file left.
source "$(dirname "$0")/lib.bash"
TRIALS=${LASTGOOD_CRASH_TRIALS:-2}
SEED=${LASTGOOD_CRASH_SEED:-1616}
RANDOM=$SEED
start_server
REPO=$W/repo
mkdir -p "$REPO" "$W/pub"
for f in shop.dump inventory.dump shop.tar shop.dir; do cp -r "$ART/repo/dumps/$f" "$REPO/"; done
chmod -R a+rX "$REPO"
lg "$W/base.db" repo add main "$REPO"
args=(run --scratch "$SERVER dbname=postgres" --metrics "$W/pub/metrics.prom" --report "$W/pub/report.txt")
restore_verdicts() {
  catalog_sql "$1" "SELECT backup_id, coalesce(last_restore_outcome, 'none') FROM v_backup_status ORDER BY backup_id"
}

catalog_copy "$W/base.db" "$W/ref.db"
span_ms=$(time_ms "$W/ref.db" "${args[@]}")
((RC == 0)) || fail "uninterrupted run exited $RC: $(cat "$W/out" "$W/err")"
backups_of "$W/ref.db" >"$W/ref.backups"
restore_verdicts "$W/ref.db" >"$W/ref.verdicts"
grep -q '|pass$' "$W/ref.verdicts" || fail "an uninterrupted run passed no test restore: $(cat "$W/ref.verdicts")"
echo "uninterrupted run: ${span_ms} ms; $(wc -l <"$W/ref.backups") backups; seed $SEED"
span_ms=$((span_ms + span_ms / 5 + 1))

# The moment a random kill hits only now and then, made exactly: a run killed
# between writing the metrics (or report) copy and renaming it left
# "<file>.tmp.<host tag>.<pid>"; the next run must remove it (before the fix
# it stayed for good), and leave a live writer's copy alone.
tag=$(python3 -c 'import socket
h = 2166136261
for b in socket.gethostname().encode(): h = ((h ^ b) * 16777619) & 0xffffffff
print("%08x" % h)')
sh -c 'exit 0' &
dead_pid=$!
wait "$dead_pid"
touch "$W/pub/metrics.prom.tmp.$tag.$dead_pid" "$W/pub/report.txt.tmp.$tag.$dead_pid" "$W/pub/metrics.prom.tmp.$tag.$$"
lgt "$W/ref.db" "${args[@]}"
((RC == 0)) || fail "replay: the run exited $RC: $(cat "$W/out" "$W/err")"
published=$(ls -A "$W/pub" | tr '\n' ' ')
[[ $published == "metrics.prom metrics.prom.tmp.$tag.$$ report.txt " ]] ||
  fail "replay: a killed writer's copies are not removed (or a live one's is): $published"
rm -f "$W/pub/metrics.prom.tmp.$tag.$$"

killed=0
for ((t = 1; t <= TRIALS; t++)); do
  what="trial $t"
  rm -f "$W"/pub/* "$W"/pub/.[!.]* 2>/dev/null || true
  catalog=$W/trial.db
  rm -f "$catalog" "$catalog"-*
  catalog_copy "$W/base.db" "$catalog"
  delay=$(seconds_to_sleep "$span_ms")
  lg_bg --catalog "$catalog" "${args[@]}"
  kill_after "$delay"
  [[ $OUTCOME == killed ]] && killed=$((killed + 1))
  [[ $OUTCOME == killed || $OUTCOME == finished ]] || fail "$what: run $OUTCOME before the kill: $(cat "$W/killed.err")"
  passed_before=$(catalog_sql "$catalog" "SELECT count(*) FROM verification_runs WHERE outcome = 'pass'")
  lgt "$catalog" "${args[@]}"
  ((RC == 0)) || fail "$what (kill at $delay s): the rerun exited $RC: $(cat "$W/out" "$W/err")"
  backups_of "$catalog" | diff -q "$W/ref.backups" - >/dev/null ||
    fail "$what (kill at $delay s): backups differ: $(backups_of "$catalog" | diff "$W/ref.backups" - | head -5)"
  restore_verdicts "$catalog" | diff -q "$W/ref.verdicts" - >/dev/null ||
    fail "$what (kill at $delay s): test-restore verdicts differ: $(restore_verdicts "$catalog" | diff "$W/ref.verdicts" - | head -5)"
  running=$(catalog_sql "$catalog" "SELECT count(*) FROM verification_runs WHERE outcome = 'running'")
  ((running == 0)) || fail "$what: $running verification runs still 'running' after the rerun"
  published=$(ls -A "$W/pub" | tr '\n' ' ')
  [[ $published == "metrics.prom report.txt " ]] || fail "$what: beside the metrics and report: $published"
  grep -q '^lastgood_' "$W/pub/metrics.prom" || fail "$what: the metrics file is not whole"
  expect_consistent "$catalog" "$what"
  expect_nothing_left "$what (kill at $delay s)"
  echo "$what: kill at ${delay} s: $OUTCOME; $passed_before verification(s) passed before it; rerun passed"
done
echo "tally: $TRIALS trials, $killed killed mid-run"
done_trials
