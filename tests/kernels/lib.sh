# Helpers for the real-kernel suites (sourced by matrix.sh and farm.sh):
# Debian packages, kernel download and cache, initramfs, QEMU boots.
# Environment (set by ctest): KSR_BIN, KSR_BPF_DIR, KSR_PROBE_DIR,
# KSR_KERNELS_OUT.
# Optional: KSR_KERNEL_CACHE (default /var/cache/ksymres-kernels),
# KSR_BOOT_TIMEOUT (seconds per boot, default 240), KSR_BPFTOOL.
set -uo pipefail
: "${KSR_BIN:?}" "${KSR_BPF_DIR:?}" "${KSR_KERNELS_OUT:?}"
KDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${KSR_KERNEL_CACHE:-/var/cache/ksymres-kernels}
BOOT_TIMEOUT=${KSR_BOOT_TIMEOUT:-240}
BPFTOOL=${KSR_BPFTOOL:-$(command -v bpftool || echo /usr/sbin/bpftool)}
T_START=${EPOCHREALTIME/./}

log() {
  local us=$(( ${EPOCHREALTIME/./} - T_START ))
  printf '[%4d.%ds] %s\n' $((us / 1000000)) $((us / 100000 % 10)) "$*"
}
skip() { echo "SKIPPED: $*"; exit 77; }

# ksr_need_root: everything here (apt, mknod, bpffs, loading BPF) needs root.
ksr_need_root() {
  [ "$(id -u)" = 0 ] || skip "needs root (apt-get, BPF loads)"
}

# ksr_install PKG...: installs the Debian packages that are missing.
ksr_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} = 0 ] && return 0
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
      skip "cannot install ${missing[*]} with apt-get"
  fi
}

# ksr_apt_update_once: refreshes the package lists, at most once per run.
APT_UPDATED=0
ksr_apt_update_once() {
  [ "$APT_UPDATED" = 1 ] && return 1
  APT_UPDATED=1
  log "apt-get update"
  apt-get update -qq >/dev/null 2>&1
  return 0
}

