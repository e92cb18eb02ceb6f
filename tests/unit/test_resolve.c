// SPDX-License-Identifier: BSD-2-Clause
/* The pure decisions (core/resolve.c) against synthetic kernel profiles.
 *
 * The kernel side is built here: a small vmlinux-like BTF (per-CPU and
 * ordinary VARs, kfunc FUNCs with and without DECL_TAG "bpf_kfunc",
 * duplicate names to check that the lowest id wins) and kallsyms text
 * (module lines, 'A' symbols, a zero-based per-CPU range, repeated names at
 * one or several addresses, ".llvm." suffixes, data symbols left out as on a
 * kernel without CONFIG_KALLSYMS_ALL). Both go through the real parsers and
 * ksr_profile__write()/ksr_profile__open(), so the decisions read the same
 * indexed views a CLI run reads. The objects are the clang-built test cases
 * in $KSR_BPF_DIR; every extern of an object is checked, none skipped.
 *
 * Expected outcomes follow libbpf >= 1.3, with the differences and the
 * verifier's rejections listed in docs/design.md, "Decisions". */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "btf.h"
#include "error.h"
#include "kallsyms.h"
#include "object.h"
#include "profile.h"
#include "resolve.h"
#include "btf_builder.h"
#include "testutil.h"

/* ---- the synthetic kernel -------------------------------------------------- */

/* Ids of the kernel BTF; the same in the tagged and the untagged variant,
 * whose only difference is the DECL_TAGs appended at the end. */
static struct {
	uint32_t rcu_lock, rcu_unlock, task_from_pid, task_acquire, task_acquire_dup,
		task_release, cg_from_id, cg_release, kf_argc, kf_ret, kf_weak_fwd, kf_td,
		kf_nosym, kf_plain, kf_plain_call, both_func;
	uint32_t runqueues, prog_active, prog_active_dup, kvar_int_td, kvar_arr, kvar_struct,
		kvar_ptr, kvar_enum64, kvar_voidp, both_var, kvar_kind, kvar_union,
		kvar_weak_bad, kvar_bitfield, kvar_nosym, kvar_nosym_weak;
	uint32_t type_cnt_untagged;
} K;

static uint32_t proto0(struct bb *b, uint32_t ret)
{
	return kb_proto(b, ret, 0, NULL, NULL);
}

static uint32_t proto1(struct bb *b, uint32_t ret, const char *name, uint32_t type)
{
	return kb_proto(b, ret, 1, &name, &type);
}

static uint32_t proto2(struct bb *b, uint32_t ret, const char *n1, uint32_t t1, const char *n2,
		       uint32_t t2)
{
	const char *names[2] = { n1, n2 };
	uint32_t types[2] = { t1, t2 };

	return kb_proto(b, ret, 2, names, types);
}

static void build_funcs(struct bb *b, uint32_t t_int, uint32_t t_long, uint32_t t_s32,
			uint32_t t_u64, uint32_t p_task, uint32_t p_cgroup, uint32_t p_rq)
{
	uint32_t v = proto0(b, 0), cg_rel = proto1(b, 0, "cgrp", p_cgroup);

	K.rcu_lock = kb_func(b, "bpf_rcu_read_lock", v);
	K.rcu_unlock = kb_func(b, "bpf_rcu_read_unlock", v);
	K.task_from_pid = kb_func(b, "bpf_task_from_pid", proto1(b, p_task, "pid", t_s32));
	K.task_acquire = kb_func(b, "bpf_task_acquire", proto1(b, p_task, "p", p_task));
	K.task_release = kb_func(b, "bpf_task_release", proto1(b, 0, "p", p_task));
	K.cg_from_id = kb_func(b, "bpf_cgroup_from_id", proto1(b, p_cgroup, "cgid", t_u64));
	K.cg_release = kb_func(b, "bpf_cgroup_release", cg_rel);
	K.kf_argc = kb_func(b, "ksr_kf_argc", proto2(b, t_int, "a", t_int, "b", t_int));
	K.kf_ret = kb_func(b, "ksr_kf_ret", proto0(b, t_int));
	K.kf_weak_fwd = kb_func(b, "ksr_kf_weak_fwd", cg_rel);
	K.kf_td = kb_func(b, "ksr_kf_td", proto2(b, t_int, "x", t_long, "o", p_rq));
	K.kf_nosym = kb_func(b, "ksr_kf_nosym", v);
	K.kf_plain = kb_func(b, "ksr_kf_plain", v);
	K.kf_plain_call = kb_func(b, "ksr_kf_plain_call", v);
	K.both_func = kb_func(b, "ksr_both", v);
	/* a later FUNC of the same name that the local prototype would not match */
	K.task_acquire_dup = kb_func(b, "bpf_task_acquire",
				     proto2(b, p_task, "p", p_task, "flags", t_int));
}

