// SPDX-License-Identifier: BSD-2-Clause
/* The bounded read cursor (core/cursor.h): every function at its
 * boundaries, with lengths and offsets chosen to overflow 64-bit sums
 * (off = UINT64_MAX and friends), unaligned loads, and the rule that a
 * failed read neither moves the cursor nor writes its output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cursor.h"

/* 0x00 0x01 ... 0x0f, then "ab\0c" (an unterminated "c" at the very end). */
static const uint8_t DATA[20] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
				  0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
				  'a',  'b',  '\0', 'c' };

static void test_range_ok(void **state)
{
	assert_true(ksr_range_ok(0, 0, 0));
	assert_false(ksr_range_ok(0, 1, 0));
	assert_false(ksr_range_ok(1, 0, 0));
	assert_true(ksr_range_ok(10, 0, 10));
	assert_true(ksr_range_ok(0, 10, 10));
	assert_true(ksr_range_ok(4, 6, 10));
	assert_false(ksr_range_ok(4, 7, 10));
	assert_false(ksr_range_ok(11, 0, 10));
	/* off + len would wrap to a small number */
	assert_false(ksr_range_ok(1, UINT64_MAX, 10));
	assert_false(ksr_range_ok(UINT64_MAX, 1, 10));
	assert_false(ksr_range_ok(UINT64_MAX, UINT64_MAX, UINT64_MAX));
	assert_false(ksr_range_ok(2, UINT64_MAX - 1, UINT64_MAX));
	assert_true(ksr_range_ok(2, UINT64_MAX - 2, UINT64_MAX));
	assert_true(ksr_range_ok(UINT64_MAX, 0, UINT64_MAX));
	assert_true(ksr_range_ok(0, UINT64_MAX, UINT64_MAX));
	assert_false(ksr_range_ok(0, UINT64_MAX, UINT64_MAX - 1));
}

static void test_make_left(void **state)
{
	struct ksr_cur c = ksr_cur_make(DATA, sizeof(DATA));
	struct ksr_cur e = ksr_cur_make(DATA, 0);

	assert_ptr_equal(c.base, DATA);
	assert_int_equal(c.len, sizeof(DATA));
	assert_int_equal(c.pos, 0);
	assert_int_equal(ksr_cur_left(&c), sizeof(DATA));
	assert_int_equal(ksr_cur_left(&e), 0);
}

static void test_seek(void **state)
{
	struct ksr_cur c = ksr_cur_make(DATA, sizeof(DATA));

	assert_true(ksr_cur_seek(&c, 5));
	assert_int_equal(c.pos, 5);
	assert_true(ksr_cur_seek(&c, sizeof(DATA)));
	assert_int_equal(ksr_cur_left(&c), 0);
	assert_true(ksr_cur_seek(&c, 0));
	assert_int_equal(c.pos, 0);
	assert_true(ksr_cur_seek(&c, 7));
	assert_false(ksr_cur_seek(&c, sizeof(DATA) + 1));
	assert_false(ksr_cur_seek(&c, UINT64_MAX));
	assert_false(ksr_cur_seek(&c, (uint64_t)SIZE_MAX));
	assert_false(ksr_cur_seek(&c, 1ull << 32));
	assert_int_equal(c.pos, 7);
}

static void test_skip(void **state)
{
	struct ksr_cur c = ksr_cur_make(DATA, sizeof(DATA));

	assert_true(ksr_cur_skip(&c, 0));
	assert_int_equal(c.pos, 0);
	assert_true(ksr_cur_skip(&c, 3));
	assert_false(ksr_cur_skip(&c, sizeof(DATA) - 2));
	assert_false(ksr_cur_skip(&c, UINT64_MAX));
	/* pos + n would wrap around to inside the buffer */
	assert_false(ksr_cur_skip(&c, UINT64_MAX - 2));
	assert_false(ksr_cur_skip(&c, (uint64_t)SIZE_MAX - 1));
	assert_int_equal(c.pos, 3);
	assert_true(ksr_cur_skip(&c, sizeof(DATA) - 3));
	assert_int_equal(ksr_cur_left(&c), 0);
	assert_true(ksr_cur_skip(&c, 0));
	assert_false(ksr_cur_skip(&c, 1));
	assert_int_equal(c.pos, sizeof(DATA));
}

static void test_bytes(void **state)
{
	struct ksr_cur c = ksr_cur_make(DATA, sizeof(DATA));
	const uint8_t *p = NULL, *sentinel = (const uint8_t *)&c;

	assert_true(ksr_cur_bytes(&c, 4, &p));
	assert_ptr_equal(p, DATA);
	assert_int_equal(c.pos, 4);
	assert_true(ksr_cur_bytes(&c, 0, &p));
	assert_ptr_equal(p, DATA + 4);
	assert_int_equal(c.pos, 4);
	p = sentinel;
	assert_false(ksr_cur_bytes(&c, sizeof(DATA) - 3, &p));
	assert_false(ksr_cur_bytes(&c, UINT64_MAX, &p));
	assert_false(ksr_cur_bytes(&c, UINT64_MAX - 3, &p));
	assert_ptr_equal(p, sentinel);
	assert_int_equal(c.pos, 4);
	assert_true(ksr_cur_bytes(&c, sizeof(DATA) - 4, &p));
	assert_ptr_equal(p, DATA + 4);
	/* zero bytes at the very end: a pointer one past the last byte */
	assert_true(ksr_cur_bytes(&c, 0, &p));
	assert_ptr_equal(p, DATA + sizeof(DATA));
	assert_false(ksr_cur_bytes(&c, 1, &p));
}

