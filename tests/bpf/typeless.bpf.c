// SPDX-License-Identifier: GPL-2.0
/* Case: a typeless text symbol (KSR_EXTERN_TYPELESS, `extern const void`).
 * Returns the low 32 bits of bpf_prog_put's address, so a test can compare
 * it with the profile's kallsyms (after the KASLR slide). Loads anywhere. */
#include "ksr_test.h"

extern const void bpf_prog_put __ksym;

SEC("tc")
int typeless_text(struct __sk_buff *skb)
{
	return (__u32)(unsigned long)&bpf_prog_put;
}

char LICENSE[] SEC("license") = "GPL";
