// SPDX-License-Identifier: BSD-2-Clause
/* The BPF object model over the clang-built objects of tests/bpf: extern
 * lists checked against hand-written expectations and against an
 * independent reading of the raw ELF (a tiny reader below) and of .BTF
 * (libbpf); then corrupted copies, each of which must fail with -EBADMSG and
 * a message naming the broken part; then truncations and random byte flips,
 * which must never crash (run under ASan with -DKSYMRES_SANITIZE=ON). */
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
#include "testutil.h"

/* ---- an independent, trusting reader for clang's output ----------------- */

struct raw {
	uint8_t *d;
	size_t n;
	Elf64_Ehdr eh;
	Elf64_Shdr sh[256];
	unsigned int shnum;
	unsigned int symtab;
};

static void raw_init(struct raw *r, uint8_t *d, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->d = d;
	r->n = n;
	memcpy(&r->eh, d, sizeof(r->eh));
	r->shnum = r->eh.e_shnum;
	assert_true(r->shnum > 0 && r->shnum <= 256);
	for (unsigned int i = 0; i < r->shnum; i++) {
		memcpy(&r->sh[i], d + r->eh.e_shoff + i * sizeof(Elf64_Shdr), sizeof(Elf64_Shdr));
		if (r->sh[i].sh_type == SHT_SYMTAB)
			r->symtab = i;
	}
	assert_true(r->symtab != 0);
}

static const char *raw_secname(const struct raw *r, unsigned int i)
{
	return (const char *)r->d + r->sh[r->eh.e_shstrndx].sh_offset + r->sh[i].sh_name;
}

static int raw_sec(const struct raw *r, const char *name)
{
	for (unsigned int i = 1; i < r->shnum; i++) {
		if (!strcmp(raw_secname(r, i), name))
			return (int)i;
	}
	return -1;
}

static size_t shdr_off(const struct raw *r, unsigned int i)
{
	return r->eh.e_shoff + i * sizeof(Elf64_Shdr);
}

static unsigned int raw_symcnt(const struct raw *r)
{
	return (unsigned int)(r->sh[r->symtab].sh_size / sizeof(Elf64_Sym));
}

static size_t sym_off(const struct raw *r, unsigned int i)
{
	return r->sh[r->symtab].sh_offset + i * sizeof(Elf64_Sym);
}

static Elf64_Sym raw_sym(const struct raw *r, unsigned int i)
{
	Elf64_Sym s;

	memcpy(&s, r->d + sym_off(r, i), sizeof(s));
	return s;
}

static const char *raw_symname(const struct raw *r, unsigned int i)
{
	Elf64_Sym s = raw_sym(r, i);

	return (const char *)r->d + r->sh[r->sh[r->symtab].sh_link].sh_offset + s.st_name;
}

static int raw_symidx(const struct raw *r, const char *name)
{
	for (unsigned int i = 1; i < raw_symcnt(r); i++) {
		if (!strcmp(raw_symname(r, i), name))
			return (int)i;
	}
	return -1;
}

/* Offset of the first relocation entry in .rel<sec> against symbol sym
 * (any symbol when sym is NULL), and its r_offset. */
static size_t raw_rel(const struct raw *r, const char *sec, const char *sym, uint64_t *r_offset)
{
	char name[128];
	int rs;

	snprintf(name, sizeof(name), ".rel%s", sec);
	rs = raw_sec(r, name);
	assert_true(rs > 0);
	for (size_t off = r->sh[rs].sh_offset; off < r->sh[rs].sh_offset + r->sh[rs].sh_size; off += 16) {
		Elf64_Rel rel;

		memcpy(&rel, r->d + off, sizeof(rel));
		unsigned int si = (unsigned int)ELF64_R_SYM(rel.r_info);
		const char *sn = raw_symname(r, si);

		/* section symbols are unnamed; use their section's name */
		if (!sn[0] && ELF64_ST_TYPE(raw_sym(r, si).st_info) == STT_SECTION)
			sn = raw_secname(r, raw_sym(r, si).st_shndx);
		if (!sym || !strcmp(sn, sym)) {
			*r_offset = rel.r_offset;
			return off;
		}
	}
	fail_msg("no relocation in %s against %s", name, sym ? sym : "*");
	return 0;
}

/* File offset of the instruction a relocation in .rel<sec> against sym
 * targets. */
static size_t raw_site(const struct raw *r, const char *sec, const char *sym)
{
	uint64_t off;

	raw_rel(r, sec, sym, &off);
	return r->sh[raw_sec(r, sec)].sh_offset + off;
}

static void put(struct raw *r, size_t off, const void *v, size_t len)
{
	assert_true(off + len <= r->n);
	memcpy(r->d + off, v, len);
}

static void put16(struct raw *r, size_t off, uint16_t v) { put(r, off, &v, 2); }
static void put32(struct raw *r, size_t off, uint32_t v) { put(r, off, &v, 4); }
static void put64(struct raw *r, size_t off, uint64_t v) { put(r, off, &v, 8); }

#define EH(field) offsetof(Elf64_Ehdr, field)
#define SH(field) offsetof(Elf64_Shdr, field)
#define SY(field) offsetof(Elf64_Sym, field)

static void set_shdr(struct raw *r, const char *sec, size_t field, uint64_t v, size_t width)
{
	int i = raw_sec(r, sec);

	assert_true(i > 0);
	if (width == 8)
		put64(r, shdr_off(r, (unsigned int)i) + field, v);
	else
		put32(r, shdr_off(r, (unsigned int)i) + field, (uint32_t)v);
}

/* ---- fixtures ----------------------------------------------------------- */

static uint8_t *load(const char *name, size_t *len)
{
	const char *path = tu_bpf_obj(name);
	uint8_t *d = tu_read_file(path, len);

	if (!d)
		fail_msg("cannot read %s (build the bpf_objects target)", path);
	return d;
}

static struct ksr_object *open_ok(const uint8_t *d, size_t n)
{
	struct ksr_object *obj = NULL;
	int err = ksr_object__open_mem(d, n, &obj);

	if (err)
		fail_msg("open failed: %d: %s", err, ksr_errmsg());
	return obj;
}

static const struct ksr_extern *ext_by_name(const struct ksr_object *obj, const char *name)
{
	for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++) {
		if (!strcmp(ksr_object__extern(obj, i)->name, name))
			return ksr_object__extern(obj, i);
	}
	return NULL;
}

static const char *const all_objects[] = {
	"typed_percpu", "typeless", "typeless_percpu", "kfuncs", "shared_sub", "weak",
	"missing", "bad_proto", "maps_data", "kconfig", "nongpl",
};

