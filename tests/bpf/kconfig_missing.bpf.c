// SPDX-License-Identifier: GPL-2.0
/* Case (issue 18): a strong .kconfig extern no kernel config defines, beside
 * CONFIG_HZ and a typeless ksym. libbpf fails the load ("extern
 * 'CONFIG_KSYMRES_NOPE' (strong): not resolved"): check must say so. */
#include <stdbool.h>
#include "ksr_test.h"

extern int CONFIG_HZ __kconfig;
extern bool CONFIG_KSYMRES_NOPE __kconfig;
extern const void bpf_prog_put __ksym;

SEC("xdp")
int kconfig_missing(struct xdp_md *ctx)
{
	if (CONFIG_KSYMRES_NOPE && ((unsigned long)&bpf_prog_put >> 32))
		return XDP_DROP;
	return CONFIG_HZ > 0 ? XDP_PASS : XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
