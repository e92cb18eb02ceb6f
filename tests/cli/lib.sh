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

finish() {
  echo "$PASSES passed, $FAILS failed"
  [ "$FAILS" = 0 ]
}
