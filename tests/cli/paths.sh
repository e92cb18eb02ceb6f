#!/usr/bin/env bash
# Output paths, special files and signals (core/fileio.h): the output policy
# (never replace a device node, FIFO, directory or an input; keep a stricter
# mode), the input policy (regular files only, size checked before reading,
# no hang on a FIFO), temporary files removed on INT/TERM/HUP and recognised
# when stale, stdout write errors, escaped paths, derived names that stay
# inside --out-dir, and usage errors. Cases that need root say SKIPPED.
. "$(dirname "$0")/lib.sh"
K=$KSR_BIN
B=$KSR_BPF_DIR
BTF=/sys/kernel/btf/vmlinux
[ -r "$BTF" ] || skip "$BTF not readable"
ROOT=false; [ "$(id -u)" = 0 ] && ROOT=true
rootonly() { $ROOT && return 0; echo "SKIPPED: $1: needs root"; return 1; }
TO="timeout -k 2 10"   # a hang becomes exit 124, never a stuck test

# a profile from artifacts: no root needed
cp "$BTF" "$T/vmlinux.btf"
printf 'ffffffff81000000 T _text\nffffffff81100000 T bpf_prog_put\n' >"$T/k.txt"
"$K" profile --btf "$T/vmlinux.btf" --kallsyms "$T/k.txt" -o "$T/p.profile" >/dev/null ||
  { fail "profile"; finish; exit 1; }
P=$T/p.profile
cp "$B/typeless.bpf.o" "$T/obj.o"
sha() { sha256sum "$1" | cut -d' ' -f1; }
is_type() { [ "$(stat -c %F "$2")" = "$1" ]; }   # is_type 'fifo' PATH
stderr_names() { grep -qF -- "$1" "$T/err"; }

# ---- row 1: an existing output that is not a regular file is never replaced
mkfifo "$T/out.fifo"
run $TO "$K" resolve "$T/obj.o" -p "$P" -o "$T/out.fifo"
[ "$RC" = 1 ] && is_type fifo "$T/out.fifo" && stderr_names "out.fifo" &&
  pass "row 1: resolve -o FIFO refused, exit 1, FIFO kept: $(cat "$T/err")" ||
  fail "row 1: resolve -o FIFO: rc $RC, $(stat -c %F "$T/out.fifo") $(cat "$T/err")"
run $TO "$K" profile --btf "$T/vmlinux.btf" --kallsyms "$T/k.txt" -o "$T/out.fifo"
[ "$RC" = 1 ] && is_type fifo "$T/out.fifo" && pass "row 1: profile -o FIFO refused" ||
  fail "row 1: profile -o FIFO: rc $RC $(cat "$T/err")"
ln -s "$T/out.fifo" "$T/link-to-fifo"
run $TO "$K" resolve "$T/obj.o" -p "$P" -o "$T/link-to-fifo"
[ "$RC" = 1 ] && [ -L "$T/link-to-fifo" ] && pass "row 1: a symlink to a FIFO is not replaced" ||
  fail "row 1: symlink to FIFO: rc $RC $(cat "$T/err")"
# /dev/stdout itself is never used here: a link of our own to the same place
ln -s /proc/self/fd/1 "$T/stdout"
run $TO "$K" resolve "$T/obj.o" -p "$P" -o "$T/stdout"
[ "$RC" = 1 ] && [ -L "$T/stdout" ] && pass "row 1: -o a link to stdout (a regular file here) refused: $(cat "$T/err")" ||
  fail "row 1: -o a link to stdout (a regular file): rc $RC $(cat "$T/err")"
$TO "$K" resolve "$T/obj.o" -p "$P" -o "$T/stdout" 2>"$T/err" | cat >/dev/null; RC=${PIPESTATUS[0]}
[ "$RC" = 1 ] && [ -L "$T/stdout" ] && pass "row 1: -o a link to stdout (a pipe) refused: $(cat "$T/err")" ||
  fail "row 1: -o a link to stdout (a pipe): rc $RC $(cat "$T/err")"
