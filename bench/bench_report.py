#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Aggregates the JSON lines of one scripts/bench.sh run into results.json
and a Markdown table (results.md), with the machine and the performance
goals of docs/performance.md evaluated on this run's numbers.

usage: bench_report.py RESULTS.jsonl OUT.json OUT.md [--load-before S] [--load-after S] [--quick 0|1]
"""
import argparse
import datetime
import json
import os
import platform
import subprocess


def machine(args):
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_kb = 0
    try:
        with open("/proc/meminfo") as f:
            mem_kb = int(f.readline().split()[1])
    except (OSError, ValueError, IndexError):
        pass
    try:
        rev = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                             text=True, cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    except OSError:
        rev = ""
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "kernel": platform.release(),
        "mem_gib": round(mem_kb / 1048576, 1),
        "load_before": args.load_before,
        "load_after": args.load_after,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "git": rev,
        "quick": bool(int(args.quick)),
        "bandwidth_and_floor": args.machine,
    }


def find(runs, name):
    for r in runs:
        if r["name"] == name:
            return r
    return None


def goals(runs):
    out = []

    def add(goal, value, ok, where):
        out.append({"goal": goal, "value": value, "met": ok, "benchmark": where})

    r = find(runs, "load ksym_demo")
    if r and r["sides"][0]["label"].startswith("ksymres load"):
        add("ksymres load of a pre-resolved object >= 20x faster than libbpf loading the original",
            "%.1fx" % r["ratio"], r["ratio"] >= 20, r["name"])
    else:
        out.append({"goal": "ksymres load >= 20x faster than libbpf", "value": "not measured",
                    "met": None, "benchmark": "load ksym_demo"})
    for n in (3, 30, 100):
        r = find(runs, "resolve, %d externs" % n)
        if r:
            s = r["sides"][0]
            add("resolve, whole process, <= 5 ms (%d externs)" % n, "%.2f ms" % s["median"],
                s["median"] <= 5.0, r["name"])
            add("peak RSS of resolve <= 6 MB (%d externs)" % n, "%.1f MB" % (s["rss_kb"] / 1024),
                s["rss_kb"] <= 6 * 1024, r["name"])
    r = find(runs, "check, 30 externs x 100 profiles")
    if r:
        s = r["sides"][0]
        add("check of one object against 100 profiles <= 200 ms", "%.1f ms" % s["median"],
            s["median"] <= 200.0, r["name"])
    r = find(runs, "100 lookups after opening")
    if r:
        s = r["sides"][0]
        add("100 lookups <= 0.1 ms after opening a profile", "%.3f ms" % s["median"],
            s["median"] <= 0.1, r["name"])
    r = find(runs, "capture vs cat /proc/kallsyms")
    if r:
        add("capture <= 1.5x the kernel producing /proc/kallsyms", "%.2fx" % r["ratio"],
            r["ratio"] <= 1.5, r["name"])
    else:
        out.append({"goal": "capture <= 1.5x cat /proc/kallsyms", "value": "not measured (root)",
                    "met": None, "benchmark": "capture vs cat /proc/kallsyms"})
    return out


def fmt_ms(v):
    if v >= 100:
        return "%.1f" % v
    if v >= 1:
        return "%.2f" % v
    return "%.3f" % v


def markdown(doc):
    m = doc["machine"]
    lines = [
        "# ksymres benchmarks",
        "",
        "Machine: %s CPUs, %s, kernel %s, %s GiB; load average before %s, after %s; %s; git %s%s." % (
            m["nproc"], m["cpu"], m["kernel"], m["mem_gib"], m["load_before"], m["load_after"],
            m["date"], m["git"], " (quick run)" if m["quick"] else ""),
        "",
        m.get("bandwidth_and_floor") or "",
        "",
        "Times in ms (wall clock; whole process where a command is named), peak RSS in MB",
        "(the child's ru_maxrss, median over the runs). Ratio = median / median as named.",
        "Other = share of the CPUs used by other processes during that benchmark (noise;",
        "results above 5 % are marked).",
        "",
        "| group | benchmark | side | median | min | max | peak RSS | ratio | other |",
        "|---|---|---|---:|---:|---:|---:|---|---:|",
    ]
    for r in doc["runs"]:
        for i, s in enumerate(r["sides"]):
            rss = "%.1f" % (s["rss_kb"] / 1024) if "rss_kb" in s else ""
            ratio = ""
            if i == 0 and "ratio" in r:
                ratio = "%.2f (%s)" % (r["ratio"], r["ratio_def"])
            other = ""
            if i == 0 and "other_cpu_pct" in r:
                other = "%.1f %%%s" % (r["other_cpu_pct"], " NOISY" if r["other_cpu_pct"] > 5 else "")
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                r["group"] if i == 0 else "", "%s (n=%d)" % (r["name"], r["reps"]) if i == 0 else "",
                s["label"], fmt_ms(s["median"]), fmt_ms(s["min"]), fmt_ms(s["max"]), rss, ratio, other))
    lines += ["", "## Goals (this run)", "", "| goal | value | met |", "|---|---|---|"]
    for g in doc["goals"]:
        met = "—" if g["met"] is None else ("yes" if g["met"] else "**no**")
        lines.append("| %s | %s | %s |" % (g["goal"], g["value"], met))
    notes = [r for r in doc["runs"] if r.get("note")]
    if notes:
        lines += ["", "## Notes", ""]
        for r in notes:
            lines.append("- %s: %s" % (r["name"], r["note"]))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("jsonl")
    ap.add_argument("out_json")
    ap.add_argument("out_md")
    ap.add_argument("--load-before", default="")
    ap.add_argument("--load-after", default="")
    ap.add_argument("--quick", default="0")
    ap.add_argument("--machine", default="")
    args = ap.parse_args()
    runs = []
    with open(args.jsonl) as f:
        for line in f:
            if line.strip():
                runs.append(json.loads(line))
    doc = {"machine": machine(args), "runs": runs, "goals": goals(runs)}
    with open(args.out_json, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    md = markdown(doc)
    with open(args.out_md, "w") as f:
        f.write(md)
    print(md)


if __name__ == "__main__":
    main()