static void build_vars(struct bb *b, uint32_t t_int, uint32_t rq, uint32_t p_rq, uint32_t p_void)
{
	uint32_t t_long = kb_int(b, "long", 8, BTF_INT_SIGNED, 0, 64);
	uint32_t c_td = kb_ref(b, BTF_KIND_CONST, NULL, kb_ref(b, BTF_KIND_TYPEDEF, "ksr_td", t_long));
	uint32_t arr16 = kb_array(b, t_int, t_int, 16);
	uint32_t e64 = kb_enum64_1(b, "ksr_e64", "KSR_E64_BIG", 1ull << 40);
	uint32_t bits = kb_int(b, "ksr_bits", 4, BTF_INT_SIGNED, 1, 31);

	K.runqueues = kb_var(b, "runqueues", rq);
	K.prog_active = kb_var(b, "bpf_prog_active", t_int);
	K.prog_active_dup = kb_var(b, "bpf_prog_active", rq);
	K.kvar_int_td = kb_var(b, "ksr_kvar_int_td", c_td);
	K.kvar_arr = kb_var(b, "ksr_kvar_arr", arr16);
	K.kvar_struct = kb_var(b, "ksr_kvar_struct", rq);
	K.kvar_ptr = kb_var(b, "ksr_kvar_ptr", p_rq);
	K.kvar_enum64 = kb_var(b, "ksr_kvar_enum64", e64);
	K.kvar_voidp = kb_var(b, "ksr_kvar_voidp", p_void);
	K.both_var = kb_var(b, "ksr_both", t_int);
	K.kvar_kind = kb_var(b, "ksr_kvar_kind", rq);
	K.kvar_union = kb_var(b, "ksr_kvar_union", rq);
	K.kvar_weak_bad = kb_var(b, "ksr_kvar_weak_bad", t_int);
	K.kvar_bitfield = kb_var(b, "ksr_kvar_bitfield", bits);
	K.kvar_nosym = kb_var(b, "ksr_kvar_nosym", t_int);
	K.kvar_nosym_weak = kb_var(b, "ksr_kvar_nosym_weak", t_int);
	{
		const uint32_t pv[] = { K.runqueues, K.prog_active }, ps[] = { 8, 4 };
		const uint32_t dv[] = { K.prog_active_dup, K.kvar_int_td, K.kvar_arr, K.kvar_struct,
					K.kvar_ptr, K.kvar_enum64, K.kvar_voidp, K.both_var,
					K.kvar_kind, K.kvar_union, K.kvar_weak_bad, K.kvar_bitfield,
					K.kvar_nosym, K.kvar_nosym_weak };
		const uint32_t ds[] = { 8, 8, 64, 8, 8, 8, 8, 4, 8, 8, 4, 4, 4, 4 };

		kb_datasec(b, ".data..percpu", 2, pv, ps);
		kb_datasec(b, ".data", sizeof(dv) / sizeof(dv[0]), dv, ds);
	}
}

static void *build_kernel_btf(bool tags, size_t *len)
{
	struct bb b;
	uint32_t t_int, t_ull, rq, task, cgroup, p_task, p_cgroup, p_rq, p_void, t_s32, t_u64;
	void *blob;

	bb_init(&b);
	t_int = kb_int(&b, "int", 4, BTF_INT_SIGNED, 0, 32);
	t_ull = kb_int(&b, "unsigned long long", 8, 0, 0, 64);
	rq = kb_struct1(&b, "rq", 8, "cpu", t_int);
	task = kb_struct1(&b, "task_struct", 16, "pid", t_int);
	cgroup = kb_struct1(&b, "cgroup", 8, "id", t_ull);
	p_task = kb_ref(&b, BTF_KIND_PTR, NULL, task);
	p_cgroup = kb_ref(&b, BTF_KIND_PTR, NULL, cgroup);
	p_rq = kb_ref(&b, BTF_KIND_PTR, NULL, rq);
	p_void = kb_ref(&b, BTF_KIND_PTR, NULL, 0);
	t_s32 = kb_ref(&b, BTF_KIND_TYPEDEF, "s32", t_int);
	t_u64 = kb_ref(&b, BTF_KIND_TYPEDEF, "u64", t_ull);
	build_funcs(&b, t_int, kb_int(&b, "long int", 8, BTF_INT_SIGNED, 0, 64), t_s32, t_u64,
		    p_task, p_cgroup, p_rq);
	build_vars(&b, t_int, rq, p_rq, p_void);
	K.type_cnt_untagged = b.n + 1;
	if (tags) {
		const uint32_t tagged[] = { K.rcu_lock, K.rcu_unlock, K.task_from_pid,
					    K.task_acquire, K.cg_from_id, K.cg_release, K.kf_argc,
					    K.kf_ret, K.kf_weak_fwd, K.kf_td, K.kf_nosym };

		for (size_t i = 0; i < sizeof(tagged) / sizeof(tagged[0]); i++)
			kb_kfunc_tag(&b, tagged[i]);
	}
	blob = bb_blob(&b, len);
	bb_free(&b);
	return blob;
}

/* kallsyms of the synthetic kernel. bpf_prog_active and the *_nosym names
 * are left out (no CONFIG_KALLSYMS_ALL for those, or simply absent);
 * __per_cpu_start = 0 .. __per_cpu_end is a zero-based per-CPU range. */
static const char KALLSYMS[] =
	"0000000000000000 A __per_cpu_start\n"
	"0000000000000000 A ksr_t_abs0\n"
	"0000000000000040 D ksr_t_pcpu_d\n"
	"0000000000001000 A runqueues\n"
	"0000000000003000 A __per_cpu_end\n"
	"ffffffff81000000 T _text\n"
	"ffffffff81000000 T _stext\n"
	"ffffffff81100000 T bpf_prog_put\n"
	"ffffffff81100100 T bpf_rcu_read_lock\n"
	"ffffffff81100110 T bpf_rcu_read_unlock\n"
	"ffffffff81100120 T bpf_task_from_pid\n"
	"ffffffff81100130 T bpf_task_acquire\n"
	"ffffffff81100140 T bpf_task_release\n"
	"ffffffff81100150 T bpf_cgroup_from_id\n"
	"ffffffff81100160 T bpf_cgroup_release\n"
	"ffffffff81100170 T ksr_kf_argc\n"
	"ffffffff81100180 T ksr_kf_ret\n"
	"ffffffff81100190 T ksr_kf_weak_fwd\n"
	"ffffffff811001a0 T ksr_kf_td\n"
	"ffffffff811001b0 T ksr_kf_plain\n"
	"ffffffff811001c0 T ksr_kf_plain_call\n"
	"ffffffff811001d0 t ksr_both\n"
	"ffffffff81200000 t ksr_t_dup_same\n"
	"ffffffff81200000 t ksr_t_dup_same\n"
	"ffffffff81200100 t ksr_t_dup_diff\n"
	"ffffffff81200200 t ksr_t_dup_diff\n"
	"ffffffff81200300 t ksr_t_dup_weak\n"
	"ffffffff81200400 t ksr_t_dup_weak\n"
	"ffffffff81200500 T ksr_t_dup_mod\n"
	"ffffffff81300000 b ksr_t_weak_here\n"
	"ffffffff82000000 d ksr_t_llvm.llvm.1234567890\n"
	"ffffffff82000100 t ksr_t_llvm_t.llvm.42\n"
	"ffffffff82000200 D ksr_t_llvm_D.llvm.42\n"
	"ffffffff82000300 d ksr_t_llvm_amb.llvm.7\n"
	"ffffffff82000400 D ksr_t_llvm_amb\n"
	"ffffffff82000500 D ksr_kvar_int_td\n"
	"ffffffff82000510 D ksr_kvar_arr\n"
	"ffffffff82000550 D ksr_kvar_struct\n"
	"ffffffff82000560 D ksr_kvar_ptr\n"
	"ffffffff82000570 D ksr_kvar_enum64\n"
	"ffffffff82000580 D ksr_kvar_voidp\n"
	"ffffffff82000590 D ksr_kvar_kind\n"
	"ffffffff820005a0 D ksr_kvar_union\n"
	"ffffffff820005b0 D ksr_kvar_weak_bad\n"
	"ffffffff820005c0 D ksr_kvar_bitfield\n"
	"ffffffffc0001000 t ksr_t_mod\t[ksr_mod]\n"
	"ffffffffc0002000 t ksr_t_dup_mod\t[ksr_mod]\n";

