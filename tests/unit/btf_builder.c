// SPDX-License-Identifier: BSD-2-Clause
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
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

void bb_init_split(struct bb *b, uint32_t start_id, uint32_t start_str)
{
	bb_init(b);
	b->ns = 0; /* no empty string of its own: offset 0 is base's */
	b->n = start_id - 1;
	b->str_base = start_str;
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
	return b->str_base + (uint32_t)off;
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

/* ---- kernel-style types --------------------------------------------------- */

uint32_t kb_int(struct bb *b, const char *name, uint32_t size, uint32_t enc, uint32_t bit_off,
		uint32_t bits)
{
	uint32_t id = bb_t(b, name, BTF_KIND_INT, false, 0, size);

	bb_w(b, enc << 24 | bit_off << 16 | bits);
	return id;
}

uint32_t kb_ref(struct bb *b, unsigned int kind, const char *name, uint32_t type)
{
	return bb_t(b, name, kind, false, 0, type);
}

/* A struct with a single member at offset 0. */
uint32_t kb_struct1(struct bb *b, const char *name, uint32_t size, const char *member,
		    uint32_t type)
{
	uint32_t id = bb_t(b, name, BTF_KIND_STRUCT, false, 1, size);

	bb_w(b, bb_str(b, member));
	bb_w(b, type);
	bb_w(b, 0);
	return id;
}

uint32_t kb_array(struct bb *b, uint32_t elem, uint32_t index, uint32_t nelems)
{
	uint32_t id = bb_t(b, NULL, BTF_KIND_ARRAY, false, 0, 0);

	bb_w(b, elem);
	bb_w(b, index);
	bb_w(b, nelems);
	return id;
}

uint32_t kb_enum64_1(struct bb *b, const char *name, const char *val_name, uint64_t val)
{
	uint32_t id = bb_t(b, name, BTF_KIND_ENUM64, false, 1, 8);

	bb_w(b, bb_str(b, val_name));
	bb_w(b, (uint32_t)val);
	bb_w(b, (uint32_t)(val >> 32));
	return id;
}

/* Kernel FUNC_PROTOs name their parameters (the kernel's btf_func_check). */
uint32_t kb_proto(struct bb *b, uint32_t ret, unsigned int n, const char *const *names,
		  const uint32_t *types)
{
	uint32_t id = bb_t(b, NULL, BTF_KIND_FUNC_PROTO, false, n, ret);

	for (unsigned int i = 0; i < n; i++) {
		bb_w(b, bb_str(b, names[i]));
		bb_w(b, types[i]);
	}
	return id;
}

/* vmlinux FUNCs have static linkage (vlen 0). */
uint32_t kb_func(struct bb *b, const char *name, uint32_t proto)
{
	return bb_t(b, name, BTF_KIND_FUNC, false, BTF_FUNC_STATIC, proto);
}

uint32_t kb_var(struct bb *b, const char *name, uint32_t type)
{
	uint32_t id = bb_t(b, name, BTF_KIND_VAR, false, 0, type);

	bb_w(b, BTF_VAR_GLOBAL_ALLOCATED);
	return id;
}

/* Entries at 8-aligned offsets, in the given order. */
uint32_t kb_datasec(struct bb *b, const char *name, unsigned int n, const uint32_t *vars,
		    const uint32_t *sizes)
{
	uint32_t off = 0, id;

	for (unsigned int i = 0; i < n; i++)
		off = (off + sizes[i] + 7) & ~7u;
	id = bb_t(b, name, BTF_KIND_DATASEC, false, n, off);
	off = 0;
	for (unsigned int i = 0; i < n; i++) {
		bb_w(b, vars[i]);
		bb_w(b, off);
		bb_w(b, sizes[i]);
		off = (off + sizes[i] + 7) & ~7u;
	}
	return id;
}

uint32_t kb_kfunc_tag(struct bb *b, uint32_t func)
{
	uint32_t id = bb_t(b, "bpf_kfunc", BTF_KIND_DECL_TAG, false, 0, func);

	bb_w(b, (uint32_t)-1);
	return id;
}
