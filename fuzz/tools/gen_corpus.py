#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Writes unminimised fuzz seeds for every target into OUT/<target>/.
Called by scripts/gen-corpus.sh, which then minimises them into corpus/.

usage: gen_corpus.py --ksymres BIN --objects DIR [--objects DIR...]
                     --btf VMLINUX_BTF --kallsyms KALLSYMS --out OUT

Sources: the clang-built test and example objects; a slice of the given
vmlinux BTF closed over the names those objects use (ksrfmt.slice_btf); a
hand-built BTF with every kind; an excerpt of the given kallsyms plus
hand-written lines for the shapes a host may lack (module columns, per-CPU
data, .llvm. suffixes, 32-bit addresses, System.map layout); profiles and
patched objects made by the ksymres binary from those."""
import argparse
import atexit
import glob
import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import ksrfmt  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests",
                                "cli", "helpers"))
import mini_btf  # noqa: E402  (the tests' tiny vmlinux BTF and module split BTF)

SEED_MAX = 64 * 1024
V1_FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "unit",
                          "fixtures", "fixed-v1.profile")
FUNCS = ["bpf_rcu_read_lock", "bpf_rcu_read_unlock", "bpf_task_from_pid", "bpf_task_acquire",
         "bpf_task_release", "bpf_cgroup_from_id", "bpf_cgroup_release", "bpf_prog_put",
         "bpf_obj_drop_impl", "bpf_dynptr_from_skb", "bpf_cpumask_create"]
VARS = ["runqueues", "bpf_prog_active", "jiffies", "init_task"]
KSYM_NAMES = FUNCS + ["_text", "_stext", "_etext", "startup_64", "bpf_map_put"]
EXTRA_KSYMS = """\
0000000000000000 A fixed_percpu_data
0000000000032d40 D runqueues
0000000000020a08 D bpf_prog_active
ffffffff83a0d000 D jiffies
ffffffff83a15940 D init_task
ffffffff8160c5d0 d rcu_state.llvm.1234567890
ffffffff8160c5e0 d rcu_state.llvm.987654321
ffffffff81234560 t bpf_prog_put.cold
ffffffff81234570 t __bpf_prog_put.isra.0
ffffffffc0a01000 t nf_conntrack_init\t[nf_conntrack]
ffffffffc0a02000 T nf_ct_get_tuple\t[nf_conntrack]
ffffffffa0001234 t bpf_prog_6deef7357e7b4530_sd_fw_ingress\t[bpf]
ffffffffc0201000 t ftrace_trampoline\t[__builtin__ftrace]
"""


def sh(*cmd, check=True):
    return subprocess.run(cmd, check=check, capture_output=True)


def kallsyms_excerpt(path, n_plain=40):
    """Lines for the wanted names, the first n_plain lines, then the extras."""
    lines = open(path, encoding="latin-1").read().splitlines()
    want = set(KSYM_NAMES)
    picked = lines[:n_plain] + [l for l in lines if l.split(" ")[-1] in want]
    seen, out = set(), []
    for l in picked:
        if l not in seen and re.match(r"^[0-9a-f]{16} [A-Za-z] \S+$", l):
            seen.add(l)
            out.append(l)
    return "\n".join(out) + "\n" + EXTRA_KSYMS.replace("\\t", "\t")


def system_map(text):
    """System.map layout: no module column, sorted by address."""
    rows = [l for l in text.splitlines() if "\t" not in l]
    return "\n".join(sorted(rows)) + "\n"


def map32(text):
    """A 32-bit kernel's 8-digit addresses."""
    return "\n".join(l[8:] for l in text.splitlines() if "\t" not in l) + "\n"


def flip(data, off, mask=0x01):
    b = bytearray(data)
    b[off] ^= mask
    return bytes(b)


def strip_debug(path, tmp):
    """The object without DWARF (.debug_* and their relocations), which
    makes seeds a third of the size; .BTF and .BTF.ext stay."""
    dst = os.path.join(tmp, os.path.basename(path) + ".stripped")
    try:
        sh("llvm-objcopy", "--strip-debug", path, dst)
    except (OSError, subprocess.CalledProcessError):
        return None
    return open(dst, "rb").read()


