#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Generates one input per bad-input class of docs/bad-inputs.md (hardening
catalogue E/I/B/X/K/P/O) by mutating the clang-built test objects, a
hand-built kernel-valid BTF, a kallsyms text and a profile made from them.

usage: malformed_gen.py --ksymres BIN --objects DIR --out DIR

Writes the inputs into OUT and prints one case per line, tab-separated:
    ID  EXPECT  COMMAND  FILE  REGEX
EXPECT is 3 (malformed: exit 3, one stderr line naming FILE and matching
REGEX), 0 (the class must be accepted, e.g. a pointer cycle), or 1 (a
policy decision reported by resolve). COMMAND says which CLI call reads
FILE: obj (inspect FILE), btf (profile --btf FILE), ks (profile --kallsyms
FILE), prof (check OBJ -p FILE), res (resolve OBJ -p FILE)."""
import argparse
import copy
import os
import struct
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import ksrfmt as K  # noqa: E402  (tools/python, on PYTHONPATH)
from ksrfmt import Type as T  # noqa: E402

CASES = []


def case(cid, expect, cmd, regex=""):
    def reg(fn):
        CASES.append((cid, expect, cmd, regex, fn))
        return fn
    return reg


# ---- object mutation helpers ----------------------------------------------

EH = dict(type=(16, "<H"), machine=(18, "<H"), version=(20, "<I"), phoff=(32, "<Q"),
          shoff=(40, "<Q"), ehsize=(52, "<H"), phnum=(56, "<H"), shentsize=(58, "<H"),
          shnum=(60, "<H"), shstrndx=(62, "<H"))
SH = dict(name=(0, "<I"), type=(4, "<I"), flags=(8, "<Q"), offset=(24, "<Q"), size=(32, "<Q"),
          link=(40, "<I"), info=(44, "<I"), align=(48, "<Q"), entsize=(56, "<Q"))
SY = dict(name=(0, "<I"), info=(4, "<B"), other=(5, "<B"), shndx=(6, "<H"), value=(8, "<Q"),
          size=(16, "<Q"))


class Obj:
    def __init__(self, blob):
        self.b = bytearray(blob)
        self.e = K.Elf(blob)

    def put(self, off, fmt, v):
        struct.pack_into(fmt, self.b, off, v)
        return self

    def get(self, off, fmt):
        return struct.unpack_from(fmt, self.b, off)[0]

    def eh(self, **kw):
        for k, v in kw.items():
            self.put(EH[k][0], EH[k][1], v)
        return self

    def idx(self, name):
        return self.e.sec(name).idx

    def sh_off(self, sec):
        i = sec if isinstance(sec, int) else self.idx(sec)
        return self.e.shoff + 64 * i

    def sh(self, sec, **kw):
        for k, v in kw.items():
            self.put(self.sh_off(sec) + SH[k][0], SH[k][1], v)
        return self

    def shget(self, sec, k):
        return self.get(self.sh_off(sec) + SH[k][0], SH[k][1])

    def data_off(self, sec):
        return self.e.sec(sec).offset

    def sym_off(self, symname):
        return next(s["off"] for s in self.e.symbols() if s["name"] == symname)

    def sym(self, symname, **kw):
        for k, v in kw.items():
            self.put(self.sym_off(symname) + SY[k][0], SY[k][1], v)
        return self

    def rel_off(self, relsec, i):
        return self.data_off(relsec) + 16 * i

    def rel(self, relsec, i, offset=None, sym=None, rtype=None):
        o = self.rel_off(relsec, i)
        r_off, info = struct.unpack_from("<QQ", self.b, o)
        s, t = info >> 32, info & 0xffffffff
        struct.pack_into("<QQ", self.b, o, r_off if offset is None else offset,
                         ((s if sym is None else sym) << 32) | (t if rtype is None else rtype))
        return self

    def rel_get(self, relsec, i):
        r_off, info = struct.unpack_from("<QQ", self.b, self.rel_off(relsec, i))
        return r_off, info >> 32, info & 0xffffffff

    def shstr_off(self, name):
        """Offset of name (a whole string or a suffix) in .shstrtab."""
        st = self.e.sections[self.e.shstrndx]
        return st.data.index(name.encode() + b"\0")

    def replace(self, sec, data, align=8):
        """Points section sec at new bytes appended to the file."""
        while len(self.b) % align:
            self.b.append(0)
        self.sh(sec, offset=len(self.b), size=len(data))
        self.b += data
        return self

    def btf(self):
        raw = self.e.sec(".BTF").data
        return K.parse_btf(raw), K.btf_strings(raw)

    def set_btf(self, types, strs):
        return self.replace(".BTF", K.write_btf(types, strs), 4)

    def ext(self):
        return bytearray(self.e.sec(".BTF.ext").data)

    def set_ext(self, data):
        return self.replace(".BTF.ext", bytes(data), 4)

    def bytes(self):
        return bytes(self.b)


def find_type(types, kind, name):
    return next(i for i, t in enumerate(types) if t and t.kind == kind and t.name == name)


# ---- raw BTF helpers --------------------------------------------------------

def base_types():
    return K.all_kinds_btf()


def btf_with(fn):
    ts = copy.deepcopy(base_types())
    fn(ts)
    return K.write_btf(ts)


def btf_hdr(blob, **kw):
    b = bytearray(blob)
    pos = dict(magic=(0, "<H"), version=(2, "<B"), flags=(3, "<B"), hdr_len=(4, "<I"),
               type_off=(8, "<I"), type_len=(12, "<I"), str_off=(16, "<I"), str_len=(20, "<I"))
    for k, v in kw.items():
        struct.pack_into(pos[k][1], b, pos[k][0], v)
    return bytes(b)


def hdr_fields(blob):
    return struct.unpack_from("<HBBIIIII", blob, 0)


KS_BASE = """ffffffff81000000 T _text
ffffffff81000000 T startup_64
ffffffff81511410 T bpf_rcu_read_lock
ffffffff81511450 T bpf_rcu_read_unlock
ffffffff81510a30 T bpf_task_from_pid
ffffffff814d3730 T bpf_prog_put
0000000000020a08 D bpf_prog_active
0000000000032d40 D runqueues
ffffffffc0a01000 t nf_conntrack_init\t[nf_conntrack]
"""


# ============================================================================
# E: ELF container (inspect OBJECT)
# ============================================================================

@case("E1", 3, "obj", "shorter than the ELF header")
def e1_short(c):
    return c.kf[:40]


@case("E1", 3, "obj", "e_ehsize")
def e1_ehsize(c):
    return Obj(c.kf).eh(ehsize=52).bytes()


@case("E2", 3, "obj", "bad magic")
def e2_magic(c):
    return b"\x7fELG" + c.kf[4:]


@case("E2", 3, "obj", "EI_CLASS")
def e2_class(c):
    return Obj(c.kf).put(4, "<B", 1).bytes()


@case("E2", 3, "obj", "big-endian")
def e2_msb(c):
    return Obj(c.kf).put(5, "<B", 2).bytes()


@case("E2", 3, "obj", "EI_DATA")
def e2_data(c):
    return Obj(c.kf).put(5, "<B", 7).bytes()


@case("E2", 3, "obj", "EI_VERSION")
def e2_version(c):
    return Obj(c.kf).put(6, "<B", 0).bytes()


@case("E3", 3, "obj", "ET_REL")
def e3_type(c):
    return Obj(c.kf).eh(type=2).bytes()


@case("E3", 3, "obj", "e_machine")
def e3_machine(c):
    return Obj(c.kf).eh(machine=62).bytes()


@case("E4", 3, "obj", "e_shentsize")
def e4_shentsize(c):
    return Obj(c.kf).eh(shentsize=40).bytes()


@case("E5", 3, "obj", "past the end")
def e5_past_eof(c):
    return Obj(c.kf).eh(shoff=len(c.kf) + 64).bytes()


@case("E5", 3, "obj", "not 8-aligned")
def e5_unaligned(c):
    return Obj(c.kf).eh(shoff=Obj(c.kf).e.shoff + 4).bytes()


@case("E5", 3, "obj", "past the end")
def e5_overflow(c):
    return Obj(c.kf).eh(shoff=(1 << 64) - 64).bytes()


@case("E6", 3, "obj", "section count")
def e6_zero_count(c):
    return Obj(c.kf).eh(shnum=0).bytes()


@case("E6", 3, "obj", "section count|run past the end")
def e6_huge_count(c):
    o = Obj(c.kf).eh(shnum=0)
    return o.put(o.e.shoff + 32, "<Q", 1 << 40).bytes()


@case("E6", 3, "obj", "section name table index|reserved")
def e6_xindex(c):
    o = Obj(c.kf).eh(shstrndx=0xffff)
    return o.put(o.e.shoff + 40, "<I", 4000).bytes()


@case("E7", 3, "obj", "section name table index")
def e7_range(c):
    o = Obj(c.kf)
    return o.eh(shstrndx=o.e.shnum).bytes()


@case("E7", 3, "obj", "SHT_STRTAB|string table|shstrtab|section names")
def e7_type(c):
    o = Obj(c.kf)
    return o.eh(shstrndx=o.idx(".BTF")).bytes()


@case("E7", 3, "obj", "NUL|terminated")
def e7_unterminated(c):
    o = Obj(c.kf)
    st = o.e.sections[o.e.shstrndx]
    return o.put(st.offset + st.size - 1, "<B", 0x41).bytes()


@case("E8", 3, "obj", "past the end|outside the file|beyond")
def e8_past_eof(c):
    return Obj(c.kf).sh(".BTF", size=1 << 20).bytes()


@case("E8", 3, "obj", "past the end|outside the file|overflow|beyond")
def e8_overflow(c):
    return Obj(c.kf).sh(".BTF", offset=(1 << 64) - 8, size=16).bytes()


@case("E9", 3, "obj", "name")
def e9_name(c):
    return Obj(c.kf).sh("license", name=0xfffff).bytes()


@case("E10", 3, "obj", "twice|duplicate")
def e10_duplicate(c):
    o = Obj(c.kf)
    return o.sh("tc", name=o.shstr_off("syscall")).bytes()


@case("E10", 3, "obj", "empty name|no name|name")
def e10_empty(c):
    return Obj(c.kf).sh("license", name=0).bytes()


@case("E11", 3, "obj", "symbol table|SHT_SYMTAB")
def e11_none(c):
    return Obj(c.kf).sh(".symtab", type=K.SHT_PROGBITS).bytes()


@case("E11", 3, "obj", "symbol table|SHT_SYMTAB|overlap")
def e11_two(c):
    o = Obj(c.kf)
    st = o.e.sec(".symtab")
    dup = bytes(o.b[st.offset:st.offset + st.size])
    o.sh(".llvm_addrsig", type=K.SHT_SYMTAB, link=st.link, info=st.info, entsize=24, align=8)
    return o.replace(".llvm_addrsig", dup).bytes()


@case("E12", 3, "obj", "entsize|entry size")
def e12_entsize0(c):
    return Obj(c.kf).sh(".symtab", entsize=0).bytes()


@case("E12", 3, "obj", "entsize|entry size")
def e12_entsize16(c):
    return Obj(c.kf).sh(".symtab", entsize=16).bytes()


@case("E12", 3, "obj", "multiple|size")
def e12_size(c):
    o = Obj(c.kf)
    return o.sh(".symtab", size=o.shget(".symtab", "size") - 8).bytes()


@case("E13", 3, "obj", "sh_link|string table|strtab")
def e13_link_range(c):
    return Obj(c.kf).sh(".symtab", link=999).bytes()


@case("E13", 3, "obj", "sh_link|string table|strtab|STRTAB")
def e13_link_type(c):
    o = Obj(c.kf)
    return o.sh(".symtab", link=o.idx(".BTF")).bytes()


@case("E14", 3, "obj", "symbol 0")
def e14_sym0(c):
    o = Obj(c.kf)
    return o.put(o.data_off(".symtab") + 8, "<Q", 1).bytes()


@case("E15", 3, "obj", "name")
def e15_name_range(c):
    return Obj(c.kf).sym("kfunc_tc", name=0xfffff).bytes()


@case("E15", 3, "obj", "NUL|terminated|string table")
def e15_unterminated(c):
    o = Obj(c.kf)
    st = o.e.sec(".strtab")
    return o.put(st.offset + st.size - 1, "<B", 0x41).bytes()


@case("E16", 3, "obj", "section index|st_shndx|out of range")
def e16_range(c):
    return Obj(c.kf).sym("kfunc_tc", shndx=500).bytes()


@case("E16", 3, "obj", "SHN_COMMON|common|special|section index|st_shndx")
def e16_common(c):
    return Obj(c.kf).sym("LICENSE", shndx=0xfff2).bytes()


@case("E16", 3, "obj", "SHN_XINDEX|XINDEX|section index|st_shndx")
def e16_xindex(c):
    return Obj(c.kf).sym("LICENSE", shndx=0xffff).bytes()


@case("E16", 3, "obj", "relocation section")
def e16_in_rel(c):
    """A symbol defined inside a SHT_REL section (found by the pipeline
    fuzz target: the patcher shrinks relocation sections)."""
    o = Obj(c.kf)
    return o.sym("LBB0_4", shndx=o.idx(".relsyscall")).bytes()


@case("E17", 3, "obj", "beyond|past|outside|exceeds|ends")
def e17_past(c):
    return Obj(c.kf).sym("kfunc_tc", size=4096).bytes()


@case("E17", 3, "obj", "aligned|multiple of 8")
def e17_unaligned(c):
    return Obj(c.kf).sym("kfunc_tc", value=4, size=16).bytes()


@case("E17", 3, "obj", "size 0|zero|empty")
def e17_zero(c):
    return Obj(c.kf).sym("kfunc_tc", size=0).bytes()


@case("E17", 3, "obj", "beyond|past|outside|overflow|exceeds|ends")
def e17_overflow(c):
    return Obj(c.kf).sym("kfunc_tc", value=(1 << 64) - 8, size=16).bytes()


@case("E18", 3, "obj", "LOCAL|local|binding|not a named GLOBAL/WEAK")
def e18_local(c):
    return Obj(c.kf).sym("bpf_rcu_read_lock", info=0x00).bytes()


@case("E18", 3, "obj", "NOTYPE|type")
def e18_type(c):
    return Obj(c.kf).sym("bpf_rcu_read_lock", info=0x11).bytes()


@case("E18", 3, "obj", "value|size")
def e18_value(c):
    return Obj(c.kf).sym("bpf_rcu_read_lock", value=8).bytes()


@case("E18", 3, "obj", "no BTF VAR or FUNC")
def e18_nobtf(c):
    o = Obj(c.kf)
    st = o.e.sec(".strtab")
    return o.sym("bpf_rcu_read_lock", name=st.data.index(b"LBB0_5\0")).bytes()


@case("E19", 3, "obj", "entsize|entry size")
def e19_entsize(c):
    return Obj(c.kf).sh(".reltc", entsize=24).bytes()


@case("E19", 3, "obj", "multiple|size")
def e19_size(c):
    return Obj(c.kf).sh(".reltc", size=24).bytes()


@case("E19", 3, "obj", "sh_link|symbol table|symtab")
def e19_link(c):
    return Obj(c.kf).sh(".reltc", link=1).bytes()


@case("E19", 3, "obj", "sh_info|target")
def e19_info0(c):
    return Obj(c.kf).sh(".reltc", info=0).bytes()


@case("E19", 3, "obj", "sh_info|target")
def e19_info_range(c):
    return Obj(c.kf).sh(".reltc", info=999).bytes()


@case("E19", 3, "obj", "sh_info|target|itself")
def e19_info_self(c):
    o = Obj(c.kf)
    return o.sh(".reltc", info=o.idx(".reltc")).bytes()


@case("E19", 3, "obj", "target|PROGBITS|sh_info")
def e19_target_type(c):
    o = Obj(c.kf)
    return o.sh(".reltc", info=o.idx(".symtab")).bytes()


@case("E19", 3, "obj", "name|\\.rel")
def e19_name(c):
    o = Obj(c.kf)
    return o.sh(".reltc", info=o.idx("license")).bytes()


@case("E19", 3, "obj", "RELA|section type 4 is not supported")
def e19_rela(c):
    return Obj(c.kf).sh(".reltc", type=4, entsize=24).bytes()


@case("E20", 3, "obj", "symbol 0|symbol index|out of range|null symbol")
def e20_sym0(c):
    return Obj(c.kf).rel(".reltc", 0, sym=0).bytes()


@case("E20", 3, "obj", "symbol|out of range")
def e20_range(c):
    return Obj(c.kf).rel(".reltc", 0, sym=999).bytes()


@case("E21", 3, "obj", "type 7|relocation type|unsupported")
def e21_type(c):
    return Obj(c.kf).rel(".reltc", 0, rtype=7).bytes()


@case("E22", 3, "obj", "offset|past|beyond|outside")
def e22_range(c):
    return Obj(c.kf).rel(".reltc", 0, offset=0x1000).bytes()


@case("E22", 3, "obj", "multiple of 8|aligned|boundary|instruction")
def e22_unaligned(c):
    return Obj(c.kf).rel(".reltc", 0, offset=4).bytes()


@case("E23", 3, "obj", "twice|same|overlap|duplicate|second relocation")
def e23_same(c):
    o = Obj(c.kf)
    off, _, _ = o.rel_get(".relsyscall", 0)
    return o.rel(".relsyscall", 1, offset=off).bytes()


@case("E24", 3, "obj", "NOBITS|PROGBITS|no data")
def e24_btf(c):
    return Obj(c.kf).sh(".BTF", type=K.SHT_NOBITS).bytes()


@case("E24", 3, "obj", "NOBITS|PROGBITS|no data")
def e24_code(c):
    return Obj(c.kf).sh("tc", type=K.SHT_NOBITS).bytes()


@case("E24", 3, "obj", "NOBITS|no data|no bytes|license")
def e24_license(c):
    return Obj(c.kf).sh("license", type=K.SHT_NOBITS).bytes()


@case("E25", 3, "obj", "overlap")
def e25_sections(c):
    o = Obj(c.kf)
    return o.sh(".BTF.ext", offset=o.data_off(".BTF")).bytes()


@case("E25", 3, "obj", "overlap|ELF header")
def e25_ehdr(c):
    return Obj(c.kf).sh("license", offset=0).bytes()


@case("E25", 3, "obj", "overlap|section header")
def e25_shdrs(c):
    o = Obj(c.kf)
    return o.sh("license", offset=o.e.shoff + 64).bytes()


@case("E26", 3, "obj", "compress")
def e26_compressed(c):
    o = Obj(c.kf)
    return o.sh(".BTF", flags=o.shget(".BTF", "flags") | 0x800).bytes()


@case("E27", 3, "obj", "align")
def e27_align(c):
    return Obj(c.kf).sh("license", align=3).bytes()


@case("E27", 0, "obj")
def e27_misaligned_btf_ok(c):
    """.BTF at an odd file offset: copied before parsing, so accepted."""
    o = Obj(c.kf)
    data = o.e.sec(".BTF").data
    o.b += b"\0" * (8 - len(o.b) % 8 + 1)
    o.sh(".BTF", offset=len(o.b), size=len(data), align=1)
    o.b += data
    return o.bytes()


@case("E28", 3, "obj", "multiple of 8|size")
def e28_size(c):
    return Obj(c.kf).sh("tc", size=0x1c).sym("kfunc_tc", size=0x18).bytes()


@case("E29", 3, "obj", "license|NUL|terminated")
def e29_license(c):
    o = Obj(c.kf)
    return o.put(o.data_off("license") + 3, "<B", 0x58).bytes()


@case("E30", 3, "obj", "section count|past the end|run past")
def e30_counts(c):
    return Obj(c.kf).eh(shnum=65535).bytes()


@case("E30", 3, "obj", "past the end|outside|beyond")
def e30_symtab(c):
    return Obj(c.kf).sh(".symtab", size=24 * 10_000_000).bytes()


# ============================================================================
# I: instructions at relocation sites (inspect OBJECT)
# ============================================================================

def tl_site(c):
    """typeless.bpf.o: (object, code section name, rel section name,
    index of the first relocation against an extern, its insn offset)."""
    o = Obj(c.tl)
    syms = o.e.symbols()
    for s in o.e.sections:
        if s.type != K.SHT_REL or not (o.e.sections[s.info].flags & K.SHF_EXECINSTR):
            continue
        for i in range(s.size // 16):
            off, sym, _ = o.rel_get(s.name, i)
            if syms[sym]["shndx"] == 0:
                return o, o.e.sections[s.info].name, s.name, i, off
    raise RuntimeError("typeless.bpf.o has no extern relocation")


@case("I1", 3, "obj", "ld_imm64|last|truncated|second half|past")
def i1_last(c):
    o, code, rel, i, _ = tl_site(c)
    last = o.e.sec(code).size - 8
    o.put(o.data_off(code) + last, "<B", 0x18)
    return o.rel(rel, i, offset=last).bytes()


@case("I2", 3, "obj", "ld_imm64|call|instruction|insn")
def i2_code(c):
    o = Obj(c.kf)
    off, _, _ = o.rel_get(".reltc", 0)
    return o.put(o.data_off("tc") + off, "<B", 0xb7).bytes()


@case("I3", 3, "obj", "second half|ld_imm64|canonical")
def i3_second(c):
    o, code, _, _, off = tl_site(c)
    return o.put(o.data_off(code) + off + 8, "<B", 0x01).bytes()


@case("I4", 3, "obj", "second half|instruction|boundary|ld_imm64")
def i4_into_second(c):
    o, _, rel, i, off = tl_site(c)
    return o.rel(rel, i, offset=off + 8).bytes()


@case("I5", 3, "obj", "imm|src_reg|off|already|call")
def i5_imm(c):
    o = Obj(c.kf)
    off, _, _ = o.rel_get(".reltc", 0)
    return o.put(o.data_off("tc") + off + 4, "<I", 5).bytes()


@case("I5", 3, "obj", "imm|src_reg|off|already|call")
def i5_off(c):
    o = Obj(c.kf)
    off, _, _ = o.rel_get(".reltc", 0)
    return o.put(o.data_off("tc") + off + 2, "<H", 1).bytes()


@case("I6", 3, "obj", "src_reg|pseudo")
def i6_pseudo(c):
    o, code, _, _, off = tl_site(c)
    p = o.data_off(code) + off + 1
    return o.put(p, "<B", o.get(p, "<B") | 0x10).bytes()


@case("I7", 3, "obj", "call|VAR|variable|kind")
def i7_var_call(c):
    o, code, rel, i, off = tl_site(c)
    p = o.data_off(code) + off
    o.b[p:p + 16] = struct.pack("<BBhi", 0x85, 0x10, 0, -1) + struct.pack("<BBhi", 0xbf, 0, 0, 0)
    return o.rel(rel, i, rtype=10).bytes()


@case("I8", 3, "obj", "overlap")
def i8_overlap(c):
    o = Obj(c.kf)
    return o.sym("kfunc_tc", shndx=o.idx("syscall")).bytes()


@case("I8", 3, "obj", "call|target|outside|subprog|program")
def i8_call_target(c):
    """A bpf-to-bpf call (relocated against a section symbol) whose target
    lies outside the called section."""
    o = Obj(c.sub)
    syms = o.e.symbols()
    for s in o.e.sections:
        if s.type != K.SHT_REL or not (o.e.sections[s.info].flags & K.SHF_EXECINSTR):
            continue
        code = o.e.sections[s.info]
        for i in range(s.size // 16):
            off, sym, _ = o.rel_get(s.name, i)
            if syms[sym]["info"] & 0xf == 3 and code.data[off] == 0x85:
                return o.put(code.offset + off + 4, "<i", 100000).bytes()
    raise RuntimeError("shared_sub.bpf.o has no bpf-to-bpf call")


# ============================================================================
# B: BTF (raw blobs through profile --btf; object-only rules through inspect)
# ============================================================================

@case("B1", 3, "btf", "24|header|short")
def b1_short(c):
    return c.btf[:10]


@case("B1", 3, "btf", "hdr_len")
def b1_hdr_small(c):
    return btf_hdr(c.btf, hdr_len=16)


@case("B1", 3, "btf", "hdr_len")
def b1_hdr_big(c):
    return btf_hdr(c.btf, hdr_len=len(c.btf) + 4)


@case("B1", 3, "btf", "magic")
def b1_magic(c):
    return btf_hdr(c.btf, magic=0x1234)


@case("B1", 3, "btf", "version")
def b1_version(c):
    return btf_hdr(c.btf, version=2)


@case("B1", 3, "btf", "flags")
def b1_flags(c):
    return btf_hdr(c.btf, flags=1)


@case("B2", 3, "btf", "non-zero|unknown|header")
def b2_tail(c):
    h = hdr_fields(c.btf)
    body = c.btf[24:]
    hdr = struct.pack("<HBBIIIII", h[0], h[1], h[2], 32, h[4], h[5], h[6], h[7])
    return hdr + struct.pack("<II", 1, 0) + body


@case("B3", 3, "btf", "type|past|outside|end|overflow")
def b3_overflow(c):
    return btf_hdr(c.btf, type_len=0xfffffffc)


@case("B3", 3, "btf", "string|past|outside|end")
def b3_str_past(c):
    h = hdr_fields(c.btf)
    return btf_hdr(c.btf, str_len=h[7] + 100)


@case("B3", 3, "btf", "overlap|gap|layout|string|types")
def b3_overlap(c):
    return btf_hdr(c.btf, str_off=8)


@case("B3", 3, "btf", "gap|layout|junk|trailing|cover|end|after the string section")
def b3_trailing(c):
    return c.btf + b"\0" * 8


@case("B3", 3, "btf", "aligned|type_off")
def b3_unaligned(c):
    h = hdr_fields(c.btf)
    body = c.btf[24:]
    return btf_hdr(b"".join([c.btf[:24], b"\0\0", body]), type_off=2, str_off=h[6] + 2)


@case("B4", 3, "btf", "no types|empty|No data|data")
def b4_empty(c):
    return K.write_btf([None])


@case("B5", 3, "btf", "string")
def b5_empty_strs(c):
    h = hdr_fields(c.btf)
    return btf_hdr(c.btf[:24 + h[5]], str_len=0)


@case("B5", 3, "btf", "NUL|string")
def b5_last(c):
    return c.btf[:-1] + b"x"


@case("B5", 3, "btf", "NUL|string|base")
def b5_first(c):
    h = hdr_fields(c.btf)
    b = bytearray(c.btf)
    b[24 + h[6]] = 0x41
    return bytes(b)


@case("B5", 3, "btf", "more than|string")
def b5_too_large(c):
    """A string section one byte over the 16 MiB that 24-bit name offsets
    plus the terminator can address."""
    h = hdr_fields(c.btf)
    types = c.btf[24:24 + h[5]]
    strs = K.btf_strings(c.btf) + b"x" * ((1 << 24) - len(K.btf_strings(c.btf)) + 1) + b"\0"
    return btf_hdr(c.btf[:24] + types + strs, str_len=len(strs))


@case("B6", 3, "btf", "name|string|offset")
def b6_name_off(c):
    b = bytearray(c.btf)
    struct.pack_into("<I", b, 24, 0xffff)  # type 1's name_off
    return bytes(b)


@case("B7", 3, "btf", "name")
def b7_charset(c):
    return btf_with(lambda ts: setattr(ts[5], "name", "task struct!"))


@case("B7", 3, "btf", "name")
def b7_named_ptr(c):
    return btf_with(lambda ts: setattr(ts[3], "name", "p"))


@case("B7", 3, "btf", "name")
def b7_anon_typedef(c):
    return btf_with(lambda ts: setattr(ts[9], "name", ""))


@case("B7", 3, "btf", "name")
def b7_long(c):
    return btf_with(lambda ts: setattr(ts[14], "name", "f" * 600))


@case("B8", 3, "btf", "truncated|trailing|partial|short|past")
def b8_truncated(c):
    h = hdr_fields(c.btf)
    types, strs = c.btf[24:24 + h[5] - 4], c.btf[24 + h[6]:]
    return btf_hdr(c.btf[:24] + types + strs, type_len=h[5] - 4, str_off=h[5] - 4)


@case("B9", 3, "btf", "kind")
def b9_kind0(c):
    return btf_with(lambda ts: setattr(ts[1], "kind", 0))


@case("B9", 3, "btf", "kind")
def b9_kind20(c):
    return btf_with(lambda ts: setattr(ts[21], "kind", 20))


@case("B9", 3, "btf", "info|bits|kind")
def b9_info_bits(c):
    b = bytearray(c.btf)
    struct.pack_into("<I", b, 28, struct.unpack_from("<I", b, 28)[0] | (1 << 29))
    return bytes(b)


@case("B10", 3, "btf", "non-zero|unknown|header")
def b10_layout(c):
    h = hdr_fields(c.btf)
    hdr = struct.pack("<HBBIIIII", h[0], h[1], h[2], 32, h[4], h[5], h[6], h[7])
    return hdr + struct.pack("<II", h[6] + h[7], 8) + c.btf[24:] + b"\0" * 8


@case("B11", 3, "btf", "vlen|truncated|past|members|remaining|end")
def b11_vlen(c):
    return btf_with(lambda ts: setattr(ts[5], "raw_vlen", 0xffff))


@case("B12", 3, "btf", "out of range|type id|invalid")
def b12_ref(c):
    return btf_with(lambda ts: setattr(ts[3], "st", 999))


@case("B13", 3, "btf", "types|1048575|too many|more than")
def b13_count(c):
    ts = [None] + [T(K.PTR, "", 0) for _ in range(1_048_576)]
    return K.write_btf(ts)


@case("B14", 3, "btf", "cycle|loop|itself|depth")
def b14_typedef_cycle(c):
    def f(ts):
        ts.append(T(K.TYPEDEF, "a", len(ts) + 1))
        ts.append(T(K.TYPEDEF, "b", len(ts) - 1))
    return btf_with(f)


@case("B14", 3, "btf", "cycle|loop|itself|depth")
def b14_struct_self(c):
    def f(ts):
        ts.append(T(K.STRUCT, "s", 8, members=[("m", len(ts), 0)]))
    return btf_with(f)


@case("B14", 3, "btf", "cycle|loop|itself|depth")
def b14_array_self(c):
    def f(ts):
        ts.append(T(K.ARRAY, "", 0, array=(len(ts), 1, 2)))
    return btf_with(f)


@case("B14", 0, "btf")
def b14_pointer_cycle_ok(c):
    """struct list { struct list *next; }: a legal pointer cycle."""
    def f(ts):
        n = len(ts)
        ts.append(T(K.STRUCT, "list", 8, members=[("next", n + 1, 0)]))
        ts.append(T(K.PTR, "", n))
    return btf_with(f)


@case("B15", 3, "btf", "depth|chain|32|deep")
def b15_chain(c):
    def f(ts):
        prev = 1
        for _ in range(40):
            ts.append(T(K.CONST, "", prev))
            prev = len(ts) - 1
    return btf_with(f)


@case("B16", 0, "btf")
def b16_dag_ok(c):
    """30 levels of unions each holding two of the previous level: 2^30
    paths, linear work with memoisation (the test has a time limit)."""
    def f(ts):
        prev = 1
        for i in range(30):
            ts.append(T(K.UNION, f"u{i}", 4, members=[("a", prev, 0), ("b", prev, 0)]))
            prev = len(ts) - 1
    return btf_with(f)


@case("B17", 3, "btf", "size|overflow|large|bits")
def b17_array(c):
    return btf_with(lambda ts: ts.append(T(K.ARRAY, "", 0, array=(1, 1, 0x40000001))))


@case("B17", 3, "btf", "size|beyond|past|member")
def b17_member(c):
    return btf_with(lambda ts: setattr(ts[5], "st", 8))


@case("B17", 3, "btf", "bits|size|INT")
def b17_int_bits(c):
    return btf_with(lambda ts: setattr(ts[1], "word", (1 << 24) | 129))


@case("B18", 3, "btf", "vlen|INT|kind_flag|kflag")
def b18_vlen(c):
    return btf_with(lambda ts: setattr(ts[1], "vlen", 1))


@case("B18", 3, "btf", "INT|bits|int_data|encoding")
def b18_upper(c):
    return btf_with(lambda ts: setattr(ts[1], "word", (1 << 24) | 32 | (1 << 31)))


@case("B18", 3, "btf", "encoding|INT")
def b18_encoding(c):
    return btf_with(lambda ts: setattr(ts[1], "word", (3 << 24) | 32))


@case("B19", 3, "btf", "size|ENUM")
def b19_size(c):
    return btf_with(lambda ts: setattr(ts[7], "st", 3))


@case("B19", 3, "btf", "name|ENUM")
def b19_unnamed(c):
    return btf_with(lambda ts: setattr(ts[7], "members", [("", 0), ("E1", 1)]))


@case("B20", 3, "btf", "size|FLOAT")
def b20_float(c):
    return btf_with(lambda ts: setattr(ts[21], "st", 6))


@case("B21", 3, "btf", "name|ARRAY")
def b21_named(c):
    return btf_with(lambda ts: setattr(ts[4], "name", "arr"))


@case("B21", 3, "btf", "size|ARRAY")
def b21_size(c):
    return btf_with(lambda ts: setattr(ts[4], "st", 16))


@case("B21", 3, "btf", "elem|void|type|ARRAY")
def b21_elem0(c):
    return btf_with(lambda ts: setattr(ts[4], "array", (0, 1, 4)))


@case("B21", 3, "btf", "index|INT")
def b21_index(c):
    return btf_with(lambda ts: setattr(ts[4], "array", (1, 6, 4)))


@case("B22", 3, "btf", "member|void|type")
def b22_void(c):
    return btf_with(lambda ts: setattr(ts[5], "members", [("pid", 0, 0)]))


@case("B22", 3, "btf", "offset|order|member")
def b22_order(c):
    return btf_with(lambda ts: setattr(ts[5], "members", [("tgid", 1, 32), ("pid", 1, 0)]))


@case("B22", 3, "btf", "offset|union|member")
def b22_union(c):
    return btf_with(lambda ts: setattr(ts[6], "members", [("a", 1, 0), ("b", 2, 32)]))


@case("B22", 3, "btf", "beyond|past|size|member")
def b22_past(c):
    return btf_with(lambda ts: setattr(ts[5], "members", [("pid", 1, 0), ("far", 1, 8 * 24)]))


@case("B22", 3, "btf", "bitfield|bits|member|kind_flag")
def b22_bitfield(c):
    def f(ts):
        ts[5].kflag = 1
        ts[5].members = [("pid", 1, (40 << 24) | 0)]
    return btf_with(f)


@case("B23", 3, "btf", "FUNC_PROTO|FUNC")
def b23_target(c):
    return btf_with(lambda ts: setattr(ts[14], "st", 1))


@case("B23", 3, "btf", "linkage")
def b23_linkage3(c):
    return btf_with(lambda ts: setattr(ts[14], "vlen", 3))


@case("B23", 3, "btf", "linkage|extern")
def b23_extern_kernel(c):
    return btf_with(lambda ts: setattr(ts[14], "vlen", 2))


@case("B23", 3, "btf", "kind_flag|kflag")
def b23_kflag(c):
    return btf_with(lambda ts: setattr(ts[14], "kflag", 1))


@case("B23", 3, "btf", "name|FUNC")
def b23_unnamed(c):
    return btf_with(lambda ts: setattr(ts[14], "name", ""))


@case("B24", 3, "btf", "name|FUNC_PROTO")
def b24_named(c):
    return btf_with(lambda ts: setattr(ts[13], "name", "proto"))


@case("B24", 3, "btf", "vararg|void|param")
def b24_vararg(c):
    return btf_with(lambda ts: setattr(ts[16], "members", [("", 0), ("pid", 1)]))


@case("B24", 3, "btf", "size|param|FUNC_PROTO")
def b24_unsized(c):
    return btf_with(lambda ts: setattr(ts[16], "members", [("f", 13)]))


@case("B25", 3, "btf", "void|type|VAR")
def b25_void(c):
    return btf_with(lambda ts: setattr(ts[18], "st", 0))


@case("B25", 3, "btf", "vlen|VAR")
def b25_vlen(c):
    return btf_with(lambda ts: setattr(ts[18], "vlen", 1))


@case("B25", 3, "btf", "linkage|VAR")
def b25_linkage(c):
    return btf_with(lambda ts: setattr(ts[18], "word", 3))


@case("B25", 3, "btf", "FUNC|VAR|kind|size")
def b25_to_func(c):
    return btf_with(lambda ts: setattr(ts[18], "st", 14))


@case("B26", 3, "btf", "VAR|FUNC|entry|DATASEC")
def b26_func(c):
    return btf_with(lambda ts: setattr(ts[20], "members", [(14, 0, 4), (19, 8, 24)]))


@case("B26", 3, "btf", "VAR|entry|DATASEC|kind")
def b26_int(c):
    return btf_with(lambda ts: setattr(ts[20], "members", [(1, 0, 4), (19, 8, 24)]))


@case("B27", 3, "btf", "overlap|order|offset")
def b27_order(c):
    return btf_with(lambda ts: setattr(ts[20], "members", [(19, 8, 24), (18, 0, 4)]))


@case("B27", 3, "btf", "overlap|offset")
def b27_overlap(c):
    return btf_with(lambda ts: setattr(ts[20], "members", [(18, 0, 12), (19, 8, 24)]))


@case("B27", 3, "btf", "beyond|size")
def b27_past(c):
    return btf_with(lambda ts: setattr(ts[20], "members", [(18, 0, 4), (19, 48, 24)]))


@case("B27", 3, "btf", "size")
def b27_size0(c):
    return btf_with(lambda ts: setattr(ts[20], "members", [(18, 0, 0), (19, 8, 24)]))


@case("B27", 3, "btf", "size 0|size")
def b27_sec0(c):
    return btf_with(lambda ts: setattr(ts[20], "st", 0))


@case("B27", 3, "obj", "after libbpf's fixups")
def b27_kconfig_entry(c):
    """An object's .kconfig entry far larger than its VAR: libbpf keeps
    clang's sizes when it places the entries, so the kernel would refuse
    the BTF (found by the ksyms_rewrite fuzz target)."""
    o = Obj(c.kc)
    ts, strs = o.btf()
    kc = find_type(ts, K.DATASEC, ".kconfig")
    t, off, _ = ts[kc].members[0]
    ts[kc].members[0] = (t, off, 0x40000004)
    return o.set_btf(ts, strs).bytes()


@case("B27", 3, "obj", "no ELF section")
def b27_data_unsized(c):
    """A size-0 data DATASEC whose ELF section is gone: libbpf cannot size
    it (found by the ksyms_rewrite fuzz target)."""
    o = Obj(c.kf)
    return o.sh("license", name=o.shstr_off(".llvm_addrsig") + 1).bytes()


@case("B28", 3, "btf", "size|below|bytes")
def b28_small(c):
    return btf_with(lambda ts: setattr(ts[20], "members", [(18, 0, 4), (19, 8, 8)]))


@case("B29", 3, "obj", "twice|listed")
def b29_twice(c):
    o = Obj(c.tl)
    ts, strs = o.btf()
    ks = find_type(ts, K.DATASEC, ".ksyms")
    ts[ks].members = ts[ks].members + ts[ks].members
    return o.set_btf(ts, strs).bytes()


@case("B30", 3, "obj", "both carry|ambiguous|twice|name")
def b30_dup_name(c):
    o = Obj(c.tl)
    ts, strs = o.btf()
    ks = find_type(ts, K.DATASEC, ".ksyms")
    var = ts[ts[ks].members[0][0]]
    ts.append(T(K.VAR, var.name, var.st, word=2))
    return o.set_btf(ts, strs).bytes()


@case("B32", 3, "btf", "kind_flag|kflag")
def b32_kflag(c):
    return btf_with(lambda ts: setattr(ts[3], "kflag", 1))


@case("B33", 3, "btf", "name|value|DECL_TAG|empty")
def b33_empty(c):
    return btf_with(lambda ts: setattr(ts[22], "name", ""))


@case("B33", 3, "btf", "component")
def b33_idx_neg(c):
    return btf_with(lambda ts: setattr(ts[22], "word", 0xfffffffe))


@case("B33", 3, "btf", "component")
def b33_idx_range(c):
    return btf_with(lambda ts: setattr(ts[22], "word", 5))


@case("B33", 3, "btf", "target|DECL_TAG|kind")
def b33_target(c):
    return btf_with(lambda ts: setattr(ts[22], "st", 1))


@case("B34", 3, "btf", "name|TYPE_TAG|empty")
def b34_empty(c):
    return btf_with(lambda ts: setattr(ts[25], "name", ""))


@case("B34", 3, "btf", "TYPE_TAG|tag|modifier|order")
def b34_order(c):
    def f(ts):
        n = len(ts)
        ts.append(T(K.TYPE_TAG, "user", 1))
        ts.append(T(K.CONST, "", n))
        ts.append(T(K.TYPE_TAG, "rcu", n + 1))
        ts.append(T(K.PTR, "", n + 2))
    return btf_with(f)


@case("B35", 3, "btf", "FWD|vlen|name|type")
def b35_fwd_type(c):
    return btf_with(lambda ts: setattr(ts[8], "st", 1))


@case("B35", 3, "btf", "FWD|name")
def b35_fwd_anon(c):
    return btf_with(lambda ts: setattr(ts[8], "name", ""))


@case("B35", 3, "btf", "name|CONST")
def b35_const_named(c):
    return btf_with(lambda ts: setattr(ts[11], "name", "c"))


@case("B36", 3, "btf", "NUL|string|base")
def b36_split(c):
    """Split (module) BTF: its strings continue the base's, so its string
    section does not start with NUL."""
    h = hdr_fields(c.btf)
    b = bytearray(c.btf)
    b[24 + h[6]] = ord("m")
    return bytes(b)


@case("B37", 3, "btf", "magic|endian")
def b37_swapped(c):
    return b"\xeb\x9f" + c.btf[2:]


@case("B38", 3, "prof", "index|slot|power of two|sh_offset differs")
def b38_index(c):
    """A profile whose name index is not a valid hash table (its slot
    count is not a power of two): the index is verified, never trusted."""
    p = bytearray(c.prof)
    e = K.Elf(c.prof)
    meta = e.sec(".ksr.meta").offset
    names = e.sec(".ksr.btf.names")
    cnt = struct.unpack_from("<I", p, meta + 52)[0]
    struct.pack_into("<I", p, meta + 52, cnt - 1)
    sh = e.shdr_off(names.idx)
    struct.pack_into("<Q", p, sh + 32, (cnt - 1) * 16)
    return fix_profile(bytes(p))


@case("B39", 0, "obj")
def b39_misaligned_ok(c):
    """Same as E27's positive case, with the BTF at offset 4 mod 8."""
    o = Obj(c.kf)
    data = o.e.sec(".BTF").data
    while len(o.b) % 8 != 4:
        o.b.append(0)
    o.sh(".BTF", offset=len(o.b), size=len(data))
    o.b += data
    return o.bytes()