/* ---- expectations written from the C sources ----------------------------- */

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
	uint8_t *d = load(obj_name, &len);
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
	uint8_t *d = load("typed_percpu", &len);
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
	uint8_t *d = load("kfuncs", &len);
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
	uint8_t *d = load("shared_sub", &len);
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
	uint8_t *d = load("weak", &len);
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
	d = load("bad_proto", &len);
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

	d = load("nongpl", &len);
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
	uint8_t *d = load("maps_data", &len);
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
	uint8_t *d = load("kconfig", &len);
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

/* ---- every object against the raw reader and libbpf ---------------------- */

static const char *raw_prog_at(const struct raw *r, unsigned int sec, uint64_t off)
{
	for (unsigned int i = 1; i < raw_symcnt(r); i++) {
		Elf64_Sym s = raw_sym(r, i);

		if (ELF64_ST_TYPE(s.st_info) == STT_FUNC && s.st_shndx == sec && off >= s.st_value &&
		    off < s.st_value + s.st_size)
			return raw_symname(r, i);
	}
	return NULL;
}

static bool in_kconfig_datasec(const struct btf *lb, const char *name)
{
	int sec = btf__find_by_name_kind(lb, ".kconfig", BTF_KIND_DATASEC);
	const struct btf_type *t;
	const struct btf_var_secinfo *vs;

	if (sec < 0)
		return false;
	t = btf__type_by_id(lb, (__u32)sec);
	vs = btf_var_secinfos(t);
	for (unsigned int i = 0; i < btf_vlen(t); i++) {
		if (!strcmp(btf__name_by_offset(lb, btf__type_by_id(lb, vs[i].type)->name_off), name))
			return true;
	}
	return false;
}

/* Every extern relocation in code, found by walking the raw REL sections,
 * is exactly one site of the right extern, with the right instruction,
 * program and relocation entry. */
static size_t check_sites_raw(const struct raw *r, const struct ksr_object *obj, const struct btf *lb)
{
	size_t found = 0;

	for (unsigned int rs = 1; rs < r->shnum; rs++) {
		const Elf64_Shdr *sh = &r->sh[rs];
		unsigned int ts = sh->sh_info;

		if (sh->sh_type != SHT_REL || !(r->sh[ts].sh_flags & SHF_EXECINSTR))
			continue;
		for (size_t j = 0; j < sh->sh_size / 16; j++) {
			Elf64_Rel rel;
			unsigned int si;
			const struct ksr_extern *e;
			const struct ksr_site *site = NULL;
			uint8_t opcode;

			memcpy(&rel, r->d + sh->sh_offset + j * 16, sizeof(rel));
			si = (unsigned int)ELF64_R_SYM(rel.r_info);
			if (raw_sym(r, si).st_shndx != SHN_UNDEF)
				continue;
			e = ksr_object__extern_by_sym(obj, si);
			assert_non_null(e);
			assert_string_equal(e->name, raw_symname(r, si));
			assert_int_equal(e->weak, ELF64_ST_BIND(raw_sym(r, si).st_info) == STB_WEAK);
			assert_int_equal(ksr_object__extern_is_kconfig(obj, e),
					 in_kconfig_datasec(lb, e->name));
			for (uint32_t k = 0; k < e->site_cnt; k++) {
				if (e->sites[k].sec_idx == ts && e->sites[k].insn_off == rel.r_offset)
					site = &e->sites[k];
			}
			assert_non_null(site);
			opcode = r->d[r->sh[ts].sh_offset + rel.r_offset];
			assert_int_equal(site->insn, opcode == 0x85 ? KSR_SITE_CALL : KSR_SITE_LD64);
			assert_string_equal(site->prog_name, raw_prog_at(r, ts, rel.r_offset));
			assert_string_equal(site->sec_name, raw_secname(r, ts));
			assert_int_equal(ksr_object__site_info(obj, site)->rel_sec_idx, rs);
			assert_int_equal(ksr_object__site_info(obj, site)->rel_idx, j);
			assert_ptr_equal(ksr_object__site_info(obj, site)->ext, e);
			assert_int_equal(ksr_object__site_info(obj, site)->flags, 0);
			found++;
		}
	}
	return found;
}

static void check_btf_ids(const struct ksr_object *obj, const struct btf *lb)
{
	const struct ksr_btf *btf = ksr_object__btf(obj);

	for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++) {
		const struct ksr_extern *e = ksr_object__extern(obj, i);
		int kind = e->kind == KSR_EXTERN_FUNC ? BTF_KIND_FUNC : BTF_KIND_VAR;
		int id = btf__find_by_name_kind(lb, e->name, (__u32)kind);
		int resolved;

		if (i)
			assert_true(strcmp(ksr_object__extern(obj, i - 1)->name, e->name) < 0);
		assert_int_equal(e->btf_id, id);
		assert_string_equal(ksr_btf__str(btf, ksr_btf__type_by_id(btf, e->btf_id)->name_off), e->name);
		if (e->kind == KSR_EXTERN_FUNC) {
			assert_int_equal(e->type_id, btf__type_by_id(lb, (__u32)id)->type);
			continue;
		}
		/* libbpf's resolver also skips the VAR itself; void fails */
		resolved = btf__resolve_type(lb, (__u32)id);
		if (e->kind == KSR_EXTERN_TYPELESS)
			assert_true(resolved <= 0);
		else
			assert_int_equal(e->type_id, resolved);
	}
}

