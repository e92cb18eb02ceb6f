/* SPDX-License-Identifier: BSD-2-Clause */
/* The live commands (live/) and the paths of the live kernel's artifacts.
 * live/ uses the shared output (output/) and the library's public API;
 * never offline/.
 *
 * Paths of the live kernel's artifacts. KSYMRES_VMLINUX_BTF,
 * KSYMRES_KALLSYMS and KSYMRES_KERNEL_NOTES override them (test hooks,
 * documented in docs/cli.md). */
#ifndef KSR_LIVE_H
#define KSR_LIVE_H

int ksr_cmd_capture(int argc, char **argv);
int ksr_cmd_load(int argc, char **argv);

const char *ksr_live_btf_path(void);
const char *ksr_live_kallsyms_path(void);
const char *ksr_live_notes_path(void);

/* The running kernel's GNU build ID, from its notes (/sys/kernel/notes,
 * 164 bytes on x86): 0, or -ENOENT when the kernel has none, or the error
 * reading them. Callers fall back to the BTF without one: nothing is
 * reported. */
struct ksr_build_id;
int ksr_live_build_id(struct ksr_build_id *id);

#endif
