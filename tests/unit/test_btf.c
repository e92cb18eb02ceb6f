// SPDX-License-Identifier: BSD-2-Clause
/* core/btf.c: the container passes (header, sections, strings, the type
 * walk), the borrowed and indexed views, the accessors, the name index and
 * libbpf's type-compatibility rules, on blobs built here type by type. The
 * per-kind rules are in test_btf_kinds.c. IDs in the comments follow
 * docs/bad-inputs.md. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "btf.h"
#include "error.h"
#include "hash.h"
#include "btf_builder.h"
#include "btf_check.h"
#include "testutil.h"

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	memcpy(p + off, &v, 4);
}

/* ---- valid blobs: one of each kind ------------------------------------------ */

/* Every kind 1..19 with its common shapes; valid in both modes. */
static void build_all_kinds(struct bb *b)
{
	uint32_t i, p, a, s, fn, proto, v, tag;

	bb_init(b);
	i = INT(b, "int", 4, 32, BTF_INT_SIGNED);                     /* 1 */
	p = PTR(b, i);                                                /* 2 */
	a = ARRAY(b, i, i, 4);                                        /* 3 */
	s = STRUCT(b, "s", 32, 3);                                    /* 4 */
	MEMBER(b, "a", i, 0);
	MEMBER(b, "p", p, 64);
	MEMBER(b, "arr", a, 128);
	UNION(b, "u", 8, 2);                                          /* 5 */
	MEMBER(b, "x", i, 0);
	MEMBER(b, "y", p, 0);
	ENUM(b, "e", 4, 2);                                           /* 6 */
	ENUMVAL(b, "E_A", 0);
	ENUMVAL(b, "E_B", -1);
	FWD(b, "fwd", 0);                                             /* 7 */
	TYPEDEF(b, "myint", i);                                       /* 8 */
	v = VOLATILE(b, i);                                           /* 9 */
	CONST(b, v);                                                  /* 10 */
	RESTRICT(b, p);                                               /* 11 */
	fn = FUNC(b, "fn", 13, BTF_FUNC_GLOBAL);                      /* 12 */
	proto = PROTO(b, i, 2);                                       /* 13 */
	PARAM(b, "x", i);
	PARAM(b, "p", p);
	v = VAR(b, "v", i, BTF_VAR_GLOBAL_ALLOCATED);                 /* 14 */
	DATASEC(b, ".data", 4, 1);                                    /* 15 */
	SECINFO(b, v, 0, 4);
	FLOAT(b, "float", 4);                                         /* 16 */
	DECL_TAG(b, "tag", fn, -1);                                   /* 17 */
	tag = TYPE_TAG(b, "user", i);                                 /* 18 */
	ENUM64(b, "e64", 8, 1);                                       /* 19 */
	ENUM64VAL(b, "E_BIG", 0x100000000ull);
	PTR(b, tag);                                                  /* 20 */
	DECL_TAG(b, "mtag", s, 1);                                    /* 21 */
	DECL_TAG(b, "ptag", fn, 0);                                   /* 22 */
	(void)proto;
}

static void test_valid_all_kinds(void **state)
{
	struct ksr_btf *btf;
	struct bb b;

	build_all_kinds(&b);
	for (int mode = 0; mode < 2; mode++) {
		btf = ok_bb(&b, mode, __FILE__, __LINE__);
		assert_int_equal(ksr_btf__type_cnt(btf), 23);
		for (uint32_t id = 1; id <= 19; id++)
			assert_non_null(ksr_btf__type_by_id(btf, id));
		assert_int_equal(BTF_INFO_KIND(ksr_btf__type_by_id(btf, 19)->info), BTF_KIND_ENUM64);
		assert_null(ksr_btf__type_by_id(btf, 0));
		assert_null(ksr_btf__type_by_id(btf, 23));
		assert_string_equal(ksr_btf__name(btf, 4), "s");
		assert_string_equal(ksr_btf__name(btf, 2), "");
		assert_int_equal(ksr_btf__find(btf, "fn", BTF_KIND_FUNC), 12);
		assert_int_equal(ksr_btf__find(btf, "v", BTF_KIND_VAR), 14);
		assert_int_equal(ksr_btf__find(btf, "fn", BTF_KIND_VAR), -ENOENT);
		assert_int_equal(ksr_btf__find(btf, "v", BTF_KIND_INT), -EINVAL);
		assert_int_equal(ksr_btf__skip_mods(btf, 10), 1);
		assert_int_equal(ksr_btf__skip_mods(btf, 8), 1);
		assert_int_equal(ksr_btf__skip_mods(btf, 18), 1);
		assert_int_equal(ksr_btf__skip_mods(btf, 11), 2);
		assert_int_equal(ksr_btf__skip_mods(btf, 0), 0);
		assert_int_equal(ksr_btf__skip_mods(btf, 99), -EBADMSG);
		assert_false(ksr_btf__has_kfunc_tags(btf));
		assert_string_equal(ksr_btf__kind_name(BTF_KIND_DECL_TAG), "DECL_TAG");
		assert_string_equal(ksr_btf__kind_name(77), "UNKNOWN");
		ksr_btf__free(btf);
	}
	bb_free(&b);
}

