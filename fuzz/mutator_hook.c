// SPDX-License-Identifier: BSD-2-Clause
/* libFuzzer's custom mutator hooks for one structure-aware mutator
 * (fuzz/mutator.h), linked into a target by fuzz/CMakeLists.txt and
 * fuzz/oss-fuzz/build.sh: KSR_SA_MUTATOR names the function, KSR_SA_CROSS
 * (optional) the crossover. A share of the mutations, and every input the
 * mutator cannot walk, go to libFuzzer's byte mutations (LLVMFuzzerMutate,
 * which also uses the dictionary and the comparison hints). AFL++'s driver
 * ignores these hooks (LLVMFuzzerMutate is weak: absent there). */
#include "mutator.h"

/* percent of the mutations left to LLVMFuzzerMutate */
#define KSR_SA_BYTES_PCT 30

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max) __attribute__((weak));
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned int seed);

/* libFuzzer turns its length control off when a custom mutator exists;
 * without one the byte mutations grew btf inputs to 200 KB and the runs
 * went 5 times slower. Small inputs may grow to 4 KiB, larger ones by 64
 * bytes a mutation (the structure-aware mutators damp their own growth). */
static size_t bytes(uint8_t *data, size_t size, size_t max)
{
	size_t cap = size < 4096 ? 4096 : size + 64;

	if (!LLVMFuzzerMutate)
		return size;
	return LLVMFuzzerMutate(data, size, cap < max ? cap : max);
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned int seed)
{
	struct fz_rng r = { seed };
	size_t n = 0;

	if (fz_rng_below(&r, 100) >= KSR_SA_BYTES_PCT)
		n = KSR_SA_MUTATOR(data, size, max, fz_rng_next(&r));
	return n ? n : bytes(data, size, max);
}

#ifdef KSR_SA_CROSS
size_t LLVMFuzzerCustomCrossOver(const uint8_t *a, size_t asize, const uint8_t *b, size_t bsize,
				 uint8_t *out, size_t max, unsigned int seed);

size_t LLVMFuzzerCustomCrossOver(const uint8_t *a, size_t asize, const uint8_t *b, size_t bsize,
				 uint8_t *out, size_t max, unsigned int seed)
{
	size_t n = KSR_SA_CROSS(a, asize, b, bsize, out, max, seed);

	if (n)
		return n;
	/* not BTF: a's head and b's tail, as a plain crossover would */
	n = asize / 2 + bsize / 2 <= max ? asize / 2 : 0;
	for (size_t i = 0; i < n; i++)
		out[i] = a[i];
	for (size_t i = 0; i < bsize / 2 && n < max; i++)
		out[n++] = b[bsize / 2 + i];
	return n;
}
#endif
