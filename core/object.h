/* SPDX-License-Identifier: BSD-2-Clause */
/* The BPF object model (internal API). ksr_object__open() reads the file
 * once into an aligned private copy, validates the ELF container, symbols,
 * relocations, .BTF and .BTF.ext, and collects the __ksym/__kconfig externs
 * the way libbpf's bpf_object__collect_externs() does. Everything below is
 * read-only and points into that copy or into arrays owned by the object;
 * pointers stay valid until ksr_object__free().
 *
 * Malformed input is -KSR_EMALFORMED with a message naming the part and the
 * file offset. The public part of the API is in include/ksymres/ksymres.h. */
#ifndef KSR_OBJECT_H
#define KSR_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "insn.h"
#include "ksymres/ksymres.h"

#define KSR_OBJ_MAX_SIZE (256u << 20)  /* largest object file accepted */
#define KSR_OBJ_MAX_SECS 65535u        /* largest section count accepted */

/* One ELF section, index 0 (SHT_NULL) included. */
struct ksr_obj_sec {
	const char *name;        /* "" for section 0 */
	uint32_t idx;
	uint32_t type;           /* SHT_* */
	uint64_t flags;          /* SHF_* */
	uint64_t offset;         /* sh_offset */
	uint64_t size;           /* sh_size (for NOBITS: the memory size) */
	uint32_t link;
	uint32_t info;
	uint64_t addralign;
	uint64_t entsize;
	const uint8_t *data;     /* bytes in the file copy; NULL for NOBITS or size 0 */
};

/* One .symtab entry. */
struct ksr_obj_sym {
	const char *name;        /* "" when st_name is 0 */
	uint64_t value;
	uint64_t size;
	uint8_t info;            /* ELF64_ST_BIND / ELF64_ST_TYPE */
	uint8_t other;
	uint16_t shndx;          /* SHN_UNDEF, SHN_ABS or a valid section index */
};

/* A program or subprogram: an STT_FUNC symbol in an executable section. */
struct ksr_obj_prog {
	const char *name;
	uint32_t sec_idx;
	uint32_t sym_idx;
	uint64_t off;            /* byte offset within the section, 8-aligned */
	uint64_t size;           /* bytes, non-zero multiple of 8 */
};

/* One validated SHT_REL entry. */
struct ksr_obj_rel {
	uint64_t offset;         /* r_offset within the target section */
	uint32_t sym;            /* ELF64_R_SYM, 1 .. sym_cnt-1 */
	uint32_t type;           /* ELF64_R_TYPE: R_BPF_64_64/ABS64/ABS32/NODYLD32/64_32 */
};

enum {
	/* the extern ld_imm64 had a non-zero immediate (an addend, &sym + 4):
	 * accepted and overwritten by the value as libbpf does, not added to it */
	KSR_SITE_F_IMM_NONZERO = 1u << 0,
};

/* What the patcher needs beyond struct ksr_site. */
struct ksr_obj_site_info {
	const struct ksr_extern *ext;  /* the .ksyms or .kconfig extern */
	uint32_t rel_sec_idx;          /* the SHT_REL section holding the entry */
	uint32_t rel_idx;              /* entry index within it */
	uint32_t flags;                /* KSR_SITE_F_* */
};

/* A .kconfig extern. ext.kind is KSR_EXTERN_VAR, ext.type_id the VAR's type
 * after modifiers; ext.sites are its ld_imm64 instructions. */
struct ksr_obj_kconfig {
	struct ksr_extern ext;
	uint32_t size;           /* libbpf's btf__resolve_size() of the VAR's type */
	uint32_t align;          /* libbpf's btf__align_of() */
};

struct ksr_object;

/* Parses a private copy of data (size bytes); the caller keeps its buffer. */
int ksr_object__parse(const void *data, size_t size, struct ksr_object **out);

/* The file bytes the object was parsed from (the private, 16-aligned copy). */
const uint8_t *ksr_object__raw(const struct ksr_object *obj, size_t *size);

/* Number of sections, section 0 included. */
uint32_t ksr_object__sec_cnt(const struct ksr_object *obj);
/* Section idx, or NULL when idx >= ksr_object__sec_cnt(). */
const struct ksr_obj_sec *ksr_object__sec(const struct ksr_object *obj, uint32_t idx);
/* The section called name (names are unique), or NULL. */
const struct ksr_obj_sec *ksr_object__sec_by_name(const struct ksr_object *obj, const char *name);

/* Index of the one SHT_SYMTAB section. */
uint32_t ksr_object__symtab_idx(const struct ksr_object *obj);
/* Number of symbols, the null symbol 0 included. */
uint32_t ksr_object__sym_cnt(const struct ksr_object *obj);
/* Symbol idx, or NULL when out of range. */
const struct ksr_obj_sym *ksr_object__sym(const struct ksr_object *obj, uint32_t idx);

/* Programs and subprograms, sorted by (section index, offset). */
size_t ksr_object__prog_cnt(const struct ksr_object *obj);
const struct ksr_obj_prog *ksr_object__prog(const struct ksr_object *obj, size_t i);
/* The program covering byte off of section sec_idx, or NULL. */
const struct ksr_obj_prog *ksr_object__prog_at(const struct ksr_object *obj, uint32_t sec_idx,
					       uint64_t off);

/* Entries of the SHT_REL section rel_sec_idx in file order (NULL, *cnt = 0
 * for any other section). */
const struct ksr_obj_rel *ksr_object__rels(const struct ksr_object *obj, uint32_t rel_sec_idx,
					   size_t *cnt);

/* Relocation details of a site returned by ksr_object__extern() or
 * ksr_object__kconfig(); NULL if site is not one of this object's. */
const struct ksr_obj_site_info *ksr_object__site_info(const struct ksr_object *obj,
						      const struct ksr_site *site);
/* The .ksyms or .kconfig extern whose symbol is sym_idx, or NULL. */
const struct ksr_extern *ksr_object__extern_by_sym(const struct ksr_object *obj, uint32_t sym_idx);
/* True when ext is a .kconfig extern. */
bool ksr_object__extern_is_kconfig(const struct ksr_object *obj, const struct ksr_extern *ext);

/* .kconfig externs, in libbpf's order (alignment desc, size asc, name). */
size_t ksr_object__kconfig_cnt(const struct ksr_object *obj);
const struct ksr_obj_kconfig *ksr_object__kconfig(const struct ksr_object *obj, size_t i);

/* Number of extern sites whose ld_imm64 carried a non-zero immediate. */
size_t ksr_object__imm_warn_cnt(const struct ksr_object *obj);

/* libbpf's load-time fixup (bpf_object__finalize_btf) of DATASEC id in b,
 * a copy of btf, which is obj's BTF or a rewrite of it: .kconfig laid out
 * as libbpf lays out the Kconfig externs; a data DATASEC with an ELF section
 * of its name sized from it and, when its size was 0, its VAR offsets taken
 * from the symbols; VARs of hidden symbols made static; entries sorted by
 * offset. Other types and .ksyms are left as they are. */
struct ksr_btf_copy;
void ksr_object__fixup_datasec(const struct ksr_object *obj, const struct ksr_btf *btf,
			       struct ksr_btf_copy *b, uint32_t id);

/* libbpf's bpf_core_essential_name_len(): name length before the last
 * "___" flavour separator that has a non-'_' character on each side. */
size_t ksr_essential_name_len(const char *name);

#endif