/* The raw copy is ours and aligned even when the input is not (B39). */
static void test_unaligned_input(void **state)
{
	struct ksr_btf *btf;
	const void *raw;
	size_t len, rlen;
	uint8_t *blob, *shifted;
	struct bb b;

	build_all_kinds(&b);
	blob = bb_blob(&b, &len);
	shifted = malloc(len + 1);
	assert_non_null(shifted);
	memcpy(shifted + 1, blob, len);
	btf = ok_blob(shifted + 1, len, K, __FILE__, __LINE__);
	raw = ksr_btf__raw(btf, &rlen);
	assert_int_equal(rlen, len);
	assert_int_equal((uintptr_t)raw % 8, 0);
	assert_memory_equal(raw, blob, len);
	ksr_btf__free(btf);
	free(shifted);
	free(blob);
	bb_free(&b);
}

/* The borrowed view: the caller's bytes, the same tables and errors as a
 * parse; copied anyway when they are not 8-aligned. */
static void test_borrowed(void **state)
{
	struct ksr_btf *a, *b2;
	const uint32_t *oa, *ob;
	const struct ksr_btf_name_slot *sa, *sb;
	uint32_t na, nb, ca, cb;
	size_t len, rlen;
	uint8_t *blob, *shifted;
	char want[512];
	int e1, e2;
	struct bb b;

	build_all_kinds(&b);
	blob = bb_blob(&b, &len);
	assert_int_equal(ksr_btf__parse(blob, len, K, &a), 0);
	assert_int_equal(ksr_btf__parse_borrowed(blob, len, K, &b2), 0);
	assert_ptr_equal(ksr_btf__raw(b2, &rlen), blob);
	assert_int_equal(rlen, len);
	oa = ksr_btf__type_offsets(a, &na);
	ob = ksr_btf__type_offsets(b2, &nb);
	assert_int_equal(na, nb);
	assert_memory_equal(oa, ob, (size_t)na * sizeof(*oa));
	sa = ksr_btf__name_index(a, &ca);
	sb = ksr_btf__name_index(b2, &cb);
	assert_int_equal(ca, cb);
	assert_memory_equal(sa, sb, (size_t)ca * sizeof(*sa));
	ksr_btf__free(b2);

	shifted = malloc(len + 1);
	assert_non_null(shifted);
	memcpy(shifted + 1, blob, len);
	assert_int_equal(ksr_btf__parse_borrowed(shifted + 1, len, K, &b2), 0);
	assert_ptr_not_equal(ksr_btf__raw(b2, &rlen), shifted + 1);
	assert_int_equal((uintptr_t)ksr_btf__raw(b2, &rlen) % 8, 0);
	ksr_btf__free(b2);
	ksr_btf__free(a);

	blob[len - 1] = 'x'; /* the string section no longer ends in NUL */
	e1 = ksr_btf__parse(blob, len, K, &a);
	snprintf(want, sizeof(want), "%s", ksr_errmsg());
	e2 = ksr_btf__parse_borrowed(blob, len, K, &b2);
	assert_int_equal(e1, -EBADMSG);
	assert_int_equal(e2, e1);
	assert_null(b2);
	assert_string_equal(ksr_errmsg(), want);
	free(shifted);
	free(blob);
	bb_free(&b);
}

/* ---- header (B1, B2, B37) --------------------------------------------------- */

static uint8_t *tiny_blob(size_t *len)
{
	struct bb b;
	uint8_t *p;

	bb_init(&b);
	INT(&b, "int", 4, 32, BTF_INT_SIGNED);
	p = bb_blob(&b, len);
	bb_free(&b);
	return p;
}

static void test_header(void **state)
{
	size_t len;
	uint8_t *p = tiny_blob(&len), *q;

	OKRAW(p, len, K);
	BADRAW(p, 23, K, "header:", "shorter than the 24-byte header");
	BADRAW(p, 0, O, "header:", "(offset 0x0)");
	assert_int_equal(ksr_btf__parse(NULL, 0, K, &(struct ksr_btf *){ NULL }), -EBADMSG);

	p[0] = 0x34; p[1] = 0x12;
	BADRAW(p, len, K, "header: bad magic 0x1234", "(offset 0x0)");
	p[0] = 0xeb; p[1] = 0x9f;  /* 0xeb9f stored big-endian */
	BADRAW(p, len, O, "byte-swapped magic", "(offset 0x0)");
	p[0] = 0x9f; p[1] = 0xeb;
	p[2] = 2;
	BADRAW(p, len, K, "unsupported version 2", "(offset 0x2)");
	p[2] = 1; p[3] = 1;
	BADRAW(p, len, K, "unsupported flags 0x1", "(offset 0x3)");
	p[3] = 0;
	put32(p, 4, 20);
	BADRAW(p, len, K, "hdr_len 20", "(offset 0x4)");
	put32(p, 4, (uint32_t)len + 4);
	BADRAW(p, len, O, "hdr_len", "(offset 0x4)");
	put32(p, 4, 26);
	BADRAW(p, len, K, "not a multiple of 4", NULL);
	put32(p, 4, 24);
	OKRAW(p, len, K);

	/* a longer header with a zero tail is fine; a non-zero tail is not (B2) */
	q = calloc(1, len + 4);
	assert_non_null(q);
	memcpy(q, p, 24);
	memcpy(q + 28, p + 24, len - 24);
	put32(q, 4, 28);
	OKRAW(q, len + 4, K);
	OKRAW(q, len + 4, O);
	q[26] = 1;
	BADRAW(q, len + 4, K, "non-zero byte in the unknown header tail", "(offset 0x1a)");
	free(q);
	free(p);
}