echo precious >"$T/target"
ln -s "$T/target" "$T/link-to-file"
run "$K" resolve "$T/obj.o" -p "$P" -o "$T/link-to-file"
[ "$RC" = 0 ] && [ ! -L "$T/link-to-file" ] && [ "$(cat "$T/target")" = precious ] &&
  pass "row 1: a symlink output is replaced (the link, never its target)" ||
  fail "row 1: symlink output: rc $RC $(cat "$T/err")"
if rootonly "row 1: device node outputs"; then
  mknod "$T/null" c 1 3
  run "$K" resolve "$T/obj.o" -p "$P" -o "$T/null"
  [ "$RC" = 1 ] && is_type "character special file" "$T/null" &&
    pass "row 1: resolve -o a device node refused, exit 1: $(cat "$T/err")" ||
    fail "row 1: resolve -o device: rc $RC, now $(stat -c %F "$T/null")"
  run "$K" capture -o "$T/null"
  [ "$RC" = 1 ] && is_type "character special file" "$T/null" &&
    pass "row 1: capture -o a device node refused" ||
    fail "row 1: capture -o device: rc $RC, now $(stat -c %F "$T/null")"
  ln -s "$T/null" "$T/link-to-null"
  run "$K" resolve "$T/obj.o" -p "$P" -o "$T/link-to-null"
  [ "$RC" = 1 ] && [ -L "$T/link-to-null" ] && pass "row 1: a symlink to a device node is not replaced" ||
    fail "row 1: symlink to device: rc $RC"
  rm -f "$T/null" "$T/link-to-null"
fi
no_leftovers "$T"

# ---- row 3: an output that is the same file as an input is refused --------
# a binary without the policy replaces them: each case starts from fresh copies
cp "$P" "$T/p.pristine"
restore() {
  cp "$B/typeless.bpf.o" "$T/obj.o"
  printf 'ffffffff81000000 T _text\nffffffff81100000 T bpf_prog_put\n' >"$T/k.txt"
  cp "$T/p.pristine" "$P"
}
s_obj=$(sha "$T/obj.o") s_p=$(sha "$P") s_k=$(sha "$T/k.txt")
run "$K" resolve "$T/obj.o" -p "$P" -o "$T/obj.o"
[ "$RC" = 1 ] && [ "$(sha "$T/obj.o")" = "$s_obj" ] && stderr_names "input" &&
  pass "row 3: -o OBJECT refused: $(cat "$T/err")" || fail "row 3: -o OBJECT: rc $RC $(cat "$T/err")"
restore
run "$K" resolve "$T/obj.o" -p "$P" -o "$P"
[ "$RC" = 1 ] && [ "$(sha "$P")" = "$s_p" ] && pass "row 3: -o PROFILE refused" ||
  fail "row 3: -o PROFILE: rc $RC $(cat "$T/err")"
restore
ln "$T/obj.o" "$T/obj.hard"
run "$K" resolve "$T/obj.o" -p "$P" -o "$T/obj.hard"
[ "$RC" = 1 ] && [ "$(sha "$T/obj.hard")" = "$s_obj" ] && pass "row 3: -o a hard link of the object refused" ||
  fail "row 3: hard link: rc $RC"
restore
run "$K" profile --btf "$T/vmlinux.btf" --kallsyms "$T/k.txt" -o "$T/k.txt"
[ "$RC" = 1 ] && [ "$(sha "$T/k.txt")" = "$s_k" ] && pass "row 3: profile -o KALLSYMS refused" ||
  fail "row 3: profile -o KALLSYMS: rc $RC $(cat "$T/err")"
restore
mkdir -p "$T/same/p"
cp "$T/obj.o" "$T/same/p/obj.o"
s_same=$(sha "$T/same/p/obj.o")
run "$K" resolve "$T/same/p/obj.o" -p "$P" --out-dir "$T/same"
[ "$RC" = 1 ] && [ "$(sha "$T/same/p/obj.o")" = "$s_same" ] && pass "row 3: batch output that is its input refused" ||
  fail "row 3: batch over its input: rc $RC $(cat "$T/out")"
