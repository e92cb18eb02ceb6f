// SPDX-License-Identifier: BSD-2-Clause
/* core/externs.c: the extern list of each clang-built object of tests/bpf
 * checked against expectations written from its C source; the shape the
 * patcher leaves behind has no externs; corrupted extern symbols and .BTF
 * entries must fail with -EBADMSG and a message naming the extern. */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include "btf.h"
#include "error.h"
#include "object.h"
#include "raw_elf.h"
#include "testutil.h"

static const struct ksr_extern *ext_by_name(const struct ksr_object *obj, const char *name)
{
	for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++) {
		if (!strcmp(ksr_object__extern(obj, i)->name, name))
			return ksr_object__extern(obj, i);
	}
	return NULL;
}

/* ---- expectations written from the C sources ----------------------- */

#define ANY 0u  /* site count: at least one, exact number from the raw reader */

struct exp_ext {
	const char *name;
	enum ksr_extern_kind kind;
	bool weak;
	unsigned int sites;
	const char *sec;          /* first site */
	enum ksr_site_insn insn;
	const char *prog;
};

static void expect_externs(const char *obj_name, const struct exp_ext *exp, size_t n)
{
	size_t len;
	uint8_t *d = load_obj(obj_name, &len);
	struct ksr_object *obj = open_ok(d, len);

	assert_int_equal(ksr_object__extern_cnt(obj), n);
	for (size_t i = 0; i < n; i++) {
		const struct ksr_extern *e = ksr_object__extern(obj, i);

		assert_string_equal(e->name, exp[i].name);
		assert_int_equal(e->kind, exp[i].kind);
		assert_int_equal(e->weak, exp[i].weak);
		if (exp[i].sites != ANY)
			assert_int_equal(e->site_cnt, exp[i].sites);
		assert_true(e->site_cnt >= 1);
		assert_string_equal(e->sites[0].sec_name, exp[i].sec);
		assert_int_equal(e->sites[0].insn, exp[i].insn);
		assert_string_equal(e->sites[0].prog_name, exp[i].prog);
		assert_int_equal(e->essent_len, strlen(e->name));
		assert_int_equal(e->kind == KSR_EXTERN_TYPELESS, e->type_id == 0);
	}
	ksr_object__free(obj);
	free(d);
}

static void test_typed_percpu(void **state)
{
	static const struct exp_ext exp[] = {
		{ "bpf_prog_active", KSR_EXTERN_VAR, false, 1, "tc", KSR_SITE_LD64, "typed_this_cpu" },
		{ "runqueues", KSR_EXTERN_VAR, false, 1, "tc", KSR_SITE_LD64, "typed_percpu_ptr" },
	};
	size_t len;
	uint8_t *d = load_obj("typed_percpu", &len);
	struct ksr_object *obj;
	const struct ksr_btf *btf;
	const struct btf_type *t;

	expect_externs("typed_percpu", exp, 2);
	obj = open_ok(d, len);
	btf = ksr_object__btf(obj);
	/* the local types after CONST: STRUCT rq and INT int */
	t = ksr_btf__type_by_id(btf, ext_by_name(obj, "runqueues")->type_id);
	assert_int_equal(BTF_INFO_KIND(t->info), BTF_KIND_STRUCT);
	assert_string_equal(ksr_btf__str(btf, t->name_off), "rq");
	t = ksr_btf__type_by_id(btf, ext_by_name(obj, "bpf_prog_active")->type_id);
	assert_int_equal(BTF_INFO_KIND(t->info), BTF_KIND_INT);
	assert_string_equal(ksr_btf__str(btf, t->name_off), "int");
	ksr_object__free(obj);
	free(d);
}

