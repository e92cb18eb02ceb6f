// SPDX-License-Identifier: BSD-2-Clause
/* BTF container: the validation passes in order (copy, header, sections,
 * strings, type walk, per-kind rules, references, resolve, chains; the
 * classes B1-B40 of docs/bad-inputs.md), the name index, and the accessors, which
 * stay memory-safe on views over untrusted prebuilt tables. The per-kind
 * rules live in btf_kinds.c. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf_int.h"
#include "cursor.h"
#include "buf.h"
#include "error.h"
#include "hash.h"

const struct btf_type ksr_btf_void_type;

/* ---- helpers for the validation passes ------------------------------------- */

int ksr_btf_type_err(const struct ksr_btf_vctx *c, uint32_t id, uint64_t field_off,
		     const char *fmt, ...)
{
	const struct ksr_btf *b = c->btf;
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (id < b->start_id) /* split BTF: a base type, reached from ours */
		return ksr_err(KSR_EMALFORMED, "type %u %s (in the base BTF): %s", id,
			       ksr_btf_kinds[ksr_btf_kind(ksr_btf_vctx_type(c, id))].name, msg);
	return ksr_err(KSR_EMALFORMED, "type %u %s: %s (offset 0x%llx)", id,
		       ksr_btf_kinds[ksr_btf_kind(ksr_btf_vctx_type(c, id))].name, msg,
		       (unsigned long long)(b->types_abs + b->offs[id - b->start_id] + field_off));
}

