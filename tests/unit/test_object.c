// SPDX-License-Identifier: BSD-2-Clause
/* core/object.c, the ELF container: every clang-built object of tests/bpf
 * against an independent reading of the raw ELF (raw_elf.c) and of .BTF
 * (libbpf); corrupted headers, sections, symbols, programs and license,
 * each of which must fail with -EBADMSG and a message naming the broken
 * part; then truncations and random byte flips, which must never crash
 * (run under ASan with -DKSYMRES_SANITIZE=ON). The extern, relocation and
 * .BTF.ext rules are in test_externs.c, test_relocs.c and test_btf_ext.c. */
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

static const char *const all_objects[] = {
	"typed_percpu", "typeless", "typeless_percpu", "kfuncs", "shared_sub", "weak",
	"missing", "bad_proto", "maps_data", "kconfig", "nongpl",
};

/* ---- every object against the raw reader and libbpf ---------------- */

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
		uint8_t *d = load_obj(all_objects[k], &len);
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

/* ---- corrupted copies ---------------------------------------------- */

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

static void m_license(struct raw *r, size_t *l)
{
	const Elf64_Shdr *s = &r->sh[raw_sec(r, "license")];

	memset(r->d + s->sh_offset, 'X', s->sh_size);
}

static void m_btf_magic(struct raw *r, size_t *l) { put16(r, btf_off(r), 0x1234); }

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
	{ "license", "typeless", m_license, "license: not a NUL-terminated", NULL },
	{ ".BTF magic", "typeless", m_btf_magic, ".BTF (file offset 0x", NULL },
};

static void test_malformed(void **state)
{
	expect_bad_cases(bad_cases, sizeof(bad_cases) / sizeof(bad_cases[0]));
}

/* ---- robustness: truncation and byte flips never crash ------------- */

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
		uint8_t *d = load_obj(all_objects[k], &len);

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
		uint8_t *d = load_obj(all_objects[k], &len);
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
		cmocka_unit_test(test_all_objects_vs_raw),
		cmocka_unit_test(test_open_path),
		cmocka_unit_test(test_essential_name),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_byte_flips),
	};

	require_bpf_objects();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
