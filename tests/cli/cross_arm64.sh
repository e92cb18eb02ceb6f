#!/usr/bin/env bash
# The arm64 build (scripts/cross-arm64.sh) run under qemu-user answers
# exactly as this build does: inspect, check and resolve of every test
# object against the fixed profile, and profile --info, byte for byte.
. "$(dirname "$0")/lib.sh"
: "${KSR_SOURCE_DIR:?}" "${KSR_BPF_DIR:?}"
A=${KSR_ARM64_BIN:-$KSR_SOURCE_DIR/build-arm64/ksymres}
[ -x "$A" ] || skip "no arm64 build at $A (bash scripts/cross-arm64.sh makes one; scripts/test.sh does)"
command -v qemu-aarch64 >/dev/null || skip "qemu-aarch64 (qemu-user) is not installed"
[ "${KSR_SANITIZE:-0}" = 1 ] && skip "compared against the gcc build, not the sanitizer one"
arm() { qemu-aarch64 -L /usr/aarch64-linux-gnu "$A" "$@"; }
file "$A" | grep -q 'ARM aarch64' && pass "$A is an arm64 executable" || fail "$A is not arm64"
"$KSR_BIN" profile --from "$KSR_SOURCE_DIR/tests/unit/fixtures/fixed-v1.profile" -o "$T/fixed.profile" >/dev/null
arm profile --from "$KSR_SOURCE_DIR/tests/unit/fixtures/fixed-v1.profile" -o "$T/fixed-arm.profile" >/dev/null
cmp -s "$T/fixed.profile" "$T/fixed-arm.profile" && pass "profile --from: the same bytes" || fail "profile --from differs"
same=0 differ=0
for o in "$KSR_BPF_DIR"/*.bpf.o; do
  n=$(basename "$o")
  for cmd in "inspect $o -j" "check $o -p $T/fixed.profile -j"; do
    # shellcheck disable=SC2086
    "$KSR_BIN" $cmd >"$T/x.out" 2>&1; rx=$?
    # shellcheck disable=SC2086
    arm $cmd >"$T/a.out" 2>&1; ra=$?
    if [ "$rx" = "$ra" ] && cmp -s "$T/x.out" "$T/a.out"; then same=$((same + 1))
    else differ=$((differ + 1)); fail "$n: '${cmd%% *}' differs (exit $rx vs $ra)"; fi
  done
  "$KSR_BIN" resolve "$o" -p "$T/fixed.profile" -o "$T/x.o" >/dev/null 2>&1; rx=$?
  arm resolve "$o" -p "$T/fixed.profile" -o "$T/a.o" >/dev/null 2>&1; ra=$?
  if [ "$rx" = "$ra" ] && { [ "$rx" != 0 ] || cmp -s "$T/x.o" "$T/a.o"; }; then same=$((same + 1))
  else differ=$((differ + 1)); fail "$n: resolve differs (exit $rx vs $ra)"; fi
  rm -f "$T/x.o" "$T/a.o"
done
[ "$differ" = 0 ] && [ "$same" -gt 30 ] && pass "$same inspect/check/resolve answers identical on arm64" \
  || fail "$differ of $((same + differ)) answers differ"
"$KSR_BIN" profile --info "$T/fixed.profile" -j >"$T/x.out"
arm profile --info "$T/fixed.profile" -j >"$T/a.out"
cmp -s "$T/x.out" "$T/a.out" && pass "profile --info identical" || fail "profile --info differs"
finish
