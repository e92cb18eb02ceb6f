// SPDX-License-Identifier: BSD-2-Clause
#include <inttypes.h>

#include "cli.h"

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

static void raw_str(struct ksr_json *j, const char *s)
{
	fputc('"', j->f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(j->f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(j->f, "\\u%04x", c);
		else
			fputc(c, j->f);
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
