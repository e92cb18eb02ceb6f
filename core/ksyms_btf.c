// SPDX-License-Identifier: BSD-2-Clause
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "btf.h"
#include "ksyms_btf.h"
#include "object.h"

/* Byte offsets inside BTF records. */
#define T_NAME 0
#define T_INFO 4
#define T_SIZE 8        /* also "type" */
#define T_EXTRA 12      /* first byte after struct btf_type */
#define SECINFO_SZ 12   /* struct btf_var_secinfo */
#define PARAM_SZ 8      /* struct btf_param */

static uint32_t info_word(unsigned int kind, unsigned int vlen)
{
	return (uint32_t)kind << 24 | vlen;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

struct blob {
	struct btf_header hdr;
	uint8_t *types;          /* owned, mutable copy of the type section */
	uint32_t types_len;
	const uint8_t *strs;
	uint32_t strs_len;
	const uint32_t *offs;    /* from the parsed object BTF */
	uint32_t type_cnt;
};

static uint8_t *rec(const struct blob *b, uint32_t id)
{
	return b->types + b->offs[id];
}

static const char *name_of(const struct ksr_btf *btf, const uint8_t *r)
{
	const char *s = ksr_btf__str(btf, rd32(r + T_NAME));

	return s ? s : "";
}

static int find_named(const struct ksr_btf *btf, const struct blob *b, unsigned int kind,
		      const char *name)
{
	for (uint32_t id = 1; id < b->type_cnt; id++) {
		const uint8_t *r = rec(b, id);

		if (BTF_INFO_KIND(rd32(r + T_INFO)) == kind && !strcmp(name_of(btf, r), name))
			return (int)id;
	}
	return 0;
}

/* libbpf's find_int_btf_id(): the first INT of 32 bits; also of size 4,
 * since the VARs typed with it get 4-byte slots (libbpf takes a wider one
 * too, and the kernel then rejects the slot as smaller than the VAR). */
static uint32_t find_int32(const struct blob *b)
{
	for (uint32_t id = 1; id < b->type_cnt; id++) {
		const uint8_t *r = rec(b, id);

		if (BTF_INFO_KIND(rd32(r + T_INFO)) == BTF_KIND_INT &&
		    BTF_INT_BITS(rd32(r + T_EXTRA)) == 32 && rd32(r + T_SIZE) == 4)
			return id;
	}
	return 0;
}

static int load_blob(const struct ksr_btf *btf, struct blob *b)
{
	size_t len;
	const uint8_t *raw = ksr_btf__raw(btf, &len);

	memcpy(&b->hdr, raw, sizeof(b->hdr));
	b->offs = ksr_btf__type_offsets(btf, &b->type_cnt);
	b->types_len = b->hdr.type_len;
	b->strs = raw + b->hdr.hdr_len + b->hdr.str_off;
	b->strs_len = b->hdr.str_len;
	b->types = malloc(b->types_len ? b->types_len : 1);
	if (!b->types)
		return ksr_err(ENOMEM, "out of memory");
	memcpy(b->types, raw + b->hdr.hdr_len + b->hdr.type_off, b->types_len);
	return 0;
}

/* Header, types (+ extra), strings (+ extra), in the canonical layout. */
static int emit(const struct blob *b, const struct ksr_buf *xtypes, const struct ksr_buf *xstrs,
		struct ksr_buf *out)
{
	struct btf_header h = b->hdr;

	h.type_off = 0;
	h.type_len = b->types_len + (uint32_t)xtypes->len;
	h.str_off = h.type_len;
	h.str_len = b->strs_len + (uint32_t)xstrs->len;
	ksr_buf_put(out, &h, sizeof(h));
	ksr_buf_zero(out, h.hdr_len - sizeof(h));
	ksr_buf_put(out, b->types, b->types_len);
	ksr_buf_put(out, xtypes->data, xtypes->len);
	ksr_buf_put(out, b->strs, b->strs_len);
	return ksr_buf_put(out, xstrs->data, xstrs->len);
}

static uint32_t add_str(const struct blob *b, struct ksr_buf *xstrs, const char *s)
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

static void rewrite_func(const struct blob *b, uint8_t *func, uint32_t dummy_name)
{
	uint32_t info = rd32(func + T_INFO), proto = rd32(func + T_SIZE);
	uint8_t *p;

	wr32(func + T_INFO, (info & ~0xffffu) | BTF_FUNC_GLOBAL);
	if (proto == 0 || proto >= b->type_cnt)
		return;
	p = rec(b, proto);
	for (uint32_t j = 0; j < BTF_INFO_VLEN(rd32(p + T_INFO)); j++) {
		uint8_t *param = p + T_EXTRA + (size_t)j * PARAM_SZ;

		if (rd32(param + 4) != 0 && rd32(param) == 0)
			wr32(param, dummy_name);
	}
}

int ksr_ksyms_btf__rewrite(const struct ksr_object *obj, struct ksr_buf *out)
{
	const struct ksr_btf *btf = ksr_object__btf(obj);
	struct ksr_buf xtypes = { 0 }, xstrs = { 0 };
	uint32_t vlen, int_id, dummy_id = 0, dummy_name = 0, next_id;
	struct blob b;
	bool has_func = false;
	uint8_t *sec;
	int sec_id, err;

	if (!btf)
		return ksr_err(KSR_EMALFORMED, ".BTF: missing");
	err = load_blob(btf, &b);
	if (err)
		return err;
	sec_id = find_named(btf, &b, BTF_KIND_DATASEC, ".ksyms");
	if (!sec_id) {
		err = emit(&b, &xtypes, &xstrs, out);
		free(b.types);
		return err;
	}
	sec = rec(&b, (uint32_t)sec_id);
	vlen = BTF_INFO_VLEN(rd32(sec + T_INFO));
	for (uint32_t i = 0; i < vlen; i++) {
		uint32_t t = rd32(sec + T_EXTRA + (size_t)i * SECINFO_SZ);

		if (t && t < b.type_cnt && BTF_INFO_KIND(rd32(rec(&b, t) + T_INFO)) == BTF_KIND_FUNC)
			has_func = true;
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
		add_type(&xtypes, dummy_name, info_word(BTF_KIND_VAR, 0), int_id,
			 BTF_VAR_GLOBAL_ALLOCATED);
		dummy_id = next_id++;
	}
	for (uint32_t i = 0; i < vlen; i++) {
		uint8_t *vs = sec + T_EXTRA + (size_t)i * SECINFO_SZ;
		uint32_t t = rd32(vs);
		uint8_t *r;

		if (!t || t >= b.type_cnt)
			continue;
		r = rec(&b, t);
		if (BTF_INFO_KIND(rd32(r + T_INFO)) == BTF_KIND_FUNC) {
			wr32(vs, dummy_id);
			rewrite_func(&b, r, dummy_name);
		} else {
			wr32(r + T_SIZE, int_id);
			wr32(r + T_EXTRA, BTF_VAR_GLOBAL_ALLOCATED);
		}
		wr32(vs + 4, 4 * i);
		wr32(vs + 8, 4);
	}
	wr32(sec + T_SIZE, 4 * vlen);
	err = xtypes.err ? xtypes.err : xstrs.err;
	if (!err)
		err = emit(&b, &xtypes, &xstrs, out);
	ksr_buf_free(&xtypes);
	ksr_buf_free(&xstrs);
	free(b.types);
	return err;
}

/* ---- what libbpf does at load time, on a copy, then the kernel's rules ---- */

static const struct ksr_obj_sym *find_var_sym(const struct ksr_object *obj, const char *name,
					      uint32_t shndx)
{
	for (uint32_t i = 1; i < ksr_object__sym_cnt(obj); i++) {
		const struct ksr_obj_sym *s = ksr_object__sym(obj, i);

		if (s->shndx == shndx && ELF64_ST_TYPE(s->info) == STT_OBJECT && !strcmp(s->name, name))
			return s;
	}
	return NULL;
}

static int cmp_secinfo(const void *a, const void *b)
{
	uint32_t x = rd32((const uint8_t *)a + 4), y = rd32((const uint8_t *)b + 4);

	return x < y ? -1 : x > y;
}

static void fixup_kconfig(const struct ksr_object *obj, const struct ksr_btf *btf,
			  struct blob *b, uint8_t *sec)
{
	uint32_t vlen = BTF_INFO_VLEN(rd32(sec + T_INFO)), off = 0;

	for (size_t k = 0; k < ksr_object__kconfig_cnt(obj); k++) {
		const struct ksr_obj_kconfig *kc = ksr_object__kconfig(obj, k);
		uint32_t align = kc->align ? kc->align : 1;

		off = (off + align - 1) / align * align;
		for (uint32_t i = 0; i < vlen; i++) {
			uint8_t *vs = sec + T_EXTRA + (size_t)i * SECINFO_SZ;
			uint32_t t = rd32(vs);

			if (t && t < b->type_cnt && !strcmp(name_of(btf, rec(b, t)), kc->ext.name)) {
				wr32(vs + 4, off);
				wr32(rec(b, t) + T_EXTRA, BTF_VAR_GLOBAL_ALLOCATED);
			}
		}
		off += kc->size;
	}
	wr32(sec + T_SIZE, off);
	qsort(sec + T_EXTRA, vlen, SECINFO_SZ, cmp_secinfo);
}

static void fixup_data(const struct ksr_object *obj, const struct ksr_btf *btf, struct blob *b,
		       uint8_t *sec, const struct ksr_obj_sec *elf_sec)
{
	uint32_t vlen = BTF_INFO_VLEN(rd32(sec + T_INFO));
	bool fix_offsets = rd32(sec + T_SIZE) == 0;

	if (fix_offsets)
		wr32(sec + T_SIZE, (uint32_t)elf_sec->size);
	for (uint32_t i = 0; i < vlen; i++) {
		uint8_t *vs = sec + T_EXTRA + (size_t)i * SECINFO_SZ;
		uint32_t t = rd32(vs);
		const struct ksr_obj_sym *sym;
		uint8_t *var;

		if (!t || t >= b->type_cnt)
			continue;
		var = rec(b, t);
		sym = find_var_sym(obj, name_of(btf, var), elf_sec->idx);
		if (!sym)
			continue;
		if (fix_offsets)
			wr32(vs + 4, (uint32_t)sym->value);
		if (ELF64_ST_VISIBILITY(sym->other) == STV_HIDDEN ||
		    ELF64_ST_VISIBILITY(sym->other) == STV_INTERNAL)
			wr32(var + T_EXTRA, BTF_VAR_STATIC);
	}
	qsort(sec + T_EXTRA, vlen, SECINFO_SZ, cmp_secinfo);
}

/* The kernel's DATASEC rules (btf_datasec_check_meta) on a fixed-up record:
 * entries sorted by offset, non-empty, non-overlapping, inside the size. */
static int check_fixed_datasec(const struct ksr_btf *btf, const uint8_t *sec, uint32_t id,
			       uint64_t foff)
{
	uint32_t vlen = BTF_INFO_VLEN(rd32(sec + T_INFO)), size = rd32(sec + T_SIZE);
	uint64_t end = 0;

	if (!size)
		return ksr_err(KSR_EMALFORMED, ".BTF: DATASEC [%u] '%s': size 0 after libbpf's fixups "
			       "(offset 0x%llx)", id, name_of(btf, sec), (unsigned long long)foff);
	for (uint32_t i = 0; i < vlen; i++) {
		const uint8_t *vs = sec + T_EXTRA + (size_t)i * SECINFO_SZ;
		uint32_t off = rd32(vs + 4), sz = rd32(vs + 8);

		if (!sz || off < end || (uint64_t)off + sz > size)
			return ksr_err(KSR_EMALFORMED,
				       ".BTF: DATASEC [%u] '%s': after libbpf's fixups entry %u "
				       "(offset %u, size %u) is empty, overlaps or ends beyond size %u "
				       "(offset 0x%llx)", id, name_of(btf, sec), i, off, sz, size,
				       (unsigned long long)foff);
		end = (uint64_t)off + sz;
	}
	return 0;
}

/* A size-0 data DATASEC is sized and its VAR offsets set from the ELF
 * section and symbols of the same names (fixup_data); without them libbpf
 * refuses the object, and with clashing symbols the kernel refuses the BTF.
 * Either way no loadable output exists, so the object is malformed. */
static int check_data_sec(const struct ksr_object *obj, const struct ksr_btf *btf,
			  struct blob *b, uint32_t id, uint64_t foff)
{
	uint8_t *r = rec(b, id);
	const char *name = name_of(btf, r);
	const struct ksr_obj_sec *s = ksr_object__sec_by_name(obj, name);
	uint32_t vlen = BTF_INFO_VLEN(rd32(r + T_INFO));

	if (rd32(r + T_SIZE) == 0) {
		if (!s || !s->size || s->size > UINT32_MAX)
			return ksr_err(KSR_EMALFORMED, ".BTF: DATASEC [%u] '%s' has size 0 and no ELF "
				       "section of that name to size it (offset 0x%llx)", id, name,
				       (unsigned long long)foff);
		for (uint32_t i = 0; i < vlen; i++) {
			uint32_t t = rd32(r + T_EXTRA + (size_t)i * SECINFO_SZ);
			const char *var = t && t < b->type_cnt ? name_of(btf, rec(b, t)) : "";
			const struct ksr_obj_sym *sym = find_var_sym(obj, var, s->idx);

			if (!sym || sym->value > UINT32_MAX)
				return ksr_err(KSR_EMALFORMED, ".BTF: DATASEC [%u] '%s': VAR [%u] '%s' has "
					       "no symbol in section %u to place it (offset 0x%llx)", id,
					       name, t, var, s->idx, (unsigned long long)foff);
		}
	}
	if (s)
		fixup_data(obj, btf, b, r, s);
	return check_fixed_datasec(btf, r, id, foff);
}

int ksr_ksyms_btf__check_datasecs(const struct ksr_object *obj)
{
	const struct ksr_btf *btf = ksr_object__btf(obj);
	const struct ksr_obj_sec *btf_sec = ksr_object__sec_by_name(obj, ".BTF");
	struct blob b;
	int err;

	if (!btf || !btf_sec)
		return 0;
	err = load_blob(btf, &b);
	for (uint32_t id = 1; !err && id < b.type_cnt; id++) {
		const uint8_t *r = rec(&b, id);
		const char *name = name_of(btf, r);
		uint64_t foff = btf_sec->offset + b.hdr.hdr_len + b.hdr.type_off + b.offs[id];

		if (BTF_INFO_KIND(rd32(r + T_INFO)) != BTF_KIND_DATASEC || !strcmp(name, ".ksyms"))
			continue;
		if (!strcmp(name, ".kconfig")) {
			/* libbpf places the entries; their sizes stay clang's */
			fixup_kconfig(obj, btf, &b, rec(&b, id));
			err = check_fixed_datasec(btf, r, id, foff);
		} else {
			err = check_data_sec(obj, btf, &b, id, foff);
		}
	}
	free(b.types);
	return err;
}

int ksr_ksyms_btf__check_loadable(const struct ksr_object *obj, const void *blob, size_t len)
{
	struct ksr_btf *parsed = NULL, *kernel = NULL;
	struct ksr_buf img = { 0 }, none = { 0 };
	struct blob b;
	int err;

	err = ksr_btf__parse(blob, len, KSR_BTF_MODE_OBJECT, &parsed);
	if (err)
		return err;
	err = load_blob(parsed, &b);
	if (err)
		goto out;
	for (uint32_t id = 1; id < b.type_cnt; id++) {
		uint8_t *r = rec(&b, id);
		const char *name = name_of(parsed, r);
		const struct ksr_obj_sec *s;

		if (BTF_INFO_KIND(rd32(r + T_INFO)) != BTF_KIND_DATASEC || !strcmp(name, ".ksyms"))
			continue;
		if (!strcmp(name, ".kconfig"))
			fixup_kconfig(obj, parsed, &b, r);
		else if ((s = ksr_object__sec_by_name(obj, name)) != NULL)
			fixup_data(obj, parsed, &b, r, s);
	}
	err = emit(&b, &none, &none, &img);
	if (!err)
		err = ksr_btf__parse(img.data, img.len, KSR_BTF_MODE_KERNEL, &kernel);
	if (err)
		ksr_err_prefix("output .BTF fails the kernel's rules");
	free(b.types);
out:
	ksr_btf__free(kernel);
	ksr_btf__free(parsed);
	ksr_buf_free(&img);
	return err;
}
