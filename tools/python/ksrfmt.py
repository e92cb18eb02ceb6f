# SPDX-License-Identifier: BSD-2-Clause
"""Small readers and writers for the formats ksymres consumes, used to build
fuzz seeds (fuzz/tools/gen_corpus.py) and malformed test inputs (tests/cli).
Users find it on PYTHONPATH: ctest sets it (tests/CMakeLists.txt,
KSR_TEST_ENV), scripts/gen-corpus.sh too; by hand, PYTHONPATH=tools/python.

Only what those two need: ELF64 little-endian section tables, raw BTF as a
list of type records, a BTF slicer that keeps a closed, kernel-valid subset
of a big BTF, and the fuzz harnesses' input framings."""
import ctypes
import ctypes.util
import struct

# ---- ELF ------------------------------------------------------------------

SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_NOBITS, SHT_REL = 1, 2, 3, 8, 9
SHF_EXECINSTR = 0x4
EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
SHDR = struct.Struct("<IIQQQQIIQQ")
SYM = struct.Struct("<IBBHQQ")


class Section:
    def __init__(self, idx, name, raw, data):
        (self.name_off, self.type, self.flags, self.addr, self.offset, self.size,
         self.link, self.info, self.align, self.entsize) = raw
        self.idx, self.name, self.data = idx, name, data


