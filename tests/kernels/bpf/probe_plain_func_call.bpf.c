// SPDX-License-Identifier: GPL-2.0
/* Kernel probe (tests/kernels only): a kfunc-style call of a kernel
 * function that is in BTF but is no kfunc (ktime_get_mono_fast_ns). Every
 * verifier refuses it ("calling kernel function ... is not allowed"). Only
 * BTF with DECL_TAG "bpf_kfunc" (kernel 6.11+ built with pahole 1.27+) shows
 * that it is no kfunc; Debian 12's 6.1 and 6.12 have no such tags. Would
 * return 1. */
#include "ksr_test.h"

extern __u64 ktime_get_mono_fast_ns(void) __ksym;

SEC("tc")
int probe_plain_func_call(struct __sk_buff *skb)
{
	return ktime_get_mono_fast_ns() ? 1 : 2;
}

char LICENSE[] SEC("license") = "GPL";
