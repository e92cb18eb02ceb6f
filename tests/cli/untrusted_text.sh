#!/usr/bin/env bash
# Strings from inputs in text output: a profile's release string carrying
# terminal escapes (OSC title, SGR colour), BEL and a line feed is printed
# escaped by every command that shows it, in text mode; JSON keeps it exact.
. "$(dirname "$0")/lib.sh"
[ -r /sys/kernel/btf/vmlinux ] || skip "/sys/kernel/btf/vmlinux not readable"
[ "$(id -u)" = 0 ] || skip "needs root for real /proc/kallsyms addresses"
B=$KSR_BPF_DIR
EVIL=$'\e]0;PWNED\a\e[31mred\nFAKE line'

expect_ok "profile with a hostile --release" "$KSR_BIN" profile --btf /sys/kernel/btf/vmlinux \
  --kallsyms /proc/kallsyms --release "$EVIL" -o "$T/evil.profile"

# clean TEXT: no ESC, BEL or other control byte but the line feeds, and no
# line that the release string started
clean() {
  local desc=$1 file=$2
  if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$file"; then
    fail "$desc: raw control bytes in the output: $(od -c "$file" | head -5)"
  elif grep -q '^FAKE' "$file"; then
    fail "$desc: the release string injected a line"
  elif ! grep -qF '\x1b]0;PWNED\x07\x1b[31mred' "$file"; then
    fail "$desc: the release is not shown escaped: $(head -c 400 "$file")"
  else
    pass "$desc: escaped"
  fi
}

run "$KSR_BIN" check "$B/weak.bpf.o" -p "$T/evil.profile"
[ "$RC" = 0 ] || fail "check: exit $RC ($(cat "$T/err"))"
clean "check (text)" "$T/out"
# the full release in the profile list, the column header cut to 11 bytes
# of its escaped form, never inside an escape
grep -qF '(\x1b]0;PWNED\x07\x1b[31mred\x0aFAKE line, identity ' "$T/out" &&
  pass "check: the profile line shows the whole release, escaped" ||
  fail "check: profile line: $(cat "$T/out")"
grep -q '| \[1\] \\x1b\]0;PWNE$' "$T/out" &&
  pass "check: the column header is the escaped release, cut at 11 bytes" ||
  fail "check: column header: $(head -3 "$T/out")"

run "$KSR_BIN" check "$B/weak.bpf.o" -p "$T/evil.profile" -j
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["profiles"][0]["release"]; sys.exit(r != sys.argv[2])' \
  "$T/out" "$EVIL" && pass "check -j: the release round-trips exactly" ||
  fail "check -j: $(cat "$T/out" | head -c 300)"

run "$KSR_BIN" resolve "$B/weak.bpf.o" -p "$T/evil.profile" -o "$T/weak.o"
[ "$RC" = 0 ] || fail "resolve: exit $RC ($(cat "$T/err"))"
clean "resolve (text)" "$T/out"

# the same through .ksr.meta, written by a forger who recomputes the hashes
python3 - "$T/evil.profile" "$T/meta.profile" <<'EOF'
import sys
sys.dont_write_bytecode = True
import ksrfmt
b = bytearray(open(sys.argv[1], "rb").read())
meta = ksrfmt.Elf(bytes(b)).sec(".ksr.meta").offset
rel = b"\x1b]2;meta\x07\x9b31m\x00"
b[meta + 128:meta + 256] = rel.ljust(128, b"\0")
open(sys.argv[2], "wb").write(ksrfmt.fix_profile_hashes(bytes(b)))
EOF
run "$KSR_BIN" check "$B/weak.bpf.o" -p "$T/meta.profile"
[ "$RC" = 0 ] || fail "check (.ksr.meta release): exit $RC ($(cat "$T/err"))"
if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f\x80-\xff]' "$T/out"; then
  fail "check: raw bytes from .ksr.meta in the output"
else
  grep -qF '(\x1b]2;meta\x07\x9b31m, identity' "$T/out" && pass "check: .ksr.meta release escaped (C1 CSI too)" ||
    fail "check: $(cat "$T/out")"
fi

mkdir -p "$T/batch"
run "$KSR_BIN" resolve "$B/weak.bpf.o" -p "$T/meta.profile" --out-dir "$T/batch"
[ "$RC" = 0 ] || fail "batch resolve: exit $RC ($(cat "$T/err"))"
LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f\x80-\xff]' "$T/out" && fail "batch: raw bytes" || pass "batch (text): no raw bytes"

finish
