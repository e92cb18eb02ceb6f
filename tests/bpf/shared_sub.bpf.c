// SPDX-License-Identifier: GPL-2.0
/* Case: one typeless ksym (bpf_prog_put) and one kfunc pair used from two
 * programs and from a static __noinline subprogram in .text, so the same
 * extern has sites in three sections, and the subprogram's sites count once
 * per object although both programs call it. With lo = bpf_prog_put's
 * address & 0xff, shared_a returns 2 * lo + 1 and shared_b 2 * lo + 2.
 * Loads on 6.2+ (bpf_rcu_read_lock). */
#include "ksr_test.h"

extern const void bpf_prog_put __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

static __noinline int sub(int x)
{
	int v;

	bpf_rcu_read_lock();
	v = (int)((unsigned long)&bpf_prog_put & 0xff);
	bpf_rcu_read_unlock();
	return v + x;
}

SEC("tc")
int shared_a(struct __sk_buff *skb)
{
	return sub(1) + (int)((unsigned long)&bpf_prog_put & 0xff);
}

SEC("syscall")
int shared_b(void *ctx)
{
	int v;

	bpf_rcu_read_lock();
	v = (int)((unsigned long)&bpf_prog_put & 0xff);
	bpf_rcu_read_unlock();
	return sub(2) + v;
}

char LICENSE[] SEC("license") = "GPL";
