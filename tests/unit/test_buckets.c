// SPDX-License-Identifier: BSD-2-Clause
/* Bucket tables (core/buckets.c): built from fixed keys, some sharing a
 * home so they overflow into the next buckets; every key found with its
 * value, absent keys not; the builder's refusals (long keys, collisions
 * past the bound, overflow chains a lookup would read as malformed); the
 * lookup's bound on forged tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buckets.h"
#include "error.h"
#include "hash.h"
#include "ksymres/ksymres.h"

#define KLEN 24u                  /* every key's length: entries of 36 bytes */
#define PER_BUCKET 113u           /* (4096 - 4) / (4 + 8 + 24) */

struct val {
	uint32_t i, not_i;
};

struct table {
	char (*names)[KLEN + 1];
	struct ksr_bucket_key *keys;
	struct val *vals;
	uint32_t n;
	uint8_t *t;
	uint32_t home_cnt, total;
	struct ksr_span sp;
};

/* A key of KLEN bytes, tagged, whose home among homes is home (or any home
 * when homes is 0), the seq-th such one. */
static void key_at(char *buf, char tag, uint32_t home, uint32_t homes, uint32_t *seq)
{
	for (;; (*seq)++) {
		snprintf(buf, KLEN + 1, "%c%03u_%019u", tag, home, *seq);
		if (!homes || ksr_bucket_home(ksr_hash64(buf, KLEN), homes) == home) {
			(*seq)++;
			return;
		}
	}
}

static void table_alloc(struct table *tb, uint32_t n)
{
	memset(tb, 0, sizeof(*tb));
	tb->n = n;
	tb->names = calloc(n, sizeof(*tb->names));
	tb->keys = calloc(n, sizeof(*tb->keys));
	tb->vals = calloc(n, sizeof(*tb->vals));
	assert_true(tb->names && tb->keys && tb->vals);
	for (uint32_t i = 0; i < n; i++) {
		tb->vals[i] = (struct val){ i, ~i };
		tb->keys[i] = (struct ksr_bucket_key){ tb->names[i], KLEN, &tb->vals[i] };
	}
}

static int table_build(struct table *tb)
{
	int err = ksr_buckets_build(tb->keys, tb->n, sizeof(struct val), "test", &tb->t,
				    &tb->home_cnt, &tb->total);

	tb->sp = (struct ksr_span){ .mem = tb->t, .len = (uint64_t)tb->total * KSR_BUCKET_SIZE };
	return err;
}

static void table_free(struct table *tb)
{
	free(tb->names);
	free(tb->keys);
	free(tb->vals);
	free(tb->t);
}

/* The homes a table of n keys of KLEN bytes gets (sizes alone decide). */
static uint32_t homes_for(uint32_t n)
{
	struct table tb;
	uint32_t seq = 0, homes;

	table_alloc(&tb, n);
	for (uint32_t i = 0; i < n; i++)
		key_at(tb.names[i], 'd', 0, 0, &seq);
	assert_int_equal(table_build(&tb), 0);
	homes = tb.home_cnt;
	table_free(&tb);
	return homes;
}

static int find(const struct table *tb, const char *key, uint32_t len, uint64_t *off,
		uint32_t *reads)
{
	uint32_t bad;

	return ksr_buckets_find(&tb->sp, tb->home_cnt, sizeof(struct val), key, len, off, &bad,
				reads);
}

static bool cont(const struct table *tb, uint32_t b)
{
	uint16_t f;

	memcpy(&f, tb->t + (size_t)b * KSR_BUCKET_SIZE + 2, 2);
	return f & KSR_BUCKET_CONT;
}

/* 300 keys homed at the last home bucket (2.7 buckets of them, so the
 * table grows 2 buckets past its homes), 700 spread over the other homes:
 * every key found with its value, absent keys not, each within the bound. */
