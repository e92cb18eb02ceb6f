#!/usr/bin/env python3
"""Compares ksymres's offline predictions with what real kernels did.

usage: matrix.py WORK OUT BPF_DIR

WORK holds one directory per column (listed in WORK/columns), written by
matrix.sh or farm.sh:
  meta              kind, package, version, release (key=value); arch
                    (default x86_64) for the link-time _text; boot2=nokaslr
                    when the load boot ran without KASLR (its _text must be
                    the link-time one)
  config            the kernel's .config (CONFIG_BPF_SYSCALL for kconfig)
  profile           the profile the objects were resolved against
  check/C.{json,rc} resolve/C.{json,rc} patched/C.bpf.o
  boot1/text        _text of the boot the profile was captured in, checked
                    against the profile (absent on the farm path: no boot)
  boot2/            the load boot: text, version, results.txt, logs/
  error             present when the column could not be run
  disagree          extra disagreements found by the caller, one a line
Writes OUT/kernels-matrix.md and OUT/kernels-matrix.json (farm.sh: with
KSR_MATRIX_NAME=kernels-farm, OUT/kernels-farm.*), prints the Markdown and
exits 1 on any disagreement.

Predictions are computed here, independently of ksymres: addresses come
straight from the profile's symbol table (`.ksr.syms`, docs/profile-format.md)
and move by the KASLR slide (boot 2 _text - profile _text) unless the symbol
is absolute (type A, or inside a zero-based per-CPU area: per-CPU offsets up
to 6.14, in kallsyms and System.map alike). Stock bpftool
loads the patched constants as they are (it does not rebase), so for it the
prediction is the profile address itself."""
import json
import os
import re
import struct
import sys

WORK, OUT, BPF_DIR = sys.argv[1:4]
NAME = os.environ.get("KSR_MATRIX_NAME", "kernels-matrix")
LOADERS = ("libbpf", "bpftool", "ksymres")
LOADER_DOC = {
    "libbpf": "original object, stock bpftool: libbpf resolves live in that kernel",
    "bpftool": "object patched offline, stock `bpftool prog loadall` (no rebase)",
    "ksymres": "object patched offline, `ksymres load --run` (rebases by the slide)",
}
# link-time _text, to show KASLR offsets: x86-64 (CONFIG_PHYSICAL_START
# 0x1000000); arm64 (KIMAGE_VADDR: the kernel image above 2 GB of modules
# at the start of the 48-bit-VA_BITS_MIN linear-map-free half)
LINK_TEXTS = {"x86_64": 0xFFFFFFFF81000000, "aarch64": 0xFFFF800080000000}


