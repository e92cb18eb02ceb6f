#!/usr/bin/env python3
"""Extracts the ELF vmlinux from an x86 bzImage (Debian's vmlinuz).

usage: extract-vmlinux.py VMLINUZ OUT

The boot header says where the compressed payload is: setup_sects at 0x1f1,
the protected-mode code at (setup_sects + 1) * 512, payload_offset and
payload_length at 0x248/0x24c relative to it. The payload is compressed
vmlinux.bin (vmlinux with symbols stripped; .BTF is an allocated section and
stays) followed by 4 bytes of uncompressed size. If the header is not
usable, the first compression magic that decompresses to an ELF file is
taken (the extract-vmlinux approach)."""
import struct
import subprocess
import sys

MAGICS = [  # (name, magic, decompressor)
    ("zstd", b"\x28\xb5\x2f\xfd", ["zstd", "-dcq"]),
    ("xz", b"\xfd7zXZ\x00", ["xz", "-dcq"]),
    ("gzip", b"\x1f\x8b\x08", ["gzip", "-dcq"]),
    ("lz4", b"\x02\x21\x4c\x18", ["lz4", "-dcq"]),
    ("lzma", b"\x5d\x00\x00", ["xz", "--format=lzma", "-dcq"]),
    ("bzip2", b"BZh", ["bzip2", "-dcq"]),
]


def decompress(cmd, blob):
    # Trailing bytes (the size word) make some tools complain after they
    # have written everything: judge by the output, not the exit status.
    try:
        p = subprocess.run(cmd, input=blob, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except FileNotFoundError:
        return b""
    return p.stdout


def main():
    src, out = sys.argv[1], sys.argv[2]
    img = open(src, "rb").read()
    candidates = []
    if img[0x202:0x206] == b"HdrS":
        setup = img[0x1F1] or 4
        pm = (setup + 1) * 512
        off, length = struct.unpack_from("<II", img, 0x248)
        if off and length and pm + off + length <= len(img):
            payload = img[pm + off:pm + off + length]
            for name, magic, cmd in MAGICS:
                if payload.startswith(magic):
                    candidates.append((name, pm + off, cmd, payload[:-4] if name == "lz4" else payload))
    for name, magic, cmd in MAGICS:
        pos = img.find(magic)
        while pos >= 0 and len(candidates) < 16:
            candidates.append((name, pos, cmd, img[pos:]))
            pos = img.find(magic, pos + 1)
    for name, pos, cmd, blob in candidates:
        elf = decompress(cmd, blob)
        if elf.startswith(b"\x7fELF"):
            with open(out, "wb") as f:
                f.write(elf)
            print(f"{src}: {name} payload at {pos:#x}, vmlinux {len(elf)} bytes")
            return 0
    print(f"{src}: no compressed ELF payload found", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
