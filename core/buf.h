/* SPDX-License-Identifier: BSD-2-Clause */
/* A growable byte buffer for building output images, and zeroed arrays. */
#ifndef KSR_BUF_H
#define KSR_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* calloc() without its trap: a fresh calloc'd page is the shared zero page
 * until written, so a table that is read before it is written (a hash
 * table's probes, a visit-state array) takes a second fault on the first
 * write, and replacing the zero page flushes the TLB of every CPU running
 * the process: one IPI per page, ~20 % of capture's main thread in a VM.
 * Zeroing by writing takes one plain fault per page. NULL on overflow. */
static inline void *ksr_zalloc(size_t n, size_t size)
{
	size_t len;
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	len = n * size;
	p = malloc(len ? len : 1);
	if (p)
		memset(p, 0, len);
	return p;
}

struct ksr_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	int err;      /* sticky: the first allocation failure */
};

static inline int ksr_buf_reserve(struct ksr_buf *b, size_t more)
{
	size_t need, cap;
	uint8_t *p;

	if (b->err)
		return b->err;
	if (more > SIZE_MAX / 2 - b->len)
		return b->err = ksr_err(ENOMEM, "output too large");
	need = b->len + more;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 4096;
	while (cap < need)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p)
		return b->err = ksr_err(ENOMEM, "out of memory (%zu bytes)", cap);
	b->data = p;
	b->cap = cap;
	return 0;
}

static inline int ksr_buf_put(struct ksr_buf *b, const void *p, size_t n)
{
	if (ksr_buf_reserve(b, n))
		return b->err;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

static inline int ksr_buf_zero(struct ksr_buf *b, size_t n)
{
	if (ksr_buf_reserve(b, n))
		return b->err;
	memset(b->data + b->len, 0, n);
	b->len += n;
	return 0;
}

/* Pads with zeros to a multiple of align (a power of two, or 0/1). */
static inline int ksr_buf_align(struct ksr_buf *b, uint64_t align)
{
	size_t pad;

	if (align <= 1)
		return b->err;
	pad = (size_t)((align - (b->len & (align - 1))) & (align - 1));
	return ksr_buf_zero(b, pad);
}

static inline void ksr_buf_free(struct ksr_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

#endif