/* The same kernel with its per-CPU data symbols in kallsyms. */
static const char KALLSYMS_ALL_EXTRA[] = "0000000000000800 A bpf_prog_active\n";

#define A_TEXT 0xffffffff81000000ull
#define A_PROG_PUT 0xffffffff81100000ull

enum { P612, P612_ALL, P61, P64, P_UNKNOWN, P_UNTAGGED, P_CNT };

static const struct {
	const char *release;
	bool tags;
	bool all;
} PROF_SPEC[P_CNT] = {
	[P612] = { "6.12.0-test", true, false },
	[P612_ALL] = { "6.12.0-test", true, true },
	[P61] = { "6.1.0-27-cloud-amd64", false, false },
	[P64] = { "6.4", true, false },
	[P_UNKNOWN] = { "unknown", true, false },
	[P_UNTAGGED] = { "6.12.0-untagged", false, false },
};

static struct ksr_profile *PROF[P_CNT];
static char PROF_PATH[P_CNT][512];

static struct ksr_kallsyms *parse_kallsyms(bool all)
{
	struct ksr_kallsyms *ks;
	size_t len = strlen(KALLSYMS) + (all ? strlen(KALLSYMS_ALL_EXTRA) : 0);
	char *text = malloc(len + 1);

	assert_non_null(text);
	strcpy(text, KALLSYMS);
	if (all)
		strcat(text, KALLSYMS_ALL_EXTRA);
	if (ksr_kallsyms__parse(text, len, &ks))
		fail_msg("synthetic kallsyms rejected: %s", ksr_errmsg());
	free(text);
	return ks;
}

static struct ksr_btf *parse_kernel_btf(bool tags)
{
	struct ksr_btf *btf;
	size_t len;
	void *blob = build_kernel_btf(tags, &len);

	if (ksr_btf__parse(blob, len, KSR_BTF_MODE_KERNEL, &btf))
		fail_msg("synthetic kernel BTF rejected (tags %d): %s", tags, ksr_errmsg());
	free(blob);
	return btf;
}

static int setup(void **state)
{
	const char *work = getenv("KSR_WORK");
	struct ksr_btf *btf[2] = { parse_kernel_btf(false), parse_kernel_btf(true) };
	struct ksr_kallsyms *ks[2] = { parse_kallsyms(false), parse_kallsyms(true) };

	for (int i = 0; i < P_CNT; i++) {
		struct ksr_profile_info info = { .release = PROF_SPEC[i].release };

		snprintf(PROF_PATH[i], sizeof(PROF_PATH[i]), "%s/test_resolve.%d.%d.profile",
			 work ? work : "/tmp", (int)getpid(), i);
		if (ksr_profile__write(PROF_PATH[i], btf[PROF_SPEC[i].tags], ks[PROF_SPEC[i].all],
				       &info))
			fail_msg("profile write %s: %s", PROF_PATH[i], ksr_errmsg());
		if (ksr_profile__open(PROF_PATH[i], &PROF[i]))
			fail_msg("profile open %s: %s", PROF_PATH[i], ksr_errmsg());
	}
	for (int i = 0; i < 2; i++) {
		ksr_btf__free(btf[i]);
		ksr_kallsyms__free(ks[i]);
	}
	return 0;
}

static int teardown(void **state)
{
	for (int i = 0; i < P_CNT; i++) {
		ksr_profile__free(PROF[i]);
		unlink(PROF_PATH[i]);
	}
	return 0;
}

/* ---- expectations ------------------------------------------------------------ */

enum { RES = KSR_STATUS_RESOLVED, WEAK = KSR_STATUS_WEAK_UNRESOLVED, MISS = KSR_STATUS_MISSING,
       INCOMPAT = KSR_STATUS_INCOMPATIBLE, UNLOAD = KSR_STATUS_UNLOADABLE };

struct want {
	const char *name;
	int status;
	uint32_t btf_id;          /* expected d.btf_id */
	uint64_t addr;            /* expected d.addr */
	enum ksr_addr_class cls;  /* checked for resolved typeless externs */
	const char *why;          /* a substring of the reason, or NULL */
	const char *why2;
};

static struct ksr_object *open_obj(const char *name)
{
	struct ksr_object *obj;

	if (ksr_object__open(tu_bpf_obj(name), &obj))
		fail_msg("cannot open %s: %s", tu_bpf_obj(name), ksr_errmsg());
	return obj;
}

static const struct ksr_extern *find_ext(const struct ksr_object *obj, const char *name)
{
	for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++)
		if (!strcmp(ksr_object__extern(obj, i)->name, name))
			return ksr_object__extern(obj, i);
	return NULL;
}

