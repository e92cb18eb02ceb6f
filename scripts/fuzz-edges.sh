#!/usr/bin/env bash
# Plain (byte) vs structure-aware mutators, per target (fuzz/README.md,
# "Structure-aware mutators"; issue 17).
#
#   scripts/fuzz-edges.sh [--time SECS] [--build DIR] [--out DIR] [--no-fork] [TARGET...]
#
# For each target of fuzz/mutators.conf (default: all of them), the plain
# and the structure-aware libFuzzer binaries of --build (default
# build-fuzz-lf: fuzz_<t> and fuzz_<t>_sa, or fuzz_<t>_plain and fuzz_<t>
# when the mutator is the target's default) run AT THE SAME TIME, one
# process each, for --time seconds (default 600), from the same seeds
# (corpus/<t> + corpus/regressions/<t>) into fresh empty directories, with
# the target's -max_len and dictionaries (fuzz/targets.conf), value
# profiling, -print_final_stats=1. By default with -fork=1
# -ignore_crashes=1, so a crash (the structure-aware btf mutator finds one
# in seconds, see the README) does not end a run early; --no-fork runs them
# plainly. Then, to compare with one yardstick, the PLAIN binary replays
# each output directory plus the seeds once (-runs=0, no value profile):
# its cov (edges) and ft (features) are the "corpus" columns.
# Prints one Markdown table row per run; logs and corpora stay in --out
# (default build-fuzz-edges/).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TIME=600 BUILD=$ROOT/build-fuzz-lf OUT=$ROOT/build-fuzz-edges FORK=1
TARGETS=()
while [ $# -gt 0 ]; do
  case $1 in
    --time) TIME=$2; shift ;;
    --build) BUILD=$(realpath "$2"); shift ;;
    --out) OUT=$(realpath -m "$2"); shift ;;
    --no-fork) FORK=0 ;;
    -h|--help|-*) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    *) TARGETS+=("$1") ;;
  esac
  shift
done
[ ${#TARGETS[@]} -gt 0 ] || mapfile -t TARGETS < <(awk '/^[a-z]/ { print $1 }' fuzz/mutators.conf)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# "cov ft execs" of a finished run: the last status line, the executions
# from the final statistics (non-fork) or the fork parent's "#N:" counter
stats() {
  local log=$1 line execs
  line=$(grep -E 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  [ -n "$execs" ] || execs=$(echo "$line" | sed -n 's/^#\([0-9]*\).*/\1/p')
  echo "$(echo "$line" | sed -n 's/.*cov: \([0-9]*\).*/\1/p') $(echo "$line" | sed -n 's/.* ft: \([0-9]*\).*/\1/p') ${execs:-0}"
}

echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1); $(date -u '+%Y-%m-%d %H:%M UTC'); ${TIME}s per run; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| target | mutator | seconds | cov (end of run) | ft (end of run) | executions | exec/s | corpus files | corpus cov (plain -runs=0, + seeds) | corpus ft |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for t in "${TARGETS[@]}"; do
  read -r mode < <(awk -v t="$t" '$1 == t { print $4 }' fuzz/mutators.conf)
  [ -n "${mode:-}" ] || { echo "fuzz-edges: no mutator for $t in fuzz/mutators.conf" >&2; exit 1; }
  read -r max_len dicts < <(awk -v t="$t" '$1 == t { print $2, $3 }' fuzz/targets.conf)
  if [ "$mode" = default ]; then plain=$BUILD/fuzz/fuzz_${t}_plain sa=$BUILD/fuzz/fuzz_$t
  else plain=$BUILD/fuzz/fuzz_$t sa=$BUILD/fuzz/fuzz_${t}_sa; fi
  [ -x "$plain" ] && [ -x "$sa" ] || { echo "fuzz-edges: build $plain and $sa first" >&2; exit 1; }
  w=$OUT/$t
  rm -rf "$w"
  mkdir -p "$w/plain/corpus" "$w/plain/art" "$w/sa/corpus" "$w/sa/art"
  for d in ${dicts//+/ }; do cat "fuzz/dict/$d.dict"; done >"$w/dict"
  seeds=("$ROOT/corpus/$t")
  [ -d "$ROOT/corpus/regressions/$t" ] && seeds+=("$ROOT/corpus/regressions/$t")
  fork=()
  [ "$FORK" = 1 ] && fork=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  pids=()
  for v in plain sa; do
    bin=$plain
    [ $v = sa ] && bin=$sa
    (cd "$w/$v" && exec "$bin" "${fork[@]}" -max_total_time="$TIME" -timeout=10 -rss_limit_mb=2048 \
       -max_len="$max_len" -dict="$w/dict" -use_value_profile=1 -print_final_stats=1 \
       -artifact_prefix="$w/$v/art/" "$w/$v/corpus" "${seeds[@]}" >"$w/$v/log" 2>&1) &
    pids+=($!)
  done
  wait "${pids[@]}" || true
  for v in plain sa; do
    read -r cov ft execs < <(stats "$w/$v/log")
    "$plain" -runs=0 -max_len="$max_len" "$w/$v/corpus" "${seeds[@]}" >"$w/$v/replay.log" 2>&1 || true
    rcov=$(sed -n 's/.*INITED cov: \([0-9]*\) ft: \([0-9]*\).*/\1/p' "$w/$v/replay.log" | tail -n 1)
    rft=$(sed -n 's/.*INITED cov: \([0-9]*\) ft: \([0-9]*\).*/\2/p' "$w/$v/replay.log" | tail -n 1)
    files=$(find "$w/$v/corpus" -type f | wc -l)
    echo "| $t | $v | $TIME | ${cov:-?} | ${ft:-?} | $execs | $((execs / TIME)) | $files | ${rcov:-?} | ${rft:-?} |"
  done
done
