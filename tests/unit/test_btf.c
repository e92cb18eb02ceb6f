// SPDX-License-Identifier: BSD-2-Clause
/* BTF validation, index, accessors and compatibility, on blobs built here
 * type by type. Every rule gets a blob that breaks it; the test checks the
 * error code and that the message names the right type and part. IDs in
 * the comments follow docs/hardening.md §5.3. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <gelf.h>
#include <libelf.h>

#include "btf.h"
#include "error.h"
#include "hash.h"
#include "btf_builder.h"
#include "testutil.h"

#define K KSR_BTF_MODE_KERNEL
#define O KSR_BTF_MODE_OBJECT

static uint32_t INT(struct bb *b, const char *name, uint32_t size, uint32_t bits, uint32_t enc)
{
	uint32_t id = bb_t(b, name, BTF_KIND_INT, 0, 0, size);

	bb_w(b, enc << 24 | bits);
	return id;
}

static uint32_t REF(struct bb *b, unsigned int kind, const char *name, uint32_t type)
{
	return bb_t(b, name, kind, 0, 0, type);
}

#define PTR(b, t) REF(b, BTF_KIND_PTR, NULL, t)
#define CONST(b, t) REF(b, BTF_KIND_CONST, NULL, t)
#define VOLATILE(b, t) REF(b, BTF_KIND_VOLATILE, NULL, t)
#define RESTRICT(b, t) REF(b, BTF_KIND_RESTRICT, NULL, t)
#define TYPEDEF(b, n, t) REF(b, BTF_KIND_TYPEDEF, n, t)
#define TYPE_TAG(b, n, t) REF(b, BTF_KIND_TYPE_TAG, n, t)

static uint32_t ARRAY(struct bb *b, uint32_t elem, uint32_t index, uint32_t nelems)
{
	uint32_t id = bb_t(b, NULL, BTF_KIND_ARRAY, 0, 0, 0);

	bb_w(b, elem);
	bb_w(b, index);
	bb_w(b, nelems);
	return id;
}

static uint32_t AGGR(struct bb *b, unsigned int kind, const char *name, uint32_t size,
		     uint32_t vlen, unsigned int kflag)
{
	return bb_t(b, name, kind, kflag, vlen, size);
}

#define STRUCT(b, n, sz, vlen) AGGR(b, BTF_KIND_STRUCT, n, sz, vlen, 0)
#define UNION(b, n, sz, vlen) AGGR(b, BTF_KIND_UNION, n, sz, vlen, 0)

static void MEMBER(struct bb *b, const char *name, uint32_t type, uint32_t bitoff)
{
	bb_w(b, bb_str(b, name));
	bb_w(b, type);
	bb_w(b, bitoff);
}

static uint32_t ENUM(struct bb *b, const char *name, uint32_t size, uint32_t vlen)
{
	return bb_t(b, name, BTF_KIND_ENUM, 0, vlen, size);
}

static void ENUMVAL(struct bb *b, const char *name, int32_t val)
{
	bb_w(b, bb_str(b, name));
	bb_w(b, (uint32_t)val);
}

static uint32_t ENUM64(struct bb *b, const char *name, uint32_t size, uint32_t vlen)
{
	return bb_t(b, name, BTF_KIND_ENUM64, 0, vlen, size);
}

static void ENUM64VAL(struct bb *b, const char *name, uint64_t val)
{
	bb_w(b, bb_str(b, name));
	bb_w(b, (uint32_t)val);
	bb_w(b, (uint32_t)(val >> 32));
}

static uint32_t FWD(struct bb *b, const char *name, unsigned int is_union)
{
	return bb_t(b, name, BTF_KIND_FWD, is_union, 0, 0);
}

static uint32_t FUNC(struct bb *b, const char *name, uint32_t proto, unsigned int linkage)
{
	return bb_t(b, name, BTF_KIND_FUNC, 0, linkage, proto);
}

static uint32_t PROTO(struct bb *b, uint32_t ret, uint32_t vlen)
{
	return bb_t(b, NULL, BTF_KIND_FUNC_PROTO, 0, vlen, ret);
}

static void PARAM(struct bb *b, const char *name, uint32_t type)
{
	bb_w(b, bb_str(b, name));
	bb_w(b, type);
}

static uint32_t VAR(struct bb *b, const char *name, uint32_t type, uint32_t linkage)
{
	uint32_t id = bb_t(b, name, BTF_KIND_VAR, 0, 0, type);

	bb_w(b, linkage);
	return id;
}

static uint32_t DATASEC(struct bb *b, const char *name, uint32_t size, uint32_t vlen)
{
	return bb_t(b, name, BTF_KIND_DATASEC, 0, vlen, size);
}

static void SECINFO(struct bb *b, uint32_t type, uint32_t off, uint32_t size)
{
	bb_w(b, type);
	bb_w(b, off);
	bb_w(b, size);
}

static uint32_t FLOAT(struct bb *b, const char *name, uint32_t size)
{
	return bb_t(b, name, BTF_KIND_FLOAT, 0, 0, size);
}

static uint32_t DECL_TAG(struct bb *b, const char *value, uint32_t target, int32_t idx)
{
	uint32_t id = bb_t(b, value, BTF_KIND_DECL_TAG, 0, 0, target);

	bb_w(b, (uint32_t)idx);
	return id;
}

/* ---- assertions ---------------------------------------------------------- */

static void expect_msg(const char *n1, const char *n2, const char *file, int line)
{
	const char *msg = ksr_errmsg();

	if ((n1 && !strstr(msg, n1)) || (n2 && !strstr(msg, n2))) {
		print_message("%s:%d: message '%s' lacks '%s' / '%s'\n", file, line, msg,
			      n1 ? n1 : "", n2 ? n2 : "");
		fail();
	}
}

static void bad_blob(const void *blob, size_t len, enum ksr_btf_mode mode, const char *n1,
		     const char *n2, const char *file, int line)
{
	struct ksr_btf *btf = (struct ksr_btf *)&btf;
	int err = ksr_btf__parse(blob, len, mode, &btf);

	if (err != -EBADMSG) {
		print_message("%s:%d: mode %d: expected -EBADMSG, got %d (%s)\n", file, line, mode,
			      err, ksr_errmsg());
		ksr_btf__free(err ? NULL : btf);
		fail();
	}
	assert_null(btf);
	expect_msg(n1, n2, file, line);
}

static void bad_bb(struct bb *b, enum ksr_btf_mode mode, const char *n1, const char *n2,
		   const char *file, int line)
{
	size_t len;
	uint8_t *blob = bb_blob(b, &len);

	bad_blob(blob, len, mode, n1, n2, file, line);
	free(blob);
}

static struct ksr_btf *ok_blob(const void *blob, size_t len, enum ksr_btf_mode mode,
			       const char *file, int line)
{
	struct ksr_btf *btf = NULL;
	int err = ksr_btf__parse(blob, len, mode, &btf);

	if (err) {
		print_message("%s:%d: mode %d: expected success, got %d: %s\n", file, line, mode,
			      err, ksr_errmsg());
		fail();
	}
	return btf;
}

static struct ksr_btf *ok_bb(struct bb *b, enum ksr_btf_mode mode, const char *file, int line)
{
	size_t len;
	uint8_t *blob = bb_blob(b, &len);
	struct ksr_btf *btf = ok_blob(blob, len, mode, file, line);

	free(blob);
	return btf;
}

