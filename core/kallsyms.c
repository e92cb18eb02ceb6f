// SPDX-License-Identifier: BSD-2-Clause
/* kallsyms and System.map text: a strict one-pass parser and an O(1) index.
 *
 * Grammar decisions (the classes K1-K16 of docs/bad-inputs.md):
 * - A line is `<addr> <type> <name>` plus optionally `\t[<module>]`, ended by
 *   '\n'; the last line may lack it. Nothing else is accepted: no blank lines
 *   (a kernel never prints one, so one means the file was edited or cut), no
 *   CR (CRLF), no second space, no trailing blank.
 * - The address is 8 or 16 hex digits (either case), no prefix, no sign; the
 *   first line fixes the width for the whole file.
 * - Type letters: A a B b D d G g N n R r S s T t U u V v W w. That is what
 *   scripts/kallsyms.c and `nm` put into vmlinux and System.map, plus what
 *   the module loader's elf_type() emits (g/s: small data). '?' (a symbol in
 *   no known section) and C/I/i never name a resolvable kernel object.
 * - Names are 1..511 bytes in 0x21..0x7e: kernel names are ASCII, and
 *   anything else is refused rather than carried to a terminal (K13). Module
 *   names follow the same rule without '[' and ']', also at most 511 bytes.
 * - Neither field is scanned past 512 bytes, so no line is ever read beyond
 *   about 1.1 KiB (K1); files hold at most KSR_KSYM_MAX_LINES lines and less
 *   than 4 GiB (string offsets are 32-bit).
 * - A 'd' symbol whose name contains ".llvm." at a position > 0 is keyed by
 *   the part before the first ".llvm." (libbpf >= 1.5, kallsyms_cb()).
 * - Duplicates are kept; lookup returns the whole run, lowest address first.
 *   What an ambiguous name means is the resolver's policy (K7).
 *
 * Hash flooding (K14): XXH3 is not keyed, so a crafted file could collide
 * names on purpose. Building the index counts probes and refuses the input
 * once they exceed a budget that random names never approach, and refuses
 * a table with a run of KSR_HASH_PROBE_MAX occupied slots or a name with
 * more than KSR_KSYM_RUN_MAX records; lookups stop at the same bounds
 * whatever the table holds (a forged profile), so a lookup costs at most
 * KSR_HASH_PROBE_MAX slots and KSR_KSYM_RUN_MAX records. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "hash.h"
#include "kallsyms.h"
#include "source.h"

#define KSR_KSYM_MODULE_MAX KSR_KSYM_NAME_MAX
#define KSR_KSYM_SLOTS_MAX (1u << 30)

/* Every lookup reads through the spans (parsed tables: spans over the
 * owned arrays); the pointers are set when the tables are in memory. */
struct ksr_kallsyms {
	const struct ksr_ksym *syms;
	const char *strs;
	const uint32_t *slots;
	struct ksr_span syms_sp;
	struct ksr_span strs_sp;
	struct ksr_span slots_sp;
	uint32_t sym_cnt;
	uint32_t strs_len;
	uint32_t slot_cnt;
	unsigned int addr_width;
	/* storage of a parsed table; NULL in an indexed view */
	struct ksr_ksym *own_syms;
	char *own_strs;
	uint32_t *own_slots;
	/* the first lookup that found the index malformed (BAD_*), kept for
	 * ksr_kallsyms__index_error(); written through const views */
	_Atomic uint64_t *bad;
	_Atomic uint64_t bad_own;
};

/* bad: the kind in the top byte, the slot or record index + 1 below */
#define BAD_PROBE (1ull << 56)
#define BAD_RUN (2ull << 56)

static struct ksr_kallsyms *ks_new(void)
{
	struct ksr_kallsyms *ks = calloc(1, sizeof(*ks));

	if (ks) {
		atomic_init(&ks->bad_own, 0);
		ks->bad = &ks->bad_own;
	}
	return ks;
}

/* ---- character classes -------------------------------------------------- */

