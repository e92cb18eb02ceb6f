/* SPDX-License-Identifier: BSD-2-Clause */
/* A tiny BTF builder shared by the unit tests: types are appended as raw
 * words, strings as NUL-terminated names; bb_blob() gives a raw BTF blob
 * (24-byte header, types, strings). Allocation failures fail the test. */
#ifndef KSR_BTF_BUILDER_H
#define KSR_BTF_BUILDER_H

#include <stddef.h>
#include <stdint.h>

struct bb {
	uint32_t *w;        /* type section words */
	size_t nw, capw;
	char *s;            /* string section */
	size_t ns, caps;
	size_t *rec;        /* rec[id]: word index of type id */
	size_t caprec;
	uint32_t n;         /* last type id */
};

void bb_init(struct bb *b);
void bb_free(struct bb *b);
/* Appends a name; returns its offset (0 for NULL). */
uint32_t bb_str(struct bb *b, const char *s);
void bb_w(struct bb *b, uint32_t v);
/* Starts a type record (name_off, info, size or type); returns its id. */
uint32_t bb_t(struct bb *b, const char *name, unsigned int kind, unsigned int kflag,
	      unsigned int vlen, uint32_t size_or_type);
/* The words of type id (valid until the next addition). */
uint32_t *bb_rec(struct bb *b, uint32_t id);
/* Byte offset in the blob of word i of type id. */
uint32_t bb_off(struct bb *b, uint32_t id, uint32_t word);
/* The blob, malloc()ed. */
uint8_t *bb_blob(struct bb *b, size_t *len);

#endif
