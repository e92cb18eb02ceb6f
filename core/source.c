// SPDX-License-Identifier: BSD-2-Clause
/* Spans in memory or in a file read with pread.
 *
 * Why not map the file: a read fault on a file mapping maps the whole
 * fault-around window (64 KiB) or large folio around the page, so a few
 * hundred lookups spread over a 15 MB profile leave megabytes of it
 * resident, and a file cut short under a mapping faults (SIGBUS). A source
 * reads the file by aligned blocks of SRC_BLOCK bytes into a small ring of
 * SRC_RING blocks (direct-mapped by block number), and copies out of it
 * the bytes each read asks for. A copy lives in an arena until the source
 * drops its copies, and is found again through an open-addressing table
 * keyed by (offset, length): a pointer a read returns stays valid. Only
 * the ring and the copies are touched, not a page per block read: on a VM
 * the first touch of a page costs more than reading the block
 * (docs/performance.md).
 *
 * Verified blocks (profiles): given a table of XXH3-64 hashes of the
 * blocks of a range of the file, a block in that range is hashed each time
 * it is read from the file and refused when the hash differs; every byte
 * read from the range comes out of a verified block.
 *
 * Bounds: copies never extend past the end of the file, and hold what
 * lookups asked for; copies together are held to twice the file's size
 * (plus SRC_SLACK), so indexes forged to send lookups all over the file
 * cannot exhaust memory: reads fail. */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cursor.h"
#include "error.h"
#include "fileio.h"
#include "hash.h"
#include "ksymres/ksymres.h"
#include "source.h"

/* The profile format's hash block (KSR_PROFILE_BLOCK): a block is read
 * and verified whole. (Unverified, 512 was about as few reads for fewer
 * bytes: resolve of 100 externs 457 reads, 232 KiB.) */
#define SRC_BLOCK 4096u           /* a power of two, at least 8 */
#define SRC_PIECE (64u << 10)     /* arena allocation unit */
#define SRC_RING_PIECE (SRC_PIECE / SRC_BLOCK) /* ring entries per piece */
#define SRC_RING (4 * SRC_RING_PIECE)      /* blocks kept */
#define SRC_SLACK (1u << 20)
#define SRC_TABLE_MIN 64u         /* 1.5 KiB per open source; grown ones are pooled */
#define STR_KEY UINT64_MAX        /* the length under which strings are filed again */
#define SRC_MSG_MAX 256

struct src_copy {
	uint64_t off;
	uint64_t len;                 /* 0: empty table entry */
	const uint8_t *data;
};

/* Arena memory: data starts 8-aligned. */
struct src_piece {
	struct src_piece *next;
	size_t cap;
	size_t used;
	uint64_t data[];
};

struct ksr_src {
	int fd;
	uint64_t size;
	struct src_copy *tab;
	struct src_copy *tab0;        /* the first table (SRC_TABLE_MIN), kept while grown */
	uint32_t cap;                 /* a power of two */
	uint32_t cnt;
	struct src_piece *pieces;     /* every piece; the first is being filled */
	uint64_t held;                /* bytes of copies */
	int err;                      /* sticky, negative */
	char msg[SRC_MSG_MAX];
	struct src_piece *ring[SRC_RING / SRC_RING_PIECE]; /* recent blocks; NULL until used */
	uint64_t ring_at[SRC_RING];   /* offset + 1 of the block in each entry; 0 = none */
	/* verified blocks: [v_off, v_off + v_len), their hashes v_hash[v_cnt]
	 * as read at v_tab_off, whose own hash is v_tab_hash: dropped with
	 * the copies, read again (and checked) when a block needs them */
	bool verified;
	uint64_t v_off, v_len;
	uint64_t *v_hash;             /* from ksr_src_hashes_new(v_cnt) */
	uint32_t v_cnt;
	uint64_t v_tab_off, v_tab_hash;
};

/* what empty ranges point at */
static _Alignas(16) const uint8_t empty[16];