#define BAD(b, mode, n1, n2) bad_bb((b), (mode), (n1), (n2), __FILE__, __LINE__)
#define BAD2(b, n1, n2) do { BAD(b, K, n1, n2); BAD(b, O, n1, n2); } while (0)
#define BADRAW(p, l, mode, n1, n2) bad_blob((p), (l), (mode), (n1), (n2), __FILE__, __LINE__)
#define OK(b, mode) ksr_btf__free(ok_bb((b), (mode), __FILE__, __LINE__))
#define OK2(b) do { OK(b, K); OK(b, O); } while (0)
#define OKRAW(p, l, mode) ksr_btf__free(ok_blob((p), (l), (mode), __FILE__, __LINE__))

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

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
	t0 = now_ms();
	btf = ok_bb(&b, K, __FILE__, __LINE__);
	print_message("%u types parsed in %.0f ms\n", KSR_BTF_MAX_TYPES - 1, now_ms() - t0);
	assert_int_equal(ksr_btf__type_cnt(btf), KSR_BTF_MAX_TYPES);
	ksr_btf__free(btf);
	PTR(&b, 0);
	BAD(&b, O, "types: more than 1048574 types", NULL);
	bb_free(&b);
}

/* ---- per-kind rules (B18-B25, B32-B35) --------------------------------------- */

static void test_int_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	bb_rec(&b, 1)[1] |= 1;
	BAD2(&b, "type 1 INT: vlen 1, expected 0", "(offset 0x1c)");
	bb_rec(&b, 1)[1] = BTF_KIND_INT << 24 | 1u << 31;
	BAD2(&b, "type 1 INT: kind_flag set", NULL);
	bb_rec(&b, 1)[1] = BTF_KIND_INT << 24;
	bb_rec(&b, 1)[3] = 1u << 28 | 32;
	BAD2(&b, "int_data 0x10000020 has reserved bits set", "(offset 0x24)");
	bb_rec(&b, 1)[2] = 16;
	bb_rec(&b, 1)[3] = 129;
	BAD2(&b, "bits 129 + bit offset 0 exceed 128", NULL);
	bb_rec(&b, 1)[3] = 120 | 16 << 16;
	BAD2(&b, "bits 120 + bit offset 16 exceed 128", NULL);
	bb_rec(&b, 1)[2] = 4;
	bb_rec(&b, 1)[3] = 33;
	BAD2(&b, "33 bits do not fit in size 4", "(offset 0x20)");
	bb_rec(&b, 1)[3] = 3u << 24 | 32;
	BAD2(&b, "unsupported encoding 0x3", NULL);
	bb_rec(&b, 1)[3] = BTF_INT_BOOL << 24 | 1;
	OK2(&b);
	bb_rec(&b, 1)[2] = 16;
	bb_rec(&b, 1)[3] = 128;
	OK2(&b);
	bb_free(&b);
}

static void test_ref_kind_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	PTR(&b, 1);
	bb_rec(&b, 2)[0] = bb_str(&b, "p");
	BAD2(&b, "type 2 PTR: has a name", NULL);
	bb_rec(&b, 2)[0] = 0;
	bb_rec(&b, 2)[1] |= 1u << 31;
	BAD2(&b, "type 2 PTR: kind_flag set", NULL);
	bb_rec(&b, 2)[1] = BTF_KIND_PTR << 24 | 2;
	BAD2(&b, "type 2 PTR: vlen 2, expected 0", NULL);
	bb_rec(&b, 2)[1] = BTF_KIND_CONST << 24;
	bb_rec(&b, 2)[0] = bb_str(&b, "c");
	BAD2(&b, "type 2 CONST: has a name", NULL);
	bb_rec(&b, 2)[1] = BTF_KIND_RESTRICT << 24;
	BAD2(&b, "type 2 RESTRICT: has a name", NULL);
	bb_rec(&b, 2)[1] = BTF_KIND_VOLATILE << 24;
	BAD2(&b, "type 2 VOLATILE: has a name", NULL);
	/* TYPEDEF needs an identifier (B7) */
	bb_rec(&b, 2)[1] = BTF_KIND_TYPEDEF << 24;
	bb_rec(&b, 2)[0] = 0;
	BAD2(&b, "type 2 TYPEDEF: missing name", NULL);
	bb_rec(&b, 2)[0] = bb_str(&b, "1abc");
	BAD2(&b, "type 2 TYPEDEF: invalid name '1abc'", NULL);
	bb_rec(&b, 2)[0] = bb_str(&b, "a\x01\x7f");
	BAD2(&b, "invalid name 'a\\x01\\x7f'", NULL);
	bb_rec(&b, 2)[0] = bb_str(&b, "a-b");
	BAD2(&b, "invalid name", NULL);
	bb_rec(&b, 2)[0] = bb_str(&b, "_a.b9");
	OK2(&b);
	/* TYPE_TAG: any non-empty name; kind_flag allowed (attribute tags) */
	bb_rec(&b, 2)[1] = BTF_KIND_TYPE_TAG << 24;
	bb_rec(&b, 2)[0] = 0;
	BAD2(&b, "type 2 TYPE_TAG: empty tag", NULL);
	bb_rec(&b, 2)[0] = bb_str(&b, "user tag!");
	OK2(&b);
	bb_rec(&b, 2)[1] |= 1u << 31;
	OK2(&b);
	bb_free(&b);

	/* a 511-byte identifier is fine, 512 is not */
	{
		char name[513];

		memset(name, 'a', sizeof(name));
		name[511] = '\0';
		bb_init(&b);
		TYPEDEF(&b, name, 0);
		OK2(&b);
		name[511] = 'a';
		name[512] = '\0';
		bb_rec(&b, 1)[0] = bb_str(&b, name);
		BAD2(&b, "invalid name", NULL);
		bb_free(&b);
	}
}

static void test_fwd_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	FWD(&b, "f", 1);
	OK2(&b);
	bb_rec(&b, 1)[1] |= 1;
	BAD2(&b, "type 1 FWD: vlen 1, expected 0", NULL);
	bb_rec(&b, 1)[1] = BTF_KIND_FWD << 24;
	bb_rec(&b, 1)[2] = 1;
	BAD2(&b, "type 1 FWD: type 1, expected 0", NULL);
	bb_rec(&b, 1)[2] = 0;
	bb_rec(&b, 1)[0] = 0;
	BAD2(&b, "type 1 FWD: missing name", NULL);
	bb_free(&b);
}

static void test_array_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	ARRAY(&b, 1, 1, 2);                      /* 2 */
	OK2(&b);
	bb_rec(&b, 2)[0] = bb_str(&b, "a");
	BAD2(&b, "type 2 ARRAY: has a name", NULL);
	bb_rec(&b, 2)[0] = 0;
	bb_rec(&b, 2)[1] |= 1;
	BAD2(&b, "type 2 ARRAY: vlen 1", NULL);
	bb_rec(&b, 2)[1] = BTF_KIND_ARRAY << 24 | 1u << 31;
	BAD2(&b, "type 2 ARRAY: kind_flag set", NULL);
	bb_rec(&b, 2)[1] = BTF_KIND_ARRAY << 24;
	bb_rec(&b, 2)[2] = 8;
	BAD2(&b, "type 2 ARRAY: size 8, expected 0", NULL);
	bb_rec(&b, 2)[2] = 0;
	bb_rec(&b, 2)[3] = 0;
	BAD2(&b, "type 2 ARRAY: element type void", "(offset 0x34)");
	bb_rec(&b, 2)[3] = 1;
	bb_rec(&b, 2)[4] = 0;
	BAD2(&b, "type 2 ARRAY: index type void", "(offset 0x38)");
	bb_free(&b);

	/* index must be a regular INT (B21), element must have a size */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	STRUCT(&b, "s", 4, 1);                   /* 2 */
	MEMBER(&b, "a", 1, 0);
	INT(&b, "bits", 4, 3, 0);                /* 3 */
	PROTO(&b, 0, 0);                         /* 4 */
	TYPEDEF(&b, "idx_t", 1);                 /* 5 */
	ARRAY(&b, 1, 2, 2);                      /* 6 */
	BAD2(&b, "type 6 ARRAY: index type id 2 is not a regular INT", NULL);
	bb_rec(&b, 6)[4] = 3;
	BAD2(&b, "type 6 ARRAY: index type id 3 is not a regular INT", NULL);
	bb_rec(&b, 6)[4] = 4;
	BAD2(&b, "type 6 ARRAY: index type id 4 has kind FUNC_PROTO", NULL);
	bb_rec(&b, 6)[4] = 5;
	OK2(&b);
	bb_rec(&b, 6)[3] = 4;
	BAD2(&b, "type 6 ARRAY: element type id 4 (FUNC_PROTO) has no size", NULL);
	bb_rec(&b, 6)[3] = 3;
	BAD2(&b, "type 6 ARRAY: element type id 3 is a bitfield INT", NULL);
	bb_free(&b);
}

