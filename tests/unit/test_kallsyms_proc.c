// SPDX-License-Identifier: BSD-2-Clause
/* Differential test on the host's real /proc/kallsyms: the parser against a
 * plain, independent split of the same bytes (sscanf per line), on the line
 * count and on every key's multiset of addresses. Also prints how long the
 * parse took next to a libbpf-style fscanf loop over the same file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kallsyms.h"
#include "ksymres/ksymres.h"
#include "testutil.h"

#define KALLSYMS "/proc/kallsyms"

struct ref {
	char *key;   /* points into the test's copy of the text */
	uint64_t addr;
};

static char *text;
static size_t text_len;

static int ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int r = strcmp(x->key, y->key);

	if (r)
		return r;
	return (x->addr > y->addr) - (x->addr < y->addr);
}

/* The independent reading: split on '\n', sscanf the fields, cut the key by
 * libbpf's rule (type 'd', text before the first ".llvm."). */
static struct ref *split(char *copy, size_t *cnt)
{
	size_t lines = 0, n = 0;
	struct ref *refs;
	char *save = NULL, *line;

	for (size_t i = 0; i < text_len; i++)
		lines += text[i] == '\n';
	refs = calloc(lines + 1, sizeof(*refs));
	assert_non_null(refs);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long addr;
		char type, *name, *tab, *llvm;
		int pos = 0;

		assert_int_equal(sscanf(line, "%llx %c %n", &addr, &type, &pos), 2);
		assert_true(pos > 0);
		name = line + pos;
		tab = strchr(name, '\t');
		if (tab)
			*tab = '\0'; /* the module column is not part of the name */
		llvm = type == 'd' ? strstr(name + 1, ".llvm.") : NULL;
		if (llvm)
			*llvm = '\0';
		assert_true(n <= lines);
		refs[n].key = name;
		refs[n].addr = addr;
		n++;
	}
	*cnt = n;
	return refs;
}

static void test_proc_differential(void **state)
{
	char *copy = malloc(text_len + 1);
	struct ksr_kallsyms *ks = NULL;
	size_t n, i, j;
	struct ref *refs;
	double t0, best = 1e9;
	int err = 0;

	assert_non_null(copy);
	for (int round = 0; round < 5; round++) {
		ksr_kallsyms__free(ks);
		t0 = tu_now_ms();
		err = ksr_kallsyms__parse(text, text_len, &ks);
		if (tu_now_ms() - t0 < best)
			best = tu_now_ms() - t0;
		if (err)
			fail_msg("parse of " KALLSYMS " failed: %s", ksr_errmsg());
	}
	memcpy(copy, text, text_len);
	copy[text_len] = '\0';
	refs = split(copy, &n);
	assert_int_equal(ksr_kallsyms__count(ks), n);
	qsort(refs, n, sizeof(*refs), ref_cmp);

	/* every key: the run returned by lookup holds exactly its addresses */
	for (i = 0; i < n; i = j) {
		uint32_t first, cnt;

		for (j = i + 1; j < n && strcmp(refs[j].key, refs[i].key) == 0; j++)
			;
		if (ksr_kallsyms__lookup(ks, refs[i].key, &first, &cnt))
			fail_msg("%s: not found", refs[i].key);
		if (cnt != j - i)
			fail_msg("%s: %u records, the text has %zu", refs[i].key, cnt, j - i);
		for (size_t k = 0; k < cnt; k++) {
			const struct ksr_ksym *s = ksr_kallsyms__sym(ks, first + (uint32_t)k);

			if (s->addr != refs[i + k].addr)
				fail_msg("%s: address %zu is 0x%llx, the text has 0x%llx",
					 refs[i].key, k, (unsigned long long)s->addr,
					 (unsigned long long)refs[i + k].addr);
		}
	}
	printf("# %s: %zu lines, %zu bytes, parsed and indexed in %.2f ms (best of 5)\n",
	       KALLSYMS, n, text_len, best);
	free(refs);
	free(copy);
	ksr_kallsyms__free(ks);
}

/* For comparison only: libbpf_kallsyms_parse()'s loop over the same file. */
static void test_proc_fscanf_reference(void **state)
{
	double t0 = tu_now_ms(), t;
	unsigned long long addr;
	char type, name[500];
	size_t lines = 0;
	FILE *f = fopen(KALLSYMS, "re");

	assert_non_null(f);
	while (fscanf(f, "%llx %c %499s%*[^\n]\n", &addr, &type, name) == 3)
		lines++;
	fclose(f);
	t = tu_now_ms() - t0;
	printf("# fscanf loop (libbpf style, reading " KALLSYMS "): %zu lines in %.2f ms\n", lines,
	       t);
	assert_true(lines > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_differential),
		cmocka_unit_test(test_proc_fscanf_reference),
	};
	bool nonzero = false;
	double t0 = tu_now_ms();

	text = tu_read_file(KALLSYMS, &text_len);
	printf("# reading %s into memory: %.2f ms\n", KALLSYMS, tu_now_ms() - t0);
	if (!text || text_len == 0)
		tu_skip(KALLSYMS " is not readable");
	/* a restricted capture: every address printed as zeros */
	for (const char *p = text; p < text + text_len && !nonzero; p++) {
		if (*p == ' ')
			p = memchr(p, '\n', (size_t)(text + text_len - p));
		else if (*p != '0' && *p != '\n')
			nonzero = true;
		if (!p)
			break;
	}
	if (!nonzero) {
		free(text);
		tu_skip(KALLSYMS " shows no addresses (kptr_restrict or no privilege)");
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