/* Arena pieces of the usual size go back to a process-wide pool when a
 * source drops its copies, for the next source to reuse: populating and
 * unmapping cost more than reading the blocks (on a 2-vCPU VM: 25 us to
 * populate 64 KiB, 35 us or far more to unmap it, 4.5 us to pread 4 KiB;
 * docs/performance.md). Sanitizer builds unmap every piece, so that a
 * pointer kept past its copies faults. */
#if defined(__SANITIZE_ADDRESS__)
#define SRC_POOL_MAX 0u
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SRC_POOL_MAX 0u
#endif
#endif
#ifndef SRC_POOL_MAX
#define SRC_POOL_MAX 256u        /* pieces: 16 MiB */
#endif

static struct {
	pthread_mutex_t lock;
	struct src_piece *head;
	uint32_t cnt;
	uint32_t max;                 /* a field: 0 would make cnt < max always false */
} pool = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, SRC_POOL_MAX };

static struct src_piece *pool_take(void)
{
	struct src_piece *p;

	pthread_mutex_lock(&pool.lock);
	p = pool.head;
	if (p) {
		pool.head = p->next;
		pool.cnt--;
	}
	pthread_mutex_unlock(&pool.lock);
	return p;
}

static void piece_free(struct src_piece *p)
{
	if (p->cap == SRC_PIECE) {
		pthread_mutex_lock(&pool.lock);
		if (pool.cnt < pool.max) {
			p->next = pool.head;
			pool.head = p;
			pool.cnt++;
			p = NULL;
		}
		pthread_mutex_unlock(&pool.lock);
	}
	if (p)
		munmap(p, sizeof(*p) + p->cap);
}

static void drop_pieces(struct ksr_src *s)
{
	while (s->pieces) {
		struct src_piece *next = s->pieces->next;

		piece_free(s->pieces);
		s->pieces = next;
	}
}

/* A pooled piece, else a new mapping. Arena pieces are populated at once:
 * one system call instead of a page fault per page; a table touches only
 * the pages it needs. */
static struct src_piece *piece_get(size_t cap, bool populate)
{
	struct src_piece *p = cap == SRC_PIECE ? pool_take() : NULL;

	if (!p) {
		p = mmap(NULL, sizeof(*p) + cap, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | (populate ? MAP_POPULATE : 0), -1, 0);
		if (p == MAP_FAILED)
			return NULL;
	}
	p->cap = cap;
	p->used = 0;
	return p;
}

/* A grown copy table and the block hashes, when they fit a piece, live in
 * one from the pool: the allocator gives each source fresh pages (freed and
 * trimmed by the source before), a fault each, and check x 100 took 70 %
 * of its page faults there. The first table of every open source is small
 * and stays with malloc, as everything does in sanitizer builds. */
static bool pooled(size_t n)
{
	return n > SRC_TABLE_MIN * sizeof(struct src_copy) && n <= SRC_PIECE && pool.max;
}

static void *table_alloc(size_t n)
{
	struct src_piece *p;

	if (!pooled(n))
		return malloc(n ? n : 1);
	p = piece_get(SRC_PIECE, false);
	return p ? p->data : NULL;
}

static void table_free(void *t, size_t n)
{
	if (!t)
		return;
	if (!pooled(n))
		free(t);
	else
		piece_free((struct src_piece *)((uint8_t *)t - offsetof(struct src_piece, data)));
}

static struct src_copy *table_new(uint32_t cap)
{
	struct src_copy *t = table_alloc((size_t)cap * sizeof(*t));

	if (t)
		memset(t, 0, (size_t)cap * sizeof(*t));
	return t;
}

uint64_t *ksr_src_hashes_new(uint32_t cnt)
{
	return table_alloc((size_t)cnt * sizeof(uint64_t));
}

void ksr_src_hashes_free(uint64_t *hashes, uint32_t cnt)
{
	table_free(hashes, (size_t)cnt * sizeof(uint64_t));
}

