/* SPDX-License-Identifier: BSD-2-Clause */
/* Paths of the live kernel's artifacts. KSYMRES_VMLINUX_BTF and
 * KSYMRES_KALLSYMS override them (test hooks, documented in docs/cli.md). */
#ifndef KSR_LIVE_H
#define KSR_LIVE_H

const char *ksr_live_btf_path(void);
const char *ksr_live_kallsyms_path(void);

#endif
