// SPDX-License-Identifier: BSD-2-Clause
/* core/btf.c, split BTF (a kernel module's, on top of vmlinux): ids and
 * string offsets continue the base's, the kernel's module rules (no own
 * empty string needed, empty sections allowed), lookups of the module's own
 * names only, and libbpf reading the same blob to the same ids. */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <bpf/btf.h>

#include "btf.h"
#include "btf_builder.h"
#include "btf_check.h"
#include "error.h"
#include "kallsyms.h"
#include "modbtf.h"
#include "profile.h"
#include "testutil.h"

/* A tiny vmlinux: int (1), struct nf_conn (2), PTR (3), FUNC_PROTO (4),
 * FUNC vmlinux_fn (5). */
static struct ksr_btf *make_base(uint8_t **blob, uint32_t *str_len)
{
	static const char *const names[] = { "ct" };
	struct ksr_btf *base;
	uint32_t i, s, p, proto;
	struct bb b;
	size_t len;

	bb_init(&b);
	i = kb_int(&b, "int", 4, BTF_INT_SIGNED, 0, 32);
	s = kb_struct1(&b, "nf_conn", 4, "x", i);
	p = kb_ref(&b, BTF_KIND_PTR, NULL, s);
	proto = kb_proto(&b, i, 1, names, &p);
	kb_func(&b, "vmlinux_fn", proto);
	*blob = bb_blob(&b, &len);
	*str_len = (uint32_t)b.ns;
	bb_free(&b);
	assert_int_equal(ksr_btf__parse(*blob, len, K, &base), 0);
	assert_int_equal(ksr_btf__type_cnt(base), 6);
	return base;
}

/* The module: struct nf_conntrack_tuple (6) with a base int member, PTR to
 * base's nf_conn (7), FUNC_PROTO (8), FUNC bpf_ct_release (9) tagged
 * bpf_kfunc (10), VAR mod_var (11) in DATASEC .data (12). */
static void build_split(struct bb *b, uint32_t str_len)
{
	static const char *const names[] = { "ct" };
	uint32_t tuple, p, proto, fn, v, sz = 4;

	bb_init_split(b, 6, str_len);
	tuple = kb_struct1(b, "nf_conntrack_tuple", 4, "n", 1);
	p = kb_ref(b, BTF_KIND_PTR, NULL, 2);
	proto = kb_proto(b, 0, 1, names, &p);
	fn = kb_func(b, "bpf_ct_release", proto);
	kb_kfunc_tag(b, fn);
	v = kb_var(b, "mod_var", tuple);
	kb_datasec(b, ".data", 1, &v, &sz);
}

static void test_split_ids_and_names(void **state)
{
	uint32_t str_len, i;
	struct ksr_btf *base, *mod;
	const struct ksr_btf_name_slot *slot;
	uint8_t *bblob, *mblob;
	struct bb b;
	size_t len;

	(void)state;
	base = make_base(&bblob, &str_len);
	build_split(&b, str_len);
	mblob = bb_blob(&b, &len);
	/* its own strings do not start with the empty string */
	assert_int_not_equal(mblob[24 + b.nw * 4], 0);
	assert_int_equal(ksr_btf__parse_split(mblob, len, base, &mod), 0);
	assert_int_equal(ksr_btf__type_cnt(mod), 13);
	assert_int_equal(ksr_btf__start_id(mod), 6);
	assert_int_equal(ksr_btf__find(mod, "bpf_ct_release", BTF_KIND_FUNC), 9);
	assert_int_equal(ksr_btf__find(mod, "mod_var", BTF_KIND_VAR), 11);
	/* libbpf's rule for modules: only the module's own names */
	assert_int_equal(ksr_btf__find(mod, "vmlinux_fn", BTF_KIND_FUNC), -ENOENT);
	slot = ksr_btf__lookup(mod, "bpf_ct_release");
	assert_non_null(slot);
	assert_true(slot->flags & KSR_NAME_FUNC_KFUNC);
	/* base ids and strings through the module */
	assert_string_equal(ksr_btf__name(mod, 2), "nf_conn");
	assert_string_equal(ksr_btf__name(mod, 6), "nf_conntrack_tuple");
	assert_int_equal(ksr_btf__type_by_id(mod, 7)->type, 2);
	assert_null(ksr_btf__type_by_id(mod, 13));
	/* a module kfunc's prototype against the base's: (struct nf_conn *) */
	assert_int_equal(ksr_btf__types_compat(mod, 8, base, 4), 0); /* void vs int return */
	assert_int_equal(ksr_btf__types_compat(mod, 8, mod, 8), 1);

	/* libbpf reads the same bytes to the same ids */
	{
		struct btf *lbase, *lmod;
		size_t blen;

		blen = 24 + ((const struct btf_header *)bblob)->type_len +
		       ((const struct btf_header *)bblob)->str_len;
		lbase = btf__new(bblob, (uint32_t)blen);
		assert_non_null(lbase);
		char path[] = "/tmp/ksr-split-XXXXXX";
		int fd = mkstemp(path);

		/* libbpf 1.1 reads split BTF from a file only */
		assert_true(fd >= 0);
		assert_int_equal(write(fd, mblob, len), (ssize_t)len);
		close(fd);
		lmod = btf__parse_raw_split(path, lbase);
		unlink(path);
		assert_non_null(lmod);
		assert_int_equal(btf__type_cnt(lmod), 13);
		assert_int_equal(btf__find_by_name_kind(lmod, "bpf_ct_release", BTF_KIND_FUNC), 9);
		assert_int_equal(btf__find_by_name_kind(lmod, "mod_var", BTF_KIND_VAR), 11);
		btf__free(lmod);
		btf__free(lbase);
	}
	for (i = 1; i < 13; i++)
		assert_non_null(ksr_btf__type_by_id(mod, i));
	ksr_btf__free(mod);
	ksr_btf__free(base);
	bb_free(&b);
	free(mblob);
	free(bblob);
}

