// SPDX-License-Identifier: GPL-2.0
/* Kernel probe (tests/kernels only): the address of a kfunc that 6.1
 * already has (bpf_key_put, CONFIG_KEYS), taken with bpf_ksym_exists() and
 * never called. An ld_imm64 of a FUNC needs kernel 6.4: 6.1's verifier
 * rejects it ("pseudo btf_id ... in ldimm64 isn't KIND_VAR"), so ksymres
 * must say "unloadable" there. Returns 1 where it loads (6.4+). */
#include "ksr_test.h"

struct bpf_key {
	int dummy;
} __attribute__((preserve_access_index));

extern void bpf_key_put(struct bpf_key *bkey) __ksym __weak;

SEC("tc")
int probe_kfunc_addr_pre64(struct __sk_buff *skb)
{
	return bpf_ksym_exists(bpf_key_put) ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
