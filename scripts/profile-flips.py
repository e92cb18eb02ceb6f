#!/usr/bin/env python3
"""Flips every byte of a profile's headers, one at a time, and runs
`ksymres check OBJECT -p FLIPPED` on each: prints how many flips were
accepted (exit 0), per region. Version 2 profiles: the 4 KiB head (ELF
header, section table, .ksr.meta, .shstrtab, padding), the padding between
body sections (up to a block before each 4 KiB-aligned bucket table) and
the block table; version 1: the ELF header, .ksr.meta and the section
table. A measurement
tool for the format's coverage (docs/profile-format.md, "What covers each
byte"); the suite's own check is tests/unit/test_profile.c.

usage: profile-flips.py KSYMRES PROFILE OBJECT"""
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "python"))
import ksrfmt as K  # noqa: E402


def regions(data):
    """(name, lo, hi) byte ranges to flip; a name may cover several."""
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shnum, = struct.unpack_from("<H", data, 0x3c)
    if data[64:72] == b"KSRPROF\0":            # version 1
        return [("ELF header", 0, 64), (".ksr.meta", 64, 264),
                ("section table", shoff, shoff + shnum * 64)]
    e = K.Elf(bytes(data))
    meta, strt, blk = e.sec(".ksr.meta"), e.sec(".shstrtab"), e.sec(".ksr.blocks")
    body = sorted((s for s in e.sections if s.offset >= 4096), key=lambda s: s.offset)
    gaps = [("body padding", a.offset + a.size, b.offset) for a, b in zip(body, body[1:])
            if a.offset + a.size < b.offset]
    return [("ELF header", 0, 64), ("section table", 64, 64 + shnum * 64),
            (".ksr.meta", meta.offset, meta.offset + meta.size),
            (".shstrtab", strt.offset, strt.offset + strt.size),
            ("head padding", strt.offset + strt.size, 4096)] + gaps + \
        [(".ksr.blocks", blk.offset, blk.offset + blk.size)]


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
    size = {}
    for name, lo, hi in regions(data):
        size[name] = size.get(name, 0) + hi - lo
    for name, n in size.items():
        print(f"  {name} ({n} bytes): {accepted.get(name, 0)} accepted")
    sys.exit(1 if accepted else 0)


main()
