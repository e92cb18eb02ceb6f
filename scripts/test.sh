#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds with gcc (hardened,
# -Werror) and with clang under ASan+UBSan, and runs ctest on both builds.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
bash scripts/deps.sh

JOBS=$(nproc)
status=0

run_build() {   # name, cc, extra cmake args...
  local name=$1 cc=$2; shift 2
  local dir=$ROOT/build-ci-$name
  echo "=== build $name ($cc $*) ==="
  CC=$cc cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j"$JOBS" >/dev/null
  echo "=== ctest $name ==="
  (cd "$dir" && ctest --output-on-failure -j"$JOBS" ${KSR_CTEST_ARGS:-}) || status=1
}

run_build gcc gcc
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_build asan clang -DKSYMRES_SANITIZE=ON
exit $status