static void test_copy(void **state)
{
	struct ksr_cur c = ksr_cur_make(DATA, sizeof(DATA));
	uint8_t out[sizeof(DATA) + 1];

	memset(out, 0xee, sizeof(out));
	assert_true(ksr_cur_copy(&c, out, 0));
	assert_int_equal(out[0], 0xee);
	assert_true(ksr_cur_skip(&c, 2));
	assert_true(ksr_cur_copy(&c, out, 3));
	assert_memory_equal(out, DATA + 2, 3);
	assert_int_equal(out[3], 0xee);
	assert_int_equal(c.pos, 5);
	memset(out, 0xee, sizeof(out));
	assert_false(ksr_cur_copy(&c, out, sizeof(DATA) - 4));
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], 0xee);
	assert_int_equal(c.pos, 5);
	assert_true(ksr_cur_copy(&c, out, sizeof(DATA) - 5));
	assert_memory_equal(out, DATA + 5, sizeof(DATA) - 5);
	assert_false(ksr_cur_copy(&c, out, 1));
}

/* Little-endian scalars at every offset, aligned or not. */
static void test_scalars(void **state)
{
	for (size_t off = 0; off < 8; off++) {
		struct ksr_cur c = ksr_cur_make(DATA + off, 16 - off);
		uint16_t v16;
		uint32_t v32;
		uint64_t v64;
		uint8_t v8;
		uint8_t b = (uint8_t)off;

		assert_true(ksr_cur_u8(&c, &v8));
		assert_int_equal(v8, b);
		assert_true(ksr_cur_u16(&c, &v16));
		assert_int_equal(v16, (uint16_t)((b + 1) | (b + 2) << 8));
		assert_true(ksr_cur_u32(&c, &v32));
		assert_int_equal(v32, (uint32_t)(b + 3) | (uint32_t)(b + 4) << 8 |
					      (uint32_t)(b + 5) << 16 | (uint32_t)(b + 6) << 24);
		assert_int_equal(c.pos, 7);
		if (16 - off - 7 >= 8) {
			assert_true(ksr_cur_u64(&c, &v64));
			assert_int_equal(v64 & 0xff, b + 7);
			assert_int_equal(v64 >> 56, b + 14);
		} else {
			v64 = 42;
			assert_false(ksr_cur_u64(&c, &v64));
			assert_int_equal(v64, 42);
			assert_int_equal(c.pos, 7);
		}
	}
}

static void test_scalars_short(void **state)
{
	struct ksr_cur c = ksr_cur_make(DATA, 3);
	uint64_t v64 = 1;
	uint32_t v32 = 2;
	uint16_t v16 = 3;
	uint8_t v8 = 4;

	assert_false(ksr_cur_u32(&c, &v32));
	assert_false(ksr_cur_u64(&c, &v64));
	assert_int_equal(v32, 2);
	assert_int_equal(v64, 1);
	assert_true(ksr_cur_u16(&c, &v16));
	assert_false(ksr_cur_u16(&c, &v16));
	assert_int_equal(v16, 0x0100);
	assert_true(ksr_cur_u8(&c, &v8));
	assert_int_equal(v8, 2);
	assert_false(ksr_cur_u8(&c, &v8));
	assert_int_equal(v8, 2);
	assert_int_equal(c.pos, 3);
}

static void test_sub(void **state)
{
	struct ksr_cur c = ksr_cur_make(DATA, sizeof(DATA));
	struct ksr_cur s = { NULL, 123, 456 };
	uint32_t v;

	assert_true(ksr_cur_skip(&c, 9));
	assert_true(ksr_cur_sub(&c, 4, 8, &s));
	/* independent of c's position, starting at its own 0 */
	assert_ptr_equal(s.base, DATA + 4);
	assert_int_equal(s.len, 8);
	assert_int_equal(s.pos, 0);
	assert_int_equal(c.pos, 9);
	assert_true(ksr_cur_u32(&s, &v));
	assert_int_equal(v, 0x07060504);
	assert_true(ksr_cur_skip(&s, 4));
	assert_false(ksr_cur_u8(&s, (uint8_t *)&v));
	/* empty at the end is fine, one byte past is not */
	assert_true(ksr_cur_sub(&c, sizeof(DATA), 0, &s));
	assert_int_equal(s.len, 0);
	assert_true(ksr_cur_sub(&c, 0, sizeof(DATA), &s));
	assert_int_equal(s.len, sizeof(DATA));
	s.len = 77;
	assert_false(ksr_cur_sub(&c, sizeof(DATA), 1, &s));
	assert_false(ksr_cur_sub(&c, sizeof(DATA) + 1, 0, &s));
	assert_false(ksr_cur_sub(&c, UINT64_MAX, 0, &s));
	assert_false(ksr_cur_sub(&c, UINT64_MAX, 2, &s));
	assert_false(ksr_cur_sub(&c, 2, UINT64_MAX, &s));
	assert_false(ksr_cur_sub(&c, 4, UINT64_MAX - 3, &s));
	assert_int_equal(s.len, 77);
}

