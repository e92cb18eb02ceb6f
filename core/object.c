// SPDX-License-Identifier: BSD-2-Clause
/* BPF object: lifecycle, the ELF container (header, section table, symbol
 * table, programs, license) and the getters. The ELF header and section
 * table are checked with the cursor before libelf sees the image; libelf then
 * reads the section headers from our aligned copy, and every index, offset
 * and size it returns is checked again here (libelf checks no semantics).
 * Section data is only ever read through the cursor. E1-E30 and I1-I8 in
 * comments here and in relocs.c, externs.c are the classes of malformed
 * input in docs/bad-inputs.md. */
#include <elf.h>
#include <errno.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "btf.h"
#include "cursor.h"
#include "elfsec.h"
#include "error.h"
#include "fileio.h"
#include "object_priv.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif

#define EHDR_SZ sizeof(Elf64_Ehdr)
#define SHDR_SZ sizeof(Elf64_Shdr)
#define SYM_SZ sizeof(Elf64_Sym)

static inline unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

/* ---- ELF header --------------------------------------------------------- */

static const struct ksr_elf_kind obj_kind = {
	.types = 1u << ET_REL,
	.machines = { EM_BPF, EM_NONE },
	.machine_name = "EM_BPF",
	.max_secs = KSR_OBJ_MAX_SECS,
};

/* E1-E7: header fields and the section header table's extent, with the
 * extended numbering rules (core/elfsec.c), before libelf is involved. */
static int check_ehdr(const struct ksr_object *obj, struct ksr_elf_table *t)
{
	struct ksr_cur c = ksr_cur_make(obj->raw, obj->raw_size);
	Elf64_Ehdr eh;
	int err;

	if (!ksr_cur_copy(&c, &eh, sizeof(eh)))
		return ksr_err(KSR_EMALFORMED,
			       "ELF header: file is %zu bytes, shorter than the ELF header (file offset 0x0)",
			       obj->raw_size);
	err = ksr_elf_check_ehdr(&eh, &obj_kind);
	return err ? err : ksr_elf_check_table(obj->raw, obj->raw_size, &eh, &obj_kind, t);
}

/* ---- section table ------------------------------------------------------ */

/* Copies the section headers out of libelf and cross-checks its view of the
 * table with ours. */
static int read_shdrs(struct ksr_object *obj, const struct ksr_elf_table *hi, Elf64_Shdr *shdrs)
{
	size_t n = 0, strndx = 0;
	int err = 0;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return ksr_err(EINVAL, "libelf: %s", elf_errmsg(-1));
	/* libelf's allocations failing show as errno ENOMEM: not the image's fault */
	errno = 0;
	elf = elf_memory((char *)obj->raw, obj->raw_size);
	if (!elf && errno == ENOMEM)
		return ksr_err(ENOMEM, "libelf: out of memory");
	if (!elf)
		return ksr_err(KSR_EMALFORMED, "ELF: libelf rejects the image: %s (file offset 0x0)",
			       elf_errmsg(-1));
	if (elf_kind(elf) != ELF_K_ELF || elf_getshdrnum(elf, &n) || elf_getshdrstrndx(elf, &strndx) ||
	    n != hi->shnum || strndx != hi->shstrndx) {
		err = errno == ENOMEM ? ksr_err(ENOMEM, "libelf: out of memory") : ksr_err(KSR_EMALFORMED,
			      "ELF: libelf disagrees on the section table (%zu sections, names in %zu) (file offset 0x%llx)",
			      n, strndx, ull(hi->shoff));
		goto out;
	}
	for (uint32_t i = 0; i < hi->shnum; i++) {
		Elf_Scn *scn = elf_getscn(elf, i);
		Elf64_Shdr *sh = scn ? elf64_getshdr(scn) : NULL;

		if (!sh) {
			err = errno == ENOMEM ? ksr_err(ENOMEM, "libelf: out of memory") :
				ksr_err(KSR_EMALFORMED, "section %u: libelf cannot read its header: %s (file offset 0x%llx)",
					i, elf_errmsg(-1), ull(hi->shoff + (uint64_t)i * SHDR_SZ));
			goto out;
		}
		memcpy(&shdrs[i], sh, sizeof(*sh));
	}
out:
	elf_end(elf);
	return err;
}

