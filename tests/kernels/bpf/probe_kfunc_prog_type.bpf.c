// SPDX-License-Identifier: GPL-2.0
/* Kernel probe (tests/kernels only): a real kfunc, bpf_lookup_user_key
 * (CONFIG_KEYS, tagged where tags exist), called from a tc program. It is
 * registered for other program types only and is sleepable: the verifier
 * refuses it ("calling kernel function ... is not allowed", or "program must
 * be sleepable ..."). Which program types a kfunc is registered for, and its
 * flags, live in .BTF_ids sets, not in BTF. Would return 4 or 5. */
#include "ksr_test.h"

struct bpf_key {
	int dummy;
} __attribute__((preserve_access_index));

extern struct bpf_key *bpf_lookup_user_key(__u32 serial, __u64 flags) __ksym;
extern void bpf_key_put(struct bpf_key *bkey) __ksym;

SEC("tc")
int probe_kfunc_prog_type(struct __sk_buff *skb)
{
	struct bpf_key *k = bpf_lookup_user_key(0, 0);

	if (!k)
		return 4;
	bpf_key_put(k);
	return 5;
}

char LICENSE[] SEC("license") = "GPL";
