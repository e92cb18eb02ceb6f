#!/usr/bin/env bash
# Long fuzzing campaigns on one machine (fuzz/README.md).
#
#   scripts/fuzz-campaign.sh [--time SECS] [--jobs N] [--engine libfuzzer|afl|both]
#                            [--parallel N] [--out DIR] [--no-merge] [--no-coverage]
#                            [--no-run] [--merge-to DIR] [--prebuilt-lf DIR]
#                            [--prebuilt-afl DIR] [TARGET...]
#
# For each target (default: all of fuzz/targets.conf), for --time seconds:
#   libFuzzer  -jobs=N -workers=N, seeds corpus/<t> + corpus/regressions/<t>,
#              the target's dictionaries, value profiling; the jobs share
#              one corpus directory and reload it (-reload=1), so what one
#              finds the others fuzz;
#   AFL++      one main (-M) and N-1 secondary (-S) afl-fuzz instances on the
#              libAFLDriver build (persistent mode), ASan+UBSan, same seeds
#              and dictionaries, synchronised through their output directory.
# --jobs defaults to every core (nproc) divided among the targets run at once
# (--parallel) and, with --engine both (the default), between the two
# engines, so a campaign keeps every core busy and no more.
# --prebuilt-lf / --prebuilt-afl DIR: use DIR/fuzz_<t> (an $OUT of
# fuzz/oss-fuzz/build.sh) instead of building build-fuzz-lf / build-fuzz-afl.
# --merge-to DIR: the minimised corpus goes to DIR/<t> and corpus/ is left
# as it is (tests/dry runs).
# Afterwards (unless --no-merge): afl-cmin over the AFL queues, then
# libFuzzer -merge=1 (edge coverage) of corpus/<t>, the libFuzzer corpus and
# the AFL result; the inputs with the most new edges per byte that fit the
# target's budget (fuzz/targets.conf) replace corpus/<t> (fuzz/tools/
# corpus_budget.py; seeds > 64 KiB are never kept). Then (unless
# --no-coverage) an llvm-cov line-coverage report of core/ per target and
# overall, from a coverage build replaying the corpus and regressions.
# Crashes, hangs and OOMs are listed with their files at the end; triage
# them into corpus/regressions/<t>/ (fuzz/README.md, "Triage"). --no-run
# skips the fuzzing and only reports, minimises and measures what --out
# already holds.
#
# Builds: build-fuzz-lf (libFuzzer), build-fuzz-afl (afl-clang-fast),
# build-fuzz-cov (clang source-based coverage, standalone replay). AFL++ is
# installed with apt-get when missing (needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TIME=3600 JOBS=0 ENGINE=both PAR=1 OUT=$ROOT/build-fuzz-out MERGE=1 COVER=1 RUN=1
MERGE_TO="" LF_BIN=$ROOT/build-fuzz-lf/fuzz AFL_BIN=$ROOT/build-fuzz-afl/fuzz PRE_LF=0 PRE_AFL=0
TARGETS=()
usage() { sed -n '2,39p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --time) TIME=$2; shift ;;
    --jobs) JOBS=$2; shift ;;
    --engine) ENGINE=$2; shift ;;
    --parallel) PAR=$2; shift ;;
    --out) OUT=$(realpath -m "$2"); shift ;;
    --no-merge) MERGE=0 ;;
    --no-coverage) COVER=0 ;;
    --no-run) RUN=0 ;;
    --merge-to) MERGE_TO=$(realpath -m "$2"); shift ;;
    --prebuilt-lf) LF_BIN=$(realpath "$2"); PRE_LF=1; shift ;;
    --prebuilt-afl) AFL_BIN=$(realpath "$2"); PRE_AFL=1; shift ;;
    -h|--help) usage ;;
    -*) usage ;;
    *) TARGETS+=("$1") ;;
  esac
  shift
