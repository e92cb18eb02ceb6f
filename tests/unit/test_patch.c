// SPDX-License-Identifier: BSD-2-Clause
/* The patcher against an independent oracle: for each test object that this
 * host can resolve, the expected bytes of every referencing instruction are
 * computed from libbpf's view of /sys/kernel/btf/vmlinux and a plain text
 * scan of /proc/kallsyms, with the object read through libelf — none of it
 * through ksymres — and compared with the patched output. Also: no .ksyms
 * relocation remains, every other section is unchanged, the output is
 * deterministic and its extern symbols are neutralised. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <gelf.h>
#include <bpf/btf.h>

#include "btf.h"
#include "fileio.h"
#include "kallsyms.h"
#include "ksymres/ksymres.h"
#include "patch.h"
#include "profile.h"
#include "resolve.h"
#include "testutil.h"

static struct btf *vmlinux;       /* libbpf's view: the oracle for BTF ids */
static char *kallsyms_text;       /* the oracle for addresses */
static struct ksr_profile *prof;
static char prof_path[512];

/* First address of name in /proc/kallsyms text, by a plain scan. */
static int oracle_addr(const char *name, uint64_t *addr)
{
	size_t nlen = strlen(name);

	for (char *line = kallsyms_text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		char *sp1 = strchr(line, ' ');
		char *nm = sp1 ? sp1 + 3 : NULL;

		if (nm && !strncmp(nm, name, nlen) && (nm[nlen] == '\n' || nm[nlen] == '\t')) {
			*addr = strtoull(line, NULL, 16);
			return 0;
		}
	}
	return -1;
}

static int setup(void **state)
{
	void *btf_data, *ks;
	size_t btf_len, ks_len;
	struct ksr_btf *b;
	struct ksr_kallsyms *k;

	if (getuid() != 0)
		tu_skip("needs root for real /proc/kallsyms addresses");
	if (ksr_read_file("/sys/kernel/btf/vmlinux", KSR_MAX_INPUT, &btf_data, &btf_len))
		tu_skip("/sys/kernel/btf/vmlinux not readable");
	if (ksr_read_file("/proc/kallsyms", KSR_MAX_INPUT, &ks, &ks_len))
		tu_skip("/proc/kallsyms not readable");
	kallsyms_text = ks;
	vmlinux = btf__parse_raw("/sys/kernel/btf/vmlinux");
	assert_non_null(vmlinux);
	assert_int_equal(ksr_btf__parse(btf_data, btf_len, KSR_BTF_MODE_KERNEL, &b), 0);
	if (ksr_kallsyms__parse(ks, ks_len, &k))
		tu_skip("/proc/kallsyms restricted");
	snprintf(prof_path, sizeof(prof_path), "%s/test_patch.%d.profile",
		 getenv("KSR_WORK") ? getenv("KSR_WORK") : "/tmp", (int)getpid());
	assert_int_equal(ksr_profile__write(prof_path, b, k, &(struct ksr_profile_info){ .release = "host" }), 0);
	ksr_btf__free(b);
	ksr_kallsyms__free(k);
	free(btf_data);
	assert_int_equal(ksr_profile__open(prof_path, &prof), 0);
	return 0;
}

static int teardown(void **state)
{
	ksr_profile__free(prof);
	unlink(prof_path);
	btf__free(vmlinux);
	free(kallsyms_text);
	return 0;
}

/* ---- a libelf view of an image ------------------------------------------ */

struct img {
	Elf *elf;
	size_t shstrndx;
	void *buf;
	size_t len;
};

static void img_open(struct img *im, void *buf, size_t len)
{
	elf_version(EV_CURRENT);
	im->buf = buf;
	im->len = len;
	im->elf = elf_memory(buf, len);
	assert_non_null(im->elf);
	assert_int_equal(elf_getshdrstrndx(im->elf, &im->shstrndx), 0);
}

static void img_close(struct img *im)
{
	elf_end(im->elf);
}

static const char *sec_name(struct img *im, Elf_Scn *scn)
{
	GElf_Shdr sh;

	gelf_getshdr(scn, &sh);
	return elf_strptr(im->elf, im->shstrndx, sh.sh_name);
}

