// SPDX-License-Identifier: BSD-2-Clause
/* .BTF.ext validation (docs/bad-inputs.md, classes X1-X9). Nothing here is kept: the patcher
 * copies .BTF.ext unchanged, so it only has to be proven consistent with
 * .BTF and with the code it describes. Rules follow libbpf's
 * btf_ext_parse() and btf_ext_parse_sec_info(), plus per-record checks:
 * the section named exists and is code, every insn_off is an instruction
 * boundary inside it, func_info points at FUNCs, line_info strings and
 * core_relo types/access strings resolve. No allocation depends on the
 * record counts. */
#include <elf.h>
#include <linux/btf.h>
#include <stdlib.h>
#include <string.h>

#include "btf.h"
#include "cursor.h"
#include "error.h"
#include "object_priv.h"

#define EXT_HDR_MIN 24u       /* through line_info_len */
#define EXT_HDR_CORE 32u      /* through core_relo_len */
#define EXT_MAX_REC 252u      /* the kernel's MAX_FUNCINFO_REC_SIZE */
#define CORE_RELO_KIND_MAX 12u  /* BPF_CORE_TYPE_MATCHES */
#define CORE_ACCESS_MAX_PARTS 64u  /* libbpf's BPF_CORE_SPEC_MAX_LEN */

enum info_kind { INFO_FUNC, INFO_LINE, INFO_CORE };

static const char *const info_name[] = { "func_info", "line_info", "core_relo" };
static const uint32_t info_min_rec[] = { 8, 16, 16 };

struct ext_ctx {
	struct ksr_object *obj;
	const struct ksr_obj_sec *sec;   /* .BTF.ext */
	struct ksr_cur all;              /* the whole section */
	uint32_t hdr_len;
};

static inline unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

#define X_ERR(ctx, off, fmt, ...)                                                     \
	ksr_err(KSR_EMALFORMED, ".BTF.ext: " fmt " (file offset 0x%llx)", ##__VA_ARGS__, \
		ull((ctx)->sec->offset + (off)))

static int check_header(struct ext_ctx *x, uint32_t hdr[6], bool *has_core)
{
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len;
	struct ksr_cur c = x->all;

	if (!ksr_cur_u16(&c, &magic) || !ksr_cur_u8(&c, &version) || !ksr_cur_u8(&c, &flags) ||
	    !ksr_cur_u32(&c, &hdr_len))
		return X_ERR(x, 0, "header truncated (%zu bytes)", x->all.len);
	if (magic != BTF_MAGIC)
		return X_ERR(x, 0, "bad magic 0x%04x", magic);
	if (version != BTF_VERSION)
		return X_ERR(x, 2, "unsupported version %u", version);
	if (flags)
		return X_ERR(x, 3, "unsupported flags 0x%x", flags);
	if (hdr_len < EXT_HDR_MIN || hdr_len % 4 || hdr_len >= x->all.len)
		return X_ERR(x, 4, "header length %u invalid for a %zu-byte section", hdr_len, x->all.len);
	*has_core = hdr_len >= EXT_HDR_CORE;
	for (unsigned int i = 0; i < (*has_core ? 6u : 4u); i++) {
		if (!ksr_cur_u32(&c, &hdr[i]))
			return X_ERR(x, c.pos, "header truncated");
	}
	for (uint32_t off = EXT_HDR_CORE; off < hdr_len; off++) {
		if (x->all.base[off])
			return X_ERR(x, off, "unknown non-zero header field at byte %u", off);
	}
	x->hdr_len = hdr_len;
	return 0;
}

/* An access string is "N(:N)*", each N a non-negative int, with at most
 * libbpf's BPF_CORE_SPEC_MAX_LEN (64) components, so checking one costs a
 * bounded number of steps. */
static bool access_str_ok(const char *s)
{
	unsigned int parts = 0;

	for (;;) {
		unsigned int digits = 0;
		uint64_t v = 0;

		if (*s < '0' || *s > '9' || ++parts > CORE_ACCESS_MAX_PARTS)
			return false;
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (uint64_t)(*s++ - '0');
			if (v > INT32_MAX || ++digits > 10)
				return false;
		}
		if (*s == '\0')
			return true;
		if (*s++ != ':')
			return false;
	}
}

