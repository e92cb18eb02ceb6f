// SPDX-License-Identifier: BSD-2-Clause
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "insn.h"
#include "kallsyms.h"
#include "profile.h"
#include "rebase.h"
#include "resolve.h"

static unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

/* Message prefix naming a site, for every complaint about it. */
static int site_err(const struct ksr_manifest *m, uint32_t i, const struct ksr_manifest_site *s,
		    const char *what)
{
	const char *name = ksr_manifest__name(m, s);

	return ksr_err(KSR_EMALFORMED, KSR_MANIFEST_SEC ": site %u (%s, section %u offset 0x%llx): %s",
		       i, name && *name ? name : "?", s->sec_idx, ull(s->insn_off), what);
}

/* The kinds of value each (extern kind, instruction) pair may record. */
static bool value_kind_allowed(const struct ksr_manifest_site *s)
{
	bool ld = s->insn == KSR_SITE_LD64;

	if (s->value_kind == KSR_MV_MODULE)
		return s->extern_kind == KSR_EXTERN_FUNC || (ld && s->extern_kind == KSR_EXTERN_VAR);
	switch (s->extern_kind) {
	case KSR_EXTERN_VAR:
		return ld && (s->value_kind == KSR_MV_BTF_ID || s->value_kind == KSR_MV_ZERO);
	case KSR_EXTERN_TYPELESS:
		return ld && (s->value_kind == KSR_MV_ADDR || s->value_kind == KSR_MV_ZERO);
	case KSR_EXTERN_FUNC:
		if (ld)
			return s->value_kind == KSR_MV_BTF_ID || s->value_kind == KSR_MV_ZERO;
		return s->value_kind == KSR_MV_BTF_ID || s->value_kind == KSR_MV_POISON;
	default:
		return false;
	}
}

static const char *check_fields(const struct ksr_manifest *m, const struct ksr_manifest_site *s)
{
	const char *name = ksr_manifest__name(m, s);

	if (!name || !*name)
		return "extern name out of range or empty";
	if (s->insn > KSR_SITE_CALL)
		return "bad instruction kind";
	if (s->value_kind == KSR_MV_MODULE ? s->module >= m->hdr.mod_cnt : s->module != 0)
		return "module index out of range (or set on a site that is not a module's)";
	if (!value_kind_allowed(s))
		return "value kind does not fit the extern kind and instruction";
	if (s->value_kind == KSR_MV_ADDR ? s->addr_class > KSR_ADDR_MODULE : s->addr_class != 0)
		return "bad address class";
	switch (s->value_kind) {
	case KSR_MV_BTF_ID:
	case KSR_MV_MODULE:
		if (s->value == 0 || s->value > INT32_MAX)
			return "BTF id out of range";
		break;
	case KSR_MV_ZERO:
		if (s->value != 0)
			return "zero value is not 0";
		break;
	case KSR_MV_POISON:
		if (s->value < KSR_POISON_CALL_KFUNC_BASE || s->value > INT32_MAX)
			return "poisoned call constant out of range";
		break;
	default:
		break;
	}
	return NULL;
}

/* The instruction bytes of a site, or NULL when it is not 8-aligned inside
 * an executable section with room for its instruction. */
