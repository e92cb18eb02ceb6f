/* SPDX-License-Identifier: BSD-2-Clause */
/* BTF internals shared by btf.c (container, passes, accessors, index) and
 * btf_kinds.c (the per-kind rule table). Not part of any contract. */
#ifndef KSR_BTF_INT_H
#define KSR_BTF_INT_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "btf.h"
#include "error.h"
#include "source.h"

#define KSR_BTF_HDR_LEN       24u          /* struct btf_header as we know it */
#define KSR_BTF_TYPE_LEN      12u          /* struct btf_type */
#define KSR_BTF_PTR_SIZE      8u           /* 64-bit kernels only */
#define KSR_BTF_MAX_NAME_OFF  0xffffffu    /* kernel BTF_MAX_NAME_OFFSET */
#define KSR_BTF_NAME_MAX      512u         /* kernel KSYM_NAME_LEN: names are shorter */
#define KSR_BTF_INFO_MASK     0x9f00ffffu  /* kind (5 bits), kflag, vlen */
#define KSR_BTF_INT_MASK      0x0fffffffu  /* encoding, offset, bits */
#define KSR_BTF_INT_MAX_BITS  128u
#define KSR_BTF_MAX_BLOB      0xffffffffull /* the header's offsets are 32-bit */
#define KSR_BTF_COMPAT_BUDGET 65536u       /* type pairs one types_compat() may visit */

/* Per-kind traits (struct ksr_btf_kind.flags). */
enum {
	KF_HAS_SIZE  = 1u << 0, /* t->size is the size: INT STRUCT UNION ENUM DATASEC FLOAT ENUM64 */
	KF_MODIFIER  = 1u << 1, /* size only through t->type: TYPEDEF CONST VOLATILE RESTRICT TYPE_TAG */
	KF_RESOLVE   = 1u << 2, /* refers to other types, so the resolve pass visits it */
	KF_SRC_ONLY  = 1u << 3, /* may never be referenced as a type: VAR DECL_TAG DATASEC */
	KF_NOSIZE    = 1u << 4, /* has no size of its own: void FWD FUNC FUNC_PROTO */
	KF_TAG_TGT   = 1u << 5, /* DECL_TAG target: FUNC STRUCT UNION VAR TYPEDEF */
	KF_AGGR      = 1u << 6, /* STRUCT UNION */
};

/* Resolve-pass visit states and modes (the kernel checker's model). */
enum { RS_NOT_VISITED = 0, RS_VISITING = 1, RS_RESOLVED = 2 };
enum { RM_TBD = 0, RM_PTR = 1, RM_AGGR = 2 };

/* A parsed BTF is in memory and trusted once validated: its accessors use
 * the pointers. An indexed view's parts are untrusted and may live in a
 * file: its accessors read through the spans and re-check everything; the
 * pointers are set only when the part is in memory (else NULL). */
struct ksr_btf {
	struct ksr_span blob;        /* the raw BTF: owned copy (parse) or borrowed (indexed) */
	const uint8_t *raw;
	size_t raw_size;
	uint8_t *owned_raw;
	struct ksr_span types_sp;    /* type section, 4-aligned */
	const uint8_t *types;
	uint32_t types_len;
	uint64_t types_abs;          /* offset of the type section in raw */
	struct ksr_span strs_sp;     /* string section, first and last byte NUL */
	const char *strs;
	uint32_t strs_len;
	uint32_t type_cnt;           /* including void */
	struct ksr_span offs_sp;     /* indexed */
	const uint32_t *offs;        /* offs[id]: offset of type id in the type section */
	uint32_t *owned_offs;
	struct ksr_span slots_sp;    /* indexed */
	const struct ksr_btf_name_slot *slots;
	struct ksr_btf_name_slot *owned_slots;
	uint32_t slot_cnt;
	bool kfunc_tags;             /* parsed: a FUNC (component -1) is tagged "bpf_kfunc" */
	/* Split BTF (a module's, on top of vmlinux): ids below start_id and
	 * string offsets below start_str are base's; offs[] and the index
	 * cover this BTF's own types only. All 0 / NULL otherwise. */
	const struct ksr_btf *base;
	uint32_t start_id;
	uint32_t start_str;
	bool indexed;
	enum ksr_btf_mode mode;
	/* home slot + 1 of the first lookup that found no empty slot within
	 * KSR_HASH_PROBE_MAX (the index is malformed); 0 = none. Written
	 * through const views. */
	_Atomic uint64_t *bad;
	_Atomic uint64_t bad_own;
};

struct ksr_btf_rvert {
	uint32_t id;
	uint32_t next;               /* next member / entry to look at */
};

/* State of one validation run. Valid after the type walk: btf->offs and
 * btf->type_cnt describe records that lie fully inside the type section. */
struct ksr_btf_vctx {
	struct ksr_btf *btf;
	enum ksr_btf_mode mode;
	uint8_t *state;              /* per id: RS_* during resolve, scratch afterwards */
	uint32_t *ident_memo;        /* ksr_btf_name_ident() answers; NULL: none */
	unsigned int ident_bits;     /* log2 of its entries */
	uint32_t *res_id;            /* per id: type reached through modifiers/VAR/PTR */
	uint32_t *res_size;          /* per id: ARRAY byte size */
	struct ksr_btf_rvert stack[KSR_BTF_MAX_DEPTH];
	uint32_t top;
	int rmode;
	uint32_t loop_id;            /* id a failed push ran into */
};

typedef int (*ksr_btf_meta_fn)(struct ksr_btf_vctx *c, uint32_t id, const struct btf_type *t);
typedef int (*ksr_btf_resolve_fn)(struct ksr_btf_vctx *c, struct ksr_btf_rvert *v);
/* Checks member idx of aggregate sid whose member type, after modifiers, is
 * mid / mt. */
