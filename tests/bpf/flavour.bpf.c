// SPDX-License-Identifier: GPL-2.0
/* Case: "___flavour" suffixes (libbpf >= 1.3). Only kfunc lookups use the
 * essential name, cut at the last "___": bpf_rcu_read_lock___v2 and
 * bpf_rcu_read_unlock___v2 resolve to the kernel's bpf_rcu_read_lock and
 * bpf_rcu_read_unlock, and bpf_task_release___a___b would need a FUNC named
 * bpf_task_release___a. A typed var and a typeless symbol keep their full
 * names (trap 9), so the weak bpf_prog_active___v2 and bpf_prog_put___v2
 * stay unresolved. Returns 1 when the flavoured kfunc pair ran (6.2+: the
 * RCU kfuncs), + 2 / 4 / 8 if any of the others unexpectedly resolved. */
#include "ksr_test.h"

extern void bpf_rcu_read_lock___v2(void) __ksym __weak;
extern void bpf_rcu_read_unlock___v2(void) __ksym;
extern void bpf_task_release___a___b(struct task_struct *p) __ksym __weak;
extern const int bpf_prog_active___v2 __ksym __weak;
extern const void bpf_prog_put___v2 __ksym __weak;

SEC("tc")
int flavour(struct __sk_buff *skb)
{
	int r = 0;

	if (bpf_ksym_exists(bpf_rcu_read_lock___v2)) {
		bpf_rcu_read_lock___v2();
		bpf_rcu_read_unlock___v2();
		r |= 1;
	}
	if (bpf_ksym_exists(bpf_task_release___a___b))
		r |= 2;
	if (&bpf_prog_active___v2)
		r |= 4;
	if (&bpf_prog_put___v2)
		r |= 8;
	return r;
}

char LICENSE[] SEC("license") = "GPL";
