/* SPDX-License-Identifier: BSD-2-Clause */
/* A bounded read cursor over untrusted bytes. Every parser reads through it:
 * all loads are memcpy-based (no unaligned casts), every length and offset is
 * checked in 64-bit arithmetic before use, and a failed read never moves. */
#ifndef KSR_CURSOR_H
#define KSR_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct ksr_cur {
	const uint8_t *base;
	size_t len;
	size_t pos;
};

static inline struct ksr_cur ksr_cur_make(const void *p, size_t len)
{
	/* empty sections have no data pointer; NULL + 0 is still UB */
	static const uint8_t empty[1];
	struct ksr_cur c = { p ? (const uint8_t *)p : empty, p ? len : 0, 0 };
	return c;
}

/* true when [off, off+len) lies inside [0, total) without overflow */
static inline bool ksr_range_ok(uint64_t off, uint64_t len, uint64_t total)
{
	return off <= total && len <= total - off;
}

static inline size_t ksr_cur_left(const struct ksr_cur *c)
{
	return c->len - c->pos;
}

static inline bool ksr_cur_seek(struct ksr_cur *c, uint64_t off)
{
	if (off > c->len)
		return false;
	c->pos = (size_t)off;
	return true;
}

static inline bool ksr_cur_skip(struct ksr_cur *c, uint64_t n)
{
	if (n > ksr_cur_left(c))
		return false;
	c->pos += (size_t)n;
	return true;
}

/* Points *p at the next n bytes and advances past them. */
static inline bool ksr_cur_bytes(struct ksr_cur *c, uint64_t n, const uint8_t **p)
{
	if (n > ksr_cur_left(c))
		return false;
	*p = c->base + c->pos;
	c->pos += (size_t)n;
	return true;
}

static inline bool ksr_cur_copy(struct ksr_cur *c, void *dst, size_t n)
{
	const uint8_t *p;

	if (!ksr_cur_bytes(c, n, &p))
		return false;
	memcpy(dst, p, n);
	return true;
}

static inline bool ksr_cur_u8(struct ksr_cur *c, uint8_t *v)  { return ksr_cur_copy(c, v, 1); }
static inline bool ksr_cur_u16(struct ksr_cur *c, uint16_t *v) { return ksr_cur_copy(c, v, 2); }
static inline bool ksr_cur_u32(struct ksr_cur *c, uint32_t *v) { return ksr_cur_copy(c, v, 4); }
static inline bool ksr_cur_u64(struct ksr_cur *c, uint64_t *v) { return ksr_cur_copy(c, v, 8); }

/* A sub-cursor over [off, off+len) of c, independent of c's position. */
static inline bool ksr_cur_sub(const struct ksr_cur *c, uint64_t off, uint64_t len,
			       struct ksr_cur *sub)
{
	if (!ksr_range_ok(off, len, c->len))
		return false;
	*sub = ksr_cur_make(c->base + off, (size_t)len);
	return true;
}

/* Loads at an absolute offset, position untouched. */
static inline bool ksr_cur_u32_at(const struct ksr_cur *c, uint64_t off, uint32_t *v)
{
	if (!ksr_range_ok(off, 4, c->len))
		return false;
	memcpy(v, c->base + off, 4);
	return true;
}

static inline bool ksr_cur_u64_at(const struct ksr_cur *c, uint64_t off, uint64_t *v)
{
	if (!ksr_range_ok(off, 8, c->len))
		return false;
	memcpy(v, c->base + off, 8);
	return true;
}

/* The NUL-terminated string at off, or NULL when off is out of range or the
 * string runs past the end of the cursor. */
static inline const char *ksr_cur_str_at(const struct ksr_cur *c, uint64_t off)
{
	const void *nul;

	if (off >= c->len)
		return NULL;
	nul = memchr(c->base + off, '\0', c->len - (size_t)off);
	return nul ? (const char *)(c->base + off) : NULL;
}

#endif