/* ---- section table (B3, B4) -------------------------------------------------- */

/* hdr | [pre junk] types | [gap] strings | [post junk] */
static uint8_t *layout_blob(size_t pre, size_t gap, size_t post, bool strs_first, size_t *len)
{
	size_t tl, sl, tlen;
	uint8_t *tiny = tiny_blob(&tlen), *p;
	struct btf_header h;

	memcpy(&h, tiny, 24);
	tl = h.type_len;
	sl = h.str_len;
	*len = 24 + pre + tl + gap + sl + post;
	p = calloc(1, *len);
	assert_non_null(p);
	if (!strs_first) {
		h.type_off = (uint32_t)pre;
		h.str_off = (uint32_t)(pre + tl + gap);
	} else {
		h.str_off = (uint32_t)pre;
		h.type_off = (uint32_t)((pre + sl + gap + 3) & ~(size_t)3);
		*len = 24 + h.type_off + tl + post;
		p = realloc(p, *len);
		assert_non_null(p);
		memset(p, 0, *len);
	}
	memcpy(p, &h, 24);
	memcpy(p + 24 + h.type_off, tiny + 24, tl);
	memcpy(p + 24 + h.str_off, tiny + 24 + tl, sl);
	free(tiny);
	return p;
}

static void test_sections(void **state)
{
	size_t len;
	uint8_t *p;

	p = layout_blob(0, 0, 0, false, &len);
	put32(p, 8, 2);
	BADRAW(p, len, O, "type_off 0x2 not 4-aligned", "(offset 0x8)");
	put32(p, 8, 0);
	put32(p, 12, 0x1000);
	BADRAW(p, len, O, "type section 0x0+0x1000 runs past", "(offset 0xc)");
	/* 32-bit wrap: 0xfffffffc + 8 must not look in bounds */
	put32(p, 8, 0xfffffffc);
	put32(p, 12, 8);
	BADRAW(p, len, O, "type section 0xfffffffc+0x8 runs past", NULL);
	put32(p, 8, 0);
	put32(p, 12, 16);
	put32(p, 16, 0xfffffffe);
	BADRAW(p, len, O, "string section", "runs past");
	put32(p, 16, 8);
	BADRAW(p, len, O, "overlap", "(offset 0x8)");
	free(p);

	p = layout_blob(0, 0, 0, false, &len);
	put32(p, 12, 0);
	put32(p, 16, 0);
	put32(p, 20, (uint32_t)len - 24);
	BADRAW(p, len, O, "types: empty type section", NULL);
	free(p);

	/* gaps and trailing bytes: the kernel's exact layout vs. in-bounds only */
	p = layout_blob(4, 0, 0, false, &len);
	BADRAW(p, len, K, "gap of 4 bytes before the type section", NULL);
	OKRAW(p, len, O);
	free(p);
	p = layout_blob(0, 8, 0, false, &len);
	BADRAW(p, len, K, "gap of 8 bytes between the type and string sections", NULL);
	OKRAW(p, len, O);
	free(p);
	p = layout_blob(0, 0, 4, false, &len);
	BADRAW(p, len, K, "4 bytes after the string section", NULL);
	OKRAW(p, len, O);
	free(p);
	p = layout_blob(0, 0, 0, true, &len);
	BADRAW(p, len, K, "sections: string section is not last", NULL);
	OKRAW(p, len, O);
	free(p);
}

/* ---- strings (B5, B6) ---------------------------------------------------------- */