static Elf_Scn *sec_by_name(struct img *im, const char *name)
{
	for (Elf_Scn *s = elf_nextscn(im->elf, NULL); s; s = elf_nextscn(im->elf, s))
		if (!strcmp(sec_name(im, s), name))
			return s;
	return NULL;
}

static Elf_Data *data_of(Elf_Scn *s)
{
	return elf_getdata(s, NULL);
}

static Elf_Scn *symtab(struct img *im)
{
	GElf_Shdr sh;

	for (Elf_Scn *s = elf_nextscn(im->elf, NULL); s; s = elf_nextscn(im->elf, s))
		if (gelf_getshdr(s, &sh) && sh.sh_type == SHT_SYMTAB)
			return s;
	return NULL;
}

static bool is_extern_sym(const GElf_Sym *sym)
{
	int bind = GELF_ST_BIND(sym->st_info);

	return sym->st_shndx == SHN_UNDEF && (bind == STB_GLOBAL || bind == STB_WEAK) &&
	       GELF_ST_TYPE(sym->st_info) == STT_NOTYPE && sym->st_name;
}

/* ---- expectations -------------------------------------------------------- */

struct expect {
	const char *name;
	enum { X_VAR, X_TYPELESS, X_FUNC } kind;
	bool present;        /* resolves on this host */
};

static const struct expect *find_expect(const struct expect *x, const char *name)
{
	for (; x->name; x++)
		if (!strcmp(x->name, name))
			return x;
	fail_msg("no expectation for extern %s", name);
	return NULL;
}

/* Rank of name among the object's extern names (no .kconfig externs in the
 * objects that use it): libbpf's poison index. */
static int extern_rank(struct img *im, const char *name)
{
	Elf_Scn *st = symtab(im);
	Elf_Data *d = data_of(st);
	GElf_Shdr sh;
	int rank = 0;

	gelf_getshdr(st, &sh);
	for (size_t i = 1; i < d->d_size / sizeof(Elf64_Sym); i++) {
		GElf_Sym sym;

		gelf_getsym(d, (int)i, &sym);
		if (is_extern_sym(&sym) && strcmp(elf_strptr(im->elf, sh.sh_link, sym.st_name), name) < 0)
			rank++;
	}
	return rank;
}

static void expected_insn(struct img *in, const struct expect *x, const uint8_t *orig,
			  uint8_t *want)
{
	bool ld64 = orig[0] == 0x18;
	uint8_t dst = orig[1] & 0x0f;
	int32_t imm0 = 0, imm1 = 0;

	memcpy(want, orig, ld64 ? 16 : 8);
	if (!ld64) {
		int16_t off = 0;
		int id = x->present ? btf__find_by_name_kind(vmlinux, x->name, BTF_KIND_FUNC) : -1;

		memcpy(want + 2, &off, 2);
		if (x->present) {
			assert_true(id > 0);
			want[1] = 2 << 4;
			imm0 = id;
		} else {
			want[0] = 0x85;
			want[1] = 0;
			imm0 = 2002000000 + extern_rank(in, x->name);
		}
		memcpy(want + 4, &imm0, 4);
		return;
	}
	want[1] = dst;
	if (x->present && x->kind == X_TYPELESS) {
		uint64_t addr = 0;

		assert_int_equal(oracle_addr(x->name, &addr), 0);
		imm0 = (int32_t)(uint32_t)addr;
		imm1 = (int32_t)(uint32_t)(addr >> 32);
	} else if (x->present) {
		int id = btf__find_by_name_kind(vmlinux, x->name,
						x->kind == X_VAR ? BTF_KIND_VAR : BTF_KIND_FUNC);

		assert_true(id > 0);
		want[1] = (uint8_t)(dst | 3 << 4);
		imm0 = id;
	}
	memcpy(want + 4, &imm0, 4);
	memcpy(want + 12, &imm1, 4);
}

static void *load(const char *name, size_t *len)
{
	void *buf = tu_read_file(tu_bpf_obj(name), len);

	assert_non_null(buf);
	return buf;
}

