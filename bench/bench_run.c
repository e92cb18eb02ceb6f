// SPDX-License-Identifier: BSD-2-Clause
/* Whole-process benchmark: runs two or more commands alternately (the
 * order rotates every repetition), after warm-up runs of each, and reports
 * per side the wall time (spawn to reap) min/median/max and the median peak
 * RSS (wait4's ru_maxrss of that child), plus the ratio of two medians.
 *
 * usage: bench_run [-n REPS] [-w WARMUP] [-o FILE.jsonl] [-g GROUP] [-r NUM/DEN]
 *                  [-N NOTE] NAME -- LABEL CMD [ARG...] [+++ CLEANUP...]
 *                  [--- LABEL CMD [ARG...] [+++ CLEANUP...]]...
 *
 * stdout of every command goes to /dev/null, stderr to a temporary file
 * that is shown if the command fails (any non-zero exit stops the run).
 * CLEANUP, when given, runs untimed after every run of its side (e.g. to
 * remove a bpffs pin). -r 0/1 (default) reports median(side 0)/median(side 1). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"

extern char **environ;

#define MAX_SIDES 8

struct side {
	const char *label;
	char **argv;
	char **cleanup;  /* NULL: none */
	double *t;
	double *rss;
	char errpath[64];
};

static void show_stderr(const char *path)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stderr);
	fclose(f);
}

/* Runs argv once; returns its exit status, the wall time and peak RSS. */
static int run_once(char **argv, const char *errpath, double *ms, double *rss_kb)
{
	posix_spawn_file_actions_t fa;
	struct rusage ru;
	double t0, t1;
	pid_t pid;
	int st, err;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	t0 = bu_now_ms();
	err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err) {
		fprintf(stderr, "bench_run: cannot run %s: %s\n", argv[0], strerror(err));
		return -1;
	}
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR) {
			perror("bench_run: wait4");
			return -1;
		}
	t1 = bu_now_ms();
	*ms = t1 - t0;
	*rss_kb = (double)ru.ru_maxrss;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static int run_side(struct side *s, double *ms, double *rss)
{
	double cms, crss;
	int rc = run_once(s->argv, s->errpath, ms, rss);

	if (rc != 0) {
		fprintf(stderr, "bench_run: '%s' failed (status %d):", s->label, rc);
		for (char **a = s->argv; *a; a++)
			fprintf(stderr, " %s", *a);
		fputc('\n', stderr);
		show_stderr(s->errpath);
		return -1;
	}
	if (s->cleanup && run_once(s->cleanup, s->errpath, &cms, &crss) != 0) {
		fprintf(stderr, "bench_run: cleanup of '%s' failed\n", s->label);
		show_stderr(s->errpath);
		return -1;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_run [-n REPS] [-w WARMUP] [-o FILE] [-g GROUP] [-r NUM/DEN] "
			"[-N NOTE] NAME -- LABEL CMD... [+++ CLEANUP...] [--- LABEL CMD...]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct side sides[MAX_SIDES];
	struct bu_side out[MAX_SIDES];
	const char *json = NULL, *group = "", *note = "", *name;
	int reps = 20, warm = 3, num = 0, den = 1, nsides = 0, c, rc = 0;
	struct bu_load load;
	double other;
	FILE *jf = NULL;

	while ((c = getopt(argc, argv, "+n:w:o:g:r:N:")) != -1) {
		switch (c) {
		case 'n': reps = atoi(optarg); break;
		case 'w': warm = atoi(optarg); break;
		case 'o': json = optarg; break;
		case 'g': group = optarg; break;
		case 'N': note = optarg; break;
		case 'r':
			if (sscanf(optarg, "%d/%d", &num, &den) != 2)
				usage();
			break;
		default: usage();
		}
	}
	if (reps < 1 || warm < 0 || argc - optind < 4 || strcmp(argv[optind + 1], "--"))
		usage();
	name = argv[optind];
	/* split the rest into sides at "---" and cleanups at "+++" (in place) */
	for (int i = optind + 2; i < argc;) {
		struct side *s;

		if (nsides == MAX_SIDES)
			usage();
		s = &sides[nsides++];
		memset(s, 0, sizeof(*s));
		s->label = argv[i++];
		if (i >= argc || !strcmp(argv[i], "---") || !strcmp(argv[i], "+++"))
			usage();
		s->argv = &argv[i];
		while (i < argc && strcmp(argv[i], "---") && strcmp(argv[i], "+++"))
			i++;
		if (i < argc && !strcmp(argv[i], "+++")) {
			argv[i++] = NULL;
			s->cleanup = &argv[i];
			while (i < argc && strcmp(argv[i], "---"))
				i++;
		}
		if (i < argc)
			argv[i++] = NULL;
		s->t = calloc((size_t)reps, sizeof(double));
		s->rss = calloc((size_t)reps, sizeof(double));
		snprintf(s->errpath, sizeof(s->errpath), "/tmp/bench_run.%d.%d.err", (int)getpid(),
			 nsides);
		if (!s->t || !s->rss)
			return 1;
	}
	if (num < 0 || num >= nsides || den >= nsides)
		usage();
	if (nsides < 2)
		den = -1;

	bu_load_begin(&load);
	for (int w = 0; w < warm && !rc; w++)
		for (int i = 0; i < nsides && !rc; i++) {
			double ms, rss;

			rc = run_side(&sides[i], &ms, &rss);
		}
	for (int r = 0; r < reps && !rc; r++)
		for (int k = 0; k < nsides && !rc; k++) {
			struct side *s = &sides[(r + k) % nsides];

			rc = run_side(s, &s->t[r], &s->rss[r]);
		}
	other = bu_load_other_pct(&load);
	for (int i = 0; i < nsides; i++)
		unlink(sides[i].errpath);
	if (rc)
		return 1;

	for (int i = 0; i < nsides; i++) {
		struct bu_stats rs = bu_stats(sides[i].rss, (size_t)reps);

		out[i].label = sides[i].label;
		out[i].t = bu_stats(sides[i].t, (size_t)reps);
		out[i].rss_kb = rs.median;
		out[i].rss_kb_max = rs.max;
	}
	bu_print(stdout, name, reps, out, nsides, num, den, other);
	if (json) {
		jf = fopen(json, "a");
		if (!jf) {
			perror(json);
			return 1;
		}
		bu_json_line(jf, group, name, reps, out, nsides, num, den, note, other);
		fclose(jf);
	}
	return 0;
}