static void check_tables(const struct raw *r, const struct ksr_object *obj)
{
	size_t n, nprog = 0;
	const uint8_t *raw = ksr_object__raw(obj, &n);

	assert_int_equal(n, r->n);
	assert_memory_equal(raw, r->d, n);
	assert_int_equal(ksr_object__sec_cnt(obj), r->shnum);
	for (unsigned int i = 1; i < r->shnum; i++) {
		const struct ksr_obj_sec *s = ksr_object__sec(obj, i);
		size_t cnt;
		const struct ksr_obj_rel *rels = ksr_object__rels(obj, i, &cnt);

		assert_string_equal(s->name, raw_secname(r, i));
		assert_int_equal(s->type, r->sh[i].sh_type);
		assert_int_equal(s->offset, r->sh[i].sh_offset);
		assert_int_equal(s->size, r->sh[i].sh_size);
		assert_int_equal(s->link, r->sh[i].sh_link);
		assert_int_equal(s->info, r->sh[i].sh_info);
		assert_ptr_equal(ksr_object__sec_by_name(obj, s->name), s);
		if (r->sh[i].sh_type != SHT_REL) {
			assert_int_equal(cnt, 0);
			continue;
		}
		assert_int_equal(cnt, r->sh[i].sh_size / 16);
		for (size_t j = 0; j < cnt; j++) {
			Elf64_Rel rel;

			memcpy(&rel, r->d + r->sh[i].sh_offset + j * 16, sizeof(rel));
			assert_int_equal(rels[j].offset, rel.r_offset);
			assert_int_equal(rels[j].sym, ELF64_R_SYM(rel.r_info));
			assert_int_equal(rels[j].type, ELF64_R_TYPE(rel.r_info));
		}
	}
	assert_null(ksr_object__sec(obj, r->shnum));
	assert_int_equal(ksr_object__symtab_idx(obj), r->symtab);
	assert_int_equal(ksr_object__sym_cnt(obj), raw_symcnt(r));
	for (unsigned int i = 1; i < raw_symcnt(r); i++) {
		Elf64_Sym s = raw_sym(r, i);

		assert_string_equal(ksr_object__sym(obj, i)->name, raw_symname(r, i));
		assert_int_equal(ksr_object__sym(obj, i)->shndx, s.st_shndx);
		if (ELF64_ST_TYPE(s.st_info) == STT_FUNC) {
			const struct ksr_obj_prog *p = ksr_object__prog_at(obj, s.st_shndx, s.st_value + s.st_size - 8);

			assert_non_null(p);
			assert_string_equal(p->name, raw_symname(r, i));
			nprog++;
		}
	}
	assert_int_equal(ksr_object__prog_cnt(obj), nprog);
	for (size_t i = 1; i < nprog; i++) {
		const struct ksr_obj_prog *a = ksr_object__prog(obj, i - 1), *b = ksr_object__prog(obj, i);

		assert_true(a->sec_idx < b->sec_idx || (a->sec_idx == b->sec_idx && a->off < b->off));
	}
}

static void test_all_objects_vs_raw(void **state)
{
	for (size_t k = 0; k < sizeof(all_objects) / sizeof(all_objects[0]); k++) {
		size_t len, sites = 0;
		uint8_t *d = load(all_objects[k], &len);
		struct ksr_object *obj = open_ok(d, len);
		struct raw r;
		struct btf *lb;
		int bi;

		raw_init(&r, d, len);
		bi = raw_sec(&r, ".BTF");
		assert_true(bi > 0);
		lb = btf__new(d + r.sh[bi].sh_offset, (__u32)r.sh[bi].sh_size);
		assert_non_null(lb);
		check_tables(&r, obj);
		check_btf_ids(obj, lb);
		for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++)
			sites += ksr_object__extern(obj, i)->site_cnt;
		for (size_t i = 0; i < ksr_object__kconfig_cnt(obj); i++)
			sites += ksr_object__kconfig(obj, i)->ext.site_cnt;
		assert_int_equal(check_sites_raw(&r, obj, lb), sites);
		assert_int_equal(ksr_object__imm_warn_cnt(obj), 0);
		if (strcmp(all_objects[k], "nongpl"))
			assert_string_equal(ksr_object__license(obj), "GPL");
		assert_null(ksr_object__extern(obj, ksr_object__extern_cnt(obj)));
		btf__free(lb);
		ksr_object__free(obj);
		free(d);
	}
}

static void test_open_path(void **state)
{
	struct ksr_object *obj = NULL;

	assert_int_equal(ksr_object__open(tu_bpf_obj("typeless"), &obj), 0);
	assert_int_equal(ksr_object__extern_cnt(obj), 1);
	ksr_object__free(obj);
	assert_int_equal(ksr_object__open("/nonexistent/ksr.bpf.o", &obj), -ENOENT);
	assert_null(obj);
	assert_int_equal(ksr_object__open("/", &obj), -EBADMSG);
	/* the size cap is checked before a single byte is read */
	assert_int_equal(ksr_object__open_mem("", (size_t)KSR_OBJ_MAX_SIZE + 1, &obj), -EBADMSG);
	assert_int_equal(ksr_object__open_mem("", 0, &obj), -EBADMSG);
	assert_non_null(strstr(ksr_errmsg(), "ELF header"));
	ksr_object__free(NULL);
	assert_int_equal(ksr_object__extern_cnt(NULL), 0);
}

static void test_essential_name(void **state)
{
	assert_int_equal(ksr_essential_name_len("bpf_foo___v2"), 7);
	assert_int_equal(ksr_essential_name_len("a___b___c"), 5);
	assert_int_equal(ksr_essential_name_len("___x"), 4);
	assert_int_equal(ksr_essential_name_len("x___"), 4);
	assert_int_equal(ksr_essential_name_len("x____y"), 6);
	assert_int_equal(ksr_essential_name_len("x___y"), 1);
	assert_int_equal(ksr_essential_name_len("abc"), 3);
	assert_int_equal(ksr_essential_name_len(""), 0);
}

/* A non-zero immediate on an extern ld_imm64 is kept and flagged (trap 22). */
static void test_imm_warning(void **state)
{
	size_t len;
	uint8_t *d = load("typeless", &len);
	struct ksr_object *obj;
	const struct ksr_extern *e;
	struct raw r;

	raw_init(&r, d, len);
	put32(&r, raw_site(&r, "tc", "bpf_prog_put") + 4, 0x1234);
	obj = open_ok(d, len);
	e = ksr_object__extern(obj, 0);
	assert_int_equal(ksr_object__imm_warn_cnt(obj), 1);
	assert_int_equal(ksr_object__site_info(obj, &e->sites[0])->flags, KSR_SITE_F_IMM_NONZERO);
	ksr_object__free(obj);
	free(d);
}

/* The shape the patcher leaves behind (and libbpf's "case C"): extern
 * symbols turned into absolute symbols, their code relocations dropped,
 * .BTF untouched. No externs remain; nothing else changes. */
