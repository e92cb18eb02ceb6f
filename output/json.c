// SPDX-License-Identifier: BSD-2-Clause
#include <inttypes.h>

#include "output.h"

void ksr_json_init(struct ksr_json *j, FILE *f, bool pretty)
{
	j->f = f;
	j->depth = 0;
	j->first = true;
	j->pretty = pretty;
	j->after_key = false;
}

static void newline(struct ksr_json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Separator before a value or key at the current nesting level. */
static void sep(struct ksr_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first)
		fputc(',', j->f);
	if (j->depth > 0)
		newline(j);
	j->first = false;
}

static void open_(struct ksr_json *j, char c)
{
	sep(j);
	fputc(c, j->f);
	j->depth++;
	j->first = true;
}

static void close_(struct ksr_json *j, char c)
{
	j->depth--;
	if (!j->first)
		newline(j);
	fputc(c, j->f);
	j->first = false;
}

void ksr_json_obj_open(struct ksr_json *j)  { open_(j, '{'); }
void ksr_json_obj_close(struct ksr_json *j) { close_(j, '}'); }
void ksr_json_arr_open(struct ksr_json *j)  { open_(j, '['); }
void ksr_json_arr_close(struct ksr_json *j) { close_(j, ']'); }

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0. A NUL byte is never
 * a continuation byte, so nothing past the terminator is read. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;              /* overlong */
	else if (c == 0xed)
		hi = 0x9f;              /* surrogates */
	else if (c == 0xf0)
		lo = 0x90;              /* overlong */
	else if (c == 0xf4)
		hi = 0x8f;              /* above U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* Strings are bytes from inputs (paths, names): valid UTF-8 passes through;
 * each byte that is not part of a well-formed sequence becomes \udcXX, the
 * lone low surrogate U+DC00 + byte (Python's "surrogateescape"), which no
 * valid UTF-8 decodes to, so the original bytes can be recovered exactly.
 * Control characters (C0, DEL, C1) are escaped as \u00XX. */
static void raw_str(struct ksr_json *j, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', j->f);
	while (*s) {
		unsigned char c = *s;
		size_t n;

		if (c == '"' || c == '\\') {
			fprintf(j->f, "\\%c", c);
			s++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(j->f, "\\u%04x", c);
			s++;
		} else if (c < 0x80) {
			fputc(c, j->f);
			s++;
		} else if ((n = utf8_len(s)) == 0) {
			fprintf(j->f, "\\udc%02x", c);
			s++;
		} else if (c == 0xc2 && s[1] < 0xa0) {
			fprintf(j->f, "\\u%04x", s[1]);     /* C1 control, U+0080..U+009F */
			s += 2;
		} else {
			fwrite(s, 1, n, j->f);
			s += n;
		}
	}
	fputc('"', j->f);
}

void ksr_json_key(struct ksr_json *j, const char *key)
{
	sep(j);
	raw_str(j, key);
	fputs(j->pretty ? ": " : ":", j->f);
	j->after_key = true;
}

void ksr_json_str(struct ksr_json *j, const char *s)
{
	sep(j);
	raw_str(j, s);
}

void ksr_json_u64(struct ksr_json *j, uint64_t v)
{
	sep(j);
	fprintf(j->f, "%" PRIu64, v);
}

void ksr_json_int(struct ksr_json *j, int64_t v)
{
	sep(j);
	fprintf(j->f, "%" PRId64, v);
}

void ksr_json_bool(struct ksr_json *j, bool v)
{
	sep(j);
	fputs(v ? "true" : "false", j->f);
}

void ksr_json_hex(struct ksr_json *j, uint64_t v)
{
	sep(j);
	fprintf(j->f, "\"0x%" PRIx64 "\"", v);
}

void ksr_json_end(struct ksr_json *j)
{
	fputc('\n', j->f);
}
