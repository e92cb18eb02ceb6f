// SPDX-License-Identifier: BSD-2-Clause
/* The kernel config of a profile and libbpf 1.1's values for .kconfig
 * externs (bpf_object__resolve_externs, bpf_object__process_kconfig_line,
 * set_kcfg_value_tri/str/num): the facts are libbpf's, the code is ours.
 *
 * Section .ksr.opt.kconfig (docs/profile-format.md): a 16-byte header
 * {u32 cnt, u32 str_len, u32 bad_line, u32 bad_kind}, cnt entries
 * {u32 name_off, u32 value_off} sorted by name (strcmp), then str_len
 * bytes of NUL-terminated strings. Only CONFIG_ lines are kept, the first
 * occurrence of a name (libbpf sets an extern once). bad_line is the first
 * line libbpf refuses (a CONFIG_ line without '=' or with an empty value):
 * libbpf then fails every object that needs the config. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "btf.h"
#include "btf_int.h"
#include "error.h"
#include "fileio.h"
#include "kallsyms.h"
#include "kconfig.h"
#include "object.h"
#include "profile.h"
#include "source.h"

#define HDR 16u

/* ---- reading a config file ------------------------------------------------ */

static int gunzip(const uint8_t *in, size_t in_len, char **text, size_t *len)
{
	size_t cap = 1u << 20, n = 0;
	char *out = malloc(cap + 1);
	z_stream z = { 0 };
	int zr = Z_OK;

	if (!out || inflateInit2(&z, 15 + 16) != Z_OK) {
		free(out);
		return ksr_err(ENOMEM, "out of memory");
	}
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)in_len;
	for (;;) {
		if (n == cap) {
			char *p;

			if (cap >= KSR_KCONFIG_TEXT_MAX) {
				zr = Z_BUF_ERROR;
				break;
			}
			cap *= 2;
			p = realloc(out, cap + 1);
			if (!p) {
				zr = Z_MEM_ERROR;
				break;
			}
			out = p;
		}
		z.next_out = (Bytef *)out + n;
		z.avail_out = (uInt)(cap - n);
		zr = inflate(&z, Z_NO_FLUSH);
		n = cap - z.avail_out;
		if (zr == Z_STREAM_END) {
			/* gzread reads concatenated members as one stream */
			if (!z.avail_in)
				break;
			inflateReset(&z);
			continue;
		}
		if (zr != Z_OK && !(zr == Z_BUF_ERROR && !z.avail_out))
			break;
	}
	inflateEnd(&z);
	if (zr != Z_STREAM_END) {
		free(out);
		if (zr == Z_MEM_ERROR)
			return ksr_err(ENOMEM, "out of memory");
		if (n >= KSR_KCONFIG_TEXT_MAX)
			return ksr_err(KSR_EMALFORMED, "kernel config: more than %u bytes decompressed",
				       KSR_KCONFIG_TEXT_MAX);
		return ksr_err(KSR_EMALFORMED, "kernel config: gzip data damaged or cut short at offset %zu",
			       in_len - z.avail_in);
	}
	out[n] = '\0';
	*text = out;
	*len = n;
	return 0;
}

int ksr_kconfig_read(const char *path, char **text, size_t *len)
{
	void *raw;
	size_t n;
	int err = ksr_read_file(path, KSR_KCONFIG_TEXT_MAX, &raw, &n);

	if (err)
		return err;
	if (n >= 2 && ((uint8_t *)raw)[0] == 0x1f && ((uint8_t *)raw)[1] == 0x8b) {
		err = gunzip(raw, n, text, len);
		free(raw);
		return err;
	}
	*text = raw;  /* ksr_read_file NUL-terminates */
	*len = n;
	return 0;
}

/* ---- building the section ------------------------------------------------- */

struct line {
	const char *name, *value;
	uint32_t name_len, value_len, no;
};

static int cmp_line(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	uint32_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(x->name, y->name, n);

	if (!c)
		c = x->name_len < y->name_len ? -1 : x->name_len > y->name_len;
	if (!c)
		c = x->no < y->no ? -1 : x->no > y->no;
	return c;
}

