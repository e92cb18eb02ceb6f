#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds with gcc (hardened,
# -Werror) and with clang under ASan+UBSan, and runs ctest on both builds;
# a libFuzzer build runs each fuzz target briefly.
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
  (cd "$dir" && ctest --output-on-failure -j"$JOBS" -LE '^kernels' ${KSR_CTEST_ARGS:-}) || status=1
}

# the arm64 cross build, which tests/cli/cross_arm64.sh runs under qemu-user
echo "=== cross build arm64 (scripts/cross-arm64.sh) ==="
export KSR_ARM64_BIN=$ROOT/build-ci-arm64/ksymres
bash scripts/cross-arm64.sh --build "$ROOT/build-ci-arm64" || status=1
run_build gcc gcc
echo "=== ctest gcc: real kernels under QEMU (tests/kernels) ==="
(cd "$ROOT/build-ci-gcc" && ctest --output-on-failure -L '^kernels$') || status=1
# fuzzing: a libFuzzer smoke run of every target (about 20 s each, two at a
# time, ASan+UBSan); the ASan build below also replays every seed and
# regression input through the standalone drivers (fuzz/README.md)
echo "=== build fuzz (clang, libFuzzer) ==="
CC=clang cmake -S "$ROOT" -B "$ROOT/build-ci-fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DKSYMRES_FUZZ=libfuzzer -DKSYMRES_TESTS=OFF >/dev/null
cmake --build "$ROOT/build-ci-fuzz" -j"$JOBS" --target fuzz_all >/dev/null
echo "=== ctest fuzz: libFuzzer smoke ==="
(cd "$ROOT/build-ci-fuzz/fuzz" && ctest --output-on-failure -j2 -L smoke) || status=1
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_build asan clang -DKSYMRES_SANITIZE=ON -DKSYMRES_FUZZ=standalone
exit $status
