#!/usr/bin/env bash
# The benchmark suite (docs/performance.md): builds a Release tree and runs
# every benchmark, each side by side with its baseline or floor, alternating,
# after warm-up. Writes BUILD/bench/results.{jsonl,json,md}.
#
#   bash scripts/bench.sh [--quick] [--build DIR] [--service]
#
# --service runs only the service benchmarks (bench/bench_service.py:
# `ksymres serve` with 100 distinct profiles; needs wrk), after the machine
# line and the inputs; a full run ends with them.
# Root is needed for `capture` (real kallsyms addresses) and the live
# benchmarks (loading BPF programs); without it those are skipped with a
# message and the rest runs from this host's /sys/kernel/btf/vmlinux and a
# kallsyms snapshot taken as root earlier (KSR_BENCH_KALLSYMS=FILE).
# Run it on a quiet machine: the script prints the load average before and
# after, and the numbers are only comparable within one run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$ROOT/build-bench
QUICK=0
SERVICE_ONLY=0
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1 ;;
    --build) BUILD=$2; shift ;;
    --service) SERVICE_ONLY=1 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

# repetitions: full / quick
reps() { if [ "$QUICK" = 1 ]; then echo "$2"; else echo "$1"; fi; }

echo "== build ($BUILD, Release)"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target ksymres_cli examples bench_lookup bench_kallsyms \
  bench_gen bench_run machine_probe libbpf_load >/dev/null

K=$BUILD/ksymres
B=$BUILD/bench
RUN=$B/bench_run
OUT=$BUILD/bench
DATA=$BUILD/bench/data
JSONL=$OUT/results.jsonl
mkdir -p "$DATA"
rm -f "$JSONL"
IS_ROOT=0
[ "$(id -u)" = 0 ] && IS_ROOT=1

uptime_load() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_BEFORE=$(uptime_load)
echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), kernel $(uname -r), load $LOAD_BEFORE"

# Two numbers that make tables from two machines comparable: memory
# bandwidth (dd of a cached 256 MiB file) and the process floor
# (`ksymres --version`, median of 50 runs).
head -c $((256 << 20)) /dev/zero >"$DATA/bw.bin"
cat "$DATA/bw.bin" >/dev/null
BW=$(dd if="$DATA/bw.bin" of=/dev/null bs=1M 2>&1 | awk '/copied/ { print $(NF-1), $NF }')
PROBE=$("$B/machine_probe" "$DATA/bw.bin")
rm -f "$DATA/bw.bin"
FLOOR_MS=$(python3 - "$K" <<'EOF'
import statistics, subprocess, sys, time
xs = []
for _ in range(50):
    t = time.perf_counter()
    subprocess.run([sys.argv[1], "--version"], stdout=subprocess.DEVNULL)
    xs.append((time.perf_counter() - t) * 1000)
print("%.2f" % statistics.median(xs))
EOF
)
echo "== memory bandwidth: $BW (dd of a cached 256 MiB file); process floor: $FLOOR_MS ms (ksymres --version, median of 50)"
echo "== per block read: $PROBE"

echo "== inputs ($DATA)"
cp /sys/kernel/btf/vmlinux "$DATA/vmlinux.btf"
if [ -n "${KSR_BENCH_KALLSYMS:-}" ]; then
  cp "$KSR_BENCH_KALLSYMS" "$DATA/kallsyms.txt"
elif [ $IS_ROOT = 1 ]; then
  cat /proc/kallsyms >"$DATA/kallsyms.txt"
else
  echo "bench.sh: not root and no KSR_BENCH_KALLSYMS: a snapshot without addresses is useless" >&2
  exit 1
fi
"$K" profile --btf "$DATA/vmlinux.btf" --kallsyms "$DATA/kallsyms.txt" --release "$(uname -r)" \
  -o "$DATA/host.profile"
if [ $IS_ROOT = 1 ]; then
  "$K" capture -o "$DATA/host.profile"   # this boot: the live benchmark needs it
fi

# objects with 3, 30 and 100 externs of this host
for n in 3 30 100; do
  "$B/bench_gen" "$DATA/vmlinux.btf" "$DATA/kallsyms.txt" "$n" "$DATA/ext$n.bpf.c"
  clang -target bpf -O2 -g -Wall -Werror -fno-builtin -c "$DATA/ext$n.bpf.c" -o "$DATA/ext$n.bpf.o"
  "$K" resolve "$DATA/ext$n.bpf.o" -p "$DATA/host.profile" -o "$DATA/ext$n.resolved.o" >/dev/null ||
    { echo "bench.sh: ext$n.bpf.o does not resolve on this host" >&2; exit 1; }
