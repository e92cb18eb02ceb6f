// SPDX-License-Identifier: BSD-2-Clause
/* kallsyms / System.map parser and index: one test per malformed class of
 * docs/bad-inputs.md (K1-K16), the accepted forms, the key rules, and the
 * indexed view over arbitrary (corrupted) arrays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "hash.h"
#include "kallsyms.h"
#include "ksymres/ksymres.h"
#include "testutil.h"

#define A16(x) x " "  /* a 16-digit address and its separator */

/* ---- helpers ------------------------------------------------------------ */

static struct ksr_kallsyms *parse_len(const char *text, size_t len)
{
	struct ksr_kallsyms *ks = NULL;
	int err = ksr_kallsyms__parse(text, len, &ks);

	if (err)
		fail_msg("parse failed (%d): %s", err, ksr_errmsg());
	assert_non_null(ks);
	return ks;
}

static struct ksr_kallsyms *parse_ok(const char *text)
{
	return parse_len(text, strlen(text));
}

/* Malformed: -EBADMSG, nothing returned, and the message names the line
 * and contains what. */
static void expect_bad_len(const char *text, size_t len, unsigned int line, const char *what)
{
	struct ksr_kallsyms *ks = (struct ksr_kallsyms *)1;
	char want[32];
	int err = ksr_kallsyms__parse(text, len, &ks);

	assert_int_equal(err, -EBADMSG);
	assert_int_equal(err, -KSR_EMALFORMED);
	assert_null(ks);
	if (line) {
		snprintf(want, sizeof(want), "line %u,", line);
		if (!strstr(ksr_errmsg(), want))
			fail_msg("message \"%s\" does not name %s", ksr_errmsg(), want);
		if (!strstr(ksr_errmsg(), "(offset 0x"))
			fail_msg("message \"%s\" has no offset", ksr_errmsg());
	}
	if (what && !strstr(ksr_errmsg(), what))
		fail_msg("message \"%s\" does not contain \"%s\"", ksr_errmsg(), what);
	/* K13: messages never carry raw control or non-ASCII bytes */
	for (const char *m = ksr_errmsg(); *m; m++)
		if ((unsigned char)*m < 0x20 || (unsigned char)*m > 0x7e)
			fail_msg("message contains byte 0x%02x", (unsigned char)*m);
}

static void expect_bad(const char *text, unsigned int line, const char *what)
{
	expect_bad_len(text, strlen(text), line, what);
}

static const char *name_of(const struct ksr_kallsyms *ks, const struct ksr_ksym *k)
{
	const char *s = ksr_kallsyms__str(ks, k->name_off);

	assert_non_null(s);
	return s;
}

static const char *mod_of(const struct ksr_kallsyms *ks, const struct ksr_ksym *k)
{
	const char *s = ksr_kallsyms__str(ks, k->mod_off);

	assert_non_null(s);
	return s;
}

/* The single record whose key is name. */
static const struct ksr_ksym *one(const struct ksr_kallsyms *ks, const char *name)
{
	uint32_t first, cnt;

	if (ksr_kallsyms__lookup(ks, name, &first, &cnt))
		fail_msg("%s not found", name);
	assert_int_equal(cnt, 1);
	return ksr_kallsyms__sym(ks, first);
}

/* The reference order of the header: (hash, key, addr, name, module), hash
 * being the low 32 bits of ksr_hash64(key). */
static int ref_cmp(const struct ksr_kallsyms *ks, const struct ksr_ksym *x,
		   const struct ksr_ksym *y)
{
	const char *nx = name_of(ks, x), *ny = name_of(ks, y);
	uint32_t m = x->key_len < y->key_len ? x->key_len : y->key_len;
	uint32_t hx = (uint32_t)ksr_hash64(nx, x->key_len), hy = (uint32_t)ksr_hash64(ny, y->key_len);
	int r;

	if (hx != hy)
		return hx < hy ? -1 : 1;
	r = memcmp(nx, ny, m);
	if (r)
		return r;
	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	r = strcmp(nx, ny);
	return r ? r : strcmp(mod_of(ks, x), mod_of(ks, y));
}

/* Sorted, every record found by its key, and its run is exactly the records
 * with that key. */
static void check_invariants(const struct ksr_kallsyms *ks)
{
	uint32_t n = ksr_kallsyms__count(ks), len;
	const char *strs = ksr_kallsyms__strs(ks, &len);

	assert_true(len >= 1);
	assert_int_equal(strs[0], '\0');
	for (uint32_t i = 0; i < n; i++) {
		const struct ksr_ksym *k = ksr_kallsyms__sym(ks, i);
		char key[KSR_KSYM_NAME_MAX + 1];
		uint32_t first, cnt;

		assert_int_equal(k->reserved, 0);
		assert_true(k->key_len >= 1 && k->key_len <= strlen(name_of(ks, k)));
		assert_int_equal(!!(k->flags & KSR_KSYM_MODULE), k->mod_off != 0);
		if (i > 0)
			assert_true(ref_cmp(ks, ksr_kallsyms__sym(ks, i - 1), k) <= 0);
		memcpy(key, name_of(ks, k), k->key_len);
		key[k->key_len] = '\0';
		assert_int_equal(ksr_kallsyms__lookup(ks, key, &first, &cnt), 0);
		assert_true(first <= i && i < first + cnt);
		if (first > 0) {
			const struct ksr_ksym *p = ksr_kallsyms__sym(ks, first - 1);

			assert_false(p->key_len == k->key_len &&
				     memcmp(name_of(ks, p), key, k->key_len) == 0);
		}
	}
	assert_null(ksr_kallsyms__sym(ks, n));
}

/* ---- accepted forms ----------------------------------------------------- */

static void test_basic(void **state)
{
	struct ksr_kallsyms *ks = parse_ok(A16("ffffffff81000000") "T _text\n"
					   A16("ffffffff81000000") "T _stext\n"
					   A16("ffffffff81001000") "t do_one_initcall\n"
					   A16("ffffffff82000000") "D jiffies\n"
					   A16("FFFFFFFF82000010") "b Mixed_Case.1\n");
	const struct ksr_ksym *k;
	uint64_t addr = 0;
	uint32_t first, cnt;

	assert_int_equal(ksr_kallsyms__count(ks), 5);
	assert_int_equal(ksr_kallsyms__addr_width(ks), 16);
	assert_true(ksr_kallsyms__text_addr(ks, &addr));
	assert_int_equal(addr, 0xffffffff81000000ull);
	k = one(ks, "do_one_initcall");
	assert_int_equal(k->addr, 0xffffffff81001000ull);
	assert_int_equal(k->type, 't');
	assert_int_equal(k->flags, 0);
	assert_int_equal(k->mod_off, 0);
	assert_string_equal(mod_of(ks, k), "");
	assert_int_equal(one(ks, "Mixed_Case.1")->addr, 0xffffffff82000010ull);
	assert_int_equal(ksr_kallsyms__lookup(ks, "jiffie", &first, &cnt), -ENOENT);
	assert_int_equal(ksr_kallsyms__lookup(ks, "jiffiesx", &first, &cnt), -ENOENT);
	assert_int_equal(ksr_kallsyms__lookup(ks, "", &first, &cnt), -ENOENT);
	assert_true(ksr_kallsyms__has_data_syms(ks));
	check_invariants(ks);
	ksr_kallsyms__free(ks);
	ksr_kallsyms__free(NULL);
}