static void put32(struct ksr_buf *b, uint32_t v)
{
	uint8_t le[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	ksr_buf_put(b, le, 4);
}

int ksr_kconfig_build(const char *text, size_t len, struct ksr_buf *out)
{
	struct line *l = NULL;
	size_t cnt = 0, cap = 0, keep = 0;
	uint32_t bad_line = 0, bad_kind = 0, no = 0, str_len = 1, off;
	const char *p = text, *end = text + len;
	int err = 0;

	if (len > KSR_KCONFIG_TEXT_MAX)
		return ksr_err(KSR_EMALFORMED, "kernel config: more than %u bytes", KSR_KCONFIG_TEXT_MAX);
	if (memchr(text, '\0', len))
		return ksr_err(KSR_EMALFORMED, "kernel config: NUL byte at offset %zu",
			       (size_t)((const char *)memchr(text, '\0', len) - text));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end, *eq;
		size_t ll = (size_t)(e - p);

		no++;
		if (ll > KSR_KCONFIG_LINE_MAX) {
			err = ksr_err(KSR_EMALFORMED, "kernel config: line %u at offset %zu longer than %u bytes",
				      no, (size_t)(p - text), KSR_KCONFIG_LINE_MAX);
			goto out;
		}
		if (ll >= 7 && !memcmp(p, "CONFIG_", 7)) {
			eq = memchr(p, '=', ll);
			if ((!eq || eq + 1 == e) && !bad_line) {
				bad_line = no;
				bad_kind = eq ? KSR_KCONFIG_BAD_NO_VALUE : KSR_KCONFIG_BAD_NO_SEP;
			}
			if (eq && eq + 1 < e) {
				if (cnt == KSR_KCONFIG_ENTRY_MAX) {
					err = ksr_err(KSR_EMALFORMED, "kernel config: more than %u CONFIG_ lines (line %u at offset %zu)",
						      KSR_KCONFIG_ENTRY_MAX, no, (size_t)(p - text));
					goto out;
				}
				if (cnt == cap) {
					struct line *nlp;

					cap = cap ? cap * 2 : 1024;
					nlp = realloc(l, cap * sizeof(*l));
					if (!nlp) {
						err = ksr_err(ENOMEM, "out of memory");
						goto out;
					}
					l = nlp;
				}
				l[cnt++] = (struct line){ p, eq + 1, (uint32_t)(eq - p),
							  (uint32_t)(e - eq - 1), no };
			}
		}
		p = nl ? nl + 1 : end;
	}
	if (cnt)
		qsort(l, cnt, sizeof(*l), cmp_line);
	/* the first occurrence of each name */
	for (size_t i = 0; i < cnt; i++)
		if (!keep || cmp_line(&(struct line){ l[i].name, NULL, l[i].name_len, 0, 0 },
				      &(struct line){ l[keep - 1].name, NULL, l[keep - 1].name_len, 0, 0 }))
			l[keep++] = l[i];
		/* (lines of one name are sorted by line number: the first stays) */
	for (size_t i = 0; i < keep; i++)
		str_len += l[i].name_len + l[i].value_len + 2;
	put32(out, (uint32_t)keep);
	put32(out, str_len);
	put32(out, bad_line);
	put32(out, bad_kind);
	off = 1;
	for (size_t i = 0; i < keep; i++) {
		put32(out, off);
		put32(out, off + l[i].name_len + 1);
		off += l[i].name_len + l[i].value_len + 2;
	}
	ksr_buf_put(out, "", 1);
	for (size_t i = 0; i < keep; i++) {
		ksr_buf_put(out, l[i].name, l[i].name_len);
		ksr_buf_put(out, "", 1);
		ksr_buf_put(out, l[i].value, l[i].value_len);
		ksr_buf_put(out, "", 1);
	}
	if (out->err)
		err = ksr_err(ENOMEM, "out of memory");
out:
	free(l);
	return err;
}

/* ---- reading the section ---------------------------------------------------- */