# ---------------------------------------------------------------- ELF bits
def elf_sections(data):
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise ValueError("not an ELF64 file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    hdrs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    stroff = hdrs[shstrndx][4]
    names = [data[stroff + h[0]:data.index(b"\0", stroff + h[0])].decode() for h in hdrs]
    return dict(zip(names, hdrs)), hdrs, names


def sec_bytes(data, h):
    return data[h[4]:h[4] + h[5]]


class Profile:
    """The few things the predictions need from a ksymres profile."""

    def __init__(self, path, names):
        data = open(path, "rb").read()
        secs, _, _ = elf_sections(data)
        meta = sec_bytes(data, secs[".ksr.meta"])
        if meta[:8] != b"KSRPROF\0":
            raise ValueError(f"{path}: not a profile")
        self.flags, = struct.unpack_from("<I", meta, 12)
        self.text, = struct.unpack_from("<Q", meta, 16)
        version, = struct.unpack_from("<I", meta, 8)
        rel = meta[128:256] if version == 2 else meta[72:200]  # docs/profile-format.md
        self.release = rel.split(b"\0")[0].decode()
        syms = sec_bytes(data, secs[".ksr.syms"])
        strs = sec_bytes(data, secs[".ksr.symstr"])
        self.syms = {}  # name -> [(addr, type, module)], vmlinux first
        want = set(names)
        for off in range(0, len(syms), 24):
            addr, name_off, mod_off, _klen, typ, _fl = struct.unpack_from("<QIIIBB", syms, off)
            name = strs[name_off:strs.index(b"\0", name_off)].decode()
            if name in want:
                mod = strs[mod_off:strs.index(b"\0", mod_off)].decode() if mod_off else ""
                self.syms.setdefault(name, []).append((addr, chr(typ), mod))

    def absolute(self, addr, typ):
        """Does not move with KASLR: type A (per-CPU offsets in kallsyms up
        to 6.14), or inside a zero-based per-CPU area (System.map lists
        per-CPU variables as D/d/B/b with zero-based values)."""
        if typ in "Aa":
            return True
        start, end = self.lookup("__per_cpu_start"), self.lookup("__per_cpu_end")
        return bool(start and end and start[0] == 0 and start[0] <= addr < end[0])

    def lookup(self, name):
        """(address, type) as kallsyms_lookup_name would pick it: vmlinux
        first, the lowest address among duplicates; None when absent."""
        cands = sorted(s for s in self.syms.get(name, []) if not s[2])
        return (cands[0][0], cands[0][1]) if cands else None


def programs_of(obj):
    """Names of the BPF programs of an object: global functions in
    executable sections other than .text (libbpf's rule)."""
    data = open(obj, "rb").read()
    secs, hdrs, names = elf_sections(data)
    symtab = secs[".symtab"]
    strtab = hdrs[symtab[6]]
    progs = []
    for off in range(symtab[4], symtab[4] + symtab[5], 24):
        st_name, st_info, _o, st_shndx = struct.unpack_from("<IBBH", data, off)
        if st_info & 0xF != 2 or st_info >> 4 != 1 or not 0 < st_shndx < len(hdrs):
            continue
        if hdrs[st_shndx][2] & 4 and names[st_shndx] != ".text":
            n0 = strtab[4] + st_name
            progs.append(data[n0:data.index(b"\0", n0)].decode())
    return sorted(progs)


# ---------------------------------------------------------------- predictions
class Ctx:
    def __init__(self, profile, slide, rebase, config, release=""):
        self.p, self.slide, self.rebase, self.cfg = profile, slide, rebase, config
        self.release = release

    def kernel_version(self):
        """libbpf 1.1's LINUX_KERNEL_VERSION: uname -r's a.b.c, c clamped to 255."""
        m = re.match(r"(\d+)\.(\d+)\.(\d+)", self.release)
        return (int(m[1]) << 16) + (int(m[2]) << 8) + min(int(m[3]), 255) if m else 0

    def exists(self, name):
        return self.p.lookup(name) is not None

    def addr(self, name):
        hit = self.p.lookup(name)
        if hit is None:
            return 0
        a, t = hit
        if self.rebase and not self.p.absolute(a, t):
            a = (a + self.slide) & 0xFFFFFFFFFFFFFFFF
        return a

    def config(self, name):
        return self.cfg.get(name, "n")


def lo32(x):
    return x & 0xFFFFFFFF


# program -> predicted return value (u32, as BPF_PROG_TEST_RUN reports it).
# Each follows the header comment of its tests/bpf/*.bpf.c.
PRED = {
    "typeless_text": lambda c: lo32(c.addr("bpf_prog_put")),
    "typeless_percpu": lambda c: lo32(c.addr("runqueues")),
    "kconfig": lambda c: (1 | 2 | (4 if c.addr("bpf_prog_put") >> 32 else 0)
                          | (8 if c.config("CONFIG_BPF_SYSCALL") == "y" else 0)),
    # tests/bpf/kconfig_values.bpf.c: from the kernel's own config and release
    "kconfig_values": lambda c: ((int(c.config("CONFIG_HZ"), 0) & 0xFFF)
                                 | {"y": 1, "m": 2}.get(c.config("CONFIG_BPF_SYSCALL"), 0) << 12
                                 | ((c.kernel_version() >> 8) & 0xFFFF) << 14
                                 | (1 << 31 if c.cfg.get("CONFIG_LOCALVERSION", "") == "" else 0)),
    "kconfig_missing": None,  # strong CONFIG_KSYMRES_NOPE: no kernel loads it
    "kfunc_task": lambda c: 1,
    "kfunc_tc": lambda c: 2,
    "maps_data": lambda c: 43 + (1 if c.addr("bpf_prog_put") >> 32 else 0),
    "shared_a": lambda c: 2 * (c.addr("bpf_prog_put") & 0xFF) + 1,
    "shared_b": lambda c: 2 * (c.addr("bpf_prog_put") & 0xFF) + 2,
    "typed_percpu_ptr": lambda c: 1000,
    "typed_this_cpu": lambda c: 10,
    "weak_mask": lambda c: ((1 if c.exists("ksr_no_such_symbol") else 0)
                            | (2 if c.exists("ksr_no_such_var") else 0)
                            | (4 if c.exists("ksr_no_such_kfunc") else 0)
                            | (8 if c.exists("bpf_rcu_read_lock") else 0)
                            | (16 if c.addr("bpf_prog_put") else 0)),
    "flavour": lambda c: ((1 if c.exists("bpf_rcu_read_lock") else 0)
                          | (2 if c.exists("bpf_task_release___a") else 0)
                          | (4 if c.exists("bpf_prog_active___v2") else 0)
                          | (8 if c.addr("bpf_prog_put___v2") else 0)),
    "nongpl_addr": lambda c: 1 if c.exists("bpf_rcu_read_lock") else 0,
    # tests/bpf/conntrack.bpf.c: an all-zero tuple finds no entry (-ENOENT
    # in opts.error) where the conntrack kfuncs exist (vmlinux, when
    # nf_conntrack is built in, as on the host)
    "ct_xdp": lambda c: 2,
    "ct_mixed": lambda c: 2,  # conntrack_mixed.bpf.c: the same, plus bpf_prog_active
    "ct_tc": lambda c: 2,     # conntrack_tc.bpf.c: the TC variant (bpf_skb_ct_lookup)
    # kernel probes (tests/kernels/bpf)
    "probe_kfunc_addr_pre64": lambda c: 1 if c.exists("bpf_key_put") else 0,
    "probe_plain_func_call": lambda c: 1,
    "probe_kfunc_prog_type": lambda c: 4,
    # never loadable on a real kernel (would-be values from their comments)
    "bad_proto": lambda c: 5,
    "nongpl": lambda c: 9,
    "missing": None,
    "compat": None,          # names only the synthetic BTF of test_resolve.c has
    "typeless_rules": None,  # names only the synthetic kallsyms of test_resolve.c has
}
SYMBOLS = ["_text", "__per_cpu_start", "__per_cpu_end", "bpf_prog_put", "runqueues", "bpf_rcu_read_lock",
           "ksr_no_such_symbol", "ksr_no_such_var", "ksr_no_such_kfunc", "bpf_task_release___a",
           "bpf_prog_active___v2", "bpf_prog_put___v2"]

# Where the reference loader (stock bpftool's libbpf: 1.1 on Debian 12) lags
# the libbpf rules ksymres follows (>= 1.3): the original object's load
# result is then a note, not a disagreement; the kernel's verdict is the
# patched object's load.
LIBBPF_GAPS = {
    "flavour": ((1, 3), "libbpf < 1.3 does not strip ___flavour suffixes from kfunc names"),
}

# ksymres mispredictions this suite found and that are not fixed yet: shown
# under "Known mispredictions" in every run, not failing it. An entry only
# covers a runnable verdict that the kernel refuses with a message matching
# its pattern, on columns its condition selects; anything else still fails.
KNOWN_MISPREDICTIONS = [
    ("probe_plain_func_call", lambda col: not col["profile_has_kfunc_tags"],
     r"calling kernel function \w+ is not allowed",
     "the target's BTF has no DECL_TAG bpf_kfunc (pahole < 1.27), so ksymres cannot tell a plain "
     "kernel function from a kfunc and reports the call resolved"),
    ("probe_kfunc_prog_type", lambda col: True,
     r"calling kernel function \w+ is not allowed|must be sleepable",
     "the program types a kfunc is registered for, and its flags (sleepable), are in the "
     "kernel's .BTF_ids sets, not in BTF: ksymres reports the call resolved"),
]

# Facts about the Debian kernels that are known independently of ksymres
# (docs/real-kernels.md): guard against a pipeline that "agrees" because everything failed.
KNOWN = {
    ("6.1", "typed_percpu"): True, ("6.12", "typed_percpu"): True,
    ("6.1", "kfuncs"): False, ("6.12", "kfuncs"): True,
    ("6.1", "typeless"): True, ("6.12", "typeless"): True,
    ("6.1", "weak"): True, ("6.12", "weak"): True,
    ("6.1", "probe_kfunc_addr_pre64"): False, ("6.12", "probe_kfunc_addr_pre64"): True,
}


# ---------------------------------------------------------------- inputs
def read(path, default=None):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return default


def read_kv(path):
    out = {}
    for line in (read(path, "") or "").splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            out[k.strip()] = v.strip()
    return out


def read_text(path):
    for line in (read(path, "") or "").splitlines():
        f = line.split()
        if len(f) == 3 and f[2] == "_text":
            return int(f[0], 16)
    return None


def read_config(path):
    cfg = {}
    for line in (read(path, "") or "").splitlines():
        m = re.match(r"^(CONFIG_\w+)=(.*)$", line)
        if m:
            cfg[m.group(1)] = m.group(2).strip('"')
    return cfg


NOISE = re.compile(r"libbpf: elf: skipping|^Error: failed to load object file|failed to load object '|"
                   r"-- (BEGIN|END) PROG LOAD LOG --|^processed \d+|^verification time|^stack depth|"
                   r"^\d+: |^; |failed to load: -|^libbpf: prog '[^']*': BPF program load failed|"
                   r"^Warning:|^func#|^\s*$|^run |^\(")


def why(path, text=None):
    """The line of a loader's stderr (or of TEXT) that says why it failed."""
    lines = [ln.strip() for ln in (read(path, "") if text is None else text).splitlines()]
    useful = [ln for ln in lines if not NOISE.search(ln)]
    for ln in useful:
        if re.search(r"extern|cannot|failed to find|not allowed|unknown func|invalid|incompatib|"
                     r"not found|not resolved|refus|mismatch|Permission|No such|denied|reserved", ln, re.I):
            return ln[:160]
    return (useful[0] if useful else (lines[0] if lines else "(no message)"))[:160]


def load_results(boot):
    res = {"loads": {}, "rets": {}, "ksymres_load": False, "complete": False, "ksymres_doc": {},
           "seconds": {}}
    for line in (read(os.path.join(boot, "results.txt"), "") or "").splitlines():
        f = line.split()
        if not f:
            continue
        if f[0] == "ksymres_load":
            res["ksymres_load"] = f[1] == "1"
        elif f[0] == "libbpf":
            res["libbpf"] = tuple(int(x) for x in f[1].split(".") if x.isdigit()) if len(f) > 1 else ()
        elif f[0] == "time" and len(f) == 4:
            res["seconds"][f[2]] = round(res["seconds"].get(f[2], 0.0) + float(f[3]), 2)
        elif f[0] == "end":
            res["complete"] = True
        elif f[0] == "load" and len(f) == 4:
            case, loader, st = f[1], f[2], f[3]
            if loader == "ksymres":
                rc = int(st.split("=")[1]) if st.startswith("rc=") else -1
                doc, progs = ksymres_programs(os.path.join(boot, "logs", f"{case}.ksymres.json"))
                res["loads"][(case, loader)] = rc == 0 and progs is not None
                res["ksymres_doc"][case] = doc
                for p, v in (progs or {}).items():
                    res["rets"][(case, loader, p)] = v
            else:
                res["loads"][(case, loader)] = st == "ok"
        elif f[0] == "ret" and len(f) == 5:
            res["rets"][(f[1], f[2], f[3])] = None if f[4] == "none" else int(f[4])
    return res


def ksymres_programs(path):
    """(report, {program: retval}) from `ksymres load --run -j`
    ({..., "kaslr_slide", "rebased", "programs": [{"name", "retval", ...}]});
    (None, None) if unreadable."""
    try:
        doc = json.loads(read(path, "") or "null")
        return doc, {p["name"]: (int(p["retval"]) & 0xFFFFFFFF if p.get("retval") is not None else None)
                     for p in doc["programs"]}
    except (ValueError, KeyError, TypeError):
        return None, None


def known_mis(case, info, why_line):
    """The KNOWN_MISPREDICTIONS entry that covers this rejection, if any."""
    for kcase, cond, pattern, text in KNOWN_MISPREDICTIONS:
        if kcase == case and cond(info) and re.search(pattern, why_line):
            return text
    return None


def check_summary(doc):
    """(runnable, statuses {name: status}, reasons {name: reason})"""
    prof = doc["profiles"][0]
    st = {e["name"]: e["status"] for e in prof["externs"]}
    rs = {e["name"]: e.get("reason", "") for e in prof["externs"]}
    # .kconfig externs, in the ksyms' terms (missing and invalid fail in libbpf)
    kmap = {"set": "resolved", "default": "weak_unresolved", "invalid": "incompatible"}
    for e in prof.get("kconfig", []):
        st[e["name"]] = kmap.get(e["status"], e["status"])
        rs[e["name"]] = e.get("reason", e.get("value", ""))
    return prof["runnable"], st, rs


# ---------------------------------------------------------------- compare
def main():
    columns = [c for c in (read(os.path.join(WORK, "columns"), "") or "").split() if c]
    cases = sorted(f[:-len(".bpf.o")] for f in os.listdir(BPF_DIR) if f.endswith(".bpf.o"))
    progs = {c: programs_of(os.path.join(BPF_DIR, c + ".bpf.o")) for c in cases}
    report = {"columns": [], "cases": [], "disagreements": [], "loaders": LOADER_DOC,
              "wall_seconds": os.environ.get("KSR_MATRIX_WALL")}
    bad = report["disagreements"]

    def disagree(col, case, what):
        bad.append({"column": col, "case": case, "what": what})

    colinfo = {}
    for col in columns:
        d = os.path.join(WORK, col)
        meta = read_kv(os.path.join(d, "meta"))
        info = {"name": col, **meta, "error": read(os.path.join(d, "error"))}
        colinfo[col] = info
        report["columns"].append(info)
        link_text = LINK_TEXTS[meta.get("arch", "x86_64")]
        for line in (read(os.path.join(d, "disagree"), "") or "").splitlines():
            disagree(col, "*", line)
        if info["error"]:
            disagree(col, "*", "column not run: " + info["error"].strip())
            continue
        names = set(SYMBOLS)  # + every extern the reports name, for the address check
        for case in cases:
            try:
                names.update(e["name"] for e in json.loads(
                    read(os.path.join(d, "resolve", case + ".json"), "") or "null")["externs"])
            except (ValueError, KeyError, TypeError):
                pass
        prof = Profile(os.path.join(d, "profile"), names)
        boot1 = read_text(os.path.join(d, "boot1", "text"))
        boot2 = read_text(os.path.join(d, "boot2", "text"))
        info.update({
            "profile_release": prof.release,
            "profile_text": hex(prof.text),
            "profile_has_data_symbols": bool(prof.flags & 1),
            "profile_has_kfunc_tags": bool(prof.flags & 2),
            "boot1_text": hex(boot1) if boot1 is not None else None,
            "boot2_text": hex(boot2) if boot2 is not None else None,
            "kaslr_boot1": hex(boot1 - link_text) if boot1 is not None else None,
            "kaslr_boot2": hex(boot2 - link_text) if boot2 is not None else None,
            "link_text": hex(link_text),
            "proc_version": (read(os.path.join(d, "boot2", "version"), "") or "").strip(),
            "boot2_release": (read(os.path.join(d, "boot2", "release"), "") or "").strip(),
        })
        if boot2 is None:
            disagree(col, "*", "no _text from the load boot")
            continue
        slide = boot2 - prof.text
        if meta.get("boot2") == "nokaslr" and boot2 != link_text:
            disagree(col, "*", f"the nokaslr load boot has _text {boot2:#x}, not the link-time {link_text:#x}")
        info["slide"] = hex(slide) if slide >= 0 else "-" + hex(-slide)
        if boot1 is not None and boot1 != prof.text:
            disagree(col, "*", f"profile _text {prof.text:#x} is not boot 1's _text {boot1:#x}")
        if info["boot2_release"] and info["boot2_release"] != prof.release:
            disagree(col, "*", f"profile release {prof.release} but the load boot runs {info['boot2_release']}")
        info["_prof"], info["_slide"] = prof, slide
        info["_cfg"] = read_config(os.path.join(d, meta.get("config", "config")))
        info["_res"] = load_results(os.path.join(d, "boot2"))
        info["loader_seconds"] = info["_res"]["seconds"]
        if not info["_res"]["complete"]:
            disagree(col, "*", "the load boot did not finish its runner (see boot2.log)")

    for case in cases:
        row = {"case": case, "programs": progs[case], "cells": {}}
        report["cases"].append(row)
        for col in columns:
            info = colinfo[col]
            if info.get("error") or "_prof" not in info:
                continue
            d = os.path.join(WORK, col)
            cell = {"disagrees": []}
            row["cells"][col] = cell

            def bad_here(what, cell=cell, col=col, case=case):
                cell["disagrees"].append(what)
                disagree(col, case, what)

            # offline: check, resolve, and their consistency
            try:
                check_doc = json.loads(read(os.path.join(d, "check", case + ".json"), "") or "null")
                runnable, statuses, reasons = check_summary(check_doc)
            except (ValueError, KeyError, TypeError, IndexError):
                bad_here("check printed no report: " + (read(os.path.join(d, "check", case + ".err"), "") or "").strip())
                continue
            check_rc = int((read(os.path.join(d, "check", case + ".rc"), "-1") or "-1").strip())
            resolve_rc = int((read(os.path.join(d, "resolve", case + ".rc"), "-1") or "-1").strip())
            patched = os.path.exists(os.path.join(d, "patched", case + ".bpf.o"))
            cell.update({"runnable": runnable, "statuses": statuses, "check_rc": check_rc,
                         "resolve_rc": resolve_rc, "patched": patched})
            cell["not_resolved"] = {n: f"{s}: {reasons[n]}" for n, s in statuses.items() if s != "resolved"}
            if check_rc != (0 if runnable else 1):
                bad_here(f"check exit {check_rc} but runnable={runnable}")
            if (resolve_rc == 0) != runnable or patched != runnable:
                bad_here(f"check says runnable={runnable} but resolve exit {resolve_rc}, output {'written' if patched else 'absent'}")
            # resolve's typeless addresses are the profile's
            try:
                rdoc = json.loads(read(os.path.join(d, "resolve", case + ".json"), "") or "null")
                for e in rdoc["externs"]:
                    if e.get("status") == "resolved" and "address" in e:
                        hit = info["_prof"].lookup(e["name"])
                        want = hit[0] if hit else None
                        if want is None or int(e["address"], 16) != want:
                            bad_here(f"resolve put {e['address']} for {e['name']}, the profile says "
                                     f"{hex(want) if want is not None else 'absent'}")
            except (ValueError, KeyError, TypeError):
                bad_here("resolve printed no JSON report")

            # the kernel: what loaded
            res = info["_res"]
            loads = {}
            for ld in LOADERS:
                if ld == "ksymres" and not res["ksymres_load"]:
                    loads[ld] = "n/a"
                    continue
                if ld != "libbpf" and not patched:
                    loads[ld] = "-"
                    continue
                ok = res["loads"].get((case, ld))
                if ok is None:
                    loads[ld] = "not run"
                    bad_here(f"{ld}: no result from the load boot")
                    continue
                loads[ld] = "loaded" if ok else "rejected"
                if not ok:
                    logs = os.path.join(d, "boot2", "logs", f"{case}.{ld}")
                    tail = None
                    if ld == "ksymres":  # -j: the verifier log tail is in the JSON on stdout
                        try:
                            tail = json.loads(read(logs + ".json", "") or "null")["verifier_log_tail"]
                        except (ValueError, KeyError, TypeError):
                            tail = None
                    cell.setdefault("why", {})[ld] = why(logs + ".err", tail)
                gap = LIBBPF_GAPS.get(case)
                if ld == "libbpf" and ok != runnable and gap and res.get("libbpf", ()) < gap[0]:
                    cell.setdefault("notes", []).append(
                        f"libbpf {'.'.join(map(str, res.get('libbpf', ())))} "
                        f"{'rejected' if not ok else 'loaded'} the original: {gap[1]}")
                elif runnable and not ok and known_mis(case, info, cell["why"][ld]):
                    cell.setdefault("known", []).append(f"{ld}: {cell['why'][ld]}")
                    cell["known_text"] = known_mis(case, info, cell["why"][ld])
                elif ok != runnable:
                    if ld == "libbpf":
                        bad_here(f"check says {'runnable' if runnable else 'NOT runnable'}, but the kernel "
                                 f"{'rejected' if runnable else 'loaded'} the original through libbpf"
                                 + (f": {cell['why']['libbpf']}" if not ok else ""))
                    else:
                        bad_here(f"the patched object was {'rejected' if not ok else 'loaded'} by {ld}"
                                 + (f": {cell['why'][ld]}" if not ok else ""))
            cell["loads"] = loads
            # a rejection must come from the layer the statuses predict:
            # missing / incompatible externs stop libbpf before the kernel
            # sees the program; "unloadable" ones are the verifier's call
            if not runnable and loads.get("libbpf") == "rejected" and case not in LIBBPF_GAPS:
                bad_st = set(statuses.values()) - {"resolved", "weak_unresolved"}
                want_stage = "libbpf" if bad_st & {"missing", "incompatible"} else "verifier"
                msg = cell["why"]["libbpf"]
                got_stage = "libbpf" if re.search(r"libbpf: extern|^libbpf: failed to find", msg) else "verifier"
                if want_stage != got_stage:
                    bad_here(f"statuses {sorted(bad_st)} predict a rejection by the {want_stage}, "
                             f"but the {got_stage} rejected it: {msg}")
            kdoc = res["ksymres_doc"].get(case)
            if loads.get("ksymres") == "loaded" and kdoc:
                cell["ksymres_load"] = {k: kdoc.get(k) for k in ("kaslr_slide", "rebased", "identity",
                                                                 "host_identity", "reresolved")}
                try:  # the slide is only looked up when something moves
                    if kdoc.get("rebased") and int(kdoc.get("kaslr_slide", "x"), 16) != info["_slide"]:
                        bad_here(f"ksymres load applied slide {kdoc.get('kaslr_slide')}, the boots' _text "
                                 f"differ by {info['slide']}")
                except ValueError:
                    bad_here(f"ksymres load reported no KASLR slide ({kdoc.get('kaslr_slide')})")
                if kdoc.get("reresolved"):
                    bad_here("ksymres load re-resolved instead of loading what was resolved offline")
            known = KNOWN.get((col.split("-")[0], case))
            if known is not None and known != runnable:
                bad_here(f"known fact: {case} is {'runnable' if known else 'not runnable'} on Debian {col}")

            # return values
            rets = {}
            for p in progs[case]:
                pr = {}
                for ld in LOADERS:
                    if loads.get(ld) != "loaded":
                        continue
                    fn = PRED.get(p)
                    got = res["rets"].get((case, ld, p))
                    if fn is None:
                        bad_here(f"{p}: no prediction for this program (add it to PRED in tests/kernels/matrix.py)")
                        continue
                    ctx = Ctx(info["_prof"], info["_slide"], ld != "bpftool", info["_cfg"],
                              info.get("boot2_release", ""))
                    want = lo32(fn(ctx))
                    pr[ld] = {"got": got, "predicted": want}
                    if got is None:
                        bad_here(f"{p} via {ld}: loaded but did not run")
                    elif got != want:
                        bad_here(f"{p} via {ld}: returned {got} ({got:#x}), the profile predicts {want} ({want:#x})")
                if pr:
                    rets[p] = pr
            cell["returns"] = rets

    # ------------------------------------------------------------ output
    report["known_mispredictions"] = [
        {"column": c, "case": row["case"], "kernel": cell["known"], "why": cell["known_text"]}
        for row in report["cases"] for c in columns
        for cell in [row["cells"].get(c) or {}] if cell.get("known")]
    md = render(report, columns, colinfo)
    for k in colinfo.values():
        for x in [x for x in k if x.startswith("_")]:
            del k[x]
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, NAME + ".json"), "w") as f:
        json.dump(report, f, indent=1, sort_keys=True)
    with open(os.path.join(OUT, NAME + ".md"), "w") as f:
        f.write(md)
    print(md)
    print(f"written: {os.path.join(OUT, NAME + '.md')} and .json")
    if bad:
        print(f"FAIL: {len(bad)} disagreement(s)")
        return 1
    k = len(report["known_mispredictions"])
    print("PASS: every offline prediction agrees with every kernel"
          + (f" ({k} known mispredictions listed, see KNOWN_MISPREDICTIONS)" if k else ""))
    return 0