static void patch(const void *in, size_t len, struct ksr_buf *out)
{
	struct ksr_object *obj;
	struct ksr_decision *d;
	size_t n;

	assert_int_equal(ksr_object__open_mem(in, len, &obj), 0);
	n = ksr_object__extern_cnt(obj);
	d = calloc(n + 1, sizeof(*d));
	for (size_t i = 0; i < n; i++) {
		ksr_resolve__extern(obj, ksr_object__extern(obj, i), prof, &d[i]);
		assert_true(ksr_status_ok(d[i].status));
	}
	assert_int_equal(ksr_patch__build(obj, prof, d, NULL, out), 0);
	free(d);
	ksr_object__free(obj);
}

static void check_case(const char *name, const struct expect *x)
{
	struct ksr_buf out = { 0 }, again = { 0 };
	struct img in, o;
	Elf_Scn *st;
	GElf_Shdr sh;
	size_t len, sites = 0;
	void *buf = load(name, &len);

	patch(buf, len, &out);
	patch(buf, len, &again);
	assert_int_equal(out.len, again.len);
	assert_memory_equal(out.data, again.data, out.len);

	img_open(&in, buf, len);
	img_open(&o, out.data, out.len);
	st = symtab(&in);
	gelf_getshdr(st, &sh);

	/* every relocation against an extern in a code section: patched as
	 * libbpf would; no such relocation left in the output */
	for (Elf_Scn *rs = elf_nextscn(in.elf, NULL); rs; rs = elf_nextscn(in.elf, rs)) {
		GElf_Shdr rsh, tsh;
		Elf_Scn *target, *otarget, *ors;
		Elf_Data *rd;

		gelf_getshdr(rs, &rsh);
		if (rsh.sh_type != SHT_REL)
			continue;
		target = elf_getscn(in.elf, rsh.sh_info);
		gelf_getshdr(target, &tsh);
		if (!(tsh.sh_flags & SHF_EXECINSTR))
			continue;
		otarget = sec_by_name(&o, sec_name(&in, target));
		ors = sec_by_name(&o, sec_name(&in, rs));
		assert_non_null(otarget);
		rd = data_of(rs);
		for (size_t k = 0; k < rd->d_size / sizeof(Elf64_Rel); k++) {
			const uint8_t *orig, *got;
			uint8_t want[16];
			GElf_Rel rel;
			GElf_Sym sym;
			const char *sname;

			gelf_getrel(rd, (int)k, &rel);
			gelf_getsym(data_of(st), (int)GELF_R_SYM(rel.r_info), &sym);
			if (!is_extern_sym(&sym))
				continue;
			sname = elf_strptr(in.elf, sh.sh_link, sym.st_name);
			if (!strncmp(sname, "LINUX_", 6) || !strncmp(sname, "CONFIG_", 7))
				continue; /* .kconfig: left to libbpf */
			orig = (const uint8_t *)data_of(target)->d_buf + rel.r_offset;
			got = (const uint8_t *)data_of(otarget)->d_buf + rel.r_offset;
			expected_insn(&in, find_expect(x, sname), orig, want);
			assert_memory_equal(got, want, orig[0] == 0x18 ? 16 : 8);
			sites++;
			if (ors) {
				Elf_Data *od = data_of(ors);

				for (size_t m = 0; m < od->d_size / sizeof(Elf64_Rel); m++) {
					GElf_Rel r2;

					gelf_getrel(od, (int)m, &r2);
					assert_false(r2.r_offset == rel.r_offset &&
						     GELF_R_SYM(r2.r_info) == GELF_R_SYM(rel.r_info));
				}
			}
		}
	}
	assert_true(sites > 0);

	/* sections that are not patched keep their bytes */
	for (Elf_Scn *s = elf_nextscn(in.elf, NULL); s; s = elf_nextscn(in.elf, s)) {
		const char *nm = sec_name(&in, s);
		GElf_Shdr ish;
		Elf_Scn *os;

		gelf_getshdr(s, &ish);
		if ((ish.sh_flags & SHF_EXECINSTR) || ish.sh_type == SHT_REL || ish.sh_type == SHT_SYMTAB ||
		    !strcmp(nm, ".BTF") || ish.sh_type == SHT_NOBITS)
			continue;
		os = sec_by_name(&o, nm);
		assert_non_null(os);
		if (elf_ndxscn(s) == in.shstrndx) {
			/* the section-name table (clang shares it with symbol names)
			 * only grows by the manifest's name */
			assert_int_equal(data_of(os)->d_size, data_of(s)->d_size + sizeof(".ksr.manifest"));
			assert_memory_equal(data_of(os)->d_buf, data_of(s)->d_buf, data_of(s)->d_size);
			continue;
		}
		assert_int_equal(data_of(os)->d_size, data_of(s)->d_size);
		assert_memory_equal(data_of(os)->d_buf, data_of(s)->d_buf, data_of(s)->d_size);
	}
	/* no extern symbol is left for libbpf to collect */
	{
		Elf_Scn *ost = symtab(&o);
		Elf_Data *od = data_of(ost);

		for (size_t i = 1; i < od->d_size / sizeof(Elf64_Sym); i++) {
			GElf_Sym sym;
			GElf_Shdr osh;

			gelf_getshdr(ost, &osh);
			gelf_getsym(od, (int)i, &sym);
			if (is_extern_sym(&sym)) {
				const char *sname = elf_strptr(o.elf, osh.sh_link, sym.st_name);

				assert_true(!strncmp(sname, "LINUX_", 6) || !strncmp(sname, "CONFIG_", 7));
			}
		}
	}
	assert_non_null(sec_by_name(&o, ".ksr.manifest"));
	img_close(&in);
	img_close(&o);
	ksr_buf_free(&out);
	ksr_buf_free(&again);
	free(buf);
}

