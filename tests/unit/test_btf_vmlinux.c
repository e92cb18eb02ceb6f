// SPDX-License-Identifier: BSD-2-Clause
/* Differential test against libbpf on the running kernel's BTF: our KERNEL
 * mode must accept it, and every lookup must agree with libbpf's view. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <bpf/btf.h>

#include "btf.h"
#include "error.h"
#include "testutil.h"

#define VMLINUX "/sys/kernel/btf/vmlinux"

static void *vm_data;
static size_t vm_len;
static struct ksr_btf *vm_btf;
static struct btf *lb_btf;

/* ---- first id per (name, kind) from libbpf's view, in one pass ------------- */

struct first {
	const char *name;
	unsigned int kind;
	uint32_t id;
};

static struct first *firsts;
static uint32_t first_cap;

static uint64_t fnv(const char *s, unsigned int kind)
{
	uint64_t h = 1469598103934665603ull ^ kind;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void first_add(const char *name, unsigned int kind, uint32_t id)
{
	uint32_t h = (uint32_t)fnv(name, kind) & (first_cap - 1);

	for (;; h = (h + 1) & (first_cap - 1)) {
		struct first *f = &firsts[h];

		if (!f->name) {
			f->name = name;
			f->kind = kind;
			f->id = id;
			return;
		}
		if (f->kind == kind && strcmp(f->name, name) == 0)
			return; /* a lower id came first */
	}
}

static int setup(void **state)
{
	double t0, t1;
	int err;

	if (!tu_readable(VMLINUX))
		tu_skip(VMLINUX " is not readable");
	vm_data = tu_read_file(VMLINUX, &vm_len);
	if (!vm_data)
		tu_skip("cannot read " VMLINUX);
	t0 = tu_now_ms();
	err = ksr_btf__parse(vm_data, vm_len, KSR_BTF_MODE_KERNEL, &vm_btf);
	t1 = tu_now_ms();
	if (err)
		print_message("parse: %s\n", ksr_errmsg());
	assert_int_equal(err, 0);
	print_message("parsed %zu bytes, %u types in KERNEL mode in %.1f ms\n", vm_len,
		      ksr_btf__type_cnt(vm_btf), t1 - t0);
	lb_btf = btf__parse_raw(VMLINUX);
	assert_non_null(lb_btf);
	return 0;
}

static int teardown(void **state)
{
	ksr_btf__free(vm_btf);
	btf__free(lb_btf);
	free(firsts);
	free(vm_data);
	return 0;
}

static void test_object_mode_too(void **state)
{
	struct ksr_btf *b = NULL;

	assert_int_equal(ksr_btf__parse(vm_data, vm_len, KSR_BTF_MODE_OBJECT, &b), 0);
	assert_int_equal(ksr_btf__type_cnt(b), ksr_btf__type_cnt(vm_btf));
	ksr_btf__free(b);
}

static void test_same_types(void **state)
{
	uint32_t n = btf__type_cnt(lb_btf);
	uint32_t named_lb[NR_BTF_KINDS] = { 0 }, named_ksr[NR_BTF_KINDS] = { 0 };

	assert_int_equal(ksr_btf__type_cnt(vm_btf), n);
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *a = btf__type_by_id(lb_btf, id);
		const struct btf_type *b = ksr_btf__type_by_id(vm_btf, id);
		const char *an = btf__name_by_offset(lb_btf, a->name_off);
		const char *bn = ksr_btf__name(vm_btf, id);

		assert_non_null(b);
		assert_int_equal(BTF_INFO_KIND(a->info), BTF_INFO_KIND(b->info));
		assert_non_null(bn);
		if (an[0])
			named_lb[BTF_INFO_KIND(a->info)]++;
		if (bn[0])
			named_ksr[BTF_INFO_KIND(b->info)]++;
	}
	for (unsigned int k = 0; k < NR_BTF_KINDS; k++)
		assert_int_equal(named_lb[k], named_ksr[k]);
}

