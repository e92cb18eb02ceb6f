// SPDX-License-Identifier: GPL-2.0
/* Case: typed per-CPU variables (KSR_EXTERN_VAR), reached through
 * bpf_per_cpu_ptr() and bpf_this_cpu_ptr().
 * typed_percpu_ptr returns 1000 + runqueues(cpu 0)->cpu, i.e. 1000;
 * typed_this_cpu returns 10 + bpf_prog_active on the current CPU (nothing
 * raises that counter around a tc test run, so 10 is expected). Needs
 * CONFIG_KALLSYMS_ALL in the target kernel: the 6.18 host rejects it
 * ("ldimm64 failed to find the address for kernel symbol 'runqueues'"). */
#include "ksr_test.h"

extern const struct rq runqueues __ksym;
extern const int bpf_prog_active __ksym;

SEC("tc")
int typed_percpu_ptr(struct __sk_buff *skb)
{
	const struct rq *rq = bpf_per_cpu_ptr(&runqueues, 0);

	if (!rq)
		return -1;
	return 1000 + rq->cpu;
}

SEC("tc")
int typed_this_cpu(struct __sk_buff *skb)
{
	const int *active = bpf_this_cpu_ptr(&bpf_prog_active);

	return 10 + *active;
}

char LICENSE[] SEC("license") = "GPL";
