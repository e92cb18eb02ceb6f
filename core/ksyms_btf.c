// SPDX-License-Identifier: BSD-2-Clause
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "btf.h"
#include "btf_copy.h"
#include "ksyms_btf.h"
#include "object.h"


static uint32_t info_word(unsigned int kind, unsigned int vlen)
{
	return (uint32_t)kind << 24 | vlen;
}

static int find_named(const struct ksr_btf *btf, const struct ksr_btf_copy *b, unsigned int kind,
		      const char *name)
{
	for (uint32_t id = 1; id < b->type_cnt; id++) {
		const uint8_t *r = ksr_btf_copy__type(b, id);

		if (BTF_INFO_KIND(ksr_btf_rd32(r + KSR_BTF_T_INFO)) == kind &&
		    !strcmp(ksr_btf_copy__name(btf, r), name))
			return (int)id;
	}
	return 0;
}

/* libbpf's find_int_btf_id(): the first INT of 32 bits; also of size 4,
 * since the VARs typed with it get 4-byte slots (libbpf takes a wider one
 * too, and the kernel then rejects the slot as smaller than the VAR). */
static uint32_t find_int32(const struct ksr_btf_copy *b)
{
	for (uint32_t id = 1; id < b->type_cnt; id++) {
		const uint8_t *r = ksr_btf_copy__type(b, id);

		if (BTF_INFO_KIND(ksr_btf_rd32(r + KSR_BTF_T_INFO)) == BTF_KIND_INT &&
		    BTF_INT_BITS(ksr_btf_rd32(r + KSR_BTF_T_EXTRA)) == 32 &&
		    ksr_btf_rd32(r + KSR_BTF_T_SIZE) == 4)
			return id;
	}
	return 0;
}

static uint32_t add_str(const struct ksr_btf_copy *b, struct ksr_buf *xstrs, const char *s)
{
	uint32_t off = b->strs_len + (uint32_t)xstrs->len;

	ksr_buf_put(xstrs, s, strlen(s) + 1);
	return off;
}

static void add_type(struct ksr_buf *xtypes, uint32_t name, uint32_t info, uint32_t size_type,
		     uint32_t extra)
{
	uint32_t w[4] = { name, info, size_type, extra };

	ksr_buf_put(xtypes, w, sizeof(w));
}

static void rewrite_func(const struct ksr_btf_copy *b, uint8_t *func, uint32_t dummy_name)
{
	uint32_t info = ksr_btf_rd32(func + KSR_BTF_T_INFO), proto = ksr_btf_rd32(func + KSR_BTF_T_SIZE);
	uint8_t *p;

	ksr_btf_wr32(func + KSR_BTF_T_INFO, (info & ~0xffffu) | BTF_FUNC_GLOBAL);
	if (proto == 0 || proto >= b->type_cnt)
		return;
	p = ksr_btf_copy__type(b, proto);
	for (uint32_t j = 0; j < BTF_INFO_VLEN(ksr_btf_rd32(p + KSR_BTF_T_INFO)); j++) {
		uint8_t *param = p + KSR_BTF_T_EXTRA + (size_t)j * KSR_BTF_PARAM_SZ;

		if (ksr_btf_rd32(param + 4) != 0 && ksr_btf_rd32(param) == 0)
			ksr_btf_wr32(param, dummy_name);
	}
}

static bool kept(const char *name, const char *const *keep, size_t keep_cnt)
{
	for (size_t i = 0; i < keep_cnt; i++)
		if (!strcmp(name, keep[i]))
			return true;
	return false;
}

/* Drops the entries of a DATASEC record past its first k: the record
 * shrinks, later records move up (type ids do not depend on offsets). */
static void shrink_datasec(struct ksr_btf_copy *b, uint8_t *sec, uint32_t k)
{
	uint32_t vlen = BTF_INFO_VLEN(ksr_btf_rd32(sec + KSR_BTF_T_INFO));
	uint8_t *end = sec + KSR_BTF_T_EXTRA + (size_t)vlen * KSR_BTF_SECINFO_SZ;
	size_t gap = (size_t)(vlen - k) * KSR_BTF_SECINFO_SZ;

	ksr_btf_wr32(sec + KSR_BTF_T_INFO, (ksr_btf_rd32(sec + KSR_BTF_T_INFO) & ~0xffffu) | k);
	memmove(end - gap, end, (size_t)(b->types + b->types_len - end));
	b->types_len -= (uint32_t)gap;
}

int ksr_ksyms_btf__rewrite(const struct ksr_object *obj, struct ksr_buf *out)
{
	return ksr_ksyms_btf__rewrite_keep(obj, NULL, 0, out);
}

