// SPDX-License-Identifier: BSD-2-Clause
/* ctest fuzz_mutator_<t>: runs a structure-aware mutator (fuzz/mutator.h)
 * many times over a target's seeds, half the time again on its own last
 * output, and checks that it is deterministic, stays within max, changes
 * its input, and that a share of what it writes still parses with the
 * library (the point of mutating structures rather than bytes).
 * usage: mutator_check btf|object RUNS MAX_LEN MIN_PARSED_PCT DIR... */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf.h"
#include "error.h"
#include "mutator.h"
#include "object.h"

struct seed {
	uint8_t *p;
	size_t n;
};

static size_t load(const char *dir, struct seed **seeds, size_t cnt, size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL) {
		char path[4096];
		FILE *f;
		long n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		if (!f)
			continue;
		if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && (size_t)n <= max &&
		    fseek(f, 0, SEEK_SET) == 0) {
			*seeds = realloc(*seeds, (cnt + 1) * sizeof(**seeds));
			(*seeds)[cnt].p = malloc((size_t)n);
			(*seeds)[cnt].n = fread((*seeds)[cnt].p, 1, (size_t)n, f);
			cnt++;
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	return cnt;
}

static bool parses(bool btf, const uint8_t *p, size_t n)
{
	int err;

	ksr_err_clear();
	if (btf) {
		struct ksr_btf *b = NULL;

		err = ksr_btf__parse(p, n, KSR_BTF_MODE_OBJECT, &b);
		ksr_btf__free(b);
	} else {
		struct ksr_object *o = NULL;

		err = ksr_object__open_mem(p, n, &o);
		ksr_object__free(o);
	}
	return err == 0;
}

int main(int argc, char **argv)
{
	struct seed *seeds = NULL;
	size_t cnt = 0, max, len = 0, walked = 0, changed = 0, parsed = 0, seeds_parsed = 0;
	size_t from_good = 0, good = 0; /* mutations of an input that parsed; outputs that parse */
	bool in_ok = false;
	unsigned long runs;
	double min_pct;
	uint8_t *buf, *again, *in;
	bool btf;

	if (argc < 6 || (strcmp(argv[1], "btf") && strcmp(argv[1], "object"))) {
		fprintf(stderr, "usage: mutator_check btf|object RUNS MAX_LEN MIN_PARSED_PCT DIR...\n");
		return 2;
	}
	btf = !strcmp(argv[1], "btf");
	runs = strtoul(argv[2], NULL, 10);
	max = strtoul(argv[3], NULL, 10);
	min_pct = strtod(argv[4], NULL);
	for (int i = 5; i < argc; i++)
		cnt = load(argv[i], &seeds, cnt, max);
	if (!cnt) {
		fprintf(stderr, "mutator_check: no seeds\n");
		return 1;
	}
	for (size_t i = 0; i < cnt; i++)
		seeds_parsed += parses(btf, seeds[i].p, seeds[i].n);
	buf = malloc(max), again = malloc(max), in = malloc(max);
	for (unsigned long r = 0; r < runs; r++) {
		size_t n, in_len;

		if (!len || r % 2 == 0) { /* a seed, else the last output again */
			len = seeds[r / 2 % cnt].n;
			memcpy(buf, seeds[r / 2 % cnt].p, len);
			in_ok = parses(btf, buf, len);
		}
		memcpy(in, buf, len), in_len = len;
		n = btf ? fz_mut_btf(buf, len, max, (uint32_t)r) : fz_mut_object(buf, len, max, (uint32_t)r);
		if (r < 2000) { /* the same seed gives the same output */
			size_t n2;

			memcpy(again, in, in_len);
			n2 = btf ? fz_mut_btf(again, in_len, max, (uint32_t)r)
				 : fz_mut_object(again, in_len, max, (uint32_t)r);
			if (n2 != n || (n && memcmp(again, buf, n) != 0)) {
				fprintf(stderr, "mutator_check: not deterministic at run %lu\n", r);
				return 1;
			}
		}
		if (n > max) {
			fprintf(stderr, "mutator_check: %zu bytes > max %zu\n", n, max);
			return 1;
		}
		if (!n) { /* not walked or no room: the hook mutates bytes instead */
			memcpy(buf, in, in_len);
			len = in_len;
			continue;
		}
		walked++;
		len = n;
		if (n != in_len || memcmp(in, buf, n) != 0)
			changed++;
		{
			bool ok = parses(btf, buf, n);

			parsed += ok;
			from_good += in_ok;
			good += in_ok && ok;
			in_ok = ok;
		}
	}
	printf("mutator_check %s: %zu seeds (%zu parse), %lu runs: %zu mutated structurally "
	       "(%.1f %%), %zu changed, %zu parse (%.1f %% of those)\n",
	       argv[1], cnt, seeds_parsed, runs, walked, 100.0 * (double)walked / (double)runs,
	       changed, parsed, walked ? 100.0 * (double)parsed / (double)walked : 0.0);
	printf("mutator_check %s: of %zu mutations of an input that parses, %zu parse (%.1f %%)\n",
	       argv[1], from_good, good, from_good ? 100.0 * (double)good / (double)from_good : 0.0);
	for (size_t i = 0; i < cnt; i++)
		free(seeds[i].p);
	free(seeds), free(buf), free(again), free(in);
	if (walked < runs / 2 || changed < walked * 3 / 4) {
		fprintf(stderr, "mutator_check: too few structural mutations or changes\n");
		return 1;
	}
	if (!from_good || 100.0 * (double)good < min_pct * (double)from_good) {
		fprintf(stderr, "mutator_check: under %.1f %% parse\n", min_pct);
		return 1;
	}
	return 0;
}
