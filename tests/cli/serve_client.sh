#!/usr/bin/env bash
# The client (remote/): push, profiles, check/resolve --server against a
# real `ksymres serve` on a free loopback port, compared byte for byte with
# the local commands run on the store's own files; exit codes for a
# malformed object (3), a profile not stored (1), a server that cannot be
# reached (1, one line), the token, KSYMRES_SERVER / KSYMRES_TOKEN_FILE.
. "$(dirname "$0")/lib.sh"
B=$KSR_BPF_DIR
host_profiles
ident() { "$KSR_BIN" profile --info "$1" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["identity"])'; }
HID=$(ident "$T/host.profile")
FID=$(ident "$T/fixed.profile")
S=$T/store
TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$TOKEN" >"$T/token"; chmod 600 "$T/token"
printf 'x%s\n' "$TOKEN" >"$T/wrong"; chmod 600 "$T/wrong"
unset KSYMRES_SERVER KSYMRES_TOKEN_FILE

PID=
trap '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; rm -rf "$T"' EXIT
serve_bg "$T/serve.err" --store "$S" --token-file "$T/token"

# push
expect_error 2 "push without a server" "$KSR_BIN" push "$T/host.profile"
expect_error 2 "push to what is no URL" "$KSR_BIN" push "$T/host.profile" --server ftp://x
expect_error 1 "push without the token" "$KSR_BIN" push "$T/host.profile" --server "$U"
expect_error 1 "push with a wrong token" "$KSR_BIN" push "$T/host.profile" --server "$U" --token-file "$T/wrong"
expect_error 1 "push with a token file that does not exist" \
  "$KSR_BIN" push "$T/host.profile" --server "$U" --token-file "$T/nothing"
expect_error 3 "push of what is no profile" \
  "$KSR_BIN" push "$B/kfuncs.bpf.o" --server "$U" --token-file "$T/token"