done
case $ENGINE in libfuzzer|afl|both) ;; *) usage ;; esac
ALL=$(awk '/^[a-z]/ { print $1 }' fuzz/targets.conf)
[ ${#TARGETS[@]} -gt 0 ] || read -r -a TARGETS <<<"$(echo $ALL)"
for t in "${TARGETS[@]}"; do
  grep -qx "$t" <<<"$ALL" || { echo "unknown target $t (fuzz/targets.conf)" >&2; exit 2; }
done
NPROC=$(nproc)
if [ "$JOBS" -lt 1 ]; then   # every core: shared by the targets at once and the engines
  JOBS=$((NPROC / PAR))
  [ $ENGINE != both ] || JOBS=$((JOBS / 2))
  [ "$JOBS" -ge 1 ] || JOBS=1
fi
mkdir -p "$OUT"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:abort_on_error=1:symbolize=0}

conf() { awk -v t="$1" -v f="$2" '$1 == t { print $f }' "$ROOT/fuzz/targets.conf"; }
make_dict() {   # target: writes $OUT/<target>/dict, its dictionaries joined
  mkdir -p "$OUT/$1"
  for x in $(conf "$1" 3 | tr '+' ' '); do cat "$ROOT/fuzz/dict/$x.dict"; done >"$OUT/$1/dict"
}
dict_of() { echo "$OUT/$1/dict"; }

build() {   # dir, cc, extra cmake args...
  local dir=$1 cc=$2; shift 2
  echo "== build $dir"
  CC=$cc cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKSYMRES_TESTS=OFF "$@" >/dev/null
  cmake --build "$dir" -j"$NPROC" --target fuzz_all >/dev/null
}

if [ $ENGINE != afl ] && [ $RUN = 1 ] && [ $PRE_LF = 0 ]; then
  build build-fuzz-lf clang -DKSYMRES_FUZZ=libfuzzer
fi
if [ $ENGINE != libfuzzer ] && [ $RUN = 1 ] && [ $PRE_AFL = 0 ]; then
  if ! command -v afl-fuzz >/dev/null; then
    echo "== installing afl++"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
  fi
  AFL_USE_ASAN=1 AFL_USE_UBSAN=1 AFL_QUIET=1 build build-fuzz-afl afl-clang-fast -DKSYMRES_FUZZ=afl
fi

run_libfuzzer() {   # target
  local t=$1 w=$OUT/$1/libfuzzer max_len dict
  max_len=$(conf "$t" 2)
  dict=$(dict_of "$t")
  mkdir -p "$w/corpus" "$w/artifacts" "corpus/regressions/$t"
  (cd "$w" && "$LF_BIN/fuzz_$t" -jobs="$JOBS" -workers="$JOBS" -reload=1 \
     -max_total_time="$TIME" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
     -dict="$dict" -use_value_profile=1 -print_final_stats=1 \
     -artifact_prefix="$w/artifacts/" "$w/corpus" "$ROOT/corpus/$t" \
     "$ROOT/corpus/regressions/$t" >/dev/null 2>&1) || true
}

run_afl() {   # target
  local t=$1 w=$OUT/$1/afl seeds=$OUT/$1/afl-seeds bin=$AFL_BIN/fuzz_$t
  rm -rf "$seeds"
  mkdir -p "$seeds" "$w"
  find "corpus/$t" "corpus/regressions/$t" -type f ! -name '.*' -size -1024k \
    -exec cp -t "$seeds" {} + 2>/dev/null || true
  [ -n "$(ls "$seeds")" ] || printf 'x' >"$seeds/empty"
  local common=(-i "$seeds" -o "$w" -x "$(dict_of "$t")" -m none -t 1000+ -V "$TIME")
  export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
         AFL_NO_AFFINITY=1 AFL_AUTORESUME=1
  # afl-fuzz refuses sanitizer options without abort_on_error=1 and
  # symbolize=0; options inherited from a test run (scripts/test.sh) lack them
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=0
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1:symbolize=0
  for i in $(seq 2 "$JOBS"); do
    afl-fuzz "${common[@]}" -S "s$i" -- "$bin" >"$w/s$i.log" 2>&1 &
  done
  afl-fuzz "${common[@]}" -M main -- "$bin" >"$w/main.log" 2>&1 || true
  wait
}

campaign() {   # target
  local t=$1
  echo "== $t: ${TIME}s, engine $ENGINE, $JOBS job(s) each"
  make_dict "$t"
  case $ENGINE in
    libfuzzer) run_libfuzzer "$t" ;;
    afl) run_afl "$t" ;;
    both) run_libfuzzer "$t" & run_afl "$t"; wait ;;
  esac
}

# ---- run -------------------------------------------------------------------
running=0
for t in "${TARGETS[@]}"; do
  [ $RUN = 1 ] || break
  campaign "$t" &
  running=$((running + 1))
  if [ $running -ge "$PAR" ]; then wait -n || true; running=$((running - 1)); fi
done
wait

# ---- statistics ------------------------------------------------------------
echo "== results"
printf '%-14s %-9s %12s %10s %8s %s\n' target engine execs exec/s corpus findings
for t in "${TARGETS[@]}"; do
  w=$OUT/$t
  if [ -d "$w/libfuzzer" ]; then
    execs=$(cat "$w"/libfuzzer/fuzz-*.log 2>/dev/null |
            sed -n 's/^stat::number_of_executed_units: *//p' | awk '{ s += $1 } END { print s + 0 }')
    n=$(find "$w/libfuzzer/corpus" -type f | wc -l)
    f=$(find "$w/libfuzzer/artifacts" -type f | wc -l)
    printf '%-14s %-9s %12s %10s %8s %s\n' "$t" libfuzzer "$execs" $((execs / TIME)) "$n" "$f"
  fi 2>/dev/null
  if [ -d "$w/afl" ]; then
    # an instance that did not start has no stats, queue or crashes: say why
    [ -d "$w/afl/main/queue" ] || echo "afl-fuzz $t did not start: $(tail -n 3 "$w/afl/main.log" 2>/dev/null | tr '\n' ' ')"
    execs=$(cat "$w"/afl/*/fuzzer_stats 2>/dev/null | awk -F: '/^execs_done/ { s += $2 } END { print s + 0 }') || true
    n=$(find "$w"/afl/*/queue -maxdepth 1 -type f 2>/dev/null | wc -l) || true
    f=$(find "$w"/afl/*/crashes "$w"/afl/*/hangs -type f ! -name README.txt 2>/dev/null | wc -l) || true
    printf '%-14s %-9s %12s %10s %8s %s\n' "$t" afl "$execs" $((execs / TIME)) "$n" "$f"
  fi
