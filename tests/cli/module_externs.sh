#!/usr/bin/env bash
# Module externs, offline: conntrack.bpf.o calls bpf_xdp_ct_lookup and
# bpf_ct_release, which live in nf_conntrack's BTF. Against profiles made
# from fixed inputs (helpers/mini_btf.py): resolved in the module (JSON
# "module", the module's ids), check says the module must be loaded, the
# unloadable predictions apply to module kfuncs, a profile without module
# BTF says missing; resolve leaves the module sites for the loader and
# records them (manifest version 3), inspect shows them.
. "$(dirname "$0")/lib.sh"
H=$(dirname "$0")/helpers
OBJ=$KSR_BPF_DIR/conntrack.bpf.o
[ -r "$OBJ" ] || { fail "no $OBJ"; finish; exit 1; }

python3 "$H/mini_btf.py" "$T" >"$T/ids" || { fail "mini_btf.py"; exit 1; }
read -r LOOKUP RELEASE < <(sed 's/lookup=\([0-9]*\) release=\([0-9]*\)/\1 \2/' "$T/ids")
printf 'ffffffff81000000 T _text\nffffffff81000100 T vmlinux_fn\n0000000000001000 D bpf_prog_active\n' >"$T/vmlinux.ks"
cp "$T/vmlinux.ks" "$T/loaded.ks"
printf 'ffffffffc0001000 T bpf_xdp_ct_lookup\t[nf_conntrack]\nffffffffc0002000 T bpf_ct_release\t[nf_conntrack]\n' >>"$T/loaded.ks"
printf 'ffffffffc0003000 d nf_mod_var\t[nf_conntrack]\n' >>"$T/loaded.ks"
mkprof() { # NAME KALLSYMS DIR-with-vmlinux-and-modules
  KSYMRES_VMLINUX_BTF=$3/vmlinux KSYMRES_KALLSYMS=$2 KSYMRES_KERNEL_NOTES=$T/no-notes \
    "$KSR_BIN" capture -o "$T/$1.profile" || fail "capture $1"
}
mkdir -p "$T/sys" "$T/bare" "$T/untagged"
cp "$T/vmlinux.btf" "$T/sys/vmlinux"; cp "$T/nf_conntrack.btf" "$T/sys/nf_conntrack"
cp "$T/vmlinux.btf" "$T/bare/vmlinux"
mkprof loaded "$T/loaded.ks" "$T/sys"       # module BTF and its kallsyms lines
mkprof pkg "$T/vmlinux.ks" "$T/sys"         # module BTF, not in the snapshot
mkprof bare "$T/loaded.ks" "$T/bare"        # no module BTF
python3 "$H/mini_btf.py" "$T/untagged" --untagged >/dev/null
mv "$T/untagged/vmlinux.btf" "$T/untagged/vmlinux"; mv "$T/untagged/nf_conntrack.btf" "$T/untagged/nf_conntrack"
mkprof untagged "$T/loaded.ks" "$T/untagged"

expect_ok "check against a profile with nf_conntrack" "$KSR_BIN" check "$OBJ" -p "$T/loaded.profile" -j
python3 - "$T/out" "$LOOKUP" "$RELEASE" <<'PY' && pass "resolved in nf_conntrack with its ids ($LOOKUP, $RELEASE)" || fail "check -j: $(cat "$T/out")"
import json, sys
p = json.load(open(sys.argv[1]))["profiles"][0]
e = {x["name"]: x for x in p["externs"]}
ok = p["runnable"] and p["needs_modules"] == ["nf_conntrack"]
ok = ok and e["bpf_xdp_ct_lookup"]["btf_id"] == int(sys.argv[2]) and e["bpf_ct_release"]["btf_id"] == int(sys.argv[3])
ok = ok and all(x["status"] == "resolved" and x["module"] == "nf_conntrack" and "note" not in x for x in e.values())
sys.exit(not ok)
PY
run "$KSR_BIN" check "$OBJ" -p "$T/loaded.profile"
grep -q "needs module(s) loaded: nf_conntrack" "$T/out" && grep -q "bpf_ct_release *| resolved" "$T/out" &&
  pass "check text says the module must be loaded" || fail "check text: $(cat "$T/out")"

expect_ok "check against a profile whose snapshot lacks the module" "$KSR_BIN" check "$OBJ" -p "$T/pkg.profile" -j
grep -q '"module":"nf_conntrack","note":"module nf_conntrack: .bpf_ct_release. not in the kallsyms snapshot' "$T/out" &&
  pass "resolved, with a note that kallsyms could not be checked" || fail "pkg: $(cat "$T/out")"

run "$KSR_BIN" check "$OBJ" -p "$T/bare.profile" -j
[ "$RC" = 1 ] && grep -q "\"status\":\"missing\",\"reason\":\"no FUNC 'bpf_ct_release' in vmlinux BTF (the profile has no module BTF)\"" "$T/out" &&
  pass "no module BTF: missing, exit 1" || fail "bare: rc $RC $(cat "$T/out")"