/* hex digit value + 1; 0 = not a hex digit */
static const uint8_t hex_tab[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7,
	['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14,
	['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15,
	['F'] = 16,
};

static bool is_name_byte(uint8_t c)
{
	return (uint8_t)(c - 0x21) < 0x5e;
}

/* The first byte in [s, limit) outside 0x21..0x7e, eight at a time. */
static const char *scan_name(const char *s, const char *limit)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;

	while (limit - s >= 8) {
		uint64_t x;

		memcpy(&x, s, 8);
		/* a byte < 0x21, or a byte > 0x7e (top bit set after adding 1) */
		if (((x - 0x21 * ones) & ~x & high) | (((x + ones) | x) & high))
			break;
		s += 8;
	}
	while (s < limit && is_name_byte((uint8_t)*s))
		s++;
	return s;
}

static bool is_type_letter(uint8_t c)
{
	switch (c) {
	case 'A': case 'a': case 'B': case 'b': case 'D': case 'd':
	case 'G': case 'g': case 'N': case 'n': case 'R': case 'r':
	case 'S': case 's': case 'T': case 't': case 'U': case 'u':
	case 'V': case 'v': case 'W': case 'w':
		return true;
	default:
		return false;
	}
}

static bool is_data_type(uint8_t c)
{
	switch (c) {
	case 'D': case 'd': case 'B': case 'b': case 'R': case 'r':
		return true;
	default:
		return false;
	}
}

/* Printable description of an input byte for messages (K13: never echo raw
 * control or non-ASCII bytes). */
static const char *byte_desc(uint8_t c, char *buf, size_t n)
{
	switch (c) {
	case ' ':
		return "a space";
	case '\t':
		return "a tab";
	case '\n':
		return "the end of the line";
	case '\0':
		return "a NUL byte";
	case '\r':
		return "a carriage return (CRLF line endings are not accepted)";
	default:
		break;
	}
	if (is_name_byte(c) && c != '\'')
		snprintf(buf, n, "'%c'", c);
	else
		snprintf(buf, n, "byte 0x%02x", c);
	return buf;
}

/* ---- the parser --------------------------------------------------------- */

_Static_assert(KSR_KSYM_MAX_LINES <= UINT32_MAX / 2, "line indexes fit 32 bits");

/* Module names are few and usually repeat line after line: a one-entry cache
 * in front of a small open-addressing set of string-table offsets. */
struct ks_modset {
	uint32_t *offs; /* 0 = empty */
	uint32_t cap;   /* power of two */
	uint32_t cnt;
	uint64_t probes;
	size_t last_len;   /* 0: no last name */
	uint32_t last_off;
};

/* The state of one parse. Lines are parsed in order from pos up to end,
 * which is the end of the input or, while it is still arriving (streaming),
 * the end of its last complete line. The arrays grow as lines are added
 * (one-shot parses size them exactly up front). */
struct ks_parse {
	const char *text;  /* start of the input (streaming: of the current window) */
	uint64_t base;     /* offset of text in the input */
	const char *end;
	const char *pos;   /* start of the next line to parse */
	struct ksr_ksym *syms;
	uint32_t *hash;    /* per line: ksr_hash64(key), truncated */
	uint32_t n;        /* lines parsed */
	uint32_t cap;      /* room in syms and hash */
	char *strs;
	uint32_t strs_len;
	size_t strs_cap;
	unsigned int width;
	bool nonzero;
	bool text_seen;    /* a vmlinux _text line was parsed */
	uint64_t text_off; /* its offset */
	bool streaming;    /* grow generously: the final size is unknown */
	struct ks_modset mods;
};

struct ks_line {
	const char *text; /* start of the input or window, for offsets */
	uint64_t base;    /* offset of text in the input */
	const char *p;    /* start of the line, for columns */
	uint32_t no;      /* 1-based; 0 when not known */
};

static int line_err(const struct ks_line *ln, const char *at, const char *fmt, ...)
	KSR_PRINTF(3, 4);

static int line_err(const struct ks_line *ln, const char *at, const char *fmt, ...)
{
	char what[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!ln->no)
		return ksr_err(KSR_EMALFORMED, "column %zu: %s (offset 0x%zx)", (size_t)(at - ln->p) + 1,
			       what, (size_t)(ln->base + (uint64_t)(at - ln->text)));
	return ksr_err(KSR_EMALFORMED, "line %" PRIu32 ", column %zu: %s (offset 0x%zx)", ln->no,
		       (size_t)(at - ln->p) + 1, what, (size_t)(ln->base + (uint64_t)(at - ln->text)));
}

static bool at_eol(const struct ks_parse *ps, const char *s)
{
	return s == ps->end || *s == '\n';
}

/* s + n, or end when that is nearer; no pointer past end is formed. */
static const char *cap_ptr(const char *s, const char *end, size_t n)
{
	return (size_t)(end - s) > n ? s + n : end;
}

/* Budget for linear probing: random keys at load <= 1/2 average about 2.5
 * probes per insert; only deliberately colliding names come near this. */
static bool probes_ok(uint64_t probes, uint64_t inserts)
{
	return probes <= 32 * inserts + 4096;
}

static bool modset_grow(struct ks_modset *m, const char *strs)
{
	uint32_t cap = m->cap ? m->cap * 2 : 64, mask = cap - 1;
	uint32_t *offs = ksr_zalloc(cap, sizeof(*offs));

	if (!offs)
		return false;
	for (uint32_t i = 0; i < m->cap; i++) {
		uint32_t off = m->offs[i], h;

		if (!off)
			continue;
		h = (uint32_t)ksr_hash64(strs + off, strlen(strs + off)) & mask;
		while (offs[h]) {
			h = (h + 1) & mask;
			m->probes++;
		}
		offs[h] = off;
	}
	free(m->offs);
	m->offs = offs;
	m->cap = cap;
	return true;
}

/* The string-table offset of module name [s, s+len), added if new. */
static int modset_intern(struct ks_parse *ps, const struct ks_line *ln, const char *s,
			 size_t len, uint32_t *off)
{
	struct ks_modset *m = &ps->mods;
	uint32_t h, mask;

	/* the input moves under a stream: compare with the stored copy */
	if (m->last_len == len && memcmp(ps->strs + m->last_off, s, len) == 0) {
		*off = m->last_off;
		return 0;
	}
	if ((m->cnt + 1) * 2ull > m->cap && !modset_grow(m, ps->strs))
		return ksr_err(ENOMEM, "out of memory");
	mask = m->cap - 1;
	h = (uint32_t)ksr_hash64(s, len) & mask;
	for (;;) {
		uint32_t o = m->offs[h];

		if (!o)
			break;
		/* strncmp stops at the stored name's NUL: nothing past it is read */
		if (strncmp(ps->strs + o, s, len) == 0 && ps->strs[o + len] == '\0') {
			*off = o;
			goto done;
		}
		h = (h + 1) & mask;
		if (!probes_ok(++m->probes, m->cnt))
			return line_err(ln, s,
					"module: too many hash collisions among module names");
	}
	*off = ps->strs_len;
	memcpy(ps->strs + ps->strs_len, s, len);
	ps->strs[ps->strs_len + len] = '\0';
	ps->strs_len += (uint32_t)len + 1;
	m->offs[h] = *off;
	m->cnt++;
done:
	m->last_len = len;
	m->last_off = *off;
	return 0;
}

/* Eight hex digits at s (either case), or false. Branch-free per byte:
 * every byte must fall in one of '0'-'9', 'a'-'f', 'A'-'F'. */
static bool hex8(const char *s, uint32_t *out)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t x, ok, n;

	memcpy(&x, s, 8);
	if (x & high)
		return false;
#define KS_IN(lo, hi) ((((x | high) - (lo) * ones) & (((hi) * ones | high) - x)) & high)
	ok = KS_IN(0x30, 0x39) | KS_IN(0x61, 0x66) | KS_IN(0x41, 0x46);
#undef KS_IN
	if (ok != high)
		return false;
	/* digit value: low nibble, plus 9 for letters (bit 6 set) */
	n = (x & 0x0f0f0f0f0f0f0f0full) + ((x >> 6) & ones) * 9;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	n = __builtin_bswap64(n);
#endif
	/* the first character is the most significant digit */
	n = ((n & 0x00ff00ff00ff00ffull) << 4) | ((n >> 8) & 0x00ff00ff00ff00ffull);
	n = ((n & 0x0000ffff0000ffffull) << 8) | ((n >> 16) & 0x0000ffff0000ffffull);
	*out = (uint32_t)(((n & 0xffffffffull) << 16) | (n >> 32));
	return true;
}

/* The common case once the width is known: all digits and the space. */
static bool addr_fast(const struct ks_parse *ps, const char *s, uint64_t *addr)
{
	uint32_t hi, lo;

	if ((size_t)(ps->end - s) <= ps->width || s[ps->width] != ' ')
		return false;
	if (ps->width == 8) {
		if (!hex8(s, &lo))
			return false;
		*addr = lo;
		return true;
	}
	if (!hex8(s, &hi) || !hex8(s + 8, &lo))
		return false;
	*addr = (uint64_t)hi << 32 | lo;
	return true;
}

/* K3, K4: the hex address and the space after it; *p moves past both. */
static int parse_addr(struct ks_parse *ps, const struct ks_line *ln, const char **p,
		      uint64_t *addr)
{
	const char *s = *p;
	size_t d = 0, avail = (size_t)(ps->end - s);
	uint64_t v = 0;
	char b[16];
	uint8_t x;

	if (ps->width && addr_fast(ps, s, addr)) {
		*p = s + ps->width + 1;
		return 0;
	}
	if (avail > 17)
		avail = 17;
	while (d < avail && (x = hex_tab[(uint8_t)s[d]]) != 0) {
		v = v << 4 | (uint64_t)(x - 1);
		d++;
	}
	if (d > 16)
		return line_err(ln, s + 16, "address: more than 16 hex digits");
	if (at_eol(ps, s + d))
		return line_err(ln, s + d, "line ends after the address; type and name missing");
	if (s[d] != ' ')
		return line_err(ln, s + d, "address: non-hex character %s",
				byte_desc((uint8_t)s[d], b, sizeof(b)));
	if (d == 0)
		return line_err(ln, s, "address: missing (line starts with a space)");
	if (d != 8 && d != 16)
		return line_err(ln, s, "address: %zu hex digits; expected 8 or 16", d);
	if (!ps->width)
		ps->width = (unsigned int)d;
	else if (d != ps->width)
		return line_err(ln, s,
				"address: %zu hex digits, but earlier lines have %u (mixed widths)",
				d, ps->width);
	*addr = v;
	*p = s + d + 1;
	return 0;
}

