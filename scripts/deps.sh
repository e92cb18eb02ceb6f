#!/usr/bin/env bash
# Installs the Debian 12 packages ksymres needs to build and test.
# Idempotent: installs only what is missing. Needs root.
set -euo pipefail

PKGS=(build-essential cmake pkg-config clang llvm libclang-rt-14-dev
      libelf-dev libbpf-dev libcmocka-dev libxxhash-dev zlib1g-dev liblzma-dev libzstd-dev bpftool
      python3 util-linux libmicrohttpd-dev libsqlite3-dev curl
      libcurl4-openssl-dev libjansson-dev wrk openssl
      lintian bash-completion ninja-build
      zip unzip afl++)   # zip, unzip, afl++: fuzz/oss-fuzz/check.sh
[ "${KSR_DEPS_EXTRA:-}" ] && PKGS+=(${KSR_DEPS_EXTRA})

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "deps: missing packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
