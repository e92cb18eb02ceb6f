#!/usr/bin/env bash
# The real-kernel matrix (docs/real-kernels.md; ctest label "kernels"): do ksymres's
# offline predictions hold on kernels this machine never ran?
# Columns: the newest Debian 6.1 and 6.12 cloud kernels (booted under QEMU
# TCG) and this host. Per column:
#   boot 1     ksymres capture inside the guest, profile out via a raw disk;
#   offline    on the host, check and resolve every test object against it;
#   boot 2     (another KASLR offset) load the originals through libbpf, the
#              patched objects with stock bpftool and `ksymres load --run`,
#              test-run every program;
#   compare    matrix.py: check verdict vs what the kernel loaded, return
#              values vs the values predicted from the profile (+ the KASLR
#              slide boot 2 - boot 1). Any disagreement fails the suite.
# Writes kernels-matrix.md and kernels-matrix.json into KSR_KERNELS_OUT.
# Exit 77 (SKIPPED) when a kernel or a package cannot be fetched.
. "$(dirname "$0")/lib.sh"
ksr_need_root
ksr_install qemu-system-x86 busybox-static cpio zstd
[ -x "$BPFTOOL" ] || skip "no bpftool"
[ -r /sys/kernel/btf/vmlinux ] || skip "this host has no /sys/kernel/btf/vmlinux"
command -v python3 >/dev/null || skip "no python3"
OUT=$KSR_KERNELS_OUT
W=$OUT/matrix-work
rm -rf "$W" && mkdir -p "$W"
read -r -a SERIES <<<"${KSR_KERNEL_SERIES:-6.1 6.12}"

COLUMNS=()
declare -A KPKG KDIR_OF
for s in "${SERIES[@]}"; do
  pkg=$(ksr_newest_kernel "$s") || skip "apt-cache knows no linux-image-$s*-cloud-amd64-unsigned package"
  dir=$(ksr_fetch "$pkg" 2>"$W/fetch.err") || skip "cannot fetch $pkg: $(tr '\n' ' ' <"$W/fetch.err" | head -c 300)"
  log "kernel $s: $pkg $(cat "$dir/.version")"
  KPKG[$s]=$pkg
  KDIR_OF[$s]=$dir
  COLUMNS+=("$s")
done
COLUMNS+=(host)
printf '%s\n' "${COLUMNS[@]}" >"$W/columns"
ksr_objects "$W/objs"
ksr_base_root "$W/root-base"

# column_vm SERIES: the two boots of one Debian kernel.
column_vm() {
  local s=$1 col=$W/$1
  mkdir -p "$col"
  ksr_kernel_files "${KDIR_OF[$s]}" || { echo "no vmlinuz/config in ${KDIR_OF[$s]}" >"$col/error"; return 1; }
  cp "$KCONFIG" "$col/config"
  { echo "kind=vm"; echo "package=${KPKG[$s]}"; echo "version=$KVERSION"; echo "release=$KREL"
    echo "config=config"; } >"$col/meta"
  ksr_boot_column "$col" 1 capture "$W/root-base" || return 1
  if [ "$(cat "$col/boot1/capture.rc")" != 0 ] || [ ! -s "$col/boot1/profile.gz" ]; then
    { echo "capture failed in the guest:"; cat "$col/boot1/capture.err"; } >"$col/error"
    return 1
  fi
  gunzip -c "$col/boot1/profile.gz" >"$col/profile"
  ksr_offline "$col"
  log "$s: profile captured in boot 1, objects resolved offline"
  ksr_boot_column "$col" 2 load "$W/root-base" || return 1
}

# column_host: this kernel, run directly (one boot: the slide is 0).
column_host() {
  local col=$W/host
  mkdir -p "$col/boot1" "$col/boot2"
  { echo "kind=host"; echo "package=-"; echo "version=$(uname -v)"; echo "release=$(uname -r)"
    echo "config=config"; } >"$col/meta"
  if [ -r "/boot/config-$(uname -r)" ]; then cp "/boot/config-$(uname -r)" "$col/config"
  else zcat /proc/config.gz >"$col/config" 2>/dev/null; fi
  "$KSR_BIN" capture -o "$col/profile" 2>"$col/capture.err" || { cat "$col/capture.err" >"$col/error"; return 1; }
  ksr_offline "$col"
  grep -E ' (_text|_stext)$' /proc/kallsyms >"$col/boot1/text"
  cp "$col/boot1/text" "$col/boot2/text"
  uname -r >"$col/boot2/release"
  cat /proc/version >"$col/boot2/version"
  mount | grep -q ' /sys/fs/bpf ' || mount -t bpf bpf /sys/fs/bpf
  BPFTOOL=$BPFTOOL KSYMRES=$KSR_BIN PIN_PREFIX=/sys/fs/bpf/ksr-kernels-$$ \
    sh "$KDIR/runner.sh" "$col/boot2" "$OBJS" "$col/patched"
  log "host: captured, resolved, loaded"
}

pids=()
for s in "${COLUMNS[@]}"; do
  [ "$s" = host ] && continue
  column_vm "$s" &
  pids+=($!)
done
column_host
for p in "${pids[@]}"; do wait "$p"; done

WALL_US=$(( ${EPOCHREALTIME/./} - T_START ))
export KSR_MATRIX_WALL=$((WALL_US / 1000000)).$((WALL_US / 100000 % 10))
log "all columns done"
python3 "$KDIR/matrix.py" "$W" "$OUT" "$OBJS"
