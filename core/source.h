/* SPDX-License-Identifier: BSD-2-Clause */
/* Spans of untrusted bytes that are either in memory or in a file read on
 * demand with pread (a source). The indexed BTF and kallsyms views read
 * through spans, so one accessor serves a profile in memory, a profile read
 * with pread, and tables built in memory.
 *
 * A source keeps every byte it reads until it is freed: pointers returned
 * for it stay valid that long, and reading the same bytes again costs no
 * system call. It is not safe to read through one source from two threads
 * at once (const views over it included). */
#ifndef KSR_SOURCE_H
#define KSR_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct ksr_src;

struct ksr_span {
	const uint8_t *mem;   /* in memory: the bytes (never NULL); else NULL */
	struct ksr_src *src;  /* in a file: the source; else NULL */
	uint64_t off;         /* in a file: where the span starts */
	uint64_t len;
};

/* Opens a regular file of 1..max bytes as a source. */
int ksr_src_open(const char *path, size_t max, struct ksr_src **out);
void ksr_src_free(struct ksr_src *src);
/* Frees every copy read so far (every pointer ksr_src_get/ksr_src_str
 * returned); later reads read and verify their blocks again. */
void ksr_src_drop_copies(struct ksr_src *src);
/* Frees the recent blocks kept for nearby reads (up to 256 KiB); then,
 * when the copies, the block hashes and the table still hold more than
 * keep bytes, drops them too (ksr_src_drop_copies()). The bytes held
 * afterwards. */
size_t ksr_src_trim(struct ksr_src *src, size_t keep);
/* From now on, every block of [off, off+len) (off block-aligned) is
 * verified against hashes[cnt] (XXH3-64 of each 4 KiB block, the last one
 * possibly short) when it is first read; a mismatch fails that read and
 * every later one (ksr_src_error()). hashes is from ksr_src_hashes_new(cnt):
 * the source takes it, and frees it, whether or not the call succeeds. It was read
 * from table_off: ksr_src_drop_copies() drops it too, and a later read
 * reads it again from there, refused unless it is the same. */
int ksr_src_verify_blocks(struct ksr_src *src, uint64_t off, uint64_t len,
			  uint64_t *hashes, uint32_t cnt, uint64_t table_off);
/* Room for cnt block hashes (warm pooled memory when it fits), or NULL;
 * ksr_src_hashes_free() of the same cnt gives it back. */
uint64_t *ksr_src_hashes_new(uint32_t cnt);
void ksr_src_hashes_free(uint64_t *hashes, uint32_t cnt);
/* Reads every block of the verified range once, through the same block
 * reads lookups use, so that each is hashed and checked: 0, or the first
 * failure (which sticks, as for any read). O(size); keeps no copies. */
int ksr_src_verify_all(struct ksr_src *src);
uint64_t ksr_src_size(const struct ksr_src *src);
/* Reads [off, off+len) of the file into buf, keeping no copy (for reading
 * all of it once); a file that shrank since it was opened is
 * -KSR_EMALFORMED ("changed while in use"). */
int ksr_src_pread(const struct ksr_src *src, void *buf, size_t len, uint64_t off);
/* 0, or the first failed read (I/O error, file shrank, too much read):
 * every later read fails too. Sets the message again when non-zero. */
int ksr_src_error(const struct ksr_src *src);

struct ksr_span ksr_span_mem(const void *data, size_t len);
struct ksr_span ksr_span_file(struct ksr_src *src);
/* [off, off+len) of s as a span; false when it does not fit. */
bool ksr_span_sub(const struct ksr_span *s, uint64_t off, uint64_t len, struct ksr_span *sub);

/* The file parts of the two below. */
const void *ksr_src_get(const struct ksr_span *s, uint64_t off, uint64_t len);
const char *ksr_src_str(const struct ksr_span *s, uint64_t off);

/* The len bytes at off, or NULL when they are not inside s or cannot be
 * read. From a file, the pointer is congruent to the file offset modulo 8
 * (records keep their natural alignment). */
static inline const void *ksr_span_get(const struct ksr_span *s, uint64_t off, uint64_t len)
{
	if (s->src)
		return ksr_src_get(s, off, len);
	return off <= s->len && len <= s->len - off ? s->mem + off : NULL;
}

/* The string at off, terminated by a NUL byte inside s, or NULL (off
 * outside s, no NUL before its end, or a failed read). */
static inline const char *ksr_span_str(const struct ksr_span *s, uint64_t off)
{
	if (s->src)
		return ksr_src_str(s, off);
	if (off >= s->len)
		return NULL;
	/* a string table ends in NUL: every string in it ends by then */
	if (s->mem[s->len - 1] == '\0' || memchr(s->mem + off, '\0', s->len - off))
		return (const char *)s->mem + off;
	return NULL;
}

#endif
