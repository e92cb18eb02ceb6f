/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers shared by the cmocka tests. */
#ifndef KSR_TESTUTIL_H
#define KSR_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Reads a whole file; NULL if it cannot be read. Free with free(). */
void *tu_read_file(const char *path, size_t *len);
/* Path of a clang-built test object: $KSR_BPF_DIR/<name>.bpf.o (static buffer). */
const char *tu_bpf_obj(const char *name);
/* True when a file exists and is readable. */
int tu_readable(const char *path);
/* Output captured in memory: tu_mem_open() gives a FILE (NULL on
 * failure), tu_mem_text() closes it and returns what was written
 * (NUL-terminated; free()). */
struct tu_mem {
	FILE *f;
	char *buf;
	size_t len;
};
FILE *tu_mem_open(struct tu_mem *m);
char *tu_mem_text(struct tu_mem *m);
/* CLOCK_MONOTONIC in milliseconds, for the tests' time bounds. */
double tu_now_ms(void);
/* Print "SKIPPED: <reason>" and exit 77, which ctest reports as skipped. */
void tu_skip(const char *reason) __attribute__((noreturn));

#endif
