#!/usr/bin/env bash
# Replays every file under the given folders once through an engine-linked
# fuzz target (libFuzzer and AFL++'s libAFLDriver both run the files named
# on their command line and exit). The standalone build does not need this.
# usage: replay.sh FUZZ_BINARY DIR...
set -uo pipefail
bin=$1; shift
mapfile -d '' files < <(find "$@" -type f ! -name '.*' -print0 2>/dev/null | sort -z)
if [ ${#files[@]} -eq 0 ]; then echo "$(basename "$bin"): no inputs"; exit 0; fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! "$bin" "${files[@]}" >"$log" 2>&1; then
  cat "$log"
  echo "$(basename "$bin"): FAILED on one of ${#files[@]} inputs"
  exit 1
fi
echo "$(basename "$bin"): ${#files[@]} inputs replayed"
