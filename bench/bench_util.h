/* SPDX-License-Identifier: BSD-2-Clause */
/* Shared by the benchmark drivers: a monotonic clock, order statistics and
 * one JSON line per benchmark in the schema scripts/bench.sh aggregates:
 *
 *   {"name": "...", "group": "...", "reps": N, "unit": "ms",
 *    "sides": [{"label": "...", "min": x, "median": x, "max": x,
 *               "rss_kb": x (optional, median peak RSS)}, ...],
 *    "ratio": x, "ratio_def": "A / B", "note": "..."}
 *
 * "ratio" is median(sides[num]) / median(sides[den]) and ratio_def names the
 * two sides, so every ratio reads the way its goal is stated. "other_cpu"
 * is the share of the machine's CPU time that went to other processes
 * while the benchmark ran (/proc/stat busy time minus this process and its
 * children): a noise indicator, since these numbers mean little on a
 * machine that was busy with something else. */
#ifndef KSR_BENCH_UTIL_H
#define KSR_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static inline double bu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static inline int bu_cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct bu_stats {
	double min, median, max;
};

/* Sorts v in place. The median of an even count is the mean of the two
 * middle values. */
static inline struct bu_stats bu_stats(double *v, size_t n)
{
	struct bu_stats s = { 0, 0, 0 };

	if (!n)
		return s;
	qsort(v, n, sizeof(*v), bu_cmp_d);
	s.min = v[0];
	s.max = v[n - 1];
	s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return s;
}

/* A JSON string with the few escapes our labels can need. */
static inline void bu_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* ---- other load on the machine ------------------------------------------- */

struct bu_load {
	double wall_ms;
	double busy_ms;     /* all CPUs, from /proc/stat */
	double own_ms;      /* this process and its reaped children */
};

static inline double bu_busy_ms(void)
{
	unsigned long long v[10] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	double hz = (double)sysconf(_SC_CLK_TCK);

	if (!f)
		return 0;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]) != 8) {
		fclose(f);
		return 0;
	}
	fclose(f);
	/* user nice system (idle iowait) irq softirq steal */
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * 1e3 / hz;
}

static inline double bu_own_ms(void)
{
	struct rusage a, b;

	getrusage(RUSAGE_SELF, &a);
	getrusage(RUSAGE_CHILDREN, &b);
	return (double)(a.ru_utime.tv_sec + a.ru_stime.tv_sec + b.ru_utime.tv_sec +
			b.ru_stime.tv_sec) * 1e3 +
	       (double)(a.ru_utime.tv_usec + a.ru_stime.tv_usec + b.ru_utime.tv_usec +
			b.ru_stime.tv_usec) / 1e3;
}

static inline void bu_load_begin(struct bu_load *l)
{
	l->wall_ms = bu_now_ms();
	l->busy_ms = bu_busy_ms();
	l->own_ms = bu_own_ms();
}

/* Percent of all CPUs' time used by others since bu_load_begin(). */
static inline double bu_load_other_pct(const struct bu_load *l)
{
	double wall = bu_now_ms() - l->wall_ms, cpus = (double)sysconf(_SC_NPROCESSORS_ONLN);
	double other = (bu_busy_ms() - l->busy_ms) - (bu_own_ms() - l->own_ms);

	if (wall <= 0 || cpus < 1)
		return 0;
	other = other < 0 ? 0 : other;
	return 100.0 * other / (wall * cpus);
}

struct bu_side {
	const char *label;
	struct bu_stats t;   /* milliseconds */
	double rss_kb;       /* median peak RSS, < 0 when not measured */
	double rss_kb_max;
};

/* One benchmark as one JSON line on f. num/den index sides (den < 0: no ratio). */
static inline void bu_json_line(FILE *f, const char *group, const char *name, int reps,
				const struct bu_side *sides, int nsides, int num, int den,
				const char *note, double other_pct)
{
	fputs("{\"group\":", f);
	bu_json_str(f, group);
	fputs(",\"name\":", f);
	bu_json_str(f, name);
	fprintf(f, ",\"reps\":%d,\"unit\":\"ms\",\"sides\":[", reps);
	for (int i = 0; i < nsides; i++) {
		fprintf(f, "%s{\"label\":", i ? "," : "");
		bu_json_str(f, sides[i].label);
		fprintf(f, ",\"min\":%.4f,\"median\":%.4f,\"max\":%.4f", sides[i].t.min,
			sides[i].t.median, sides[i].t.max);
		if (sides[i].rss_kb >= 0)
			fprintf(f, ",\"rss_kb\":%.0f,\"rss_kb_max\":%.0f", sides[i].rss_kb,
				sides[i].rss_kb_max);
		fputc('}', f);
	}
	fputc(']', f);
	if (den >= 0 && sides[den].t.median > 0) {
		char def[512];

		fprintf(f, ",\"ratio\":%.4f,\"ratio_def\":",
			sides[num].t.median / sides[den].t.median);
		snprintf(def, sizeof(def), "%s / %s", sides[num].label, sides[den].label);
		bu_json_str(f, def);
	}
	if (note && *note) {
		fputs(",\"note\":", f);
		bu_json_str(f, note);
	}
	fprintf(f, ",\"other_cpu_pct\":%.1f}\n", other_pct);
	fflush(f);
}

/* The human-readable form of the same line. */
static inline void bu_print(FILE *f, const char *name, int reps, const struct bu_side *sides,
			    int nsides, int num, int den, double other_pct)
{
	fprintf(f, "%s (%d reps; other processes used %.1f%% of the CPUs%s)\n", name, reps,
		other_pct, other_pct > 5 ? ": NOISY" : "");
	for (int i = 0; i < nsides; i++) {
		fprintf(f, "  %-46s median %9.3f  min %9.3f  max %9.3f ms", sides[i].label,
			sides[i].t.median, sides[i].t.min, sides[i].t.max);
		if (sides[i].rss_kb >= 0)
			fprintf(f, "  rss %6.0f KB", sides[i].rss_kb);
		fputc('\n', f);
	}
	if (den >= 0 && sides[den].t.median > 0)
		fprintf(f, "  ratio %s / %s = %.2f\n", sides[num].label, sides[den].label,
			sides[num].t.median / sides[den].t.median);
}

#endif
