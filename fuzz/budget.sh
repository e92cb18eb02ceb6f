#!/usr/bin/env bash
# The committed seed corpora within their budgets (fuzz/targets.conf): each
# corpus/<target>/ at most its byte budget, each seed under 64 KiB, all
# seeds together under 20 MiB (corpus/regressions/ is not counted).
#
#   fuzz/budget.sh [ROOT]
set -euo pipefail
ROOT=${1:-$(dirname "$0")/..}
cd "$ROOT"
bad=0 total=0
while read -r t _ _ budget; do
  [ -d "corpus/$t" ] || { echo "FAIL: corpus/$t missing"; bad=1; continue; }
  bytes=$(find "corpus/$t" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
  total=$((total + bytes))
  if [ "$bytes" -gt "$budget" ]; then
    echo "FAIL: corpus/$t: $bytes bytes, budget $budget"; bad=1
  else
    echo "ok: corpus/$t: $bytes of $budget bytes"
  fi
  big=$(find "corpus/$t" -type f -size +64k)
  [ -z "$big" ] || { echo "FAIL: seeds over 64 KiB: $big"; bad=1; }
done < <(grep '^[a-z]' fuzz/targets.conf)
if [ "$total" -ge 20971520 ]; then
  echo "FAIL: all seeds: $total bytes, limit 20971520"; bad=1
else
  echo "ok: all seeds: $total of 20971520 bytes"
fi
exit $bad