static void test_struct_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	STRUCT(&b, "s", 8, 2);                   /* 2 */
	MEMBER(&b, "a", 1, 0);
	MEMBER(&b, "b", 1, 32);
	OK2(&b);
	bb_rec(&b, 2)[7] = 0;
	BAD2(&b, "type 2 STRUCT: member 1: type void", "(offset 0x44)");
	bb_rec(&b, 2)[7] = 1;
	bb_rec(&b, 2)[5] = 64;
	BAD2(&b, "type 2 STRUCT: member 1: bit offset 32 below the previous 64", "(offset 0x48)");
	bb_rec(&b, 2)[5] = 0;
	bb_rec(&b, 2)[8] = 72;
	BAD2(&b, "type 2 STRUCT: member 1: bit offset 72 beyond size 8", NULL);
	bb_rec(&b, 2)[8] = 40;
	BAD2(&b, "type 2 STRUCT: member 1: ends at byte 9, beyond size 8", NULL);
	bb_rec(&b, 2)[8] = 32;
	bb_rec(&b, 2)[6] = bb_str(&b, "9b");
	BAD2(&b, "type 2 STRUCT: member 1: invalid name '9b'", NULL);
	bb_rec(&b, 2)[6] = 0;
	OK2(&b);                                 /* anonymous members are fine */
	bb_rec(&b, 2)[0] = bb_str(&b, "s s");
	BAD2(&b, "type 2 STRUCT: invalid name 's s'", NULL);
	bb_rec(&b, 2)[0] = 0;
	OK2(&b);
	/* union members all at offset 0 */
	bb_rec(&b, 2)[1] = BTF_KIND_UNION << 24 | 2;
	BAD2(&b, "type 2 UNION: member 1: bit offset 32 in a union", NULL);
	bb_rec(&b, 2)[8] = 0;
	OK2(&b);
	bb_free(&b);

	/* members of every sized kind must end inside the struct */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	PTR(&b, 1);                              /* 2 */
	ARRAY(&b, 1, 1, 3);                      /* 3: 12 bytes */
	STRUCT(&b, "in", 16, 0);                 /* 4 */
	ENUM(&b, "e", 8, 0);                     /* 5 */
	FLOAT(&b, "double", 8);                  /* 6 */
	CONST(&b, 3);                            /* 7 */
	STRUCT(&b, "s", 16, 1);                  /* 8 */
	MEMBER(&b, "m", 2, 72);
	BAD2(&b, "type 8 STRUCT: member 0: ends at byte 17, beyond size 16", NULL);
	bb_rec(&b, 8)[5] = 68;
	BAD2(&b, "member 0: bit offset 68 not byte aligned", NULL);
	bb_rec(&b, 8)[5] = 64;
	OK2(&b);
	bb_rec(&b, 8)[4] = 3;
	BAD2(&b, "member 0: ends at byte 20", NULL);
	bb_rec(&b, 8)[4] = 7;
	BAD2(&b, "member 0: ends at byte 20", NULL);
	bb_rec(&b, 8)[5] = 32;
	OK2(&b);
	bb_rec(&b, 8)[4] = 4;
	BAD2(&b, "member 0: ends at byte 20", NULL);
	bb_rec(&b, 8)[4] = 5;
	bb_rec(&b, 8)[5] = 72;
	BAD2(&b, "member 0: ends at byte 17", NULL);
	bb_rec(&b, 8)[4] = 6;
	bb_rec(&b, 8)[5] = 32;
	BAD2(&b, "member 0: bit offset 32 not aligned for a 8-byte FLOAT", NULL);
	bb_rec(&b, 8)[5] = 64;
	OK2(&b);
	bb_rec(&b, 8)[5] = 72;
	BAD2(&b, "not aligned", NULL);
	bb_free(&b);

	/* int members: bit offset plus the int's own offset (B17, B22) */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	STRUCT(&b, "s", 4, 1);                   /* 2 */
	MEMBER(&b, "a", 1, 1);
	BAD2(&b, "type 2 STRUCT: member 0: ends at byte 5, beyond size 4", NULL);
	bb_rec(&b, 2)[2] = 5;
	OK2(&b);
	bb_free(&b);
}

static void test_bitfield_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	INT(&b, "odd", 4, 31, 0);                /* 2 */
	PTR(&b, 1);                              /* 3 */
	ENUM(&b, "e", 4, 0);                     /* 4 */
	TYPEDEF(&b, "t", 1);                     /* 5 */
	AGGR(&b, BTF_KIND_STRUCT, "s", 8, 3, 1); /* 6 */
	MEMBER(&b, "a", 1, 3u << 24 | 0);
	MEMBER(&b, "b", 5, 5u << 24 | 3);
	MEMBER(&b, "c", 4, 2u << 24 | 8);
	OK2(&b);
	bb_rec(&b, 6)[5] = 33u << 24;
	BAD2(&b, "type 6 STRUCT: member 0: bitfield of 33 bits in a 32-bit INT", NULL);
	bb_rec(&b, 6)[5] = 3;
	BAD2(&b, "member 0: bit offset 3 not byte aligned", NULL);
	bb_rec(&b, 6)[5] = 0;
	bb_rec(&b, 6)[4] = 2;
	BAD2(&b, "member 0: base type 2 is not a regular INT", NULL);
	bb_rec(&b, 6)[4] = 3;
	bb_rec(&b, 6)[5] = 1u << 24;
	BAD2(&b, "member 0: bitfield of a PTR", NULL);
	bb_rec(&b, 6)[5] = 0;
	OK2(&b);
	bb_rec(&b, 6)[4] = 1;
	bb_rec(&b, 6)[11] = 33u << 24 | 8;
	BAD2(&b, "member 2: enum bitfield of 33 bits", NULL);
	bb_rec(&b, 6)[11] = 40;
	BAD2(&b, "member 2: ends at byte 9, beyond size 8", NULL);
	bb_rec(&b, 6)[11] = 24u << 24 | 40;
	OK2(&b);
	bb_free(&b);
}

static void test_enum_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	ENUM(&b, "e", 4, 1);
	ENUMVAL(&b, "A", 1);
	ENUM64(&b, "e64", 8, 1);
	ENUM64VAL(&b, "B", 1);
	OK2(&b);
	bb_rec(&b, 1)[2] = 3;
	BAD2(&b, "type 1 ENUM: size 3, expected 1, 2, 4 or 8", NULL);
	bb_rec(&b, 1)[2] = 0;
	BAD2(&b, "type 1 ENUM: size 0", NULL);
	bb_rec(&b, 1)[2] = 1;
	bb_rec(&b, 1)[3] = 0;
	BAD2(&b, "type 1 ENUM: enumerator 0: missing name", NULL);
	bb_rec(&b, 1)[3] = bb_str(&b, "a b");
	BAD2(&b, "type 1 ENUM: enumerator 0: invalid name 'a b'", NULL);
	bb_rec(&b, 1)[3] = bb_str(&b, "A");
	bb_rec(&b, 1)[1] |= 1u << 31;            /* signed enum */
	OK2(&b);
	bb_rec(&b, 2)[2] = 16;
	BAD2(&b, "type 2 ENUM64: size 16", NULL);
	bb_free(&b);
}

