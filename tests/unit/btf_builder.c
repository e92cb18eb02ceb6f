// SPDX-License-Identifier: BSD-2-Clause
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/btf.h>

#include "btf_builder.h"


static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	while (*cap < need)
		*cap = *cap ? *cap * 2 : 64;
	p = realloc(p, *cap * elem);
	assert_non_null(p);
	return p;
}

void bb_init(struct bb *b)
{
	memset(b, 0, sizeof(*b));
	b->s = grow(b->s, &b->caps, 1, 1);
	b->s[0] = '\0';
	b->ns = 1;
}

void bb_free(struct bb *b)
{
	free(b->w);
	free(b->s);
	free(b->rec);
}

uint32_t bb_str(struct bb *b, const char *s)
{
	size_t len, off = b->ns;

	if (!s)
		return 0;
	len = strlen(s) + 1;
	b->s = grow(b->s, &b->caps, b->ns + len, 1);
	memcpy(b->s + b->ns, s, len);
	b->ns += len;
	return (uint32_t)off;
}

void bb_w(struct bb *b, uint32_t v)
{
	b->w = grow(b->w, &b->capw, b->nw + 1, sizeof(*b->w));
	b->w[b->nw++] = v;
}

uint32_t bb_t(struct bb *b, const char *name, unsigned int kind, unsigned int kflag,
		     unsigned int vlen, uint32_t size_or_type)
{
	uint32_t id = ++b->n;

	b->rec = grow(b->rec, &b->caprec, id + 1, sizeof(*b->rec));
	b->rec[id] = b->nw;
	bb_w(b, bb_str(b, name));
	bb_w(b, (uint32_t)kflag << 31 | (uint32_t)kind << 24 | vlen);
	bb_w(b, size_or_type);
	return id;
}

/* The words of type id (valid until the next addition). */
uint32_t *bb_rec(struct bb *b, uint32_t id)
{
	return b->w + b->rec[id];
}

/* Byte offset in the blob of word i of type id. */
uint32_t bb_off(struct bb *b, uint32_t id, uint32_t word)
{
	return (uint32_t)(24 + 4 * (b->rec[id] + word));
}

uint8_t *bb_blob(struct bb *b, size_t *len)
{
	uint32_t tl = (uint32_t)(b->nw * 4), sl = (uint32_t)b->ns;
	struct btf_header h = { BTF_MAGIC, BTF_VERSION, 0, 24, 0, tl, tl, sl };
	uint8_t *p = malloc(24 + tl + sl);

	assert_non_null(p);
	memcpy(p, &h, 24);
	if (tl)
		memcpy(p + 24, b->w, tl);
	memcpy(p + 24 + tl, b->s, sl);
	*len = 24 + tl + sl;
	return p;
}

