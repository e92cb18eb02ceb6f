#!/usr/bin/env python3
"""section_offset.py FILE SECTION [NEEDLE]: the file offset of SECTION of an
ELF64 little-endian file (a profile, an object), or of the first NEEDLE
(bytes, Python escapes allowed) inside it."""
import struct
import sys

data = open(sys.argv[1], "rb").read()
shoff, = struct.unpack_from("<Q", data, 0x28)
shnum, shstrndx = struct.unpack_from("<HH", data, 0x3c)
hdr = lambda i: struct.unpack_from("<IIQQQQIIQQ", data, shoff + 64 * i)  # noqa: E731
stroff = hdr(shstrndx)[4]
for i in range(shnum):
    h = hdr(i)
    name = data[stroff + h[0]:data.index(b"\0", stroff + h[0])].decode()
    if name != sys.argv[2]:
        continue
    off, size = h[4], h[5]
    if len(sys.argv) > 3:
        needle = sys.argv[3].encode().decode("unicode_escape").encode("latin-1")
        at = data.find(needle, off, off + size)
        if at < 0:
            sys.exit(f"{sys.argv[3]!r} not in {name}")
        off = at
    print(off)
    sys.exit(0)
sys.exit(f"no section {sys.argv[2]}")
