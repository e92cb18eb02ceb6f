#!/usr/bin/env bash
# The profile regressions named <class>-forged-<what>-<sha1> or
# <class>-damaged-<what>-<sha1> (fuzz/README.md) are images that must be
# refused: each one's profile part (after the [u32 len][object] frame of the
# profile target) must make `ksymres profile --info` exit 3.
# usage: refused.sh KSYMRES DIR
set -uo pipefail
bin=$1 dir=$2
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
n=0 bad=0
for f in "$dir"/*-forged-* "$dir"/*-damaged-*; do
  [ -f "$f" ] || continue
  len=$(od -An -tu4 -N4 "$f" | tr -d ' ')
  tail -c +$((5 + len)) "$f" >"$tmp"
  "$bin" profile --info "$tmp" >/dev/null 2>&1
  rc=$?
  n=$((n + 1))
  [ $rc = 3 ] || { echo "$(basename "$f"): exit $rc, expected 3 (refused)"; bad=$((bad + 1)); }
done
echo "refused.sh: $n images, $bad not refused"
[ $bad = 0 ] && [ $n -gt 0 ]
