#!/usr/bin/env bash
# ksymres serve's limits as options and the read token: bodies past
# --max-object-size / --max-profile-size (413 on the declared length),
# header fields past --max-header-size (431, ours and libmicrohttpd's),
# --max-connections, --conn-timeout; --read-token-file (reads need the read
# or the write token; /healthz stays open; /metrics needs one) with the
# client's KSYMRES_TOKEN_FILE; the refusals of bad values.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || skip "curl not installed"
B=$KSR_BPF_DIR
S=$T/store
unset KSYMRES_SERVER KSYMRES_TOKEN_FILE KSYMRES_CA_FILE
"$KSR_BIN" profile --from "$KSR_SOURCE_DIR/tests/unit/fixtures/fixed-v1.profile" -o "$T/fixed.profile" \
  >/dev/null || { fail "fixed profile"; finish; exit 1; }
FID=$("$KSR_BIN" profile --info "$T/fixed.profile" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["identity"])')
tok() { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
W=$(tok) R=$(tok)
printf '%s\n' "$W" >"$T/write"; printf '%s\n' "$R" >"$T/read"; printf 'x%s\n' "$R" >"$T/wrong"
chmod 600 "$T/write" "$T/read" "$T/wrong"

# refusals
expect_error 2 "serve: --read-token-file without --token-file" \
  "$KSR_BIN" serve --store "$S" --listen 127.0.0.1:0 --read-token-file "$T/read"
cp "$T/read" "$T/read-open"; chmod 640 "$T/read-open"
expect_error 1 "serve: a read token file others can read" \
  "$KSR_BIN" serve --store "$S" --listen 127.0.0.1:0 --token-file "$T/write" --read-token-file "$T/read-open"
mkfifo -m 600 "$T/fifo"
expect_error 1 "serve: a read token 'file' that is a FIFO (refused, no hang)" \
  timeout 10 "$KSR_BIN" serve --store "$S" --listen 127.0.0.1:0 --token-file "$T/write" --read-token-file "$T/fifo"
expect_error 2 "serve: --max-object-size 0" "$KSR_BIN" serve --store "$S" --listen 127.0.0.1:0 --max-object-size 0
expect_error 2 "serve: --max-profile-size 12X" "$KSR_BIN" serve --store "$S" --listen 127.0.0.1:0 --max-profile-size 12X
expect_error 2 "serve: --max-header-size under 1 KiB" "$KSR_BIN" serve --store "$S" --listen 127.0.0.1:0 --max-header-size 100
expect_error 2 "serve: --max-connections 1k" "$KSR_BIN" serve --store "$S" --listen 127.0.0.1:0 --max-connections 1k
expect_error 2 "serve: --conn-timeout -1" "$KSR_BIN" serve --store "$S" --listen 127.0.0.1:0 --conn-timeout -1

PID=
trap '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; [ -n "${IDLE:-}" ] && kill "$IDLE" 2>/dev/null; rm -rf "$T"' EXIT
serve_bg "$T/serve.err" --store "$S" --token-file "$T/write" --read-token-file "$T/read" \
  --max-object-size 12k --max-profile-size 8k --max-header-size 4k --max-connections 4 --conn-timeout 2
grep -q "reads need a token" "$T/serve.err" && pass "the start line: $(head -1 "$T/serve.err")" || fail "start: $(cat "$T/serve.err")"

req() {
  local want=$1 desc=$2; shift 2
  code=$(curl -s -o "$T/body" -w '%{http_code}' "$@")
  [ "$code" = "$want" ] && pass "$desc: $code" || fail "$desc: $code, expected $want: $(head -c 300 "$T/body")"
}
WA="Authorization: Bearer $W" RA="Authorization: Bearer $R"

# the read token
req 200 "GET /healthz without a token" "$U/healthz"
req 401 "GET /metrics without a token" "$U/metrics"
req 200 "GET /metrics with the read token" -H "$RA" "$U/metrics"
req 401 "GET /v1/profiles without a token" "$U/v1/profiles"
req 401 "GET /v1/profiles with a wrong token" -H "Authorization: Bearer x$R" "$U/v1/profiles"
req 200 "GET /v1/profiles with the read token" -H "$RA" "$U/v1/profiles"
req 200 "GET /v1/profiles with the write token" -H "$WA" "$U/v1/profiles"
req 401 "an unknown route without a token" "$U/v2/x"
req 401 "PUT with the read token" -X PUT -H "$RA" --data-binary @"$T/fixed.profile" "$U/v1/profiles"
req 201 "PUT with the write token" -X PUT -H "$WA" --data-binary @"$T/fixed.profile" "$U/v1/profiles?label=fleet=a"
req 401 "POST /v1/check without a token" --data-binary @"$B/weak.bpf.o" "$U/v1/check?profile=$FID"
req 200 "POST /v1/check with the read token" -H "$RA" --data-binary @"$B/weak.bpf.o" "$U/v1/check?profile=$FID"
expect_error 1 "check --server without a token" "$KSR_BIN" check "$B/weak.bpf.o" --server "$U" -p "$FID"
"$KSR_BIN" check "$B/weak.bpf.o" -p "$S/profiles/$FID.profile" >"$T/local"
run env KSYMRES_TOKEN_FILE="$T/read" "$KSR_BIN" check "$B/weak.bpf.o" --server "$U" -p "$FID"
[ "$RC" = 0 ] && cmp -s "$T/out" "$T/local" && pass "check with KSYMRES_TOKEN_FILE (the read token): the local bytes" ||
  fail "check with the read token: exit $RC $(cat "$T/err")"
run "$KSR_BIN" profiles --server "$U" --token-file "$T/read"
[ "$RC" = 0 ] && grep -q "^$FID " "$T/out" && pass "profiles --token-file (the read token)" || fail "profiles: exit $RC $(cat "$T/err")"
expect_error 1 "profiles with a wrong token" "$KSR_BIN" profiles --server "$U" --token-file "$T/wrong"

# body limits (413 on the declared length, before the body is read)
head -c 9000 /dev/zero >"$T/9k"
req 413 "PUT past --max-profile-size 8k" -X PUT -H "$WA" --data-binary @"$T/9k" "$U/v1/profiles"
grep -q "8192 bytes" "$T/body" && pass "413 names the limit: $(cat "$T/body")" || fail "413 body: $(cat "$T/body")"
req 200 "an object under --max-object-size 12k" -H "$RA" --data-binary @"$B/kfuncs.bpf.o" "$U/v1/check?profile=$FID"
head -c 12289 /dev/zero >"$T/12k1"
req 413 "an object past --max-object-size 12k" -H "$RA" --data-binary @"$T/12k1" "$U/v1/check?profile=$FID"
req 413 "an object past it, chunked" -H "$RA" -H 'Transfer-Encoding: chunked' --data-binary @"$T/12k1" "$U/v1/check?profile=$FID"

# header fields: 431 past --max-header-size, from us and from libmicrohttpd
big() { head -c "$1" /dev/zero | tr '\0' a; }
req 200 "3000 bytes of header fields" -H "$RA" -H "X-Pad: $(big 3000)" "$U/v1/profiles"
req 431 "5000 bytes of header fields" -H "$RA" -H "X-Pad: $(big 5000)" "$U/v1/profiles"
grep -q '"error"' "$T/body" && pass "431 says why: $(cat "$T/body")" || fail "431 body: $(cat "$T/body")"
req 431 "101 header fields" -H "$RA" $(for i in $(seq 1 100); do printf -- '-H X-%d:1 ' "$i"; done) "$U/v1/profiles"
python3 - "$PORT" >"$T/huge" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
try:
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 300000 + b"\r\n\r\n")
except OSError:
    pass
