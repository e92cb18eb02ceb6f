#!/usr/bin/env bash
# By hand, not in the suite (it downloads Ubuntu 20.04, ~250 MB): builds the
# fuzz targets with fuzz/oss-fuzz/build.sh against the libraries and headers
# of Ubuntu 20.04, the OS of the OSS-Fuzz / ClusterFuzzLite builder image
# (base-builder), and runs each over its seed zip inside that system.
#
#   fuzz/oss-fuzz/focal-check.sh [--rootfs DIR] [--libbpf-repo GIT] [--xxhash-repo GIT]
#
# 1. DIR (default /var/tmp/ksr-focal): debootstrap focal with the packages
#    the Dockerfiles install; absolute library links made to point inside
#    DIR, so that clang --sysroot=DIR links against focal, not this host.
# 2. $SRC gets libbpf's UAPI headers and xxhash.h at the tags the
#    Dockerfile pins (from --*-repo, a clone or mirror, else GitHub).
# 3. build.sh without them (expected to fail: the count of compile errors is
#    printed), then with them, compiled by this host's clang with
#    --sysroot=DIR, no sanitizer (this host's sanitizer runtimes need its
#    newer glibc) and fuzz/standalone_main.c as the engine.
# 4. Each target runs in a chroot of DIR over its unzipped seed zip.
# Exit 0 when every target builds and replays its seeds; needs root.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FS=/var/tmp/ksr-focal LIBBPF=https://github.com/libbpf/libbpf XXH=https://github.com/Cyan4973/xxHash
while [ $# -gt 0 ]; do
  case $1 in
    --rootfs) FS=$(realpath -m "$2"); shift ;;
    --libbpf-repo) LIBBPF=$2; shift ;;
    --xxhash-repo) XXH=$2; shift ;;
    *) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "focal-check: needs root (debootstrap, chroot)" >&2; exit 2; }
tag() { sed -n "s|.*--branch \([^ ]*\) .*/$1 .*|\1|p" "$ROOT/.clusterfuzzlite/Dockerfile"; }
LIBBPF_TAG=$(tag libbpf/libbpf) XXH_TAG=$(tag Cyan4973/xxHash)
[ -n "$LIBBPF_TAG" ] && [ -n "$XXH_TAG" ] || { echo "focal-check: no pinned tags in .clusterfuzzlite/Dockerfile" >&2; exit 1; }

PKGS="pkg-config zip libelf-dev zlib1g-dev liblzma-dev libzstd-dev libxxhash-dev libsqlite3-dev
      linux-libc-dev libc6-dev libstdc++-9-dev libgcc-9-dev"
if [ ! -x "$FS/usr/bin/pkg-config" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -q debootstrap >/dev/null
  # debootstrap's own dependency resolution stops at some -dev packages:
  # the base system first, the rest with apt inside it
  debootstrap --variant=minbase --components=main,universe focal "$FS" \
    http://archive.ubuntu.com/ubuntu >"$FS.log" 2>&1 || { tail -5 "$FS.log"; exit 1; }
  printf 'deb http://archive.ubuntu.com/ubuntu focal%s main universe\n' "" -updates >"$FS/etc/apt/sources.list"
  # shellcheck disable=SC2086 # package list
  chroot "$FS" /usr/bin/env DEBIAN_FRONTEND=noninteractive sh -c \
    "apt-get update -q && apt-get install -y -q $PKGS" >>"$FS.log" 2>&1 || { tail -5 "$FS.log"; exit 1; }
  find "$FS/usr/lib" "$FS/lib" -type l -lname '/*' | while read -r l; do
    ln -sfn "$FS$(readlink "$l")" "$l"
  done
fi
echo "focal-check: $FS: $(chroot "$FS" dpkg-query -W -f '${Package} ${Version}, ' \
  libelf-dev libxxhash-dev linux-libc-dev libsqlite3-dev libzstd-dev libc6-dev)"

T=$(mktemp -d "${TMPDIR:-/tmp}/ksr-focal-check.XXXXXX")
trap 'rm -rf "$T"; umount "$FS/proc" 2>/dev/null || true' EXIT
fetch() {   # repo tag path dest: path of the repository at tag, into dest
  local r=$1
  if [ ! -d "$r" ]; then
    r=$T/clone.$RANDOM
    git clone -q --depth 1 --branch "$2" "$1" "$r"
  fi
  git -C "$r" archive "$2" "$3" | tar -x -C "$4"
}
mkdir -p "$T/hdr/libbpf" "$T/hdr/xxhash"
fetch "$LIBBPF" "$LIBBPF_TAG" include/uapi "$T/hdr/libbpf"
fetch "$XXH" "$XXH_TAG" xxhash.h "$T/hdr/xxhash"

export PKG_CONFIG_SYSROOT_DIR=$FS
export PKG_CONFIG_LIBDIR=$FS/usr/lib/x86_64-linux-gnu/pkgconfig:$FS/usr/share/pkgconfig
clang --sysroot="$FS" -O1 -c "$ROOT/fuzz/standalone_main.c" -o "$T/engine.o"
run_build() {   # src-dir out-dir: build.sh as the builder runs it
  mkdir -p "$1" "$2" "$T/work"
  env SRC="$1" OUT="$2" WORK="$T/work" CC="clang --sysroot=$FS" CXX="clang++ --sysroot=$FS" \
    CFLAGS="-O1 -gline-tables-only" CXXFLAGS="-O1" LIB_FUZZING_ENGINE="$T/engine.o" \
    SANITIZER=none bash -eu "$ROOT/fuzz/oss-fuzz/build.sh"
}
if run_build "$T/src-bare" "$T/out-bare" >"$T/bare.log" 2>&1; then
  echo "focal-check: note: build.sh built without the pinned headers too"
else
  echo "focal-check: without the pinned headers: $(grep -c ' error: ' "$T/bare.log" || true) compile errors, e.g."
  grep -m3 ' error: ' "$T/bare.log" | sed "s|$ROOT/||; s/^/  /"
fi
mv "$T/hdr" "$T/src"
run_build "$T/src" "$T/out" >"$T/build.log" 2>&1 || { tail -20 "$T/build.log"; echo "focal-check: FAIL: build.sh"; exit 1; }

rm -rf "$FS/ksr-out"
cp -r "$T/out" "$FS/ksr-out"
mount --bind /proc "$FS/proc"
fail=0 n=0
for b in "$FS"/ksr-out/fuzz_*; do
  case $b in *.*|*_seed_corpus.zip) continue ;; esac
  t=$(basename "$b")
  mkdir -p "$FS/ksr-out/seeds/$t"
  unzip -q "$b"_seed_corpus.zip -d "$FS/ksr-out/seeds/$t"
  if out=$(chroot "$FS" /bin/sh -c "cd /ksr-out && ./$t seeds/$t" 2>&1); then
    echo "focal-check: $t: ${out##*$'\n'}"; n=$((n + 1))
  else
    echo "focal-check: FAIL: $t: ${out##*$'\n'}"; fail=1
  fi
done
rm -rf "$FS/ksr-out"
[ $fail = 0 ] && [ $n -gt 0 ] || exit 1
echo "focal-check: $n targets built against Ubuntu 20.04 and replayed their seeds there"