static void test_strings(void **state)
{
	size_t len;
	uint8_t *p = tiny_blob(&len), *big;
	struct btf_header h;
	struct bb b;

	memcpy(&h, p, 24);
	p[24 + h.str_off] = 'x';
	BADRAW(p, len, K, "strings: first byte 0x78 is not NUL", NULL);
	p[24 + h.str_off] = 0;
	p[len - 1] = 'x';
	BADRAW(p, len, O, "strings: last byte is not NUL", NULL);
	put32(p, 20, 0);
	BADRAW(p, len - h.str_len, O, "strings: empty string section", NULL);
	free(p);

	/* more than 16 MiB of strings: over BTF_MAX_NAME_OFFSET */
	len = 24 + 16 + 0x1000001 + 1;
	big = calloc(1, len);
	assert_non_null(big);
	h = (struct btf_header){ BTF_MAGIC, 1, 0, 24, 0, 16, 16, 0x1000002 };
	memcpy(big, &h, 24);
	put32(big, 24 + 4, BTF_KIND_INT << 24);
	put32(big, 24 + 8, 4);
	put32(big, 24 + 12, 32);
	BADRAW(big, len, K, "strings:", "more than the 16777216 allowed");
	free(big);

	/* name_off out of range on a type, a member, an enumerator, a param */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	bb_rec(&b, 1)[0] = 0x1000;
	BAD2(&b, "type 1 INT: name_off 0x1000 out of range", "(offset 0x18)");
	bb_free(&b);
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	STRUCT(&b, "s", 4, 1);
	MEMBER(&b, "a", 1, 0);
	bb_rec(&b, 2)[3] = 0x1000;
	BAD2(&b, "type 2 STRUCT: member 0: name_off 0x1000 out of range", NULL);
	bb_free(&b);
	bb_init(&b);
	ENUM(&b, "e", 4, 2);
	ENUMVAL(&b, "A", 0);
	ENUMVAL(&b, "B", 1);
	bb_rec(&b, 1)[5] = 0x1000;
	BAD2(&b, "type 1 ENUM: enumerator 1: name_off 0x1000 out of range", NULL);
	bb_free(&b);
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	PROTO(&b, 1, 1);
	PARAM(&b, "x", 1);
	bb_rec(&b, 2)[3] = 0x1000;
	BAD2(&b, "type 2 FUNC_PROTO: param 0: name_off 0x1000 out of range", NULL);
	bb_free(&b);
}

/* ---- the type walk (B8, B9, B11, B13) ---------------------------------------- */

static void test_type_walk(void **state)
{
	struct bb b;

	/* trailing partial record */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	bb_w(&b, 0);
	BAD2(&b, "type 2: record truncated: 4 bytes left, 12 needed", "(offset 0x28)");
	bb_free(&b);

	/* fixed part missing */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	bb_t(&b, "int2", BTF_KIND_INT, 0, 0, 4);
	BAD2(&b, "type 2 INT: record truncated: 16 bytes needed, 12 left", NULL);
	bb_free(&b);

	/* huge vlen: 65535 members would need 786432 bytes (B11) */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	STRUCT(&b, "s", 4, 0xffff);
	MEMBER(&b, "a", 1, 0);
	BAD2(&b, "type 2 STRUCT: record truncated: 786432 bytes needed, 24 left", NULL);
	bb_free(&b);

	/* unknown kinds and reserved info bits (B9) */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	bb_t(&b, NULL, 0, 0, 0, 0);
	BAD2(&b, "type 2: unknown kind 0", "(offset 0x2c)");
	bb_rec(&b, 2)[1] = 20u << 24;
	BAD2(&b, "type 2: unknown kind 20", NULL);
	bb_rec(&b, 2)[1] = 31u << 24;
	BAD2(&b, "type 2: unknown kind 31", NULL);
	bb_rec(&b, 2)[1] = BTF_KIND_PTR << 24 | 1u << 16;
	BAD2(&b, "type 2: info 0x02010000 has reserved bits set", NULL);
	bb_rec(&b, 2)[1] = BTF_KIND_PTR << 24 | 1u << 29;
	BAD2(&b, "reserved bits set", NULL);
	bb_rec(&b, 2)[1] = BTF_KIND_PTR << 24;
	OK2(&b);
	bb_free(&b);
}

/* KSR_BTF_MAX_TYPES counts void: at most 1048574 real types (B13). */
static void test_type_count_limit(void **state)
{
	struct ksr_btf *btf;
	struct bb b;
	double t0;

	bb_init(&b);
	for (uint32_t i = 0; i < KSR_BTF_MAX_TYPES - 1; i++)
		PTR(&b, 0);
	t0 = tu_now_ms();
	btf = ok_bb(&b, K, __FILE__, __LINE__);
	print_message("%u types parsed in %.0f ms\n", KSR_BTF_MAX_TYPES - 1, tu_now_ms() - t0);
	assert_int_equal(ksr_btf__type_cnt(btf), KSR_BTF_MAX_TYPES);
	ksr_btf__free(btf);
	PTR(&b, 0);
	BAD(&b, O, "types: more than 1048574 types", NULL);
	bb_free(&b);
}

/* ---- the name index ----------------------------------------------------------- */

