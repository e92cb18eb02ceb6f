#!/usr/bin/env bash
# The arm64 column of the real-kernel matrix (docs/real-kernels.md; ctest
# label "kernels"): Debian's newest arm64 6.12 cloud kernel under
# qemu-system-aarch64 -M virt -cpu max (TCG), with the arm64 ksymres (the
# cross build, KSR_ARM64_BIN) and Debian's arm64 bpftool and busybox.
#   boot 1   (KASLR) ksymres capture inside the guest, profile out via NVMe;
#   offline  on this x86 host: check and resolve every test object;
#   boot 2   (KASLR, another offset) and boot 2 nokaslr, at the same time:
#            libbpf, stock bpftool and the arm64 `ksymres load --run`;
#   compare  matrix.py, as for x86: two columns, 6.12-arm64 and
#            6.12-arm64-nokaslr, sharing the profile of boot 1.
# The test objects need no vmlinux.h (tests/bpf/ksr_test.h): the same
# objects as on x86. Writes kernels-arm64.{md,json} into KSR_KERNELS_OUT.
# Exit 77 (SKIPPED) without the arm64 binary or when a package cannot be
# fetched.
. "$(dirname "$0")/lib.sh"
export KSR_DEB_ARCH=arm64
ARM64_BIN=${KSR_ARM64_BIN:-${KSR_ARM64_DEFAULT:-}}
ksr_need_root
if [ -z "$ARM64_BIN" ] || [ ! -x "$ARM64_BIN" ]; then
  skip "no arm64 ksymres (scripts/cross-arm64.sh, then KSR_ARM64_BIN=build-arm64/ksymres)"
fi
file -L "$ARM64_BIN" | grep -q 'ARM aarch64' || skip "$ARM64_BIN is not an arm64 executable"
command -v python3 >/dev/null || skip "no python3"
ksr_install qemu-system-arm cpio
OUT=$KSR_KERNELS_OUT
W=$OUT/arm64-work
rm -rf "$W" && mkdir -p "$W"
SERIES=${KSR_ARM64_SERIES:-6.12}
MULTIARCH=aarch64-linux-gnu

pkg=$(ksr_newest_kernel "$SERIES") || skip "apt-cache knows no linux-image-$SERIES*-cloud-arm64-unsigned package"
kdir=$(ksr_fetch "$pkg" 2>"$W/fetch.err") || skip "cannot fetch $pkg: $(tr '\n' ' ' <"$W/fetch.err" | head -c 300)"
ksr_kernel_files "$kdir" || { echo "no vmlinuz/config in $kdir"; exit 1; }
log "kernel: $pkg $KVERSION"

# ksr_arm64_userland: busybox, bpftool and bpftool's libraries from
# Debian's arm64 archive, extracted once into $CACHE/arm64-userland.
USERLAND=$CACHE/arm64-userland
USER_PKGS=(busybox-static:arm64 bpftool:arm64 libelf1:arm64 zlib1g:arm64 libc6:arm64 libcap2:arm64 libzstd1:arm64)
(
  flock 9
  [ -e "$USERLAND/.done" ] && exit 0
  rm -rf "$USERLAND.tmp" && mkdir -p "$USERLAND.tmp"
  for p in "${USER_PKGS[@]}"; do
    deb=$(ksr_download "$p") || exit 1
    dpkg-deb -x "$deb" "$USERLAND.tmp" || exit 1
    dpkg-deb -f "$deb" Package Version | tr '\n' ' ' >>"$USERLAND.tmp/.versions"
    echo >>"$USERLAND.tmp/.versions"
  done
  rm -rf "$USERLAND.tmp/usr/share" && rm -rf "$USERLAND" && mv "$USERLAND.tmp" "$USERLAND" &&
    touch "$USERLAND/.done"
) 9>"$CACHE/.lock" 2>"$W/userland.err" ||
  skip "cannot fetch the arm64 userland: $(tr '\n' ' ' <"$W/userland.err" | head -c 300)"