static void test_func_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	PROTO(&b, 1, 1);                         /* 2 */
	PARAM(&b, "x", 1);
	FUNC(&b, "f", 2, BTF_FUNC_STATIC);       /* 3 */
	OK2(&b);
	bb_rec(&b, 3)[1] = BTF_KIND_FUNC << 24 | BTF_FUNC_EXTERN;
	BAD(&b, K, "type 3 FUNC: linkage 2 not allowed (at most 1)", "(offset 0x40)");
	OK(&b, O);
	bb_rec(&b, 3)[1] = BTF_KIND_FUNC << 24 | 3;
	BAD2(&b, "type 3 FUNC: linkage 3 not allowed", NULL);
	bb_rec(&b, 3)[1] = BTF_KIND_FUNC << 24 | 1u << 31;
	BAD2(&b, "type 3 FUNC: kind_flag set", NULL);
	bb_rec(&b, 3)[1] = BTF_KIND_FUNC << 24;
	bb_rec(&b, 3)[0] = 0;
	BAD2(&b, "type 3 FUNC: missing name", NULL);
	bb_rec(&b, 3)[0] = bb_str(&b, "f");
	bb_rec(&b, 3)[2] = 1;
	BAD2(&b, "type 3 FUNC: type id 1 has kind INT, expected FUNC_PROTO", NULL);
	bb_rec(&b, 3)[2] = 2;
	/* the kernel wants named parameters for functions (clang leaves
	 * kfunc declarations unnamed) */
	bb_rec(&b, 2)[3] = 0;
	BAD(&b, K, "type 3 FUNC: param 0 of FUNC_PROTO 2 has no name", NULL);
	OK(&b, O);
	bb_free(&b);
}

static void test_proto_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	FWD(&b, "f", 0);                         /* 2 */
	VAR(&b, "v", 1, 0);                      /* 3 */
	PROTO(&b, 1, 3);                         /* 4 */
	PARAM(&b, "a", 1);
	PARAM(&b, NULL, 1);
	PARAM(&b, NULL, 0);                      /* "..." */
	OK2(&b);                                 /* unnamed params without a FUNC */
	bb_rec(&b, 4)[0] = bb_str(&b, "p");
	BAD2(&b, "type 4 FUNC_PROTO: has a name", NULL);
	bb_rec(&b, 4)[0] = 0;
	bb_rec(&b, 4)[1] |= 1u << 31;
	BAD2(&b, "type 4 FUNC_PROTO: kind_flag set", NULL);
	bb_rec(&b, 4)[1] = BTF_KIND_FUNC_PROTO << 24 | 3;
	bb_rec(&b, 4)[7] = bb_str(&b, "rest");
	BAD2(&b, "type 4 FUNC_PROTO: param 2: named vararg", NULL);
	bb_rec(&b, 4)[7] = 0;
	bb_rec(&b, 4)[6] = 0;
	BAD2(&b, "type 4 FUNC_PROTO: param 1: void before the last parameter", NULL);
	bb_rec(&b, 4)[6] = 2;
	BAD2(&b, "type 4 FUNC_PROTO: param 1: type id 2 has no size", "(offset 0x5c)");
	bb_rec(&b, 4)[6] = 3;
	BAD2(&b, "type 4 FUNC_PROTO: param 1: type id 3 has kind VAR", NULL);
	bb_rec(&b, 4)[6] = 1;
	bb_rec(&b, 4)[2] = 2;
	BAD2(&b, "type 4 FUNC_PROTO: return: type id 2 has no size", NULL);
	bb_rec(&b, 4)[2] = 3;
	BAD2(&b, "type 4 FUNC_PROTO: return: type id 3 has kind VAR", NULL);
	bb_rec(&b, 4)[2] = 0;
	OK2(&b);
	bb_rec(&b, 4)[3] = bb_str(&b, "a.b");
	OK2(&b);
	bb_rec(&b, 4)[3] = bb_str(&b, "a/b");
	BAD2(&b, "type 4 FUNC_PROTO: param 0: invalid name 'a/b'", NULL);
	bb_free(&b);
}

static void test_var_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	VAR(&b, "v", 1, BTF_VAR_STATIC);         /* 2 */
	OK2(&b);
	bb_rec(&b, 2)[3] = BTF_VAR_GLOBAL_EXTERN;
	BAD(&b, K, "type 2 VAR: linkage 2 not allowed (at most 1)", "(offset 0x34)");
	OK(&b, O);
	bb_rec(&b, 2)[3] = 3;
	BAD2(&b, "type 2 VAR: linkage 3 not allowed", NULL);
	bb_rec(&b, 2)[3] = 0;
	bb_rec(&b, 2)[2] = 0;
	BAD2(&b, "type 2 VAR: type void", NULL);
	bb_rec(&b, 2)[2] = 1;
	bb_rec(&b, 2)[1] |= 1;
	BAD2(&b, "type 2 VAR: vlen 1", NULL);
	bb_rec(&b, 2)[1] = BTF_KIND_VAR << 24 | 1u << 31;
	BAD2(&b, "type 2 VAR: kind_flag set", NULL);
	bb_rec(&b, 2)[1] = BTF_KIND_VAR << 24;
	bb_rec(&b, 2)[0] = 0;
	BAD2(&b, "type 2 VAR: missing name", NULL);
	bb_free(&b);

	/* what a VAR may point at (B25) */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	PROTO(&b, 0, 0);                         /* 2 */
	FUNC(&b, "f", 2, 0);                     /* 3 */
	VAR(&b, "w", 1, 0);                      /* 4 */
	DATASEC(&b, ".data", 4, 1);              /* 5 */
	SECINFO(&b, 4, 0, 4);
	DECL_TAG(&b, "t", 4, -1);                /* 6 */
	VAR(&b, "v", 3, 0);                      /* 7 */
	BAD2(&b, "type 7 VAR: type id 3 has kind FUNC", NULL);
	bb_rec(&b, 7)[2] = 4;
	BAD2(&b, "type 7 VAR: type id 4 has kind VAR", NULL);
	bb_rec(&b, 7)[2] = 5;
	BAD2(&b, "type 7 VAR: type id 5 has kind DATASEC", NULL);
	bb_rec(&b, 7)[2] = 6;
	BAD2(&b, "type 7 VAR: type id 6 has kind DECL_TAG", NULL);
	bb_rec(&b, 7)[2] = 2;
	BAD2(&b, "type 7 VAR: type id 2 (FUNC_PROTO) has no size", NULL);
	bb_free(&b);
}

static void test_datasec_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	VAR(&b, "a", 1, 1);                      /* 2 */
	VAR(&b, "b", 1, 1);                      /* 3 */
	DATASEC(&b, ".data", 8, 2);              /* 4 */
	SECINFO(&b, 2, 0, 4);
	SECINFO(&b, 3, 4, 4);
	OK2(&b);
	/* entry i: type at word 3 + 3i, offset at 4 + 3i, size at 5 + 3i */
	assert_int_equal(bb_off(&b, 4, 7), 0x64);
	bb_rec(&b, 4)[7] = 2;
	BAD2(&b, "type 4 DATASEC: entry 1: offset 2 overlaps or is beyond size 8", "(offset 0x64)");
	bb_rec(&b, 4)[7] = 8;
	BAD2(&b, "entry 1: offset 8 overlaps or is beyond size 8", NULL);
	bb_rec(&b, 4)[7] = 6;
	BAD2(&b, "type 4 DATASEC: entry 1: ends at 10 beyond size 8", NULL);
	bb_rec(&b, 4)[7] = 4;
	bb_rec(&b, 4)[8] = 0;
	BAD2(&b, "type 4 DATASEC: entry 1: size 0 invalid", NULL);
	bb_rec(&b, 4)[8] = 4;
	bb_rec(&b, 4)[5] = 2;
	BAD2(&b, "type 4 DATASEC: entry 0: size 2 below the 4 bytes of VAR 2", NULL); /* B28 */
	bb_rec(&b, 4)[5] = 4;
	bb_rec(&b, 4)[6] = 1;
	BAD2(&b, "type 4 DATASEC: entry 1: type id 1 has kind INT, expected VAR", NULL);
	bb_rec(&b, 4)[6] = 0;
	BAD2(&b, "type 4 DATASEC: entry 1: type void", NULL);
	bb_rec(&b, 4)[6] = 3;
	bb_rec(&b, 4)[1] |= 1u << 31;
	BAD2(&b, "type 4 DATASEC: kind_flag set", NULL);
	bb_rec(&b, 4)[1] = BTF_KIND_DATASEC << 24 | 2;
	bb_rec(&b, 4)[0] = bb_str(&b, ".da\nta");
	BAD2(&b, "type 4 DATASEC: invalid name '.da\\x0ata'", NULL);
	bb_rec(&b, 4)[0] = bb_str(&b, ".rodata.str1.1 (any printable)");
	OK2(&b);
	bb_rec(&b, 4)[0] = 0;
	BAD2(&b, "type 4 DATASEC: missing name", NULL);
	bb_rec(&b, 4)[0] = bb_str(&b, ".data");
	/* size 0: never for the kernel; clang's shape (all offsets 0) in objects */
	bb_rec(&b, 4)[2] = 0;
	bb_rec(&b, 4)[7] = 0;
	BAD(&b, K, "type 4 DATASEC: size 0", NULL);
	OK(&b, O);
	bb_rec(&b, 4)[7] = 4;
	BAD(&b, O, "type 4 DATASEC: entry 1: offset 4 in a size-0 DATASEC", NULL);
	bb_free(&b);

	/* the sum of the entries must fit too */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	VAR(&b, "a", 1, 1);
	DATASEC(&b, ".data", 4, 2);
	SECINFO(&b, 2, 0, 4);
	SECINFO(&b, 2, 0, 4);
	BAD(&b, K, "entry 1: offset 0 overlaps", NULL);
	bb_free(&b);
}

