// SPDX-License-Identifier: BSD-2-Clause
/* Structure-aware mutation of BPF ELF64 objects (fuzz/mutator.h).
 *
 * A tolerant walker finds the section table, the symbol table, SHT_REL
 * sections and what they relocate, the executable sections and .BTF. The
 * changes are those the extern collection and the patcher care about:
 * relocation offsets (another instruction, an ld_imm64's second half) and
 * symbols (another symbol, most often an undefined one: an extern), the
 * instruction at a relocation site (ld_imm64 <-> call, src_reg, imm, off),
 * symbol fields (section index UND / ABS / COMMON / another section,
 * binding, type, name), and .BTF through fz_mut_btf, moving the sections
 * and section table after it when its length changes. Everything else is
 * left as it is. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mutator.h"

#define SHT_SYMTAB_ 2
#define SHT_NOBITS_ 8
#define SHT_REL_ 9
#define SHF_EXEC_ 4
#define MAX_SECS 512u

struct sec {
	uint64_t off, size;
	uint32_t type, name, info, link;
	uint64_t flags;
	bool data; /* lies inside the file */
};

struct em {
	struct fz_rng r;
	uint8_t *b;
	size_t n, max;
	uint64_t shoff;
	uint32_t shnum;
	struct sec s[MAX_SECS];
	uint32_t symtab, nsym, btf;
	uint32_t rels[MAX_SECS], nrels;
	uint32_t execs[MAX_SECS], nexecs;
};

static uint64_t rd(const uint8_t *p, int w)
{
	uint64_t v = 0;

	memcpy(&v, p, (size_t)w); /* little-endian host, as the fuzzers run */
	return v;
}

static void wr(uint8_t *p, int w, uint64_t v)
{
	memcpy(p, &v, (size_t)w);
}

static uint32_t one_of(struct fz_rng *r, const uint32_t *v, uint32_t n)
{
	return v[fz_rng_below(r, n)];
}
#define ONE_OF(r, ...) \
	one_of(r, (const uint32_t[]){ __VA_ARGS__ }, sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4)

static uint8_t *shdr(struct em *e, uint32_t i)
{
	return e->b + e->shoff + 64ull * i;
}

static bool sec_named(struct em *e, uint32_t i, const char *want, uint32_t shstr)
{
	size_t len = strlen(want) + 1;
	const struct sec *st = &e->s[shstr];

	if (!st->data || e->s[i].name >= st->size || st->size - e->s[i].name < len)
		return false;
	return memcmp(e->b + st->off + e->s[i].name, want, len) == 0;
}

static bool walk(struct em *e)
{
	uint32_t shstr;

	if (e->n < 64 || memcmp(e->b, "\177ELF", 4) != 0 || e->b[4] != 2 || e->b[5] != 1)
		return false;
	e->shoff = rd(e->b + 0x28, 8);
	e->shnum = (uint32_t)rd(e->b + 0x3c, 2);
	shstr = (uint32_t)rd(e->b + 0x3e, 2);
	if (rd(e->b + 0x3a, 2) != 64 || !e->shnum || e->shnum > MAX_SECS || e->shoff > e->n ||
	    (e->n - e->shoff) / 64 < e->shnum)
		return false;
	e->symtab = e->btf = e->nsym = e->nrels = e->nexecs = 0;
	for (uint32_t i = 0; i < e->shnum; i++) {
		const uint8_t *h = shdr(e, i);
		struct sec *s = &e->s[i];

		s->name = (uint32_t)rd(h, 4);
		s->type = (uint32_t)rd(h + 4, 4);
		s->flags = rd(h + 8, 8);
		s->off = rd(h + 24, 8);
		s->size = rd(h + 32, 8);
		s->link = (uint32_t)rd(h + 40, 4);
		s->info = (uint32_t)rd(h + 44, 4);
		s->data = s->type != SHT_NOBITS_ && s->off <= e->n && s->size <= e->n - s->off;
	}
	for (uint32_t i = 1; i < e->shnum; i++) {
		struct sec *s = &e->s[i];

		if (!s->data)
			continue;
		if (s->type == SHT_SYMTAB_ && !e->symtab) {
			e->symtab = i;
			e->nsym = (uint32_t)(s->size / 24 < 65536 ? s->size / 24 : 65536);
		}
		if (s->type == SHT_REL_ && s->size >= 16)
			e->rels[e->nrels++] = i;
		if ((s->flags & SHF_EXEC_) && s->size >= 8)
			e->execs[e->nexecs++] = i;
		if (shstr < e->shnum && sec_named(e, i, ".BTF", shstr))
			e->btf = i;
	}
	return true;
}

