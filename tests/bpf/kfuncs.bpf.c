// SPDX-License-Identifier: GPL-2.0
/* Case: kfunc calls (KSR_EXTERN_FUNC) with correct prototypes, in a syscall
 * and a tc program. kfunc_task looks up the calling process with
 * bpf_task_from_pid(), takes a second reference and returns 1 when the
 * task's pid (read through CO-RE) is the caller's tgid (0: not found,
 * 2: other pid, 3: acquire failed); kfunc_tc returns 2 after an RCU read
 * section. Needs kernel >= 6.2 (bpf_rcu_read_lock, bpf_task_from_pid). */
#include "ksr_test.h"

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

SEC("syscall")
int kfunc_task(void *ctx)
{
	__s32 tgid = (__s32)(bpf_get_current_pid_tgid() >> 32);
	struct task_struct *t, *t2;
	int r = 3;

	t = bpf_task_from_pid(tgid);
	if (!t)
		return 0;
	t2 = bpf_task_acquire(t);
	if (t2) {
		r = t2->pid == tgid ? 1 : 2;
		bpf_task_release(t2);
	}
	bpf_task_release(t);
	return r;
}

SEC("tc")
int kfunc_tc(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	return 2;
}

char LICENSE[] SEC("license") = "GPL";
