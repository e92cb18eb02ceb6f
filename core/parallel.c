// SPDX-License-Identifier: BSD-2-Clause
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "error.h"
#include "ksymres/ksymres.h"
#include "parallel.h"

#define MSG_MAX 512

struct jobs {
	int (*fn)(void *ctx, size_t k);
	void *ctx;
	size_t n;
	int *err;                     /* per job */
	char (*msg)[MSG_MAX];         /* the message is thread-local: kept per job */
	atomic_size_t next;
};

static void *worker(void *arg)
{
	struct jobs *j = arg;

	for (size_t k; (k = atomic_fetch_add(&j->next, 1)) < j->n;) {
		j->err[k] = j->fn(j->ctx, k);
		if (j->err[k])
			snprintf(j->msg[k], sizeof(j->msg[k]), "%s", ksr_errmsg());
	}
	return NULL;
}

int ksr_parallel_for(size_t n, size_t threads, int (*fn)(void *ctx, size_t k), void *ctx,
		     size_t *failed)
{
	struct jobs j = { .fn = fn, .ctx = ctx, .n = n };
	pthread_t tid[KSR_PARALLEL_MAX];
	size_t started = 0;
	int err = 0;

	if (n)
		*failed = 0;  /* a failure of the batch itself (memory) is the first's */
	j.err = calloc(n ? n : 1, sizeof(*j.err));
	j.msg = malloc((n ? n : 1) * sizeof(*j.msg));
	if (!j.err || !j.msg) {
		free(j.err);
		free(j.msg);
		return ksr_err(ENOMEM, "out of memory");
	}
	atomic_init(&j.next, 0);
	if (!threads) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		threads = cpus > 0 ? (size_t)cpus : 1;
	}
	if (threads > KSR_PARALLEL_MAX)
		threads = KSR_PARALLEL_MAX;
	if (threads > n)
		threads = n;
	/* the others only if they start: this thread alone finishes the work */
	for (; started + 1 < threads; started++)
		if (pthread_create(&tid[started], NULL, worker, &j))
			break;
	worker(&j);
	for (size_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	for (size_t k = 0; k < n && !err; k++)
		if (j.err[k]) {
			err = ksr_err(-j.err[k], "%s", j.msg[k]);
			*failed = k;
		}
	free(j.err);
	free(j.msg);
	return err;
}