/* ---- relocations and instructions ---------------------------------------- */

static uint8_t *rel_entry(struct em *e, uint32_t *target)
{
	uint32_t ri = e->rels[fz_rng_below(&e->r, e->nrels)];
	const struct sec *s = &e->s[ri];

	*target = s->info;
	return e->b + s->off + 16ull * fz_rng_below(&e->r, (uint32_t)(s->size / 16 < 1u << 20 ? s->size / 16 : 1u << 20));
}

/* An instruction offset in section t whose opcode is code (any when code < 0). */
static bool insn_with(struct em *e, uint32_t t, int code, uint64_t *off)
{
	const struct sec *s = &e->s[t];
	uint32_t cnt = (uint32_t)(s->size / 8 < 1u << 20 ? s->size / 8 : 1u << 20);
	uint32_t start = fz_rng_below(&e->r, cnt);

	for (uint32_t j = 0; j < cnt && j < 8192; j++) {
		uint32_t k = (start + j) % cnt;

		if (code < 0 || e->b[s->off + 8ull * k] == code) {
			*off = 8ull * k;
			return true;
		}
	}
	return false;
}

static bool has_data(struct em *e, uint32_t t)
{
	return t < e->shnum && e->s[t].data && e->s[t].size >= 8;
}

static bool m_rel_off(struct em *e)
{
	uint32_t t;
	uint8_t *r = rel_entry(e, &t);
	uint64_t off = rd(r, 8), cur = off;
	uint32_t p = fz_rng_below(&e->r, 10);

	if (!has_data(e, t) || p >= 9) {
		off = ONE_OF(&e->r, 0, 4, 7, 0xffffffffu) + (p & 1 ? cur : 0);
	} else if (p < 4) {
		insn_with(e, t, -1, &off);
	} else if (p < 6) {
		if (insn_with(e, t, 0x18, &off))
			off += 8; /* the second half of an ld_imm64 */
	} else if (p < 8) {
		insn_with(e, t, fz_rng_below(&e->r, 2) ? 0x85 : 0x18, &off);
	} else {
		off = cur + (fz_rng_below(&e->r, 2) ? 8 : (uint64_t)-8);
	}
	wr(r, 8, off);
	return off != cur;
}

static uint32_t und_sym(struct em *e)
{
	const uint8_t *st = e->b + e->s[e->symtab].off;
	uint32_t start = fz_rng_below(&e->r, e->nsym);

	for (uint32_t j = 0; j < e->nsym; j++) {
		uint32_t k = (start + j) % e->nsym;

		if (k && rd(st + 24ull * k + 6, 2) == 0)
			return k;
	}
	return fz_rng_below(&e->r, e->nsym);
}

static bool m_rel_info(struct em *e)
{
	uint32_t t, p = fz_rng_below(&e->r, 10);
	uint8_t *r = rel_entry(e, &t);
	uint64_t info = rd(r + 8, 8), sym = info >> 32, type = info & 0xffffffffu;

	if (p < 7 && e->symtab)
		sym = p < 4 ? und_sym(e) : fz_rng_below(&e->r, e->nsym);
	else if (p < 8)
		sym = ONE_OF(&e->r, 0, e->nsym, e->nsym + 1, 0xffffffffu);
	else
		type = ONE_OF(&e->r, 1, 10, 2, 3, 4, 0, 11, 0xff);
	wr(r + 8, 8, sym << 32 | type);
	return true;
}

static bool m_rel_copy(struct em *e)
{
	uint32_t t, t2;
	uint8_t *a = rel_entry(e, &t), *b = rel_entry(e, &t2), tmp[16];

	if (a == b)
		return false;
	memcpy(tmp, a, 16); /* memmove: forged REL sections may overlap */
	if (fz_rng_below(&e->r, 2))
		memmove(b, tmp, 16); /* two relocations at one site */
	else {
		memmove(a, b, 16);
		memmove(b, tmp, 16);
	}
	return true;
}

