# Scenario harness: each tests/scenarios/*.scenario builds a real catalog from
# real backups (the fixture artifacts, or pg_dump of a throwaway server), runs
# the real binary, and asserts the verdict on every surface at once: exit
# codes, each report check in text, Markdown, JSON and HTML alike (and equal
# to lastgood_check_status in the metrics), metric values, and which alert
# rules fire over simulated time (promtool on the metrics the real `metrics`
# command wrote). Sourced by each scenario; needs LASTGOOD_BIN and
# LASTGOOD_ARTIFACTS (ctest sets both).
set -euo pipefail
# shellcheck source=../support/catalog_sql.bash
source "$(dirname "${BASH_SOURCE[0]}")/../support/catalog_sql.bash"

: "${LASTGOOD_BIN:?set LASTGOOD_BIN (ctest does)}"
: "${LASTGOOD_ARTIFACTS:?set LASTGOOD_ARTIFACTS (ctest does)}"
SCENARIO_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_ROOT=$(cd "$SCENARIO_LIB/../.." && pwd)
ART=$LASTGOOD_ARTIFACTS
S=$(mktemp -d "${TMPDIR:-/tmp}/lg-scenario.XXXXXX")
chmod 755 "$S"
REPO=$S/repo
mkdir -p "$REPO"
chmod 755 "$REPO"
CONFIG=$S/config.toml
# The configuration is [compliance] (see `compliance`) plus what `config` added.
printf 'rpo = "1d"\nverified_within = "7d"\n' >"$S/compliance.toml"
: >"$S/extra.toml"
SERVER_PID_FILE=
FAILURES=0

scenario_cleanup() {
  if [[ -n $SERVER_PID_FILE && -d $S/server ]]; then
    as_pg "$PG_BIN/pg_ctl" -D "$S/server" -m immediate stop >/dev/null 2>&1 || true
  fi
  if ((FAILURES == 0)) && [[ -z ${KEEP:-} ]]; then rm -rf "$S"; else echo "scenario files kept in $S" >&2; fi
}
trap scenario_cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  FAILURES=$((FAILURES + 1))
}
# Ends the scenario: exit 1 when any expectation failed.
done_scenario() {
  if ((FAILURES)); then
    echo "$FAILURES expectation(s) failed" >&2
    exit 1
  fi
  echo "scenario passed"
}

# `lg ARGS...`: runs lastgood on this scenario's catalog and configuration;
# sets RC, OUT (stdout) and ERR (stderr), never stops the scenario.
lg() {
  { echo '[compliance]'; cat "$S/compliance.toml"; echo; cat "$S/extra.toml"; } >"$CONFIG"
  local as=()
  if [[ -n ${LG_USER:-} ]] && ((EUID == 0)); then as=(runuser -u "$LG_USER" --); fi
  set +e
  "${as[@]}" "$LASTGOOD_BIN" --catalog "$S/catalog.db" --config "$CONFIG" "$@" >"$S/out" 2>"$S/err"
  RC=$?
  set -e
  OUT=$(cat "$S/out")
  ERR=$(cat "$S/err")
}
# `must ARGS...`: lg, and stop the scenario unless it exits 0 (set-up steps).
must() {
  lg "$@"
  if ((RC != 0)); then
    echo "set-up step 'lastgood $*' exited $RC:" >&2
    echo "$OUT" >&2
    echo "$ERR" >&2
    FAILURES=$((FAILURES + 1))
    exit 1
  fi
}
# `expect_exit CODE ARGS...`: lg, and expect this exit code.
expect_exit() {
  local code=$1
  shift
  lg "$@"
  [[ $RC == "$code" ]] || fail "lastgood $* exited $RC, expected $code
  stdout: $OUT
  stderr: $ERR"
}
# `expect_out TEXT`: the last command's stdout or stderr contains TEXT.
expect_out() {
  [[ "$OUT$ERR" == *"$1"* ]] || fail "expected output containing '$1', got:
  stdout: $OUT
  stderr: $ERR"
}

# `config LINE...`: add lines to the configuration file (own sections).
# `run_as_unprivileged`: from here on lastgood runs as `nobody` when the tests
# run as root (root reads files whatever their mode).
run_as_unprivileged() {
  if ((EUID == 0)); then
    LG_USER=nobody
    chown -R nobody "$S"
  fi
}
config() { printf '%s\n' "$@" >>"$S/extra.toml"; }
# `compliance KEY=VALUE...`: the [compliance] targets, e.g. rpo='"30d"'.
compliance() {
  : >"$S/compliance.toml"
  local kv
  for kv in "$@"; do printf '%s = %s\n' "${kv%%=*}" "${kv#*=}" >>"$S/compliance.toml"; done
}

