// SPDX-License-Identifier: BSD-2-Clause
/* Case: a non-GPL program (license "BSD") calling a kfunc. Resolution
 * succeeds, but every kernel's verifier rejects it: "cannot call kernel
 * function from non-GPL compatible program". Would return 9. */
#include "ksr_test.h"

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

SEC("tc")
int nongpl(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	return 9;
}

char LICENSE[] SEC("license") = "BSD";
