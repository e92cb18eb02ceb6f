/* SPDX-License-Identifier: BSD-2-Clause */
/* The manifest section of a patched object (docs/manifest-format.md): the
 * profile identity and every patched instruction, for the live loader. */
#ifndef KSR_MANIFEST_H
#define KSR_MANIFEST_H

#include <stdint.h>

#include "buf.h"
#include "ksymres/ksymres.h"

#define KSR_MANIFEST_SEC KSR_MANIFEST_SECTION
#define KSR_MANIFEST_MAGIC "KSRMANI"
#define KSR_MANIFEST_VERSION 2u      /* written without module externs; 1 is still read */
#define KSR_MANIFEST_VERSION_MODS 3u /* written with module externs (the module table) */
#define KSR_MANIFEST_V1_HDR 176u     /* version 1: the header up to release */
#define KSR_MANIFEST_MAX_SITES (1u << 20)
#define KSR_MANIFEST_MAX_MODS 16384u /* KSR_MODBTF_MAX: modules per profile */

struct ksr_manifest_hdr {
	char magic[8];            /* "KSRMANI\0" */
	uint32_t version;
	uint32_t site_cnt;
	uint8_t identity[16];     /* the profile's identity (XXH3-128 of its BTF) */
	uint64_t text_addr;       /* _text of the profile's snapshot */
	uint32_t prof_flags;      /* the profile's KSR_PROF_* flags */
	uint32_t strs_len;        /* bytes of the string table after the records */
	char release[128];        /* the profile's kernel release */
	/* version 2 */
	uint16_t arch;            /* the profile's arch (ELF e_machine), 0 unknown */
	uint8_t build_id_len;     /* the profile's GNU build ID; 0 = none */
	uint8_t flags;            /* KSR_MANIFEST_F_* (was reserved: 0) */
	uint32_t mod_cnt;         /* version 3: module records; version 2: 0 (reserved) */
	uint8_t build_id[32];
};

enum {
	/* .kconfig externs baked into section .rodata.ksr_kconfig (resolve --kconfig=bake) */
	KSR_MANIFEST_F_KCONFIG_BAKED = 1u << 0,
};

enum ksr_manifest_value {
	KSR_MV_BTF_ID = 0,        /* ld_imm64 src_reg 3 or kfunc call: imm = BTF id */
	KSR_MV_ADDR = 1,          /* ld_imm64 src_reg 0: a 64-bit address */
	KSR_MV_ZERO = 2,          /* weak, unresolved: ld_imm64 0 */
	KSR_MV_POISON = 3,        /* weak kfunc call: call to helper 2002000000 + idx */
	/* version 3: a module extern's site, left as the compiler wrote it; value
	 * = the FUNC / VAR id in the module's BTF, module = its table index */
	KSR_MV_MODULE = 4,
};

struct ksr_manifest_site {
	uint32_t sec_idx;         /* ELF section of the instruction */
	uint32_t name_off;        /* extern name in the string table */
	uint64_t insn_off;        /* byte offset in the section */
	uint64_t value;           /* the value written */
	uint8_t extern_kind;      /* enum ksr_extern_kind */
	uint8_t insn;             /* enum ksr_site_insn */
	uint8_t value_kind;       /* enum ksr_manifest_value */
	uint8_t addr_class;       /* enum ksr_addr_class (KSR_MV_ADDR only) */
	uint32_t module;          /* KSR_MV_MODULE: index in the module table; else 0 */
};

/* Version 3: one per module whose BTF has an extern, after the records. */
struct ksr_manifest_mod {
	uint32_t name_off;        /* module name in the string table */
	uint32_t reserved;        /* 0 */
	uint8_t identity[16];     /* XXH3-128 of /sys/kernel/btf/<name> at profiling */
};

/* A parsed view over a manifest section (no copy). */
struct ksr_manifest {
	struct ksr_manifest_hdr hdr;
	const uint8_t *sites;     /* site_cnt records, read with ksr_manifest__site() */
	const uint8_t *mods;      /* hdr.mod_cnt module records (ksr_manifest__mod()) */
	const char *strs;
	uint32_t strs_len;
};

/* Bounds-checked parse of a manifest section, version 1, 2 or 3 (a version
 * 1 header reads as a version 2 one without build ID or arch; version 2 as
 * version 3 without modules). Module records are checked here (a name of at
 * module name (letters, digits, '_', '-'; at most 55 bytes), reserved 0). */
int ksr_manifest__parse(const void *data, size_t len, struct ksr_manifest *m);
/* Copies record i out (records may be unaligned in the section). */
void ksr_manifest__site(const struct ksr_manifest *m, uint32_t i, struct ksr_manifest_site *s);
void ksr_manifest__mod(const struct ksr_manifest *m, uint32_t i, struct ksr_manifest_mod *mod);
const char *ksr_manifest__mod_name(const struct ksr_manifest *m, const struct ksr_manifest_mod *mod);
/* Name of a record, or NULL when name_off is out of range. */
const char *ksr_manifest__name(const struct ksr_manifest *m, const struct ksr_manifest_site *s);

#endif