static void test_typeless(void **state)
{
	static const struct exp_ext text[] = {
		{ "bpf_prog_put", KSR_EXTERN_TYPELESS, false, 1, "tc", KSR_SITE_LD64, "typeless_text" },
	};
	static const struct exp_ext percpu[] = {
		{ "runqueues", KSR_EXTERN_TYPELESS, false, 1, "tc", KSR_SITE_LD64, "typeless_percpu" },
	};

	expect_externs("typeless", text, 1);
	expect_externs("typeless_percpu", percpu, 1);
}

static void test_kfuncs(void **state)
{
	static const struct exp_ext exp[] = {
		{ "bpf_rcu_read_lock", KSR_EXTERN_FUNC, false, 1, "tc", KSR_SITE_CALL, "kfunc_tc" },
		{ "bpf_rcu_read_unlock", KSR_EXTERN_FUNC, false, 1, "tc", KSR_SITE_CALL, "kfunc_tc" },
		{ "bpf_task_acquire", KSR_EXTERN_FUNC, false, 1, "syscall", KSR_SITE_CALL, "kfunc_task" },
		{ "bpf_task_from_pid", KSR_EXTERN_FUNC, false, 1, "syscall", KSR_SITE_CALL, "kfunc_task" },
		{ "bpf_task_release", KSR_EXTERN_FUNC, false, 2, "syscall", KSR_SITE_CALL, "kfunc_task" },
	};
	size_t len;
	uint8_t *d = load_obj("kfuncs", &len);
	struct ksr_object *obj;

	expect_externs("kfuncs", exp, 5);
	obj = open_ok(d, len);
	for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++) {
		const struct ksr_extern *e = ksr_object__extern(obj, i);
		const struct btf_type *t = ksr_btf__type_by_id(ksr_object__btf(obj), e->type_id);

		assert_int_equal(BTF_INFO_KIND(t->info), BTF_KIND_FUNC_PROTO);
		assert_int_equal(e->libbpf_idx, i);
	}
	/* two calls to bpf_task_release, in offset order */
	{
		const struct ksr_extern *e = ext_by_name(obj, "bpf_task_release");

		assert_true(e->sites[0].insn_off < e->sites[1].insn_off);
	}
	assert_string_equal(ksr_object__license(obj), "GPL");
	ksr_object__free(obj);
	free(d);
}

static void test_shared_sub(void **state)
{
	static const struct exp_ext exp[] = {
		{ "bpf_prog_put", KSR_EXTERN_TYPELESS, false, 3, ".text", KSR_SITE_LD64, "sub" },
		{ "bpf_rcu_read_lock", KSR_EXTERN_FUNC, false, 2, ".text", KSR_SITE_CALL, "sub" },
		{ "bpf_rcu_read_unlock", KSR_EXTERN_FUNC, false, 2, ".text", KSR_SITE_CALL, "sub" },
	};
	size_t len;
	uint8_t *d = load_obj("shared_sub", &len);
	struct ksr_object *obj;
	const struct ksr_extern *e;

	expect_externs("shared_sub", exp, 3);
	obj = open_ok(d, len);
	e = ext_by_name(obj, "bpf_prog_put");
	/* one site per section, ordered by section index: .text, tc, syscall */
	assert_string_equal(e->sites[1].sec_name, "tc");
	assert_string_equal(e->sites[1].prog_name, "shared_a");
	assert_string_equal(e->sites[2].sec_name, "syscall");
	assert_string_equal(e->sites[2].prog_name, "shared_b");
	assert_true(e->sites[0].sec_idx < e->sites[1].sec_idx && e->sites[1].sec_idx < e->sites[2].sec_idx);
	ksr_object__free(obj);
	free(d);
}

