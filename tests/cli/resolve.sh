#!/usr/bin/env bash
# resolve and check against this host's profile: statuses per case, exit
# codes, determinism, untouched inputs, no output on failure, batch mode.
. "$(dirname "$0")/lib.sh"
[ -r /sys/kernel/btf/vmlinux ] || skip "/sys/kernel/btf/vmlinux not readable"
[ "$(id -u)" = 0 ] || skip "capturing this host's profile needs root"
B=$KSR_BPF_DIR
EXPECT="python3 $(dirname "$0")/helpers/expect.py"
"$KSR_BIN" capture -o "$T/host.profile" || { fail "capture"; finish; exit 1; }

# case: expected exit code, then expected statuses on this host (6.18-like:
# no CONFIG_KALLSYMS_ALL, kfunc tags in BTF)
check_case() {
  local obj=$1 code=$2; shift 2
  run "$KSR_BIN" resolve "$B/$obj.bpf.o" -p "$T/host.profile" -o "$T/$obj.out.o" -j
  if [ "$RC" != "$code" ]; then fail "$obj: exit $RC, expected $code: $(cat "$T/err")"; return; fi
  if ! msg=$($EXPECT "$T/out" "$@"); then fail "$obj: $msg"; return; fi
  if [ "$code" = 0 ] && [ ! -s "$T/$obj.out.o" ]; then fail "$obj: no output"; return; fi
  if [ "$code" != 0 ] && [ -e "$T/$obj.out.o" ]; then fail "$obj: output written on failure"; return; fi
  pass "$obj: exit $code, $*"
}
check_case typeless 0 bpf_prog_put=resolved
check_case kfuncs 0 bpf_rcu_read_lock=resolved bpf_rcu_read_unlock=resolved bpf_task_from_pid=resolved
check_case shared_sub 0 bpf_prog_put=resolved bpf_rcu_read_lock=resolved
check_case weak 0 ksr_no_such_symbol=weak_unresolved ksr_no_such_var=weak_unresolved \
  ksr_no_such_kfunc=weak_unresolved bpf_rcu_read_lock=resolved bpf_prog_put=resolved
check_case maps_data 0 bpf_prog_put=resolved
check_case kconfig 0 bpf_prog_put=resolved
check_case typed_percpu 1 runqueues=unloadable bpf_prog_active=unloadable
check_case typeless_percpu 1 runqueues=missing
check_case missing 1 ksr_missing_symbol=missing ksr_missing_kfunc=missing bpf_prog_put=resolved
check_case bad_proto 1 bpf_cgroup_from_id=incompatible bpf_cgroup_release=incompatible
check_case nongpl 1 bpf_rcu_read_lock=unloadable

# text report lists every extern, including resolved ones, on failure
run "$KSR_BIN" resolve "$B/missing.bpf.o" -p "$T/host.profile" -o "$T/m.o"
if [ "$RC" = 1 ] && grep -q "resolved .*bpf_prog_put" "$T/out" && grep -q "missing .*ksr_missing_kfunc" "$T/out"; then
  pass "failed resolve reports every extern"; else fail "text report incomplete"; fi

# determinism and untouched input
sha_in=$(sha256sum "$B/shared_sub.bpf.o")
"$KSR_BIN" resolve "$B/shared_sub.bpf.o" -p "$T/host.profile" -o "$T/a.o" >/dev/null
"$KSR_BIN" resolve "$B/shared_sub.bpf.o" -p "$T/host.profile" -o "$T/b.o" >/dev/null
cmp -s "$T/a.o" "$T/b.o" && pass "two runs, same bytes" || fail "output not deterministic"
[ "$sha_in" = "$(sha256sum "$B/shared_sub.bpf.o")" ] && pass "input untouched" || fail "input modified"
no_leftovers "$T"

# the output re-parses and has no externs left; resolving it again is refused
run "$KSR_BIN" inspect "$T/a.o" -j
[ "$RC" = 0 ] && python3 -c 'import json,sys; sys.exit(len(json.load(open(sys.argv[1]))["externs"]))' "$T/out" \
  && pass "patched object re-parses with no externs" || fail "patched object: $(cat "$T/err")"

# check: a matrix over ten copies of the profile
ps=()
for i in $(seq 1 10); do cp "$T/host.profile" "$T/p$i.profile"; ps+=(-p "$T/p$i.profile"); done
run "$KSR_BIN" check "$B/typeless.bpf.o" "${ps[@]}" -j
[ "$RC" = 0 ] && [ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["profiles"]))' "$T/out")" = 10 ] \
  && pass "check: 10 profiles, runnable" || fail "check 10 profiles: rc $RC"