static void test_neutralised(void **state)
{
	size_t len;
	uint8_t *d = load("shared_sub", &len);
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

/* ---- corrupted copies ---------------------------------------------------- */

struct bad_case {
	const char *what;
	const char *obj;
	void (*mutate)(struct raw *r, size_t *len);
	const char *msg;     /* the message must contain this */
	const char *alt;     /* or this (a BTF rule may fire first) */
};

static void m_magic(struct raw *r, size_t *l) { r->d[1] = 'X'; }
static void m_class(struct raw *r, size_t *l) { r->d[EI_CLASS] = ELFCLASS32; }
static void m_msb(struct raw *r, size_t *l) { r->d[EI_DATA] = ELFDATA2MSB; }
static void m_etype(struct raw *r, size_t *l) { put16(r, EH(e_type), ET_EXEC); }
static void m_machine(struct raw *r, size_t *l) { put16(r, EH(e_machine), EM_X86_64); }
static void m_shentsize(struct raw *r, size_t *l) { put16(r, EH(e_shentsize), 40); }
static void m_ehsize(struct raw *r, size_t *l) { put16(r, EH(e_ehsize), 52); }
static void m_phnum(struct raw *r, size_t *l) { put16(r, EH(e_phnum), 1); }
static void m_shoff_eof(struct raw *r, size_t *l) { put64(r, EH(e_shoff), *l); }
static void m_shoff_odd(struct raw *r, size_t *l) { put64(r, EH(e_shoff), r->eh.e_shoff + 4); }
static void m_shoff_wrap(struct raw *r, size_t *l) { put64(r, EH(e_shoff), UINT64_MAX - 63); }
static void m_shnum_ext(struct raw *r, size_t *l)
{
	put16(r, EH(e_shnum), 0);
	put64(r, shdr_off(r, 0) + SH(sh_size), 1000000);
}
static void m_shnum_big(struct raw *r, size_t *l) { put16(r, EH(e_shnum), 1000); }
static void m_shstrndx(struct raw *r, size_t *l) { put16(r, EH(e_shstrndx), (uint16_t)(r->shnum + 5)); }
static void m_shstrndx_res(struct raw *r, size_t *l) { put16(r, EH(e_shstrndx), SHN_LORESERVE); }
static void m_shstrndx_x(struct raw *r, size_t *l)
{
	put16(r, EH(e_shstrndx), SHN_XINDEX);
	put32(r, shdr_off(r, 0) + SH(sh_link), 0);
}
static void m_short(struct raw *r, size_t *l) { *l = 40; }
static void m_sec0(struct raw *r, size_t *l) { put32(r, shdr_off(r, 0) + SH(sh_type), SHT_PROGBITS); }
static void m_shstrtab_type(struct raw *r, size_t *l)
{
	put32(r, shdr_off(r, r->eh.e_shstrndx) + SH(sh_type), SHT_PROGBITS);
}
static void m_btf_off(struct raw *r, size_t *l) { set_shdr(r, ".BTF", SH(sh_offset), *l, 8); }
static void m_btf_size(struct raw *r, size_t *l) { set_shdr(r, ".BTF", SH(sh_size), UINT64_MAX - 8, 8); }
static void m_secname(struct raw *r, size_t *l) { set_shdr(r, ".BTF", SH(sh_name), 0xffffff, 4); }
static void m_overlap(struct raw *r, size_t *l)
{
	set_shdr(r, "license", SH(sh_offset), r->sh[raw_sec(r, "tc")].sh_offset + 8, 8);
}
static void m_overlap_shdrs(struct raw *r, size_t *l)
{
	set_shdr(r, "license", SH(sh_offset), r->eh.e_shoff + 64, 8);
}
static void m_compressed(struct raw *r, size_t *l)
{
	set_shdr(r, ".debug_info", SH(sh_flags), SHF_COMPRESSED, 8);
}
static void m_exec_size(struct raw *r, size_t *l) { set_shdr(r, "tc", SH(sh_size), 12, 8); }
static void m_exec_nobits(struct raw *r, size_t *l) { set_shdr(r, "tc", SH(sh_type), SHT_NOBITS, 4); }
static void m_btf_nobits(struct raw *r, size_t *l) { set_shdr(r, ".BTF", SH(sh_type), SHT_NOBITS, 4); }
static void m_addralign(struct raw *r, size_t *l) { set_shdr(r, ".BTF", SH(sh_addralign), 3, 8); }
static void m_dupname(struct raw *r, size_t *l)
{
	set_shdr(r, ".debug_abbrev", SH(sh_name), r->sh[raw_sec(r, ".debug_info")].sh_name, 4);
}
static void m_emptyname(struct raw *r, size_t *l) { set_shdr(r, ".debug_abbrev", SH(sh_name), 0, 4); }
static void m_rela(struct raw *r, size_t *l) { set_shdr(r, ".reltc", SH(sh_type), SHT_RELA, 4); }
static void m_symtab_entsize(struct raw *r, size_t *l) { set_shdr(r, ".symtab", SH(sh_entsize), 16, 8); }
static void m_symtab_size(struct raw *r, size_t *l)
{
	set_shdr(r, ".symtab", SH(sh_size), r->sh[r->symtab].sh_size - 4, 8);
}
static void m_symtab_two(struct raw *r, size_t *l) { set_shdr(r, ".llvm_addrsig", SH(sh_type), SHT_SYMTAB, 4); }
static void m_symtab_none(struct raw *r, size_t *l) { set_shdr(r, ".symtab", SH(sh_type), SHT_PROGBITS, 4); }
static void m_symtab_link(struct raw *r, size_t *l) { set_shdr(r, ".symtab", SH(sh_link), r->symtab, 4); }
static void m_strtab_unterminated(struct raw *r, size_t *l)
{
	const Elf64_Shdr *s = &r->sh[r->sh[r->symtab].sh_link];

	r->d[s->sh_offset + s->sh_size - 1] = 'x';
}
static void m_sym0(struct raw *r, size_t *l) { put64(r, sym_off(r, 0) + SY(st_value), 1); }
static void m_symname(struct raw *r, size_t *l)
{
	put32(r, sym_off(r, (unsigned int)raw_symidx(r, "bpf_prog_put")) + SY(st_name), 0xfffffff);
}
static void m_shndx(struct raw *r, size_t *l)
{
	put16(r, sym_off(r, (unsigned int)raw_symidx(r, "LICENSE")) + SY(st_shndx), (uint16_t)(r->shnum + 3));
}
static void m_common(struct raw *r, size_t *l)
{
	put16(r, sym_off(r, (unsigned int)raw_symidx(r, "LICENSE")) + SY(st_shndx), SHN_COMMON);
}
static void m_xindex(struct raw *r, size_t *l)
{
	put16(r, sym_off(r, (unsigned int)raw_symidx(r, "LICENSE")) + SY(st_shndx), SHN_XINDEX);
}
static void m_sym_bounds(struct raw *r, size_t *l)
{
	put64(r, sym_off(r, (unsigned int)raw_symidx(r, "LICENSE")) + SY(st_size), 0x1000);
}
static void m_extern_local(struct raw *r, size_t *l)
{
	r->d[sym_off(r, (unsigned int)raw_symidx(r, "bpf_prog_put")) + SY(st_info)] =
		ELF64_ST_INFO(STB_LOCAL, STT_NOTYPE);
}
static void m_extern_object(struct raw *r, size_t *l)
{
	r->d[sym_off(r, (unsigned int)raw_symidx(r, "bpf_prog_put")) + SY(st_info)] =
		ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT);
}
static void m_extern_value(struct raw *r, size_t *l)
{
	put64(r, sym_off(r, (unsigned int)raw_symidx(r, "bpf_prog_put")) + SY(st_value), 8);
}
static void m_prog_size(struct raw *r, size_t *l)
{
	put64(r, sym_off(r, (unsigned int)raw_symidx(r, "typeless_text")) + SY(st_size), 4);
}
static void m_prog_empty(struct raw *r, size_t *l)
{
	put64(r, sym_off(r, (unsigned int)raw_symidx(r, "typeless_text")) + SY(st_size), 0);
}
static void m_prog_overlap(struct raw *r, size_t *l)
{
	put64(r, sym_off(r, (unsigned int)raw_symidx(r, "typed_this_cpu")) + SY(st_value), 8);
}
static void m_func_in_data(struct raw *r, size_t *l)
{
	r->d[sym_off(r, (unsigned int)raw_symidx(r, "LICENSE")) + SY(st_info)] =
		ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
}

