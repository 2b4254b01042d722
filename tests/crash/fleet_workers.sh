#!/usr/bin/env bash
# Many verifiers sharing one catalog (issue 15), with real processes:
#  0. `verify --due` takes one source's due backups in turn with the others'.
#  1. three `verify --due` at once verify every due backup exactly once, with a
#     lease expiry (4s) shorter than a test restore (a check sleeps 5s), so only
#     the heartbeat keeps a lease; with verify.max_concurrent_per_source = 1 the
#     two restores of the one source never overlap (each restore's own check
#     counts the scratch databases on the shared scratch server).
#  2. a verifier on "another host" (its own UTS namespace, its own hostname)
#     whose restore outlasts the lease expiry keeps its lease by its heartbeat;
#     killed with -9 mid-restore, its lease is honoured while it has not
#     expired (it cannot be judged dead from here), then taken over; its run is
#     closed as error, the new run passes, nothing is left running.
source "$(dirname "$0")/lib.bash"
((EUID == 0)) || {
  echo "needs root (unshare --uts for a second host name); skipped"
  exit 0
}
start_server
REPO=$W/repo
make_dump_repository "$REPO" 8
scratch_db() { echo "$SERVER dbname=postgres"; }
# A check every restore runs: sleeps past the lease expiry, then counts the
# test restores on the scratch server (true when at most one is there).
one_restore_check() {
  cat <<TOML
[[verify.check]]
database = "$1"
name = "at most one restore of this source at a time"
sql = "SELECT (SELECT count(*) FROM pg_database WHERE datname LIKE 'lastgood_verify_%') <= 1 FROM pg_sleep($2)"
TOML
}
cat >"$W/fleet.toml" <<TOML
[verify]
scratch = "$(scratch_db)"
lease_expiry = "4s"
max_concurrent_per_source = 1
$(one_restore_check shop 5)
$(one_restore_check inventory 5)
TOML
lg "$W/fleet.db" repo add main "$REPO"
lg "$W/fleet.db" scan
((RC == 0)) || fail "scan exited $RC: $(cat "$W/out" "$W/err")"
backups=$(catalog_sql "$W/fleet.db" 'SELECT count(*) FROM backups')

# --- 0. fairness: a source with many due backups does not go first in full --
# pg_dumpall output is due for checksums only; "big" has five, "small" one
# whose ID sorts last: round-robin puts it second.
mkdir -p "$W/big" "$W/small"
for i in 1 2 3 4 5; do
  cp "$ART/repo/dumps/cluster.sql" "$W/big/all-$i.sql"
  touch -d "2025-01-0$i 02:00 UTC" "$W/big/all-$i.sql"
done
cp "$ART/repo/dumps/cluster.sql" "$W/small/all-9.sql"
touch -d "2025-01-09 02:00 UTC" "$W/small/all-9.sql"
lg "$W/fair.db" repo add big "$W/big" --source big
lg "$W/fair.db" repo add small "$W/small" --source small
lg "$W/fair.db" scan
small=$(catalog_sql "$W/fair.db" "SELECT backup_id FROM backups WHERE source = 'small'")
lg "$W/fair.db" verify --due
order=$(grep -oE '^[0-9]{8}T[0-9]{4}-[a-z]+-[0-9a-f]+' "$W/out" | tr '\n' ' ')
second=$(echo "$order" | cut -d' ' -f2)
[[ $second == "$small" ]] || fail "verify --due order $order: the small source's $small is not second"
echo "fairness: verify --due order $order"

# --- 1. three workers, exactly once, the cap held ----------------------------
pids=()
for i in 1 2 3; do
  TMPDIR=$LG_TMP "$LASTGOOD_BIN" --catalog "$W/fleet.db" --config "$W/fleet.toml" verify --due \
    >"$W/worker$i.out" 2>"$W/worker$i.err" &
  pids+=($!)
done
for i in 1 2 3; do
  set +e
  wait "${pids[i - 1]}"
  rc=$?
  set -e
  ((rc == 0)) || fail "worker $i exited $rc: $(cat "$W/worker$i.out" "$W/worker$i.err")"