@case("B40", 1, "res", "missing|not")
def b40_missing(c):
    """Valid profile, but the object's kfunc is absent: resolve reports
    `missing` (exit 1), not malformed."""
    return c.prof


# ============================================================================
# X: .BTF.ext (inspect OBJECT)
# ============================================================================

def ext_hdr(x):
    return struct.unpack_from("<HBBI", x, 0)


def ext_set(x, off, fmt, v):
    struct.pack_into(fmt, x, off, v)
    return x


def drop_ext_relocs(o):
    """Makes .rel.BTF.ext plain data, so a shrunk .BTF.ext is judged by the
    .BTF.ext checks rather than by its relocations' bounds."""
    return o.sh(".rel.BTF.ext", type=K.SHT_PROGBITS, link=0, info=0, entsize=0, flags=0)


@case("X1", 3, "obj", "truncated|short|header")
def x1_short(c):
    o = drop_ext_relocs(Obj(c.kf))
    return o.set_ext(o.ext()[:4]).bytes()


@case("X1", 3, "obj", "magic")
def x1_magic(c):
    o = Obj(c.kf)
    return o.set_ext(ext_set(o.ext(), 0, "<H", 0x1234)).bytes()


@case("X1", 3, "obj", "version")
def x1_version(c):
    o = Obj(c.kf)
    return o.set_ext(ext_set(o.ext(), 2, "<B", 2)).bytes()