/* K2, K6: one type letter and one space. */
static int parse_type(struct ks_parse *ps, const struct ks_line *ln, const char **p,
		      uint8_t *type)
{
	const char *s = *p;
	char b[16];

	if (at_eol(ps, s))
		return line_err(ln, s, "type: missing (line ends after the address)");
	if (!is_type_letter((uint8_t)*s))
		return line_err(ln, s, "type: %s is not a symbol type letter",
				byte_desc((uint8_t)*s, b, sizeof(b)));
	if (at_eol(ps, s + 1))
		return line_err(ln, s + 1, "name: missing (line ends after the type)");
	if (s[1] != ' ')
		return line_err(ln, s + 1,
				"type: expected one space after the type letter, found %s",
				byte_desc((uint8_t)s[1], b, sizeof(b)));
	*type = (uint8_t)*s;
	*p = s + 2;
	return 0;
}

/* K1, K2, K10, K11, K13: the name, up to the end of the line or a tab. */
static int parse_name(struct ks_parse *ps, const struct ks_line *ln, const char **p,
		      size_t *len)
{
	const char *s = *p, *q;
	char b[16];

	q = scan_name(s, cap_ptr(s, ps->end, KSR_KSYM_NAME_MAX + 1));
	if (q == s) {
		if (at_eol(ps, q))
			return line_err(ln, q, "name: missing");
		return line_err(ln, q, "name: expected a name, found %s",
				byte_desc((uint8_t)*q, b, sizeof(b)));
	}
	if ((size_t)(q - s) > KSR_KSYM_NAME_MAX)
		return line_err(ln, s, "name: longer than %u bytes", KSR_KSYM_NAME_MAX);
	if (!at_eol(ps, q) && *q != '\t') {
		if (*q == ' ')
			return line_err(ln, q, "extra field after the name");
		return line_err(ln, q, "name: invalid %s", byte_desc((uint8_t)*q, b, sizeof(b)));
	}
	*len = (size_t)(q - s);
	*p = q;
	return 0;
}

/* K8: "\t[module]" up to the end of the line; *p is at the tab and moves to
 * the end of the line. */
static int parse_module(struct ks_parse *ps, const struct ks_line *ln, const char **p,
			const char **mod, size_t *len)
{
	const char *s = *p + 1, *q, *limit;
	char b[16];

	if (at_eol(ps, s))
		return line_err(ln, s, "module: line ends after the tab; expected [module]");
	if (*s != '[')
		return line_err(ln, s, "module: expected '[' after the tab, found %s",
				byte_desc((uint8_t)*s, b, sizeof(b)));
	q = ++s;
	limit = cap_ptr(s, ps->end, KSR_KSYM_MODULE_MAX + 1);
	while (q < limit && is_name_byte((uint8_t)*q) && *q != '[' && *q != ']')
		q++;
	if ((size_t)(q - s) > KSR_KSYM_MODULE_MAX)
		return line_err(ln, s, "module: name longer than %u bytes", KSR_KSYM_MODULE_MAX);
	if (at_eol(ps, q))
		return line_err(ln, q, "module: missing ']'");
	if (*q == '[')
		return line_err(ln, q, "module: '[' inside the module name");
	if (*q != ']')
		return line_err(ln, q, "module: invalid %s", byte_desc((uint8_t)*q, b, sizeof(b)));
	if (q == s)
		return line_err(ln, q, "module: empty name");
	if (!at_eol(ps, q + 1))
		return line_err(ln, q + 1, "module: unexpected %s after ']'",
				byte_desc((uint8_t)q[1], b, sizeof(b)));
	*mod = s;
	*len = (size_t)(q - s);
	*p = q + 1;
	return 0;
}

/* The key length: the whole name, or for 'd' the part before ".llvm.". */
static uint32_t key_len_of(uint8_t type, const char *name, size_t len)
{
	const char *s = name + 1, *end = name + len, *dot;

	if (type != 'd')
		return (uint32_t)len;
	while ((dot = memchr(s, '.', (size_t)(end - s))) != NULL) {
		if ((size_t)(end - dot) >= 6 && memcmp(dot, ".llvm.", 6) == 0)
			return (uint32_t)(dot - name);
		s = dot + 1;
	}
	return (uint32_t)len;
}

/* The fields of the line starting at *p; *p moves to its end (its '\n' or
 * the end of the input). Inlined into the per-line loop of every parse,
 * which it was part of: called out of line it made parsing slower. */
static inline __attribute__((always_inline)) int split_line(struct ks_parse *ps, const struct ks_line *ln, const char **p,
		      struct ksr_kallsyms_line *f)
{
	const char *s = *p;
	int err;

	if (at_eol(ps, s))
		return line_err(ln, s, "blank line");
	f->module = NULL;
	f->name_len = f->module_len = 0;
	err = parse_addr(ps, ln, &s, &f->addr);
	if (!err)
		err = parse_type(ps, ln, &s, &f->type);
	f->name = s;
	if (!err)
		err = parse_name(ps, ln, &s, &f->name_len);
	if (!err && !at_eol(ps, s))
		err = parse_module(ps, ln, &s, &f->module, &f->module_len);
	*p = s;
	return err;
}

/* One line starting at *p; *p moves to the start of the next. */
static int parse_line(struct ks_parse *ps, const struct ks_line *ln, const char **p,
		      uint32_t i)
{
	struct ksr_ksym *sym = &ps->syms[i];
	struct ksr_kallsyms_line f;
	const char *s = *p;
	int err;

	err = split_line(ps, ln, &s, &f);
	if (err)
		return err;
	/* _text anchors every KASLR rebase: the profile's comes from this
	 * parse, a host's from the first _text line of its kallsyms
	 * (ksr_kallsyms__find_text). Two would make those disagree. */
	if (!f.module && f.name_len == 5 && !memcmp(f.name, "_text", 5)) {
		if (ps->text_seen)
			return line_err(ln, f.name, "_text listed twice (first at offset 0x%" PRIx64 ")",
					ps->text_off);
		ps->text_seen = true;
		ps->text_off = ln->base + (uint64_t)(f.name - ln->text);
	}
	*p = s == ps->end ? s : s + 1;

	memset(sym, 0, sizeof(*sym));
	sym->addr = f.addr;
	sym->type = f.type;
	sym->name_off = ps->strs_len;
	memcpy(ps->strs + ps->strs_len, f.name, f.name_len);
	ps->strs[ps->strs_len + f.name_len] = '\0';
	ps->strs_len += (uint32_t)f.name_len + 1;
	sym->key_len = key_len_of(sym->type, f.name, f.name_len);
	ps->hash[i] = (uint32_t)ksr_hash64(f.name, sym->key_len);
	if (f.module) {
		err = modset_intern(ps, ln, f.module, f.module_len, &sym->mod_off);
		if (err)
			return err;
		sym->flags |= KSR_KSYM_MODULE;
	}
	if (sym->type == 'A' || sym->type == 'a')
		sym->flags |= KSR_KSYM_ABSOLUTE;
	if (sym->addr)
		ps->nonzero = true;
	return 0;
}

