// SPDX-License-Identifier: BSD-2-Clause
/* Structure-aware mutation of raw BTF (fuzz/mutator.h).
 *
 * The input is walked into records (header, one record per type with its
 * trailing members, the string section); records whose kind is unknown or
 * that run past the type section end the walk, and what is left of the type
 * section is kept as one opaque record. A few record-level changes are
 * applied (kinds, vlens, type ids and name offsets pointing at other
 * existing ids and strings, sizes, int encodings, flags, inserted /
 * duplicated / deleted / swapped records, DATASEC entries, new FUNC, VAR,
 * strings), then the BTF is written back with a consistent header. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mutator.h"

enum {
	K_INT = 1, K_PTR, K_ARRAY, K_STRUCT, K_UNION, K_ENUM, K_FWD, K_TYPEDEF, K_VOLATILE,
	K_CONST, K_RESTRICT, K_FUNC, K_FUNC_PROTO, K_VAR, K_DATASEC, K_FLOAT, K_DECL_TAG,
	K_TYPE_TAG, K_ENUM64,
};

#define HDR_MAX 64u
#define MAX_RECS 65536u
#define MAX_SOFF 8192u
#define MAX_GROW 65536u /* bytes a mutation may add */

struct rec {
	uint32_t off, len;
	bool opaque;
};

struct bm {
	struct fz_rng r;
	uint8_t *a; /* record bytes; records point in by offset */
	size_t alen, acap;
	struct rec *rec;
	uint32_t n, rcap;
	uint8_t *s; /* string section */
	size_t slen, scap;
	uint32_t *soff; /* offsets where a string starts */
	uint32_t nsoff;
	uint8_t hdr[HDR_MAX];
	uint32_t hdr_len;
	bool strings_first;
	bool may_grow; /* large inputs grow rarely (libFuzzer's length control does not apply here) */
};

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Bytes of trailing data after the 12-byte common part; -1 for an unknown kind. */
static long extra_len(uint32_t info)
{
	uint32_t vlen = info & 0xffff;

	switch ((info >> 24) & 0x1f) {
	case K_INT: case K_VAR: case K_DECL_TAG:
		return 4;
	case K_ARRAY:
		return 12;
	case K_STRUCT: case K_UNION: case K_DATASEC: case K_ENUM64:
		return 12l * vlen;
	case K_ENUM: case K_FUNC_PROTO:
		return 8l * vlen;
	case K_PTR: case K_FWD: case K_TYPEDEF: case K_VOLATILE: case K_CONST: case K_RESTRICT:
	case K_FUNC: case K_FLOAT: case K_TYPE_TAG:
		return 0;
	default:
		return -1;
	}
}

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return true;
	while (c < need)
		c *= 2;
	q = realloc(*p, c * elem);
	if (!q)
		return false;
	*p = q;
	*cap = c;
	return true;
}

/* Room for len more record bytes; returns their offset or UINT32_MAX. */
static uint32_t arena_take(struct bm *m, uint32_t len)
{
	size_t off = m->alen;

	if (m->alen + len > m->acap && !grow((void **)&m->a, &m->acap, m->alen + len, 1))
		return UINT32_MAX;
	m->alen += len;
	return (uint32_t)off;
}

static bool rec_insert(struct bm *m, uint32_t at, struct rec r)
{
	size_t cap = m->rcap;

	if (m->n >= MAX_RECS || !grow((void **)&m->rec, &cap, (size_t)m->n + 1, sizeof(*m->rec)))
		return false;
	m->rcap = (uint32_t)cap;
	memmove(m->rec + at + 1, m->rec + at, (m->n - at) * sizeof(*m->rec));
	m->rec[at] = r;
	m->n++;
	return true;
}

static uint8_t *R(struct bm *m, uint32_t i)
{
	return m->a + m->rec[i].off;
}

static uint32_t kind_of(struct bm *m, uint32_t i)
{
	return m->rec[i].opaque || m->rec[i].len < 12 ? 0 : (rd32(R(m, i) + 4) >> 24) & 0x1f;
}

