// SPDX-License-Identifier: GPL-2.0
/* A typed per-CPU variable: the program returns this CPU's bpf_prog_active.
 * Kernels without CONFIG_KALLSYMS_ALL reject it at verification time
 * ("ldimm64 failed to find the address for kernel symbol"); ksymres
 * predicts that from the profile and reports it as unloadable. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const int bpf_prog_active __ksym;

SEC("tc")
int ksym_percpu(struct __sk_buff *skb)
{
	const int *active = bpf_this_cpu_ptr(&bpf_prog_active);

	return *active;
}

char LICENSE[] SEC("license") = "GPL";