@case("X1", 3, "obj", "flags")
def x1_flags(c):
    o = Obj(c.kf)
    return o.set_ext(ext_set(o.ext(), 3, "<B", 1)).bytes()


@case("X1", 3, "obj", "header length")
def x1_hdr_big(c):
    o = Obj(c.kf)
    x = o.ext()
    return o.set_ext(ext_set(x, 4, "<I", len(x) + 8)).bytes()


@case("X1", 3, "obj", "header length")
def x1_hdr_only(c):
    o = Obj(c.kf)
    x = o.ext()
    return drop_ext_relocs(o).set_ext(x[:ext_hdr(x)[3]]).bytes()


@case("X2", 3, "obj", "past the end|misaligned")
def x2_past(c):
    o = Obj(c.kf)
    x = o.ext()
    return o.set_ext(ext_set(x, 12, "<I", len(x))).bytes()


@case("X2", 3, "obj", "misaligned|past the end")
def x2_unaligned(c):
    o = Obj(c.kf)
    x = o.ext()
    return o.set_ext(ext_set(x, 8, "<I", struct.unpack_from("<I", x, 8)[0] + 2)).bytes()


@case("X3", 0, "obj")
def x3_short_header_ok(c):
    """A 24-byte header (no core_relo fields) with the same records:
    only what hdr_len covers is read, so it is accepted."""
    o = Obj(c.kf)
    x = o.ext()
    hl = ext_hdr(x)[3]
    new = bytearray(x[:24]) + x[hl:]
    struct.pack_into("<I", new, 4, 24)
    return o.set_ext(new).bytes()


