// SPDX-License-Identifier: BSD-2-Clause
/* Raw BTF (a profile's or vmlinux's .BTF, an object's .BTF): validation in
 * both rule sets, the name index, lookups, modifier skipping, DATASEC walks,
 * libbpf's compatibility rules, and the prebuilt-index view profiles use.
 *
 * Also the input as a kernel module's split BTF on a fixed tiny vmlinux.
 *
 * Invariants: what the kernel rules accept the object rules accept too; the
 * name index agrees with a linear scan; an indexed view built from a parsed
 * BTF's own tables opens and answers the same way (split BTF too). */
#include <string.h>

#include "btf.h"
#include "source.h"
#include "fuzz_common.h"

static uint32_t seed_of(const uint8_t *data, size_t size)
{
	uint32_t s = (uint32_t)size * 2654435761u;

	for (size_t i = 0; i < size && i < 64; i++)
		s = (s ^ data[size - 1 - i]) * 16777619u;
	return s;
}

/* A profile-style view over the parsed BTF's own blob and tables. */
static void check_indexed(const struct ksr_btf *parsed, uint32_t seed)
{
	struct ksr_btf *view = NULL;
	const struct ksr_btf_name_slot *slots;
	const uint32_t *offs;
	uint32_t type_cnt, slot_cnt;
	size_t raw_len;
	const void *raw = ksr_btf__raw(parsed, &raw_len);

	offs = ksr_btf__type_offsets(parsed, &type_cnt);
	slots = ksr_btf__name_index(parsed, &slot_cnt);
	FZ_ASSERT(ksr_btf__open_indexed(raw, raw_len, offs, type_cnt, slots, slot_cnt, &view) == 0);
	FZ_ASSERT(ksr_btf__type_cnt(view) == type_cnt);
	/* the index flags the FUNC each name resolves to: a tag on a later
	 * FUNC of the same name is seen by the parsed BTF (and .ksr.meta) only */
	FZ_ASSERT(!ksr_btf__has_kfunc_tags(view) || ksr_btf__has_kfunc_tags(parsed));
	fz_walk_btf(view, parsed, true, seed);
	for (uint32_t id = 1; id < type_cnt && id <= KSR_FUZZ_MAX_PROBES; id++)
		FZ_ASSERT(ksr_btf__type_by_id(view, id) == ksr_btf__type_by_id(parsed, id));
	ksr_btf__free(view);
}

/* The fixed base: int (1), struct s { int m; } (2), PTR 2 (3), FUNC_PROTO
 * int (struct s *p) (4), FUNC f (5). Strings "\0int\0s\0m\0p\0f\0". */
static const uint32_t base_words[] = {
	0xeb9f | 1u << 16, 24, 0, 84, 84, 13,                       /* header */
	1, 1u << 24, 4, 0x01000020,                                  /* INT int */
	5, 4u << 24 | 1, 4, 7, 1, 0,                                 /* STRUCT s */
	0, 2u << 24, 2,                                              /* PTR */
	0, 13u << 24 | 1, 1, 9, 3,                                   /* FUNC_PROTO */
	11, 12u << 24, 4,                                            /* FUNC f */
};
static const char base_strs[] = "\0int\0s\0m\0p\0f";

static const struct ksr_btf *fixed_base(void)
{
	static struct ksr_btf *base;
	static uint8_t blob[sizeof(base_words) + sizeof(base_strs)];

	if (!base) {
		memcpy(blob, base_words, sizeof(base_words));
		memcpy(blob + sizeof(base_words), base_strs, sizeof(base_strs));
		FZ_ASSERT(ksr_btf__parse(blob, sizeof(blob), KSR_BTF_MODE_KERNEL, &base) == 0);
	}
	return base;
}

/* The input as a module's BTF: a split view over its own tables answers as
 * the parsed one does. */
static void check_split(const uint8_t *data, size_t size, uint32_t seed)
{
	const struct ksr_btf *base = fixed_base();
	struct ksr_btf *mod = NULL, *view = NULL;
	const struct ksr_btf_name_slot *slots;
	const uint32_t *offs;
	struct ksr_span sb, so, ss;
	uint32_t total, own, slot_cnt, start;
	size_t raw_len;
	const void *raw;
	int err;

	ksr_err_clear();
	err = ksr_btf__parse_split(data, size, base, &mod);
	fz_check_error(err);
	if (err)
		return;
	start = ksr_btf__start_id(mod);
	FZ_ASSERT(start == ksr_btf__type_cnt(base));
	raw = ksr_btf__raw(mod, &raw_len);
	offs = ksr_btf__type_offsets(mod, &total);
	slots = ksr_btf__name_index(mod, &slot_cnt);
	own = total - start;
	fz_walk_btf(mod, mod, true, seed);
	sb = ksr_span_mem(raw, raw_len);
	so = ksr_span_mem(offs, (size_t)own * sizeof(*offs));
	ss = ksr_span_mem(slots, (size_t)slot_cnt * sizeof(*slots));
	FZ_ASSERT(ksr_btf__open_split_spans(base, &sb, &so, own, &ss, slot_cnt, &view) == 0);
	FZ_ASSERT(ksr_btf__type_cnt(view) == total);
	for (uint32_t id = 1; id < total && id <= KSR_FUZZ_MAX_PROBES; id++)
		FZ_ASSERT(ksr_btf__type_by_id(view, id) == ksr_btf__type_by_id(mod, id));
	ksr_btf__free(view);
	ksr_btf__free(mod);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ksr_btf *obj = NULL, *kern = NULL;
	uint32_t seed;
	int err;

	if (size > KSR_FUZZ_MAX_INPUT)
		return 0;
	seed = seed_of(data, size);
	ksr_err_clear();
	err = ksr_btf__parse(data, size, KSR_BTF_MODE_OBJECT, &obj);
	fz_check_error(err);
	FZ_ASSERT(err == 0 ? obj != NULL : obj == NULL);
	ksr_err_clear();
	err = ksr_btf__parse(data, size, KSR_BTF_MODE_KERNEL, &kern);
	fz_check_error(err);
	FZ_ASSERT(err == 0 ? kern != NULL : kern == NULL);
	if (kern)
		FZ_ASSERT(obj != NULL);
	if (obj)
		fz_walk_btf(obj, kern ? kern : obj, true, seed);
	if (kern) {
		FZ_ASSERT(ksr_btf__type_cnt(kern) == ksr_btf__type_cnt(obj));
		fz_walk_btf(kern, obj, true, ~seed);
		check_indexed(kern, seed);
	}
	ksr_btf__free(kern);
	ksr_btf__free(obj);
	check_split(data, size, seed);
	return 0;
}
