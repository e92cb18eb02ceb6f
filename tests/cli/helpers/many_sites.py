#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""many_sites.py IN OUT N: rewrites typeless.bpf.o (one program in section
"tc": `r0 = bpf_prog_put ll; exit`) into an object whose program repeats
the ld_imm64 N times, each with its R_BPF_INSN_64 relocation: N extern
sites. The new "tc" and ".reltc" contents are appended to the file and
their section headers (and the program symbol's size) point at them."""
import struct
import sys

sys.dont_write_bytecode = True
import ksrfmt as K  # noqa: E402  (tools/python, on PYTHONPATH)

src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
blob = bytearray(open(src, "rb").read())
e = K.Elf(bytes(blob))
tc, rel = e.sec("tc"), e.sec(".reltc")
assert tc.size == 24 and rel.size == 16, "expects typeless.bpf.o"
ld, exit_ = tc.data[:16], tc.data[16:24]
r_off, r_info = struct.unpack_from("<QQ", rel.data, 0)
assert r_off == 0


def append(data):
    while len(blob) % 8:
        blob.append(0)
    off = len(blob)
    blob.extend(data)
    return off


code_off = append(ld * n + exit_)
rel_off = append(b"".join(struct.pack("<QQ", 16 * i, r_info) for i in range(n)))
for sec, off, size in ((tc, code_off, 16 * n + 8), (rel, rel_off, 16 * n)):
    h = e.shdr_off(sec.idx)
    struct.pack_into("<QQ", blob, h + 24, off, size)
for s in e.symbols():
    if s["shndx"] == tc.idx and s["size"] == 24:
        struct.pack_into("<Q", blob, s["off"] + 16, 16 * n + 8)
open(dst, "wb").write(blob)
