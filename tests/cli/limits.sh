#!/usr/bin/env bash
# The writer enforces the reader's limits: resolve refuses, before any
# work, an object with more extern sites than a manifest records
# (site_cnt <= 1,048,576, docs/manifest-format.md), and writes one at the
# limit whose manifest load would accept.
. "$(dirname "$0")/lib.sh"
[ -r /sys/kernel/btf/vmlinux ] || skip "/sys/kernel/btf/vmlinux not readable"
[ "$(id -u)" = 0 ] || skip "capturing this host's profile needs root"
"$KSR_BIN" capture -o "$T/host.profile" || { fail "capture"; finish; exit 1; }
GEN="python3 $(dirname "$0")/helpers/many_sites.py $KSR_BPF_DIR/typeless.bpf.o"
MAX=1048576

$GEN "$T/over.o" $((MAX + 1)) || fail "generating $((MAX + 1)) sites"
$GEN "$T/at.o" $MAX || fail "generating $MAX sites"

expect_error 3 "resolve: $((MAX + 1)) sites" "$KSR_BIN" resolve "$T/over.o" -p "$T/host.profile" -o "$T/over.out.o"
grep -q "over.o: externs: more than 1048576 instructions .*site_cnt" "$T/err" &&
  pass "names the object and the limit" || fail "message: $(cat "$T/err")"
[ -e "$T/over.out.o" ] && fail "an output was written" || pass "nothing written"
mkdir -p "$T/batch"
expect_error 3 "batch resolve: $((MAX + 1)) sites" "$KSR_BIN" resolve "$T/at.o" "$T/over.o" \
  -p "$T/host.profile" --out-dir "$T/batch"
[ -z "$(ls -A "$T/batch")" ] && pass "batch: nothing written" || fail "batch wrote $(ls -A "$T/batch")"

expect_ok "resolve: $MAX sites" "$KSR_BIN" resolve "$T/at.o" -p "$T/host.profile" -o "$T/at.out.o"
python3 - "$T/at.out.o" <<'EOF' && pass "its manifest records site_cnt = 1048576" || fail "manifest"
import struct, sys
sys.dont_write_bytecode = True
import ksrfmt as K
m = K.Elf(open(sys.argv[1], "rb").read()).sec(".ksr.manifest")
sys.exit(struct.unpack_from("<I", m.data, 12)[0] != 1048576)
EOF
finish
