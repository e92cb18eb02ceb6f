// SPDX-License-Identifier: GPL-2.0
/* The bundled example: one extern of each kind.
 *  - bpf_prog_put:    typeless symbol, the program returns the low 32 bits
 *                     of its address;
 *  - bpf_rcu_read_lock/unlock: kfuncs;
 *  - bpf_prog_active: typed per-CPU variable, read in a second program
 *                     (rejected by kernels without CONFIG_KALLSYMS_ALL). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const void bpf_prog_put __ksym;
extern const int bpf_prog_active __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

SEC("tc")
int typeless_and_kfuncs(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	return (int)(unsigned long)&bpf_prog_put;
}

SEC("tc")
int typed_percpu(struct __sk_buff *skb)
{
	const int *active = bpf_this_cpu_ptr(&bpf_prog_active);

	return *active;
}

char LICENSE[] SEC("license") = "GPL";