def short_status(cell):
    if cell["runnable"]:
        return "runnable"
    parts = [f"{n} {s}" for n, s in cell["statuses"].items() if s not in ("resolved", "weak_unresolved")]
    more = f", +{len(parts) - 3} more" if len(parts) > 3 else ""
    return "NOT runnable (" + ", ".join(parts[:3]) + more + ")"


def cell_text(cell, progs):
    if cell is None:
        return "(not run)"
    mark = {"loaded": "✓", "rejected": "✗", "n/a": "n/a", "-": "–", "not run": "?"}
    out = [short_status(cell)]
    out.append(" ".join(f"{ld} {mark[cell['loads'][ld]]}" for ld in LOADERS))
    for p in progs:
        pr = cell.get("returns", {}).get(p)
        if not pr:
            continue
        gots = {v["got"] for v in pr.values()}
        wants = {v["predicted"] for v in pr.values()}
        if len(gots) == 1 and gots == wants:
            out.append(f"{p}={next(iter(gots))}")
        else:
            out.append(f"{p}: " + ", ".join(
                f"{ld} {v['got']} (pred {v['predicted']})" for ld, v in pr.items()))
    if cell.get("notes"):
        out.append("(note)")
    if cell.get("known"):
        out.append("*known misprediction*")
    if cell["disagrees"]:
        out.append("**DISAGREES**")
    return "<br>".join(out)


