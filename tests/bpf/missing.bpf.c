// SPDX-License-Identifier: GPL-2.0
/* Case: strong externs that no kernel has: a typeless var and a kfunc.
 * Resolution must fail (status "missing"); libbpf refuses to load it.
 * If it were loaded it would return 3 plus the low bits of the address. */
#include "ksr_test.h"

extern const void ksr_missing_symbol __ksym;
extern void ksr_missing_kfunc(void) __ksym;
extern const void bpf_prog_put __ksym;

SEC("tc")
int missing(struct __sk_buff *skb)
{
	ksr_missing_kfunc();
	return 3 + (int)((unsigned long)&ksr_missing_symbol & 0xff) +
	       (int)((unsigned long)&bpf_prog_put & 0xff);
}

char LICENSE[] SEC("license") = "GPL";