static void test_at(void **state)
{
	struct ksr_cur c = ksr_cur_make(DATA + 1, 15);
	uint32_t v32 = 5;
	uint64_t v64 = 6;

	assert_true(ksr_cur_skip(&c, 3));
	assert_true(ksr_cur_u32_at(&c, 0, &v32));
	assert_int_equal(v32, 0x04030201);
	assert_true(ksr_cur_u32_at(&c, 11, &v32));
	assert_int_equal(v32, 0x0f0e0d0c);
	assert_true(ksr_cur_u64_at(&c, 7, &v64));
	assert_int_equal(v64, 0x0f0e0d0c0b0a0908ull);
	assert_int_equal(c.pos, 3);
	v32 = 5;
	v64 = 6;
	assert_false(ksr_cur_u32_at(&c, 12, &v32));
	assert_false(ksr_cur_u32_at(&c, 15, &v32));
	assert_false(ksr_cur_u32_at(&c, UINT64_MAX, &v32));
	assert_false(ksr_cur_u32_at(&c, UINT64_MAX - 3, &v32));
	assert_false(ksr_cur_u32_at(&c, UINT64_MAX - 1, &v32));
	assert_false(ksr_cur_u64_at(&c, 8, &v64));
	assert_false(ksr_cur_u64_at(&c, UINT64_MAX, &v64));
	assert_false(ksr_cur_u64_at(&c, UINT64_MAX - 7, &v64));
	assert_false(ksr_cur_u64_at(&c, UINT64_MAX - 6, &v64));
	assert_int_equal(v32, 5);
	assert_int_equal(v64, 6);
	assert_int_equal(c.pos, 3);
}

static void test_str_at(void **state)
{
	struct ksr_cur c = ksr_cur_make(DATA, sizeof(DATA));
	struct ksr_cur t = ksr_cur_make(DATA + 16, 3); /* "ab\0" exactly */

	assert_string_equal(ksr_cur_str_at(&c, 16), "ab");
	assert_string_equal(ksr_cur_str_at(&c, 17), "b");
	assert_string_equal(ksr_cur_str_at(&c, 18), "");
	/* DATA[0] is a NUL: the empty string */
	assert_string_equal(ksr_cur_str_at(&c, 0), "");
	/* "c" runs into the end: unterminated */
	assert_null(ksr_cur_str_at(&c, 19));
	assert_null(ksr_cur_str_at(&c, 20));
	assert_null(ksr_cur_str_at(&c, 21));
	assert_null(ksr_cur_str_at(&c, UINT64_MAX));
	assert_null(ksr_cur_str_at(&c, (uint64_t)SIZE_MAX));
	assert_null(ksr_cur_str_at(&c, 1ull << 32));
	/* the terminator is the last byte of the cursor */
	assert_string_equal(ksr_cur_str_at(&t, 0), "ab");
	assert_string_equal(ksr_cur_str_at(&t, 2), "");
	assert_null(ksr_cur_str_at(&t, 3));
	/* the bytes after the cursor are not looked at */
	t = ksr_cur_make(DATA + 16, 2);
	assert_null(ksr_cur_str_at(&t, 0));
	assert_null(ksr_cur_str_at(&t, 1));
}

/* A cursor of length 0: everything but zero-length requests fails. */
static void test_empty(void **state)
{
	static const uint8_t one[1] = { 7 };
	struct ksr_cur c = ksr_cur_make(one, 0), s;
	const uint8_t *p = NULL;
	uint32_t v32;
	uint8_t v8;

	assert_int_equal(ksr_cur_left(&c), 0);
	assert_false(ksr_cur_u8(&c, &v8));
	assert_false(ksr_cur_u32_at(&c, 0, &v32));
	assert_null(ksr_cur_str_at(&c, 0));
	assert_true(ksr_cur_seek(&c, 0));
	assert_false(ksr_cur_seek(&c, 1));
	assert_true(ksr_cur_skip(&c, 0));
	assert_true(ksr_cur_bytes(&c, 0, &p));
	assert_ptr_equal(p, one);
	assert_true(ksr_cur_sub(&c, 0, 0, &s));
	assert_int_equal(s.len, 0);
	assert_false(ksr_cur_sub(&c, 0, 1, &s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_ok),
		cmocka_unit_test(test_make_left),
		cmocka_unit_test(test_seek),
		cmocka_unit_test(test_skip),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_scalars_short),
		cmocka_unit_test(test_sub),
		cmocka_unit_test(test_at),
		cmocka_unit_test(test_str_at),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