static void test_float_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	FLOAT(&b, "long double", 16);
	OK2(&b);
	bb_rec(&b, 1)[2] = 12;
	OK2(&b);
	bb_rec(&b, 1)[2] = 3;
	BAD2(&b, "type 1 FLOAT: size 3, expected 2, 4, 8, 12 or 16", NULL);
	bb_rec(&b, 1)[2] = 4;
	bb_rec(&b, 1)[1] |= 1;
	BAD2(&b, "type 1 FLOAT: vlen 1", NULL);
	bb_rec(&b, 1)[1] = BTF_KIND_FLOAT << 24 | 1u << 31;
	BAD2(&b, "type 1 FLOAT: kind_flag set", NULL);
	bb_free(&b);
}

static void test_decl_tag_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	STRUCT(&b, "s", 4, 1);                   /* 2 */
	MEMBER(&b, "a", 1, 0);
	PROTO(&b, 1, 2);                         /* 3 */
	PARAM(&b, "x", 1);
	PARAM(&b, "y", 1);
	FUNC(&b, "f", 3, 1);                     /* 4 */
	VAR(&b, "v", 1, 0);                      /* 5 */
	TYPEDEF(&b, "t", 1);                     /* 6 */
	DECL_TAG(&b, "tag", 2, 0);               /* 7 */
	OK2(&b);
	bb_rec(&b, 7)[3] = 1;
	BAD2(&b, "type 7 DECL_TAG: component_idx 1 out of range (1 components)", "(offset 0x");
	bb_rec(&b, 7)[2] = 4;
	OK2(&b);
	bb_rec(&b, 7)[3] = 2;
	BAD2(&b, "type 7 DECL_TAG: component_idx 2 out of range (2 components)", NULL);
	bb_rec(&b, 7)[3] = (uint32_t)-2;
	BAD2(&b, "type 7 DECL_TAG: component_idx -2 below -1", NULL);
	bb_rec(&b, 7)[3] = 0;
	bb_rec(&b, 7)[2] = 5;
	BAD2(&b, "type 7 DECL_TAG: component_idx 0 on a VAR", NULL);
	bb_rec(&b, 7)[2] = 6;
	BAD2(&b, "type 7 DECL_TAG: component_idx 0 on a TYPEDEF", NULL);
	bb_rec(&b, 7)[3] = (uint32_t)-1;
	OK2(&b);
	bb_rec(&b, 7)[2] = 1;
	BAD2(&b, "type 7 DECL_TAG: target type id 1 has kind INT", NULL);
	bb_rec(&b, 7)[2] = 0;
	BAD2(&b, "target type id 0 has kind void", NULL);
	bb_rec(&b, 7)[2] = 2;
	bb_rec(&b, 7)[0] = 0;
	BAD2(&b, "type 7 DECL_TAG: empty tag value", NULL);
	bb_rec(&b, 7)[0] = bb_str(&b, "any value, really");
	bb_rec(&b, 7)[1] |= 1u << 31;            /* attribute tag */
	OK2(&b);
	bb_rec(&b, 7)[1] |= 1;
	BAD2(&b, "type 7 DECL_TAG: vlen 1", NULL);
	bb_free(&b);
}

/* Type tags come first in a modifier chain (B34). */
static void test_type_tag_order(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	CONST(&b, 1);                            /* 2 */
	TYPE_TAG(&b, "user", 2);                 /* 3: tag -> const -> int: fine */
	PTR(&b, 3);                              /* 4 */
	OK2(&b);
	bb_rec(&b, 2)[2] = 3;                    /* const -> tag -> const: loop */
	BAD2(&b, "reference loop", NULL);
	bb_free(&b);

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	TYPE_TAG(&b, "user", 1);                 /* 2 */
	CONST(&b, 2);                            /* 3: const -> tag */
	BAD2(&b, "type 3 CONST: type tag 2 follows a modifier", NULL);
	bb_rec(&b, 3)[1] = BTF_KIND_TYPEDEF << 24;
	bb_rec(&b, 3)[0] = bb_str(&b, "t");
	BAD2(&b, "type 3 TYPEDEF: type tag 2 follows a modifier", NULL);
	bb_rec(&b, 3)[1] = BTF_KIND_TYPE_TAG << 24;
	OK2(&b);                                 /* tag -> tag */
	bb_rec(&b, 3)[1] = BTF_KIND_PTR << 24;
	bb_rec(&b, 3)[0] = 0;
	OK2(&b);                                 /* ptr -> tag: a new chain */
	bb_free(&b);
}

/* ---- references (B12) and kinds of references -------------------------------- */

static void test_ref_ranges(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	PTR(&b, 99);                             /* 2 */
	BAD2(&b, "type 2 PTR: type id 99 out of range (3 types)", "(offset 0x30)");
	bb_rec(&b, 2)[1] = BTF_KIND_TYPEDEF << 24;
	bb_rec(&b, 2)[0] = bb_str(&b, "t");
	BAD2(&b, "type 2 TYPEDEF: type id 99 out of range", NULL);
	bb_free(&b);

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	STRUCT(&b, "s", 16, 4);                  /* 2 */
	MEMBER(&b, "a", 1, 0);
	MEMBER(&b, "b", 1, 32);
	MEMBER(&b, "c", 1, 64);
	MEMBER(&b, "d", 9999, 96);
	/* member 3's type field: 24 + 16 (INT) + 12 + 3 * 12 + 4 */
	assert_int_equal(bb_off(&b, 2, 3 + 3 * 3 + 1), 0x5c);
	BAD2(&b, "type 2 STRUCT: member 3: type id 9999 out of range", "(offset 0x5c)");
	bb_free(&b);

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	ARRAY(&b, 50, 1, 1);                     /* 2 */
	BAD2(&b, "type 2 ARRAY: element: type id 50 out of range", NULL);
	bb_rec(&b, 2)[3] = 1;
	bb_rec(&b, 2)[4] = 50;
	BAD2(&b, "type 2 ARRAY: index: type id 50 out of range", NULL);
	bb_free(&b);

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	PROTO(&b, 77, 1);                        /* 2 */
	PARAM(&b, "x", 1);
	FUNC(&b, "f", 88, 0);                    /* 3 */
	VAR(&b, "v", 66, 0);                     /* 4 */
	DATASEC(&b, ".data", 4, 1);              /* 5 */
	SECINFO(&b, 55, 0, 4);
	DECL_TAG(&b, "t", 44, -1);               /* 6 */
	BAD2(&b, "type 2 FUNC_PROTO: return: type id 77 out of range", NULL);
	bb_rec(&b, 2)[2] = 1;
	bb_rec(&b, 2)[4] = 78;
	BAD2(&b, "type 2 FUNC_PROTO: param 0: type id 78 out of range", NULL);
	bb_rec(&b, 2)[4] = 1;
	BAD2(&b, "type 3 FUNC: type id 88 out of range", NULL);
	bb_rec(&b, 3)[2] = 2;
	BAD2(&b, "type 4 VAR: type id 66 out of range", NULL);
	bb_rec(&b, 4)[2] = 1;
	BAD2(&b, "type 5 DATASEC: entry 0: type id 55 out of range", NULL);
	bb_rec(&b, 5)[3] = 4;
	BAD2(&b, "type 6 DECL_TAG: target: type id 44 out of range", NULL);
	bb_rec(&b, 6)[2] = 3;
	OK2(&b);
	bb_free(&b);
}

