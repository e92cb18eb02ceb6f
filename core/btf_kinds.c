// SPDX-License-Identifier: BSD-2-Clause
/* The per-kind BTF rules, one row per kind in ksr_btf_kinds[], and the
 * resolve pass that uses them.
 *
 * The rules follow the kernel's BTF checker (kernel/bpf/btf.c) so that what
 * KERNEL mode accepts, BPF_BTF_LOAD accepts too; OBJECT mode differs only
 * where clang's output for .ksyms/.kconfig needs it (extern linkage, size-0
 * DATASECs, FUNCs in .ksyms, unnamed kfunc parameters). Where we are
 * stricter than the kernel it is said at the rule. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "btf_int.h"

#define OFF_NAME  0u
#define OFF_INFO  4u
#define OFF_TYPE  8u   /* also size */
#define OFF_EXTRA 12u

#define BITS_ROUNDUP_BYTES(bits) (((uint64_t)(bits) + 7) / 8)

static const struct btf_type *ty(const struct ksr_btf_vctx *c, uint32_t id)
{
	return ksr_btf_vctx_type(c, id);
}

static const char *kname(const struct btf_type *t)
{
	return ksr_btf_kinds[ksr_btf_kind(t)].name;
}

static const void *extra(const struct btf_type *t)
{
	return t + 1;
}

static uint32_t int_data(const struct btf_type *t)
{
	return *(const uint32_t *)extra(t);
}

/* u8/u16/u32/u64/u128 without bit offset: the only ints usable as array
 * index, array element or bitfield base. */
static bool int_regular(const struct btf_type *t)
{
	uint32_t d = int_data(t);
	uint32_t bits = BTF_INT_BITS(d);
	uint32_t bytes = bits / 8;

	return bits % 8 == 0 && BTF_INT_OFFSET(d) == 0 && bytes >= 1 && bytes <= 16 &&
	       (bytes & (bytes - 1)) == 0;
}

/* ---- common meta rules ---------------------------------------------------- */

static int need_vlen0(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	if (ksr_btf_vlen(t))
		return ksr_btf_type_err(c, id, OFF_INFO, "vlen %u, expected 0", ksr_btf_vlen(t));
	return 0;
}

static int need_kflag0(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	if (ksr_btf_kflag(t))
		return ksr_btf_type_err(c, id, OFF_INFO, "kind_flag set");
	return 0;
}

static int need_anon(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	if (t->name_off)
		return ksr_btf_type_err(c, id, OFF_NAME, "has a name (name_off 0x%x), expected none",
					t->name_off);
	return 0;
}

/* Which part of a record a message is about: "member 3: ", "return: " or
 * nothing. Formatted only when there is an error to report. */
struct field_label {
	const char *what;
	uint32_t idx;
	bool indexed;
};

#define NO_LABEL ((struct field_label){ NULL, 0, false })
#define LABEL(w) ((struct field_label){ (w), 0, false })
#define LABEL_NTH(w, i) ((struct field_label){ (w), (i), true })

static const char *label_str(struct field_label l, char *buf, size_t n)
{
	if (!l.what)
		return "";
	if (l.indexed)
		snprintf(buf, n, "%s %u: ", l.what, l.idx);
	else
		snprintf(buf, n, "%s: ", l.what);
	return buf;
}

static int bad_name(struct ksr_btf_vctx *c, uint32_t id, uint64_t field, struct field_label l,
		    uint32_t off)
{
	char buf[48], lb[32];

	if (!off)
		return ksr_btf_type_err(c, id, field, "%smissing name", label_str(l, lb, sizeof(lb)));
	return ksr_btf_type_err(c, id, field, "%sinvalid name '%s'", label_str(l, lb, sizeof(lb)),
			    ksr_btf_esc(ksr_btf_vctx_str(c, off), buf, sizeof(buf)));
}

/* A C identifier (dots allowed, as the kernel allows them). */
static int need_ident(struct ksr_btf_vctx *c, uint32_t id, uint64_t field, struct field_label l,
		      uint32_t off, bool optional)
{
	if (!off && optional)
		return 0;
	if (!off || !ksr_btf_name_ident(c, off))
		return bad_name(c, id, field, l, off);
	return 0;
}

/* Member, enumerator and parameter names are checked here; the type's own
 * name_off is checked for every record before its kind's rules run. */
static int need_name_off(struct ksr_btf_vctx *c, uint32_t id, uint64_t field, struct field_label l,
			 uint32_t off)
{
	char lb[32];

	if (!ksr_btf_name_off_ok(c->btf, off))
		return ksr_btf_type_err(c, id, field, "%sname_off 0x%x out of range",
				    label_str(l, lb, sizeof(lb)), off);
	return 0;
}

static int ref_range(struct ksr_btf_vctx *c, uint32_t id, uint64_t field, struct field_label l,
		     uint32_t ref)
{
	char lb[32];

	if (ref >= c->btf->type_cnt)
		return ksr_btf_type_err(c, id, field, "%stype id %u out of range (%u types)",
				    label_str(l, lb, sizeof(lb)), ref, c->btf->type_cnt);
	return 0;
}

/* ---- INT ------------------------------------------------------------------ */

static int int_meta(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	uint32_t d = int_data(t), bits, enc;
	int err;

	if ((err = need_vlen0(c, id, t)) || (err = need_kflag0(c, id, t)))
		return err;
	if (d & ~KSR_BTF_INT_MASK)
		return ksr_btf_type_err(c, id, OFF_EXTRA, "int_data 0x%08x has reserved bits set", d);
	bits = BTF_INT_BITS(d) + BTF_INT_OFFSET(d);
	if (bits > KSR_BTF_INT_MAX_BITS)
		return ksr_btf_type_err(c, id, OFF_EXTRA, "bits %u + bit offset %u exceed %u",
					BTF_INT_BITS(d), BTF_INT_OFFSET(d), KSR_BTF_INT_MAX_BITS);
	if (BITS_ROUNDUP_BYTES(bits) > t->size)
		return ksr_btf_type_err(c, id, OFF_TYPE, "%u bits do not fit in size %u", bits, t->size);
	enc = BTF_INT_ENCODING(d);
	if (enc && enc != BTF_INT_SIGNED && enc != BTF_INT_CHAR && enc != BTF_INT_BOOL)
		return ksr_btf_type_err(c, id, OFF_EXTRA, "unsupported encoding 0x%x", enc);
	return 0;
}

/* ---- PTR, modifiers, TYPEDEF, TYPE_TAG ------------------------------------ */

