// SPDX-License-Identifier: GPL-2.0
/* Case: module kfuncs (KSR_EXTERN_FUNC in nf_conntrack's BTF, not vmlinux's)
 * with the kernel's prototypes (net/netfilter/nf_conntrack_bpf.c). ct_xdp
 * looks up an all-zero TCP/IPv4 tuple in the current netns: 1 when an entry
 * exists (released at once), 2 when the lookup says -ENOENT in opts.error
 * (what a fresh netns answers: this proves the kfunc ran), 3 otherwise.
 * Needs nf_conntrack loaded (libbpf finds module kfuncs only then). */
#include "conntrack.h"

SEC("xdp")
int ct_xdp(struct xdp_md *ctx)
{
	struct bpf_ct_opts opts = { .netns_id = -1, .l4proto = 6 /* IPPROTO_TCP */ };
	struct bpf_sock_tuple tup = {};
	struct nf_conn *ct;

	ct = bpf_xdp_ct_lookup(ctx, &tup, sizeof(tup.ipv4), &opts, sizeof(opts));
	if (ct) {
		bpf_ct_release(ct);
		return 1;
	}
	return opts.error == -2 /* -ENOENT */ ? 2 : 3;
}

char LICENSE[] SEC("license") = "GPL";