run "$KSR_BIN" check "$OBJ" -p "$T/untagged.profile" -j
[ "$RC" = 1 ] && grep -q '"status":"unloadable","module":"nf_conntrack","reason":"'"'"'bpf_ct_release'"'"' is a kernel function but not a kfunc' "$T/out" &&
  pass "a module function without the bpf_kfunc tag: unloadable" || fail "untagged: rc $RC $(cat "$T/out")"

# libbpf's order: the first module (here by name) with a FUNC of that name
# is the one, even when its prototype does not match a later module's
mkdir -p "$T/two"
python3 "$H/mini_btf.py" "$T/two" --no-params >/dev/null
mv "$T/two/vmlinux.btf" "$T/two/vmlinux"; mv "$T/two/nf_conntrack.btf" "$T/two/aaa_conntrack"
cp "$T/nf_conntrack.btf" "$T/two/nf_conntrack"
mkprof two "$T/loaded.ks" "$T/two"
run "$KSR_BIN" check "$OBJ" -p "$T/two.profile" -j
[ "$RC" = 1 ] && grep -q '"name":"bpf_ct_release","kind":"func","weak":false,"status":"incompatible","module":"aaa_conntrack"' "$T/out" &&
  grep -q '"name":"bpf_xdp_ct_lookup","kind":"func","weak":false,"status":"resolved","btf_id":[0-9]*,"module":"aaa_conntrack"' "$T/out" &&
  pass "the first module that has the name decides (aaa_conntrack), as in libbpf" || fail "two modules: rc $RC $(cat "$T/out")"

# resolve leaves module extern sites for the loader (manifest version 3)
run "$KSR_BIN" resolve "$OBJ" -p "$T/loaded.profile" -o "$T/p.o"
[ "$RC" = 0 ] && grep -q "0 instructions patched, 2 module extern sites left to bind at load" "$T/out" &&
  pass "resolve writes the object, 2 module sites left to bind" || fail "resolve: rc $RC $(cat "$T/out" "$T/err")"
python3 - "$T/p.o" "$LOOKUP" "$RELEASE" <<'PY' && pass "manifest version 3: module table (nf_conntrack, its BTF identity), module sites with the module's ids" || fail "manifest v3"
import struct, sys
d = open(sys.argv[1], "rb").read()
shoff, = struct.unpack_from("<Q", d, 0x28); shnum, shstrndx = struct.unpack_from("<HH", d, 0x3c)
sh = [struct.unpack_from("<IIQQQQIIQQ", d, shoff + 64 * i) for i in range(shnum)]
names = sh[shstrndx]
nm = lambda o: d[names[4] + o:d.index(b"\0", names[4] + o)].decode()
m = next(d[s[4]:s[4] + s[5]] for s in sh if nm(s[0]) == ".ksr.manifest")
ver, sites = struct.unpack_from("<II", m, 8); modcnt, = struct.unpack_from("<I", m, 180)
recs = [struct.unpack_from("<IIQQBBBBI", m, 216 + 32 * i) for i in range(sites)]
strs = m[216 + 32 * sites + 24 * modcnt:]
s = lambda o: strs[o:strs.index(b"\0", o)].decode()
mods = [struct.unpack_from("<II16s", m, 216 + 32 * sites + 24 * i) for i in range(modcnt)]
got = sorted((s(r[1]), r[3], r[6], r[8]) for r in recs)
ok = ver == 3 and modcnt == 1 and s(mods[0][0]) == "nf_conntrack" and mods[0][2] != bytes(16)
ok = ok and got == [("bpf_ct_release", int(sys.argv[3]), 4, 0), ("bpf_xdp_ct_lookup", int(sys.argv[2]), 4, 0)]
sys.exit(not ok)
PY
# the sites, their relocations and .ksyms entries are as the compiler wrote them
bpftool btf dump file "$T/p.o" 2>/dev/null | grep -A3 "DATASEC '.ksyms'" >"$T/ksyms"
grep -q "vlen=2" "$T/ksyms" && grep -q "FUNC 'bpf_xdp_ct_lookup'" "$T/ksyms" && grep -q "FUNC 'bpf_ct_release'" "$T/ksyms" &&
  pass ".ksyms keeps the two module FUNCs for libbpf" || fail ".ksyms: $(cat "$T/ksyms")"
expect_ok "inspect the patched object" "$KSR_BIN" inspect "$T/p.o"
grep -q "bpf_xdp_ct_lookup  (btf id [0-9]*, 1 site): module nf_conntrack, its id $LOOKUP, bound at load" "$T/out" &&
  grep -q "^module nf_conntrack: BTF identity [0-9a-f]\{32\}" "$T/out" &&
  pass "inspect shows the module externs and the module's identity" || fail "inspect: $(cat "$T/out")"
run "$KSR_BIN" inspect "$T/p.o" -j
grep -q '"module":"nf_conntrack","module_btf_id":'"$RELEASE"',' "$T/out" && grep -q '"modules":\[{"name":"nf_conntrack","identity":"[0-9a-f]*"}\]' "$T/out" &&
  pass "inspect -j: module, module_btf_id, modules" || fail "inspect -j: $(cat "$T/out")"
