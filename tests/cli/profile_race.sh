#!/usr/bin/env bash
# A profile rewritten in place (cp over it, which cuts it short first) while
# check and resolve read it: every run ends with an answer or an error
# (exit 0, 1 or 3), never a signal. Profiles are read with pread, never
# mapped: a mapping of a file cut short faults with SIGBUS.
. "$(dirname "$0")/lib.sh"
: "${KSR_BPF_DIR:?}"
BTF=/sys/kernel/btf/vmlinux
[ -r "$BTF" ] || skip "$BTF not readable"
[ "$(id -u)" = 0 ] || skip "needs root to capture a profile with real addresses"
awk 'NR==1 { exit ($1 ~ /^0+$/) ? 1 : 0 }' /proc/kallsyms || skip "/proc/kallsyms addresses are hidden"
OBJ=$KSR_BPF_DIR/typeless.bpf.o
CHECK_RUNS=${KSR_RACE_CHECK_RUNS:-300}
RESOLVE_RUNS=${KSR_RACE_RESOLVE_RUNS:-200}

expect_ok "capture" "$KSR_BIN" capture -o "$T/host.profile" || { finish; exit 1; }
cp "$T/host.profile" "$T/race.profile"
# the rewriter: bounded in time, stops by itself and with the test
( end=$((SECONDS + 240)); while [ $SECONDS -lt $end ]; do cp "$T/host.profile" "$T/race.profile"; done ) &
writer=$!
trap 'kill $writer 2>/dev/null; rm -rf "$T"' EXIT

race() {   # name runs cmd...
  local name=$1 runs=$2 rc crashes=0 ok=0 refused=0; shift 2
  for ((i = 0; i < runs; i++)); do
    "$@" >/dev/null 2>"$T/race.err"; rc=$?
    case $rc in
      0|1) ok=$((ok + 1)) ;;
      3) refused=$((refused + 1)) ;;
      *) crashes=$((crashes + 1)); echo "  $name run $i: exit $rc: $(head -c 200 "$T/race.err")" ;;
    esac
  done
  if [ "$crashes" = 0 ]; then pass "$name: $runs runs, $ok answered, $refused refused, 0 crashes"
  else fail "$name: $runs runs, $crashes ended by a signal or an unexpected code"; fi
}
race check "$CHECK_RUNS" "$KSR_BIN" check "$OBJ" -p "$T/race.profile"
race resolve "$RESOLVE_RUNS" "$KSR_BIN" resolve "$OBJ" -p "$T/race.profile" -o "$T/race.o"
kill $writer 2>/dev/null; wait $writer 2>/dev/null
finish