static void test_typeless(void **state)
{
	static const struct expect x[] = { { "bpf_prog_put", X_TYPELESS, true }, { 0 } };

	check_case("typeless", x);
}

static void test_kfuncs(void **state)
{
	static const struct expect x[] = {
		{ "bpf_rcu_read_lock", X_FUNC, true }, { "bpf_rcu_read_unlock", X_FUNC, true },
		{ "bpf_task_from_pid", X_FUNC, true }, { "bpf_task_acquire", X_FUNC, true },
		{ "bpf_task_release", X_FUNC, true }, { 0 } };

	check_case("kfuncs", x);
}

static void test_shared_sub(void **state)
{
	static const struct expect x[] = {
		{ "bpf_prog_put", X_TYPELESS, true }, { "bpf_rcu_read_lock", X_FUNC, true },
		{ "bpf_rcu_read_unlock", X_FUNC, true }, { 0 } };

	check_case("shared_sub", x);
}

static void test_weak(void **state)
{
	static const struct expect x[] = {
		{ "ksr_no_such_symbol", X_TYPELESS, false }, { "ksr_no_such_var", X_VAR, false },
		{ "ksr_no_such_kfunc", X_FUNC, false }, { "bpf_rcu_read_lock", X_FUNC, true },
		{ "bpf_rcu_read_unlock", X_FUNC, true }, { "bpf_prog_put", X_TYPELESS, true }, { 0 } };

	check_case("weak", x);
}

static void test_maps_data(void **state)
{
	static const struct expect x[] = {
		{ "bpf_prog_put", X_TYPELESS, true }, { "bpf_rcu_read_lock", X_FUNC, true },
		{ "bpf_rcu_read_unlock", X_FUNC, true }, { 0 } };

	check_case("maps_data", x);
}

static void test_kconfig(void **state)
{
	static const struct expect x[] = { { "bpf_prog_put", X_TYPELESS, true }, { 0 } };

	check_case("kconfig", x);
}

/* A failed decision is never patched. */
static void test_refuses_unresolved(void **state)
{
	struct ksr_buf out = { 0 };
	struct ksr_object *obj;
	struct ksr_decision *d;
	size_t len, n;
	void *buf = load("missing", &len);

	assert_int_equal(ksr_object__open_mem(buf, len, &obj), 0);
	n = ksr_object__extern_cnt(obj);
	d = calloc(n, sizeof(*d));
	for (size_t i = 0; i < n; i++)
		ksr_resolve__extern(obj, ksr_object__extern(obj, i), prof, &d[i]);
	assert_int_not_equal(ksr_patch__build(obj, prof, d, NULL, &out), 0);
	assert_null(out.data);
	free(d);
	ksr_object__free(obj);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typeless),   cmocka_unit_test(test_kfuncs),
		cmocka_unit_test(test_shared_sub), cmocka_unit_test(test_weak),
		cmocka_unit_test(test_maps_data),  cmocka_unit_test(test_kconfig),
		cmocka_unit_test(test_refuses_unresolved),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