static bool parse(struct bm *m, const uint8_t *d, size_t size)
{
	uint32_t hl, toff, tlen, soff, slen, pos = 0;
	size_t cap;

	if (size < 24 || d[0] != 0x9f || d[1] != 0xeb)
		return false;
	hl = rd32(d + 4);
	if (hl < 24 || hl > HDR_MAX || hl > size)
		return false;
	toff = rd32(d + 8), tlen = rd32(d + 12), soff = rd32(d + 16), slen = rd32(d + 20);
	if ((uint64_t)hl + toff + tlen > size || (uint64_t)hl + soff + slen > size)
		return false;
	memcpy(m->hdr, d, hl);
	m->hdr_len = hl;
	m->strings_first = soff < toff;
	cap = 0;
	if (!grow((void **)&m->a, &m->acap, (size_t)tlen + 4096, 1) ||
	    !grow((void **)&m->s, &m->scap, (size_t)slen + 1024, 1) ||
	    (!m->soff && !grow((void **)&m->soff, &cap, MAX_SOFF, sizeof(*m->soff))))
		return false;
	memcpy(m->a, d + hl + toff, tlen);
	m->alen = tlen;
	while (pos + 12 <= tlen && m->n < MAX_RECS) {
		long ex = extra_len(rd32(m->a + pos + 4));

		if (ex < 0 || pos + 12 + (uint64_t)ex > tlen)
			break;
		if (!rec_insert(m, m->n, (struct rec){ pos, 12 + (uint32_t)ex, false }))
			return false;
		pos += 12 + (uint32_t)ex;
	}
	if (pos < tlen && !rec_insert(m, m->n, (struct rec){ pos, tlen - pos, true }))
		return false;
	memcpy(m->s, d + hl + soff, slen);
	m->slen = slen;
	for (uint32_t i = 0; i < slen && m->nsoff < MAX_SOFF; i++)
		if (i == 0 || m->s[i - 1] == 0)
			m->soff[m->nsoff++] = i;
	return true;
}

static size_t serialise(struct bm *m, uint8_t *out, size_t max)
{
	size_t tlen = 0, total;
	uint8_t *t, *s;

	for (uint32_t i = 0; i < m->n; i++)
		tlen += m->rec[i].len;
	total = m->hdr_len + tlen + m->slen;
	if (total > max || tlen > UINT32_MAX || m->slen > UINT32_MAX)
		return 0;
	memcpy(out, m->hdr, m->hdr_len);
	t = out + m->hdr_len + (m->strings_first ? m->slen : 0);
	s = out + m->hdr_len + (m->strings_first ? 0 : tlen);
	wr32(out + 8, (uint32_t)(t - out - m->hdr_len));
	wr32(out + 12, (uint32_t)tlen);
	wr32(out + 16, (uint32_t)(s - out - m->hdr_len));
	wr32(out + 20, (uint32_t)m->slen);
	for (uint32_t i = 0; i < m->n; i++) {
		memcpy(t, R(m, i), m->rec[i].len);
		t += m->rec[i].len;
	}
	memcpy(s, m->s, m->slen);
	return total;
}

/* ---- values ---------------------------------------------------------------- */

static uint32_t one_of(struct fz_rng *r, const uint32_t *v, uint32_t n)
{
	return v[fz_rng_below(r, n)];
}
#define ONE_OF(r, ...) \
	one_of(r, (const uint32_t[]){ __VA_ARGS__ }, sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4)

/* Mostly an id that exists (0 is void), sometimes one just past, rarely any. */
static uint32_t rand_id(struct bm *m)
{
	uint32_t p = fz_rng_below(&m->r, 100);

	if (p < 90)
		return fz_rng_below(&m->r, m->n + 1);
	if (p < 97)
		return m->n + 1 + fz_rng_below(&m->r, 3);
	return ONE_OF(&m->r, 0xffffffffu, 0x7fffffffu, 0xfffffu, 0x100000u, fz_rng_next(&m->r));
}

