// SPDX-License-Identifier: BSD-2-Clause
/* The .ksyms DATASEC rewrite (core/ksyms_btf.c) on every object that
 * parses: libbpf's extern-collection transform of the object's BTF.
 *
 * Invariants: the rewrite of a valid object succeeds; its output, after
 * libbpf's load-time DATASEC fixups, passes the kernel-mode rules
 * (ksr_ksyms_btf__check_loadable) unless one of the object's own functions
 * has an unnamed parameter; it keeps every original type id (it only
 * appends) and it is deterministic. */
#include <string.h>

#include "btf.h"
#include "buf.h"
#include "fuzz_common.h"
#include "ksyms_btf.h"
#include "object.h"

/* Original types keep their id, kind and name; new types are appended. */
static void check_ids_kept(const struct ksr_btf *orig, const struct ksr_btf *rw)
{
	uint32_t n = ksr_btf__type_cnt(orig);

	FZ_ASSERT(ksr_btf__type_cnt(rw) >= n);
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *a = ksr_btf__type_by_id(orig, id);
		const struct btf_type *b = ksr_btf__type_by_id(rw, id);

		FZ_ASSERT(a && b && a->name_off == b->name_off &&
			  BTF_INFO_KIND(a->info) == BTF_INFO_KIND(b->info));
		/* a FUNC's vlen is its linkage, which the rewrite changes */
		if (BTF_INFO_KIND(a->info) != BTF_KIND_FUNC)
			FZ_ASSERT(BTF_INFO_VLEN(a->info) == BTF_INFO_VLEN(b->info));
	}
}

/* A function of the object itself (not an extern) whose prototype has an
 * unnamed parameter: the kernel refuses that BTF and libbpf names only the
 * parameters of extern prototypes, so no rewrite is loadable and resolve
 * refuses the object (exit 3; docs/bad-inputs.md). */
static bool has_unnamed_func_param(const struct ksr_btf *btf)
{
	uint32_t n = ksr_btf__type_cnt(btf);

	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = ksr_btf__type_by_id(btf, id), *p;
		const struct btf_param *a;

		if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_FUNC ||
		    BTF_INFO_VLEN(t->info) == BTF_FUNC_EXTERN)
			continue;
		p = ksr_btf__type_by_id(btf, t->type);
		if (!p || BTF_INFO_KIND(p->info) != BTF_KIND_FUNC_PROTO)
			continue;
		a = (const struct btf_param *)(p + 1);
		for (uint32_t i = 0; i < BTF_INFO_VLEN(p->info); i++)
			if (a[i].type && !a[i].name_off)
				return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ksr_buf out = { 0 }, again = { 0 };
	struct ksr_object *obj = NULL;
	struct ksr_btf *rewritten = NULL;
	int err;

	if (size > KSR_FUZZ_MAX_INPUT)
		return 0;
	if (ksr_object__open_mem(data, size, &obj) != 0)
		return 0;
	ksr_err_clear();
	err = ksr_ksyms_btf__rewrite(obj, &out);
	if (!ksr_object__btf(obj)) {
		FZ_ASSERT(err < 0);
		fz_check_error(err);
		ksr_buf_free(&out);
		ksr_object__free(obj);
		return 0;
	}
	FZ_ASSERT(err == 0);
	err = ksr_ksyms_btf__check_loadable(obj, out.data, out.len);
	if (err) {
		FZ_ASSERT(has_unnamed_func_param(ksr_object__btf(obj)));
		fz_check_error(err);
	}
	FZ_ASSERT(ksr_btf__parse(out.data, out.len, KSR_BTF_MODE_OBJECT, &rewritten) == 0);
	check_ids_kept(ksr_object__btf(obj), rewritten);
	FZ_ASSERT(ksr_ksyms_btf__rewrite(obj, &again) == 0);
	FZ_ASSERT(again.len == out.len && memcmp(again.data, out.data, out.len) == 0);
	ksr_btf__free(rewritten);
	ksr_buf_free(&again);
	ksr_buf_free(&out);
	ksr_object__free(obj);
	return 0;
}
