// SPDX-License-Identifier: BSD-2-Clause
/* Spans (core/source.c): a span over a file read with pread answers like a
 * span over the same bytes in memory, for the cases the block logic tells
 * apart (inside a block, across a block boundary, longer than a block, at
 * the end of the file); copies stay where they are and keep the file
 * offset's alignment; a file that shrinks while open, and lookups that
 * would copy more than the file holds, fail once and for good. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "fileio.h"
#include "ksymres/ksymres.h"
#include "source.h"
#include "testutil.h"

static char path[PATH_MAX];

static void put_file(const void *data, size_t len)
{
	const char *work = getenv("KSR_WORK");
	FILE *f;

	snprintf(path, sizeof(path), "%s/test_source.%d", work ? work : "/tmp", (int)getpid());
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Bytes with a NUL every 1..63 bytes: short strings everywhere. */
static uint8_t *sample(size_t len)
{
	uint8_t *b = malloc(len);
	uint32_t x = 12345;

	assert_non_null(b);
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (x >> 16) % 64 ? (uint8_t)('a' + (x >> 20) % 26) : 0;
	}
	return b;
}

static void same_get(const struct ksr_span *f, const struct ksr_span *m, uint64_t off,
		     uint64_t len)
{
	const uint8_t *a = ksr_span_get(f, off, len), *b = ksr_span_get(m, off, len);

	assert_int_equal(a == NULL, b == NULL);
	if (!a)
		return;
	assert_memory_equal(a, b, len);
	if (!len)
		return;
	/* a copy keeps the file offset's alignment, and stays put */
	assert_int_equal(((uintptr_t)a - (f->off + off)) % 8, 0);
	assert_ptr_equal(ksr_span_get(f, off, len), a);
}

static void same_str(const struct ksr_span *f, const struct ksr_span *m, uint64_t off)
{
	const char *a = ksr_span_str(f, off), *b = ksr_span_str(m, off);

	assert_int_equal(a == NULL, b == NULL);
	if (a)
		assert_string_equal(a, b);
}

static void test_same_as_memory(void **state)
{
	static const uint64_t offs[] = { 0, 1, 5, 8, 100, 505, 511, 512, 513, 1000, 1023, 1024,
					 1536, 2047, 2048, 4000, 4600, 4699, 4700, 4701, 9999 };
	static const uint64_t lens[] = { 0, 1, 4, 12, 24, 64, 500, 511, 512, 513, 1000, 1024,
					 1025, 2000, 4700 };
	const size_t len = 5000;
	uint8_t *bytes = sample(len);
	struct ksr_span whole_f, whole_m, f, m;
	struct ksr_src *src;

	put_file(bytes, len);
	assert_int_equal(ksr_src_open(path, KSR_MAX_INPUT, &src), 0);
	whole_f = ksr_span_file(src);
	whole_m = ksr_span_mem(bytes, len);
	assert_int_equal(whole_f.len, len);
	/* the whole file, and a part that starts off any block boundary */
	for (int part = 0; part < 2; part++) {
		if (part) {
			assert_true(ksr_span_sub(&whole_f, 100, 4700, &f));
			assert_true(ksr_span_sub(&whole_m, 100, 4700, &m));
		} else {
			f = whole_f;
			m = whole_m;
		}
		for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
			for (size_t j = 0; j < sizeof(lens) / sizeof(lens[0]); j++)
				same_get(&f, &m, offs[i], lens[j]);
			same_str(&f, &m, offs[i]);
		}
		for (uint64_t off = 0; off <= f.len; off += 7)
			same_str(&f, &m, off);
	}
	/* a part that ends inside a string: no NUL before its end */
	assert_true(ksr_span_sub(&whole_f, 0, 1, &f));
	assert_true(ksr_span_sub(&whole_m, 0, 1, &m));
	if (bytes[0])
		assert_null(ksr_span_str(&f, 0));
	same_str(&f, &m, 0);
	assert_false(ksr_span_sub(&whole_f, 4999, 2, &f));
	assert_false(ksr_span_sub(&whole_f, UINT64_MAX, 2, &f));
	assert_null(ksr_span_get(&whole_f, UINT64_MAX, 2));
	/* nothing above failed to read */
	assert_int_equal(ksr_src_error(src), 0);
	ksr_src_free(src);
	unlink(path);
	free(bytes);
}

