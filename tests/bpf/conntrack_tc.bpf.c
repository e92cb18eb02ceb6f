// SPDX-License-Identifier: GPL-2.0
/* Case: the TC variant of conntrack.bpf.c: bpf_skb_ct_lookup (nf_conntrack's
 * kfunc for SCHED_CLS programs) and bpf_ct_release. ct_tc returns 1 when an
 * entry for the all-zero TCP/IPv4 tuple exists (released at once), 2 when
 * the lookup says -ENOENT in opts.error (the kfunc ran), 3 otherwise. */
#include "conntrack.h"

SEC("tc")
int ct_tc(struct __sk_buff *skb)
{
	struct bpf_ct_opts opts = { .netns_id = -1, .l4proto = 6 /* IPPROTO_TCP */ };
	struct bpf_sock_tuple tup = {};
	struct nf_conn *ct;

	ct = bpf_skb_ct_lookup(skb, &tup, sizeof(tup.ipv4), &opts, sizeof(opts));
	if (ct) {
		bpf_ct_release(ct);
		return 1;
	}
	return opts.error == -2 /* -ENOENT */ ? 2 : 3;
}

char LICENSE[] SEC("license") = "GPL";
