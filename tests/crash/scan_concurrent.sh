#!/usr/bin/env bash
# Issue 12, finding 3: several first scans of one repository at once. Each
# must exit 0 (no "UNIQUE constraint failed"), every object must be hashed by
# exactly one of them (no double work), and the catalog must end with the
# backups one scan makes, consistent.
source "$(dirname "$0")/lib.bash"
SCANS=${LASTGOOD_CONCURRENT_SCANS:-3}
COUNT=${LASTGOOD_CRASH_DUMPS:-300}
REPO=$W/repo
make_dump_repository "$REPO" "$COUNT"
lg "$W/one.db" repo add main "$REPO"
lg "$W/one.db" scan
((RC == 0)) || fail "a single scan exited $RC: $(cat "$W/out" "$W/err")"
backups_of "$W/one.db" >"$W/one.backups"
objects=$(catalog_sql "$W/one.db" 'SELECT count(*) FROM objects')

lg "$W/many.db" repo add main "$REPO"
pids=()
for ((i = 1; i <= SCANS; i++)); do
  "$LASTGOOD_BIN" --catalog "$W/many.db" scan --json >"$W/scan-$i.json" 2>"$W/scan-$i.err" &
  pids+=($!)
done
new_total=0
for ((i = 1; i <= SCANS; i++)); do
  set +e
  wait "${pids[i - 1]}"
  status=$?
  set -e
  ((status == 0)) || fail "concurrent scan $i exited $status: $(cat "$W/scan-$i.err")"
  if grep -qi "constraint" "$W/scan-$i.err"; then fail "concurrent scan $i: $(cat "$W/scan-$i.err")"; fi
  new=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["repositories"][0]["new"])' \
    "$W/scan-$i.json" 2>/dev/null || echo 0)
  echo "scan $i: $new new objects"
  new_total=$((new_total + new))
done
((new_total == objects)) || fail "$SCANS concurrent scans read $new_total new objects between them, not $objects once each"
expect_consistent "$W/many.db" "after $SCANS concurrent scans"
backups_of "$W/many.db" >"$W/many.backups"
diff -q "$W/one.backups" "$W/many.backups" >/dev/null ||
  fail "backups after $SCANS concurrent scans differ from one scan's:
$(diff "$W/one.backups" "$W/many.backups" | head -n 10)"
done_trials
