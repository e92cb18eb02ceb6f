#!/usr/bin/env bash
# The main job end to end on the embedded default: install, build, capture
# this host's profile, check and resolve the bundled examples offline, then
# load and run the patched object with `ksymres load` (host check, KASLR
# rebase) and with stock bpftool, where the kernel allows. On the way it
# starts the resolver service on loopback, pushes the profile, checks and
# resolves through it and shows the result equals the local resolve.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
bash scripts/deps.sh
cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$ROOT/build" -j"$(nproc)" >/dev/null
KSYMRES=$ROOT/build/ksymres
OUT=$ROOT/out
EX=$ROOT/build/examples
mkdir -p "$OUT"

step() { printf '\n== %s\n' "$*"; }

step "capture this host's profile -> out/host.profile"
"$KSYMRES" capture -o "$OUT/host.profile"
ls -l "$OUT/host.profile"

step "inspect the bundled example"
"$KSYMRES" inspect "$EX/ksym_demo.bpf.o"

step "check both examples against the profile (offline)"
"$KSYMRES" check "$EX/ksym_demo.bpf.o" -p "$OUT/host.profile" || true
"$KSYMRES" check "$EX/ksym_percpu.bpf.o" -p "$OUT/host.profile" || true

step "resolve the example offline -> out/ksym_demo.resolved.o"
"$KSYMRES" resolve "$EX/ksym_demo.bpf.o" -p "$OUT/host.profile" -o "$OUT/ksym_demo.resolved.o"

step "the same through the resolver service: serve on loopback, push, check, resolve"
STORE=$OUT/store
rm -rf "$STORE"
"$KSYMRES" serve --store "$STORE" --listen 127.0.0.1:0 2>"$OUT/serve.log" &
SERVE_PID=$!
trap 'kill "$SERVE_PID" 2>/dev/null || true' EXIT
PORT=
for _ in $(seq 1 50); do
  PORT=$(grep -o 'http://127.0.0.1:[0-9]*' "$OUT/serve.log" | head -1 | sed 's/.*://') || true
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { echo "serve did not start:"; cat "$OUT/serve.log"; exit 1; }
cat "$OUT/serve.log"
URL=http://127.0.0.1:$PORT
"$KSYMRES" push "$OUT/host.profile" --server "$URL" --label host=demo
"$KSYMRES" profiles --server "$URL"
"$KSYMRES" check "$EX/ksym_demo.bpf.o" --server "$URL" --label host=demo || true
rm -rf "$OUT/remote"
"$KSYMRES" resolve "$EX/ksym_demo.bpf.o" --server "$URL" --label host=demo --out-dir "$OUT/remote"
REMOTE=$(find "$OUT/remote" -name "ksym_demo.bpf.o" | head -1)
if cmp "$OUT/ksym_demo.resolved.o" "$REMOTE"; then
  echo "remote resolve == local resolve, byte for byte ($(stat -c %s "$REMOTE") bytes)"
else
  echo "remote resolve differs from the local one"; exit 1
fi
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
trap - EXIT
tail -1 "$OUT/serve.log"

EXPECT=$(( 0x$(awk '$3 == "bpf_prog_put" && NF == 3 { print $1; exit }' /proc/kallsyms) & 0xffffffff ))
step "load and run the resolved object: ksymres load --run"
if [ "$(id -u)" != 0 ]; then
  echo "SKIPPED: loading needs root"
  exit 0
fi
mount | grep -q ' /sys/fs/bpf ' || mount -t bpf bpf /sys/fs/bpf
"$KSYMRES" load "$OUT/ksym_demo.resolved.o" --run || echo "ksymres load failed (exit $?)"
printf 'expected low 32 bits of bpf_prog_put: %u\n' "$EXPECT"

step "load and run the resolved object with stock bpftool"
if ! command -v bpftool >/dev/null; then
  echo "SKIPPED: no bpftool"
  exit 0
fi
PIN=/sys/fs/bpf/ksymres_demo_$$
head -c 64 /dev/zero >"$OUT/packet.bin"
if bpftool prog load "$OUT/ksym_demo.resolved.o" "$PIN" 2>"$OUT/load.log"; then
  bpftool prog run pinned "$PIN" data_in "$OUT/packet.bin" repeat 1
  rm -f "$PIN"
  printf 'expected low 32 bits of bpf_prog_put: %u\n' "$EXPECT"
else
  echo "the kernel refused the object:"; tail -5 "$OUT/load.log"
fi
