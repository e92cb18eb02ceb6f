#!/usr/bin/env bash
# capture / profile: round trip, standard tools, malformed inputs, usage.
. "$(dirname "$0")/lib.sh"

BTF=/sys/kernel/btf/vmlinux
KS=/proc/kallsyms
[ -r "$BTF" ] || skip "$BTF not readable"
[ "$(id -u)" = 0 ] || skip "needs root for real /proc/kallsyms addresses"
awk 'NR==1 { exit ($1 ~ /^0+$/) ? 1 : 0 }' "$KS" || skip "/proc/kallsyms addresses are hidden (kptr_restrict)"

cp "$BTF" "$T/vmlinux.btf"
cp "$KS" "$T/kallsyms"

expect_ok "capture" "$KSR_BIN" capture -o "$T/host.profile"
expect_ok "profile from copies" "$KSR_BIN" profile --btf "$T/vmlinux.btf" --kallsyms "$T/kallsyms" \
  --release "$(uname -r)" --arch "$(uname -m)" -o "$T/copy.profile"
no_leftovers "$T"

# capture reads kallsyms in a second thread and parses it as it arrives: the
# same inputs (through the test hooks) give the same bytes as `profile`
# (no notes: a raw BTF blob carries no build ID either)
KSYMRES_VMLINUX_BTF=$T/vmlinux.btf KSYMRES_KALLSYMS=$T/kallsyms KSYMRES_KERNEL_NOTES=$T/no-notes KSYMRES_KCONFIG= \
  expect_ok "capture through the path hooks" "$KSR_BIN" capture -o "$T/hooked.profile"
cmp -s "$T/hooked.profile" "$T/copy.profile" && pass "capture == profile of the same inputs" ||
  fail "capture and profile of the same inputs differ"
# ... with a kernel config too (issue 18)
printf 'CONFIG_HZ=250\nCONFIG_BPF=y\n' | gzip >"$T/config.gz"
"$KSR_BIN" profile --btf "$T/vmlinux.btf" --kallsyms "$T/kallsyms" --release "$(uname -r)" --arch "$(uname -m)" \
  --config "$T/config.gz" -o "$T/copy-config.profile" >/dev/null
KSYMRES_VMLINUX_BTF=$T/vmlinux.btf KSYMRES_KALLSYMS=$T/kallsyms KSYMRES_KERNEL_NOTES=$T/no-notes KSYMRES_KCONFIG=$T/config.gz \
  expect_ok "capture with a config through the hooks" "$KSR_BIN" capture -o "$T/hooked-config.profile"
cmp -s "$T/hooked-config.profile" "$T/copy-config.profile" && pass "capture == profile --config of the same inputs" ||
  fail "capture and profile --config of the same inputs differ"
head -c 1000 "$BTF" >"$T/trunc.btf"
printf 'ffffffff81000000 T _text\nnot-hex T foo\n' >"$T/bad.kallsyms"
KSYMRES_VMLINUX_BTF=$T/trunc.btf KSYMRES_KALLSYMS=$T/kallsyms \
  expect_error 3 "capture: truncated BTF" "$KSR_BIN" capture -o "$T/bad.profile"
grep -q "trunc.btf" "$T/err" && pass "capture error names the BTF" || fail "capture error: $(cat "$T/err")"
KSYMRES_VMLINUX_BTF=$T/vmlinux.btf KSYMRES_KALLSYMS=$T/bad.kallsyms \
  expect_error 3 "capture: bad kallsyms line" "$KSR_BIN" capture -o "$T/bad.profile"
grep -q "bad.kallsyms.*line 2" "$T/err" && pass "capture error names the file and line" ||
  fail "capture error: $(cat "$T/err")"
# a bad line with more than a read window (256 KiB) of text after it: the
# error is the line's, as `profile` reports it
{ printf 'ffffffff81000000 T _text\nnot-hex T foo\n'; cat "$T/kallsyms"; } >"$T/bad-early.kallsyms"
KSYMRES_VMLINUX_BTF=$T/vmlinux.btf KSYMRES_KALLSYMS=$T/bad-early.kallsyms \
  expect_error 3 "capture: bad line early in a long input" "$KSR_BIN" capture -o "$T/bad.profile"
