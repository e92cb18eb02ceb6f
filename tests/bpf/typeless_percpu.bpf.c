// SPDX-License-Identifier: GPL-2.0
/* Case: a typeless per-CPU symbol. On x86-64 kernels up to 6.14 runqueues
 * is an absolute ('A') zero-based per-CPU offset that KASLR does not move;
 * from 6.15 it is an ordinary image address. Returns the low 32 bits of the
 * resolved value. The 6.18 host (no CONFIG_KALLSYMS_ALL) has no runqueues
 * in kallsyms, so the strong extern cannot be resolved there. */
#include "ksr_test.h"

extern const void runqueues __ksym;

SEC("tc")
int typeless_percpu(struct __sk_buff *skb)
{
	return (__u32)(unsigned long)&runqueues;
}

char LICENSE[] SEC("license") = "GPL";
