// SPDX-License-Identifier: BSD-2-Clause
#include <stdio.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "hash.h"

uint64_t ksr_hash64(const void *data, size_t len)
{
	return XXH3_64bits(data, len);
}

uint64_t ksr_hash64_multi(const void *const *data, const size_t *len, size_t n)
{
	XXH3_state_t st;

	XXH3_64bits_reset(&st);
	for (size_t i = 0; i < n; i++)
		XXH3_64bits_update(&st, data[i], len[i]);
	return XXH3_64bits_digest(&st);
}

void ksr_hash128_hex(const void *data, size_t len, char out[33])
{
	XXH128_hash_t h = XXH3_128bits(data, len);

	snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.high64,
		 (unsigned long long)h.low64);
}

uint32_t ksr_hash_slots_for(uint32_t keys)
{
	uint32_t n = 16;

	while (n < keys * 2ull && n < (1u << 30))
		n <<= 1;
	return n;
}
