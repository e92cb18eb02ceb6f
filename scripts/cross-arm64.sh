#!/usr/bin/env bash
# Cross-builds ksymres for arm64 on a Debian 12 x86-64 machine: Debian's
# cross gcc and the :arm64 development packages (multiarch), the toolchain
# file cmake/aarch64-linux-gnu.cmake; output build-arm64/ksymres. Needs
# root the first time (dpkg --add-architecture, apt-get). With qemu-user
# installed it then runs the arm64 binary once as a smoke check.
#
#   bash scripts/cross-arm64.sh [--build DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$ROOT/build-arm64
[ "${1:-}" = --build ] && BUILD=$2

PKGS=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
      libelf-dev:arm64 libbpf-dev:arm64 libxxhash-dev:arm64 zlib1g-dev:arm64
      libmicrohttpd-dev:arm64 libsqlite3-dev:arm64 libjansson-dev:arm64 libcurl4-openssl-dev:arm64
      liblzma-dev:arm64 libzstd-dev:arm64)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "cross-arm64: missing ${missing[*]} (run as root to install them)" >&2; exit 1; }
  dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
cmake -S "$ROOT" -B "$BUILD" --toolchain "$ROOT/cmake/aarch64-linux-gnu.cmake" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKSYMRES_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target ksymres_cli >/dev/null
file "$BUILD/ksymres" | sed 's/, BuildID.*//'
if command -v qemu-aarch64 >/dev/null; then
  echo "qemu-aarch64: $(qemu-aarch64 -L /usr/aarch64-linux-gnu "$BUILD/ksymres" --version)"
fi
