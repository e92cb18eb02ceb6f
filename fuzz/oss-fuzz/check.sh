#!/usr/bin/env bash
# ctest fuzz_oss_fuzz_build: runs the OSS-Fuzz / ClusterFuzzLite build here
# with the variables those builders set (their compile scripts:
# infra/base-images/base-builder/compile, compile_libfuzzer, compile_afl),
# in a fresh $SRC/$OUT/$WORK, then checks $OUT and runs every target from
# $OUT alone over its seed zip:
#   libfuzzer  clang, ASan, -fsanitize=fuzzer-no-link in $CFLAGS,
#              LIB_FUZZING_ENGINE=-fsanitize=fuzzer, through
#              .clusterfuzzlite/build.sh; each target -runs=0 over the
#              unzipped seeds with its .options and .dict (libFuzzer refuses
#              a malformed dictionary)
#   afl        afl-clang-fast(++), ASan, LIB_FUZZING_ENGINE=Debian's
#              libAFLDriver.a, through fuzz/oss-fuzz/build.sh; each target
#              replays the seed files (the driver runs the files it is
#              given); SKIPPED part without afl++
# Each binary: ASan and its engine linked in, and no shared library beyond
# libc, libm, libstdc++ and libgcc_s (fuzzers run where only those exist).
# Then a 5-second scripts/fuzz-campaign.sh run on kallsyms from those
# binaries (two jobs per engine) and its minimisation (afl-cmin, libFuzzer
# merge) into a scratch directory.
# usage: check.sh [libfuzzer|afl]...  (default: both)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
skip() { echo "SKIPPED: $*"; exit 77; }
for c in clang clang++ zip unzip pkg-config nm ldd; do
  command -v $c >/dev/null || skip "$c not installed (scripts/deps.sh)"
done
T=$(mktemp -d "${TMPDIR:-/tmp}/ksr-oss-fuzz.XXXXXX")
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/src"
ln -s "$ROOT" "$T/src/ksymres"
TARGETS=$(awk '/^[a-z]/ { print $1 }' "$ROOT/fuzz/targets.conf")
BASE="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
ASAN="-fsanitize=address -fsanitize-address-use-after-scope"
fail=0 skipped=""
bad() { echo "FAIL: $*"; fail=1; }

check_out() {   # engine out: the files, what each binary links and holds
  local e=$1 out=$2 t b libs want
  case $e in libfuzzer) want='_ZN6fuzzer6Fuzzer' ;; afl) want='__afl_area_ptr' ;; esac
  for t in $TARGETS; do
    b=$out/fuzz_$t
    [ -x "$b" ] || { bad "$e: no $b"; continue; }
    [ -s "$b.dict" ] || bad "$e: no $b.dict"
    grep -q '^max_len = [0-9]' "$b.options" 2>/dev/null || bad "$e: $b.options has no max_len"
    unzip -tq "${b}_seed_corpus.zip" >/dev/null || bad "$e: ${b}_seed_corpus.zip missing or broken"
    nm "$b" >"$T/nm"   # (not nm | grep -q: pipefail and SIGPIPE)
    grep -q ' __asan_init$' "$T/nm" || bad "$e: fuzz_$t has no ASan"
    grep -q "$want" "$T/nm" || bad "$e: fuzz_$t has no $e engine ($want)"
    libs=$(ldd "$b" | awk '$1 !~ /^(linux-vdso|\/lib64\/ld-linux-x86-64|libc|libm|libstdc\+\+|libgcc_s)\./ { print $1 }')
    [ -z "$libs" ] || bad "$e: fuzz_$t needs shared libraries beyond libc/libstdc++: $libs"
  done
}

