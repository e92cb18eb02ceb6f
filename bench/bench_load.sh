#!/usr/bin/env bash
# Loading one program two ways, whole process, in one run:
#   libbpf   - a minimal libbpf loader on the ORIGINAL object: libbpf resolves
#              its __ksym externs on this host (reads /proc/kallsyms, searches
#              vmlinux BTF), then loads;
#   ksymres  - `ksymres load` of the object resolved offline: checks the host
#              (hash of vmlinux BTF), reads _text from the head of kallsyms,
#              rebases, loads through libbpf.
# A third line, stock libbpf loading the resolved object, shows what ksymres's
# own checks cost on top of libbpf. The object is examples/ksym_demo.bpf.c
# (1 typeless ksym + 2 kfuncs). Runs alternate after a warm-up.
#
#   bash bench/bench_load.sh [REPS] [WARMUP]     (BUILD=dir of a cmake build)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
REPS=${1:-200}
WARM=${2:-20}
K=$BUILD/ksymres
ORIG=$BUILD/examples/ksym_demo.bpf.o
[ "$(id -u)" = 0 ] || { echo "SKIPPED: loading BPF programs needs root"; exit 77; }
[ -x "$K" ] && [ -f "$ORIG" ] || { echo "build first: cmake -S $ROOT -B $BUILD && cmake --build $BUILD"; exit 1; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
CC=${CC:-cc}
$CC -O2 -Wall -Werror -o "$W/libbpf_load" "$ROOT/bench/libbpf_load.c" $(pkg-config --cflags --libs libbpf)
$CC -O2 -Wall -Werror -o "$W/spawn_timer" "$ROOT/bench/spawn_timer.c"

"$K" capture -o "$W/host.profile" >/dev/null
"$K" resolve "$ORIG" -p "$W/host.profile" -o "$W/ksym_demo.resolved.o" >/dev/null
"$K" load "$W/ksym_demo.resolved.o" --run   # once, visibly: it works and returns the address

echo
echo "kernel $(uname -r), $(nproc) CPUs; object $(basename "$ORIG"): $("$K" inspect "$ORIG" -j | python3 -c 'import json,sys; print(", ".join(e["name"] + " (" + e["kind"] + ")" for e in json.load(sys.stdin)["externs"]))')"
"$W/spawn_timer" "$REPS" "$WARM" \
  -- "libbpf: original object" "$W/libbpf_load" "$ORIG" \
  -- "ksymres load: resolved object" "$K" load "$W/ksym_demo.resolved.o" \
  -- "libbpf: resolved object (no checks)" "$W/libbpf_load" "$W/ksym_demo.resolved.o"
