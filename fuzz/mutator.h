/* SPDX-License-Identifier: BSD-2-Clause */
/* Structure-aware mutators (fuzz/README.md, "Structure-aware mutators").
 *
 * Each reads its input with its own tolerant, bounds-checked walker (the
 * library refuses what is malformed, and half the point is to produce
 * malformed-but-plausible inputs), changes it as records rather than bytes,
 * and writes the result back into buf. Deterministic for a given seed; never
 * writes past max. They return the new size, or 0 when the input does not
 * walk or the result would not fit: the caller then mutates bytes. */
#ifndef KSR_FUZZ_MUTATOR_H
#define KSR_FUZZ_MUTATOR_H

#include <stddef.h>
#include <stdint.h>

struct fz_rng {
	uint64_t s;
};

static inline uint32_t fz_rng_next(struct fz_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull); /* splitmix64 */

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

/* uniform enough in [0, n); 0 when n is 0 */
static inline uint32_t fz_rng_below(struct fz_rng *r, uint32_t n)
{
	return n ? (uint32_t)(((uint64_t)fz_rng_next(r) * n) >> 32) : 0;
}

/* Raw BTF (header, type section, string section). */
size_t fz_mut_btf(uint8_t *buf, size_t size, size_t max, uint32_t seed);
/* Records of other's BTF appended to buf's (ids then point into buf's). */
size_t fz_cross_btf(const uint8_t *a, size_t asize, const uint8_t *b, size_t bsize, uint8_t *out,
		    size_t max, uint32_t seed);
/* A BPF ELF64 object: relocations, instructions at their sites, symbols,
 * and its .BTF through fz_mut_btf (the sections after it moved). */
size_t fz_mut_object(uint8_t *buf, size_t size, size_t max, uint32_t seed);

#endif