static void test_modules(void **state)
{
	struct ksr_kallsyms *ks = parse_ok(
		A16("ffffffff81000000") "T _text\n"
		A16("ffffffffc0001000") "t ext4_fill_super\t[ext4]\n"
		A16("ffffffffc0002000") "T ext4_mount\t[ext4]\n"
		A16("ffffffffc0201000") "t ftrace_trampoline\t[__builtin__ftrace]\n"
		A16("ffffffffc0301000") "t bpf_prog_6deef7357e7b4530_x\t[bpf]\n"
		A16("ffffffffc0401000") "t nf_hook\t[nf_tables]\n"
		A16("ffffffffc0002100") "d ext4_data\t[ext4]\n"
		A16("ffffffffc0501000") "t kp\t[__builtin__kprobes]\n");
	const struct ksr_ksym *a = one(ks, "ext4_fill_super"), *b = one(ks, "ext4_mount");
	const struct ksr_ksym *c = one(ks, "ext4_data");

	assert_true(a->flags & KSR_KSYM_MODULE);
	assert_false(a->flags & KSR_KSYM_ABSOLUTE);
	assert_string_equal(mod_of(ks, a), "ext4");
	/* module names are stored once */
	assert_int_equal(a->mod_off, b->mod_off);
	assert_int_equal(a->mod_off, c->mod_off);
	assert_string_equal(mod_of(ks, one(ks, "ftrace_trampoline")), "__builtin__ftrace");
	assert_string_equal(mod_of(ks, one(ks, "bpf_prog_6deef7357e7b4530_x")), "bpf");
	assert_string_equal(mod_of(ks, one(ks, "kp")), "__builtin__kprobes");
	assert_string_equal(name_of(ks, one(ks, "nf_hook")), "nf_hook");
	/* module data symbols are no evidence of CONFIG_KALLSYMS_ALL */
	assert_false(ksr_kallsyms__has_data_syms(ks));
	check_invariants(ks);
	ksr_kallsyms__free(ks);
}

static void test_system_map(void **state)
{
	/* K16: System.map has the same grammar, no module column; a 32-bit map
	 * reports width 8 so a caller can refuse it for a 64-bit profile */
	struct ksr_kallsyms *ks = parse_ok("c1000000 T _text\n"
					   "c1000000 T startup_32\n"
					   "c1800000 D jiffies\n"
					   "c1900000 B __bss_start\n");
	uint64_t addr;

	assert_int_equal(ksr_kallsyms__addr_width(ks), 8);
	assert_true(ksr_kallsyms__text_addr(ks, &addr));
	assert_int_equal(addr, 0xc1000000u);
	assert_int_equal(one(ks, "jiffies")->addr, 0xc1800000u);
	check_invariants(ks);
	ksr_kallsyms__free(ks);
}

static void test_type_letters(void **state)
{
	static const char letters[] = "AaBbDdGgNnRrSsTtUuVvWw";
	char text[1024] = "", line[64];
	struct ksr_kallsyms *ks;

	for (const char *c = letters; *c; c++) {
		snprintf(line, sizeof(line), "ffffffff810000%02x %c sym_%c\n",
			 (unsigned int)(c - letters), *c, *c);
		strcat(text, line);
	}
	ks = parse_ok(text);
	assert_int_equal(ksr_kallsyms__count(ks), strlen(letters));
	assert_int_equal(one(ks, "sym_W")->type, 'W');
	ksr_kallsyms__free(ks);
}

/* ---- K1: over-long lines and names --------------------------------------- */

static void test_k1_long_name(void **state)
{
	char text[4096 + 64];
	struct ksr_kallsyms *ks;
	size_t n;

	/* 511 bytes: the longest name accepted */
	n = (size_t)snprintf(text, sizeof(text), A16("ffffffff81000000") "T ");
	memset(text + n, 'n', 511);
	strcpy(text + n + 511, "\n");
	ks = parse_ok(text);
	assert_int_equal(ksr_kallsyms__sym(ks, 0)->key_len, 511);
	ksr_kallsyms__free(ks);

	/* 512 on line 2 */
	n = (size_t)snprintf(text, sizeof(text),
			     A16("ffffffff81000000") "T a\n" A16("ffffffff81000000") "T ");
	memset(text + n, 'n', 512);
	strcpy(text + n + 512, "\n");
	expect_bad(text, 2, "name: longer than 511 bytes");

	/* a 4 KiB garbage name without newline: refused without reading it all */
	memset(text + n, 'x', 4000);
	text[n + 4000] = '\0';
	expect_bad(text, 2, "longer than 511");
}

static void test_k1_long_module(void **state)
{
	char text[2048];
	size_t n = (size_t)snprintf(text, sizeof(text), A16("ffffffff81000000") "t f\t[");

	memset(text + n, 'm', 512);
	strcpy(text + n + 512, "]\n");
	expect_bad(text, 1, "module: name longer than 511 bytes");
}

/* ---- K2: missing and extra fields ---------------------------------------- */

static void test_k2_fields(void **state)
{
	expect_bad("ffffffff81000000\n", 1, "type and name missing");
	expect_bad("ffffffff81000000", 1, "type and name missing");
	expect_bad("ffffffff81000000 \n", 1, "type: missing");
	expect_bad("ffffffff81000000 T\n", 1, "name: missing");
	expect_bad("ffffffff81000000 T \n", 1, "name: missing");
	expect_bad("ffffffff81000000 T a\nffffffff81000000 T\n", 2, "name: missing");
	expect_bad("ffffffff81000000 T foo bar\n", 1, "extra field after the name");
	expect_bad("ffffffff81000000 T foo \n", 1, "extra field after the name");
	expect_bad("ffffffff81000000  T foo\n", 1, "type: a space is not a symbol type letter");
	expect_bad("ffffffff81000000 T  foo\n", 1, "name: expected a name, found a space");
	expect_bad("ffffffff81000000 Tt foo\n", 1,
		   "type: expected one space after the type letter");
	expect_bad("ffffffff81000000 T foo\t[m]\t[n]\n", 1, "unexpected a tab after ']'");
}

/* ---- K3: the address ------------------------------------------------------ */

