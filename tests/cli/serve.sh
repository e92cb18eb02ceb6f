#!/usr/bin/env bash
# ksymres serve on a free loopback port with a temporary store: every route
# and its status codes, the token, body limits, bad identities, malformed
# objects; remote check/resolve byte-identical to the local commands
# against the same profiles; store fsck and reindex afterwards.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || skip "curl not installed"
B=$KSR_BPF_DIR
host_profiles
HID=$("$KSR_BIN" profile --info "$T/host.profile" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["identity"])')
FID=$("$KSR_BIN" profile --info "$T/fixed.profile" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["identity"])')
S=$T/store
TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$TOKEN" >"$T/token"
chmod 600 "$T/token"
AUTH="Authorization: Bearer $TOKEN"

# refusals before anything listens
expect_error 2 "serve: non-loopback address without a token file" \
  "$KSR_BIN" serve --store "$S" --listen 0.0.0.0:0
expect_error 2 "serve: a listen address that is no IP address" "$KSR_BIN" serve --store "$S" --listen nohost
cp "$T/token" "$T/token-open"; chmod 644 "$T/token-open"
expect_error 1 "serve: a token file others can read" \
  "$KSR_BIN" serve --store "$S" --listen 127.0.0.1:0 --token-file "$T/token-open"

PID=
start() {
  serve_bg "$T/serve.err" --store "$S" --token-file "$T/token"
}
stop() {
  kill -TERM "$PID" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID"; fail "serve did not stop on SIGTERM"; fi
  wait "$PID"; local rc=$?
  [ "$rc" = 0 ] && pass "serve stopped cleanly on SIGTERM" || fail "serve exit $rc on SIGTERM"
  PID=
}
trap '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; rm -rf "$T"' EXIT
start
grep -q "$S" "$T/serve.err" && pass "serve says where the store is: $(head -1 "$T/serve.err")" ||
  fail "serve's stderr: $(cat "$T/serve.err")"

# req EXPECTED_STATUS DESC CURL_ARGS...: the body in $T/body
req() {
  local want=$1 desc=$2; shift 2
  code=$(curl -s -o "$T/body" -w '%{http_code}' "$@")
  [ "$code" = "$want" ] && pass "$desc: $code" || fail "$desc: $code, expected $want: $(head -c 300 "$T/body")"
}
jq_() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$T/body"; }

req 200 "GET /healthz" "$U/healthz"
req 405 "POST /healthz" -X POST "$U/healthz"
req 404 "unknown route" "$U/v2/nothing"
# writes need the token
req 401 "PUT without a token" -X PUT --data-binary @"$T/host.profile" "$U/v1/profiles"
req 401 "PUT with a wrong token" -X PUT -H "Authorization: Bearer x$TOKEN" --data-binary @"$T/host.profile" "$U/v1/profiles"
req 201 "PUT the host profile" -X PUT -H "$AUTH" --data-binary @"$T/host.profile" "$U/v1/profiles?label=fleet=a&label=os=debian"
[ "$(jq_ 'd["identity"]')" = "$HID" ] && pass "PUT answers the identity" || fail "PUT body: $(cat "$T/body")"
req 200 "PUT the same profile again (labels merged)" -X PUT -H "$AUTH" --data-binary @"$T/host.profile" "$U/v1/profiles?label=tier=1"
[ "$(jq_ 'sorted(d["labels"].items())')" = "[('fleet', 'a'), ('os', 'debian'), ('tier', '1')]" ] &&
  pass "labels merged" || fail "labels: $(cat "$T/body")"
req 201 "PUT a second profile" -X PUT -H "$AUTH" --data-binary @"$T/fixed.profile" "$U/v1/profiles?label=fleet=a"
req 400 "PUT a bad label" -X PUT -H "$AUTH" --data-binary @"$T/fixed.profile" "$U/v1/profiles?label=../x=1"
req 400 "PUT something that is no profile" -X PUT -H "$AUTH" --data-binary @"$B/typeless.bpf.o" "$U/v1/profiles"
# a damaged block deep in the body: opening would not see it, verify does
cp "$T/host.profile" "$T/damaged.profile"
printf '\xff' | dd of="$T/damaged.profile" bs=1 seek=$((8 << 20)) conv=notrunc status=none
req 400 "PUT a profile with a damaged block" -X PUT -H "$AUTH" --data-binary @"$T/damaged.profile" "$U/v1/profiles"
grep -q "hash mismatch" "$T/body" && pass "damaged block named: $(cat "$T/body")" || fail "damaged: $(cat "$T/body")"
[ -z "$(ls -A "$S/tmp")" ] && pass "no upload left in tmp/" || fail "tmp/ holds $(ls -A "$S/tmp")"

