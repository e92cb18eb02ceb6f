#!/usr/bin/env python3
"""Checks a `resolve -j` / `check -j` report against expected statuses.
usage: expect.py REPORT.json name=status [name=status ...]
For check reports the first profile is used."""
import json
import sys

report = json.load(open(sys.argv[1]))
externs = report["externs"] if "externs" in report else report["profiles"][0]["externs"]
got = {e["name"]: e for e in externs}
bad = []
for arg in sys.argv[2:]:
    name, status = arg.split("=")
    if name not in got:
        bad.append(f"{name}: not reported")
    elif got[name]["status"] != status:
        bad.append(f"{name}: {got[name]['status']} (expected {status}): {got[name].get('reason', '')}")
for e in externs:
    if e["status"] == "resolved" and e["kind"] == "typeless" and "address" not in e:
        bad.append(f"{e['name']}: resolved typeless without address")
    if e["status"] == "resolved" and e["kind"] != "typeless" and "btf_id" not in e:
        bad.append(f"{e['name']}: resolved without btf_id")
    if e["status"] != "resolved" and not e.get("reason"):
        bad.append(f"{e['name']}: {e['status']} without reason")
if bad:
    print("; ".join(bad))
    sys.exit(1)