/* An id of one of the given kinds if there is one (scanning from a random start). */
static uint32_t id_of_kind(struct bm *m, uint32_t k1, uint32_t k2)
{
	uint32_t start = fz_rng_below(&m->r, m->n);

	for (uint32_t j = 0; j < m->n && j < 4096; j++) {
		uint32_t i = (start + j) % m->n, k = kind_of(m, i);

		if (k == k1 || k == k2)
			return i + 1;
	}
	return 0;
}

static uint32_t rand_str(struct bm *m)
{
	uint32_t p = fz_rng_below(&m->r, 100);

	if (p < 88 && m->nsoff)
		return m->soff[fz_rng_below(&m->r, m->nsoff)];
	if (p < 94)
		return 0;
	return ONE_OF(&m->r, (uint32_t)m->slen, (uint32_t)m->slen - 1,
		      fz_rng_below(&m->r, (uint32_t)m->slen + 1), 0xffffffffu, 0x80000000u);
}

static uint32_t rand_size(struct bm *m)
{
	if (fz_rng_below(&m->r, 4) == 0)
		return fz_rng_next(&m->r) >> fz_rng_below(&m->r, 32);
	return ONE_OF(&m->r, 0, 1, 2, 3, 4, 7, 8, 12, 16, 24, 32, 64, 128, 256, 4096, 0x7fffffff,
		      0x80000000u, 0xffffffffu, 0xfffffffcu, 1u << 20);
}

static const char *const names[] = {
	".ksyms", ".kconfig", ".data", ".bss", ".rodata", "int", "char", "long", "unsigned int",
	"bpf_prog_active", "bpf_get_current_task_btf", "bpf_task_acquire", "bpf_task_release",
	"task_struct", "runqueues", "init_task", "LINUX_KERNEL_VERSION", "CONFIG_BPF", "bpf_ksym",
	"bpf_kfunc_call_test1", "__ksym", "bpf_fentry_test1", "bpf_kfunc", "bpf_fastcall",
	"a", "_", "x.y", "0abc", "", "foo___flavour", "bpf_map", "ctx", "skb", "pid",
};

/* Appends a string (a known name, an existing one changed, or a long one); its offset. */
static uint32_t add_string(struct bm *m)
{
	char tmp[320];
	size_t len;
	uint32_t p = fz_rng_below(&m->r, 10), off;

	if (p < 6 || !m->nsoff) {
		const char *s = names[fz_rng_below(&m->r, sizeof(names) / sizeof(names[0]))];

		len = strlen(s);
		memcpy(tmp, s, len);
	} else if (p < 9) {
		uint32_t o = m->soff[fz_rng_below(&m->r, m->nsoff)];

		for (len = 0; o + len < m->slen && m->s[o + len] && len < 255; len++)
			tmp[len] = (char)m->s[o + len];
		if (len)
			tmp[fz_rng_below(&m->r, (uint32_t)len)] =
				(char)ONE_OF(&m->r, '_', '.', 'a', 'Z', '0', ' ', '-', 0x80, '/');
		else
			tmp[len++] = 'q';
	} else {
		len = 1 + fz_rng_below(&m->r, 300);
		memset(tmp, 'A' + (int)fz_rng_below(&m->r, 26), len);
	}
	if (m->slen + len + 1 > UINT32_MAX ||
	    !grow((void **)&m->s, &m->scap, m->slen + len + 1, 1))
		return 0;
	off = (uint32_t)m->slen;
	memcpy(m->s + m->slen, tmp, len);
	m->s[m->slen + len] = 0;
	m->slen += len + 1;
	if (m->nsoff < MAX_SOFF)
		m->soff[m->nsoff++] = off;
	return off;
}