static size_t first_rel(struct raw *r, const char *sec, const char *sym)
{
	uint64_t off;

	return raw_rel(r, sec, sym, &off);
}

static void m_rel_sym999(struct raw *r, size_t *l)
{
	put64(r, first_rel(r, "tc", NULL) + 8, ELF64_R_INFO(999, 1));
}
static void m_rel_sym0(struct raw *r, size_t *l) { put64(r, first_rel(r, "tc", NULL) + 8, ELF64_R_INFO(0, 1)); }
static void m_rel_type(struct raw *r, size_t *l)
{
	size_t o = first_rel(r, "tc", NULL);
	uint64_t info;

	memcpy(&info, r->d + o + 8, 8);
	put64(r, o + 8, ELF64_R_INFO(ELF64_R_SYM(info), 7));
}
static void m_rel_unaligned(struct raw *r, size_t *l)
{
	uint64_t off;
	size_t o = raw_rel(r, "tc", NULL, &off);

	put64(r, o, off + 4);
}
static void m_rel_past(struct raw *r, size_t *l) { put64(r, first_rel(r, "tc", NULL), 0x100000); }
static void m_rel_hi(struct raw *r, size_t *l)
{
	uint64_t off;
	size_t o = raw_rel(r, "tc", "bpf_prog_put", &off);

	put64(r, o, off + 8);
}
static void m_rel_dup(struct raw *r, size_t *l)
{
	uint64_t off;
	size_t o = raw_rel(r, "tc", NULL, &off);

	put64(r, o + 16, off);
}
static void m_rel_link(struct raw *r, size_t *l) { set_shdr(r, ".reltc", SH(sh_link), 1, 4); }
static void m_rel_info(struct raw *r, size_t *l) { set_shdr(r, ".reltc", SH(sh_info), r->symtab, 4); }
static void m_rel_info_self(struct raw *r, size_t *l)
{
	set_shdr(r, ".reltc", SH(sh_info), (uint64_t)raw_sec(r, ".reltc"), 4);
}
static void m_rel_name(struct raw *r, size_t *l)
{
	set_shdr(r, ".reltc", SH(sh_info), (uint64_t)raw_sec(r, "license"), 4);
}
static void m_rel_entsize(struct raw *r, size_t *l) { set_shdr(r, ".reltc", SH(sh_entsize), 24, 8); }
static void m_rel_data_oob(struct raw *r, size_t *l) { put64(r, first_rel(r, ".data", NULL), 0x1000); }
static void m_rel_data_overlap(struct raw *r, size_t *l)
{
	/* .rel.BTF: two ABS32 fields 2 bytes apart */
	uint64_t off;
	size_t o = raw_rel(r, ".BTF", NULL, &off);

	put64(r, o + 16, off + 2);
}
static void m_ld_truncated(struct raw *r, size_t *l)
{
	const Elf64_Shdr *s = &r->sh[raw_sec(r, "tc")];

	r->d[s->sh_offset + s->sh_size - 8] = 0x18;
}
static void m_call_src(struct raw *r, size_t *l) { r->d[raw_site(r, "syscall", "bpf_task_from_pid") + 1] = 0x20; }
static void m_call_imm(struct raw *r, size_t *l) { put32(r, raw_site(r, "syscall", "bpf_task_from_pid") + 4, 5); }
static void m_call_dst(struct raw *r, size_t *l) { r->d[raw_site(r, "syscall", "bpf_task_from_pid") + 1] = 0x11; }
static void m_ld_src(struct raw *r, size_t *l) { r->d[raw_site(r, "tc", "bpf_prog_put") + 1] |= 0x30; }
static void m_ld_hi(struct raw *r, size_t *l) { r->d[raw_site(r, "tc", "bpf_prog_put") + 8] = 0x18; }
static void m_ld_hi_regs(struct raw *r, size_t *l) { r->d[raw_site(r, "tc", "bpf_prog_put") + 9] = 0x01; }
static void m_ld_off(struct raw *r, size_t *l) { put16(r, raw_site(r, "tc", "bpf_prog_put") + 2, 1); }
static void m_opcode(struct raw *r, size_t *l) { r->d[raw_site(r, "tc", "bpf_prog_put")] = 0xb7; }
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
static void m_abs_sym(struct raw *r, size_t *l)
{
	unsigned int file = 0;

	for (unsigned int i = 1; i < raw_symcnt(r); i++) {
		if (ELF64_ST_TYPE(raw_sym(r, i).st_info) == STT_FILE)
			file = i;
	}
	assert_true(file != 0);
	put64(r, first_rel(r, "tc", NULL) + 8, ELF64_R_INFO(file, 1));
}
static void m_subcall_target(struct raw *r, size_t *l)
{
	put32(r, raw_site(r, "tc", ".text") + 4, 100);
}
static void m_subcall_src(struct raw *r, size_t *l) { r->d[raw_site(r, "tc", ".text") + 1] = 0x00; }
static void m_license(struct raw *r, size_t *l)
{
	const Elf64_Shdr *s = &r->sh[raw_sec(r, "license")];

	memset(r->d + s->sh_offset, 'X', s->sh_size);
}

/* .BTF / .BTF.ext helpers; field offsets come from libbpf's view of .BTF */
static size_t btf_off(struct raw *r) { return r->sh[raw_sec(r, ".BTF")].sh_offset; }
static size_t ext_off(struct raw *r) { return r->sh[raw_sec(r, ".BTF.ext")].sh_offset; }

static uint32_t ext_u32(struct raw *r, size_t off)
{
	uint32_t v;

	memcpy(&v, r->d + ext_off(r) + off, 4);
	return v;
}

