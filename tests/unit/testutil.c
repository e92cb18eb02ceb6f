// SPDX-License-Identifier: BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

void *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, r;
	char *buf = NULL, *nb;

	if (!f)
		return NULL;
	for (;;) {
		nb = realloc(buf, cap);
		if (!nb) {
			free(buf);
			fclose(f);
			return NULL;
		}
		buf = nb;
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (n < cap)
			break;
		cap *= 2;
	}
	fclose(f);
	*len = n;
	return buf;
}

const char *tu_bpf_obj(const char *name)
{
	static char path[4096];
	const char *dir = getenv("KSR_BPF_DIR");

	snprintf(path, sizeof(path), "%s/%s.bpf.o", dir ? dir : ".", name);
	return path;
}

int tu_readable(const char *path)
{
	return access(path, R_OK) == 0;
}

FILE *tu_mem_open(struct tu_mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	return m->f;
}

char *tu_mem_text(struct tu_mem *m)
{
	fclose(m->f);
	m->f = NULL;
	return m->buf;
}

double tu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void tu_skip(const char *reason)
{
	printf("SKIPPED: %s\n", reason);
	fflush(stdout);
	exit(77);
}
