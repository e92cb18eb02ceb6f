// SPDX-License-Identifier: GPL-2.0
/* Case: typeless symbols (`extern const void`) under libbpf's kallsyms rules
 * (kallsyms_cb), against the synthetic snapshot in
 * tests/unit/test_resolve.c: [module] lines count; a 'd' symbol's ".llvm."
 * suffix is ignored, other types' is not; repeated lines at one address are
 * fine, different addresses are ambiguous even for a weak extern; an 'A'
 * symbol at address 0 is a real address. No real kernel has these names.
 * Returns the sum of the low bytes of the addresses. */
#include "ksr_test.h"

extern const void ksr_t_mod __ksym;
extern const void ksr_t_abs0 __ksym;
extern const void ksr_t_pcpu_d __ksym;
extern const void ksr_t_dup_same __ksym;
extern const void ksr_t_dup_diff __ksym;
extern const void ksr_t_dup_weak __ksym __weak;
extern const void ksr_t_dup_mod __ksym;
extern const void ksr_t_llvm __ksym;
extern const void ksr_t_llvm_t __ksym __weak;
extern const void ksr_t_llvm_D __ksym;
extern const void ksr_t_llvm_amb __ksym;
extern const void ksr_t_weak_here __ksym __weak;
extern const void ksr_kf_nosym __ksym;

#define LO(sym) ((int)((unsigned long)&(sym) & 0xff))

SEC("tc")
int typeless_rules(struct __sk_buff *skb)
{
	return LO(ksr_t_mod) + LO(ksr_t_abs0) + LO(ksr_t_pcpu_d) + LO(ksr_t_dup_same) +
	       LO(ksr_t_dup_diff) + LO(ksr_t_dup_weak) + LO(ksr_t_dup_mod) + LO(ksr_t_llvm) +
	       LO(ksr_t_llvm_t) + LO(ksr_t_llvm_D) + LO(ksr_t_llvm_amb) + LO(ksr_t_weak_here) +
	       LO(ksr_kf_nosym);
}

char LICENSE[] SEC("license") = "GPL";
