// SPDX-License-Identifier: BSD-2-Clause
/* Instruction decoding and SHT_REL validation. Executable sections are
 * decoded linearly once so that every slot is known to be a plain
 * instruction or one half of an ld_imm64; relocations are then checked
 * against that map, classified by the instruction they hit (never by the
 * relocation type, as libbpf does), and those against undefined symbols are
 * kept as pending extern sites. */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "error.h"
#include "insn.h"
#include "object_priv.h"


#define R_BPF_64_64 1
#define R_BPF_64_ABS64 2
#define R_BPF_64_ABS32 3
#define R_BPF_64_NODYLD32 4
#define R_BPF_64_32 10

#define REL_SZ sizeof(Elf64_Rel)

static inline unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

static bool read_insn(const struct ksr_obj_sec *s, uint64_t off, struct ksr_insn *in)
{
	struct ksr_cur c = ksr_cur_make(s->data, (size_t)s->size);
	uint8_t slot[KSR_BPF_INSN_SZ];

	if (!ksr_cur_seek(&c, off) || !ksr_cur_copy(&c, slot, sizeof(slot)))
		return false;
	*in = ksr_insn__decode(slot);
	return true;
}

/* ---- code decoding (I1) ------------------------------------------------- */

static int decode_sec(struct ksr_object *obj, const struct ksr_obj_sec *s)
{
	uint64_t n = s->size / KSR_BPF_INSN_SZ;
	uint8_t *slots = calloc((size_t)n, 1);
	struct ksr_insn in;

	if (!slots)
		return ksr_err(ENOMEM, "out of memory");
	obj->slots[s->idx] = slots;
	for (uint64_t i = 0; i < n; i++) {
		if (!read_insn(s, i * KSR_BPF_INSN_SZ, &in))
			return ksr_err(KSR_EMALFORMED, "%s: instruction %llu unreadable (file offset 0x%llx)",
				       s->name, ull(i), ksr_obj_foff(s, i * KSR_BPF_INSN_SZ));
		if (in.code != KSR_INSN_LD_IMM64)
			continue;
		if (i + 1 >= n)
			return ksr_err(KSR_EMALFORMED,
				       "%s: ld_imm64 at offset 0x%llx is cut off by the end of the section (file offset 0x%llx)",
				       s->name, ull(i * KSR_BPF_INSN_SZ), ksr_obj_foff(s, i * KSR_BPF_INSN_SZ));
		slots[i] |= KSR_SLOT_LD64_LO;
		slots[++i] |= KSR_SLOT_LD64_HI;
	}
	return 0;
}

/* No program may start inside or end in the middle of an ld_imm64. */
static int check_prog_bounds(const struct ksr_object *obj)
{
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		const struct ksr_obj_prog *p = &obj->progs[i];
		const struct ksr_obj_sec *s = &obj->secs[p->sec_idx];
		const uint8_t *slots = obj->slots[p->sec_idx];
		uint64_t first = p->off / KSR_BPF_INSN_SZ, last = (p->off + p->size) / KSR_BPF_INSN_SZ - 1;

		if ((slots[first] & KSR_SLOT_LD64_HI) || (slots[last] & KSR_SLOT_LD64_LO))
			return ksr_err(KSR_EMALFORMED,
				       "%s: program '%s' starts or ends inside an ld_imm64 (file offset 0x%llx)",
				       s->name, p->name, ksr_obj_foff(s, p->off));
	}
	return 0;
}

int ksr_obj_decode_code(struct ksr_object *obj)
{
	int err;

	obj->slots = calloc(obj->sec_cnt, sizeof(*obj->slots));
	if (!obj->slots)
		return ksr_err(ENOMEM, "out of memory");
	for (uint32_t i = 1; i < obj->sec_cnt; i++) {
		const struct ksr_obj_sec *s = &obj->secs[i];

		if (!(s->flags & SHF_EXECINSTR) || !s->size)
			continue;
		err = decode_sec(obj, s);
		if (err)
			return err;
	}
	return check_prog_bounds(obj);
}

/* ---- one relocation in code --------------------------------------------- */

