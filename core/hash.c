// SPDX-License-Identifier: BSD-2-Clause
/* XXH3 through libxxhash's header, inlined. Inputs longer than XXH3's
 * short-input paths go to the AVX2 build (hash_avx2.c) when the CPU has
 * AVX2: same results, 2.3x the speed on profiles and vmlinux BTF. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

/* XXH3 and XXH128 were final only from 0.8.0; 0.7.x (Ubuntu 20.04, the
 * OSS-Fuzz builder) returns other values, so every profile would read as
 * damaged. fuzz/oss-fuzz builds against a pinned 0.8 header instead. */
#if XXH_VERSION_NUMBER < 800
#error "libxxhash 0.8.0 or newer is needed: earlier XXH3/XXH128 values differ"
#endif

#include "hash.h"
#include "hash_int.h"

#ifdef KSR_HASH_HAVE_AVX2
#include <cpuid.h>
#endif

/* Below this many bytes XXH3 runs no vector code. */
#define LONG_INPUT 240

struct ksr_hash_state {
	XXH3_state_t st;
};

#ifdef KSR_HASH_HAVE_AVX2
static bool have_avx2;

/* Decided once, before main() and before any thread exists. Three CPUID
 * leaves and XGETBV, not __builtin_cpu_supports(): its initialisation
 * queries a dozen leaves, and CPUID traps to the hypervisor in a VM
 * (~5 us each here), which every ksymres command paid at startup.
 * AVX2 needs the CPU (leaf 7 EBX) and the OS saving YMM state (OSXSAVE,
 * XCR0 bits 1 and 2). */
__attribute__((constructor)) static void detect_avx2(void)
{
	unsigned int a, b, c, d, xcr0, xcr0_hi;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_AVX))
		return;
	__asm__ volatile("xgetbv" : "=a"(xcr0), "=d"(xcr0_hi) : "c"(0));
	if ((xcr0 & 6) != 6 || !__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return;
	have_avx2 = (b & bit_AVX2) != 0;
}

static bool use_avx2(void)
{
	return have_avx2;
}
#endif

uint64_t ksr_hash64(const void *data, size_t len)
{
#ifdef KSR_HASH_HAVE_AVX2
	if (len > LONG_INPUT && use_avx2())
		return ksr_hash64_avx2(data, len);
#endif
	return XXH3_64bits(data, len);
}

uint64_t ksr_hash64_multi(const void *const *data, const size_t *len, size_t n)
{
	struct ksr_hash_state *st = ksr_hash_state_new();
	uint64_t h;

	if (!st) {
		XXH3_state_t s;

		XXH3_64bits_reset(&s);
		for (size_t i = 0; i < n; i++)
			XXH3_64bits_update(&s, data[i], len[i]);
		return XXH3_64bits_digest(&s);
	}
	ksr_hash_reset64(st);
	for (size_t i = 0; i < n; i++)
		ksr_hash_update(st, data[i], len[i]);
	h = ksr_hash_digest64(st);
	ksr_hash_state_free(st);
	return h;
}

void ksr_hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

static void bytes128(XXH128_hash_t h, uint8_t out[16])
{
	for (int i = 0; i < 8; i++) {
		out[i] = (uint8_t)(h.high64 >> (56 - 8 * i));
		out[8 + i] = (uint8_t)(h.low64 >> (56 - 8 * i));
	}
}

void ksr_hash128(const void *data, size_t len, uint8_t out[16])
{
	XXH128_hash_t h;

#ifdef KSR_HASH_HAVE_AVX2
	if (len > LONG_INPUT && use_avx2()) {
		ksr_hash128_avx2(data, len, &h.high64, &h.low64);
		bytes128(h, out);
		return;
	}
#endif
	h = XXH3_128bits(data, len);
	bytes128(h, out);
}

void ksr_hash128_hex(const void *data, size_t len, char out[33])
{
	uint8_t b[16];

	ksr_hash128(data, len, b);
	ksr_hex(b, sizeof(b), out);
}

struct ksr_hash_state *ksr_hash_state_new(void)
{
	/* XXH3_state_t wants 64-byte alignment */
	return aligned_alloc(64, (sizeof(struct ksr_hash_state) + 63) & ~(size_t)63);
}

void ksr_hash_state_free(struct ksr_hash_state *st)
{
	free(st);
}

void ksr_hash_reset64(struct ksr_hash_state *st)
{
	XXH3_64bits_reset(&st->st);
}

void ksr_hash_update(struct ksr_hash_state *st, const void *data, size_t len)
{
#ifdef KSR_HASH_HAVE_AVX2
	if (use_avx2()) {
		ksr_hash_update64_avx2(&st->st, data, len);
		return;
	}
#endif
	XXH3_64bits_update(&st->st, data, len);
}

uint64_t ksr_hash_digest64(const struct ksr_hash_state *st)
{
#ifdef KSR_HASH_HAVE_AVX2
	if (use_avx2())
		return ksr_hash_digest64_avx2(&st->st);
#endif
	return XXH3_64bits_digest(&st->st);
}

uint32_t ksr_hash_slots_for(uint32_t keys)
{
	uint32_t n = 16;

	while (n < keys * 2ull && n < (1u << 30))
		n <<= 1;
	return n;
}

uint32_t ksr_hash_longest_run(const void *slots, size_t stride, uint32_t cnt, uint32_t limit)
{
	const uint8_t *base = slots;
	uint32_t run = 0, best = 0;

	/* twice round, so that a run wrapping past the end is counted whole */
	for (uint64_t i = 0; i < 2ull * cnt && best < limit; i++) {
		uint32_t key;

		memcpy(&key, base + (size_t)(i % cnt) * stride, sizeof(key));
		run = key ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best < limit ? best : limit;
}
