/* SPDX-License-Identifier: BSD-2-Clause */
/* BTF: validation (object and kernel rule sets), type access, the name index
 * and libbpf's type-compatibility rules. Native (little) endian only. */
#ifndef KSR_BTF_H
#define KSR_BTF_H

#include <linux/btf.h>
#include <stdbool.h>
#include <stdint.h>

#include "ksymres/ksymres.h"

#define KSR_BTF_MAX_TYPES 1048575u   /* kernel BTF_MAX_TYPE */
#define KSR_BTF_MAX_DEPTH 32u        /* modifier chains, resolve and compat depth */

/* One slot of the name index: the lowest VAR id and the lowest FUNC id with
 * this name (0 = none). name_off 0 marks an empty slot. Open addressing,
 * slot = ksr_hash64(name) & (slot_cnt - 1), linear probing. The same layout
 * is stored in kernel profiles (docs/profile-format.md). */
struct ksr_btf_name_slot {
	uint32_t name_off;
	uint32_t var_id;
	uint32_t func_id;
	uint32_t flags;
};

enum {
	KSR_NAME_FUNC_KFUNC = 1u << 0,  /* a DECL_TAG "bpf_kfunc" targets func_id */
	KSR_NAME_VAR_PERCPU = 1u << 1,  /* var_id is listed in DATASEC .data..percpu */
};

/* Build a BTF view over a blob whose indexes were prebuilt (a profile). The
 * blob is not copied and must outlive the view; it must be 4-aligned. Only
 * the header, section table and string terminator are checked here; every
 * type access is bounds-checked on use. */
int ksr_btf__open_indexed(const void *blob, size_t size, const uint32_t *type_offs,
			  uint32_t type_cnt, const struct ksr_btf_name_slot *slots,
			  uint32_t slot_cnt, struct ksr_btf **out);
/* The same over spans, which may be in a file (source.h): nothing is read
 * but the BTF header and the first and last string bytes; records, names
 * and slots are read as lookups need them. The spans' memory or source
 * must outlive the view. type_offs and slots hold at least type_cnt and
 * slot_cnt entries. */
struct ksr_span;
int ksr_btf__open_spans(const struct ksr_span *blob, const struct ksr_span *type_offs,
			uint32_t type_cnt, const struct ksr_span *slots, uint32_t slot_cnt,
			struct ksr_btf **out);

/* A split BTF view over spans (a module's BTF in a profile): own_cnt types
 * of its own (ids base->type_cnt on), its own offsets and name index;
 * base must outlive it. */
int ksr_btf__open_split_spans(const struct ksr_btf *base, const struct ksr_span *blob,
			      const struct ksr_span *type_offs, uint32_t own_cnt,
			      const struct ksr_span *slots, uint32_t slot_cnt, struct ksr_btf **out);
/* Split BTF: the first id of its own (0 for a BTF that is not split) and
 * its own type count. */
uint32_t ksr_btf__start_id(const struct ksr_btf *btf);

/* ksr_btf__parse() without the copy: the view borrows data, which must not
 * change and must outlive it (copied anyway when not 8-aligned). For large
 * blobs that are mapped or already read into memory: a 5 MB vmlinux BTF
 * costs ~3 ms to copy into fresh pages. */
int ksr_btf__parse_borrowed(const void *data, size_t size, enum ksr_btf_mode mode,
			    struct ksr_btf **out);

/* The raw blob (for a parsed BTF: the validated copy, or the borrowed
 * bytes). The raw blob and the two tables below are NULL for a view read
 * from a file. */
const void *ksr_btf__raw(const struct ksr_btf *btf, size_t *size);
/* type_offs[id] = byte offset of type id within the type section; [0] = 0. */
const uint32_t *ksr_btf__type_offsets(const struct ksr_btf *btf, uint32_t *type_cnt);
const struct ksr_btf_name_slot *ksr_btf__name_index(const struct ksr_btf *btf,
						     uint32_t *slot_cnt);
/* Name-index slot for name, or NULL. Looks at most KSR_HASH_PROBE_MAX
 * slots: a lookup that finds neither the name nor an empty slot by then
 * answers NULL and marks the index malformed (ksr_btf__index_error()). */
const struct ksr_btf_name_slot *ksr_btf__lookup(const struct ksr_btf *btf, const char *name);
/* ksr_btf__find(), which also gives the name's slot (NULL when it fails). */
int ksr_btf__find_slot(const struct ksr_btf *btf, const char *name, unsigned int kind,
		       const struct ksr_btf_name_slot **slot);
/* The same, with *steps = the slots it looked at (tests). */
const struct ksr_btf_name_slot *ksr_btf__lookup_steps(const struct ksr_btf *btf,
						      const char *name, uint32_t *steps);
/* 0, or -KSR_EMALFORMED with the message naming .ksr.btf.names, when a
 * lookup has found the name index malformed (the first one is kept). */
int ksr_btf__index_error(const struct ksr_btf *btf);
/* True when any DECL_TAG "bpf_kfunc" exists (kernels >= 6.11 with pahole >= 1.27).
 * On an indexed view: when a name slot is flagged kfunc (scans the slots). */
bool ksr_btf__has_kfunc_tags(const struct ksr_btf *btf);

/* The record of type id (4-aligned, with all its trailing members within
 * bounds), or NULL for id 0, an id out of range or a truncated record. */
const struct btf_type *ksr_btf__type_by_id(const struct ksr_btf *btf, uint32_t id);
/* The string at off, or NULL when out of range. */
const char *ksr_btf__str(const struct ksr_btf *btf, uint32_t off);
/* Skips CONST, VOLATILE, RESTRICT, TYPE_TAG and TYPEDEF (at most
 * KSR_BTF_MAX_DEPTH steps). Returns the resulting id (0 = void) or -errno. */
int ksr_btf__skip_mods(const struct ksr_btf *btf, uint32_t id);
/* libbpf's bpf_core_types_are_compat(): 1 compatible, 0 not, <0 error. */
int ksr_btf__types_compat(const struct ksr_btf *local, uint32_t local_id,
			  const struct ksr_btf *targ, uint32_t targ_id);
/* Id of the DATASEC that lists type id, or -ENOENT. Sets *idx to the entry
 * index when idx != NULL. */
int ksr_btf__datasec_of(const struct ksr_btf *btf, uint32_t id, uint32_t *idx);

const char *ksr_btf__kind_name(unsigned int kind);

#endif
