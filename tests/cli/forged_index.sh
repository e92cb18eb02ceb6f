#!/usr/bin/env bash
# Forged profile indexes (checksum recomputed): a lookup stops at the
# bounds of docs/profile-format.md ("Bounds") and the command fails with
# exit 3 naming the file, the section and the offset, instead of following
# the forged chain through the table.
. "$(dirname "$0")/lib.sh"
[ -r /sys/kernel/btf/vmlinux ] || skip "/sys/kernel/btf/vmlinux not readable"
[ "$(id -u)" = 0 ] || skip "capturing this host's profile needs root"
"$KSR_BIN" capture -o "$T/host.profile" || { fail "capture"; finish; exit 1; }

# forge IN OUT SECTION: every bucket of the bucket table SECTION says its
# chain goes on (flag CONT), so every lookup runs to the bound
forge() {
  python3 - "$@" <<'EOF'
import struct, sys
sys.dont_write_bytecode = True
import ksrfmt as K
p = bytearray(open(sys.argv[1], "rb").read())
s = K.Elf(bytes(p)).sec(sys.argv[3])
assert s.size and s.size % K.BUCKET == 0, s.size
for o in range(s.offset, s.offset + s.size, K.BUCKET):
    struct.pack_into("<H", p, o + 2, struct.unpack_from("<H", p, o + 2)[0] | K.BUCKET_CONT)
open(sys.argv[2], "wb").write(K.fix_profile_hashes(bytes(p)))
EOF
}
forge "$T/host.profile" "$T/sym.profile" .ksr.sym.buckets || fail "forging .ksr.sym.buckets"
forge "$T/host.profile" "$T/btf.profile" .ksr.btf.buckets || fail "forging .ksr.btf.buckets"

expect_ok "check against the honest profile" "$KSR_BIN" check "$KSR_BPF_DIR/weak.bpf.o" -p "$T/host.profile"
# weak.bpf.o looks up absent names (typeless, var, kfunc): each one reads
# buckets until the bound, and no further (expect_error: one line)
expect_error 3 "check: forged .ksr.sym.buckets" timeout 20 "$KSR_BIN" check "$KSR_BPF_DIR/weak.bpf.o" -p "$T/sym.profile"
grep -q 'sym.profile: \.ksr\.sym\.buckets: bucket [0-9]*: .*chain past 16 buckets.*(offset 0x[0-9a-f]*)' "$T/err" &&
  pass "names the file, the section and the offset" || fail "message: $(cat "$T/err")"
expect_error 3 "resolve: forged .ksr.sym.buckets" timeout 20 "$KSR_BIN" resolve "$KSR_BPF_DIR/weak.bpf.o" \
  -p "$T/sym.profile" -o "$T/out.o"
[ -e "$T/out.o" ] && fail "resolve wrote an output" || pass "resolve wrote nothing"
expect_error 3 "check: forged .ksr.btf.buckets" timeout 20 "$KSR_BIN" check "$KSR_BPF_DIR/weak.bpf.o" -p "$T/btf.profile"
grep -q 'btf.profile: \.ksr\.btf\.buckets: bucket [0-9]*: .*(offset 0x[0-9a-f]*)' "$T/err" &&
  pass "names .ksr.btf.buckets and the offset" || fail "message: $(cat "$T/err")"
run "$KSR_BIN" check "$KSR_BPF_DIR/weak.bpf.o" -p "$T/sym.profile" -j
[ "$RC" = 3 ] && grep -q '^{"error":".*\.ksr\.sym\.buckets' "$T/err" && pass "-j: a JSON error line" ||
  fail "-j: exit $RC $(cat "$T/err")"
finish
