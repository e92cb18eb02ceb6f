#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Picks a seed corpus within a byte budget, by edge coverage per byte.

usage: corpus_budget.py FUZZER OUT_DIR BUDGET_BYTES DIR...

FUZZER is a libFuzzer-built fuzz_<target>. Each round runs
`FUZZER -merge=1 -use_counters=0 -use_value_profile=0` with what OUT_DIR
already holds as the initial corpus and the candidate inputs from DIR...;
libFuzzer records, per candidate (smallest first), the coverage edges that
neither the selection nor a smaller candidate reached. The candidates with
the most new edges per byte are added to OUT_DIR (named by SHA-1, as
libFuzzer names them), up to half the budget left, and the next round
measures again, until nothing new fits. Inputs over 64 KiB are never kept.
Prints the seeds, bytes, and the edges still missing from the selection."""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

MAX_SEED = 64 * 1024
MAX_ROUNDS = 8


def merge(fuzzer, initial, dirs, work):
    """Runs one merge; returns (files, sizes, new-edge counts, initial count)."""
    scratch = os.path.join(work, "scratch")
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(initial, scratch)
    control = os.path.join(work, "control")
    if os.path.exists(control):
        os.unlink(control)  # libFuzzer would resume the previous merge from it
    subprocess.run([fuzzer, "-merge=1", "-use_counters=0", "-use_value_profile=0",
                    "-timeout=10", "-rss_limit_mb=2048", f"-merge_control_file={control}",
                    scratch, *dirs], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    with open(control) as f:
        lines = f.read().split("\n")
    n, first = int(lines[0]), int(lines[1])
    files = lines[2:2 + n]
    size, cov = {}, {}
    for line in lines[2 + n:]:
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "STARTED":
            size[int(parts[1])] = int(parts[2])
        elif parts and parts[0] == "COV":
            cov[int(parts[1])] = len(parts) - 2
    return files, size, cov, first


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    fuzzer, out, budget, dirs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    os.makedirs(out, exist_ok=True)
    used = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    missing = 0
    with tempfile.TemporaryDirectory(prefix="ksr-budget.") as work:
        for _ in range(MAX_ROUNDS):
            files, size, cov, first = merge(fuzzer, out, dirs, work)
            new = [i for i, c in cov.items()
                   if i >= first and c > 0 and 0 < size.get(i, 0) <= MAX_SEED]
            missing = sum(cov[i] for i in new)
            new.sort(key=lambda i: (-cov[i] / size[i], size[i]))
            room = max((budget - used) // 2, min((size[i] for i in new), default=0))
            added = 0
            for i in new:
                if added + size[i] > room or used + size[i] > budget:
                    continue
                with open(files[i], "rb") as f:
                    data = f.read()
                with open(os.path.join(out, hashlib.sha1(data).hexdigest()), "wb") as f:
                    f.write(data)
                added += len(data)
            used += added
            if not added:
                break
        files, size, cov, first = merge(fuzzer, out, dirs, work)
        missing = sum(c for i, c in cov.items() if i >= first)
    print(f"{len(os.listdir(out))} seeds, {used} bytes; {missing} edges of the candidates "
          f"left out")


if __name__ == "__main__":
    main()
