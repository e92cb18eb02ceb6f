#!/usr/bin/env bash
# load: every patched test object this host can run loads with --run and
# returns the value its source promises (computed here independently, from
# /proc/kallsyms and the kernel config); --pin mirrors bpftool prog loadall;
# a profile of another build is refused and --reresolve loads it; a profile
# of another boot (other _text) is rebased; restricted kallsyms, missing BTF,
# tampered manifests and verifier rejections give clear errors.
. "$(dirname "$0")/lib.sh"
B=$KSR_BPF_DIR
K=$KSR_BIN
BTF=/sys/kernel/btf/vmlinux
[ "$(id -u)" = 0 ] || skip "loading BPF programs needs root"
[ -r "$BTF" ] || skip "$BTF not readable"
awk 'NR==1 { exit ($1 ~ /^0+$/) ? 1 : 0 }' /proc/kallsyms || skip "/proc/kallsyms addresses are hidden"
mount | grep -q ' type bpf ' || mount -t bpf bpf /sys/fs/bpf 2>/dev/null || skip "no BPF file system"

PINS=()
cleanup() { for p in "${PINS[@]}"; do rm -rf "$p"; done; rm -rf "$T"; }
trap cleanup EXIT

"$K" capture -o "$T/host.profile" >/dev/null || { fail "capture"; finish; exit 1; }
resolve() { "$K" resolve "$B/$1.bpf.o" -p "$2" -o "$3" >/dev/null 2>"$T/rerr" || fail "resolve $1 with $2: $(cat "$T/rerr")"; }
for o in typeless kfuncs shared_sub weak maps_data kconfig; do resolve "$o" "$T/host.profile" "$T/$o.o"; done
run "$K" load "$T/typeless.o"
if [ "$RC" != 0 ] && grep -qi "operation not permitted" "$T/err"; then skip "bpf() not permitted here: $(cat "$T/err")"; fi

# ---- expected values, independently of ksymres -----------------------------
addr() { awk -v n="$1" '$3 == n && NF == 3 { print $1; exit }' /proc/kallsyms; }
PUT=$((0x$(addr bpf_prog_put)))
LO=$((PUT & 0xff))
KCFG=7   # LINUX_KERNEL_VERSION != 0, LINUX_HAS_BPF_COOKIE, bpf_prog_put in the upper half
CONFIG=$(zcat /proc/config.gz 2>/dev/null || cat "/boot/config-$(uname -r)" 2>/dev/null)
if grep -qx 'CONFIG_BPF_SYSCALL=y' <<<"$CONFIG"; then KCFG=$((KCFG + 8)); fi
declare -A EXPECT=(
  [typeless_text]=$((PUT & 0xffffffff))
  [kfunc_task]=1 [kfunc_tc]=2
  [shared_a]=$((2 * LO + 1)) [shared_b]=$((2 * LO + 2))
  [weak_mask]=24
  [maps_data]=44
  [kconfig]=$KCFG
)
echo "expected: $(for k in "${!EXPECT[@]}"; do printf '%s=%s ' "$k" "${EXPECT[$k]}"; done)"