/* Plausible trailing data for entries [from, to) of a record of this kind. */
static void fill_extra(struct bm *m, uint8_t *p, uint32_t kind, uint32_t from, uint32_t to)
{
	for (uint32_t j = from; j < to; j++) {
		switch (kind) {
		case K_INT:
			wr32(p + 12, ONE_OF(&m->r, 0x20, 0x01000020, 0x40, 0x01000040, 0x08, 0x02000008,
					    0x04000008, 0x10));
			break;
		case K_VAR:
			wr32(p + 12, ONE_OF(&m->r, 0, 1, 2, 3));
			break;
		case K_DECL_TAG:
			wr32(p + 12, ONE_OF(&m->r, 0xffffffffu, 0, 1, 2));
			break;
		case K_ARRAY:
			wr32(p + 12, rand_id(m));
			wr32(p + 16, rand_id(m));
			wr32(p + 20, ONE_OF(&m->r, 0, 1, 4, 16, 0xffffffffu));
			break;
		case K_STRUCT: case K_UNION:
			wr32(p + 12 + 12 * j, rand_str(m));
			wr32(p + 16 + 12 * j, rand_id(m));
			wr32(p + 20 + 12 * j, j * 32);
			break;
		case K_ENUM:
			wr32(p + 12 + 8 * j, rand_str(m));
			wr32(p + 16 + 8 * j, j);
			break;
		case K_FUNC_PROTO:
			wr32(p + 12 + 8 * j, fz_rng_below(&m->r, 4) ? 0 : rand_str(m));
			wr32(p + 16 + 8 * j, rand_id(m));
			break;
		case K_DATASEC:
			wr32(p + 12 + 12 * j, fz_rng_below(&m->r, 4) ? id_of_kind(m, K_VAR, K_FUNC)
								   : rand_id(m));
			wr32(p + 16 + 12 * j, j * 8);
			wr32(p + 20 + 12 * j, ONE_OF(&m->r, 8, 8, 4, 1, 0, 16));
			break;
		case K_ENUM64:
			wr32(p + 12 + 12 * j, rand_str(m));
			wr32(p + 16 + 12 * j, j);
			wr32(p + 20 + 12 * j, ONE_OF(&m->r, 0, 0, 1, 0xffffffffu));
			break;
		default:
			return;
		}
		if (kind == K_INT || kind == K_VAR || kind == K_DECL_TAG || kind == K_ARRAY)
			return;
	}
}

/* Gives record i the layout its (new) info says: keeps what fits, fills the rest. */
static bool relayout(struct bm *m, uint32_t i)
{
	uint32_t info = rd32(R(m, i) + 4), kind = (info >> 24) & 0x1f, old = m->rec[i].len;
	long ex = extra_len(info);
	uint32_t len, off, keep;

	if (ex < 0 || ex > 12 * 256) /* unknown kind or huge vlen: leave the bytes as they are */
		return true;
	len = 12 + (uint32_t)ex;
	off = arena_take(m, len);
	if (off == UINT32_MAX)
		return false;
	keep = old < len ? old : len;
	memmove(m->a + off, R(m, i), keep);
	if (keep < len) {
		bool multi = kind == K_STRUCT || kind == K_UNION || kind == K_DATASEC || kind == K_ENUM64 ||
			     kind == K_ENUM || kind == K_FUNC_PROTO;
		uint32_t step = kind == K_ENUM || kind == K_FUNC_PROTO ? 8 : 12;

		memset(m->a + off + keep, 0, len - keep);
		fill_extra(m, m->a + off, kind, multi ? (keep - 12) / step : 0,
			   multi ? (uint32_t)ex / step : 1);
	}
	m->rec[i] = (struct rec){ off, len, false };
	return true;
}

/* A new record of kind k at position at (m->n: appended); its index or UINT32_MAX. */
static uint32_t new_rec(struct bm *m, uint32_t at, uint32_t k, uint32_t vlen)
{
	uint32_t off = arena_take(m, 12), sz;

	if (off == UINT32_MAX || !rec_insert(m, at, (struct rec){ off, 12, false }))
		return UINT32_MAX;
	switch (k) {
	case K_INT: case K_STRUCT: case K_UNION: case K_ENUM: case K_DATASEC: case K_FLOAT:
	case K_ENUM64:
		sz = k == K_DATASEC ? vlen * 8 : rand_size(m);
		break;
	default:
		sz = rand_id(m);
	}
	wr32(R(m, at), rand_str(m));
	wr32(R(m, at) + 4, k << 24 | vlen);
	wr32(R(m, at) + 8, sz);
	return relayout(m, at) ? at : UINT32_MAX;
}

static uint32_t pick(struct bm *m)
{
	return fz_rng_below(&m->r, m->n);
}

