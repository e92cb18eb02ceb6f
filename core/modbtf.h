/* SPDX-License-Identifier: BSD-2-Clause */
/* Kernel module BTFs: reading a module file's .BTF (.ko, .ko.xz, .ko.zst),
 * and the profile section that carries them (.ksr.opt.modbtf, layout in
 * docs/profile-format.md). */
#ifndef KSR_MODBTF_H
#define KSR_MODBTF_H

#include <stddef.h>
#include <stdint.h>

#include "btf.h"
#include "source.h"

#define KSR_MODBTF_SECTION ".ksr.opt.modbtf"
#define KSR_MODBTF_MAGIC "KSRMODS"
#define KSR_MODBTF_NAME_MAX 56u     /* the kernel's MODULE_NAME_LEN, NUL included */
#define KSR_MODBTF_MAX 16384u       /* modules per profile */
#define KSR_MODBTF_HDR_LEN 16u
#define KSR_MODBTF_ENTRY_LEN 112u

/* One entry of the section's table; offsets are from the section's start. */
struct ksr_modbtf_entry {
	char name[KSR_MODBTF_NAME_MAX]; /* NUL-terminated, NUL-padded */
	uint64_t btf_off;               /* the raw split BTF */
	uint32_t btf_len;
	uint32_t type_cnt;              /* the module's own types */
	uint64_t offs_off;              /* u32 offs[type_cnt] */
	uint64_t slots_off;             /* struct ksr_btf_name_slot[slot_cnt] */
	uint32_t slot_cnt;
	uint32_t flags;                 /* KSR_MODBTF_KFUNC_TAGS */
	uint8_t identity[16];           /* XXH3-128 of the raw split BTF, as .ksr.meta's */
};
_Static_assert(sizeof(struct ksr_modbtf_entry) == KSR_MODBTF_ENTRY_LEN, "entry layout");

enum { KSR_MODBTF_KFUNC_TAGS = 1u << 0 };

/* The .BTF of a module file, decompressed first when it is xz or zstd
 * (at most KSR_INPUT_MAX bytes out): a malloc()ed copy, or -ENOENT when the
 * module has no .BTF. Modules with distilled base BTF (.BTF.base) are
 * refused: their ids are renumbered when they load. */
int ksr_module_file_btf(const void *data, size_t len, void **btf, size_t *btf_len);

/* Builds the section: add() validates a module's split BTF on base and
 * keeps it; finish() gives the section (entries sorted by name). */
struct ksr_modbtf_builder;
int ksr_modbtf_builder_new(struct ksr_modbtf_builder **out);
int ksr_modbtf_builder_add(struct ksr_modbtf_builder *b, const struct ksr_btf *base,
			   const char *name, const void *btf, size_t len);
uint32_t ksr_modbtf_builder_cnt(const struct ksr_modbtf_builder *b);
int ksr_modbtf_builder_finish(struct ksr_modbtf_builder *b, uint8_t **sec, size_t *len);
void ksr_modbtf_builder_free(struct ksr_modbtf_builder *b);

/* Reading: the module count, entry i (bounds-checked against the section),
 * and a split view of entry i on base. */
int ksr_modbtf_count(const struct ksr_span *sec, uint32_t *cnt);
int ksr_modbtf_entry(const struct ksr_span *sec, uint32_t i, struct ksr_modbtf_entry *e);
int ksr_modbtf_view(const struct ksr_span *sec, const struct ksr_modbtf_entry *e,
		    const struct ksr_btf *base, struct ksr_btf **out);

/* Module names: 1..55 bytes of [A-Za-z0-9_-]. */
bool ksr_modbtf_name_ok(const char *name);

#endif