typedef int (*ksr_btf_member_fn)(struct ksr_btf_vctx *c, uint32_t sid, uint32_t idx,
				 uint32_t mid, const struct btf_type *mt);

/* One row per kind: the only place where kinds differ. */
struct ksr_btf_kind {
	const char *name;
	uint8_t fixed;               /* bytes that follow struct btf_type */
	uint8_t elem;                /* bytes per vlen entry; 0: vlen is not a count */
	uint16_t flags;              /* KF_* */
	ksr_btf_meta_fn check_meta;  /* the record on its own */
	ksr_btf_meta_fn check_refs;  /* referenced ids in range, referenced kinds allowed */
	ksr_btf_resolve_fn resolve;  /* NULL: nothing to resolve */
	ksr_btf_member_fn member;    /* as the type of a member of a plain aggregate */
	ksr_btf_member_fn kmember;   /* ... of an aggregate with kind_flag (bitfields) */
};

extern const struct ksr_btf_kind ksr_btf_kinds[NR_BTF_KINDS];

static inline unsigned int ksr_btf_kind(const struct btf_type *t)
{
	return BTF_INFO_KIND(t->info);
}

static inline unsigned int ksr_btf_vlen(const struct btf_type *t)
{
	return BTF_INFO_VLEN(t->info);
}

static inline bool ksr_btf_kflag(const struct btf_type *t)
{
	return BTF_INFO_KFLAG(t->info) != 0;
}

static inline bool ksr_btf_is(const struct btf_type *t, uint16_t flag)
{
	return (ksr_btf_kinds[ksr_btf_kind(t)].flags & flag) != 0;
}

/* Size of a record of a known kind (1..NR_BTF_KINDS-1), 64-bit. */
static inline uint64_t ksr_btf_rec_len(unsigned int kind, unsigned int vlen)
{
	const struct ksr_btf_kind *k = &ksr_btf_kinds[kind];

	return KSR_BTF_TYPE_LEN + k->fixed + (uint64_t)(k->elem ? vlen : 0) * k->elem;
}

/* Member bit offset / bitfield size, honouring the aggregate's kind_flag. */
static inline uint32_t ksr_btf_member_bitoff(const struct btf_type *s, const struct btf_member *m)
{
	return ksr_btf_kflag(s) ? BTF_MEMBER_BIT_OFFSET(m->offset) : m->offset;
}

/* ---- validation context helpers (btf.c) ----------------------------------- */

extern const struct btf_type ksr_btf_void_type;

/* The record of id (id 0: a static void record), or NULL when out of range.
 * Only valid inside a validation run. Inline: the passes call it ~10^6
 * times over a vmlinux BTF. */
static inline const struct btf_type *ksr_btf_vctx_type(const struct ksr_btf_vctx *c, uint32_t id)
{
	const struct ksr_btf *b = c->btf;

	if (!id)
		return &ksr_btf_void_type;
	if (id >= b->type_cnt)
		return NULL;
	if (id < b->start_id) /* split BTF: a base type, validated before */
		return ksr_btf__type_by_id(b->base, id);
	return (const struct btf_type *)(b->types + b->offs[id - b->start_id]);
}

/* The string at off (validated: ksr_btf_name_off_ok()). */
static inline const char *ksr_btf_vctx_str(const struct ksr_btf_vctx *c, uint32_t off)
{
	const struct ksr_btf *b = c->btf;

	if (off < b->start_str)
		return ksr_btf__str(b->base, off);
	return b->strs + (off - b->start_str);
}

/* A name offset inside this BTF's strings or, for split BTF, base's. */
static inline bool ksr_btf_name_off_ok(const struct ksr_btf *b, uint32_t off)
{
	return (uint64_t)off < (uint64_t)b->start_str + b->strs_len;
}

/* The first id that is this BTF's own (1, or start_id for split BTF). */
static inline uint32_t ksr_btf_first_id(const struct ksr_btf *b)
{
	return b->start_id ? b->start_id : 1;
}
/* Error for type id: "type <id> <KIND>: <msg> (offset 0x<abs>)", where abs is
 * the offset in the blob of byte field_off of the record. */
int ksr_btf_type_err(const struct ksr_btf_vctx *c, uint32_t id, uint64_t field_off,
		     const char *fmt, ...) KSR_PRINTF(4, 5);

#define KSR_BTF_IDENT_MEMO_BITS 14u  /* at most 16 Ki answers, 64 KiB: stays in L2 */
#define KSR_BTF_IDENT_MEMO_MIN 6u    /* 64 answers for the smallest BTFs */
bool ksr_btf_name_ident(struct ksr_btf_vctx *c, uint32_t off);
bool ksr_btf_name_section(const struct ksr_btf_vctx *c, uint32_t off);
bool ksr_btf_name_nonempty(const struct ksr_btf_vctx *c, uint32_t off);
/* s made safe to print: at most len-1 bytes, non-printables as \xNN. */
const char *ksr_btf_esc(const char *s, char *buf, size_t len);

/* ---- resolve machinery (btf_kinds.c) ------------------------------------- */

/* Resolves every type (the kernel checker's DFS, see btf_kinds.c) and checks
 * every FUNC_PROTO. Needs state/res_id/res_size zeroed. */
int ksr_btf_resolve_all(struct ksr_btf_vctx *c);
/* Modifier chains (at most KSR_BTF_MAX_DEPTH, type tags first). Runs after
 * resolve; uses state as scratch. */
int ksr_btf_check_chains(struct ksr_btf_vctx *c);
/* Object mode: no VAR or FUNC listed twice in DATASECs. Uses state as scratch. */
int ksr_btf_check_membership(struct ksr_btf_vctx *c);

#endif