static void test_k3_address(void **state)
{
	expect_bad("ffffffff8100000g T a\n", 1, "address: non-hex character 'g'");
	expect_bad("ffffffff81000000 T a\nffffffff8100g000 T b\n", 2, "non-hex character 'g'");
	expect_bad("0xffffffff810000 T a\n", 1, "non-hex character 'x'");
	expect_bad("-fffffff81000000 T a\n", 1, "non-hex character '-'");
	expect_bad("+fffffff81000000 T a\n", 1, "non-hex character '+'");
	expect_bad(" ffffffff8100000 T a\n", 1, "address: missing (line starts with a space)");
	expect_bad("\tffffffff8100000 T a\n", 1, "non-hex character a tab");
	expect_bad("ffffffff810000000 T a\n", 1, "more than 16 hex digits");
	expect_bad("ffffffff81000000ffff T a\n", 1, "more than 16 hex digits");
	expect_bad("ffffffff8100 T a\n", 1, "12 hex digits; expected 8 or 16");
	expect_bad("T a\n", 1, "non-hex character 'T'");
	expect_bad("ffffffff81000000\tT a\n", 1, "non-hex character a tab");

	/* the fast path and the slow path agree on the value */
	struct ksr_kallsyms *ks = parse_ok("0123456789abcdef T a\n"
					   "FEDCBA9876543210 T b\n"
					   "00000000000000aB T c\n");
	assert_int_equal(one(ks, "a")->addr, 0x0123456789abcdefull);
	assert_int_equal(one(ks, "b")->addr, 0xfedcba9876543210ull);
	assert_int_equal(one(ks, "c")->addr, 0xabull);
	ksr_kallsyms__free(ks);
	/* fast-path rejects are reported by the strict path */
	expect_bad("0123456789abcdef T a\n0123456789abcdeG T b\n", 2, "non-hex character 'G'");
	expect_bad("0123456789abcdef T a\n01234567:9abcdef T b\n", 2, "non-hex character ':'");
	expect_bad("0123456789abcdef T a\n0123456789abcde/ T b\n", 2, "non-hex character '/'");
	expect_bad("0123456789abcdef T a\n0123456789abcde` T b\n", 2, "non-hex character '`'");
	expect_bad("0123456789abcdef T a\n@123456789abcdef T b\n", 2, "non-hex character '@'");
	expect_bad("0123456789abcdef T a\n0123456789abcdeF\xb0 T b\n", 2,
		   "non-hex character byte 0xb0");
}

/* ---- K4: widths ----------------------------------------------------------- */

static void test_k4_mixed_widths(void **state)
{
	expect_bad("c1000000 T a\nffffffff81000000 T b\n", 2,
		   "16 hex digits, but earlier lines have 8 (mixed widths)");
	expect_bad("ffffffff81000000 T a\nc1000000 T b\n", 2,
		   "8 hex digits, but earlier lines have 16 (mixed widths)");
}

/* ---- K5: all-zero (restricted) captures ----------------------------------- */

static void test_k5_all_zero(void **state)
{
	struct ksr_kallsyms *ks;
	uint32_t first, cnt;

	expect_bad(A16("0000000000000000") "T _text\n"
		   A16("0000000000000000") "T _stext\n"
		   A16("0000000000000000") "t ext4_mount\t[ext4]\n", 0, "restricted");
	assert_non_null(strstr(ksr_errmsg(), "kptr_restrict"));
	expect_bad("00000000 T _text\n", 0, "restricted");

	/* a single per-CPU symbol at 0 is a real address */
	ks = parse_ok(A16("0000000000000000") "A fixed_percpu_data\n"
		      A16("ffffffff81000000") "T _text\n");
	assert_int_equal(ksr_kallsyms__lookup(ks, "fixed_percpu_data", &first, &cnt), 0);
	assert_int_equal(ksr_kallsyms__sym(ks, first)->addr, 0);
	ksr_kallsyms__free(ks);
}

/* ---- K6: type letters ----------------------------------------------------- */

static void test_k6_type(void **state)
{
	expect_bad("ffffffff81000000 ? a\n", 1, "type: '?' is not a symbol type letter");
	expect_bad("ffffffff81000000 T a\nffffffff81000000 x b\n", 2, "'x' is not a symbol type");
	expect_bad("ffffffff81000000 C a\n", 1, "'C' is not a symbol type");
	expect_bad("ffffffff81000000 1 a\n", 1, "'1' is not a symbol type");
	expect_bad("ffffffff81000000 - a\n", 1, "'-' is not a symbol type");
}

/* ---- K7: duplicates ------------------------------------------------------- */

static void test_k7_duplicates(void **state)
{
	struct ksr_kallsyms *ks = parse_ok(A16("ffffffff81003000") "t dup\n"
					   A16("ffffffff81001000") "t dup\n"
					   A16("ffffffff81002000") "t dup\n"
					   A16("ffffffff81001000") "t dup\n"
					   A16("ffffffff81000000") "T _text\n"
					   A16("ffffffff81005000") "t same\n"
					   A16("ffffffff81005000") "t same\n"
					   A16("ffffffffc0001000") "t dup\t[mod]\n");
	uint32_t first, cnt;
	uint64_t want[] = { 0xffffffff81001000ull, 0xffffffff81001000ull, 0xffffffff81002000ull,
			    0xffffffff81003000ull, 0xffffffffc0001000ull };

	/* the whole run, lowest address first, module line included */
	assert_int_equal(ksr_kallsyms__lookup(ks, "dup", &first, &cnt), 0);
	assert_int_equal(cnt, 5);
	for (uint32_t i = 0; i < cnt; i++)
		assert_int_equal(ksr_kallsyms__sym(ks, first + i)->addr, want[i]);
	assert_true(ksr_kallsyms__sym(ks, first + 4)->flags & KSR_KSYM_MODULE);
	assert_int_equal(ksr_kallsyms__lookup(ks, "same", &first, &cnt), 0);
	assert_int_equal(cnt, 2);
	check_invariants(ks);
	ksr_kallsyms__free(ks);
}

/* Duplicates are kept, but not of _text: the profile's KASLR base comes
 * from the parse, a host's from the first _text line it lists. */
static void test_k7_text_twice(void **state)
{
	struct ksr_kallsyms *ks;
	uint64_t addr = 0;

	expect_bad(A16("ffffffff81200000") "T _text\n"
		   A16("ffffffff81000000") "T _text\n", 2,
		   "_text listed twice (first at offset 0x13)");
	/* a module's _text is not the kernel's */
	ks = parse_ok(A16("ffffffff81000000") "T _text\n"
		      A16("ffffffffc0001000") "t _text\t[mod]\n");
	assert_true(ksr_kallsyms__text_addr(ks, &addr));
	assert_int_equal(addr, 0xffffffff81000000ull);
	ksr_kallsyms__free(ks);
	(void)state;
}

