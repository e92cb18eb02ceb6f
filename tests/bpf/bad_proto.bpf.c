// SPDX-License-Identifier: GPL-2.0
/* Case: kfuncs declared with a wrong prototype. struct cgroup is only
 * forward-declared, so the local FUNC_PROTOs use FWD where the kernel has
 * STRUCT: bpf_core_types_are_compat() fails and the strong kfuncs are
 * "incompatible". bpf_rcu_read_lock beside them is fine. Would return 5
 * (or 6 when cgroup 1 exists) if it could be loaded. */
#include "ksr_test.h"

struct cgroup;

extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

SEC("tc")
int bad_proto(struct __sk_buff *skb)
{
	struct cgroup *cg;
	int r = 5;

	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	cg = bpf_cgroup_from_id(1);
	if (cg) {
		r = 6;
		bpf_cgroup_release(cg);
	}
	return r;
}

char LICENSE[] SEC("license") = "GPL";