static int ref_meta(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	unsigned int k = ksr_btf_kind(t);
	int err;

	if ((err = need_vlen0(c, id, t)))
		return err;
	/* kind_flag on TYPE_TAG marks an attribute tag (kernels >= 6.14) */
	if (k != BTF_KIND_TYPE_TAG && (err = need_kflag0(c, id, t)))
		return err;
	if (k == BTF_KIND_TYPEDEF)
		return need_ident(c, id, OFF_NAME, NO_LABEL, t->name_off, false);
	if (k == BTF_KIND_TYPE_TAG) {
		if (!ksr_btf_name_nonempty(c, t->name_off))
			return ksr_btf_type_err(c, id, OFF_NAME, "empty tag");
		return 0;
	}
	return need_anon(c, id, t);
}

/* What t->type of a PTR, modifier or VAR may name. Referencing a FUNC is
 * stricter than the kernel, which lets a modifier reach a FUNC in some
 * resolve orders; no compiler emits that. */
static int ref_type_kind(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	const struct btf_type *n;
	int err;

	if ((err = ref_range(c, id, OFF_TYPE, NO_LABEL, t->type)))
		return err;
	n = ty(c, t->type);
	switch (ksr_btf_kind(n)) {
	case BTF_KIND_VAR:
	case BTF_KIND_DATASEC:
	case BTF_KIND_DECL_TAG:
	case BTF_KIND_FUNC:
		return ksr_btf_type_err(c, id, OFF_TYPE, "type id %u has kind %s", t->type, kname(n));
	default:
		return 0;
	}
}

/* ---- FWD ------------------------------------------------------------------ */

static int fwd_meta(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	int err;

	if ((err = need_vlen0(c, id, t)))
		return err;
	if (t->type)
		return ksr_btf_type_err(c, id, OFF_TYPE, "type %u, expected 0", t->type);
	return need_ident(c, id, OFF_NAME, NO_LABEL, t->name_off, false);
}

/* ---- ARRAY ---------------------------------------------------------------- */

static int array_meta(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	const struct btf_array *a = extra(t);
	int err;

	if ((err = need_anon(c, id, t)) || (err = need_vlen0(c, id, t)) ||
	    (err = need_kflag0(c, id, t)))
		return err;
	if (t->size)
		return ksr_btf_type_err(c, id, OFF_TYPE, "size %u, expected 0", t->size);
	if (!a->type)
		return ksr_btf_type_err(c, id, OFF_EXTRA, "element type void");
	if (!a->index_type)
		return ksr_btf_type_err(c, id, OFF_EXTRA + 4, "index type void");
	return 0;
}

static int array_refs(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	const struct btf_array *a = extra(t);
	int err;

	if ((err = ref_range(c, id, OFF_EXTRA, LABEL("element"), a->type)))
		return err;
	return ref_range(c, id, OFF_EXTRA + 4, LABEL("index"), a->index_type);
}

/* ---- STRUCT, UNION -------------------------------------------------------- */

static int aggr_meta(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	const struct btf_member *m = extra(t);
	bool is_union = ksr_btf_kind(t) == BTF_KIND_UNION;
	uint32_t last = 0, off;
	int err;

	if ((err = need_ident(c, id, OFF_NAME, NO_LABEL, t->name_off, true)))
		return err;
	for (uint32_t i = 0; i < ksr_btf_vlen(t); i++, m++) {
		uint64_t f = OFF_EXTRA + 12ull * i;

		if ((err = need_name_off(c, id, f, LABEL_NTH("member", i), m->name_off)) ||
		    (err = need_ident(c, id, f, LABEL_NTH("member", i), m->name_off, true)))
			return err;
		if (!m->type)
			return ksr_btf_type_err(c, id, f + 4, "member %u: type void", i);
		off = ksr_btf_member_bitoff(t, m);
		if (is_union && off)
			return ksr_btf_type_err(c, id, f + 8, "member %u: bit offset %u in a union", i, off);
		/* equal offsets are fine: a zero-size member (char a[0]) */
		if (off < last)
			return ksr_btf_type_err(c, id, f + 8, "member %u: bit offset %u below the previous %u",
						i, off, last);
		if (BITS_ROUNDUP_BYTES(off) > t->size)
			return ksr_btf_type_err(c, id, f + 8, "member %u: bit offset %u beyond size %u", i,
						off, t->size);
		last = off;
	}
	return 0;
}

static int aggr_refs(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	const struct btf_member *m = extra(t);
	int err;

	for (uint32_t i = 0; i < ksr_btf_vlen(t); i++, m++)
		if ((err = ref_range(c, id, OFF_EXTRA + 12ull * i + 4, LABEL_NTH("member", i), m->type)))
			return err;
	return 0;
}

/* ---- ENUM, ENUM64 --------------------------------------------------------- */

static int enum_meta(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	uint32_t esz = ksr_btf_kind(t) == BTF_KIND_ENUM ? sizeof(struct btf_enum)
							: sizeof(struct btf_enum64);
	const uint8_t *e = extra(t);
	int err;

	if (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8)
		return ksr_btf_type_err(c, id, OFF_TYPE, "size %u, expected 1, 2, 4 or 8", t->size);
	if ((err = need_ident(c, id, OFF_NAME, NO_LABEL, t->name_off, true)))
		return err;
	for (uint32_t i = 0; i < ksr_btf_vlen(t); i++, e += esz) {
		uint32_t name_off;

		memcpy(&name_off, e, sizeof(name_off));
		if ((err = need_name_off(c, id, OFF_EXTRA + (uint64_t)esz * i,
					 LABEL_NTH("enumerator", i), name_off)) ||
		    (err = need_ident(c, id, OFF_EXTRA + (uint64_t)esz * i, LABEL_NTH("enumerator", i),
				      name_off, false)))
			return err;
	}
	return 0;
}

/* ---- FUNC ----------------------------------------------------------------- */

static int func_meta(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	uint32_t max = c->mode == KSR_BTF_MODE_KERNEL ? BTF_FUNC_GLOBAL : BTF_FUNC_EXTERN;
	int err;

	if ((err = need_ident(c, id, OFF_NAME, NO_LABEL, t->name_off, false)))
		return err;
	if (ksr_btf_vlen(t) > max)
		return ksr_btf_type_err(c, id, OFF_INFO, "linkage %u not allowed (at most %u)",
					ksr_btf_vlen(t), max);
	return need_kflag0(c, id, t);
}

static int func_refs(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	int err;

	if ((err = ref_range(c, id, OFF_TYPE, NO_LABEL, t->type)))
		return err;
	if (ksr_btf_kind(ty(c, t->type)) != BTF_KIND_FUNC_PROTO)
		return ksr_btf_type_err(c, id, OFF_TYPE, "type id %u has kind %s, expected FUNC_PROTO",
					t->type, kname(ty(c, t->type)));
	return 0;
}

/* ---- FUNC_PROTO ----------------------------------------------------------- */

