// SPDX-License-Identifier: BSD-2-Clause
/* The report code of resolve and check (output/report.c): one extern's
 * decision as a JSON object and as a text line, for every status and
 * address class; and the text escaping every input string goes through
 * (ksr_print_safe*, output/output.h): printable ASCII as is, every other byte
 * as \xNN. Byte-exact, as the CLI prints them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output.h"
#include "report.h"
#include "testutil.h"

static void out_open(struct tu_mem *o)
{
	assert_non_null(tu_mem_open(o));
}

static void out_expect(struct tu_mem *o, const char *want)
{
	char *got = tu_mem_text(o);

	assert_string_equal(got, want);
	free(got);
}

static struct ksr_extern ext(const char *name, enum ksr_extern_kind kind, bool weak)
{
	struct ksr_extern e = { .name = name, .kind = kind, .weak = weak };

	return e;
}

static struct ksr_verdict decision(enum ksr_status status, const char *reason, const char *note)
{
	struct ksr_verdict d = { .status = status, .reason = reason, .note = note };

	return d;
}

static void expect_json(const struct ksr_extern *e, const struct ksr_verdict *d, bool pretty,
			const char *want)
{
	struct ksr_json j;
	struct tu_mem o;

	out_open(&o);
	ksr_json_init(&j, o.f, pretty);
	ksr_report_extern_json(&j, e, d);
	ksr_json_end(&j);
	out_expect(&o, want);
}

static void expect_text(const struct ksr_extern *e, const struct ksr_verdict *d, const char *want)
{
	struct tu_mem o;

	out_open(&o);
	ksr_report_extern_text(o.f, e, d);
	out_expect(&o, want);
}

/* ---- the JSON extern object ------------------------------------------------ */

/* Resolved var and func: btf_id, no reason. */
static void test_json_resolved_typed(void **state)
{
	struct ksr_extern v = ext("runqueues", KSR_EXTERN_VAR, false);
	struct ksr_extern f = ext("bpf_task_acquire", KSR_EXTERN_FUNC, true);
	struct ksr_verdict d = decision(KSR_STATUS_RESOLVED, "", "");

	d.btf_id = 4242;
	expect_json(&v, &d, false,
		    "{\"name\":\"runqueues\",\"kind\":\"var\",\"weak\":false,\"status\":\"resolved\","
		    "\"btf_id\":4242}\n");
	expect_json(&f, &d, false,
		    "{\"name\":\"bpf_task_acquire\",\"kind\":\"func\",\"weak\":true,"
		    "\"status\":\"resolved\",\"btf_id\":4242}\n");
	expect_json(&v, &d, true,
		    "{\n  \"name\": \"runqueues\",\n  \"kind\": \"var\",\n  \"weak\": false,\n"
		    "  \"status\": \"resolved\",\n  \"btf_id\": 4242\n}\n");
}

/* Resolved typeless: the address as a hex string and its KASLR class,
 * never a btf_id. */
static void test_json_resolved_typeless(void **state)
{
	static const struct {
		enum ksr_addr_class cls;
		const char *name;
	} classes[] = {
		{ KSR_ADDR_KERNEL, "kernel" },
		{ KSR_ADDR_FIXED, "fixed" },
		{ KSR_ADDR_MODULE, "module" },
	};
	struct ksr_extern e = ext("bpf_prog_put", KSR_EXTERN_TYPELESS, false);

	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		struct ksr_verdict d = decision(KSR_STATUS_RESOLVED, "", "");
		char want[256];

		d.btf_id = 7;
		d.addr = 0xffffffff81234560ull;
		d.addr_class = classes[i].cls;
		snprintf(want, sizeof(want),
			 "{\"name\":\"bpf_prog_put\",\"kind\":\"typeless\",\"weak\":false,"
			 "\"status\":\"resolved\",\"address\":\"0xffffffff81234560\",\"kaslr\":\"%s\"}\n",
			 classes[i].name);
		expect_json(&e, &d, false, want);
	}
}