static void test_build_and_find(void **state)
{
	const uint32_t n = 1000, crowd = 300;
	uint32_t homes = homes_for(n), crowd_home = homes - 1, seq = 0, reads, worst = 0;
	struct table tb;
	uint64_t off;

	assert_true(homes > 2 && (n - crowd) / (homes - 1) < PER_BUCKET);
	table_alloc(&tb, n);
	for (uint32_t i = 0; i < n; i++)
		key_at(tb.names[i], i < crowd ? 'c' : 'k',
		       i < crowd ? crowd_home : (i - crowd) % (homes - 1), homes, &seq);
	assert_int_equal(table_build(&tb), 0);
	assert_int_equal(tb.home_cnt, homes);
	assert_int_equal(tb.total, homes + 2);
	assert_true(ksr_buckets_shape_ok(tb.sp.len, tb.home_cnt));
	/* the crowd fills its home and overflows into the next two; the
	 * other homes do not overflow */
	for (uint32_t b = 0; b < tb.total; b++)
		assert_int_equal(cont(&tb, b), b == crowd_home || b == crowd_home + 1);
	for (uint32_t i = 0; i < n; i++) {
		struct val v;

		assert_int_equal(find(&tb, tb.names[i], KLEN, &off, &reads), KSR_BUCKET_FOUND);
		assert_true(off + sizeof(v) <= tb.sp.len);
		memcpy(&v, tb.t + off, sizeof(v));
		assert_int_equal(v.i, i);
		assert_int_equal(v.not_i, ~i);
		assert_int_equal(reads, i < crowd ? 1 + (off / KSR_BUCKET_SIZE - crowd_home) : 1);
		worst = reads > worst ? reads : worst;
	}
	/* the crowd's last keys are two buckets past their home */
	assert_int_equal(worst, 3);

	/* absent: other keys, the crowd's home among them, a present key's
	 * prefix and the same key one byte longer */
	for (uint32_t i = 0; i < 200; i++) {
		char k[KLEN + 1];

		key_at(k, 'a', i < 100 ? crowd_home : 0, i < 100 ? homes : 0, &seq);
		assert_int_equal(find(&tb, k, KLEN, &off, &reads), KSR_BUCKET_ABSENT);
		assert_true(reads <= KSR_BUCKET_PROBE_MAX);
		if (i < 100)       /* it reads on through the overflow */
			assert_int_equal(reads, 3);
	}
	assert_int_equal(find(&tb, tb.names[0], KLEN - 1, &off, &reads), KSR_BUCKET_ABSENT);
	{
		char longer[KLEN + 2];

		snprintf(longer, sizeof(longer), "%sx", tb.names[0]);
		assert_int_equal(find(&tb, longer, KLEN + 1, &off, &reads), KSR_BUCKET_ABSENT);
	}
	table_free(&tb);
}

static void test_key_lengths(void **state)
{
	char *big = malloc(KSR_BUCKET_KEY_MAX + 2);
	struct val v = { 7, ~7u };
	struct ksr_bucket_key k = { big, KSR_BUCKET_KEY_MAX, &v };
	uint8_t *t;
	uint32_t homes, total, bad, reads;
	uint64_t off;

	assert_non_null(big);
	memset(big, 'x', KSR_BUCKET_KEY_MAX + 1);
	big[KSR_BUCKET_KEY_MAX + 1] = '\0';
	/* 1024 bytes: stored and found */
	assert_int_equal(ksr_buckets_build(&k, 1, sizeof(v), "test", &t, &homes, &total), 0);
	{
		struct ksr_span sp = { .mem = t, .len = (uint64_t)total * KSR_BUCKET_SIZE };

		assert_int_equal(ksr_buckets_find(&sp, homes, sizeof(v), big, KSR_BUCKET_KEY_MAX, &off,
						  &bad, &reads), KSR_BUCKET_FOUND);
		assert_int_equal(memcmp(t + off, &v, sizeof(v)), 0);
	}
	free(t);
	/* 1025 bytes, or none: refused, nothing returned */
	k.len = KSR_BUCKET_KEY_MAX + 1;
	t = (uint8_t *)1;
	assert_int_equal(ksr_buckets_build(&k, 1, sizeof(v), "test", &t, &homes, &total),
			 -KSR_EMALFORMED);
	assert_null(t);
	assert_non_null(strstr(ksr_errmsg(), "1025 bytes"));
	k.len = 0;
	assert_int_equal(ksr_buckets_build(&k, 1, sizeof(v), "test", &t, &homes, &total),
			 -KSR_EMALFORMED);
	free(big);
}

/* Home 0 holds PER_BUCKET + 50 keys and homes 1..chain-1 PER_BUCKET each:
 * every bucket overflows by 50 into the next, each key one bucket from its
 * home at most, so chain buckets in a row carry CONT. */
static void overflow_chain(struct table *tb, uint32_t chain)
{
	uint32_t n = PER_BUCKET + 50 + (chain - 1) * PER_BUCKET, homes = homes_for(n), seq = 0;

	assert_true(homes > chain + 1);
	table_alloc(tb, n);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t home = i < PER_BUCKET + 50 ? 0 : 1 + (i - PER_BUCKET - 50) / PER_BUCKET;

		key_at(tb->names[i], 'o', home, homes, &seq);
	}
}