static void test_weak(void **state)
{
	static const struct exp_ext exp[] = {
		{ "bpf_prog_put", KSR_EXTERN_TYPELESS, true, 1, "tc", KSR_SITE_LD64, "weak_mask" },
		{ "bpf_rcu_read_lock", KSR_EXTERN_FUNC, true, 2, "tc", KSR_SITE_LD64, "weak_mask" },
		{ "bpf_rcu_read_unlock", KSR_EXTERN_FUNC, true, 1, "tc", KSR_SITE_CALL, "weak_mask" },
		{ "ksr_no_such_kfunc", KSR_EXTERN_FUNC, true, 2, "tc", KSR_SITE_LD64, "weak_mask" },
		{ "ksr_no_such_symbol", KSR_EXTERN_TYPELESS, true, ANY, "tc", KSR_SITE_LD64, "weak_mask" },
		{ "ksr_no_such_var", KSR_EXTERN_VAR, true, ANY, "tc", KSR_SITE_LD64, "weak_mask" },
	};
	size_t len;
	uint8_t *d = load_obj("weak", &len);
	struct ksr_object *obj;
	const struct ksr_extern *e;

	expect_externs("weak", exp, 6);
	obj = open_ok(d, len);
	/* the kfunc guarded by bpf_ksym_exists: address load, then the call */
	e = ext_by_name(obj, "ksr_no_such_kfunc");
	assert_int_equal(e->sites[1].insn, KSR_SITE_CALL);
	e = ext_by_name(obj, "bpf_rcu_read_lock");
	assert_int_equal(e->sites[1].insn, KSR_SITE_CALL);
	ksr_object__free(obj);
	free(d);
}

static void test_missing_bad_proto_nongpl(void **state)
{
	static const struct exp_ext missing[] = {
		{ "bpf_prog_put", KSR_EXTERN_TYPELESS, false, 1, "tc", KSR_SITE_LD64, "missing" },
		{ "ksr_missing_kfunc", KSR_EXTERN_FUNC, false, 1, "tc", KSR_SITE_CALL, "missing" },
		{ "ksr_missing_symbol", KSR_EXTERN_TYPELESS, false, 1, "tc", KSR_SITE_LD64, "missing" },
	};
	static const struct exp_ext bad[] = {
		{ "bpf_cgroup_from_id", KSR_EXTERN_FUNC, false, 1, "tc", KSR_SITE_CALL, "bad_proto" },
		{ "bpf_cgroup_release", KSR_EXTERN_FUNC, false, 1, "tc", KSR_SITE_CALL, "bad_proto" },
		{ "bpf_rcu_read_lock", KSR_EXTERN_FUNC, false, 1, "tc", KSR_SITE_CALL, "bad_proto" },
		{ "bpf_rcu_read_unlock", KSR_EXTERN_FUNC, false, 1, "tc", KSR_SITE_CALL, "bad_proto" },
	};
	static const struct exp_ext nongpl[] = {
		{ "bpf_rcu_read_lock", KSR_EXTERN_FUNC, false, 1, "tc", KSR_SITE_CALL, "nongpl" },
		{ "bpf_rcu_read_unlock", KSR_EXTERN_FUNC, false, 1, "tc", KSR_SITE_CALL, "nongpl" },
	};
	size_t len;
	uint8_t *d;
	struct ksr_object *obj;
	const struct ksr_btf *btf;
	const struct btf_type *proto, *ptr, *fwd;

	expect_externs("missing", missing, 3);
	expect_externs("bad_proto", bad, 4);
	expect_externs("nongpl", nongpl, 2);

	/* bad_proto: bpf_cgroup_release's parameter is a pointer to a FWD */
	d = load_obj("bad_proto", &len);
	obj = open_ok(d, len);
	btf = ksr_object__btf(obj);
	proto = ksr_btf__type_by_id(btf, ext_by_name(obj, "bpf_cgroup_release")->type_id);
	assert_int_equal(BTF_INFO_VLEN(proto->info), 1);
	ptr = ksr_btf__type_by_id(btf, ((const struct btf_param *)(proto + 1))->type);
	assert_int_equal(BTF_INFO_KIND(ptr->info), BTF_KIND_PTR);
	fwd = ksr_btf__type_by_id(btf, ptr->type);
	assert_int_equal(BTF_INFO_KIND(fwd->info), BTF_KIND_FWD);
	ksr_object__free(obj);
	free(d);

	d = load_obj("nongpl", &len);
	obj = open_ok(d, len);
	assert_string_equal(ksr_object__license(obj), "BSD");
	ksr_object__free(obj);
	free(d);
}

