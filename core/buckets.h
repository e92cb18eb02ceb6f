/* SPDX-License-Identifier: BSD-2-Clause */
/* Bucket tables (docs/profile-format.md, "Bucket tables"): a key -> value
 * table in 4 KiB buckets, each key's bytes stored inline next to its
 * value, in its home bucket or the ones right after it. A lookup in a
 * profile reads one block, rarely two, where a slot table read a slot and
 * then the key's string elsewhere in the file.
 *
 * Bucket: u16 cnt, u16 flags, then cnt entries from byte 4, each 4-aligned:
 * u16 key_len, u16 0, the value (val_size bytes, a multiple of 4), the key
 * (key_len bytes, no NUL), zeros to 4. Flag KSR_BUCKET_CONT: a key whose
 * home is this bucket or an earlier one may be in the next bucket. */
#ifndef KSR_BUCKETS_H
#define KSR_BUCKETS_H

#include <stdbool.h>
#include <stdint.h>

#include "source.h"

#define KSR_BUCKET_SIZE 4096u      /* = the profile's hash block */
#define KSR_BUCKET_PROBE_MAX 16u   /* buckets a lookup reads at most */
#define KSR_BUCKET_CONT 1u
#define KSR_BUCKET_KEY_MAX 1024u   /* longer keys are refused by the builder */

struct ksr_bucket_key {
	const char *key;
	uint32_t len;
	const void *val;            /* val_size bytes */
};

/* The home bucket of a key's XXH3-64 among home_cnt. */
static inline uint32_t ksr_bucket_home(uint64_t hash, uint32_t home_cnt)
{
	return (uint32_t)(((hash >> 32) * (uint64_t)home_cnt) >> 32);
}

/* Builds the table of n distinct keys: *out (malloc'd) holds *total
 * buckets, the first *home_cnt of them homes. Refuses a key longer than
 * KSR_BUCKET_KEY_MAX and keys that collide past KSR_BUCKET_PROBE_MAX
 * buckets (crafted input). what names the table in messages. */
int ksr_buckets_build(const struct ksr_bucket_key *keys, uint32_t n, uint32_t val_size,
		      const char *what, uint8_t **out, uint32_t *home_cnt, uint32_t *total);

/* Checks the counts of a stored table: total buckets of sp, home_cnt. */
bool ksr_buckets_shape_ok(uint64_t len, uint32_t home_cnt);

enum { KSR_BUCKET_FOUND = 1, KSR_BUCKET_ABSENT = 0, KSR_BUCKET_UNREADABLE = -1,
       KSR_BUCKET_MALFORMED = -2 };

/* Looks key up in the table sp (home_cnt homes): FOUND with *val_off =
 * the value's offset in sp, ABSENT, UNREADABLE (the read failed), or
 * MALFORMED (an entry runs past its bucket, or the chain goes on past the
 * bound or the table). *bad = the last bucket read, *reads = how many were
 * read: at most KSR_BUCKET_PROBE_MAX, one block each. */
int ksr_buckets_find(const struct ksr_span *sp, uint32_t home_cnt, uint32_t val_size,
		     const char *key, uint32_t len, uint64_t *val_off, uint32_t *bad,
		     uint32_t *reads);

#endif