def ext_info(x, which):
    """(absolute offset, length) of func_info (0), line_info (1), core_relo (2)."""
    hl = ext_hdr(x)[3]
    off, ln = struct.unpack_from("<II", x, 8 + 8 * which)
    return hl + off, ln


@case("X4", 3, "obj", "record size")
def x4_small(c):
    o = Obj(c.kf)
    x = o.ext()
    return o.set_ext(ext_set(x, ext_info(x, 0)[0], "<I", 4)).bytes()


@case("X4", 3, "obj", "record size")
def x4_unaligned(c):
    o = Obj(c.kf)
    x = o.ext()
    return o.set_ext(ext_set(x, ext_info(x, 1)[0], "<I", 18)).bytes()


@case("X4", 3, "obj", "record size")
def x4_large(c):
    o = Obj(c.kf)
    x = o.ext()
    return o.set_ext(ext_set(x, ext_info(x, 1)[0], "<I", 256)).bytes()


@case("X5", 3, "obj", "record size missing|past the end")
def x5_no_recsize(c):
    o = Obj(c.kf)
    x = o.ext()
    return o.set_ext(ext_set(x, 12, "<I", 2)).bytes()


@case("X5", 3, "obj", "no records")
def x5_no_records(c):
    o = Obj(c.kf)
    x = o.ext()
    return o.set_ext(ext_set(x, 12, "<I", 4)).bytes()


