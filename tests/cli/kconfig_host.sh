#!/usr/bin/env bash
# Issue 18 on this host: what check predicts for .kconfig externs is what the
# real load does. Stock bpftool (Debian's libbpf 1.1) loads the original
# objects: kconfig_values returns the value computed from the values check
# predicted; kconfig_missing is predicted NOT runnable and its load fails.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root to load BPF programs"
command -v bpftool >/dev/null || skip "bpftool not installed"
command -v python3 >/dev/null || skip "python3 not installed"
[ -r /sys/kernel/btf/vmlinux ] || skip "/sys/kernel/btf/vmlinux not readable"
[ -r "/boot/config-$(uname -r)" ] || [ -r /proc/config.gz ] || skip "this kernel's config is not readable"
mount | grep -q ' /sys/fs/bpf type bpf' || mount -t bpf bpf /sys/fs/bpf 2>/dev/null || skip "cannot mount bpffs"
B=$KSR_BPF_DIR
PIN=/sys/fs/bpf/ksr_kconfig_$$
trap 'rm -rf "$PIN" "$T"' EXIT
"$KSR_BIN" capture -o "$T/host.profile" || { fail capture; finish; exit 1; }
head -c 64 /dev/zero >"$T/pkt"

# run_prog OBJ PROG: the return value of PROG in OBJ loaded by bpftool ('' if the load fails)
run_prog() {
  rm -rf "$PIN"
  bpftool prog loadall "$1" "$PIN" >"$T/load.log" 2>&1 || return 0
  bpftool prog run pinned "$PIN/$2" data_in "$T/pkt" repeat 1 2>/dev/null | sed -n 's/^Return value: \([0-9]*\).*/\1/p'
  rm -rf "$PIN"
}
# predicted OBJ: kconfig_values' return value from check -j's values
predicted() {
  "$KSR_BIN" check "$1" -p "$T/host.profile" -j | python3 -c '
import json, sys
d = json.load(sys.stdin)["profiles"][0]
assert d["runnable"], d
v = {k["name"]: k["value"] for k in d["kconfig"]}
tri = {"TRI_NO": 0, "TRI_YES": 1, "TRI_MODULE": 2}[v["CONFIG_BPF_SYSCALL"]]
r = int(v["CONFIG_HZ"]) & 0xfff | tri << 12 | ((int(v["LINUX_KERNEL_VERSION"]) >> 8) & 0xffff) << 14
r |= (int(v["CONFIG_KSYMRES_ABSENT"]) & 1) << 30 | (v["CONFIG_LOCALVERSION"] == "\"\"") << 31
print(r)'
}
want=$(predicted "$B/kconfig_values.bpf.o")
got=$(run_prog "$B/kconfig_values.bpf.o" kconfig_values)
if [ -n "$want" ] && [ "$got" = "$want" ]; then pass "libbpf's load of kconfig_values returns $got, as predicted"
else fail "kconfig_values: predicted '$want', libbpf's load returned '$got' ($(tail -2 "$T/load.log"))"; fi

# baked (resolve --kconfig=bake): stock bpftool loads it and the program sees the same values
if "$KSR_BIN" resolve "$B/kconfig_values.bpf.o" -p "$T/host.profile" -o "$T/baked.o" --kconfig=bake >/dev/null; then
  bgot=$(run_prog "$T/baked.o" kconfig_values)
  if [ -n "$got" ] && [ "$bgot" = "$got" ]; then pass "baked kconfig_values returns $bgot, as libbpf's load of the original"
  else fail "baked kconfig_values returned '$bgot', the original '$got' ($(tail -2 "$T/load.log"))"; fi
else fail "resolve --kconfig=bake kconfig_values"; fi
# ... also without the host's config: the original then fails, the baked one does not
hide_config() { # hide_config CMD...: CMD with /proc/config.gz and /boot/config-* reading as empty
  unshare -m bash -c 'for f in /proc/config.gz "/boot/config-$(uname -r)"; do [ -e "$f" ] && mount --bind /dev/null "$f"; done; exec "$@"' hide "$@"
}
rm -rf "$PIN"
if hide_config bpftool prog loadall "$B/kconfig_values.bpf.o" "$PIN" >"$T/load.log" 2>&1; then
  fail "the original loaded with the config hidden: the hidden run proves nothing"
else pass "original fails with the config hidden: $(grep -m1 -o "extern '[A-Z_]*' (strong): not resolved\|failed to open system Kconfig" "$T/load.log")"; fi
rm -rf "$PIN"
if hide_config bpftool prog loadall "$T/baked.o" "$PIN" >"$T/load.log" 2>&1; then
  hgot=$(bpftool prog run pinned "$PIN/kconfig_values" data_in "$T/pkt" repeat 1 2>/dev/null | sed -n 's/^Return value: \([0-9]*\).*/\1/p')
  [ "$hgot" = "$got" ] && pass "baked object with the config hidden returns $hgot" || fail "baked, config hidden: '$hgot' vs '$got'"
else fail "baked object failed with the config hidden: $(tail -3 "$T/load.log")"; fi
rm -rf "$PIN"

run "$KSR_BIN" check "$B/kconfig_missing.bpf.o" -p "$T/host.profile"
if [ "$RC" = 1 ] && grep -q 'missing .*CONFIG_KSYMRES_NOPE' "$T/out"; then pass "kconfig_missing predicted NOT runnable"
else fail "kconfig_missing check: rc $RC $(cat "$T/out")"; fi
rm -rf "$PIN"
if bpftool prog loadall "$B/kconfig_missing.bpf.o" "$PIN" >"$T/load.log" 2>&1; then
  fail "kconfig_missing loaded: the prediction is wrong"
elif grep -q "extern 'CONFIG_KSYMRES_NOPE' (strong): not resolved" "$T/load.log"; then
  pass "bpftool load of kconfig_missing fails: $(grep -o "extern 'CONFIG_KSYMRES_NOPE' (strong): not resolved" "$T/load.log")"
else fail "kconfig_missing failed for another reason: $(tail -3 "$T/load.log")"; fi
rm -rf "$PIN"
run "$KSR_BIN" resolve "$B/kconfig_missing.bpf.o" -p "$T/host.profile" -o "$T/m.o" --kconfig=bake
[ "$RC" = 1 ] && [ ! -e "$T/m.o" ] && pass "resolve --kconfig=bake kconfig_missing: exit 1, nothing written" ||
  fail "bake kconfig_missing: rc $RC"
finish
