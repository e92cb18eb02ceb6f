#!/usr/bin/env bash
# Every bad input of docs/bad-inputs.md that the API takes, through
# ksymres serve: the malformed objects malformed_gen.py makes (classes E,
# I, X and object BTF) as the body of POST /v1/check and POST
# /v1/resolve: 400 with {"error": M} where M is exactly what the CLI
# (`check OBJ -p P`) prints after "FILE: ";
# the malformed profiles (classes P) as the body of PUT /v1/profiles:
# 400, and not stored. GET /healthz after every request: the server still
# serves. And a profile of a stored identity with other contents: the
# stored one stays (file and catalogue), store fsck clean. Raw BTF and kallsyms inputs (classes B, K) reach the API only
# inside a profile, which `ksymres profile` refuses to make from them.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 not installed"
"$KSR_BIN" profile --from "$KSR_SOURCE_DIR/tests/unit/fixtures/fixed-v1.profile" -o "$T/fixed.profile" \
  >/dev/null || { fail "fixed profile"; finish; exit 1; }
mkdir -p "$T/in"
python3 "$(dirname "$0")/malformed_gen.py" --ksymres "$KSR_BIN" --objects "$KSR_BPF_DIR" --out "$T/in" \
  >"$T/cases.tsv" 2>"$T/gen.err" || { cat "$T/gen.err"; fail "malformed_gen.py failed"; finish; exit 1; }
PID=
trap '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; rm -rf "$T"' EXIT
serve_bg "$T/serve.err" --store "$T/store"

python3 - "$U" "$KSR_BIN" "$T/fixed.profile" "$T/cases.tsv" "$T" >"$T/py" 2>&1 <<'EOF'
import concurrent.futures, json, subprocess, sys, urllib.error, urllib.request

u, ksr, prof, cases, tmp = sys.argv[1:6]
counts = {}


def say(good, m):
    print(("ok: " if good else "FAIL: ") + m, flush=True)
    counts[good] = counts.get(good, 0) + 1


def http(method, path, body=None):
    req = urllib.request.Request(u + path, data=body, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def cli_line(args, f):
    """The CLI's exit code and what its one stderr line says after 'FILE: '."""
    p = subprocess.run([ksr] + args, capture_output=True, text=True, timeout=60)
    err = p.stderr.strip()
    head = "ksymres: %s: " % f
    return p.returncode, err[len(head):] if err.startswith(head) and "\n" not in err else err


st, b = http("PUT", "/v1/profiles", open(prof, "rb").read())
pid = json.loads(b)["identity"]
say(st == 201, "the fixture profile stored: %s" % st)
rows = [l.rstrip("\n").split("\t")[:4] for l in open(cases)]
# the CLI's answers first, four processes at a time (slow under ASan);
# `check` only: `resolve` opens the object the same way and says the same
# (tests/cli/malformed.sh runs the CLI on every case)
jobs = {}
with concurrent.futures.ThreadPoolExecutor(4) as ex:
    for cid, expect, cmd, f in rows:
        if cmd == "obj" and expect == "3":
            jobs[f] = ex.submit(cli_line, ["check", f, "-p", prof], f)
n_obj = n_prof = 0
for cid, expect, cmd, f in rows:
    name = f.rsplit("/", 1)[1]
    body = open(f, "rb").read()
    if cmd == "obj" and expect == "3":
        n_obj += 1
        for route in ("check", "resolve"):
            rc, msg = jobs[f].result()
            st, b = http("POST", "/v1/%s?profile=%s" % (route, pid), body)
            try:
                got = json.loads(b).get("error")
            except ValueError:
                got = None
            if rc != 3:
                say(False, "%s: the CLI's %s exits %d, not 3: %s" % (name, route, rc, msg))
            elif st == 400 and got == msg:
                say(True, "%s: POST /v1/%s: 400 %s" % (name, route, msg))
            else:
                say(False, "%s: POST /v1/%s: %s %r, the CLI says %r" % (name, route, st, b[:300], msg))
    elif cmd == "prof" and expect == "3":
        n_prof += 1
        st, b = http("PUT", "/v1/profiles", body)
        try:
            got = json.loads(b).get("error")
        except ValueError:
            got = None
        say(st == 400 and got, "%s: PUT /v1/profiles: %s %s" % (name, st, got or b[:200]))
    else:
        continue
    st, _ = http("GET", "/healthz")
    if st != 200:
        say(False, "after %s: GET /healthz %s" % (name, st))
        break
st, b = http("GET", "/v1/profiles")
ids = [p["identity"] for p in json.loads(b)["profiles"]]
say(ids == [pid], "only the fixture is stored: %s" % ids)
say(n_obj >= 100 and n_prof >= 8, "%d malformed objects (x2 routes) and %d malformed profiles sent" % (n_obj, n_prof))
st, _ = http("GET", "/healthz")
say(st == 200, "the server still answers: %s" % st)
EOF
cat "$T/py"
PASSES=$((PASSES + $(grep -c '^ok:' "$T/py")))
FAILS=$((FAILS + $(grep -c '^FAIL:' "$T/py")))
grep -q 'the server still answers: 200' "$T/py" || fail "the checks did not all run"

# a profile of a stored identity with other contents (another boot's
# kallsyms): 200, and the stored file and what the catalogue says of it
# stay those of the first
sed 's/^ffffffff81511410/ffffffff81611410/' "$T/in/base.kallsyms" >"$T/other.kallsyms"
"$KSR_BIN" profile --btf "$T/in/base.btf" --kallsyms "$T/in/base.kallsyms" --release boot-1 -o "$T/one.profile" >/dev/null &&
  "$KSR_BIN" profile --btf "$T/in/base.btf" --kallsyms "$T/other.kallsyms" --release boot-2 -o "$T/two.profile" \
    >/dev/null || fail "two profiles of one identity"
c1=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$T/one.profile" "$U/v1/profiles")
c2=$(curl -s -o "$T/put2" -w '%{http_code}' -X PUT --data-binary @"$T/two.profile" "$U/v1/profiles?label=boot=2")
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["identity"])' "$T/put2")
curl -s -o "$T/got" "$U/v1/profiles/$id/file"
meta=$(curl -s "$U/v1/profiles/$id" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["release"], d["size"], d["labels"])')
[ "$c1 $c2" = "201 200" ] && cmp -s "$T/got" "$T/one.profile" &&
  [ "$meta" = "boot-1 $(stat -c %s "$T/one.profile") {'boot': '2'}" ] &&
  pass "another profile of a stored identity: $c1 then $c2; the first stays, labels merged ($meta)" ||
  fail "another profile of a stored identity: $c1 $c2, $meta, file same as the first: $(cmp -s "$T/got" "$T/one.profile" && echo yes || echo no)"

kill -TERM "$PID"; wait "$PID"; rc=$?; PID=
[ "$rc" = 0 ] && pass "serve stopped cleanly" || fail "serve exit $rc on SIGTERM"
"$KSR_BIN" store fsck "$T/store" >"$T/fsck" 2>&1 && pass "store fsck clean: $(cat "$T/fsck")" || fail "fsck: $(cat "$T/fsck")"
finish
