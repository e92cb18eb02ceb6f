// SPDX-License-Identifier: GPL-2.0
/* Case: libbpf's type-compatibility rules (bpf_core_types_are_compat) for
 * typed vars and kfunc prototypes, against the synthetic kernel BTF built
 * in tests/unit/test_resolve.c; no real kernel has these names. Local types
 * differ from the kernel's only in what libbpf ignores (names, members, int
 * sizes, array lengths, typedefs, ENUM vs ENUM64) or in what it does not
 * (kinds, FWD vs STRUCT, parameter count, return type, bitfield ints). Not
 * meant to be loaded: it returns a sum of the values it read. */
#include "ksr_test.h"

struct ksr_other {
	long a;
	long b;
};

union ksr_u {
	int a;
};

enum ksr_e { KSR_E_A, KSR_E_B };

typedef int ksr_int_t;

struct cgroup;

/* compatible */
extern const char ksr_kvar_int_td __ksym;
extern const int ksr_kvar_arr[3] __ksym;
extern const struct ksr_other ksr_kvar_struct __ksym;
extern struct rq *const ksr_kvar_ptr __ksym;
extern const enum ksr_e ksr_kvar_enum64 __ksym;
extern void *const ksr_kvar_voidp __ksym;
extern const int ksr_both __ksym;
extern int ksr_kf_td(ksr_int_t x, const struct ksr_other *o) __ksym;
/* incompatible */
extern const ksr_int_t ksr_kvar_kind __ksym;
extern const union ksr_u ksr_kvar_union __ksym;
extern const struct rq ksr_kvar_weak_bad __ksym __weak;
extern const int ksr_kvar_bitfield __ksym;
extern int ksr_kf_argc(int a) __ksym;
extern void ksr_kf_ret(void) __ksym;
extern void ksr_kf_weak_fwd(struct cgroup *cg) __ksym __weak;
/* compatible, but the target's verifier would refuse them */
extern const int ksr_kvar_nosym __ksym;
extern const int ksr_kvar_nosym_weak __ksym __weak;
extern void ksr_kf_nosym(void) __ksym;
extern void ksr_kf_plain_call(void) __ksym;
/* compatible and loadable: an untagged FUNC whose address alone is taken */
extern void ksr_kf_plain(void) __ksym __weak;
/* nowhere */
extern const int ksr_kvar_absent __ksym;

SEC("tc")
int compat(struct __sk_buff *skb)
{
	int r = ksr_kvar_int_td + ksr_kvar_arr[1] + (int)ksr_kvar_struct.b + ksr_kvar_ptr->cpu +
		(int)ksr_kvar_enum64 + (ksr_kvar_voidp != 0) + ksr_both + ksr_kvar_kind +
		ksr_kvar_union.a + ksr_kvar_bitfield + ksr_kvar_nosym + ksr_kvar_absent;

	r += ksr_kf_td(r, &ksr_kvar_struct);
	r += ksr_kf_argc(r);
	ksr_kf_ret();
	ksr_kf_nosym();
	ksr_kf_plain_call();
	if (&ksr_kvar_weak_bad)
		r += ksr_kvar_weak_bad.cpu;
	if (&ksr_kvar_nosym_weak)
		r += ksr_kvar_nosym_weak;
	if (bpf_ksym_exists(ksr_kf_weak_fwd))
		ksr_kf_weak_fwd(0);
	if (bpf_ksym_exists(ksr_kf_plain))
		r++;
	return r;
}

char LICENSE[] SEC("license") = "GPL";
