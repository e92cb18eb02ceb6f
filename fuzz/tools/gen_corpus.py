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
