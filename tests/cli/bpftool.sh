#!/usr/bin/env bash
# Stock bpftool (libbpf from Debian) loads every patched object this kernel
# can run, and `bpftool prog run` returns the value the program computes from
# the resolved symbols — also with /sys/kernel/btf and /proc/kallsyms hidden
# from the loader, which proves the patched objects are self-contained.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root to load BPF programs"
command -v bpftool >/dev/null || skip "bpftool not installed"
[ -r /sys/kernel/btf/vmlinux ] || skip "/sys/kernel/btf/vmlinux not readable"
mount | grep -q ' /sys/fs/bpf type bpf' || mount -t bpf bpf /sys/fs/bpf 2>/dev/null || skip "cannot mount bpffs"
B=$KSR_BPF_DIR
PIN=/sys/fs/bpf/ksr_test_$$
trap 'rm -rf "$PIN" "$T"' EXIT
"$KSR_BIN" capture -o "$T/host.profile" || { fail capture; finish; exit 1; }
head -c 64 /dev/zero >"$T/pkt"

addr=$(awk '$3 == "bpf_prog_put" && NF == 3 { print $1; exit }' /proc/kallsyms)
lo32=$(( 0x$addr & 0xffffffff )); lo8=$(( 0x$addr & 0xff ))
declare -A WANT=(
  [typeless/typeless_text]=$lo32
  [kfuncs/kfunc_tc]=2
  [shared_sub/shared_a]=$((2 * lo8 + 1)) [shared_sub/shared_b]=load
  [weak/weak_mask]=24
  [maps_data/maps_data]=44
  [kconfig/kconfig]=load
)
# "load": a syscall program, which bpftool 7.1's `prog run` cannot run (it
# insists on data_in); tests/cli/load.sh runs those through ksymres load.

# load_and_run MODE OBJ PROG...: pins, runs each program once, compares
load_and_run() {
  local mode=$1 obj=$2 prefix=""; shift 2
  [ "$mode" = hidden ] && prefix="unshare -m bash $(dirname "$0")/helpers/hide_kernel.sh"
  rm -rf "$PIN"
  if ! $prefix bpftool prog loadall "$T/$obj.o" "$PIN" >"$T/load.log" 2>&1; then
    fail "$mode: bpftool prog loadall $obj: $(grep -v 'skipping unrecognized' "$T/load.log" | tail -3 | tr '\n' ' ')"
    return
  fi
  for prog in "$@"; do
    local want=${WANT[$obj/$prog]}
    if [ ! -e "$PIN/$prog" ]; then fail "$mode: $obj: no pin for $prog ($(ls "$PIN" | tr '\n' ' '))"; continue; fi
    if [ "$want" = load ]; then pass "$mode: $obj/$prog loaded"; continue; fi
    got=$(bpftool prog run pinned "$PIN/$prog" data_in "$T/pkt" repeat 1 2>/dev/null | sed -n 's/^Return value: \([0-9]*\).*/\1/p')
    if [ "$got" = "$want" ]; then pass "$mode: $obj/$prog returned $got"; else fail "$mode: $obj/$prog returned '$got', expected $want"; fi
  done
  rm -rf "$PIN"
}

for obj in typeless kfuncs shared_sub weak maps_data kconfig; do
  "$KSR_BIN" resolve "$B/$obj.bpf.o" -p "$T/host.profile" -o "$T/$obj.o" >/dev/null || { fail "resolve $obj"; continue; }
done
load_and_run normal typeless typeless_text
load_and_run normal kfuncs kfunc_tc
load_and_run normal shared_sub shared_a shared_b
load_and_run normal weak weak_mask
load_and_run normal maps_data maps_data
load_and_run normal kconfig kconfig
# kfuncs uses CO-RE (task->pid), which needs the kernel's BTF at load time
# whatever ksymres does, so it is left out of the hidden run.
for obj in typeless shared_sub weak maps_data kconfig; do
  case $obj in
    typeless) load_and_run hidden typeless typeless_text ;;
    shared_sub) load_and_run hidden shared_sub shared_a shared_b ;;
    weak) load_and_run hidden weak weak_mask ;;
    maps_data) load_and_run hidden maps_data maps_data ;;
    kconfig) load_and_run hidden kconfig kconfig ;;
  esac
done

# the original objects fail under the same conditions: the test can fail
if unshare -m bash "$(dirname "$0")/helpers/hide_kernel.sh" bpftool prog loadall "$B/typeless.bpf.o" "$PIN" >/dev/null 2>&1; then
  fail "the unpatched object loaded with kallsyms hidden: the hidden run proves nothing"
else pass "unpatched object fails with kallsyms hidden"; fi
rm -rf "$PIN"

# what this kernel cannot run is predicted, not loaded
run "$KSR_BIN" resolve "$B/typed_percpu.bpf.o" -p "$T/host.profile" -o "$T/typed.o" -j
if [ "$RC" = 1 ] && grep -q '"unloadable"' "$T/out"; then
  if bpftool prog loadall "$B/typed_percpu.bpf.o" "$PIN" >"$T/load.log" 2>&1; then
    fail "typed_percpu predicted unloadable but the original object loads here"
  else pass "typed_percpu: predicted unloadable, and stock libbpf fails too: $(grep -o 'ldimm64 failed[^.]*' "$T/load.log" | head -1)"; fi
else fail "typed_percpu: expected unloadable (rc $RC)"; fi
rm -rf "$PIN"
finish