int ksr_ksyms_btf__rewrite_keep(const struct ksr_object *obj, const char *const *keep,
				size_t keep_cnt, struct ksr_buf *out)
{
	const struct ksr_btf *btf = ksr_object__btf(obj);
	struct ksr_buf xtypes = { 0 }, xstrs = { 0 };
	uint32_t vlen, int_id, dummy_id = 0, dummy_name = 0, next_id, k = 0;
	struct ksr_btf_copy b;
	bool has_func = false;
	uint8_t *sec;
	int sec_id, err;

	if (!btf)
		return ksr_err(KSR_EMALFORMED, ".BTF: missing");
	err = ksr_btf_copy__load(btf, &b);
	if (err)
		return err;
	sec_id = find_named(btf, &b, BTF_KIND_DATASEC, ".ksyms");
	if (!sec_id) {
		err = ksr_btf_copy__emit(&b, &xtypes, &xstrs, out);
		free(b.types);
		return err;
	}
	sec = ksr_btf_copy__type(&b, (uint32_t)sec_id);
	vlen = BTF_INFO_VLEN(ksr_btf_rd32(sec + KSR_BTF_T_INFO));
	for (uint32_t i = 0; i < vlen; i++) {
		uint32_t t = ksr_btf_rd32(sec + KSR_BTF_T_EXTRA + (size_t)i * KSR_BTF_SECINFO_SZ);

		if (t && t < b.type_cnt) {
			const uint8_t *r = ksr_btf_copy__type(&b, t);

			if (keep_cnt && kept(ksr_btf_copy__name(btf, r), keep, keep_cnt))
				k++;
			else if (BTF_INFO_KIND(ksr_btf_rd32(r + KSR_BTF_T_INFO)) == BTF_KIND_FUNC)
				has_func = true;
		}
	}

	next_id = b.type_cnt;
	int_id = find_int32(&b);
	if (!int_id) {
		/* libbpf would leave type 0 here, which the kernel rejects */
		add_type(&xtypes, add_str(&b, &xstrs, "int"), info_word(BTF_KIND_INT, 0), 4,
			 (uint32_t)BTF_INT_SIGNED << 24 | 32);
		int_id = next_id++;
	}
	if (has_func) {
		dummy_name = add_str(&b, &xstrs, KSR_DUMMY_KSYM);
		/* entries kept for libbpf: the others leave .ksyms, no slot needed */
		if (!k) {
			add_type(&xtypes, dummy_name, info_word(BTF_KIND_VAR, 0), int_id,
				 BTF_VAR_GLOBAL_ALLOCATED);
			dummy_id = next_id++;
		}
	}
	k = 0;
	for (uint32_t i = 0; i < vlen; i++) {
		uint8_t *vs = sec + KSR_BTF_T_EXTRA + (size_t)i * KSR_BTF_SECINFO_SZ;
		uint32_t t = ksr_btf_rd32(vs);
		uint8_t *r;

		if (!t || t >= b.type_cnt)
			continue;
		r = ksr_btf_copy__type(&b, t);
		if (keep_cnt && kept(ksr_btf_copy__name(btf, r), keep, keep_cnt)) {
			/* as the compiler wrote it, for libbpf; moved to the front */
			memmove(sec + KSR_BTF_T_EXTRA + (size_t)k++ * KSR_BTF_SECINFO_SZ, vs,
				KSR_BTF_SECINFO_SZ);
			continue;
		}
		if (BTF_INFO_KIND(ksr_btf_rd32(r + KSR_BTF_T_INFO)) == BTF_KIND_FUNC) {
			ksr_btf_wr32(vs, dummy_id);
			rewrite_func(&b, r, dummy_name);
		} else {
			ksr_btf_wr32(r + KSR_BTF_T_SIZE, int_id);
			ksr_btf_wr32(r + KSR_BTF_T_EXTRA, BTF_VAR_GLOBAL_ALLOCATED);
		}
		ksr_btf_wr32(vs + 4, 4 * i);
		ksr_btf_wr32(vs + 8, 4);
	}
	if (k)
		shrink_datasec(&b, sec, k);
	else
		ksr_btf_wr32(sec + KSR_BTF_T_SIZE, 4 * vlen);
	err = xtypes.err ? xtypes.err : xstrs.err;
	if (!err)
		err = ksr_btf_copy__emit(&b, &xtypes, &xstrs, out);
	ksr_buf_free(&xtypes);
	ksr_buf_free(&xstrs);
	free(b.types);
	return err;
}

int ksr_ksyms_btf__check_loadable(const struct ksr_object *obj, const void *blob, size_t len)
{
	struct ksr_btf *parsed = NULL, *kernel = NULL;
	struct ksr_buf img = { 0 }, none = { 0 };
	struct ksr_btf_copy b;
	int err;

	err = ksr_btf__parse(blob, len, KSR_BTF_MODE_OBJECT, &parsed);
	if (err)
		return err;
	err = ksr_btf_copy__load(parsed, &b);
	if (err)
		goto out;
	for (uint32_t id = 1; id < b.type_cnt; id++)
		ksr_object__fixup_datasec(obj, parsed, &b, id);
	err = ksr_btf_copy__emit(&b, &none, &none, &img);
	if (!err)
		err = ksr_btf__parse(img.data, img.len, KSR_BTF_MODE_KERNEL, &kernel);
	if (err && err != -ENOMEM)   /* out of memory says nothing of the rules */
		ksr_err_prefix("output .BTF fails the kernel's rules");
	free(b.types);
out:
	ksr_btf__free(kernel);
	ksr_btf__free(parsed);
	ksr_buf_free(&img);
	return err;
}