restore
if $ROOT; then
  KSYMRES_VMLINUX_BTF=$T/vmlinux.btf KSYMRES_KALLSYMS=$T/k.txt run "$K" capture -o "$T/k.txt"
  [ "$RC" = 1 ] && [ "$(sha "$T/k.txt")" = "$s_k" ] && pass "row 3: capture -o its kallsyms refused" ||
    fail "row 3: capture -o its kallsyms: rc $RC $(cat "$T/err")"
fi
restore
no_leftovers "$T"

# ---- row 4: FIFO inputs: exit 3 at once, no hang, nothing left ------------
mkfifo "$T/in.fifo"
fifo_case() {
  local desc=$1; shift
  run "$@"
  if [ "$RC" = 3 ] && stderr_names "in.fifo" && [ "$(wc -l <"$T/err")" = 1 ]; then
    pass "row 4: FIFO as $desc: exit 3: $(cat "$T/err")"
  else fail "row 4: FIFO as $desc: rc $RC (124 = hung) $(head -c 200 "$T/err")"; fi
}
fifo_case object $TO "$K" inspect "$T/in.fifo"
fifo_case "resolve object" $TO "$K" resolve "$T/in.fifo" -p "$P" -o "$T/x.o"
fifo_case profile $TO "$K" check "$T/obj.o" -p "$T/in.fifo"
fifo_case --btf $TO "$K" profile --btf "$T/in.fifo" --kallsyms "$T/k.txt" -o "$T/x.profile"
fifo_case --kallsyms $TO "$K" profile --btf "$T/vmlinux.btf" --kallsyms "$T/in.fifo" -o "$T/x.profile"
KSYMRES_VMLINUX_BTF=$T/vmlinux.btf KSYMRES_KALLSYMS=$T/in.fifo fifo_case "capture's kallsyms" $TO "$K" capture -o "$T/x.profile"
KSYMRES_VMLINUX_BTF=$T/in.fifo KSYMRES_KALLSYMS=$T/k.txt fifo_case "capture's BTF" $TO "$K" capture -o "$T/x.profile"
if rootonly "row 4: load --data-in"; then
  "$K" capture -o "$T/host.profile" >/dev/null && "$K" resolve "$B/typeless.bpf.o" -p "$T/host.profile" -o "$T/host.o" >/dev/null
  fifo_case "load --data-in" $TO "$K" load "$T/host.o" --run --data-in "$T/in.fifo"
fi
[ -e "$T/x.o" ] || [ -e "$T/x.profile" ] && fail "row 4: output after a FIFO input" || pass "row 4: no output after FIFO inputs"
no_leftovers "$T"

# ---- row 14: oversized inputs refused by their size, before reading -------
truncate -s 2G "$T/sparse.o"
maxrss() { /usr/bin/time -f %M -o "$T/rss" "$@" >/dev/null 2>"$T/err"; RC=$?; RSS=$(tail -1 "$T/rss"); }
if [ -x /usr/bin/time ]; then
  maxrss "$K" resolve "$T/sparse.o" -p "$P" -o "$T/x.o"
  [ "$RC" = 3 ] && [ "$RSS" -lt 65536 ] && pass "row 14: 2 GB sparse object refused by size (exit 3, peak RSS ${RSS} KiB)" ||
    fail "row 14: 2 GB sparse object: rc $RC, peak RSS ${RSS} KiB: $(cat "$T/err")"
  truncate -s 300M "$T/sparse.txt"
  maxrss "$K" profile --btf "$T/vmlinux.btf" --kallsyms "$T/sparse.txt" -o "$T/x.profile"
  [ "$RC" = 3 ] && [ "$RSS" -lt 65536 ] && pass "row 14: 300 MB sparse --kallsyms refused by size (peak RSS ${RSS} KiB)" ||
    fail "row 14: 300 MB sparse kallsyms: rc $RC, peak RSS ${RSS} KiB"
  rm -f "$T/sparse.txt"