static void test_name_index(void **state)
{
	const struct ksr_btf_name_slot *slots, *s;
	struct ksr_btf *btf;
	uint32_t cnt, dummy;
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	PROTO(&b, 0, 0);                         /* 2 */
	FUNC(&b, "dup", 2, 0);                   /* 3 */
	FUNC(&b, "other", 2, 0);                 /* 4 */
	FUNC(&b, "dup", 2, 0);                   /* 5 */
	VAR(&b, "dup", 1, 0);                    /* 6 */
	VAR(&b, "dup", 1, 0);                    /* 7 */
	VAR(&b, "pcpu", 1, 0);                   /* 8 */
	VAR(&b, "plain", 1, 0);                  /* 9 */
	VAR(&b, "pcpu", 1, 0);                   /* 10 */
	DATASEC(&b, ".data..percpu", 8, 2);      /* 11 */
	SECINFO(&b, 8, 0, 4);
	SECINFO(&b, 10, 4, 4);
	DATASEC(&b, ".data", 4, 1);              /* 12 */
	SECINFO(&b, 9, 0, 4);
	DECL_TAG(&b, "bpf_kfunc", 3, -1);        /* 13: lowest "dup" */
	DECL_TAG(&b, "bpf_kfunc", 4, 0);         /* 14: a param, not the func */
	PROTO(&b, 0, 1);                         /* 15 */
	PARAM(&b, "x", 1);
	bb_rec(&b, 4)[2] = 15;
	btf = ok_bb(&b, K, __FILE__, __LINE__);
	assert_int_equal(ksr_btf__find(btf, "dup", BTF_KIND_FUNC), 3);
	assert_int_equal(ksr_btf__find(btf, "dup", BTF_KIND_VAR), 6);
	assert_int_equal(ksr_btf__find(btf, "pcpu", BTF_KIND_VAR), 8);
	assert_int_equal(ksr_btf__find(btf, "int", BTF_KIND_VAR), -ENOENT);
	assert_int_equal(ksr_btf__find(btf, "", BTF_KIND_FUNC), -ENOENT);
	assert_true(ksr_btf__has_kfunc_tags(btf));
	s = ksr_btf__lookup(btf, "dup");
	assert_non_null(s);
	assert_int_equal(s->func_id, 3);
	assert_int_equal(s->var_id, 6);
	assert_int_equal(s->flags, KSR_NAME_FUNC_KFUNC);
	assert_string_equal(ksr_btf__str(btf, s->name_off), "dup");
	s = ksr_btf__lookup(btf, "other");
	assert_int_equal(s->flags, 0);
	assert_int_equal(s->var_id, 0);
	assert_int_equal(ksr_btf__lookup(btf, "pcpu")->flags, KSR_NAME_VAR_PERCPU);
	assert_int_equal(ksr_btf__lookup(btf, "plain")->flags, 0);
	assert_null(ksr_btf__lookup(btf, "missing"));

	/* the documented layout: 4 distinct names, slot_cnt from hash.h, every
	 * name at or after its home slot within its probe run */
	slots = ksr_btf__name_index(btf, &cnt);
	assert_int_equal(cnt, ksr_hash_slots_for(4));
	for (uint32_t i = 0, used = 0; i < cnt; i++) {
		const char *name;
		uint32_t h;

		if (!slots[i].name_off)
			continue;
		used++;
		name = ksr_btf__str(btf, slots[i].name_off);
		h = (uint32_t)(ksr_hash64(name, strlen(name)) & (cnt - 1));
		for (; h != i; h = (h + 1) & (cnt - 1))
			assert_int_not_equal(slots[h].name_off, 0);
		if (i + 1 == cnt)
			assert_int_equal(used, 4);
	}
	assert_non_null(ksr_btf__type_offsets(btf, &dummy));
	assert_int_equal(dummy, 16);
	ksr_btf__free(btf);

	/* a kfunc tag on a higher duplicate does not flag the lowest id */
	bb_rec(&b, 13)[2] = 5;
	btf = ok_bb(&b, K, __FILE__, __LINE__);
	assert_int_equal(ksr_btf__lookup(btf, "dup")->flags, 0);
	assert_true(ksr_btf__has_kfunc_tags(btf));
	ksr_btf__free(btf);
	bb_free(&b);
}

/* ---- types_compat: libbpf's rules ------------------------------------------- */