/* Offsets inside record i of its type-id fields / name-offset fields / size-like fields. */
static uint32_t fields(struct bm *m, uint32_t i, int what, uint32_t *out, uint32_t cap)
{
	uint32_t k = kind_of(m, i), len = m->rec[i].len, n = 0, step = 0, base = 0;

	if (m->rec[i].opaque || len < 12)
		return 0;
	if (what == 0) { /* type ids */
		if (k == K_PTR || (k >= K_TYPEDEF && k <= K_VAR) || k == K_DECL_TAG || k == K_TYPE_TAG)
			out[n++] = 8;
		if (k == K_ARRAY) {
			out[n++] = 12;
			out[n++] = 16;
		}
		step = k == K_STRUCT || k == K_UNION ? 12 : k == K_FUNC_PROTO ? 8 : k == K_DATASEC ? 12 : 0;
		base = k == K_DATASEC ? 12 : 16;
	} else if (what == 1) { /* name offsets */
		out[n++] = 0;
		step = k == K_STRUCT || k == K_UNION || k == K_ENUM64 ? 12 : k == K_ENUM || k == K_FUNC_PROTO ? 8 : 0;
		base = 12;
	} else { /* sizes, bit offsets, entry offsets and sizes, counts */
		if (k == K_INT || k == K_STRUCT || k == K_UNION || k == K_ENUM || k == K_DATASEC ||
		    k == K_FLOAT || k == K_ENUM64)
			out[n++] = 8;
		if (k == K_ARRAY)
			out[n++] = 20;
		if (k == K_DECL_TAG || k == K_VAR)
			out[n++] = 12;
		step = k == K_STRUCT || k == K_UNION || k == K_DATASEC ? 12 : k == K_ENUM ? 8 : 0;
		base = 20;
		if (k == K_ENUM)
			base = 16;
	}
	for (uint32_t o = base; step && o + 4 <= len && n < cap; o += step)
		out[n++] = o;
	if (what == 2 && k == K_DATASEC)
		for (uint32_t o = 16; o + 4 <= len && n < cap; o += 12)
			out[n++] = o;
	for (uint32_t j = 0; j < n; j++) /* the fixed ones may lie past a short record */
		if (out[j] + 4 > len)
			out[j--] = out[--n];
	return n;
}

static bool set_field(struct bm *m, int what)
{
	uint32_t offs[64], i = pick(m), n = fields(m, i, what, offs, 64), o, v;

	if (!n)
		return false;
	o = offs[fz_rng_below(&m->r, n)];
	v = what == 0 ? rand_id(m) : what == 1 ? rand_str(m) : rand_size(m);
	if (what == 2 && fz_rng_below(&m->r, 3) == 0) /* a neighbour of the current value */
		v = rd32(R(m, i) + o) + ONE_OF(&m->r, 1, 0xffffffffu, 8, 0xfffffff8u, 32);
	wr32(R(m, i) + o, v);
	return true;
}

/* ---- mutations ----------------------------------------------------------- */

static bool m_kind(struct bm *m)
{
	uint32_t i = pick(m), info;

	if (m->rec[i].opaque)
		return false;
	info = rd32(R(m, i) + 4) & ~(0x1fu << 24);
	info |= (fz_rng_below(&m->r, 16) ? 1 + fz_rng_below(&m->r, K_ENUM64)
					 : ONE_OF(&m->r, 0, 20, 31)) << 24;
	wr32(R(m, i) + 4, info);
	return relayout(m, i);
}

static bool m_vlen(struct bm *m)
{
	uint32_t i = pick(m), info, v;

	if (m->rec[i].opaque)
		return false;
	info = rd32(R(m, i) + 4);
	v = info & 0xffff;
	v = ONE_OF(&m->r, 0, 1, v + 1, v + 1, v - 1, v * 2, 0xffff, 2, 3) & 0xffff;
	wr32(R(m, i) + 4, (info & 0xffff0000u) | v);
	return relayout(m, i);
}