static void check_one(const char *ctx, const struct ksr_object *obj, const struct ksr_extern *e,
		      int p, const struct want *w)
{
	struct ksr_decision d;

	memset(&d, 0xa5, sizeof(d));
	ksr_resolve__extern(obj, e, PROF[p], &d);
	if ((int)d.status != w->status)
		fail_msg("%s: %s on %s: status %s, want %s (reason: %s)", ctx, e->name,
			 PROF_SPEC[p].release, ksr_status_str(d.status),
			 ksr_status_str((enum ksr_status)w->status), d.reason);
	if (d.btf_id != w->btf_id)
		fail_msg("%s: %s on %s: btf_id %u, want %u", ctx, e->name, PROF_SPEC[p].release,
			 d.btf_id, w->btf_id);
	if (d.addr != w->addr)
		fail_msg("%s: %s: addr 0x%llx, want 0x%llx", ctx, e->name,
			 (unsigned long long)d.addr, (unsigned long long)w->addr);
	if (e->kind == KSR_EXTERN_TYPELESS && d.status == KSR_STATUS_RESOLVED && d.addr_class != w->cls)
		fail_msg("%s: %s: address class %d, want %d", ctx, e->name, d.addr_class, w->cls);
	if (memchr(d.reason, '\0', sizeof(d.reason)) == NULL)
		fail_msg("%s: %s: reason not NUL-terminated", ctx, e->name);
	if ((d.status == KSR_STATUS_RESOLVED) != (d.reason[0] == '\0'))
		fail_msg("%s: %s: status %s with reason '%s'", ctx, e->name, ksr_status_str(d.status),
			 d.reason);
	if (w->why && !strstr(d.reason, w->why))
		fail_msg("%s: %s: reason '%s' lacks '%s'", ctx, e->name, d.reason, w->why);
	if (w->why2 && !strstr(d.reason, w->why2))
		fail_msg("%s: %s: reason '%s' lacks '%s'", ctx, e->name, d.reason, w->why2);
}

/* Every extern of the object against profile p: the table must name each
 * one exactly once. */
static void expect_all(const char *obj_name, int p, const struct want *w, size_t n)
{
	struct ksr_object *obj = open_obj(obj_name);

	if (ksr_object__extern_cnt(obj) != n)
		fail_msg("%s: %zu externs, the table has %zu", obj_name, ksr_object__extern_cnt(obj), n);
	for (size_t i = 0; i < n; i++) {
		const struct ksr_extern *e = find_ext(obj, w[i].name);

		if (!e)
			fail_msg("%s: no extern %s", obj_name, w[i].name);
		check_one(obj_name, obj, e, p, &w[i]);
	}
	ksr_object__free(obj);
}

/* One extern of the object against profile p. */
static void expect_one(const char *obj_name, int p, const struct want *w)
{
	struct ksr_object *obj = open_obj(obj_name);
	const struct ksr_extern *e = find_ext(obj, w->name);

	if (!e)
		fail_msg("%s: no extern %s", obj_name, w->name);
	check_one(obj_name, obj, e, p, w);
	ksr_object__free(obj);
}

#define EXPECT_ALL(obj, p, ...)                                                             \
	do {                                                                                \
		const struct want w_[] = { __VA_ARGS__ };                                   \
		expect_all(obj, p, w_, sizeof(w_) / sizeof(w_[0]));                         \
	} while (0)

#define EXPECT_ONE(obj, p, ...)                                                             \
	do {                                                                                \
		const struct want w_ = __VA_ARGS__;                                         \
		expect_one(obj, p, &w_);                                                    \
	} while (0)

/* ---- the synthetic profiles themselves --------------------------------------- */

static void test_profiles(void **state)
{
	for (int i = 0; i < P_CNT; i++) {
		const struct ksr_profile_meta *m = ksr_profile__meta(PROF[i]);
		const struct ksr_btf *kb = ksr_profile__btf(PROF[i]);

		assert_string_equal(ksr_profile__release(PROF[i]), PROF_SPEC[i].release);
		assert_int_equal(!!(m->flags & KSR_PROF_KFUNC_TAGS), PROF_SPEC[i].tags);
		assert_int_equal(m->text_addr, A_TEXT);
		/* duplicate names: the lowest id of each kind */
		assert_int_equal(ksr_btf__find(kb, "bpf_prog_active", BTF_KIND_VAR), K.prog_active);
		assert_int_equal(ksr_btf__find(kb, "bpf_task_acquire", BTF_KIND_FUNC), K.task_acquire);
		assert_int_equal(ksr_btf__find(kb, "ksr_both", BTF_KIND_VAR), K.both_var);
		assert_int_equal(ksr_btf__find(kb, "ksr_both", BTF_KIND_FUNC), K.both_func);
		assert_int_equal(ksr_btf__type_cnt(kb),
				 K.type_cnt_untagged + (PROF_SPEC[i].tags ? 11 : 0));
	}
	assert_true(K.prog_active < K.prog_active_dup);
	assert_true(K.task_acquire < K.task_acquire_dup);
	assert_true(K.both_func < K.both_var);
}

/* ---- typed variables --------------------------------------------------------- */

static void test_typed_percpu(void **state)
{
	/* bpf_prog_active absent from kallsyms (no CONFIG_KALLSYMS_ALL): the
	 * verifier's kallsyms_lookup_name() fails; the lowest VAR id (int) is
	 * chosen, not the later STRUCT one that would be incompatible */
	EXPECT_ALL("typed_percpu", P612,
		   { "runqueues", RES, K.runqueues, 0, 0, NULL, NULL },
		   { "bpf_prog_active", UNLOAD, K.prog_active, 0, 0, "kallsyms", NULL });
	EXPECT_ALL("typed_percpu", P612_ALL,
		   { "runqueues", RES, K.runqueues, 0, 0, NULL, NULL },
		   { "bpf_prog_active", RES, K.prog_active, 0, 0, NULL, NULL });
	/* typed vars do not depend on release or tags */
	EXPECT_ALL("typed_percpu", P61,
		   { "runqueues", RES, K.runqueues, 0, 0, NULL, NULL },
		   { "bpf_prog_active", UNLOAD, K.prog_active, 0, 0, "kallsyms", NULL });
}