/* file offset of a BTF type, found through libbpf */
static size_t btf_type_foff(struct raw *r, const char *name, int kind, uint32_t *name_off)
{
	struct btf *lb = btf__new(r->d + btf_off(r), (__u32)r->sh[raw_sec(r, ".BTF")].sh_size);
	struct btf_header h;
	const struct btf_type *t;
	const void *raw;
	__u32 size;
	size_t off;
	int id;

	assert_non_null(lb);
	memcpy(&h, r->d + btf_off(r), sizeof(h));
	id = btf__find_by_name_kind(lb, name, (__u32)kind);
	assert_true(id > 0);
	t = btf__type_by_id(lb, (__u32)id);
	raw = btf__raw_data(lb, &size);
	off = btf_off(r) + (size_t)((const uint8_t *)t - (const uint8_t *)raw);
	if (name_off)
		*name_off = t->name_off;
	btf__free(lb);
	return off;
}

static void m_btf_magic(struct raw *r, size_t *l) { put16(r, btf_off(r), 0x1234); }
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
static void m_ext_magic(struct raw *r, size_t *l) { put16(r, ext_off(r), 0xbeef); }
static void m_ext_version(struct raw *r, size_t *l) { r->d[ext_off(r) + 2] = 2; }
static void m_ext_hdrlen(struct raw *r, size_t *l)
{
	put32(r, ext_off(r) + 4, (uint32_t)r->sh[raw_sec(r, ".BTF.ext")].sh_size);
}
static void m_ext_func_off(struct raw *r, size_t *l) { put32(r, ext_off(r) + 8, 2); }
static void m_ext_line_past(struct raw *r, size_t *l) { put32(r, ext_off(r) + 16, 0x100000); }
static void m_ext_recsize(struct raw *r, size_t *l)
{
	put32(r, ext_off(r) + ext_u32(r, 4) + ext_u32(r, 8), 4);
}
static size_t ext_first_rec(struct raw *r, unsigned int which)
{
	/* header, then rec_size, then {sec_name_off, num_info}, then records */
	return ext_off(r) + ext_u32(r, 4) + ext_u32(r, 8 + 8 * which) + 4 + 8;
}
static void m_ext_sec_name(struct raw *r, size_t *l) { put32(r, ext_first_rec(r, 0) - 8, 0); }
static void m_ext_num_zero(struct raw *r, size_t *l) { put32(r, ext_first_rec(r, 0) - 4, 0); }
static void m_ext_num_huge(struct raw *r, size_t *l) { put32(r, ext_first_rec(r, 1) - 4, 0x40000000); }
static void m_ext_func_insn(struct raw *r, size_t *l) { put32(r, ext_first_rec(r, 0), 4); }
static void m_ext_func_type(struct raw *r, size_t *l) { put32(r, ext_first_rec(r, 0) + 4, 1); }
static void m_ext_line_insn(struct raw *r, size_t *l) { put32(r, ext_first_rec(r, 1), 0x10000); }
static void m_ext_line_str(struct raw *r, size_t *l) { put32(r, ext_first_rec(r, 1) + 4, 0xfffffff); }
static void m_ext_line_order(struct raw *r, size_t *l)
{
	put32(r, ext_first_rec(r, 1) + 16, ext_u32(r, ext_first_rec(r, 1) - ext_off(r)));
}
static void m_ext_ld_hi(struct raw *r, size_t *l)
{
	uint64_t off;

	raw_rel(r, "tc", "bpf_prog_put", &off);
	/* a line_info record aimed at the second half of the extern ld_imm64 */
	put32(r, ext_first_rec(r, 1), (uint32_t)off + 8);
}
static void m_ext_core_access(struct raw *r, size_t *l)
{
	/* kfuncs.bpf.o has CO-RE relocations (t2->pid): aim the first one's
	 * access string at "license", a string of .BTF that is not "N:N" */
	uint32_t name;

	assert_true(ext_u32(r, 4) >= 32 && ext_u32(r, 28) > 0);
	btf_type_foff(r, "license", BTF_KIND_DATASEC, &name);
	put32(r, ext_first_rec(r, 2) + 8, name);
}
static void m_ext_core_kind(struct raw *r, size_t *l) { put32(r, ext_first_rec(r, 2) + 12, 99); }
static void m_ext_no_btf(struct raw *r, size_t *l)
{
	set_shdr(r, ".BTF", SH(sh_name), r->sh[raw_sec(r, ".BTF")].sh_name + 1, 4);
	set_shdr(r, ".rel.BTF", SH(sh_type), SHT_PROGBITS, 4);
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
	{ "bad magic", "typeless", m_magic, "ELF header: bad magic", NULL },
	{ "ELFCLASS32", "typeless", m_class, "ELF header: EI_CLASS", NULL },
	{ "big endian", "typeless", m_msb, "ELF header: big-endian", NULL },
	{ "ET_EXEC", "typeless", m_etype, "ELF header: e_type", NULL },
	{ "e_machine", "typeless", m_machine, "ELF header: e_machine", NULL },
	{ "e_shentsize", "typeless", m_shentsize, "ELF header: e_shentsize", NULL },
	{ "e_ehsize", "typeless", m_ehsize, "ELF header: e_ehsize", NULL },
	{ "program headers", "typeless", m_phnum, "ELF header: program headers", NULL },
	{ "e_shoff past EOF", "typeless", m_shoff_eof, "ELF header", NULL },
	{ "e_shoff unaligned", "typeless", m_shoff_odd, "ELF header: e_shoff", NULL },
	{ "e_shoff wraps", "typeless", m_shoff_wrap, "ELF header", NULL },
	{ "extended count huge", "typeless", m_shnum_ext, "ELF header: section count", NULL },
	{ "section table past EOF", "typeless", m_shnum_big, "ELF header", NULL },
	{ "e_shstrndx", "typeless", m_shstrndx, "ELF header: section name table index", NULL },
	{ "e_shstrndx reserved", "typeless", m_shstrndx_res, "ELF header: e_shstrndx 0xff00", NULL },
	{ "SHN_XINDEX to 0", "typeless", m_shstrndx_x, "ELF header: section name table index", NULL },
	{ "truncated header", "typeless", m_short, "ELF header", NULL },
	{ "section 0", "typeless", m_sec0, "section 0", NULL },
	{ "shstrtab type", "typeless", m_shstrtab_type, "section name table", NULL },
	{ "section past EOF", "typeless", m_btf_off, "'.BTF'", NULL },
	{ "section size wraps", "typeless", m_btf_size, "'.BTF'", NULL },
	{ "section name offset", "typeless", m_secname, "name offset 0xffffff", NULL },
	{ "overlapping sections", "typeless", m_overlap, "section table: 'license' overlaps 'tc'", NULL },
	{ "section over headers", "typeless", m_overlap_shdrs, "overlaps 'ELF headers'", "'ELF headers' overlaps" },
	{ "SHF_COMPRESSED", "typeless", m_compressed, "'.debug_info': compressed", NULL },
	{ "code size", "typeless", m_exec_size, "'tc': code size", NULL },
	{ "NOBITS code", "typeless", m_exec_nobits, "'tc': executable but not SHT_PROGBITS", NULL },
	{ "NOBITS .BTF", "typeless", m_btf_nobits, "'.BTF': must be SHT_PROGBITS", NULL },
	{ "sh_addralign", "typeless", m_addralign, "'.BTF': sh_addralign 3", NULL },
	{ "duplicate name", "typeless", m_dupname, "'.debug_info': duplicate section name", NULL },
	{ "empty name", "typeless", m_emptyname, "empty name", NULL },
	{ "SHT_RELA", "typeless", m_rela, "'.reltc': section type 4", NULL },
	{ "symtab entsize", "typeless", m_symtab_entsize, ".symtab: sh_entsize 16", NULL },
	{ "symtab size", "typeless", m_symtab_size, ".symtab: sh_entsize", NULL },
	{ "two symtabs", "typeless", m_symtab_two, "a second symbol table", NULL },
	{ "no symtab", "typeless", m_symtab_none, "no symbol table", NULL },
	{ "symtab link", "typeless", m_symtab_link, ".symtab: sh_link", NULL },
	{ "strtab unterminated", "typeless", m_strtab_unterminated, "not NUL-terminated", NULL },
	{ "symbol 0", "typeless", m_sym0, ".symtab: symbol 0", NULL },
	{ "symbol name", "typeless", m_symname, ".symtab: symbol", "name offset 0xfffffff" },
	{ "st_shndx range", "typeless", m_shndx, "'LICENSE': section index", NULL },
	{ "SHN_COMMON", "typeless", m_common, "'LICENSE': section index 0xfff2", NULL },
	{ "SHN_XINDEX", "typeless", m_xindex, "'LICENSE': section index 0xffff", NULL },
	{ "symbol past section", "typeless", m_sym_bounds, "'LICENSE': 0x0+0x1000 lies outside", NULL },
	{ "extern LOCAL", "typeless", m_extern_local, "'bpf_prog_put': undefined symbol", NULL },
	{ "extern OBJECT", "typeless", m_extern_object, "'bpf_prog_put': undefined symbol", NULL },
	{ "extern value", "typeless", m_extern_value, "'bpf_prog_put': extern has non-zero value", NULL },
	{ "program size", "typeless", m_prog_size, "'typeless_text': program", NULL },
	{ "program empty", "typeless", m_prog_empty, "'typeless_text': program", NULL },
	{ "programs overlap", "typed_percpu", m_prog_overlap, "tc: programs", NULL },
	{ "function in data", "typeless", m_func_in_data, "'LICENSE': function in non-executable", NULL },
	{ "rel symbol 999", "typeless", m_rel_sym999, ".reltc: entry 0: symbol index 999 out of range", NULL },
	{ "rel symbol 0", "typeless", m_rel_sym0, ".reltc: entry 0: symbol index 0 out of range", NULL },
	{ "rel type", "typeless", m_rel_type, ".reltc: entry 0: relocation type 7", NULL },
	{ "rel unaligned", "typeless", m_rel_unaligned, ".reltc: entry 0: offset", NULL },
	{ "rel past section", "typeless", m_rel_past, ".reltc: entry 0: offset 0x100000", NULL },
	{ "rel into ld_imm64 high half", "typeless", m_rel_hi, "second half of an ld_imm64", NULL },
	{ "rel duplicate offset", "weak", m_rel_dup, ".reltc: entry 1: second relocation", NULL },
	{ "rel sh_link", "typeless", m_rel_link, ".reltc: sh_link", NULL },
	{ "rel sh_info", "typeless", m_rel_info, ".reltc: target '.symtab'", NULL },
	{ "rel sh_info self", "typeless", m_rel_info_self, ".reltc: sh_info", NULL },
	{ "rel name", "typeless", m_rel_name, ".reltc: name does not match its target 'license'", NULL },
	{ "rel entsize", "typeless", m_rel_entsize, ".reltc: sh_entsize 24", NULL },
	{ "rel data bounds", "maps_data", m_rel_data_oob, ".rel.data: entry 0: offset 0x1000", NULL },
	{ "rel data overlap", "typeless", m_rel_data_overlap, ".rel.BTF: entry", NULL },
	{ "ld_imm64 cut off", "typeless", m_ld_truncated, "tc: ld_imm64 at offset", NULL },
	{ "extern call src_reg", "kfuncs", m_call_src, "is not 'call -1'", NULL },
	{ "extern call imm", "kfuncs", m_call_imm, "is not 'call -1'", NULL },
	{ "extern call dst_reg", "kfuncs", m_call_dst, "is not 'call -1'", NULL },
	{ "extern ld src_reg", "typeless", m_ld_src, "has pre-set src_reg 3", NULL },
	{ "extern ld second half", "typeless", m_ld_hi, "non-canonical second half", NULL },
	{ "extern ld second regs", "typeless", m_ld_hi_regs, "non-canonical second half", NULL },
	{ "extern ld off", "typeless", m_ld_off, "reserved offset", NULL },
	{ "relocated mov", "typeless", m_opcode, "opcode 0xb7", NULL },
	{ "variable called", "weak", m_var_called, "which is a variable, not a kfunc", NULL },
	{ "rel against ABS", "typeless", m_abs_sym, "special section 0xfff1", NULL },
	{ "subprogram call target", "shared_sub", m_subcall_target, "starts no subprogram", NULL },
	{ "subprogram call src_reg", "shared_sub", m_subcall_src, "not BPF_PSEUDO_CALL", NULL },
	{ "license", "typeless", m_license, "license: not a NUL-terminated", NULL },
	{ ".BTF magic", "typeless", m_btf_magic, ".BTF (file offset 0x", NULL },
	{ "extern VAR linkage", "typed_percpu", m_btf_linkage, "has linkage 1, not extern", ".BTF (file offset" },
	{ "extern FUNC linkage", "kfuncs", m_btf_func_linkage, "has linkage 1, not extern", ".BTF (file offset" },
	{ "duplicate BTF name", "typeless", m_btf_dup, "both carry its name", ".BTF (file offset" },
	{ "unrecognized section", "typeless", m_btf_unrecognized, "unrecognized extern section 'license'",
	  ".BTF (file offset" },
	{ "listed twice", "typeless", m_btf_twice, "is listed twice", ".BTF (file offset" },
	{ ".BTF.ext magic", "typeless", m_ext_magic, ".BTF.ext: bad magic", NULL },
	{ ".BTF.ext version", "typeless", m_ext_version, ".BTF.ext: unsupported version", NULL },
	{ ".BTF.ext hdr_len", "typeless", m_ext_hdrlen, ".BTF.ext: header length", NULL },
	{ ".BTF.ext func_info off", "typeless", m_ext_func_off, ".BTF.ext: func_info: 0x2", NULL },
	{ ".BTF.ext line_info past", "typeless", m_ext_line_past, ".BTF.ext: line_info: 0x100000", NULL },
	{ ".BTF.ext rec_size", "typeless", m_ext_recsize, ".BTF.ext: func_info: invalid record size 4", NULL },
	{ ".BTF.ext sec_name_off", "typeless", m_ext_sec_name, ".BTF.ext: func_info: sec_name_off 0x0", NULL },
	{ ".BTF.ext num_info 0", "typeless", m_ext_num_zero, ".BTF.ext: func_info: 0 records", NULL },
	{ ".BTF.ext num_info huge", "typeless", m_ext_num_huge, ".BTF.ext: line_info: 1073741824 records", NULL },
	{ ".BTF.ext func insn_off", "typeless", m_ext_func_insn, "func_info: 'tc' record 0: insn_off 0x4", NULL },
	{ ".BTF.ext func type", "typeless", m_ext_func_type, "func_info: 'tc' record 0: type 1 is not a FUNC", NULL },
	{ ".BTF.ext line insn_off", "typeless", m_ext_line_insn, "line_info: 'tc' record 0: insn_off 0x10000", NULL },
	{ ".BTF.ext line string", "typeless", m_ext_line_str, "line_info: 'tc' record 0: string offset", NULL },
	{ ".BTF.ext line order", "weak", m_ext_line_order, "line_info: 'tc' record 1: insn_off 0x0 does not increase", NULL },
	{ ".BTF.ext into ld_imm64", "typeless", m_ext_ld_hi, "line_info: 'tc' record 0", NULL },
	{ ".BTF.ext core access", "kfuncs", m_ext_core_access, "core_relo: 'syscall' record 0: invalid access string", NULL },
	{ ".BTF.ext core kind", "kfuncs", m_ext_core_kind, "core_relo: 'syscall' record 0: unknown kind 99", NULL },
	{ ".BTF.ext without .BTF", "typeless", m_ext_no_btf, ".BTF.ext: present without .BTF", NULL },
	{ "externs without .BTF", "typeless", m_no_btf, "'bpf_prog_put' (symbol 11): the object has no .BTF", NULL },
	{ "extern without BTF", "typeless", m_extern_nobtf, "extern 'license'", NULL },
	{ "duplicate extern", "weak", m_extern_dupname, "a second extern symbol of that name", NULL },
};