struct view {
	const struct ksr_profile *prof;
	struct ksr_span s;
	uint32_t cnt, str_len, bad_line, bad_kind;
};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int view_open(const struct ksr_profile *prof, struct view *v)
{
	struct ksr_span s;
	const char *name;
	const uint8_t *h;

	for (uint32_t i = 0; (name = ksr_profile__optional(prof, i, &s)); i++) {
		if (strcmp(name, KSR_KCONFIG_SEC))
			continue;
		h = ksr_span_get(&s, 0, HDR);
		if (!h)
			return s.len < HDR ? ksr_err(KSR_EMALFORMED, "%s: %llu bytes, shorter than its header",
						   KSR_KCONFIG_SEC, (unsigned long long)s.len) :
					   ksr_profile__read_error(prof);
		v->prof = prof;
		v->s = s;
		v->cnt = rd32(h);
		v->str_len = rd32(h + 4);
		v->bad_line = rd32(h + 8);
		v->bad_kind = rd32(h + 12);
		if (v->cnt > KSR_KCONFIG_ENTRY_MAX || v->bad_kind > KSR_KCONFIG_BAD_NO_VALUE ||
		    s.len != HDR + 8ull * v->cnt + v->str_len || !v->str_len)
			return ksr_err(KSR_EMALFORMED, "%s: header (counts, sizes) does not match its size %llu",
				       KSR_KCONFIG_SEC, (unsigned long long)s.len);
		return 0;
	}
	return -ENOENT;
}

/* The value of name, NULL when absent; -KSR_EMALFORMED in *err for a bad
 * entry (offsets outside the strings, a name out of order), or the
 * profile's read error when a read failed. */