static void hashes_free(struct ksr_src *s)
{
	ksr_src_hashes_free(s->v_hash, s->v_cnt);
	s->v_hash = NULL;
}

int ksr_src_open(const char *path, size_t max, struct ksr_src **out)
{
	struct ksr_src *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return ksr_err(ENOMEM, "out of memory");
	s->tab = s->tab0 = table_new(SRC_TABLE_MIN);
	if (!s->tab) {
		free(s);
		return ksr_err(ENOMEM, "out of memory");
	}
	s->cap = SRC_TABLE_MIN;
	s->fd = ksr_open_input(path, max, &s->size);
	if (s->fd < 0) {
		int err = s->fd;

		s->fd = -1;
		ksr_src_free(s);
		return err;
	}
	*out = s;
	return 0;
}

void ksr_src_free(struct ksr_src *s)
{
	if (!s)
		return;
	ksr_src_drop_copies(s);
	if (s->fd >= 0)
		close(s->fd);
	if (s->tab != s->tab0)
		table_free(s->tab, (size_t)s->cap * sizeof(*s->tab));
	table_free(s->tab0, SRC_TABLE_MIN * sizeof(*s->tab0));
	hashes_free(s);
	free(s);
}

void ksr_src_drop_copies(struct ksr_src *s)
{
	drop_pieces(s);
	for (uint32_t i = 0; i < SRC_RING / SRC_RING_PIECE; i++) {
		if (s->ring[i])
			piece_free(s->ring[i]);
		s->ring[i] = NULL;
	}
	memset(s->ring_at, 0, sizeof(s->ring_at));
	hashes_free(s);
	/* a grown table goes back for the next source */
	if (s->tab != s->tab0) {
		table_free(s->tab, (size_t)s->cap * sizeof(*s->tab));
		s->tab = s->tab0;
		s->cap = SRC_TABLE_MIN;
	}
	memset(s->tab, 0, (size_t)s->cap * sizeof(*s->tab));
	s->cnt = 0;
	s->held = 0;
}

size_t ksr_src_trim(struct ksr_src *s, size_t keep)
{
	size_t held = (size_t)s->cap * sizeof(*s->tab);

	if (s->tab != s->tab0)
		held += SRC_TABLE_MIN * sizeof(*s->tab0);
	for (uint32_t i = 0; i < SRC_RING / SRC_RING_PIECE; i++) {
		if (s->ring[i])
			piece_free(s->ring[i]);
		s->ring[i] = NULL;
	}
	memset(s->ring_at, 0, sizeof(s->ring_at));
	for (const struct src_piece *p = s->pieces; p; p = p->next)
		held += sizeof(*p) + p->cap;
	if (s->v_hash)
		held += (size_t)s->v_cnt * sizeof(*s->v_hash);
	if (held <= keep)
		return held;
	ksr_src_drop_copies(s);
	return (size_t)s->cap * sizeof(*s->tab);
}

int ksr_src_verify_blocks(struct ksr_src *s, uint64_t off, uint64_t len, uint64_t *hashes,
			  uint32_t cnt, uint64_t table_off)
{
	if (off % SRC_BLOCK || off > s->size || len > s->size - off ||
	    (len + SRC_BLOCK - 1) / SRC_BLOCK != cnt) {
		ksr_src_hashes_free(hashes, cnt);
		return ksr_err(EINVAL, "verified blocks do not fit the file");
	}
	hashes_free(s);
	s->verified = true;
	s->v_hash = hashes;
	s->v_off = off;
	s->v_len = len;
	s->v_cnt = cnt;
	s->v_tab_off = table_off;
	s->v_tab_hash = ksr_hash64(hashes, (size_t)cnt * sizeof(*hashes));
	return 0;
}

uint64_t ksr_src_size(const struct ksr_src *s)
{
	return s->size;
}