run "$KSR_BIN" check "$B/typed_percpu.bpf.o" -p "$T/host.profile"
[ "$RC" = 1 ] && grep -q "NOT runnable" "$T/out" && pass "check: typed per-CPU var not runnable here" || fail "check typed: rc $RC"
# lean profiles keep their file open: more profiles than the soft limit on
# open files (check raises it towards the hard limit)
if [ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 200 ]; then
  ps=()
  for i in $(seq 1 100); do ln -s "$T/host.profile" "$T/l$i.profile"; ps+=(-p "$T/l$i.profile"); done
  (ulimit -Sn 40 && "$KSR_BIN" check "$B/typeless.bpf.o" "${ps[@]}" -j >"$T/out" 2>"$T/err"); RC=$?
  [ "$RC" = 0 ] && pass "check: 100 profiles under a soft limit of 40 open files" \
    || fail "check under a low file limit: rc $RC $(head -c 300 "$T/err")"
fi

# batch: 3 objects x 2 profiles, one object failing
cp "$T/host.profile" "$T/other.profile"
run "$KSR_BIN" resolve "$B/typeless.bpf.o" "$B/kfuncs.bpf.o" "$B/missing.bpf.o" \
  -p "$T/host.profile" -p "$T/other.profile" --out-dir "$T/farm"
if [ "$RC" = 1 ] && [ -s "$T/farm/host/typeless.bpf.o" ] && [ -s "$T/farm/other/kfuncs.bpf.o" ] \
   && [ ! -e "$T/farm/host/missing.bpf.o" ] && [ -s "$T/farm/summary.json" ]; then
  pass "batch: outputs per profile, failure reported, summary written"
else fail "batch: rc $RC $(ls -R "$T/farm" 2>&1 | tr '\n' ' ')"; fi
cmp -s "$T/farm/host/typeless.bpf.o" "$T/farm/other/typeless.bpf.o" && pass "batch outputs identical for identical profiles" \
  || fail "batch outputs differ"

# batch: an output that cannot be written is an error with its cause, the
# other pairs still go through
mkdir -p "$T/farm3/host/typeless.bpf.o"
run "$KSR_BIN" resolve "$B/typeless.bpf.o" "$B/kfuncs.bpf.o" -p "$T/host.profile" --out-dir "$T/farm3"
if [ "$RC" = 1 ] && grep -q "^FAILED .*typeless.bpf.o: cannot write .*: Is a directory" "$T/out" \
   && [ -s "$T/farm3/host/kfuncs.bpf.o" ]; then
  pass "batch: a write error names its cause"
else fail "batch write error: rc $RC $(cat "$T/out")"; fi

# malformed inputs: exit 3, one line, no output
head -c 200 "$B/typeless.bpf.o" >"$T/trunc.o"
expect_error 3 "truncated object" "$KSR_BIN" resolve "$T/trunc.o" -p "$T/host.profile" -o "$T/x.o"
# a damaged block is caught when a lookup first reads it: here the block
# holding the name typeless.bpf.o looks up (block hashes, profile-format.md)
cp "$T/host.profile" "$T/corrupt.profile"
at=$(python3 "$(dirname "$0")/helpers/section_offset.py" "$T/corrupt.profile" .ksr.symstr '\0bpf_prog_put\0')
printf '\xff' | dd of="$T/corrupt.profile" bs=1 seek=$((at + 3)) conv=notrunc 2>/dev/null
expect_error 3 "corrupted profile" "$KSR_BIN" resolve "$B/typeless.bpf.o" -p "$T/corrupt.profile" -o "$T/x.o"
grep -qE "corrupt.profile: .*block [0-9]+ at offset 0x[0-9a-f]+: hash mismatch" "$T/err" &&
  pass "the error names the damaged block and its offset" || fail "damaged block message: $(cat "$T/err")"
expect_error 3 "corrupted profile in check" "$KSR_BIN" check "$B/typeless.bpf.o" -p "$T/host.profile" -p "$T/corrupt.profile"
# a damaged head is caught at open
cp "$T/host.profile" "$T/corrupt.profile"
printf '\xff' | dd of="$T/corrupt.profile" bs=1 seek=1000 conv=notrunc 2>/dev/null
expect_error 3 "corrupted profile head" "$KSR_BIN" check "$B/typeless.bpf.o" -p "$T/corrupt.profile"
expect_error 3 "object as profile" "$KSR_BIN" check "$B/typeless.bpf.o" -p "$B/typeless.bpf.o"
expect_error 3 "malformed input in batch" "$KSR_BIN" resolve "$B/typeless.bpf.o" "$T/trunc.o" -p "$T/host.profile" --out-dir "$T/farm2"
[ -e "$T/x.o" ] || [ -e "$T/farm2" ] && fail "output after malformed input" || pass "nothing written after malformed input"
expect_error 2 "resolve without -o" "$KSR_BIN" resolve "$B/typeless.bpf.o" -p "$T/host.profile"
expect_error 2 "check without -p" "$KSR_BIN" check "$B/typeless.bpf.o"
expect_error 2 "-o with two objects" "$KSR_BIN" resolve "$B/typeless.bpf.o" "$B/kfuncs.bpf.o" -p "$T/host.profile" -o "$T/x.o"
finish
