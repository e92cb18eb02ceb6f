// SPDX-License-Identifier: BSD-2-Clause
/* Replays inputs through a harness without a fuzzing engine, so any crash
 * reproduces with a plain gcc or clang build and ctest can run the seeds
 * and regressions on every build.
 *
 * usage: fuzz_<target> PATH...   (files, or directories: their regular
 * files, recursively, in name order; names starting with '.' are skipped) */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Inputs larger than this are not read at all; the harnesses skip anything
 * above 1 MiB anyway. */
#define REPLAY_MAX (64u << 20)

static int run_file(const char *path, unsigned long *runs)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t got;

		if (len == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 4096;
			if (cap > REPLAY_MAX) {
				fprintf(stderr, "%s: larger than %u bytes\n", path, REPLAY_MAX);
				free(buf);
				fclose(f);
				return -1;
			}
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	fclose(f);
	/* an exact-size copy, as the engines pass it, so ASan sees overreads */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (!exact) {
			free(buf);
			return -1;
		}
		if (len)
			memcpy(exact, buf, len);
		free(buf);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	(*runs)++;
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int run_path(const char *path, unsigned long *runs, int depth)
{
	struct dirent **ents;
	struct stat st;
	int n, err = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path, runs);
	if (depth > 8) {
		fprintf(stderr, "%s: directories nested too deep\n", path);
		return -1;
	}
	n = scandir(path, &ents, NULL, by_name);
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *child;

		if (ents[i]->d_name[0] != '.' && !err) {
			if (asprintf(&child, "%s/%s", path, ents[i]->d_name) < 0) {
				err = -1;
			} else {
				err = run_path(child, runs, depth + 1);
				free(child);
			}
		}
		free(ents[i]);
	}
	free(ents);
	return err;
}

int main(int argc, char **argv)
{
	unsigned long runs = 0;
	int err = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc && !err; i++)
		err = run_path(argv[i], &runs, 0);
	printf("%s: %lu inputs replayed\n", argv[0], runs);
	return err ? 1 : 0;
}