static const char *view_find(const struct view *v, const char *name, int *err)
{
	uint64_t base = HDR + 8ull * v->cnt;
	struct ksr_span strs;
	uint32_t lo = 0, hi = v->cnt;

	if (!ksr_span_sub(&v->s, base, v->str_len, &strs)) {
		*err = ksr_err(KSR_EMALFORMED, "%s: strings outside the section", KSR_KCONFIG_SEC);
		return NULL;
	}
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const uint8_t *e = ksr_span_get(&v->s, HDR + 8ull * mid, 8);
		const char *n = e ? ksr_span_str(&strs, rd32(e)) : NULL;
		const char *val = e ? ksr_span_str(&strs, rd32(e + 4)) : NULL;
		int c;

		if (!n || !val || rd32(e) == 0 ||
		    rd32(e + 4) != rd32(e) + strlen(n) + 1) {
			/* a read that failed is not damage (the span answers NULL for both) */
			*err = ksr_profile__read_error(v->prof);
			if (!*err)
				*err = ksr_err(KSR_EMALFORMED, "%s: entry %u at offset %llu names no string pair",
					       KSR_KCONFIG_SEC, mid, (unsigned long long)(HDR + 8ull * mid));
			return NULL;
		}
		c = strcmp(name, n);
		if (!c)
			return val;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

int ksr_kconfig_info(const struct ksr_profile *prof, uint32_t *cnt, uint32_t *bad_line,
		     uint32_t *bad_kind)
{
	struct view v;
	int err = view_open(prof, &v);

	if (err)
		return err;
	*cnt = v.cnt;
	*bad_line = v.bad_line;
	*bad_kind = v.bad_kind;
	return 0;
}

/* ---- libbpf's values ----------------------------------------------------------- */

enum kt { KT_BOOL, KT_TRI, KT_CHAR, KT_INT, KT_ARR };

static const char *const kt_name[] = { "bool", "tristate", "char", "int", "char[]" };

static enum kt kcfg_type(const struct ksr_btf *btf, uint32_t id, bool *is_signed)
{
	int r = ksr_btf__skip_mods(btf, id);
	const struct btf_type *t = r > 0 ? ksr_btf__type_by_id(btf, (uint32_t)r) : NULL;

	*is_signed = false;
	if (!t)
		return KT_INT;  /* the object layer accepted only the types below */
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT: {
		uint32_t enc = BTF_INT_ENCODING(*(const uint32_t *)(t + 1));

		if (enc & BTF_INT_BOOL)
			return KT_BOOL;
		*is_signed = enc & BTF_INT_SIGNED;
		return t->size == 1 ? KT_CHAR : KT_INT;
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return KT_TRI;
	default:
		return KT_ARR;
	}
}

struct ctx {
	struct ksr_kcfg_res *r;
	enum kt type;
	bool is_signed;
	uint32_t size;
	uint8_t *val;
};

static int fail(struct ctx *c, enum ksr_kconfig_status st, const char *fmt, ...) KSR_PRINTF(3, 4);
static int fail(struct ctx *c, enum ksr_kconfig_status st, const char *fmt, ...)
{
	va_list ap;

	c->r->v.status = st;
	va_start(ap, fmt);
	vsnprintf(c->r->reason, sizeof(c->r->reason), fmt, ap);
	va_end(ap);
	return 0;
}

/* set_kcfg_value_num() */
static int set_num(struct ctx *c, uint64_t v, const char *text)
{
	unsigned int bits = c->size * 8;

	if (c->type != KT_INT && c->type != KT_CHAR && c->type != KT_BOOL)
		return fail(c, KSR_KCONFIG_INVALID, "value '%s' implies integer, char, or boolean type", text);
	if (c->type == KT_BOOL && v > 1)
		return fail(c, KSR_KCONFIG_INVALID, "value '%s' isn't boolean compatible", text);
	if (c->size != 8 && (c->is_signed ? v + (1ull << (bits - 1)) >= (1ull << bits) : v >> bits))
		return fail(c, KSR_KCONFIG_INVALID, "value '%s' doesn't fit in the type", text);
	for (uint32_t i = 0; i < c->size && i < 8; i++)
		c->val[i] = (uint8_t)(v >> (8 * i));  /* BPF targets here are little-endian */
	c->r->v.status = KSR_KCONFIG_SET;
	return 0;
}

/* bpf_object__process_kconfig_line() for the extern's line value */
static int set_config(struct ctx *c, const char *value)
{
	switch (value[0]) {
	case 'y': case 'n': case 'm':
		if (c->type == KT_BOOL && value[0] == 'm')
			return fail(c, KSR_KCONFIG_INVALID, "value '%s' implies tristate or char type", value);
		if (c->type == KT_BOOL)
			c->val[0] = value[0] == 'y';
		else if (c->type == KT_TRI)
			c->val[0] = value[0] == 'y' ? 1 : value[0] == 'm' ? 2 : 0;  /* TRI_YES, TRI_MODULE */
		else if (c->type == KT_CHAR)
			c->val[0] = (uint8_t)value[0];
		else
			return fail(c, KSR_KCONFIG_INVALID, "value '%s' implies bool, tristate, or char type", value);
		c->r->v.status = KSR_KCONFIG_SET;
		return 0;
	case '"': {
		size_t len = strlen(value);

		if (c->type != KT_ARR)
			return fail(c, KSR_KCONFIG_INVALID, "value '%s' implies char array type", value);
		/* libbpf strips the first and last character; with one '"' it reads out of bounds */
		if (len < 2 || value[len - 1] != '"')
			return fail(c, KSR_KCONFIG_INVALID, "invalid string config '%s'", value);
		len -= 2;
		if (len >= c->size)
			len = c->size - 1;  /* libbpf truncates, with a warning */
		memcpy(c->val, value + 1, len);
		c->r->v.status = KSR_KCONFIG_SET;
		return 0;
	}
	default: {
		char *e;
		uint64_t v;

		errno = 0;
		v = strtoull(value, &e, 0);
		if (errno || *e)
			return fail(c, KSR_KCONFIG_INVALID, "value '%s' isn't a valid integer", value);
		if (c->type != KT_INT && c->type != KT_CHAR)
			return fail(c, KSR_KCONFIG_INVALID, "value '%s' implies integer type", value);
		return set_num(c, v, value);
	}
	}
}

/* The kernel has helper BPF_FUNC_get_attach_cookie: its enum bpf_func_id
 * names it (libbpf probes by loading a program that calls it). */
static int has_cookie(const struct ksr_btf *btf)
{
	uint32_t n = ksr_btf__type_cnt(btf);

	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = ksr_btf__type_by_id(btf, id);
		const struct btf_enum *m;
		const char *name;

		if (!t)
			return -1;
		if (BTF_INFO_KIND(t->info) != BTF_KIND_ENUM ||
		    !(name = ksr_btf__str(btf, t->name_off)) || strcmp(name, "bpf_func_id"))
			continue;
		m = (const struct btf_enum *)(t + 1);
		for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++)
			if ((name = ksr_btf__str(btf, m[i].name_off)) &&
			    !strcmp(name, "BPF_FUNC_get_attach_cookie"))
				return 1;
		return 0;
	}
	return 0;
}

