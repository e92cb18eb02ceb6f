#!/usr/bin/env python3
"""A tiny vmlinux BTF and a split module BTF on top of it, from fixed inputs.

usage: mini_btf.py OUTDIR [--untagged] [--no-params]
  ->  OUTDIR/vmlinux.btf, OUTDIR/nf_conntrack.btf

The module has the conntrack kfuncs the test program calls, with the
kernel's prototypes (net/netfilter/nf_conntrack_bpf.c):
  struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *, struct bpf_sock_tuple *,
                                    u32, struct bpf_ct_opts *, u32)
  void bpf_ct_release(struct nf_conn *)
both tagged bpf_kfunc (not with --untagged; --no-params: bpf_ct_release
takes no parameter, an incompatible prototype; vmlinux_fn always is, so the
vmlinux BTF says kfuncs are tagged; the vmlinux has the per-CPU VAR
bpf_prog_active, for conntrack_mixed.bpf.c), and a VAR nf_mod_var in .data..percpu. Module type ids
continue after the base's last id; its string offsets after the base's
string section. Printed: the ids of the two FUNCs, "lookup=N release=M".
"""
import struct
import sys

KIND = dict(INT=1, PTR=2, STRUCT=4, FUNC=12, FUNC_PROTO=13, VAR=14, DATASEC=15, DECL_TAG=17)


class Btf:
    def __init__(self, start_id=1, str_base=0):
        self.words = []
        self.strs = b"" if str_base else b"\0"
        self.str_base = str_base
        self.next_id = start_id

    def s(self, name):
        if not name:
            return 0
        off = self.str_base + len(self.strs)
        self.strs += name.encode() + b"\0"
        return off

    def t(self, name, kind, vlen, size_or_type, *extra, kflag=0):
        tid = self.next_id
        self.next_id += 1
        self.words += [self.s(name), kflag << 31 | KIND[kind] << 24 | vlen, size_or_type]
        self.words += list(extra)
        return tid

    def int_(self, name, size):
        return self.t(name, "INT", 0, size, size * 8)

    def struct1(self, name, size, member, mtype):
        return self.t(name, "STRUCT", 1, size, self.s(member), mtype, 0)

    def proto(self, ret, params):
        extra = []
        for pname, ptype in params:
            extra += [self.s(pname), ptype]
        return self.t(None, "FUNC_PROTO", len(params), ret, *extra)

    def blob(self):
        types = struct.pack("<%dI" % len(self.words), *self.words)
        hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(self.strs))
        return hdr + types + self.strs


def main():
    out = sys.argv[1]
    tagged = "--untagged" not in sys.argv[2:]
    base = Btf()
    u32 = base.int_("unsigned int", 4)                                  # 1
    conn = base.struct1("nf_conn", 4, "status", u32)                    # 2
    xdp = base.struct1("xdp_md", 4, "data", u32)                        # 3
    tup = base.struct1("bpf_sock_tuple", 4, "sport", u32)               # 4
    pconn = base.t(None, "PTR", 0, conn)                                # 5
    proto = base.proto(u32, [("ct", pconn)])                            # 6
    vfn = base.t("vmlinux_fn", "FUNC", 0, proto)                        # 7
    base.t("bpf_kfunc", "DECL_TAG", 0, vfn, 0xFFFFFFFF)                 # 8
    sint = base.int_("int", 4)                                          # 9
    active = base.t("bpf_prog_active", "VAR", 0, sint, 1)              # 10
    base.t(".data..percpu", "DATASEC", 1, 4, active, 0, 4)              # 11
    bblob = base.blob()
    open(out + "/vmlinux.btf", "wb").write(bblob)

    mod = Btf(start_id=base.next_id, str_base=len(base.strs))
    opts = mod.struct1("bpf_ct_opts", 4, "error", u32)
    pxdp = mod.t(None, "PTR", 0, xdp)
    ptup = mod.t(None, "PTR", 0, tup)
    popts = mod.t(None, "PTR", 0, opts)
    lproto = mod.proto(pconn, [("xdp_ctx", pxdp), ("bpf_tuple", ptup), ("tuple__sz", u32),
                               ("opts", popts), ("opts__sz", u32)])
    lookup = mod.t("bpf_xdp_ct_lookup", "FUNC", 0, lproto)
    if tagged:
        mod.t("bpf_kfunc", "DECL_TAG", 0, lookup, 0xFFFFFFFF)
    rproto = mod.proto(0, [] if "--no-params" in sys.argv[2:] else [("nfct", pconn)])
    release = mod.t("bpf_ct_release", "FUNC", 0, rproto)
    if tagged:
        mod.t("bpf_kfunc", "DECL_TAG", 0, release, 0xFFFFFFFF)
    var = mod.t("nf_mod_var", "VAR", 0, u32, 1)
    mod.t(".data..percpu", "DATASEC", 1, 8, var, 0, 4)
    open(out + "/nf_conntrack.btf", "wb").write(mod.blob())
    print("lookup=%d release=%d" % (lookup, release))


if __name__ == "__main__":
    main()
