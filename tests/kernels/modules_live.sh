#!/usr/bin/env bash
# Module externs live, in QEMU guests of Debian's 6.12 and 6.1 cloud
# kernels: conntrack.bpf.o (bpf_xdp_ct_lookup, bpf_ct_release in
# nf_conntrack) is checked and resolved on the host against a profile made
# from the package only (vmlinux + every .ko, no boot); in the guest,
# before nf_conntrack is loaded, `ksymres load` refuses naming the module;
# after insmod of nf_conntrack and its dependencies from the package,
# `ksymres load --run` binds the module externs itself (fd_array) and
# ct_xdp returns 2 (the lookup ran and said -ENOENT), stock bpftool loads
# the same patched object, and the profile captured in the guest gives the
# check answers of the package profile. The TC variant, conntrack_tc.bpf.o
# (bpf_skb_ct_lookup), the same way. Timing: 40 loads of each kind.
# Needs the extracted packages with lib/modules ($KSR_MODULE_TREES, or the
# kernel cache, fetched if need be), root, qemu-system-x86_64, bpftool.
. "$(dirname "$0")/lib.sh"
. "$KDIR/../cli/lib.sh"
ksr_need_root
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
OBJ=$KSR_BPF_DIR/conntrack.bpf.o
printf 'ffffffff81000000 T _text\n' >"$T/ks"
found=0
for series in ${KSR_KERNEL_SERIES:-6.12 6.1}; do
  D=$(ksr_module_tree "$series")
  [ -n "$D" ] || { echo "note: $series SKIPPED: no extracted package with lib/modules"; continue; }
  found=$((found + 1))
  C=$T/$series && mkdir -p "$C"
  rel=$(basename "$D"/lib/modules/*)
  python3 "$KDIR/extract-vmlinux.py" "$D"/boot/vmlinuz-* "$C/vmlinux" >/dev/null 2>&1 || { fail "$series: extract vmlinux"; continue; }
  "$KSR_BIN" profile --btf "$C/vmlinux" --kallsyms "$T/ks" --release "$rel" \
    --modules "$D/lib/modules" -o "$C/pkg.profile" >"$C/profile.out" 2>&1 || { fail "$series: profile: $(cat "$C/profile.out")"; continue; }
  "$KSR_BIN" check "$OBJ" -p "$C/pkg.profile" -j >"$C/check_pkg.json"
  "$KSR_BIN" resolve "$OBJ" -p "$C/pkg.profile" -o "$C/patched.bpf.o" >"$C/resolve.out" 2>&1 &&
    grep -q "2 module extern sites left to bind at load" "$C/resolve.out" &&
    pass "$series: resolved against the package profile, 2 module sites left to bind" ||
    { fail "$series: resolve: $(cat "$C/resolve.out")"; continue; }
  "$KSR_BIN" resolve "$KSR_BPF_DIR/conntrack_tc.bpf.o" -p "$C/pkg.profile" -o "$C/patched_tc.bpf.o" >"$C/resolve_tc.out" 2>&1 &&
    grep -q "module extern sites left to bind at load" "$C/resolve_tc.out" &&
    pass "$series: TC variant resolved against the package profile, module sites left to bind" ||
    { fail "$series: resolve TC: $(cat "$C/resolve_tc.out")"; continue; }
  # the guest: busybox, ksymres, bpftool, the objects, the modules in insmod order
  R=$C/root
  rm -rf "$R" && mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,out,ksr/mods}
  ksr_copy_bin "$R" /bin/busybox /bin/busybox
  ksr_copy_bin "$R" "$KSR_BIN" /usr/bin/ksymres
  ksr_copy_bin "$R" "$BPFTOOL" /usr/sbin/bpftool
  cp "$KDIR/modules_guest.sh" "$R/init" && chmod 755 "$R/init"
  cp "$OBJ" "$KSR_BPF_DIR/conntrack_mixed.bpf.o" "$R/ksr/" && cp "$C/patched.bpf.o" "$R/ksr/patched.bpf.o" && cp "$C/patched_tc.bpf.o" "$R/ksr/patched_tc.bpf.o"
  # the same object claiming another build of nf_conntrack: one identity byte flipped
  python3 - "$C/patched.bpf.o" "$R/ksr/patched_other.bpf.o" <<'PY' || fail "$series: patched_other"
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
shoff, = struct.unpack_from("<Q", d, 0x28); shnum, shstrndx = struct.unpack_from("<HH", d, 0x3c)
sh = [struct.unpack_from("<IIQQQQIIQQ", d, shoff + 64 * i) for i in range(shnum)]
nm = lambda o: d[sh[shstrndx][4] + o:d.index(b"\0", sh[shstrndx][4] + o)].decode()
off = next(s[4] for s in sh if nm(s[0]) == ".ksr.manifest")
sites, = struct.unpack_from("<I", d, off + 12)
d[off + 216 + 32 * sites + 8] ^= 0xff
open(sys.argv[2], "wb").write(d)
PY
  mknod "$R/dev/console" c 5 1 && mknod "$R/dev/null" c 1 3
  for m in libcrc32c nf_defrag_ipv4 nf_defrag_ipv6 nf_conntrack; do
    f=$(find "$D/lib/modules" -name "$m.ko*" | head -1)
    case $f in *.xz) xz -dc "$f" ;; *.zst) zstd -qdc "$f" ;; *) cat "$f" ;; esac >"$R/ksr/mods/$m.ko"
    echo "$m" >>"$R/ksr/mods/order"
  done
  ksr_initramfs "$R" "$C/initrd.gz"
  ksr_boot "$D"/boot/vmlinuz-* "$C/initrd.gz" "$C/disk.img" "$C/boot.log"
  ksr_disk_extract "$C/disk.img" "$C/out" || { fail "$series: no results from the guest: $(tail -5 "$C/boot.log")"; continue; }
  O=$C/out
  grep -qx nf_conntrack "$O/btf_before" && fail "$series: nf_conntrack loaded before insmod"
  grep -qx nf_conntrack "$O/btf_after" || { fail "$series: insmod nf_conntrack: $(cat "$O/insmod.err")"; continue; }
  [ "$(cat "$O/load_nomod.rc")" = 1 ] && grep -q "module nf_conntrack is not loaded" "$O/load_nomod.err" &&
    pass "$series: without nf_conntrack: ksymres load refuses, naming the module (exit 1)" ||
    fail "$series: load without module: rc $(cat "$O/load_nomod.rc") $(cat "$O/load_nomod.err")"
  [ "$(cat "$O/bpftool_nomod.rc")" != 0 ] && pass "$series: without nf_conntrack: bpftool fails too" ||
    fail "$series: bpftool loaded without the module"
  [ "$(cat "$O/load.rc")" = 0 ] && python3 - "$O/load.out" <<'PY' && pass "$series: ksymres load bound the module externs itself, ct_xdp returned 2 (lookup ran: -ENOENT)" || fail "$series: load: $(cat "$O/load.out" "$O/load.err")"
import json, sys
d = json.load(open(sys.argv[1]))
p = {x["name"]: x for x in d["programs"]}
ok = d["modules_bound_by"] == "ksymres" and d["modules"][0]["name"] == "nf_conntrack"
ok = ok and d["modules"][0]["identity"] == d["modules"][0]["host_identity"] and p["ct_xdp"]["retval"] == 2
sys.exit(not ok)
PY
  [ "$(cat "$O/bpftool_load.rc")" = 0 ] && pass "$series: stock bpftool loads the patched object (libbpf binds the module sites)" ||
    fail "$series: bpftool prog load: $(cat "$O/bpftool_load.err")"
  grep -q "Return value: 2" "$O/bpftool_run.out" && pass "$series: bpftool prog run: ct_xdp returned 2" ||
    fail "$series: bpftool prog run: $(cat "$O/bpftool_run.out" "$O/bpftool_run.err")"
  [ "$(cat "$O/load_tc.rc")" = 0 ] && python3 - "$O/load_tc.out" <<'PY' && pass "$series: TC: ksymres load bound bpf_skb_ct_lookup itself, ct_tc returned 2" || fail "$series: TC load: $(cat "$O/load_tc.out" "$O/load_tc.err")"
import json, sys
d = json.load(open(sys.argv[1]))
p = {x["name"]: x for x in d["programs"]}
sys.exit(0 if d["modules_bound_by"] == "ksymres" and p["ct_tc"]["retval"] == 2 else 1)
PY
  [ "$(cat "$O/bpftool_tc.rc")" = 0 ] && grep -q "Return value: 2" "$O/bpftool_tc_run.out" &&
    pass "$series: TC: stock bpftool loads the patched object, ct_tc returned 2" ||
    fail "$series: TC bpftool: $(cat "$O/bpftool_tc.err" "$O/bpftool_tc_run.out" "$O/bpftool_tc_run.err")"
  grep -q '"retval":2' "$O/orig_load.out" && pass "$series: the original object through libbpf returns 2 as well" ||
    fail "$series: original: $(cat "$O/orig_load.out" "$O/orig_load.err")"
  [ "$(cat "$O/load_mixed.rc")" = 0 ] &&
    grep -q "1 instruction patched, 2 module extern sites left to bind at load" "$O/resolve_mixed.out" &&
    grep -q '"modules_bound_by":"ksymres".*"name":"ct_mixed".*"retval":2' "$O/load_mixed.out" &&
    [ "$(cat "$O/bpftool_mixed.rc")" = 0 ] &&
    pass "$series: vmlinux + module externs (conntrack_mixed): 1 site patched, 2 bound by ksymres load (2), bpftool loads it" ||
    fail "$series: mixed: $(cat "$O/resolve_mixed.out" "$O/resolve_mixed.err" "$O/load_mixed.out" "$O/load_mixed.err" "$O/bpftool_mixed.err")"
  [ "$(cat "$O/load_other.rc")" = 1 ] && grep -q "module nf_conntrack is another build" "$O/load_other.err" &&
    pass "$series: another build of nf_conntrack: refused, exit 1" || fail "$series: other build: rc $(cat "$O/load_other.rc") $(cat "$O/load_other.err")"
  [ "$(cat "$O/load_rr.rc")" = 0 ] && grep -q '"modules_bound_by":"libbpf (--reresolve: looked up by name on this host)".*"retval":2' "$O/load_rr.out" &&
    pass "$series: --reresolve loads it (libbpf looks the module externs up), ct_xdp 2" || fail "$series: --reresolve: $(cat "$O/load_rr.out" "$O/load_rr.err")"
  if [ -e "$O/profile.gz" ]; then
    gzip -dc "$O/profile.gz" >"$C/guest.profile"
    "$KSR_BIN" check "$OBJ" -p "$C/guest.profile" -j >"$C/check_guest.json"
    python3 - "$C/check_pkg.json" "$C/check_guest.json" <<'PY' && pass "$series: package profile and guest capture give the same answers (status, module, ids)" || fail "$series: answers differ: $(cat "$C/check_pkg.json" "$C/check_guest.json")"
import json, sys
def a(f):
    p = json.load(open(f))["profiles"][0]
    return p["runnable"], p["needs_modules"], sorted((x["name"], x["status"], x.get("module"), x.get("btf_id")) for x in p["externs"])
x, y = a(sys.argv[1]), a(sys.argv[2])
print(x)
sys.exit(not (x == y and x[0] and x[1] == ["nf_conntrack"]))
PY
  else
    fail "$series: capture in the guest: $(cat "$O/capture.err")"
  fi
  read -r n k bp bo kv bv <"$O/timing"
  ms() { echo "scale=1; $1 * 10 / $n" | bc; }
  echo "timing $series: $n rounds, ms each (TCG guest, process start included): ksymres load $(ms "$k"), bpftool prog load patched $(ms "$bp"), original $(ms "$bo"); start alone: ksymres --version $(ms "$kv"), bpftool version $(ms "$bv")"
  echo "matrix $series conntrack nf_conntrack=no: check needs_modules, load refused naming it; nf_conntrack=yes: ksymres load 2, bpftool 2, libbpf original 2"
  [ -n "${KSR_KERNELS_OUT:-}" ] && mkdir -p "$KSR_KERNELS_OUT/modules-$series" && cp -r "$O"/. "$KSR_KERNELS_OUT/modules-$series/"
done
[ "$found" = 0 ] && skip "no extracted kernel package with lib/modules (KSR_MODULE_TREES)"
finish
