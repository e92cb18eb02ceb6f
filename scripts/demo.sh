#!/usr/bin/env bash
# The main job end to end on the embedded default: install, build, capture
# this host's profile, and show what ksymres sees in the bundled example.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
bash scripts/deps.sh
cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$ROOT/build" -j"$(nproc)" >/dev/null
KSYMRES=$ROOT/build/ksymres
OUT=$ROOT/out
mkdir -p "$OUT"
EXAMPLE=$ROOT/build/examples/ksym_demo.bpf.o

echo "== capture this host's profile -> out/host.profile"
"$KSYMRES" capture -o "$OUT/host.profile"
ls -l "$OUT/host.profile"
echo "== inspect the bundled example ($EXAMPLE)"
"$KSYMRES" inspect "$EXAMPLE"