static bool m_int(struct bm *m)
{
	uint32_t id = id_of_kind(m, K_INT, K_INT);
	uint8_t *p;

	if (!id || m->rec[id - 1].len < 16)
		return false;
	p = R(m, id - 1);
	if (fz_rng_below(&m->r, 3) == 0)
		wr32(p + 8, ONE_OF(&m->r, 0, 1, 2, 4, 8, 16, 3, 17, 0xffffffffu));
	wr32(p + 12, ONE_OF(&m->r, 0, 1, 2, 4, 3, 8, 15) << 24 |
		     ONE_OF(&m->r, 0, 0, 1, 7, 8, 63, 255) << 16 |
		     ONE_OF(&m->r, 0, 1, 7, 8, 16, 32, 64, 65, 128, 129, 255));
	return true;
}

static bool m_flags(struct bm *m)
{
	uint32_t i = pick(m), k = kind_of(m, i);
	uint8_t *p;

	if (m->rec[i].opaque)
		return false;
	p = R(m, i);
	if (k == K_FUNC && fz_rng_below(&m->r, 2))
		wr32(p + 4, (rd32(p + 4) & 0xffff0000u) | ONE_OF(&m->r, 0, 1, 2, 3, 4));
	else if (k == K_VAR && m->rec[i].len >= 16 && fz_rng_below(&m->r, 2))
		wr32(p + 12, ONE_OF(&m->r, 0, 1, 2, 3));
	else
		wr32(p + 4, rd32(p + 4) ^ ONE_OF(&m->r, 1u << 31, 1u << 29, 1u << 16, 1u << 23));
	return true;
}

static bool m_insert(struct bm *m)
{
	uint32_t k = ONE_OF(&m->r, K_INT, K_PTR, K_ARRAY, K_STRUCT, K_UNION, K_ENUM, K_FWD,
			    K_TYPEDEF, K_CONST, K_VOLATILE, K_FUNC, K_FUNC_PROTO, K_VAR, K_VAR,
			    K_DATASEC, K_FLOAT, K_DECL_TAG, K_TYPE_TAG, K_ENUM64);
	uint32_t at = fz_rng_below(&m->r, 2) ? m->n : fz_rng_below(&m->r, m->n + 1);

	return new_rec(m, at, k, k == K_FUNC ? ONE_OF(&m->r, 0, 1, 2) : fz_rng_below(&m->r, 4)) !=
	       UINT32_MAX;
}

static bool m_dup(struct bm *m)
{
	uint32_t i = pick(m), len = m->rec[i].len, off = arena_take(m, len);
	uint32_t at = fz_rng_below(&m->r, 2) ? m->n : fz_rng_below(&m->r, m->n + 1);

	if (off == UINT32_MAX)
		return false;
	memcpy(m->a + off, R(m, i), len);
	return rec_insert(m, at, (struct rec){ off, len, m->rec[i].opaque });
}

static bool m_del(struct bm *m)
{
	uint32_t i = pick(m), cnt = 1 + (fz_rng_below(&m->r, 4) == 0 ? fz_rng_below(&m->r, 8) : 0);

	if (cnt > m->n - i)
		cnt = m->n - i;
	memmove(m->rec + i, m->rec + i + cnt, (m->n - i - cnt) * sizeof(*m->rec));
	m->n -= cnt;
	return true;
}

static bool m_swap(struct bm *m)
{
	uint32_t i = pick(m), j = fz_rng_below(&m->r, 2) ? pick(m) : (i + 1) % m->n;
	struct rec t = m->rec[i];

	m->rec[i] = m->rec[j];
	m->rec[j] = t;
	return i != j;
}

static uint32_t ksyms_name(struct bm *m)
{
	for (uint32_t j = 0; j < m->nsoff; j++) {
		uint32_t o = m->soff[j];

		if (m->slen - o >= 7 && memcmp(m->s + o, ".ksyms", 7) == 0)
			return o;
	}
	return add_string(m);
}

