// SPDX-License-Identifier: BSD-2-Clause
#include <stdlib.h>

#include "btf_copy.h"
#include "error.h"

int ksr_btf_copy__load(const struct ksr_btf *btf, struct ksr_btf_copy *b)
{
	size_t len;
	const uint8_t *raw = ksr_btf__raw(btf, &len);

	memcpy(&b->hdr, raw, sizeof(b->hdr));
	b->offs = ksr_btf__type_offsets(btf, &b->type_cnt);
	b->types_len = b->hdr.type_len;
	b->strs = raw + b->hdr.hdr_len + b->hdr.str_off;
	b->strs_len = b->hdr.str_len;
	b->types = malloc(b->types_len ? b->types_len : 1);
	if (!b->types)
		return ksr_err(ENOMEM, "out of memory");
	memcpy(b->types, raw + b->hdr.hdr_len + b->hdr.type_off, b->types_len);
	return 0;
}

int ksr_btf_copy__emit(const struct ksr_btf_copy *b, const struct ksr_buf *xtypes,
		       const struct ksr_buf *xstrs, struct ksr_buf *out)
{
	struct btf_header h = b->hdr;

	h.type_off = 0;
	h.type_len = b->types_len + (uint32_t)xtypes->len;
	h.str_off = h.type_len;
	h.str_len = b->strs_len + (uint32_t)xstrs->len;
	ksr_buf_put(out, &h, sizeof(h));
	ksr_buf_zero(out, h.hdr_len - sizeof(h));
	ksr_buf_put(out, b->types, b->types_len);
	ksr_buf_put(out, xtypes->data, xtypes->len);
	ksr_buf_put(out, b->strs, b->strs_len);
	return ksr_buf_put(out, xstrs->data, xstrs->len);
}