static void test_typed_compat(void **state)
{
	EXPECT_ALL("compat", P612,
		   /* int sizes, const/typedef on the kernel side ignored */
		   { "ksr_kvar_int_td", RES, K.kvar_int_td, 0, 0, NULL, NULL },
		   /* array lengths ignored (3 vs 16) */
		   { "ksr_kvar_arr", RES, K.kvar_arr, 0, 0, NULL, NULL },
		   /* struct names and members ignored */
		   { "ksr_kvar_struct", RES, K.kvar_struct, 0, 0, NULL, NULL },
		   { "ksr_kvar_ptr", RES, K.kvar_ptr, 0, 0, NULL, NULL },
		   /* ENUM and ENUM64 are interchangeable */
		   { "ksr_kvar_enum64", RES, K.kvar_enum64, 0, 0, NULL, NULL },
		   /* void * is typed (PTR), and PTR -> void matches PTR -> void */
		   { "ksr_kvar_voidp", RES, K.kvar_voidp, 0, 0, NULL, NULL },
		   /* the VAR of that name, not the FUNC that comes first */
		   { "ksr_both", RES, K.both_var, 0, 0, NULL, NULL },
		   /* kinds differ: INT vs STRUCT, UNION vs STRUCT */
		   { "ksr_kvar_kind", INCOMPAT, K.kvar_kind, 0, 0, "incompatible", NULL },
		   { "ksr_kvar_union", INCOMPAT, K.kvar_union, 0, 0, "incompatible", NULL },
		   /* an incompatible typed var fails even when weak */
		   { "ksr_kvar_weak_bad", INCOMPAT, K.kvar_weak_bad, 0, 0, "incompatible", NULL },
		   /* a bitfield-style kernel INT (bit offset 1) is never compatible */
		   { "ksr_kvar_bitfield", INCOMPAT, K.kvar_bitfield, 0, 0, "incompatible", NULL },
		   /* in BTF, not in kallsyms: the verifier fails, weak or not */
		   { "ksr_kvar_nosym", UNLOAD, K.kvar_nosym, 0, 0, "kallsyms", NULL },
		   { "ksr_kvar_nosym_weak", UNLOAD, K.kvar_nosym_weak, 0, 0, "kallsyms", NULL },
		   /* absent from vmlinux BTF: module BTF is not searched (yet) */
		   { "ksr_kvar_absent", MISS, 0, 0, 0, "module", NULL },
		   /* kfunc prototypes: typedefs, int sizes, pointee names ignored */
		   { "ksr_kf_td", RES, K.kf_td, 0, 0, NULL, NULL },
		   /* parameter count, return kind */
		   { "ksr_kf_argc", INCOMPAT, K.kf_argc, 0, 0, "incompatible", NULL },
		   { "ksr_kf_ret", INCOMPAT, K.kf_ret, 0, 0, "incompatible", NULL },
		   /* FWD vs STRUCT, weak: unresolved, its call poisoned */
		   { "ksr_kf_weak_fwd", WEAK, 0, 0, 0, "incompatible", "poison" },
		   /* a tagged kfunc missing from kallsyms */
		   { "ksr_kf_nosym", UNLOAD, K.kf_nosym, 0, 0, "kallsyms", NULL },
		   /* calling an untagged FUNC on a kernel with kfunc tags */
		   { "ksr_kf_plain_call", UNLOAD, K.kf_plain_call, 0, 0, "bpf_kfunc", NULL },
		   /* only its address is taken: no kfunc-set check for an ld_imm64
		    * of a FUNC (check_pseudo_btf_id), so the tag does not matter */
		   { "ksr_kf_plain", RES, K.kf_plain, 0, 0, NULL, NULL });
	/* no tags at all in the kernel's BTF: any FUNC may be called */
	EXPECT_ONE("compat", P_UNTAGGED, { "ksr_kf_plain_call", RES, K.kf_plain_call, 0, 0, NULL, NULL });
	EXPECT_ONE("compat", P_UNTAGGED, { "ksr_kf_plain", RES, K.kf_plain, 0, 0, NULL, NULL });
	/* the kfunc address is the ld_imm64 -> FUNC form: 6.4+ */
	EXPECT_ONE("compat", P61, { "ksr_kf_plain", UNLOAD, K.kf_plain, 0, 0, "6.4", NULL });
}

/* ---- typeless symbols ---------------------------------------------------------- */

static void test_typeless_rules(void **state)
{
	EXPECT_ALL("typeless_rules", P612,
		   /* module lines count; a module address has its own base */
		   { "ksr_t_mod", RES, 0, 0xffffffffc0001000ull, KSR_ADDR_MODULE, NULL, NULL },
		   /* address 0 is a real address: an 'A' symbol, never moved */
		   { "ksr_t_abs0", RES, 0, 0, KSR_ADDR_FIXED, NULL, NULL },
		   /* inside the zero-based [__per_cpu_start, __per_cpu_end) */
		   { "ksr_t_pcpu_d", RES, 0, 0x40, KSR_ADDR_FIXED, NULL, NULL },
		   { "ksr_t_dup_same", RES, 0, 0xffffffff81200000ull, KSR_ADDR_KERNEL, NULL, NULL },
		   /* different addresses: libbpf refuses, even for a weak extern */
		   { "ksr_t_dup_diff", INCOMPAT, 0, 0, 0, "0xffffffff81200100", "0xffffffff81200200" },
		   { "ksr_t_dup_weak", INCOMPAT, 0, 0, 0, "0xffffffff81200300", "0xffffffff81200400" },
		   { "ksr_t_dup_mod", INCOMPAT, 0, 0, 0, "0xffffffff81200500", "0xffffffffc0002000" },
		   /* the ".llvm." suffix is dropped for 'd' only */
		   { "ksr_t_llvm", RES, 0, 0xffffffff82000000ull, KSR_ADDR_KERNEL, NULL, NULL },
		   { "ksr_t_llvm_t", WEAK, 0, 0, 0, "kallsyms", NULL },
		   { "ksr_t_llvm_D", MISS, 0, 0, 0, "kallsyms", NULL },
		   /* 'd' x.llvm.N and a plain x at another address: ambiguous */
		   { "ksr_t_llvm_amb", INCOMPAT, 0, 0, 0, "0xffffffff82000300", "0xffffffff82000400" },
		   { "ksr_t_weak_here", RES, 0, 0xffffffff81300000ull, KSR_ADDR_KERNEL, NULL, NULL },
		   /* a FUNC in BTF but not in kallsyms: typeless never uses BTF */
		   { "ksr_kf_nosym", MISS, 0, 0, 0, "kallsyms", NULL });
}