@case("X5", 3, "obj", "do not fit|records")
def x5_num0(c):
    o = Obj(c.kf)
    x = o.ext()
    return o.set_ext(ext_set(x, ext_info(x, 0)[0] + 8, "<I", 0)).bytes()


@case("X5", 3, "obj", "do not fit|records")
def x5_num_huge(c):
    o = Obj(c.kf)
    x = o.ext()
    return o.set_ext(ext_set(x, ext_info(x, 0)[0] + 8, "<I", 0x10000000)).bytes()


@case("X6", 3, "obj", "sec_name_off|names no code section")
def x6_name_range(c):
    o = Obj(c.kf)
    x = o.ext()
    return o.set_ext(ext_set(x, ext_info(x, 0)[0] + 4, "<I", 0xfffffff)).bytes()


@case("X6", 3, "obj", "names no code section")
def x6_no_section(c):
    o = Obj(c.kf)
    x = o.ext()
    strs = K.btf_strings(o.e.sec(".BTF").data)
    return o.set_ext(ext_set(x, ext_info(x, 0)[0] + 4, "<I", strs.index(b"int\0"))).bytes()


def first_rec(x, which):
    """Absolute offset of the first record of the first section of an info."""
    return ext_info(x, which)[0] + 4 + 8


@case("X7", 3, "obj", "insn_off|instruction")
def x7_unaligned(c):
    o = Obj(c.kf)
    x = o.ext()
    return o.set_ext(ext_set(x, first_rec(x, 1), "<I", 4)).bytes()