/* ---- K8: the module column ------------------------------------------------ */

static void test_k8_bad_module(void **state)
{
	expect_bad("ffffffff81000000 t f\t[ext4\n", 1, "module: missing ']'");
	expect_bad("ffffffff81000000 t f\t[ext4", 1, "module: missing ']'");
	expect_bad("ffffffff81000000 t f\text4]\n", 1, "module: expected '[' after the tab");
	expect_bad("ffffffff81000000 t f\t[]\n", 1, "module: empty name");
	expect_bad("ffffffff81000000 t f\t[a[b]]\n", 1, "module: '[' inside the module name");
	expect_bad("ffffffff81000000 t f\t[a]]\n", 1, "module: unexpected ']' after ']'");
	expect_bad("ffffffff81000000 t f\t[a] \n", 1, "module: unexpected a space after ']'");
	expect_bad("ffffffff81000000 t f\t\n", 1, "module: line ends after the tab");
	expect_bad("ffffffff81000000 t f\t", 1, "module: line ends after the tab");
	expect_bad("ffffffff81000000 t f\t[a b]\n", 1, "module: invalid a space");
	expect_bad("ffffffff81000000 t f\t\t[a]\n", 1, "expected '[' after the tab, found a tab");
	expect_bad("ffffffff81000000 t f [a]\n", 1, "extra field after the name");
	expect_bad("ffffffff81000000 t f\t[a\r]\n", 1, "carriage return");
}

/* ---- K9: compiler suffixes and the .llvm. key rule ------------------------ */

static void test_k9_llvm_rule(void **state)
{
	struct ksr_kallsyms *ks = parse_ok(A16("ffffffff81000000") "T _text\n"
					   A16("ffffffff82000000") "d bpf_link_fops.llvm.8325\n"
					   A16("ffffffff82000100") "d bpf_link_fops.llvm.77\n"
					   A16("ffffffff82000200") "t helper.llvm.123\n"
					   A16("ffffffff82000300") "D pub.llvm.1\n"
					   A16("ffffffff82000400") "d .llvm.5\n"
					   A16("ffffffff82000500") "d a.b.llvm.c.llvm.d\n"
					   A16("ffffffff82000600") "d x.llvm\n"
					   A16("ffffffff82000700") "t foo.isra.0\n"
					   A16("ffffffff82000800") "t foo.cold\n"
					   A16("ffffffff82000900") "d bpf_link_fops\n");
	uint32_t first, cnt;

	/* 'd': keyed by the part before the first ".llvm." */
	assert_int_equal(ksr_kallsyms__lookup(ks, "bpf_link_fops", &first, &cnt), 0);
	assert_int_equal(cnt, 3);
	assert_string_equal(name_of(ks, ksr_kallsyms__sym(ks, first)), "bpf_link_fops.llvm.8325");
	assert_string_equal(name_of(ks, ksr_kallsyms__sym(ks, first + 1)), "bpf_link_fops.llvm.77");
	assert_string_equal(name_of(ks, ksr_kallsyms__sym(ks, first + 2)), "bpf_link_fops");
	assert_int_equal(ksr_kallsyms__lookup(ks, "bpf_link_fops.llvm.8325", &first, &cnt),
			 -ENOENT);
	assert_int_equal(one(ks, "a.b")->addr, 0xffffffff82000500ull);
	/* other types, upper case, and a prefix-less name: the full name */
	assert_int_equal(ksr_kallsyms__lookup(ks, "helper", &first, &cnt), -ENOENT);
	assert_int_equal(one(ks, "helper.llvm.123")->type, 't');
	assert_int_equal(ksr_kallsyms__lookup(ks, "pub", &first, &cnt), -ENOENT);
	assert_int_equal(one(ks, "pub.llvm.1")->type, 'D');
	assert_int_equal(one(ks, ".llvm.5")->key_len, 7);
	assert_int_equal(one(ks, "x.llvm")->key_len, 6);
	/* other suffixes: exact match only */
	assert_int_equal(ksr_kallsyms__lookup(ks, "foo", &first, &cnt), -ENOENT);
	assert_non_null(one(ks, "foo.isra.0"));
	assert_non_null(one(ks, "foo.cold"));
	check_invariants(ks);
	ksr_kallsyms__free(ks);
}

/* ---- K10: NUL bytes -------------------------------------------------------- */

static void test_k10_nul(void **state)
{
	static const char name_nul[] = "ffffffff81000000 T ab\0cd\n";
	static const char addr_nul[] = "ffffffff8100\0000 T abcd\n";
	static const char type_nul[] = "ffffffff81000000 \0 abcd\n";
	static const char mod_nul[] = "ffffffff81000000 t abcd\t[m\0]\n";
	static const char eol_nul[] = "ffffffff81000000 T abcd\0";

	expect_bad_len(name_nul, sizeof(name_nul) - 1, 1, "name: invalid a NUL byte");
	expect_bad_len(addr_nul, sizeof(addr_nul) - 1, 1, "non-hex character a NUL byte");
	expect_bad_len(type_nul, sizeof(type_nul) - 1, 1, "type: a NUL byte");
	expect_bad_len(mod_nul, sizeof(mod_nul) - 1, 1, "module: invalid a NUL byte");
	expect_bad_len(eol_nul, sizeof(eol_nul) - 1, 1, "NUL byte");
}

/* ---- K11: CR, CRLF, tabs ---------------------------------------------------- */

static void test_k11_crlf(void **state)
{
	expect_bad("ffffffff81000000 T a\r\nffffffff81000000 T b\r\n", 1, "carriage return");
	expect_bad("ffffffff81000000 T a\nffffffff81000000 T b\r\n", 2, "CRLF");
	expect_bad("ffffffff81000000 T a\r", 1, "carriage return");
	expect_bad("ffffffff81000000 T a\rb\n", 1, "carriage return");
	expect_bad("ffffffff81000000\rT a\n", 1, "carriage return");
	expect_bad("ffffffff81000000 T\ta\n", 1,
		   "expected one space after the type letter, found a tab");
	expect_bad("ffffffff81000000 t f\t[m]\r\n", 1, "carriage return");
}

/* ---- K12: trailing newline and blank lines ---------------------------------- */

