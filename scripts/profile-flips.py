#!/usr/bin/env python3
"""Flips every byte of a profile's ELF header, .ksr.meta and section table,
one at a time, and runs `ksymres check OBJECT -p FLIPPED` on each: prints how
many flips were accepted (exit 0), per region. A measurement tool for the
format's coverage (docs/profile-format.md, "What covers each byte"); the
suite's own check is tests/unit/test_profile.c."""
import os, struct, subprocess, sys, tempfile

def main():
    if len(sys.argv) != 4:
        sys.exit("usage: profile-flips.py KSYMRES PROFILE OBJECT")
    binary, profile, obj = sys.argv[1:]
    data = bytearray(open(profile, "rb").read())
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shnum, = struct.unpack_from("<H", data, 0x3c)
    regions = [("ELF header", 0, 64), (".ksr.meta", 64, 64 + 200),
               ("section table", shoff, shoff + shnum * 64)]
    fields = ["name", "type", "flags", "addr", "offset", "size", "link", "info",
              "addralign", "entsize"]
    widths = [4, 4, 8, 8, 8, 8, 4, 4, 8, 8]
    accepted, total, byfield = {}, 0, {}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "flip.profile")
        for name, lo, hi in regions:
            for off in range(lo, hi):
                data[off] ^= 0xff
                with open(path, "wb") as f:
                    f.write(data)
                data[off] ^= 0xff
                total += 1
                r = subprocess.run([binary, "check", obj, "-p", path],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                if r.returncode == 0:
                    accepted[name] = accepted.get(name, 0) + 1
                    if name == "section table":
                        rel = (off - shoff) % 64
                        for fname, w in zip(fields, widths):
                            if rel < w:
                                byfield[fname] = byfield.get(fname, 0) + 1
                                break
                            rel -= w
    print(f"bytes flipped: {total}; accepted: {sum(accepted.values())}")
    for name, _, _ in regions:
        print(f"  {name}: {accepted.get(name, 0)}")
    if byfield:
        print("  section table by field: " +
              ", ".join(f"{k} {v}" for k, v in byfield.items()))
    sys.exit(1 if accepted else 0)

main()