# check_run DESC FILE PROG...: every listed program ran and returned EXPECT[prog]
check_run() {
  local desc=$1 json=$2; shift 2
  local got
  for p in "$@"; do
    got=$(python3 -c 'import json,sys
for p in json.load(open(sys.argv[1]))["programs"]:
    if p["name"] == sys.argv[2]: print(p.get("retval", "none"))' "$json" "$p")
    if [ "$got" != "${EXPECT[$p]}" ]; then fail "$desc: $p returned ${got:-nothing}, expected ${EXPECT[$p]}"; return 1; fi
  done
  pass "$desc: $* returned $(for p in "$@"; do printf '%s ' "${EXPECT[$p]}"; done)"
}

# load_run DESC OBJ PROG... [-- EXTRA ARGS]: load --run -j, exit 0, empty stderr, values
load_run() {
  local desc=$1 obj=$2; shift 2
  local progs=() extra=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do progs+=("$1"); shift; done
  [ "${1:-}" = -- ] && { shift; extra=("$@"); }
  run "$K" load "$obj" --run -j "${extra[@]}"
  if [ "$RC" != 0 ]; then fail "$desc: exit $RC: $(head -c 400 "$T/err")"; return 1; fi
  if [ -s "$T/err" ] && [ "${ALLOW_STDERR:-}" != 1 ]; then fail "$desc: stderr not empty: $(cat "$T/err")"; return 1; fi
  check_run "$desc" "$T/out" "${progs[@]}"
}

# ---- every runnable patched object ----------------------------------------------
load_run "typeless" "$T/typeless.o" typeless_text
load_run "kfuncs" "$T/kfuncs.o" kfunc_task kfunc_tc
load_run "shared_sub" "$T/shared_sub.o" shared_a shared_b
load_run "weak" "$T/weak.o" weak_mask
load_run "maps_data" "$T/maps_data.o" maps_data
load_run "kconfig" "$T/kconfig.o" kconfig

# text report and --repeat: the kernel runs maps_data 5 times, the last run returns 44 + 4
run "$K" load "$T/maps_data.o" --run --repeat 5
if [ "$RC" = 0 ] && grep -q "maps_data  sched_cls  id [0-9]*  retval 48 " "$T/out"; then pass "--repeat 5: last run returned 48"
else fail "--repeat 5: rc $RC $(cat "$T/out" "$T/err")"; fi
# --data-in: a 100-byte packet of our own
head -c 100 /dev/urandom >"$T/pkt.bin"
EXPECT[kfunc_tc]=2
load_run "--data-in" "$T/kfuncs.o" kfunc_tc -- --data-in "$T/pkt.bin"
# without --run: loaded, nothing run
run "$K" load "$T/typeless.o" -j
[ "$RC" = 0 ] && python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["programs"]; sys.exit(not (len(p)==1 and "retval" not in p[0] and p[0]["id"] > 0))' "$T/out" \
  && pass "load without --run: loaded, not run" || fail "load without --run: rc $RC $(cat "$T/err")"

# an object never resolved by ksymres loads as libbpf would, with a note
ALLOW_STDERR=1 load_run "plain object (libbpf resolves)" "$B/typeless.bpf.o" typeless_text
grep -q "no .ksr.manifest" "$T/err" && pass "plain object: note on stderr" || fail "plain object: no note"

# ---- --pin: like bpftool prog loadall OBJ DIR pinmaps DIR ----------------------
PIN=/sys/fs/bpf/ksymres_test_$$
PINS+=("$PIN" "${PIN}_bpftool")
run "$K" load "$T/maps_data.o" --pin "$PIN" --run
if [ "$RC" = 0 ] && [ -e "$PIN/maps_data" ] && [ -e "$PIN/runs" ]; then
  pass "--pin: $(ls "$PIN" | tr '\n' ' ')"
else fail "--pin: rc $RC $(cat "$T/err"); $(ls "$PIN" 2>&1)"; fi
if command -v bpftool >/dev/null; then
  bpftool prog show pinned "$PIN/maps_data" >/dev/null 2>&1 && pass "pin outlives the process (bpftool prog show pinned)" \
    || fail "pinned program not found after exit"
  # the run above counted once in the pinned map
  v=$(bpftool -j map lookup pinned "$PIN/runs" key 0 0 0 0 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); v=d.get("value"); print(int.from_bytes(bytes(int(x,16) for x in v),"little") if isinstance(v,list) else v)' 2>/dev/null)
  [ "$v" = 1 ] && pass "pinned map holds the test run's count" || fail "pinned map value: '$v'"
  if bpftool prog loadall "$T/maps_data.o" "${PIN}_bpftool" pinmaps "${PIN}_bpftool" 2>/dev/null; then
    [ "$(ls "$PIN")" = "$(ls "${PIN}_bpftool")" ] && pass "same entries as bpftool prog loadall: $(ls "$PIN" | tr '\n' ' ')" \
      || fail "pins differ from bpftool: $(ls "$PIN" | tr '\n' ' ') vs $(ls "${PIN}_bpftool" | tr '\n' ' ')"
  fi
fi
rm -rf "$PIN" "${PIN}_bpftool"
[ ! -e "$PIN" ] && pass "pins removed" || fail "pins not removed"
run "$K" load "$T/shared_sub.o" --pin "$PIN" -j
if [ "$RC" = 0 ] && [ -e "$PIN/shared_a" ] && [ -e "$PIN/shared_b" ] && grep -q "\"pin\":\"$PIN/shared_a\"" "$T/out"; then
  pass "--pin: one pin per program"; else fail "--pin two programs: rc $RC $(cat "$T/err")"; fi
rm -rf "$PIN"
expect_error 1 "--pin outside bpffs" "$K" load "$T/shared_sub.o" --pin "$T/notbpffs"
[ ! -e "$T/notbpffs" ] && pass "nothing left after a failed pin" || fail "failed pin left $T/notbpffs"

# ---- another build: refused; --reresolve loads -----------------------------------
# a copy of this host's BTF with one identifier changed (it still validates)
python3 - "$BTF" "$T/other.btf" <<'EOF'
import re, struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
hdr_len, = struct.unpack_from('<I', d, 4)
str_off, str_len = struct.unpack_from('<II', d, 16)
s0 = hdr_len + str_off
strs = d[s0:s0 + str_len].split(b'\0')
pos = s0
cands = []
for s in strs:
    if re.fullmatch(rb'[a-x][a-z0-9_]{5,}', s) and not s.startswith(b'bpf'):
        cands.append(pos)
    pos += len(s) + 1
d[cands[-1]] += 1
open(sys.argv[2], 'wb').write(d)
EOF
cmp -s "$BTF" "$T/other.btf" && fail "BTF copy not modified"
"$K" profile --btf "$T/other.btf" --kallsyms /proc/kallsyms --release other-build -o "$T/other.profile" >/dev/null \
  || fail "profile of the modified BTF: not accepted"
for o in typeless kfuncs weak; do resolve "$o" "$T/other.profile" "$T/$o.other.o"; done
expect_error 1 "another build refused" "$K" load "$T/typeless.other.o" --run
HOST_ID=$("$K" check "$B/typeless.bpf.o" -p "$T/host.profile" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["profiles"][0]["identity"])')
OTHER_ID=$("$K" check "$B/typeless.bpf.o" -p "$T/other.profile" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["profiles"][0]["identity"])')
if grep -q "$HOST_ID" "$T/err" && grep -q "$OTHER_ID" "$T/err" && grep -qF "$(uname -r)" "$T/err" && grep -q -- "--reresolve" "$T/err"; then
  pass "refusal names both identities, the release and --reresolve"; else fail "refusal message: $(cat "$T/err")"; fi
load_run "another build, --reresolve: typeless" "$T/typeless.other.o" typeless_text -- --reresolve
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d["reresolved"] and d["externs"][0]["status"] == "resolved"))' "$T/out" \
  && pass "--reresolve reports the new decisions" || fail "--reresolve report: $(cat "$T/out")"