static int proto_meta(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	const struct btf_param *p = extra(t);
	uint32_t n = ksr_btf_vlen(t);
	int err;

	if ((err = need_anon(c, id, t)) || (err = need_kflag0(c, id, t)))
		return err;
	for (uint32_t i = 0; i < n; i++, p++) {
		uint64_t f = OFF_EXTRA + 8ull * i;

		if ((err = need_name_off(c, id, f, LABEL_NTH("param", i), p->name_off)) ||
		    (err = need_ident(c, id, f, LABEL_NTH("param", i), p->name_off, true)))
			return err;
		/* void only as the last parameter, where it means "..." */
		if (!p->type && i + 1 < n)
			return ksr_btf_type_err(c, id, f + 4, "param %u: void before the last parameter", i);
		if (!p->type && p->name_off)
			return ksr_btf_type_err(c, id, f, "param %u: named vararg", i);
	}
	return 0;
}

static int not_source(struct ksr_btf_vctx *c, uint32_t id, uint64_t field, struct field_label l,
		      uint32_t ref)
{
	const struct btf_type *n = ty(c, ref);
	char lb[32];

	if (ksr_btf_is(n, KF_SRC_ONLY))
		return ksr_btf_type_err(c, id, field, "%stype id %u has kind %s", label_str(l, lb, sizeof(lb)),
					ref, kname(n));
	return 0;
}

static int proto_refs(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	const struct btf_param *p = extra(t);
	int err;

	if ((err = ref_range(c, id, OFF_TYPE, LABEL("return"), t->type)) ||
	    (err = not_source(c, id, OFF_TYPE, LABEL("return"), t->type)))
		return err;
	for (uint32_t i = 0; i < ksr_btf_vlen(t); i++, p++) {
		uint64_t f = OFF_EXTRA + 8ull * i + 4;

		if ((err = ref_range(c, id, f, LABEL_NTH("param", i), p->type)) ||
		    (err = not_source(c, id, f, LABEL_NTH("param", i), p->type)))
			return err;
	}
	return 0;
}

/* ---- VAR ------------------------------------------------------------------ */

static int var_meta(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	const struct btf_var *v = extra(t);
	uint32_t max = c->mode == KSR_BTF_MODE_KERNEL ? BTF_VAR_GLOBAL_ALLOCATED
						      : BTF_VAR_GLOBAL_EXTERN;
	int err;

	if ((err = need_vlen0(c, id, t)) || (err = need_kflag0(c, id, t)) ||
	    (err = need_ident(c, id, OFF_NAME, NO_LABEL, t->name_off, false)))
		return err;
	if (!t->type)
		return ksr_btf_type_err(c, id, OFF_TYPE, "type void");
	if (v->linkage > max)
		return ksr_btf_type_err(c, id, OFF_EXTRA, "linkage %u not allowed (at most %u)",
					v->linkage, max);
	return 0;
}

/* ---- DATASEC -------------------------------------------------------------- */

/* clang leaves section sizes and offsets to .rel.BTF relocations: every
 * DATASEC it emits has size 0 and all offsets 0 (checked with clang 14). */
static int datasec_meta_object0(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	const struct btf_var_secinfo *e = extra(t);

	for (uint32_t i = 0; i < ksr_btf_vlen(t); i++, e++) {
		uint64_t f = OFF_EXTRA + 12ull * i;

		if (!e->type)
			return ksr_btf_type_err(c, id, f, "entry %u: type void", i);
		if (e->offset)
			return ksr_btf_type_err(c, id, f + 4, "entry %u: offset %u in a size-0 DATASEC", i,
						e->offset);
	}
	return 0;
}

static int datasec_meta(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	const struct btf_var_secinfo *e = extra(t);
	uint64_t end = 0, sum = 0;
	int err;

	if ((err = need_kflag0(c, id, t)))
		return err;
	if (!ksr_btf_name_section(c, t->name_off))
		return bad_name(c, id, OFF_NAME, NO_LABEL, t->name_off);
	if (!t->size && c->mode == KSR_BTF_MODE_OBJECT)
		return datasec_meta_object0(c, id, t);
	if (!t->size)
		return ksr_btf_type_err(c, id, OFF_TYPE, "size 0");
	for (uint32_t i = 0; i < ksr_btf_vlen(t); i++, e++) {
		uint64_t f = OFF_EXTRA + 12ull * i;

		if (!e->type)
			return ksr_btf_type_err(c, id, f, "entry %u: type void", i);
		if (e->offset < end || e->offset >= t->size)
			return ksr_btf_type_err(c, id, f + 4, "entry %u: offset %u overlaps or is beyond size %u",
						i, e->offset, t->size);
		if (!e->size || e->size > t->size)
			return ksr_btf_type_err(c, id, f + 8, "entry %u: size %u invalid", i, e->size);
		end = (uint64_t)e->offset + e->size;
		if (end > t->size)
			return ksr_btf_type_err(c, id, f + 8, "entry %u: ends at %llu beyond size %u", i,
						(unsigned long long)end, t->size);
		sum += e->size;
	}
	if (sum > t->size)
		return ksr_btf_type_err(c, id, OFF_TYPE, "entries total %llu bytes, size is %u",
					(unsigned long long)sum, t->size);
	return 0;
}

static bool is_ksyms(const struct ksr_btf_vctx *c, const struct btf_type *t)
{
	return strcmp(ksr_btf_vctx_str(c, t->name_off), ".ksyms") == 0;
}

static int datasec_refs(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	const struct btf_var_secinfo *e = extra(t);
	bool funcs_ok = c->mode == KSR_BTF_MODE_OBJECT && is_ksyms(c, t);
	int err;

	for (uint32_t i = 0; i < ksr_btf_vlen(t); i++, e++) {
		uint64_t f = OFF_EXTRA + 12ull * i;
		unsigned int k;

		if ((err = ref_range(c, id, f, LABEL_NTH("entry", i), e->type)))
			return err;
		k = ksr_btf_kind(ty(c, e->type));
		if (k == BTF_KIND_VAR || (k == BTF_KIND_FUNC && funcs_ok))
			continue;
		return ksr_btf_type_err(c, id, f, "entry %u: type id %u has kind %s, expected VAR%s", i,
					e->type, kname(ty(c, e->type)),
					c->mode == KSR_BTF_MODE_OBJECT ? " (FUNC only in .ksyms)" : "");
	}
	return 0;
}

/* ---- FLOAT ---------------------------------------------------------------- */

static int float_meta(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	int err;

	if ((err = need_vlen0(c, id, t)) || (err = need_kflag0(c, id, t)))
		return err;
	switch (t->size) {
	case 2: case 4: case 8: case 12: case 16:
		return 0;
	default:
		return ksr_btf_type_err(c, id, OFF_TYPE, "size %u, expected 2, 4, 8, 12 or 16", t->size);
	}
}

