#!/usr/bin/env bash
# `cmake --install` into a scratch DESTDIR under a prefix other than the
# configured one: every file lands below that prefix, and the installed units
# name the binary, configuration and documentation where they were installed.
# Usage: check_cmake_install.sh BUILD_DIR
set -uo pipefail
build=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
prefix=/opt/lastgood-test
if ! out=$(DESTDIR=$dest cmake --install "$build" --prefix "$prefix" 2>&1); then
  echo "FAIL: cmake --install failed: $out"
  exit 1
fi
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
root=$dest$prefix
for f in bin/lastgood lib/systemd/system/lastgood.service lib/systemd/system/lastgood.timer \
  lib/sysusers.d/lastgood.conf etc/lastgood/config.toml share/man/man1/lastgood.1 \
  share/bash-completion/completions/lastgood share/doc/lastgood/operations.md; do
  [[ -f $root/$f ]] || fail "cmake --install did not install $prefix/$f"
done
ls "$root"/share/zsh/*/_lastgood >/dev/null 2>&1 || fail "no zsh completion below $prefix/share/zsh"
outside=$(cd "$dest" && find . -type f ! -path ".$prefix/*")
[[ -z $outside ]] || fail "files installed outside the prefix: $outside"
service=$root/lib/systemd/system/lastgood.service
grep -qx "ExecStart=$prefix/bin/lastgood run .*" "$service" ||
  fail "the unit does not run $prefix/bin/lastgood: $(grep ExecStart= "$service")"
grep -qx "Environment=LASTGOOD_CONFIG=$prefix/etc/lastgood/config.toml" "$service" ||
  fail "the unit does not read $prefix/etc/lastgood/config.toml: $(grep LASTGOOD_CONFIG "$service")"
grep -q "/usr/bin/lastgood\|=/etc/lastgood\|-/etc/lastgood" "$service" &&
  fail "the unit still names /usr/bin or /etc: $(grep -n "/usr/bin/lastgood\|/etc/lastgood" "$service")"
got=$("$root/bin/lastgood" --version 2>&1)
[[ $got == "lastgood "* ]] || fail "the installed binary says '$got'"
((failures == 0)) || exit 1
echo "cmake --install OK: everything below $prefix, units pointing there"
