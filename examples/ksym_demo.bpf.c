// SPDX-License-Identifier: GPL-2.0
/* The bundled example: a typeless symbol and two kfuncs, which any x86-64
 * kernel >= 6.2 with BTF can run. The program returns the low 32 bits of
 * bpf_prog_put's address, so the result can be checked against kallsyms. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const void bpf_prog_put __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

SEC("tc")
int ksym_demo(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	return (int)(unsigned long)&bpf_prog_put;
}

char LICENSE[] SEC("license") = "GPL";
