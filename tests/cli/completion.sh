#!/usr/bin/env bash
# The bash completion (dist/ksymres.bash): commands, each command's options,
# objects and profiles by suffix, store's subcommands, and the identities a
# server lists after -p of a --server command. Also: every long option of
# every command's option table is shown by `ksymres --help`, since the
# completion reads its options from there.
. "$(dirname "$0")/lib.sh"
: "${KSR_SOURCE_DIR:?}"
mkdir -p "$T/bin" "$T/files/sub"
ln -s "$KSR_BIN" "$T/bin/ksymres"
PATH=$T/bin:$PATH
touch "$T/files/a.o" "$T/files/b.profile" "$T/files/c.txt"
# shellcheck source=/dev/null
. "$KSR_SOURCE_DIR/dist/ksymres.bash"
compopt() { :; }   # only valid inside a real completion

# complete LINE: COMPREPLY for the cursor at the end of LINE, one per line
complete_line() {
  COMP_LINE=$1
  COMP_POINT=${#1}
  read -ra COMP_WORDS <<<"$1"
  [[ $1 == *' ' ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  _ksymres
  printf '%s\n' "${COMPREPLY[@]}" | sort
}

# has LINE WORD... / lacks LINE WORD...
has() {
  local line=$1 w out; shift
  out=$(complete_line "$line")
  for w in "$@"; do
    grep -qxF -- "$w" <<<"$out" && pass "'$line' offers $w" || fail "'$line' does not offer $w (got: $(echo $out))"
  done
}
lacks() {
  local line=$1 w out; shift
  out=$(complete_line "$line")
  for w in "$@"; do
    grep -qxF -- "$w" <<<"$out" && fail "'$line' offers $w" || pass "'$line' does not offer $w"
  done
}

has "ksymres " capture profile inspect resolve check load serve push profiles store --help
has "ksymres re" resolve
lacks "ksymres re" load check
has "ksymres resolve --o" --output --out-dir
has "ksymres load --r" --run --repeat --reresolve
has "ksymres serve --" --store --listen --token-file --json
lacks "ksymres serve --" --run --out-dir
has "ksymres inspect $T/files/" "$T/files/a.o" "$T/files/sub"
lacks "ksymres inspect $T/files/" "$T/files/b.profile" "$T/files/c.txt"
has "ksymres check $T/files/a.o -p $T/files/" "$T/files/b.profile"
lacks "ksymres check $T/files/a.o -p $T/files/" "$T/files/a.o"
has "ksymres push $T/files/" "$T/files/b.profile"
has "ksymres store " reindex fsck

# every option of every command's getopt table is in --help (hidden ones
# excepted), so the completion offers it
help=$("$KSR_BIN" --help)
opts_of() {  # FILE: the long options of the getopt tables in FILE
  grep -oE '\{ "[a-z][a-z-]*", (no|required|optional)_argument' "$KSR_SOURCE_DIR/$1" | cut -d'"' -f2 | sort -u
}
for pair in capture:live/cmd_capture.c load:live/cmd_load.c check:offline/cmd_check.c \
            profile:offline/cmd_profile.c resolve:offline/cmd_resolve.c serve:service/serve.c; do
  cmd=${pair%%:*}
  offered=$(complete_line "ksymres $cmd --")
  for o in $(opts_of "${pair#*:}"); do
    [ "$o" = routes ] && continue   # hidden: the router's table for the tests
    grep -qxF -- "--$o" <<<"$offered" && pass "$cmd --$o offered" || fail "$cmd --$o is not in ksymres --help"
  done
done
[ -n "$help" ] || fail "no --help text"

# identities from a server after -p of a --server command
"$KSR_BIN" profile --from "$KSR_SOURCE_DIR/tests/unit/fixtures/fixed-v1.profile" -o "$T/fixed.profile" >/dev/null \
  || { fail "fixed profile"; finish; exit 1; }
serve_bg "$T/serve.err" --store "$T/store"
"$KSR_BIN" push "$T/fixed.profile" --server "$U" >/dev/null || fail "push"
id=$("$KSR_BIN" profiles --server "$U" | awk 'NR == 2 { print $1 }')
has "ksymres check $T/files/a.o --server $U -p " "$id"
lacks "ksymres check $T/files/a.o --server $U -p " "$T/files/b.profile"
has "ksymres resolve $T/files/a.o --server $U -p ${id:0:4}" "$id"
kill "$PID"; wait "$PID" 2>/dev/null
finish