/* parse_split(blob) fails naming part */
static void bad_split(const struct ksr_btf *base, const uint8_t *blob, size_t len,
		      const char *part)
{
	struct ksr_btf *mod = (void *)1;
	int err = ksr_btf__parse_split(blob, len, base, &mod);

	assert_int_equal(err, -KSR_EMALFORMED);
	assert_null(mod);
	if (!strstr(ksr_errmsg(), part))
		fail_msg("'%s' not in '%s'", part, ksr_errmsg());
}

static void test_split_rules(void **state)
{
	struct ksr_btf *base, *mod, *split_base;
	uint32_t str_len;
	uint8_t *bblob, *p;
	struct btf_header *h;
	struct bb b;
	size_t len;

	(void)state;
	base = make_base(&bblob, &str_len);

	/* a module that adds nothing: no types, no strings (kernel accepts) */
	bb_init_split(&b, 6, str_len);
	p = bb_blob(&b, &len);
	assert_int_equal(len, 24);
	assert_int_equal(ksr_btf__parse_split(p, len, base, &mod), 0);
	assert_int_equal(ksr_btf__type_cnt(mod), 6);
	assert_int_equal(ksr_btf__find(mod, "vmlinux_fn", BTF_KIND_FUNC), -ENOENT);
	ksr_btf__free(mod);
	free(p);
	bb_free(&b);

	/* a reference past the last module id */
	bb_init_split(&b, 6, str_len);
	kb_ref(&b, BTF_KIND_PTR, NULL, 7);
	p = bb_blob(&b, &len);
	bad_split(base, p, len, "type 6 PTR: type id 7 out of range (7 types)");
	free(p);
	bb_free(&b);

	/* a name offset past base + module strings */
	bb_init_split(&b, 6, str_len);
	kb_struct1(&b, "s", 4, "m", 1);
	p = bb_blob(&b, &len);
	h = (struct btf_header *)p;
	memcpy(p + 24, &(uint32_t){ str_len + h->str_len }, 4);
	bad_split(base, p, len, "type 6 STRUCT: name_off");
	/* the last byte must still be NUL */
	memcpy(p + 24, &(uint32_t){ str_len }, 4);
	p[len - 1] = 'x';
	bad_split(base, p, len, "strings: last byte is not NUL");
	free(p);
	bb_free(&b);

	/* a module type whose resolution fails in a base type it reaches is
	 * refused naming the module's type: an array of base's FUNC */
	bb_init_split(&b, 6, str_len);
	kb_array(&b, 5, 1, 2);
	p = bb_blob(&b, &len);
	bad_split(base, p, len, "type 6 ARRAY");
	free(p);
	bb_free(&b);

	/* no base, or a split base: refused */
	bb_init_split(&b, 6, str_len);
	p = bb_blob(&b, &len);
	assert_int_equal(ksr_btf__parse_split(p, len, NULL, &mod), -EINVAL);
	assert_int_equal(ksr_btf__parse_split(p, len, base, &split_base), 0);
	assert_int_equal(ksr_btf__parse_split(p, len, split_base, &mod), -EINVAL);
	ksr_btf__free(split_base);
	free(p);
	bb_free(&b);

	ksr_btf__free(base);
	free(bblob);
}

