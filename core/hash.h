/* SPDX-License-Identifier: BSD-2-Clause */
/* Hashing: XXH3 (libxxhash). 64-bit for hash-table slots and checksums,
 * 128-bit for kernel identity. Why XXH3 and not SHA-256: docs/design.md. */
#ifndef KSR_HASH_H
#define KSR_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t ksr_hash64(const void *data, size_t len);
/* One 64-bit hash over several buffers, as if concatenated. */
uint64_t ksr_hash64_multi(const void *const *data, const size_t *len, size_t n);
/* 32 lowercase hex digits plus NUL. */
void ksr_hash128_hex(const void *data, size_t len, char out[33]);

/* Slot counts of the on-disk hash indexes: a power of two, at least twice the
 * number of keys, so linear probing stays short. */
uint32_t ksr_hash_slots_for(uint32_t keys);

#endif