# --- artifacts ---------------------------------------------------------------
# `add_dump FILE [NAME]`: a real pg_dump output from the fixtures into the repository.
add_dump() {
  cp -a "$ART/repo/dumps/$1" "$REPO/${2:-$1}"
  chmod -R a+rX "$REPO"
}
# `add_base NAME`: a real base backup from the fixtures; `add_wal`: the WAL archive.
add_base() {
  mkdir -p "$REPO/base"
  cp -a "$ART/repo/base/$1" "$REPO/base/$1"
  chmod -R a+rX "$REPO"
}
# `add_wal [--copied]`: archive times (mtimes) kept, or all "now" as after a plain copy.
add_wal() {
  if [[ ${1:-} == --copied ]]; then cp -r "$ART/repo/wal" "$REPO/wal"; else cp -a "$ART/repo/wal" "$REPO/wal"; fi
  chmod -R a+rX "$REPO"
}
# `flip_byte FILE OFFSET`: damage one byte in place (xor 0xff).
flip_byte() {
  python3 - "$1" "$2" <<'PY'
import sys
path, offset = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(offset); b = f.read(1); f.seek(offset); f.write(bytes([b[0] ^ 0xFF]))
PY
}
expected() { python3 -c "import json,sys; d=json.load(open('$ART/expected.json')); print(eval(sys.argv[1]))" "$1"; }

# --- a throwaway source server, for dumps taken at chosen moments ------------
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
as_pg() {
  if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi
}
# SOURCE_SERVER_OPTS: further postgres options (e.g. "-c wal_level=logical").
source_server() {
  mkdir -p "$S/server" "$S/sock"
  ((EUID == 0)) && chown postgres "$S/server" "$S/sock"
  as_pg "$PG_BIN/initdb" -D "$S/server" -U postgres -A trust --no-sync >/dev/null
  as_pg "$PG_BIN/pg_ctl" -D "$S/server" -l "$S/server/log" -w \
    -o "-k $S/sock -c listen_addresses='' -c fsync=off ${SOURCE_SERVER_OPTS:-}" start >/dev/null
  SERVER_PID_FILE=$S/server/postmaster.pid
  SERVER="host=$S/sock user=postgres"
  as_pg "$PG_BIN/psql" -qX -h "$S/sock" -U postgres -c "CREATE DATABASE shop" >/dev/null
  as_pg "$PG_BIN/psql" -qX -h "$S/sock" -U postgres -d shop -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (id int PRIMARY KEY, customer int REFERENCES customers, total numeric);
INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 200) g;
INSERT INTO orders SELECT g, 1 + g % 200, g * 1.5 FROM generate_series(1, 2000) g;
SQL
}
# `dump_shop FILE`: pg_dump -Fc of shop from the source server (a second
# apart from the previous one, so their times differ).
dump_shop() {
  as_pg "$PG_BIN/pg_dump" -Fc -h "$S/sock" -U postgres -d shop >"$1"
  sleep 1
}
# `take_backup [ARGS]`: a real `lastgood backup` of shop from the source server.
take_backup() {
  must backup --repo main --dbname "$SERVER dbname=shop" "$@"
  sleep 1 # backups taken in the same second would tie on time
}

# --- a real S3-compatible server on loopback (s3rver, tests/fixtures/s3-server) ---
# Sets S3_ENDPOINT and S3_URL (bucket lastgood-test); the server stops when the
# scenario ends (its stdin closes).
s3_server() {
  export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
  unset AWS_SESSION_TOKEN
  mkfifo "$S/s3.in"
  "$SOURCE_ROOT/tests/fixtures/s3-server" lastgood-test <"$S/s3.in" >"$S/s3.out" 2>"$S/s3.err" &
  exec 8>"$S/s3.in"
  local _
  for _ in $(seq 1 200); do
    grep -q '^endpoint=' "$S/s3.out" 2>/dev/null && break
    sleep 0.1
  done
  S3_ENDPOINT=$(sed -n 's/^endpoint=\([^ ]*\).*/\1/p' "$S/s3.out")
  [[ -n $S3_ENDPOINT ]] || { fail "the S3 server did not start: $(cat "$S/s3.err")"; exit 1; }
  S3_URL="s3://lastgood-test?endpoint=$S3_ENDPOINT&region=us-east-1"
}
# `s3_put KEY FILE [CURL ARGS...]`: a signed PUT (curl's SigV4), e.g. with lock headers.
s3_put() {
  local key=$1 file=$2
  shift 2
  curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user S3RVER:S3RVER -T "$file" "$@" \
    -H "x-amz-content-sha256: $(sha256sum "$file" | cut -d" " -f1)" \
    "$S3_ENDPOINT/lastgood-test/$key" >/dev/null || { fail "PUT $key failed"; exit 1; }
}
s3_exists() {
  curl -sf -o /dev/null -I --aws-sigv4 "aws:amz:us-east-1:s3" --user S3RVER:S3RVER \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    "$S3_ENDPOINT/lastgood-test/$1"
}

