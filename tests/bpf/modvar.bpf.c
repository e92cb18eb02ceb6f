// SPDX-License-Identifier: GPL-2.0
/* Case: a typed per-CPU variable that lives in a module's BTF, not in
 * vmlinux's: nf_mod_var of the split module BTF that
 * tests/cli/helpers/mini_btf.py writes for nf_conntrack. Like libbpf, ksymres
 * looks in vmlinux first, then in the modules; the ld_imm64 site names the
 * module's BTF, so resolve leaves it for the loader to bind. mod_var returns
 * 1 when the variable is non-zero on this CPU, 2 otherwise. */
#include "ksr_test.h"

extern const unsigned int nf_mod_var __ksym;

SEC("xdp")
int mod_var(struct xdp_md *ctx)
{
	const unsigned int *v = bpf_this_cpu_ptr(&nf_mod_var);

	return *v ? 1 : 2;
}

char LICENSE[] SEC("license") = "GPL";