static void test_malformed(void **state)
{
	size_t failures = 0;

	for (size_t k = 0; k < sizeof(bad_cases) / sizeof(bad_cases[0]); k++) {
		const struct bad_case *c = &bad_cases[k];
		size_t len;
		uint8_t *d = load(c->obj, &len);
		struct ksr_object *obj = NULL;
		const char *msg;
		struct raw r;
		int err;

		raw_init(&r, d, len);
		c->mutate(&r, &len);
		err = ksr_object__open_mem(d, len, &obj);
		msg = ksr_errmsg();
		if (getenv("KSR_TEST_VERBOSE"))
			print_message("%-28s %s\n", c->what, msg);
		if (err != -EBADMSG || obj || (!strstr(msg, c->msg) && !(c->alt && strstr(msg, c->alt)))) {
			print_error("%s (%s): got %d, '%s'; want -EBADMSG, '%s'\n", c->what, c->obj, err, msg,
				    c->msg);
			failures++;
		}
		ksr_object__free(obj);
		free(d);
	}
	assert_int_equal(failures, 0);
}

/* ---- robustness: truncation and byte flips never crash ------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_truncations(void **state)
{
	for (size_t k = 0; k < sizeof(all_objects) / sizeof(all_objects[0]); k++) {
		size_t len;
		uint8_t *d = load(all_objects[k], &len);

		for (size_t cut = 0; cut < len; cut += 8) {
			struct ksr_object *obj = NULL;

			/* every proper prefix cuts the section header table off */
			assert_int_equal(ksr_object__open_mem(d, cut, &obj), -EBADMSG);
			assert_null(obj);
		}
		free(d);
	}
}