int ksr_kallsyms__parse_line(const char *line, size_t len, unsigned int *width, uint32_t line_no,
			     uint64_t off, struct ksr_kallsyms_line *out)
{
	struct ks_parse ps = { .text = line, .base = off, .end = line + len, .pos = line,
			       .width = *width };
	struct ks_line ln = { line, off, line, line_no };
	const char *s = line;
	int err = split_line(&ps, &ln, &s, out);

	if (!err && s != ps.end)
		err = line_err(&ln, s, "line break inside the line");
	if (!err)
		*width = ps.width;
	return err;
}

/* Newlines in [p, p + len), eight bytes at a time: a byte is '\n' when it
 * is zero after the XOR, found without carries between bytes. */
static uint64_t count_newlines(const char *p, size_t len)
{
	const uint64_t nl = 0x0a0a0a0a0a0a0a0aull, low7 = 0x7f7f7f7f7f7f7f7full;
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t cnt = 0;
	size_t i = 0;

	for (; len - i >= 32; i += 32) {
		uint64_t acc = 0; /* per byte lane: at most 4 */

		for (unsigned int k = 0; k < 4; k++) {
			uint64_t x;

			memcpy(&x, p + i + 8 * k, 8);
			x ^= nl;
			acc += ~(((x & low7) + low7) | x | low7) >> 7;
		}
		cnt += (acc * ones) >> 56;
	}
	for (; i < len; i++)
		cnt += p[i] == '\n';
	return cnt;
}

/* K14: the lines of [from, from + len) are counted before anything is
 * allocated for them; done lines precede them. The offset in the message is
 * where the first line past the cap starts. */
static int count_lines(const char *text, uint64_t base, const char *from, size_t len,
		       uint32_t done, bool last, uint32_t *n)
{
	const char *p = from, *end = from + len;
	uint64_t cnt = count_newlines(from, len) + (last && len && from[len - 1] != '\n');

	if (cnt <= KSR_KSYM_MAX_LINES - done) {
		*n = (uint32_t)cnt;
		return 0;
	}
	for (uint32_t i = done; i < KSR_KSYM_MAX_LINES; i++)
		p = (const char *)memchr(p, '\n', (size_t)(end - p)) + 1;
	return ksr_err(KSR_EMALFORMED, "more than %u lines (offset 0x%zx)", KSR_KSYM_MAX_LINES,
		       (size_t)(base + (uint64_t)(p - text)));
}

/* address, type, name, module, separators: every valid line is shorter */
_Static_assert(KSR_KSYM_STREAM_LINE_MAX > 16 + 3 + KSR_KSYM_NAME_MAX + 3 + KSR_KSYM_MODULE_MAX + 1,
	       "a stream window of KSR_KSYM_STREAM_LINE_MAX holds any valid line");

/* First reservations of a stream (it then doubles): a /proc/kallsyms of
 * ~150k lines grows five times. Not at its final size up front: a stream
 * over a small input (the fuzzers) would pay for 15 MB it never uses. */
#define KS_STREAM_LINES (4u << 10)
#define KS_STREAM_STRS ((size_t)128 << 10)

/* Room for n more lines whose text ends at ps->end. */
static int reserve(struct ks_parse *ps, uint32_t n)
{
	/* each line yields fewer bytes than it has */
	size_t need = (size_t)(ps->base + (uint64_t)(ps->end - ps->text)) + 1;

	if (n > ps->cap - ps->n) {
		/* exactly what is asked the first time (a one-shot parse), then
		 * at least double (streaming); count_lines() kept n within the cap */
		uint32_t cap = ps->n + n;
		struct ksr_ksym *syms;
		uint32_t *hash;

		if (ps->cap && cap < 2 * ps->cap)
			cap = 2 * ps->cap < KSR_KSYM_MAX_LINES ? 2 * ps->cap : KSR_KSYM_MAX_LINES;
		if (ps->streaming && cap < KS_STREAM_LINES)
			cap = KS_STREAM_LINES;
		syms = realloc(ps->syms, (size_t)cap * sizeof(*syms));
		if (syms)
			ps->syms = syms;
		hash = syms ? realloc(ps->hash, (size_t)cap * sizeof(*hash)) : NULL;
		if (!hash)
			return ksr_err(ENOMEM, "out of memory");
		ps->hash = hash;
		ps->cap = cap;
	}
	if (need > ps->strs_cap) {
		size_t cap = ps->strs_cap && need < 2 * ps->strs_cap ? 2 * ps->strs_cap : need;
		char *strs;

		if (ps->streaming && cap < KS_STREAM_STRS)
			cap = KS_STREAM_STRS;

		strs = realloc(ps->strs, cap);
		if (!strs)
			return ksr_err(ENOMEM, "out of memory");
		if (!ps->strs) {
			strs[0] = '\0';
			ps->strs_len = 1;
		}
		ps->strs = strs;
		ps->strs_cap = cap;
	}
	return 0;
}

/* Parses the cnt lines that start at ps->pos. */
static int parse_lines(struct ks_parse *ps, uint32_t cnt)
{
	struct ks_line ln = { ps->text, ps->base, ps->pos, 0 };
	const char *p = ps->pos;
	int err;

	/* every line ends at the first '\n' after its start, as counted */
	for (uint32_t i = ps->n; i < ps->n + cnt; i++) {
		ln.no = i + 1;
		ln.p = p;
		err = parse_line(ps, &ln, &p, i);
		if (err)
			return err;
	}
	ps->n += cnt;
	ps->pos = p;
	return 0;
}

/* ---- sorting: (hash, key, addr, name, module, line) ----------------------
 * Records are grouped by key: ordered by the 32-bit hash of the key (the low
 * half of ksr_hash64(), the hash whose low bits pick the key's index slot),
 * then by the key bytes, so that two keys with one hash still form two runs;
 * records of one key by address, the name after the key (.llvm. suffixes),
 * the module and, last, the line. The bulk is an LSD radix sort of
 * (hash, line) pairs, three passes of 11 bits, stable and linear; runs of
 * equal hashes, nearly always one key listed several times, are then sorted
 * by comparison (merge sort, n log n even for crafted input). The order is
 * total, so the result is deterministic. The index only needs every key's
 * records to be adjacent; hash order makes the sort cheap (a key order cost
 * 8 of the 15 ms of a parse) and inserts into the index in slot order. */