# reads
req 200 "GET /v1/profiles" "$U/v1/profiles"
[ "$(jq_ 'len(d["profiles"])')" = 2 ] && pass "two profiles listed" || fail "list: $(cat "$T/body")"
req 200 "GET /v1/profiles?label=os=debian" "$U/v1/profiles?label=os=debian"
[ "$(jq_ '[p["identity"] for p in d["profiles"]]')" = "['$HID']" ] && pass "label filter" || fail "filter: $(cat "$T/body")"
req 200 "GET /v1/profiles?release=fixed-release" "$U/v1/profiles?release=fixed-release"
[ "$(jq_ '[p["identity"] for p in d["profiles"]]')" = "['$FID']" ] && pass "release filter" || fail "release: $(cat "$T/body")"
req 400 "GET with an unknown argument" "$U/v1/profiles?lable=x=1"
req 200 "GET /v1/profiles/ID" "$U/v1/profiles/$HID"
req 400 "GET a bad identity" "$U/v1/profiles/..%2F..%2Fetc"
req 400 "GET an upper-case identity" "$U/v1/profiles/${HID^^}"
req 404 "GET an unknown identity" "$U/v1/profiles/00000000000000000000000000000000"
curl -s -o "$T/got.profile" "$U/v1/profiles/$HID/file"
cmp -s "$T/got.profile" "$T/host.profile" && pass "GET .../file: the stored bytes" || fail "file differs"
req 404 "GET the file of an unknown identity" "$U/v1/profiles/00000000000000000000000000000000/file"
req 405 "PUT on a profile" -X PUT -H "$AUTH" "$U/v1/profiles/$HID"

# labels
req 401 "labels without a token" -X POST "$U/v1/profiles/$FID/labels?add=x=1"
req 200 "labels: add and remove" -X POST -H "$AUTH" "$U/v1/profiles/$FID/labels?add=zone=eu-1&remove=nosuch"
[ "$(jq_ 'sorted(d["labels"].items())')" = "[('fleet', 'a'), ('zone', 'eu-1')]" ] && pass "label added" || fail "labels: $(cat "$T/body")"
req 400 "labels: a bad label" -X POST -H "$AUTH" "$U/v1/profiles/$FID/labels?add=a%20b=1"
req 404 "labels of an unknown identity" -X POST -H "$AUTH" "$U/v1/profiles/00000000000000000000000000000000/labels?add=x=1"