/* ---- DECL_TAG ------------------------------------------------------------- */

static int decl_tag_meta(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	const struct btf_decl_tag *d = extra(t);
	int err;

	/* kind_flag marks an attribute tag (kernels >= 6.14) */
	if (!ksr_btf_name_nonempty(c, t->name_off))
		return ksr_btf_type_err(c, id, OFF_NAME, "empty tag value");
	if ((err = need_vlen0(c, id, t)))
		return err;
	if (d->component_idx < -1)
		return ksr_btf_type_err(c, id, OFF_EXTRA, "component_idx %d below -1", d->component_idx);
	return 0;
}

static int decl_tag_refs(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	int err;

	if ((err = ref_range(c, id, OFF_TYPE, LABEL("target"), t->type)))
		return err;
	if (!ksr_btf_is(ty(c, t->type), KF_TAG_TGT))
		return ksr_btf_type_err(c, id, OFF_TYPE, "target type id %u has kind %s", t->type,
					kname(ty(c, t->type)));
	return 0;
}

/* ---- resolve machinery ------------------------------------------------------
 *
 * A depth-first walk with an explicit stack of at most KSR_BTF_MAX_DEPTH
 * vertices, like the kernel's. The "mode" chosen by the first PTR or
 * aggregate/array on the stack decides which types end the walk (sinks):
 * behind a PTR every non-pointer, non-modifier type is a sink, so cycles
 * through pointers to structs are legal; inside an aggregate or array every
 * PTR is a sink but nested aggregates, arrays and modifiers must resolve
 * first (their sizes are needed). A push onto a type already on the stack is
 * a loop. Every type is resolved once and its resolved id and size are
 * memoized, so the pass is O(types + members). */

static bool resolved(const struct ksr_btf_vctx *c, uint32_t id)
{
	return c->state[id] == RS_RESOLVED;
}

static bool sink(const struct ksr_btf_vctx *c, const struct btf_type *t)
{
	unsigned int k = ksr_btf_kind(t);

	switch (c->rmode) {
	case RM_TBD:
		return !ksr_btf_is(t, KF_RESOLVE);
	case RM_PTR:
		return !ksr_btf_is(t, KF_MODIFIER) && k != BTF_KIND_PTR;
	default:
		return !ksr_btf_is(t, KF_MODIFIER) && k != BTF_KIND_ARRAY && !ksr_btf_is(t, KF_AGGR);
	}
}

static int push(struct ksr_btf_vctx *c, uint32_t id)
{
	const struct btf_type *t = ty(c, id);

	if (c->top == KSR_BTF_MAX_DEPTH) {
		c->loop_id = id;
		return -E2BIG;
	}
	if (c->state[id] != RS_NOT_VISITED) {
		c->loop_id = id;
		return -EEXIST;
	}
	c->state[id] = RS_VISITING;
	c->stack[c->top].id = id;
	c->stack[c->top].next = 0;
	c->top++;
	if (c->rmode == RM_TBD) {
		if (ksr_btf_kind(t) == BTF_KIND_PTR)
			c->rmode = RM_PTR;
		else if (ksr_btf_is(t, KF_AGGR) || ksr_btf_kind(t) == BTF_KIND_ARRAY)
			c->rmode = RM_AGGR;
	}
	return 0;
}

static void pop(struct ksr_btf_vctx *c, uint32_t rid, uint32_t rsize)
{
	uint32_t id = c->stack[--c->top].id;

	c->res_id[id] = rid;
	c->res_size[id] = rsize;
	c->state[id] = RS_RESOLVED;
}

static const struct btf_type *sized(const struct ksr_btf_vctx *c, uint32_t id, uint32_t *size)
{
	const struct btf_type *t = ty(c, id);

	if (!t || ksr_btf_is(t, KF_NOSIZE))
		return NULL;
	if (ksr_btf_is(t, KF_HAS_SIZE))
		*size = t->size;
	else if (ksr_btf_kind(t) == BTF_KIND_ARRAY)
		*size = c->res_size[id];
	else if (ksr_btf_kind(t) == BTF_KIND_PTR)
		*size = KSR_BTF_PTR_SIZE;
	else
		return NULL;
	return t;
}

/* The sized type behind *id (through a resolved modifier or VAR), updating
 * *id; NULL when there is none. */
static const struct btf_type *id_size(const struct ksr_btf_vctx *c, uint32_t *id, uint32_t *size)
{
	const struct btf_type *t = ty(c, *id), *r;
	uint32_t sz = 0, rid;

	if (!t || ksr_btf_is(t, KF_NOSIZE))
		return NULL;
	if ((r = sized(c, *id, &sz)) == NULL) {
		if (!ksr_btf_is(t, KF_MODIFIER) && ksr_btf_kind(t) != BTF_KIND_VAR)
			return NULL;
		rid = c->res_id[*id];
		if ((r = sized(c, rid, &sz)) == NULL)
			return NULL;
		*id = rid;
	}
	if (size)
		*size = sz;
	return r;
}

static const struct btf_type *id_resolve(const struct ksr_btf_vctx *c, uint32_t *id)
{
	*id = c->res_id[*id];
	return ty(c, *id);
}

static bool sizeless_ok(const struct btf_type *n)
{
	unsigned int k = ksr_btf_kind(n);

	return k == BTF_KIND_UNKN || k == BTF_KIND_FWD || k == BTF_KIND_FUNC_PROTO;
}

/* "const void", "typedef void f(void)", "struct fwd *" are fine behind a
 * modifier or pointer: the sizeless target is resolved as is. */
static int finish_ref(struct ksr_btf_vctx *c, struct ksr_btf_rvert *v, uint32_t nid)
{
	const struct btf_type *n = ty(c, nid);

	if (!id_size(c, &nid, NULL)) {
		if (resolved(c, nid))
			n = id_resolve(c, &nid);
		if (!n || !sizeless_ok(n))
			return ksr_btf_type_err(c, v->id, OFF_TYPE, "type id %u (%s) has no size",
						ty(c, v->id)->type, n ? kname(n) : "?");
	}
	pop(c, nid, 0);
	return 0;
}

static int res_modifier(struct ksr_btf_vctx *c, struct ksr_btf_rvert *v)
{
	uint32_t nid = ty(c, v->id)->type;
	const struct btf_type *n = ty(c, nid);

	if (!sink(c, n) && !resolved(c, nid))
		return push(c, nid);
	return finish_ref(c, v, nid);
}

/* A modifier resolved earlier while a PTR was a sink may stop at an
 * unresolved PTR; continue through it so pointer-only loops are found. */
