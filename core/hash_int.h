/* SPDX-License-Identifier: BSD-2-Clause */
/* hash.c's second build of XXH3 (hash_avx2.c). Not part of any contract. */
#ifndef KSR_HASH_INT_H
#define KSR_HASH_INT_H

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KSR_HASH_HAVE_AVX2 1
/* st is an XXH3_state_t */
uint64_t ksr_hash64_avx2(const void *data, size_t len);
void ksr_hash128_avx2(const void *data, size_t len, uint64_t *hi, uint64_t *lo);
void ksr_hash_update64_avx2(void *st, const void *data, size_t len);
uint64_t ksr_hash_digest64_avx2(const void *st);
#endif

#endif