@case("X7", 3, "obj", "insn_off|instruction")
def x7_past(c):
    o = Obj(c.kf)
    x = o.ext()
    return o.set_ext(ext_set(x, first_rec(x, 1), "<I", 0x10000)).bytes()


@case("X7", 3, "obj", "does not increase|insn_off")
def x7_order(c):
    o = Obj(c.kf)
    x = o.ext()
    r = first_rec(x, 1)
    rec = struct.unpack_from("<I", x, ext_info(x, 1)[0])[0]
    return o.set_ext(ext_set(x, r + rec, "<I", 0)).bytes()


@case("X7", 3, "obj", "insn_off|instruction")
def x7_second_half(c):
    o, code, _, _, off = tl_site(c)
    x = o.ext()
    return o.set_ext(ext_set(x, first_rec(x, 1), "<I", off + 8)).bytes()


@case("X8", 3, "obj", "not a FUNC")
def x8_func_type(c):
    o = Obj(c.kf)
    x = o.ext()
    return o.set_ext(ext_set(x, first_rec(x, 0) + 4, "<I", 1)).bytes()


@case("X8", 3, "obj", "string offset")
def x8_line_str(c):
    o = Obj(c.kf)
    x = o.ext()
    return o.set_ext(ext_set(x, first_rec(x, 1) + 4, "<I", 0xfffffff)).bytes()


