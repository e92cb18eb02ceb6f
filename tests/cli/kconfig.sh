#!/usr/bin/env bash
# Issue 18: the kernel config in profiles (.ksr.opt.kconfig) and the values
# check/resolve predict for .kconfig externs with libbpf 1.1's rules. Fixed
# inputs (the fixture's BTF, a small kallsyms text, hand-written configs);
# tests/cli/kconfig_host.sh compares the predictions with real loads.
. "$(dirname "$0")/lib.sh"
K=$KSR_BIN
B=$KSR_BPF_DIR
"$K" profile --from "$KSR_SOURCE_DIR/tests/unit/fixtures/fixed-v1.profile" -o "$T/fixed.profile" >/dev/null ||
  { fail "fixed profile"; finish; exit 1; }
printf 'ffffffff81000000 T _text\nffffffff81100000 T bpf_prog_put\n' >"$T/ks.txt"
mk() { # mk NAME CONFIG-FILE|"" [RELEASE]: a profile of the fixture with that config
  local cfg=()
  [ -n "$2" ] && cfg=(--config "$2")
  "$K" profile --btf "$T/fixed.profile" --kallsyms "$T/ks.txt" --release "${3:-6.1.300-test}" "${cfg[@]}" -o "$T/$1.profile"
}
# the first CONFIG_HZ wins; comments and blank lines are not CONFIG_ lines
cat >"$T/good.cfg" <<'CFG'
# Automatically generated file; DO NOT EDIT.
CONFIG_HZ=1000
# CONFIG_FOO is not set

CONFIG_BPF_SYSCALL=m
CONFIG_LOCALVERSION=""
CONFIG_HZ=100
CFG
gzip -c "$T/good.cfg" >"$T/good.cfg.gz"
expect_ok "profile --config (plain)" mk good "$T/good.cfg"
expect_ok "profile --config (gzip)" mk goodgz "$T/good.cfg.gz"
expect_ok "profile without --config" mk none ""

run "$K" profile --info "$T/good.profile"
grep -q '^kconfig  3 CONFIG_ entries$' "$T/out" && pass "--info: 3 entries (one name twice)" || fail "--info: $(grep kconfig "$T/out")"
run "$K" profile --info "$T/none.profile"
grep -q '^kconfig  none' "$T/out" && pass "--info says a profile has no config" || fail "--info none: $(cat "$T/out")"
run "$K" profile --info "$T/none.profile" -j
grep -q '"kconfig":{"present":false' "$T/out" && pass "--info -j: present false" || fail "--info -j: $(cat "$T/out")"

# values: HZ 1000 (first line), m -> TRI_MODULE, 6.1.300 -> patch clamped to 255
want='"CONFIG_BPF_SYSCALL","type":"tristate","weak":false,"status":"set","value":"TRI_MODULE"'
for p in good goodgz; do
  run "$K" check "$B/kconfig_values.bpf.o" -p "$T/$p.profile" -j
  if [ "$RC" = 0 ] && grep -qF "$want" "$T/out" &&
     grep -qF '"name":"CONFIG_HZ","type":"int","weak":false,"status":"set","value":"1000"' "$T/out" &&
     grep -qF '"name":"LINUX_KERNEL_VERSION","type":"int","weak":false,"status":"set","value":"393727"' "$T/out" &&
     grep -qF '"name":"CONFIG_KSYMRES_ABSENT","type":"int","weak":true,"status":"default","value":"0"' "$T/out" &&
     grep -qF '"name":"CONFIG_LOCALVERSION","type":"char[]","weak":true,"status":"set","value":"\"\""' "$T/out"
  then pass "check $p: the values libbpf gives"; else fail "check $p: rc $RC $(cat "$T/out" "$T/err")"; fi
done
run "$K" resolve "$B/kconfig_values.bpf.o" -p "$T/good.profile" -o "$T/kv.o"
[ "$RC" = 0 ] && grep -q '^  set  *kconfig  *CONFIG_HZ = 1000$' "$T/out" && pass "resolve text shows CONFIG_HZ = 1000" ||
  fail "resolve text: rc $RC $(cat "$T/out" "$T/err")"

