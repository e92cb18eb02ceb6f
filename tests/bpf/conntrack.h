/* SPDX-License-Identifier: GPL-2.0 */
/* nf_conntrack's kfuncs as the kernel declares them
 * (net/netfilter/nf_conntrack_bpf.c), for the conntrack test objects. An
 * object carries only the externs it uses. */
#ifndef KSR_TEST_CONNTRACK_H
#define KSR_TEST_CONNTRACK_H

#include "ksr_test.h"

struct nf_conn {
	int status;
} __attribute__((preserve_access_index));

/* The kernel's struct bpf_ct_opts (NF_BPF_CT_OPTS_SZ = 12 on 6.1 and 6.12). */
struct bpf_ct_opts {
	__s32 netns_id;
	__s32 error;
	__u8 l4proto;
	__u8 dir;
	__u8 reserved[2];
};

extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *xdp_ctx, struct bpf_sock_tuple *bpf_tuple,
					 __u32 tuple__sz, struct bpf_ct_opts *opts,
					 __u32 opts__sz) __ksym;
extern struct nf_conn *bpf_skb_ct_lookup(struct __sk_buff *skb_ctx,
					 struct bpf_sock_tuple *bpf_tuple, __u32 tuple__sz,
					 struct bpf_ct_opts *opts, __u32 opts__sz) __ksym;
extern void bpf_ct_release(struct nf_conn *nfct) __ksym;

#endif