@case("X8", 3, "obj", "core_relo|type")
def x8_core_type(c):
    o = Obj(c.kf)
    x = o.ext()
    return o.set_ext(ext_set(x, first_rec(x, 2) + 4, "<I", 0xfffff)).bytes()


@case("X8", 3, "obj", "access string")
def x8_negative_access(c):
    """A core_relo access string "0:-1" (libbpf 5ca5801a)."""
    o = Obj(c.kf)
    ts, strs = o.btf()
    strs = strs + b"0:-1\0"
    o.set_btf(ts, strs)
    x = o.ext()
    return o.set_ext(ext_set(x, first_rec(x, 2) + 8, "<I", len(strs) - 5)).bytes()


@case("X9", 3, "obj", "without \\.BTF")
def x9_no_btf(c):
    o = Obj(c.kf)
    o.sh(".BTF", name=o.shstr_off(".llvm_addrsig") + 1)
    return o.sh(".rel.BTF", type=K.SHT_PROGBITS, link=0, info=0, entsize=0).bytes()


# ============================================================================
# K: kallsyms / System.map text (profile --kallsyms)
# ============================================================================

def ks(extra):
    return KS_BASE + extra


@case("K1", 3, "ks", "name|long")
def k1_long_name(c):
    return ks("ffffffff81234567 T " + "a" * 600 + "\n")


@case("K1", 3, "ks", "line|long|name")
def k1_long_line(c):
    return ks("ffffffff81234567 T x" + " " * 5000 + "\n")


@case("K2", 3, "ks", "line 10")
def k2_addr_only(c):
    return ks("ffffffff81234567\n")


@case("K2", 3, "ks", "line 10")
def k2_no_name(c):
    return ks("ffffffff81234567 T\n")


@case("K2", 3, "ks", "line 10")
def k2_extra(c):
    return ks("ffffffff81234567 T foo bar\n")


@case("K3", 3, "ks", "line 10")
def k3_not_hex(c):
    return ks("ffffffff8123456g T foo\n")


@case("K3", 3, "ks", "line 10")
def k3_17_digits(c):
    return ks("0ffffffff81234567 T foo\n")


@case("K3", 3, "ks", "line 10")
def k3_0x(c):
    return ks("0xffffffff812345 T foo\n")


@case("K3", 3, "ks", "line 10")
def k3_minus(c):
    return ks("-fffffff81234567 T foo\n")


@case("K3", 3, "ks", "line 10")
def k3_space(c):
    return ks(" ffffffff81234567 T foo\n")


@case("K4", 3, "ks", "line 10|width")
def k4_widths(c):
    return ks("81234567 T foo\n")


@case("K5", 3, "ks", "zero|restricted|privilege")
def k5_zero(c):
    return "".join("0000000000000000" + l[16:] + "\n" for l in KS_BASE.splitlines())


@case("K6", 3, "ks", "line 10|type")
def k6_type(c):
    return ks("ffffffff81234567 Z foo\n")


@case("K7", 1, "res", "ambiguous")
def k7_duplicates(c):
    """Same name, two addresses: accepted by the parser, `incompatible`
    (ambiguous) for a typeless extern, exit 1."""
    return c.make_profile(ks("ffffffffc0a03000 T bpf_prog_put\t[fake_mod]\n"))


@case("K7", 3, "ks", "_text listed twice")
def k7_text_twice(c):
    """A second vmlinux _text: the profile's KASLR base and a host's
    (the first _text line) could disagree, so it is refused (an `api`
    campaign's finding)."""
    return ks("ffffffff81200000 T _text\n")


@case("K8", 3, "ks", "line 10")
def k8_unclosed(c):
    return ks("ffffffff81234567 t foo\t[mod\n")


@case("K8", 3, "ks", "line 10")
def k8_empty(c):
    return ks("ffffffff81234567 t foo\t[]\n")


@case("K8", 3, "ks", "line 10")
def k8_trailing(c):
    return ks("ffffffff81234567 t foo\t[mod]x\n")


@case("K8", 3, "ks", "line 10")
def k8_no_tab(c):
    return ks("ffffffff81234567 t foo [mod]\n")


@case("K9", 1, "res", "missing|not in")
def k9_suffixes(c):
    """Only suffixed copies of the extern's name (.cold, .isra.0, .llvm.N):
    names match exactly, so the typeless extern is `missing` (exit 1)."""
    text = KS_BASE.replace("T bpf_prog_put\n", "T bpf_prog_put.cold\n")
    return c.make_profile(text + "ffffffff814d3800 t bpf_prog_put.isra.0\n"
                          "ffffffff814d3900 t bpf_prog_put.llvm.123\n")


