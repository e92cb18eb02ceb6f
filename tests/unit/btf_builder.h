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
	uint32_t str_base;  /* split BTF: base's string section length */
};

void bb_init(struct bb *b);
/* Split BTF on top of a base with start_id types (void included) and a
 * start_str-byte string section: ids and string offsets continue theirs. */
void bb_init_split(struct bb *b, uint32_t start_id, uint32_t start_str);
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

/* Kernel-style types on top (vmlinux conventions: named FUNC_PROTO
 * parameters, static FUNCs, allocated global VARs). */
uint32_t kb_int(struct bb *b, const char *name, uint32_t size, uint32_t enc, uint32_t bit_off,
		uint32_t bits);
uint32_t kb_ref(struct bb *b, unsigned int kind, const char *name, uint32_t type);
/* A struct with a single member at offset 0. */
uint32_t kb_struct1(struct bb *b, const char *name, uint32_t size, const char *member,
		    uint32_t type);
uint32_t kb_array(struct bb *b, uint32_t elem, uint32_t index, uint32_t nelems);
uint32_t kb_enum64_1(struct bb *b, const char *name, const char *val_name, uint64_t val);
uint32_t kb_proto(struct bb *b, uint32_t ret, unsigned int n, const char *const *names,
		  const uint32_t *types);
uint32_t kb_func(struct bb *b, const char *name, uint32_t proto);
uint32_t kb_var(struct bb *b, const char *name, uint32_t type);
/* Entries at 8-aligned offsets, in the given order. */
uint32_t kb_datasec(struct bb *b, const char *name, unsigned int n, const uint32_t *vars,
		    const uint32_t *sizes);
uint32_t kb_kfunc_tag(struct bb *b, uint32_t func);

#endif