/* Every other status: a reason, no btf_id, no address; a note when set. */
static void test_json_unresolved(void **state)
{
	struct ksr_extern w = ext("bpf_missing", KSR_EXTERN_TYPELESS, true);
	struct ksr_extern f = ext("bpf_kf", KSR_EXTERN_FUNC, false);
	struct ksr_verdict d = decision(KSR_STATUS_WEAK_UNRESOLVED, "not in kallsyms", "");

	d.btf_id = 9;
	d.addr = 0x1234;
	expect_json(&w, &d, false,
		    "{\"name\":\"bpf_missing\",\"kind\":\"typeless\",\"weak\":true,"
		    "\"status\":\"weak_unresolved\",\"reason\":\"not in kallsyms\"}\n");
	d = decision(KSR_STATUS_MISSING, "no FUNC of that name", "");
	expect_json(&f, &d, false,
		    "{\"name\":\"bpf_kf\",\"kind\":\"func\",\"weak\":false,\"status\":\"missing\","
		    "\"reason\":\"no FUNC of that name\"}\n");
	d = decision(KSR_STATUS_INCOMPATIBLE, "parameter 1: int vs long", "");
	expect_json(&f, &d, false,
		    "{\"name\":\"bpf_kf\",\"kind\":\"func\",\"weak\":false,\"status\":\"incompatible\","
		    "\"reason\":\"parameter 1: int vs long\"}\n");
	d = decision(KSR_STATUS_UNLOADABLE, "not a kfunc", "module BTF not checked");
	expect_json(&f, &d, true,
		    "{\n  \"name\": \"bpf_kf\",\n  \"kind\": \"func\",\n  \"weak\": false,\n"
		    "  \"status\": \"unloadable\",\n  \"reason\": \"not a kfunc\",\n"
		    "  \"note\": \"module BTF not checked\"\n}\n");
}

/* Names and reasons quote input bytes: escaped as JSON strings, invalid
 * UTF-8 as \udcXX (test_json.c has the writer's full rules). */
static void test_json_untrusted(void **state)
{
	struct ksr_extern e = ext("x\"\x1b[2J\xff", KSR_EXTERN_VAR, false);
	struct ksr_verdict d = decision(KSR_STATUS_MISSING, "caf\xe9 \xe2\x9c\x93", "a\nb");

	expect_json(&e, &d, false,
		    "{\"name\":\"x\\\"\\u001b[2J\\udcff\",\"kind\":\"var\",\"weak\":false,"
		    "\"status\":\"missing\",\"reason\":\"caf\\udce9 \xe2\x9c\x93\",\"note\":\"a\\u000ab\"}\n");
}

/* Extern objects in an array, as resolve -j prints them. */
static void test_json_in_array(void **state)
{
	struct ksr_extern a = ext("a", KSR_EXTERN_VAR, false), b = ext("b", KSR_EXTERN_FUNC, true);
	struct ksr_verdict da = decision(KSR_STATUS_RESOLVED, "", "");
	struct ksr_verdict db = decision(KSR_STATUS_MISSING, "gone", "");
	struct ksr_json j;
	struct tu_mem o;

	da.btf_id = 1;
	out_open(&o);
	ksr_json_init(&j, o.f, false);
	ksr_json_arr_open(&j);
	ksr_report_extern_json(&j, &a, &da);
	ksr_report_extern_json(&j, &b, &db);
	ksr_json_arr_close(&j);
	ksr_json_end(&j);
	out_expect(&o, "[{\"name\":\"a\",\"kind\":\"var\",\"weak\":false,\"status\":\"resolved\","
		       "\"btf_id\":1},{\"name\":\"b\",\"kind\":\"func\",\"weak\":true,"
		       "\"status\":\"missing\",\"reason\":\"gone\"}]\n");
}

/* ---- the text line ---------------------------------------------------------- */

static void test_text_resolved(void **state)
{
	struct ksr_extern v = ext("runqueues", KSR_EXTERN_VAR, false);
	struct ksr_extern f = ext("bpf_task_acquire", KSR_EXTERN_FUNC, true);
	struct ksr_extern t = ext("bpf_prog_put", KSR_EXTERN_TYPELESS, false);
	struct ksr_verdict d = decision(KSR_STATUS_RESOLVED, "", "");

	d.btf_id = 4242;
	expect_text(&v, &d, "  resolved        var           runqueues  btf_id 4242\n");
	expect_text(&f, &d, "  resolved        func     weak bpf_task_acquire  btf_id 4242\n");
	d.addr = 0xffffffff81234560ull;
	d.addr_class = KSR_ADDR_KERNEL;
	expect_text(&t, &d,
		    "  resolved        typeless      bpf_prog_put  0xffffffff81234560 (moves with KASLR)\n");
	d.addr = 0x2a000;
	d.addr_class = KSR_ADDR_FIXED;
	expect_text(&t, &d, "  resolved        typeless      bpf_prog_put  0x2a000 (absolute)\n");
	d.addr = 0xffffffffc0001000ull;
	d.addr_class = KSR_ADDR_MODULE;
	expect_text(&t, &d,
		    "  resolved        typeless      bpf_prog_put  0xffffffffc0001000 (module address)\n");
	d.note = "n";
	expect_text(&t, &d,
		    "  resolved        typeless      bpf_prog_put  0xffffffffc0001000 (module address)"
		    " (note: n)\n");
}