static int through_ptr(struct ksr_btf_vctx *c, const struct btf_type *n, uint32_t nid)
{
	const struct btf_type *r;

	if (!ksr_btf_is(n, KF_MODIFIER))
		return 0;
	r = id_resolve(c, &nid);
	if (r && ksr_btf_kind(r) == BTF_KIND_PTR && !sink(c, r) && !resolved(c, nid))
		return push(c, nid) ?: 1;
	return 0;
}

static int res_ptr(struct ksr_btf_vctx *c, struct ksr_btf_rvert *v)
{
	uint32_t nid = ty(c, v->id)->type;
	const struct btf_type *n = ty(c, nid);
	int err;

	if (!sink(c, n) && !resolved(c, nid))
		return push(c, nid);
	if ((err = through_ptr(c, n, nid)))
		return err < 0 ? err : 0;
	return finish_ref(c, v, nid);
}

static int res_var(struct ksr_btf_vctx *c, struct ksr_btf_rvert *v)
{
	const struct btf_type *t = ty(c, v->id);
	const struct btf_var *var = extra(t);
	uint32_t nid = t->type;
	const struct btf_type *n = ty(c, nid);
	int err;

	if (!sink(c, n) && !resolved(c, nid))
		return push(c, nid);
	if ((err = through_ptr(c, n, nid)))
		return err < 0 ? err : 0;
	if (id_size(c, &nid, NULL)) {
		pop(c, nid, 0);
		return 0;
	}
	if (resolved(c, nid))
		n = id_resolve(c, &nid);
	/* object mode: `extern const void sym __ksym` (typeless), or an
	 * extern of an incomplete struct */
	if (c->mode == KSR_BTF_MODE_OBJECT && var->linkage == BTF_VAR_GLOBAL_EXTERN && n &&
	    (ksr_btf_kind(n) == BTF_KIND_UNKN || ksr_btf_kind(n) == BTF_KIND_FWD)) {
		pop(c, nid, 0);
		return 0;
	}
	return ksr_btf_type_err(c, v->id, OFF_TYPE, "type id %u (%s) has no size", t->type,
				n ? kname(n) : "?");
}

static int check_member(struct ksr_btf_vctx *c, uint32_t sid, uint32_t i, uint32_t mid)
{
	const struct btf_type *s = ty(c, sid), *mt = ty(c, mid);
	const struct ksr_btf_kind *k = &ksr_btf_kinds[ksr_btf_kind(mt)];
	ksr_btf_member_fn fn = ksr_btf_kflag(s) ? k->kmember : k->member;

	if (!fn)
		return ksr_btf_type_err(c, sid, OFF_EXTRA + 12ull * i + 4,
					"member %u: type id %u (%s) cannot be a member", i, mid, k->name);
	return fn(c, sid, i, mid, mt);
}

static int res_aggr(struct ksr_btf_vctx *c, struct ksr_btf_rvert *v)
{
	const struct btf_type *t = ty(c, v->id);
	const struct btf_member *m = extra(t);
	int err;

	if (v->next && (err = check_member(c, v->id, v->next - 1, m[v->next - 1].type)))
		return err;
	for (uint32_t i = v->next; i < ksr_btf_vlen(t); i++) {
		uint32_t mid = m[i].type;
		const struct btf_type *mt = ty(c, mid);

		if (ksr_btf_is(mt, KF_NOSIZE) || ksr_btf_is(mt, KF_SRC_ONLY))
			return ksr_btf_type_err(c, v->id, OFF_EXTRA + 12ull * i + 4,
						"member %u: type id %u (%s) has no size", i, mid,
						kname(mt));
		if (!sink(c, mt) && !resolved(c, mid)) {
			v->next = i + 1;
			return push(c, mid);
		}
		if ((err = check_member(c, v->id, i, mid)))
			return err;
	}
	pop(c, 0, 0);
	return 0;
}

static int res_array(struct ksr_btf_vctx *c, struct ksr_btf_rvert *v)
{
	const struct btf_array *a = extra(ty(c, v->id));
	uint32_t iid = a->index_type, eid = a->type, esize = 0;
	const struct btf_type *it = ty(c, iid), *et = ty(c, eid);

	if (ksr_btf_is(it, KF_NOSIZE) || ksr_btf_is(it, KF_SRC_ONLY))
		return ksr_btf_type_err(c, v->id, OFF_EXTRA + 4, "index type id %u has kind %s", iid,
					kname(it));
	if (!sink(c, it) && !resolved(c, iid))
		return push(c, iid);
	it = id_size(c, &iid, NULL);
	if (!it || ksr_btf_kind(it) != BTF_KIND_INT || !int_regular(it))
		return ksr_btf_type_err(c, v->id, OFF_EXTRA + 4, "index type id %u is not a regular INT",
					a->index_type);
	if (ksr_btf_is(et, KF_NOSIZE) || ksr_btf_is(et, KF_SRC_ONLY))
		return ksr_btf_type_err(c, v->id, OFF_EXTRA, "element type id %u (%s) has no size", eid,
					kname(et));
	if (!sink(c, et) && !resolved(c, eid))
		return push(c, eid);
	et = id_size(c, &eid, &esize);
	if (!et)
		return ksr_btf_type_err(c, v->id, OFF_EXTRA, "element type id %u has no size", a->type);
	if (ksr_btf_kind(et) == BTF_KIND_INT && !int_regular(et))
		return ksr_btf_type_err(c, v->id, OFF_EXTRA, "element type id %u is a bitfield INT",
					a->type);
	if ((uint64_t)esize * a->nelems > UINT32_MAX)
		return ksr_btf_type_err(c, v->id, OFF_EXTRA + 8, "%u x %u bytes overflow 32 bits",
					a->nelems, esize);
	pop(c, eid, esize * a->nelems);
	return 0;
}

static int res_func(struct ksr_btf_vctx *c, struct ksr_btf_rvert *v)
{
	const struct btf_type *t = ty(c, v->id), *p = ty(c, t->type);
	const struct btf_param *prm = extra(p);

	/* the kernel wants named parameters for functions; clang leaves the
	 * parameters of extern (kfunc) declarations unnamed */
	if (c->mode == KSR_BTF_MODE_KERNEL)
		for (uint32_t i = 0; i < ksr_btf_vlen(p); i++)
			if (prm[i].type && !prm[i].name_off)
				return ksr_btf_type_err(c, v->id, OFF_TYPE,
							"param %u of FUNC_PROTO %u has no name", i, t->type);
	pop(c, t->type, 0);
	return 0;
}