run "$KSR_BIN" push "$T/host.profile" "$T/fixed.profile" --server "$U" --token-file "$T/token" --label fleet=a
[ "$RC" = 0 ] && [ "$(cat "$T/out")" = "pushed $T/host.profile: $HID (new)
pushed $T/fixed.profile: $FID (new)" ] && pass "push two profiles: $(tr '\n' ';' <"$T/out")" ||
  fail "push: exit $RC: $(cat "$T/out" "$T/err")"
run env KSYMRES_SERVER="$U" KSYMRES_TOKEN_FILE="$T/token" "$KSR_BIN" push "$T/host.profile" --label os=debian
[ "$RC" = 0 ] && grep -q "$HID (already stored)" "$T/out" && pass "push again, from the environment: $(cat "$T/out")" ||
  fail "push from the environment: exit $RC: $(cat "$T/out" "$T/err")"

# capture --push: capture, then push what was written
run "$KSR_BIN" capture -o "$T/again.profile" --push "$U" --token-file "$T/token" --label captured=yes
[ "$RC" = 0 ] && [ "$(cat "$T/out")" = "pushed $T/again.profile: $HID (already stored)" ] &&
  curl -s "$U/v1/profiles/$HID" | grep -q '"captured":"yes"' && pass "capture --push: $(cat "$T/out")" ||
  fail "capture --push: exit $RC: $(cat "$T/out" "$T/err")"
expect_error 1 "capture --push without the token" "$KSR_BIN" capture -o "$T/again2.profile" --push "$U"
expect_error 2 "capture --label without --push" "$KSR_BIN" capture -o "$T/again3.profile" --label a=b

# profiles
run "$KSR_BIN" profiles --server "$U"
[ "$RC" = 0 ] && [ "$(wc -l <"$T/out")" = 3 ] && grep -q "^$HID .*captured=yes,fleet=a,os=debian$" "$T/out" &&
  grep -q "^$FID .*fixed-release .*fleet=a$" "$T/out" && pass "profiles: a table of 2" ||
  fail "profiles: exit $RC: $(cat "$T/out" "$T/err")"
run "$KSR_BIN" profiles --server "$U" --label os=debian -j
curl -s "$U/v1/profiles?label=os=debian" >"$T/want"
[ "$RC" = 0 ] && cmp -s "$T/out" "$T/want" && pass "profiles -j --label: the server's JSON" ||
  fail "profiles -j: exit $RC: $(cat "$T/out" "$T/err")"
run env KSYMRES_SERVER="$U" "$KSR_BIN" profiles --release fixed-release -j
[ "$RC" = 0 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [p["identity"] for p in d["profiles"]] == [sys.argv[2]]' "$T/out" "$FID" &&
  pass "profiles --release from KSYMRES_SERVER" || fail "profiles --release: exit $RC: $(cat "$T/out" "$T/err")"
expect_error 3 "profiles with a bad label" "$KSR_BIN" profiles --server "$U" --label 'bad label'

# check: the bytes and exit code of the local check on the store's files
P="$S/profiles"
same_check() {   # desc, remote args..., --, local args...
  local desc=$1; shift
  local r=() l=()
  while [ "$1" != -- ]; do r+=("$1"); shift; done; shift
  l=("$@")
  "$KSR_BIN" check "${r[@]}" >"$T/r.out" 2>"$T/r.err"; local rr=$?
  "$KSR_BIN" check "${l[@]}" >"$T/l.out" 2>"$T/l.err"; local lr=$?
  if [ "$rr" = "$lr" ] && cmp -s "$T/r.out" "$T/l.out" && cmp -s "$T/r.err" "$T/l.err"; then
    pass "$desc: same stdout, stderr and exit ($rr)"
  else
    fail "$desc: remote exit $rr, local $lr; $(diff "$T/r.out" "$T/l.out" | head -5) $(cat "$T/r.err" "$T/l.err")"
  fi
}
for o in kfuncs typed_percpu weak missing; do
  same_check "check $o -p host" "$B/$o.bpf.o" --server "$U" -p "$HID" -- "$B/$o.bpf.o" -p "$P/$HID.profile"
  same_check "check $o -p host -p fixed -j" "$B/$o.bpf.o" --server "$U" -p "$HID" -p "$FID" -j -- \
    "$B/$o.bpf.o" -p "$P/$HID.profile" -p "$P/$FID.profile" -j
done
same_check "check --label (two profiles, identity order), text" "$B/kfuncs.bpf.o" --server "$U" --label fleet=a -- \
  "$B/kfuncs.bpf.o" $(for i in $(printf '%s\n' "$HID" "$FID" | sort); do echo -p "$P/$i.profile"; done)
same_check "check --pretty -j" "$B/kfuncs.bpf.o" --server "$U" -p "$FID" -j --pretty -- \
  "$B/kfuncs.bpf.o" -p "$P/$FID.profile" -j --pretty
head -c 200 /dev/urandom >"$T/junk.o"
same_check "check of a malformed object (exit 3)" "$T/junk.o" --server "$U" -p "$HID" -- "$T/junk.o" -p "$P/$HID.profile"
expect_error 1 "check against a profile not stored" \
  "$KSR_BIN" check "$B/kfuncs.bpf.o" --server "$U" -p 0123456789abcdef0123456789abcdef
expect_error 2 "check against what is no identity" "$KSR_BIN" check "$B/kfuncs.bpf.o" --server "$U" -p ../x
expect_error 2 "check --server without -p or --label" "$KSR_BIN" check "$B/kfuncs.bpf.o" --server "$U"
expect_error 2 "check --label without --server" "$KSR_BIN" check "$B/kfuncs.bpf.o" --label a=b -p "$P/$HID.profile"

# KSYMRES_SERVER as the default of check and resolve: taken only when they
# name stored profiles (identities, --label); a -p naming a file, --local
# and --server '' stay local. DEAD is a server that cannot be reached: a
# command that succeeds with it did not ask it.
DEAD=http://127.0.0.1:1
"$KSR_BIN" check "$B/kfuncs.bpf.o" --server "$U" -p "$HID" >"$T/want"
run env KSYMRES_SERVER="$U" "$KSR_BIN" check "$B/kfuncs.bpf.o" -p "$HID"
[ "$RC" = 0 ] && cmp -s "$T/out" "$T/want" && pass "KSYMRES_SERVER: check -p IDENTITY asks the server" ||
  fail "KSYMRES_SERVER check -p ID: exit $RC $(cat "$T/err")"
"$KSR_BIN" check "$B/kfuncs.bpf.o" --server "$U" --label fleet=a -j >"$T/want"
run env KSYMRES_SERVER="$U" "$KSR_BIN" check "$B/kfuncs.bpf.o" --label fleet=a -j
cmp -s "$T/out" "$T/want" && pass "KSYMRES_SERVER: check --label asks the server" || fail "KSYMRES_SERVER check --label: exit $RC $(cat "$T/err")"
"$KSR_BIN" check "$B/kfuncs.bpf.o" -p "$P/$HID.profile" >"$T/want"
run env KSYMRES_SERVER="$DEAD" "$KSR_BIN" check "$B/kfuncs.bpf.o" -p "$P/$HID.profile"
[ "$RC" = 0 ] && cmp -s "$T/out" "$T/want" && pass "KSYMRES_SERVER: check -p FILE stays local" ||
  fail "KSYMRES_SERVER check -p FILE: exit $RC $(cat "$T/err")"
mkdir "$T/cwd" && cp "$P/$HID.profile" "$T/cwd/$HID"
env -C "$T/cwd" "$KSR_BIN" check "$B/kfuncs.bpf.o" -p "$HID" >"$T/want"
run env -C "$T/cwd" KSYMRES_SERVER="$DEAD" "$KSR_BIN" check "$B/kfuncs.bpf.o" -p "$HID"
[ "$RC" = 0 ] && [ -s "$T/out" ] && cmp -s "$T/out" "$T/want" && pass "KSYMRES_SERVER: -p IDENTITY that names a file stays local" ||
  fail "KSYMRES_SERVER -p ID file: exit $RC $(cat "$T/err")"
for force in --local "--server="; do
  run env KSYMRES_SERVER="$U" "$KSR_BIN" check "$B/kfuncs.bpf.o" -p "$HID" "$force"
  [ "$RC" != 0 ] && ! grep -q "server" "$T/err" && pass "KSYMRES_SERVER with $force: local (exit $RC: $(cat "$T/err"))" ||
    fail "KSYMRES_SERVER with $force: exit $RC $(cat "$T/out" "$T/err")"
done
expect_error 2 "check --local --server URL" "$KSR_BIN" check "$B/kfuncs.bpf.o" --local --server "$U" -p "$HID"
run env KSYMRES_SERVER="$U" "$KSR_BIN" resolve "$B/kfuncs.bpf.o" -p "$HID" -o "$T/env.o"
"$KSR_BIN" resolve "$B/kfuncs.bpf.o" -p "$P/$HID.profile" -o "$T/env-local.o" >/dev/null
[ "$RC" = 0 ] && cmp -s "$T/env.o" "$T/env-local.o" && pass "KSYMRES_SERVER: resolve -p IDENTITY asks the server" ||
  fail "KSYMRES_SERVER resolve: exit $RC $(cat "$T/err")"
run env KSYMRES_SERVER="$DEAD" "$KSR_BIN" resolve "$B/kfuncs.bpf.o" -p "$P/$HID.profile" -o "$T/env2.o"
[ "$RC" = 0 ] && cmp -s "$T/env2.o" "$T/env-local.o" && pass "KSYMRES_SERVER: resolve -p FILE stays local" ||
  fail "KSYMRES_SERVER resolve -p FILE: exit $RC $(cat "$T/err")"

# resolve: the same bytes as the local resolve, written atomically
mkdir "$T/out.d"
run "$KSR_BIN" resolve "$B/kfuncs.bpf.o" --server "$U" -p "$HID" -o "$T/out.d/remote.o"
"$KSR_BIN" resolve "$B/kfuncs.bpf.o" -p "$P/$HID.profile" -o "$T/out.d/local.o" >/dev/null
[ "$RC" = 0 ] && cmp -s "$T/out.d/remote.o" "$T/out.d/local.o" &&
  pass "resolve --server: byte-identical to resolve ($(cat "$T/out"))" || fail "resolve --server: exit $RC $(cat "$T/err")"
no_leftovers "$T/out.d"
run "$KSR_BIN" resolve "$B/kfuncs.bpf.o" --server "$U" -p "$FID" -o "$T/out.d/no.o"
"$KSR_BIN" resolve "$B/kfuncs.bpf.o" -p "$P/$FID.profile" -o "$T/out.d/no2.o" -j >"$T/want"
[ "$RC" = 1 ] && [ ! -e "$T/out.d/no.o" ] && cmp -s "$T/out" "$T/want" &&
  pass "resolve --server, not runnable: exit 1, no output, the report of resolve -j" ||
  fail "resolve --server not runnable: exit $RC: $(cat "$T/out" "$T/err")"
expect_error 2 "resolve --server -p what is no identity" \
  "$KSR_BIN" resolve "$B/kfuncs.bpf.o" --server "$U" -p "$P/$HID.profile" -o "$T/out.d/x.o"
expect_error 3 "resolve --server of a malformed object" \
  "$KSR_BIN" resolve "$T/junk.o" --server "$U" -p "$HID" -o "$T/out.d/junk.o"

# resolve --label --out-dir: one output per matching profile, named as the
# local batch names the outputs of the store's files
run "$KSR_BIN" resolve "$B/kfuncs.bpf.o" --server "$U" --label fleet=a --out-dir "$T/rdir"
"$KSR_BIN" resolve "$B/kfuncs.bpf.o" -p "$P/$HID.profile" -p "$P/$FID.profile" --out-dir "$T/ldir" >/dev/null; LRC=$?
[ "$RC" = "$LRC" ] && cmp -s "$T/rdir/$HID/kfuncs.bpf.o" "$T/ldir/$HID/kfuncs.bpf.o" &&
  [ ! -e "$T/rdir/$FID/kfuncs.bpf.o" ] && [ ! -e "$T/ldir/$FID/kfuncs.bpf.o" ] &&
  pass "resolve --server --label --out-dir: the local batch's outputs, exit $RC ($(tail -1 "$T/out"))" ||
  fail "resolve --label --out-dir: exit $RC (local $LRC): $(cat "$T/out" "$T/err"); $(find "$T/rdir" "$T/ldir" -type f)"
no_leftovers "$T/rdir/$HID"
run "$KSR_BIN" resolve "$B/kfuncs.bpf.o" --server "$U" --label os=debian --out-dir "$T/rdir2"
[ "$RC" = 0 ] && cmp -s "$T/rdir2/$HID/kfuncs.bpf.o" "$T/ldir/$HID/kfuncs.bpf.o" &&
  pass "resolve --server --label (one runnable profile): exit 0" || fail "resolve --label os=debian: exit $RC $(cat "$T/err")"
expect_error 1 "resolve --server --label that no profile has" \
  "$KSR_BIN" resolve "$B/kfuncs.bpf.o" --server "$U" --label fleet=none --out-dir "$T/rdir3"
expect_error 2 "resolve --label without --server" \
  "$KSR_BIN" resolve "$B/kfuncs.bpf.o" --label fleet=a --out-dir "$T/rdir4"

# a server's answer is not trusted with the terminal: a fake server that
# answers a check with an escape sequence is refused (exit 1, nothing on stdout)
cat >"$T/fake.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b"object: x\n\x1b[2Jgotcha\n"
        self.send_response(200)
        self.send_header("X-Ksymres-Runnable", "yes")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.handle_request()
PY
python3 "$T/fake.py" >"$T/fake.port" & FAKE=$!
for _ in $(seq 1 50); do [ -s "$T/fake.port" ] && break; sleep 0.1; done
expect_error 1 "check --server, an answer with an escape sequence" \
  "$KSR_BIN" check "$B/kfuncs.bpf.o" --server "http://127.0.0.1:$(cat "$T/fake.port")" -p "$HID"
kill "$FAKE" 2>/dev/null; wait "$FAKE" 2>/dev/null

# a server that cannot be reached: exit 1, one line
kill -TERM "$PID"; wait "$PID"; PID=
expect_error 1 "check, server gone" "$KSR_BIN" check "$B/kfuncs.bpf.o" --server "$U" -p "$HID"
expect_error 1 "profiles, server gone" "$KSR_BIN" profiles --server "$U"
expect_error 1 "push, server gone" "$KSR_BIN" push "$T/host.profile" --server "$U"
finish