int ksr_src_pread(const struct ksr_src *s, void *buf, size_t len, uint64_t off)
{
	if (off > s->size || len > s->size - off)
		return ksr_err(KSR_EMALFORMED, "read of 0x%zx bytes at 0x%llx is past the end of the file",
			       len, (unsigned long long)off);
	return ksr_pread_full(s->fd, buf, len, off);
}

int ksr_src_error(const struct ksr_src *s)
{
	if (s && s->err)
		ksr_err(-s->err, "%s", s->msg);
	return s ? s->err : 0;
}

/* Records the first failure (the message is set) and returns NULL. */
static void *fail(struct ksr_src *s, int err)
{
	if (!s->err) {
		s->err = err;
		snprintf(s->msg, sizeof(s->msg), "%s", ksr_errmsg());
	}
	return NULL;
}

static uint32_t slot_hash(uint64_t off, uint64_t len)
{
	return (uint32_t)(((off * 0x9e3779b97f4a7c15ull) ^ len) * 0xbf58476d1ce4e5b9ull >> 32);
}

/* The entry of (off, len), or the empty entry where it would go. */
static struct src_copy *find(const struct ksr_src *s, uint64_t off, uint64_t len)
{
	uint32_t mask = s->cap - 1, h = slot_hash(off, len) & mask;

	/* at most half full: an empty entry ends every probe */
	while (s->tab[h].len && (s->tab[h].off != off || s->tab[h].len != len))
		h = (h + 1) & mask;
	return &s->tab[h];
}

static bool grow(struct ksr_src *s)
{
	struct ksr_src bigger = *s;

	bigger.cap = s->cap * 2;
	bigger.tab = table_new(bigger.cap);
	if (!bigger.tab)
		return false;
	for (uint32_t i = 0; i < s->cap; i++)
		if (s->tab[i].len)
			*find(&bigger, s->tab[i].off, s->tab[i].len) = s->tab[i];
	if (s->tab != s->tab0)
		table_free(s->tab, (size_t)s->cap * sizeof(*s->tab));
	s->tab = bigger.tab;
	s->cap = bigger.cap;
	return true;
}

/* A piece for the arena (100 externs fill about four). */
static struct src_piece *new_piece(struct ksr_src *s, size_t cap)
{
	struct src_piece *p = piece_get(cap, true);

	if (!p)
		return NULL;
	p->next = s->pieces;
	s->pieces = p;
	return p;
}

/* len bytes of arena, 8-aligned. */
static uint8_t *alloc(struct ksr_src *s, size_t len)
{
	struct src_piece *p = s->pieces;
	size_t at = p ? (p->used + 7) & ~(size_t)7 : 0;

	if (p && at <= p->cap && len <= p->cap - at) {
		p->used = at + len;
		return (uint8_t *)p->data + at;
	}
	/* a large copy gets a piece of its own, behind the one being filled */
	if (len > SRC_PIECE / 4 && p) {
		struct src_piece *own = new_piece(s, len);

		if (!own)
			return NULL;
		s->pieces = p;
		own->next = p->next;
		p->next = own;
		own->used = len;
		return (uint8_t *)own->data;
	}
	p = new_piece(s, len > SRC_PIECE ? len : SRC_PIECE);
	if (!p)
		return NULL;
	p->used = len;
	return (uint8_t *)p->data;
}

/* Room for the copy of [off, off+len), congruent to off modulo 8, or NULL
 * (error set) past the budget or out of memory. */
static uint8_t *reserve(struct ksr_src *s, uint64_t off, uint64_t len)
{
	size_t pad = (size_t)(off & 7);
	uint8_t *p;

	if (len + pad > 2 * s->size + SRC_SLACK - s->held)
		return fail(s, ksr_err(KSR_EMALFORMED,
				       "lookups read more than twice the file's %llu bytes: forged indexes? (offset 0x%llx)",
				       (unsigned long long)s->size, (unsigned long long)off));
	if ((s->cnt + 1) * 2ull > s->cap && !grow(s))
		return fail(s, ksr_err(ENOMEM, "out of memory"));
	p = alloc(s, (size_t)(len + pad));
	if (!p)
		return fail(s, ksr_err(ENOMEM, "out of memory reading %llu bytes",
				       (unsigned long long)len));
	s->held += len + pad;
	return p + pad;
}