static bool m_insn(struct em *e)
{
	uint32_t t;
	uint64_t off;
	uint8_t *i;

	if (e->nrels && fz_rng_below(&e->r, 4)) {
		off = rd(rel_entry(e, &t), 8);
		if (!has_data(e, t) || off > e->s[t].size - 8)
			return false;
	} else if (e->nexecs) {
		t = e->execs[fz_rng_below(&e->r, e->nexecs)];
		if (!insn_with(e, t, fz_rng_below(&e->r, 2) ? 0x18 : 0x85, &off))
			return false;
	} else {
		return false;
	}
	i = e->b + e->s[t].off + off;
	switch (fz_rng_below(&e->r, 6)) {
	case 0:
		i[0] = (uint8_t)ONE_OF(&e->r, 0x18, 0x85, 0x18, 0x85, 0xb7, 0x95, 0x00, 0x8d,
				       fz_rng_next(&e->r) & 0xff);
		break;
	case 1: /* src_reg: pseudo kinds (1 map fd, 2 kfunc call / map value, 3 btf id, 4 func) */
		i[1] = (uint8_t)((i[1] & 0x0f) | ONE_OF(&e->r, 0, 1, 2, 3, 4, 5, 6, 15) << 4);
		break;
	case 2:
		i[1] = (uint8_t)((i[1] & 0xf0) | ONE_OF(&e->r, 0, 1, 10, 11, 15));
		break;
	case 3:
		wr(i + 4, 4, ONE_OF(&e->r, 0, 1, 0xffffffffu, 0x7fffffffu, 0x80000000u, 4, 100,
				    fz_rng_next(&e->r)));
		break;
	case 4:
		wr(i + 2, 2, ONE_OF(&e->r, 0, 1, 0xffff, 0x7fff, 0x8000, 2));
		break;
	default: /* the second half of an ld_imm64 */
		if (off + 16 > e->s[t].size)
			return false;
		if (fz_rng_below(&e->r, 2))
			i[8 + fz_rng_below(&e->r, 4)] = (uint8_t)ONE_OF(&e->r, 0, 1, 0x18, 0xff);
		else
			wr(i + 12, 4, ONE_OF(&e->r, 0, 1, 0xffffffffu, 0xffff8000u));
	}
	return true;
}

/* ---- symbols ---------------------------------------------------------------- */

static bool m_sym(struct em *e)
{
	uint32_t k, f = fz_rng_below(&e->r, 10);
	uint8_t *s;

	if (!e->symtab || e->nsym < 2)
		return false;
	k = fz_rng_below(&e->r, 2) ? und_sym(e) : 1 + fz_rng_below(&e->r, e->nsym - 1);
	s = e->b + e->s[e->symtab].off + 24ull * k;
	if (f < 3) {
		uint32_t x = ONE_OF(&e->r, 0, 0xfff1, 0xfff2, 0xffff, 1, 2, 3);

		if (fz_rng_below(&e->r, 2))
			x = e->nexecs && fz_rng_below(&e->r, 2) ? e->execs[fz_rng_below(&e->r, e->nexecs)]
							       : fz_rng_below(&e->r, e->shnum + 1);
		wr(s + 6, 2, x);
	} else if (f < 6) {
		s[4] = (uint8_t)(ONE_OF(&e->r, 0, 1, 2, 2, 1, 10, 13) << 4 |
				 ONE_OF(&e->r, 0, 1, 2, 0, 3, 4, 6, 10));
	} else if (f < 7) {
		s[5] = (uint8_t)ONE_OF(&e->r, 0, 1, 2, 3, 4);
	} else if (f < 8) {
		uint32_t other = fz_rng_below(&e->r, e->nsym);

		memmove(s, e->b + e->s[e->symtab].off + 24ull * other, 4); /* a name used twice */
	} else if (f < 9) {
		wr(s + 8, 8, ONE_OF(&e->r, 0, 8, 16, 4, 0xffffffffu, 1));
	} else {
		wr(s + 16, 8, ONE_OF(&e->r, 0, 8, 16, 4, 0xffffffffu, 1));
	}
	return true;
}

/* ---- .BTF ---------------------------------------------------------------- */

