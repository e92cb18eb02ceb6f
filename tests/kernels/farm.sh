#!/usr/bin/env bash
# The build-farm path (issue 5; ctest label "kernels-farm", not in CI): a
# farm has the kernel packages, not the machines. Per Debian kernel series:
#   profile    `ksymres profile` from the vmlinux inside vmlinuz (its .BTF)
#              and the real System.map of the large -dbg package: link-time
#              addresses, no boot involved;
#   offline    check and resolve every test object against it;
#   boot       one boot of that kernel (KASLR on): load the originals through
#              libbpf, the patched objects with stock bpftool and with
#              `ksymres load --run` (which must rebase from System.map's
#              link-time _text); compare as the matrix does.
# Writes kernels-farm.md / .json into KSR_KERNELS_OUT. Downloads ~300 MB per
# -dbg package once; only System.map is kept in the cache.
. "$(dirname "$0")/lib.sh"
ksr_need_root
ksr_install qemu-system-x86 busybox-static cpio zstd xz-utils lz4
[ -x "$BPFTOOL" ] || skip "no bpftool"
command -v python3 >/dev/null || skip "no python3"
OUT=$KSR_KERNELS_OUT
W=$OUT/farm-work
rm -rf "$W" && mkdir -p "$W"
read -r -a SERIES <<<"${KSR_KERNEL_SERIES:-6.1 6.12}"

# ksr_fetch_sysmap PKG: the System.map of a -dbg package, extracted once
# (the .deb is deleted afterwards). Prints its path.
ksr_fetch_sysmap() {
  local pkg=$1 map=$CACHE/$1.System.map
  (
    flock 9
    [ -s "$map" ] && exit 0
    deb=$(ksr_download "$pkg") || exit 1
    dpkg-deb --fsys-tarfile "$deb" 2>/dev/null | tar -xO --wildcards --occurrence=1 '*/boot/System.map-*' >"$map.tmp"
    [ -s "$map.tmp" ] || { echo "no System.map in $deb: removed" >&2; rm -f "$map.tmp" "$deb"; exit 1; }
    mv "$map.tmp" "$map" && rm -f "$deb"
  ) 9>"$CACHE/.lock" || return 1
  echo "$map"
}

COLUMNS=()
declare -A KDIR_OF SYSMAP_OF KPKG
for s in "${SERIES[@]}"; do
  pkg=$(ksr_newest_kernel "$s") || skip "apt-cache knows no linux-image-$s*-cloud-amd64-unsigned package"
  dbg=${pkg%-unsigned}-dbg
  apt-cache show "$dbg" >/dev/null 2>&1 || skip "no $dbg in the archive (System.map comes from it)"
  dir=$(ksr_fetch "$pkg" 2>"$W/fetch.err") || skip "cannot fetch $pkg: $(tr '\n' ' ' <"$W/fetch.err" | head -c 300)"
  log "fetching System.map from $dbg"
  map=$(ksr_fetch_sysmap "$dbg" 2>"$W/fetch.err") || skip "cannot fetch $dbg: $(tr '\n' ' ' <"$W/fetch.err" | head -c 300)"
  KDIR_OF[$s]=$dir; SYSMAP_OF[$s]=$map; KPKG[$s]=$pkg
  COLUMNS+=("$s-farm")
done
printf '%s\n' "${COLUMNS[@]}" >"$W/columns"
ksr_objects "$W/objs"
ksr_base_root "$W/root-base"

column_farm() {
  local s=$1 col=$W/$1-farm
  mkdir -p "$col"
  ksr_kernel_files "${KDIR_OF[$s]}" || { echo "no vmlinuz/config in ${KDIR_OF[$s]}" >"$col/error"; return 1; }
  cp "$KCONFIG" "$col/config"
  { echo "kind=farm"; echo "package=${KPKG[$s]}"; echo "version=$KVERSION"; echo "release=$KREL"
    echo "config=config"; echo "system_map=${SYSMAP_OF[$s]}"; } >"$col/meta"
  python3 "$KDIR/extract-vmlinux.py" "$VMLINUZ" "$col/vmlinux" >"$col/extract.log" 2>&1 ||
    { cat "$col/extract.log" >"$col/error"; return 1; }
  "$KSR_BIN" profile --btf "$col/vmlinux" --kallsyms "${SYSMAP_OF[$s]}" --release "$KREL" \
    -o "$col/profile" >"$col/profile.log" 2>&1 || { cat "$col/profile.log" >"$col/error"; return 1; }
  rm -f "$col/vmlinux"
  log "$s: $(cat "$col/extract.log"); profile from vmlinux BTF + System.map"
  ksr_offline "$col"
  ksr_boot_column "$col" 2 load "$W/root-base" || return 1
}

pids=()
for s in "${SERIES[@]}"; do
  column_farm "$s" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done

# The image's BTF and the running kernel's are the same bytes: the farm
# profile must have the identity a capture inside that kernel would have.
for s in "${SERIES[@]}"; do
  cap=$OUT/matrix-work/$s/profile
  [ -s "$cap" ] && [ -s "$W/$s-farm/profile" ] || continue
  a=$("$KSR_BIN" check "$OBJS/typeless.bpf.o" -p "$cap" -j 2>/dev/null | grep -o '"identity":"[0-9a-f]*"')
  b=$("$KSR_BIN" check "$OBJS/typeless.bpf.o" -p "$W/$s-farm/profile" -j 2>/dev/null | grep -o '"identity":"[0-9a-f]*"')
  if [ -n "$a" ] && [ "$a" = "$b" ]; then log "$s: farm profile identity = captured profile identity ($b)"
  else echo "farm profile $b, profile captured in the matrix $a: not the same build" >>"$W/$s-farm/disagree"; fi
done

WALL_US=$(( ${EPOCHREALTIME/./} - T_START ))
export KSR_MATRIX_WALL=$((WALL_US / 1000000)).$((WALL_US / 100000 % 10))
log "all columns done"
KSR_MATRIX_NAME=kernels-farm python3 "$KDIR/matrix.py" "$W" "$OUT" "$OBJS"