static void test_k12_newlines(void **state)
{
	struct ksr_kallsyms *ks = parse_ok(A16("ffffffff81000000") "T _text\n"
					   A16("ffffffff81000010") "t last");
	struct ksr_kallsyms *ks2;

	assert_int_equal(ksr_kallsyms__count(ks), 2);
	assert_int_equal(one(ks, "last")->addr, 0xffffffff81000010ull);
	ksr_kallsyms__free(ks);
	ks2 = parse_ok(A16("ffffffff81000000") "T _text\n"
		       A16("ffffffff81000010") "t last\t[mod]");
	assert_string_equal(mod_of(ks2, one(ks2, "last")), "mod");
	ksr_kallsyms__free(ks2);

	expect_bad("ffffffff81000000 T a\n\nffffffff81000000 T b\n", 2, "blank line");
	expect_bad("ffffffff81000000 T a\n\n", 2, "blank line");
	expect_bad("\nffffffff81000000 T a\n", 1, "blank line");
	expect_bad("\n", 1, "blank line");
	expect_bad_len("", 0, 0, "empty input");
}

/* ---- K13: non-ASCII names ----------------------------------------------------- */

static void test_k13_non_ascii(void **state)
{
	expect_bad("ffffffff81000000 T caf\xc3\xa9\n", 1, "name: invalid byte 0xc3");
	expect_bad("ffffffff81000000 T a\x1b[2Jb\n", 1, "name: invalid byte 0x1b");
	expect_bad("ffffffff81000000 T a\x7f\n", 1, "byte 0x7f");
	expect_bad("ffffffff81000000 t f\t[m\xff]\n", 1, "module: invalid byte 0xff");
	/* the fast scan (8 bytes at a time) finds bytes anywhere in a word */
	expect_bad("ffffffff81000000 T abcdefgh\x80jklmnopq\n", 1, "byte 0x80");
	expect_bad("ffffffff81000000 T abcdefghijklmno\x01pq\n", 1, "byte 0x01");
	expect_bad("ffffffff81000000 T abcdefghijklmnop \n", 1, "extra field");
}

/* ---- K14: resource caps --------------------------------------------------------- */

static void test_k14_line_cap(void **state)
{
	size_t n = (size_t)KSR_KSYM_MAX_LINES + 1, len = 2 * n;
	char *text = malloc(len);

	assert_non_null(text);
	for (size_t i = 0; i < n; i++) {
		text[2 * i] = 'x';
		text[2 * i + 1] = '\n';
	}
	expect_bad_len(text, len, 0, "more than 4194304 lines");
	assert_non_null(strstr(ksr_errmsg(), "(offset 0x800000)"));
	/* exactly at the cap the count passes and line 1 is parsed */
	expect_bad_len(text, len - 2, 1, "non-hex character 'x'");
	free(text);
}

/* ---- K15: unsorted and implausible addresses ------------------------------------ */

static void test_k15_unsorted(void **state)
{
	struct ksr_kallsyms *ks = parse_ok(A16("ffffffff82000000") "t z\n"
					   A16("0000000000001000") "t userish\n"
					   A16("ffffffff81000000") "T _text\n"
					   A16("ffffffff80000000") "t a\n");

	assert_int_equal(one(ks, "userish")->addr, 0x1000);
	assert_int_equal(one(ks, "_text")->addr, 0xffffffff81000000ull);
	assert_int_equal(one(ks, "a")->addr, 0xffffffff80000000ull);
	check_invariants(ks);
	ksr_kallsyms__free(ks);
}

/* ---- per-CPU symbols -------------------------------------------------------- */

static void test_absolute_type(void **state)
{
	struct ksr_kallsyms *ks = parse_ok(A16("0000000000000000") "A fixed_percpu_data\n"
					   A16("000000000002c000") "A runqueues\n"
					   A16("ffffffff81000000") "T _text\n"
					   A16("0000000000000040") "a modpcpu\t[m]\n");

	assert_true(one(ks, "runqueues")->flags & KSR_KSYM_ABSOLUTE);
	assert_true(one(ks, "fixed_percpu_data")->flags & KSR_KSYM_ABSOLUTE);
	assert_int_equal(one(ks, "modpcpu")->flags, KSR_KSYM_ABSOLUTE | KSR_KSYM_MODULE);
	assert_false(one(ks, "_text")->flags & KSR_KSYM_ABSOLUTE);
	ksr_kallsyms__free(ks);
}

static void test_system_map_percpu(void **state)
{
	/* x86-64 <= 6.14 System.map: per-CPU variables are zero-based offsets */
	struct ksr_kallsyms *ks = parse_ok(A16("0000000000000000") "D __per_cpu_start\n"
					   A16("0000000000000000") "D fixed_percpu_data\n"
					   A16("000000000002c000") "D runqueues\n"
					   A16("0000000000031000") "D __per_cpu_end\n"
					   A16("ffffffff81000000") "T _text\n"
					   A16("ffffffff82000000") "D jiffies\n");

	assert_true(one(ks, "__per_cpu_start")->flags & KSR_KSYM_ABSOLUTE);
	assert_true(one(ks, "fixed_percpu_data")->flags & KSR_KSYM_ABSOLUTE);
	assert_true(one(ks, "runqueues")->flags & KSR_KSYM_ABSOLUTE);
	assert_false(one(ks, "__per_cpu_end")->flags & KSR_KSYM_ABSOLUTE);
	assert_false(one(ks, "_text")->flags & KSR_KSYM_ABSOLUTE);
	assert_false(one(ks, "jiffies")->flags & KSR_KSYM_ABSOLUTE);
	ksr_kallsyms__free(ks);

	/* 6.15+: per-CPU symbols are image addresses and move with KASLR */
	ks = parse_ok(A16("ffffffff83000000") "D __per_cpu_start\n"
		      A16("ffffffff8302c000") "D runqueues\n"
		      A16("ffffffff83031000") "D __per_cpu_end\n"
		      A16("ffffffff81000000") "T _text\n");
	assert_false(one(ks, "runqueues")->flags & KSR_KSYM_ABSOLUTE);
	ksr_kallsyms__free(ks);

	/* an implausible range (ending above _text) is not believed */
	ks = parse_ok(A16("0000000000000000") "D __per_cpu_start\n"
		      A16("ffffffff90000000") "D __per_cpu_end\n"
		      A16("ffffffff81000000") "T _text\n");
	assert_false(one(ks, "_text")->flags & KSR_KSYM_ABSOLUTE);
	ksr_kallsyms__free(ks);
}

static void test_data_syms(void **state)
{
	struct ksr_kallsyms *ks = parse_ok(A16("ffffffff81000000") "T _text\n"
					   A16("ffffffff82000000") "D __start_rodata\n"
					   A16("ffffffff82000000") "R __end_rodata\n"
					   A16("ffffffff83000000") "B __bss_start\n"
					   A16("ffffffff81001000") "t f\n");
	uint64_t addr;

	assert_false(ksr_kallsyms__has_data_syms(ks));
	ksr_kallsyms__free(ks);
	ks = parse_ok(A16("ffffffff81001000") "t f\n" A16("ffffffff82000000") "b _x\n");
	assert_true(ksr_kallsyms__has_data_syms(ks));
	assert_false(ksr_kallsyms__text_addr(ks, &addr));
	ksr_kallsyms__free(ks);
	/* _text must be a vmlinux symbol, and exactly named */
	ks = parse_ok(A16("ffffffffc0001000") "t _text\t[m]\n"
		      A16("ffffffff82000000") "d _text.llvm.1\n");
	assert_false(ksr_kallsyms__text_addr(ks, &addr));
	ksr_kallsyms__free(ks);
}

