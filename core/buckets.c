// SPDX-License-Identifier: BSD-2-Clause
/* Bucket tables: building (profile writers) and lookups (profile readers).
 * The layout is in buckets.h and docs/profile-format.md. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buckets.h"
#include "error.h"
#include "hash.h"

#define HDR 4u                       /* u16 cnt, u16 flags */
/* Homes are sized for this share of their bytes: at ~100 entries a
 * bucket, few overflow (docs/profile-format.md). */
#define FILL_NUM 4u
#define FILL_DEN 5u

static uint32_t entry_size(uint32_t val_size, uint32_t len)
{
	return (4u + val_size + len + 3u) & ~3u;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void wr16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

bool ksr_buckets_shape_ok(uint64_t len, uint32_t home_cnt)
{
	uint64_t total = len / KSR_BUCKET_SIZE;

	return home_cnt && len % KSR_BUCKET_SIZE == 0 && total >= home_cnt &&
	       total - home_cnt < KSR_BUCKET_PROBE_MAX;
}

int ksr_buckets_build(const struct ksr_bucket_key *keys, uint32_t n, uint32_t val_size,
		      const char *what, uint8_t **out, uint32_t *home_cnt, uint32_t *total)
{
	uint64_t bytes = 0, homes;
	uint32_t *home = NULL, *start = NULL, *order = NULL, cur = 0, pos = HDR;
	uint8_t *t = NULL;
	int err = 0;

	*out = NULL;
	for (uint32_t i = 0; i < n; i++) {
		if (keys[i].len == 0 || keys[i].len > KSR_BUCKET_KEY_MAX)
			return ksr_err(KSR_EMALFORMED, "%s: a key of %u bytes (1..%u allowed)", what,
				       keys[i].len, KSR_BUCKET_KEY_MAX);
		bytes += entry_size(val_size, keys[i].len);
	}
	homes = (bytes * FILL_DEN + (uint64_t)(KSR_BUCKET_SIZE - HDR) * FILL_NUM - 1) /
		((uint64_t)(KSR_BUCKET_SIZE - HDR) * FILL_NUM);
	if (!homes)
		homes = 1;
	if (homes > UINT32_MAX - KSR_BUCKET_PROBE_MAX)
		return ksr_err(EINVAL, "%s: too large", what);
	home = malloc(((size_t)n + 1) * sizeof(*home));
	start = calloc((size_t)homes + 1, sizeof(*start));
	order = malloc(((size_t)n + 1) * sizeof(*order));
	t = calloc((size_t)homes + KSR_BUCKET_PROBE_MAX, KSR_BUCKET_SIZE);
	if (!home || !start || !order || !t) {
		err = ksr_err(ENOMEM, "out of memory");
		goto out;
	}
	/* keys in home order (a counting sort): each bucket fills in turn */
	for (uint32_t i = 0; i < n; i++) {
		home[i] = ksr_bucket_home(ksr_hash64(keys[i].key, keys[i].len), (uint32_t)homes);
		start[home[i] + 1]++;
	}
	for (uint64_t b = 0; b < homes; b++)
		start[b + 1] += start[b];
	for (uint32_t i = 0; i < n; i++)
		order[start[home[i]]++] = i;
	for (uint32_t k = 0; k < n; k++) {
		const struct ksr_bucket_key *e = &keys[order[k]];
		uint32_t h = home[order[k]], esz = entry_size(val_size, e->len);
		uint8_t *b;

		if (h > cur) {
			cur = h;
			pos = HDR;
		}
		while (pos + esz > KSR_BUCKET_SIZE) {
			b = t + (size_t)cur * KSR_BUCKET_SIZE;
			wr16(b + 2, (uint16_t)(rd16(b + 2) | KSR_BUCKET_CONT));
			cur++;
			pos = HDR;
			if (cur - h >= KSR_BUCKET_PROBE_MAX) {
				err = ksr_err(KSR_EMALFORMED, "%s: too many hash collisions (crafted input?): "
					      "the keys of bucket %u fill %u buckets, at most %u", what, h,
					      KSR_BUCKET_PROBE_MAX + 1, KSR_BUCKET_PROBE_MAX);
				goto out;
			}
		}
		b = t + (size_t)cur * KSR_BUCKET_SIZE;
		wr16(b, (uint16_t)(rd16(b) + 1));
		wr16(b + pos, (uint16_t)e->len);
		memcpy(b + pos + 4, e->val, val_size);
		memcpy(b + pos + 4 + val_size, e->key, e->len);
		pos += esz;
	}
	/* each key lies within the bound of its home, but the lookup of an
	 * absent key reads on while CONT is set: homes that each overflow a
	 * little chain on, and a chain as long as the bound reads as malformed */
	for (uint32_t b = 0, run = 0; b <= cur; b++) {
		run = rd16(t + (size_t)b * KSR_BUCKET_SIZE + 2) & KSR_BUCKET_CONT ? run + 1 : 0;
		if (run >= KSR_BUCKET_PROBE_MAX) {
			err = ksr_err(KSR_EMALFORMED, "%s: too many hash collisions (crafted input?): "
				      "buckets %u to %u all overflow, at most %u in a row", what,
				      b + 1 - run, b, KSR_BUCKET_PROBE_MAX - 1);
			goto out;
		}
	}
	*home_cnt = (uint32_t)homes;
	*total = cur + 1 > homes ? cur + 1 : (uint32_t)homes;
	*out = t;
	t = NULL;
out:
	free(home);
	free(start);
	free(order);
	free(t);
	return err;
}

int ksr_buckets_find(const struct ksr_span *sp, uint32_t home_cnt, uint32_t val_size,
		     const char *key, uint32_t len, uint64_t *val_off, uint32_t *bad,
		     uint32_t *reads)
{
	uint64_t total = sp->len / KSR_BUCKET_SIZE;
	uint32_t b = home_cnt ? ksr_bucket_home(ksr_hash64(key, len), home_cnt) : 0;

	*bad = b;
	*reads = 0;
	for (uint32_t i = 0; i < KSR_BUCKET_PROBE_MAX && b + (uint64_t)i < total; i++) {
		uint64_t at = (uint64_t)(b + i) * KSR_BUCKET_SIZE;
		const uint8_t *p = ksr_span_peek(sp, at, KSR_BUCKET_SIZE);
		uint32_t cnt, pos = HDR;

		*bad = b + i;
		*reads = i + 1;
		if (!p)
			return KSR_BUCKET_UNREADABLE;
		cnt = rd16(p);
		for (uint32_t k = 0; k < cnt; k++) {
			uint32_t klen, esz;

			if (pos + 4 > KSR_BUCKET_SIZE)
				return KSR_BUCKET_MALFORMED;
			klen = rd16(p + pos);
			esz = entry_size(val_size, klen);
			if (esz > KSR_BUCKET_SIZE - pos)
				return KSR_BUCKET_MALFORMED;
			if (klen == len && !memcmp(p + pos + 4 + val_size, key, len)) {
				*val_off = at + pos + 4;
				return KSR_BUCKET_FOUND;
			}
			pos += esz;
		}
		if (!(rd16(p + 2) & KSR_BUCKET_CONT))
			return KSR_BUCKET_ABSENT;
	}
	/* a table the writer made ends every chain within the bound */
	return home_cnt ? KSR_BUCKET_MALFORMED : KSR_BUCKET_ABSENT;
}