load_run "another build, --reresolve: kfuncs" "$T/kfuncs.other.o" kfunc_task kfunc_tc -- --reresolve
# weak externs: zeros, poisoned calls and a typed var decided again
load_run "another build, --reresolve: weak" "$T/weak.other.o" weak_mask -- --reresolve
ALLOW_STDERR=1 load_run "another build, --force" "$T/typeless.other.o" typeless_text -- --force
grep -q "force" "$T/err" && pass "--force says so on stderr" || fail "--force: silent"
# the KASLR rule is the profile's arch's: an object resolved for another
# arch is not rebased here, even with --force
if [ "$(uname -m)" = x86_64 ]; then
  "$K" profile --btf "$T/other.btf" --kallsyms /proc/kallsyms --release other-build --arch aarch64 \
    -o "$T/arm64.profile" >/dev/null || fail "profile --arch aarch64"
  resolve typeless "$T/arm64.profile" "$T/typeless.arm64.o"
  run "$K" load "$T/typeless.arm64.o" --run --force
  if [ "$RC" = 1 ] && grep -q "resolved against an aarch64 profile, this host is x86_64" "$T/err" && [ ! -s "$T/out" ]; then
    pass "an aarch64 object is not rebased on x86_64: $(tail -1 "$T/err")"
  else fail "aarch64 object on x86_64: exit $RC: $(cat "$T/err" "$T/out")"; fi
fi

