#!/usr/bin/env python3
"""Flips every byte of a profile's headers, one at a time, and runs
`ksymres check OBJECT -p FLIPPED` on each: prints how many flips were
accepted (exit 0), per region. Version 2 profiles: the 4 KiB head (ELF
header, section table, .ksr.meta, .shstrtab, padding) and the block table;
version 1: the ELF header, .ksr.meta and the section table. A measurement
tool for the format's coverage (docs/profile-format.md, "What covers each
byte"); the suite's own check is tests/unit/test_profile.c.

usage: profile-flips.py KSYMRES PROFILE OBJECT"""
import os
import struct
import subprocess
import sys
import tempfile


def regions(data):
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shnum, = struct.unpack_from("<H", data, 0x3c)
    if data[64:72] == b"KSRPROF\0":            # version 1
        return [("ELF header", 0, 64), (".ksr.meta", 64, 264),
                ("section table", shoff, shoff + shnum * 64)]
    sec = lambda i: struct.unpack_from("<IIQQQQIIQQ", data, shoff + 64 * i)  # noqa: E731
    meta, strt, blk = sec(1), sec(2), sec(shnum - 1)
    return [("ELF header", 0, 64), ("section table", 64, 64 + shnum * 64),
            (".ksr.meta", meta[4], meta[4] + meta[5]),
            (".shstrtab", strt[4], strt[4] + strt[5]),
            ("head padding", strt[4] + strt[5], 4096),
            (".ksr.blocks", blk[4], blk[4] + blk[5])]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    binary, profile, obj = sys.argv[1:]
    data = bytearray(open(profile, "rb").read())
    accepted, total = {}, 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "flip.profile")
        with open(path, "wb") as f:
            f.write(data)
        fd = os.open(path, os.O_RDWR)
        for name, lo, hi in regions(data):
            for off in range(lo, hi):
                os.pwrite(fd, bytes([data[off] ^ 0xff]), off)
                total += 1
                r = subprocess.run([binary, "check", obj, "-p", path],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                if r.returncode == 0:
                    accepted[name] = accepted.get(name, 0) + 1
                os.pwrite(fd, bytes([data[off]]), off)
        os.close(fd)
    print(f"bytes flipped: {total}; accepted: {sum(accepted.values())}")
    for name, lo, hi in regions(data):
        print(f"  {name} ({hi - lo} bytes): {accepted.get(name, 0)} accepted")
    sys.exit(1 if accepted else 0)


main()