else echo "SKIPPED: row 14: no /usr/bin/time"; fi
rm -f "$T/sparse.o"

# ---- row 5: temporary files removed on INT/TERM/HUP; stale ones recognised
mkdir -p "$T/objs"
for i in $(seq 1 300); do cp "$B/typeless.bpf.o" "$T/objs/o$i.o"; done
for i in 1 2 3 4; do cp "$P" "$T/b$i.profile"; done
temps() { find "$1" -name '.ksr.*' -o -name '*.tmp.*' | head -3; }
left=""
i=0
for d in 0.05 0.1 0.15 0.2 0.3 0.4 0.5 0.6; do
  i=$((i + 1)); sig=INT; [ $i = 3 ] && sig=TERM; [ $i = 6 ] && sig=HUP
  rm -rf "$T/farm"
  timeout -s $sig "$d" "$K" resolve "$T"/objs/*.o -p "$T/b1.profile" -p "$T/b2.profile" -p "$T/b3.profile" \
    -p "$T/b4.profile" --out-dir "$T/farm" >/dev/null 2>&1
  [ -d "$T/farm" ] && left+=$(temps "$T/farm")
done
[ -z "$left" ] && pass "row 5: batch interrupted (INT/TERM/HUP at 0.05-0.6 s): no temporary file left" ||
  fail "row 5: batch interrupted: left $left"
if rootonly "row 5: capture interrupted"; then
  mkdir -p "$T/cap"
  for d in 0.02 0.04 0.06 0.08 0.1 0.12 0.15 0.2; do
    timeout -s INT "$d" "$K" capture -o "$T/cap/cap.profile" >/dev/null 2>&1
  done
  timeout -s TERM 0.08 "$K" capture -o "$T/cap/cap.profile" >/dev/null 2>&1
  timeout -s HUP 0.08 "$K" capture -o "$T/cap/cap.profile" >/dev/null 2>&1
  left=$(temps "$T/cap")
  [ -z "$left" ] && pass "row 5: capture interrupted (INT/TERM/HUP at 0.02-0.2 s): no temporary file left" ||
    fail "row 5: capture interrupted: left $left"
  # SIGKILL cannot be caught: the next run in that directory removes them
  rm -rf "$T/cap"; mkdir "$T/cap"
  for d in 0.03 0.06 0.09 0.12; do timeout --foreground -s KILL "$d" "$K" capture -o "$T/cap/cap.profile" >/dev/null 2>&1; done
  killed=$(ls -A "$T/cap" | grep -cv '^cap.profile$')
  "$K" capture -o "$T/cap/cap.profile" >/dev/null 2>&1
  left=$(temps "$T/cap")
  [ -z "$left" ] && pass "row 5: $killed temporary file(s) left by SIGKILL removed by the next capture" ||
    fail "row 5: after SIGKILL and a new run: left $left"
fi
# a stale name (its process gone) is removed; a live process's is not
mkdir -p "$T/st"
sh -c 'echo $$' >"$T/deadpid"; dead=$(cat "$T/deadpid")
echo old >"$T/st/.ksr.$dead.0badcafe.tmp"
echo live >"$T/st/.ksr.$$.0badcafe.tmp"
run "$K" resolve "$T/obj.o" -p "$P" -o "$T/st/out.o"
[ "$RC" = 0 ] && [ ! -e "$T/st/.ksr.$dead.0badcafe.tmp" ] && [ -e "$T/st/.ksr.$$.0badcafe.tmp" ] &&
  pass "row 5: stale .ksr.<dead pid>.<hex>.tmp removed, a live one kept" ||
  fail "row 5: stale temporary files: rc $RC, $(ls -A "$T/st" | tr '\n' ' ')"
rm -rf "$T/st" "$T/farm" "$T/cap"

# ---- row 6: two inputs mapping to one output: usage error, nothing written
mkdir -p "$T/a1" "$T/a2"
cp "$T/obj.o" "$T/a1/x.o"; cp "$T/obj.o" "$T/a2/x.o"
expect_error 2 "row 6: two objects map to one output" "$K" resolve "$T/a1/x.o" "$T/a2/x.o" -p "$P" --out-dir "$T/dup"
[ -e "$T/dup" ] && fail "row 6: something written" || pass "row 6: nothing written"

# ---- row 10: capture creates profiles 0600 and keeps a stricter mode ------
if rootonly "row 10: capture"; then
  run "$K" capture -o "$T/new.profile"
  [ "$RC" = 0 ] && [ "$(stat -c %a "$T/new.profile")" = 600 ] && pass "row 10: capture creates 0600" ||
    fail "row 10: capture mode $(stat -c %a "$T/new.profile" 2>&1)"
  : >"$T/s.profile"; chmod 600 "$T/s.profile"
  run "$K" capture -o "$T/s.profile"
  [ "$RC" = 0 ] && [ "$(stat -c %a "$T/s.profile")" = 600 ] && pass "row 10: an existing 0600 profile stays 0600" ||
    fail "row 10: existing 0600 became $(stat -c %a "$T/s.profile")"
  : >"$T/s.profile"; chmod 400 "$T/s.profile"
  run "$K" capture -o "$T/s.profile"
  [ "$RC" = 0 ] && [ "$(stat -c %a "$T/s.profile")" = 400 ] && pass "row 10: a stricter existing mode (0400) is kept" ||
    fail "row 10: existing 0400 became $(stat -c %a "$T/s.profile")"
  rm -f "$T/new.profile" "$T/s.profile"
fi
: >"$T/r.o"; chmod 640 "$T/r.o"
run "$K" resolve "$T/obj.o" -p "$P" -o "$T/r.o"
[ "$RC" = 0 ] && [ "$(stat -c %a "$T/r.o")" = 640 ] && pass "row 10: resolve keeps a stricter existing mode (0640)" ||
  fail "row 10: resolve over 0640 gave $(stat -c %a "$T/r.o")"

# ---- row 11: a failed write to stdout is exit 1 with a message ------------
if $ROOT; then mknod "$T/full" c 1 7; FULL=$T/full; else FULL=/dev/full; fi
"$K" inspect "$T/obj.o" -j >"$FULL" 2>"$T/err"; RC=$?
[ "$RC" = 1 ] && grep -q "stdout" "$T/err" && pass "row 11: inspect -j > full device: exit 1: $(cat "$T/err")" ||
  fail "row 11: inspect -j to a full device: rc $RC $(cat "$T/err")"
"$K" resolve "$T/obj.o" -p "$P" -o "$T/r2.o" >"$FULL" 2>"$T/err"; RC=$?
[ "$RC" = 1 ] && grep -q "stdout" "$T/err" && pass "row 11: resolve text > full device: exit 1" ||
  fail "row 11: resolve to a full device: rc $RC $(cat "$T/err")"
$ROOT && rm -f "$T/full"

# ---- row 12: names derived from inputs stay inside --out-dir --------------
cp "$P" "$T/...profile"
mkdir -p "$T/farm/out"
run "$K" resolve "$T/obj.o" -p "$T/...profile" --out-dir "$T/farm/out"
[ "$RC" = 2 ] && [ ! -e "$T/farm/obj.o" ] && pass "row 12: profile '...profile' refused (exit 2), nothing outside" ||
  fail "row 12: '...profile': rc $RC, $(ls "$T/farm" 2>&1 | tr '\n' ' ')"
rm -rf "$T/farm" "$T/...profile"

# ---- row 15: resolving a resolved object names the input ------------------
"$K" resolve "$T/obj.o" -p "$P" -o "$T/resolved.o" >/dev/null
run "$K" resolve "$T/resolved.o" -p "$P" -o "$T/again.o"
[ "$RC" = 1 ] && grep -q "^ksymres: $T/resolved.o: already resolved" "$T/err" && pass "row 15: error names the input: $(cat "$T/err")" ||
  fail "row 15: rc $RC: $(cat "$T/err")"

# ---- row 16: an --out-dir that cannot be created: exit 1 ------------------
echo file >"$T/plain"
run "$K" resolve "$T/obj.o" -p "$P" --out-dir "$T/plain/out"
[ "$RC" = 1 ] && ! grep -q "see 'ksymres --help'" "$T/err" && pass "row 16: uncreatable --out-dir: exit 1: $(cat "$T/err")" ||
  fail "row 16: uncreatable --out-dir: rc $RC $(cat "$T/err")"

# ---- row 17: "wrote ..." and "summary in ..." paths escaped ---------------
esc=$'\e'
run "$K" resolve "$T/obj.o" -p "$P" -o "$T/out${esc}[31m.o"
[ "$RC" = 0 ] && ! grep -q "$esc" "$T/out" && grep -qF 'wrote ' "$T/out" && grep -qF '\x1b[31m' "$T/out" &&
  pass "row 17: 'wrote' path escaped" || fail "row 17: wrote: rc $RC $(cat -v "$T/out" | tail -1)"
run "$K" resolve "$T/obj.o" -p "$P" --out-dir "$T/bo${esc}[5m"
[ "$RC" = 0 ] && ! grep -q "$esc" "$T/out" && grep -qF 'summary in ' "$T/out" &&
  pass "row 17: 'summary in' and batch paths escaped" || fail "row 17: summary: rc $RC $(cat -v "$T/out")"
rm -rf "$T/out${esc}[31m.o" "$T/bo${esc}[5m"

# ---- row 18: long output names, the report when the output fails, -o "" ----
bad=""
for n in 243 247 250 253 255; do
  name=$(printf 'n%.0s' $(seq 1 "$n"))
  "$K" resolve "$T/obj.o" -p "$P" -o "$T/$name" >/dev/null 2>"$T/err" && [ -s "$T/$name" ] || bad+=" $n"
  rm -f "$T/$name"
done
[ -z "$bad" ] && pass "row 18: output names of 243-255 bytes work" || fail "row 18: output names of$bad bytes fail"
run "$K" resolve "$T/obj.o" -p "$P" -o "$T/no/such/dir/x.o"
[ "$RC" = 1 ] && grep -q "resolved .*bpf_prog_put" "$T/out" && [ "$(wc -l <"$T/err")" = 1 ] &&
  pass "row 18: unwritable output: exit 1 with the report" || fail "row 18: unwritable output: rc $RC, stdout '$(cat "$T/out")'"
expect_error 2 'row 18: resolve -o ""' "$K" resolve "$T/obj.o" -p "$P" -o ""
expect_error 2 'row 18: resolve --out-dir ""' "$K" resolve "$T/obj.o" -p "$P" --out-dir ""
expect_error 2 'row 18: profile -o ""' "$K" profile --btf "$T/vmlinux.btf" --kallsyms "$T/k.txt" -o ""
expect_error 2 'row 18: capture -o ""' "$K" capture -o ""
if rootonly "row 18: load as nobody" && command -v setpriv >/dev/null; then
  mkdir -m 755 "$T/pub"; chmod 755 "$T"
  cp "$B/kfuncs.bpf.o" "$T/pub/plain.o"; chmod 644 "$T/pub/plain.o"
  run setpriv --reuid=65534 --regid=65534 --clear-groups "$K" load "$T/pub/plain.o"
  [ "$RC" = 1 ] && grep -q "Operation not permitted" "$T/err" &&
    pass "row 18: load as nobody names the errno: $(tail -1 "$T/err")" || fail "row 18: load as nobody: rc $RC $(cat "$T/err")"
fi
no_leftovers "$T"

finish