/* ---- sorting and determinism at scale -------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Names built to exercise every sort path: long shared prefixes (windows
 * reloaded several times), large buckets, runs of identical keys bigger than
 * a small range, names of every length up to 511, .llvm. keys, modules. */
static char *synthetic(size_t lines, size_t *len)
{
	static const char *prefixes[] = { "__pfx_", "__pfx_trace_event_raw_event_",
					  "trace_event_raw_", "", "a", "__x64_sys_",
					  "__pfx___pfx___pfx___pfx_deep_prefix_that_is_long_" };
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.$";
	size_t cap = lines * 600, n = 0;
	char *text = malloc(cap);

	assert_non_null(text);
	for (size_t i = 0; i < lines; i++) {
		char name[KSR_KSYM_NAME_MAX + 1];
		size_t nl = 0, want;
		uint64_t r = rng();
		const char *pre = prefixes[r % 7];
		char type = "tTdDbBrRA"[(r >> 8) % 9];

		if (i % 97 == 0) {
			strcpy(name, "same_name_everywhere"); /* a run of ~1/97 of all lines */
		} else if (i % 211 == 0) {
			want = 1 + (rng() % KSR_KSYM_NAME_MAX);
			memset(name, 'L', want); /* shared up to the shorter */
			name[want] = '\0';
		} else {
			nl = strlen(pre);
			memcpy(name, pre, nl);
			want = nl + (rng() % 12);
			while (nl < want && nl < KSR_KSYM_NAME_MAX - 20)
				name[nl++] = alpha[rng() % (sizeof(alpha) - 1)];
			if (nl == 0)
				name[nl++] = 'z';
			if (type == 'd' && (r >> 20) % 3 == 0)
				nl += (size_t)snprintf(name + nl, 20, ".llvm.%u",
						       (unsigned int)(rng() % 100));
			name[nl] = '\0';
		}
		n += (size_t)snprintf(text + n, cap - n, "%016llx %c %s",
				      0xffffffff81000000ull + (rng() % 64) * 16, type, name);
		if ((r >> 40) % 5 == 0)
			n += (size_t)snprintf(text + n, cap - n, "\t[mod%u]",
					      (unsigned int)((r >> 44) % 9));
		text[n++] = '\n';
	}
	*len = n;
	return text;
}

static void assert_same_tables(const struct ksr_kallsyms *a, const struct ksr_kallsyms *b)
{
	uint32_t na, nb, la, lb, sa, sb;
	const struct ksr_ksym *ya = ksr_kallsyms__syms(a, &na), *yb = ksr_kallsyms__syms(b, &nb);
	const char *ta = ksr_kallsyms__strs(a, &la), *tb = ksr_kallsyms__strs(b, &lb);
	const uint32_t *xa = ksr_kallsyms__slots(a, &sa), *xb = ksr_kallsyms__slots(b, &sb);

	assert_int_equal(na, nb);
	assert_int_equal(la, lb);
	assert_int_equal(sa, sb);
	assert_memory_equal(ya, yb, (size_t)na * sizeof(*ya));
	assert_memory_equal(ta, tb, la);
	assert_memory_equal(xa, xb, (size_t)sa * sizeof(*xa));
	assert_int_equal(ksr_kallsyms__addr_width(a), ksr_kallsyms__addr_width(b));
}

static void test_sort_at_scale(void **state)
{
	size_t len;
	char *text = synthetic(60000, &len);
	struct ksr_kallsyms *a = parse_len(text, len), *b = parse_len(text, len);
	uint32_t first, cnt;

	assert_int_equal(ksr_kallsyms__count(a), 60000);
	check_invariants(a);
	assert_same_tables(a, b); /* same input, same bytes */
	assert_int_equal(ksr_kallsyms__lookup(a, "same_name_everywhere", &first, &cnt), 0);
	assert_true(cnt >= 60000 / 97);
	ksr_kallsyms__free(a);
	ksr_kallsyms__free(b);
	free(text);
}

/* ---- streaming ---------------------------------------------------------------- */

/* Feeds text through a window of pseudo-random size (KSR_KSYM_STREAM_LINE_MAX
 * to 3x that), appending pieces of pseudo-random sizes (1 byte to 8 KiB) and
 * keeping what a feed leaves, as capture's reader does; returns finish()'s
 * result. */
static int parse_streamed(const char *text, size_t len, struct ksr_kallsyms **out)
{
	size_t cap = KSR_KSYM_STREAM_LINE_MAX + (size_t)(rng() % (2 * KSR_KSYM_STREAM_LINE_MAX));
	char *win = malloc(cap);
	struct ksr_kallsyms_stream *st;
	size_t have = 0, done = 0, used;
	int err;

	assert_non_null(win);
	assert_int_equal(ksr_kallsyms__stream_new(&st), 0);
	while (done < len) {
		size_t step = 1 + (size_t)(rng() % (rng() % 4 ? 8192 : 40));

		if (step > cap - have)
			step = cap - have;
		if (step > len - done)
			step = len - done;
		memcpy(win + have, text + done, step);
		have += step;
		done += step;
		err = ksr_kallsyms__stream_feed(st, win, have, &used);
		if (err) {
			assert_int_equal(ksr_kallsyms__stream_feed(st, win, have, &used), err); /* sticky */
			assert_int_equal(used, 0);
			break;
		}
		assert_true(used <= have);
		memmove(win, win + used, have - used);
		have -= used;
		assert_true(have < cap); /* a full window always makes progress */
	}
	err = ksr_kallsyms__stream_finish(st, win, have, out);
	free(win);
	return err;
}

/* Streamed in pieces, the same tables as one parse: with and without a
 * final newline, and the same errors for malformed text. */