done
find "$OUT" \( -path '*/artifacts/*' -o -path '*/crashes/id*' -o -path '*/hangs/id*' \) -type f |
  sed 's/^/finding: /'

# ---- minimisation ------------------------------------------------------------
if [ $MERGE = 1 ]; then
  [ -x "$LF_BIN/fuzz_btf" ] || build build-fuzz-lf clang -DKSYMRES_FUZZ=libfuzzer
  for t in "${TARGETS[@]}"; do
    w=$OUT/$t new=$OUT/$t/merged
    rm -rf "$new"
    mkdir -p "$new"
    extra=()
    if [ -d "$w/afl/main/queue" ]; then
      rm -rf "$w/afl-min"
      mkdir -p "$w/afl-all"
      find "$w"/afl/*/queue -maxdepth 1 -type f -exec cp -t "$w/afl-all" {} + 2>/dev/null || true
      # AFL_ALLOW_TMP: afl-cmin refuses to work under /tmp otherwise
      if AFL_SKIP_BIN_CHECK=1 AFL_ALLOW_TMP=1 afl-cmin -i "$w/afl-all" -o "$w/afl-min" -m none \
           -t 5000 -- "$AFL_BIN/fuzz_$t" >"$w/afl-cmin.log" 2>&1; then
        echo "afl-cmin $t: $(ls "$w/afl-all" | wc -l) queue entries -> $(ls "$w/afl-min" | wc -l)"
        extra+=("$w/afl-min")
      else
        echo "afl-cmin $t: failed ($w/afl-cmin.log); merging the whole queues"
        extra+=("$w/afl-all")
      fi
    fi
    [ -d "$w/libfuzzer/corpus" ] && extra+=("$w/libfuzzer/corpus")
    echo "merged $t: $(python3 fuzz/tools/corpus_budget.py "$LF_BIN/fuzz_$t" "$new" \
                       "$(conf "$t" 4)" "corpus/$t" "${extra[@]}")" || continue
    dest=corpus/$t
    [ -z "$MERGE_TO" ] || { mkdir -p "$MERGE_TO"; dest=$MERGE_TO/$t; }
    rm -rf "$dest"
    cp -r "$new" "$dest"
  done
  echo "seed corpus total: $(find corpus -path corpus/regressions -prune -o -type f -print0 |
                             xargs -0 cat | wc -c) bytes (keep under 20 MiB)"
fi

# ---- coverage ----------------------------------------------------------------
if [ $COVER = 1 ]; then
  echo "== coverage of core/ (llvm-cov, replaying corpus/<t> and regressions)"
  CFLAGS="-fprofile-instr-generate -fcoverage-mapping" \
  LDFLAGS="-fprofile-instr-generate -fcoverage-mapping" \
    build build-fuzz-cov clang -DKSYMRES_FUZZ=standalone
  cov=$OUT/coverage
  rm -rf "$cov"
  mkdir -p "$cov"
  objs=()
  for t in "${TARGETS[@]}"; do
    b=build-fuzz-cov/fuzz/fuzz_$t
    LLVM_PROFILE_FILE="$cov/$t-%p.profraw" "$b" "corpus/$t" "corpus/regressions/$t" >/dev/null
    llvm-profdata merge -sparse "$cov/$t"-*.profraw -o "$cov/$t.profdata"
    echo "-- $t"
    llvm-cov report "$b" -instr-profile="$cov/$t.profdata" "$ROOT/core" |
      sed "s|$ROOT/||" >"$cov/$t.txt"
    grep -E '^(Filename|TOTAL)' "$cov/$t.txt"
    objs+=(-object "$b")
  done
  llvm-profdata merge -sparse "$cov"/*.profdata -o "$cov/all.profdata"
  first=${objs[1]}
  llvm-cov report "$first" "${objs[@]:2}" -instr-profile="$cov/all.profdata" "$ROOT/core" |
    sed "s|$ROOT/||" >"$cov/all.txt"
  echo "-- all targets"
  cat "$cov/all.txt"
  llvm-cov show "$first" "${objs[@]:2}" -instr-profile="$cov/all.profdata" -format=html \
    -output-dir="$cov/html" "$ROOT/core" >/dev/null 2>&1 || true
  echo "html report: $cov/html/index.html"
fi
