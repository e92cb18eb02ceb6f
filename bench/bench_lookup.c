// SPDX-License-Identifier: BSD-2-Clause
/* Open + look up, side by side, in one process run:
 *   ksymres: ksr_profile__open + k lookups (VAR/FUNC by name through the
 *            prebuilt index) + ksr_profile__free
 *   libbpf:  btf__parse_raw of the same raw BTF + k btf__find_by_name_kind
 *            + btf__free
 * for k = 1, 10, 100, 1000 real VAR/FUNC names (spread over the id range),
 * alternating, after warm-up. Each run also times its k lookups alone
 * ("after opening": the first touches of the pages they need included),
 * and a third run per repetition times what resolve does per name: the BTF
 * lookup plus the kallsyms run of the same name. k = 1000 runs a fifth of
 * the repetitions (at least 5): libbpf needs ~0.6 s per run there.
 * Prints min/median/max per side and the ratio of medians.
 *
 * usage: bench_lookup PROFILE RAW_BTF [-n REPS] [-o FILE.jsonl] */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "btf.h"
#include "kallsyms.h"
#include "profile.h"

struct name {
	const char *s;
	unsigned int kind;
};

static volatile long sink;

/* open + k lookups; *lk receives the lookups' share */
static double run_ksr(const char *path, const struct name *n, int k, bool with_ks, double *lk)
{
	struct ksr_profile *p;
	double t = bu_now_ms(), t1;
	uint32_t first, cnt;

	if (ksr_profile__open(path, &p)) {
		fprintf(stderr, "bench_lookup: %s: %s\n", path, ksr_errmsg());
		exit(1);
	}
	t1 = bu_now_ms();
	for (int i = 0; i < k; i++) {
		sink += ksr_btf__find(ksr_profile__btf(p), n[i].s, n[i].kind);
		if (with_ks)
			sink += ksr_kallsyms__lookup(ksr_profile__kallsyms(p), n[i].s, &first, &cnt);
	}
	*lk = bu_now_ms() - t1;
	ksr_profile__free(p);
	return bu_now_ms() - t;
}

static double run_libbpf(const char *raw, const struct name *n, int k, double *lk)
{
	double t = bu_now_ms(), t1;
	struct btf *b = btf__parse_raw(raw);

	if (!b) {
		fprintf(stderr, "bench_lookup: libbpf cannot parse %s\n", raw);
		exit(1);
	}
	t1 = bu_now_ms();
	for (int i = 0; i < k; i++)
		sink += btf__find_by_name_kind(b, n[i].s, n[i].kind);
	*lk = bu_now_ms() - t1;
	btf__free(b);
	return bu_now_ms() - t;
}

static void emit(FILE *jf, const char *name, int reps, struct bu_side *s, int n, double other)
{
	bu_print(stdout, name, reps, s, n, 1, 0, other);
	if (jf)
		bu_json_line(jf, "lookup", name, reps, s, n, 1, 0, "", other);
}

int main(int argc, char **argv)
{
	static const int ks[] = { 1, 10, 100, 1000 };
	struct ksr_profile *p;
	struct name *names;
	const char *json = NULL;
	int reps = 30, cnt = 0, c;
	FILE *jf = NULL;
	uint32_t tc;

	if (argc < 3) {
		fprintf(stderr, "usage: %s PROFILE RAW_BTF [-n REPS] [-o FILE]\n", argv[0]);
		return 2;
	}
	optind = 3;
	while ((c = getopt(argc, argv, "n:o:")) != -1) {
		switch (c) {
		case 'n': reps = atoi(optarg); break;
		case 'o': json = optarg; break;
		default: return 2;
		}
	}
	if (reps < 1)
		return 2;
	libbpf_set_print(NULL);
	if (ksr_profile__open(argv[1], &p)) {
		fprintf(stderr, "%s: %s\n", argv[1], ksr_errmsg());
		return 1;
	}
	/* 1000 real names, spread over the id range, VARs and FUNCs */
	names = calloc(1000, sizeof(*names));
	ksr_btf__type_offsets(ksr_profile__btf(p), &tc);
	for (uint32_t id = 1; names && id < tc && cnt < 1000; id += tc / 3000 + 1) {
		const struct btf_type *t = ksr_btf__type_by_id(ksr_profile__btf(p), id);
		unsigned int kind = t ? BTF_INFO_KIND(t->info) : 0;

		if (kind != BTF_KIND_VAR && kind != BTF_KIND_FUNC)
			continue;
		names[cnt].s = strdup(ksr_btf__str(ksr_profile__btf(p), t->name_off));
		names[cnt++].kind = kind;
	}
	ksr_profile__free(p);
	if (cnt < 1000) {
		fprintf(stderr, "only %d names\n", cnt);
		return 1;
	}
	if (json && !(jf = fopen(json, "a"))) {
		perror(json);
		return 1;
	}
	for (size_t ki = 0; ki < sizeof(ks) / sizeof(ks[0]); ki++) {
		double *a = calloc((size_t)reps, sizeof(double)), *b = calloc((size_t)reps, sizeof(double));
		double *al = calloc((size_t)reps, sizeof(double)), *bl = calloc((size_t)reps, sizeof(double));
		double *x = calloc((size_t)reps, sizeof(double)), *xl = calloc((size_t)reps, sizeof(double));
		struct bu_side s[3];
		struct bu_load load;
		double other;
		char title[96];
		int k = ks[ki], n = k >= 1000 ? (reps / 5 > 5 ? reps / 5 : (reps < 5 ? reps : 5)) : reps;
		double dummy;

		if (!a || !b || !al || !bl || !x || !xl)
			return 1;
		bu_load_begin(&load);
		for (int w = 0; w < 3; w++) {
			run_ksr(argv[1], names, k, false, &dummy);
			run_libbpf(argv[2], names, k, &dummy);
		}
		for (int r = 0; r < n; r++) {
			if (r % 2) {
				b[r] = run_libbpf(argv[2], names, k, &bl[r]);
				a[r] = run_ksr(argv[1], names, k, false, &al[r]);
			} else {
				a[r] = run_ksr(argv[1], names, k, false, &al[r]);
				b[r] = run_libbpf(argv[2], names, k, &bl[r]);
			}
			x[r] = run_ksr(argv[1], names, k, true, &xl[r]);
		}
		other = bu_load_other_pct(&load);
		snprintf(title, sizeof(title), "open + %d lookup%s", k, k == 1 ? "" : "s");
		s[0] = (struct bu_side){ "ksymres open+find", bu_stats(a, (size_t)n), -1, -1 };
		s[1] = (struct bu_side){ "libbpf btf__parse+find", bu_stats(b, (size_t)n), -1, -1 };
		emit(jf, title, n, s, 2, other);
		snprintf(title, sizeof(title), "%d lookup%s after opening", k, k == 1 ? "" : "s");
		s[0] = (struct bu_side){ "ksymres ksr_btf__find", bu_stats(al, (size_t)n), -1, -1 };
		s[1] = (struct bu_side){ "libbpf btf__find_by_name_kind", bu_stats(bl, (size_t)n),
					 -1, -1 };
		s[2] = (struct bu_side){ "ksymres BTF find + kallsyms run", bu_stats(xl, (size_t)n),
					 -1, -1 };
		emit(jf, title, n, s, 3, other);
		free(a);
		free(b);
		free(al);
		free(bl);
		free(x);
		free(xl);
	}
	if (jf)
		fclose(jf);
	return 0;
}