static void test_typeless_objects(void **state)
{
	EXPECT_ALL("typeless", P612,
		   { "bpf_prog_put", RES, 0, A_PROG_PUT, KSR_ADDR_KERNEL, NULL, NULL });
	/* an absolute per-CPU offset ('A'), as on x86-64 before 6.15 */
	EXPECT_ALL("typeless_percpu", P612,
		   { "runqueues", RES, 0, 0x1000, KSR_ADDR_FIXED, NULL, NULL });
	EXPECT_ALL("missing", P612,
		   { "ksr_missing_symbol", MISS, 0, 0, 0, "kallsyms", NULL },
		   { "ksr_missing_kfunc", MISS, 0, 0, 0, "module", NULL },
		   { "bpf_prog_put", RES, 0, A_PROG_PUT, KSR_ADDR_KERNEL, NULL, NULL });
	/* typeless does not care about release or tags */
	EXPECT_ALL("typeless", P61,
		   { "bpf_prog_put", RES, 0, A_PROG_PUT, KSR_ADDR_KERNEL, NULL, NULL });
}

/* ---- kfuncs ------------------------------------------------------------------ */

static void test_kfuncs(void **state)
{
	/* bpf_task_acquire: the lowest id, whose prototype matches; the later
	 * duplicate with two parameters would not. bpf_task_release is a FUNC
	 * without the bpf_kfunc tag on a kernel that has tags. */
	EXPECT_ALL("kfuncs", P612,
		   { "bpf_rcu_read_lock", RES, K.rcu_lock, 0, 0, NULL, NULL },
		   { "bpf_rcu_read_unlock", RES, K.rcu_unlock, 0, 0, NULL, NULL },
		   { "bpf_task_from_pid", RES, K.task_from_pid, 0, 0, NULL, NULL },
		   { "bpf_task_acquire", RES, K.task_acquire, 0, 0, NULL, NULL },
		   { "bpf_task_release", UNLOAD, K.task_release, 0, 0, "bpf_kfunc", NULL });
	/* no tags anywhere in the BTF (before 6.11): nothing to check against */
	EXPECT_ALL("kfuncs", P_UNTAGGED,
		   { "bpf_rcu_read_lock", RES, K.rcu_lock, 0, 0, NULL, NULL },
		   { "bpf_rcu_read_unlock", RES, K.rcu_unlock, 0, 0, NULL, NULL },
		   { "bpf_task_from_pid", RES, K.task_from_pid, 0, 0, NULL, NULL },
		   { "bpf_task_acquire", RES, K.task_acquire, 0, 0, NULL, NULL },
		   { "bpf_task_release", RES, K.task_release, 0, 0, NULL, NULL });
	/* calls only: the release does not matter */
	EXPECT_ONE("kfuncs", P61, { "bpf_task_from_pid", RES, K.task_from_pid, 0, 0, NULL, NULL });
}

static void test_kfunc_bad_proto(void **state)
{
	/* a forward-declared struct (FWD) is not the kernel's STRUCT */
	EXPECT_ALL("bad_proto", P612,
		   { "bpf_cgroup_from_id", INCOMPAT, K.cg_from_id, 0, 0, "incompatible", NULL },
		   { "bpf_cgroup_release", INCOMPAT, K.cg_release, 0, 0, "incompatible", NULL },
		   { "bpf_rcu_read_lock", RES, K.rcu_lock, 0, 0, NULL, NULL },
		   { "bpf_rcu_read_unlock", RES, K.rcu_unlock, 0, 0, NULL, NULL });
}

static void test_flavour(void **state)
{
	/* kfuncs: the name up to the last "___"; vars and typeless: full names */
	EXPECT_ALL("flavour", P612,
		   { "bpf_rcu_read_lock___v2", RES, K.rcu_lock, 0, 0, NULL, NULL },
		   { "bpf_rcu_read_unlock___v2", RES, K.rcu_unlock, 0, 0, NULL, NULL },
		   { "bpf_task_release___a___b", WEAK, 0, 0, 0, "'bpf_task_release___a'", "set to 0" },
		   { "bpf_prog_active___v2", WEAK, 0, 0, 0, "VAR", NULL },
		   { "bpf_prog_put___v2", WEAK, 0, 0, 0, "kallsyms", NULL });
	/* its kfunc address (bpf_ksym_exists) needs 6.4 */
	EXPECT_ONE("flavour", P61, { "bpf_rcu_read_lock___v2", UNLOAD, K.rcu_lock, 0, 0, "6.4", NULL });
	EXPECT_ONE("flavour", P61, { "bpf_rcu_read_unlock___v2", RES, K.rcu_unlock, 0, 0, NULL, NULL });
}

static void test_weak(void **state)
{
	/* bpf_rcu_read_lock: called and its address taken (bpf_ksym_exists) */
	EXPECT_ALL("weak", P612,
		   { "ksr_no_such_symbol", WEAK, 0, 0, 0, "kallsyms", NULL },
		   { "ksr_no_such_var", WEAK, 0, 0, 0, "VAR", NULL },
		   { "ksr_no_such_kfunc", WEAK, 0, 0, 0, "FUNC", "poison" },
		   { "bpf_rcu_read_lock", RES, K.rcu_lock, 0, 0, NULL, NULL },
		   { "bpf_rcu_read_unlock", RES, K.rcu_unlock, 0, 0, NULL, NULL },
		   { "bpf_prog_put", RES, 0, A_PROG_PUT, KSR_ADDR_KERNEL, NULL, NULL });
}