print(s.recv(200).split(b"\r\n")[0].decode())
EOF
grep -q "^HTTP/1.1 431" "$T/huge" && pass "300 kB of header fields (past the connection's memory): $(cat "$T/huge")" ||
  fail "300 kB header: $(cat "$T/huge")"
req 200 "still serving" "$U/healthz"

# --max-connections 4: four idle connections hold them all; a fifth waits
# in the kernel's listen queue, unanswered (libmicrohttpd stops accepting at
# the limit), and is answered when they go
python3 - "$PORT" 4 >"$T/idle.out" <<'EOF' &
import socket, sys, time
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(int(sys.argv[2]))]
print("ready", flush=True)
time.sleep(2.5)
EOF
IDLE=$!
for _ in $(seq 1 50); do grep -q ready "$T/idle.out" && break; sleep 0.05; done
sleep 0.2
code=$(curl -s -m 1 -o /dev/null -w '%{http_code}' "$U/healthz"); rc=$?
[ "$rc" = 28 ] && pass "a fifth connection past --max-connections 4: not answered within 1 s" ||
  fail "a fifth connection: curl exit $rc, status $code"
wait "$IDLE"; IDLE=
req 200 "answers again when the idle connections are gone" -m 5 "$U/healthz"

# --conn-timeout 2: an idle connection is closed by the server
python3 - "$PORT" >"$T/timeout" <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(10)
t = time.monotonic()
d = s.recv(10)
print("closed" if d == b"" else "data", round(time.monotonic() - t, 1))
EOF
read -r what secs <"$T/timeout"
[ "$what" = closed ] && awk -v s="$secs" 'BEGIN { exit !(s >= 1.5 && s <= 5) }' &&
  pass "an idle connection closed after ${secs} s (--conn-timeout 2)" || fail "idle connection: $(cat "$T/timeout")"

# the metrics count what was refused
curl -s -H "$RA" -o "$T/metrics" "$U/metrics"
for r in 'reason="unauthorized",status="401"' 'reason="body_too_large",status="413"' 'reason="headers_too_large",status="431"'; do
  v=$(awk -v k="ksymres_http_rejected_total{$r}" '$1 == k { print $2 }' "$T/metrics")
  [ -n "$v" ] && [ "$v" -ge 1 ] && pass "metrics: $r $v" || fail "metrics: $r '$v'"
done

kill -TERM "$PID"; wait "$PID"; rc=$?; PID=
[ "$rc" = 0 ] && pass "serve stopped cleanly" || fail "serve exit $rc"
finish