static void test_stream_same(void **state)
{
	static const char *const bad[] = {
		A16("ffffffff81000000") "T _text\n" A16("ffffffff81000010") "T a b\n",
		A16("ffffffff81000000") "T _text\n\n",
		A16("0000000000000000") "T a\n" A16("0000000000000000") "T b\n",
		A16("ffffffff81000000") "T _text\n" "81000010 T short\n",
		"",
	};
	size_t len;
	char *text = synthetic(30000, &len);
	struct ksr_kallsyms *one_ks, *st_ks;

	for (int round = 0; round < 2; round++) {
		size_t l = round ? len - 1 : len; /* round 1: the last '\n' cut off */

		one_ks = parse_len(text, l);
		if (parse_streamed(text, l, &st_ks))
			fail_msg("streamed parse failed: %s", ksr_errmsg());
		assert_same_tables(one_ks, st_ks);
		check_invariants(st_ks);
		ksr_kallsyms__free(one_ks);
		ksr_kallsyms__free(st_ks);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[512];
		int e1 = ksr_kallsyms__parse(bad[i], strlen(bad[i]), &one_ks), e2;

		snprintf(want, sizeof(want), "%s", ksr_errmsg());
		e2 = parse_streamed(bad[i], strlen(bad[i]), &st_ks);
		assert_int_equal(e1, -EBADMSG);
		assert_int_equal(e2, e1);
		assert_null(st_ks);
		assert_string_equal(ksr_errmsg(), want);
	}
	free(text);

	/* lines longer than any window: a name, then a module, then a name at
	 * the end without '\n'; after 3000 good lines, so the window moved */
	for (int kind = 0; kind < 3; kind++) {
		size_t good_len, n;
		char *good = synthetic(3000, &good_len), *big = malloc(good_len + 20000), want[512];
		int e1, e2;

		assert_non_null(big);
		memcpy(big, good, good_len);
		n = good_len;
		n += (size_t)sprintf(big + n, "ffffffff81000000 T ");
		memset(big + n, 'x', 9000);
		n += 9000;
		if (kind == 1) {
			memcpy(big + n - 8500, "\t[", 2);
			big[n++] = ']';
		}
		if (kind != 2)
			big[n++] = '\n';
		e1 = ksr_kallsyms__parse(big, n, &one_ks);
		snprintf(want, sizeof(want), "%s", ksr_errmsg());
		e2 = parse_streamed(big, n, &st_ks);
		assert_int_equal(e1, -EBADMSG);
		assert_int_equal(e2, e1);
		assert_string_equal(ksr_errmsg(), want);
		free(good);
		free(big);
	}
}

/* ---- the indexed view -------------------------------------------------------- */

static void test_open_indexed_same(void **state)
{
	size_t len;
	char *text = synthetic(5000, &len);
	struct ksr_kallsyms *ks = parse_len(text, len), *ix;
	uint32_t n, slen, scnt;
	const struct ksr_ksym *syms = ksr_kallsyms__syms(ks, &n);
	const char *strs = ksr_kallsyms__strs(ks, &slen);
	const uint32_t *slots = ksr_kallsyms__slots(ks, &scnt);
	uint64_t t1, t2;

	assert_int_equal(ksr_kallsyms__open_indexed(syms, n, strs, slen, slots, scnt, &ix), 0);
	assert_int_equal(ksr_kallsyms__count(ix), n);
	assert_int_equal(ksr_kallsyms__addr_width(ix), 0);
	for (uint32_t i = 0; i < n; i++) {
		const struct ksr_ksym *k = ksr_kallsyms__sym(ks, i);
		char key[KSR_KSYM_NAME_MAX + 1];
		uint32_t f1, c1, f2, c2;

		assert_ptr_equal(ksr_kallsyms__sym(ix, i), &syms[i]);
		memcpy(key, name_of(ks, k), k->key_len);
		key[k->key_len] = '\0';
		assert_int_equal(ksr_kallsyms__lookup(ks, key, &f1, &c1), 0);
		assert_int_equal(ksr_kallsyms__lookup(ix, key, &f2, &c2), 0);
		assert_int_equal(f1, f2);
		assert_int_equal(c1, c2);
	}
	check_invariants(ix);
	assert_int_equal(ksr_kallsyms__has_data_syms(ks), ksr_kallsyms__has_data_syms(ix));
	assert_int_equal(ksr_kallsyms__text_addr(ks, &t1), ksr_kallsyms__text_addr(ix, &t2));
	ksr_kallsyms__free(ix);
	ksr_kallsyms__free(ks);
	free(text);
}

static void test_open_indexed_checks(void **state)
{
	struct ksr_kallsyms *ks = parse_ok(A16("ffffffff81000000") "T _text\n"), *ix;
	uint32_t n, slen, scnt;
	const struct ksr_ksym *syms = ksr_kallsyms__syms(ks, &n);
	const char *strs = ksr_kallsyms__strs(ks, &slen);
	const uint32_t *slots = ksr_kallsyms__slots(ks, &scnt);
	static const char no_nul_end[] = { '\0', 'a', 'b' };
	static const char no_nul_start[] = { 'a', '\0' };
	uint8_t *raw = malloc(sizeof(struct ksr_ksym) * 2 + 8);

	assert_non_null(raw);
	assert_int_equal(ksr_kallsyms__open_indexed(syms, n, strs, slen, slots, 3, &ix), -EBADMSG);
	assert_null(ix);
	assert_int_equal(ksr_kallsyms__open_indexed(syms, n, strs, slen, slots, 0, &ix), -EBADMSG);
	assert_int_equal(ksr_kallsyms__open_indexed(syms, n, no_nul_end, 3, slots, scnt, &ix),
			 -EBADMSG);
	assert_int_equal(ksr_kallsyms__open_indexed(syms, n, no_nul_start, 2, slots, scnt, &ix),
			 -EBADMSG);
	assert_int_equal(ksr_kallsyms__open_indexed(syms, n, strs, 0, slots, scnt, &ix), -EBADMSG);
	assert_int_equal(ksr_kallsyms__open_indexed(NULL, 1, strs, slen, slots, scnt, &ix),
			 -EINVAL);
	assert_int_equal(ksr_kallsyms__open_indexed(syms, KSR_KSYM_MAX_LINES + 1, strs, slen,
						    slots, scnt, &ix), -EBADMSG);
	assert_int_equal(ksr_kallsyms__open_indexed((const struct ksr_ksym *)(raw + 4), 1, strs,
						    slen, slots, scnt, &ix), -EBADMSG);
	assert_non_null(strstr(ksr_errmsg(), "misaligned"));
	assert_int_equal(ksr_kallsyms__open_indexed(syms, n, strs, slen,
						    (const uint32_t *)(raw + 2), 16, &ix),
			 -EBADMSG);
	/* an empty table is a valid view */
	assert_int_equal(ksr_kallsyms__open_indexed(NULL, 0, "", 1, slots, scnt, &ix), 0);
	assert_int_equal(ksr_kallsyms__lookup(ix, "_text", &n, &scnt), -ENOENT);
	ksr_kallsyms__free(ix);
	free(raw);
	ksr_kallsyms__free(ks);
}