# ---- the host check: by build ID when the profile recorded one ---------------------
# notes(FILE ID_HEX): an ELF note run as /sys/kernel/notes has it; a Xen-like
# note first, then the GNU build ID (none when ID_HEX is empty)
notes() {
  python3 - "$1" "$2" <<'EOF'
import struct, sys
def note(name, typ, desc):
    n = name + b"\0"
    pad = lambda b: b + bytes(-len(b) % 4)
    return struct.pack("<III", len(n), len(desc), typ) + pad(n) + pad(desc)
out = note(b"Xen", 6, b"\x00" * 8)
if sys.argv[2]:
    out += note(b"GNU", 3, bytes.fromhex(sys.argv[2]))
open(sys.argv[1], "wb").write(out)
EOF
}
host_check() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["host_check"])' "$T/out"; }
if [ -r /sys/kernel/notes ] && "$K" profile --info "$T/host.profile" | grep -q "^build id [0-9a-f]"; then
  BID=$("$K" profile --info "$T/host.profile" | awk '/^build id/ { print $3 }')
  load_run "build id: this host's profile" "$T/typeless.o" typeless_text &&
    [ "$(host_check)" = build_id ] && ! grep -q host_identity "$T/out" &&
    pass "checked by build id $BID, the host's BTF not hashed" || fail "build id check: $(cat "$T/out")"
  notes "$T/other.notes" 1111111111111111111111111111111111111111
  KSYMRES_KERNEL_NOTES=$T/other.notes expect_error 1 "another build id refused" "$K" load "$T/typeless.o" --run
  grep -q "build id $BID" "$T/err" && grep -q "build id 1111111111111111111111111111111111111111" "$T/err" &&
    pass "the refusal names both build ids" || fail "build id refusal: $(cat "$T/err")"
  KSYMRES_KERNEL_NOTES=$T/other.notes load_run "another build id, --reresolve" "$T/typeless.o" typeless_text -- --reresolve
  notes "$T/nobid.notes" ""
  KSYMRES_KERNEL_NOTES=$T/nobid.notes load_run "a kernel without a build id: the BTF hash" "$T/typeless.o" typeless_text &&
    [ "$(host_check)" = btf ] && pass "no build id on the host: checked by the BTF hash" || fail "fallback: $(cat "$T/out")"
else
  echo "SKIPPED: build id checks: this kernel exposes no GNU build ID in /sys/kernel/notes"
fi

# ---- another boot of this build: KASLR rebase ------------------------------------
# every address that moves with KASLR shifted by 2 MiB (not 'A' per-CPU
# symbols, not modules): the profile of a boot whose _text differs
python3 - /proc/kallsyms "$T/shifted.kallsyms" <<'EOF'
import sys
with open(sys.argv[1]) as f, open(sys.argv[2], 'w') as out:
    for line in f:
        a, t, rest = line.split(' ', 2)
        if t in 'aA' or '\t' in rest:
            out.write(line)
        else:
            out.write('%0*x %s %s' % (len(a), (int(a, 16) + 0x200000) % 2**64, t, rest))
EOF
"$K" profile --btf "$BTF" --kallsyms "$T/shifted.kallsyms" --release "$(uname -r)" -o "$T/shifted.profile" >/dev/null \
  || fail "profile of the shifted kallsyms"
for o in typeless shared_sub; do resolve "$o" "$T/shifted.profile" "$T/$o.shifted.o"; done
load_run "KASLR: other boot, typeless" "$T/typeless.shifted.o" typeless_text
[ "$(host_check)" = btf ] && pass "a profile from a raw BTF (no build id): checked by the BTF hash" ||
  fail "raw-BTF profile host check: $(cat "$T/out")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d["kaslr_slide"] == "-0x200000" and d["rebased"] == 1))' "$T/out" \
  && pass "KASLR: slide -0x200000, 1 address rebased" || fail "KASLR report: $(cat "$T/out")"
load_run "KASLR: other boot, shared_sub (3 sites)" "$T/shared_sub.shifted.o" shared_a shared_b

# a typeless symbol the profile saw in a module: no slide of _text moves it
awk '$3 == "bpf_prog_put" && NF == 3 { print $0 "\t[ksr_fake]"; next } { print }' /proc/kallsyms >"$T/mod.kallsyms"
"$K" profile --btf "$BTF" --kallsyms "$T/mod.kallsyms" -o "$T/mod.profile" >/dev/null || fail "module profile"
resolve typeless "$T/mod.profile" "$T/typeless.mod.o"
expect_error 1 "module address refused" "$K" load "$T/typeless.mod.o" --run
grep -q "module address" "$T/err" && pass "module refusal says why" || fail "module refusal: $(cat "$T/err")"
load_run "module address, --reresolve" "$T/typeless.mod.o" typeless_text -- --reresolve

