#!/usr/bin/env bash
# Sources the shipped bash completion (packaging/completions/lastgood.bash)
# in a clean bash and asks it what a user's <TAB> would offer.
# Usage: check_bash_completion.sh COMPLETION_FILE
set -uo pipefail
# shellcheck source=/dev/null
source "$1" || { echo "FAIL: sourcing $1 failed"; exit 1; }
failures=0
# expect "EXPECTED WORDS" word... : what completing the last word offers.
expect() {
  local want=$1
  shift
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _lastgood
  local got="${COMPREPLY[*]}"
  if [[ $got != "$want" ]]; then
    echo "FAIL: '$*<TAB>' offers '$got', expected '$want'"
    failures=$((failures + 1))
  fi
}
[[ $(complete -p lastgood) == *"-F _lastgood"* ]] || { echo "FAIL: no completion registered"; exit 1; }
expect "backups backup" lastgood ba
expect "--level" lastgood verify --le
expect "add list remove" lastgood repo ""
expect "add list remove" lastgood --catalog /tmp/c.db repo ""
expect "init check export" lastgood catalog ""
expect "--until" lastgood hold add --un
# The value of an option is a file name (complete -o default), not a command.
expect "" lastgood --catalog ba
# Flags belong to their command: restore's --pgdata is not offered to verify.
expect "" lastgood verify --pgd
expect "--pgdata" lastgood restore --pgd
if ((failures)); then exit 1; fi
echo "bash completion OK"
