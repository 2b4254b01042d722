#!/usr/bin/env bash
# Installs the Debian package scripts/package built onto this machine, uses
# it, removes it and purges it, checking each step:
#   dpkg -i: /usr/bin/lastgood --version; the lastgood system user; /var/lib/lastgood
#            (owned by it, 0750); the timer shipped and not enabled; the default
#            config.toml is a conffile lastgood accepts; `lastgood catalog init` and
#            `lastgood status` as the lastgood user against a fresh catalog
#   dpkg -r: no binary, no units; configuration and catalog kept (Debian policy)
#   dpkg -P: nothing of the package left, /etc/lastgood and /var/lib/lastgood gone,
#            the user locked (not deleted: its uid is not reused)
# It changes the real system, so it runs only as root with dpkg, refuses to
# touch a machine where lastgood is already installed, and purges the package
# and deletes the user it created on every exit, failed or not.
# Building the package takes longer than the suite's budget: .ci/run runs
# scripts/package first; without a package this test is skipped (exit 77).
#
# Usage: check_deb_package.sh DEB_DIR VERSION
set -uo pipefail
deb_dir=$1 version=$2
skip() {
  echo "SKIPPED: $*"
  exit 77
}
command -v dpkg >/dev/null || skip "dpkg is not installed (not a Debian system)"
((EUID == 0)) || skip "installing a package needs root"
deb=$(ls "$deb_dir"/lastgood_"$version"_*.deb 2>/dev/null | head -1)
[[ -n $deb ]] || skip "no $deb_dir/lastgood_${version}_*.deb: run scripts/package first (.ci/run does)"
status=$(dpkg-query -W -f='${Status}' lastgood 2>/dev/null || true)
[[ -z $status || $status == "unknown ok not-installed" ]] ||
  skip "lastgood is already installed here ($status): not touching it"
for path in /usr/bin/lastgood /etc/lastgood /var/lib/lastgood; do
  [[ ! -e $path ]] || skip "$path already exists: not touching it"
done
user_existed=no
getent passwd lastgood >/dev/null && user_existed=yes

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
cleanup() {
  dpkg -P lastgood >/dev/null 2>&1 || true
  if [[ $user_existed == no ]] && getent passwd lastgood >/dev/null; then
    userdel lastgood >/dev/null 2>&1 || true
    getent group lastgood >/dev/null && groupdel lastgood >/dev/null 2>&1
  fi
  rm -rf /var/lib/lastgood /etc/lastgood
}
trap cleanup EXIT
echo "package: $deb ($(date -u -r "$deb" +%FT%TZ))"

# What the package holds, for the leftovers check after purge.
mapfile -t shipped < <(dpkg-deb -c "$deb" | awk '{print substr($6, 2)}' | grep -v '/$')
depends=$(dpkg-deb -f "$deb" Depends)
[[ $depends == *libpq5* && $depends == *libsqlite3-0* && $depends == *adduser* ]] ||
  fail "Depends lacks the shared libraries' packages (dpkg-shlibdeps) or adduser: $depends"

if ! out=$(dpkg -i "$deb" 2>&1); then
  fail "dpkg -i failed: $out"
  exit 1
fi

got=$(/usr/bin/lastgood --version 2>&1)
[[ $got == "lastgood $version" ]] || fail "/usr/bin/lastgood --version printed '$got'"
if command -v readelf >/dev/null; then
  readelf -S /usr/bin/lastgood | grep -q '\.debug_info' && fail "/usr/bin/lastgood has debug info"
  readelf -S /usr/bin/lastgood | grep -q '\.symtab' && fail "/usr/bin/lastgood is not stripped"
fi

IFS=: read -r _ _ uid _ _ home shell < <(getent passwd lastgood)
[[ -n ${uid:-} ]] || fail "postinst created no lastgood user"
((${uid:-1000} < 1000)) || fail "lastgood is not a system user (uid $uid)"
[[ ${home:-} == /var/lib/lastgood ]] || fail "lastgood's home is '${home:-}'"
[[ ${shell:-} == /usr/sbin/nologin ]] || fail "lastgood's shell is '${shell:-}'"
got=$(stat -c '%U:%G %a' /var/lib/lastgood 2>&1)
[[ $got == "lastgood:lastgood 750" ]] || fail "/var/lib/lastgood is '$got', not lastgood:lastgood 750"