static bool m_datasec(struct bm *m)
{
	uint32_t id = id_of_kind(m, K_DATASEC, K_DATASEC), i, v, j;
	uint8_t *p;

	if (!id || fz_rng_below(&m->r, 4) == 0) {
		uint32_t at = new_rec(m, m->n, K_DATASEC, 1 + fz_rng_below(&m->r, 4));

		if (at == UINT32_MAX)
			return false;
		if (fz_rng_below(&m->r, 3))
			wr32(R(m, at), ksyms_name(m));
		return true;
	}
	i = id - 1;
	v = rd32(R(m, i) + 4) & 0xffff;
	if (!v || fz_rng_below(&m->r, 2)) { /* one more entry */
		wr32(R(m, i) + 4, (rd32(R(m, i) + 4) & 0xffff0000u) | ((v + 1) & 0xffff));
		return relayout(m, i);
	}
	j = fz_rng_below(&m->r, v);
	if (12 + 12 * (j + 1) > m->rec[i].len)
		return false;
	p = R(m, i) + 12 + 12 * j;
	switch (fz_rng_below(&m->r, 3)) {
	case 0:
		wr32(p, fz_rng_below(&m->r, 3) ? id_of_kind(m, K_VAR, K_FUNC) : rand_id(m));
		break;
	case 1:
		wr32(p + 4, fz_rng_below(&m->r, 2) ? rand_size(m) : rd32(p + 4) + ONE_OF(&m->r, 1, 4, 8, 0xfffffff8u));
		break;
	default:
		wr32(p + 8, rand_size(m));
	}
	return true;
}

/* A FUNC_PROTO and a FUNC of it (a kfunc's shape), or a VAR (a typed ksym). */
static bool m_func_var(struct bm *m)
{
	uint32_t at, proto;

	if (fz_rng_below(&m->r, 2)) {
		at = new_rec(m, m->n, K_VAR, 0);
		if (at == UINT32_MAX)
			return false;
		wr32(R(m, at) + 12, ONE_OF(&m->r, 2, 2, 1, 0));
	} else {
		proto = new_rec(m, m->n, K_FUNC_PROTO, fz_rng_below(&m->r, 4));
		if (proto == UINT32_MAX)
			return false;
		wr32(R(m, proto), 0);
		at = new_rec(m, m->n, K_FUNC, ONE_OF(&m->r, 2, 2, 1, 0));
		if (at == UINT32_MAX)
			return false;
		wr32(R(m, at) + 8, proto + 1);
	}
	if (fz_rng_below(&m->r, 2))
		wr32(R(m, at), add_string(m));
	return true;
}

static bool m_string(struct bm *m)
{
	uint32_t off = add_string(m);

	if (fz_rng_below(&m->r, 10) < 7) {
		uint32_t offs[64], i = pick(m), n = fields(m, i, 1, offs, 64);

		if (n)
			wr32(R(m, i) + offs[fz_rng_below(&m->r, n)], off);
	}
	return true;
}

static bool m_header(struct bm *m)
{
	switch (fz_rng_below(&m->r, 4)) {
	case 0:
		m->strings_first = !m->strings_first;
		break;
	case 1: /* a longer (zero-padded) or the plain header */
		m->hdr_len = m->hdr_len == 24 ? ONE_OF(&m->r, 28, 32, 40) : 24;
		memset(m->hdr + 24, 0, HDR_MAX - 24);
		wr32(m->hdr + 4, m->hdr_len);
		break;
	case 2:
		m->hdr[2] = (uint8_t)ONE_OF(&m->r, 0, 1, 2, 0xff); /* version */
		break;
	default:
		m->hdr[3] = (uint8_t)ONE_OF(&m->r, 0, 1, 0x80); /* flags */
	}
	return true;
}

static bool mutate_once(struct bm *m)
{
	uint32_t p = fz_rng_below(&m->r, 100);

	if (!m->n)
		return p < 50 ? m_insert(m) : m_func_var(m);
	if (!m->may_grow && ((p >= 57 && p < 69) || (p >= 86 && p < 98)))
		return m_del(m);
	if (p < 8)
		return m_kind(m);
	if (p < 16)
		return m_vlen(m);
	if (p < 30)
		return set_field(m, 0);
	if (p < 40)
		return set_field(m, 1);
	if (p < 48)
		return set_field(m, 2);
	if (p < 52)
		return m_int(m);
	if (p < 57)
		return m_flags(m);
	if (p < 64)
		return m_insert(m);
	if (p < 69)
		return m_dup(m);
	if (p < 74)
		return m_del(m);
	if (p < 78)
		return m_swap(m);
	if (p < 86)
		return m_datasec(m);
	if (p < 93)
		return m_func_var(m);
	if (p < 98)
		return m_string(m);
	return m_header(m);
}