#define KS_RADIX_BITS 11u
#define KS_GATHER_AHEAD 16u
#define KS_RADIX (1u << KS_RADIX_BITS)

struct ks_sort {
	const struct ksr_ksym *syms;
	const char *strs;
};

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

/* The order among identical keys. */
static int cmp_rest(const struct ks_sort *s, uint32_t a, uint32_t b)
{
	const struct ksr_ksym *x = &s->syms[a], *y = &s->syms[b];
	int r;

	if (x->addr != y->addr)
		return cmp_u64(x->addr, y->addr);
	/* names longer than the key differ in their .llvm. part; names that
	 * are just the key are equal without reading them */
	if (s->strs[x->name_off + x->key_len] || s->strs[y->name_off + y->key_len]) {
		r = strcmp(s->strs + x->name_off + x->key_len, s->strs + y->name_off + y->key_len);
		if (r)
			return r;
	}
	r = strcmp(s->strs + x->mod_off, s->strs + y->mod_off);
	if (r)
		return r;
	return cmp_u64(a, b);
}

/* Key bytes, then key length (a prefix sorts first). */
static int cmp_key(const struct ks_sort *s, uint32_t a, uint32_t b)
{
	const struct ksr_ksym *x = &s->syms[a], *y = &s->syms[b];
	uint32_t m = x->key_len < y->key_len ? x->key_len : y->key_len;
	int r = memcmp(s->strs + x->name_off, s->strs + y->name_off, m);

	if (r)
		return r;
	return (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

static int cmp_line(const struct ks_sort *s, uint32_t a, uint32_t b)
{
	int r = cmp_key(s, a, b);

	return r ? r : cmp_rest(s, a, b);
}

/* Lines a[0..n) (all with one hash) in cmp_line() order; tmp has room for n. */
static void sort_run(const struct ks_sort *s, uint32_t *a, size_t n, uint32_t *tmp)
{
	uint32_t *src = a, *dst = tmp, *t;
	size_t w = 8;

	for (size_t lo = 0; lo < n; lo += w) /* insertion sort of blocks of w */
		for (size_t i = lo + 1; i < n && i < lo + w; i++) {
			uint32_t v = a[i];
			size_t j = i;

			while (j > lo && cmp_line(s, a[j - 1], v) > 0) {
				a[j] = a[j - 1];
				j--;
			}
			a[j] = v;
		}
	for (; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = mid + w < n ? mid + w : n;
			size_t i = lo, j = mid, k = lo;

			while (i < mid && j < hi)
				dst[k++] = cmp_line(s, src[i], src[j]) <= 0 ? src[i++] : src[j++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
}

/* Stable LSD radix sort of (hash << 32 | line) by the hash half; the result
 * is left in tmp (three passes). */
static void radix_sort(uint64_t *a, uint64_t *tmp, size_t n)
{
	_Static_assert(3 * KS_RADIX_BITS >= 32, "three passes cover the hash");
	uint32_t cnt[3][KS_RADIX];
	uint64_t *src = a, *dst = tmp, *t;

	memset(cnt, 0, sizeof(cnt));
	for (size_t i = 0; i < n; i++)
		for (unsigned int d = 0; d < 3; d++)
			cnt[d][(a[i] >> (32 + d * KS_RADIX_BITS)) & (KS_RADIX - 1)]++;
	for (unsigned int d = 0; d < 3; d++) {
		uint32_t sum = 0;

		for (unsigned int v = 0; v < KS_RADIX; v++) {
			uint32_t c = cnt[d][v];

			cnt[d][v] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[cnt[d][(src[i] >> (32 + d * KS_RADIX_BITS)) & (KS_RADIX - 1)]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
}

/* ---- the index ---------------------------------------------------------- */

#define KS_SAME (1u << 31) /* in order[]: same key as the record before */
_Static_assert(KSR_KSYM_MAX_LINES < KS_SAME, "line indexes leave bit 31 free");

/* Slots for the records in their final order: hash(i) is the hash of
 * record i (a pair's high half), order[i] carries KS_SAME. */
static int build_slots(struct ksr_kallsyms *ks, const uint64_t *pairs, const uint32_t *order)
{
	uint32_t keys = 0, mask;
	uint64_t probes = 0;

	for (uint32_t i = 0; i < ks->sym_cnt; i++)
		keys += !(order[i] & KS_SAME);
	ks->slot_cnt = ksr_hash_slots_for(keys);
	ks->own_slots = ksr_zalloc(ks->slot_cnt, sizeof(*ks->own_slots));
	if (!ks->own_slots)
		return ksr_err(ENOMEM, "out of memory");
	mask = ks->slot_cnt - 1;
	for (uint32_t i = 0; i < ks->sym_cnt; i++) {
		uint32_t h = (uint32_t)(pairs[i] >> 32) & mask;

		if (order[i] & KS_SAME)
			continue;
		for (uint32_t n = 1; ks->own_slots[h]; n++) {
			h = (h + 1) & mask;
			probes++;
			if (n == KSR_HASH_PROBE_MAX)
				break;
		}
		if (ks->own_slots[h] || !probes_ok(probes, keys))
			return ksr_err(KSR_EMALFORMED, "too many hash collisions among symbol "
				       "names (crafted input?) (offset 0x0)");
		ks->own_slots[h] = i + 1;
	}
	/* what lookups rely on: an empty slot within KSR_HASH_PROBE_MAX */
	if (ksr_hash_longest_run(ks->own_slots, sizeof(*ks->own_slots), ks->slot_cnt,
				 KSR_HASH_PROBE_MAX) >= KSR_HASH_PROBE_MAX)
		return ksr_err(KSR_EMALFORMED, "too many hash collisions among symbol names "
			       "(crafted input?): %u index slots in a row are taken, at most %u "
			       "(offset 0x0)", KSR_HASH_PROBE_MAX, KSR_HASH_PROBE_MAX - 1);
	return 0;
}

/* Names with more than KSR_KSYM_RUN_MAX records (lookups stop there) are
 * refused; order[] holds line indexes with KS_SAME. */
static int check_runs(const struct ks_parse *ps, const uint32_t *order, size_t n)
{
	size_t start = 0;

	for (size_t i = 1; i <= n; i++) {
		if (i < n && (order[i] & KS_SAME))
			continue;
		if (i - start > KSR_KSYM_RUN_MAX) {
			const struct ksr_ksym *k = &ps->syms[order[start] & ~KS_SAME];

			return ksr_err(KSR_EMALFORMED, "name '%.*s': %zu lines, at most %u per name "
				       "(line %" PRIu32 ")", (int)k->key_len, ps->strs + k->name_off,
				       i - start, KSR_KSYM_RUN_MAX,
				       (order[start + KSR_KSYM_RUN_MAX] & ~KS_SAME) + 1);
		}
		start = i;
	}
	return 0;
}

/* Sorts the records of ps into ks (which takes the tables) and indexes
 * them. One buffer of n records serves, in turn, as the radix sort's two
 * arrays of (hash, line) pairs ([0, 16n) bytes), the scratch of the run
 * sorts ([16n, 20n)), the line order ([20n, 24n)), and the sorted records,
 * gathered in place from the front: record i ends at byte 24(i + 1), which
 * is never past order[i + 1] at 20n + 4(i + 1). Fresh pages cost a fault
 * each; this keeps the parse to one table's worth beyond its input. */
static int sort_and_index(struct ks_parse *ps, struct ksr_kallsyms *ks)
{
	struct ks_sort s = { ps->syms, ps->strs };
	size_t n = ps->n, i, j;
	uint8_t *buf = malloc(n ? n * sizeof(struct ksr_ksym) : 1);
	uint64_t *pairs, *sorted;
	uint32_t *order, *scratch;
	int err;

	_Static_assert(sizeof(struct ksr_ksym) == 24, "the buffer layout assumes 24-byte records");
	if (!buf)
		return ksr_err(ENOMEM, "out of memory");
	pairs = (uint64_t *)buf;
	scratch = (uint32_t *)(buf + 16 * n);
	order = (uint32_t *)(buf + 20 * n);
	for (i = 0; i < n; i++)
		pairs[i] = (uint64_t)ps->hash[i] << 32 | (uint32_t)i;
	free(ps->hash);
	ps->hash = NULL;
	radix_sort(pairs, pairs + n, n);
	sorted = pairs + n;
	for (i = 0; i < n; i++)
		order[i] = (uint32_t)sorted[i];
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && sorted[j] >> 32 == sorted[i] >> 32; j++)
			;
		if (j - i == 1)
			continue;
		sort_run(&s, order + i, j - i, scratch);
		for (size_t k = i + 1; k < j; k++)
			if (cmp_key(&s, order[k - 1] & ~KS_SAME, order[k]) == 0)
				order[k] |= KS_SAME;
	}
	ks->sym_cnt = (uint32_t)n;
	err = check_runs(ps, order, n);
	if (!err)
		err = build_slots(ks, sorted, order);
	if (err) {
		free(buf);
		return err;
	}
	/* a gather, not an in-place permutation: independent loads overlap, and
	 * the records are fetched ahead (random reads over a table of ~3 MB) */
	for (i = 0; i < n; i++) {
		struct ksr_ksym rec = ps->syms[order[i] & ~KS_SAME];

		if (i + KS_GATHER_AHEAD < n)
			__builtin_prefetch(&ps->syms[order[i + KS_GATHER_AHEAD] & ~KS_SAME]);

		memcpy(buf + i * sizeof(rec), &rec, sizeof(rec));
	}
	free(ps->syms);
	ps->syms = NULL;
	ks->syms = ks->own_syms = (struct ksr_ksym *)buf;
	ks->slots = ks->own_slots;
	return 0;
}

/* The record at i when its key is exactly q[0..qlen), which holds no NUL
 * byte; safe for any content. */
static bool key_is(const struct ksr_kallsyms *ks, uint32_t i, const char *q, size_t qlen)
{
	const struct ksr_ksym *k = ksr_kallsyms__sym(ks, i);
	const char *name;

	if (!k || k->key_len != qlen)
		return false;
	name = ksr_kallsyms__str(ks, k->name_off);
	/* equal up to qlen bytes, so the key lies inside the one string */
	return name && strncmp(name, q, qlen) == 0;
}

/* A record named exactly name in vmlinux (not a module), lowest address. */
static const struct ksr_ksym *find_vmlinux(const struct ksr_kallsyms *ks, const char *name)
{
	uint32_t first, cnt;

	if (ksr_kallsyms__lookup(ks, name, &first, &cnt))
		return NULL;
	for (uint32_t i = first; i < first + cnt; i++) {
		const struct ksr_ksym *k = ksr_kallsyms__sym(ks, i);
		const char *s = k ? ksr_kallsyms__str(ks, k->name_off) : NULL;

		if (s && !(k->flags & KSR_KSYM_MODULE) && k->mod_off == 0 && strcmp(s, name) == 0)
			return k;
	}
	return NULL;
}

/* Zero-based per-CPU symbols (System.map of x86-64 <= 6.14): everything in
 * vmlinux inside [__per_cpu_start = 0, __per_cpu_end) is an offset, not an
 * address. The range must end below _text to be believed (K15). */
static void flag_percpu(struct ksr_kallsyms *ks)
{
	const struct ksr_ksym *start = find_vmlinux(ks, "__per_cpu_start");
	const struct ksr_ksym *end = find_vmlinux(ks, "__per_cpu_end");
	uint64_t text;

	if (!start || start->addr != 0 || !end || end->addr == 0)
		return;
	if (ksr_kallsyms__text_addr(ks, &text) && end->addr > text)
		return;
	for (uint32_t i = 0; i < ks->sym_cnt; i++) {
		struct ksr_ksym *k = &ks->own_syms[i];

		if (!(k->flags & KSR_KSYM_MODULE) && k->addr < end->addr)
			k->flags |= KSR_KSYM_ABSOLUTE;
	}
}

/* ---- public ------------------------------------------------------------- */

static void parse_cleanup(struct ks_parse *ps)
{
	free(ps->syms);
	free(ps->hash);
	free(ps->strs);
	free(ps->mods.offs);
}

/* Sorts and indexes a fully parsed input into *out; consumes ps. */
static int finish(struct ks_parse *ps, struct ksr_kallsyms **out)
{
	struct ksr_kallsyms *ks = NULL;
	char *shrunk;
	int err = 0;

	if (!ps->nonzero)
		err = ksr_err(KSR_EMALFORMED,
			      "every address is 0: a restricted capture (addresses hidden); "
			      "capture as root with kernel.kptr_restrict <= 1 (offset 0x0)");
	if (!err && !(ks = ks_new()))
		err = ksr_err(ENOMEM, "out of memory");
	if (!err)
		err = sort_and_index(ps, ks);
	if (err) {
		parse_cleanup(ps);
		ksr_kallsyms__free(ks);
		return err;
	}
	free(ps->mods.offs);
	shrunk = realloc(ps->strs, ps->strs_len);
	ks->strs = ks->own_strs = shrunk ? shrunk : ps->strs;
	ks->strs_len = ps->strs_len;
	ks->addr_width = ps->width;
	ks->syms_sp = ksr_span_mem(ks->syms, (size_t)ks->sym_cnt * sizeof(*ks->syms));
	ks->strs_sp = ksr_span_mem(ks->strs, ks->strs_len);
	ks->slots_sp = ksr_span_mem(ks->slots, (size_t)ks->slot_cnt * sizeof(*ks->slots));
	flag_percpu(ks);
	*out = ks;
	return 0;
}

static int check_len(size_t len)
{
	if (len == 0)
		return ksr_err(KSR_EMALFORMED, "empty input: no symbols (offset 0x0)");
	if (len >= UINT32_MAX)
		return ksr_err(KSR_EMALFORMED, "input of %zu bytes; at most 4 GiB (offset 0x0)",
			       len);
	return 0;
}

int ksr_kallsyms__parse(const char *text, size_t len, struct ksr_kallsyms **out)
{
	struct ks_parse ps = { 0 };
	uint32_t n = 0;
	int err;

	if (!out || !text)
		return ksr_err(EINVAL, "kallsyms: invalid arguments");
	*out = NULL;
	ps.text = ps.pos = text;
	ps.end = text + len;
	err = check_len(len);
	if (!err)
		err = count_lines(text, 0, text, len, 0, true, &n);
	if (!err)
		err = reserve(&ps, n); /* exact: the first reservation is what is asked */
	if (!err)
		err = parse_lines(&ps, n);
	if (err) {
		parse_cleanup(&ps);
		return err;
	}
	return finish(&ps, out);
}

/* ---- streaming ---------------------------------------------------------- */

struct ksr_kallsyms_stream {
	struct ks_parse ps;
	int err; /* sticky */
};

int ksr_kallsyms__stream_new(struct ksr_kallsyms_stream **out)
{
	struct ksr_kallsyms_stream *st;

	if (!out)
		return ksr_err(EINVAL, "kallsyms: invalid arguments");
	st = calloc(1, sizeof(*st));
	if (!st)
		return ksr_err(ENOMEM, "out of memory");
	st->ps.streaming = true;
	*out = st;
	return 0;
}

/* Parses the lines of the window [text, end), which starts a line. */
static int stream_lines(struct ksr_kallsyms_stream *st, const char *text, const char *end,
			bool last)
{
	struct ks_parse *ps = &st->ps;
	uint32_t n = 0;
	int err;

	ps->text = ps->pos = text;
	ps->end = end;
	err = count_lines(text, ps->base, text, (size_t)(end - text), ps->n, last, &n);
	if (!err)
		err = reserve(ps, n);
	if (!err)
		err = parse_lines(ps, n);
	ps->base += (uint64_t)(end - text);
	ps->text = ps->pos = ps->end = NULL; /* the window is the caller's again */
	return err;
}

int ksr_kallsyms__stream_feed(struct ksr_kallsyms_stream *st, const char *text, size_t len,
			      size_t *used)
{
	const char *q;

	*used = 0;
	if (st->err)
		return st->err;
	if (len >= UINT32_MAX - st->ps.base)
		return st->err = check_len((size_t)st->ps.base + len);
	for (q = text + len; q > text && q[-1] != '\n'; q--) /* the last complete line */
		;
	if (q == text) {
		if (len < KSR_KSYM_STREAM_LINE_MAX)
			return 0;
		/* no valid line is this long: the parser says what is wrong with it */
		st->err = stream_lines(st, text, text + len, true);
		if (!st->err)
			st->err = ksr_err(KSR_EMALFORMED, "line %u: longer than %u bytes (offset 0x%llx)",
					  st->ps.n, KSR_KSYM_STREAM_LINE_MAX,
					  (unsigned long long)(st->ps.base - len));
		return st->err;
	}
	st->err = stream_lines(st, text, q, false);
	if (!st->err)
		*used = (size_t)(q - text);
	return st->err;
}

int ksr_kallsyms__stream_finish(struct ksr_kallsyms_stream *st, const char *text, size_t len,
				struct ksr_kallsyms **out)
{
	int err;

	if (!out || (len && !text)) {
		ksr_kallsyms__stream_free(st);
		return ksr_err(EINVAL, "kallsyms: invalid arguments");
	}
	*out = NULL;
	err = st->err;
	if (!err && len >= UINT32_MAX - st->ps.base)
		err = check_len((size_t)st->ps.base + len);
	if (!err && len) /* the rest: whole lines, the last one perhaps without '\n' */
		err = stream_lines(st, text, text + len, true);
	if (!err)
		err = check_len((size_t)st->ps.base);
	if (err) {
		ksr_kallsyms__stream_free(st);
		return err;
	}
	err = finish(&st->ps, out);
	free(st);
	return err;
}

void ksr_kallsyms__stream_free(struct ksr_kallsyms_stream *st)
{
	if (!st)
		return;
	parse_cleanup(&st->ps);
	free(st);
}

static bool aligned(const struct ksr_span *s, size_t a)
{
	return (s->src ? s->off : (uintptr_t)s->mem) % a == 0;
}

int ksr_kallsyms__open_spans(const struct ksr_span *syms, uint32_t sym_cnt,
			     const struct ksr_span *strs, const struct ksr_span *slots,
			     uint32_t slot_cnt, struct ksr_kallsyms **out)
{
	const char *first, *last;
	struct ksr_kallsyms *ks;

	if (!out || !syms || !strs || !slots)
		return ksr_err(EINVAL, "kallsyms: invalid arguments");
	*out = NULL;
	if (sym_cnt > KSR_KSYM_MAX_LINES)
		return ksr_err(KSR_EMALFORMED, "symbol table: %" PRIu32 " records; at most %u",
			       sym_cnt, KSR_KSYM_MAX_LINES);
	if (!aligned(syms, _Alignof(struct ksr_ksym)) || !aligned(slots, _Alignof(uint32_t)))
		return ksr_err(KSR_EMALFORMED, "symbol table: misaligned arrays");
	if (syms->len < (uint64_t)sym_cnt * sizeof(struct ksr_ksym) ||
	    slots->len < (uint64_t)slot_cnt * sizeof(uint32_t))
		return ksr_err(KSR_EMALFORMED, "symbol table: arrays shorter than their counts");
	first = ksr_span_get(strs, 0, 1);
	last = strs->len ? ksr_span_get(strs, strs->len - 1, 1) : NULL;
	if (strs->len > UINT32_MAX || !first || *first || !last || *last)
		return ksr_err(KSR_EMALFORMED,
			       "symbol strings: must start and end with a NUL byte (%llu bytes)",
			       (unsigned long long)strs->len);
	if (!slot_cnt || slot_cnt > KSR_KSYM_SLOTS_MAX || (slot_cnt & (slot_cnt - 1)))
		return ksr_err(KSR_EMALFORMED,
			       "symbol index: %" PRIu32 " slots; not a power of two up to 2^30",
			       slot_cnt);
	ks = ks_new();
	if (!ks)
		return ksr_err(ENOMEM, "out of memory");
	ks->syms_sp = *syms;
	ks->syms = (const struct ksr_ksym *)syms->mem;
	ks->sym_cnt = sym_cnt;
	ks->strs_sp = *strs;
	ks->strs = (const char *)strs->mem;
	ks->strs_len = (uint32_t)strs->len;
	ks->slots_sp = *slots;
	ks->slots = (const uint32_t *)slots->mem;
	ks->slot_cnt = slot_cnt;
	*out = ks;
	return 0;
}

int ksr_kallsyms__open_indexed(const struct ksr_ksym *syms, uint32_t sym_cnt,
			       const char *strs, uint32_t strs_len, const uint32_t *slots,
			       uint32_t slot_cnt, struct ksr_kallsyms **out)
{
	struct ksr_span sy, st, sl;

	if (!out)
		return ksr_err(EINVAL, "kallsyms: invalid arguments");
	*out = NULL;
	if ((sym_cnt && !syms) || (strs_len && !strs) || (slot_cnt && !slots))
		return ksr_err(EINVAL, "kallsyms: invalid arguments");
	sy = ksr_span_mem(syms, (size_t)sym_cnt * sizeof(*syms));
	st = ksr_span_mem(strs, strs_len);
	sl = ksr_span_mem(slots, (size_t)slot_cnt * sizeof(*slots));
	return ksr_kallsyms__open_spans(&sy, sym_cnt, &st, &sl, slot_cnt, out);
}

void ksr_kallsyms__free(struct ksr_kallsyms *ks)
{
	if (!ks)
		return;
	free(ks->own_syms);
	free(ks->own_strs);
	free(ks->own_slots);
	free(ks);
}

uint32_t ksr_kallsyms__count(const struct ksr_kallsyms *ks)
{
	return ks->sym_cnt;
}

const struct ksr_ksym *ksr_kallsyms__sym(const struct ksr_kallsyms *ks, uint32_t i)
{
	if (i >= ks->sym_cnt)
		return NULL;
	return ksr_span_get(&ks->syms_sp, (uint64_t)i * sizeof(struct ksr_ksym),
			    sizeof(struct ksr_ksym));
}

const char *ksr_kallsyms__str(const struct ksr_kallsyms *ks, uint32_t off)
{
	/* the last byte is NUL (checked at open), so any offset inside is a
	 * string (NULL only when a file cannot be read) */
	return ksr_span_str(&ks->strs_sp, off);
}

static void set_bad(const struct ksr_kallsyms *ks, uint64_t what)
{
	uint64_t none = 0;

	atomic_compare_exchange_strong(ks->bad, &none, what);
}

int ksr_kallsyms__lookup_steps(const struct ksr_kallsyms *ks, const char *name, uint32_t *first,
			       uint32_t *cnt, uint32_t *steps)
{
	size_t qlen = name ? strlen(name) : 0;
	uint32_t mask = ks->slot_cnt - 1, h, home;
	uint32_t probes = ks->slot_cnt < KSR_HASH_PROBE_MAX ? ks->slot_cnt : KSR_HASH_PROBE_MAX;

	*steps = 0;
	if (qlen == 0 || qlen > KSR_KSYM_NAME_MAX || !ks->slot_cnt)
		return -ENOENT;
	home = h = (uint32_t)ksr_hash64(name, qlen) & mask;
	for (uint32_t probe = 0; probe < probes; probe++, h = (h + 1) & mask) {
		const uint32_t *slot = ksr_span_get(&ks->slots_sp, (uint64_t)h * sizeof(*slot),
						    sizeof(*slot));
		uint32_t s, i;

		++*steps;
		if (!slot)
			return -ENOENT;
		s = *slot;
		if (s == 0)
			return -ENOENT;
		if (s - 1 >= ks->sym_cnt || !key_is(ks, s - 1, name, qlen))
			continue;
		for (i = s; i < ks->sym_cnt && i - (s - 1) < KSR_KSYM_RUN_MAX &&
		     key_is(ks, i, name, qlen); i++)
			++*steps;
		if (i - (s - 1) == KSR_KSYM_RUN_MAX && i < ks->sym_cnt && key_is(ks, i, name, qlen)) {
			set_bad(ks, BAD_RUN | (s - 1 + 1ull));
			return -ENOENT;
		}
		*first = s - 1;
		*cnt = i - (s - 1);
		return 0;
	}
	/* a table the writer made has an empty slot within the bound */
	set_bad(ks, BAD_PROBE | (home + 1ull));
	return -ENOENT;
}

int ksr_kallsyms__lookup(const struct ksr_kallsyms *ks, const char *name, uint32_t *first,
			 uint32_t *cnt)
{
	uint32_t steps;

	return ksr_kallsyms__lookup_steps(ks, name, first, cnt, &steps);
}

/* File offset of byte rel of span sp, or rel when sp is in memory. */
static unsigned long long span_pos(const struct ksr_span *sp, uint64_t rel)
{
	return (unsigned long long)(sp->src ? sp->off + rel : rel);
}

int ksr_kallsyms__index_error(const struct ksr_kallsyms *ks)
{
	uint64_t bad = ks ? atomic_load(ks->bad) : 0;
	uint64_t at = (bad & ((1ull << 56) - 1)) - 1;

	if (!bad)
		return 0;
	if ((bad & ~((1ull << 56) - 1)) == BAD_PROBE)
		return ksr_err(KSR_EMALFORMED, ".ksr.symidx: no empty slot within %u slots of slot "
			       "%llu, where lookups stop: the index is malformed (offset 0x%llx)",
			       KSR_HASH_PROBE_MAX, (unsigned long long)at,
			       span_pos(&ks->slots_sp, at * sizeof(uint32_t)));
	return ksr_err(KSR_EMALFORMED, ".ksr.syms: more than %u records with one name from record "
		       "%llu, where lookups stop: the table is malformed (offset 0x%llx)",
		       KSR_KSYM_RUN_MAX, (unsigned long long)at,
		       span_pos(&ks->syms_sp, at * sizeof(struct ksr_ksym)));
}

const struct ksr_ksym *ksr_kallsyms__syms(const struct ksr_kallsyms *ks, uint32_t *cnt)
{
	*cnt = ks->sym_cnt;
	return ks->syms;
}

const char *ksr_kallsyms__strs(const struct ksr_kallsyms *ks, uint32_t *len)
{
	*len = ks->strs_len;
	return ks->strs;
}

const uint32_t *ksr_kallsyms__slots(const struct ksr_kallsyms *ks, uint32_t *cnt)
{
	*cnt = ks->slot_cnt;
	return ks->slots;
}

unsigned int ksr_kallsyms__addr_width(const struct ksr_kallsyms *ks)
{
	return ks->addr_width;
}

bool ksr_kallsyms__text_addr(const struct ksr_kallsyms *ks, uint64_t *addr)
{
	const struct ksr_ksym *k = find_vmlinux(ks, "_text");

	if (k)
		*addr = k->addr;
	return k != NULL;
}

bool ksr_kallsyms__has_data_syms(const struct ksr_kallsyms *ks)
{
	for (uint32_t i = 0; i < ks->sym_cnt; i++) {
		const struct ksr_ksym *k = ksr_kallsyms__sym(ks, i);
		const char *s;

		if (!k)
			return false;
		if ((k->flags & KSR_KSYM_MODULE) || k->mod_off || !is_data_type(k->type))
			continue;
		s = ksr_kallsyms__str(ks, k->name_off);
		if (s && s[0] && !(s[0] == '_' && s[1] == '_'))
			return true;
	}
	return false;
}