static uint8_t *site_bytes(const struct ksr_rebase_sec *secs, uint32_t sec_cnt,
			   const struct ksr_manifest_site *s)
{
	uint64_t span = ksr_insn__site_len(s->insn);
	const struct ksr_rebase_sec *sec;

	if (s->sec_idx == 0 || s->sec_idx >= sec_cnt)
		return NULL;
	sec = &secs[s->sec_idx];
	if (!sec->exec || !sec->data || s->insn_off % KSR_BPF_INSN_SZ || s->insn_off > sec->size ||
	    span > sec->size - s->insn_off)
		return NULL;
	return sec->data + s->insn_off;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* keys[i]: section and instruction index of site i, for duplicate checks.
 * Sections are below 2^32 and an in-bounds instruction index below 2^32. */
static int check_unique(const struct ksr_manifest *m, uint64_t *keys)
{
	uint32_t n = m->hdr.site_cnt;

	qsort(keys, n, sizeof(*keys), cmp_u64);
	for (uint32_t i = 1; i < n; i++)
		if (keys[i] == keys[i - 1])
			return ksr_err(KSR_EMALFORMED, KSR_MANIFEST_SEC
				       ": two sites name the instruction at section %u offset 0x%llx",
				       (unsigned int)(keys[i] >> 32), ull((keys[i] & 0xffffffffu) * KSR_BPF_INSN_SZ));
	return 0;
}

static void count_site(const struct ksr_manifest_site *s, struct ksr_rebase_counts *c)
{
	switch (s->value_kind) {
	case KSR_MV_BTF_ID: c->btf_ids++; break;
	case KSR_MV_ZERO: c->zero++; break;
	case KSR_MV_POISON: c->poison++; break;
	case KSR_MV_MODULE: c->module++; break;
	case KSR_MV_ADDR:
		if (s->addr_class == KSR_ADDR_KERNEL)
			c->addr_kernel++;
		else if (s->addr_class == KSR_ADDR_FIXED)
			c->addr_fixed++;
		else
			c->addr_module++;
		break;
	default: break;
	}
}

static int verify(const struct ksr_manifest *m, const struct ksr_rebase_sec *secs,
		  uint32_t sec_cnt, struct ksr_rebase_counts *counts, bool modules_only)
{
	uint32_t n = m->hdr.site_cnt;
	uint64_t *keys;
	int err = 0;

	memset(counts, 0, sizeof(*counts));
	keys = malloc((n ? n : 1) * sizeof(*keys));
	if (!keys)
		return ksr_err(ENOMEM, "out of memory");
	for (uint32_t i = 0; i < n && !err; i++) {
		struct ksr_manifest_site s;
		const char *why;
		const uint8_t *p;

		ksr_manifest__site(m, i, &s);
		keys[i] = UINT64_MAX - i; /* unique: skipped sites take no part */
		if (modules_only && s.value_kind != KSR_MV_MODULE)
			continue;
		if ((why = check_fields(m, &s))) {
			err = site_err(m, i, &s, why);
			break;
		}
		if (!(p = site_bytes(secs, sec_cnt, &s))) {
			err = site_err(m, i, &s, "not an aligned instruction inside an executable section");
			break;
		}
		if ((why = ksr_insn__check_site(p, s.insn, s.value_kind, s.value))) {
			err = site_err(m, i, &s, why);
			break;
		}
		keys[i] = (uint64_t)s.sec_idx << 32 | (s.insn_off / KSR_BPF_INSN_SZ);
		count_site(&s, counts);
	}
	if (!err)
		err = check_unique(m, keys);
	free(keys);
	return err;
}

int ksr_rebase__verify(const struct ksr_manifest *m, const struct ksr_rebase_sec *secs,
		       uint32_t sec_cnt, struct ksr_rebase_counts *counts)
{
	return verify(m, secs, sec_cnt, counts, false);
}

int ksr_rebase__verify_modules(const struct ksr_manifest *m, const struct ksr_rebase_sec *secs,
			       uint32_t sec_cnt, struct ksr_rebase_counts *counts)
{
	return verify(m, secs, sec_cnt, counts, true);
}

uint64_t ksr_rebase__slide(uint64_t live_text, uint64_t prof_text)
{
	return live_text - prof_text;
}

static int refuse_module(const struct ksr_manifest *m, uint32_t module_cnt)
{
	for (uint32_t i = 0; i < m->hdr.site_cnt; i++) {
		struct ksr_manifest_site s;

		ksr_manifest__site(m, i, &s);
		if (s.value_kind == KSR_MV_ADDR && s.addr_class == KSR_ADDR_MODULE)
			return ksr_err(KSR_REBASE_EMODULE,
				       "%u site%s hold%s a module address (first: %s = 0x%llx); modules "
				       "load at their own random base, which the slide of _text does "
				       "not give", module_cnt, module_cnt == 1 ? "" : "s",
				       module_cnt == 1 ? "s" : "", ksr_manifest__name(m, &s), ull(s.value));
	}
	return 0;
}

int ksr_rebase__apply(const struct ksr_manifest *m, struct ksr_rebase_sec *secs,
		      uint32_t sec_cnt, uint64_t slide, uint32_t *rebased)
{
	struct ksr_rebase_counts c;
	int err;

	*rebased = 0;
	err = ksr_rebase__verify(m, secs, sec_cnt, &c);
	if (err)
		return err;
	if (c.addr_module)
		return refuse_module(m, c.addr_module);
	/* moving them is the arch's KASLR rule; no arch: the caller's host's */
	if (c.addr_kernel && m->hdr.arch && (err = ksr_arch_kaslr_rule(m->hdr.arch)))
		return err;
	for (uint32_t i = 0; i < m->hdr.site_cnt; i++) {
		struct ksr_manifest_site s;
		uint8_t *p;

		ksr_manifest__site(m, i, &s);
		if (s.value_kind != KSR_MV_ADDR || s.addr_class != KSR_ADDR_KERNEL)
			continue;
		p = site_bytes(secs, sec_cnt, &s);
		ksr_insn__encode_site(p, KSR_SITE_LD64, KSR_MV_ADDR, s.value + slide);
		if (slide)
			(*rebased)++;
	}
	return 0;
}

int ksr_rebase__encode(struct ksr_rebase_sec *secs, uint32_t sec_cnt,
		       const struct ksr_manifest_site *s, enum ksr_manifest_value kind,
		       uint64_t value)
{
	uint8_t *p = site_bytes(secs, sec_cnt, s);

	if (!p)
		return ksr_err(EINVAL, "site outside an executable section");
	if (s->insn == KSR_SITE_CALL) {
		if (!(kind == KSR_MV_BTF_ID && value && value <= INT32_MAX) &&
		    !(kind == KSR_MV_POISON && value >= KSR_POISON_CALL_KFUNC_BASE &&
		      value <= INT32_MAX))
			return ksr_err(EINVAL, "a call can hold a kfunc BTF id or a poisoned helper id");
	} else if (kind == KSR_MV_BTF_ID && (!value || value > INT32_MAX)) {
		return ksr_err(EINVAL, "BTF id out of range");
	} else if (kind == KSR_MV_ZERO && value) {
		return ksr_err(EINVAL, "zero value is not 0");
	} else if (kind != KSR_MV_BTF_ID && kind != KSR_MV_ADDR && kind != KSR_MV_ZERO) {
		return ksr_err(EINVAL, "an ld_imm64 cannot hold a poisoned call");
	}
	ksr_insn__encode_site(p, (enum ksr_site_insn)s->insn, kind, value);
	return 0;
}

/* ---- kallsyms head ------------------------------------------------------ */

int ksr_rebase__scan_text(const char *text, size_t len, uint64_t base, uint64_t *addr,
			  size_t *used)
{
	unsigned int width = 0;
	uint32_t line_no = 0;
	size_t pos = 0;

	*used = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		struct ksr_kallsyms_line l;
		int err;

		if (!nl)
			break;
		line_no++;
		/* line numbers are known only when text starts the file */
		err = ksr_kallsyms__parse_line(text + pos, (size_t)(nl - (text + pos)), &width,
					       base ? 0 : line_no, base + pos, &l);
		if (err) {
			ksr_err_prefix("kallsyms");
			return err;
		}
		pos = (size_t)(nl - text) + 1;
		*used = pos;
		if (!l.module && l.name_len == 5 && !memcmp(l.name, "_text", 5)) {
			*addr = l.addr;
			return 1;
		}
	}
	return 0;
}
