#!/usr/bin/env bash
# kill -9 a `backup` (custom and directory format) at seeded random moments.
# Right after the kill a `scan` must catalog no half-written file as a
# finished backup: every backup it knows passes `verify --level structure`.
# Then the same backup runs again normally and must pass; afterwards the
# catalog is consistent, its backups are the rerun's plus (at most) the
# killed run's if that one had finished its file, each complete, and no
# pg_dump, temp file (repository or $TMPDIR) is left.
source "$(dirname "$0")/lib.bash"
TRIALS=${LASTGOOD_CRASH_TRIALS:-1}
SEED=${LASTGOOD_CRASH_SEED:-1515}
RANDOM=$SEED
start_server
REPO=$W/repo
mkdir -p "$REPO"
chmod 777 "$REPO"
lg "$W/base.db" repo add main "$REPO"

for format in custom directory; do
  args=(backup --repo main --dbname "$SERVER dbname=shop" --format "$format")
  catalog_copy "$W/base.db" "$W/ref.db"
  span_ms=$(time_ms "$W/ref.db" "${args[@]}")
  ((RC == 0)) || fail "uninterrupted backup ($format) exited $RC: $(cat "$W/out" "$W/err")"
  echo "uninterrupted backup --format $format: ${span_ms} ms; seed $SEED"
  span_ms=$((span_ms + span_ms / 5 + 1))
  killed=0
  for ((t = 1; t <= TRIALS; t++)); do
    what="$format trial $t"
    find "$REPO" -mindepth 1 -delete
    catalog=$W/trial.db
    rm -f "$catalog" "$catalog"-*
    catalog_copy "$W/base.db" "$catalog"
    delay=$(seconds_to_sleep "$span_ms")
    lg_bg --catalog "$catalog" "${args[@]}"
    kill_after "$delay"
    [[ $OUTCOME == killed ]] && killed=$((killed + 1))
    [[ $OUTCOME == killed || $OUTCOME == finished ]] || fail "$what: backup $OUTCOME before the kill: $(cat "$W/killed.err")"
    partial=$(find "$REPO" "$LG_TMP" -mindepth 1 -maxdepth 1 | wc -l)
    files_of "$REPO" >"$W/files.killed"
    lgt "$catalog" scan
    ((RC == 0)) || fail "$what: the scan after the kill exited $RC: $(cat "$W/out" "$W/err")"
    after_kill=$(catalog_sql "$catalog" 'SELECT count(*) FROM backups')
    if ((after_kill > 0)); then
      lgt "$catalog" verify --level structure
      ((RC == 0)) || fail "$what (kill at $delay s): the scan after the kill cataloged an unfinished backup: $(cat "$W/out" "$W/err")"
    fi
    # Backup names carry the second they started in, and backup never replaces
    # an object: a rerun in the killed run's second would be refused by design.
    sleep 1
    lgt "$catalog" "${args[@]}"
    ((RC == 0)) || fail "$what (kill at $delay s): the rerun exited $RC: $(cat "$W/out" "$W/err")"
    lgt "$catalog" scan
    total=$(catalog_sql "$catalog" 'SELECT count(*) FROM backups WHERE deleted_at IS NULL')
    ((total == after_kill + 1)) || fail "$what: $total backups after the rerun, expected $((after_kill + 1))"
    lgt "$catalog" verify --level structure
    ((RC == 0)) || fail "$what: verifying the backups after the rerun exited $RC: $(cat "$W/out" "$W/err")"
    expect_consistent "$catalog" "$what"
    expect_gone_files_audited "$catalog" "$W/files.killed" "$what"
    expect_nothing_left "$what (kill at $delay s)"
    echo "$what: kill at ${delay} s: $OUTCOME; $partial entries left by it; $after_kill backup(s) cataloged from it; rerun passed"
  done
  echo "tally ($format): $TRIALS trials, $killed killed mid-backup"
done
done_trials
