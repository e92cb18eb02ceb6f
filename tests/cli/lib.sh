# Helpers for the CLI tests (sourced). Each test is a bash script run by
# ctest with KSR_BIN, KSR_BPF_DIR, KSR_SOURCE_DIR and KSR_WORK set.
set -uo pipefail
: "${KSR_BIN:?}" "${KSR_WORK:?}"
T=$(mktemp -d "$KSR_WORK/$(basename "$0" .sh).XXXX")
trap 'rm -rf "$T"' EXIT
FAILS=0
PASSES=0

pass() { PASSES=$((PASSES + 1)); echo "ok: $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL: $*"; }
skip() { echo "SKIPPED: $*"; exit 77; }

# run CMD...: runs with stdout in $T/out, stderr in $T/err, exit code in $RC
run() { "$@" >"$T/out" 2>"$T/err"; RC=$?; }

# expect_error CODE DESC CMD...: exit CODE, empty stdout, exactly one stderr line
expect_error() {
  local code=$1 desc=$2; shift 2
  run "$@"
  if [ "$RC" != "$code" ]; then fail "$desc: exit $RC, expected $code ($(head -c 300 "$T/err"))"; return; fi
  if [ -s "$T/out" ]; then fail "$desc: stdout not empty"; return; fi
  if [ "$(wc -l <"$T/err")" != 1 ]; then fail "$desc: stderr has $(wc -l <"$T/err") lines"; return; fi
  pass "$desc: exit $code: $(cat "$T/err")"
}

expect_ok() {
  local desc=$1; shift
  run "$@"
  if [ "$RC" != 0 ]; then fail "$desc: exit $RC ($(head -c 300 "$T/err"))"; return 1; fi
  pass "$desc"
}

# no_leftovers DIR: no temporary or partial files in DIR (.ksr.<pid>.<hex>.tmp;
# <out>.tmp.<pid>.<n> before)
no_leftovers() {
  if ls -A "$1" | grep -qE '\.tmp\.|^\.ksr\..*\.tmp$'; then fail "temporary file left in $1: $(ls -A "$1" | grep -E '\.tmp\.|^\.ksr\.' | head -3 | tr '\n' ' ')"
  else pass "no temporary files in $1"; fi
}

# For the tests of ksymres serve (serve*.sh) -------------------------------
# host_profiles: this host's profile in $T/host.profile (skips without its
# BTF or root) and the fixture's in $T/fixed.profile
host_profiles() {
  [ -r /sys/kernel/btf/vmlinux ] || skip "/sys/kernel/btf/vmlinux not readable"
  [ "$(id -u)" = 0 ] || skip "capturing this host's profile needs root"
  "$KSR_BIN" capture -o "$T/host.profile" || { fail "capture"; finish; exit 1; }
  "$KSR_BIN" profile --from "$KSR_SOURCE_DIR/tests/unit/fixtures/fixed-v1.profile" -o "$T/fixed.profile" \
    >/dev/null || { fail "fixed profile"; finish; exit 1; }
}
# port_of FILE: the port a server started with --listen 127.0.0.1:0 says on
# its stderr (FILE), over http:// or https://
port_of() {
  local p=
  for _ in $(seq 1 50); do
    p=$(grep -o 'https\?://127.0.0.1:[0-9]*' "$1" | head -1 | sed 's/.*://')
    [ -n "$p" ] && break
    sleep 0.1
  done
  echo "$p"
}
# serve_bg ERRFILE ARGS...: ksymres serve --listen 127.0.0.1:0 ARGS in the
# background, its stderr in ERRFILE; sets PID, PORT and U (its URL, https://
# with --tls-cert)
serve_bg() {
  local err=$1; shift
  "$KSR_BIN" serve --listen 127.0.0.1:0 "$@" 2>"$err" &
  PID=$!
  PORT=$(port_of "$err")
  [ -n "$PORT" ] || { fail "serve did not start: $(cat "$err")"; finish; exit 1; }
  U=http://127.0.0.1:$PORT
  grep -q 'https://127.0.0.1:' "$err" && U=https://127.0.0.1:$PORT
}

finish() {
  echo "$PASSES passed, $FAILS failed"
  [ "$FAILS" = 0 ]
}
