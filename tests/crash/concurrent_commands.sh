#!/usr/bin/env bash
# Several `verify --due`, `run` and `retention apply` processes on one catalog
# at once (real processes, a named scratch server). None may fail with a
# constraint or lock error; no backup is test-restored twice (no double work);
# each deleted backup is deleted once (one audit row, its files gone); and the
# catalog ends as a sequential order of the same commands leaves it:
# consistent, the same live backups with the same test-restore verdicts.
source "$(dirname "$0")/lib.bash"
ROUNDS=${LASTGOOD_CRASH_TRIALS:-1}
COUNT=${LASTGOOD_CRASH_DUMPS:-16}
start_server
printf '[retention]\nkeep_last = 4\n' >"$W/config.toml"
make_dump_repository "$W/pristine" "$COUNT"
REPO=$W/repo
live_backups() { catalog_sql "$1" 'SELECT backup_id FROM backups WHERE deleted_at IS NULL ORDER BY backup_id'; }
live_verdicts() {
  catalog_sql "$1" "SELECT s.backup_id, coalesce(s.last_restore_outcome, 'none') FROM v_backup_status s
                JOIN backups b ON b.id = s.id WHERE b.deleted_at IS NULL ORDER BY s.backup_id"
}
scratch="$SERVER dbname=postgres"

# Sequential reference: scan, retention, verify what is due.
cp -a "$W/pristine" "$REPO"
lg "$W/ref.db" repo add main "$REPO"
lg "$W/ref.db" scan
lgt "$W/ref.db" --config "$W/config.toml" retention apply --yes
lgt "$W/ref.db" --config "$W/config.toml" verify --due --scratch "$scratch"
((RC == 0)) || fail "sequential verify --due exited $RC: $(cat "$W/out" "$W/err")"
live_backups "$W/ref.db" >"$W/ref.live"
live_verdicts "$W/ref.db" >"$W/ref.verdicts"
files_of "$REPO" >"$W/ref.files"

for ((round = 1; round <= ROUNDS; round++)); do
  rm -rf "$REPO"
  cp -a "$W/pristine" "$REPO"
  catalog=$W/many.db
  rm -f "$catalog" "$catalog"-*
  lg "$catalog" repo add main "$REPO"
  lg "$catalog" scan
  files_of "$REPO" >"$W/files.before"
  procs=(verify verify verify run run retention retention)
  pids=()
  for ((i = 0; i < ${#procs[@]}; i++)); do
    case ${procs[i]} in
      verify) cmd=(verify --due --scratch "$scratch") ;;
      run) cmd=(run --scratch "$scratch") ;;
      retention) cmd=(retention apply --yes) ;;
    esac
    TMPDIR=$LG_TMP "$LASTGOOD_BIN" --catalog "$catalog" --config "$W/config.toml" "${cmd[@]}" \
      >"$W/p$i.out" 2>"$W/p$i.err" &
    pids+=($!)
  done
  for ((i = 0; i < ${#procs[@]}; i++)); do
    set +e
    wait "${pids[i]}"
    status=$?
    set -e
    # verify and run may meet a backup retention deleted under them: that run is
    # skipped (docs/reliability.md), so verify finds no problem (never exit 3);
    # run may still exit 3 for its report's verdict, never for a missing object.
    [[ $status == 0 || ($status == 3 && ${procs[i]} == run) ]] ||
      fail "round $round: ${procs[i]} ($i) exited $status: $(cat "$W/p$i.out" "$W/p$i.err")"
    if grep -q 'missing_object' "$W/p$i.out" "$W/p$i.err"; then
      fail "round $round: ${procs[i]} ($i) reported a missing object: $(grep missing_object "$W/p$i.out" "$W/p$i.err" | head -3)"
    fi
    if grep -qiE 'constraint|database is locked|busy' "$W/p$i.out" "$W/p$i.err"; then
      fail "round $round: ${procs[i]} ($i): $(grep -iE 'constraint|locked|busy' "$W/p$i.out" "$W/p$i.err")"
    fi
  done
  twice=$(catalog_sql "$catalog" "SELECT b.backup_id || ' ' || r.level || ' x' || count(*) FROM verification_runs r
            JOIN backups b ON b.id = r.backup_id GROUP BY b.backup_id, r.level HAVING count(*) > 1")
  [[ -z $twice ]] || fail "round $round: backups verified more than once at one level: $twice"
  missing=$(catalog_sql "$catalog" "SELECT b.backup_id FROM verification_findings f
            JOIN verification_runs r ON r.id = f.run_id JOIN backups b ON b.id = r.backup_id
            WHERE f.kind = 'missing_object'")
  [[ -z $missing ]] || fail "round $round: a backup deleted by retention was recorded as missing: $missing"
  raced=$(catalog_sql "$catalog" "SELECT count(*) FROM verification_findings WHERE kind = 'backup_deleted'")
  deleted_twice=$(catalog_sql "$catalog" "SELECT subject || ' x' || count(*) FROM audit_log
            WHERE action = 'retention.delete_backup' GROUP BY subject HAVING count(*) > 1")
  [[ -z $deleted_twice ]] || fail "round $round: backups deleted more than once: $deleted_twice"
  # What the concurrent processes left undone (a backup deleted before it was
  # verified, one verified as it went) a sequential pass finishes.
  lgt "$catalog" --config "$W/config.toml" verify --due --scratch "$scratch"
  ((RC == 0)) || fail "round $round: verify --due afterwards exited $RC: $(cat "$W/out" "$W/err")"
  live_backups "$catalog" | diff -q "$W/ref.live" - >/dev/null ||
    fail "round $round: live backups differ from the sequential order: $(live_backups "$catalog" | diff "$W/ref.live" - | head -5)"
  files_of "$REPO" | diff -q "$W/ref.files" - >/dev/null || fail "round $round: files left differ from the sequential order"
  live_verdicts "$catalog" | diff -q "$W/ref.verdicts" - >/dev/null ||
    fail "round $round: test-restore verdicts of the live backups differ from the sequential order: $(live_verdicts "$catalog" | diff "$W/ref.verdicts" - | head -5)"
  expect_gone_files_audited "$catalog" "$W/files.before" "round $round"
  expect_consistent "$catalog" "round $round"
  expect_nothing_left "round $round"
  echo "round $round: ${#procs[@]} processes at once ($(tr '\n' ' ' <<<"${procs[*]}")); restore runs:" \
    "$(catalog_sql "$catalog" "SELECT count(*) FROM verification_runs WHERE level = 'restore'"), deleted:" \
    "$(catalog_sql "$catalog" 'SELECT count(*) FROM backups WHERE deleted_at IS NOT NULL')," \
    "verified while deleted (skipped): $raced"
done
done_trials