/* Files p, filled, as the copy of [off, off+len). */
static const uint8_t *keep(struct ksr_src *s, uint64_t off, uint64_t len, const uint8_t *p)
{
	*find(s, off, len) = (struct src_copy){ off, len, p };
	s->cnt++;
	return p;
}

/* The block that starts at start, verified when it lies in the verified
 * range (the range's last block may be short: it ends with the range). */
static bool in_verified(const struct ksr_src *s, uint64_t start)
{
	return s->verified && start >= s->v_off && start - s->v_off < s->v_len;
}

/* Bytes of the block at start: SRC_BLOCK, or less at the end of the file
 * or of the verified range. */
static uint64_t block_len(const struct ksr_src *s, uint64_t start)
{
	uint64_t end = in_verified(s, start) ? s->v_off + s->v_len : s->size;

	return end - start < SRC_BLOCK ? end - start : SRC_BLOCK;
}

/* Reads the block hashes again after a drop; they must be the ones
 * verified at open. */
static bool load_hashes(struct ksr_src *s)
{
	size_t n = (size_t)s->v_cnt * sizeof(*s->v_hash);
	uint64_t *h = ksr_src_hashes_new(s->v_cnt);
	int err;

	if (!h) {
		fail(s, ksr_err(ENOMEM, "out of memory"));
		return false;
	}
	err = ksr_pread_full(s->fd, h, n, s->v_tab_off);
	if (!err && ksr_hash64(h, n) != s->v_tab_hash)
		err = ksr_err(KSR_EMALFORMED,
			      "block table at offset 0x%llx changed since the profile was opened",
			      (unsigned long long)s->v_tab_off);
	if (err) {
		ksr_src_hashes_free(h, s->v_cnt);
		fail(s, err);
		return false;
	}
	s->v_hash = h;
	return true;
}

/* The block that starts at start, read into its ring entry (and verified)
 * unless it is there: valid until the next block() of the same entry. */
static const uint8_t *block(struct ksr_src *s, uint64_t start)
{
	uint32_t e = (uint32_t)(start / SRC_BLOCK % SRC_RING);
	uint64_t n = block_len(s, start);
	uint8_t *p;
	int err;

	if (s->err)
		return NULL;
	if (!s->ring[e / SRC_RING_PIECE]) {
		struct src_piece *r = new_piece(s, SRC_PIECE);

		if (!r)
			return fail(s, ksr_err(ENOMEM, "out of memory"));
		/* new_piece put it on the arena's list: it is kept apart */
		s->pieces = r->next;
		r->next = NULL;
		s->ring[e / SRC_RING_PIECE] = r;
	}
	p = (uint8_t *)s->ring[e / SRC_RING_PIECE]->data + (size_t)(e % SRC_RING_PIECE) * SRC_BLOCK;
	if (s->ring_at[e] == start + 1)
		return p;
	s->ring_at[e] = 0;
	err = ksr_pread_full(s->fd, p, (size_t)n, start);
	if (err)
		return fail(s, err);
	if (in_verified(s, start)) {
		uint32_t i = (uint32_t)((start - s->v_off) / SRC_BLOCK);

		if (!s->v_hash && !load_hashes(s))
			return NULL;
		if (ksr_hash64(p, (size_t)n) != s->v_hash[i])
			return fail(s, ksr_err(KSR_EMALFORMED,
					       "block %u at offset 0x%llx: hash mismatch: the profile is damaged",
					       i, (unsigned long long)start));
	}
	s->ring_at[e] = start + 1;
	return p;
}