static int res_decl_tag(struct ksr_btf_vctx *c, struct ksr_btf_rvert *v)
{
	const struct btf_type *t = ty(c, v->id);
	int32_t idx = ((const struct btf_decl_tag *)extra(t))->component_idx;
	uint32_t nid = t->type, vlen;
	const struct btf_type *n = ty(c, nid);

	if (!sink(c, n) && !resolved(c, nid))
		return push(c, nid);
	if (idx != -1) {
		if (!ksr_btf_is(n, KF_AGGR) && ksr_btf_kind(n) != BTF_KIND_FUNC)
			return ksr_btf_type_err(c, v->id, OFF_EXTRA, "component_idx %d on a %s", idx,
						kname(n));
		vlen = ksr_btf_vlen(ksr_btf_is(n, KF_AGGR) ? n : ty(c, n->type));
		if ((uint32_t)idx >= vlen)
			return ksr_btf_type_err(c, v->id, OFF_EXTRA,
						"component_idx %d out of range (%u components)", idx, vlen);
	}
	pop(c, nid, 0);
	return 0;
}

static int res_datasec(struct ksr_btf_vctx *c, struct ksr_btf_rvert *v)
{
	const struct btf_type *t = ty(c, v->id);
	const struct btf_var_secinfo *e = extra(t);

	c->rmode = RM_TBD;
	for (uint32_t i = v->next; i < ksr_btf_vlen(t); i++) {
		uint32_t vid = e[i].type, tid, tsize = 0;
		const struct btf_type *var = ty(c, vid);

		if (ksr_btf_kind(var) == BTF_KIND_FUNC)
			continue; /* object-mode .ksyms only, see datasec_refs() */
		if (!sink(c, var) && !resolved(c, vid)) {
			v->next = i + 1;
			return push(c, vid);
		}
		tid = var->type;
		if (!id_size(c, &tid, &tsize)) {
			if (c->mode == KSR_BTF_MODE_OBJECT &&
			    ((const struct btf_var *)extra(var))->linkage == BTF_VAR_GLOBAL_EXTERN)
				continue;
			return ksr_btf_type_err(c, v->id, OFF_EXTRA + 12ull * i,
						"entry %u: VAR %u has no size", i, vid);
		}
		if (e[i].size < tsize)
			return ksr_btf_type_err(c, v->id, OFF_EXTRA + 12ull * i + 8,
						"entry %u: size %u below the %u bytes of VAR %u", i,
						e[i].size, tsize, vid);
	}
	pop(c, 0, 0);
	return 0;
}

/* ---- member checks (the member's type decides) ----------------------------- */

static const struct btf_member *member(const struct ksr_btf_vctx *c, uint32_t sid, uint32_t i)
{
	return (const struct btf_member *)extra(ty(c, sid)) + i;
}

static int mem_err_end(struct ksr_btf_vctx *c, uint32_t sid, uint32_t i, uint64_t end)
{
	return ksr_btf_type_err(c, sid, OFF_EXTRA + 12ull * i + 8,
				"member %u: ends at byte %llu, beyond size %u", i,
				(unsigned long long)end, ty(c, sid)->size);
}

static int mem_bytes(struct ksr_btf_vctx *c, uint32_t sid, uint32_t i, uint64_t bytes)
{
	uint32_t bitoff = member(c, sid, i)->offset;
	uint64_t end = bitoff / 8 + bytes;

	if (bitoff % 8)
		return ksr_btf_type_err(c, sid, OFF_EXTRA + 12ull * i + 8,
					"member %u: bit offset %u not byte aligned", i, bitoff);
	if (end > ty(c, sid)->size)
		return mem_err_end(c, sid, i, end);
	return 0;
}

static int mem_copy_bits(struct ksr_btf_vctx *c, uint32_t sid, uint32_t i, uint32_t bitoff,
			 uint32_t nbits)
{
	uint32_t copy = nbits + bitoff % 8;
	uint64_t end = bitoff / 8 + BITS_ROUNDUP_BYTES(copy);

	if (copy > KSR_BTF_INT_MAX_BITS)
		return ksr_btf_type_err(c, sid, OFF_EXTRA + 12ull * i + 8,
					"member %u: %u bits to copy exceed %u", i, copy,
					KSR_BTF_INT_MAX_BITS);
	if (end > ty(c, sid)->size)
		return mem_err_end(c, sid, i, end);
	return 0;
}

static int int_member(struct ksr_btf_vctx *c, uint32_t sid, uint32_t i, uint32_t mid,
		      const struct btf_type *mt)
{
	uint32_t d = int_data(mt), off = member(c, sid, i)->offset;

	if (UINT32_MAX - off < BTF_INT_OFFSET(d))
		return ksr_btf_type_err(c, sid, OFF_EXTRA + 12ull * i + 8,
					"member %u: bit offset overflows", i);
	return mem_copy_bits(c, sid, i, off + BTF_INT_OFFSET(d), BTF_INT_BITS(d));
}

static int int_kmember(struct ksr_btf_vctx *c, uint32_t sid, uint32_t i, uint32_t mid,
		       const struct btf_type *mt)
{
	uint32_t off = member(c, sid, i)->offset, ibits = BTF_INT_BITS(int_data(mt));
	uint32_t nbits = BTF_MEMBER_BITFIELD_SIZE(off), bitoff = BTF_MEMBER_BIT_OFFSET(off);
	uint64_t f = OFF_EXTRA + 12ull * i + 8;

	if (!int_regular(mt))
		return ksr_btf_type_err(c, sid, f - 4, "member %u: base type %u is not a regular INT", i,
					mid);
	if (!nbits && bitoff % 8)
		return ksr_btf_type_err(c, sid, f, "member %u: bit offset %u not byte aligned", i,
					bitoff);
	if (nbits > ibits)
		return ksr_btf_type_err(c, sid, f, "member %u: bitfield of %u bits in a %u-bit INT", i,
					nbits, ibits);
	return mem_copy_bits(c, sid, i, bitoff, nbits ? nbits : ibits);
}

static int mod_member_any(struct ksr_btf_vctx *c, uint32_t sid, uint32_t i, uint32_t mid,
			  bool kflag)
{
	uint32_t rid = mid;
	const struct btf_type *rt = id_size(c, &rid, NULL);
	const struct ksr_btf_kind *k;
	ksr_btf_member_fn fn;

	if (!rt)
		return ksr_btf_type_err(c, sid, OFF_EXTRA + 12ull * i + 4,
					"member %u: type id %u has no size", i, mid);
	k = &ksr_btf_kinds[ksr_btf_kind(rt)];
	fn = kflag ? k->kmember : k->member;
	if (!fn)
		return ksr_btf_type_err(c, sid, OFF_EXTRA + 12ull * i + 4,
					"member %u: type id %u (%s) cannot be a member", i, rid, k->name);
	return fn(c, sid, i, rid, rt);
}

static int mod_member(struct ksr_btf_vctx *c, uint32_t sid, uint32_t i, uint32_t mid,
		      const struct btf_type *mt)
{
	return mod_member_any(c, sid, i, mid, false);
}