static bool is_special_data_sec(const char *name)
{
	return !strcmp(name, ".BTF") || !strcmp(name, ".BTF.ext") || !strcmp(name, "license");
}

/* E8-E10, E24, E26-E28 for one section whose name is already known. */
static int check_one_sec(const struct ksr_object *obj, const Elf64_Shdr *sh,
			 const struct ksr_obj_sec *s, uint64_t hoff)
{
	const char *n = s->name;
	int err;

	if (n[0] == '\0')
		return ksr_err(KSR_EMALFORMED, "section %u: empty name (file offset 0x%llx)", s->idx, ull(hoff));
	if (sh->sh_type == SHT_NULL || sh->sh_type == SHT_RELA || sh->sh_type == SHT_SYMTAB_SHNDX)
		return ksr_err(KSR_EMALFORMED, "section %u '%s': section type %u is not supported (file offset 0x%llx)",
			       s->idx, n, sh->sh_type, ull(hoff));
	err = ksr_elf_check_uncompressed(sh, s->idx, n, hoff);
	if (!err)
		err = ksr_elf_check_shdr(sh, s->idx, n, obj->sec_cnt, obj->raw_size, hoff);
	if (err)
		return err;
	if (sh->sh_flags & SHF_EXECINSTR) {
		if (sh->sh_type != SHT_PROGBITS)
			return ksr_err(KSR_EMALFORMED,
				       "section %u '%s': executable but not SHT_PROGBITS (file offset 0x%llx)",
				       s->idx, n, ull(hoff));
		if (sh->sh_size % KSR_BPF_INSN_SZ)
			return ksr_err(KSR_EMALFORMED,
				       "section %u '%s': code size 0x%llx is not a multiple of 8 (file offset 0x%llx)",
				       s->idx, n, ull(sh->sh_size), ull(hoff));
	}
	if (is_special_data_sec(n) && sh->sh_type != SHT_PROGBITS)
		return ksr_err(KSR_EMALFORMED, "section %u '%s': must be SHT_PROGBITS (file offset 0x%llx)",
			       s->idx, n, ull(hoff));
	return 0;
}

struct range {
	uint64_t start, end;
	uint32_t idx;            /* section index; UINT32_MAX for the headers */
};

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

static const char *range_name(const struct ksr_object *obj, const struct range *r)
{
	return r->idx == UINT32_MAX ? "ELF headers" : obj->secs[r->idx].name;
}

/* E25: file ranges of sections, the ELF header and the section header table
 * must not overlap. */
static int check_overlaps(const struct ksr_object *obj, const struct ksr_elf_table *hi)
{
	struct range *r = calloc((size_t)obj->sec_cnt + 2, sizeof(*r));
	size_t n = 0;
	int err = 0;

	if (!r)
		return ksr_err(ENOMEM, "out of memory");
	r[n++] = (struct range){ 0, EHDR_SZ, UINT32_MAX };
	r[n++] = (struct range){ hi->shoff, hi->shoff + (uint64_t)hi->shnum * SHDR_SZ, UINT32_MAX };
	for (uint32_t i = 1; i < obj->sec_cnt; i++) {
		const struct ksr_obj_sec *s = &obj->secs[i];

		if (s->type != SHT_NOBITS && s->size)
			r[n++] = (struct range){ s->offset, s->offset + s->size, i };
	}
	qsort(r, n, sizeof(*r), cmp_range);
	for (size_t i = 1; i < n; i++) {
		if (r[i].start < r[i - 1].end) {
			err = ksr_err(KSR_EMALFORMED, "section table: '%s' overlaps '%s' (file offset 0x%llx)",
				      range_name(obj, &r[i]), range_name(obj, &r[i - 1]), ull(r[i].start));
			break;
		}
	}
	free(r);
	return err;
}