static void test_text_unresolved(void **state)
{
	struct ksr_extern w = ext("bpf_missing", KSR_EXTERN_TYPELESS, true);
	struct ksr_extern f = ext("bpf_kf", KSR_EXTERN_FUNC, false);
	struct ksr_verdict d = decision(KSR_STATUS_WEAK_UNRESOLVED, "not in kallsyms", "");

	expect_text(&w, &d, "  weak_unresolved typeless weak bpf_missing: not in kallsyms\n");
	d = decision(KSR_STATUS_INCOMPATIBLE, "parameter 1: int vs long", "");
	d.btf_id = 3;
	expect_text(&f, &d, "  incompatible    func          bpf_kf: parameter 1: int vs long\n");
	d = decision(KSR_STATUS_UNLOADABLE, "not a kfunc", "module BTF not checked");
	expect_text(&f, &d,
		    "  unloadable      func          bpf_kf: not a kfunc (note: module BTF not checked)\n");
}

/* Name, reason and note go through ksr_print_safe(): a name cannot move
 * the cursor or recolour the terminal. */
static void test_text_untrusted(void **state)
{
	struct ksr_extern e = ext("x\x1b[2J\xff", KSR_EXTERN_VAR, false);
	struct ksr_verdict d = decision(KSR_STATUS_MISSING, "caf\xe9\r", "a\nb");

	expect_text(&e, &d,
		    "  missing         var           x\\x1b[2J\\xff: caf\\xe9\\x0d (note: a\\x0ab)\n");
}

/* ---- text escaping --------------------------------------------------------------- */

static void expect_safe(const char *in, const char *want)
{
	struct tu_mem o;

	out_open(&o);
	ksr_print_safe(o.f, in);
	out_expect(&o, want);
}

static void test_print_safe(void **state)
{
	expect_safe("", "");
	expect_safe("bpf_prog_put ~!\"\\", "bpf_prog_put ~!\"\\");
	expect_safe("\x01\t\n\r\x1b[31m\x1f\x7f", "\\x01\\x09\\x0a\\x0d\\x1b[31m\\x1f\\x7f");
	/* UTF-8 is bytes >= 0x80 like any other: text output is ASCII only */
	expect_safe("\xc3\xa9\xe2\x9c\x93", "\\xc3\\xa9\\xe2\\x9c\\x93");
	expect_safe("\xc2\x9b" "2J\xff", "\\xc2\\x9b2J\\xff");
}

static void test_print_safe_lines(void **state)
{
	struct tu_mem o;

	out_open(&o);
	ksr_print_safe_lines(o.f, "line 1\nline\t2\x1b\n\n\xff");
	out_expect(&o, "line 1\nline\\x092\\x1b\n\n\\xff");
}

static void expect_col(const char *in, size_t width, size_t max, const char *want)
{
	struct tu_mem o;

	out_open(&o);
	ksr_print_safe_col(o.f, in, width, max);
	out_expect(&o, want);
}

/* printf's "%-width.maxs" over the escaped form; an escape is never cut. */
static void test_print_safe_col(void **state)
{
	expect_col("abc", 6, 6, "abc   ");
	expect_col("abcdefgh", 6, 6, "abcdef");
	expect_col("abcdefgh", 4, 6, "abcdef");
	expect_col("ab\x1b", 8, 8, "ab\\x1b  ");
	expect_col("ab\x1b", 5, 5, "ab   ");        /* \x1b would need 4, 3 are left */
	expect_col("ab\x1b", 6, 6, "ab\\x1b");
	expect_col("", 3, 3, "   ");
	expect_col("abc", 0, 0, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_resolved_typed),
		cmocka_unit_test(test_json_resolved_typeless),
		cmocka_unit_test(test_json_unresolved),
		cmocka_unit_test(test_json_untrusted),
		cmocka_unit_test(test_json_in_array),
		cmocka_unit_test(test_text_resolved),
		cmocka_unit_test(test_text_unresolved),
		cmocka_unit_test(test_text_untrusted),
		cmocka_unit_test(test_print_safe),
		cmocka_unit_test(test_print_safe_lines),
		cmocka_unit_test(test_print_safe_col),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