/* The buffers stay allocated from one call to the next (a fuzzer calls the
 * mutator millions of times; ASan makes malloc and free dear): two pools,
 * for the input and for the crossover's second input. */
static struct bm pool[2];

static void bm_reset(struct bm *m, int which, uint32_t seed)
{
	struct bm *p = &pool[which];

	*m = (struct bm){ .r = { seed }, .a = p->a, .acap = p->acap, .rec = p->rec, .rcap = p->rcap,
			  .s = p->s, .scap = p->scap, .soff = p->soff };
}

static void bm_keep(struct bm *m, int which)
{
	pool[which] = (struct bm){ .a = m->a, .acap = m->acap, .rec = m->rec, .rcap = m->rcap,
				   .s = m->s, .scap = m->scap, .soff = m->soff };
}

size_t fz_mut_btf(uint8_t *buf, size_t size, size_t max, uint32_t seed)
{
	struct bm m;
	size_t out = 0;
	uint32_t steps;
	bool changed = false;

	bm_reset(&m, 0, seed ^ 0x6274665fu);
	if (!parse(&m, buf, size))
		goto done;
	/* above 4 KiB growing gets rarer: 1 in 2 at 8 KiB, 1 in 4 at 16 KiB... */
	m.may_grow = fz_rng_below(&m.r, (uint32_t)(size / 4096) + 1) == 0;
	steps = 1 + (fz_rng_below(&m.r, 3) ? 0 : fz_rng_below(&m.r, 4));
	for (uint32_t tries = steps + 4; steps && tries; tries--) { /* some do not apply */
		if (m.alen > size + MAX_GROW)
			break;
		if (mutate_once(&m)) {
			changed = true;
			steps--;
		}
	}
	if (changed)
		out = serialise(&m, buf, max);
done:
	bm_keep(&m, 0);
	return out;
}

size_t fz_cross_btf(const uint8_t *a, size_t asize, const uint8_t *b, size_t bsize, uint8_t *out,
		    size_t max, uint32_t seed)
{
	struct bm x, y;
	size_t res = 0;
	uint32_t from, cnt;

	bm_reset(&x, 0, seed ^ 0x63726f73u);
	bm_reset(&y, 1, seed);
	if (!parse(&x, a, asize) || !parse(&y, b, bsize) || !y.n)
		goto done;
	/* a run of b's records after a's; b's strings after a's, its name offsets moved along */
	if (fz_rng_below(&x.r, (uint32_t)(asize / 4096) + 1)) /* as above */
		goto done;
	from = fz_rng_below(&x.r, y.n);
	cnt = 1 + fz_rng_below(&x.r, y.n - from < 64 ? y.n - from : 64);
	for (uint32_t i = from; i < from + cnt; i++) {
		uint32_t off = arena_take(&x, y.rec[i].len), offs[64], n;

		if (off == UINT32_MAX || !rec_insert(&x, x.n, (struct rec){ off, y.rec[i].len, y.rec[i].opaque }))
			goto done;
		memcpy(x.a + off, R(&y, i), y.rec[i].len);
		n = fields(&x, x.n - 1, 1, offs, 64);
		for (uint32_t j = 0; j < n; j++)
			wr32(R(&x, x.n - 1) + offs[j], rd32(R(&x, x.n - 1) + offs[j]) + (uint32_t)x.slen);
	}
	if (!grow((void **)&x.s, &x.scap, x.slen + y.slen, 1))
		goto done;
	memcpy(x.s + x.slen, y.s, y.slen);
	x.slen += y.slen;
	res = serialise(&x, out, max);
done:
	bm_keep(&x, 0);
	bm_keep(&y, 1);
	return res;
}