/* Reads that keep no copy: the bytes, bounds, and a file cut short. */
static void test_pread(void **state)
{
	uint8_t *bytes = sample(3000), buf[3000];
	struct ksr_src *src;

	put_file(bytes, 3000);
	assert_int_equal(ksr_src_open(path, KSR_MAX_INPUT, &src), 0);
	assert_int_equal(ksr_src_size(src), 3000);
	assert_int_equal(ksr_src_pread(src, buf, 3000, 0), 0);
	assert_memory_equal(buf, bytes, 3000);
	assert_int_equal(ksr_src_pread(src, buf, 10, 2995), -KSR_EMALFORMED);
	assert_int_equal(truncate(path, 100), 0);
	assert_int_equal(ksr_src_pread(src, buf, 200, 0), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "changed while in use"));
	ksr_src_free(src);
	unlink(path);
	free(bytes);
}

static void test_shrinks(void **state)
{
	uint8_t *bytes = sample(16384);
	struct ksr_span f;
	struct ksr_src *src;
	const void *head;

	put_file(bytes, 16384);
	assert_int_equal(ksr_src_open(path, KSR_MAX_INPUT, &src), 0);
	f = ksr_span_file(src);
	head = ksr_span_get(&f, 0, 16);
	assert_non_null(head);
	assert_int_equal(truncate(path, 10000), 0);
	assert_null(ksr_span_get(&f, 12000, 8));
	assert_int_equal(ksr_src_error(src), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "changed while in use"));
	/* sticky: even bytes still in the file are not read any more */
	assert_null(ksr_span_get(&f, 5000, 8));
	assert_int_equal(ksr_src_error(src), -KSR_EMALFORMED);
	/* copies made before stay valid */
	assert_ptr_equal(ksr_span_get(&f, 0, 16), head);
	assert_memory_equal(head, bytes, 16);
	ksr_src_free(src);
	unlink(path);
	free(bytes);
}

/* Copies are held to twice the file's size plus 1 MiB: here, strings that
 * each run to the end of a 2 MiB file; the third is refused. */
static void test_budget(void **state)
{
	const size_t len = 2u << 20;
	uint8_t *bytes = malloc(len);
	struct ksr_span f;
	struct ksr_src *src;
	const char *s;

	assert_non_null(bytes);
	memset(bytes, 'a', len - 1);
	bytes[len - 1] = '\0';
	put_file(bytes, len);
	assert_int_equal(ksr_src_open(path, KSR_MAX_INPUT, &src), 0);
	f = ksr_span_file(src);
	s = ksr_span_str(&f, 0);
	assert_non_null(s);
	assert_int_equal(strlen(s), len - 1);
	assert_int_equal(ksr_src_error(src), 0);
	assert_non_null(ksr_span_str(&f, 1));
	assert_int_equal(ksr_src_error(src), 0);
	assert_null(ksr_span_str(&f, 2));
	assert_int_equal(ksr_src_error(src), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "forged indexes"));
	ksr_src_free(src);
	unlink(path);
	free(bytes);
}

static void test_open_refused(void **state)
{
	struct ksr_src *src = (struct ksr_src *)&src;

	put_file("", 0);
	assert_int_equal(ksr_src_open(path, KSR_MAX_INPUT, &src), -KSR_EMALFORMED);
	assert_null(src);
	unlink(path);
	assert_int_equal(ksr_src_open(path, KSR_MAX_INPUT, &src), -ENOENT);
	assert_int_equal(ksr_src_open("/proc/self", KSR_MAX_INPUT, &src), -KSR_EMALFORMED);
	put_file("0123456789", 10);
	assert_int_equal(ksr_src_open(path, 9, &src), -KSR_EMALFORMED);
	assert_int_equal(ksr_src_open(path, 10, &src), 0);
	ksr_src_free(src);
	ksr_src_free(NULL);
	assert_int_equal(ksr_src_error(NULL), 0);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_memory),
		cmocka_unit_test(test_pread),
		cmocka_unit_test(test_shrinks),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_open_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
