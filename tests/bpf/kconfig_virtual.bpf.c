// SPDX-License-Identifier: GPL-2.0
/* Case (issue 17, fuzz seeds): the .kconfig value checks no other test
 * object reaches: LINUX_HAS_SYSCALL_WRAPPER (libbpf looks up
 * __<arch prefix>_sys_bpf in kallsyms), LINUX_* virtuals in types libbpf
 * refuses for their value (a bool kernel version, a char-array cookie
 * flag), a char extern set from a 'y' line and a string truncated to its
 * array. */
#include <stdbool.h>
#include "ksr_test.h"

extern bool LINUX_HAS_SYSCALL_WRAPPER __kconfig;
extern bool LINUX_KERNEL_VERSION __kconfig __weak;
extern char LINUX_HAS_BPF_COOKIE[4] __kconfig __weak;
extern char CONFIG_BPF_LSM __kconfig __weak;
extern char CONFIG_CC_VERSION_TEXT[4] __kconfig __weak;

SEC("xdp")
int kconfig_virtual(struct xdp_md *ctx)
{
	int r = LINUX_HAS_SYSCALL_WRAPPER ? XDP_PASS : XDP_DROP;

	if (LINUX_KERNEL_VERSION || LINUX_HAS_BPF_COOKIE[0] || CONFIG_BPF_LSM == 'y' ||
	    CONFIG_CC_VERSION_TEXT[0] == 'g')
		r = XDP_ABORTED;
	return r;
}

char LICENSE[] SEC("license") = "GPL";