/* The kfunc address form (ld_imm64 -> FUNC, src_reg 3) needs kernel 6.4. */
static void test_kfunc_address_release(void **state)
{
	static const int ok[] = { P612, P64, P_UNKNOWN, P_UNTAGGED };

	EXPECT_ALL("weak", P61,
		   { "ksr_no_such_symbol", WEAK, 0, 0, 0, NULL, NULL },
		   { "ksr_no_such_var", WEAK, 0, 0, 0, NULL, NULL },
		   { "ksr_no_such_kfunc", WEAK, 0, 0, 0, NULL, NULL },
		   { "bpf_rcu_read_lock", UNLOAD, K.rcu_lock, 0, 0, "6.4", "6.1.0-27-cloud-amd64" },
		   { "bpf_rcu_read_unlock", RES, K.rcu_unlock, 0, 0, NULL, NULL },
		   { "bpf_prog_put", RES, 0, A_PROG_PUT, KSR_ADDR_KERNEL, NULL, NULL });
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		EXPECT_ONE("weak", ok[i], { "bpf_rcu_read_lock", RES, K.rcu_lock, 0, 0, NULL, NULL });
}

/* The kernel checks the license for kfunc calls only (add_kfunc_call). */
static void test_license(void **state)
{
	EXPECT_ALL("nongpl", P612,
		   { "bpf_rcu_read_lock", UNLOAD, K.rcu_lock, 0, 0, "GPL", NULL },
		   { "bpf_rcu_read_unlock", UNLOAD, K.rcu_unlock, 0, 0, "GPL", NULL });
	EXPECT_ALL("nongpl", P_UNTAGGED,
		   { "bpf_rcu_read_lock", UNLOAD, K.rcu_lock, 0, 0, "GPL", NULL },
		   { "bpf_rcu_read_unlock", UNLOAD, K.rcu_unlock, 0, 0, "GPL", NULL });
	EXPECT_ALL("nongpl_addr", P612, { "bpf_rcu_read_lock", RES, K.rcu_lock, 0, 0, NULL, NULL });
	EXPECT_ALL("nongpl_addr", P61,
		   { "bpf_rcu_read_lock", UNLOAD, K.rcu_lock, 0, 0, "6.4", NULL });
}

/* The remaining objects: sites in several sections, maps and data, kconfig
 * externs beside a ksym (not listed: libbpf keeps them). */
static void test_other_objects(void **state)
{
	EXPECT_ALL("shared_sub", P612,
		   { "bpf_prog_put", RES, 0, A_PROG_PUT, KSR_ADDR_KERNEL, NULL, NULL },
		   { "bpf_rcu_read_lock", RES, K.rcu_lock, 0, 0, NULL, NULL },
		   { "bpf_rcu_read_unlock", RES, K.rcu_unlock, 0, 0, NULL, NULL });
	EXPECT_ALL("maps_data", P612,
		   { "bpf_prog_put", RES, 0, A_PROG_PUT, KSR_ADDR_KERNEL, NULL, NULL },
		   { "bpf_rcu_read_lock", RES, K.rcu_lock, 0, 0, NULL, NULL },
		   { "bpf_rcu_read_unlock", RES, K.rcu_unlock, 0, 0, NULL, NULL });
	EXPECT_ALL("kconfig", P612,
		   { "bpf_prog_put", RES, 0, A_PROG_PUT, KSR_ADDR_KERNEL, NULL, NULL });
}

/* ---- per-architecture rules ----------------------------------------------------- */

/* An arm64 kernel's kallsyms: per-CPU variables are 'D' symbols at kernel
 * virtual addresses inside [__per_cpu_start, __per_cpu_end), not zero-based
 * 'A' offsets as on x86-64 before 6.15; they move with KASLR. */
static const char KALLSYMS_ARM64[] =
	"ffff800080000000 T _text\n"
	"ffff800080276610 T bpf_prog_put\n"
	"ffff800082a00000 D __per_cpu_start\n"
	"ffff800082a31c40 D runqueues\n"
	"ffff800082a40000 D __per_cpu_end\n";

/* The address class is the arch's KASLR rule: x86_64 and aarch64 have one
 * (the same), a profile without an arch gets it too (load checks the
 * host's arch), any other arch is refused, not guessed. */
static void test_arch_rules(void **state)
{
	static const struct {
		uint16_t machine;
		int status;
	} arches[] = { { EM_AARCH64, RES }, { EM_X86_64, RES }, { 0, RES },
		       { EM_RISCV, INCOMPAT }, { EM_S390, INCOMPAT } };
	struct ksr_btf *btf = parse_kernel_btf(false);
	struct ksr_kallsyms *ks;
	char path[512];
	const char *work = getenv("KSR_WORK");

	if (ksr_kallsyms__parse(KALLSYMS_ARM64, strlen(KALLSYMS_ARM64), &ks))
		fail_msg("arm64 kallsyms rejected: %s", ksr_errmsg());
	snprintf(path, sizeof(path), "%s/test_resolve.%d.arch.profile", work ? work : "/tmp",
		 (int)getpid());
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
		struct ksr_profile_info info = { .release = "6.12.0-test", .arch = arches[i].machine };
		struct ksr_object *obj = open_obj("typeless_percpu");
		const struct ksr_extern *e = find_ext(obj, "runqueues");
		struct ksr_profile *prof = NULL;
		struct ksr_decision d;

		if (ksr_profile__write(path, btf, ks, &info) || ksr_profile__open(path, &prof))
			fail_msg("arch %u profile: %s", arches[i].machine, ksr_errmsg());
		assert_int_equal(ksr_profile__meta(prof)->arch, arches[i].machine);
		assert_non_null(e);
		ksr_resolve__extern(obj, e, prof, &d);
		if ((int)d.status != arches[i].status)
			fail_msg("arch %s: status %s (%s)", ksr_arch_name(arches[i].machine),
				 ksr_status_str(d.status), d.reason);
		if (d.status == KSR_STATUS_RESOLVED) {
			/* a kernel VA in the per-CPU range: moves with KASLR */
			assert_int_equal(d.addr, 0xffff800082a31c40ull);
			assert_int_equal(d.addr_class, KSR_ADDR_KERNEL);
		} else {
			assert_non_null(strstr(d.reason, "no KASLR rule for arch"));
			assert_non_null(strstr(d.reason, ksr_arch_name(arches[i].machine)));
		}
		ksr_profile__free(prof);
		ksr_object__free(obj);
	}
	assert_int_equal(ksr_arch_kaslr_rule(EM_X86_64), 0);
	assert_int_equal(ksr_arch_kaslr_rule(EM_AARCH64), 0);
	assert_int_equal(ksr_arch_kaslr_rule(0), -ENOTSUP);
	assert_non_null(strstr(ksr_errmsg(), "arch unknown"));
	assert_int_equal(ksr_arch_kaslr_rule(EM_RISCV), -ENOTSUP);
	ksr_kallsyms__free(ks);
	ksr_btf__free(btf);
	unlink(path);
}

