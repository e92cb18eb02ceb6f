// SPDX-License-Identifier: GPL-2.0
/* Case (issue 17, fuzz seeds): the .kconfig value checks no other test
 * object reaches: LINUX_HAS_SYSCALL_WRAPPER (libbpf looks up
 * __<arch prefix>_sys_bpf in kallsyms), LINUX_* virtuals in types libbpf
 * refuses for their value (a bool kernel version, a char-array cookie
 * flag), unknown LINUX_* (weak: 0, strong: refused), a char extern set
 * from a 'y' line, an int one from a 'y' line (refused), a string
 * truncated to its array, one longer than a printed value, one with only
 * its opening quote (refused), a negative short. */
#include <stdbool.h>
#include "ksr_test.h"

extern bool LINUX_HAS_SYSCALL_WRAPPER __kconfig;
extern bool LINUX_KERNEL_VERSION __kconfig __weak;
extern char LINUX_HAS_BPF_COOKIE[4] __kconfig __weak;
extern char CONFIG_BPF_LSM __kconfig __weak;
extern char CONFIG_CC_VERSION_TEXT[4] __kconfig __weak;
extern bool LINUX_KSR_UNKNOWN_WEAK __kconfig __weak;
extern int LINUX_KSR_UNKNOWN __kconfig;
extern int CONFIG_BPF __kconfig __weak;
extern short CONFIG_KSR_NEG __kconfig __weak;
extern char CONFIG_KSR_LONG[128] __kconfig __weak;
extern char CONFIG_KSR_QUOTE[4] __kconfig __weak;

SEC("xdp")
int kconfig_virtual(struct xdp_md *ctx)
{
	int r = LINUX_HAS_SYSCALL_WRAPPER ? XDP_PASS : XDP_DROP;

	if (LINUX_KERNEL_VERSION || LINUX_HAS_BPF_COOKIE[0] || CONFIG_BPF_LSM == 'y' ||
	    CONFIG_CC_VERSION_TEXT[0] == 'g' || LINUX_KSR_UNKNOWN_WEAK || LINUX_KSR_UNKNOWN ||
	    CONFIG_BPF || CONFIG_KSR_NEG < 0 || CONFIG_KSR_LONG[0] || CONFIG_KSR_QUOTE[0])
		r = XDP_ABORTED;
	return r;
}

char LICENSE[] SEC("license") = "GPL";