done
# the service benchmarks: 100 distinct profiles in a store, served
service_bench() {
  echo
  echo "== service"
  python3 "$ROOT/bench/bench_service.py" --ksymres "$K" --data "$DATA" --floor-ms "$FLOOR_MS" \
    --machine "memory bandwidth $BW (dd of a cached 256 MiB file); process floor $FLOOR_MS ms" \
    --out-md "$OUT/results-service.md" --out-json "$OUT/results-service.json" \
    $([ "$QUICK" = 1 ] && echo --quick)
  echo "wrote $OUT/results-service.md and $OUT/results-service.json"
}
if [ "$SERVICE_ONLY" = 1 ]; then
  service_bench
  exit 0
fi
# a synthetic profile whose kallsyms is 4x this host's (each line and three
# renamed copies at the same address): cost must not grow with it
awk -F'\t' '{ print; split($1, f, " ")
  for (i = 1; i <= 3; i++) printf "%s %s %s_ksr4x%d%s\n", f[1], f[2], f[3], i, (NF > 1 ? "\t" $2 : "") }' \
  "$DATA/kallsyms.txt" >"$DATA/kallsyms4x.txt"
"$K" profile --btf "$DATA/vmlinux.btf" --kallsyms "$DATA/kallsyms4x.txt" --release 4x \
  -o "$DATA/host4x.profile"
# 100 profiles (copies: one file each, so each has its own page-cache pages)
mkdir -p "$DATA/profiles"
for i in $(seq 1 100); do
  f=$(printf '%s/profiles/p%03d.profile' "$DATA" "$i")
  [ "$f" -nt "$DATA/host.profile" ] || cp "$DATA/host.profile" "$f"
done
# 20 objects for the batch: the three generated ones in turn
mkdir -p "$DATA/objs"
for i in $(seq 1 20); do
  case $((i % 3)) in 0) n=3 ;; 1) n=30 ;; *) n=100 ;; esac
  cp "$DATA/ext$n.bpf.o" "$(printf '%s/objs/o%02d.bpf.o' "$DATA" "$i")"
done
profiles() { for i in $(seq 1 "$1"); do printf -- '-p %s/profiles/p%03d.profile\n' "$DATA" "$i"; done; }

FLOOR=(--- "process floor (ksymres --version)" "$K" --version)

echo
echo "== profile"
if [ $IS_ROOT = 1 ]; then
  "$RUN" -n "$(reps 30 8)" -o "$JSONL" -g profile \
    -N "goal: capture <= 1.5x the kernel producing /proc/kallsyms; the output is removed between runs (untimed): replacing an existing profile adds the kernel's freeing of the old file (~5 ms) to rename()" \
    "capture vs cat /proc/kallsyms" -- "ksymres capture" "$K" capture -o "$DATA/cap.profile" \
    +++ rm -f "$DATA/cap.profile" --- "cat /proc/kallsyms > /dev/null" cat /proc/kallsyms
else
  echo "SKIPPED: capture needs root"
fi
"$RUN" -n "$(reps 30 8)" -o "$JSONL" -g profile -N "floor: reading both inputs; output removed between runs (untimed)" \
  "profile from copies" -- "ksymres profile" "$K" profile --btf "$DATA/vmlinux.btf" \
  --kallsyms "$DATA/kallsyms.txt" -o "$DATA/copy.profile" +++ rm -f "$DATA/copy.profile" \
  --- "cat vmlinux.btf kallsyms.txt > /dev/null" cat "$DATA/vmlinux.btf" "$DATA/kallsyms.txt"

echo
echo "== open + look up"
"$B/bench_lookup" "$DATA/host.profile" "$DATA/vmlinux.btf" -n "$(reps 50 10)" -o "$JSONL"

echo
echo "== kallsyms"
"$B/bench_kallsyms" "$DATA/kallsyms.txt" -n "$(reps 30 8)" -o "$JSONL"

echo
echo "== offline end to end"
for n in 3 30 100; do
  "$RUN" -n "$(reps 50 10)" -o "$JSONL" -g offline -N "goal: <= 1.5x the process floor" \
    "resolve, $n externs" -- "ksymres resolve" "$K" resolve "$DATA/ext$n.bpf.o" \
    -p "$DATA/host.profile" -o "$DATA/ext$n.out.o" "${FLOOR[@]}"
