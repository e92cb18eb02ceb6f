/* SPDX-License-Identifier: BSD-2-Clause */
/* Shared by the BTF parser tests (test_btf.c, test_btf_kinds.c): one writer
 * per BTF kind that spells out every field, so a test can break any one of
 * them, and assertions that a blob parses, or fails with -EBADMSG and a
 * message holding the given parts. Unlike the kb_* writers of
 * btf_builder.h, nothing here follows a convention: the caller chooses. */
#ifndef KSR_BTF_CHECK_H
#define KSR_BTF_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include <linux/btf.h>

#include "btf.h"
#include "btf_builder.h"

#define K KSR_BTF_MODE_KERNEL
#define O KSR_BTF_MODE_OBJECT

/* ---- writers: those returning uint32_t write a type and return its id;
 * the void ones append one member, value, parameter or entry to the type
 * written just before. */
uint32_t INT(struct bb *b, const char *name, uint32_t size, uint32_t bits, uint32_t enc);
uint32_t REF(struct bb *b, unsigned int kind, const char *name, uint32_t type);
uint32_t AGGR(struct bb *b, unsigned int kind, const char *name, uint32_t size, uint32_t vlen,
	      unsigned int kflag);
void MEMBER(struct bb *b, const char *name, uint32_t type, uint32_t bitoff);
uint32_t ENUM(struct bb *b, const char *name, uint32_t size, uint32_t vlen);
void ENUMVAL(struct bb *b, const char *name, int32_t val);
uint32_t ENUM64(struct bb *b, const char *name, uint32_t size, uint32_t vlen);
void ENUM64VAL(struct bb *b, const char *name, uint64_t val);
uint32_t FWD(struct bb *b, const char *name, unsigned int is_union);
uint32_t FUNC(struct bb *b, const char *name, uint32_t proto, unsigned int linkage);
uint32_t PROTO(struct bb *b, uint32_t ret, uint32_t vlen);
void PARAM(struct bb *b, const char *name, uint32_t type);
uint32_t VAR(struct bb *b, const char *name, uint32_t type, uint32_t linkage);
uint32_t DATASEC(struct bb *b, const char *name, uint32_t size, uint32_t vlen);
void SECINFO(struct bb *b, uint32_t type, uint32_t off, uint32_t size);
uint32_t FLOAT(struct bb *b, const char *name, uint32_t size);
uint32_t DECL_TAG(struct bb *b, const char *value, uint32_t target, int32_t idx);

#define ARRAY(b, elem, index, nelems) kb_array(b, elem, index, nelems)
#define PTR(b, t) REF(b, BTF_KIND_PTR, NULL, t)
#define CONST(b, t) REF(b, BTF_KIND_CONST, NULL, t)
#define VOLATILE(b, t) REF(b, BTF_KIND_VOLATILE, NULL, t)
#define RESTRICT(b, t) REF(b, BTF_KIND_RESTRICT, NULL, t)
#define TYPEDEF(b, n, t) REF(b, BTF_KIND_TYPEDEF, n, t)
#define TYPE_TAG(b, n, t) REF(b, BTF_KIND_TYPE_TAG, n, t)
#define STRUCT(b, n, sz, vlen) AGGR(b, BTF_KIND_STRUCT, n, sz, vlen, 0)
#define UNION(b, n, sz, vlen) AGGR(b, BTF_KIND_UNION, n, sz, vlen, 0)

/* ---- assertions: file and line are the caller's, for the failure message */
void bad_blob(const void *blob, size_t len, enum ksr_btf_mode mode, const char *n1,
	      const char *n2, const char *file, int line);
void bad_bb(struct bb *b, enum ksr_btf_mode mode, const char *n1, const char *n2,
	    const char *file, int line);
struct ksr_btf *ok_blob(const void *blob, size_t len, enum ksr_btf_mode mode, const char *file,
			int line);
struct ksr_btf *ok_bb(struct bb *b, enum ksr_btf_mode mode, const char *file, int line);

#define BAD(b, mode, n1, n2) bad_bb((b), (mode), (n1), (n2), __FILE__, __LINE__)
#define BAD2(b, n1, n2) do { BAD(b, K, n1, n2); BAD(b, O, n1, n2); } while (0)
#define BADRAW(p, l, mode, n1, n2) bad_blob((p), (l), (mode), (n1), (n2), __FILE__, __LINE__)
#define OK(b, mode) ksr_btf__free(ok_bb((b), (mode), __FILE__, __LINE__))
#define OK2(b) do { OK(b, K); OK(b, O); } while (0)
#define OKRAW(p, l, mode) ksr_btf__free(ok_blob((p), (l), (mode), __FILE__, __LINE__))

#endif
