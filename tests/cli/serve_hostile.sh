#!/usr/bin/env bash
# ksymres serve against slow and hostile clients (python3 sockets):
# 200 idle connections, 10 senders of headers at 1 byte per 0.5 s and 10
# of a body trickled the same way, while normal requests (GET /healthz and
# a POST /v1/check) are timed: each must answer within 1 s. Then bodies
# over the route's limit, declared (Content-Length) and chunked (no
# length): 413, and an endless chunked body closed; headers over the
# server's limit (--max-header-size, 32 KiB by default): 431 with JSON and
# counted; far past it (past libmicrohttpd's connection memory): 431 from
# libmicrohttpd; and after all of it the server still answers and its
# /metrics count the rejections.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 not installed"
"$KSR_BIN" profile --from "$KSR_SOURCE_DIR/tests/unit/fixtures/fixed-v1.profile" -o "$T/fixed.profile" \
  >/dev/null || { fail "fixed profile"; finish; exit 1; }
PID=
trap '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; rm -rf "$T"' EXIT
serve_bg "$T/serve.err" --store "$T/store"

python3 - "$PORT" "$T/fixed.profile" "$KSR_BPF_DIR/kfuncs.bpf.o" >"$T/py" 2>&1 <<'EOF'
import json, re, select, socket, sys, threading, time

port, profile, obj = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ok = lambda m: print("ok: " + m, flush=True)
bad = lambda m: print("FAIL: " + m, flush=True)