# vmlinux and module externs in one object: the vmlinux site patched and
# out of .ksyms, which keeps only the module FUNCs, as written
MIX=$KSR_BPF_DIR/conntrack_mixed.bpf.o
run "$KSR_BIN" resolve "$MIX" -p "$T/loaded.profile" -o "$T/mix.o"
[ "$RC" = 0 ] && grep -q "1 instruction patched, 2 module extern sites left to bind at load" "$T/out" &&
  pass "mixed: 1 vmlinux site patched, 2 module sites left" || fail "mixed resolve: rc $RC $(cat "$T/out" "$T/err")"
bpftool btf dump file "$T/mix.o" >"$T/mixbtf" 2>&1
grep -A3 "DATASEC '.ksyms'" "$T/mixbtf" >"$T/ksyms"
grep -q "vlen=2" "$T/ksyms" && ! grep -q "bpf_prog_active\|dummy_ksym" "$T/ksyms" &&
  grep -q "VAR 'bpf_prog_active' type_id=[0-9]*, linkage=global" "$T/mixbtf" &&
  pass "mixed: .ksyms lists only the module FUNCs; bpf_prog_active rewritten (global) outside it" ||
  fail "mixed .ksyms: $(cat "$T/ksyms"; grep bpf_prog_active "$T/mixbtf")"
expect_ok "mixed: inspect" "$KSR_BIN" inspect "$T/mix.o" -j
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); e={x["name"]:x for x in d["externs"]}; sys.exit(not (sorted(e)==["bpf_ct_release","bpf_xdp_ct_lookup"] and all(x["module"]=="nf_conntrack" for x in e.values())))' "$T/out" &&
  pass "mixed: only the module externs are left in the object" || fail "mixed inspect: $(cat "$T/out")"
# a typed per-CPU variable of the module (nf_mod_var): found after vmlinux,
# in the module's BTF, as libbpf looks; its ld_imm64 is left for the loader
VAR=$KSR_BPF_DIR/modvar.bpf.o
VAR_ID=$(bpftool -B "$T/vmlinux.btf" btf dump file "$T/nf_conntrack.btf" 2>/dev/null | sed -n "s/^\[\([0-9]*\)\] VAR 'nf_mod_var'.*/\1/p")
expect_ok "module VAR: check" "$KSR_BIN" check "$VAR" -p "$T/loaded.profile" -j
grep -q '"needs_modules":\["nf_conntrack"\],"externs":\[{"name":"nf_mod_var","kind":"var","weak":false,"status":"resolved","btf_id":'"$VAR_ID"',"module":"nf_conntrack"}\]' "$T/out" &&
  pass "module VAR: resolved in nf_conntrack (id $VAR_ID), module needed" || fail "module VAR check: $(cat "$T/out")"
expect_ok "module VAR: check against a snapshot without the module" "$KSR_BIN" check "$VAR" -p "$T/pkg.profile" -j
grep -q '"status":"resolved","btf_id":'"$VAR_ID"',"module":"nf_conntrack","note":"module nf_conntrack: .nf_mod_var. not in the kallsyms snapshot' "$T/out" &&
  pass "module VAR: resolved, with a note that kallsyms could not be checked" || fail "module VAR pkg: $(cat "$T/out")"
run "$KSR_BIN" check "$VAR" -p "$T/bare.profile" -j
[ "$RC" = 1 ] && grep -q '"status":"missing","reason":"no VAR in vmlinux BTF (the profile has no module BTF)' "$T/out" &&
  pass "module VAR, no module BTF: missing, exit 1" || fail "module VAR bare: rc $RC $(cat "$T/out")"
run "$KSR_BIN" resolve "$VAR" -p "$T/loaded.profile" -o "$T/var.o"
[ "$RC" = 0 ] && grep -q "0 instructions patched, 1 module extern site left to bind at load" "$T/out" &&
  pass "module VAR: resolve leaves its ld_imm64 to bind at load" || fail "module VAR resolve: rc $RC $(cat "$T/out" "$T/err")"
expect_ok "module VAR: inspect" "$KSR_BIN" inspect "$T/var.o"
grep -q "var *nf_mod_var  (btf id [0-9]*, 1 site): module nf_conntrack, its id $VAR_ID, bound at load" "$T/out" &&
  grep -q "ld_imm64 xdp+0x0 (insn 0) in mod_var" "$T/out" &&
  pass "module VAR: inspect names the module, its id and the ld_imm64 site" || fail "module VAR inspect: $(cat "$T/out")"
# load: this host has no nf_conntrack BTF object (and another kernel:
# --force skips the host check): refused, naming the module
if [ "$(id -u)" = 0 ] && [ ! -e /sys/kernel/btf/nf_conntrack ]; then
  run "$KSR_BIN" load "$T/p.o" --force
  [ "$RC" = 1 ] && grep -q "module nf_conntrack is not loaded (the kernel has no BTF object of that name)" "$T/err" &&
    pass "load: module not loaded: exit 1, names it" || fail "load: rc $RC $(cat "$T/err")"
fi
finish
