// SPDX-License-Identifier: GPL-2.0
/* Case: .kconfig externs beside a ksym. The kconfig externs stay with
 * libbpf (they need the .kconfig map) and are not listed as ksyms; their
 * mixed sizes and alignments exercise libbpf's cmp_externs order (kconfig
 * first: alignment descending, size ascending, then name; ksyms by name).
 * Returns 7 when LINUX_KERNEL_VERSION != 0, LINUX_HAS_BPF_COOKIE is true
 * and bpf_prog_put resolves to a kernel address (upper half non-zero); CONFIG_BPF_SYSCALL (y here) adds 8 = 15. */
#include <stdbool.h>
#include "ksr_test.h"

extern int LINUX_KERNEL_VERSION __kconfig;
extern bool LINUX_HAS_BPF_COOKIE __kconfig;
extern bool CONFIG_BPF_SYSCALL __kconfig __weak;
extern unsigned long long CONFIG_KSR_NOT_SET_U64 __kconfig __weak;
extern char CONFIG_KSR_NOT_SET_STR[8] __kconfig __weak;
extern const void bpf_prog_put __ksym;

SEC("syscall")
int kconfig(void *ctx)
{
	int r = 0;

	if (LINUX_KERNEL_VERSION)
		r |= 1;
	if (LINUX_HAS_BPF_COOKIE)
		r |= 2;
	if ((unsigned long)&bpf_prog_put >> 32)
		r |= 4;
	if (CONFIG_BPF_SYSCALL)
		r |= 8;
	if (CONFIG_KSR_NOT_SET_U64 || CONFIG_KSR_NOT_SET_STR[0])
		r |= 16;
	return r;
}

char LICENSE[] SEC("license") = "GPL";
