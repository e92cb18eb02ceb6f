// SPDX-License-Identifier: GPL-2.0
/* Case: module and vmlinux externs in one object: nf_conntrack's kfuncs
 * (as conntrack.bpf.c) and the vmlinux per-CPU variable bpf_prog_active.
 * resolve patches the vmlinux site and leaves the module ones (and only
 * them in .ksyms) for the loader. ct_mixed returns 2 when the lookup says
 * -ENOENT (a fresh netns), 1 when it finds an entry, 3 otherwise; 4 if
 * bpf_prog_active were negative (it never is). Needs nf_conntrack loaded
 * and CONFIG_KALLSYMS_ALL (typed variables). */
#include "conntrack.h"

extern const int bpf_prog_active __ksym;

SEC("xdp")
int ct_mixed(struct xdp_md *ctx)
{
	struct bpf_ct_opts opts = { .netns_id = -1, .l4proto = 6 /* IPPROTO_TCP */ };
	const int *active = bpf_this_cpu_ptr(&bpf_prog_active);
	struct bpf_sock_tuple tup = {};
	struct nf_conn *ct;

	if (*active < 0)
		return 4;
	ct = bpf_xdp_ct_lookup(ctx, &tup, sizeof(tup.ipv4), &opts, sizeof(opts));
	if (ct) {
		bpf_ct_release(ct);
		return 1;
	}
	return opts.error == -2 /* -ENOENT */ ? 2 : 3;
}

char LICENSE[] SEC("license") = "GPL";