static void test_maps_data(void **state)
{
	static const struct exp_ext exp[] = {
		{ "bpf_prog_put", KSR_EXTERN_TYPELESS, false, 1, "tc", KSR_SITE_LD64, "maps_data" },
		{ "bpf_rcu_read_lock", KSR_EXTERN_FUNC, false, 1, "tc", KSR_SITE_CALL, "maps_data" },
		{ "bpf_rcu_read_unlock", KSR_EXTERN_FUNC, false, 1, "tc", KSR_SITE_CALL, "maps_data" },
	};
	size_t len, n;
	uint8_t *d = load_obj("maps_data", &len);
	struct ksr_object *obj;
	const struct ksr_obj_sec *rd;
	const struct ksr_obj_rel *rels;

	expect_externs("maps_data", exp, 3);
	obj = open_ok(d, len);
	/* the address in .data is relocated against the extern symbol, but it
	 * is not a site (libbpf never applies .rel.data) */
	rd = ksr_object__sec_by_name(obj, ".rel.data");
	assert_non_null(rd);
	rels = ksr_object__rels(obj, rd->idx, &n);
	assert_int_equal(n, 1);
	assert_int_equal(rels[0].sym, ext_by_name(obj, "bpf_prog_put")->sym_idx);
	assert_int_equal(rels[0].type, 2 /* R_BPF_64_ABS64 */);
	assert_non_null(ksr_object__sec_by_name(obj, ".maps"));
	assert_non_null(ksr_object__sec_by_name(obj, ".rodata"));
	assert_int_equal(ksr_object__sec_by_name(obj, ".bss")->type, SHT_NOBITS);
	assert_null(ksr_object__sec_by_name(obj, ".bss")->data);
	ksr_object__free(obj);
	free(d);
}

static void test_kconfig(void **state)
{
	/* libbpf's cmp_externs: kconfig first, alignment desc, size asc, name */
	static const struct {
		const char *name;
		uint32_t size, align;
	} kc[] = {
		{ "CONFIG_KSR_NOT_SET_U64", 8, 8 },
		{ "LINUX_KERNEL_VERSION", 4, 4 },
		{ "CONFIG_BPF_SYSCALL", 1, 1 },
		{ "LINUX_HAS_BPF_COOKIE", 1, 1 },
		{ "CONFIG_KSR_NOT_SET_STR", 8, 1 },
	};
	static const struct exp_ext exp[] = {
		{ "bpf_prog_put", KSR_EXTERN_TYPELESS, false, 1, "syscall", KSR_SITE_LD64, "kconfig" },
	};
	size_t len;
	uint8_t *d = load_obj("kconfig", &len);
	struct ksr_object *obj;

	expect_externs("kconfig", exp, 1);
	obj = open_ok(d, len);
	assert_int_equal(ext_by_name(obj, "bpf_prog_put")->libbpf_idx, 5);
	assert_int_equal(ksr_object__kconfig_cnt(obj), 5);
	for (size_t i = 0; i < 5; i++) {
		const struct ksr_obj_kconfig *k = ksr_object__kconfig(obj, i);

		assert_string_equal(k->ext.name, kc[i].name);
		assert_int_equal(k->size, kc[i].size);
		assert_int_equal(k->align, kc[i].align);
		assert_int_equal(k->ext.libbpf_idx, i);
		assert_int_equal(k->ext.weak, !strncmp(kc[i].name, "CONFIG_", 7));
		assert_true(k->ext.site_cnt >= 1);
		assert_int_equal(k->ext.sites[0].insn, KSR_SITE_LD64);
		assert_true(ksr_object__extern_is_kconfig(obj, &k->ext));
		assert_ptr_equal(ksr_object__extern_by_sym(obj, k->ext.sym_idx), &k->ext);
		assert_ptr_equal(ksr_object__site_info(obj, &k->ext.sites[0])->ext, &k->ext);
	}
	assert_null(ksr_object__kconfig(obj, 5));
	assert_false(ksr_object__extern_is_kconfig(obj, ext_by_name(obj, "bpf_prog_put")));
	ksr_object__free(obj);
	free(d);
}