/* A profile with the module in .ksr.opt.modbtf: written, opened, the
 * module's own names found through the section's index; a forged entry is
 * refused at open naming the section. */
static void test_profile_modules(void **state)
{
	static const char ks_text[] = "ffffffff81000000 T _text\n";
	struct ksr_profile_info info = { .release = "split-test" };
	char path[] = "/tmp/ksr-modprof-XXXXXX", hex[33];
	const struct ksr_btf *mbtf;
	struct ksr_profile_writer *w;
	struct ksr_profile *p;
	struct ksr_kallsyms *ks;
	struct ksr_btf *base;
	uint8_t *bblob, *mblob, *img;
	uint32_t str_len;
	struct ksr_span sec;
	struct bb b;
	size_t len, ilen;
	int fd;

	(void)state;
	base = make_base(&bblob, &str_len);
	build_split(&b, str_len);
	mblob = bb_blob(&b, &len);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(ksr_kallsyms__parse(ks_text, strlen(ks_text), &ks), 0);
	assert_int_equal(ksr_profile__write_begin(path, base, &w), 0);
	/* bad names and duplicates are refused, the writer stays */
	assert_int_equal(ksr_profile__write_module(w, base, "nf/conntrack", mblob, len), -EINVAL);
	assert_int_equal(ksr_profile__write_module(w, base, "nf_conntrack", mblob, len), 0);
	assert_int_equal(ksr_profile__write_module(w, base, "nf_conntrack", mblob, len), -EINVAL);
	assert_int_equal(ksr_profile__write_module(w, base, "empty-mod", mblob, 24), -KSR_EMALFORMED);
	assert_int_equal(ksr_profile__write_kallsyms(w, ks, &info), 0);
	assert_int_equal(ksr_profile__write_commit(w), 0);

	assert_int_equal(ksr_profile__open(path, &p), 0);
	assert_int_equal(ksr_profile__module_cnt(p), 1);
	assert_string_equal(ksr_profile__module_name(p, 0), "nf_conntrack");
	assert_null(ksr_profile__module_name(p, 1));
	assert_string_equal(ksr_profile__optional(p, 0, &sec), KSR_MODBTF_SECTION);
	assert_int_equal(ksr_profile__module_btf(p, 0, &mbtf), 0);
	assert_int_equal(ksr_btf__find(mbtf, "bpf_ct_release", BTF_KIND_FUNC), 9);
	assert_int_equal(ksr_btf__find(mbtf, "mod_var", BTF_KIND_VAR), 11);
	assert_int_equal(ksr_btf__find(mbtf, "vmlinux_fn", BTF_KIND_FUNC), -ENOENT);
	assert_string_equal(ksr_btf__name(mbtf, 2), "nf_conn");
	assert_true(ksr_btf__lookup(mbtf, "bpf_ct_release")->flags & KSR_NAME_FUNC_KFUNC);
	ksr_profile__module_identity(p, 0, hex);
	{
		char want[33];

		ksr_kernel_identity(mblob, len, want);
		assert_string_equal(hex, want);
	}
	ksr_profile__free(p);

	/* the entry's BTF offset moved past the section: refused at open */
	img = tu_read_file(path, &ilen);
	assert_non_null(img);
	{
		uint8_t *m = memmem(img, ilen, KSR_MODBTF_MAGIC, sizeof(KSR_MODBTF_MAGIC));
		uint64_t far = 1ull << 40;

		assert_non_null(m);
		memcpy(m + KSR_MODBTF_HDR_LEN + KSR_MODBTF_NAME_MAX, &far, 8);
		assert_int_equal(ksr_profile_fix_hashes(img, ilen), 0);
		fd = open(path, O_WRONLY | O_TRUNC);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, img, ilen), (ssize_t)ilen);
		close(fd);
	}
	assert_int_equal(ksr_profile__open(path, &p), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), KSR_MODBTF_SECTION ": a part lies outside"));
	unlink(path);
	free(img);
	ksr_kallsyms__free(ks);
	ksr_btf__free(base);
	bb_free(&b);
	free(mblob);
	free(bblob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_ids_and_names),
		cmocka_unit_test(test_split_rules),
		cmocka_unit_test(test_profile_modules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