/* Deciding twice gives the same bytes: nothing depends on leftovers. */
static void test_decision_reset(void **state)
{
	struct ksr_object *obj = open_obj("compat");

	for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++) {
		const struct ksr_extern *e = ksr_object__extern(obj, i);
		struct ksr_decision a, b;

		memset(&a, 0x00, sizeof(a));
		memset(&b, 0xff, sizeof(b));
		ksr_resolve__extern(obj, e, PROF[P612], &a);
		ksr_resolve__extern(obj, e, PROF[P612], &b);
		assert_int_equal(a.status, b.status);
		assert_int_equal(a.btf_id, b.btf_id);
		assert_int_equal(a.addr, b.addr);
		assert_string_equal(a.reason, b.reason);
	}
	ksr_object__free(obj);
}

/* ---- helpers ------------------------------------------------------------------- */

static void test_license_gpl_compatible(void **state)
{
	static const char *const yes[] = { "GPL", "GPL v2", "GPL and additional rights",
					   "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL" };
	static const char *const no[] = { "", "BSD", "gpl", "GPLv2", "GPL ", " GPL", "GPL v3",
					  "Dual BSD/GPL ", "Dual GPL/BSD", "Proprietary",
					  "GPL\nGPL", "Dual MIT" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!ksr_license_gpl_compatible(yes[i]))
			fail_msg("'%s' should be GPL-compatible", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (ksr_license_gpl_compatible(no[i]))
			fail_msg("'%s' should not be GPL-compatible", no[i]);
	assert_false(ksr_license_gpl_compatible(NULL));
}

static void test_release_version(void **state)
{
	static const struct {
		const char *s;
		unsigned int v;
	} cases[] = {
		{ "6.1.0-27-cloud-amd64", 6 * 256 + 1 },
		{ "6.4", 6 * 256 + 4 },
		{ "6.4.0", 6 * 256 + 4 },
		{ "6.3.13-arch1", 6 * 256 + 3 },
		{ "6.12", 6 * 256 + 12 },
		{ "6.12.117+deb13-amd64", 6 * 256 + 12 },
		{ "6.18.44", 6 * 256 + 18 },
		{ "5.10.0", 5 * 256 + 10 },
		{ "10.0-rc1", 10 * 256 },
		{ "6.04", 6 * 256 + 4 },
		{ "6.4-rc7", 6 * 256 + 4 },
		{ "6.4+", 6 * 256 + 4 },
		{ "unknown", 0 },
		{ "", 0 },
		{ "6", 0 },
		{ "6.", 0 },
		{ "6.x", 0 },
		{ ".6", 0 },
		{ "v6.1", 0 },
		{ " 6.1", 0 },
		{ "6-1", 0 },
		{ "-6.1", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (ksr_release_version(cases[i].s) != cases[i].v)
			fail_msg("'%s': %u, want %u", cases[i].s, ksr_release_version(cases[i].s),
				 cases[i].v);
	assert_int_equal(ksr_release_version(NULL), 0);
	/* absurdly long numbers stop growing instead of wrapping around */
	assert_true(ksr_release_version("99999999999999999999.1") < 1000000u);
	assert_true(ksr_release_version("6.99999999999999999999") < 1000000u);
	assert_true(ksr_release_version("6.3") < ksr_release_version("6.4"));
	assert_true(ksr_release_version("6.4") < ksr_release_version("6.10"));
	assert_true(ksr_release_version("5.19") < ksr_release_version("6.0"));
}

static void test_status(void **state)
{
	assert_true(ksr_status_ok(KSR_STATUS_RESOLVED));
	assert_true(ksr_status_ok(KSR_STATUS_WEAK_UNRESOLVED));
	assert_false(ksr_status_ok(KSR_STATUS_MISSING));
	assert_false(ksr_status_ok(KSR_STATUS_INCOMPATIBLE));
	assert_false(ksr_status_ok(KSR_STATUS_UNLOADABLE));
	assert_false(ksr_status_ok((enum ksr_status)99));
	assert_string_equal(ksr_status_str(KSR_STATUS_RESOLVED), "resolved");
	assert_string_equal(ksr_status_str(KSR_STATUS_WEAK_UNRESOLVED), "weak_unresolved");
	assert_string_equal(ksr_status_str(KSR_STATUS_MISSING), "missing");
	assert_string_equal(ksr_status_str(KSR_STATUS_INCOMPATIBLE), "incompatible");
	assert_string_equal(ksr_status_str(KSR_STATUS_UNLOADABLE), "unloadable");
	assert_non_null(ksr_status_str((enum ksr_status)99));
	assert_string_not_equal(ksr_status_str((enum ksr_status)99), "resolved");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profiles),
		cmocka_unit_test(test_typed_percpu),
		cmocka_unit_test(test_typed_compat),
		cmocka_unit_test(test_typeless_rules),
		cmocka_unit_test(test_typeless_objects),
		cmocka_unit_test(test_kfuncs),
		cmocka_unit_test(test_kfunc_bad_proto),
		cmocka_unit_test(test_flavour),
		cmocka_unit_test(test_weak),
		cmocka_unit_test(test_kfunc_address_release),
		cmocka_unit_test(test_license),
		cmocka_unit_test(test_other_objects),
		cmocka_unit_test(test_decision_reset),
		cmocka_unit_test(test_arch_rules),
		cmocka_unit_test(test_license_gpl_compatible),
		cmocka_unit_test(test_release_version),
		cmocka_unit_test(test_status),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