@case("K14", 3, "ks", "more than")
def k14_lines(c):
    """One line over the 4 Mi line cap, counted before anything is
    allocated per line."""
    return b"a\n" * (4 * 1024 * 1024 + 1)


@case("K10", 3, "ks", "line 10")
def k10_nul(c):
    return ks("ffffffff81234567 T fo\0o\n")


@case("K11", 3, "ks", "line 1")
def k11_crlf(c):
    return KS_BASE.replace("\n", "\r\n")


@case("K11", 3, "ks", "line 10")
def k11_tab(c):
    return ks("ffffffff81234567\tT foo\n")


@case("K12", 0, "ks")
def k12_no_newline_ok(c):
    return KS_BASE + "ffffffff81234567 T last_line_without_newline"


@case("K12", 3, "ks", "line 10|blank|empty")
def k12_blank(c):
    return ks("\nffffffff81234567 T foo\n")


@case("K13", 3, "ks", "line 10")
def k13_non_ascii(c):
    return ks("ffffffff81234567 T f\xe9e\n")


@case("K15", 0, "ks")
def k15_unsorted_ok(c):
    return "".join(reversed(KS_BASE.splitlines(keepends=True)))


@case("K16", 0, "ks")
def k16_system_map_ok(c):
    """System.map: no module column, sorted; same grammar."""
    return "".join(sorted(l + "\n" for l in KS_BASE.splitlines() if "\t" not in l))


# ============================================================================
# P: profile files (check OBJECT -p PROFILE)
# ============================================================================

def fix_profile(p):
    """Recomputes the profile's hashes as the writer does, so a mutation is
    judged by the checks behind them."""
    return K.fix_profile_hashes(p)


@case("P1", 3, "prof", "block 0 at offset 0x1000: hash mismatch")
def p1_checksum(c):
    p = bytearray(c.prof)
    off = K.Elf(c.prof).sec(".BTF").offset + 40
    p[off] ^= 0xff
    return bytes(p)


@case("P1", 3, "prof", "head hash mismatch")
def p1_identity(c):
    p = bytearray(c.prof)
    meta = K.Elf(c.prof).sec(".ksr.meta").offset
    p[meta + 40] ^= 0xff
    return bytes(p)


@case("P3", 3, "prof", "counts|disagree")
def p3_counts(c):
    p = bytearray(c.prof)
    meta = K.Elf(c.prof).sec(".ksr.meta").offset
    struct.pack_into("<I", p, meta + 56, struct.unpack_from("<I", p, meta + 56)[0] + 1)
    return bytes(p)


@case("P3", 3, "prof", "past the end|outside|beyond|section|short")
def p3_truncated(c):
    return c.prof[:len(c.prof) - 200]


@case("P4", 3, "prof", "twice|duplicate|appears|not the required section")
def p4_duplicate(c):
    p = bytearray(c.prof)
    e = K.Elf(c.prof)
    syms, symstr = e.sec(".ksr.syms"), e.sec(".ksr.symstr")
    struct.pack_into("<I", p, e.shdr_off(symstr.idx), syms.name_off)
    return bytes(p)


@case("P5", 3, "btf", "split BTF")
def p5_module_btf(c):
    """A module's split BTF given where a vmlinux BTF is expected."""
    return b36_split(c)


@case("P6", 3, "prof", "ELFCLASS64|class|ELF")
def p6_class(c):
    p = bytearray(c.prof)
    p[4] = 1
    return bytes(p)


@case("P7", 3, "prof", "section header 8 .*sh_link differs")
def p7_forged_link(c):
    """A forged profile (hashes recomputed) whose .ksr.symidx header has
    sh_link set: refused by the exact-value check, not only the hashes."""
    p = bytearray(c.prof)
    shoff = struct.unpack_from("<Q", p, 40)[0]
    struct.pack_into("<I", p, shoff + 8 * 64 + 40, 3)
    return fix_profile(bytes(p))


@case("P7", 3, "prof", "ELF header: e_flags differs")
def p7_forged_eflags(c):
    p = bytearray(c.prof)
    struct.pack_into("<I", p, 48, 1)
    return fix_profile(bytes(p))


@case("P7", 3, "prof", "head hash mismatch")
def p7_release(c):
    """.ksr.meta is covered by the head hash: a changed release is refused."""
    p = bytearray(c.prof)
    p[K.Elf(c.prof).sec(".ksr.meta").offset + 128] ^= 0x20
    return bytes(p)


# ---- P8: kernel ELF files (profile --btf vmlinux): the .BTF section header ----

def kernel_elf(btf, sh_type=1, flags=0x2, link=0, entsize=0, align=4):
    """A minimal ET_EXEC x86-64 ELF with .BTF and .shstrtab, as vmlinux
    carries its BTF (allocated, PROGBITS)."""
    shstr = b"\0.BTF\0.shstrtab\0"
    btf_off = 64
    str_off = btf_off + len(btf)
    shoff = (str_off + len(shstr) + 7) & ~7
    eh = bytearray(64)
    eh[0:16] = b"\x7fELF\x02\x01\x01" + bytes(9)
    struct.pack_into("<HHIQQQIHHHHHH", eh, 16, 2, 62, 1, 0, 0, shoff, 0, 64, 0, 0, 64, 3, 2)
    body = bytes(eh) + btf + shstr
    body += bytes(shoff - len(body))
    sh = bytes(64)
    sh += struct.pack("<IIQQQQIIQQ", 1, sh_type, flags, 0, btf_off, len(btf), link, 0, align, entsize)
    sh += struct.pack("<IIQQQQIIQQ", 6, 3, 0, 0, str_off, len(shstr), 0, 0, 1, 0)
    return body + sh


@case("P8", 0, "btf")
def p8_vmlinux_ok(c):
    return kernel_elf(c.btf)


@case("P8", 3, "btf", "SHF_COMPRESSED")
def p8_compressed(c):
    return kernel_elf(c.btf, flags=0x2 | 0x800)


@case("P8", 3, "btf", "sh_link")
def p8_link(c):
    return kernel_elf(c.btf, link=2)


@case("P8", 3, "btf", "sh_entsize")
def p8_entsize(c):
    return kernel_elf(c.btf, entsize=8)


@case("P8", 3, "btf", "sh_flags")
def p8_exec(c):
    return kernel_elf(c.btf, flags=0x2 | 0x4)


@case("P8", 3, "btf", "sh_type")
def p8_nobits(c):
    return kernel_elf(c.btf, sh_type=8)


# ============================================================================

class Ctx:
    def __init__(self, a):
        rd = lambda n: open(os.path.join(a.objects, n + ".bpf.o"), "rb").read()  # noqa: E731
        self.kf, self.tl, self.sub = rd("kfuncs"), rd("typeless"), rd("shared_sub")
        self.kc = rd("kconfig")
        self.ksymres, self.out = a.ksymres, a.out
        self.btf = K.write_btf(base_types())
        self.prof = self.make_profile(KS_BASE)

    def make_profile(self, text):
        bp, kp, pp = (os.path.join(self.out, "base." + x) for x in ("btf", "kallsyms", "profile"))
        open(bp, "wb").write(self.btf)
        open(kp, "w", encoding="latin-1").write(text)
        if os.path.exists(pp):
            os.unlink(pp)
        subprocess.run([self.ksymres, "profile", "--btf", bp, "--kallsyms", kp,
                        "--release", "6.8.0", "-o", pp], check=True)
        return open(pp, "rb").read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ksymres", required=True)
    ap.add_argument("--objects", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    c = Ctx(a)
    seen = {}
    for cid, expect, cmd, regex, fn in CASES:
        seen[cid] = seen.get(cid, 0) + 1
        name = f"{cid}-{fn.__name__.split('_', 1)[1]}"
        data = fn(c)
        if isinstance(data, str):
            data = data.encode("latin-1")
        path = os.path.join(a.out, name)
        open(path, "wb").write(data)
        print("\t".join([cid, str(expect), cmd, path, regex]))
    c.make_profile(KS_BASE)  # leave the base files as the cases expect them


if __name__ == "__main__":
    main()