/* The shape the patcher leaves behind (and libbpf's "case C"): extern
 * symbols turned into absolute symbols, their code relocations dropped,
 * .BTF untouched. No externs remain; nothing else changes. */
static void test_neutralised(void **state)
{
	size_t len;
	uint8_t *d = load_obj("shared_sub", &len);
	struct ksr_object *obj;
	struct raw r;
	static const char *const code[] = { "tc", "syscall", ".text" };

	raw_init(&r, d, len);
	for (unsigned int i = 1; i < raw_symcnt(&r); i++) {
		if (raw_sym(&r, i).st_shndx == SHN_UNDEF)
			put16(&r, sym_off(&r, i) + SY(st_shndx), SHN_ABS);
	}
	for (size_t k = 0; k < 3; k++) {
		char name[32];
		size_t kept = 0;
		int rs;

		snprintf(name, sizeof(name), ".rel%s", code[k]);
		rs = raw_sec(&r, name);
		/* keep only the subprogram calls, which are against .text */
		for (size_t off = 0; off < r.sh[rs].sh_size; off += 16) {
			Elf64_Rel rel;

			memcpy(&rel, d + r.sh[rs].sh_offset + off, sizeof(rel));
			if (raw_sym(&r, (unsigned int)ELF64_R_SYM(rel.r_info)).st_shndx == SHN_ABS)
				continue;
			put(&r, r.sh[rs].sh_offset + kept * 16, &rel, sizeof(rel));
			kept++;
		}
		set_shdr(&r, name, SH(sh_size), kept * 16, 8);
	}
	obj = open_ok(d, len);
	assert_int_equal(ksr_object__extern_cnt(obj), 0);
	assert_int_equal(ksr_object__kconfig_cnt(obj), 0);
	assert_int_equal(ksr_object__prog_cnt(obj), 3);
	ksr_object__free(obj);
	free(d);
}

/* ---- corrupted copies ---------------------------------------------- */

static void m_var_called(struct raw *r, size_t *l)
{
	uint64_t off;
	size_t o = raw_rel(r, "tc", NULL, &off);

	/* retarget the call to ksr_no_such_kfunc at the typeless variable */
	for (;; o += 16) {
		uint64_t info;

		memcpy(&info, r->d + o + 8, 8);
		memcpy(&off, r->d + o, 8);
		if (!strcmp(raw_symname(r, (unsigned int)ELF64_R_SYM(info)), "ksr_no_such_kfunc") &&
		    r->d[r->sh[raw_sec(r, "tc")].sh_offset + off] == 0x85)
			break;
	}
	put64(r, o + 8, ELF64_R_INFO(raw_symidx(r, "ksr_no_such_symbol"), 10));
}

static void m_btf_linkage(struct raw *r, size_t *l)
{
	put32(r, btf_type_foff(r, "bpf_prog_active", BTF_KIND_VAR, NULL) + 12, BTF_VAR_GLOBAL_ALLOCATED);
}

static void m_btf_func_linkage(struct raw *r, size_t *l)
{
	size_t off = btf_type_foff(r, "bpf_rcu_read_lock", BTF_KIND_FUNC, NULL) + 4;
	uint32_t info;

	memcpy(&info, r->d + off, 4);
	put32(r, off, (info & ~0xffffu) | BTF_FUNC_GLOBAL);
}