static void poke_everything(const struct ksr_kallsyms *ix, const char *const *names, size_t cnt)
{
	uint32_t n = ksr_kallsyms__count(ix), first, run;
	uint64_t addr;

	for (size_t i = 0; i < cnt; i++) {
		if (ksr_kallsyms__lookup(ix, names[i], &first, &run) == 0) {
			assert_true(run >= 1);
			assert_true(first < n && run <= n - first);
			for (uint32_t j = first; j < first + run; j++)
				(void)ksr_kallsyms__str(ix, ksr_kallsyms__sym(ix, j)->mod_off);
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct ksr_ksym *k = ksr_kallsyms__sym(ix, i);
		const char *s = ksr_kallsyms__str(ix, k->name_off);

		if (s)
			(void)strlen(s);
		s = ksr_kallsyms__str(ix, k->mod_off);
		if (s)
			(void)strlen(s);
	}
	(void)ksr_kallsyms__text_addr(ix, &addr);
	(void)ksr_kallsyms__has_data_syms(ix);
}

static void test_open_indexed_garbage(void **state)
{
	static const char *const names[] = { "_text", "a", "ab", "abc", "same_name_everywhere",
					     "__per_cpu_start", "x", "" };
	size_t len;
	char *text = synthetic(2000, &len);
	struct ksr_kallsyms *ks = parse_len(text, len), *ix;
	uint32_t n, slen, scnt;
	const struct ksr_ksym *syms = ksr_kallsyms__syms(ks, &n);
	const char *strs = ksr_kallsyms__strs(ks, &slen);
	const uint32_t *slots = ksr_kallsyms__slots(ks, &scnt);

	for (int round = 0; round < 300; round++) {
		/* exact-size heap copies, so ASan sees any read past an array */
		uint32_t gn = 1 + (uint32_t)(rng() % 64), gs = 1 + (uint32_t)(rng() % 256);
		uint32_t gslots = 1u << (rng() % 8);
		struct ksr_ksym *gy = malloc(gn * sizeof(*gy));
		char *gt = malloc(gs);
		uint32_t *gx = malloc(gslots * sizeof(*gx));

		assert_true(gy && gt && gx);
		for (size_t i = 0; i < gn * sizeof(*gy); i++)
			((uint8_t *)gy)[i] = (uint8_t)rng();
		for (uint32_t i = 0; i < gs; i++)
			gt[i] = (char)("ab_x\0"[rng() % 5]);
		gt[0] = gt[gs - 1] = '\0';
		for (uint32_t i = 0; i < gslots; i++) {
			uint64_t r = rng();

			/* mostly plausible slot values, some wild, some empty */
			gx[i] = r % 4 == 0 ? (uint32_t)(r >> 32) : (uint32_t)((r >> 8) % (gn + 2));
		}
		/* small key lengths and offsets half the time, so keys do match */
		for (uint32_t i = 0; i < gn; i++) {
			if (rng() % 2) {
				gy[i].name_off %= gs + 4;
				gy[i].key_len %= 6;
				gy[i].mod_off %= gs + 4;
			}
		}
		assert_int_equal(ksr_kallsyms__open_indexed(gy, gn, gt, gs, gx, gslots, &ix), 0);
		poke_everything(ix, names, sizeof(names) / sizeof(names[0]));
		ksr_kallsyms__free(ix);
		free(gy);
		free(gt);
		free(gx);
	}

	/* the real arrays with bits flipped: still safe */
	for (int round = 0; round < 50; round++) {
		struct ksr_ksym *cy = malloc(n * sizeof(*cy));
		uint32_t *cx = malloc(scnt * sizeof(*cx));

		assert_true(cy && cx);
		memcpy(cy, syms, n * sizeof(*cy));
		memcpy(cx, slots, scnt * sizeof(*cx));
		for (int f = 0; f < 200; f++) {
			uint8_t *by = (uint8_t *)cy, *bx = (uint8_t *)cx;

			by[rng() % (n * sizeof(*cy))] ^= (uint8_t)(1u << (rng() % 8));
			bx[rng() % (scnt * sizeof(*cx))] ^= (uint8_t)(1u << (rng() % 8));
		}
		assert_int_equal(ksr_kallsyms__open_indexed(cy, n, strs, slen, cx, scnt, &ix), 0);
		poke_everything(ix, names, sizeof(names) / sizeof(names[0]));
		ksr_kallsyms__free(ix);
		free(cy);
		free(cx);
	}

	/* every slot full and pointing nowhere useful: lookups still end */
	{
		uint32_t *full = malloc(1024 * sizeof(*full));
		uint32_t first, cnt;

		assert_non_null(full);
		for (uint32_t i = 0; i < 1024; i++)
			full[i] = 1 + i % n;
		assert_int_equal(ksr_kallsyms__open_indexed(syms, n, strs, slen, full, 1024, &ix),
				 0);
		assert_int_equal(ksr_kallsyms__lookup(ix, "no_such_symbol_here", &first, &cnt),
				 -ENOENT);
		ksr_kallsyms__free(ix);
		free(full);
	}
	ksr_kallsyms__free(ks);
	free(text);
}

static void test_invalid_args(void **state)
{
	struct ksr_kallsyms *ks;

	assert_int_equal(ksr_kallsyms__parse(NULL, 5, &ks), -EINVAL);
	assert_int_equal(ksr_kallsyms__parse("x", 1, NULL), -EINVAL);
	assert_int_equal(ksr_kallsyms__open_indexed(NULL, 0, "", 1, NULL, 0, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_modules),
		cmocka_unit_test(test_system_map),
		cmocka_unit_test(test_type_letters),
		cmocka_unit_test(test_k1_long_name),
		cmocka_unit_test(test_k1_long_module),
		cmocka_unit_test(test_k2_fields),
		cmocka_unit_test(test_k3_address),
		cmocka_unit_test(test_k4_mixed_widths),
		cmocka_unit_test(test_k5_all_zero),
		cmocka_unit_test(test_k6_type),
		cmocka_unit_test(test_k7_duplicates),
		cmocka_unit_test(test_k7_text_twice),
		cmocka_unit_test(test_k8_bad_module),
		cmocka_unit_test(test_k9_llvm_rule),
		cmocka_unit_test(test_k10_nul),
		cmocka_unit_test(test_k11_crlf),
		cmocka_unit_test(test_k12_newlines),
		cmocka_unit_test(test_k13_non_ascii),
		cmocka_unit_test(test_k14_line_cap),
		cmocka_unit_test(test_k15_unsorted),
		cmocka_unit_test(test_absolute_type),
		cmocka_unit_test(test_system_map_percpu),
		cmocka_unit_test(test_data_syms),
		cmocka_unit_test(test_sort_at_scale),
		cmocka_unit_test(test_stream_same),
		cmocka_unit_test(test_open_indexed_same),
		cmocka_unit_test(test_open_indexed_checks),
		cmocka_unit_test(test_open_indexed_garbage),
		cmocka_unit_test(test_invalid_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
