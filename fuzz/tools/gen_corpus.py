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
import glob
import hashlib
import os
import re
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
    names = b"\0" + b"".join(n.encode() + b"\0" for n, _ in sections) + b".shstrtab\0"
    body, shdrs, off, noff = bytearray(), [bytes(64)], 64, 1
    for n, data in sections + [(".shstrtab", names)]:
        off8 = (off + 7) & ~7
        body += bytes(off8 - off) + data
        stype = 3 if n == ".shstrtab" else 1
        shdrs.append(struct.pack("<IIQQQQIIQQ", noff, stype, 0, 0, off8, len(data), 0, 0, 8, 0))
        noff += len(n) + 1
        off = off8 + len(data)
    shoff = (off + 7) & ~7
    body += bytes(shoff - off)
    ehdr = struct.pack("<4sBBBBB7sHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, bytes(7), 1, 62, 1,
                       0, 0, shoff, 0, 64, 0, 0, 64, len(shdrs), len(shdrs) - 1)
    return ehdr + bytes(body) + b"".join(shdrs)


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
    # a gzip config over the reader's first 1 MiB buffer, ending in a line
    # over 4095 bytes (refused)
    import gzip
    big = ("CONFIG_A=y\n" * 100000 + "CONFIG_HZ=1\nCONFIG_X=" + "a" * 4100 + "\n").encode()
    out.put("kconfig", "gzip-1mib-long-line", bytes([0]) + ksrfmt.u32(len(objs[objects[-1]])) +
            objs[objects[-1]] + ksrfmt.u32(len(plain_btf)) + plain_btf + gzip.compress(big, 9))
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
    vmlinux_elf = mini_ko([(".BTF", slice_btf), (".notes", note)])
    for i, name in enumerate(n for n in ("kfuncs", "typeless", "weak", "ksym_demo") if n in objs):
        out.put("api", f"{name}+slice.api", ksrfmt.frame_pipeline(i * 0x25, objs[name], slice_btf,
                                                                  ks_small.encode("latin-1")))
        out.put("api", f"{name}+elf.api", ksrfmt.frame_pipeline(0x18 | i << 5, objs[name], vmlinux_elf,
                                                                ks_small.encode("latin-1")))
    out.put("api", "notes-only.api", ksrfmt.frame_pipeline(0x0f, b"", note, ks_small.encode("latin-1")))
    modbtf_seeds(out, objs, tmp)
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
