// SPDX-License-Identifier: BSD-2-Clause
/* Open + look up, side by side, in one process run:
 *   ksymres: ksr_profile__open + k lookups (VAR/FUNC by name through the
 *            prebuilt index) + ksr_profile__free
 *   libbpf:  btf__parse_raw of the same raw BTF + k btf__find_by_name_kind
 * for k = 1, 10, 100, 1000 real VAR/FUNC names, alternating, after warm-up.
 * Prints min/median/max per side and the ratio of medians; -j for JSON.
 * usage: bench_lookup PROFILE RAW_BTF [REPS] [-j] */
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "btf.h"
#include "profile.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct name { const char *s; unsigned int kind; };

static volatile long sink;

static double run_ksr(const char *path, const struct name *n, int k)
{
	struct ksr_profile *p;
	double t = now_ms();

	if (ksr_profile__open(path, &p))
		exit(1);
	for (int i = 0; i < k; i++)
		sink += ksr_btf__find(ksr_profile__btf(p), n[i].s, n[i].kind);
	ksr_profile__free(p);
	return now_ms() - t;
}

static double run_libbpf(const char *raw, const struct name *n, int k)
{
	double t = now_ms();
	struct btf *b = btf__parse_raw(raw);

	if (!b)
		exit(1);
	for (int i = 0; i < k; i++)
		sink += btf__find_by_name_kind(b, n[i].s, n[i].kind);
	btf__free(b);
	return now_ms() - t;
}

int main(int argc, char **argv)
{
	static const int ks[] = { 1, 10, 100, 1000 };
	struct ksr_profile *p;
	struct name *names;
	int reps = argc > 3 ? atoi(argv[3]) : 20, cnt = 0;
	int json = argc > 4 && !strcmp(argv[4], "-j");
	uint32_t tc;

	if (argc < 3 || reps < 1) {
		fprintf(stderr, "usage: %s PROFILE RAW_BTF [REPS] [-j]\n", argv[0]);
		return 2;
	}
	if (ksr_profile__open(argv[1], &p)) {
		fprintf(stderr, "%s: %s\n", argv[1], ksr_errmsg());
		return 1;
	}
	/* 1000 real names, spread over the id range, VARs and FUNCs */
	names = calloc(1000, sizeof(*names));
	ksr_btf__type_offsets(ksr_profile__btf(p), &tc);
	for (uint32_t id = 1; id < tc && cnt < 1000; id += tc / 3000 + 1) {
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
	if (json)
		printf("{\"benchmark\":\"open+lookup\",\"reps\":%d,\"results\":[", reps);
	else
		printf("%-22s %10s %10s %10s   %10s %10s %10s   %8s\n", "open + k lookups (ms)",
		       "ksr min", "median", "max", "libbpf min", "median", "max", "ratio");
	for (size_t ki = 0; ki < sizeof(ks) / sizeof(ks[0]); ki++) {
		double *a = calloc((size_t)reps, sizeof(double)), *b = calloc((size_t)reps, sizeof(double));
		int k = ks[ki];

		run_ksr(argv[1], names, k); /* warm-up */
		run_libbpf(argv[2], names, k);
		for (int r = 0; r < reps; r++) {
			a[r] = run_ksr(argv[1], names, k);
			b[r] = run_libbpf(argv[2], names, k);
		}
		qsort(a, (size_t)reps, sizeof(double), cmp_d);
		qsort(b, (size_t)reps, sizeof(double), cmp_d);
		if (json)
			printf("%s{\"k\":%d,\"ksymres\":{\"min\":%.4f,\"median\":%.4f,\"max\":%.4f},"
			       "\"libbpf\":{\"min\":%.4f,\"median\":%.4f,\"max\":%.4f},\"ratio\":%.1f}",
			       ki ? "," : "", k, a[0], a[reps / 2], a[reps - 1], b[0], b[reps / 2],
			       b[reps - 1], b[reps / 2] / a[reps / 2]);
		else
			printf("k=%-20d %10.3f %10.3f %10.3f   %10.3f %10.3f %10.3f   %7.1fx\n", k, a[0],
			       a[reps / 2], a[reps - 1], b[0], b[reps / 2], b[reps - 1],
			       b[reps / 2] / a[reps / 2]);
		free(a);
		free(b);
	}
	if (json)
		printf("]}\n");
	return 0;
}