# ksr_newest_kernel SERIES [SUFFIX]: prints the newest package name of the
# series (6.1, 6.12) that ends in -cloud-$KSR_DEB_ARCH-SUFFIX (default
# amd64, unsigned).
ksr_newest_kernel() {
  local series=${1//./\\.} suffix=${2:-unsigned} name
  while :; do
    name=$(apt-cache search linux-image 2>/dev/null | awk '{print $1}' |
           grep -E "^linux-image-${series}[.-].*-cloud-${KSR_DEB_ARCH:-amd64}-${suffix}\$" | sort -V | tail -1)
    [ -n "$name" ] && { echo "$name"; return 0; }
    ksr_apt_update_once || return 1
  done
}

# ksr_download PKG[:ARCH]: the .deb of PKG in $CACHE/debs (downloaded
# once). Prints its path.
ksr_download() {
  local pkg=$1 deb glob="${1%%:*}_*.deb"
  [ "$pkg" != "${pkg#*:}" ] && glob="${pkg%%:*}_*_${pkg#*:}.deb"
  mkdir -p "$CACHE/debs"
  deb=$(ls "$CACHE/debs/"$glob 2>/dev/null | head -1)
  if [ -z "$deb" ]; then
    while :; do
      (cd "$CACHE/debs" && apt-get download -q=2 -o APT::Sandbox::User=root "$pkg" >/dev/null 2>"$CACHE/debs/.err.$pkg")
      deb=$(ls "$CACHE/debs/"$glob 2>/dev/null | head -1)
      [ -n "$deb" ] && { rm -f "$CACHE/debs/.err.$pkg"; break; }
      ksr_apt_update_once || { echo "apt-get download $pkg: $(head -c 300 "$CACHE/debs/.err.$pkg")" >&2; return 1; }
    done
  fi
  echo "$deb"
}

# ksr_fetch PKG: downloads and extracts a kernel image package once (under a
# lock: several suites may run at once). Prints the extraction directory.
ksr_fetch() {
  local pkg=$1 dir=$CACHE/$1 deb
  mkdir -p "$CACHE"
  (
    flock 9
    # caches from before the module tests kept no lib/modules: extract again
    [ -e "$dir/.done" ] && [ -d "$dir/lib/modules" ] && exit 0
    deb=$(ksr_download "$pkg") || exit 1
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    dpkg-deb -x "$deb" "$dir.tmp" || { echo "dpkg-deb -x $deb failed: removed" >&2; rm -f "$deb"; exit 1; }
    dpkg-deb -f "$deb" Version >"$dir.tmp/.version"
    # the kernel and its modules (modules_offline.sh, modules_live.sh)
    find "$dir.tmp" -mindepth 1 -maxdepth 1 ! -name boot ! -name lib ! -name .version -exec rm -rf {} +
    find "$dir.tmp/lib" -mindepth 1 -maxdepth 1 ! -name modules -exec rm -rf {} + 2>/dev/null || true
    rm -rf "$dir" && mv "$dir.tmp" "$dir" && touch "$dir/.done" && rm -f "$deb"
  ) 9>"$CACHE/.lock" || return 1
  echo "$dir"
}

# ksr_module_tree SERIES: prints an extracted amd64 package of SERIES with
# its lib/modules: from $KSR_MODULE_TREES, else the kernel cache (fetched
# if need be). Nothing when there is none.
ksr_module_tree() {
  local series=$1 root d dir= pkg
  [ -n "${KSR_MODULE_TREES:-}" ] || { pkg=$(ksr_newest_kernel "$series") && ksr_fetch "$pkg" >/dev/null; } ||
    echo "note: $series: cannot fetch the package" >&2
  for root in ${KSR_MODULE_TREES:-} "$CACHE"; do
    for d in "$root"/linux-image-"$series".*-cloud-amd64-unsigned; do
      [ -d "$d/lib/modules" ] && dir=$d
    done
  done
  [ -n "$dir" ] && echo "$dir"
}

# ksr_kernel_files DIR: sets VMLINUZ, KCONFIG, KREL, KVERSION for an
# extracted kernel package.
ksr_kernel_files() {
  VMLINUZ=$(ls "$1"/boot/vmlinuz-* 2>/dev/null | head -1)
  KCONFIG=$(ls "$1"/boot/config-* 2>/dev/null | head -1)
  [ -n "$VMLINUZ" ] && [ -n "$KCONFIG" ] || return 1
  KREL=${VMLINUZ##*/vmlinuz-}
  KVERSION=$(cat "$1/.version")
}

# ksr_copy_bin ROOT SRC DEST: copies an executable into ROOT at DEST, with
# every shared library ldd names, at the same paths.
ksr_copy_bin() {
  local root=$1 src=$2 dest=$3 lib
  mkdir -p "$root$(dirname "$dest")"
  cp -L "$src" "$root$dest"
  for lib in $(ldd "$src" 2>/dev/null | grep -o '/[^ ]*'); do
    [ -e "$root$lib" ] && continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

# ksr_objects DIR: every case in one directory: tests/bpf's objects and the
# kernel probes (KSR_PROBE_DIR, tests/kernels/bpf). Sets OBJS.
ksr_objects() {
  OBJS=$1
  rm -rf "$OBJS" && mkdir -p "$OBJS"
  cp "$KSR_BPF_DIR"/*.bpf.o "$OBJS/"
  [ -n "${KSR_PROBE_DIR:-}" ] && cp "$KSR_PROBE_DIR"/*.bpf.o "$OBJS/" 2>/dev/null
  return 0
}

# ksr_base_root ROOT: busybox, ksymres, bpftool, the runner and the original
# test objects ($OBJS); every boot adds its own files on top.
ksr_base_root() {
  local root=$1
  rm -rf "$root" && mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,boot,out,ksr/objs,ksr/patched}
  ksr_copy_bin "$root" /bin/busybox /bin/busybox   # busybox-static: no libraries
  ksr_copy_bin "$root" "$KSR_BIN" /usr/bin/ksymres
  ksr_copy_bin "$root" "$BPFTOOL" /usr/sbin/bpftool
  cp "$KDIR/guest-init.sh" "$root/init" && chmod 755 "$root/init"
  cp "$KDIR/runner.sh" "$root/ksr/runner.sh"
  cp "$OBJS"/*.bpf.o "$root/ksr/objs/"
  mknod "$root/dev/console" c 5 1
  mknod "$root/dev/null" c 1 3
}

# ksr_initramfs ROOT OUT: a gzip-compressed newc cpio archive of ROOT.
ksr_initramfs() {
  local out
  out=$(realpath -m "$2")
  (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1 >"$out")
}

# ksr_boot VMLINUZ INITRD DISK LOG: boots once under TCG (KVM hangs on
# these hosts) with a raw NVMe disk (built into the Debian cloud kernels)
# for the results; serial console to LOG. Returns qemu's status (124 on
# timeout). KSR_DEB_ARCH=arm64: qemu-system-aarch64 -M virt -cpu max;
# KSR_BOOT_APPEND adds to the kernel command line (nokaslr).
ksr_boot() {
  local vmlinuz=$1 initrd=$2 disk=$3 log=$4 qemu
  if [ "${KSR_DEB_ARCH:-amd64}" = arm64 ]; then
    qemu=(qemu-system-aarch64 -M virt -cpu max -append "console=ttyAMA0 quiet panic=-1 ${KSR_BOOT_APPEND:-}")
  else
    qemu=(qemu-system-x86_64 -accel tcg -cpu max -append "console=ttyS0 quiet panic=-1 ${KSR_BOOT_APPEND:-}")
  fi
  rm -f "$disk" && truncate -s 64M "$disk"
  timeout --foreground -k 5 "$BOOT_TIMEOUT" nice \
    "${qemu[@]}" -smp 1 -m 1024 -nographic -no-reboot \
      -kernel "$vmlinuz" -initrd "$initrd" \
      -drive "file=$disk,if=none,id=out,format=raw" -device nvme,drive=out,serial=ksrout \
      -nic none </dev/null >"$log" 2>&1
}

# ksr_disk_extract DISK DIR: the tar archive the guest wrote onto the disk.
ksr_disk_extract() {
  mkdir -p "$2" && tar -xf "$1" -C "$2" 2>/dev/null && [ -e "$2/done" ]
}

# ksr_offline COL: check and resolve every object in $OBJS against
# COL/profile. Objects with .kconfig externs are resolved with
# --kconfig=bake: the patched loads (bpftool, ksymres) then run with the
# values ksymres wrote, the original's (libbpf) with the guest's config,
# and both are compared with the same prediction.
ksr_offline() {
  local col=$1 o c bake
  mkdir -p "$col/check" "$col/resolve" "$col/patched"
  for o in "$OBJS"/*.bpf.o; do
    c=$(basename "$o" .bpf.o)
    "$KSR_BIN" check "$o" -p "$col/profile" -j >"$col/check/$c.json" 2>"$col/check/$c.err"
    echo $? >"$col/check/$c.rc"
    bake=()
    grep -q '"kconfig":\[{' "$col/check/$c.json" && bake=(--kconfig=bake)
    "$KSR_BIN" resolve "$o" -p "$col/profile" -o "$col/patched/$c.bpf.o" "${bake[@]}" -j >"$col/resolve/$c.json" 2>"$col/resolve/$c.err"
    echo $? >"$col/resolve/$c.rc"
  done
}

# ksr_boot_column COL N MODE BASE: boot N of a column: the initramfs is
# BASE (ksr_base_root) plus the mode, the kernel config (libbpf reads
# /boot/config-$(uname -r) for .kconfig externs) and, to load, COL/patched;
# the guest's /out ends up in COL/bootN. Needs VMLINUZ, KCONFIG, KREL.
ksr_boot_column() {
  local col=$1 n=$2 mode=$3 root=$1/root$2 rc
  rm -rf "$root" && cp -a "$4" "$root"
  echo "$mode" >"$root/ksr/mode"
  cp "$KCONFIG" "$root/boot/config-$KREL"
  [ "$mode" = load ] && cp "$col"/patched/*.bpf.o "$root/ksr/patched/" 2>/dev/null
  ksr_initramfs "$root" "$col/initrd$n.gz"
  ksr_boot "$VMLINUZ" "$col/initrd$n.gz" "$col/disk$n.img" "$col/boot$n.log"
  rc=$?
  if ! ksr_disk_extract "$col/disk$n.img" "$col/boot$n"; then
    echo "boot $n ($mode) produced no results (qemu exit $rc); serial log: $col/boot$n.log" >"$col/error"
    tail -n 20 "$col/boot$n.log" >>"$col/error"
    return 1
  fi
  rm -rf "$root" "$col/disk$n.img"
  log "$(basename "$col"): boot $n ($mode) done, guest uptime $(cat "$col/boot$n/uptime")s"
}
