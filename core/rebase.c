// SPDX-License-Identifier: BSD-2-Clause
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "patch.h"
#include "rebase.h"

#define INSN_SZ 8u
#define CODE_LD_IMM64 0x18   /* BPF_LD | BPF_DW | BPF_IMM */
#define CODE_CALL 0x85       /* BPF_JMP | BPF_CALL */
#define SRC_BTF_ID 3         /* BPF_PSEUDO_BTF_ID */
#define SRC_KFUNC_CALL 2     /* BPF_PSEUDO_KFUNC_CALL */

/* The instruction fields the checks look at. */
struct insn {
	uint8_t code;
	uint8_t dst;
	uint8_t src;
	int16_t off;
	uint32_t imm;
};

static struct insn insn_at(const uint8_t *p)
{
	struct insn i;

	i.code = p[0];
	i.dst = p[1] & 0x0f;
	i.src = (uint8_t)(p[1] >> 4);
	memcpy(&i.off, p + 2, 2);
	memcpy(&i.imm, p + 4, 4);
	return i;
}

static void put_imm(uint8_t *p, uint32_t imm)
{
	memcpy(p + 4, &imm, 4);
}

static void put_src(uint8_t *p, uint8_t src)
{
	p[1] = (uint8_t)((p[1] & 0x0f) | (src << 4));
}

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
	if (s->insn > KSR_SITE_CALL || s->reserved != 0)
		return "bad instruction kind or reserved field";
	if (!value_kind_allowed(s))
		return "value kind does not fit the extern kind and instruction";
	if (s->value_kind == KSR_MV_ADDR ? s->addr_class > KSR_ADDR_MODULE : s->addr_class != 0)
		return "bad address class";
	switch (s->value_kind) {
	case KSR_MV_BTF_ID:
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
	uint64_t span = s->insn == KSR_SITE_LD64 ? 2 * INSN_SZ : INSN_SZ;
	const struct ksr_rebase_sec *sec;

	if (s->sec_idx == 0 || s->sec_idx >= sec_cnt)
		return NULL;
	sec = &secs[s->sec_idx];
	if (!sec->exec || !sec->data || s->insn_off % INSN_SZ || s->insn_off > sec->size ||
	    span > sec->size - s->insn_off)
		return NULL;
	return sec->data + s->insn_off;
}

/* Do the bytes encode exactly the recorded value? */
static const char *check_encoding(const struct ksr_manifest_site *s, const uint8_t *p)
{
	struct insn a = insn_at(p);

	if (s->insn == KSR_SITE_CALL) {
		uint8_t src = s->value_kind == KSR_MV_BTF_ID ? SRC_KFUNC_CALL : 0;

		if (a.code != CODE_CALL || a.dst != 0 || a.src != src || a.off != 0)
			return "instruction is not the recorded call";
		if (a.imm != (uint32_t)s->value)
			return "call immediate differs from the recorded value";
		return NULL;
	} else {
		struct insn b = insn_at(p + INSN_SZ);
		uint8_t src = s->value_kind == KSR_MV_BTF_ID ? SRC_BTF_ID : 0;
		uint64_t v = (uint64_t)b.imm << 32 | a.imm;

		if (a.code != CODE_LD_IMM64 || a.src != src || a.off != 0 || b.code != 0 ||
		    b.dst != 0 || b.src != 0 || b.off != 0)
			return "instruction is not the recorded ld_imm64";
		if (v != s->value)
			return "ld_imm64 value differs from the recorded value";
		return NULL;
	}
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
				       (unsigned int)(keys[i] >> 32), ull((keys[i] & 0xffffffffu) * INSN_SZ));
	return 0;
}

