/* SPDX-License-Identifier: BSD-2-Clause */
/* Private to core/object.c, relocs.c, externs.c and btf_ext.c: the object's
 * layout and the parse passes. Everyone else uses core/object.h. */
#ifndef KSR_OBJECT_PRIV_H
#define KSR_OBJECT_PRIV_H

#include "object.h"

struct ksr_btf;

/* Per instruction slot of an executable section (linear decode). */
enum {
	KSR_SLOT_LD64_LO = 1u << 0,  /* first half of an ld_imm64 */
	KSR_SLOT_LD64_HI = 1u << 1,  /* second half of an ld_imm64 */
	KSR_SLOT_RELOC = 1u << 2,    /* a relocation targets this slot */
};

/* A relocation against an undefined (extern) symbol in executable code,
 * recorded before the externs are classified. */
struct ksr_pending_site {
	uint32_t sym_idx;
	uint32_t sec_idx;
	uint64_t insn_off;
	enum ksr_site_insn insn;
	uint32_t rel_sec_idx;
	uint32_t rel_idx;
	uint32_t flags;              /* KSR_SITE_F_* */
};

struct ksr_object {
	uint8_t *raw;                /* the private copy of the file */
	size_t raw_size;

	struct ksr_obj_sec *secs;
	uint32_t sec_cnt;
	const struct ksr_obj_sec **secs_by_name;  /* sections 1.., sorted by name */
	uint32_t shstrndx;
	uint32_t symtab_idx;
	uint32_t strtab_idx;

	struct ksr_obj_sym *syms;
	uint32_t sym_cnt;

	struct ksr_obj_prog *progs;  /* sorted by (sec_idx, off) */
	size_t prog_cnt;

	struct ksr_obj_rel *rels;    /* all REL entries, grouped by section */
	size_t rel_total;
	size_t *rel_first;           /* per section: first index into rels */
	size_t *rel_cnt;             /* per section: entry count (0 unless SHT_REL) */

	uint8_t **slots;             /* per executable section: KSR_SLOT_* per insn */

	const char *license;         /* NULL without a license section */
	struct ksr_btf *btf;         /* NULL without .BTF */

	struct ksr_pending_site *pend;
	size_t pend_cnt;
	size_t pend_cap;

	struct ksr_extern *ksyms;    /* sorted by name */
	size_t ksym_cnt;
	struct ksr_obj_kconfig *kcfgs;  /* libbpf order */
	size_t kcfg_cnt;
	struct ksr_site *sites;      /* grouped by extern: ksyms first, then kconfig */
	struct ksr_obj_site_info *site_info;  /* parallel to sites */
	size_t site_cnt;
	const struct ksr_extern **by_sym;  /* every extern, sorted by sym_idx */
	size_t by_sym_cnt;
	size_t imm_warn_cnt;
};

/* File offset of byte off of section s, for messages. */
static inline unsigned long long ksr_obj_foff(const struct ksr_obj_sec *s, uint64_t off)
{
	return (unsigned long long)(s->offset + off);
}

/* relocs.c: decode executable sections, validate every SHT_REL section and
 * record the extern sites as pending. */
int ksr_obj_decode_code(struct ksr_object *obj);
int ksr_obj_collect_relocs(struct ksr_object *obj);

/* btf_ext.c: validate .BTF.ext against .BTF and the sections. */
int ksr_obj_check_btf_ext(struct ksr_object *obj, const struct ksr_obj_sec *sec);

/* externs.c: classify the extern symbols through .BTF and bind the pending
 * sites to them. */
int ksr_obj_collect_externs(struct ksr_object *obj);
void ksr_obj_free_externs(struct ksr_object *obj);

/* object_datasecs.c: libbpf's load-time fixups of the data DATASECs (.data,
 * .bss, .rodata, license, ...) and of .kconfig in obj's own BTF, then the
 * kernel's DATASEC rules on the result: a size-0 DATASEC needs an ELF
 * section of its name, each of its VARs a symbol there, and the placed
 * entries must not overlap. Runs after the externs are collected. */
int ksr_obj_check_data_datasecs(const struct ksr_object *obj);

#endif
