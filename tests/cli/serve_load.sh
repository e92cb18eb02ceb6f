#!/usr/bin/env bash
# ksymres serve under load (label slow: CI runs it, the default local
# suite does not): wrk, 16 keep-alive connections for KSR_LOAD_SECONDS
# (or the first argument; default 30) with serve_load.lua's mix of resolve, check against several
# profiles and malformed objects. Asserts: every status counted in the
# Lua response callback is 200, 400 or 422, and each of them occurred; no
# socket errors; the server alive and clean after; the RSS of the last
# third of the run within 10 % of the first third's (VmRSS sampled every
# 0.5 s after a warm-up).
# Under ASan (KSR_SANITIZE=1; the sanitizer build registers a 10 s run)
# the server's quarantine of freed memory is capped at 16 MiB: with the
# default 256 MiB it fills during the whole run (226 to 342 MB in 10 s
# here), growth by design that says nothing about leaks; capped, the RSS
# is steady within 2 %, and the bound is relaxed to 20 % only for the
# noise of a short run. Leaks fail the clean stop (LeakSanitizer's exit
# code at SIGTERM).
. "$(dirname "$0")/lib.sh"
command -v wrk >/dev/null || skip "wrk not installed"
command -v curl >/dev/null || skip "curl not installed"
SECS=${1:-${KSR_LOAD_SECONDS:-30}}
RSS_BOUND=0.10
if [ "${KSR_SANITIZE:-0}" = 1 ]; then
  export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16
  RSS_BOUND=0.20
fi
B=$KSR_BPF_DIR
host_profiles
head -c 4096 /dev/urandom >"$T/junk.o"
PID=
trap '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; [ -n "${SAMPLER:-}" ] && kill "$SAMPLER" 2>/dev/null; rm -rf "$T"' EXIT
serve_bg "$T/serve.err" --store "$T/store"
"$KSR_BIN" push "$T/host.profile" "$T/fixed.profile" --server "$U" --label fleet=a >"$T/push" ||
  { fail "push: $(cat "$T/push")"; finish; exit 1; }
export KSR_HID KSR_FID KSR_OBJS=$B KSR_JUNK=$T/junk.o
KSR_HID=$(awk 'NR == 1 { print $3 }' "$T/push")
KSR_FID=$(awk 'NR == 2 { print $3 }' "$T/push")
LUA=$KSR_SOURCE_DIR/tests/cli/serve_load.lua

# warm-up: every profile opened, every code path taken once
wrk -t2 -c16 -d3s -s "$LUA" "$U" >"$T/warm" 2>&1 || { fail "wrk warm-up: $(cat "$T/warm")"; finish; exit 1; }
: >"$T/rss"
( while kill -0 "$PID" 2>/dev/null; do
    awk '/^VmRSS:/ { print $2 }' "/proc/$PID/status" 2>/dev/null >>"$T/rss"
    sleep 0.5
  done ) &
SAMPLER=$!
wrk -t2 -c16 -d"${SECS}s" --latency -s "$LUA" "$U" >"$T/wrk" 2>&1; WRC=$?
kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null; SAMPLER=
cat "$T/wrk"
[ "$WRC" = 0 ] && pass "wrk ran ${SECS} s" || fail "wrk exit $WRC"

st=$(grep '^KSR_STATUS' "$T/wrk")
val() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$2"; }
total=$(val total "$st"); unexp=$(val unexpected "$st")
[ -n "$total" ] && [ "$total" -gt 1000 ] && pass "requests answered: $total" || fail "too few requests: $st"
[ "$unexp" = 0 ] && pass "no unexpected status ($st)" || fail "unexpected statuses: $st"
for s in s200 s400 s422; do
  [ "$(val $s "$st")" -gt 0 ] 2>/dev/null && pass "status ${s#s} seen: $(val $s "$st")" || fail "no status ${s#s}: $st"
done
er=$(grep '^KSR_ERRORS' "$T/wrk")
[ "$(val connect "$er")$(val read "$er")$(val write "$er")$(val timeout "$er")" = 0000 ] &&
  ! grep -q 'Socket errors' "$T/wrk" && pass "no socket errors" || fail "socket errors: $er"

code=$(curl -s -o /dev/null -w '%{http_code}' "$U/healthz")
[ "$code" = 200 ] && pass "the server is alive after the load" || fail "healthz after the load: $code"
curl -s "$U/metrics" >"$T/metrics"
m=$(awk '$1 == "ksymres_http_requests_total{method=\"POST\",route=\"/v1/check\",status=\"200\"}" { print $2 }' "$T/metrics")
[ -n "$m" ] && [ "$m" -gt 0 ] && pass "metrics counted the checks: $m" || fail "metrics: no checks counted"

n=$(wc -l <"$T/rss")
if [ "$n" -lt 9 ]; then
  fail "only $n RSS samples"
else
  read -r first last < <(awk -v n="$n" '{ v[NR] = $1 } END { t = int(n / 3); a = 0; b = 0
    for (i = 1; i <= t; i++) a += v[i]; for (i = n - t + 1; i <= n; i++) b += v[i]
    printf "%d %d\n", a / t, b / t }' "$T/rss")
  awk -v a="$first" -v b="$last" -v m="$RSS_BOUND" 'BEGIN { d = (b - a) / a; if (d < 0) d = -d; exit !(d <= m) }' &&
    pass "RSS steady (bound $RSS_BOUND): first third $first kB, last third $last kB ($n samples)" ||
    fail "RSS grew: first third $first kB, last third $last kB ($n samples: $(tr '\n' ' ' <"$T/rss" | head -c 400))"
fi

kill -TERM "$PID"; wait "$PID"; rc=$?; PID=
[ "$rc" = 0 ] && pass "serve stopped cleanly" || fail "serve exit $rc on SIGTERM"
"$KSR_BIN" store fsck "$T/store" >"$T/fsck" 2>&1 && pass "store fsck clean after the load" || fail "fsck: $(cat "$T/fsck")"
finish