# --- surfaces ----------------------------------------------------------------
# `expect_report EXIT [--as-of T] 'KIND NAME' CHECK=VERDICT ... [overall=V]`:
# the report in all four formats and the metrics agree check by check, exit
# EXIT, and give these verdicts.
expect_report() {
  local code=$1
  shift
  local as_of=()
  if [[ ${1:-} == --as-of ]]; then
    as_of=(--as-of "$2")
    shift 2
  fi
  local scope=$1
  shift
  local f
  for f in text markdown json html; do
    lg report --format "$f" --output "$S/report.$f" "${as_of[@]}"
    [[ $RC == "$code" ]] || fail "report --format $f exited $RC, expected $code: $ERR"
  done
  lg metrics --output "$S/metrics.prom" "${as_of[@]}"
  [[ $RC == 0 ]] || fail "metrics exited $RC: $ERR"
  python3 "$SCENARIO_LIB/surfaces.py" verdicts "$S" >"$S/verdicts" 2>"$S/verdicts.err" ||
    fail "report formats and metrics disagree: $(cat "$S/verdicts.err")"
  local pair check want got
  for pair in "$@"; do
    check=${pair%%=*}
    want=${pair#*=}
    if [[ $check == overall ]]; then
      got=$(awk '$1 == "overall" {print $2}' "$S/verdicts")
    else
      got=$(awk -v s="$scope" -v c="$check" -F'\t' '$1 == s && $2 == c {print $3}' "$S/verdicts")
    fi
    [[ $got == "$want" ]] || fail "report $scope: $check is '${got:-absent}', expected $want
$(grep -F "$scope" "$S/report.text" -A 12 | grep -F "$check" || true)"
  done
}
# `expect_metric 'NAME{LABELS}' VALUE`: a line of the last metrics written.
expect_metric() {
  grep -qxF "$1 $2" "$S/metrics.prom" || fail "metrics: expected '$1 $2', got:
$(grep -F "${1%%\{*}" "$S/metrics.prom" | grep -v '^#' || echo '(no such series)')"
}
# `expect_alerts --at DURATION ALERT... [--at DURATION ALERT...]`: exactly
# these alert rules fire at each moment after the metrics were written (the
# metrics stay as written, as between two scheduled runs).
expect_alerts() {
  local -A want=()
  local times=() t=
  while (($#)); do
    if [[ $1 == --at ]]; then
      t=$2
      times+=("$t")
      want[$t]=
      shift 2
      continue
    fi
    want[$t]+="$1"$'\n'
    shift
  done
  local got
  got=$(python3 "$SCENARIO_LIB/surfaces.py" alerts "$S/metrics.prom" \
    "$SOURCE_ROOT/docs/prometheus/lastgood-alerts.yml" "${times[@]}") ||
    { fail "promtool could not evaluate the rules: $got"; return; }
  local expected fired
  for t in "${times[@]}"; do
    expected=$(printf '%s' "${want[$t]}" | sort -u | tr '\n' ' ')
    fired=$(awk -v t="$t" '$1 == t {print $2}' <<<"$got" | sort -u | tr '\n' ' ')
    [[ $fired == "$expected" ]] || fail "alerts at +$t: fired [${fired% }], expected [${expected% }]"
  done
}
# `expect_pick EXIT ARGS...`: pick's exit code, and with 0 the backup it names in $PICKED.
expect_pick() {
  local code=$1
  shift
  lg pick --json "$@"
  [[ $RC == "$code" ]] || fail "pick $* exited $RC, expected $code: $OUT $ERR"
  PICKED=$(python3 -c 'import json,sys; d=json.loads(sys.stdin.read() or "{}"); b=d.get("backup") or {}; print(b.get("id","") if isinstance(b,dict) else b)' <<<"$OUT" 2>/dev/null || true)
}
# `backup_at KEY`: the ID of the backup whose root is KEY in its repository.
backup_at() {
  "$LASTGOOD_BIN" --catalog "$S/catalog.db" --config "$CONFIG" backups --json |
    python3 -c 'import json,sys; [print(b["id"]) for b in json.load(sys.stdin)["backups"] if b["location"] == sys.argv[1]]' "$1"
}
# `backup_ids`: the cataloged backup IDs, oldest first.
backup_ids() {
  "$LASTGOOD_BIN" --catalog "$S/catalog.db" --config "$CONFIG" backups --json |
    python3 -c 'import json,sys; d=json.load(sys.stdin); bs=d["backups"] if isinstance(d,dict) else d; [print(b["id"]) for b in sorted(bs, key=lambda b: (b.get("stop_time") or b.get("start_time") or "", b["id"]))]'
}