static void test_types_compat(void **state)
{
	struct ksr_btf *l, *t;
	struct bb lb, tb;

	bb_init(&lb);
	INT(&lb, "int", 4, 32, BTF_INT_SIGNED);  /* 1 */
	STRUCT(&lb, "task_struct", 4, 0);        /* 2 */
	FWD(&lb, "task_struct", 0);              /* 3 */
	PTR(&lb, 2);                             /* 4 */
	ARRAY(&lb, 1, 1, 4);                     /* 5 */
	PROTO(&lb, 1, 2);                        /* 6: int (int, struct *) */
	PARAM(&lb, NULL, 1);
	PARAM(&lb, NULL, 4);
	PROTO(&lb, 1, 1);                        /* 7: int (int) */
	PARAM(&lb, NULL, 1);
	ENUM(&lb, "e", 4, 0);                    /* 8 */
	INT(&lb, "bits", 4, 3, 0);               /* 9 */
	bb_rec(&lb, 9)[3] = 2u << 16 | 3;        /*    bit offset 2 */
	CONST(&lb, 1);                           /* 10 */
	PTR(&lb, 10);                            /* 11: const int * */
	FLOAT(&lb, "float", 4);                  /* 12 */
	UNION(&lb, "u", 4, 0);                   /* 13 */
	PTR(&lb, 0);                             /* 14: void * */
	l = ok_bb(&lb, O, __FILE__, __LINE__);

	bb_init(&tb);
	INT(&tb, "long", 8, 64, BTF_INT_SIGNED); /* 1 */
	STRUCT(&tb, "task_struct", 9000, 0);     /* 2 */
	TYPEDEF(&tb, "ts_t", 2);                 /* 3 */
	PTR(&tb, 3);                             /* 4: ts_t * */
	ARRAY(&tb, 1, 1, 100);                   /* 5 */
	PROTO(&tb, 1, 2);                        /* 6: long (long, ts_t *) */
	PARAM(&tb, "a", 1);
	PARAM(&tb, "b", 4);
	ENUM64(&tb, "e", 8, 0);                  /* 7 */
	PTR(&tb, 1);                             /* 8: long * */
	PTR(&tb, 5);                             /* 9: long (*)[100] */
	FLOAT(&tb, "float", 4);                  /* 10 */
	CONST(&tb, 1);                           /* 11 */
	PTR(&tb, 0);                             /* 12 */
	t = ok_bb(&tb, K, __FILE__, __LINE__);

	assert_int_equal(ksr_btf__types_compat(l, 2, t, 2), 1);   /* sizes ignored */
	assert_int_equal(ksr_btf__types_compat(l, 3, t, 2), 0);   /* FWD vs STRUCT */
	assert_int_equal(ksr_btf__types_compat(l, 13, t, 2), 0);  /* UNION vs STRUCT */
	assert_int_equal(ksr_btf__types_compat(l, 1, t, 1), 1);   /* int sizes ignored */
	assert_int_equal(ksr_btf__types_compat(l, 9, t, 1), 0);   /* bitfield int */
	assert_int_equal(ksr_btf__types_compat(l, 8, t, 7), 1);   /* ENUM ~ ENUM64 */
	assert_int_equal(ksr_btf__types_compat(l, 5, t, 5), 1);   /* array lengths ignored */
	assert_int_equal(ksr_btf__types_compat(l, 4, t, 4), 1);   /* through typedef */
	assert_int_equal(ksr_btf__types_compat(l, 11, t, 8), 1);  /* const skipped inside */
	assert_int_equal(ksr_btf__types_compat(l, 4, t, 8), 0);   /* struct * vs long * */
	assert_int_equal(ksr_btf__types_compat(l, 6, t, 6), 1);   /* protos */
	assert_int_equal(ksr_btf__types_compat(l, 7, t, 6), 0);   /* param count */
	assert_int_equal(ksr_btf__types_compat(l, 12, t, 10), 0); /* FLOAT: not compared */
	assert_int_equal(ksr_btf__types_compat(l, 14, t, 12), 1); /* void * */
	assert_int_equal(ksr_btf__types_compat(l, 0, t, 0), 1);
	/* the roots must agree before modifiers are skipped, as in libbpf */
	assert_int_equal(ksr_btf__types_compat(l, 10, t, 1), 0);
	assert_int_equal(ksr_btf__types_compat(l, 10, t, 11), 1);
	assert_int_equal(ksr_btf__types_compat(l, 99, t, 1), -EBADMSG);
	assert_int_equal(ksr_btf__types_compat(NULL, 1, t, 1), -EINVAL);
	ksr_btf__free(t);

	/* incompatible return type */
	bb_rec(&tb, 6)[2] = 4;
	t = ok_bb(&tb, K, __FILE__, __LINE__);
	assert_int_equal(ksr_btf__types_compat(l, 6, t, 6), 0);
	ksr_btf__free(t);
	ksr_btf__free(l);
	bb_free(&lb);
	bb_free(&tb);
}

/* Deep or exponential comparisons stop with an error, never hang. */
static void test_types_compat_bounds(void **state)
{
	struct ksr_btf *btf;
	uint32_t p, prev;
	struct bb b;
	double t0;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	for (uint32_t i = 1; i <= 40; i++)
		PTR(&b, i);                      /* 40 levels of pointers */
	btf = ok_bb(&b, K, __FILE__, __LINE__);
	assert_int_equal(ksr_btf__types_compat(btf, 41, btf, 41), -EINVAL);
	assert_int_equal(ksr_btf__types_compat(btf, 30, btf, 30), 1);
	ksr_btf__free(btf);
	bb_free(&b);

	/* P_i = void (P_{i-1} *, P_{i-1} *): 2^30 pairs without a bound */
	bb_init(&b);
	prev = PROTO(&b, 0, 0);
	for (uint32_t i = 0; i < 30; i++) {
		p = PTR(&b, prev);
		prev = PROTO(&b, 0, 2);
		PARAM(&b, NULL, p);
		PARAM(&b, NULL, p);
	}
	btf = ok_bb(&b, O, __FILE__, __LINE__);
	t0 = tu_now_ms();
	assert_int_equal(ksr_btf__types_compat(btf, prev, btf, prev), -E2BIG);
	assert_true(tu_now_ms() - t0 < 1000);
	ksr_btf__free(btf);
	bb_free(&b);
}

