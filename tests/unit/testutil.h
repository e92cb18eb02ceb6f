/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers shared by the cmocka tests. */
#ifndef KSR_TESTUTIL_H
#define KSR_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Reads a whole file; NULL if it cannot be read. Free with free(). */
void *tu_read_file(const char *path, size_t *len);
/* Path of a clang-built test object: $KSR_BPF_DIR/<name>.bpf.o (static buffer). */
const char *tu_bpf_obj(const char *name);
/* True when a file exists and is readable. */
int tu_readable(const char *path);
/* CLOCK_MONOTONIC in milliseconds, for the tests' time bounds. */
double tu_now_ms(void);
/* Print "SKIPPED: <reason>" and exit 77, which ctest reports as skipped. */
void tu_skip(const char *reason) __attribute__((noreturn));

#endif