static void test_ref_kinds(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	PROTO(&b, 0, 0);                         /* 2 */
	FUNC(&b, "f", 2, 0);                     /* 3 */
	VAR(&b, "v", 1, 0);                      /* 4 */
	DATASEC(&b, ".data", 4, 1);              /* 5 */
	SECINFO(&b, 4, 0, 4);
	DECL_TAG(&b, "t", 4, -1);                /* 6 */
	PTR(&b, 4);                              /* 7 */
	BAD2(&b, "type 7 PTR: type id 4 has kind VAR", NULL);
	bb_rec(&b, 7)[1] = BTF_KIND_CONST << 24;
	bb_rec(&b, 7)[2] = 5;
	BAD2(&b, "type 7 CONST: type id 5 has kind DATASEC", NULL);
	bb_rec(&b, 7)[1] = BTF_KIND_VOLATILE << 24;
	bb_rec(&b, 7)[2] = 6;
	BAD2(&b, "type 7 VOLATILE: type id 6 has kind DECL_TAG", NULL);
	/* stricter than the kernel: nothing points at a FUNC */
	bb_rec(&b, 7)[1] = BTF_KIND_PTR << 24;
	bb_rec(&b, 7)[2] = 3;
	BAD2(&b, "type 7 PTR: type id 3 has kind FUNC", NULL);
	bb_rec(&b, 7)[2] = 2;                    /* pointer to function: fine */
	OK2(&b);
	bb_free(&b);
}

/* ---- resolve: cycles, depth, sizes (B14-B17) --------------------------------- */

static void test_cycles(void **state)
{
	struct bb b;

	/* struct containing itself */
	bb_init(&b);
	STRUCT(&b, "a", 8, 1);
	MEMBER(&b, "self", 1, 0);
	BAD2(&b, "type 1 STRUCT: reference loop through type 1", NULL);
	bb_free(&b);

	/* A { B b; } B { A a; } */
	bb_init(&b);
	STRUCT(&b, "A", 8, 1);
	MEMBER(&b, "b", 2, 0);
	STRUCT(&b, "B", 8, 1);
	MEMBER(&b, "a", 1, 0);
	BAD2(&b, "type 1 STRUCT: reference loop through type 1", NULL);
	bb_free(&b);

	/* array of itself */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	ARRAY(&b, 2, 1, 2);
	BAD2(&b, "type 2 ARRAY: reference loop through type 2", NULL);
	bb_free(&b);

	/* typedef loop, const loop */
	bb_init(&b);
	TYPEDEF(&b, "t1", 2);
	TYPEDEF(&b, "t2", 1);
	BAD2(&b, "type 1 TYPEDEF: reference loop through type 1", NULL);
	bb_free(&b);
	bb_init(&b);
	CONST(&b, 1);
	BAD2(&b, "type 1 CONST: reference loop", NULL);
	bb_free(&b);

	/* pointer-only loops are loops as well (as in the kernel) */
	bb_init(&b);
	PTR(&b, 1);
	BAD2(&b, "type 1 PTR: reference loop through type 1", NULL);
	bb_free(&b);
	bb_init(&b);
	PTR(&b, 2);
	CONST(&b, 3);
	PTR(&b, 4);
	CONST(&b, 1);
	BAD2(&b, "reference loop", NULL);
	bb_free(&b);
}

/* Cycles broken by a pointer to a struct are how lists are made. */
static void test_pointer_cycles_ok(void **state)
{
	struct bb b;

	bb_init(&b);
	STRUCT(&b, "node", 16, 2);               /* 1 */
	MEMBER(&b, "next", 2, 0);
	MEMBER(&b, "prev", 3, 64);
	PTR(&b, 1);                              /* 2 */
	CONST(&b, 2);                            /* 3: const node * */
	STRUCT(&b, "A", 8, 1);                   /* 4 */
	MEMBER(&b, "b", 6, 0);
	STRUCT(&b, "B", 8, 1);                   /* 5 */
	MEMBER(&b, "a", 7, 0);
	PTR(&b, 5);                              /* 6 */
	PTR(&b, 8);                              /* 7 */
	TYPEDEF(&b, "A_t", 4);                   /* 8 */
	OK2(&b);
	bb_free(&b);
}

#define DEEP 100000u

/* 100k modifiers / structs in a row: rejected fast, no recursion (B14, B15). */
static void test_deep_chains(void **state)
{
	struct bb b;
	double t0;

	/* upward: each refers to the next id, so the resolve stack fills */
	bb_init(&b);
	for (uint32_t i = 1; i < DEEP; i++)
		CONST(&b, i + 1);
	INT(&b, "int", 4, 32, 0);
	t0 = now_ms();
	BAD2(&b, "type 1 CONST: more than 32 nested types to resolve", NULL);
	assert_true(now_ms() - t0 < 2000);
	bb_free(&b);

	/* downward: every type resolves at once, the chain check catches it */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	for (uint32_t i = 1; i < DEEP; i++)
		CONST(&b, i);
	t0 = now_ms();
	BAD2(&b, "type 34 CONST: more than 32 modifiers in a row", NULL);
	assert_true(now_ms() - t0 < 2000);
	bb_free(&b);

	/* 32 modifiers are fine, 33 are not, in either direction */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	for (uint32_t i = 1; i <= 32; i++)
		VOLATILE(&b, i);
	OK2(&b);
	VOLATILE(&b, 33);
	BAD2(&b, "type 34 VOLATILE: more than 32 modifiers in a row", NULL);
	bb_free(&b);

	/* nested structs upward */
	bb_init(&b);
	for (uint32_t i = 1; i < DEEP; i++) {
		STRUCT(&b, "s", 4, 1);
		MEMBER(&b, "m", i + 1, 0);
	}
	INT(&b, "int", 4, 32, 0);
	t0 = now_ms();
	BAD2(&b, "type 1 STRUCT: more than 32 nested types to resolve", NULL);
	assert_true(now_ms() - t0 < 2000);
	bb_free(&b);

	/* nested structs downward: legal, and linear */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	for (uint32_t i = 1; i < DEEP; i++) {
		STRUCT(&b, "s", 4, 1);
		MEMBER(&b, "m", i, 0);
	}
	t0 = now_ms();
	OK2(&b);
	assert_true(now_ms() - t0 < 2000);
	bb_free(&b);
}

/* Shared subgraphs are resolved once (B16): union i holds union i-1 twice,
 * so a walk without memoization would take 2^100000 steps. */
static void test_dag_amplification(void **state)
{
	struct bb b;
	double t0;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	for (uint32_t i = 1; i < DEEP; i++) {
		UNION(&b, NULL, 4, 2);
		MEMBER(&b, "a", i, 0);
		MEMBER(&b, "b", i, 0);
	}
	t0 = now_ms();
	OK2(&b);
	print_message("100k-level shared union ladder: %.0f ms\n", now_ms() - t0);
	assert_true(now_ms() - t0 < 2000);
	bb_free(&b);
}