static void count_site(const struct ksr_manifest_site *s, struct ksr_rebase_counts *c)
{
	switch (s->value_kind) {
	case KSR_MV_BTF_ID: c->btf_ids++; break;
	case KSR_MV_ZERO: c->zero++; break;
	case KSR_MV_POISON: c->poison++; break;
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

int ksr_rebase__verify(const struct ksr_manifest *m, const struct ksr_rebase_sec *secs,
		       uint32_t sec_cnt, struct ksr_rebase_counts *counts)
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
		if ((why = check_fields(m, &s))) {
			err = site_err(m, i, &s, why);
			break;
		}
		if (!(p = site_bytes(secs, sec_cnt, &s))) {
			err = site_err(m, i, &s, "not an aligned instruction inside an executable section");
			break;
		}
		if ((why = check_encoding(&s, p))) {
			err = site_err(m, i, &s, why);
			break;
		}
		keys[i] = (uint64_t)s.sec_idx << 32 | (s.insn_off / INSN_SZ);
		count_site(&s, counts);
	}
	if (!err)
		err = check_unique(m, keys);
	free(keys);
	return err;
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
	for (uint32_t i = 0; i < m->hdr.site_cnt; i++) {
		struct ksr_manifest_site s;
		uint8_t *p;
		uint64_t v;

		ksr_manifest__site(m, i, &s);
		if (s.value_kind != KSR_MV_ADDR || s.addr_class != KSR_ADDR_KERNEL)
			continue;
		p = site_bytes(secs, sec_cnt, &s);
		v = s.value + slide;
		put_imm(p, (uint32_t)v);
		put_imm(p + INSN_SZ, (uint32_t)(v >> 32));
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
	int16_t zero = 0;

	if (!p)
		return ksr_err(EINVAL, "site outside an executable section");
	if (s->insn == KSR_SITE_CALL) {
		if (kind == KSR_MV_BTF_ID && value && value <= INT32_MAX)
			p[1] = SRC_KFUNC_CALL << 4;
		else if (kind == KSR_MV_POISON && value >= KSR_POISON_CALL_KFUNC_BASE &&
			 value <= INT32_MAX)
			p[1] = 0;
		else
			return ksr_err(EINVAL, "a call can hold a kfunc BTF id or a poisoned helper id");
		p[0] = CODE_CALL;
		memcpy(p + 2, &zero, 2);
		put_imm(p, (uint32_t)value);
		return 0;
	}
	switch (kind) {
	case KSR_MV_BTF_ID:
		if (!value || value > INT32_MAX)
			return ksr_err(EINVAL, "BTF id out of range");
		put_src(p, SRC_BTF_ID);
		put_imm(p, (uint32_t)value);
		put_imm(p + INSN_SZ, 0);
		return 0;
	case KSR_MV_ADDR:
	case KSR_MV_ZERO:
		if (kind == KSR_MV_ZERO && value)
			return ksr_err(EINVAL, "zero value is not 0");
		put_src(p, 0);
		put_imm(p, (uint32_t)value);
		put_imm(p + INSN_SZ, (uint32_t)(value >> 32));
		return 0;
	default:
		return ksr_err(EINVAL, "an ld_imm64 cannot hold a poisoned call");
	}
}

/* ---- kallsyms head ------------------------------------------------------ */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One line without its '\n': 1 when it is vmlinux's _text, 0 otherwise. */
static int scan_line(const char *l, size_t len, uint64_t *addr)
{
	uint64_t a = 0;
	size_t i = 0;
	int d;

	while (i < len && (d = hexval(l[i])) >= 0) {
		if (i == 16)
			return -1;
		a = a << 4 | (uint64_t)d;
		i++;
	}
	if (i == 0 || len - i < 4 || l[i] != ' ' || l[i + 2] != ' ' || l[i + 1] == ' ')
		return -1;
	i += 3;
	if (len - i == 5 && !memcmp(l + i, "_text", 5)) {
		*addr = a;
		return 1;
	}
	return 0;
}

int ksr_rebase__scan_text(const char *text, size_t len, uint64_t base, uint64_t *addr,
			  size_t *used)
{
	size_t pos = 0;

	*used = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		int r;

		if (!nl)
			break;
		r = scan_line(text + pos, (size_t)(nl - (text + pos)), addr);
		if (r < 0)
			return ksr_err(KSR_EMALFORMED, "kallsyms: line is not '<hex address> <type> "
				       "<name>' (offset 0x%llx)", ull(base + pos));
		pos = (size_t)(nl - text) + 1;
		*used = pos;
		if (r)
			return 1;
	}
	return 0;
}
