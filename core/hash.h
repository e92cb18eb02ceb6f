/* SPDX-License-Identifier: BSD-2-Clause */
/* Hashing: XXH3 (libxxhash). 64-bit for hash-table slots and checksums,
 * 128-bit for kernel identity. Not cryptographic: a hash here detects
 * corruption or a different kernel, not forgery (a forged input is out of
 * scope offline: SECURITY.md). */
#ifndef KSR_HASH_H
#define KSR_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t ksr_hash64(const void *data, size_t len);
/* One 64-bit hash over several buffers, as if concatenated. */
uint64_t ksr_hash64_multi(const void *const *data, const size_t *len, size_t n);
/* XXH3-128 as 16 bytes, high 64 bits first, big-endian (the profile
 * identity's byte order), and as 32 lowercase hex digits plus NUL. */
void ksr_hash128(const void *data, size_t len, uint8_t out[16]);
void ksr_hash128_hex(const void *data, size_t len, char out[33]);

/* n bytes as 2n lowercase hex digits plus NUL (out holds 2n + 1). */
void ksr_hex(const uint8_t *p, size_t n, char *out);

/* The streaming 64-bit form, for data hashed piece by piece (the result
 * equals the one-shot hash of the concatenation). */
struct ksr_hash_state;
struct ksr_hash_state *ksr_hash_state_new(void);   /* NULL: out of memory */
void ksr_hash_state_free(struct ksr_hash_state *st);
void ksr_hash_reset64(struct ksr_hash_state *st);
void ksr_hash_update(struct ksr_hash_state *st, const void *data, size_t len);
uint64_t ksr_hash_digest64(const struct ksr_hash_state *st);

/* Slot counts of the on-disk hash indexes: a power of two, at least twice the
 * number of keys, so linear probing stays short. */
uint32_t ksr_hash_slots_for(uint32_t keys);

/* The bound on probing (docs/profile-format.md, "Bounds"): a lookup in
 * .ksr.symidx or .ksr.btf.names looks at most this many slots from a key's
 * home slot, and the writers refuse a table with a run of this many
 * occupied slots, so every lookup of an honest table meets its key or an
 * empty slot within the bound, and one that does not has found the index
 * malformed. At load <= 1/2 the longest run grows like log(keys): 34 for
 * this host's 120,361 kallsyms keys, 25 for its 56,209 BTF names, 57 for
 * 4 Mi random keys at load 1/2 (the largest table a profile can hold). */
#define KSR_HASH_PROBE_MAX 256u

/* The longest run of occupied slots in a table of cnt slots of stride
 * bytes each, cyclically (the run may wrap past the end); a slot is
 * occupied when its first u32 is non-zero. Counting stops at limit. */
uint32_t ksr_hash_longest_run(const void *slots, size_t stride, uint32_t cnt, uint32_t limit);

#endif