def conn(timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def answer(s):
    """Reads one response: (status, body), or (None, reason)."""
    buf = b""
    try:
        while b"\r\n\r\n" not in buf:
            d = s.recv(65536)
            if not d:
                return None, "closed before a status (%r)" % buf[:80]
            buf += d
        head, body = buf.split(b"\r\n\r\n", 1)
        m = re.search(rb"content-length: *(\d+)", head, re.I)
        n = int(m.group(1)) if m else 0
        while len(body) < n:
            d = s.recv(65536)
            if not d:
                break
            body += d
        return int(head.split(b" ", 2)[1]), body
    except OSError as e:
        return None, str(e)


def request(method, path, body=b"", headers=()):
    t = time.monotonic()
    s = conn()
    s.sendall(("%s %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n%s\r\n" %
               (method, path, len(body), "".join(h + "\r\n" for h in headers))).encode() + body)
    st, b = answer(s)
    s.close()
    return st, b, time.monotonic() - t


st, b, _ = request("PUT", "/v1/profiles", open(profile, "rb").read())
ident = json.loads(b)["identity"] if st == 201 else None
(ok if ident else bad)("a profile stored: %s" % st)
objbytes = open(obj, "rb").read()

# ---- 200 idle connections and 20 slow senders -------------------------------
idle = []
for _ in range(200):
    idle.append(conn())
ok("200 idle connections open")
stop = threading.Event()
slow_done = []


def trickle(data):
    s = conn(30)
    try:
        for i in range(len(data)):
            if stop.is_set():
                break
            s.sendall(data[i:i + 1])
            time.sleep(0.5)
        slow_done.append(True)
    except OSError:
        slow_done.append(False)
    finally:
        s.close()


hdr = b"GET /healthz HTTP/1.1\r\nHost: slow.example\r\nX-Slow: " + b"a" * 64 + b"\r\n\r\n"
body_req = (b"POST /v1/check?profile=%s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" %
            (ident.encode(), len(objbytes)))
threads = [threading.Thread(target=trickle, args=(hdr,)) for _ in range(10)]


def slow_body():
    s = conn(30)
    try:
        s.sendall(body_req)
        for i in range(0, 200):
            if stop.is_set():
                break
            s.sendall(objbytes[i:i + 1])
            time.sleep(0.5)
        slow_done.append(True)
    except OSError:
        slow_done.append(False)
    finally:
        s.close()


threads += [threading.Thread(target=slow_body) for _ in range(10)]
for t in threads:
    t.start()
time.sleep(1)
lat = []
for i in range(12):
    st1, _, t1 = request("GET", "/healthz")
    st2, b2, t2 = request("POST", "/v1/check?profile=%s" % ident, objbytes)
    if st1 != 200 or st2 != 200:
        bad("normal request during the slow clients: %s %s %r" % (st1, st2, b2[:200]))
    lat += [t1, t2]
    time.sleep(0.5)
lat.sort()
msg = "normal requests during 200 idle + 20 slow clients: %d, median %.1f ms, max %.1f ms" % (
    len(lat), 1000 * lat[len(lat) // 2], 1000 * lat[-1])
(ok if lat[-1] < 1.0 else bad)(msg)
stop.set()
for t in threads:
    t.join()
(ok if slow_done.count(True) == 20 else bad)("slow senders kept their connections: %d of 20" %
                                              slow_done.count(True))
for s in idle:
    s.close()

# ---- bodies over the limit: declared and chunked -----------------------------
for method, path, limit in (("POST", "/v1/check?profile=%s" % ident, 16 << 20),
                            ("POST", "/v1/resolve?profile=%s" % ident, 16 << 20),
                            ("PUT", "/v1/profiles", 64 << 20),
                            ("GET", "/healthz", 64 << 10)):
    s = conn()
    s.sendall(b"%s %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" %
              (method.encode(), path.encode(), limit + 1))
    t = time.monotonic()
    st, b = answer(s)  # before any body byte
    s.close()
    (ok if st == 413 else bad)("%s %s declaring %d bytes: %s %r in %.0f ms" %
                               (method, path.split("?")[0], limit + 1, st, b[:120],
                                1000 * (time.monotonic() - t)))

for method, path, limit in (("POST", "/v1/check?profile=%s" % ident, 16 << 20),
                            ("PUT", "/v1/profiles", 64 << 20)):
    s = conn(30)
    s.sendall(b"%s %s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" %
              (method.encode(), path.encode()))
    chunk = b"%x\r\n" % (1 << 20) + b"\0" * (1 << 20) + b"\r\n"
    sent = 0
    try:
        while sent < limit + (4 << 20):
            s.sendall(chunk)
            sent += 1 << 20
            if select.select([s], [], [], 0)[0]:
                break  # answered (or closed) already
        if sent >= limit + (4 << 20):
            s.sendall(b"0\r\n\r\n")
    except OSError:
        pass
    st, b = answer(s)
    s.close()
    (ok if st == 413 else bad)("%s %s chunked, %d MiB sent before the answer: %s %r" %
                               (method, path.split("?")[0], sent >> 20, st, b[:120]))

# a chunked body over the limit that never ends: the server cannot answer
# before its end (libmicrohttpd), so it closes the connection instead of
# reading for ever (at twice the limit)
s = conn(30)
s.sendall(b"POST /v1/check?profile=%s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" %
          ident.encode())
sent, end = 0, "still reading"
try:
    while sent < (48 << 20):
        s.sendall(chunk)
        sent += 1 << 20
except OSError as e:
    end = "closed (%s)" % e.__class__.__name__
s.close()
(ok if end != "still reading" else bad)("an endless chunked body to /v1/check: %s after %d MiB sent" %
                                        (end, sent >> 20))

# ---- headers over the limit ---------------------------------------------------
# Past --max-header-size (32 KiB) the server answers 431 with JSON and
# counts it; past libmicrohttpd's connection memory (the limit + 64 KiB)
# libmicrohttpd answers 431 itself (an HTML page, no handler, no metric).
for desc, extra, own in (("one 48 KiB header", "X-Big: " + "a" * (48 << 10) + "\r\n", True),
                         ("101 headers", "".join("X-H%d: v\r\n" % i for i in range(101)), True),
                         ("one 256 KiB header", "X-Big: " + "a" * (256 << 10) + "\r\n", False),
                         ("4000 headers", "".join("X-H%d: v\r\n" % i for i in range(4000)), False)):
    s = conn()
    try:
        s.sendall(("GET /healthz HTTP/1.1\r\nHost: x\r\n" + extra + "\r\n").encode())
    except OSError:
        pass
    st, b = answer(s)
    s.close()
    good = st == 431 and (b.startswith(b'{"error"') if own else True)
    (ok if good else bad)("%s: %s %r" % (desc, st, b[:120]))

st, _, t = request("GET", "/healthz")
(ok if st == 200 else bad)("the server still answers: %s in %.1f ms" % (st, 1000 * t))
st, m, _ = request("GET", "/metrics")
m = m.decode()
for reason, status, least in (("body_too_large", 413, 6), ("headers_too_large", 431, 2)):
    v = re.search(r'ksymres_http_rejected_total\{reason="%s",status="%d"\} (\d+)' % (reason, status), m)
    n = int(v.group(1)) if v else 0
    (ok if n >= least else bad)("metrics count %d rejections %s (at least %d)" % (n, reason, least))
EOF
cat "$T/py"
PASSES=$((PASSES + $(grep -c '^ok:' "$T/py")))
FAILS=$((FAILS + $(grep -c '^FAIL:' "$T/py")))
grep -q 'the server still answers: 200' "$T/py" || fail "the checks did not all run"
kill -0 "$PID" 2>/dev/null && pass "serve still running" || fail "serve died: $(tail -3 "$T/serve.err")"
kill -TERM "$PID"; wait "$PID"; rc=$?; PID=
[ "$rc" = 0 ] && pass "serve stopped cleanly" || fail "serve exit $rc on SIGTERM"
finish