static void test_byte_flips(void **state)
{
	const char *env = getenv("KSR_TEST_FLIPS");
	int iters = env ? atoi(env) : 400;
	size_t ok = 0, bad = 0;

	for (size_t k = 0; k < sizeof(all_objects) / sizeof(all_objects[0]); k++) {
		size_t len;
		uint8_t *d = load(all_objects[k], &len);
		uint8_t *m = malloc(len);

		assert_non_null(m);
		for (int it = 0; it < iters; it++) {
			struct ksr_object *obj = NULL;
			int flips = 1 + (int)(rng() % 4), err;

			memcpy(m, d, len);
			for (int f = 0; f < flips; f++) {
				size_t pos = (size_t)(rng() % len);

				m[pos] = (it & 1) ? (uint8_t)rng() : (uint8_t)(m[pos] ^ (1u << (rng() % 8)));
			}
			err = ksr_object__open_mem(m, len, &obj);
			assert_true(err == 0 || err == -EBADMSG);
			assert_int_equal(!err, obj != NULL);
			if (obj) {
				/* walk everything a consumer may touch */
				for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++) {
					const struct ksr_extern *e = ksr_object__extern(obj, i);

					for (uint32_t s = 0; s < e->site_cnt; s++)
						assert_non_null(ksr_object__site_info(obj, &e->sites[s]));
				}
				ok++;
			} else {
				assert_true(strlen(ksr_errmsg()) > 0);
				bad++;
			}
			ksr_object__free(obj);
		}
		free(m);
		free(d);
	}
	print_message("byte flips: %zu accepted, %zu rejected\n", ok, bad);
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
		cmocka_unit_test(test_all_objects_vs_raw),
		cmocka_unit_test(test_open_path),
		cmocka_unit_test(test_essential_name),
		cmocka_unit_test(test_imm_warning),
		cmocka_unit_test(test_neutralised),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_byte_flips),
	};

	if (!tu_readable(tu_bpf_obj("typeless")))
		tu_skip("BPF test objects not built");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