# --kconfig=bake: the values at libbpf's offsets in .rodata.ksr_kconfig, no .kconfig extern left
run "$K" resolve "$B/kconfig_values.bpf.o" -p "$T/good.profile" -o "$T/baked.o" --kconfig=bake
if [ "$RC" = 0 ] && grep -q '5 .kconfig values baked' "$T/out"; then
  objcopy -I elf64-little --dump-section .rodata.ksr_kconfig="$T/vals" "$T/baked.o" "$T/scratch.o" 2>/dev/null
  # BPF_SYSCALL=m (2), HZ=1000, ABSENT=0, 6.1.300 -> 0x0601ff, LOCALVERSION "" (16 bytes)
  printf '\002\000\000\000\350\003\000\000\000\000\000\000\377\001\006\000' >"$T/want"
  head -c 16 /dev/zero >>"$T/want"
  cmp -s "$T/vals" "$T/want" && pass "baked values: $(od -An -tx1 "$T/vals" | tr -s ' \n' ' ')" ||
    fail "baked values: $(od -An -tx1 "$T/vals" 2>&1 | tr -s ' \n' ' ')"
  run "$K" inspect "$T/baked.o" -j
  grep -q '"kconfig":\[\]' "$T/out" && pass "baked object has no .kconfig extern left" || fail "inspect baked: $(cat "$T/out")"
else fail "resolve --kconfig=bake: rc $RC $(cat "$T/out" "$T/err")"; fi
run "$K" resolve "$B/kconfig_values.bpf.o" -p "$T/none.profile" -o "$T/nb.o" --kconfig=bake
[ "$RC" = 1 ] && [ ! -e "$T/nb.o" ] && grep -q "cannot bake .kconfig extern CONFIG_.*unknown" "$T/err" &&
  pass "bake without a config: exit 1, nothing written" || fail "bake none: rc $RC $(cat "$T/err")"
expect_error 2 "--kconfig=other" "$K" resolve "$B/kconfig_values.bpf.o" -p "$T/good.profile" -o "$T/x.o" --kconfig=other
run "$K" resolve "$B/kconfig_values.bpf.o" -p "$T/none.profile" -o "$T/kept.o"
[ "$RC" = 0 ] && run "$K" inspect "$T/kept.o" -j && grep -q '"name":"CONFIG_HZ"' "$T/out" &&
  pass "default --kconfig=keep leaves .kconfig to libbpf" || fail "keep: $(cat "$T/out" "$T/err")"

# the issue's object: the strong CONFIG_KSYMRES_NOPE is missing -> NOT runnable
run "$K" check "$B/kconfig_missing.bpf.o" -p "$T/good.profile"
[ "$RC" = 1 ] && grep -q 'NOT runnable' "$T/out" && grep -q 'missing .*CONFIG_KSYMRES_NOPE: not in the kernel config' "$T/out" &&
  pass "kconfig_missing: NOT runnable, exit 1" || fail "kconfig_missing: rc $RC $(cat "$T/out")"
run "$K" resolve "$B/kconfig_missing.bpf.o" -p "$T/good.profile" -o "$T/km.o" -j
[ "$RC" = 1 ] && [ ! -e "$T/km.o" ] && grep -q '"status":"missing"' "$T/out" && pass "resolve kconfig_missing: exit 1, nothing written" ||
  fail "resolve kconfig_missing: rc $RC $(cat "$T/out")"

# without a config: CONFIG_ externs unknown (not guessed), LINUX_ ones computed
run "$K" check "$B/kconfig_values.bpf.o" -p "$T/none.profile" -j
grep -qF '"name":"CONFIG_HZ","type":"int","weak":false,"status":"unknown","reason":"the profile records no kernel config' "$T/out" &&
  grep -qF '"name":"LINUX_KERNEL_VERSION","type":"int","weak":false,"status":"set","value":"393727"' "$T/out" &&
  pass "no config: CONFIG_ unknown, LINUX_KERNEL_VERSION set" || fail "no config: $(cat "$T/out")"