cp "$T/err" "$T/err.capture"
expect_error 3 "profile: bad line early in a long input" "$KSR_BIN" profile --btf "$T/vmlinux.btf" \
  --kallsyms "$T/bad-early.kallsyms" -o "$T/bad.profile"
cmp -s "$T/err" "$T/err.capture" && grep -q "line 2" "$T/err" &&
  pass "capture and profile give the same error for an early bad line" ||
  fail "early bad line: capture '$(cat "$T/err.capture")', profile '$(cat "$T/err")'"
KSYMRES_VMLINUX_BTF=$T/trunc.btf KSYMRES_KALLSYMS=$T/nope \
  expect_error 1 "capture: missing kallsyms before a bad BTF" "$KSR_BIN" capture -o "$T/bad.profile"
grep -q "nope" "$T/err" && pass "reading errors come first" || fail "capture error: $(cat "$T/err")"
KSYMRES_VMLINUX_BTF=$T/vmlinux.btf KSYMRES_KALLSYMS=$T/bad.kallsyms \
  expect_error 3 "capture: bad kallsyms before an unwritable output" "$KSR_BIN" capture -o "$T/no/such/dir/p"
grep -q "bad.kallsyms" "$T/err" && pass "input errors before output errors" || fail "capture error: $(cat "$T/err")"
[ -e "$T/bad.profile" ] && fail "capture wrote an output after failing" || pass "no capture output after failures"
no_leftovers "$T"

# the raw BTF is carried unchanged: extract it with a standard tool
if command -v llvm-objcopy >/dev/null; then
  llvm-objcopy --dump-section .BTF="$T/extracted.btf" "$T/host.profile" "$T/junk.o"
  if cmp -s "$T/extracted.btf" "$BTF"; then pass "extracted .BTF identical to $BTF"; else fail "extracted .BTF differs"; fi
fi
if command -v bpftool >/dev/null; then
  a=$(bpftool btf dump file "$T/host.profile" | grep -c '^\[')
  b=$(bpftool btf dump file "$BTF" | grep -c '^\[')
  if [ "$a" = "$b" ] && [ "$a" -gt 1000 ]; then pass "bpftool btf dump file PROFILE: $a types"; else fail "bpftool dump: $a vs $b types"; fi
fi

# malformed inputs: exit 3, one line, no output file
head -c 1000 "$BTF" >"$T/trunc.btf"
expect_error 3 "truncated BTF" "$KSR_BIN" profile --btf "$T/trunc.btf" --kallsyms "$T/kallsyms" -o "$T/bad.profile"
grep -q "trunc.btf" "$T/err" && pass "error names the BTF file" || fail "error does not name the BTF file"
printf 'ffffffff81000000 T _text\nnot-hex T foo\n' >"$T/bad.kallsyms"
expect_error 3 "bad kallsyms line" "$KSR_BIN" profile --btf "$BTF" --kallsyms "$T/bad.kallsyms" -o "$T/bad.profile"
grep -q "line 2" "$T/err" && pass "error names the line" || fail "error does not name the line: $(cat "$T/err")"
sed 's/^[0-9a-f]*/0000000000000000/' "$T/kallsyms" >"$T/zero.kallsyms"
expect_error 3 "all-zero kallsyms (restricted capture)" "$KSR_BIN" profile --btf "$BTF" --kallsyms "$T/zero.kallsyms" -o "$T/bad.profile"
expect_error 3 "directory as --btf" "$KSR_BIN" profile --btf "$T" --kallsyms "$T/kallsyms" -o "$T/bad.profile"
expect_error 1 "missing --btf file" "$KSR_BIN" profile --btf "$T/nope" --kallsyms "$T/kallsyms" -o "$T/bad.profile"
[ -e "$T/bad.profile" ] && fail "output written after failure" || pass "no output after failures"
no_leftovers "$T"

# usage
expect_error 2 "no command" "$KSR_BIN"
expect_error 2 "unknown command" "$KSR_BIN" frobnicate
expect_error 2 "profile without -o" "$KSR_BIN" profile --btf "$BTF" --kallsyms "$T/kallsyms"
expect_error 2 "unknown option" "$KSR_BIN" capture --bogus -o "$T/x"
expect_error 2 "capture without -o" "$KSR_BIN" capture
run "$KSR_BIN" --help
[ "$RC" = 0 ] && grep -q capture "$T/out" && pass "--help" || fail "--help"

finish
