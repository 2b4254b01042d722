#!/usr/bin/env bash
# kill -9 a `retention apply` at seeded random moments (60 dumps, keep the
# newest 10), then run it again normally. Afterwards exactly the files an
# uninterrupted apply keeps are left, every file gone has an audit row (its
# backup's retention.delete_backup), the catalog marks exactly the reference's
# backups deleted, and it is consistent.
source "$(dirname "$0")/lib.bash"
TRIALS=${LASTGOOD_CRASH_TRIALS:-3}
SEED=${LASTGOOD_CRASH_SEED:-1414}
COUNT=${LASTGOOD_CRASH_DUMPS:-60}
RANDOM=$SEED
printf '[retention]\nkeep_last = 10\n' >"$W/config.toml"
make_dump_repository "$W/pristine" "$COUNT"
REPO=$W/repo
cp -a "$W/pristine" "$REPO"
lg "$W/base.db" repo add main "$REPO"
lg "$W/base.db" scan
((RC == 0)) || { fail "scan exited $RC: $(cat "$W/out" "$W/err")"; done_trials; }
files_of "$REPO" >"$W/files.before"
live_backups() { catalog_sql "$1" 'SELECT backup_id FROM backups WHERE deleted_at IS NULL ORDER BY backup_id'; }

catalog_copy "$W/base.db" "$W/ref.db"
span_ms=$(time_ms "$W/ref.db" --config "$W/config.toml" retention apply --yes)
((RC == 0)) || fail "uninterrupted retention apply exited $RC: $(cat "$W/out" "$W/err")"
files_of "$REPO" >"$W/ref.files"
live_backups "$W/ref.db" >"$W/ref.live"
expect_gone_files_audited "$W/ref.db" "$W/files.before" "uninterrupted apply"
# keep_last counts per database: 10 of shop and 10 of inventory.
(($(wc -l <"$W/ref.live") == 20)) || fail "an uninterrupted apply kept $(wc -l <"$W/ref.live") backups, not 20"
echo "uninterrupted retention apply: ${span_ms} ms; $COUNT dumps, keeps 10; seed $SEED"
span_ms=$((span_ms + span_ms / 5 + 1))

killed=0
for ((t = 1; t <= TRIALS; t++)); do
  what="trial $t"
  rm -rf "$REPO"
  cp -a "$W/pristine" "$REPO"
  catalog=$W/trial.db
  rm -f "$catalog" "$catalog"-*
  catalog_copy "$W/base.db" "$catalog"
  delay=$(seconds_to_sleep "$span_ms")
  lg_bg --catalog "$catalog" --config "$W/config.toml" retention apply --yes
  kill_after "$delay"
  [[ $OUTCOME == killed ]] && killed=$((killed + 1))
  [[ $OUTCOME == killed || $OUTCOME == finished ]] || fail "$what: apply $OUTCOME before the kill: $(cat "$W/killed.err")"
  left_files=$(files_of "$REPO" | wc -l)
  expect_gone_files_audited "$catalog" "$W/files.before" "$what, after the kill"
  lgt "$catalog" --config "$W/config.toml" retention apply --yes
  ((RC == 0)) || fail "$what (kill at $delay s): the rerun exited $RC: $(cat "$W/out" "$W/err")"
  files_of "$REPO" | diff -q "$W/ref.files" - >/dev/null ||
    fail "$what (kill at $delay s): files left differ from an uninterrupted apply: $(files_of "$REPO" | diff "$W/ref.files" - | head -5)"
  live_backups "$catalog" | diff -q "$W/ref.live" - >/dev/null ||
    fail "$what (kill at $delay s): live backups differ: $(live_backups "$catalog" | diff "$W/ref.live" - | head -5)"
  expect_gone_files_audited "$catalog" "$W/files.before" "$what"
  expect_consistent "$catalog" "$what"
  expect_nothing_left "$what"
  echo "$what: kill at ${delay} s: $OUTCOME; $left_files files left by it; rerun finished the job"
done
echo "tally: $TRIALS trials, $killed killed mid-apply"
done_trials