/* The copy of [off, off+len) (inside the file, len > 0), copied out of
 * the blocks it spans as each is read: a failed block leaves no copy
 * filed. */
static const uint8_t *copy(struct ksr_src *s, uint64_t off, uint64_t len)
{
	const struct src_copy *e = find(s, off, len);
	uint8_t *p;

	if (e->len)
		return e->data;
	if (s->err || !(p = reserve(s, off, len)))
		return NULL;
	for (uint64_t b = off & ~(uint64_t)(SRC_BLOCK - 1); b < off + len; b += SRC_BLOCK) {
		const uint8_t *blk = block(s, b);
		uint64_t n = block_len(s, b);
		uint64_t lo = b > off ? b : off;
		uint64_t hi = b + n < off + len ? b + n : off + len;

		if (!blk)
			return NULL;
		if (hi < off + len && n < SRC_BLOCK)
			return fail(s, ksr_err(EINVAL, "read at 0x%llx crosses the end of the verified blocks",
					       (unsigned long long)off));
		memcpy(p + (lo - off), blk + (lo - b), (size_t)(hi - lo));
	}
	return keep(s, off, len, p);
}

int ksr_src_verify_all(struct ksr_src *s)
{
	if (!s->verified)
		return ksr_err(EINVAL, "no verified blocks to check");
	for (uint64_t b = s->v_off; b < s->v_off + s->v_len && !s->err; b += SRC_BLOCK)
		(void)block(s, b); /* a failure is recorded in s->err */
	return ksr_src_error(s);
}

struct ksr_span ksr_span_mem(const void *data, size_t len)
{
	/* empty sections have no data pointer; NULL + 0 is still UB */
	struct ksr_span s = { data ? data : empty, NULL, 0, data ? len : 0 };

	return s;
}

struct ksr_span ksr_span_file(struct ksr_src *src)
{
	struct ksr_span s = { NULL, src, 0, src->size };

	return s;
}

bool ksr_span_sub(const struct ksr_span *s, uint64_t off, uint64_t len, struct ksr_span *sub)
{
	if (!ksr_range_ok(off, len, s->len))
		return false;
	*sub = *s;
	if (s->src)
		sub->off += off;
	else
		sub->mem += off;
	sub->len = len;
	return true;
}

const void *ksr_src_get(const struct ksr_span *s, uint64_t off, uint64_t len)
{
	if (!ksr_range_ok(off, len, s->len))
		return NULL;
	if (!len)
		return empty;
	return copy(s->src, s->off + off, len);
}

const char *ksr_src_str(const struct ksr_span *s, uint64_t off)
{
	uint64_t abs, end;

	const struct src_copy *e;
	const char *str;

	if (off >= s->len)
		return NULL;
	abs = s->off + off;
	end = s->off + s->len;
	/* a string read before is filed under (abs, STR_KEY) too */
	e = find(s->src, abs, STR_KEY);
	if (e->len && e->data)
		return strlen((const char *)e->data) < end - abs ? (const char *)e->data : NULL;
	/* find the NUL block by block, then take the string as a range */
	for (uint64_t b = abs & ~(uint64_t)(SRC_BLOCK - 1); b < end; b += SRC_BLOCK) {
		const uint8_t *blk = block(s->src, b), *nul;
		uint64_t n = block_len(s->src, b);
		uint64_t lo = b > abs ? b : abs;
		uint64_t hi = b + n < end ? b + n : end;

		if (!blk)
			return NULL;
		nul = memchr(blk + (lo - b), '\0', (size_t)(hi - lo));
		if (nul) {
			str = ksr_src_get(s, off, b + (uint64_t)(nul - blk) - abs + 1);
			if (str && ((s->src->cnt + 1) * 2ull <= s->src->cap || grow(s->src)))
				keep(s->src, abs, STR_KEY, (const uint8_t *)str);
			return str;
		}
		if (n < SRC_BLOCK)   /* the end of the file or of the verified blocks */
			return NULL;
	}
	return NULL;
}
