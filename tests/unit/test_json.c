// SPDX-License-Identifier: BSD-2-Clause
/* The JSON writer (offline/json.c). Strings: valid UTF-8 passes through,
 * control characters are \u00XX, every byte outside a well-formed UTF-8
 * sequence is \udcXX (surrogateescape), and the original bytes can always
 * be recovered from the output (docs/cli.md, "JSON strings"). Documents:
 * separators, nesting and the --pretty layout, byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output.h"
#include "testutil.h"

/* The JSON text of ksr_json_str(s), without the trailing newline. */
static char *json_of(const char *s)
{
	struct ksr_json j;
	struct tu_mem m;

	assert_non_null(tu_mem_open(&m));
	ksr_json_init(&j, m.f, false);
	ksr_json_str(&j, s);
	return tu_mem_text(&m);
}

static void expect(const char *in, const char *want)
{
	char *got = json_of(in);

	assert_string_equal(got, want);
	free(got);
}

static void test_ascii(void **state)
{
	expect("", "\"\"");
	expect("prog.bpf.o", "\"prog.bpf.o\"");
	expect("a\"b\\c/d", "\"a\\\"b\\\\c/d\"");
	expect("\x01\t\n\x1b[31m\x1f\x7f~", "\"\\u0001\\u0009\\u000a\\u001b[31m\\u001f\\u007f~\"");
}

static void test_valid_multibyte(void **state)
{
	expect("uni/\xe7\xa8\x8b\xe5\xba\x8f \xe2\x9c\x93.o", "\"uni/\xe7\xa8\x8b\xe5\xba\x8f \xe2\x9c\x93.o\"");
	expect("\xc3\xa9", "\"\xc3\xa9\"");                         /* U+00E9 */
	expect("\xc2\xa0", "\"\xc2\xa0\"");                         /* U+00A0, first after C1 */
	expect("\xdf\xbf", "\"\xdf\xbf\"");                         /* U+07FF */
	expect("\xe0\xa0\x80", "\"\xe0\xa0\x80\"");                 /* U+0800, shortest 3-byte */
	expect("\xed\x9f\xbf", "\"\xed\x9f\xbf\"");                 /* U+D7FF, below the surrogates */
	expect("\xee\x80\x80", "\"\xee\x80\x80\"");                 /* U+E000, above them */
	expect("\xef\xbf\xbf", "\"\xef\xbf\xbf\"");                 /* U+FFFF */
	expect("\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\"");         /* U+10000 */
	expect("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");         /* U+1F600 */
	expect("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");         /* U+10FFFF */
}

static void test_c1_controls(void **state)
{
	/* valid UTF-8, but terminal controls (U+009B is CSI): escaped as the
	 * code points they are */
	expect("\xc2\x80", "\"\\u0080\"");
	expect("a\xc2\x9b" "31m", "\"a\\u009b31m\"");
	expect("\xc2\x9f", "\"\\u009f\"");
}

static void test_overlong(void **state)
{
	expect("\xc0\xaf", "\"\\udcc0\\udcaf\"");                    /* '/' in 2 bytes */
	expect("\xc1\xbf", "\"\\udcc1\\udcbf\"");
	expect("\xe0\x80\xaf", "\"\\udce0\\udc80\\udcaf\"");
	expect("\xe0\x9f\xbf", "\"\\udce0\\udc9f\\udcbf\"");
	expect("\xf0\x80\x80\xaf", "\"\\udcf0\\udc80\\udc80\\udcaf\"");
	expect("\xf0\x8f\xbf\xbf", "\"\\udcf0\\udc8f\\udcbf\\udcbf\"");
	expect("\xc0\x80", "\"\\udcc0\\udc80\"");                    /* "modified UTF-8" NUL */
}

static void test_surrogates_and_range(void **state)
{
	expect("\xed\xa0\x80", "\"\\udced\\udca0\\udc80\"");         /* U+D800 */
	expect("\xed\xbf\xbf", "\"\\udced\\udcbf\\udcbf\"");         /* U+DFFF */
	/* CESU-8 pair for U+1F600 */
	expect("\xed\xa0\xbd\xed\xb8\x80", "\"\\udced\\udca0\\udcbd\\udced\\udcb8\\udc80\"");
	expect("\xf4\x90\x80\x80", "\"\\udcf4\\udc90\\udc80\\udc80\"");  /* U+110000 */
	expect("\xf5\x80\x80\x80", "\"\\udcf5\\udc80\\udc80\\udc80\"");
	expect("\xf8\x88\x80\x80\x80", "\"\\udcf8\\udc88\\udc80\\udc80\\udc80\"");
	expect("\xfe\xff", "\"\\udcfe\\udcff\"");
}

static void test_truncated_and_stray(void **state)
{
	expect("\xe2\x82", "\"\\udce2\\udc82\"");                    /* end of string */
	expect("\xe2\x82" "A", "\"\\udce2\\udc82A\"");
	expect("\xf0\x9f\x98", "\"\\udcf0\\udc9f\\udc98\"");
	expect("\xc3", "\"\\udcc3\"");
	expect("\x80", "\"\\udc80\"");                               /* lone continuation */
	expect("\xbf\xbf", "\"\\udcbf\\udcbf\"");
	/* an invalid lead, then a valid sequence: only the lead is escaped */
	expect("\xe4\xc3\xa9", "\"\\udce4\xc3\xa9\"");
	expect("\xff" "\xe2\x9c\x93", "\"\\udcff\xe2\x9c\x93\"");
	/* Latin-1 file names (one byte per character) */
	expect("caf\xe9.o", "\"caf\\udce9.o\"");
}