done
per_backup=$(catalog_sql "$W/fleet.db" "SELECT b.backup_id || ' ' || count(r.id) FROM backups b
  LEFT JOIN verification_runs r ON r.backup_id = b.id GROUP BY b.id HAVING count(r.id) <> 1")
[[ -z $per_backup ]] || fail "not every backup was verified exactly once (ID runs): $per_backup"
not_pass=$(catalog_sql "$W/fleet.db" "SELECT id || ' ' || level || ' ' || outcome FROM verification_runs
  WHERE outcome <> 'pass'")
[[ -z $not_pass ]] || fail "runs that did not pass: $not_pass; $(cat "$W"/worker*.out)"
restores=$(catalog_sql "$W/fleet.db" "SELECT count(*) FROM verification_runs WHERE level = 'restore'")
((restores == 2)) || fail "$restores test restores, expected 2 (shop and inventory are due)"
capped=$(cat "$W"/worker*.out | grep -c "waited for a test-restore slot" || true)
echo "three workers: $backups backups, each verified once; $restores restores; $capped waited for a slot"
lg "$W/fleet.db" --config "$W/fleet.toml" verify --due
runs=$(catalog_sql "$W/fleet.db" 'SELECT count(*) FROM verification_runs')
((runs == backups)) || fail "a fourth verify --due found work again: $runs runs for $backups backups"

# --- 2. kill -9 on another host, takeover after expiry -----------------------
# Its check sleeps 10s, longer than the 4s expiry: only its heartbeat keeps the lease.
cat >"$W/other.toml" <<TOML
[verify]
scratch = "$(scratch_db)"
lease_expiry = "4s"
$(one_restore_check shop 10)
TOML
mkdir -p "$W/one"
cp "$ART/repo/dumps/shop.dump" "$W/one/shop.dump"
chmod -R a+rX "$W/one"
lg "$W/other.db" repo add one "$W/one"
lg "$W/other.db" scan
id=$(catalog_sql "$W/other.db" 'SELECT backup_id FROM backups')
TMPDIR=$LG_TMP setsid unshare --uts sh -c "hostname fleet-other-host && exec \"\$0\" \"\$@\"" \
  "$LASTGOOD_BIN" --catalog "$W/other.db" --config "$W/other.toml" verify "$id" --level restore \
  >"$W/other.out" 2>"$W/other.err" &
victim=$!
running=
for _ in $(seq 1 300); do
  running=$(catalog_sql "$W/other.db" "SELECT count(*) FROM verification_runs
    WHERE outcome = 'running' AND host = 'fleet-other-host' AND scratch_database IS NOT NULL")
  ((running == 1)) && break
  sleep 0.05
done
((running == 1)) || fail "the other host's verify never showed as running: $(cat "$W/other.err")"
# Past the expiry its lease was taken with, and renewed since.
renewed=0
for _ in $(seq 1 200); do
  renewed=$(catalog_sql "$W/other.db" "SELECT count(*) FROM verification_leases
    WHERE acquired_at <= '$(date -u -d '-5 seconds' +%Y-%m-%dT%H:%M:%SZ)'")
  ((renewed == 1)) && break
  sleep 0.1
done
((renewed == 1)) || fail "the other host's lease is gone before its expiry passed"
lgt "$W/other.db" --config "$W/other.toml" verify --due
grep -q "holds this backup's lease" "$W/out" ||
  fail "a live lease of another host, renewed past its first expiry, was not honoured: $(cat "$W/out" "$W/err")"
left=$(catalog_sql "$W/other.db" "SELECT count(*) FROM verification_runs WHERE outcome <> 'running'")
((left == 0)) || fail "a run was recorded while another host held the lease"
kill -0 "$victim" 2>/dev/null || fail "the other host's verify ended before it was killed: $(cat "$W/other.out")"
kill -9 "$victim"
wait "$victim" 2>/dev/null || true
for _ in $(seq 1 200); do
  expired=$(catalog_sql "$W/other.db" "SELECT count(*) FROM verification_leases
    WHERE expires_at <= '$(date -u +%Y-%m-%dT%H:%M:%SZ)'")
  ((expired == 1)) && break
  sleep 0.1
done
((expired == 1)) || fail "the dead holder's lease never expired"
printf '[verify]\nscratch = "%s"\nlease_expiry = "4s"\n' "$(scratch_db)" >"$W/takeover.toml"
lgt "$W/other.db" --config "$W/takeover.toml" verify --due
((RC == 0)) || fail "the takeover verify exited $RC: $(cat "$W/out" "$W/err")"
grep -q "took over the lease of fleet-other-host" "$W/out" ||
  fail "no takeover of the expired lease reported: $(cat "$W/out")"
outcomes=$(catalog_sql "$W/other.db" "SELECT group_concat(host || '=' || outcome, ' ') FROM
  (SELECT host, outcome FROM verification_runs ORDER BY id) AS runs")
[[ $outcomes == "fleet-other-host=error $(hostname)=pass" ]] ||
  fail "runs should be the dead one closed as error, then a pass: $outcomes"
why=$(catalog_sql "$W/other.db" "SELECT message FROM verification_findings f JOIN verification_runs r
  ON r.id = f.run_id WHERE r.host = 'fleet-other-host'")
[[ $why == *"stopped renewing its lease"* ]] || fail "the dead run's finding: $why"
leases=$(catalog_sql "$W/other.db" 'SELECT count(*) FROM verification_leases')
((leases == 0)) || fail "$leases lease(s) left after the takeover"
expect_consistent "$W/other.db" "after the takeover"
left=$(psql_at postgres -c "SELECT datname FROM pg_database WHERE datname LIKE 'lastgood\_verify\_%'")
[[ -z $left ]] || fail "scratch databases left: $left"
echo "another host killed mid-restore: lease honoured, then taken over after expiry: $outcomes"
done_trials
