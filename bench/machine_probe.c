// SPDX-License-Identifier: BSD-2-Clause
/* What one block read costs on this machine, for the machine line of
 * scripts/bench.sh: a profile lookup pays, per 4 KiB block it reads for the
 * first time, one pread of a cached block and (in a fresh arena) the first
 * touch of a page. Medians of many, in microseconds.
 *
 * usage: machine_probe FILE   (a cached file of at least 4 MiB) */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define N 4096

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	static double t[N];
	static char buf[4096];
	char *fresh;
	int fd;

	if (argc != 2 || (fd = open(argv[1], O_RDONLY)) < 0) {
		fprintf(stderr, "usage: machine_probe FILE\n");
		return 2;
	}
	for (int i = 0; i < N; i++) {
		double s = now_us();

		syscall(SYS_getppid);
		t[i] = now_us() - s;
	}
	printf("system call %.2f us", median(t, N));
	for (int i = 0; i < N; i++) {
		double s = now_us();

		if (pread(fd, buf, sizeof(buf), (off_t)(i % 1024) * 4096) != (ssize_t)sizeof(buf))
			return 1;
		t[i] = now_us() - s;
	}
	printf(", pread of a cached 4 KiB block %.2f us", median(t, N));
	fresh = mmap(NULL, (size_t)N * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	if (fresh == MAP_FAILED)
		return 1;
	for (int i = 0; i < N; i++) {
		double s = now_us();

		fresh[(size_t)i * 4096] = 1;
		t[i] = now_us() - s;
	}
	printf(", first touch of a page %.2f us\n", median(t, N));
	return 0;
}