struct rel_ctx {
	struct ksr_object *obj;
	const struct ksr_obj_sec *rs;   /* the SHT_REL section */
	const struct ksr_obj_sec *ts;   /* its target */
	size_t idx;                     /* entry index */
	uint64_t foff;                  /* file offset of the entry */
	const struct ksr_obj_rel *rel;
};

#define REL_ERR(ctx, fmt, ...)                                                        \
	ksr_err(KSR_EMALFORMED, "%s: entry %zu: " fmt " (file offset 0x%llx)", (ctx)->rs->name, \
		(ctx)->idx, ##__VA_ARGS__, ull((ctx)->foff))

static int push_pending(struct ksr_object *obj, const struct ksr_pending_site *ps)
{
	if (obj->pend_cnt == obj->pend_cap) {
		size_t cap = obj->pend_cap ? obj->pend_cap * 2 : 16;
		struct ksr_pending_site *p = realloc(obj->pend, cap * sizeof(*p));

		if (!p)
			return ksr_err(ENOMEM, "out of memory");
		obj->pend = p;
		obj->pend_cap = cap;
	}
	obj->pend[obj->pend_cnt++] = *ps;
	return 0;
}

/* I3, I5, I6: the instruction at an extern relocation must look exactly as
 * clang emits it, so that no pre-set pseudo value survives patching. */
static int check_extern_insn(const struct rel_ctx *ctx, const struct ksr_insn *in, uint32_t *flags)
{
	const struct ksr_obj_sym *sym = &ctx->obj->syms[ctx->rel->sym];
	uint64_t off = ctx->rel->offset;
	struct ksr_insn hi;

	*flags = 0;
	if (in->code == KSR_INSN_CALL) {
		if (in->dst || in->src != BPF_PSEUDO_CALL || in->off || in->imm != -1)
			return REL_ERR(ctx, "call to extern '%s' at 0x%llx is not 'call -1' (85 10 00 00 ff ff ff ff)",
				       sym->name, ull(off));
		return 0;
	}
	if (!read_insn(ctx->ts, off + KSR_BPF_INSN_SZ, &hi))
		return REL_ERR(ctx, "ld_imm64 at 0x%llx is truncated", ull(off));
	if (hi.code || hi.dst || hi.src || hi.off)
		return REL_ERR(ctx, "ld_imm64 of extern '%s' at 0x%llx has a non-canonical second half",
			       sym->name, ull(off));
	if (in->src)
		return REL_ERR(ctx, "ld_imm64 of extern '%s' at 0x%llx has pre-set src_reg %u",
			       sym->name, ull(off), in->src);
	if (in->off)
		return REL_ERR(ctx, "ld_imm64 of extern '%s' at 0x%llx has reserved offset %d set",
			       sym->name, ull(off), in->off);
	if (in->imm || hi.imm)
		*flags |= KSR_SITE_F_IMM_NONZERO;
	return 0;
}

/* I8 and libbpf's call rules: a relocated call to a defined symbol is a
 * bpf-to-bpf call into .text that lands on the start of a subprogram. */
static int check_subprog_call(const struct rel_ctx *ctx, const struct ksr_insn *in)
{
	const struct ksr_object *obj = ctx->obj;
	const struct ksr_obj_sym *sym = &obj->syms[ctx->rel->sym];
	const struct ksr_obj_sec *text = &obj->secs[sym->shndx];
	const struct ksr_obj_prog *p;
	int64_t target;

	if (in->src != BPF_PSEUDO_CALL)
		return REL_ERR(ctx, "call at 0x%llx is relocated but src_reg is %u, not BPF_PSEUDO_CALL",
			       ull(ctx->rel->offset), in->src);
	if (strcmp(text->name, ".text") || sym->value % KSR_BPF_INSN_SZ)
		return REL_ERR(ctx, "call at 0x%llx against '%s' in section '%s' is not a .text subprogram",
			       ull(ctx->rel->offset), sym->name, text->name);
	target = (int64_t)sym->value + ((int64_t)in->imm + 1) * (int64_t)KSR_BPF_INSN_SZ;
	p = target >= 0 ? ksr_object__prog_at(obj, text->idx, (uint64_t)target) : NULL;
	if (!p || p->off != (uint64_t)target)
		return REL_ERR(ctx, "call at 0x%llx targets .text offset %lld, which starts no subprogram",
			       ull(ctx->rel->offset), (long long)target);
	return 0;
}

/* libbpf's section classes (bpf_object__elf_collect): name, or name
 * followed by '.' and anything. */
static bool sec_is(const struct ksr_obj_sec *s, const char *base)
{
	size_t n = strlen(base);

	return !strncmp(s->name, base, n) && (s->name[n] == '\0' || s->name[n] == '.');
}

/* libbpf's rules for an ld_imm64 relocated against a defined symbol
 * (bpf_program__record_reloc): the address of a .text subprogram, a map
 * in .maps or a variable in a data section (.data*, .rodata*, .bss*);
 * libbpf refuses any other target at open (in a program; it skips
 * relocations of code outside every program). */
static int check_data_ref(const struct rel_ctx *ctx, const struct ksr_insn *in)
{
	const struct ksr_object *obj = ctx->obj;
	const struct ksr_obj_sym *sym = &obj->syms[ctx->rel->sym];
	const struct ksr_obj_sec *s = &obj->secs[sym->shndx];
	unsigned bind = ELF64_ST_BIND(sym->info), type = ELF64_ST_TYPE(sym->info);
	bool exec = s->type == SHT_PROGBITS && (s->flags & SHF_EXECINSTR) && s->size;

	/* libbpf skips relocations of code outside every program */
	if (!ksr_object__prog_at(obj, ctx->ts->idx, ctx->rel->offset))
		return 0;
	/* libbpf's sym_is_subprog(): the section symbol or a global function
	 * (a local FUNC symbol is a "bad map relo" to libbpf 1.1) */
	if (exec && !strcmp(s->name, ".text") &&
	    ((bind == STB_GLOBAL && type == STT_FUNC) || (bind == STB_LOCAL && type == STT_SECTION))) {
		if (sym->value % KSR_BPF_INSN_SZ || in->imm % (int32_t)KSR_BPF_INSN_SZ)
			return REL_ERR(ctx, "ld_imm64 at 0x%llx: subprogram address '%s' at %llu%+d is not "
				       "an instruction boundary", ull(ctx->rel->offset), sym->name,
				       ull(sym->value), in->imm);
		return 0;
	}
	if (!strcmp(s->name, ".maps") ||
	    (!exec && s->type == SHT_PROGBITS && s->size && (sec_is(s, ".data") || sec_is(s, ".rodata"))) ||
	    (s->type == SHT_NOBITS && sec_is(s, ".bss")))
		return 0;
	return REL_ERR(ctx, "ld_imm64 at 0x%llx against '%s' in section '%s', which holds no "
		       ".text subprogram, map or data (libbpf refuses it)", ull(ctx->rel->offset),
		       sym->name, s->name);
}

/* E22, E23, I2, I4 and the extern-site checks for a relocation in code. */
static int check_code_rel(const struct rel_ctx *ctx)
{
	struct ksr_object *obj = ctx->obj;
	const struct ksr_obj_rel *rel = ctx->rel;
	const struct ksr_obj_sym *sym = &obj->syms[rel->sym];
	uint8_t *slots = obj->slots[ctx->ts->idx];
	struct ksr_pending_site ps;
	struct ksr_insn in;
	uint64_t slot;
	int err;

	if (rel->offset % KSR_BPF_INSN_SZ || rel->offset >= ctx->ts->size || !slots)
		return REL_ERR(ctx, "offset 0x%llx is not an instruction of '%s'", ull(rel->offset),
			       ctx->ts->name);
	slot = rel->offset / KSR_BPF_INSN_SZ;
	if (slots[slot] & KSR_SLOT_LD64_HI)
		return REL_ERR(ctx, "offset 0x%llx points into the second half of an ld_imm64",
			       ull(rel->offset));
	if (slots[slot] & KSR_SLOT_RELOC)
		return REL_ERR(ctx, "second relocation at offset 0x%llx", ull(rel->offset));
	slots[slot] |= KSR_SLOT_RELOC;
	if (!read_insn(ctx->ts, rel->offset, &in))
		return REL_ERR(ctx, "offset 0x%llx unreadable", ull(rel->offset));
	if (in.code != KSR_INSN_LD_IMM64 && in.code != KSR_INSN_CALL)
		return REL_ERR(ctx, "relocated instruction at 0x%llx has opcode 0x%02x, not ld_imm64 or call",
			       ull(rel->offset), in.code);
	if (sym->shndx != SHN_UNDEF && sym->shndx >= obj->sec_cnt)
		return REL_ERR(ctx, "symbol %u '%s' is in special section 0x%x", rel->sym, sym->name,
			       sym->shndx);
	if (sym->shndx != SHN_UNDEF)
		return in.code == KSR_INSN_CALL ? check_subprog_call(ctx, &in) : check_data_ref(ctx, &in);

	memset(&ps, 0, sizeof(ps));
	err = check_extern_insn(ctx, &in, &ps.flags);
	if (err)
		return err;
	ps.sym_idx = rel->sym;
	ps.sec_idx = ctx->ts->idx;
	ps.insn_off = rel->offset;
	ps.insn = in.code == KSR_INSN_CALL ? KSR_SITE_CALL : KSR_SITE_LD64;
	ps.rel_sec_idx = ctx->rs->idx;
	ps.rel_idx = (uint32_t)ctx->idx;
	return push_pending(obj, &ps);
}

/* ---- relocations in data and debug sections ------------------------------ */

struct span {
	uint64_t start, end;
	size_t idx;
};

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static uint64_t rel_width(uint32_t type)
{
	return type == R_BPF_64_64 || type == R_BPF_64_ABS64 ? 8 : 4;
}

/* E22/E23 for non-executable targets: every patched field inside the
 * section, no two fields overlapping. */
static int check_data_spans(const struct ksr_obj_sec *rs,
			    const struct ksr_obj_sec *ts, const struct ksr_obj_rel *rels, size_t n)
{
	struct span *sp;
	int err = 0;

	if (!n)
		return 0;
	sp = calloc(n, sizeof(*sp));
	if (!sp)
		return ksr_err(ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		uint64_t w = rel_width(rels[i].type);

		if (!ksr_range_ok(rels[i].offset, w, ts->size)) {
			err = ksr_err(KSR_EMALFORMED,
				      "%s: entry %zu: offset 0x%llx (+%llu) lies outside '%s' (file offset 0x%llx)",
				      rs->name, i, ull(rels[i].offset), ull(w), ts->name,
				      ull(rs->offset + i * REL_SZ));
			goto out;
		}
		sp[i] = (struct span){ rels[i].offset, rels[i].offset + w, i };
	}
	qsort(sp, n, sizeof(*sp), cmp_span);
	for (size_t i = 1; i < n; i++) {
		if (sp[i].start < sp[i - 1].end) {
			size_t j = sp[i].idx > sp[i - 1].idx ? sp[i].idx : sp[i - 1].idx;

			err = ksr_err(KSR_EMALFORMED,
				      "%s: entry %zu: relocation at 0x%llx overlaps another (file offset 0x%llx)",
				      rs->name, j, ull(rels[j].offset), ull(rs->offset + j * REL_SZ));
			goto out;
		}
	}
out:
	free(sp);
	return err;
}

/* ---- SHT_REL sections ---------------------------------------------------- */

/* E19: entry size, links, target and name. */
static int check_rel_hdr(const struct ksr_object *obj, const struct ksr_obj_sec *rs)
{
	const struct ksr_obj_sec *ts;

	if (rs->entsize != REL_SZ || rs->size % REL_SZ)
		return ksr_err(KSR_EMALFORMED,
			       "%s: sh_entsize %llu / sh_size 0x%llx are not an array of %zu-byte entries (file offset 0x%llx)",
			       rs->name, ull(rs->entsize), ull(rs->size), REL_SZ, ull(rs->offset));
	if (rs->link != obj->symtab_idx)
		return ksr_err(KSR_EMALFORMED, "%s: sh_link %u is not the symbol table (file offset 0x%llx)",
			       rs->name, rs->link, ull(rs->offset));
	if (rs->info == 0 || rs->info >= obj->sec_cnt || rs->info == rs->idx)
		return ksr_err(KSR_EMALFORMED, "%s: sh_info %u is not a target section (file offset 0x%llx)",
			       rs->name, rs->info, ull(rs->offset));
	ts = &obj->secs[rs->info];
	if (ts->type != SHT_PROGBITS)
		return ksr_err(KSR_EMALFORMED,
			       "%s: target '%s' has no bytes to relocate (type %u) (file offset 0x%llx)",
			       rs->name, ts->name, ts->type, ull(rs->offset));
	if (strncmp(rs->name, ".rel", 4) || strcmp(rs->name + 4, ts->name))
		return ksr_err(KSR_EMALFORMED, "%s: name does not match its target '%s' (file offset 0x%llx)",
			       rs->name, ts->name, ull(rs->offset));
	return 0;
}

static bool rel_type_ok(uint32_t t)
{
	return t == R_BPF_64_64 || t == R_BPF_64_ABS64 || t == R_BPF_64_ABS32 ||
	       t == R_BPF_64_NODYLD32 || t == R_BPF_64_32;
}

static int load_rel_sec(struct ksr_object *obj, const struct ksr_obj_sec *rs, size_t first)
{
	const struct ksr_obj_sec *ts = &obj->secs[rs->info];
	struct ksr_cur c = ksr_cur_make(rs->data, (size_t)rs->size);
	size_t n = (size_t)(rs->size / REL_SZ);
	struct ksr_obj_rel *rels = &obj->rels[first];
	int err;

	obj->rel_first[rs->idx] = first;
	obj->rel_cnt[rs->idx] = n;
	for (size_t i = 0; i < n; i++) {
		struct rel_ctx ctx = { obj, rs, ts, i, rs->offset + i * REL_SZ, &rels[i] };
		uint64_t r_offset, r_info;

		if (!ksr_cur_u64(&c, &r_offset) || !ksr_cur_u64(&c, &r_info))
			return REL_ERR(&ctx, "truncated");
		rels[i].offset = r_offset;
		rels[i].sym = (uint32_t)ELF64_R_SYM(r_info);
		rels[i].type = (uint32_t)ELF64_R_TYPE(r_info);
		if (rels[i].sym == 0 || rels[i].sym >= obj->sym_cnt)
			return REL_ERR(&ctx, "symbol index %u out of range", rels[i].sym);
		if (!rel_type_ok(rels[i].type))
			return REL_ERR(&ctx, "relocation type %u is not a BPF relocation type", rels[i].type);
		if (ts->flags & SHF_EXECINSTR) {
			err = check_code_rel(&ctx);
			if (err)
				return err;
		}
	}
	if (!(ts->flags & SHF_EXECINSTR))
		return check_data_spans(rs, ts, rels, n);
	return 0;
}

int ksr_obj_collect_relocs(struct ksr_object *obj)
{
	size_t total = 0, next = 0;
	int err;

	for (uint32_t i = 1; i < obj->sec_cnt; i++) {
		if (obj->secs[i].type != SHT_REL)
			continue;
		err = check_rel_hdr(obj, &obj->secs[i]);
		if (err)
			return err;
		total += (size_t)(obj->secs[i].size / REL_SZ);
	}
	obj->rel_first = calloc(obj->sec_cnt, sizeof(*obj->rel_first));
	obj->rel_cnt = calloc(obj->sec_cnt, sizeof(*obj->rel_cnt));
	obj->rels = total ? calloc(total, sizeof(*obj->rels)) : NULL;
	if (!obj->rel_first || !obj->rel_cnt || (total && !obj->rels))
		return ksr_err(ENOMEM, "out of memory");
	obj->rel_total = total;
	for (uint32_t i = 1; i < obj->sec_cnt; i++) {
		if (obj->secs[i].type != SHT_REL)
			continue;
		err = load_rel_sec(obj, &obj->secs[i], next);
		if (err)
			return err;
		next += obj->rel_cnt[i];
	}
	return 0;
}
