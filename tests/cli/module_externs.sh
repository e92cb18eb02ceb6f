#!/usr/bin/env bash
# Module externs, offline: conntrack.bpf.o calls bpf_xdp_ct_lookup and
# bpf_ct_release, which live in nf_conntrack's BTF. Against profiles made
# from fixed inputs (helpers/mini_btf.py): resolved in the module (JSON
# "module", the module's ids), check says the module must be loaded, the
# unloadable predictions apply to module kfuncs, a profile without module
# BTF says missing, and resolve refuses to patch module externs.
. "$(dirname "$0")/lib.sh"
H=$(dirname "$0")/helpers
OBJ=$KSR_BPF_DIR/conntrack.bpf.o
[ -r "$OBJ" ] || { fail "no $OBJ"; finish; exit 1; }

python3 "$H/mini_btf.py" "$T" >"$T/ids" || { fail "mini_btf.py"; exit 1; }
read -r LOOKUP RELEASE < <(sed 's/lookup=\([0-9]*\) release=\([0-9]*\)/\1 \2/' "$T/ids")
printf 'ffffffff81000000 T _text\nffffffff81000100 T vmlinux_fn\n' >"$T/vmlinux.ks"
cp "$T/vmlinux.ks" "$T/loaded.ks"
printf 'ffffffffc0001000 T bpf_xdp_ct_lookup\t[nf_conntrack]\nffffffffc0002000 T bpf_ct_release\t[nf_conntrack]\n' >>"$T/loaded.ks"
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

# patching module externs is the next step: refused, nothing written
run "$KSR_BIN" resolve "$OBJ" -p "$T/loaded.profile" -o "$T/p.o"
[ "$RC" = 1 ] && grep -q "module nf_conntrack: objects with module externs are not patched yet" "$T/err" &&
  [ ! -e "$T/p.o" ] && pass "resolve refuses to patch module externs, says why, writes nothing" ||
  fail "resolve: rc $RC $(cat "$T/err")"
finish