const char *ksr_btf_esc(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; *s && o + 5 < len; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '\'')
			buf[o++] = (char)ch;
		else
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", ch);
	}
	if (*s && o + 4 <= len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

enum { ID_FIRST = 1, ID_NEXT = 2 };

static const uint8_t ident_class[256] = {
	['a' ... 'z'] = ID_FIRST | ID_NEXT,
	['A' ... 'Z'] = ID_FIRST | ID_NEXT,
	['_'] = ID_FIRST | ID_NEXT,
	['.'] = ID_FIRST | ID_NEXT,
	['0' ... '9'] = ID_NEXT,
};

/* Kernel rules: an identifier starts with a letter, '_' or '.', continues
 * with those or digits, and is shorter than KSYM_NAME_LEN. ASCII only (the
 * kernel's ctype also takes Latin-1 letters; no toolchain emits those). */
static bool name_ident(const unsigned char *s)
{
	size_t n;

	if (!(ident_class[s[0]] & ID_FIRST))
		return false;
	for (n = 1; s[n]; n++)
		if (n >= KSR_BTF_NAME_MAX - 1 || !(ident_class[s[n]] & ID_NEXT))
			return false;
	return true;
}

/* Deduplicated BTF names each have one offset, and a few (member names such
 * as "next" or "flags") are checked tens of thousands of times: the answers
 * for recent offsets sit in a small direct-mapped table, so a repeat costs
 * no walk over the string (~1.5 ms of a vmlinux validation). */
bool ksr_btf_name_ident(struct ksr_btf_vctx *c, uint32_t off)
{
	uint32_t *m, key;
	bool ok;

	if (!c->ident_memo)
		return name_ident((const unsigned char *)ksr_btf_vctx_str(c, off));
	m = &c->ident_memo[(off * 2654435761u) >> (32 - c->ident_bits)];
	key = (off + 1) << 1; /* off < 2 * 16 MiB (base + split): no overflow; 0 = empty */
	if ((*m & ~1u) == key)
		return *m & 1;
	ok = name_ident((const unsigned char *)ksr_btf_vctx_str(c, off));
	*m = key | ok;
	return ok;
}

/* DATASEC names: any printable ASCII, non-empty, shorter than KSYM_NAME_LEN. */
bool ksr_btf_name_section(const struct ksr_btf_vctx *c, uint32_t off)
{
	const char *s = ksr_btf_vctx_str(c, off);
	size_t n;

	if (!off || !s[0])
		return false;
	for (n = 0; s[n]; n++)
		if (n >= KSR_BTF_NAME_MAX - 1 || s[n] < 0x20 || s[n] > 0x7e)
			return false;
	return true;
}

bool ksr_btf_name_nonempty(const struct ksr_btf_vctx *c, uint32_t off)
{
	return ksr_btf_vctx_str(c, off)[0] != '\0';
}

/* ---- header, section table, strings ---------------------------------------- */

#define HDR_MAGIC_SWAPPED 0x9febu

static int check_header(const struct ksr_span *raw, struct btf_header *h)
{
	const uint8_t *head = ksr_span_get(raw, 0, sizeof(*h)), *tail;

	if (!head)
		return ksr_err(KSR_EMALFORMED,
			       "header: %llu bytes, shorter than the %u-byte header (offset 0x0)",
			       (unsigned long long)raw->len, KSR_BTF_HDR_LEN);
	memcpy(h, head, sizeof(*h));
	if (h->magic == HDR_MAGIC_SWAPPED)
		return ksr_err(KSR_EMALFORMED,
			       "header: byte-swapped magic 0x%04x: opposite-endian BTF is not supported (offset 0x0)",
			       h->magic);
	if (h->magic != BTF_MAGIC)
		return ksr_err(KSR_EMALFORMED, "header: bad magic 0x%04x (offset 0x0)", h->magic);
	if (h->version != BTF_VERSION)
		return ksr_err(KSR_EMALFORMED,
			       "header: unsupported version %u (offset 0x2)", h->version);
	if (h->flags)
		return ksr_err(KSR_EMALFORMED,
			       "header: unsupported flags 0x%x (offset 0x3)", h->flags);
	if (h->hdr_len < KSR_BTF_HDR_LEN || h->hdr_len > raw->len)
		return ksr_err(KSR_EMALFORMED, "header: hdr_len %u outside [%u, %llu] (offset 0x4)",
			       h->hdr_len, KSR_BTF_HDR_LEN, (unsigned long long)raw->len);
	/* keeps the type section 4-aligned in our copy (stricter than the kernel) */
	if (h->hdr_len % 4)
		return ksr_err(KSR_EMALFORMED,
			       "header: hdr_len %u not a multiple of 4 (offset 0x4)",
			       h->hdr_len);
	tail = ksr_span_get(raw, KSR_BTF_HDR_LEN, h->hdr_len - KSR_BTF_HDR_LEN);
	if (!tail)
		return ksr_err(KSR_EMALFORMED, "header: truncated (offset 0x4)");
	for (uint32_t i = 0; i < h->hdr_len - KSR_BTF_HDR_LEN; i++)
		if (tail[i])
			return ksr_err(KSR_EMALFORMED,
				       "header: non-zero byte in the unknown header tail (offset 0x%x)",
				       KSR_BTF_HDR_LEN + i);
	return 0;
}

/* All sections inside the data, no overlap; strict (the kernel's layout):
 * types at 0, strings right after them and up to the end. */
static int check_sections(const struct btf_header *h, uint64_t data_len, bool strict)
{
	uint64_t tend = (uint64_t)h->type_off + h->type_len;
	uint64_t send = (uint64_t)h->str_off + h->str_len;

	if (h->type_off % 4)
		return ksr_err(KSR_EMALFORMED, "sections: type_off 0x%x not 4-aligned (offset 0x8)",
			       h->type_off);
	if (!ksr_range_ok(h->type_off, h->type_len, data_len))
		return ksr_err(KSR_EMALFORMED,
			       "sections: type section 0x%x+0x%x runs past the 0x%llx data bytes (offset 0xc)",
			       h->type_off, h->type_len, (unsigned long long)data_len);
	if (!ksr_range_ok(h->str_off, h->str_len, data_len))
		return ksr_err(KSR_EMALFORMED,
			       "sections: string section 0x%x+0x%x runs past the 0x%llx data bytes (offset 0x14)",
			       h->str_off, h->str_len, (unsigned long long)data_len);
	if (h->type_len && h->str_len && h->type_off < send && h->str_off < tend)
		return ksr_err(KSR_EMALFORMED,
			       "sections: type and string sections overlap (offset 0x8)");
	if (!strict)
		return 0;
	if (h->str_off < tend)
		return ksr_err(KSR_EMALFORMED,
			       "sections: string section is not last (offset 0x10)");
	if (h->type_off)
		return ksr_err(KSR_EMALFORMED,
			       "sections: gap of %u bytes before the type section (offset 0x8)",
			       h->type_off);
	if (h->str_off > tend)
		return ksr_err(KSR_EMALFORMED,
			       "sections: gap of %llu bytes between the type and string sections (offset 0x10)",
			       (unsigned long long)(h->str_off - tend));
	if (send != data_len)
		return ksr_err(KSR_EMALFORMED,
			       "sections: %llu bytes after the string section (offset 0x14)",
			       (unsigned long long)(data_len - send));
	return 0;
}

static int check_strings(const struct ksr_btf *b, uint64_t str_abs)
{
	const char *first, *last;

	/* split BTF (kernel btf_parse_str_sec()): may have no strings of its
	 * own, and its first string need not be the empty one */
	if (!b->strs_len && b->base)
		return 0;
	if (!b->strs_len)
		return ksr_err(KSR_EMALFORMED, "strings: empty string section (offset 0x14)");
	if (b->strs_len - 1 > KSR_BTF_MAX_NAME_OFF)
		return ksr_err(KSR_EMALFORMED,
			       "strings: %u bytes, more than the %u allowed (offset 0x14)",
			       b->strs_len, KSR_BTF_MAX_NAME_OFF + 1);
	first = ksr_span_get(&b->strs_sp, 0, 1);
	last = ksr_span_get(&b->strs_sp, b->strs_len - 1, 1);
	if (!first || !last)
		return ksr_err(KSR_EMALFORMED, "strings: cannot be read (offset 0x%llx)",
			       (unsigned long long)str_abs);
	if (*first && !b->base)
		return ksr_err(KSR_EMALFORMED,
			       "strings: first byte 0x%02x is not NUL (split BTF is not supported) (offset 0x%llx)",
			       (unsigned char)*first, (unsigned long long)str_abs);
	if (*last)
		return ksr_err(KSR_EMALFORMED, "strings: last byte is not NUL (offset 0x%llx)",
			       (unsigned long long)(str_abs + b->strs_len - 1));
	return 0;
}

/* Header, section table and string section of b->blob; sets the section
 * spans (and pointers, when in memory). Shared by parse (mode rules) and
 * the indexed views (strict). */
static int check_layout(struct ksr_btf *b, bool strict)
{
	struct btf_header h;
	uint64_t data_len;
	int err;

	if ((err = check_header(&b->blob, &h)))
		return err;
	data_len = b->raw_size - h.hdr_len;
	if ((err = check_sections(&h, data_len, strict)))
		return err;
	if (!h.type_len && !b->base) /* a module may add no type */
		return ksr_err(KSR_EMALFORMED, "types: empty type section (offset 0xc)");
	b->types_abs = (uint64_t)h.hdr_len + h.type_off;
	if (!ksr_span_sub(&b->blob, b->types_abs, h.type_len, &b->types_sp))
		return ksr_err(KSR_EMALFORMED, "sections: type section out of bounds (offset 0x8)");
	b->types = b->types_sp.mem;
	b->types_len = h.type_len;
	if (!ksr_span_sub(&b->blob, (uint64_t)h.hdr_len + h.str_off, h.str_len, &b->strs_sp))
		return ksr_err(KSR_EMALFORMED,
			       "sections: string section out of bounds (offset 0x10)");
	b->strs = (const char *)b->strs_sp.mem;
	b->strs_len = h.str_len;
	return check_strings(b, (uint64_t)h.hdr_len + h.str_off);
}

/* ---- type walk ------------------------------------------------------------- */

/* Steps over every record, checking that it is fully inside the section and
 * of a known kind. Fills offs (room for one record per 12 bytes, plus void)
 * and counts the types (with void) into *cnt. */
static int walk_types(const struct ksr_btf *b, uint32_t *offs, uint32_t *cnt)
{
	struct ksr_cur cur = ksr_cur_make(b->types, b->types_len);
	uint32_t n = 1, first = ksr_btf_first_id(b);

	if (b->base) /* split BTF: offs[0] is our first type, id start_id */
		n = 0;
	while (ksr_cur_left(&cur)) {
		uint64_t at = b->types_abs + cur.pos;
		uint32_t pos = (uint32_t)cur.pos;
		struct btf_type t;
		unsigned int k;
		uint64_t len;

		if ((uint64_t)b->start_id + n >= KSR_BTF_MAX_TYPES)
			return ksr_err(KSR_EMALFORMED, "types: more than %u types (offset 0x%llx)",
				       KSR_BTF_MAX_TYPES - 1, (unsigned long long)at);
		if (!ksr_cur_copy(&cur, &t, sizeof(t)))
			return ksr_err(KSR_EMALFORMED,
				       "type %u: record truncated: %zu bytes left, 12 needed (offset 0x%llx)",
				       first + n - !b->base, ksr_cur_left(&cur), (unsigned long long)at);
		if (t.info & ~KSR_BTF_INFO_MASK)
			return ksr_err(KSR_EMALFORMED,
				       "type %u: info 0x%08x has reserved bits set (offset 0x%llx)",
				       first + n - !b->base, t.info, (unsigned long long)(at + 4));
		k = BTF_INFO_KIND(t.info);
		if (k == BTF_KIND_UNKN || k >= NR_BTF_KINDS)
			return ksr_err(KSR_EMALFORMED,
				       "type %u: unknown kind %u (offset 0x%llx)", first + n - !b->base, k,
				       (unsigned long long)(at + 4));
		len = ksr_btf_rec_len(k, BTF_INFO_VLEN(t.info));
		if (!ksr_cur_skip(&cur, len - KSR_BTF_TYPE_LEN))
			return ksr_err(KSR_EMALFORMED,
				       "type %u %s: record truncated: %llu bytes needed, %zu left (offset 0x%llx)",
				       first + n - !b->base, ksr_btf_kinds[k].name, (unsigned long long)len,
				       ksr_cur_left(&cur) + KSR_BTF_TYPE_LEN, (unsigned long long)at);
		offs[n++] = pos;
	}
	*cnt = n;
	return 0;
}

/* One walk: offs is sized for the most records the section can hold; the
 * pages past the last record are never touched. */
static int load_types(struct ksr_btf *b)
{
	size_t room = (size_t)b->types_len / KSR_BTF_TYPE_LEN + 1;
	uint32_t cnt = 0, *shrunk;
	int err;

	if (room > KSR_BTF_MAX_TYPES)
		room = KSR_BTF_MAX_TYPES;
	b->owned_offs = malloc(room * sizeof(*b->owned_offs));
	if (!b->owned_offs)
		return ksr_err(ENOMEM, "btf: out of memory for %zu type offsets", room);
	b->owned_offs[0] = 0;
	if ((err = walk_types(b, b->owned_offs, &cnt)))
		return err;
	shrunk = realloc(b->owned_offs, (size_t)(cnt ? cnt : 1) * sizeof(*shrunk));
	if (shrunk)
		b->owned_offs = shrunk;
	b->offs = b->owned_offs;
	b->type_cnt = b->start_id + cnt;
	return 0;
}

/* ---- per-type passes ------------------------------------------------------- */

static int check_metas(struct ksr_btf_vctx *c)
{
	int err;

	for (uint32_t id = ksr_btf_first_id(c->btf); id < c->btf->type_cnt; id++) {
		const struct btf_type *t = ksr_btf_vctx_type(c, id);

		if (!ksr_btf_name_off_ok(c->btf, t->name_off))
			return ksr_btf_type_err(c, id, 0, "name_off 0x%x out of range", t->name_off);
		if ((err = ksr_btf_kinds[ksr_btf_kind(t)].check_meta(c, id, t)))
			return err;
	}
	return 0;
}

static int check_refs(struct ksr_btf_vctx *c)
{
	int err;

	for (uint32_t id = ksr_btf_first_id(c->btf); id < c->btf->type_cnt; id++) {
		const struct btf_type *t = ksr_btf_vctx_type(c, id);
		ksr_btf_meta_fn fn = ksr_btf_kinds[ksr_btf_kind(t)].check_refs;

		if (fn && (err = fn(c, id, t)))
			return err;
	}
	return 0;
}

static int validate(struct ksr_btf *b)
{
	struct ksr_btf_vctx c = { .btf = b, .mode = b->mode };
	int err;

	/* the memo is only a shortcut: without it every name is walked. Sized
	 * by the types: an object's BTF would touch (and zero) 16 pages of a
	 * vmlinux-sized table for a few hundred names. */
	c.ident_bits = KSR_BTF_IDENT_MEMO_MIN;
	while (c.ident_bits < KSR_BTF_IDENT_MEMO_BITS && (1u << c.ident_bits) < b->type_cnt)
		c.ident_bits++;
	c.ident_memo = ksr_zalloc(1u << c.ident_bits, sizeof(*c.ident_memo));
	if ((err = check_metas(&c)) || (err = check_refs(&c)))
		goto out;
	c.state = ksr_zalloc(b->type_cnt, sizeof(*c.state));
	c.res_id = ksr_zalloc(b->type_cnt, sizeof(*c.res_id));
	c.res_size = ksr_zalloc(b->type_cnt, sizeof(*c.res_size));
	if (!c.state || !c.res_id || !c.res_size)
		err = ksr_err(ENOMEM, "btf: out of memory for %u types", b->type_cnt);
	if (!err)
		err = ksr_btf_resolve_all(&c);
	if (!err)
		err = ksr_btf_check_chains(&c);
	if (!err && b->mode == KSR_BTF_MODE_OBJECT)
		err = ksr_btf_check_membership(&c);
out:
	free(c.ident_memo);
	free(c.state);
	free(c.res_id);
	free(c.res_size);
	return err;
}

/* ---- name index ------------------------------------------------------------ */

/* Slot i of the index (i < slot_cnt), or NULL when it cannot be read. */
static const struct ksr_btf_name_slot *slot_at(const struct ksr_btf *b, uint32_t i)
{
	if (!b->indexed)
		return &b->slots[i];
	return ksr_span_get(&b->slots_sp, (uint64_t)i * sizeof(struct ksr_btf_name_slot),
			    sizeof(struct ksr_btf_name_slot));
}

/* The slot of name, or the empty slot where it would go; NULL when there
 * is neither within KSR_HASH_PROBE_MAX probes (then *full is set, and
 * *home is the name's home slot) or a slot cannot be read. *steps counts
 * the slots looked at. */
static const struct ksr_btf_name_slot *probe(const struct ksr_btf *b, const char *name,
					      uint32_t *steps, bool *full, uint32_t *home)
{
	uint32_t mask = b->slot_cnt - 1;
	uint32_t h = (uint32_t)(ksr_hash64(name, strlen(name)) & mask);
	uint32_t probes = b->slot_cnt < KSR_HASH_PROBE_MAX ? b->slot_cnt : KSR_HASH_PROBE_MAX;

	*steps = 0;
	*full = false;
	*home = h;
	for (uint32_t i = 0; i < probes; i++, h = (h + 1) & mask) {
		const struct ksr_btf_name_slot *s = slot_at(b, h);
		const char *str;

		++*steps;
		if (!s)
			return NULL;
		if (!s->name_off)
			return s;
		str = ksr_btf__str(b, s->name_off);
		if (str && strcmp(str, name) == 0)
			return s;
	}
	*full = true;
	return NULL;
}

static int collisions(const struct ksr_btf *b, uint32_t id)
{
	return ksr_err(KSR_EMALFORMED, "type %u %s: too many hash collisions among VAR and FUNC "
		       "names (crafted input?): %u name index slots in a row are taken, at most "
		       "%u (offset 0x%llx)", id, ksr_btf__kind_name(ksr_btf_kind(
		       ksr_btf__type_by_id(b, id))), KSR_HASH_PROBE_MAX, KSR_HASH_PROBE_MAX - 1,
		       (unsigned long long)(b->types_abs + b->offs[id]));
}

/* Inserts every VAR and FUNC name in id order into b->slots (being built),
 * so each slot keeps the lowest id per kind; *distinct is the number of
 * distinct names. Refuses names that collide past the probing bound. */
static int fill_index(const struct ksr_btf *b, uint32_t *distinct)
{
	*distinct = 0;
	for (uint32_t id = ksr_btf_first_id(b); id < b->type_cnt; id++) {
		const struct btf_type *t = ksr_btf__type_by_id(b, id);
		unsigned int k = ksr_btf_kind(t);
		struct ksr_btf_name_slot *s;
		uint32_t steps, home;
		bool full;

		if (k != BTF_KIND_VAR && k != BTF_KIND_FUNC)
			continue;
		/* slot_cnt >= 2 * names: only colliding names fill KSR_HASH_PROBE_MAX */
		s = (struct ksr_btf_name_slot *)probe(b, ksr_btf__str(b, t->name_off), &steps,
						      &full, &home);
		if (!s)
			return collisions(b, id);
		if (!s->name_off) {
			s->name_off = t->name_off;
			++*distinct;
		}
		if (k == BTF_KIND_VAR && !s->var_id)
			s->var_id = id;
		if (k == BTF_KIND_FUNC && !s->func_id)
			s->func_id = id;
	}
	return 0;
}

static struct ksr_btf_name_slot *slot_of(const struct ksr_btf *b, uint32_t id)
{
	const struct btf_type *t = ksr_btf__type_by_id(b, id);
	uint32_t steps, home;
	bool full;
	const struct ksr_btf_name_slot *s = probe(b, ksr_btf__str(b, t->name_off), &steps, &full,
						  &home);

	return s && s->name_off ? (struct ksr_btf_name_slot *)s : NULL;
}

static void mark_kfuncs(struct ksr_btf *b, uint32_t id, const struct btf_type *t)
{
	const struct btf_decl_tag *d = (const void *)(t + 1);
	struct ksr_btf_name_slot *s;

	if (strcmp(ksr_btf__str(b, t->name_off), "bpf_kfunc") != 0)
		return;
	if (d->component_idx != -1 ||
	    ksr_btf_kind(ksr_btf__type_by_id(b, t->type)) != BTF_KIND_FUNC)
		return;
	/* only a tag on a whole FUNC says the kernel marks its kfuncs (one on
	 * a STRUCT or a member says nothing); the index flags the FUNC a name
	 * resolves to, so a tag on a later FUNC of the name counts here only */
	b->kfunc_tags = true;
	s = slot_of(b, t->type);
	if (s && s->func_id == t->type)
		s->flags |= KSR_NAME_FUNC_KFUNC;
}

static void mark_percpu(struct ksr_btf *b, const struct btf_type *t)
{
	const struct btf_var_secinfo *e = (const void *)(t + 1);

	if (strcmp(ksr_btf__str(b, t->name_off), ".data..percpu") != 0)
		return;
	for (uint32_t i = 0; i < ksr_btf_vlen(t); i++) {
		struct ksr_btf_name_slot *s;

		if (ksr_btf_kind(ksr_btf__type_by_id(b, e[i].type)) != BTF_KIND_VAR)
			continue;
		s = slot_of(b, e[i].type);
		if (s && s->var_id == e[i].type)
			s->flags |= KSR_NAME_VAR_PERCPU;
	}
}

static int build_index(struct ksr_btf *b)
{
	uint32_t keys = 0, n, distinct;
	int err;

	for (uint32_t id = ksr_btf_first_id(b); id < b->type_cnt; id++) {
		unsigned int k = ksr_btf_kind(ksr_btf__type_by_id(b, id));

		keys += k == BTF_KIND_VAR || k == BTF_KIND_FUNC;
	}
	n = ksr_hash_slots_for(keys);
	for (;;) {
		b->owned_slots = ksr_zalloc(n, sizeof(*b->owned_slots));
		if (!b->owned_slots)
			return ksr_err(ENOMEM, "btf: out of memory for %u index slots", n);
		b->slots = b->owned_slots;
		b->slot_cnt = n;
		err = fill_index(b, &distinct);
		if (err)
			return err;
		if (ksr_hash_slots_for(distinct) == n)
			break;
		/* duplicate names: rebuild at the size the layout contract asks for */
		free(b->owned_slots);
		b->owned_slots = NULL;
		b->slots = NULL;
		n = ksr_hash_slots_for(distinct);
	}
	/* what lookups rely on: an empty slot within KSR_HASH_PROBE_MAX */
	if (ksr_hash_longest_run(b->owned_slots, sizeof(*b->owned_slots), n, KSR_HASH_PROBE_MAX) >=
	    KSR_HASH_PROBE_MAX)
		return ksr_err(KSR_EMALFORMED, "too many hash collisions among VAR and FUNC names "
			       "(crafted input?): %u name index slots in a row are taken, at most %u "
			       "(offset 0x%llx)", KSR_HASH_PROBE_MAX, KSR_HASH_PROBE_MAX - 1,
			       (unsigned long long)b->types_abs);
	for (uint32_t id = ksr_btf_first_id(b); id < b->type_cnt; id++) {
		const struct btf_type *t = ksr_btf__type_by_id(b, id);

		if (ksr_btf_kind(t) == BTF_KIND_DECL_TAG)
			mark_kfuncs(b, id, t);
		else if (ksr_btf_kind(t) == BTF_KIND_DATASEC)
			mark_percpu(b, t);
	}
	return 0;
}

/* ---- public: parse, open, free --------------------------------------------- */

/* Validates b->blob and b->raw (set by the caller) and builds the offsets
 * and the index. */
static int parse_raw(struct ksr_btf *b, enum ksr_btf_mode mode, struct ksr_btf **out)
{
	int err;

	b->mode = mode;
	if ((err = check_layout(b, mode == KSR_BTF_MODE_KERNEL)) || (err = load_types(b)) ||
	    (err = validate(b)) || (err = build_index(b))) {
		ksr_btf__free(b);
		return err;
	}
	*out = b;
	return 0;
}

static struct ksr_btf *btf_new(void)
{
	struct ksr_btf *b = calloc(1, sizeof(*b));

	if (b) {
		atomic_init(&b->bad_own, 0);
		b->bad = &b->bad_own;
	}
	return b;
}

static int parse_args(const void *data, size_t size, enum ksr_btf_mode mode,
		      struct ksr_btf **out)
{
	if (!out)
		return ksr_err(EINVAL, "btf: parse: no output pointer");
	*out = NULL;
	if ((!data && size) || (mode != KSR_BTF_MODE_OBJECT && mode != KSR_BTF_MODE_KERNEL))
		return ksr_err(EINVAL, "btf: parse: invalid arguments");
	if (size > KSR_BTF_MAX_BLOB)
		return ksr_err(KSR_EMALFORMED,
			       "header: %zu bytes, more than 4 GiB (offset 0x0)", size);
	return 0;
}

/* b takes a copy of data (size bytes) as its raw BTF; frees b when out of
 * memory. malloc() memory is aligned for any type: the copy is 8-aligned. */
static int own_copy(struct ksr_btf *b, const void *data, size_t size)
{
	b->owned_raw = malloc(size ? size : 1);
	if (!b->owned_raw) {
		free(b);
		return ksr_err(ENOMEM, "btf: out of memory for %zu bytes", size);
	}
	if (size)
		memcpy(b->owned_raw, data, size);
	b->blob = ksr_span_mem(b->owned_raw, size);
	b->raw = b->owned_raw;
	b->raw_size = size;
	return 0;
}

KSR_API int ksr_btf__parse(const void *data, size_t size, enum ksr_btf_mode mode,
			   struct ksr_btf **out)
{
	struct ksr_btf *b;
	int err = parse_args(data, size, mode, out);

	if (err)
		return err;
	b = btf_new();
	if (!b)
		return ksr_err(ENOMEM, "btf: out of memory");
	if ((err = own_copy(b, data, size)))
		return err;
	return parse_raw(b, mode, out);
}

int ksr_btf__parse_borrowed(const void *data, size_t size, enum ksr_btf_mode mode,
			    struct ksr_btf **out)
{
	struct ksr_btf *b;
	int err = parse_args(data, size, mode, out);

	if (err)
		return err;
	if ((uintptr_t)data % 8)
		return ksr_btf__parse(data, size, mode, out);
	b = btf_new();
	if (!b)
		return ksr_err(ENOMEM, "btf: out of memory");
	b->blob = ksr_span_mem(data, size);
	b->raw = data;
	b->raw_size = size;
	return parse_raw(b, mode, out);
}

/* Split BTF gets its base before any check: the layout, string and id
 * rules depend on it (kernel btf_parse_module()). */
static int split_base(struct ksr_btf *b, const struct ksr_btf *base)
{
	if (!base || base->base)
		return ksr_err(EINVAL, "btf: split: the base must be a vmlinux BTF");
	b->base = base;
	b->start_id = base->type_cnt;
	/* a string offset below base's string section length is base's */
	b->start_str = base->strs_len;
	return 0;
}

KSR_API int ksr_btf__parse_split(const void *data, size_t size, const struct ksr_btf *base,
				 struct ksr_btf **out)
{
	struct ksr_btf *b;
	int err = parse_args(data, size, KSR_BTF_MODE_KERNEL, out);

	if (err)
		return err;
	b = btf_new();
	if (!b)
		return ksr_err(ENOMEM, "btf: out of memory");
	if ((err = split_base(b, base))) {
		free(b);
		return err;
	}
	if ((err = own_copy(b, data, size)))
		return err;
	return parse_raw(b, KSR_BTF_MODE_KERNEL, out);
}

static bool aligned4(const struct ksr_span *s)
{
	return (s->src ? s->off : (uintptr_t)s->mem) % 4 == 0;
}

static int open_spans(const struct ksr_btf *base, const struct ksr_span *blob,
		      const struct ksr_span *type_offs, uint32_t type_cnt,
		      const struct ksr_span *slots, uint32_t slot_cnt, struct ksr_btf **out)
{
	struct ksr_btf *b;
	uint32_t own;
	int err;

	if (!out)
		return ksr_err(EINVAL, "btf: open: no output pointer");
	*out = NULL;
	if (!blob || !type_offs || !slots)
		return ksr_err(EINVAL, "btf: open: missing blob or tables");
	if (!aligned4(blob) || !aligned4(type_offs) || !aligned4(slots))
		return ksr_err(KSR_EMALFORMED, "index: blob or tables not 4-aligned");
	if (blob->len > KSR_BTF_MAX_BLOB)
		return ksr_err(KSR_EMALFORMED,
			       "header: %llu bytes, more than 4 GiB (offset 0x0)",
			       (unsigned long long)blob->len);
	b = btf_new();
	if (!b)
		return ksr_err(ENOMEM, "btf: out of memory");
	b->blob = *blob;
	b->raw = blob->mem;
	b->raw_size = (size_t)blob->len;
	b->indexed = true;
	b->mode = KSR_BTF_MODE_KERNEL;
	err = base ? split_base(b, base) : 0;
	if (!err)
		err = check_layout(b, true);
	/* own: the records in this blob (split BTF: type_cnt counts only those) */
	own = base ? type_cnt : type_cnt - 1;
	if (!err && ((!base && type_cnt < 1) || (uint64_t)b->start_id + type_cnt > KSR_BTF_MAX_TYPES ||
		     own > b->types_len / KSR_BTF_TYPE_LEN))
		err = ksr_err(KSR_EMALFORMED, "index: %u types cannot fit a %u-byte type section",
			      type_cnt, b->types_len);
	if (!err && (!slot_cnt || (slot_cnt & (slot_cnt - 1)) ||
		     slot_cnt > ksr_hash_slots_for(type_cnt)))
		err = ksr_err(KSR_EMALFORMED, "index: %u name slots is not a power of two up to %u",
			      slot_cnt, ksr_hash_slots_for(type_cnt));
	if (!err && (type_offs->len < (uint64_t)type_cnt * sizeof(uint32_t) ||
		     slots->len < (uint64_t)slot_cnt * sizeof(struct ksr_btf_name_slot)))
		err = ksr_err(KSR_EMALFORMED, "index: tables shorter than %u types and %u slots",
			      type_cnt, slot_cnt);
	if (err) {
		free(b);
		return err;
	}
	b->offs_sp = *type_offs;
	b->offs = (const uint32_t *)type_offs->mem;
	b->type_cnt = b->start_id + type_cnt;
	b->slots_sp = *slots;
	b->slots = (const struct ksr_btf_name_slot *)slots->mem;
	b->slot_cnt = slot_cnt;
	*out = b;
	return 0;
}

int ksr_btf__open_spans(const struct ksr_span *blob, const struct ksr_span *type_offs,
			uint32_t type_cnt, const struct ksr_span *slots, uint32_t slot_cnt,
			struct ksr_btf **out)
{
	return open_spans(NULL, blob, type_offs, type_cnt, slots, slot_cnt, out);
}

int ksr_btf__open_split_spans(const struct ksr_btf *base, const struct ksr_span *blob,
			      const struct ksr_span *type_offs, uint32_t own_cnt,
			      const struct ksr_span *slots, uint32_t slot_cnt, struct ksr_btf **out)
{
	if (!base)
		return ksr_err(EINVAL, "btf: open: split BTF without a base");
	return open_spans(base, blob, type_offs, own_cnt, slots, slot_cnt, out);
}

int ksr_btf__open_indexed(const void *blob, size_t size, const uint32_t *type_offs,
			  uint32_t type_cnt, const struct ksr_btf_name_slot *slots,
			  uint32_t slot_cnt, struct ksr_btf **out)
{
	struct ksr_span sb, so, ss;

	if (!out)
		return ksr_err(EINVAL, "btf: open: no output pointer");
	*out = NULL;
	if (!blob || !type_offs || !slots)
		return ksr_err(EINVAL, "btf: open: missing blob or tables");
	sb = ksr_span_mem(blob, size);
	so = ksr_span_mem(type_offs, (size_t)type_cnt * sizeof(*type_offs));
	ss = ksr_span_mem(slots, (size_t)slot_cnt * sizeof(*slots));
	return ksr_btf__open_spans(&sb, &so, type_cnt, &ss, slot_cnt, out);
}

KSR_API void ksr_btf__free(struct ksr_btf *btf)
{
	if (!btf)
		return;
	free(btf->owned_raw);
	free(btf->owned_offs);
	free(btf->owned_slots);
	free(btf);
}

/* ---- public: accessors ----------------------------------------------------- */

KSR_API uint32_t ksr_btf__type_cnt(const struct ksr_btf *btf)
{
	return btf ? btf->type_cnt : 0;
}

const void *ksr_btf__raw(const struct ksr_btf *btf, size_t *size)
{
	if (size)
		*size = btf ? btf->raw_size : 0;
	return btf ? btf->raw : NULL;
}

const uint32_t *ksr_btf__type_offsets(const struct ksr_btf *btf, uint32_t *type_cnt)
{
	if (type_cnt)
		*type_cnt = btf ? btf->type_cnt : 0;
	return btf ? btf->offs : NULL;
}

const struct ksr_btf_name_slot *ksr_btf__name_index(const struct ksr_btf *btf,
						     uint32_t *slot_cnt)
{
	if (slot_cnt)
		*slot_cnt = btf ? btf->slot_cnt : 0;
	return btf ? btf->slots : NULL;
}

/* Indexed views have no DECL_TAGs at hand: a slot flagged kfunc tells
 * (profiles also record it in .ksr.meta, which is what resolve reads). */
bool ksr_btf__has_kfunc_tags(const struct ksr_btf *btf)
{
	if (!btf || !btf->indexed)
		return btf && btf->kfunc_tags;
	for (uint32_t i = 0; i < btf->slot_cnt; i++) {
		const struct ksr_btf_name_slot *s = slot_at(btf, i);

		if (!s)
			return false;
		if (s->flags & KSR_NAME_FUNC_KFUNC)
			return true;
	}
	return false;
}

/* Parsed views were validated once; indexed views re-check every record:
 * alignment, bounds, kind and the full length of its trailing part. */
const struct btf_type *ksr_btf__type_by_id(const struct ksr_btf *btf, uint32_t id)
{
	const struct btf_type *t;
	const uint32_t *offp;
	uint32_t off;
	unsigned int k;

	if (!btf || !id || id >= btf->type_cnt)
		return NULL;
	if (id < btf->start_id)
		return ksr_btf__type_by_id(btf->base, id);
	id -= btf->start_id;
	if (!btf->indexed)
		return (const struct btf_type *)(btf->types + btf->offs[id]);
	offp = ksr_span_get(&btf->offs_sp, (uint64_t)id * sizeof(*offp), sizeof(*offp));
	if (!offp)
		return NULL;
	off = *offp;
	if (off % 4)
		return NULL;
	t = ksr_span_get(&btf->types_sp, off, KSR_BTF_TYPE_LEN);
	if (!t)
		return NULL;
	k = ksr_btf_kind(t);
	if ((t->info & ~KSR_BTF_INFO_MASK) || k == BTF_KIND_UNKN || k >= NR_BTF_KINDS)
		return NULL;
	/* the whole record: from a file, possibly another copy of the header */
	return ksr_span_get(&btf->types_sp, off, ksr_btf_rec_len(k, ksr_btf_vlen(t)));
}

const char *ksr_btf__str(const struct ksr_btf *btf, uint32_t off)
{
	if (!btf)
		return NULL;
	if (off < btf->start_str)
		return ksr_btf__str(btf->base, off);
	off -= btf->start_str;
	if (off >= btf->strs_len)
		return NULL;
	if (btf->indexed)
		return ksr_span_str(&btf->strs_sp, off);
	/* the section ends in NUL, so every offset inside it is a string */
	return btf->strs + off;
}

KSR_API const char *ksr_btf__name(const struct ksr_btf *btf, uint32_t id)
{
	const struct btf_type *t = ksr_btf__type_by_id(btf, id);

	return t ? ksr_btf__str(btf, t->name_off) : NULL;
}

const struct ksr_btf_name_slot *ksr_btf__lookup_steps(const struct ksr_btf *btf,
						      const char *name, uint32_t *steps)
{
	const struct ksr_btf_name_slot *s;
	uint32_t home;
	bool full;

	*steps = 0;
	if (!btf || !name || !btf->slot_cnt)
		return NULL;
	s = probe(btf, name, steps, &full, &home);
	/* a table the writer made has an empty slot within the bound */
	if (full) {
		uint64_t none = 0;

		atomic_compare_exchange_strong(btf->bad, &none, home + 1ull);
	}
	return s && s->name_off ? s : NULL;
}

const struct ksr_btf_name_slot *ksr_btf__lookup(const struct ksr_btf *btf, const char *name)
{
	uint32_t steps;

	return ksr_btf__lookup_steps(btf, name, &steps);
}

int ksr_btf__index_error(const struct ksr_btf *btf)
{
	uint64_t bad = btf ? atomic_load(btf->bad) : 0;
	uint64_t rel = (bad - 1) * sizeof(struct ksr_btf_name_slot);

	if (!bad)
		return 0;
	return ksr_err(KSR_EMALFORMED, ".ksr.btf.names: no empty slot within %u slots of slot "
		       "%llu, where lookups stop: the index is malformed (offset 0x%llx)",
		       KSR_HASH_PROBE_MAX, (unsigned long long)(bad - 1),
		       (unsigned long long)(btf->slots_sp.src ? btf->slots_sp.off + rel : rel));
}

const char *ksr_btf__kind_name(unsigned int kind)
{
	return kind < NR_BTF_KINDS ? ksr_btf_kinds[kind].name : "UNKNOWN";
}

KSR_API int ksr_btf__find(const struct ksr_btf *btf, const char *name, unsigned int kind)
{
	const struct ksr_btf_name_slot *s;

	return ksr_btf__find_slot(btf, name, kind, &s);
}

int ksr_btf__find_slot(const struct ksr_btf *btf, const char *name, unsigned int kind,
		       const struct ksr_btf_name_slot **slot)
{
	const struct ksr_btf_name_slot *s;
	const struct btf_type *t;
	const char *tn;
	char buf[64];
	uint32_t id;

	*slot = NULL;
	if (!btf || !name)
		return ksr_err(EINVAL, "btf: find: no BTF or name");
	if (kind != BTF_KIND_VAR && kind != BTF_KIND_FUNC)
		return ksr_err(EINVAL, "btf: find: kind %u is neither VAR nor FUNC", kind);
	s = ksr_btf__lookup(btf, name);
	id = !s ? 0 : kind == BTF_KIND_VAR ? s->var_id : s->func_id;
	if (!id)
		return ksr_err(ENOENT, "btf: no %s named '%s'", ksr_btf__kind_name(kind),
			       ksr_btf_esc(name, buf, sizeof(buf)));
	t = ksr_btf__type_by_id(btf, id);
	tn = t ? ksr_btf__str(btf, t->name_off) : NULL;
	if (!t || ksr_btf_kind(t) != kind || !tn || strcmp(tn, name) != 0)
		return ksr_err(KSR_EMALFORMED,
			       "name index: the slot of '%s' names type %u, not that %s",
			       ksr_btf_esc(name, buf, sizeof(buf)), id, ksr_btf__kind_name(kind));
	*slot = s;
	return (int)id;
}

/* ---- public: type walks ---------------------------------------------------- */

static bool is_mod(const struct btf_type *t)
{
	return ksr_btf_is(t, KF_MODIFIER);
}

int ksr_btf__skip_mods(const struct ksr_btf *btf, uint32_t id)
{
	uint32_t start = id;

	for (uint32_t steps = 0;; steps++) {
		const struct btf_type *t;

		if (!id)
			return 0;
		t = ksr_btf__type_by_id(btf, id);
		if (!t)
			return ksr_err(KSR_EMALFORMED, "type id %u: out of range or malformed", id);
		if (!is_mod(t))
			return (int)id;
		if (steps == KSR_BTF_MAX_DEPTH)
			return ksr_err(KSR_EMALFORMED, "type %u: more than %u modifiers in a row",
				       start, KSR_BTF_MAX_DEPTH);
		id = t->type;
	}
}

/* The type of id, with void for 0; NULL when id is invalid. */
static const struct btf_type *type0(const struct ksr_btf *btf, uint32_t id)
{
	return id ? ksr_btf__type_by_id(btf, id) : &ksr_btf_void_type;
}

static bool kinds_compat(const struct btf_type *a, const struct btf_type *b)
{
	unsigned int ka = ksr_btf_kind(a), kb = ksr_btf_kind(b);

	return ka == kb || ((ka == BTF_KIND_ENUM || ka == BTF_KIND_ENUM64) &&
			    (kb == BTF_KIND_ENUM || kb == BTF_KIND_ENUM64));
}

struct compat {
	const struct ksr_btf *local, *targ;
	uint32_t budget;
};

static int compat_ids(struct compat *c, uint32_t lid, uint32_t tid, int level);

static int compat_protos(struct compat *c, const struct btf_type *lt, const struct btf_type *tt,
			 int level)
{
	const struct btf_param *lp = (const void *)(lt + 1), *tp = (const void *)(tt + 1);
	int err, l, t;

	if (ksr_btf_vlen(lt) != ksr_btf_vlen(tt))
		return 0;
	for (uint32_t i = 0; i < ksr_btf_vlen(lt); i++) {
		if (level <= 0)
			return ksr_err(EINVAL, "types_compat: nesting deeper than %u",
				       KSR_BTF_MAX_DEPTH);
		if ((l = ksr_btf__skip_mods(c->local, lp[i].type)) < 0)
			return l;
		if ((t = ksr_btf__skip_mods(c->targ, tp[i].type)) < 0)
			return t;
		err = compat_ids(c, (uint32_t)l, (uint32_t)t, level - 1);
		if (err <= 0)
			return err;
	}
	return 1;
}

/* libbpf's __bpf_core_types_are_compat(): root kinds must agree, then both
 * sides are compared after modifiers and typedefs. PTR and ARRAY continue
 * with their targets (ARRAY lengths ignored); FUNC_PROTOs need the same
 * parameter count and compatible parameters and return types. */
static int compat_ids(struct compat *c, uint32_t lid, uint32_t tid, int level)
{
	const struct btf_type *lt = type0(c->local, lid), *tt = type0(c->targ, tid);
	int depth = KSR_BTF_MAX_DEPTH, l, t, err;

	if (!lt || !tt)
		return ksr_err(KSR_EMALFORMED, "types_compat: invalid type id %u or %u", lid, tid);
	if (!kinds_compat(lt, tt))
		return 0;
	for (;;) {
		if (!c->budget--)
			return ksr_err(E2BIG, "types_compat: more than %u type pairs to compare",
				       KSR_BTF_COMPAT_BUDGET);
		if (--depth < 0)
			return ksr_err(EINVAL, "types_compat: chain deeper than %u",
				       KSR_BTF_MAX_DEPTH);
		if ((l = ksr_btf__skip_mods(c->local, lid)) < 0)
			return l;
		if ((t = ksr_btf__skip_mods(c->targ, tid)) < 0)
			return t;
		lt = type0(c->local, (uint32_t)l);
		tt = type0(c->targ, (uint32_t)t);
		if (!kinds_compat(lt, tt))
			return 0;
		switch (ksr_btf_kind(lt)) {
		case BTF_KIND_UNKN:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_FWD:
		case BTF_KIND_ENUM64:
			return 1;
		case BTF_KIND_INT:
			/* only bitfield-style ints (bit offset in int_data) differ */
			return BTF_INT_OFFSET(*(const uint32_t *)(lt + 1)) == 0 &&
			       BTF_INT_OFFSET(*(const uint32_t *)(tt + 1)) == 0;
		case BTF_KIND_PTR:
			lid = lt->type;
			tid = tt->type;
			break;
		case BTF_KIND_ARRAY:
			lid = ((const struct btf_array *)(lt + 1))->type;
			tid = ((const struct btf_array *)(tt + 1))->type;
			break;
		case BTF_KIND_FUNC_PROTO:
			if ((err = compat_protos(c, lt, tt, level)) <= 0)
				return err;
			lid = lt->type;
			tid = tt->type;
			break;
		default:
			return 0;
		}
	}
}

int ksr_btf__types_compat(const struct ksr_btf *local, uint32_t local_id,
			  const struct ksr_btf *targ, uint32_t targ_id)
{
	struct compat c = { local, targ, KSR_BTF_COMPAT_BUDGET };

	if (!local || !targ)
		return ksr_err(EINVAL, "types_compat: no BTF");
	return compat_ids(&c, local_id, targ_id, KSR_BTF_MAX_DEPTH);
}

int ksr_btf__datasec_of(const struct ksr_btf *btf, uint32_t id, uint32_t *idx)
{
	/* each entry is 12 bytes of the type section: more means overlapping
	 * records in an indexed view, and a bound on the work */
	uint64_t seen = 0, limit = btf ? btf->types_len / sizeof(struct btf_var_secinfo) : 0;

	for (uint32_t i = 1; btf && id && i < btf->type_cnt; i++) {
		const struct btf_type *t = ksr_btf__type_by_id(btf, i);
		const struct btf_var_secinfo *e;

		if (!t)
			return ksr_err(KSR_EMALFORMED, "type %u: out of range or malformed", i);
		if (ksr_btf_kind(t) != BTF_KIND_DATASEC)
			continue;
		seen += ksr_btf_vlen(t);
		if (seen > limit)
			return ksr_err(KSR_EMALFORMED, "index: DATASEC records overlap");
		e = (const void *)(t + 1);
		for (uint32_t j = 0; j < ksr_btf_vlen(t); j++) {
			if (e[j].type != id)
				continue;
			if (idx)
				*idx = j;
			return (int)i;
		}
	}
	return ksr_err(ENOENT, "btf: type %u is not listed in any DATASEC", id);
}

uint32_t ksr_btf__start_id(const struct ksr_btf *btf)
{
	return btf ? btf->start_id : 0;
}