# check and resolve: the bytes of the local commands against the store's files
P1=$S/profiles/$HID.profile P2=$S/profiles/$FID.profile
ORDER=$(printf '%s\n' "$HID" "$FID" | sort | tr '\n' ' ')
read -r A1 A2 <<<"$ORDER"
n=0 same=0 rsame=0 rn=0
for o in "$B"/*.bpf.o; do
  n=$((n + 1))
  "$KSR_BIN" check "$o" -p "$S/profiles/$A1.profile" -p "$S/profiles/$A2.profile" -j >"$T/local.json" 2>/dev/null
  curl -s -o "$T/remote.json" --data-binary @"$o" "$U/v1/check?label=fleet=a"
  cmp -s "$T/local.json" "$T/remote.json" && same=$((same + 1)) || fail "check $(basename "$o"): remote differs"
  # profile=ID in the order given
  "$KSR_BIN" check "$o" -p "$P2" -p "$P1" -j >"$T/local.json" 2>/dev/null
  curl -s -o "$T/remote.json" --data-binary @"$o" "$U/v1/check?profile=$FID&profile=$HID"
  cmp -s "$T/local.json" "$T/remote.json" || fail "check -p order $(basename "$o"): remote differs"
  rm -f "$T/local.o"
  "$KSR_BIN" resolve "$o" -p "$P1" -o "$T/local.o" -j >"$T/local.json" 2>/dev/null; lrc=$?
  code=$(curl -s -o "$T/remote.o" -w '%{http_code}' -H 'Accept: application/octet-stream' --data-binary @"$o" "$U/v1/resolve?profile=$HID")
  if [ "$lrc" = 0 ]; then
    cmp -s "$T/local.o" "$T/remote.o" && [ "$code" = 200 ] && rsame=$((rsame + 1)) ||
      fail "resolve $(basename "$o"): $code, bytes differ from the local resolve"
  elif [ "$lrc" = 1 ]; then
    cmp -s "$T/local.json" "$T/remote.o" && [ "$code" = 422 ] && rn=$((rn + 1)) ||
      fail "resolve $(basename "$o"): $code, expected 422 with the report"
  fi
  code=$(curl -s -o "$T/remote.json" -w '%{http_code}' --data-binary @"$o" "$U/v1/resolve?profile=$HID")
  cmp -s "$T/local.json" "$T/remote.json" || fail "resolve -j $(basename "$o"): remote JSON differs"
done
[ "$same" = "$n" ] && pass "check: $n objects, remote JSON byte-identical to 'check -j'" || fail "check: $same of $n identical"
[ "$rsame" -gt 0 ] && [ $((rsame + rn)) -le "$n" ] &&
  pass "resolve: $rsame patched objects byte-identical to 'resolve', $rn not runnable (422 with the report)" ||
  fail "resolve: $rsame identical, $rn 422"

# malformed objects: 400 with the CLI's message
head -c 200 "$B/typeless.bpf.o" >"$T/cut.bpf.o"
"$KSR_BIN" check "$T/cut.bpf.o" -p "$P1" -j 2>"$T/cli.err" >/dev/null
req 400 "check a truncated object" --data-binary @"$T/cut.bpf.o" "$U/v1/check?profile=$HID"
python3 - "$T/cli.err" "$T/body" "$T/cut.bpf.o" <<'EOF' && pass "400 carries the CLI's message: $(cat "$T/body")" || fail "message differs: $(cat "$T/cli.err") vs $(cat "$T/body")"
import json, sys
cli = json.loads(open(sys.argv[1]).read())["error"]
srv = json.loads(open(sys.argv[2]).read())["error"]
sys.exit(0 if cli == sys.argv[3] + ": " + srv else 1)
EOF
req 400 "resolve a truncated object" --data-binary @"$T/cut.bpf.o" "$U/v1/resolve?profile=$HID"
req 400 "check with an empty body" -X POST "$U/v1/check?profile=$HID"
req 400 "check a bad identity" --data-binary @"$B/typeless.bpf.o" "$U/v1/check?profile=xyz"
req 404 "check an unknown identity" --data-binary @"$B/typeless.bpf.o" "$U/v1/check?profile=00000000000000000000000000000000"
req 404 "check a label no profile has" --data-binary @"$B/typeless.bpf.o" "$U/v1/check?label=fleet=none"
req 400 "check without profiles" --data-binary @"$B/typeless.bpf.o" "$U/v1/check"
req 400 "resolve with two profiles" --data-binary @"$B/typeless.bpf.o" "$U/v1/resolve?profile=$HID&profile=$FID"
req 405 "GET /v1/check" "$U/v1/check"

# body limits: 413 for a declared and for a chunked oversized body
head -c $((17 << 20)) /dev/zero >"$T/big"
req 413 "an object over 16 MiB (Content-Length)" --data-binary @"$T/big" "$U/v1/check?profile=$HID"
req 413 "an object over 16 MiB (chunked)" -H 'Transfer-Encoding: chunked' --data-binary @"$T/big" "$U/v1/check?profile=$HID"
req 413 "a body on a route that takes none" --data-binary @"$T/big" -X POST -H "$AUTH" "$U/v1/profiles/$FID/labels?add=x=1"
req 200 "still serving" "$U/healthz"

# delete
req 401 "DELETE without a token" -X DELETE "$U/v1/profiles/$FID"
req 200 "DELETE" -X DELETE -H "$AUTH" "$U/v1/profiles/$FID"
req 404 "DELETE again" -X DELETE -H "$AUTH" "$U/v1/profiles/$FID"
req 404 "GET the deleted profile" "$U/v1/profiles/$FID"
req 404 "check the deleted profile" --data-binary @"$B/typeless.bpf.o" "$U/v1/check?profile=$FID"
req 201 "PUT it back" -X PUT -H "$AUTH" --data-binary @"$T/fixed.profile" "$U/v1/profiles?label=fleet=a"
curl -s -o "$T/list1.json" "$U/v1/profiles"

# GET /metrics: what the requests above left, in Prometheus text format
req 200 "GET /metrics" "$U/metrics"
cp "$T/body" "$T/metrics"
metric() { awk -v k="$1" '$1 == k { print $2 }' "$T/metrics"; }
ge() { local v; v=$(metric "$1"); [ -n "$v" ] && awk -v v="$v" -v m="$2" 'BEGIN { exit !(v >= m) }' &&
  pass "metrics: $1 = $v (>= $2)" || fail "metrics: $1 = '$v', expected >= $2"; }
ge 'ksymres_http_requests_total{method="GET",route="/healthz",status="200"}' 2
ge 'ksymres_http_requests_total{method="POST",route="/v1/check",status="200"}' 1
ge 'ksymres_http_requests_total{method="POST",route="/v1/check",status="413"}' 2
ge 'ksymres_http_requests_total{method="",route="none",status="404"}' 1
ge 'ksymres_http_rejected_total{reason="body_too_large",status="413"}' 3
ge 'ksymres_http_rejected_total{reason="unauthorized",status="401"}' 3
ge 'ksymres_http_rejected_total{reason="method_not_allowed",status="405"}' 2
ge 'ksymres_http_rejected_total{reason="bad_request",status="400"}' 1
ge 'ksymres_http_request_duration_seconds_count{method="POST",route="/v1/check"}' 3
ge 'ksymres_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="+Inf"}' 2
ge ksymres_http_received_bytes_total 1000000
ge ksymres_http_sent_bytes_total 1000
ge ksymres_profiles_open 1
# every sample line is NAME{labels} VALUE or NAME VALUE; every family has TYPE
bad=$(grep -v '^#' "$T/metrics" | grep -cvE '^[a-z_]+(\{([a-z_]+="[^"]*",?)*\})? [0-9.e+-]+$')
[ "$bad" = 0 ] && pass "metrics: every sample line parses" || fail "metrics: $bad lines do not parse"
for fam in $(grep -v '^#' "$T/metrics" | sed -E 's/[{ ].*//; s/_(bucket|sum|count)$//' | sort -u); do
  grep -q "^# TYPE $fam " "$T/metrics" || fail "metrics: no TYPE for $fam"
