#!/usr/bin/env bash
# Forged profile indexes (checksum recomputed): a lookup stops at the
# bounds of docs/profile-format.md ("Bounds") and the command fails with
# exit 3 naming the file and the section, instead of scanning every slot.
. "$(dirname "$0")/lib.sh"
[ -r /sys/kernel/btf/vmlinux ] || skip "/sys/kernel/btf/vmlinux not readable"
[ "$(id -u)" = 0 ] || skip "capturing this host's profile needs root"
"$KSR_BIN" capture -o "$T/host.profile" || { fail "capture"; finish; exit 1; }

# forge IN OUT SECTION: every slot of SECTION a copy of its first occupied one
forge() {
  python3 - "$@" <<'EOF'
import struct, sys
sys.dont_write_bytecode = True
import ksrfmt as K
p = bytearray(open(sys.argv[1], "rb").read())
s = K.Elf(bytes(p)).sec(sys.argv[3])
w = 4 if sys.argv[3] == ".ksr.symidx" else 16
slots = [bytes(p[s.offset + i:s.offset + i + w]) for i in range(0, s.size, w)]
one = next(x for x in slots if struct.unpack_from("<I", x)[0])
p[s.offset:s.offset + s.size] = one * (s.size // w)
open(sys.argv[2], "wb").write(K.fix_profile_hashes(bytes(p)))
EOF
}
forge "$T/host.profile" "$T/symidx.profile" .ksr.symidx || fail "forging .ksr.symidx"
forge "$T/host.profile" "$T/names.profile" .ksr.btf.names || fail "forging .ksr.btf.names"

expect_ok "check against the honest profile" "$KSR_BIN" check "$KSR_BPF_DIR/weak.bpf.o" -p "$T/host.profile"
# weak.bpf.o looks up absent names (typeless, var, kfunc): each one probed
# every slot of the forged index before
expect_error 3 "check: forged .ksr.symidx" "$KSR_BIN" check "$KSR_BPF_DIR/weak.bpf.o" -p "$T/symidx.profile"
grep -q 'symidx.profile: \.ksr\.symidx: no empty slot within 256 slots.*(offset 0x' "$T/err" &&
  pass "names the file, the section and the offset" || fail "message: $(cat "$T/err")"
expect_error 3 "resolve: forged .ksr.symidx" "$KSR_BIN" resolve "$KSR_BPF_DIR/weak.bpf.o" \
  -p "$T/symidx.profile" -o "$T/out.o"
[ -e "$T/out.o" ] && fail "resolve wrote an output" || pass "resolve wrote nothing"
expect_error 3 "check: forged .ksr.btf.names" "$KSR_BIN" check "$KSR_BPF_DIR/weak.bpf.o" -p "$T/names.profile"
grep -q 'names.profile: \.ksr\.btf\.names: no empty slot' "$T/err" && pass "names .ksr.btf.names" ||
  fail "message: $(cat "$T/err")"
run "$KSR_BIN" check "$KSR_BPF_DIR/weak.bpf.o" -p "$T/symidx.profile" -j
[ "$RC" = 3 ] && grep -q '^{"error":".*\.ksr\.symidx' "$T/err" && pass "-j: a JSON error line" ||
  fail "-j: exit $RC $(cat "$T/err")"
finish
