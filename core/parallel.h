/* SPDX-License-Identifier: BSD-2-Clause */
/* One job per index, on a few threads: `ksymres check` opens and decides
 * many profiles, each independent of the others. */
#ifndef KSR_PARALLEL_H
#define KSR_PARALLEL_H

#include <stddef.h>

#define KSR_PARALLEL_MAX 8 /* threads, this one included */

/* Runs fn(ctx, k) for every k in [0, n) on up to threads threads (0: one
 * per online CPU), this one included; fn returns 0 or a negative error with
 * its message set. Returns 0, or the error of the lowest k that failed,
 * with that job's message, and *failed = k; -ENOMEM before running any,
 * with *failed = 0. */
int ksr_parallel_for(size_t n, size_t threads, int (*fn)(void *ctx, size_t k), void *ctx,
		     size_t *failed);

#endif