class Elf:
    """A parsed ELF64 LE file; sections[i].data is the bytes (b'' for NOBITS)."""

    def __init__(self, blob):
        self.blob = bytearray(blob)
        h = EHDR.unpack_from(blob, 0)
        self.shoff, self.shnum, self.shstrndx = h[6], h[12], h[13]
        raws = [SHDR.unpack_from(blob, self.shoff + i * 64) for i in range(self.shnum)]
        strtab = raws[self.shstrndx]
        shstr = blob[strtab[4]:strtab[4] + strtab[5]]
        self.sections = []
        for i, r in enumerate(raws):
            name = shstr[r[0]:shstr.index(b"\0", r[0])].decode()
            data = b"" if r[1] == SHT_NOBITS else bytes(blob[r[4]:r[4] + r[5]])
            self.sections.append(Section(i, name, r, data))

    def sec(self, name):
        for s in self.sections:
            if s.name == name:
                return s
        return None

    def shdr_off(self, idx):
        return self.shoff + idx * 64

    def symbols(self):
        st = next(s for s in self.sections if s.type == SHT_SYMTAB)
        strs = self.sections[st.link].data
        out = []
        for i in range(len(st.data) // 24):
            name_off, info, other, shndx, value, size = SYM.unpack_from(st.data, i * 24)
            name = strs[name_off:strs.index(b"\0", name_off)].decode()
            out.append(dict(idx=i, name=name, info=info, other=other, shndx=shndx,
                            value=value, size=size, off=st.offset + i * 24))
        return out


# ---- BTF ------------------------------------------------------------------

BTF_MAGIC = 0xEB9F
(INT, PTR, ARRAY, STRUCT, UNION, ENUM, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC,
 FUNC_PROTO, VAR, DATASEC, FLOAT, DECL_TAG, TYPE_TAG, ENUM64) = range(1, 20)
KIND_NAMES = {v: k for k, v in dict(
    INT=INT, PTR=PTR, ARRAY=ARRAY, STRUCT=STRUCT, UNION=UNION, ENUM=ENUM, FWD=FWD,
    TYPEDEF=TYPEDEF, VOLATILE=VOLATILE, CONST=CONST, RESTRICT=RESTRICT, FUNC=FUNC,
    FUNC_PROTO=FUNC_PROTO, VAR=VAR, DATASEC=DATASEC, FLOAT=FLOAT, DECL_TAG=DECL_TAG,
    TYPE_TAG=TYPE_TAG, ENUM64=ENUM64).items()}
# kinds whose third word is a type id
REF_KINDS = {PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FUNC_PROTO, VAR, DECL_TAG, TYPE_TAG}


def _member_size(kind):
    return {STRUCT: 12, UNION: 12, ENUM: 8, FUNC_PROTO: 8, DATASEC: 12, ENUM64: 12}.get(kind, 0)


def _fixed_extra(kind):
    return {INT: 4, ARRAY: 12, VAR: 4, DECL_TAG: 4}.get(kind, 0)


class Type:
    """One record: name (str), kind, vlen, kflag, size_or_type, extra words.
    Members are lists of tuples: STRUCT/UNION (name, type, offset);
    ENUM (name, val); ENUM64 (name, lo, hi); FUNC_PROTO (name, type);
    DATASEC (type, offset, size). INT/VAR/DECL_TAG keep one word in `word`;
    ARRAY keeps (type, index_type, nelems)."""

    def __init__(self, kind, name="", st=0, vlen=0, kflag=0, word=0, array=None, members=None):
        self.kind, self.name, self.st, self.vlen, self.kflag = kind, name, st, vlen, kflag
        self.word, self.array, self.members = word, array, members or []

    def refs(self):
        """Type ids this record references (positions, for remapping)."""
        r = []
        if self.kind in REF_KINDS:
            r.append(self.st)
        if self.kind == ARRAY:
            r += [self.array[0], self.array[1]]
        if self.kind in (STRUCT, UNION, FUNC_PROTO):
            r += [m[1] for m in self.members]
        if self.kind == DATASEC:
            r += [m[0] for m in self.members]
        return r


def btf_strings(blob):
    """The raw string section of a BTF blob."""
    _, _, _, hdr_len, _, _, str_off, str_len = struct.unpack_from("<HBBIIIII", blob, 0)
    return bytes(blob[hdr_len + str_off:hdr_len + str_off + str_len])


def parse_btf(blob):
    magic, ver, flags, hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from(
        "<HBBIIIII", blob, 0)
    assert magic == BTF_MAGIC, "not BTF"
    types_b = blob[hdr_len + type_off:hdr_len + type_off + type_len]
    strs = blob[hdr_len + str_off:hdr_len + str_off + str_len]

    def s(off):
        return strs[off:strs.index(b"\0", off)].decode("latin-1")

    types = [None]
    pos = 0
    while pos < len(types_b):
        name_off, info, st = struct.unpack_from("<III", types_b, pos)
        pos += 12
        kind, vlen, kflag = (info >> 24) & 0x1f, info & 0xffff, info >> 31
        t = Type(kind, s(name_off), st, vlen, kflag)
        if kind in (INT, VAR, DECL_TAG):
            t.word = struct.unpack_from("<I", types_b, pos)[0]
        elif kind == ARRAY:
            t.array = struct.unpack_from("<III", types_b, pos)
        pos += _fixed_extra(kind)
        for _ in range(vlen if _member_size(kind) else 0):
            if kind in (STRUCT, UNION):
                n, ty, off = struct.unpack_from("<III", types_b, pos)
                t.members.append((s(n), ty, off))
            elif kind == ENUM:
                n, v = struct.unpack_from("<Ii", types_b, pos)
                t.members.append((s(n), v))
            elif kind == ENUM64:
                n, lo, hi = struct.unpack_from("<III", types_b, pos)
                t.members.append((s(n), lo, hi))
            elif kind == FUNC_PROTO:
                n, ty = struct.unpack_from("<II", types_b, pos)
                t.members.append((s(n), ty))
            elif kind == DATASEC:
                t.members.append(struct.unpack_from("<III", types_b, pos))
            pos += _member_size(kind)
        types.append(t)
    return types


def write_btf(types, base_strs=None):
    """Serialises types[1:] (types[0] is void) with a deduplicated string
    table. With base_strs (an original string section) that table is kept
    byte for byte, so offsets other sections use (.BTF.ext line_info) stay
    valid, and new names are appended."""
    strs = bytearray(base_strs or b"\0")
    offs = {}
    pos = 0
    while pos < len(strs):
        end = strs.index(b"\0", pos)
        offs.setdefault(strs[pos:end].decode("latin-1"), pos)
        pos = end + 1
    offs[""] = 0

    def so(name):
        if name not in offs:
            offs[name] = len(strs)
            strs.extend(name.encode("latin-1") + b"\0")
        return offs[name]

    out = bytearray()
    for t in types[1:]:
        vlen = len(t.members) if _member_size(t.kind) else t.vlen
        vlen = getattr(t, "raw_vlen", vlen)  # a deliberately wrong count
        info = (t.kind << 24) | (vlen & 0xffff) | (t.kflag << 31)
        out += struct.pack("<III", so(t.name), info, t.st)
        if t.kind in (INT, VAR, DECL_TAG):
            out += struct.pack("<I", t.word & 0xffffffff)
        elif t.kind == ARRAY:
            out += struct.pack("<III", *t.array)
        for m in t.members:
            if t.kind in (STRUCT, UNION):
                out += struct.pack("<III", so(m[0]), m[1], m[2])
            elif t.kind == ENUM:
                out += struct.pack("<Ii", so(m[0]), m[1])
            elif t.kind == ENUM64:
                out += struct.pack("<III", so(m[0]), m[1], m[2])
            elif t.kind == FUNC_PROTO:
                out += struct.pack("<II", so(m[0]), m[1])
            elif t.kind == DATASEC:
                out += struct.pack("<III", *m)
    hdr = struct.pack("<HBBIIIII", BTF_MAGIC, 1, 0, 24, 0, len(out), len(out), len(strs))
    return bytes(hdr + out + strs)


def _remap(t, m):
    """A copy of t with every referenced id passed through m."""
    n = Type(t.kind, t.name, t.st, t.vlen, t.kflag, t.word, t.array, list(t.members))
    if t.kind in REF_KINDS:
        n.st = m(t.st)
    if t.kind == ARRAY:
        n.array = (m(t.array[0]), m(t.array[1]), t.array[2])
    if t.kind in (STRUCT, UNION):
        n.members = [(a, m(b), c) for a, b, c in t.members]
    if t.kind == FUNC_PROTO:
        n.members = [(a, m(b)) for a, b in t.members]
    if t.kind == DATASEC:
        n.members = [(m(a), b, c) for a, b, c in t.members]
    return n


def slice_btf(types, func_names, var_names, budget=300, datasec=".data..percpu"):
    """A closed subset of types: the first FUNC / VAR with each name, their
    bpf_kfunc DECL_TAGs, everything they reference, and `datasec` listing the
    kept VARs. Structs and unions keep their members while fewer than
    `budget` types are kept (small ones first reached), otherwise they are
    emptied (same size, no members), which keeps the BTF kernel-valid and
    libbpf-compatible (aggregates compare by kind only)."""
    first = {}
    for i, t in enumerate(types[1:], 1):
        if t.kind in (FUNC, VAR):
            first.setdefault((t.kind, t.name), i)
    roots = [first[(FUNC, n)] for n in func_names if (FUNC, n) in first]
    roots += [first[(VAR, n)] for n in var_names if (VAR, n) in first]
    keep, order, emptied = set(), [], set()
    queue = list(roots)
    while queue:
        i = queue.pop(0)
        if i == 0 or i in keep:
            continue
        keep.add(i)
        order.append(i)
        t = types[i]
        if t.kind in (STRUCT, UNION) and (len(keep) > budget or len(t.members) > 8):
            emptied.add(i)
            continue
        queue.extend(t.refs())
    tags = [i for i, t in enumerate(types[1:], 1)
            if t.kind == DECL_TAG and t.st in keep and t.word == 0xffffffff
            and types[t.st].kind == FUNC]
    ds = next((i for i, t in enumerate(types[1:], 1)
               if t.kind == DATASEC and t.name == datasec), None)
    kept = sorted(keep) + tags + ([ds] if ds else [])
    new_id = {old: n for n, old in enumerate(kept, 1)}
    out = [None]
    for old in kept:
        t = _remap(types[old], lambda x: new_id.get(x, 0) if x else 0)
        if old in emptied:
            t.members = []
            t.kflag = 0
        if old == ds:
            t.members = [m for m, om in zip(t.members, types[old].members) if om[0] in keep]
        out.append(t)
    return out


def all_kinds_btf():
    """A hand-built, kernel-valid BTF with one or more records of every kind,
    and VAR/FUNC names the test objects ask for."""
    T = Type
    ts = [None,
          T(INT, "int", 4, word=(1 << 24) | 32),                          # 1
          T(INT, "unsigned long long", 8, word=64),                       # 2
          T(PTR, "", 5),                                                  # 3 -> struct task_struct
          T(ARRAY, "", 0, array=(1, 1, 4)),                               # 4 int[4]
          T(STRUCT, "task_struct", 24, members=[("pid", 1, 0), ("tgid", 1, 32),
                                                 ("arr", 4, 64)]),        # 5
          T(UNION, "u", 8, members=[("a", 1, 0), ("b", 2, 0)]),           # 6
          T(ENUM, "e", 4, members=[("E0", 0), ("E1", 1)]),                # 7
          T(FWD, "cgroup"),                                               # 8
          T(TYPEDEF, "u64", 2),                                           # 9
          T(VOLATILE, "", 1),                                             # 10
          T(CONST, "", 10),                                               # 11
          T(RESTRICT, "", 3),                                             # 12
          T(FUNC_PROTO, "", 0, members=[]),                               # 13 void(void)
          T(FUNC, "bpf_rcu_read_lock", 13, vlen=1),                       # 14
          T(FUNC, "bpf_rcu_read_unlock", 13, vlen=1),                     # 15
          T(FUNC_PROTO, "", 3, members=[("pid", 1)]),                     # 16 task *(int)
          T(FUNC, "bpf_task_from_pid", 16, vlen=1),                       # 17
          T(VAR, "bpf_prog_active", 1, word=1),                           # 18
          T(VAR, "runqueues", 5, word=1),                                 # 19
          T(DATASEC, ".data..percpu", 64, members=[(18, 0, 4), (19, 8, 24)]),  # 20
          T(FLOAT, "double", 8),                                          # 21
          T(DECL_TAG, "bpf_kfunc", 14, word=0xffffffff),                  # 22
          T(DECL_TAG, "bpf_kfunc", 15, word=0xffffffff),                  # 23
          T(DECL_TAG, "bpf_kfunc", 17, word=0xffffffff),                  # 24
          T(TYPE_TAG, "rcu", 5),                                          # 25
          T(PTR, "", 25),                                                 # 26
          T(ENUM64, "e64", 8, members=[("BIG", 0, 1)]),                   # 27
          T(FUNC_PROTO, "", 0, members=[("cgid", 9)]),                    # 28
          T(FUNC, "bpf_prog_put", 28, vlen=1),                            # 29 (no tag: not a kfunc)
          ]
    return ts


# ---- harness input framings (fuzz/fuzz_*.c) --------------------------------

def u32(n):
    return struct.pack("<I", n)


def frame_btf_ext(elf):
    """fuzz_btf_ext: [len][.BTF][len][.BTF.ext] + up to 8 code sections."""
    btf, ext = elf.sec(".BTF"), elf.sec(".BTF.ext")
    out = bytearray(u32(len(btf.data)) + btf.data + u32(len(ext.data)) + ext.data)
    code = [s for s in elf.sections if s.flags & SHF_EXECINSTR and s.data][:8]
    for s in code:
        name = s.name.encode()[:255]
        out += bytes([len(name)]) + name + u32(len(s.data)) + s.data
    return bytes(out)


def frame_pipeline(flags, obj, btf, kallsyms):
    return bytes([flags]) + u32(len(obj)) + obj + u32(len(btf)) + btf + kallsyms


def frame_profile(obj, profile):
    return u32(len(obj)) + obj + profile


# ---- kernel profiles (docs/profile-format.md, version 2) ----------------

class _H128(ctypes.Structure):
    _fields_ = [("low64", ctypes.c_uint64), ("high64", ctypes.c_uint64)]


def _xxh():
    lib = ctypes.CDLL(ctypes.util.find_library("xxhash") or "libxxhash.so.0")
    lib.XXH3_64bits.restype = ctypes.c_uint64
    lib.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
    lib.XXH3_128bits.restype = _H128
    lib.XXH3_128bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
    return lib


def xxh3_64(data):
    """XXH3-64, through the libxxhash ksymres links against."""
    return _xxh().XXH3_64bits(data, len(data))


def xxh3_128_be(data):
    """XXH3-128 as a profile stores its identity: high half first, big-endian."""
    h = _xxh().XXH3_128bits(data, len(data))
    return struct.pack(">QQ", h.high64, h.low64)


def fix_profile_hashes(p):
    """Recomputes a profile's block hashes and head hash as the writer does
    (a forger's file): the body in 4 KiB blocks from 4096 to .ksr.blocks,
    then XXH3-64 of the head (the hash field as zeros) and the table."""
    b = bytearray(p)
    e = Elf(bytes(p))
    meta = e.sec(".ksr.meta").offset
    blk = e.sec(".ksr.blocks").offset
    table = b"".join(struct.pack("<Q", xxh3_64(bytes(b[o:min(o + 4096, blk)])))
                     for o in range(4096, blk, 4096))
    b[blk:blk + len(table)] = table
    head = bytes(b[:meta + 24]) + bytes(8) + bytes(b[meta + 32:4096])
    struct.pack_into("<Q", b, meta + 24, xxh3_64(head + table))
    return bytes(b)


def profile_with_sections(p, extra, replace=None):
    """A version 2 profile image laid out again with the sections in extra
    ([(name, bytes)], e.g. optional '.ksr.opt.*' ones) added after
    .ksr.symidx, as the writer would place them (docs/profile-format.md,
    "Layout"): the section table grows at 64, .ksr.meta and .shstrtab move
    behind it, the body sections keep their bytes, each 8-aligned from 4096,
    .ksr.blocks ends the file; .ksr.meta's block fields and every hash are
    recomputed. replace ({name: bytes}) gives sections other contents."""
    e = Elf(bytes(p))
    meta = bytearray(e.sec(".ksr.meta").data)
    body = [(s.name, (replace or {}).get(s.name, s.data)) for s in e.sections[3:]
            if s.name != ".ksr.blocks"] + list(extra)
    names = [".ksr.meta", ".shstrtab"] + [n for n, _ in body] + [".ksr.blocks"]
    nsec = len(names) + 1
    shstr, name_off = b"\0", [0]
    for n in names:
        name_off.append(len(shstr))
        shstr += n.encode() + b"\0"
    moff = 64 + 64 * nsec
    if moff + len(meta) + len(shstr) > 4096:
        raise ValueError("the names do not fit the head")
    offs, sizes = [0, moff, moff + len(meta)], [0, len(meta), len(shstr)]
    out = bytearray(4096)
    for i, (_, data) in enumerate(body):
        off = 4096 if i == 0 else (len(out) + 7) & ~7
        out += bytes(off - len(out)) + data
        offs.append(off)
        sizes.append(len(data))
    blk = (len(out) + 7) & ~7
    cnt = (blk - 4096 + 4095) // 4096
    out += bytes(blk - len(out) + 8 * cnt)
    offs.append(blk)
    sizes.append(8 * cnt)
    struct.pack_into("<IIQQ", meta, 104, 4096, cnt, 4096, blk - 4096)
    out[:64] = EHDR.pack(b"\x7fELF\x02\x01\x01" + bytes(9), 1, 0, 1, 0, 0, 64, 0, 64, 0, 0, 64,
                         nsec, 2)
    for i in range(1, nsec):
        SHDR.pack_into(out, 64 + 64 * i, name_off[i], SHT_STRTAB if i == 2 else SHT_PROGBITS,
                       0, 0, offs[i], sizes[i], 0, 0, 8, 0)
    out[moff:moff + len(meta)] = meta
    out[moff + len(meta):moff + len(meta) + len(shstr)] = shstr
    return fix_profile_hashes(bytes(out))
