// SPDX-License-Identifier: BSD-2-Clause
/* The structure-aware mutator KSR_SA_MUTATOR (fuzz/mutator.h) as an AFL++
 * custom mutator library (AFL_CUSTOM_MUTATOR_LIBRARY=.../afl_mutator_<t>.so;
 * fuzz/README.md, "Structure-aware mutators"). AFL++ runs it before its
 * havoc stage and keeps its own mutations; an input the mutator cannot walk
 * comes back unchanged. Built without sanitizers: afl-fuzz loads it. */
#include <stdlib.h>
#include <string.h>

#include "mutator.h"

struct afl_sa {
	struct fz_rng r;
	uint8_t *buf;
	size_t cap;
};

void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
		       uint8_t *add_buf, size_t add_buf_size, size_t max_size);
void afl_custom_deinit(void *data);

void *afl_custom_init(void *afl, unsigned int seed)
{
	struct afl_sa *m = calloc(1, sizeof(*m));

	if (m)
		m->r.s = seed;
	return m;
}

size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
		       uint8_t *add_buf, size_t add_buf_size, size_t max_size)
{
	struct afl_sa *m = data;
	size_t n;

	if (max_size > m->cap) {
		uint8_t *p = realloc(m->buf, max_size);

		if (!p) {
			*out_buf = buf;
			return buf_size;
		}
		m->buf = p, m->cap = max_size;
	}
	if (buf_size > max_size)
		buf_size = max_size;
	memcpy(m->buf, buf, buf_size);
	n = KSR_SA_MUTATOR(m->buf, buf_size, max_size, fz_rng_next(&m->r));
	*out_buf = m->buf;
	return n ? n : buf_size;
}

void afl_custom_deinit(void *data)
{
	struct afl_sa *m = data;

	free(m->buf);
	free(m);
}
