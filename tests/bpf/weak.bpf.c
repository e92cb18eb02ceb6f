// SPDX-License-Identifier: GPL-2.0
/* Case: weak externs. Absent everywhere: a typeless var, a typed var and a
 * kfunc (its call guarded by bpf_ksym_exists, so the call is dead code once
 * the address is 0). Present: a weak kfunc (bpf_rcu_read_lock) and a weak
 * typeless text symbol. Returns a bit mask: 1 typeless absent var seen,
 * 2 typed absent var seen, 4 absent kfunc seen, 8 present kfunc seen,
 * 16 present typeless symbol seen; 24 when resolved correctly. */
#include "ksr_test.h"

extern const void ksr_no_such_symbol __ksym __weak;
extern const int ksr_no_such_var __ksym __weak;
extern void ksr_no_such_kfunc(void) __ksym __weak;
extern void bpf_rcu_read_lock(void) __ksym __weak;
extern void bpf_rcu_read_unlock(void) __ksym __weak;
extern const void bpf_prog_put __ksym __weak;

SEC("tc")
int weak_mask(struct __sk_buff *skb)
{
	int mask = 0;

	if (&ksr_no_such_symbol)
		mask |= 1;
	if (&ksr_no_such_var)
		mask |= 2;
	if (bpf_ksym_exists(ksr_no_such_kfunc)) {
		ksr_no_such_kfunc();
		mask |= 4;
	}
	if (bpf_ksym_exists(bpf_rcu_read_lock)) {
		bpf_rcu_read_lock();
		bpf_rcu_read_unlock();
		mask |= 8;
	}
	if (&bpf_prog_put)
		mask |= 16;
	return mask;
}

char LICENSE[] SEC("license") = "GPL";