class Out:
    def __init__(self, root):
        self.root = root

    def put(self, target, name, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        if len(data) > SEED_MAX:
            print(f"gen_corpus: skipping {target}/{name}: {len(data)} bytes", file=sys.stderr)
            return
        d = os.path.join(self.root, target)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


# fuzz_http (fuzz/fuzz_http.c): [u8 method][u32 len][path][u32 len][query]
# [u32 len][headers][body]; the identities of the harness's two fixed
# profiles (its embedded BTFs), so routes reach stored profiles
HTTP_A, HTTP_B = "fb19390e4df2e441cc1c8b3ccca45262", "db6958c3085fe87b7a17411f6a02bea6"
HTTP_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")


def http_seeds(out, objs, profile):
    def blob(b):
        return struct.pack("<I", len(b)) + b

    def seed(name, m, path, q="", h="", body=b""):
        out.put("http", name, bytes([HTTP_METHODS.index(m)]) + blob(path.encode()) +
                blob(q.encode()) + blob(h.encode()) + body)

    a, b = HTTP_A, HTTP_B
    seed("healthz", "GET", "/healthz")
    seed("metrics", "GET", "/metrics")
    seed("list", "GET", "/v1/profiles", "label=fleet=a&release=6.8.0")
    seed("get", "GET", "/v1/profiles/" + a)
    seed("file", "GET", f"/v1/profiles/{a}/file")
    seed("delete", "DELETE", "/v1/profiles/" + b)
    seed("labels", "POST", f"/v1/profiles/{a}/labels", "add=fleet=a&add=os=x&remove=tier")
    seed("put", "PUT", "/v1/profiles", "label=fleet=b", body=profile)
    seed("bad_identity", "GET", "/v1/profiles/../../etc/passwd")
    seed("bad_route", "GET", "/v2/nothing")
    seed("bad_method", "PATCH", "/v1/profiles")
    seed("bad_query", "GET", "/v1/profiles", "lable=x=1&release=a&release=b")
    seed("bad_put_label", "PUT", "/v1/profiles", "label=../x=1")
    seed("bad_token", "DELETE", "/v1/profiles/" + a, "", "Authorization: Bearer nothing\n")
    seed("bad_object", "POST", "/v1/check", "profile=" + a, "", b"\x7fELF" + bytes(200))
    if "kfuncs" in objs:
        seed("check", "POST", "/v1/check", f"profile={a}&profile={b}", "Accept: application/json\n",
             objs["kfuncs"])
        seed("resolve_422", "POST", "/v1/resolve", "profile=" + a, "", objs["kfuncs"])
        seed("bad_check_both", "POST", "/v1/check", f"profile={a}&label=fleet=a", "", objs["kfuncs"])
    if "weak" in objs:
        seed("check_text", "POST", "/v1/check", "label=fleet=a&format=text&object=w.o", "", objs["weak"])
        seed("resolve_octet", "POST", "/v1/resolve", "profile=" + a, "Accept: application/octet-stream\n",
             objs["weak"])


def mini_ko(sections):
    """A minimal ELF64 relocatable holding sections [(name, bytes)], as a
    kernel module's .BTF (and .BTF.base) sit in a .ko."""
    return mini_elf([(n, 1, d) for n, d in sections])


def mini_elf(sections, machine=62):
    """A minimal ELF64 relocatable: sections [(name, type, bytes[, fields])],
    fields overriding the section header's (flags, link, info, align,
    entsize, name_off), then .shstrtab last."""
    names = b"\0" + b"".join(s[0].encode() + b"\0" for s in sections) + b".shstrtab\0"
    body, shdrs, off, noff = bytearray(), [bytes(64)], 64, 1
    for s in list(sections) + [(".shstrtab", 3, names)]:
        n, stype, data = s[:3]
        f = dict(flags=0, link=0, info=0, align=8, entsize=0, name_off=noff)
        f.update(s[3] if len(s) > 3 else {})
        off8 = (off + 7) & ~7
        body += bytes(off8 - off) + data
        shdrs.append(struct.pack("<IIQQQQIIQQ", f["name_off"], stype, f["flags"], 0, off8, len(data),
                                 f["link"], f["info"], f["align"], f["entsize"]))
        noff += len(n) + 1
        off = off8 + len(data)
    shoff = (off + 7) & ~7
    body += bytes(shoff - off)
    ehdr = struct.pack("<4sBBBBB7sHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, bytes(7), 1, machine, 1,
                       0, 0, shoff, 0, 64, 0, 0, 64, len(shdrs), len(shdrs) - 1)
    return ehdr + bytes(body) + b"".join(shdrs)


def vmlinux_like(btf, note, machine=62):
    """A vmlinux-like ELF: .BTF and a .notes section (SHT_NOTE) holding note."""
    return mini_elf([(".BTF", 1, btf), (".notes", 7, note, dict(align=4))], machine=machine)


def mini_bpf_obj():
    """The smallest BPF object the parser takes: a null symbol, no code."""
    return mini_elf([(".strtab", 3, b"\0"), (".symtab", 2, bytes(24), dict(link=1, info=1, entsize=24))],
                    machine=247)


def kconfig_seeds(out, objs, tmp):
    """fuzz_kconfig (fuzz/fuzz_kconfig.c): [flags][len][object][len][BTF]
    [config text]; the tests' tiny vmlinux BTF, with and without the enum
    libbpf's LINUX_HAS_BPF_COOKIE probe looks for."""
    mini_btf.KIND.setdefault("ENUM", 6)
    b = mini_btf.Btf()
    u32 = b.int_("unsigned int", 4)
    b.t("bpf_func_id", "ENUM", 2, 4, b.s("BPF_FUNC_unspec"), 0,
        b.s("BPF_FUNC_get_attach_cookie"), 1)
    b.t("bpf_prog_active", "VAR", 0, u32, 1)
    cookie_btf = b.blob()
    b = mini_btf.Btf()
    b.int_("int", 4)
    plain_btf = b.blob()
    debian = ("#\n# Automatically generated file; DO NOT EDIT.\n"
              "# Linux/x86 6.1.0-18-amd64 Kernel Configuration\n#\n"
              'CONFIG_CC_VERSION_TEXT="gcc-12 (Debian 12.2.0-14) 12.2.0"\n'
              "CONFIG_CC_IS_GCC=y\nCONFIG_GCC_VERSION=120200\nCONFIG_LOCALVERSION=\"\"\n"
              "# CONFIG_LOCALVERSION_AUTO is not set\nCONFIG_HZ_250=y\nCONFIG_HZ=250\n"
              "CONFIG_BPF=y\nCONFIG_HAVE_EBPF_JIT=y\nCONFIG_BPF_SYSCALL=y\nCONFIG_BPF_JIT=y\n"
              "# CONFIG_BPF_PRELOAD is not set\nCONFIG_BPF_LSM=y\nCONFIG_NF_CONNTRACK=m\n"
              "CONFIG_KSR_NOT_SET_U64=0xffffffffffffffff\n"
              'CONFIG_KSR_NOT_SET_STR="longer than eight"\nCONFIG_KSYMRES_NOPE=y\n'
              "CONFIG_ILLEGAL_POINTER_VALUE=0xdead000000000000\nCONFIG_PHYSICAL_ALIGN=0x200000\n")
    edge = {
        "debian": debian,
        "tristate-m": "CONFIG_BPF_SYSCALL=m\nCONFIG_HZ=100\nCONFIG_KSYMRES_NOPE=n\n",
        "bool-m": "CONFIG_HZ=1000\nCONFIG_KSYMRES_NOPE=m\nCONFIG_BPF_SYSCALL=y\n",
        "neg-hex": "CONFIG_HZ=-1\nCONFIG_KSYMRES_NOPE=0\nCONFIG_KSR_NOT_SET_U64=-0x10\n"
                   "CONFIG_BPF_SYSCALL=y\nCONFIG_LOCALVERSION=\"-x\"\n",
        "too-wide": "CONFIG_HZ=4294967296\nCONFIG_KSYMRES_NOPE=2\nCONFIG_BPF_SYSCALL=y\n",
        "not-int": "CONFIG_HZ=25O\nCONFIG_KSYMRES_NOPE=\"y\"\nCONFIG_BPF_SYSCALL=1\n"
                   "CONFIG_LOCALVERSION=\"unterminated\nCONFIG_KSR_NOT_SET_STR=y\n",
        "dup-first-wins": "CONFIG_HZ=100\nCONFIG_HZ=y\nCONFIG_KSYMRES_NOPE=y\nCONFIG_KSYMRES_NOPE=m\n"
                          "CONFIG_BPF_SYSCALL=y\n",
        "no-sep": "CONFIG_HZ=100\nCONFIG_BROKEN\nCONFIG_KSYMRES_NOPE=y\n",
        "no-value": "CONFIG_HZ=100\nCONFIG_EMPTY=\nCONFIG_KSYMRES_NOPE=y",
        "crlf-nonl": "CONFIG_HZ=300\r\nCONFIG_KSYMRES_NOPE=y\r\nCONFIG_BPF_SYSCALL=y",
        "long-line": "CONFIG_HZ=100\nCONFIG_KSYMRES_NOPE=y\nCONFIG_X=\"" + "a" * 4100 + "\"\n",
        "nul": "CONFIG_HZ=100\n\0CONFIG_KSYMRES_NOPE=y\n",
        "gzip-damaged": "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + "K" * 16,
        "empty": "",
    }

    def seed(name, flags, obj, btf, text):
        out.put("kconfig", name, bytes([flags]) + ksrfmt.u32(len(obj)) + obj + ksrfmt.u32(len(btf)) +
                btf + text.encode("latin-1"))

    objects = [n for n in ("kconfig", "kconfig_values", "kconfig_missing") if n in objs]
    for n in objects:
        seed(f"{n}+debian", 0x00, objs[n], cookie_btf, debian)
        seed(f"{n}+debian-gzip-bake", 0x50, objs[n], plain_btf, debian)
    if not objects:
        return
    o = objs[objects[0]]
    # flags: release (bits 0-1), arch (bits 2-3), gzip, no config, bake, no __x64_sys_bpf
    for i, (name, text) in enumerate(edge.items()):
        seed(f"edge-{name}", (i * 0x05) & 0x5f, objs[objects[i % len(objects)]], cookie_btf, text)
    for flags in (0x01, 0x02, 0x03, 0x04, 0x08, 0x0c, 0x20, 0x40, 0x80, 0x8d):
        seed(f"flags{flags:02x}", flags, o, cookie_btf, debian)
    # the value checks, each config against the object whose externs it
    # names (kconfig_values: int HZ, tristate BPF_SYSCALL, char[16]
    # LOCALVERSION; kconfig_missing: int HZ, strong bool KSYMRES_NOPE)
    for n, name in (("kconfig_values", "tristate-m"), ("kconfig_values", "not-int"),
                    ("kconfig_values", "neg-hex"), ("kconfig_missing", "bool-m"),
                    ("kconfig_missing", "too-wide"), ("kconfig_missing", "not-int"),
                    ("kconfig_missing", "no-sep"), ("kconfig_missing", "no-value")):
        if n in objs:
            seed(f"{n}+{name}", 0, objs[n], plain_btf, edge[name])
    # kconfig_virtual: LINUX_HAS_SYSCALL_WRAPPER on x86_64 (__x64_sys_bpf in
    # kallsyms) and on an arch without a syscall prefix, and the char,
    # string and badly typed virtual checks
    if "kconfig_virtual" in objs:
        seed("cov-kconfig_virtual", 0x00, objs["kconfig_virtual"], plain_btf,
             'CONFIG_BPF=y\nCONFIG_BPF_LSM=y\nCONFIG_CC_VERSION_TEXT="gcc-12"\nCONFIG_KSR_NEG=-2\n'
             'CONFIG_KSR_LONG="' + "x" * 100 + '"\nCONFIG_KSR_QUOTE="x\n')
        # release 0.0.0 and no arch (flags 0x0b); an enum bpf_func_id without the cookie helper
        b = mini_btf.Btf()
        b.t("bpf_func_id", "ENUM", 1, 4, b.s("BPF_FUNC_unspec"), 0)
        seed("cov-kconfig_virtual-noarch", 0x0b, objs["kconfig_virtual"], b.blob(), "CONFIG_BPF_LSM=y\n")
    # a gzip config over the reader's first 1 MiB buffer, ending in a line
    # over 4095 bytes (refused)
    import gzip
    big = ("CONFIG_A=y\n" * 100000 + "CONFIG_HZ=1\nCONFIG_X=" + "a" * 4100 + "\n").encode()
    out.put("kconfig", "gzip-1mib-long-line", bytes([0]) + ksrfmt.u32(len(objs[objects[-1]])) +
            objs[objects[-1]] + ksrfmt.u32(len(plain_btf)) + plain_btf + gzip.compress(big, 9, mtime=0))
    # the gzip reader on the smallest object: two concatenated members (read
    # as one stream, as gzread does), a member cut short, a config over the
    # first 1 MiB buffer
    tiny = mini_bpf_obj()
    out.put("kconfig", "cov-gzip-2members", bytes([0]) + ksrfmt.u32(len(tiny)) + tiny +
            ksrfmt.u32(len(plain_btf)) + plain_btf + gzip.compress(b"CONFIG_HZ=100\n", mtime=0) +
            gzip.compress(b"CONFIG_BPF=y\n", mtime=0))
    out.put("kconfig", "cov-gzip-cut", bytes([0]) + ksrfmt.u32(len(tiny)) + tiny +
            ksrfmt.u32(len(plain_btf)) + plain_btf + gzip.compress(debian.encode(), mtime=0)[:-12])
    out.put("kconfig", "cov-gzip-1mib-tiny", bytes([0]) + ksrfmt.u32(len(tiny)) + tiny +
            ksrfmt.u32(len(plain_btf)) + plain_btf + gzip.compress(big, 9, mtime=0))
    # externs the test objects lack, by renaming one in place (same length,
    # a NUL more): a weak LINUX_* libbpf does not know (default 0), a
    # strong one (refused)
    for n, old, new in (("kconfig", b"CONFIG_KSR_NOT_SET_U64", b"LINUX_KSR_NOT_SET_U64\0"),
                        ("kconfig_missing", b"CONFIG_KSYMRES_NOPE", b"LINUX_KSYMRES_NOPE\0")):
        if n in objs and old in objs[n]:
            seed(f"{n}-renamed", 0x02, objs[n].replace(old, new), plain_btf, debian)


def modbtf_seeds(out, objs, tmp):
    """fuzz_modbtf (fuzz/fuzz_modbtf.c): [len][object][len][vmlinux BTF]
    then [u8 name_len][name][len][module file or raw split BTF]...; the
    tests' tiny vmlinux and nf_conntrack split BTF (mini_btf.py)."""
    d = {}
    for flags in ("", "--untagged", "--no-params"):
        sub = os.path.join(tmp, "mini" + flags)
        os.makedirs(sub, exist_ok=True)
        sh(sys.executable, mini_btf.__file__, sub, *([flags] if flags else []))
        d[flags] = (open(os.path.join(sub, "vmlinux.btf"), "rb").read(),
                    open(os.path.join(sub, "nf_conntrack.btf"), "rb").read())
    base, mod = d[""]
    ko = mini_ko([(".BTF", mod)])
    import lzma
    xz = lzma.compress(ko, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32)
    zst = None
    try:
        zst = subprocess.run(["zstd", "-q", "-c"], input=ko, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pass

    def part(name, data):
        return bytes([len(name)]) + name.encode() + ksrfmt.u32(len(data)) + data

    def seed(name, obj, btf, parts):
        out.put("modbtf", name, ksrfmt.u32(len(obj)) + obj + ksrfmt.u32(len(btf)) + btf +
                b"".join(parts))

    objects = [n for n in ("conntrack", "conntrack_mixed", "conntrack_tc") if n in objs]
    for n in objects:
        seed(f"{n}+ko", objs[n], base, [part("nf_conntrack", ko)])
    o = objs[objects[0]] if objects else b""
    seed("raw", o, base, [part("nf_conntrack", mod)])
    seed("xz", o, base, [part("nf_conntrack", xz)])
    if zst:
        seed("zst", o, base, [part("nf_conntrack", zst)])
    seed("untagged", o, d["--untagged"][0], [part("nf_conntrack", mini_ko([(".BTF", d["--untagged"][1])]))])
    seed("no-params", o, d["--no-params"][0], [part("nf_conntrack", d["--no-params"][1])])
    seed("two-modules", b"", base, [part("nf_conntrack", ko), part("nf-ct_2", mod)])
    seed("dup-name", b"", base, [part("nf_conntrack", mod), part("nf_conntrack", mod)])
    seed("no-btf", b"", base, [part("no_btf", mini_ko([(".data", b"x" * 8)])), part("m", mod)])
    seed("distilled", b"", base, [part("distilled", mini_ko([(".BTF", mod), (".BTF.base", base)]))])
    seed("bad-name", b"", base, [part("bad name!", mod)])
    seed("xz-cut", b"", base, [part("nf_conntrack", xz[:-20])])
    if zst:
        seed("zst-cut", b"", base, [part("nf_conntrack", zst[:-8])])
    seed("truncated-btf", b"", base, [part("nf_conntrack", mini_ko([(".BTF", mod[:40])]))])
    # compressed modules the decoders refuse: damaged xz data, a zstd frame
    # header with reserved bits set
    seed("cov-xz-damaged", b"", base, [part("m", flip(xz, len(xz) // 2, 0xff))])
    if zst:
        seed("cov-zst-damaged", b"", base, [part("m", flip(zst, 4, 0x08))])
    # module files whose section table breaks a rule (core/elfsec.c): .BTF
    # flagged, linked, with an entry size, over-aligned, empty, twice; a
    # name outside .shstrtab, a .shstrtab without its final NUL, a file
    # shorter than an ELF header
    bad = {
        "flags": dict(flags=4), "link": dict(link=1), "entsize": dict(entsize=1),
        "align": dict(align=4096), "name-oob": dict(name_off=0x7000),
    }
    for name, f in bad.items():
        seed(f"cov-ko-btf-{name}", b"", base, [part("m", mini_elf([(".BTF", 1, mod, f)]))])
    seed("cov-ko-btf-empty", b"", base, [part("m", mini_ko([(".BTF", b"")]))])
    seed("cov-ko-btf-twice", b"", base, [part("m", mini_ko([(".BTF", mod), (".BTF", mod)]))])
    k = bytearray(mini_ko([(".BTF", mod)]))
    shoff, shnum = struct.unpack_from("<Q", k, 40)[0], struct.unpack_from("<H", k, 60)[0]
    soff, ssize = struct.unpack_from("<QQ", k, shoff + 64 * (shnum - 1) + 24)
    k[soff + ssize - 1] = ord("x")
    seed("cov-ko-shstrtab-unterminated", b"", base, [part("m", bytes(k))])
    seed("cov-ko-short", b"", base, [part("m", k[:40])])


# libbpf's kallsyms rules for typeless externs (tests/bpf/typeless_rules.bpf.c):
# an absolute and a per-CPU symbol, repeats at one address and at two, a
# module line, .llvm. suffixes
TYPELESS_KSYMS = """\
0000000000000000 A __per_cpu_start
0000000000000000 A ksr_t_abs0
0000000000000040 D ksr_t_pcpu_d
0000000000003000 A __per_cpu_end
ffffffff81000000 T _text
ffffffff81200000 t ksr_t_dup_same
ffffffff81200000 t ksr_t_dup_same
ffffffff81200100 t ksr_t_dup_diff
ffffffff81200200 t ksr_t_dup_diff
ffffffff81200300 t ksr_t_dup_weak
ffffffff81200400 t ksr_t_dup_weak
ffffffff81200500 T ksr_t_dup_mod
ffffffff81300000 b ksr_t_weak_here
ffffffff82000000 d ksr_t_llvm.llvm.1234567890
ffffffff82000100 t ksr_t_llvm_t.llvm.42
ffffffff82000300 d ksr_t_llvm_amb.llvm.7
ffffffff82000400 D ksr_t_llvm_amb
ffffffffc0001000 t ksr_t_mod\t[ksr_mod]
ffffffffc0002000 t ksr_t_dup_mod\t[ksr_mod]
"""


def typeless_seeds(out, objs, tmp, ksymres):
    """fuzz_pipeline: typeless_rules.bpf.o against TYPELESS_KSYMS and the
    tests' tiny vmlinux BTF: ambiguous lines, module and absolute addresses."""
    if "typeless_rules" not in objs:
        return
    d = os.path.join(tmp, "typeless")
    os.makedirs(d, exist_ok=True)
    sh(sys.executable, mini_btf.__file__, d)
    btf = open(os.path.join(d, "vmlinux.btf"), "rb").read()
    out.put("pipeline", "cov-typeless_rules+rules.pipe",
            ksrfmt.frame_pipeline(0, objs["typeless_rules"], btf, TYPELESS_KSYMS.encode()))
    # a typed VAR (runqueues) the tiny BTF lacks
    if "typed_percpu" in objs:
        out.put("pipeline", "cov-typed_percpu+mini.pipe", ksrfmt.frame_pipeline(
            0, objs["typed_percpu"], btf, b"ffffffff81000000 T _text\n0000000000001000 A runqueues\n"))
    # fuzz_object: typeless.bpf.o patched with a module address and a fixed
    # one, which a live rebase refuses (core/rebase.c)
    if "typeless" not in objs:
        return
    files = {n: os.path.join(d, n) for n in ("btf", "ks", "profile", "in.o", "out.o")}
    open(files["btf"], "wb").write(btf)
    open(files["ks"], "w").write("0000000000001000 A runqueues\nffffffff81000000 T _text\n"
                                 "ffffffffc0001000 t bpf_prog_put\t[ksr_mod]\n")
    open(files["in.o"], "wb").write(objs["typeless"])
    sh(ksymres, "profile", "--btf", files["btf"], "--kallsyms", files["ks"], "-o", files["profile"])
    sh(ksymres, "resolve", files["in.o"], "-p", files["profile"], "-o", files["out.o"])
    out.put("object", "cov-typeless.patched-module.elf", open(files["out.o"], "rb").read())


def mini_obj_seeds(out):
    """fuzz_object: the smallest BPF object (mini_bpf_obj) with one section,
    symbol or relocation that breaks a rule (a section of an unsupported
    type, code of 7 bytes, .BTF.ext without .BTF; core/object.c,
    core/relocs.c), or a .ksr.manifest refused at each header check
    (core/manifest.c) and each site rule of the live loader (core/rebase.c,
    core/insn.c)."""
    strtab, symtab = (".strtab", 3, b"\0"), (".symtab", 2, bytes(24), dict(link=1, info=1, entsize=24))

    def obj(*extra):
        return mini_elf([strtab, symtab] + list(extra), machine=247)

    out.put("object", "cov-mini-rela.elf", obj((".rela.x", 4, bytes(24), dict(entsize=24))))
    out.put("object", "cov-mini-code7.elf", obj((".text", 1, bytes(7), dict(flags=6))))
    out.put("object", "cov-mini-btfext-alone.elf", obj((".BTF.ext", 1, bytes(32))))

    # symbols: .strtab names "x" (1) and "y" (3); sections 3 .text, 4 .data
    def sym(name, info, shndx, value=0, size=0):
        return struct.pack("<IBBHQQ", name, info, 0, shndx, value, size)

    def with_syms(*syms):
        table = bytes(24) + b"".join(syms)
        return mini_elf([(".strtab", 3, b"\0x\0y\0"),
                         (".symtab", 2, table, dict(link=1, info=1, entsize=24)),
                         (".text", 1, bytes(16), dict(flags=6)), (".data", 1, bytes(8), dict(flags=3))],
                        machine=247)

    GLOBAL_FUNC, LOCAL_NOTYPE = 0x12, 0x00
    out.put("object", "cov-mini-sym-undef-local.elf", with_syms(sym(1, LOCAL_NOTYPE, 0)))
    out.put("object", "cov-mini-sym-abs-func.elf", with_syms(sym(1, GLOBAL_FUNC, 0xfff1)))
    out.put("object", "cov-mini-sym-bad-shndx.elf", with_syms(sym(1, GLOBAL_FUNC, 50)))
    out.put("object", "cov-mini-sym-func-in-data.elf", with_syms(sym(1, GLOBAL_FUNC, 4, 0, 8)))
    out.put("object", "cov-mini-progs-overlap.elf", with_syms(sym(1, GLOBAL_FUNC, 3, 0, 16),
                                                          sym(3, GLOBAL_FUNC, 3, 8, 8)))

    # relocations (core/relocs.c): .text, .rel.text against extern "x"
    # (symbol 1), function "y" (2, .text) or "z" (3, absolute)
    def with_rels(code, rels, link=2, syms=None):
        table = bytes(24) + b"".join(syms or (sym(1, 0x10, 0), sym(3, GLOBAL_FUNC, 3, 0, len(code)),
                                             sym(5, 0x11, 0xfff1)))
        return mini_elf([(".strtab", 3, b"\0x\0y\0z\0"),
                         (".symtab", 2, table, dict(link=1, info=1, entsize=24)),
                         (".text", 1, code, dict(flags=6)),
                         (".rel.text", 9,
                          b"".join(struct.pack("<QQ", o, sy << 32 | t) for o, sy, t in rels),
                          dict(link=link, info=3, entsize=16))], machine=247)

    def ld64(src=0, off=0):
        return struct.pack("<BBhi", 0x18, src << 4 | 1, off, 0) + bytes(8)

    exit_ = bytes.fromhex("9500000000000000")
    relocs = {
        "ld64-src": (ld64(src=1) + exit_, [(0, 1, 1)]),
        "ld64-off": (ld64(off=1) + exit_, [(0, 1, 1)]),
        "call-src0": (bytes.fromhex("85000000ffffffff") + exit_, [(0, 2, 10)]),
        "second-half": (ld64() + exit_, [(8, 1, 1)]),
        "twice": (ld64() + exit_, [(0, 1, 1), (0, 1, 1)]),
        "abs-symbol": (ld64() + exit_, [(0, 3, 1)]),
        "type-99": (ld64() + exit_, [(0, 1, 99)]),
    }
    for name, (code, rels) in relocs.items():
        out.put("object", f"cov-mini-rel-{name}.elf", with_rels(code, rels))
    out.put("object", "cov-mini-rel-link.elf", with_rels(ld64() + exit_, [(0, 1, 1)], link=1))

    def hdr(version, site_cnt=0, strs_len=1, mod_cnt=0, build_id_len=0, build_id=bytes(32), v1=False):
        h = struct.pack("<8sII16sQII128s", b"KSRMANI\0", version, site_cnt, bytes(16), 0, 0, strs_len,
                        b"6.8.0")
        return h if v1 else h + struct.pack("<HBBI32s", 0, build_id_len, 0, mod_cnt, build_id)

    manifests = {
        "short": b"KSRMANI\0",
        "magic": bytes(176),
        "v2-short": hdr(2, v1=True),
        "v2-build-id-len": hdr(2, build_id_len=33) + b"\0",
        "v2-build-id-pad": hdr(2, build_id=bytes(5) + b"\1" + bytes(26)) + b"\0",
        "sites-over-max": hdr(2, site_cnt=1 << 21) + b"\0",
        "v3-mods-past-end": hdr(3, mod_cnt=5) + b"\0",
        "v3-mod-unnamed": hdr(3, mod_cnt=1) + bytes(24) + b"\0",
    }
    for name, m in manifests.items():
        out.put("object", f"cov-mini-manifest-{name}.elf", obj((".ksr.manifest", 1, m)))

    # a manifest whose one site breaks a rule of the live loader's check
    # (core/rebase.c, core/insn.c): .text (section 3) holds an ld_imm64 of
    # 0, a kfunc call to BTF id 8 and an exit
    code = ld64() + struct.pack("<BBhi", 0x85, 0x20, 0, 8) + exit_
    TYPELESS, FUNC, LD, CALL, BTF_ID, ADDR, ZERO, POISON = 1, 2, 0, 1, 0, 1, 2, 3

    def site(kind, insn, vk, value=0, off=0, addr_class=0, module=0, sec=3):
        return struct.pack("<IIQQBBBBI", sec, 1, off, value, kind, insn, vk, addr_class, module)

    sites = {
        "insn-kind": [site(TYPELESS, 2, ADDR)],
        "module-index": [site(TYPELESS, LD, ADDR, module=1)],
        "extern-kind": [site(7, LD, ADDR)],
        "addr-class": [site(TYPELESS, LD, ADDR, addr_class=5)],
        "zero-value": [site(TYPELESS, LD, ZERO, value=5)],
        "poison-value": [site(FUNC, CALL, POISON, value=5)],
        "not-call": [site(FUNC, CALL, BTF_ID, value=8)],
        "call-imm": [site(FUNC, CALL, BTF_ID, value=9, off=16)],
        "not-ld64": [site(TYPELESS, LD, ADDR, off=16)],
        "same-insn": [site(TYPELESS, LD, ZERO), site(TYPELESS, LD, ZERO)],
    }
    for name, recs in sites.items():
        m = hdr(2, site_cnt=len(recs), strs_len=3) + b"".join(recs) + b"\0x\0"
        out.put("object", f"cov-mini-site-{name}.elf",
                obj((".text", 1, code, dict(flags=6)), (".ksr.manifest", 1, m)))


def btf_obj_seeds(out):
    """fuzz_object: the smallest object with a .BTF whose externs break one
    of libbpf's rules each (core/externs.c): not in a DATASEC, a .kconfig
    bool of 2 bytes, enum other than libbpf_tristate or struct; two extern
    symbols of one name."""
    for k, v in (("ENUM", 6), ("DATASEC", 15)):
        mini_btf.KIND.setdefault(k, v)

    def obj(build, nsyms=1):
        b = mini_btf.Btf()
        build(b)
        table = bytes(24) + struct.pack("<IBBHQQ", 1, 0x10, 0, 0, 0, 0) * nsyms
        return mini_elf([(".strtab", 3, b"\0x\0"), (".symtab", 2, table, dict(link=1, info=1, entsize=24)),
                         (".BTF", 1, b.blob())], machine=247)

    def func(b):
        return b.t("x", "FUNC", 2, b.proto(b.int_("int", 4), []))

    def kcfg_var(make_type, size):
        return lambda b: b.t(".kconfig", "DATASEC", 1, size, b.t("x", "VAR", 0, make_type(b), 2), 0, size)

    seeds = {
        "no-datasec": func,
        "kconfig-bool2": kcfg_var(lambda b: b.t("_Bool", "INT", 0, 2, 4 << 24 | 16), 2),
        "kconfig-enum": kcfg_var(lambda b: b.t("e", "ENUM", 1, 4, b.s("A"), 0), 4),
        "kconfig-struct": kcfg_var(lambda b: b.struct1("s", 4, "m", b.int_("int", 4)), 4),
    }
    for name, build in seeds.items():
        out.put("object", f"cov-mini-btf-{name}.elf", obj(build))
    out.put("object", "cov-mini-btf-two-symbols.elf",
            obj(lambda b: b.t(".ksyms", "DATASEC", 1, 0, func(b), 0, 0), nsyms=2))


def defined_instead(obj, name, other):
    """obj with extern symbol name defined in its first code section and its
    relocations moved to extern other: its DATASEC entry is left without an
    extern symbol."""
    e = ksrfmt.Elf(obj)
    code = next(x for x in e.sections if x.flags & 4 and x.size)
    syms = {x["name"]: x for x in e.symbols()}
    obj = patched(obj, syms[name]["off"] + 6, "<H", code.idx)
    for rel in (x for x in e.sections if x.type == 9):  # SHT_REL
        for off in range(rel.offset, rel.offset + rel.size, 16):
            info = struct.unpack_from("<Q", obj, off + 8)[0]
            if info >> 32 == syms[name]["idx"]:
                obj = patched(obj, off + 8, "<Q", syms[other]["idx"] << 32 | info & 0xffffffff)
    return obj


def orphan_seeds(out, objs):
    """fuzz_object: a .kconfig DATASEC listing a VAR with no extern symbol
    beside one that has one (core/externs.c)."""
    for n, name, other in (("kconfig_missing", "CONFIG_HZ", "CONFIG_KSYMRES_NOPE"),):
        if n in objs:
            out.put("object", f"cov-{n}-orphan.elf", defined_instead(objs[n], name, other))


def btf_rule_seeds(out):
    """fuzz_btf: tiny BTFs each refused by one of the kernel's member and
    chain rules (core/btf_kinds.c): enum bitfield members of a kflag struct
    (misaligned, over 32 bits, past the end), an int member whose bits to
    copy exceed 128, more CONST modifiers in a row than the limit."""
    for k, v in (("ENUM", 6), ("CONST", 10)):
        mini_btf.KIND.setdefault(k, v)

    def blob(build):
        b = mini_btf.Btf()
        build(b)
        return b.blob()

    def one_member(b, size, mtype, off, kflag=0):
        return b.t("s", "STRUCT", 1, size, b.s("m"), mtype, off, kflag=kflag)

    def enum_member(size, off):
        return lambda b: one_member(b, size, b.t("e", "ENUM", 1, 4, b.s("A"), 0), off, kflag=1)

    def const_chain(b):
        t = b.int_("int", 4)
        for _ in range(40):
            t = b.t(None, "CONST", 0, t)

    for name, build in (("enum-misaligned", enum_member(8, 3)), ("enum-wide", enum_member(8, 33 << 24)),
                        ("enum-past-end", enum_member(4, 32)),
                        ("int-copy-bits", lambda b: one_member(b, 32, b.t("i", "INT", 0, 16, 128), 1)),
                        ("const-chain", const_chain)):
        out.put("btf", f"cov-rule-{name}.btf", blob(build))


def btf_ext_rule_seeds(out):
    """fuzz_btf_ext: a tiny .BTF (int, FUNC_PROTO, FUNC "f", section name
    "prog") and a .BTF.ext refused at one record check each: func_info
    with a record size and no records, two func_info records at one
    instruction, core_relo records naming type 99 or kind 99."""
    b = mini_btf.Btf()
    i = b.int_("int", 4)
    f = b.t("f", "FUNC", 0, b.proto(i, []))
    prog, acc = b.s("prog"), b.s("0")
    btf = b.blob()

    def ext(func=b"", core=b""):
        hdr = struct.pack("<HBBIIIIIII", 0xEB9F, 1, 0, 32, 0, len(func), len(func), 0, len(func),
                          len(core))
        return hdr + func + core

    seeds = {
        "func-no-records": ext(func=struct.pack("<I", 8)),
        "func-same-insn": ext(func=struct.pack("<IIIIIII", 8, prog, 2, 0, f, 0, f)),
        "core-type-99": ext(core=struct.pack("<IIIIIII", 16, prog, 1, 0, 99, acc, 0)),
        "core-kind-99": ext(core=struct.pack("<IIIIIII", 16, prog, 1, 0, i, acc, 99)),
    }
    for name, e in seeds.items():
        out.put("btf_ext", f"cov-{name}.btfext", ksrfmt.u32(len(btf)) + btf + ksrfmt.u32(len(e)) + e +
                bytes([4]) + b"prog" + ksrfmt.u32(16) +
                bytes.fromhex("b700000000000000" "9500000000000000"))


def api_opts_seeds(out, tmp):
    """fuzz_api: the profile options' arch by e_machine and a build ID
    (flags 0x18), kallsyms refused in a profile made in memory, on the
    tests' tiny vmlinux BTF and no object; that BTF in a vmlinux-like ELF
    whose .notes holds a GNU build ID of 0 bytes, or only another vendor's
    note (on an e_machine without a name)."""
    d = os.path.join(tmp, "api-mini")
    os.makedirs(d, exist_ok=True)
    sh(sys.executable, mini_btf.__file__, d)
    btf = open(os.path.join(d, "vmlinux.btf"), "rb").read()
    ks = b"ffffffff81000000 T _text\nffffffff81000100 T bpf_prog_put\n"
    out.put("api", "cov-mini-machine-buildid.api", ksrfmt.frame_pipeline(0x18, b"", btf, ks))
    # a malformed first line: the kallsyms part of the profile is refused
    out.put("api", "cov-mini-bad-kallsyms.api",
            ksrfmt.frame_pipeline(0x00, b"", btf, b"ffffffff81000000 _text\n" + ks))
    notes = {"buildid-empty": struct.pack("<III", 4, 0, 3) + b"GNU\0",
             "other-note": struct.pack("<III", 4, 4, 1) + b"Xen\0" + bytes(4)}
    for name, note in notes.items():  # the second for a machine ksymres has no name for
        out.put("api", f"cov-mini-elf-{name}.api",
                ksrfmt.frame_pipeline(0x0c, b"", vmlinux_like(btf, note, 62 if "empty" in name else 999),
                                      ks))


def patched(data, off, fmt, *values):
    b = bytearray(data)
    struct.pack_into(fmt, b, off, *values)
    return bytes(b)


# a .ksr.meta field (core/profile.h), a module table entry's (core/modbtf.h)
META_SYM_SLOT_CNT, MODBTF_HDR, MODBTF_SLOT_CNT = 60, 16, 88


def forged_profile_seeds(out, objs, ksymres, tmp):
    """fuzz_profile: the refusals of a forged profile (docs/profile-format.md)
    that mutation of the committed seeds seldom keeps, each on the smallest
    profile the CLI writes (the tests' tiny vmlinux BTF, three kallsyms
    lines; with the nf_conntrack module for the module table): a head that
    is not the one layout (ELF header, section names, the file's end), a
    symbol index of 3 slots, indexes with no empty slot, a damaged module
    table; two version 1 layouts. The harness recomputes the hashes, so
    each one reaches its check (the head's refusals come before them)."""
    d = os.path.join(tmp, "forge")
    os.makedirs(os.path.join(d, "mods"), exist_ok=True)
    sh(sys.executable, mini_btf.__file__, d)
    vml = os.path.join(d, "vmlinux.btf")
    ko = mini_ko([(".BTF", open(os.path.join(d, "nf_conntrack.btf"), "rb").read())])
    open(os.path.join(d, "mods", "nf_conntrack.ko"), "wb").write(ko)
    ks = os.path.join(d, "ks")
    open(ks, "w").write("ffffffff81000000 T _text\nffffffff81000100 T bpf_prog_put\n"
                        "ffffffff81000200 T bpf_task_release\n")
    base, mods = os.path.join(d, "base.profile"), os.path.join(d, "mods.profile")
    sh(ksymres, "profile", "--btf", vml, "--kallsyms", ks, "--release", "6.8.0-seed", "-o", base)
    sh(ksymres, "profile", "--btf", vml, "--kallsyms", ks, "--release", "6.8.0-seed",
       "--modules", os.path.join(d, "mods"), "-o", mods)
    p, pm = open(base, "rb").read(), open(mods, "rb").read()
    sec = ksrfmt.Elf(p).sec
    shdr = lambda i: 64 + 64 * i  # noqa: E731
    names_off = struct.unpack_from("<I", p, shdr(3))[0]
    slot_size = 16
    slots = sec(".ksr.btf.names").data
    first_slot = next(slots[i:i + slot_size] for i in range(0, len(slots), slot_size)
                      if any(slots[i:i + slot_size]))

    def relaid(replace, slot_cnt=None):
        q = ksrfmt.profile_with_sections(p, [], replace)
        if slot_cnt is not None:
            q = patched(q, ksrfmt.Elf(q).sec(".ksr.meta").offset + META_SYM_SLOT_CNT, "<I", slot_cnt)
        return ksrfmt.fix_profile_hashes(q)

    forged = {
        "extended": p + bytes(8),
        "shnum": patched(p, 60, "<H", 40),
        "eflags": patched(p, 48, "<I", 1),
        "shname-dup": patched(p, shdr(4), "<I", names_off),
        "symidx-3": relaid({".ksr.symidx": bytes(12)}, 3),
        "full-indexes": relaid({".ksr.symidx": struct.pack("<I", 1) * (sec(".ksr.symidx").size // 4),
                                ".ksr.btf.names": first_slot * (len(slots) // slot_size)}),
    }
    for name, prof in forged.items():
        out.put("profile", f"cov-forged-{name}.profile", ksrfmt.frame_profile(b"", prof))
    # version 1 (the fixture): a section header with a flag, a non-zero
    # alignment gap byte before .ksr.symidx
    v1 = open(V1_FIXTURE, "rb").read()
    e1 = ksrfmt.Elf(v1)
    symstr = e1.sec(".ksr.symstr")
    for name, prof in (("shdr-flags", patched(v1, e1.shdr_off(3) + 8, "<Q", 1)),
                       ("gap-byte", patched(v1, symstr.offset + symstr.size, "B", 1))):
        out.put("profile", f"cov-forged-v1-{name}.profile", ksrfmt.frame_profile(b"", prof))
    mt = ksrfmt.Elf(pm).sec(".ksr.opt.modbtf").offset
    out.put("profile", "cov-forged-modbtf-magic.profile",
            ksrfmt.frame_profile(b"", ksrfmt.fix_profile_hashes(patched(pm, mt, "B", ord("x")))))
    if "conntrack" in objs:  # a module BTF view that cannot open, when the extern asks for it
        out.put("profile", "cov-conntrack+forged-modbtf-slots.profile", ksrfmt.frame_profile(
            objs["conntrack"], ksrfmt.fix_profile_hashes(patched(pm, mt + MODBTF_HDR + MODBTF_SLOT_CNT,
                                                                 "<I", 3))))


def faults_seeds(out, objs, btfs, kallsyms, profile):
    """fuzz_faults (fuzz/fuzz_faults.c): [u8 entry][u16 seed][payload]; each
    input fails each allocation or read of its parse in turn, so a few
    small inputs of every kind reach the failure paths. Entries 7-10 take
    the framings of the kconfig, pipeline, reresolve and modbtf seeds, read
    back from what main() wrote before (out.root/<target>/)."""
    import gzip
    import lzma

    def seed(name, entry, payload, eintr=False):
        out.put("faults", name, bytes([entry, 7, 0x80 if eintr else 0]) + payload)

    def other(target, name):
        try:
            return open(os.path.join(out.root, target, name), "rb").read()
        except OSError:
            return None

    for bname, btf in btfs.items():
        seed(f"{bname}.btf", 0, btf)
    seed("small.kallsyms", 1, kallsyms.encode("latin-1"))
    for name, blob in objs.items():
        seed(f"{name}.obj", 2, blob)
    seed("slice.profile", 3, profile)
    seed("kconfig.txt", 4, b"CONFIG_BPF=y\nCONFIG_HZ=250\n# CONFIG_DEBUG_INFO_BTF_MODULES is not set\n"
         b"CONFIG_LOCALVERSION=\"-ksr\"\nCONFIG_NR_CPUS=0x40\nCONFIG_X86=m\n")
    ko = mini_ko([(".BTF", btfs["kinds"])])
    seed("module.ko", 5, ko)
    seed("module.ko.xz", 5, lzma.compress(ko, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32))
    for name in ("kfuncs", "typeless", "weak", "ksym_demo"):
        if name in objs:   # the pipeline's framing without its flags byte
            seed(f"{name}+slice.pipe", 6, ksrfmt.frame_pipeline(0, objs[name], btfs["slice"],
                                                               kallsyms.encode("latin-1"))[1:])
    # 7: [flags][len][object][len][BTF][config]; flags bits 0-2 the armed
    # step (write with the config, open and decide, patch and write), bit 3
    # bake. The write step with a gzip config, and interrupted I/O.
    for kname in ("kconfig_values", "kconfig", "kconfig_missing"):
        k = other("kconfig", f"{kname}+debian")
        if not k:
            continue
        ol = struct.unpack_from("<I", k, 1)[0]
        obj = k[5:5 + ol]
        bl = struct.unpack_from("<I", k, 5 + ol)[0]
        btf, text = k[9 + ol:9 + ol + bl], k[9 + ol + bl:]

        def kc(flags, cfg, o=obj):
            return bytes([flags]) + ksrfmt.u32(len(o)) + o + ksrfmt.u32(len(btf)) + btf + cfg
        small = min(objs.values(), key=len)  # the write step needs an object, any
        # gzip: two members, over the first 1 MiB buffer (grown by realloc);
        # reads and writes interrupted (retried) rather than failed
        big = (b"# " + b"x" * 4000 + b"\n") * 270
        seed(f"{kname}-write-gzip-eintr.kcfg", 7,
             kc(1, gzip.compress(big, mtime=0) + gzip.compress(text, mtime=0), small), eintr=True)
        # a config section of several blocks: some are first read by the lookups
        pad = b"".join(b"CONFIG_KSR_PAD_%04d=y\n" % i for i in range(600))
        seed(f"{kname}-decide.kcfg", 7, kc(2, gzip.compress(text + pad, mtime=0)))
        seed(f"{kname}-bake.kcfg", 7, kc(4 | 8, text))
        break
    # 8: the pipeline's framing; flags bit 0 two threads, bit 1 drop caches
    for pname, flags in (("typeless+kinds.pipe", 0), ("kfuncs+kinds.pipe", 2), ("weak+kinds.pipe", 3)):
        pipe = other("pipeline", pname)
        if pipe:
            seed(pname.replace(".pipe", ".check"), 8, bytes([flags]) + pipe[1:])
    # 9: reresolve's framing, the smallest patched object there is
    rr = [other("reresolve", f"{n}.patched+slice.rr") for n in objs]
    rr = sorted((x for x in rr if x), key=len)
    if rr:
        seed("patched+slice.rr", 9, rr[0])
    # 10: [flags] + modbtf's framing; flags bits 0-2 the armed step (write
    # with the module BTF, open and decide, patch and bind)
    for mname, flags in (("conntrack+ko", 1), ("conntrack+ko", 6), ("raw", 0)):
        m = other("modbtf", mname)
        if m:
            seed(f"{mname}-{flags}.mod", 10, bytes([flags]) + m)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ksymres", required=True)
    ap.add_argument("--objects", action="append", required=True)
    ap.add_argument("--btf", required=True)
    ap.add_argument("--kallsyms", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    out = Out(a.out)
    tmp = tempfile.mkdtemp(prefix="ksr-corpus.")
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # leave nothing in /tmp

    objs, full = {}, {}
    for d in a.objects:
        for p in sorted(glob.glob(os.path.join(d, "*.bpf.o"))):
            name = os.path.basename(p)[:-len(".bpf.o")]
            full[name] = open(p, "rb").read()
            objs[name] = strip_debug(p, tmp) or full[name]

    vmlinux = ksrfmt.parse_btf(open(a.btf, "rb").read())
    slice_btf = ksrfmt.write_btf(ksrfmt.slice_btf(vmlinux, FUNCS, VARS))
    kinds_btf = ksrfmt.write_btf(ksrfmt.all_kinds_btf())
    ks = kallsyms_excerpt(a.kallsyms)
    ks_small = "\n".join(ks.splitlines()[40:]) + "\n"

    # btf: raw blobs in both rule sets
    out.put("btf", "slice_vmlinux.btf", slice_btf)
    out.put("btf", "all_kinds.btf", kinds_btf)
    for name, blob in objs.items():
        out.put("btf", f"obj_{name}.btf", ksrfmt.Elf(blob).sec(".BTF").data)

    # kallsyms: /proc/kallsyms, System.map and 32-bit shapes
    out.put("kallsyms", "excerpt.kallsyms", ks)
    out.put("kallsyms", "small.kallsyms", ks_small)
    out.put("kallsyms", "system.map", system_map(ks))
    out.put("kallsyms", "system32.map", map32(ks))
    out.put("kallsyms", "no_trailing_newline.kallsyms", ks_small.rstrip("\n"))
    out.put("kallsyms", "ambiguous.kallsyms",
            ks_small + "ffffffffc0a03000 T bpf_prog_put\t[fake_mod]\n")
    # enough distinct modules to grow the module-name set; a last line over
    # the stream's window (KSR_KSYM_STREAM_LINE_MAX)
    out.put("kallsyms", "cov-modules40.kallsyms",
            "".join(f"ffffffffc00{i:05x} t f{i}\t[m{i}]\n" for i in range(40)))
    out.put("kallsyms", "cov-long-last-line.kallsyms",
            "ffffffff81000000 T _text\nffffffff81000000 T " + "a" * 4200)

    # objects, their .BTF.ext in the skeleton framing, the rewrite
    for name, blob in objs.items():
        out.put("object", f"{name}.bpf.elf", full[name])
        out.put("ksyms_rewrite", f"{name}.bpf.elf", blob)
        elf = ksrfmt.Elf(blob)
        if elf.sec(".BTF.ext"):
            out.put("btf_ext", f"{name}.btfext", ksrfmt.frame_btf_ext(elf))

    # profiles (written by ksymres itself) and the pipeline
    profiles = {}
    for pname, btf, text in (("slice", slice_btf, ks), ("kinds", kinds_btf, ks_small)):
        bp, kp, pp = (os.path.join(tmp, f"{pname}.{x}") for x in ("btf", "ks", "profile"))
        open(bp, "wb").write(btf)
        open(kp, "w", encoding="latin-1").write(text)
        sh(a.ksymres, "profile", "--btf", bp, "--kallsyms", kp, "--release", "6.8.0-seed",
           "-o", pp)
        profiles[pname] = open(pp, "rb").read()
    # version 2 shapes the CLI writes besides those: an arch (--arch), a
    # build ID and arch (capture through its path hooks, with a notes file),
    # a body of several blocks (a longer kallsyms excerpt)
    bp, kp = (os.path.join(tmp, f"slice.{x}") for x in ("btf", "ks"))
    pp = os.path.join(tmp, "arch.profile")
    sh(a.ksymres, "profile", "--btf", bp, "--kallsyms", kp, "--release", "6.8.0-seed",
       "--arch", "aarch64", "-o", pp)
    profiles["arch"] = open(pp, "rb").read()
    notes, pp = os.path.join(tmp, "notes"), os.path.join(tmp, "buildid.profile")
    open(notes, "wb").write(struct.pack("<III", 4, 20, 3) + b"GNU\0" + bytes(range(1, 21)))
    subprocess.run([a.ksymres, "capture", "-o", pp], check=True, capture_output=True,
                   env=dict(os.environ, KSYMRES_VMLINUX_BTF=bp, KSYMRES_KALLSYMS=kp,
                            KSYMRES_KERNEL_NOTES=notes))
    profiles["buildid"] = open(pp, "rb").read()
    kp, pp = os.path.join(tmp, "long.ks"), os.path.join(tmp, "long.profile")
    open(kp, "w", encoding="latin-1").write(kallsyms_excerpt(a.kallsyms, n_plain=600))
    sh(a.ksymres, "profile", "--btf", bp, "--kallsyms", kp, "--release", "6.8.0-seed", "-o", pp)
    profiles["long"] = open(pp, "rb").read()
    for pname, prof in profiles.items():
        out.put("profile", f"{pname}.profile", ksrfmt.frame_profile(b"", prof))
    # ... and shapes it does not write (docs/profile-format.md): optional
    # sections (the layout rebuilt around them, hashes recomputed), an
    # unknown required section, damage in a body block, in the last block,
    # in the head and in the block table (hashes left as they are: the
    # harness opens each input as it is, then with the hashes recomputed),
    # and a version 1 profile (refused with the conversion command)
    base = profiles["slice"]
    sec = ksrfmt.Elf(base).sec
    opt = ksrfmt.profile_with_sections(base, [(".ksr.opt.x", b"optional\n"),
                                              (".ksr.opt.config", b"CONFIG_BPF=y\n" * 8)])
    shapes = {
        "opt": opt,
        "opt-empty-longname": ksrfmt.profile_with_sections(base, [(".ksr.opt." + "n" * 22, b"")]),
        "unknown-required": ksrfmt.profile_with_sections(base, [(".ksr.future", b"x" * 8)]),
        "damaged-body": flip(base, sec(".ksr.syms").offset + 24 + 3),
        "damaged-last-block": flip(base, sec(".ksr.blocks").offset - 1),
        "damaged-head": flip(base, sec(".ksr.meta").offset + 128 + 2),
        "damaged-table": flip(base, sec(".ksr.blocks").offset + 5),
        "v1": open(V1_FIXTURE, "rb").read(),
    }
    for sname, prof in shapes.items():
        out.put("profile", f"slice-{sname}.profile" if sname != "v1" else "v1.profile",
                ksrfmt.frame_profile(b"", prof))
    for name in ("kfuncs", "ksym_demo"):
        if name in objs:
            out.put("profile", f"{name}+opt.profile", ksrfmt.frame_profile(objs[name], opt))
            out.put("profile", f"{name}+buildid.profile",
                    ksrfmt.frame_profile(objs[name], profiles["buildid"]))
            out.put("profile", f"{name}+v1.profile", ksrfmt.frame_profile(objs[name], shapes["v1"]))
    for name, blob in objs.items():
        out.put("profile", f"{name}+slice.profile", ksrfmt.frame_profile(blob, profiles["slice"]))
        for flags, (bname, btf, text) in enumerate((("slice", slice_btf, ks),
                                                    ("kinds", kinds_btf, ks_small))):
            out.put("pipeline", f"{name}+{bname}.pipe",
                    ksrfmt.frame_pipeline(flags, blob, btf, text.encode("latin-1")))
    # the pipeline's flags beyond the release (fuzz/fuzz_pipeline.c): arch,
    # build ID (bits 4-5 pick its length), an optional section
    # kfunc calls from a program whose license is not GPL-compatible
    if "nongpl" in objs:
        out.put("pipeline", "cov-nongpl+slice.pipe", ksrfmt.frame_pipeline(
            0, objs["nongpl"], slice_btf,
            b"ffffffff81000000 T _text\nffffffff81100100 T bpf_rcu_read_lock\n"
            b"ffffffff81100110 T bpf_rcu_read_unlock\n"))
    for name in ("kfuncs", "ksym_demo"):
        if name in objs:
            for flags, (bname, btf, text) in ((0x2e, ("slice", slice_btf, ks)),
                                              (0x1f, ("kinds", kinds_btf, ks_small))):
                out.put("pipeline", f"{name}+{bname}-flags{flags:02x}.pipe",
                        ksrfmt.frame_pipeline(flags, objs[name], btf, text.encode("latin-1")))

    # patched objects (with a manifest) for the object parser
    pp = os.path.join(tmp, "slice.profile")
    for name, blob in objs.items():
        ip, op = os.path.join(tmp, f"{name}.o"), os.path.join(tmp, f"{name}.out.o")
        open(ip, "wb").write(blob)
        if sh(a.ksymres, "resolve", ip, "-p", pp, "-o", op, check=False).returncode == 0:
            patched = open(op, "rb").read()
            out.put("object", f"{name}.patched.elf", patched)
            out.put("btf", f"patched_{name}.btf", ksrfmt.Elf(patched).sec(".BTF").data)
            # re-resolution: against the profile it was patched with, and
            # against one with more kallsyms lines
            for pname in ("slice", "long"):
                out.put("reresolve", f"{name}.patched+{pname}.rr",
                        ksrfmt.frame_profile(patched, profiles[pname]))
    kconfig_seeds(out, objs, tmp)
    # api: the pipeline's framing; raw BTF and a vmlinux-like ELF with .BTF
    # and a build ID note (flags: release, arch, build ID, stream pieces)
    note = struct.pack("<III", 4, 20, 3) + b"GNU\0" + bytes(range(1, 21))
    vmlinux_elf = vmlinux_like(slice_btf, note)
    for i, name in enumerate(n for n in ("kfuncs", "typeless", "weak", "ksym_demo") if n in objs):
        out.put("api", f"{name}+slice.api", ksrfmt.frame_pipeline(i * 0x25, objs[name], slice_btf,
                                                                  ks_small.encode("latin-1")))
        out.put("api", f"{name}+elf.api", ksrfmt.frame_pipeline(0x18 | i << 5, objs[name], vmlinux_elf,
                                                                ks_small.encode("latin-1")))
    out.put("api", "notes-only.api", ksrfmt.frame_pipeline(0x0f, b"", note, ks_small.encode("latin-1")))
    modbtf_seeds(out, objs, tmp)
    forged_profile_seeds(out, objs, a.ksymres, tmp)
    typeless_seeds(out, objs, tmp, a.ksymres)
    mini_obj_seeds(out)
    orphan_seeds(out, objs)
    btf_obj_seeds(out)
    btf_rule_seeds(out)
    btf_ext_rule_seeds(out)
    api_opts_seeds(out, tmp)
    faults_seeds(out, objs, {"kinds": kinds_btf, "slice": slice_btf}, ks_small, profiles["slice"])
    kp, bp, prof = (os.path.join(tmp, n) for n in ("http.kallsyms", "http.btf", "http.profile"))
    open(kp, "w", encoding="latin-1").write(ks_small)
    open(bp, "wb").write(slice_btf)  # not the harness's profiles: PUT answers 201
    if sh(a.ksymres, "profile", "--btf", bp, "--kallsyms", kp, "-o", prof, check=False).returncode == 0:
        http_seeds(out, objs, open(prof, "rb").read())
    digest = hashlib.sha256(slice_btf).hexdigest()[:12]
    print(f"gen_corpus: {len(objs)} objects, slice BTF {len(slice_btf)} bytes ({digest}), "
          f"kallsyms excerpt {len(ks)} bytes")


if __name__ == "__main__":
    main()
