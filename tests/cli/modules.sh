#!/usr/bin/env bash
# Kernel modules in profiles: capture stores the split BTF of every module
# beside the vmlinux BTF (/sys/kernel/btf/<module>), profile --modules DIR
# reads the .BTF of .ko, .ko.xz and .ko.zst files; --info lists them;
# malformed module files fail with exit 3 naming the file. Fixtures from
# fixed inputs (helpers/mini_btf.py); this host's own module BTFs only when
# it has some.
. "$(dirname "$0")/lib.sh"
H=$(dirname "$0")/helpers

python3 "$H/mini_btf.py" "$T" >"$T/ids" || { fail "mini_btf.py"; exit 1; }
printf 'ffffffff81000000 T _text\nffffffff81000100 T bpf_prog_put\n' >"$T/kallsyms"
modules_of() { python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["modules"]))' "$1"; }

# capture: the files beside the vmlinux BTF are the loaded modules
mkdir -p "$T/sys"
cp "$T/vmlinux.btf" "$T/sys/vmlinux"
cp "$T/nf_conntrack.btf" "$T/sys/nf_conntrack"
KSYMRES_VMLINUX_BTF=$T/sys/vmlinux KSYMRES_KALLSYMS=$T/kallsyms KSYMRES_KERNEL_NOTES=$T/no-notes \
  expect_ok "capture with a module" "$KSR_BIN" capture -o "$T/cap.profile"
run "$KSR_BIN" profile --info "$T/cap.profile" -j
[ "$(modules_of "$T/out")" = "nf_conntrack" ] && grep -q '"\.ksr\.opt\.modbtf"' "$T/out" &&
  pass "capture stored the module: $(modules_of "$T/out")" || fail "capture --info: $(cat "$T/out" "$T/err")"
run "$KSR_BIN" profile --info "$T/cap.profile"
grep -q "^modules  1 with BTF" "$T/out" && grep -q "^         nf_conntrack$" "$T/out" &&
  pass "--info lists it" || fail "--info text: $(cat "$T/out")"
# a damaged module BTF from the kernel: exit 3 naming it
head -c 40 "$T/nf_conntrack.btf" >"$T/sys/nf_conntrack"
KSYMRES_VMLINUX_BTF=$T/sys/vmlinux KSYMRES_KALLSYMS=$T/kallsyms KSYMRES_KERNEL_NOTES=$T/no-notes \
  expect_error 3 "capture: truncated module BTF" "$KSR_BIN" capture -o "$T/bad.profile"
grep -q "sys/nf_conntrack" "$T/err" && pass "the error names the module file" || fail "error: $(cat "$T/err")"
[ ! -e "$T/bad.profile" ] && pass "no profile written" || fail "a profile was written"

# profile --modules: a package tree with .ko, .ko.xz and .ko.zst
echo 'int x;' | gcc -c -x c - -o "$T/empty.o"
D=$T/tree/lib/modules/6.0-test/kernel
mkdir -p "$D/net/netfilter" "$D/drivers"
objcopy --add-section .BTF="$T/nf_conntrack.btf" "$T/empty.o" "$D/net/netfilter/nf_conntrack.ko"
cp "$D/net/netfilter/nf_conntrack.ko" "$T/x.ko"
xz -c "$T/x.ko" >"$D/drivers/xz-mod.ko.xz"
zstd -q -c "$T/x.ko" >"$D/drivers/zst-mod.ko.zst"
cp "$T/empty.o" "$D/drivers/no_btf.ko"
expect_ok "profile --modules" "$KSR_BIN" profile --btf "$T/vmlinux.btf" --kallsyms "$T/kallsyms" \
  --modules "$T/tree" -o "$T/pkg.profile"
run "$KSR_BIN" profile --info "$T/pkg.profile" -j
[ "$(modules_of "$T/out")" = "nf_conntrack xz_mod zst_mod" ] &&
  pass "modules from .ko, .ko.xz, .ko.zst ('-' as '_'; no .BTF: left out): $(modules_of "$T/out")" ||
  fail "--modules: $(cat "$T/out" "$T/err")"

# malformed module files
cp -r "$T/tree" "$T/bad1"
XZ=$D/drivers/xz-mod.ko.xz
head -c $(($(stat -c %s "$XZ") - 20)) "$XZ" >"$T/bad1/lib/modules/6.0-test/kernel/drivers/xz-mod.ko.xz"
expect_error 3 "truncated .ko.xz" "$KSR_BIN" profile --btf "$T/vmlinux.btf" --kallsyms "$T/kallsyms" \
  --modules "$T/bad1" -o "$T/bad.profile"
grep -q "xz-mod.ko.xz: xz:" "$T/err" && pass "names the file and the decompressor" || fail "error: $(cat "$T/err")"
cp -r "$T/tree" "$T/bad2"
head -c 40 "$T/nf_conntrack.btf" >"$T/trunc.btf"
objcopy --add-section .BTF="$T/trunc.btf" "$T/empty.o" "$T/bad2/lib/modules/6.0-test/kernel/drivers/zst-mod.ko.zst"
expect_error 3 "truncated module .BTF" "$KSR_BIN" profile --btf "$T/vmlinux.btf" --kallsyms "$T/kallsyms" \
  --modules "$T/bad2" -o "$T/bad.profile"
grep -q "zst-mod.ko.zst: .*offset" "$T/err" && pass "names the file and an offset" || fail "error: $(cat "$T/err")"
cp -r "$T/tree" "$T/bad3"
objcopy --add-section .BTF="$T/nf_conntrack.btf" --add-section .BTF.base="$T/vmlinux.btf" "$T/empty.o" \
  "$T/bad3/lib/modules/6.0-test/kernel/drivers/distilled.ko"
expect_error 3 "distilled base BTF" "$KSR_BIN" profile --btf "$T/vmlinux.btf" --kallsyms "$T/kallsyms" \
  --modules "$T/bad3" -o "$T/bad.profile"
grep -q "distilled.ko: ELF: .BTF.base: distilled" "$T/err" && pass "says why" || fail "error: $(cat "$T/err")"
expect_error 2 "--modules with --info" "$KSR_BIN" profile --info "$T/pkg.profile" --modules "$T/tree"
no_leftovers "$T"

# this host
if ls /sys/kernel/btf 2>/dev/null | grep -qv '^vmlinux$'; then
  [ "$(id -u)" = 0 ] && expect_ok "capture of this host" "$KSR_BIN" capture -o "$T/host.profile" &&
    { run "$KSR_BIN" profile --info "$T/host.profile" -j
      [ "$(modules_of "$T/out" | wc -w)" = "$(ls /sys/kernel/btf | grep -vc '^vmlinux$')" ] &&
        pass "every module of this host is in its profile" || fail "host modules: $(cat "$T/err")"; }
else
  echo "note: host part SKIPPED: /sys/kernel/btf has no module BTF on this kernel (modules carried by the fixtures)"
fi
finish