static int mod_kmember(struct ksr_btf_vctx *c, uint32_t sid, uint32_t i, uint32_t mid,
		       const struct btf_type *mt)
{
	return mod_member_any(c, sid, i, mid, true);
}

static int ptr_member(struct ksr_btf_vctx *c, uint32_t sid, uint32_t i, uint32_t mid,
		      const struct btf_type *mt)
{
	return mem_bytes(c, sid, i, KSR_BTF_PTR_SIZE);
}

static int array_member(struct ksr_btf_vctx *c, uint32_t sid, uint32_t i, uint32_t mid,
			const struct btf_type *mt)
{
	return mem_bytes(c, sid, i, c->res_size[mid]);
}

static int sized_member(struct ksr_btf_vctx *c, uint32_t sid, uint32_t i, uint32_t mid,
			const struct btf_type *mt)
{
	return mem_bytes(c, sid, i, mt->size);
}

static int enum_kmember(struct ksr_btf_vctx *c, uint32_t sid, uint32_t i, uint32_t mid,
			const struct btf_type *mt)
{
	uint32_t off = member(c, sid, i)->offset;
	uint32_t nbits = BTF_MEMBER_BITFIELD_SIZE(off), bitoff = BTF_MEMBER_BIT_OFFSET(off);
	uint64_t f = OFF_EXTRA + 12ull * i + 8, end;

	/* the kernel measures enum bitfields against int, for ENUM64 too */
	if (!nbits && bitoff % 8)
		return ksr_btf_type_err(c, sid, f, "member %u: bit offset %u not byte aligned", i,
					bitoff);
	if (nbits > 32)
		return ksr_btf_type_err(c, sid, f, "member %u: enum bitfield of %u bits", i, nbits);
	end = BITS_ROUNDUP_BYTES((uint64_t)bitoff + (nbits ? nbits : 32));
	if (end > ty(c, sid)->size)
		return mem_err_end(c, sid, i, end);
	return 0;
}

static int float_member(struct ksr_btf_vctx *c, uint32_t sid, uint32_t i, uint32_t mid,
			const struct btf_type *mt)
{
	uint32_t off = member(c, sid, i)->offset;
	uint64_t align = (mt->size < KSR_BTF_PTR_SIZE ? mt->size : KSR_BTF_PTR_SIZE) * 8ull;
	uint64_t end = off / 8 + (uint64_t)mt->size;

	if (off % align)
		return ksr_btf_type_err(c, sid, OFF_EXTRA + 12ull * i + 8,
					"member %u: bit offset %u not aligned for a %u-byte FLOAT", i, off,
					mt->size);
	if (end > ty(c, sid)->size)
		return mem_err_end(c, sid, i, end);
	return 0;
}

/* Members of aggregates with kind_flag that cannot be bitfields. */
static int nobits_kmember(struct ksr_btf_vctx *c, uint32_t sid, uint32_t i, uint32_t mid,
			  const struct btf_type *mt)
{
	uint32_t off = member(c, sid, i)->offset;

	if (BTF_MEMBER_BITFIELD_SIZE(off))
		return ksr_btf_type_err(c, sid, OFF_EXTRA + 12ull * i + 8,
					"member %u: bitfield of a %s", i, kname(mt));
	return ksr_btf_kinds[ksr_btf_kind(mt)].member(c, sid, i, mid, mt);
}

/* ---- the table ------------------------------------------------------------ */

#define MOD_ROW(nm) { nm, 0, 0, KF_MODIFIER | KF_RESOLVE, ref_meta, ref_type_kind, \
		      res_modifier, mod_member, mod_kmember }

const struct ksr_btf_kind ksr_btf_kinds[NR_BTF_KINDS] = {
	[BTF_KIND_UNKN]       = { "void", 0, 0, KF_NOSIZE, NULL, NULL, NULL, NULL, NULL },
	[BTF_KIND_INT]        = { "INT", 4, 0, KF_HAS_SIZE, int_meta, NULL, NULL,
				  int_member, int_kmember },
	[BTF_KIND_PTR]        = { "PTR", 0, 0, KF_RESOLVE, ref_meta, ref_type_kind, res_ptr,
				  ptr_member, nobits_kmember },
	[BTF_KIND_ARRAY]      = { "ARRAY", sizeof(struct btf_array), 0, KF_RESOLVE, array_meta,
				  array_refs, res_array, array_member, nobits_kmember },
	[BTF_KIND_STRUCT]     = { "STRUCT", 0, sizeof(struct btf_member),
				  KF_HAS_SIZE | KF_RESOLVE | KF_TAG_TGT | KF_AGGR, aggr_meta,
				  aggr_refs, res_aggr, sized_member, nobits_kmember },
	[BTF_KIND_UNION]      = { "UNION", 0, sizeof(struct btf_member),
				  KF_HAS_SIZE | KF_RESOLVE | KF_TAG_TGT | KF_AGGR, aggr_meta,
				  aggr_refs, res_aggr, sized_member, nobits_kmember },
	[BTF_KIND_ENUM]       = { "ENUM", 0, sizeof(struct btf_enum), KF_HAS_SIZE, enum_meta,
				  NULL, NULL, sized_member, enum_kmember },
	[BTF_KIND_FWD]        = { "FWD", 0, 0, KF_NOSIZE, fwd_meta, NULL, NULL, NULL, NULL },
	[BTF_KIND_TYPEDEF]    = { "TYPEDEF", 0, 0, KF_MODIFIER | KF_RESOLVE | KF_TAG_TGT,
				  ref_meta, ref_type_kind, res_modifier, mod_member, mod_kmember },
	[BTF_KIND_VOLATILE]   = MOD_ROW("VOLATILE"),
	[BTF_KIND_CONST]      = MOD_ROW("CONST"),
	[BTF_KIND_RESTRICT]   = MOD_ROW("RESTRICT"),
	[BTF_KIND_FUNC]       = { "FUNC", 0, 0, KF_NOSIZE | KF_RESOLVE | KF_TAG_TGT, func_meta,
				  func_refs, res_func, NULL, NULL },
	[BTF_KIND_FUNC_PROTO] = { "FUNC_PROTO", 0, sizeof(struct btf_param), KF_NOSIZE,
				  proto_meta, proto_refs, NULL, NULL, NULL },
	[BTF_KIND_VAR]        = { "VAR", sizeof(struct btf_var), 0,
				  KF_RESOLVE | KF_SRC_ONLY | KF_TAG_TGT, var_meta, ref_type_kind,
				  res_var, NULL, NULL },
	[BTF_KIND_DATASEC]    = { "DATASEC", 0, sizeof(struct btf_var_secinfo),
				  KF_HAS_SIZE | KF_RESOLVE | KF_SRC_ONLY, datasec_meta,
				  datasec_refs, res_datasec, NULL, NULL },
	[BTF_KIND_FLOAT]      = { "FLOAT", 0, 0, KF_HAS_SIZE, float_meta, NULL, NULL,
				  float_member, nobits_kmember },
	[BTF_KIND_DECL_TAG]   = { "DECL_TAG", sizeof(struct btf_decl_tag), 0,
				  KF_RESOLVE | KF_SRC_ONLY, decl_tag_meta, decl_tag_refs,
				  res_decl_tag, NULL, NULL },
	[BTF_KIND_TYPE_TAG]   = MOD_ROW("TYPE_TAG"),
	[BTF_KIND_ENUM64]     = { "ENUM64", 0, sizeof(struct btf_enum64), KF_HAS_SIZE, enum_meta,
				  NULL, NULL, sized_member, enum_kmember },
};