static void m_btf_dup(struct raw *r, size_t *l)
{
	uint32_t name;

	btf_type_foff(r, "bpf_prog_put", BTF_KIND_VAR, &name);
	put32(r, btf_type_foff(r, "LICENSE", BTF_KIND_VAR, NULL), name);
}

static void m_btf_unrecognized(struct raw *r, size_t *l)
{
	uint32_t name;

	btf_type_foff(r, "license", BTF_KIND_DATASEC, &name);
	put32(r, btf_type_foff(r, ".ksyms", BTF_KIND_DATASEC, NULL), name);
}

static void m_btf_twice(struct raw *r, size_t *l)
{
	struct btf *lb = btf__new(r->d + btf_off(r), (__u32)r->sh[raw_sec(r, ".BTF")].sh_size);
	int var = btf__find_by_name_kind(lb, "bpf_prog_put", BTF_KIND_VAR);

	btf__free(lb);
	/* the license DATASEC's only entry now also names the extern */
	put32(r, btf_type_foff(r, "license", BTF_KIND_DATASEC, NULL) + 12, (uint32_t)var);
}

static void m_no_btf(struct raw *r, size_t *l)
{
	set_shdr(r, ".BTF", SH(sh_name), r->sh[raw_sec(r, ".BTF")].sh_name + 1, 4);
	set_shdr(r, ".BTF.ext", SH(sh_name), r->sh[raw_sec(r, ".BTF.ext")].sh_name + 1, 4);
	set_shdr(r, ".rel.BTF", SH(sh_type), SHT_PROGBITS, 4);
	set_shdr(r, ".rel.BTF.ext", SH(sh_type), SHT_PROGBITS, 4);
}

static void m_extern_nobtf(struct raw *r, size_t *l)
{
	put32(r, sym_off(r, (unsigned int)raw_symidx(r, "bpf_prog_put")) + SY(st_name),
	      r->sh[raw_sec(r, "license")].sh_name);
}

static void m_extern_dupname(struct raw *r, size_t *l)
{
	Elf64_Sym s = raw_sym(r, (unsigned int)raw_symidx(r, "ksr_no_such_symbol"));

	put32(r, sym_off(r, (unsigned int)raw_symidx(r, "ksr_no_such_var")) + SY(st_name), s.st_name);
}

static const struct bad_case bad_cases[] = {
	{ "variable called", "weak", m_var_called, "which is a variable, not a kfunc", NULL },
	{ "extern VAR linkage", "typed_percpu", m_btf_linkage, "has linkage 1, not extern", ".BTF (file offset" },
	{ "extern FUNC linkage", "kfuncs", m_btf_func_linkage, "has linkage 1, not extern", ".BTF (file offset" },
	{ "duplicate BTF name", "typeless", m_btf_dup, "both carry its name", ".BTF (file offset" },
	{ "unrecognized section", "typeless", m_btf_unrecognized, "unrecognized extern section 'license'",
	  ".BTF (file offset" },
	{ "listed twice", "typeless", m_btf_twice, "is listed twice", ".BTF (file offset" },
	{ "externs without .BTF", "typeless", m_no_btf, "'bpf_prog_put' (symbol 11): the object has no .BTF", NULL },
	{ "extern without BTF", "typeless", m_extern_nobtf, "extern 'license'", NULL },
	{ "duplicate extern", "weak", m_extern_dupname, "a second extern symbol of that name", NULL },
};

static void test_malformed(void **state)
{
	expect_bad_cases(bad_cases, sizeof(bad_cases) / sizeof(bad_cases[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typed_percpu),
		cmocka_unit_test(test_typeless),
		cmocka_unit_test(test_kfuncs),
		cmocka_unit_test(test_shared_sub),
		cmocka_unit_test(test_weak),
		cmocka_unit_test(test_missing_bad_proto_nongpl),
		cmocka_unit_test(test_maps_data),
		cmocka_unit_test(test_kconfig),
		cmocka_unit_test(test_neutralised),
		cmocka_unit_test(test_malformed),
	};

	require_bpf_objects();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
