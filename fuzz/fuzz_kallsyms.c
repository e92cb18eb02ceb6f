// SPDX-License-Identifier: BSD-2-Clause
/* kallsyms / System.map text: the strict line parser, the key rules, the
 * name index, and the prebuilt-index view a profile uses.
 *
 * Invariants: every record's name and module are strings of the table; the
 * records sharing a key are one contiguous run and a lookup of the key
 * returns exactly that run, in the parsed table and in an indexed view over
 * the same arrays. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "kallsyms.h"
#include "rebase.h"

static const char *key_of(const struct ksr_kallsyms *ks, const struct ksr_ksym *s, char *buf)
{
	const char *name = ksr_kallsyms__str(ks, s->name_off);

	FZ_ASSERT(name != NULL && s->key_len >= 1 && s->key_len <= strlen(name) &&
		  s->key_len <= KSR_KSYM_NAME_MAX);
	memcpy(buf, name, s->key_len);
	buf[s->key_len] = '\0';
	return buf;
}

/* Walks the runs of equal keys; each head must be found, with its run. */
static void check_runs(const struct ksr_kallsyms *ks, const struct ksr_kallsyms *view)
{
	char key[KSR_KSYM_NAME_MAX + 1], next[KSR_KSYM_NAME_MAX + 1];
	uint32_t n = ksr_kallsyms__count(ks), i = 0;

	while (i < n) {
		const struct ksr_ksym *s = ksr_kallsyms__sym(ks, i);
		uint32_t run = 1, first = 0, cnt = 0;

		FZ_ASSERT(s != NULL && s->reserved == 0);
		FZ_ASSERT(ksr_kallsyms__str(ks, s->mod_off) != NULL);
		FZ_ASSERT((s->mod_off != 0) == ((s->flags & KSR_KSYM_MODULE) != 0));
		key_of(ks, s, key);
		while (i + run < n && !strcmp(key_of(ks, ksr_kallsyms__sym(ks, i + run), next), key))
			run++;
		FZ_ASSERT(ksr_kallsyms__lookup(ks, key, &first, &cnt) == 0);
		FZ_ASSERT(first == i && cnt == run);
		FZ_ASSERT(ksr_kallsyms__lookup(view, key, &first, &cnt) == 0);
		FZ_ASSERT(first == i && cnt == run);
		i += run;
	}
	FZ_ASSERT(ksr_kallsyms__sym(ks, n) == NULL);
}

/* The live loader's streaming search for _text: consumes only whole
 * lines, and never more than it was given. */
static void check_scan_text(const char *text, size_t len)
{
	uint64_t addr = 0;
	size_t used = 0;
	int r;

	ksr_err_clear();
	r = ksr_rebase__scan_text(text, len, 0, &addr, &used);
	fz_check_error(r);
	FZ_ASSERT((r == -KSR_EMALFORMED || r == 0 || r == 1) && used <= len);
	FZ_ASSERT(used == 0 || text[used - 1] == '\n');
}

/* capture's path: the same text streamed through one small window in
 * pieces of varying size must give the same result as one parse: the same
 * error message (offsets included), or the same tables. */
static void check_stream(const char *text, size_t size, int one_err, const char *one_msg,
			 const struct ksr_kallsyms *one)
{
	char win[2 * KSR_KSYM_STREAM_LINE_MAX];
	struct ksr_kallsyms_stream *st;
	struct ksr_kallsyms *ks = NULL;
	size_t have = 0, done = 0, used, step = 1;
	int err = 0;

	FZ_ASSERT(ksr_kallsyms__stream_new(&st) == 0);
	while (done < size && !err) {
		size_t n = step < sizeof(win) - have ? step : sizeof(win) - have;

		if (n > size - done)
			n = size - done;
		memcpy(win + have, text + done, n);
		have += n;
		done += n;
		step = step * 7 % 5003 + 1; /* 1 byte to ~5 KiB, deterministic */
		err = ksr_kallsyms__stream_feed(st, win, have, &used);
		if (err)
			break;
		FZ_ASSERT(used <= have && (used == 0 || win[used - 1] == '\n'));
		memmove(win, win + used, have - used);
		have -= used;
		FZ_ASSERT(have < sizeof(win));
	}
	err = ksr_kallsyms__stream_finish(st, win, have, &ks);
	FZ_ASSERT(err == one_err);
	if (err) {
		FZ_ASSERT(ks == NULL && strcmp(ksr_errmsg(), one_msg) == 0);
		return;
	}
	{
		uint32_t na, nb, la, lb, sa, sb;
		const struct ksr_ksym *ya = ksr_kallsyms__syms(one, &na), *yb = ksr_kallsyms__syms(ks, &nb);
		const char *ta = ksr_kallsyms__strs(one, &la), *tb = ksr_kallsyms__strs(ks, &lb);
		const uint32_t *xa = ksr_kallsyms__slots(one, &sa), *xb = ksr_kallsyms__slots(ks, &sb);

		FZ_ASSERT(na == nb && la == lb && sa == sb);
		FZ_ASSERT(!memcmp(ya, yb, (size_t)na * sizeof(*ya)) && !memcmp(ta, tb, la) &&
			  !memcmp(xa, xb, (size_t)sa * sizeof(*xa)));
	}
	ksr_kallsyms__free(ks);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ksr_kallsyms *ks = NULL, *view = NULL;
	const struct ksr_ksym *syms;
	const uint32_t *slots;
	const char *strs;
	uint32_t sym_cnt, strs_len, slot_cnt, first, cnt;
	uint64_t text;
	char *text_copy, msg[1024];
	int err;

	if (size > KSR_FUZZ_MAX_INPUT)
		return 0;
	text_copy = fz_dup(data, size);
	check_scan_text(text_copy, size);
	ksr_err_clear();
	err = ksr_kallsyms__parse(text_copy, size, &ks);
	fz_check_error(err);
	FZ_ASSERT(err == 0 ? ks != NULL : ks == NULL);
	snprintf(msg, sizeof(msg), "%s", err ? ksr_errmsg() : "");
	check_stream(text_copy, size, err, msg, ks);
	if (err) {
		free(text_copy);
		return 0;
	}
	FZ_ASSERT(ksr_kallsyms__addr_width(ks) == 8 || ksr_kallsyms__addr_width(ks) == 16);
	syms = ksr_kallsyms__syms(ks, &sym_cnt);
	strs = ksr_kallsyms__strs(ks, &strs_len);
	slots = ksr_kallsyms__slots(ks, &slot_cnt);
	FZ_ASSERT(sym_cnt == ksr_kallsyms__count(ks) && sym_cnt <= KSR_KSYM_MAX_LINES);
	FZ_ASSERT(ksr_kallsyms__open_indexed(syms, sym_cnt, strs, strs_len, slots, slot_cnt,
					     &view) == 0);
	check_runs(ks, view);
	if (ksr_kallsyms__text_addr(ks, &text))
		FZ_ASSERT(ksr_kallsyms__lookup(ks, "_text", &first, &cnt) == 0);
	ksr_kallsyms__has_data_syms(ks);
	FZ_ASSERT(ksr_kallsyms__lookup(ks, "", &first, &cnt) == -ENOENT);
	ksr_kallsyms__free(view);
	ksr_kallsyms__free(ks);
	free(text_copy);
	return 0;
}