# a release libbpf cannot parse fails LINUX_KERNEL_VERSION; "unknown" is unknown
mk badrel "$T/good.cfg" "trunk" >/dev/null
run "$K" check "$B/kconfig_values.bpf.o" -p "$T/badrel.profile" -j
[ "$RC" = 1 ] && grep -qF '"name":"LINUX_KERNEL_VERSION","type":"int","weak":false,"status":"invalid"' "$T/out" &&
  pass "release 'trunk': LINUX_KERNEL_VERSION invalid" || fail "release trunk: rc $RC $(cat "$T/out")"

# values libbpf refuses for the type, and a line that fails the whole config
printf 'CONFIG_HZ=y\nCONFIG_BPF_SYSCALL=y\n' >"$T/tri.cfg"
printf 'CONFIG_HZ=250\nCONFIG_BPF_SYSCALL=1000\n' >"$T/num.cfg"
printf 'CONFIG_HZ=250\nCONFIG_BPF_SYSCALL=y\nCONFIG_BROKEN\n' >"$T/nosep.cfg"
printf 'CONFIG_HZ=250\nCONFIG_BPF_SYSCALL=y\nCONFIG_EMPTY=\n' >"$T/noval.cfg"
printf 'CONFIG_HZ=0x10000000000\nCONFIG_BPF_SYSCALL=y\n' >"$T/range.cfg"
for c in tri:CONFIG_HZ:'implies bool, tristate, or char' num:CONFIG_BPF_SYSCALL:'implies integer type' \
         nosep:CONFIG_HZ:"line 3 has no '='" noval:CONFIG_HZ:'line 3 has no value' range:CONFIG_HZ:"doesn't fit"; do
  IFS=: read -r f name why <<<"$c"
  mk "$f" "$T/$f.cfg" >/dev/null || { fail "profile $f"; continue; }
  run "$K" check "$B/kconfig_values.bpf.o" -p "$T/$f.profile" -j
  if [ "$RC" = 1 ] && grep -qF "\"name\":\"$name\"" "$T/out" && grep -qF "$why" "$T/out" && grep -q '"runnable":false' "$T/out"
  then pass "$f: $name invalid ($why)"; else fail "$f: rc $RC $(cat "$T/out")"; fi
done
run "$K" profile --info "$T/nosep.profile"
grep -q 'line 3 is one libbpf refuses' "$T/out" && pass "--info names the refused line" || fail "--info refused: $(cat "$T/out")"

# malformed configs: exit 3, one line naming the file, nothing written
awk 'BEGIN { printf "CONFIG_LONG=\""; for (i = 0; i < 5000; i++) printf "x"; print "\"" }' >"$T/long.cfg"
printf 'CONFIG_HZ=250\nCONFIG_\0X=y\n' >"$T/nul.cfg"
printf '\037\213garbage' >"$T/bad.cfg.gz"
head -c 20 "$T/good.cfg.gz" >"$T/short.cfg.gz"
awk 'BEGIN { for (i = 0; i < 4300; i++) { printf "CONFIG_P%d=", i; for (j = 0; j < 400; j++) printf "0123456789"; print "" } }' |
  gzip -1 >"$T/bomb.cfg.gz"   # about 17 MiB of text from a small file
for f in long.cfg nul.cfg bad.cfg.gz short.cfg.gz bomb.cfg.gz; do
  expect_error 3 "malformed $f" mk "m_$f" "$T/$f"
  grep -qF "$T/$f" "$T/err" && [ ! -e "$T/m_$f.profile" ] && pass "$f: message names it, no profile" || fail "$f: $(cat "$T/err")"
done
grep -q 'line 1 at offset 0 longer than 4095' <("$K" profile --btf "$T/fixed.profile" --kallsyms "$T/ks.txt" --config "$T/long.cfg" -o "$T/x.profile" 2>&1) &&
  pass "long line: line and offset named" || fail "long line message"
no_leftovers "$T"
finish
