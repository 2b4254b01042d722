#!/usr/bin/env bash
# The Grafana dashboard on the catalog (docs/grafana/lastgood-catalog-dashboard.json)
# against a real catalog: every view a panel queries is created by a migration
# and documented in docs/catalog.md, and every panel's query runs on a scanned
# and verified catalog (real dumps and WAL from the fixtures, a real test
# restore) and returns rows — the leases panel while a verify is running.
source "$(dirname "$0")/../crash/lib.bash"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
DASHBOARD=$SRC/docs/grafana/lastgood-catalog-dashboard.json
mapfile -t queries < <(python3 -c '
import json, sys
for p in json.load(open(sys.argv[1]))["panels"]:
    for t in p["targets"]:
        print(p["title"] + "\t" + t["rawSql"])' "$DASHBOARD")
((${#queries[@]} >= 5)) || fail "the dashboard holds ${#queries[@]} queries"
views=$(printf '%s\n' "${queries[@]}" | grep -oE '\bv_[a-z_]+' | sort -u)
for view in $views; do
  grep -qE "CREATE VIEW $view AS" "$SRC"/migrations/*.sql || fail "$view: no migration creates it"
  grep -q "\`$view\`" "$SRC/docs/catalog.md" || fail "$view: not documented in docs/catalog.md"
done

REPO=$W/repo
mkdir -p "$REPO/dumps" "$REPO/wal"
cp "$ART/repo/dumps/shop.dump" "$ART/repo/dumps/inventory.dump" "$REPO/dumps/"
cp "$ART"/repo/wal/00000001000000000000000{1,2,3} "$REPO/wal/"
chmod -R a+rX "$REPO"
C=$W/catalog.db
lg "$C" repo add main "$REPO"
lg "$C" scan
((RC == 0)) || fail "scan exited $RC: $(cat "$W/out" "$W/err")"
shop=$(catalog_sql "$C" "SELECT backup_id FROM backups WHERE database = 'shop'")
inventory=$(catalog_sql "$C" "SELECT backup_id FROM backups WHERE database = 'inventory'")
lgt "$C" verify "$shop" --level restore --scratch auto
((RC == 0)) || fail "verify of $shop exited $RC: $(cat "$W/out" "$W/err")"
# A second verify holds a lease while the panels are queried.
cat >"$W/slow.toml" <<'TOML'
[[verify.check]]
database = "inventory"
name = "slow enough to be seen"
sql = "SELECT true FROM pg_sleep(2)"
TOML
lg_bg --catalog "$C" --config "$W/slow.toml" verify "$inventory" --level restore --scratch auto
leases=0
for _ in $(seq 1 600); do
  leases=$(catalog_sql "$C" 'SELECT count(*) FROM v_verification_leases')
  ((leases > 0)) && break
  sleep 0.1
done
((leases > 0)) || fail "the running verify's lease never showed in v_verification_leases"
for entry in "${queries[@]}"; do
  title=${entry%%$'\t'*}
  sql=${entry#*$'\t'}
  set +e
  rows=$(catalog_sql "$C" "$sql" 2>&1)
  rc=$?
  set -e
  ((rc == 0)) || fail "panel '$title': the query fails: $rows"
  [[ -n $rows ]] || fail "panel '$title': no rows on a scanned and verified catalog: $sql"
done
set +e
wait "$PID"
rc=$?
set -e
((rc == 0)) || fail "the second verify exited $rc: $(cat "$W/killed.out" "$W/killed.err")"
restorable=$(catalog_sql "$C" "SELECT group_concat(backup_id, ',') FROM v_newest_restorable")
[[ $restorable == *"$shop"* ]] || fail "v_newest_restorable: $restorable, expected $shop"
coverage=$(catalog_sql "$C" "SELECT timeline || ' ' || segments || ' ' || missing_segments FROM v_wal_coverage")
[[ $coverage == "1 3 0" ]] || fail "v_wal_coverage: '$coverage', expected timeline 1, 3 segments, none missing"
echo "${#queries[@]} dashboard queries over views: $(echo $views)"
done_trials