/* ---- the passes that use the machinery ------------------------------------ */

static int resolve(struct ksr_btf_vctx *c, uint32_t root)
{
	int err;

	c->rmode = RM_TBD;
	c->top = 0;
	err = push(c, root);
	while (!err && c->top) {
		struct ksr_btf_rvert *v = &c->stack[c->top - 1];

		err = ksr_btf_kinds[ksr_btf_kind(ty(c, v->id))].resolve(c, v);
	}
	if (err == -E2BIG)
		return ksr_btf_type_err(c, root, OFF_TYPE,
					"more than %u nested types to resolve (at type %u)",
					KSR_BTF_MAX_DEPTH, c->loop_id);
	if (err == -EEXIST)
		return ksr_btf_type_err(c, root, OFF_TYPE, "reference loop through type %u",
					c->loop_id);
	return err;
}

static int need_sized(struct ksr_btf_vctx *c, uint32_t id, uint64_t field, struct field_label l,
		      uint32_t ref)
{
	char lb[32];
	int err;

	if (ksr_btf_is(ty(c, ref), KF_RESOLVE) && !resolved(c, ref) && (err = resolve(c, ref)))
		return err;
	if (!id_size(c, &ref, NULL))
		return ksr_btf_type_err(c, id, field, "%stype id %u has no size",
				    label_str(l, lb, sizeof(lb)), ref);
	return 0;
}

/* Return and parameter types must have a size; a trailing void is "...". */
static int proto_check(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t)
{
	const struct btf_param *p = extra(t);
	uint32_t n = ksr_btf_vlen(t);
	int err;

	if (t->type && (err = need_sized(c, id, OFF_TYPE, LABEL("return"), t->type)))
		return err;
	if (n && !p[n - 1].type)
		n--;
	for (uint32_t i = 0; i < n; i++)
		if ((err = need_sized(c, id, OFF_EXTRA + 8ull * i + 4, LABEL_NTH("param", i), p[i].type)))
			return err;
	return 0;
}

int ksr_btf_resolve_all(struct ksr_btf_vctx *c)
{
	int err;

	for (uint32_t id = ksr_btf_first_id(c->btf); id < c->btf->type_cnt; id++) {
		const struct btf_type *t = ty(c, id);

		if (ksr_btf_is(t, KF_RESOLVE) && !resolved(c, id) && (err = resolve(c, id)))
			return err;
		if (ksr_btf_kind(t) == BTF_KIND_FUNC_PROTO && (err = proto_check(c, id, t)))
			return err;
	}
	return 0;
}

static bool is_tag(const struct btf_type *t)
{
	return ksr_btf_kind(t) == BTF_KIND_TYPE_TAG;
}

/* Length of the modifier chain starting at id, memoized in state (0 =
 * unknown, saturating). The kernel only bounds chains that point to higher
 * ids; we bound all of them, which is what makes skip_mods() total. */
static int chain_len(struct ksr_btf_vctx *c, uint32_t id)
{
	uint32_t n = 0, cur = id, base = 0, total;

	while (ksr_btf_is(ty(c, cur), KF_MODIFIER) && !c->state[cur] &&
	       n <= KSR_BTF_MAX_DEPTH) {
		cur = ty(c, cur)->type;
		n++;
	}
	if (ksr_btf_is(ty(c, cur), KF_MODIFIER))
		base = c->state[cur];
	total = n + base;
	if (total > KSR_BTF_MAX_DEPTH)
		return ksr_btf_type_err(c, id, OFF_TYPE, "more than %u modifiers in a row",
					KSR_BTF_MAX_DEPTH);
	for (cur = id; n; n--, total--) {
		c->state[cur] = (uint8_t)total;
		cur = ty(c, cur)->type;
	}
	return 0;
}

int ksr_btf_check_chains(struct ksr_btf_vctx *c)
{
	int err;

	memset(c->state, 0, c->btf->type_cnt);
	for (uint32_t id = ksr_btf_first_id(c->btf); id < c->btf->type_cnt; id++) {
		const struct btf_type *t = ty(c, id);

		if (!ksr_btf_is(t, KF_MODIFIER))
			continue;
		/* type tags first: no TYPE_TAG right after another modifier */
		if (!is_tag(t) && is_tag(ty(c, t->type)))
			return ksr_btf_type_err(c, id, OFF_TYPE, "type tag %u follows a modifier", t->type);
		if (!c->state[id] && (err = chain_len(c, id)))
			return err;
	}
	return 0;
}

static bool is_extern(const struct btf_type *t)
{
	if (ksr_btf_kind(t) == BTF_KIND_FUNC)
		return ksr_btf_vlen(t) == BTF_FUNC_EXTERN;
	if (ksr_btf_kind(t) == BTF_KIND_VAR)
		return ((const struct btf_var *)(t + 1))->linkage == BTF_VAR_GLOBAL_EXTERN;
	return false;
}

int ksr_btf_check_membership(struct ksr_btf_vctx *c)
{
	memset(c->state, 0, c->btf->type_cnt);
	for (uint32_t id = 1; id < c->btf->type_cnt; id++) {
		const struct btf_type *t = ty(c, id);
		const struct btf_var_secinfo *e = extra(t);

		if (ksr_btf_kind(t) != BTF_KIND_DATASEC)
			continue;
		for (uint32_t i = 0; i < ksr_btf_vlen(t); i++) {
			/* only externs are ambiguous; libbpf's own rewrite lists
			 * its dummy_ksym VAR once per kfunc */
			if (!is_extern(ty(c, e[i].type)))
				continue;
			if (c->state[e[i].type])
				return ksr_btf_type_err(c, id, OFF_EXTRA + 12ull * i,
							"entry %u: type %u is listed in a DATASEC twice", i,
							e[i].type);
			c->state[e[i].type] = 1;
		}
	}
	return 0;
}
