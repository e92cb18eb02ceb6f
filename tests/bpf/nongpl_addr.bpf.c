// SPDX-License-Identifier: BSD-2-Clause
/* Case: a non-GPL program (license "BSD") that takes a kfunc's address with
 * bpf_ksym_exists() but never calls it. The kernel checks the license only
 * for kfunc calls (add_kfunc_call), and an ld_imm64 of a FUNC needs no
 * bpf_kfunc tag either, so this loads on 6.4+ (ld_imm64 of a FUNC).
 * Returns 1 when bpf_rcu_read_lock exists (6.2+), else 0. */
#include "ksr_test.h"

extern void bpf_rcu_read_lock(void) __ksym __weak;

SEC("tc")
int nongpl_addr(struct __sk_buff *skb)
{
	return bpf_ksym_exists(bpf_rcu_read_lock) ? 1 : 0;
}

char LICENSE[] SEC("license") = "BSD";
