#!/usr/bin/env bash
# What a scan derives (backup membership, WAL facts, a backup's missing mark)
# is recomputed, not remembered: with pieces of it gone, as a crash or an
# older lastgood could leave them, `catalog check` names each (exit 3) and the
# next plain scan restores exactly what an undisturbed catalog holds.
source "$(dirname "$0")/lib.bash"
REPO=$W/repo
cp -r "$ART/repo" "$REPO"
lg "$W/catalog.db" repo add main "$REPO"
lg "$W/catalog.db" scan
((RC == 0 || RC == 3)) || fail "the first scan exited $RC: $(cat "$W/out" "$W/err")"
expect_consistent "$W/catalog.db" "after the first scan"
derived() {
  backups_of "$W/catalog.db"
  catalog_sql "$W/catalog.db" "SELECT o.key, w.timeline, w.segno, w.cluster_id FROM wal_segments w
                           JOIN objects o ON o.id = w.object_id ORDER BY o.key"
  catalog_sql "$W/catalog.db" "SELECT o.key, h.start_lsn, h.stop_lsn FROM backup_history_files h
                           JOIN objects o ON o.id = h.object_id ORDER BY o.key"
}
derived >"$W/before"
[[ $(catalog_sql "$W/catalog.db" "SELECT count(*) FROM backups WHERE format = 'directory'") -ge 1 ]] ||
  fail "the fixture repository has no directory dump"
[[ $(catalog_sql "$W/catalog.db" "SELECT count(*) FROM wal_segments") -ge 1 ]] || fail "no WAL segments cataloged"

catalog_sql "$W/catalog.db" "
  DELETE FROM backup_objects WHERE role = 'data';                       -- a directory dump's data files
  DELETE FROM backup_objects WHERE backup_id = (SELECT id FROM backups WHERE format = 'base_plain' LIMIT 1)
                               AND role = 'file';                       -- a base backup's files
  DELETE FROM wal_segments WHERE object_id IN (SELECT object_id FROM wal_segments LIMIT 2);
  DELETE FROM backup_history_files WHERE object_id IN (SELECT object_id FROM backup_history_files LIMIT 1);
  UPDATE backups SET missing_since = '2026-01-01T00:00:00Z' WHERE id = (SELECT min(id) FROM backups);"
lg "$W/catalog.db" catalog check
((RC == 3)) || fail "catalog check of a damaged derivation exited $RC, expected 3"
for kind in backup_membership wal_facts backup_missing; do
  grep -q "^  $kind: " "$W/out" || fail "catalog check did not report $kind: $(cat "$W/out")"
done
lg "$W/catalog.db" catalog check --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if not d["clean"] and d["integrity"]=="ok" else 1)' \
  "$W/out" || fail "catalog check --json: $(cat "$W/out")"

lg "$W/catalog.db" scan
((RC == 0 || RC == 3)) || fail "the repairing scan exited $RC: $(cat "$W/out" "$W/err")"
expect_consistent "$W/catalog.db" "after the repairing scan"
derived >"$W/after"
diff -q "$W/before" "$W/after" >/dev/null || fail "the scan did not restore the derived state:
$(diff "$W/before" "$W/after" | head -n 10)"
done_trials
