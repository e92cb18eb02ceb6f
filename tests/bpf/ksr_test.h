/* SPDX-License-Identifier: BSD-2-Clause */
/* Shared declarations for the BPF test objects. No vmlinux.h: every kernel
 * type a test needs is declared here, minimally. */
#ifndef KSR_TEST_H
#define KSR_TEST_H

#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

/* libbpf-dev 1.1's bpf_helpers.h predates bpf_ksym_exists (libbpf 1.2). */
#ifndef bpf_ksym_exists
#define bpf_ksym_exists(sym) ({								\
	_Static_assert(!__builtin_constant_p(!!sym), #sym " should be marked as __weak");	\
	!!sym;										\
})
#endif

/* CO-RE relocates the field offsets against the running kernel, so one
 * member is enough. A full definition (not a forward declaration) keeps the
 * kfunc prototypes below compatible with the kernel's STRUCT task_struct. */
struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

/* Per-CPU run queue; only the member a test reads. */
struct rq {
	int cpu;
} __attribute__((preserve_access_index));

#endif
