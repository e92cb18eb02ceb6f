#!/usr/bin/env bash
# profile --info and --from: what a profile describes, and converting a
# version 1 profile (tests/unit/fixtures/fixed-v1.profile, written by an
# older ksymres from fixed inputs), which every command refuses naming the
# converter. Needs no kernel; the host part runs where it can capture.
. "$(dirname "$0")/lib.sh"
: "${KSR_SOURCE_DIR:?}"
V1=$KSR_SOURCE_DIR/tests/unit/fixtures/fixed-v1.profile
OBJ=$KSR_BPF_DIR/typeless.bpf.o

expect_error 3 "check of a version 1 profile" "$KSR_BIN" check "$OBJ" -p "$V1"
grep -q "version 1: convert it with 'ksymres profile --from FILE -o NEW'" "$T/err" &&
  pass "the refusal names the converter" || fail "v1 refusal: $(cat "$T/err")"
expect_error 3 "--info of a version 1 profile" "$KSR_BIN" profile --info "$V1"
expect_ok "profile --from" "$KSR_BIN" profile --from "$V1" -o "$T/v2.profile"
run "$KSR_BIN" profile --info "$T/v2.profile"
if [ "$RC" = 0 ] && grep -q "^format   version 2" "$T/out" && grep -q "^release  fixed-release" "$T/out" &&
   grep -q "^build id none" "$T/out" && grep -q "^arch     unknown" "$T/out"; then
  pass "--info of the converted profile: $(tr '\n' '|' <"$T/out")"
else fail "--info: rc $RC $(cat "$T/out" "$T/err")"; fi
# the section table: every required section in the format's order, tiling
# the file from the body to the block table, which ends it
run "$KSR_BIN" profile --info "$T/v2.profile" -j
python3 - "$T/out" "$T/v2.profile" <<'PY' && pass "--info -j lists the sections" || fail "--info -j sections: $(cat "$T/out")"
import json, os, sys
d = json.load(open(sys.argv[1]))
s = d["sections"]
names = [x["name"] for x in s]
want = [".ksr.meta", ".shstrtab", ".BTF", ".ksr.btf.types", ".ksr.btf.names", ".ksr.syms",
        ".ksr.symstr", ".ksr.symidx", ".ksr.blocks"]
ok = names == want and not any(x["optional"] for x in s) and d["optional_sections"] == []
ok = ok and s[2]["offset"] == 4096 and s[-1]["offset"] + s[-1]["size"] == os.path.getsize(sys.argv[2])
ok = ok and all(a["offset"] + a["size"] <= b["offset"] for a, b in zip(s[2:], s[3:]))
sys.exit(not ok)
PY
run "$KSR_BIN" check "$OBJ" -p "$T/v2.profile" -j
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["profiles"][0]["release"] != "fixed-release")' "$T/out" &&
  pass "the converted profile is read by check" || fail "check of the converted profile: $(cat "$T/out" "$T/err")"
# a damaged v1 (a symbol record) is not converted
cp "$V1" "$T/bad-v1.profile"
printf '\xff' | dd of="$T/bad-v1.profile" bs=1 seek=1400 conv=notrunc 2>/dev/null
expect_error 3 "a damaged version 1 profile" "$KSR_BIN" profile --from "$T/bad-v1.profile" -o "$T/bad.profile"
[ -e "$T/bad.profile" ] && fail "output written from a damaged v1" || pass "nothing written from a damaged v1"
expect_error 2 "--from without -o" "$KSR_BIN" profile --from "$V1"
expect_error 2 "--info with -o" "$KSR_BIN" profile --info "$V1" -o "$T/x"
expect_error 2 "unknown --arch" "$KSR_BIN" profile --btf "$V1" --kallsyms "$V1" --arch vax -o "$T/x"

# the host: capture records this kernel's build ID and arch
if [ "$(id -u)" = 0 ] && [ -r /sys/kernel/btf/vmlinux ] &&
   awk 'NR==1 { exit ($1 ~ /^0+$/) ? 1 : 0 }' /proc/kallsyms; then
  expect_ok "capture" "$KSR_BIN" capture -o "$T/host.profile"
  run "$KSR_BIN" profile --info "$T/host.profile" -j
  python3 - "$T/out" "$(uname -m)" "$(uname -r)" <<'PY' && pass "--info -j: $(cat "$T/out")" || fail "--info -j: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
arch = {"arm64": "aarch64"}.get(sys.argv[2], sys.argv[2])
ok = (d["format_version"] == 2 and d["arch"] == arch and d["release"] == sys.argv[3]
      and len(d["identity"]) == 32 and d["symbols"] > 1000 and d["blocks"] > 100)
try:
    notes = open("/sys/kernel/notes", "rb").read()
    bid = d["build_id"]   # any GNU build ID length (sha1: 20 bytes, others differ)
    ok = ok and ((0 < len(bid) <= 64 and len(bid) % 2 == 0 and int(bid, 16) >= 0)
                 or b"GNU\0" not in notes)
except OSError:
    pass
sys.exit(not ok)
PY
else
  echo "SKIPPED: host part: needs root, /sys/kernel/btf/vmlinux and unrestricted /proc/kallsyms"
fi
finish