/* Decodes the writer's output back to bytes: \udcXX to byte XX, \u00XX to
 * that code point in UTF-8 (or the byte for < 0x80), raw bytes as they
 * are. Only what the writer emits. */
static size_t decode(const char *js, char *out)
{
	size_t o = 0;

	assert_int_equal(*js, '"');
	for (js++; *js != '"'; js++) {
		unsigned int v;

		if (*js != '\\') {
			out[o++] = *js;
			continue;
		}
		js++;
		if (*js != 'u') {
			out[o++] = *js;
			continue;
		}
		assert_int_equal(sscanf(js + 1, "%4x", &v), 1);
		js += 4;
		if (v >= 0xdc80 && v <= 0xdcff) {
			out[o++] = (char)(v - 0xdc00);
		} else if (v < 0x80) {
			out[o++] = (char)v;
		} else {
			assert_true(v < 0xa0);   /* only C1 controls are escaped */
			out[o++] = (char)0xc2;
			out[o++] = (char)v;
		}
	}
	assert_int_equal(js[1], '\0');
	out[o] = '\0';
	return o;
}

/* Reversible: random byte strings (biased towards UTF-8 lead and
 * continuation bytes) come back byte for byte. */
static void test_round_trip(void **state)
{
	static const unsigned char pool[] = { 'a', '/', '"', '\\', 0x01, 0x1b, 0x7f, 0x80, 0x9b,
					      0xbf, 0xc0, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef,
					      0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x90, 0x8f };
	uint32_t x = 12345;

	for (int iter = 0; iter < 20000; iter++) {
		char in[17], back[17 * 4];
		size_t n = 1 + iter % 16;
		char *js;

		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			in[i] = (char)((x >> 16) % 3 ? pool[(x >> 8) % sizeof(pool)] : (x >> 8) % 255 + 1);
		}
		in[n] = '\0';
		js = json_of(in);
		assert_int_equal(decode(js, back), n);
		assert_memory_equal(back, in, n);
		free(js);
	}
}

/* ---- documents ------------------------------------------------------------- */

/* One document with every value kind, nested, as -j and --pretty print it. */
static char *document(bool pretty)
{
	struct ksr_json j;
	struct tu_mem m;

	assert_non_null(tu_mem_open(&m));
	ksr_json_init(&j, m.f, pretty);
	ksr_json_obj_open(&j);
	ksr_json_key(&j, "u64");
	ksr_json_u64(&j, UINT64_MAX);
	ksr_json_key(&j, "int");
	ksr_json_int(&j, INT64_MIN);
	ksr_json_key(&j, "hex");
	ksr_json_hex(&j, 0xffffffff81000000ull);
	ksr_json_key(&j, "bools");
	ksr_json_arr_open(&j);
	ksr_json_bool(&j, true);
	ksr_json_bool(&j, false);
	ksr_json_arr_close(&j);
	ksr_json_key(&j, "empty");
	ksr_json_obj_open(&j);
	ksr_json_obj_close(&j);
	ksr_json_key(&j, "none");
	ksr_json_arr_open(&j);
	ksr_json_arr_close(&j);
	ksr_json_key(&j, "k\"\x01\xff");
	ksr_json_arr_open(&j);
	ksr_json_obj_open(&j);
	ksr_json_key(&j, "s");
	ksr_json_str(&j, "x");
	ksr_json_obj_close(&j);
	ksr_json_int(&j, 0);
	ksr_json_arr_close(&j);
	ksr_json_obj_close(&j);
	ksr_json_end(&j);
	return tu_mem_text(&m);
}

static void test_document_compact(void **state)
{
	char *got = document(false);

	assert_string_equal(got, "{\"u64\":18446744073709551615,\"int\":-9223372036854775808,"
				 "\"hex\":\"0xffffffff81000000\",\"bools\":[true,false],\"empty\":{},"
				 "\"none\":[],\"k\\\"\\u0001\\udcff\":[{\"s\":\"x\"},0]}\n");
	free(got);
}

static void test_document_pretty(void **state)
{
	char *got = document(true);

	assert_string_equal(got, "{\n"
				 "  \"u64\": 18446744073709551615,\n"
				 "  \"int\": -9223372036854775808,\n"
				 "  \"hex\": \"0xffffffff81000000\",\n"
				 "  \"bools\": [\n"
				 "    true,\n"
				 "    false\n"
				 "  ],\n"
				 "  \"empty\": {},\n"
				 "  \"none\": [],\n"
				 "  \"k\\\"\\u0001\\udcff\": [\n"
				 "    {\n"
				 "      \"s\": \"x\"\n"
				 "    },\n"
				 "    0\n"
				 "  ]\n"
				 "}\n");
	free(got);
}

/* Values at the top level are separated by a comma alone, even with
 * --pretty: line breaks belong inside containers; ksr_json_end() ends the
 * document with the only top-level one. */
static void test_top_level(void **state)
{
	struct ksr_json j;
	struct tu_mem m;
	char *got;

	assert_non_null(tu_mem_open(&m));
	ksr_json_init(&j, m.f, true);
	ksr_json_str(&j, "a");
	ksr_json_u64(&j, 1);
	ksr_json_end(&j);
	got = tu_mem_text(&m);
	assert_string_equal(got, "\"a\",1\n");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_valid_multibyte),
		cmocka_unit_test(test_c1_controls),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_surrogates_and_range),
		cmocka_unit_test(test_truncated_and_stray),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_document_compact),
		cmocka_unit_test(test_document_pretty),
		cmocka_unit_test(test_top_level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
