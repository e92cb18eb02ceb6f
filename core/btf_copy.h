/* SPDX-License-Identifier: BSD-2-Clause */
/* A writable copy of a parsed BTF's type section, emitted again in the
 * canonical layout with types and strings appended: what the rewrites of an
 * object's BTF (ksyms_btf.c) and libbpf's load-time DATASEC fixups
 * (object_datasecs.c) work on. Records are read and written as raw words at
 * the byte offsets below; the parse has checked every record's bounds. */
#ifndef KSR_BTF_COPY_H
#define KSR_BTF_COPY_H

#include <stdint.h>
#include <string.h>

#include "btf.h"
#include "buf.h"

/* Byte offsets inside BTF records. */
#define KSR_BTF_T_NAME 0
#define KSR_BTF_T_INFO 4
#define KSR_BTF_T_SIZE 8        /* also "type" */
#define KSR_BTF_T_EXTRA 12      /* first byte after struct btf_type */
#define KSR_BTF_SECINFO_SZ 12   /* struct btf_var_secinfo */
#define KSR_BTF_PARAM_SZ 8      /* struct btf_param */

struct ksr_btf_copy {
	struct btf_header hdr;
	uint8_t *types;          /* owned, mutable copy of the type section */
	uint32_t types_len;
	const uint8_t *strs;
	uint32_t strs_len;
	const uint32_t *offs;    /* from the parsed BTF */
	uint32_t type_cnt;
};

static inline uint32_t ksr_btf_rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline void ksr_btf_wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Copies btf's type section; free b->types when done. */
int ksr_btf_copy__load(const struct ksr_btf *btf, struct ksr_btf_copy *b);

/* Header, types (+ xtypes), strings (+ xstrs), appended to out. */
int ksr_btf_copy__emit(const struct ksr_btf_copy *b, const struct ksr_buf *xtypes,
		       const struct ksr_buf *xstrs, struct ksr_buf *out);

/* The record of type id (1 <= id < type_cnt). */
static inline uint8_t *ksr_btf_copy__type(const struct ksr_btf_copy *b, uint32_t id)
{
	return b->types + b->offs[id];
}

/* The name of record r, "" when it has none or it is out of range. */
static inline const char *ksr_btf_copy__name(const struct ksr_btf *btf, const uint8_t *r)
{
	const char *s = ksr_btf__str(btf, ksr_btf_rd32(r + KSR_BTF_T_NAME));

	return s ? s : "";
}

#endif