run_out() {   # engine out: every target from $OUT over its seeds, elsewhere
  local e=$1 out=$2 t b seeds n opts
  for t in $TARGETS; do
    b=$out/fuzz_$t
    [ -x "$b" ] || continue
    seeds=$T/run/$e-$t
    mkdir -p "$seeds"
    unzip -q "${b}_seed_corpus.zip" -d "$seeds"
    n=$(find "$seeds" -type f | wc -l)
    [ "$n" -gt 0 ] || bad "$e: fuzz_$t: empty seed zip"
    # shellcheck disable=SC2207 # the options file's "k = v" lines as -k=v
    opts=($(sed -n 's/^\([a-z_]*\) *= *\(.*\)$/-\1=\2/p' "$b.options"))
    if [ "$e" = libfuzzer ]; then
      (cd "$T/run" && env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
         "$b" -runs=0 "${opts[@]}" -dict="$b.dict" "$seeds") >"$seeds.log" 2>&1
    else
      (cd "$T/run" && env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
         "$b" "$seeds"/*) >"$seeds.log" 2>&1
    fi
    if [ $? -ne 0 ]; then
      tail -n 30 "$seeds.log"
      bad "$e: fuzz_$t failed over its $n seeds"
    elif [ "$e" = libfuzzer ] && ! grep -q 'INFO: Loaded 1 PC tables' "$seeds.log"; then
      bad "$e: fuzz_$t: no coverage instrumentation loaded"
    else
      echo "$e: fuzz_$t ran over $n seeds from \$OUT"
    fi
  done
}

build() {   # engine: as the builder would; prints the build time
  local e=$1 s=$SECONDS
  local out=$T/out-$e work=$T/work-$e
  mkdir -p "$out" "$work" "$T/run"
  echo "== $e: build.sh"
  # the libFuzzer build as in the Dockerfiles, with UAPI headers and
  # xxhash.h in $SRC (here Debian's copies); the AFL++ one without
  rm -rf "$T/src/libbpf" "$T/src/xxhash"
  if [ "$e" = libfuzzer ]; then
    mkdir -p "$T/src/libbpf/include/uapi/linux" "$T/src/xxhash"
    cp /usr/include/linux/bpf.h /usr/include/linux/bpf_common.h /usr/include/linux/btf.h \
      "$T/src/libbpf/include/uapi/linux/"
    cp /usr/include/xxhash.h "$T/src/xxhash/"
    cp "$ROOT/.clusterfuzzlite/build.sh" "$T/src/build.sh"
    (cd "$T/src/ksymres" && env SRC="$T/src" OUT="$out" WORK="$work" \
       CC=clang CXX=clang++ CFLAGS="$BASE $ASAN -fsanitize=fuzzer-no-link" \
       CXXFLAGS="$BASE $ASAN -fsanitize=fuzzer-no-link" LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
       SANITIZER=address FUZZING_ENGINE=libfuzzer ARCHITECTURE=x86_64 FUZZING_LANGUAGE=c \
       bash -eu "$T/src/build.sh") >"$T/build-$e.log" 2>&1
  else
    cp "$ROOT/fuzz/oss-fuzz/build.sh" "$T/src/build.sh"
    (cd "$T/src/ksymres" && env SRC="$T/src" OUT="$out" WORK="$work" \
       CC=afl-clang-fast CXX=afl-clang-fast++ CFLAGS="$BASE $ASAN" CXXFLAGS="$BASE $ASAN" \
       LIB_FUZZING_ENGINE="$AFL_DRIVER" AFL_QUIET=1 \
       ASAN_OPTIONS=detect_leaks=0:symbolize=0:detect_odr_violation=0:abort_on_error=1 \
       SANITIZER=address FUZZING_ENGINE=afl ARCHITECTURE=x86_64 FUZZING_LANGUAGE=c \
       bash -eu "$T/src/build.sh") >"$T/build-$e.log" 2>&1
  fi
  if [ $? -ne 0 ]; then
    tail -n 40 "$T/build-$e.log"
    bad "$e: build.sh failed"
    return
  fi
  if [ "$e" = libfuzzer ]; then
    grep -q "^build.sh: kernel UAPI headers from $T/src/libbpf" "$T/build-$e.log" &&
      grep -q "^build.sh: xxhash.h from $T/src/xxhash" "$T/build-$e.log" ||
      bad "$e: build.sh did not take the headers in \$SRC"
  elif grep -q "^build.sh: .* from " "$T/build-$e.log"; then
    bad "$e: build.sh took headers from an \$SRC that has none"
  fi
  echo "$e: built in $((SECONDS - s)) s: $(ls "$out" | grep -c -v '\.') targets, $(ls "$out"/*_seed_corpus.zip | wc -l) seed zips"
  check_out "$e" "$out"
  run_out "$e" "$out"
}

engines=("$@")
[ ${#engines[@]} -gt 0 ] || engines=(libfuzzer afl)
for e in "${engines[@]}"; do
  case $e in
    libfuzzer) build libfuzzer ;;
    afl)
      AFL_DRIVER=/usr/lib/afl/libAFLDriver.a
      if ! command -v afl-clang-fast >/dev/null; then
        skipped+=" afl (afl-clang-fast not installed: apt-get install afl++)"
      elif [ ! -f "$AFL_DRIVER" ]; then
        skipped+=" afl ($AFL_DRIVER missing from this afl++)"
      else
        build afl
      fi ;;
    *) echo "usage: check.sh [libfuzzer|afl]..."; exit 2 ;;
  esac
done
# scripts/fuzz-campaign.sh on a tiny run from these builds: two jobs per
# engine (libFuzzer workers sharing a corpus; AFL++ main + secondary), then
# the minimisation (afl-cmin over the queues, libFuzzer merge within the
# budget) into a scratch directory; corpus/ must be left as it is
campaign() {
  local t=kallsyms args=() before log=$T/campaign.log
  [ -x "$T/out-libfuzzer/fuzz_$t" ] || return 0
  args=(--prebuilt-lf "$T/out-libfuzzer")
  if [ -x "$T/out-afl/fuzz_$t" ]; then
    args+=(--prebuilt-afl "$T/out-afl" --engine both)
  else
    args+=(--engine libfuzzer)
  fi
  before=$(cd "$ROOT" && find "corpus/$t" -type f -exec sha1sum {} + | sort | sha1sum)
  echo "== campaign: $t, 5 s, 2 jobs per engine"
  if ! bash "$ROOT/scripts/fuzz-campaign.sh" --time 5 --jobs 2 --no-coverage --out "$T/campaign" \
       --merge-to "$T/merged" "${args[@]}" "$t" >"$log" 2>&1; then
    cat "$log"; bad "campaign: fuzz-campaign.sh failed"; return
  fi
  grep -E '^(kallsyms|afl-cmin|merged)' "$log"
  [ -n "$(ls "$T/merged/$t" 2>/dev/null)" ] || bad "campaign: no merged corpus"
  [ -n "$(ls "$T/campaign/$t/libfuzzer/corpus" 2>/dev/null)" ] || bad "campaign: libFuzzer jobs wrote no corpus"
  if [ -x "$T/out-afl/fuzz_$t" ]; then
    [ -d "$T/campaign/$t/afl/s2/queue" ] || { bad "campaign: no AFL++ secondary instance";
      tail -n 15 "$T/campaign/$t"/afl/*.log 2>/dev/null; }  # why afl-fuzz did not start
    grep -q "^afl-cmin $t: [0-9]* queue entries -> [1-9]" "$log" || bad "campaign: afl-cmin did not minimise"
  fi
  [ "$before" = "$(cd "$ROOT" && find "corpus/$t" -type f -exec sha1sum {} + | sort | sha1sum)" ] ||
    bad "campaign: corpus/$t changed (--merge-to)"
}
campaign

[ -z "$skipped" ] || echo "SKIPPED part:$skipped"
[ $fail = 0 ] || { echo "oss-fuzz build: FAILED"; exit 1; }
echo "oss-fuzz build: every target built and ran from \$OUT (${engines[*]})"
