// SPDX-License-Identifier: BSD-2-Clause
/* Raw BTF (a profile's or vmlinux's .BTF, an object's .BTF): validation in
 * both rule sets, the name index, lookups, modifier skipping, DATASEC walks,
 * libbpf's compatibility rules, and the prebuilt-index view profiles use.
 *
 * Invariants: what the kernel rules accept the object rules accept too; the
 * name index agrees with a linear scan; an indexed view built from a parsed
 * BTF's own tables opens and answers the same way. */
#include <string.h>

#include "btf.h"
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
	FZ_ASSERT(ksr_btf__has_kfunc_tags(view) == ksr_btf__has_kfunc_tags(parsed));
	fz_walk_btf(view, parsed, true, seed);
	for (uint32_t id = 1; id < type_cnt && id <= KSR_FUZZ_MAX_PROBES; id++)
		FZ_ASSERT(ksr_btf__type_by_id(view, id) == ksr_btf__type_by_id(parsed, id));
	ksr_btf__free(view);
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
	return 0;
}
