#!/usr/bin/env zsh
# Loads the shipped zsh completion (packaging/completions/_lastgood) with
# zsh's completion helpers replaced by stubs that print what they were given,
# and checks what <TAB> offers.
# Usage: zsh check_zsh_completion.zsh COMPLETION_FILE
emulate -L zsh
failures=0
# Stubs: _describe -t TAG DESCR ARRAYNAME prints the array's names.
_describe() { local -a items; items=(${(P)4}); print -r -- ${items%%:*}; }
_files() { print -r -- "<files>"; }
# The file ends by calling _lastgood "$@": define it without running it.
eval "$(sed '$d' $1)" || { print "FAIL: loading $1 failed"; exit 1; }
expect() {
  local want=$1; shift
  words=("$@"); CURRENT=$#words; PREFIX=${words[CURRENT]}
  local got=$(_lastgood | compgen_filter "$PREFIX")
  if [[ $got != $want ]]; then
    print -r -- "FAIL: '$*<TAB>' offers '$got', expected '$want'"
    ((failures++))
  fi
}
# zsh itself filters candidates by the typed prefix; do it here.
compgen_filter() { local w out=(); for w in ${=$(cat)}; do [[ $w == $1* || $w == "<files>" ]] && out+=($w); done; print -r -- "${(j: :)out}"; }
expect "backups backup" lastgood ba
expect "--level" lastgood verify --le
expect "add list remove" lastgood --catalog /tmp/c.db repo ""
expect "<files>" lastgood --catalog ""
expect "--pgdata" lastgood restore --pgd
((failures)) && exit 1
print "zsh completion OK"
