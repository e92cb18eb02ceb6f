#!/usr/bin/env bash
# A bounded libFuzzer run of one target from the committed seeds and
# regressions, with its dictionary, under the sanitizers the binary was
# built with. Any crash, leak, timeout or OOM fails: the artifact is
# hex-dumped and the log shown.
# usage: smoke.sh FUZZ_BINARY TARGET SECONDS WORK_DIR
set -uo pipefail
bin=$1 target=$2 secs=$3 work=$4
src=$(cd "$(dirname "$0")/.." && pwd)
read -r max_len dicts < <(awk -v t="$target" '$1 == t { print $2, $3 }' "$src/fuzz/targets.conf")
[ -n "${max_len:-}" ] || { echo "smoke: unknown target $target"; exit 1; }

dir=$work/$target
rm -rf "$dir"
mkdir -p "$dir/corpus" "$dir/artifacts"
for d in ${dicts//+/ }; do cat "$src/fuzz/dict/$d.dict"; done >"$dir/dict"
mkdir -p "$src/corpus/regressions/$target"

ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
  -dict="$dir/dict" -use_value_profile=1 -print_final_stats=1 \
  -artifact_prefix="$dir/artifacts/" "$dir/corpus" \
  "$src/corpus/$target" "$src/corpus/regressions/$target" >"$dir/log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
arts=$(find "$dir/artifacts" -type f | head -5)
if [ $rc -ne 0 ] || [ -n "$arts" ]; then
  echo "smoke $target: FAILED (exit $rc)"
  tail -n 60 "$dir/log"
  for a in $arts; do echo "== $a"; od -A x -t x1z -v "$a" | head -40; done
  exit 1
fi
echo "smoke $target: ${secs}s, ${execs:-?} executions, no crash"
