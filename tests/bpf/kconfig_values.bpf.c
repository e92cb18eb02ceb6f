// SPDX-License-Identifier: GPL-2.0
/* Case (issue 18): the program returns a value computed from .kconfig
 * externs, so a test compares what libbpf's load of this object and the
 * load of a baked copy see: CONFIG_HZ, a tristate, LINUX_KERNEL_VERSION, a
 * weak absent one (0) and the first byte of a string. */
#include <stdbool.h>
#include "ksr_test.h"

extern int CONFIG_HZ __kconfig;
extern enum libbpf_tristate CONFIG_BPF_SYSCALL __kconfig;
extern int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_KSYMRES_ABSENT __kconfig __weak;
extern char CONFIG_LOCALVERSION[16] __kconfig __weak;

SEC("tc")
int kconfig_values(struct __sk_buff *skb)
{
	/* HZ < 4096, the tristate < 4, the version's major.minor in 16 bits */
	unsigned int r = (unsigned int)CONFIG_HZ & 0xfff;

	r |= (unsigned int)CONFIG_BPF_SYSCALL << 12;
	r |= ((unsigned int)LINUX_KERNEL_VERSION >> 8 & 0xffff) << 14;
	r |= ((unsigned int)CONFIG_KSYMRES_ABSENT & 1) << 30;
	r |= (unsigned int)(CONFIG_LOCALVERSION[0] == 0) << 31;
	return (int)r;
}

char LICENSE[] SEC("license") = "GPL";
