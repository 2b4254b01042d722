#!/usr/bin/env bash
# Issue 12, finding 2: a dump that cannot be read at its first scan is
# cataloged with its problem; once readable, the next plain scan must hash it
# and make it a backup (before the fix it was hashed but never became one).
# Runs lastgood as `nobody` when the tests run as root (root reads any file).
source "$(dirname "$0")/lib.bash"
AS=()
if ((EUID == 0)); then
  AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
  chown nobody "$W"
fi
lg_as() {
  set +e
  "${AS[@]}" "$LASTGOOD_BIN" --catalog "$W/catalog.db" "$@" >"$W/out" 2>"$W/err"
  RC=$?
  set -e
}
REPO=$W/repo
make_dump_repository "$REPO" 3
locked=$REPO/nightly-0001-shop-z.dump
chmod 000 "$locked"
lg_as repo add main "$REPO"
lg_as scan
((RC == 3)) || fail "the scan with an unreadable dump exited $RC, expected 3: $(cat "$W/out" "$W/err")"
grep -q "PROBLEM nightly-0001-shop-z.dump" "$W/out" || fail "scan did not name the unreadable dump: $(cat "$W/out")"
[[ $(backups_of "$W/catalog.db" | wc -l) == 2 ]] || fail "expected 2 backups while one dump is unreadable"

chmod 644 "$locked"
lg_as scan
((RC == 0)) || fail "the scan after the dump became readable exited $RC: $(cat "$W/out" "$W/err")"
roots=$(catalog_sql "$W/catalog.db" 'SELECT root_key FROM backups ORDER BY root_key' | tr '\n' ' ')
[[ $roots == "nightly-0000-shop.dump nightly-0001-shop-z.dump nightly-0002-inventory.dump " ]] ||
  fail "the dump readable again is not a backup after a plain scan; backups: $roots"
lg_as catalog check
((RC == 0)) || fail "catalog check exited $RC: $(cat "$W/out" "$W/err")"
done_trials