unit_dir=$(dirname "$(dpkg -L lastgood | grep '/systemd/system/lastgood.timer$')")
[[ $unit_dir == */systemd/system ]] || fail "the package ships no lastgood.timer"
grep -qx 'ExecStart=/usr/bin/lastgood run .*' "$unit_dir/lastgood.service" ||
  fail "lastgood.service does not run /usr/bin/lastgood: $(grep ExecStart "$unit_dir/lastgood.service")"
[[ ! -e /etc/systemd/system/timers.target.wants/lastgood.timer ]] || fail "the timer was enabled"
if command -v systemctl >/dev/null; then
  got=$(systemctl is-enabled lastgood.timer 2>&1)
  [[ $got == disabled ]] || fail "systemctl is-enabled lastgood.timer says '$got'"
fi
for f in /usr/share/man/man1/lastgood.1 /usr/share/bash-completion/completions/lastgood \
  /usr/share/zsh/vendor-completions/_lastgood /usr/lib/sysusers.d/lastgood.conf \
  /usr/share/doc/lastgood/operations.md; do
  [[ -f $f ]] || fail "the package does not install $f"
done
dpkg-query -W -f='${Conffiles}' lastgood | grep -q '/etc/lastgood/config.toml' ||
  fail "/etc/lastgood/config.toml is not a conffile"

# As the service would run it: the installed configuration, a fresh catalog.
as_lastgood() {
  runuser -u lastgood -- env -i PATH=/usr/bin:/bin LASTGOOD_CONFIG=/etc/lastgood/config.toml \
    LASTGOOD_CATALOG=/var/lib/lastgood/catalog.db /usr/bin/lastgood "$@"
}
out=$(as_lastgood config 2>&1) || fail "lastgood rejects the installed config.toml: $out"
out=$(as_lastgood catalog init 2>&1) || fail "lastgood catalog init as lastgood failed: $out"
out=$(as_lastgood status 2>&1)
rc=$?
# A fresh catalog holds no backups: a problem found (3), said in words.
((rc == 3)) && [[ $out == *"no backups in the catalog"* ]] ||
  fail "lastgood status on a fresh catalog: exit $rc (expected 3, no backups): $out"
echo "lastgood status (exit $rc): $out" | head -5
[[ $(stat -c %U /var/lib/lastgood/catalog.db 2>&1) == lastgood ]] ||
  fail "the catalog was not created as lastgood"

if ! out=$(dpkg -r lastgood 2>&1); then fail "dpkg -r failed: $out"; fi
[[ ! -e /usr/bin/lastgood ]] || fail "dpkg -r left /usr/bin/lastgood"
[[ ! -e $unit_dir/lastgood.timer ]] || fail "dpkg -r left $unit_dir/lastgood.timer"
[[ -f /etc/lastgood/config.toml ]] || fail "dpkg -r removed the configuration (only purge may)"
[[ -f /var/lib/lastgood/catalog.db ]] || fail "dpkg -r removed the catalog (only purge may)"
getent passwd lastgood >/dev/null || fail "dpkg -r deleted the lastgood user"

if ! out=$(dpkg -P lastgood 2>&1); then fail "dpkg -P failed: $out"; fi
status=$(dpkg-query -W -f='${Status}' lastgood 2>/dev/null || true)
[[ -z $status || $status == "unknown ok not-installed" ]] || fail "after purge dpkg says '$status'"
for path in /etc/lastgood /var/lib/lastgood "${shipped[@]}"; do
  [[ ! -e $path ]] || fail "purge left $path"
done
if getent passwd lastgood >/dev/null; then
  [[ $(passwd -S lastgood | awk '{print $2}') == L ]] || fail "purge did not lock the lastgood user"
fi

if ((failures)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "debian package OK: installs, runs as lastgood, removes and purges cleanly"