static int cmp_sec_name(const void *a, const void *b)
{
	const struct ksr_obj_sec *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* E10: section names are unique (section 0 aside). The sorted view is kept
 * for ksr_object__sec_by_name(). */
static int index_names(struct ksr_object *obj)
{
	const struct ksr_obj_sec **v;

	if (obj->sec_cnt < 2)
		return 0;
	v = calloc(obj->sec_cnt - 1, sizeof(*v));
	if (!v)
		return ksr_err(ENOMEM, "out of memory");
	obj->secs_by_name = v;
	for (uint32_t i = 1; i < obj->sec_cnt; i++)
		v[i - 1] = &obj->secs[i];
	qsort(v, obj->sec_cnt - 1, sizeof(*v), cmp_sec_name);
	for (uint32_t i = 1; i + 1 < obj->sec_cnt; i++) {
		if (!strcmp(v[i]->name, v[i - 1]->name)) {
			const struct ksr_obj_sec *s = v[i]->idx > v[i - 1]->idx ? v[i] : v[i - 1];

			return ksr_err(KSR_EMALFORMED, "section %u '%s': duplicate section name (file offset 0x%llx)",
				       s->idx, s->name, ull(s->offset));
		}
	}
	return 0;
}

static int load_sections(struct ksr_object *obj, const struct ksr_elf_table *hi)
{
	Elf64_Shdr *shdrs = calloc(hi->shnum, sizeof(*shdrs));
	const Elf64_Shdr *ssh;
	struct ksr_cur shstr;
	int err;

	obj->secs = calloc(hi->shnum, sizeof(*obj->secs));
	if (!shdrs || !obj->secs) {
		free(shdrs);
		return ksr_err(ENOMEM, "out of memory");
	}
	obj->sec_cnt = hi->shnum;
	obj->shstrndx = hi->shstrndx;
	err = read_shdrs(obj, hi, shdrs);
	if (err)
		goto out;
	ssh = &shdrs[hi->shstrndx];
	err = ksr_elf_check_strtab(obj->raw, obj->raw_size, ssh, "section name table",
			       hi->shoff + (uint64_t)hi->shstrndx * SHDR_SZ);
	if (err)
		goto out;
	shstr = ksr_cur_make(obj->raw + ssh->sh_offset, ssh->sh_size);
	obj->secs[0].name = "";
	for (uint32_t i = 1; i < hi->shnum; i++) {
		const Elf64_Shdr *sh = &shdrs[i];
		struct ksr_obj_sec *s = &obj->secs[i];
		uint64_t hoff = hi->shoff + (uint64_t)i * SHDR_SZ;

		s->idx = i;
		s->name = ksr_cur_str_at(&shstr, sh->sh_name);
		if (!s->name) {
			err = ksr_err(KSR_EMALFORMED, "section %u: name offset 0x%x out of range (file offset 0x%llx)",
				      i, sh->sh_name, ull(hoff));
			goto out;
		}
		err = check_one_sec(obj, sh, s, hoff);
		if (err)
			goto out;
		s->type = sh->sh_type;
		s->flags = sh->sh_flags;
		s->offset = sh->sh_offset;
		s->size = sh->sh_size;
		s->link = sh->sh_link;
		s->info = sh->sh_info;
		s->addralign = sh->sh_addralign;
		s->entsize = sh->sh_entsize;
		s->data = sh->sh_type != SHT_NOBITS && sh->sh_size ? obj->raw + sh->sh_offset : NULL;
	}
	err = check_overlaps(obj, hi);
	if (!err)
		err = index_names(obj);
out:
	free(shdrs);
	return err;
}

/* ---- symbol table ------------------------------------------------------- */

static int find_symtab(struct ksr_object *obj)
{
	for (uint32_t i = 1; i < obj->sec_cnt; i++) {
		if (obj->secs[i].type != SHT_SYMTAB)
			continue;
		if (obj->symtab_idx)
			return ksr_err(KSR_EMALFORMED, "section %u '%s': a second symbol table (file offset 0x%llx)",
				       i, obj->secs[i].name, ull(obj->secs[i].offset));
		obj->symtab_idx = i;
	}
	if (!obj->symtab_idx)
		return ksr_err(KSR_EMALFORMED, "ELF: no symbol table (SHT_SYMTAB) (file offset 0x0)");
	return 0;
}

static int check_symtab_hdr(struct ksr_object *obj)
{
	const struct ksr_obj_sec *st = &obj->secs[obj->symtab_idx], *str;
	Elf64_Shdr sh;

	if (st->entsize != SYM_SZ || st->size % SYM_SZ || st->size == 0)
		return ksr_err(KSR_EMALFORMED,
			       "%s: sh_entsize %llu / sh_size 0x%llx are not a non-empty array of %zu-byte symbols (file offset 0x%llx)",
			       st->name, ull(st->entsize), ull(st->size), SYM_SZ, ull(st->offset));
	if (st->link == 0 || st->link == obj->symtab_idx)
		return ksr_err(KSR_EMALFORMED, "%s: sh_link %u is not a string table (file offset 0x%llx)",
			       st->name, st->link, ull(st->offset));
	str = &obj->secs[st->link];
	memset(&sh, 0, sizeof(sh));
	sh.sh_type = str->type;
	sh.sh_offset = str->offset;
	sh.sh_size = str->size;
	if (st->size / SYM_SZ > UINT32_MAX)
		return ksr_err(KSR_EMALFORMED, "%s: too many symbols (file offset 0x%llx)", st->name,
			       ull(st->offset));
	obj->strtab_idx = st->link;
	obj->sym_cnt = (uint32_t)(st->size / SYM_SZ);
	if (st->info > obj->sym_cnt)
		return ksr_err(KSR_EMALFORMED, "%s: sh_info %u is past the %u symbols (file offset 0x%llx)",
			       st->name, st->info, obj->sym_cnt, ull(st->offset));
	return ksr_elf_check_strtab(obj->raw, obj->raw_size, &sh, "symbol string table", str->offset);
}

/* E16/E18: where a symbol may point. Undefined symbols must be well-formed
 * externs: GLOBAL or WEAK, NOTYPE, named, value and size 0. */
static int check_sym_shndx(const struct ksr_object *obj, uint32_t i, const Elf64_Sym *es,
			   const char *name, uint64_t foff)
{
	unsigned int bind = ELF64_ST_BIND(es->st_info), type = ELF64_ST_TYPE(es->st_info);
	const struct ksr_obj_sec *s;

	if (es->st_shndx == SHN_UNDEF) {
		if ((bind != STB_GLOBAL && bind != STB_WEAK) || type != STT_NOTYPE || !name[0])
			return ksr_err(KSR_EMALFORMED,
				       ".symtab: symbol %u '%s': undefined symbol is not a named GLOBAL/WEAK NOTYPE extern (file offset 0x%llx)",
				       i, name, ull(foff));
		if (es->st_value || es->st_size)
			return ksr_err(KSR_EMALFORMED,
				       ".symtab: symbol %u '%s': extern has non-zero value or size (file offset 0x%llx)",
				       i, name, ull(foff));
		return 0;
	}
	if (es->st_shndx == SHN_ABS)
		return type == STT_FUNC ? ksr_err(KSR_EMALFORMED,
						  ".symtab: symbol %u '%s': absolute function symbol (file offset 0x%llx)",
						  i, name, ull(foff)) : 0;
	if (es->st_shndx >= SHN_LORESERVE || es->st_shndx >= obj->sec_cnt)
		return ksr_err(KSR_EMALFORMED,
			       ".symtab: symbol %u '%s': section index 0x%x is invalid or unsupported (file offset 0x%llx)",
			       i, name, es->st_shndx, ull(foff));
	s = &obj->secs[es->st_shndx];
	/* relocation sections hold no objects, and the patcher shrinks them */
	if (s->type == SHT_REL)
		return ksr_err(KSR_EMALFORMED,
			       ".symtab: symbol %u '%s': defined in relocation section '%s' (file offset 0x%llx)",
			       i, name, s->name, ull(foff));
	if (es->st_value > s->size || es->st_size > s->size - es->st_value)
		return ksr_err(KSR_EMALFORMED,
			       ".symtab: symbol %u '%s': 0x%llx+0x%llx lies outside section '%s' (file offset 0x%llx)",
			       i, name, ull(es->st_value), ull(es->st_size), s->name, ull(foff));
	if (type == STT_FUNC && !(s->flags & SHF_EXECINSTR))
		return ksr_err(KSR_EMALFORMED,
			       ".symtab: symbol %u '%s': function in non-executable section '%s' (file offset 0x%llx)",
			       i, name, s->name, ull(foff));
	return 0;
}

static int load_symbols(struct ksr_object *obj)
{
	const struct ksr_obj_sec *st, *str;
	struct ksr_cur c, strs;
	static const uint8_t zero[SYM_SZ];
	int err;

	err = find_symtab(obj);
	if (!err)
		err = check_symtab_hdr(obj);
	if (err)
		return err;
	st = &obj->secs[obj->symtab_idx];
	str = &obj->secs[obj->strtab_idx];
	c = ksr_cur_make(st->data, st->size);
	strs = ksr_cur_make(str->data, str->size);
	if (memcmp(st->data, zero, SYM_SZ) != 0)
		return ksr_err(KSR_EMALFORMED, ".symtab: symbol 0 is not all zero (file offset 0x%llx)",
			       ull(st->offset));
	obj->syms = calloc(obj->sym_cnt, sizeof(*obj->syms));
	if (!obj->syms)
		return ksr_err(ENOMEM, "out of memory");
	obj->syms[0].name = "";
	for (uint32_t i = 1; i < obj->sym_cnt; i++) {
		uint64_t foff = st->offset + (uint64_t)i * SYM_SZ;
		struct ksr_obj_sym *s = &obj->syms[i];
		Elf64_Sym es;

		if (!ksr_cur_seek(&c, (uint64_t)i * SYM_SZ) || !ksr_cur_copy(&c, &es, sizeof(es)))
			return ksr_err(KSR_EMALFORMED, ".symtab: symbol %u truncated (file offset 0x%llx)",
				       i, ull(foff));
		s->name = ksr_cur_str_at(&strs, es.st_name);
		if (!s->name)
			return ksr_err(KSR_EMALFORMED,
				       ".symtab: symbol %u: name offset 0x%x out of range (file offset 0x%llx)",
				       i, es.st_name, ull(foff));
		err = check_sym_shndx(obj, i, &es, s->name, foff);
		if (err)
			return err;
		s->value = es.st_value;
		s->size = es.st_size;
		s->info = es.st_info;
		s->other = es.st_other;
		s->shndx = es.st_shndx;
	}
	return 0;
}

/* ---- programs ----------------------------------------------------------- */

static int cmp_prog(const void *a, const void *b)
{
	const struct ksr_obj_prog *x = a, *y = b;

	if (x->sec_idx != y->sec_idx)
		return x->sec_idx < y->sec_idx ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->sym_idx < y->sym_idx ? -1 : x->sym_idx > y->sym_idx;
}

static bool sym_is_prog(const struct ksr_object *obj, const struct ksr_obj_sym *s)
{
	return ELF64_ST_TYPE(s->info) == STT_FUNC && s->shndx != SHN_UNDEF &&
	       s->shndx < obj->sec_cnt && (obj->secs[s->shndx].flags & SHF_EXECINSTR);
}

/* E17, I8: programs are non-empty, 8-aligned, inside their section and
 * disjoint. */
static int load_programs(struct ksr_object *obj)
{
	const struct ksr_obj_sec *st = &obj->secs[obj->symtab_idx];
	size_t n = 0;

	for (uint32_t i = 1; i < obj->sym_cnt; i++)
		n += sym_is_prog(obj, &obj->syms[i]);
	if (!n)
		return 0;
	obj->progs = calloc(n, sizeof(*obj->progs));
	if (!obj->progs)
		return ksr_err(ENOMEM, "out of memory");
	for (uint32_t i = 1; i < obj->sym_cnt; i++) {
		const struct ksr_obj_sym *s = &obj->syms[i];
		struct ksr_obj_prog *p;

		if (!sym_is_prog(obj, s))
			continue;
		if (!s->name[0] || !s->size || s->value % KSR_BPF_INSN_SZ || s->size % KSR_BPF_INSN_SZ)
			return ksr_err(KSR_EMALFORMED,
				       ".symtab: symbol %u '%s': program at 0x%llx size 0x%llx is unnamed, empty or not 8-aligned (file offset 0x%llx)",
				       i, s->name, ull(s->value), ull(s->size),
				       ull(st->offset + (uint64_t)i * SYM_SZ));
		p = &obj->progs[obj->prog_cnt++];
		p->name = s->name;
		p->sec_idx = s->shndx;
		p->sym_idx = i;
		p->off = s->value;
		p->size = s->size;
	}
	qsort(obj->progs, obj->prog_cnt, sizeof(*obj->progs), cmp_prog);
	for (size_t i = 1; i < obj->prog_cnt; i++) {
		const struct ksr_obj_prog *a = &obj->progs[i - 1], *b = &obj->progs[i];

		if (a->sec_idx == b->sec_idx && b->off < a->off + a->size)
			return ksr_err(KSR_EMALFORMED, "%s: programs '%s' and '%s' overlap (file offset 0x%llx)",
				       obj->secs[b->sec_idx].name, a->name, b->name,
				       ksr_obj_foff(&obj->secs[b->sec_idx], b->off));
	}
	return 0;
}

/* ---- license, .BTF, .BTF.ext ---------------------------------------------- */

static int load_license(struct ksr_object *obj)
{
	const struct ksr_obj_sec *s = ksr_object__sec_by_name(obj, "license");

	if (!s)
		return 0;
	if (!s->data || !memchr(s->data, '\0', s->size))
		return ksr_err(KSR_EMALFORMED, "license: not a NUL-terminated string (file offset 0x%llx)",
			       ull(s->offset));
	obj->license = (const char *)s->data;
	return 0;
}

static int load_btf(struct ksr_object *obj)
{
	const struct ksr_obj_sec *s = ksr_object__sec_by_name(obj, ".BTF");
	const struct ksr_obj_sec *ext = ksr_object__sec_by_name(obj, ".BTF.ext");
	int err;

	if (!s) {
		if (ext)
			return ksr_err(KSR_EMALFORMED, ".BTF.ext: present without .BTF (file offset 0x%llx)",
				       ull(ext->offset));
		return 0;
	}
	err = ksr_btf__parse(s->data, (size_t)s->size, KSR_BTF_MODE_OBJECT, &obj->btf);
	if (err) {
		obj->btf = NULL;
		ksr_err_prefix(".BTF (file offset 0x%llx)", ull(s->offset));
		return err;
	}
	return ext ? ksr_obj_check_btf_ext(obj, ext) : 0;
}

/* ---- lifecycle ---------------------------------------------------------- */

/* Takes ownership of buf (16-aligned, size bytes). */
static int parse_owned(uint8_t *buf, size_t size, struct ksr_object **out)
{
	struct ksr_object *obj = calloc(1, sizeof(*obj));
	struct ksr_elf_table hi = { 0 };
	int err;

	*out = NULL;
	if (!obj) {
		free(buf);
		return ksr_err(ENOMEM, "out of memory");
	}
	obj->raw = buf;
	obj->raw_size = size;
	err = check_ehdr(obj, &hi);
	if (!err)
		err = load_sections(obj, &hi);
	if (!err)
		err = load_symbols(obj);
	if (!err)
		err = load_programs(obj);
	if (!err)
		err = ksr_obj_decode_code(obj);
	if (!err)
		err = ksr_obj_collect_relocs(obj);
	if (!err)
		err = load_license(obj);
	if (!err)
		err = load_btf(obj);
	if (!err)
		err = ksr_obj_collect_externs(obj);
	if (!err)
		err = ksr_obj_check_data_datasecs(obj);
	if (err) {
		ksr_object__free(obj);
		return err;
	}
	*out = obj;
	return 0;
}

int ksr_object__parse(const void *data, size_t size, struct ksr_object **out)
{
	uint8_t *buf;

	*out = NULL;
	if (size > KSR_OBJ_MAX_SIZE)
		return ksr_err(KSR_EMALFORMED, "ELF: object of %zu bytes exceeds the %u-byte limit",
			       size, KSR_OBJ_MAX_SIZE);
	buf = aligned_alloc(16, (size + 16) & ~(size_t)15);
	if (!buf)
		return ksr_err(ENOMEM, "out of memory");
	if (size)
		memcpy(buf, data, size);
	return parse_owned(buf, size, out);
}

KSR_API int ksr_object__open_mem(const void *data, size_t size, struct ksr_object **out)
{
	if (!out || (!data && size))
		return ksr_err(EINVAL, "ksr_object__open_mem: invalid arguments");
	return ksr_object__parse(data, size, out);
}

KSR_API int ksr_object__open(const char *path, struct ksr_object **out)
{
	void *buf;
	size_t len;
	int err;

	if (!path || !out)
		return ksr_err(EINVAL, "ksr_object__open: invalid arguments");
	*out = NULL;
	err = ksr_read_file(path, KSR_OBJ_MAX_SIZE, &buf, &len);
	if (err)
		return err;
	return parse_owned(buf, len, out);
}

KSR_API void ksr_object__free(struct ksr_object *obj)
{
	if (!obj)
		return;
	ksr_obj_free_externs(obj);
	if (obj->slots) {
		for (uint32_t i = 0; i < obj->sec_cnt; i++)
			free(obj->slots[i]);
		free(obj->slots);
	}
	ksr_btf__free(obj->btf);
	free(obj->pend);
	free(obj->rels);
	free(obj->rel_first);
	free(obj->rel_cnt);
	free(obj->progs);
	free(obj->syms);
	free(obj->secs_by_name);
	free(obj->secs);
	free(obj->raw);
	free(obj);
}

/* ---- getters ------------------------------------------------------------ */

KSR_API size_t ksr_object__extern_cnt(const struct ksr_object *obj)
{
	return obj ? obj->ksym_cnt : 0;
}

KSR_API const struct ksr_extern *ksr_object__extern(const struct ksr_object *obj, size_t i)
{
	return obj && i < obj->ksym_cnt ? &obj->ksyms[i] : NULL;
}

KSR_API const struct ksr_btf *ksr_object__btf(const struct ksr_object *obj)
{
	return obj ? obj->btf : NULL;
}

KSR_API const char *ksr_object__license(const struct ksr_object *obj)
{
	return obj ? obj->license : NULL;
}

const uint8_t *ksr_object__raw(const struct ksr_object *obj, size_t *size)
{
	*size = obj->raw_size;
	return obj->raw;
}

uint32_t ksr_object__sec_cnt(const struct ksr_object *obj)
{
	return obj->sec_cnt;
}

const struct ksr_obj_sec *ksr_object__sec(const struct ksr_object *obj, uint32_t idx)
{
	return idx < obj->sec_cnt ? &obj->secs[idx] : NULL;
}

const struct ksr_obj_sec *ksr_object__sec_by_name(const struct ksr_object *obj, const char *name)
{
	size_t lo = 0, hi = obj->secs_by_name ? obj->sec_cnt - 1 : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, obj->secs_by_name[mid]->name);

		if (!c)
			return obj->secs_by_name[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

uint32_t ksr_object__symtab_idx(const struct ksr_object *obj)
{
	return obj->symtab_idx;
}

uint32_t ksr_object__sym_cnt(const struct ksr_object *obj)
{
	return obj->sym_cnt;
}

const struct ksr_obj_sym *ksr_object__sym(const struct ksr_object *obj, uint32_t idx)
{
	return idx < obj->sym_cnt ? &obj->syms[idx] : NULL;
}

size_t ksr_object__prog_cnt(const struct ksr_object *obj)
{
	return obj->prog_cnt;
}

const struct ksr_obj_prog *ksr_object__prog(const struct ksr_object *obj, size_t i)
{
	return i < obj->prog_cnt ? &obj->progs[i] : NULL;
}

const struct ksr_obj_prog *ksr_object__prog_at(const struct ksr_object *obj, uint32_t sec_idx,
					       uint64_t off)
{
	size_t lo = 0, hi = obj->prog_cnt;

	/* last program starting at or before (sec_idx, off) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ksr_obj_prog *p = &obj->progs[mid];

		if (p->sec_idx < sec_idx || (p->sec_idx == sec_idx && p->off <= off))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	{
		const struct ksr_obj_prog *p = &obj->progs[lo - 1];

		return p->sec_idx == sec_idx && off - p->off < p->size ? p : NULL;
	}
}

const struct ksr_obj_rel *ksr_object__rels(const struct ksr_object *obj, uint32_t rel_sec_idx,
					   size_t *cnt)
{
	if (rel_sec_idx >= obj->sec_cnt || !obj->rel_cnt || !obj->rel_cnt[rel_sec_idx]) {
		*cnt = 0;
		return NULL;
	}
	*cnt = obj->rel_cnt[rel_sec_idx];
	return &obj->rels[obj->rel_first[rel_sec_idx]];
}

const struct ksr_obj_site_info *ksr_object__site_info(const struct ksr_object *obj,
						      const struct ksr_site *site)
{
	uintptr_t base = (uintptr_t)obj->sites, p = (uintptr_t)site;

	if (!obj->site_cnt || p < base || p >= base + obj->site_cnt * sizeof(*site) ||
	    (p - base) % sizeof(*site))
		return NULL;
	return &obj->site_info[(p - base) / sizeof(*site)];
}

size_t ksr_object__kconfig_cnt(const struct ksr_object *obj)
{
	return obj->kcfg_cnt;
}

const struct ksr_obj_kconfig *ksr_object__kconfig(const struct ksr_object *obj, size_t i)
{
	return i < obj->kcfg_cnt ? &obj->kcfgs[i] : NULL;
}

size_t ksr_object__imm_warn_cnt(const struct ksr_object *obj)
{
	return obj->imm_warn_cnt;
}

bool ksr_object__extern_is_kconfig(const struct ksr_object *obj, const struct ksr_extern *ext)
{
	uintptr_t base = (uintptr_t)obj->kcfgs, p = (uintptr_t)ext;

	return obj->kcfg_cnt && p >= base && p < base + obj->kcfg_cnt * sizeof(*obj->kcfgs);
}

const struct ksr_extern *ksr_object__extern_by_sym(const struct ksr_object *obj, uint32_t sym_idx)
{
	size_t lo = 0, hi = obj->by_sym_cnt;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t v = obj->by_sym[mid]->sym_idx;

		if (v == sym_idx)
			return obj->by_sym[mid];
		if (v < sym_idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t ksr_essential_name_len(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = n >= 5 ? n - 4 : 0; i-- > 0;) {
		const char *s = name + i;

		if (s[0] != '_' && s[1] == '_' && s[2] == '_' && s[3] == '_' && s[4] != '_')
			return i + 1;
	}
	return n;
}