static void test_size_overflow(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "char", 1, 8, 0);                /* 1 */
	INT(&b, "int", 4, 32, 0);                /* 2 */
	ARRAY(&b, 1, 2, 0x10000);                /* 3: 64 KiB */
	ARRAY(&b, 3, 2, 0x10000);                /* 4: 4 GiB */
	BAD2(&b, "type 4 ARRAY: 65536 x 65536 bytes overflow 32 bits", NULL);
	bb_rec(&b, 4)[5] = 0xffff;
	OK2(&b);
	bb_free(&b);

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	ARRAY(&b, 1, 1, 0x40000000);
	BAD2(&b, "type 2 ARRAY: 1073741824 x 4 bytes overflow 32 bits", NULL);
	bb_free(&b);

	bb_init(&b);
	INT(&b, "char", 1, 8, 0);
	ARRAY(&b, 1, 1, 0xffffffff);
	OK2(&b);
	bb_free(&b);
}

/* ---- object vs kernel mode: what clang emits (§2.4) ---------------------------- */

/* .BTF that clang 14 (-target bpf -O2 -g) emits for
 *
 *	struct task_struct;
 *	extern int bpf_prog_active __ksym;
 *	extern const void bpf_prog_put __ksym;
 *	extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym __weak;
 *	extern void bpf_rcu_read_lock(void) __ksym;
 *	extern int LINUX_KERNEL_VERSION __kconfig;
 *	int counter;
 *	char _license[] SEC("license") = "GPL";
 *	SEC("tc") int prog(void *ctx)
 *	{
 *		bpf_rcu_read_lock();
 *		if (bpf_task_acquire)
 *			bpf_task_acquire(0);
 *		counter++;
 *		return bpf_prog_active + LINUX_KERNEL_VERSION + (long)&bpf_prog_put;
 *	}
 *
 * (llvm-objcopy --dump-section .BTF=...): extern VARs and FUNCs, a typeless
 * ksym (CONST -> void), an unnamed kfunc parameter, DATASECs of size 0 with
 * all offsets 0, FUNCs in .ksyms. */
static const uint8_t clang14_btf[] = {
	0x9f, 0xeb, 0x01, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xa4, 0x01, 0x00, 0x00, 0xa4, 0x01, 0x00, 0x00, 0x61, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0d, 0x03, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x01,
	0x09, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0c, 0x02, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x00,
	0xb9, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x0c, 0x05, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0d, 0x08, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02, 0x09, 0x00, 0x00, 0x00, 0xcb, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0xd7, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x00, 0x0c, 0x07, 0x00, 0x00, 0x00, 0xe8, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00,
	0x0b, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0xed, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00,
	0x20, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e,
	0x0c, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x0e, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x12, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x03, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x00, 0x00, 0x22, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e,
	0x03, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x37, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x0e, 0x12, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x44, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00,
	0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x49, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00,
	0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x52, 0x01, 0x00, 0x00, 0x04, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00,
	0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x13, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x59, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00,
	0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x00, 0x63, 0x74, 0x78, 0x00, 0x69, 0x6e, 0x74, 0x00, 0x70, 0x72, 0x6f,
	0x67, 0x00, 0x74, 0x63, 0x00, 0x2f, 0x74, 0x6d, 0x70, 0x2f, 0x62, 0x74,
	0x66, 0x78, 0x2f, 0x6b, 0x2e, 0x62, 0x70, 0x66, 0x2e, 0x63, 0x00, 0x09,
	0x62, 0x70, 0x66, 0x5f, 0x72, 0x63, 0x75, 0x5f, 0x72, 0x65, 0x61, 0x64,
	0x5f, 0x6c, 0x6f, 0x63, 0x6b, 0x28, 0x29, 0x3b, 0x00, 0x09, 0x69, 0x66,
	0x20, 0x28, 0x62, 0x70, 0x66, 0x5f, 0x74, 0x61, 0x73, 0x6b, 0x5f, 0x61,
	0x63, 0x71, 0x75, 0x69, 0x72, 0x65, 0x29, 0x00, 0x09, 0x09, 0x62, 0x70,
	0x66, 0x5f, 0x74, 0x61, 0x73, 0x6b, 0x5f, 0x61, 0x63, 0x71, 0x75, 0x69,
	0x72, 0x65, 0x28, 0x30, 0x29, 0x3b, 0x00, 0x09, 0x63, 0x6f, 0x75, 0x6e,
	0x74, 0x65, 0x72, 0x2b, 0x2b, 0x3b, 0x00, 0x09, 0x72, 0x65, 0x74, 0x75,
	0x72, 0x6e, 0x20, 0x62, 0x70, 0x66, 0x5f, 0x70, 0x72, 0x6f, 0x67, 0x5f,
	0x61, 0x63, 0x74, 0x69, 0x76, 0x65, 0x20, 0x2b, 0x20, 0x4c, 0x49, 0x4e,
	0x55, 0x58, 0x5f, 0x4b, 0x45, 0x52, 0x4e, 0x45, 0x4c, 0x5f, 0x56, 0x45,
	0x52, 0x53, 0x49, 0x4f, 0x4e, 0x20, 0x2b, 0x20, 0x28, 0x6c, 0x6f, 0x6e,
	0x67, 0x29, 0x26, 0x62, 0x70, 0x66, 0x5f, 0x70, 0x72, 0x6f, 0x67, 0x5f,
	0x70, 0x75, 0x74, 0x3b, 0x00, 0x62, 0x70, 0x66, 0x5f, 0x72, 0x63, 0x75,
	0x5f, 0x72, 0x65, 0x61, 0x64, 0x5f, 0x6c, 0x6f, 0x63, 0x6b, 0x00, 0x74,
	0x61, 0x73, 0x6b, 0x5f, 0x73, 0x74, 0x72, 0x75, 0x63, 0x74, 0x00, 0x62,
	0x70, 0x66, 0x5f, 0x74, 0x61, 0x73, 0x6b, 0x5f, 0x61, 0x63, 0x71, 0x75,
	0x69, 0x72, 0x65, 0x00, 0x63, 0x68, 0x61, 0x72, 0x00, 0x5f, 0x5f, 0x41,
	0x52, 0x52, 0x41, 0x59, 0x5f, 0x53, 0x49, 0x5a, 0x45, 0x5f, 0x54, 0x59,
	0x50, 0x45, 0x5f, 0x5f, 0x00, 0x5f, 0x6c, 0x69, 0x63, 0x65, 0x6e, 0x73,
	0x65, 0x00, 0x63, 0x6f, 0x75, 0x6e, 0x74, 0x65, 0x72, 0x00, 0x62, 0x70,
	0x66, 0x5f, 0x70, 0x72, 0x6f, 0x67, 0x5f, 0x61, 0x63, 0x74, 0x69, 0x76,
	0x65, 0x00, 0x4c, 0x49, 0x4e, 0x55, 0x58, 0x5f, 0x4b, 0x45, 0x52, 0x4e,
	0x45, 0x4c, 0x5f, 0x56, 0x45, 0x52, 0x53, 0x49, 0x4f, 0x4e, 0x00, 0x62,
	0x70, 0x66, 0x5f, 0x70, 0x72, 0x6f, 0x67, 0x5f, 0x70, 0x75, 0x74, 0x00,
	0x2e, 0x62, 0x73, 0x73, 0x00, 0x2e, 0x6b, 0x63, 0x6f, 0x6e, 0x66, 0x69,
	0x67, 0x00, 0x2e, 0x6b, 0x73, 0x79, 0x6d, 0x73, 0x00, 0x6c, 0x69, 0x63,
	0x65, 0x6e, 0x73, 0x65, 0x00,
};

