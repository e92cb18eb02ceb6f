#!/usr/bin/env bash
# ksymres serve --tls-cert/--tls-key on loopback with a certificate made
# here (openssl): curl with the CA answers, the client verifies the server
# (without the CA: exit 1, one line; with --cacert or KSYMRES_CA_FILE: the
# local command's bytes), plain HTTP to the TLS port fails cleanly and the
# server keeps serving; the refusals of bad TLS options.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || skip "curl not installed"
command -v openssl >/dev/null || skip "openssl not installed"
B=$KSR_BPF_DIR
S=$T/store
unset KSYMRES_SERVER KSYMRES_TOKEN_FILE KSYMRES_CA_FILE
"$KSR_BIN" profile --from "$KSR_SOURCE_DIR/tests/unit/fixtures/fixed-v1.profile" -o "$T/fixed.profile" \
  >/dev/null || { fail "fixed profile"; finish; exit 1; }
FID=$("$KSR_BIN" profile --info "$T/fixed.profile" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["identity"])')
TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$TOKEN" >"$T/token"; chmod 600 "$T/token"

# a CA and a server certificate for 127.0.0.1 signed by it
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=ksymres-test-ca \
  -keyout "$T/ca.key" -out "$T/ca.pem" 2>/dev/null &&
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 \
  -keyout "$T/key.pem" -out "$T/srv.csr" 2>/dev/null &&
printf 'subjectAltName=IP:127.0.0.1\n' >"$T/ext" &&
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial -days 2 \
  -extfile "$T/ext" -out "$T/cert.pem" 2>/dev/null || { fail "openssl could not make the certificates"; finish; exit 1; }
chmod 600 "$T/key.pem"

# refusals before anything listens
expect_error 2 "serve: --tls-cert without --tls-key" \
  "$KSR_BIN" serve --store "$S" --listen 127.0.0.1:0 --tls-cert "$T/cert.pem"
cp "$T/key.pem" "$T/key-open.pem"; chmod 644 "$T/key-open.pem"
expect_error 1 "serve: a key file others can read" \
  "$KSR_BIN" serve --store "$S" --listen 127.0.0.1:0 --tls-cert "$T/cert.pem" --tls-key "$T/key-open.pem"
head -c $((1 << 20)) /dev/zero | tr '\0' a >"$T/huge.pem"; echo >>"$T/huge.pem"
expect_error 1 "serve: a certificate file over 1 MiB" \
  "$KSR_BIN" serve --store "$S" --listen 127.0.0.1:0 --tls-cert "$T/huge.pem" --tls-key "$T/key.pem"
run "$KSR_BIN" serve --store "$S" --listen 127.0.0.1:0 --tls-cert "$T/ca.key" --tls-key "$T/key.pem"
[ "$RC" = 1 ] && tail -1 "$T/err" | grep -q "certificate and key" && pass "serve: a certificate that does not load: exit 1" ||
  fail "serve with a bad certificate: exit $RC: $(cat "$T/err")"

PID=
trap '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; rm -rf "$T"' EXIT
serve_bg "$T/serve.err" --store "$S" --token-file "$T/token" --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
case $U in https://*) pass "the start line says https://: $(head -1 "$T/serve.err")" ;;
  *) fail "start line: $(cat "$T/serve.err")" ;; esac

code=$(curl -s -o "$T/body" -w '%{http_code}' --cacert "$T/ca.pem" "$U/healthz")
[ "$code" = 200 ] && pass "curl --cacert: GET /healthz 200" || fail "curl --cacert: $code"
curl -s -o /dev/null "$U/healthz"; rc=$?
[ "$rc" = 60 ] && pass "curl without the CA: certificate refused (curl exit 60)" || fail "curl without the CA: exit $rc"

# the client: verification on by default
expect_error 1 "push without the CA" "$KSR_BIN" push "$T/fixed.profile" --server "$U" --token-file "$T/token"
grep -qi "certificate" "$T/err" || fail "the line does not say it is the certificate: $(cat "$T/err")"
expect_error 1 "push with a CA file that does not exist" \
  "$KSR_BIN" push "$T/fixed.profile" --server "$U" --token-file "$T/token" --cacert "$T/nothing.pem"
run "$KSR_BIN" push "$T/fixed.profile" --server "$U" --token-file "$T/token" --cacert "$T/ca.pem" --label fleet=a
[ "$RC" = 0 ] && grep -q "$FID (new)" "$T/out" && pass "push --cacert: $(cat "$T/out")" || fail "push --cacert: exit $RC $(cat "$T/err")"
expect_error 1 "check --server https:// without the CA" "$KSR_BIN" check "$B/kfuncs.bpf.o" --server "$U" -p "$FID"
P=$S/profiles/$FID.profile
for o in kfuncs weak typeless; do
  for j in "" -j; do
    "$KSR_BIN" check "$B/$o.bpf.o" -p "$P" $j >"$T/local" 2>&1; lrc=$?
    "$KSR_BIN" check "$B/$o.bpf.o" --server "$U" --cacert "$T/ca.pem" -p "$FID" $j >"$T/remote" 2>&1; rrc=$?
    [ "$lrc" = "$rrc" ] && cmp -s "$T/local" "$T/remote" && pass "check $o $j --cacert: the local bytes, exit $rrc" ||
      fail "check $o $j --cacert: exit $rrc (local $lrc): $(diff "$T/local" "$T/remote" | head -4)"
  done
done
run env KSYMRES_CA_FILE="$T/ca.pem" "$KSR_BIN" resolve "$B/weak.bpf.o" --server "$U" -p "$FID" -o "$T/remote.o"
"$KSR_BIN" resolve "$B/weak.bpf.o" -p "$P" -o "$T/local.o" >/dev/null
[ "$RC" = 0 ] && cmp -s "$T/remote.o" "$T/local.o" && pass "resolve with KSYMRES_CA_FILE: byte-identical to resolve" ||
  fail "resolve KSYMRES_CA_FILE: exit $RC $(cat "$T/err")"
run env KSYMRES_CA_FILE="$T/ca.pem" "$KSR_BIN" profiles --server "$U"
[ "$RC" = 0 ] && grep -q "^$FID .*fleet=a$" "$T/out" && pass "profiles with KSYMRES_CA_FILE" || fail "profiles: exit $RC $(cat "$T/err")"

# plain HTTP to the TLS port: refused, the server still serving
curl -s -m 5 -o /dev/null "http://127.0.0.1:$PORT/healthz"; rc=$?
[ "$rc" != 0 ] && pass "plain HTTP to the TLS port fails (curl exit $rc)" || fail "plain HTTP answered"
expect_error 1 "check --server http:// to the TLS port" \
  "$KSR_BIN" check "$B/kfuncs.bpf.o" --server "http://127.0.0.1:$PORT" -p "$FID"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/ca.pem" "$U/healthz")
[ "$code" = 200 ] && kill -0 "$PID" && pass "still serving over TLS" || fail "after plain HTTP: $code"

kill -TERM "$PID"; wait "$PID"; rc=$?; PID=
[ "$rc" = 0 ] && pass "serve stopped cleanly" || fail "serve exit $rc"
finish
