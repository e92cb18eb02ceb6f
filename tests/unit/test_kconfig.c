// SPDX-License-Identifier: BSD-2-Clause
/* The .ksr.opt.kconfig section builder (core/kconfig.c): what is kept,
 * in which order, what libbpf would refuse, and the bounds. Lookups and
 * libbpf's value rules are tested end to end in tests/cli/kconfig.sh. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "kconfig.h"

static uint32_t u32_at(const struct ksr_buf *b, size_t off)
{
	uint32_t v;

	memcpy(&v, b->data + off, 4);
	return v;
}

static const char *str_at(const struct ksr_buf *b, uint32_t off)
{
	return (const char *)b->data + 16 + 8 * u32_at(b, 0) + off;
}

static int build(const char *text, struct ksr_buf *b)
{
	memset(b, 0, sizeof(*b));
	return ksr_kconfig_build(text, strlen(text), b);
}

static void test_first_wins_sorted(void **state)
{
	struct ksr_buf b;
	(void)state;

	assert_int_equal(build("# c\nCONFIG_Z=1\nCONFIG_A=\"x=y\"\n# CONFIG_N is not set\n\nCONFIG_Z=2\nX_CONFIG_Q=1\nCONFIG_M=m", &b), 0);
	assert_int_equal(u32_at(&b, 0), 3);          /* A, M, Z */
	assert_int_equal(u32_at(&b, 8), 0);          /* nothing refused */
	assert_int_equal(b.len, 16 + 3 * 8 + u32_at(&b, 4));
	assert_string_equal(str_at(&b, u32_at(&b, 16)), "CONFIG_A");
	assert_string_equal(str_at(&b, u32_at(&b, 20)), "\"x=y\"");  /* after the first '=' */
	assert_string_equal(str_at(&b, u32_at(&b, 24)), "CONFIG_M");
	assert_string_equal(str_at(&b, u32_at(&b, 28)), "m");       /* last line without '\n' */
	assert_string_equal(str_at(&b, u32_at(&b, 32)), "CONFIG_Z");
	assert_string_equal(str_at(&b, u32_at(&b, 36)), "1");       /* the first occurrence */
	ksr_buf_free(&b);
}

static void test_refused_lines(void **state)
{
	struct ksr_buf b;
	(void)state;

	assert_int_equal(build("CONFIG_A=1\nCONFIG_B=\nCONFIG_C\n", &b), 0);
	assert_int_equal(u32_at(&b, 0), 1);
	assert_int_equal(u32_at(&b, 8), 2);          /* the first refused line */
	assert_int_equal(u32_at(&b, 12), KSR_KCONFIG_BAD_NO_VALUE);
	ksr_buf_free(&b);
	assert_int_equal(build("CONFIG_C\nCONFIG_B=\n", &b), 0);
	assert_int_equal(u32_at(&b, 8), 1);
	assert_int_equal(u32_at(&b, 12), KSR_KCONFIG_BAD_NO_SEP);
	ksr_buf_free(&b);
	assert_int_equal(build("", &b), 0);           /* empty: no entries, no refusal */
	assert_int_equal(u32_at(&b, 0), 0);
	assert_int_equal(b.len, 17);
	ksr_buf_free(&b);
}

static void test_bounds(void **state)
{
	struct ksr_buf b = { 0 };
	char *text = malloc(KSR_KCONFIG_LINE_MAX + 20);
	(void)state;

	assert_non_null(text);
	memcpy(text, "CONFIG_L=", 9);
	memset(text + 9, 'x', KSR_KCONFIG_LINE_MAX - 9);
	text[KSR_KCONFIG_LINE_MAX] = '\0';             /* exactly the longest line */
	assert_int_equal(ksr_kconfig_build(text, KSR_KCONFIG_LINE_MAX, &b), 0);
	ksr_buf_free(&b);
	memset(&b, 0, sizeof(b));
	text[KSR_KCONFIG_LINE_MAX] = 'x';              /* one more byte */
	assert_int_equal(ksr_kconfig_build(text, KSR_KCONFIG_LINE_MAX + 1, &b), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "line 1 at offset 0"));
	assert_int_equal(ksr_kconfig_build("CONFIG_A=1\n\0", 12, &b), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "offset 11"));
	ksr_buf_free(&b);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_wins_sorted),
		cmocka_unit_test(test_refused_lines),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
