#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The service benchmarks of issue 15 (docs/performance.md, "Service"), in
one run, against the process floor measured in the same run:

- 100 distinct profiles: this host's BTF with one extra string each
  (ksr_bench_NNN: a distinct identity, the same types) and this host's
  kallsyms, written by `ksymres profile`, PUT into a fresh store (the PUT
  times are reported: each upload is verified and revalidated);
- startup: `ksymres serve` on that store until GET /healthz answers;
- POST /v1/check of a 3-extern object against the 100 profiles (by label):
  the server's own time (Server-Timing: app;dur) and the client's, over one
  keep-alive connection; and `ksymres check` of the same object against
  the same files;
- POST /v1/resolve (patched object) with wrk, 16 keep-alive connections,
  2 threads; and two parallel shell loops of `ksymres resolve` processes on
  the same inputs for the same time;
- the server's RSS after at least 100,000 requests.

usage: bench_service.py --ksymres K --data DIR --floor-ms MS --machine TEXT
                        --out-md F --out-json F [--quick]
DIR holds vmlinux.btf, kallsyms.txt and ext3.bpf.o (scripts/bench.sh makes them).
"""
import argparse
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time

NPROF = 100


def log(msg):
    print(msg, flush=True)


def variant_btf(raw, k):
    """raw BTF with one more string at the end of its string section."""
    magic, ver, flags, hl, to, tl, so, sl = struct.unpack_from("<HBBIIIII", raw)
    if magic != 0xEB9F or hl + so + sl != len(raw):
        sys.exit("bench_service: the BTF's string section does not end it")
    s = b"ksr_bench_%03d\0" % k
    return struct.pack("<HBBIIIII", magic, ver, flags, hl, to, tl, so, sl + len(s)) + raw[hl:] + s


def gen_profiles(k, data):
    gen = os.path.join(data, "svc", "gen")
    os.makedirs(gen, exist_ok=True)
    raw = open(os.path.join(data, "vmlinux.btf"), "rb").read()
    ks = os.path.join(data, "kallsyms.txt")
    # made again only when the inputs or ksymres changed
    stamp = hashlib.sha256(raw + open(ks, "rb").read() + open(k, "rb").read()).hexdigest()
    stamp_file = os.path.join(gen, "inputs.sha256")
    fresh = os.path.exists(stamp_file) and open(stamp_file).read() == stamp
    paths = []
    for i in range(1, NPROF + 1):
        p = os.path.join(gen, "p%03d.profile" % i)
        if not fresh or not os.path.exists(p):
            b = os.path.join(gen, "btf.tmp")
            open(b, "wb").write(variant_btf(raw, i))
            subprocess.run([k, "profile", "--btf", b, "--kallsyms", ks, "--release",
                            "bench-%03d" % i, "-o", p], check=True, stdout=subprocess.DEVNULL)
            os.unlink(b)
        paths.append(p)
    open(stamp_file, "w").write(stamp)
    return paths


class Server:
    def __init__(self, k, store, extra=()):
        self.t0 = time.perf_counter()
        self.p = subprocess.Popen([k, "serve", "--store", store, "--listen", "127.0.0.1:0", *extra],
                                  stderr=subprocess.PIPE, text=True)
        SERVERS.append(self.p)
        line = self.p.stderr.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if not m:
            sys.exit("bench_service: serve did not start: " + line)
        self.port = int(m.group(1))

    def wait_healthy(self):
        """Polls GET /healthz until it answers 200: seconds since the spawn."""
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                c.request("GET", "/healthz")
                r = c.getresponse()
                r.read()
                c.close()
                if r.status == 200:
                    return time.perf_counter() - self.t0
            except OSError:
                pass
            time.sleep(0.0005)

    def rss_kb(self):
        with open("/proc/%d/status" % self.p.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def requests(self):
        c = http.client.HTTPConnection("127.0.0.1", self.port)
        c.request("GET", "/metrics")
        text = c.getresponse().read().decode()
        c.close()
        return sum(int(float(l.rsplit(" ", 1)[1])) for l in text.splitlines()
                   if l.startswith("ksymres_http_requests_total{"))

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        rc = self.p.wait(timeout=30)
        self.p.stderr.close()
        if rc != 0:
            sys.exit("bench_service: serve exited %d" % rc)


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def wrk(port, path, body_file, seconds, conns=16, threads=2):
    script = os.path.join(os.path.dirname(body_file), "svc", "resolve.lua")
    with open(script, "w") as f:
        f.write('local f = io.open("%s", "rb")\nwrk.method = "POST"\nwrk.body = f:read("*a")\n'
                'f:close()\nwrk.headers["Accept"] = "application/octet-stream"\n'
                'wrk.headers["Content-Type"] = "application/octet-stream"\n' % body_file)
    out = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds, "--latency",
                          "-s", script, "http://127.0.0.1:%d%s" % (port, path)],
                         capture_output=True, text=True, check=True).stdout

    def lat(label):
        m = re.search(r"^\s+%s\s+([\d.]+)(us|ms|s)\s*$" % re.escape(label), out, re.M)
        v = float(m.group(1))
        return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
    m = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errs = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(m.group(1)), "p50_ms": lat("50%"), "p99_ms": lat("99%"),
            "non2xx": int(bad.group(1)) if bad else 0, "socket_errors": errs.group(1) if errs else ""}


def cli_loops(k, obj, prof, out_dir, seconds, loops=2):
    """`loops` shell loops of `ksymres resolve` processes for `seconds`:
    processes completed per second, all loops together."""
    script = ('end=$((${EPOCHREALTIME/./} + %d000000)); n=0; '
              'while [ "${EPOCHREALTIME/./}" -lt $end ]; do "$0" resolve "$1" -p "$2" -o "$3" >/dev/null || exit 1; '
              'n=$((n + 1)); done; echo $n') % seconds
    t0 = time.perf_counter()
    ps = [subprocess.Popen(["bash", "-c", script, k, obj, prof, os.path.join(out_dir, "loop%d.o" % j)],
                           stdout=subprocess.PIPE, text=True) for j in range(loops)]
    n = sum(int(p.communicate()[0].strip()) for p in ps)
    return n / (time.perf_counter() - t0)


SERVERS = []


def main():
    try:
        run()
    finally:
        for p in SERVERS:
            if p.poll() is None:
                p.kill()
                p.wait()


def run():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ksymres", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--floor-ms", type=float, required=True)
    ap.add_argument("--machine", default="")
    ap.add_argument("--out-md", required=True)
    ap.add_argument("--out-json", required=True)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    k, data = a.ksymres, a.data
    reps = 10 if a.quick else 50
    secs = 5 if a.quick else 10
    obj = os.path.join(data, "ext3.bpf.o")
    body = open(obj, "rb").read()
    if not shutil.which("wrk"):
        sys.exit("bench_service: wrk is not installed (Debian: wrk)")
    load_before = open("/proc/loadavg").read().split()[:3]

    log("== service: %d distinct profiles (%s/svc/gen)" % (NPROF, data))
    paths = gen_profiles(k, data)
    store = os.path.join(data, "svc", "store")
    shutil.rmtree(store, ignore_errors=True)
    s = Server(k, store)
    s.wait_healthy()
    put_ms = []
    c = http.client.HTTPConnection("127.0.0.1", s.port)
    ids = []
    for p in paths:
        img = open(p, "rb").read()
        t = time.perf_counter()
        c.request("PUT", "/v1/profiles?label=fleet=bench", body=img)
        r = c.getresponse()
        doc = json.loads(r.read())
        put_ms.append((time.perf_counter() - t) * 1000)
        if r.status != 201:
            sys.exit("bench_service: PUT %s: %d %s" % (p, r.status, doc))
        ids.append(doc["identity"])
    c.close()
    s.stop()
    if len(set(ids)) != NPROF:
        sys.exit("bench_service: the profiles are not distinct")
    stored = [os.path.join(store, "profiles", i + ".profile") for i in ids]

    log("== startup with %d profiles (n=%d)" % (NPROF, reps // 2))
    start_ms = []
    for _ in range(3 + reps // 2):
        s = Server(k, store)
        start_ms.append(s.wait_healthy() * 1000)
        s.stop()
    start_ms = start_ms[3:]

    s = Server(k, store)
    s.wait_healthy()
    log("== POST /v1/check, 3 externs x %d profiles (n=%d)" % (NPROF, reps))
    c = http.client.HTTPConnection("127.0.0.1", s.port)
    app_ms, client_ms = [], []
    first = None
    for i in range(3 + reps):
        t = time.perf_counter()
        c.request("POST", "/v1/check?label=fleet=bench", body=body)
        r = c.getresponse()
        answer = r.read()
        dt = (time.perf_counter() - t) * 1000
        if r.status != 200:
            sys.exit("bench_service: check: %d %s" % (r.status, answer[:300]))
        if first is None:
            first = (dt, answer)
        m = re.match(r"app;dur=([\d.]+)", r.getheader("Server-Timing", ""))
        if i >= 3:
            client_ms.append(dt)
            app_ms.append(float(m.group(1)))
    c.close()
    local = subprocess.run([k, "check", obj, "-j"] + [x for p in sorted(stored) for x in ("-p", p)],
                           capture_output=True)
    same = local.stdout == first[1]
    cli_ms = []
    for i in range(2 + max(3, reps // 5)):
        t = time.perf_counter()
        subprocess.run([k, "check", obj] + [x for p in stored for x in ("-p", p)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i >= 2:
            cli_ms.append((time.perf_counter() - t) * 1000)

    log("== POST /v1/resolve with wrk (16 connections, %d s) and two loops of ksymres resolve" % secs)
    path = "/v1/resolve?profile=" + ids[0]
    wrk(s.port, path, obj, 2)  # warm-up
    w = wrk(s.port, path, obj, secs)
    cli_rps = cli_loops(k, obj, stored[0], os.path.join(data, "svc"), secs)

    log("== RSS after >= 100,000 requests")
    done = s.requests()
    extra = []
    while done < 100000:
        need = 100000 - done
        extra.append(wrk(s.port, path, obj, max(2, int(need / max(w["rps"], 1) * 1.2) + 1)))
        done = s.requests()
    rss_mb = s.rss_kb() / 1024
    s.stop()
    load_after = open("/proc/loadavg").read().split()[:3]

    floor = a.floor_ms
    rows = [
        ("PUT of a 15 MB profile (verified + revalidated), median of %d" % NPROF, "%.1f ms" % med(put_ms), "", None),
        ("startup with %d profiles until /healthz answers" % NPROF,
         "%.2f ms = %.1fx the floor" % (med(start_ms), med(start_ms) / floor), "<= 20x", med(start_ms) / floor <= 20),
        ("POST /v1/check, 3 externs x %d profiles, server side (Server-Timing)" % NPROF,
         "%.2f ms = %.2fx the floor" % (med(app_ms), med(app_ms) / floor), "< the floor", med(app_ms) < floor),
        ("... client side (keep-alive, Python http.client)", "%.2f ms" % med(client_ms), "", None),
        ("... the first one (opens the %d profiles)" % NPROF, "%.2f ms" % first[0], "", None),
        ("`ksymres check` of the same, one process", "%.1f ms" % med(cli_ms), "", None),
        ("server's check answer = `ksymres check -j` of the stored files", "yes" if same else "NO", "", same),
        ("POST /v1/resolve, wrk -t2 -c16 -d%ds: requests/s" % secs, "%.0f" % w["rps"], ">= 2000", w["rps"] >= 2000),
        ("... p50 / p99", "%.2f / %.2f ms" % (w["p50_ms"], w["p99_ms"]), "p99 <= 10 ms", w["p99_ms"] <= 10),
        ("... non-2xx, socket errors", "%d, %s" % (w["non2xx"], w["socket_errors"] or "none"), "0, none",
         w["non2xx"] == 0 and not w["socket_errors"]),
        ("two loops of `ksymres resolve` processes: resolves/s", "%.0f" % cli_rps, "", None),
        ("throughput ratio, server / two CLI loops", "%.1fx" % (w["rps"] / cli_rps), ">= 10x", w["rps"] / cli_rps >= 10),
        ("RSS after %d requests" % done, "%.1f MB" % rss_mb, "<= 64 MB", rss_mb <= 64),
    ]
    res = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "nproc": os.cpu_count(),
           "machine": a.machine, "floor_ms": floor, "load_before": load_before, "load_after": load_after,
           "put_ms": put_ms, "startup_ms": start_ms, "check_app_ms": app_ms, "check_client_ms": client_ms,
           "check_first_ms": first[0], "check_cli_ms": cli_ms, "check_same": same, "resolve_wrk": w,
           "resolve_cli_loops_rps": cli_rps, "requests": done, "rss_mb": rss_mb,
           "extra_wrk": extra}
    json.dump(res, open(a.out_json, "w"), indent=1)
    lines = ["Service, %s: %d CPUs; %s; load %s before, %s after." % (
        res["date"], os.cpu_count(), a.machine, " ".join(load_before), " ".join(load_after)), "",
        "| what | value | goal | met |", "|---|---:|---|---|"]
    for what, v, goal, ok in rows:
        lines.append("| %s | %s | %s | %s |" % (what, v, goal, "" if ok is None else "yes" if ok else "**no**"))
    open(a.out_md, "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