static void test_find_matches_libbpf(void **state)
{
	uint32_t n = btf__type_cnt(lb_btf), checked = 0;
	double t0, t1;

	first_cap = 1;
	while (first_cap < 2 * n)
		first_cap <<= 1;
	firsts = calloc(first_cap, sizeof(*firsts));
	assert_non_null(firsts);
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(lb_btf, id);
		unsigned int k = BTF_INFO_KIND(t->info);

		if (k == BTF_KIND_VAR || k == BTF_KIND_FUNC)
			first_add(btf__name_by_offset(lb_btf, t->name_off), k, id);
	}
	t0 = tu_now_ms();
	for (uint32_t i = 0; i < first_cap; i++) {
		if (!firsts[i].name)
			continue;
		assert_int_equal(ksr_btf__find(vm_btf, firsts[i].name, firsts[i].kind),
				 (int)firsts[i].id);
		checked++;
	}
	t1 = tu_now_ms();
	print_message("%u VAR/FUNC names agree with libbpf (%.1f ms)\n", checked, t1 - t0);
	assert_true(checked > 1000);
	assert_int_equal(ksr_btf__find(vm_btf, "ksr_surely_not_a_kernel_symbol", BTF_KIND_FUNC),
			 -ENOENT);
}

/* kfunc and per-CPU flags, derived independently from libbpf's view. */
static void test_flags_match_libbpf(void **state)
{
	uint32_t n = btf__type_cnt(lb_btf), kfuncs = 0, percpu = 0;

	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(lb_btf, id);
		const char *name = btf__name_by_offset(lb_btf, t->name_off);
		const struct ksr_btf_name_slot *s;

		if (btf_is_decl_tag(t) && strcmp(name, "bpf_kfunc") == 0 &&
		    btf_decl_tag(t)->component_idx == -1) {
			const struct btf_type *f = btf__type_by_id(lb_btf, t->type);
			const char *fn = btf__name_by_offset(lb_btf, f->name_off);

			s = ksr_btf__lookup(vm_btf, fn);
			assert_non_null(s);
			if (s->func_id == t->type) {
				assert_true(s->flags & KSR_NAME_FUNC_KFUNC);
				kfuncs++;
			}
		}
		if (btf_is_datasec(t) && strcmp(name, ".data..percpu") == 0) {
			const struct btf_var_secinfo *e = btf_var_secinfos(t);

			for (uint32_t i = 0; i < btf_vlen(t); i++) {
				const struct btf_type *v = btf__type_by_id(lb_btf, e[i].type);

				s = ksr_btf__lookup(vm_btf, btf__name_by_offset(lb_btf, v->name_off));
				assert_non_null(s);
				if (s->var_id == e[i].type) {
					assert_true(s->flags & KSR_NAME_VAR_PERCPU);
					percpu++;
				}
			}
		}
	}
	print_message("%u kfunc-tagged FUNCs, %u per-CPU VARs\n", kfuncs, percpu);
	assert_int_equal(ksr_btf__has_kfunc_tags(vm_btf), kfuncs > 0);
}

/* A profile-style view over our own tables answers exactly like the parse. */
static void test_indexed_view_agrees(void **state)
{
	const struct ksr_btf_name_slot *slots;
	const uint32_t *offs;
	struct ksr_btf *v = NULL;
	uint32_t cnt, slot_cnt;
	size_t raw_len;
	const void *raw = ksr_btf__raw(vm_btf, &raw_len);

	offs = ksr_btf__type_offsets(vm_btf, &cnt);
	slots = ksr_btf__name_index(vm_btf, &slot_cnt);
	assert_int_equal(ksr_btf__open_indexed(raw, raw_len, offs, cnt, slots, slot_cnt, &v), 0);
	assert_int_equal(ksr_btf__has_kfunc_tags(v), ksr_btf__has_kfunc_tags(vm_btf));
	for (uint32_t i = 0; i < first_cap; i++)
		if (firsts[i].name)
			assert_int_equal(ksr_btf__find(v, firsts[i].name, firsts[i].kind),
					 (int)firsts[i].id);
	for (uint32_t id = 1; id < cnt; id++)
		assert_ptr_equal(ksr_btf__type_by_id(v, id), ksr_btf__type_by_id(vm_btf, id));
	ksr_btf__free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_object_mode_too),
		cmocka_unit_test(test_same_types),
		cmocka_unit_test(test_find_matches_libbpf),
		cmocka_unit_test(test_flags_match_libbpf),
		cmocka_unit_test(test_indexed_view_agrees),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