static bool m_btf(struct em *e)
{
	const struct sec *s = &e->s[e->btf];
	uint64_t old_off = s->off, old_len = s->size, end = s->off + s->size;
	size_t room = e->max > e->n ? e->max - e->n : 0, cap, len, span, total;
	uint8_t *tmp, *out;
	int64_t delta;

	if (!e->btf || !s->data || (e->shoff < end && e->shoff + 64ull * e->shnum > old_off))
		return false; /* the section table inside .BTF: leave it */
	cap = (size_t)old_len + (room < 65536 ? room : 65536);
	tmp = malloc(cap ? cap : 1);
	if (!tmp)
		return false;
	memcpy(tmp, e->b + old_off, (size_t)old_len);
	len = fz_mut_btf(tmp, (size_t)old_len, cap, fz_rng_next(&e->r));
	if (!len) {
		free(tmp);
		return false;
	}
	/* pad so that what follows moves by a multiple of 8 (keeps its alignment) */
	span = len + ((8 - ((len - (size_t)old_len) & 7)) & 7);
	delta = (int64_t)span - (int64_t)old_len;
	total = e->n + (size_t)delta;
	if (total > e->max || (uint64_t)span > e->max) {
		free(tmp);
		return false;
	}
	out = malloc(total);
	if (!out) {
		free(tmp);
		return false;
	}
	memcpy(out, e->b, (size_t)old_off);
	memcpy(out + old_off, tmp, len);
	memset(out + old_off + len, 0, span - len);
	memcpy(out + old_off + span, e->b + end, e->n - (size_t)end);
	free(tmp);
	if (e->shoff >= end)
		e->shoff += (uint64_t)delta;
	wr(out + 0x28, 8, e->shoff);
	for (uint32_t i = 0; i < e->shnum; i++) {
		uint8_t *h = out + e->shoff + 64ull * i;

		if (i == e->btf)
			wr(h + 32, 8, len);
		else if (e->s[i].off >= end && e->s[i].off != old_off)
			wr(h + 24, 8, e->s[i].off + (uint64_t)delta);
	}
	memcpy(e->b, out, total);
	e->n = total;
	free(out);
	return true;
}

static bool m_shdr(struct em *e)
{
	uint32_t i = 1 + fz_rng_below(&e->r, e->shnum - 1);
	uint8_t *h = shdr(e, i);

	switch (fz_rng_below(&e->r, 4)) {
	case 0:
		wr(h + 8, 8, rd(h + 8, 8) ^ ONE_OF(&e->r, SHF_EXEC_, 2, 1, 0x40));
		break;
	case 1:
		wr(h + 44, 4, fz_rng_below(&e->r, e->shnum + 1));
		break;
	case 2:
		wr(h + 40, 4, fz_rng_below(&e->r, e->shnum + 1));
		break;
	default:
		wr(h + 56, 8, ONE_OF(&e->r, 0, 8, 16, 24, 1));
	}
	return true;
}

size_t fz_mut_object(uint8_t *buf, size_t size, size_t max, uint32_t seed)
{
	static struct em em; /* no allocation per call; walk() sets what is read */
	struct em *e = &em;
	uint32_t steps, tries;
	bool changed = false;
	size_t out = 0;

	e->r.s = seed ^ 0x656c665fu;
	e->b = buf, e->n = size, e->max = max;
	if (!walk(e))
		goto done;
	steps = 1 + (fz_rng_below(&e->r, 3) ? 0 : fz_rng_below(&e->r, 3));
	for (tries = steps + 6; steps && tries; tries--) {
		uint32_t p = fz_rng_below(&e->r, 100);
		bool ok;

		if (p < 30)
			ok = e->nrels && (p < 12 ? m_rel_off(e) : p < 26 ? m_rel_info(e) : m_rel_copy(e));
		else if (p < 50)
			ok = m_insn(e);
		else if (p < 68)
			ok = m_sym(e);
		else if (p < 96)
			ok = e->btf && m_btf(e);
		else
			ok = e->shnum > 1 && m_shdr(e);
		if (ok) {
			changed = true;
			steps--;
			if (p >= 68 && !walk(e)) /* sections moved or changed */
				break;
		}
	}
	out = changed ? e->n : 0;
done:
	return out;
}