static void test_collisions(void **state)
{
	struct table tb;
	uint64_t off;
	uint32_t reads, seq = 0;

	/* 17 buckets' worth of keys with one home: refused */
	table_alloc(&tb, 17 * PER_BUCKET);
	{
		uint32_t homes = homes_for(tb.n);

		for (uint32_t i = 0; i < tb.n; i++)
			key_at(tb.names[i], 'h', 1, homes, &seq);
	}
	assert_int_equal(table_build(&tb), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "collisions"));
	table_free(&tb);

	/* a chain of 15 overflowing buckets: accepted; an absent key homed at
	 * its start reads 16 buckets, and is absent, not malformed */
	overflow_chain(&tb, KSR_BUCKET_PROBE_MAX - 1);
	assert_int_equal(table_build(&tb), 0);
	for (uint32_t b = 0; b < KSR_BUCKET_PROBE_MAX; b++)
		assert_int_equal(cont(&tb, b), b < KSR_BUCKET_PROBE_MAX - 1);
	for (uint32_t i = 0; i < 20; i++) {
		char k[KLEN + 1];

		key_at(k, 'a', 0, tb.home_cnt, &seq);
		assert_int_equal(find(&tb, k, KLEN, &off, &reads), KSR_BUCKET_ABSENT);
		assert_int_equal(reads, KSR_BUCKET_PROBE_MAX);
	}
	for (uint32_t i = 0; i < tb.n; i++)
		assert_int_equal(find(&tb, tb.names[i], KLEN, &off, &reads), KSR_BUCKET_FOUND);
	table_free(&tb);

	/* 16 in a row: each key is still next to its home, but a lookup
	 * would read the chain as malformed: refused */
	overflow_chain(&tb, KSR_BUCKET_PROBE_MAX);
	assert_int_equal(table_build(&tb), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "overflow"));
	table_free(&tb);
}

/* Forged tables: lookups stop at the bound and answer MALFORMED. */
static void test_forged_bounded(void **state)
{
	const uint32_t n = 3000;
	uint32_t seq = 0, reads, bad;
	struct table tb;
	uint64_t off;

	table_alloc(&tb, n);
	for (uint32_t i = 0; i < n; i++)
		key_at(tb.names[i], 'k', 0, 0, &seq);
	assert_int_equal(table_build(&tb), 0);
	assert_true(tb.total > KSR_BUCKET_PROBE_MAX);
	/* CONT on every bucket: an absent key reads 16 buckets, or to the
	 * end of the table */
	for (uint32_t b = 0; b < tb.total; b++)
		tb.t[(size_t)b * KSR_BUCKET_SIZE + 2] |= KSR_BUCKET_CONT;
	for (uint32_t i = 0; i < 100; i++) {
		char k[KLEN + 1];
		uint32_t home;

		key_at(k, 'a', 0, 0, &seq);
		home = ksr_bucket_home(ksr_hash64(k, KLEN), tb.home_cnt);
		assert_int_equal(ksr_buckets_find(&tb.sp, tb.home_cnt, sizeof(struct val), k, KLEN,
						  &off, &bad, &reads), KSR_BUCKET_MALFORMED);
		assert_int_equal(reads, home + KSR_BUCKET_PROBE_MAX <= tb.total ?
				 KSR_BUCKET_PROBE_MAX : tb.total - home);
		assert_int_equal(bad, home + reads - 1);
	}
	/* the first entry of bucket 0 says it is 0xffff bytes long */
	memcpy(tb.t + 4, &(uint16_t){ 0xffff }, 2);
	{
		uint32_t b0 = 0;

		for (uint32_t i = 0; i < n && !b0; i++)
			if (ksr_bucket_home(ksr_hash64(tb.names[i], KLEN), tb.home_cnt) == 0)
				b0 = i + 1;
		assert_true(b0 > 0);
		assert_int_equal(ksr_buckets_find(&tb.sp, tb.home_cnt, sizeof(struct val),
						  tb.names[b0 - 1], KLEN, &off, &bad, &reads),
				 KSR_BUCKET_MALFORMED);
		assert_int_equal(bad, 0);
	}
	/* a table cut short of its buckets is refused by its shape */
	assert_false(ksr_buckets_shape_ok(tb.sp.len - 1, tb.home_cnt));
	assert_false(ksr_buckets_shape_ok(tb.sp.len, 0));
	assert_false(ksr_buckets_shape_ok((uint64_t)(tb.home_cnt + KSR_BUCKET_PROBE_MAX) *
					  KSR_BUCKET_SIZE, tb.home_cnt));
	table_free(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_and_find),
		cmocka_unit_test(test_key_lengths),
		cmocka_unit_test(test_collisions),
		cmocka_unit_test(test_forged_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
