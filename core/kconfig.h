/* SPDX-License-Identifier: BSD-2-Clause */
/* The kernel config in a profile (optional section .ksr.opt.kconfig,
 * docs/profile-format.md) and the values libbpf 1.1 gives an object's
 * .kconfig externs on that kernel (bpf_object__resolve_externs). */
#ifndef KSR_KCONFIG_H
#define KSR_KCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ksymres/ksymres.h"

#define KSR_KCONFIG_SEC ".ksr.opt.kconfig"
#define KSR_KCONFIG_LINE_MAX 4095u        /* libbpf reads lines into char[PATH_MAX] */
#define KSR_KCONFIG_TEXT_MAX (16u << 20)  /* decompressed config text */
#define KSR_KCONFIG_ENTRY_MAX (1u << 20)

/* Why libbpf refuses a config file as a whole (header bad_kind). */
enum { KSR_KCONFIG_BAD_NONE = 0, KSR_KCONFIG_BAD_NO_SEP = 1, KSR_KCONFIG_BAD_NO_VALUE = 2 };

/* A config file's text (plain, or gzip as /proc/config.gz): fresh buffer
 * of *len bytes plus a NUL. Bounded: KSR_KCONFIG_TEXT_MAX. */
int ksr_kconfig_read(const char *path, char **text, size_t *len);

/* The section's bytes for a config text: -KSR_EMALFORMED (line, offset)
 * for a NUL byte, a line over KSR_KCONFIG_LINE_MAX bytes or too many. */
int ksr_kconfig_build(const char *text, size_t len, struct ksr_buf *out);

/* The profile's config: 0 with the entry count and the first line libbpf
 * refuses (0 = none), -ENOENT without the section, -KSR_EMALFORMED. */
int ksr_kconfig_info(const struct ksr_profile *prof, uint32_t *cnt, uint32_t *bad_line,
		     uint32_t *bad_kind);

/* Every .kconfig extern of obj decided against prof, in libbpf's order,
 * with the values in the .kconfig map's layout (*data, *data_len). */
struct ksr_kcfg_res {
	struct ksr_kconfig_verdict v;
	char value[96];
	char reason[160];
};
int ksr_kconfig_eval(const struct ksr_object *obj, const struct ksr_profile *prof,
		     struct ksr_kcfg_res **out, size_t *cnt, uint8_t **data, size_t *data_len);

/* Baking (resolve --kconfig=bake): the .kconfig externs become globals of
 * a read-only data section holding their values, which libbpf loads as a
 * frozen .rodata map (docs/manifest-format.md). bake_btf renames the
 * .kconfig DATASEC of a rewritten BTF blob to that section, sized data_len,
 * its VARs GLOBAL_ALLOCATED at their offsets. */
#define KSR_KCONFIG_BAKED_SEC ".rodata.ksr_kconfig"
int ksr_kconfig_bake_btf(struct ksr_buf *btf, const struct ksr_kcfg_res *res, size_t n,
			 uint32_t data_len);

#endif
