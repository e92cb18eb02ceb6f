#!/usr/bin/env bash
# Every class of bad input (docs/bad-inputs.md, hardening catalogue §5):
# malformed_gen.py mutates the clang-built test objects, a hand-built BTF,
# a kallsyms text and a profile made from them, one input per case. A
# malformed input must make the CLI exit 3 with nothing on stdout and
# exactly one stderr line that names the file and says what is wrong
# (REGEX); classes whose correct handling is acceptance (a pointer cycle,
# a misaligned .BTF, a kallsyms file without a final newline) must exit 0;
# policy classes reported by resolve must exit 1 with the reason.
. "$(dirname "$0")/lib.sh"
: "${KSR_BPF_DIR:?}"
command -v python3 >/dev/null || skip "python3 not installed"
GEN="$(dirname "$0")/malformed_gen.py"
IN=$T/in
mkdir -p "$IN"
python3 "$GEN" --ksymres "$KSR_BIN" --objects "$KSR_BPF_DIR" --out "$IN" >"$T/cases.tsv" 2>"$T/gen.err" ||
  { cat "$T/gen.err"; fail "malformed_gen.py failed"; finish; exit 1; }
OBJ=$KSR_BPF_DIR/kfuncs.bpf.o
TL=$KSR_BPF_DIR/typeless.bpf.o
declare -A classes

run_case() {   # cmd file
  case $1 in
    obj)  run timeout 60 "$KSR_BIN" inspect "$2" ;;
    btf)  run timeout 60 "$KSR_BIN" profile --btf "$2" --kallsyms "$IN/base.kallsyms" -o "$T/p.out" ;;
    ks)   run timeout 60 "$KSR_BIN" profile --btf "$IN/base.btf" --kallsyms "$2" -o "$T/p.out" ;;
    prof) run timeout 60 "$KSR_BIN" check "$OBJ" -p "$2" ;;
    res)  run timeout 60 "$KSR_BIN" resolve "$TL" -p "$2" -o "$T/r.out"
          [ "$RC" = 1 ] || run timeout 60 "$KSR_BIN" resolve "$KSR_BPF_DIR/missing.bpf.o" -p "$2" -o "$T/r.out" ;;
  esac
}

while IFS=$'\t' read -r id expect cmd file regex; do
  name=$(basename "$file")
  classes[$id]=1
  rm -f "$T/p.out" "$T/r.out"
  run_case "$cmd" "$file"
  case $expect in
    3)
      if [ "$RC" != 3 ]; then fail "$name: exit $RC, expected 3 ($(head -c 300 "$T/err"))"
      elif [ -s "$T/out" ]; then fail "$name: stdout not empty"
      elif [ "$(wc -l <"$T/err")" != 1 ]; then fail "$name: stderr has $(wc -l <"$T/err") lines"
      elif ! grep -qF "$name" "$T/err"; then fail "$name: error does not name the file: $(cat "$T/err")"
      # the pattern must match what is said, not the file name (P4-duplicate...)
      elif ! sed "s|.*$name: ||" "$T/err" | grep -qiE "$regex"; then fail "$name: error does not match /$regex/: $(cat "$T/err")"
      elif [ -e "$T/p.out" ] || [ -e "$T/r.out" ]; then fail "$name: output written"
      else pass "$name: $(cat "$T/err")"
      fi ;;
    0)
      if [ "$RC" = 0 ]; then pass "$name: accepted"; else fail "$name: exit $RC, expected 0 ($(cat "$T/err"))"; fi ;;
    1)
      if [ "$RC" = 1 ] && grep -qiE "$regex" "$T/out"; then pass "$name: exit 1, reported /$regex/"
      else fail "$name: exit $RC, expected 1 with /$regex/ ($(head -c 300 "$T/err"))"; fi ;;
  esac
done <"$T/cases.tsv"

# O1, B31: the output of a good resolve re-parses with no .ksyms extern left
# and carries no extern linkage in its BTF (the fuzz targets pipeline and
# ksyms_rewrite check the same on every input they reach).
classes[O1]=1 classes[B31]=1
run "$KSR_BIN" resolve "$TL" -p "$IN/base.profile" -o "$T/good.o"
if [ "$RC" = 0 ] && "$KSR_BIN" inspect "$T/good.o" | grep -q "^0 .ksyms externs"; then
  pass "O1: patched output re-parses with 0 externs"
else fail "O1: resolve exit $RC or output has externs: $(cat "$T/err")"; fi
if command -v bpftool >/dev/null; then
  if bpftool btf dump file "$T/good.o" | grep -q "linkage=extern"; then fail "B31: extern linkage left in the output"
  else pass "B31: no extern linkage in the output BTF"; fi
fi
# O2: outputs are written beside the target and renamed: a symlink at the
# output path is replaced, never followed; a failed write leaves nothing.
classes[O2]=1
echo keep >"$T/victim"
ln -s "$T/victim" "$T/link.o"
run "$KSR_BIN" resolve "$TL" -p "$IN/base.profile" -o "$T/link.o"
if [ "$RC" = 0 ] && [ "$(cat "$T/victim")" = keep ] && [ ! -L "$T/link.o" ]; then
  pass "O2: a symlink at the output path is replaced, its target untouched"
else fail "O2: symlink output: exit $RC, victim '$(cat "$T/victim")'"; fi
run "$KSR_BIN" resolve "$TL" -p "$IN/base.profile" -o "$T/no/such/dir/out.o"
[ "$RC" = 1 ] && [ ! -e "$T/no" ] && pass "O2: unwritable output: exit 1, nothing left" ||
  fail "O2: unwritable output: exit $RC"
no_leftovers "$T"
echo "${#classes[@]} classes covered"
finish