static void test_clang_object_btf(void **state)
{
	struct ksr_btf *btf;
	uint32_t idx = 99;

	btf = ok_blob(clang14_btf, sizeof(clang14_btf), O, __FILE__, __LINE__);
	assert_int_equal(ksr_btf__type_cnt(btf), 24);
	assert_int_equal(ksr_btf__find(btf, "bpf_rcu_read_lock", BTF_KIND_FUNC), 6);
	assert_int_equal(ksr_btf__find(btf, "bpf_prog_put", BTF_KIND_VAR), 19);
	assert_int_equal(ksr_btf__skip_mods(btf, 18), 0);
	assert_int_equal(ksr_btf__datasec_of(btf, 10, &idx), 22);
	assert_int_equal(idx, 1);
	assert_int_equal(ksr_btf__datasec_of(btf, 17, &idx), 21);
	assert_int_equal(idx, 0);
	assert_int_equal(ksr_btf__datasec_of(btf, 3, NULL), -ENOENT);
	ksr_btf__free(btf);
	BADRAW(clang14_btf, sizeof(clang14_btf), K, "type 6 FUNC: linkage 2 not allowed", NULL);
}

static void test_object_only_shapes(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	CONST(&b, 0);                            /* 2: const void */
	VAR(&b, "typeless", 2, BTF_VAR_GLOBAL_EXTERN);  /* 3 */
	PROTO(&b, 0, 1);                         /* 4 */
	PARAM(&b, NULL, 1);
	FUNC(&b, "kf", 4, BTF_FUNC_EXTERN);      /* 5 */
	DATASEC(&b, ".ksyms", 0, 2);             /* 6 */
	SECINFO(&b, 5, 0, 0);
	SECINFO(&b, 3, 0, 1);
	OK(&b, O);
	BAD(&b, K, "type 3 VAR: linkage 2 not allowed", NULL);

	/* a typeless VAR must be extern */
	bb_rec(&b, 3)[3] = BTF_VAR_GLOBAL_ALLOCATED;
	BAD(&b, O, "type 3 VAR: type id 2 (void) has no size", NULL);
	bb_rec(&b, 3)[3] = BTF_VAR_GLOBAL_EXTERN;
	/* FUNC entries only in .ksyms */
	bb_rec(&b, 6)[0] = bb_str(&b, ".kconfig");
	BAD(&b, O, "type 6 DATASEC: entry 0: type id 5 has kind FUNC, expected VAR (FUNC only in .ksyms)",
	    NULL);
	bb_free(&b);

	/* a VAR listed twice is ambiguous in an object (B29) ... */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	VAR(&b, "x", 1, BTF_VAR_GLOBAL_EXTERN);  /* 2 */
	DATASEC(&b, ".ksyms", 0, 1);             /* 3 */
	SECINFO(&b, 2, 0, 4);
	DATASEC(&b, ".kconfig", 0, 1);           /* 4 */
	SECINFO(&b, 2, 0, 4);
	BAD(&b, O, "type 4 DATASEC: entry 0: type 2 is listed in a DATASEC twice", NULL);
	bb_free(&b);

	/* ... but libbpf's rewritten .ksyms lists dummy_ksym once per kfunc and
	 * the kernel takes it: KERNEL mode must too */
	bb_init(&b);
	INT(&b, "int", 4, 32, BTF_INT_SIGNED);   /* 1 */
	VAR(&b, "dummy_ksym", 1, BTF_VAR_GLOBAL_ALLOCATED); /* 2 */
	VAR(&b, "bpf_prog_active", 1, BTF_VAR_GLOBAL_ALLOCATED); /* 3 */
	PROTO(&b, 0, 1);                         /* 4 */
	PARAM(&b, "dummy_ksym", 1);
	FUNC(&b, "kf1", 4, BTF_FUNC_GLOBAL);     /* 5 */
	FUNC(&b, "kf2", 4, BTF_FUNC_GLOBAL);     /* 6 */
	DATASEC(&b, ".ksyms", 12, 3);            /* 7 */
	SECINFO(&b, 2, 0, 4);
	SECINFO(&b, 2, 4, 4);
	SECINFO(&b, 3, 8, 4);
	OK(&b, K);
	OK(&b, O);
	bb_free(&b);
}

/* Every clang-built test object's .BTF is valid object BTF; libbpf's
 * open-time rewrite of it is valid kernel BTF. */
static void *elf_btf(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	void *out = NULL;

	if (fd < 0)
		return NULL;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (e && elf_getshdrstrndx(e, &shstrndx) == 0) {
		while ((scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			const char *name;
			Elf_Data *d;

			if (!gelf_getshdr(scn, &sh))
				break;
			name = elf_strptr(e, shstrndx, sh.sh_name);
			if (!name || strcmp(name, ".BTF") != 0)
				continue;
			d = elf_getdata(scn, NULL);
			if (d && d->d_buf && (out = malloc(d->d_size))) {
				memcpy(out, d->d_buf, d->d_size);
				*len = d->d_size;
			}
			break;
		}
	}
	elf_end(e);
	close(fd);
	return out;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static void test_build_objects(void **state)
{
	const char *dir = getenv("KSR_BPF_DIR");
	struct dirent *de;
	unsigned int seen = 0, rewritten = 0;
	DIR *d = dir ? opendir(dir) : NULL;

	if (!d) {
		print_message("no KSR_BPF_DIR: nothing to check\n");
		skip();
		return;
	}
	libbpf_set_print(quiet);
	while ((de = readdir(d))) {
		char path[4096];
		struct bpf_object *obj;
		size_t len = 0, n = strlen(de->d_name);
		void *data;

		if (n < 6 || strcmp(de->d_name + n - 6, ".bpf.o") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		data = elf_btf(path, &len);
		if (!data)
			continue;
		OKRAW(data, len, O);
		free(data);
		seen++;
		obj = bpf_object__open_file(path, NULL);
		if (!obj || libbpf_get_error(obj))
			continue;
		if (bpf_object__btf(obj)) {
			uint32_t raw_len;
			const void *raw = btf__raw_data(bpf_object__btf(obj), &raw_len);

			OKRAW(raw, raw_len, K);
			rewritten++;
		}
		bpf_object__close(obj);
	}
	closedir(d);
	libbpf_set_print(NULL);
	print_message("%u objects: OBJECT mode; %u libbpf rewrites: KERNEL mode\n", seen, rewritten);
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
	t0 = now_ms();
	assert_int_equal(ksr_btf__types_compat(btf, prev, btf, prev), -E2BIG);
	assert_true(now_ms() - t0 < 1000);
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
		cmocka_unit_test(test_int_rules),
		cmocka_unit_test(test_ref_kind_rules),
		cmocka_unit_test(test_fwd_rules),
		cmocka_unit_test(test_array_rules),
		cmocka_unit_test(test_struct_rules),
		cmocka_unit_test(test_bitfield_rules),
		cmocka_unit_test(test_enum_rules),
		cmocka_unit_test(test_func_rules),
		cmocka_unit_test(test_proto_rules),
		cmocka_unit_test(test_var_rules),
		cmocka_unit_test(test_datasec_rules),
		cmocka_unit_test(test_float_rules),
		cmocka_unit_test(test_decl_tag_rules),
		cmocka_unit_test(test_type_tag_order),
		cmocka_unit_test(test_ref_ranges),
		cmocka_unit_test(test_ref_kinds),
		cmocka_unit_test(test_cycles),
		cmocka_unit_test(test_pointer_cycles_ok),
		cmocka_unit_test(test_deep_chains),
		cmocka_unit_test(test_dag_amplification),
		cmocka_unit_test(test_size_overflow),
		cmocka_unit_test(test_clang_object_btf),
		cmocka_unit_test(test_object_only_shapes),
		cmocka_unit_test(test_build_objects),
		cmocka_unit_test(test_name_index),
		cmocka_unit_test(test_types_compat),
		cmocka_unit_test(test_types_compat_bounds),
		cmocka_unit_test(test_open_indexed),
		cmocka_unit_test(test_args_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