done
"$RUN" -n "$(reps 50 10)" -o "$JSONL" -g offline \
  -N "goal: within 10% of resolve with this host's profile (cost grows with externs, not profile bytes)" \
  "resolve, 3 externs, 4x kallsyms profile" -- "ksymres resolve (4x profile)" "$K" resolve \
  "$DATA/ext3.bpf.o" -p "$DATA/host4x.profile" -o "$DATA/ext3.4x.o" \
  --- "ksymres resolve (host profile)" "$K" resolve "$DATA/ext3.bpf.o" -p "$DATA/host.profile" \
  -o "$DATA/ext3.out.o"
for np in 1 10 100; do
  # shellcheck disable=SC2046
  "$RUN" -n "$(reps 20 5)" -o "$JSONL" -g offline -N "goal (100 profiles): <= 10x the process floor, peak RSS <= 32 MB" \
    "check, 30 externs x $np profile$([ "$np" = 1 ] || echo s)" -- "ksymres check" "$K" check \
    "$DATA/ext30.bpf.o" $(profiles "$np") "${FLOOR[@]}"
done
rm -rf "$DATA/batch"
# shellcheck disable=SC2046
"$RUN" -n "$(reps 10 3)" -o "$JSONL" -g offline -N "400 pairs, every output written and fsynced" \
  "batch resolve, 20 objects x 20 profiles" -- "ksymres resolve --out-dir" "$K" resolve \
  "$DATA"/objs/*.bpf.o $(profiles 20) --out-dir "$DATA/batch" +++ rm -rf "$DATA/batch" \
  "${FLOOR[@]}"

echo
echo "== live end to end"
DEMO=$BUILD/examples/ksym_demo.bpf.o
if [ $IS_ROOT != 1 ]; then
  echo "SKIPPED: loading BPF programs needs root"
else
  "$K" resolve "$DEMO" -p "$DATA/host.profile" -o "$DATA/ksym_demo.resolved.o" >/dev/null
  if "$K" --help 2>/dev/null | grep -q '^  load '; then
    "$RUN" -n "$(reps 30 8)" -o "$JSONL" -g live -r 1/0 \
      -N "1 typeless + 2 kfuncs (examples/ksym_demo); goals: ksymres load <= 1.15x libbpf on the pre-resolved object, libbpf on the original / ksymres load >= 20" \
      "load ksym_demo" -- "ksymres load (pre-resolved)" "$K" load "$DATA/ksym_demo.resolved.o" \
      --- "libbpf load (original)" "$B/libbpf_load" "$DEMO" \
      --- "libbpf load (pre-resolved, no checks)" "$B/libbpf_load" "$DATA/ksym_demo.resolved.o"
  else
    echo "SKIPPED: this ksymres has no 'load' command; libbpf alone:"
    "$RUN" -n "$(reps 30 8)" -o "$JSONL" -g live -r 1/0 \
      -N "ksymres load not available: libbpf on the pre-resolved object instead" \
      "load ksym_demo" -- "libbpf load (pre-resolved, no checks)" "$B/libbpf_load" \
      "$DATA/ksym_demo.resolved.o" --- "libbpf load (original)" "$B/libbpf_load" "$DEMO"
  fi
  if command -v bpftool >/dev/null; then
    PIN=/sys/fs/bpf/ksr_bench_$$
    "$RUN" -n "$(reps 30 8)" -o "$JSONL" -g live -r 1/0 -N "stock bpftool, pin removed untimed" \
      "bpftool prog load ksym_demo" -- "bpftool (pre-resolved)" bpftool prog load \
      "$DATA/ksym_demo.resolved.o" "$PIN" +++ rm -f "$PIN" \
      --- "bpftool (original)" bpftool prog load "$DEMO" "$PIN" +++ rm -f "$PIN"
  fi
fi

LOAD_AFTER=$(uptime_load)
echo
echo "== report (load average before: $LOAD_BEFORE, after: $LOAD_AFTER)"
python3 "$ROOT/bench/bench_report.py" "$JSONL" "$OUT/results.json" "$OUT/results.md" \
  --load-before "$LOAD_BEFORE" --load-after "$LOAD_AFTER" --quick "$QUICK" \
  --machine "memory bandwidth $BW (dd of a cached 256 MiB file); process floor $FLOOR_MS ms; $PROBE"
echo "wrote $OUT/results.md and $OUT/results.json"
service_bench