# ---- host problems ------------------------------------------------------------------
sed -E 's/^[0-9a-f]+ /0000000000000000 /' /proc/kallsyms >"$T/zero.kallsyms"
KSYMRES_KALLSYMS="$T/zero.kallsyms" expect_error 1 "restricted kallsyms" "$K" load "$T/typeless.shifted.o" --run
grep -q "restricted kallsyms" "$T/err" && pass "restricted kallsyms: says so" || fail "restricted: $(cat "$T/err")"
KSYMRES_KALLSYMS="$T/zero.kallsyms" expect_error 1 "restricted kallsyms, --reresolve" "$K" load "$T/typeless.other.o" --reresolve
KSYMRES_KALLSYMS="$T/zero.kallsyms" load_run "no address to rebase: kallsyms not needed" "$T/kfuncs.o" kfunc_tc
# the host's BTF is what checks it against a profile without a build ID
# (typeless.shifted.o: from a raw BTF blob)
KSYMRES_VMLINUX_BTF=/nonexistent expect_error 1 "missing vmlinux BTF" "$K" load "$T/typeless.shifted.o" --run
grep -q "no BTF" "$T/err" && pass "missing BTF: says so" || fail "missing BTF: $(cat "$T/err")"
KSYMRES_VMLINUX_BTF="$T/other.btf" expect_error 1 "BTF hook: another build" "$K" load "$T/typeless.shifted.o"

# ---- tampering and rejection -------------------------------------------------------
cat >"$T/tamper.py" <<'EOF'
# tamper.py IN OUT MODE NAME VALUE: rewrite the manifest value of NAME's first
# site (MODE manifest), or the value and the instruction consistently (both)
import struct, sys
src, dst, mode, name, value = sys.argv[1:6]
d = bytearray(open(src, 'rb').read())
shoff, = struct.unpack_from('<Q', d, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from('<HHH', d, 0x3a)
secs = [struct.unpack_from('<IIQQQQIIQQ', d, shoff + i * shentsize) for i in range(shnum)]
def sname(s):
    o = secs[shstrndx][4] + s[0]
    return d[o:d.index(b'\0', o)].decode()
mo = next(s for s in secs if sname(s) == '.ksr.manifest')[4]
ver, cnt = struct.unpack_from('<II', d, mo + 8)
hdr = 176 if ver == 1 else 216   # docs/manifest-format.md
strs = mo + hdr + 32 * cnt
for i in range(cnt):
    r = mo + hdr + 32 * i
    sec, noff, ioff, val, ek, ins = struct.unpack_from('<IIQQBB', d, r)
    if d[strs + noff:d.index(b'\0', strs + noff)].decode() == name:
        new = int(value, 0)
        struct.pack_into('<Q', d, r + 16, new)
        if mode == 'both':
            p = secs[sec][4] + ioff
            struct.pack_into('<I', d, p + 4, new & 0xffffffff)
            if ins == 0:
                struct.pack_into('<I', d, p + 12, new >> 32)
        break
else:
    sys.exit('no site of ' + name)
open(dst, 'wb').write(d)
EOF
python3 "$T/tamper.py" "$T/typeless.o" "$T/t1.o" manifest bpf_prog_put "$(printf '0x%x' $((PUT + 64)))"
expect_error 3 "manifest value differs from the instruction" "$K" load "$T/t1.o" --run
grep -q "bpf_prog_put" "$T/err" && pass "tamper message names the extern" || fail "tamper message: $(cat "$T/err")"
python3 "$T/tamper.py" "$T/kfuncs.o" "$T/t2.o" both bpf_rcu_read_lock 1
run "$K" load "$T/t2.o" --run
if [ "$RC" = 1 ] && grep -q "is not a function" "$T/out" && [ "$(wc -l <"$T/err")" = 1 ] && grep -q "rejected by the verifier" "$T/err"; then
  pass "verifier rejection: log tail on stdout, one line on stderr: $(cat "$T/err")"
else fail "verifier rejection: rc $RC out: $(cat "$T/out") err: $(cat "$T/err")"; fi
run "$K" load "$T/t2.o" -j
[ "$RC" = 1 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not ("not a function" in d["verifier_log_tail"] and d["rejected"] == "kfunc_tc"))' "$T/out" \
  && pass "verifier rejection in JSON" || fail "verifier rejection JSON: $(cat "$T/out")"

# ---- usage and malformed input -----------------------------------------------------
head -c 300 "$T/typeless.o" >"$T/trunc.o"
expect_error 3 "truncated object" "$K" load "$T/trunc.o"
expect_error 1 "missing object" "$K" load "$T/nonexistent.o"
expect_error 2 "no object" "$K" load
expect_error 2 "--repeat without --run" "$K" load "$T/typeless.o" --repeat 3
expect_error 2 "--repeat 0" "$K" load "$T/typeless.o" --run --repeat 0
expect_error 2 "--reresolve with --force" "$K" load "$T/typeless.o" --reresolve --force
expect_error 2 "unknown option" "$K" load "$T/typeless.o" --frobnicate
expect_error 2 "two objects" "$K" load "$T/typeless.o" "$T/kfuncs.o"
finish