# ksr_copy_cross ROOT SRC DEST: an arm64 executable into ROOT, with its
# interpreter and every library its DT_NEEDED names (recursively), found in
# the extracted userland first, then in this host's multiarch directories.
LIBDIRS=("$USERLAND/lib/$MULTIARCH" "$USERLAND/usr/lib/$MULTIARCH" "/lib/$MULTIARCH" "/usr/lib/$MULTIARCH")
ksr_copy_cross() {
  local root=$1 todo=("$2") f lib d found
  mkdir -p "$root$(dirname "$3")" "$root/lib/$MULTIARCH"
  cp -L "$2" "$root$3"
  [ -e "$root/lib/ld-linux-aarch64.so.1" ] || cp -L "$USERLAND/lib/ld-linux-aarch64.so.1" "$root/lib/"
  while [ ${#todo[@]} -gt 0 ]; do
    f=${todo[0]}
    todo=("${todo[@]:1}")
    for lib in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
      [ -e "$root/lib/$MULTIARCH/$lib" ] && continue
      found=
      for d in "${LIBDIRS[@]}"; do
        [ -e "$d/$lib" ] && { found=$d/$lib; break; }
      done
      [ -n "$found" ] || { echo "no arm64 $lib (needed by $f)" >&2; return 1; }
      cp -L "$found" "$root/lib/$MULTIARCH/$lib"
      todo+=("$found")
    done
  done
}

ksr_objects "$W/objs"
BASE=$W/root-base
rm -rf "$BASE" && mkdir -p "$BASE"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,boot,out,ksr/objs,ksr/patched}
cp "$USERLAND/bin/busybox" "$BASE/bin/busybox"   # static
ksr_copy_cross "$BASE" "$ARM64_BIN" /usr/bin/ksymres || exit 1
ksr_copy_cross "$BASE" "$USERLAND/usr/sbin/bpftool" /usr/sbin/bpftool || exit 1
cp "$KDIR/guest-init.sh" "$BASE/init" && chmod 755 "$BASE/init"
cp "$KDIR/runner.sh" "$BASE/ksr/runner.sh"
cp "$OBJS"/*.bpf.o "$BASE/ksr/objs/"
mknod "$BASE/dev/console" c 5 1
mknod "$BASE/dev/null" c 1 3

# The host side (resolve) is this machine's ksymres; only the guest runs
# the arm64 one.
COL=$W/$SERIES-arm64
NOK=$W/$SERIES-arm64-nokaslr
mkdir -p "$COL" "$NOK"
cp "$KCONFIG" "$COL/config"
for c in "$COL" "$NOK"; do
  { echo "kind=vm"; echo "package=$pkg"; echo "version=$KVERSION"; echo "release=$KREL"
    echo "config=config"; echo "arch=aarch64"; } >"$c/meta"
done
echo "boot2=nokaslr" >>"$NOK/meta"
cp "$KCONFIG" "$NOK/config"
printf '%s\n' "$SERIES-arm64" "$SERIES-arm64-nokaslr" >"$W/columns"

ksr_boot_column "$COL" 1 capture "$BASE" || { cat "$COL/error"; exit 1; }
if [ "$(cat "$COL/boot1/capture.rc")" != 0 ] || [ ! -s "$COL/boot1/profile.gz" ]; then
  echo "capture failed in the guest:"; cat "$COL/boot1/capture.err"; exit 1
fi
gunzip -c "$COL/boot1/profile.gz" >"$COL/profile"
"$KSR_BIN" profile --info "$COL/profile" >"$COL/profile.info" 2>&1
grep -q 'aarch64' "$COL/profile.info" || { echo "the guest's profile does not say aarch64:"; cat "$COL/profile.info"; exit 1; }
ksr_offline "$COL"
log "profile captured in boot 1 ($(grep -i arch "$COL/profile.info" | head -1 | tr -s ' ')), objects resolved on this host"
# the nokaslr column loads the same patched objects against the same profile
cp -a "$COL/profile" "$COL/check" "$COL/resolve" "$COL/patched" "$COL/boot1" "$NOK/"
rm -f "$NOK/boot1/profile.gz"

KSR_BOOT_APPEND='' ksr_boot_column "$COL" 2 load "$BASE" &
p1=$!
KSR_BOOT_APPEND=nokaslr ksr_boot_column "$NOK" 2 load "$BASE" &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
[ $r1 = 0 ] || { cat "$COL/error"; }
[ $r2 = 0 ] || { cat "$NOK/error"; }

WALL_US=$(( ${EPOCHREALTIME/./} - T_START ))
export KSR_MATRIX_WALL=$((WALL_US / 1000000)).$((WALL_US / 100000 % 10))
log "all boots done"
KSR_MATRIX_NAME=kernels-arm64 python3 "$KDIR/matrix.py" "$W" "$OUT" "$OBJS"
