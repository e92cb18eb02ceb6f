// SPDX-License-Identifier: GPL-2.0
/* Case: ksyms beside a BTF-defined map and .data/.rodata/.bss, plus a ksym
 * address in a data initializer (.rel.data against the extern symbol: not
 * a site, libbpf never relocates it, trap 21). maps_data counts its runs in
 * the array map and returns 40 + rodata (2) + data (1 + bss, bss is 0 on
 * the first run) + (upper half of bpf_prog_put's address != 0) + the low bit of
 * ksr_addr_in_data (always 0: never relocated) = 44 on the first run. */
#include "ksr_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} runs SEC(".maps");

extern const void bpf_prog_put __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

const volatile int ro_two = 2;
int data_one = 1;
int bss_zero;
const void *ksr_addr_in_data = &bpf_prog_put;

SEC("tc")
int maps_data(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *cnt;
	int r;

	bpf_rcu_read_lock();
	cnt = bpf_map_lookup_elem(&runs, &key);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	bpf_rcu_read_unlock();
	r = 40 + ro_two + data_one + bss_zero + (int)(((unsigned long)&bpf_prog_put >> 32) != 0) +
	    (int)((unsigned long)ksr_addr_in_data & 1);
	bss_zero++;
	return r;
}

char LICENSE[] SEC("license") = "GPL";