done
req 405 "POST /metrics" -X POST "$U/metrics"
stop

# the store afterwards: clean; the catalogue rebuilt from the files gives
# the same listing
run "$KSR_BIN" store fsck "$S"
[ "$RC" = 0 ] && pass "store fsck clean: $(cat "$T/out")" || fail "fsck: rc $RC: $(cat "$T/out" "$T/err")"
rm -f "$S"/catalogue.sqlite*
run "$KSR_BIN" store fsck "$S"
[ "$RC" = 1 ] && pass "store fsck without a catalogue: exit 1" || fail "fsck without catalogue: rc $RC"
run "$KSR_BIN" store reindex "$S"
[ "$RC" = 0 ] && grep -q "2 profiles" "$T/out" && pass "store reindex: $(cat "$T/out")" || fail "reindex: rc $RC $(cat "$T/out" "$T/err")"
start
curl -s -o "$T/list2.json" "$U/v1/profiles"
cmp -s "$T/list1.json" "$T/list2.json" && pass "listing after reindex identical" ||
  fail "listing after reindex differs: $(diff "$T/list1.json" "$T/list2.json" | head -5)"
# a second process on the same store: what one changes, the other serves.
# Its start removes the temporary files nobody holds (a writer that died)
# and keeps one that a live writer holds (its flock: an upload under way)
echo partial >"$S/tmp/up.dead01"
echo partial >"$S/tmp/up.live01"
flock "$S/tmp/up.live01" sleep 8 &
HOLDER=$!
sleep 0.3
"$KSR_BIN" serve --store "$S" --listen 127.0.0.1:0 --token-file "$T/token" 2>"$T/serve2.err" &
PID2=$!
PORT2=$(port_of "$T/serve2.err")
U2=http://127.0.0.1:$PORT2
[ ! -e "$S/tmp/up.dead01" ] && pass "second process: an unheld temporary file removed at start" \
  || fail "second process: tmp/up.dead01 left"
[ -e "$S/tmp/up.live01" ] && pass "second process: a held temporary file (a live upload) kept" \
  || fail "second process: removed a temporary file a live writer holds"
"$KSR_BIN" store fsck "$S" >"$T/fsck.out" 2>&1
grep -q 'up.live01' "$T/fsck.out" && fail "fsck reports a live upload: $(cat "$T/fsck.out")" \
  || pass "fsck does not report a live upload"
kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null
rm -f "$S/tmp/up.live01"
req 200 "second process: DELETE through one" -X DELETE -H "$AUTH" "$U/v1/profiles/$FID"
req 404 "second process: the other sees it gone" "$U2/v1/profiles/$FID"
req 201 "second process: PUT through the other" -X PUT -H "$AUTH" --data-binary @"$T/fixed.profile" "$U2/v1/profiles?label=fleet=a"
req 200 "second process: the first lists it" "$U/v1/profiles/$FID"
req 200 "second process: the first checks against it" --data-binary @"$B/typeless.bpf.o" "$U/v1/check?label=fleet=a"
[ "$(jq_ 'len(d["profiles"])')" = 2 ] && pass "second process: check sees both profiles" || fail "check: $(cat "$T/body")"
kill -TERM "$PID2"; wait "$PID2" && pass "second process stopped" || fail "second process exit $?"
stop
touch "$S/tmp/leftover" "$S/profiles/junk"
run "$KSR_BIN" store fsck "$S"
[ "$RC" = 1 ] && grep -q "tmp/leftover" "$T/out" && grep -q "profiles/junk" "$T/out" &&
  pass "store fsck reports leftovers" || fail "fsck: rc $RC $(cat "$T/out")"
finish