def render(report, columns, colinfo):
    L = []
    title = {"kernels-farm": "Build-farm path", "kernels-arm64": "Real-kernel matrix, arm64"}.get(
        NAME, "Real-kernel matrix")
    L.append(f"# {title}\n")
    if report.get("wall_seconds"):
        L.append(f"Suite wall time: {report['wall_seconds']} s.\n")
    L.append("| column | kernel (uname -r) | Debian version | profile _text | load boot _text | "
             "KASLR offset profile / load boot | slide |")
    L.append("|---|---|---|---|---|---|---|")
    for col in columns:
        i = colinfo[col]
        if i.get("error"):
            L.append(f"| {col} | {i.get('release', '?')} | {i.get('version', '?')} | not run | | | |")
            continue
        prof_off = int(i["profile_text"], 16) - int(i["link_text"], 16)
        L.append(f"| {col} | {i.get('release')} | {i.get('version')} | {i['profile_text']} | {i['boot2_text']} | "
                 f"{hex(prof_off)} / {i['kaslr_boot2']} | {i.get('slide')} |")
    for col in columns:
        i = colinfo[col]
        if i.get("kind") in ("vm", "farm") and i.get("slide") == "0x0":
            L.append(f"\nNote: {col}: both boots got the same KASLR offset; this run does not exercise rebasing "
                     "there (it happens about once in 500 runs).")
    L.append("")
    secs = [f"{c}: " + ", ".join(f"{ld} {v:.1f} s" for ld, v in colinfo[c].get("loader_seconds", {}).items())
            for c in columns if colinfo[c].get("loader_seconds")]
    if secs:
        L.append("Time spent by each loader in the load boot, all cases (load, test-run, unpin; TCG guests are "
                 "slow): " + "; ".join(secs) + ".\n")
    L.append("Loaders: " + "; ".join(f"**{k}** = {v}" for k, v in LOADER_DOC.items())
             + ". ✓ loaded, ✗ rejected, – not attempted (resolve refused the object), n/a not available. "
             "`prog=value`: the test-run return value, equal to the prediction for every loader "
             "(otherwise each loader is listed with its prediction).\n")
    L.append("| case | " + " | ".join(columns) + " |")
    L.append("|---|" + "---|" * len(columns))
    for row in report["cases"]:
        cells = [cell_text(row["cells"].get(c), row["programs"]) for c in columns]
        L.append(f"| {row['case']} | " + " | ".join(cells) + " |")
    L.append("")
    reasons = []
    for row in report["cases"]:
        for c in columns:
            cell = row["cells"].get(c)
            if cell and cell.get("why"):
                for ld, w in cell["why"].items():
                    reasons.append(f"- {row['case']} on {c}, {ld}: {w}")
    notes = [f"- {row['case']} on {c}: {n}" for row in report["cases"] for c in columns
             for n in (row["cells"].get(c) or {}).get("notes", [])]
    if notes:
        L.append("Notes (not disagreements):\n")
        L.extend(notes)
        L.append("")
    known = [f"- {k['case']} on {k['column']}: check says runnable, the kernel refused it "
             f"({'; '.join(k['kernel'])}). Why ksymres cannot see it: {k['why']}."
             for k in report["known_mispredictions"]]
    if known:
        L.append("Known ksymres mispredictions (KNOWN_MISPREDICTIONS in tests/kernels/matrix.py; "
                 "shown, not failing):\n")
        L.extend(known)
        L.append("")
    if reasons:
        L.append("Why the loads were rejected:\n")
        L.extend(reasons)
        L.append("")
    if report["disagreements"]:
        L.append("## Disagreements\n")
        for b in report["disagreements"]:
            L.append(f"- {b['column']} / {b['case']}: {b['what']}")
        L.append("")
    else:
        L.append("No disagreements" + (f" (besides the {len(known)} known mispredictions above)" if known else "")
                 + ".\n")
    return "\n".join(L)


if __name__ == "__main__":
    sys.exit(main())
