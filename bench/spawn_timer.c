// SPDX-License-Identifier: BSD-2-Clause
/* Times whole processes, alternating between commands so that drift (CPU
 * frequency, page cache, other load) hits all of them alike.
 *
 *   spawn_timer REPS WARMUP -- NAME CMD ARGS... [-- NAME CMD ARGS...]...
 *
 * Every command runs WARMUP times untimed, then REPS times in round-robin
 * order; each run is posix_spawn() to waitpid(), stdout and stderr sent to
 * /dev/null, and must exit 0. Prints min/median/max per command and the
 * ratio of the first command's median to each other's. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 8

extern char **environ;

struct cmd {
	const char *name;
	char **argv;
	double *ms;
};

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double run_once(const struct cmd *c)
{
	posix_spawn_file_actions_t fa;
	double t0, t1;
	pid_t pid;
	int st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", 1, 0);
	t0 = now_ms();
	if (posix_spawn(&pid, c->argv[0], &fa, NULL, c->argv, environ) != 0) {
		perror(c->argv[0]);
		exit(1);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "%s: failed (status 0x%x)\n", c->name, st);
		exit(1);
	}
	t1 = now_ms();
	posix_spawn_file_actions_destroy(&fa);
	return t1 - t0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	struct cmd cmds[MAX_CMDS];
	int reps, warm, n = 0;

	if (argc < 5 || strcmp(argv[3], "--") != 0) {
		fprintf(stderr, "usage: spawn_timer REPS WARMUP -- NAME CMD ARGS... [-- NAME CMD ARGS...]\n");
		return 2;
	}
	reps = atoi(argv[1]);
	warm = atoi(argv[2]);
	if (reps < 1 || warm < 0)
		return 2;
	for (int i = 3; i < argc && n < MAX_CMDS; i++) {
		if (strcmp(argv[i], "--") != 0 || i + 2 >= argc)
			continue;
		cmds[n].name = argv[i + 1];
		cmds[n].argv = &argv[i + 2];
		cmds[n].ms = calloc((size_t)reps, sizeof(double));
		n++;
	}
	for (int i = 3; i < argc; i++)
		if (!strcmp(argv[i], "--"))
			argv[i] = NULL;   /* ends the previous command's argv */
	for (int w = 0; w < warm; w++)
		for (int c = 0; c < n; c++)
			run_once(&cmds[c]);
	for (int r = 0; r < reps; r++)
		for (int c = 0; c < n; c++)
			cmds[c].ms[r] = run_once(&cmds[c]);
	printf("%-34s %10s %10s %10s   (ms, %d runs each after %d warm-up, alternating)\n",
	       "", "min", "median", "max", reps, warm);
	double med0 = 0;
	for (int c = 0; c < n; c++) {
		double med = median(cmds[c].ms, reps);

		if (c == 0)
			med0 = med;
		printf("%-34s %10.3f %10.3f %10.3f", cmds[c].name, cmds[c].ms[0], med, cmds[c].ms[reps - 1]);
		if (c > 0)
			printf("   %s / this: %.1fx", cmds[0].name, med0 / med);
		putchar('\n');
	}
	return 0;
}