/* X7/X8 for one record; rec points at its first byte in the section. */
static int check_record(const struct ext_ctx *x, enum info_kind k, const struct ksr_obj_sec *code,
			uint64_t rec, uint32_t idx, uint32_t *prev, bool first)
{
	const struct ksr_btf *btf = x->obj->btf;
	uint32_t f[4] = { 0 };
	unsigned int nf = k == INFO_FUNC ? 2 : 4;

	for (unsigned int i = 0; i < nf; i++) {
		if (!ksr_cur_u32_at(&x->all, rec + 4 * i, &f[i]))
			return X_ERR(x, rec, "%s: record %u truncated", info_name[k], idx);
	}
	if (f[0] % KSR_BPF_INSN_SZ || f[0] >= code->size ||
	    (x->obj->slots[code->idx][f[0] / KSR_BPF_INSN_SZ] & KSR_SLOT_LD64_HI))
		return X_ERR(x, rec, "%s: '%s' record %u: insn_off 0x%x is not an instruction of the section",
			     info_name[k], code->name, idx, f[0]);
	if (k != INFO_CORE && !first && f[0] <= *prev)
		return X_ERR(x, rec, "%s: '%s' record %u: insn_off 0x%x does not increase", info_name[k],
			     code->name, idx, f[0]);
	*prev = f[0];
	if (k == INFO_FUNC) {
		const struct btf_type *t = ksr_btf__type_by_id(btf, f[1]);

		if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_FUNC)
			return X_ERR(x, rec, "func_info: '%s' record %u: type %u is not a FUNC", code->name,
				     idx, f[1]);
	} else if (k == INFO_LINE) {
		if (!ksr_btf__str(btf, f[1]) || !ksr_btf__str(btf, f[2]))
			return X_ERR(x, rec, "line_info: '%s' record %u: string offset out of range",
				     code->name, idx);
	} else {
		const char *acc = ksr_btf__str(btf, f[2]);

		if (!ksr_btf__type_by_id(btf, f[1]))
			return X_ERR(x, rec, "core_relo: '%s' record %u: type %u out of range", code->name,
				     idx, f[1]);
		if (!acc || !access_str_ok(acc))
			return X_ERR(x, rec, "core_relo: '%s' record %u: invalid access string", code->name,
				     idx);
		if (f[3] > CORE_RELO_KIND_MAX)
			return X_ERR(x, rec, "core_relo: '%s' record %u: unknown kind %u", code->name, idx,
				     f[3]);
	}
	return 0;
}

/* One btf_ext_info_sec: {sec_name_off, num_info, records}. *pos advances. */
static int check_info_sec(const struct ext_ctx *x, enum info_kind k, uint64_t *pos, uint64_t end,
			  uint32_t rec_size)
{
	uint32_t name_off, num, prev = 0;
	const struct ksr_obj_sec *code;
	const char *name;
	uint64_t start = *pos;

	if (end - *pos < 8 || !ksr_cur_u32_at(&x->all, *pos, &name_off) ||
	    !ksr_cur_u32_at(&x->all, *pos + 4, &num))
		return X_ERR(x, *pos, "%s: section header truncated", info_name[k]);
	if (num == 0 || (uint64_t)num * rec_size > end - *pos - 8)
		return X_ERR(x, *pos, "%s: %u records of %u bytes do not fit", info_name[k], num, rec_size);
	name = ksr_btf__str(x->obj->btf, name_off);
	code = name ? ksr_object__sec_by_name(x->obj, name) : NULL;
	if (!code || !(code->flags & SHF_EXECINSTR) || !code->size)
		return X_ERR(x, start, "%s: sec_name_off 0x%x names no code section ('%s')", info_name[k],
			     name_off, name ? name : "?");
	*pos += 8;
	for (uint32_t i = 0; i < num; i++, *pos += rec_size) {
		int err = check_record(x, k, code, *pos, i, &prev, i == 0);

		if (err)
			return err;
	}
	return 0;
}

/* X2, X4, X5: one of func_info, line_info, core_relo. */
static int check_info(const struct ext_ctx *x, enum info_kind k, uint32_t off, uint32_t len)
{
	uint64_t pos = (uint64_t)x->hdr_len + off, end;
	uint32_t rec_size;
	int err;

	if (len == 0)
		return 0;
	if (off % 4 || !ksr_range_ok(pos, len, x->all.len))
		return X_ERR(x, 0, "%s: 0x%x+0x%x is misaligned or past the end", info_name[k], off, len);
	end = pos + len;
	if (len < 4 || !ksr_cur_u32_at(&x->all, pos, &rec_size))
		return X_ERR(x, pos, "%s: record size missing", info_name[k]);
	if (rec_size < info_min_rec[k] || rec_size % 4 || rec_size > EXT_MAX_REC)
		return X_ERR(x, pos, "%s: invalid record size %u", info_name[k], rec_size);
	pos += 4;
	if (pos == end)
		return X_ERR(x, pos, "%s: no records", info_name[k]);
	while (pos < end) {
		err = check_info_sec(x, k, &pos, end, rec_size);
		if (err)
			return err;
	}
	return 0;
}

int ksr_obj_check_btf_ext(struct ksr_object *obj, const struct ksr_obj_sec *sec)
{
	struct ext_ctx x = { obj, sec, ksr_cur_make(sec->data, (size_t)sec->size), 0 };
	uint32_t hdr[6] = { 0 };
	bool has_core = false;
	int err;

	if (!obj->btf)
		return X_ERR(&x, 0, "present without .BTF");
	err = check_header(&x, hdr, &has_core);
	if (!err)
		err = check_info(&x, INFO_FUNC, hdr[0], hdr[1]);
	if (!err)
		err = check_info(&x, INFO_LINE, hdr[2], hdr[3]);
	if (!err && has_core)
		err = check_info(&x, INFO_CORE, hdr[4], hdr[5]);
	return err;
}