/* libbpf's arch_specific_syscall_pfx() for the kernel's architecture */
static const char *syscall_pfx(const char *arch)
{
	static const char *const map[][2] = {
		{ "x86_64", "x64" }, { "aarch64", "arm64" }, { "s390x", "s390x" },
		{ "riscv64", "riscv" }, { "ppc64le", "powerpc" }, { "ppc64", "powerpc" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(arch, map[i][0]))
			return map[i][1];
	return NULL;
}

static int set_virtual(struct ctx *c, const struct ksr_extern *e, const struct ksr_profile *prof)
{
	char text[32];
	uint64_t v;

	if (!strcmp(e->name, "LINUX_KERNEL_VERSION")) {
		const char *rel = ksr_profile__release(prof);
		unsigned int a, b, p;

		if (!strcmp(rel, "unknown"))
			return fail(c, KSR_KCONFIG_UNKNOWN, "the profile records no kernel release");
		if (sscanf(rel, "%u.%u.%u", &a, &b, &p) != 3)
			return fail(c, KSR_KCONFIG_INVALID, "release '%s' is not N.N.N: libbpf fails to get the kernel version", rel);
		v = ((uint64_t)a << 16) + ((uint64_t)b << 8) + (p > 255 ? 255 : p);
		v &= 0xffffffffu;  /* get_kernel_version() returns __u32 */
		if (!v)
			return fail(c, KSR_KCONFIG_INVALID, "release '%s' gives version 0: libbpf fails to get the kernel version", rel);
	} else if (!strcmp(e->name, "LINUX_HAS_BPF_COOKIE")) {
		int r = has_cookie(ksr_profile__btf(prof));

		if (r < 0)
			return fail(c, KSR_KCONFIG_UNKNOWN, "%s", "the profile's BTF could not be read");
		v = (uint64_t)r;
	} else if (!strcmp(e->name, "LINUX_HAS_SYSCALL_WRAPPER")) {
		const char *pfx = syscall_pfx(ksr_profile__arch(prof));
		char sym[48];
		uint32_t first, n;

		if (!pfx)
			return fail(c, KSR_KCONFIG_UNKNOWN, "architecture '%s': no syscall prefix known",
				    ksr_profile__arch(prof));
		snprintf(sym, sizeof(sym), "__%s_sys_bpf", pfx);
		v = ksr_kallsyms__lookup(ksr_profile__kallsyms(prof), sym, &first, &n) == 0;
	} else if (!strncmp(e->name, "LINUX_", 6) && e->weak) {
		c->r->v.status = KSR_KCONFIG_DEFAULT;
		return 0;
	} else {
		return fail(c, KSR_KCONFIG_INVALID, "'%s': unrecognized virtual extern (libbpf knows CONFIG_* and three LINUX_*)",
			    e->name);
	}
	snprintf(text, sizeof(text), "%llu", (unsigned long long)v);
	return set_num(c, v, text);
}

/* The value as the program sees it, for reports. */
static void format_value(struct ctx *c)
{
	char *o = c->r->value;
	size_t cap = sizeof(c->r->value);
	uint64_t u = 0;

	for (uint32_t i = 0; i < c->size && i < 8; i++)
		u |= (uint64_t)c->val[i] << (8 * i);
	switch (c->type) {
	case KT_BOOL:
		snprintf(o, cap, "%s", u ? "true" : "false");
		break;
	case KT_TRI:
		snprintf(o, cap, "%s", (u & 0xffffffffu) == 1 ? "TRI_YES" : (u & 0xffffffffu) == 2 ? "TRI_MODULE" : "TRI_NO");
		break;
	case KT_ARR: {
		size_t n = strnlen((const char *)c->val, c->size);

		if (n > cap - 3)
			n = cap - 3;
		snprintf(o, cap, "\"%.*s\"", (int)n, (const char *)c->val);
		break;
	}
	default:
		if (c->is_signed && c->size < 8 && (u >> (c->size * 8 - 1)) & 1)
			u |= ~0ull << (c->size * 8);
		if (c->is_signed)
			snprintf(o, cap, "%lld", (long long)u);
		else
			snprintf(o, cap, "%llu", (unsigned long long)u);
	}
}

int ksr_kconfig_eval(const struct ksr_object *obj, const struct ksr_profile *prof,
		     struct ksr_kcfg_res **out, size_t *cnt, uint8_t **data, size_t *data_len)
{
	size_t n = ksr_object__kconfig_cnt(obj), off = 0;
	struct ksr_kcfg_res *res;
	uint8_t *buf;
	struct view v;
	int have = -1, err = 0;

	*out = NULL;
	*cnt = 0;
	*data = NULL;
	*data_len = 0;
	if (!n)
		return 0;
	res = calloc(n, sizeof(*res));
	for (size_t k = 0; k < n; k++) {
		const struct ksr_obj_kconfig *kc = ksr_object__kconfig(obj, k);
		uint32_t al = kc->align ? kc->align : 1;

		off = (off + al - 1) / al * al;
		if (res) {
			res[k].v.offset = (uint32_t)off;
			res[k].v.size = kc->size;
		}
		off += kc->size;
	}
	buf = calloc(off ? off : 1, 1);
	if (!res || !buf) {
		free(res);
		free(buf);
		return ksr_err(ENOMEM, "out of memory");
	}
	for (size_t k = 0; k < n && !err; k++) {
		const struct ksr_obj_kconfig *kc = ksr_object__kconfig(obj, k);
		const struct ksr_extern *e = &kc->ext;
		struct ctx c = { &res[k], 0, false, kc->size, buf + res[k].v.offset };

		c.type = kcfg_type(ksr_object__btf(obj), e->type_id, &c.is_signed);
		res[k].v.name = e->name;
		res[k].v.weak = e->weak;
		res[k].v.type = kt_name[c.type];
		res[k].v.value = res[k].value;
		res[k].v.reason = res[k].reason;
		if (strncmp(e->name, "CONFIG_", 7)) {
			set_virtual(&c, e, prof);
		} else {
			const char *val;

			if (have < 0) {
				have = view_open(prof, &v);
				if (have != -ENOENT && have) {
					err = have;
					break;
				}
				have = have == 0;
			}
			if (!have) {
				fail(&c, KSR_KCONFIG_UNKNOWN, "%s", "the profile records no kernel config (capture it again, or profile --config)");
			} else if (v.bad_line) {
				char line[16];

				snprintf(line, sizeof(line), "%u", v.bad_line);
				fail(&c, KSR_KCONFIG_INVALID,
				     v.bad_kind == KSR_KCONFIG_BAD_NO_SEP ?
				     "the kernel config's line %s has no '=': libbpf refuses the whole config" :
				     "the kernel config's line %s has no value: libbpf refuses the whole config", line);
			} else if ((val = view_find(&v, e->name, &err))) {
				set_config(&c, val);
			} else if (!err) {
				c.r->v.status = e->weak ? KSR_KCONFIG_DEFAULT : KSR_KCONFIG_MISSING;
				if (!e->weak)
					fail(&c, KSR_KCONFIG_MISSING, "%s", "not in the kernel config: libbpf fails the load (strong extern not resolved)");
			}
		}
		if (res[k].v.status == KSR_KCONFIG_SET || res[k].v.status == KSR_KCONFIG_DEFAULT) {
			if (res[k].v.status == KSR_KCONFIG_DEFAULT)
				memset(c.val, 0, c.size);
			format_value(&c);
		} else {
			memset(c.val, 0, c.size);
		}
	}
	if (!err)
		err = ksr_profile__read_error(prof);
	if (err) {
		free(res);
		free(buf);
		return err;
	}
	*out = res;
	*cnt = n;
	*data = buf;
	*data_len = off;
	return 0;
}

/* ---- baking: the .kconfig DATASEC becomes a read-only data section's ------------- */

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);  /* BTF in BPF objects here is little-endian, like the host */
}