/* ---- open_indexed: untrusted tables ---------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)rng_state;
}

/* Calls every accessor; none may crash or read out of bounds. */
static void poke(const struct ksr_btf *v, uint32_t cnt)
{
	static const char *names[] = { "fn", "v", "s", "dup", "", "int", "zzz" };
	uint32_t idx;

	for (uint32_t id = 0; id < cnt + 2; id++) {
		const struct btf_type *t = ksr_btf__type_by_id(v, id);

		(void)ksr_btf__name(v, id);
		(void)ksr_btf__skip_mods(v, id);
		(void)ksr_btf__types_compat(v, id, v, id);
		(void)ksr_btf__types_compat(v, id, v, cnt - 1 - id % cnt);
		(void)ksr_btf__datasec_of(v, id, &idx);
		if (t)
			(void)ksr_btf__str(v, t->name_off);
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		(void)ksr_btf__lookup(v, names[i]);
		(void)ksr_btf__find(v, names[i], BTF_KIND_VAR);
		(void)ksr_btf__find(v, names[i], BTF_KIND_FUNC);
	}
	(void)ksr_btf__str(v, UINT32_MAX);
}

static void test_open_indexed(void **state)
{
	const struct ksr_btf_name_slot *slots;
	struct ksr_btf *btf, *v;
	uint32_t cnt, slot_cnt, *offs;
	struct ksr_btf_name_slot *gslots;
	const uint32_t *goffs;
	uint8_t *raw;
	size_t len;
	struct bb b;

	build_all_kinds(&b);
	btf = ok_bb(&b, K, __FILE__, __LINE__);
	raw = (uint8_t *)ksr_btf__raw(btf, &len);
	goffs = ksr_btf__type_offsets(btf, &cnt);
	slots = ksr_btf__name_index(btf, &slot_cnt);

	/* honest tables: same answers */
	assert_int_equal(ksr_btf__open_indexed(raw, len, goffs, cnt, slots, slot_cnt, &v), 0);
	assert_int_equal(ksr_btf__find(v, "fn", BTF_KIND_FUNC), 12);
	assert_int_equal(ksr_btf__find(v, "v", BTF_KIND_VAR), 14);
	assert_int_equal(ksr_btf__datasec_of(v, 14, NULL), 15);
	assert_int_equal(ksr_btf__skip_mods(v, 10), 1);
	assert_int_equal(ksr_btf__types_compat(v, 13, btf, 13), 1);
	poke(v, cnt);
	ksr_btf__free(v);

	/* what open_indexed checks itself */
	v = (struct ksr_btf *)&v;
	assert_int_equal(ksr_btf__open_indexed(raw + 1, len - 1, goffs, cnt, slots, slot_cnt, &v),
			 -EBADMSG);
	assert_null(v);
	assert_int_equal(ksr_btf__open_indexed(raw, len, goffs, cnt, slots, slot_cnt - 1, &v),
			 -EBADMSG);
	assert_int_equal(ksr_btf__open_indexed(raw, len, goffs, cnt, slots, 1u << 30, &v), -EBADMSG);
	assert_int_equal(ksr_btf__open_indexed(raw, len, goffs, 0, slots, slot_cnt, &v), -EBADMSG);
	assert_int_equal(ksr_btf__open_indexed(raw, len, goffs, 1000, slots, slot_cnt, &v), -EBADMSG);
	assert_int_equal(ksr_btf__open_indexed(raw, len - 1, goffs, cnt, slots, slot_cnt, &v),
			 -EBADMSG);
	assert_int_equal(ksr_btf__open_indexed(NULL, len, goffs, cnt, slots, slot_cnt, &v), -EINVAL);

	/* garbage tables */
	offs = malloc(cnt * sizeof(*offs));
	gslots = malloc(slot_cnt * sizeof(*gslots));
	assert_non_null(offs);
	assert_non_null(gslots);
	for (int round = 0; round < 300; round++) {
		for (uint32_t i = 0; i < cnt; i++)
			offs[i] = round % 3 == 0 ? rnd() : rnd() % (uint32_t)(b.nw * 4 + 16);
		for (uint32_t i = 0; i < slot_cnt; i++) {
			gslots[i].name_off = round % 2 ? rnd() % (uint32_t)(b.ns + 8) : rnd();
			gslots[i].var_id = rnd() % (cnt + 3);
			gslots[i].func_id = round % 5 ? rnd() % (cnt + 3) : rnd();
			gslots[i].flags = rnd();
		}
		assert_int_equal(ksr_btf__open_indexed(raw, len, offs, cnt, gslots, slot_cnt, &v), 0);
		poke(v, cnt);
		ksr_btf__free(v);
	}

	/* every slot taken, none matching: probing stops after slot_cnt */
	for (uint32_t i = 0; i < slot_cnt; i++)
		gslots[i] = (struct ksr_btf_name_slot){ 1, 1, 1, 0 };
	assert_int_equal(ksr_btf__open_indexed(raw, len, goffs, cnt, gslots, slot_cnt, &v), 0);
	assert_null(ksr_btf__lookup(v, "not there"));
	assert_int_equal(ksr_btf__find(v, "not there", BTF_KIND_VAR), -ENOENT);
	ksr_btf__free(v);

	/* a slot that names the wrong type is reported, not trusted */
	memcpy(gslots, slots, slot_cnt * sizeof(*gslots));
	for (uint32_t i = 0; i < slot_cnt; i++)
		if (gslots[i].func_id == 12)
			gslots[i].func_id = 1;
	assert_int_equal(ksr_btf__open_indexed(raw, len, goffs, cnt, gslots, slot_cnt, &v), 0);
	assert_int_equal(ksr_btf__find(v, "fn", BTF_KIND_FUNC), -EBADMSG);
	ksr_btf__free(v);

	/* all ids aliasing one big DATASEC: the scan stays bounded */
	{
		struct ksr_btf *big;
		const uint32_t *boffs;
		uint32_t bcnt, bslot_cnt, *aoffs;
		const struct ksr_btf_name_slot *bslots;
		const void *braw;
		size_t blen;
		struct bb d;

		bb_init(&d);
		INT(&d, "int", 4, 32, 0);
		VAR(&d, "x", 1, 1);
		DATASEC(&d, ".data", 400, 100);
		for (uint32_t i = 0; i < 100; i++)
			SECINFO(&d, 2, 4 * i, 4);
		big = ok_bb(&d, K, __FILE__, __LINE__);
		braw = ksr_btf__raw(big, &blen);
		boffs = ksr_btf__type_offsets(big, &bcnt);
		bslots = ksr_btf__name_index(big, &bslot_cnt);
		aoffs = malloc(100 * sizeof(*aoffs));
		assert_non_null(aoffs);
		for (uint32_t i = 0; i < 100; i++)
			aoffs[i] = boffs[3];
		assert_int_equal(ksr_btf__open_indexed(braw, blen, aoffs, 100, bslots, bslot_cnt, &v), 0);
		assert_int_equal(ksr_btf__datasec_of(v, 999, NULL), -EBADMSG);
		assert_int_equal(ksr_btf__datasec_of(big, 2, NULL), 3);
		ksr_btf__free(v);
		free(aoffs);
		ksr_btf__free(big);
		bb_free(&d);
	}

	/* garbage type section behind a valid header */
	{
		uint8_t *g = malloc(len);
		struct btf_header h;

		assert_non_null(g);
		memcpy(g, raw, len);
		memcpy(&h, g, 24);
		for (int round = 0; round < 100; round++) {
			for (uint32_t i = 0; i < h.type_len; i++)
				g[24 + i] = (uint8_t)rnd();
			for (uint32_t i = 0; i < cnt; i++)
				offs[i] = (rnd() % (h.type_len / 4 + 2)) * 4;
			assert_int_equal(ksr_btf__open_indexed(g, len, offs, cnt, slots, slot_cnt, &v), 0);
			poke(v, cnt);
			ksr_btf__free(v);
		}
		free(g);
	}
	free(offs);
	free(gslots);
	ksr_btf__free(btf);
	bb_free(&b);
}

/* ---- misc ------------------------------------------------------------------ */

static void test_args_and_errors(void **state)
{
	struct ksr_btf *btf = (struct ksr_btf *)&btf;
	size_t len;
	uint8_t *p = tiny_blob(&len);

	assert_int_equal(ksr_btf__parse(p, len, 7, &btf), -EINVAL);
	assert_null(btf);
	assert_int_equal(ksr_btf__parse(p, len, K, NULL), -EINVAL);
	assert_int_equal(ksr_btf__find(NULL, "x", BTF_KIND_VAR), -EINVAL);
	assert_int_equal(ksr_btf__type_cnt(NULL), 0);
	assert_null(ksr_btf__type_by_id(NULL, 1));
	assert_null(ksr_btf__lookup(NULL, "x"));
	ksr_btf__free(NULL);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_all_kinds),
		cmocka_unit_test(test_unaligned_input),
		cmocka_unit_test(test_borrowed),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_type_walk),
		cmocka_unit_test(test_type_count_limit),
		cmocka_unit_test(test_name_index),
		cmocka_unit_test(test_types_compat),
		cmocka_unit_test(test_types_compat_bounds),
		cmocka_unit_test(test_open_indexed),
		cmocka_unit_test(test_args_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