static int cmp_vsi(const void *a, const void *b)
{
	uint32_t x = rd32((const uint8_t *)a + 4), y = rd32((const uint8_t *)b + 4);

	return x < y ? -1 : x > y;
}

int ksr_kconfig_bake_btf(struct ksr_buf *btf, const struct ksr_kcfg_res *res, size_t n,
			 uint32_t data_len)
{
	uint8_t *d = btf->data;
	uint32_t hdr_len, type_off, type_len, str_off, str_len, cnt = 1, vlen;
	uint64_t p, end, sec_at = 0, *offs = NULL;
	uint8_t *sec;

	if (btf->len < 24 || (rd32(d) & 0xffff) != BTF_MAGIC)
		return ksr_err(EPROTO, "internal error: rewritten BTF has no header");
	hdr_len = rd32(d + 4);
	type_off = rd32(d + 8);
	type_len = rd32(d + 12);
	str_off = rd32(d + 16);
	str_len = rd32(d + 20);
	/* strings last, so a name can be appended */
	if ((uint64_t)hdr_len + str_off + str_len != btf->len || (uint64_t)type_off + type_len > str_off)
		return ksr_err(EPROTO, "internal error: rewritten BTF is not laid out types, then strings");
	offs = malloc(((size_t)type_len / KSR_BTF_TYPE_LEN + 2) * sizeof(*offs));
	if (!offs)
		return ksr_err(ENOMEM, "out of memory");
	/* each type's offset; the DATASEC named .kconfig */
	for (p = hdr_len + type_off, end = p + type_len; p + KSR_BTF_TYPE_LEN <= end; cnt++) {
		const struct btf_type *t = (const struct btf_type *)(d + p);
		unsigned int k = ksr_btf_kind(t);

		if (k == BTF_KIND_UNKN || k >= NR_BTF_KINDS) {
			free(offs);
			return ksr_err(EPROTO, "internal error: rewritten BTF has kind %u", k);
		}
		offs[cnt] = p;
		if (k == BTF_KIND_DATASEC && t->name_off < str_len &&
		    !strcmp((const char *)d + hdr_len + str_off + t->name_off, ".kconfig"))
			sec_at = p;
		p += ksr_btf_rec_len(k, ksr_btf_vlen(t));
	}
	if (!sec_at) {
		free(offs);
		return ksr_err(EPROTO, "internal error: no .kconfig DATASEC to bake");
	}
	if (ksr_buf_put(btf, KSR_KCONFIG_BAKED_SEC, sizeof(KSR_KCONFIG_BAKED_SEC))) {
		free(offs);
		return ksr_err(ENOMEM, "out of memory");
	}
	d = btf->data;
	wr32(d + 20, str_len + (uint32_t)sizeof(KSR_KCONFIG_BAKED_SEC));
	sec = d + sec_at;
	wr32(sec, str_len);                        /* name_off: the new string */
	wr32(sec + 8, data_len);                   /* size: the section's */
	vlen = ksr_btf_vlen((const struct btf_type *)sec);
	for (uint32_t i = 0; i < vlen; i++) {
		uint8_t *vs = sec + KSR_BTF_TYPE_LEN + (size_t)i * 12;
		uint32_t id = rd32(vs);
		uint8_t *var;
		const char *name;

		if (!id || id >= cnt)
			continue;
		var = d + offs[id];
		name = rd32(var) < str_len ? (const char *)d + hdr_len + str_off + rd32(var) : "";
		if (BTF_INFO_KIND(rd32(var + 4)) != BTF_KIND_VAR)
			continue;
		for (size_t k = 0; k < n; k++)
			if (!strcmp(res[k].v.name, name)) {
				wr32(vs + 4, res[k].v.offset);
				wr32(vs + 8, res[k].v.size);
				wr32(var + KSR_BTF_TYPE_LEN, BTF_VAR_GLOBAL_ALLOCATED);
			}
	}
	qsort(sec + KSR_BTF_TYPE_LEN, vlen, 12, cmp_vsi);
	free(offs);
	return 0;
}
