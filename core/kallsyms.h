/* SPDX-License-Identifier: BSD-2-Clause */
/* kallsyms and System.map text: a strict parser and an O(1) name index.
 * Grammar: "<hex addr> <type> <name>[\t[<module>]]\n", one address width
 * per file, names 1..511 printable bytes (the reasons in kallsyms.c; the
 * malformed classes K1-K16 in docs/bad-inputs.md). */
#ifndef KSR_KALLSYMS_H
#define KSR_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ksymres/ksymres.h"

#define KSR_KSYM_NAME_MAX 511u
#define KSR_KSYM_MAX_LINES (4u << 20)   /* resource cap: 4 Mi lines */
/* Records with one lookup key (docs/profile-format.md, "Bounds"): the
 * parser refuses more, lookups stop there. Names repeat across modules
 * (__this_module, init_module: one per module) and static functions;
 * this host's longest run is 13. */
#define KSR_KSYM_RUN_MAX 4096u

/* One symbol. Records are sorted by (hash, key, addr, name, module), where
 * hash is the low 32 bits of ksr_hash64(key), so all symbols sharing a
 * lookup key are adjacent. The key is the name, except for 'd' symbols
 * containing ".llvm." whose key is the part before it (libbpf >= 1.5).
 * Stored as-is in profiles. */
struct ksr_ksym {
	uint64_t addr;
	uint32_t name_off;  /* into the string table; full name */
	uint32_t mod_off;   /* module name without brackets; 0 = vmlinux */
	uint32_t key_len;   /* bytes of the name that form the key */
	uint8_t type;       /* the type letter */
	uint8_t flags;      /* KSR_KSYM_* */
	uint16_t reserved;  /* 0 */
};

enum {
	KSR_KSYM_ABSOLUTE = 1u << 0, /* does not move with KASLR: 'A', or zero-based per-CPU range */
	KSR_KSYM_MODULE = 1u << 1,   /* has a [module] column */
};

struct ksr_kallsyms;

/* ksr_kallsyms__parse() (ksymres.h): the string table starts with a NUL
 * byte (offset 0 = empty). All-zero addresses (a capture taken without
 * privilege) are refused with -KSR_EMALFORMED and a message saying so. */

/* One line split into its fields (no copy: the pointers are into the line). */
struct ksr_kallsyms_line {
	uint64_t addr;
	const char *name;     /* name_len bytes, not NUL-terminated */
	const char *module;   /* without the brackets; NULL: vmlinux */
	size_t name_len;
	size_t module_len;
	uint8_t type;
};

/* Parses one line, without its '\n', by the grammar and with the messages
 * of ksr_kallsyms__parse() (for a reader that needs only the first lines).
 * *width carries the address width from line to line: 0 before the first
 * line, which fixes it. line_no (1-based; 0 when not known) and off (the
 * offset of line[0] in the input) are for messages. */
int ksr_kallsyms__parse_line(const char *line, size_t len, unsigned int *width, uint32_t line_no,
			     uint64_t off, struct ksr_kallsyms_line *out);

/* Incremental parsing of text that arrives in pieces (capture parses
 * /proc/kallsyms as it reads it, through one small buffer). Each feed gets
 * the input's next bytes not consumed yet, text[0..len): it parses the
 * complete lines and sets *used to their length; the caller keeps the rest
 * at the front of its buffer and appends to it. A piece without a complete
 * line is an error once it is KSR_KSYM_STREAM_LINE_MAX bytes long (no valid
 * line is), so a buffer of at least that size always makes progress. finish
 * takes the final rest (the last line may lack its '\n'), sorts and
 * indexes: the same tables as ksr_kallsyms__parse() of the whole text, and
 * the same errors at the same offsets (of several, the first one found may
 * differ). An error is sticky; finish frees the stream in every case,
 * stream_free() abandons one. */
#define KSR_KSYM_STREAM_LINE_MAX 4096u
struct ksr_kallsyms_stream;
int ksr_kallsyms__stream_new(struct ksr_kallsyms_stream **out);
int ksr_kallsyms__stream_feed(struct ksr_kallsyms_stream *st, const char *text, size_t len,
			      size_t *used);
int ksr_kallsyms__stream_finish(struct ksr_kallsyms_stream *st, const char *text, size_t len,
				struct ksr_kallsyms **out);
void ksr_kallsyms__stream_free(struct ksr_kallsyms_stream *st);

/* A view over prebuilt arrays (a profile); nothing copied; bounds are
 * checked on use. Refused (-KSR_EMALFORMED) unless syms is 8-aligned, slots
 * 4-aligned, strs starts and ends with a NUL byte, slot_cnt is a power of
 * two up to 2^30 and sym_cnt <= KSR_KSYM_MAX_LINES. */
int ksr_kallsyms__open_indexed(const struct ksr_ksym *syms, uint32_t sym_cnt,
			       const char *strs, uint32_t strs_len, const uint32_t *slots,
			       uint32_t slot_cnt, struct ksr_kallsyms **out);
/* The same over spans, which may be in a file (source.h): nothing is read
 * but the first and last string bytes; records, names and slots are read
 * as lookups need them. syms and slots hold at least sym_cnt and slot_cnt
 * entries. The spans' memory or source must outlive the view. */
struct ksr_span;
int ksr_kallsyms__open_spans(const struct ksr_span *syms, uint32_t sym_cnt,
			     const struct ksr_span *strs, const struct ksr_span *slots,
			     uint32_t slot_cnt, struct ksr_kallsyms **out);

uint32_t ksr_kallsyms__count(const struct ksr_kallsyms *ks);
const struct ksr_ksym *ksr_kallsyms__sym(const struct ksr_kallsyms *ks, uint32_t i);
/* Name or module string of a record; NULL when out of range. */
const char *ksr_kallsyms__str(const struct ksr_kallsyms *ks, uint32_t off);
/* The run of records whose key equals name: *first, *cnt. -ENOENT if none.
 * Looks at most KSR_HASH_PROBE_MAX slots and KSR_KSYM_RUN_MAX records: a
 * lookup that hits either bound answers -ENOENT and marks the index
 * malformed (ksr_kallsyms__index_error()). */
int ksr_kallsyms__lookup(const struct ksr_kallsyms *ks, const char *name, uint32_t *first,
			 uint32_t *cnt);
/* The same, with *steps = the slots and records it looked at (tests). */
int ksr_kallsyms__lookup_steps(const struct ksr_kallsyms *ks, const char *name, uint32_t *first,
			       uint32_t *cnt, uint32_t *steps);
/* 0, or -KSR_EMALFORMED with the message naming the section, when a lookup
 * has found the index malformed (the first such lookup is kept). */
int ksr_kallsyms__index_error(const struct ksr_kallsyms *ks);

/* Serialisable parts (for profiles; NULL for a view read from a file).
 * slots[i] = record index + 1 of the
 * first record of a key run, 0 = empty; slot = ksr_hash64(key) & (cnt - 1),
 * linear probing. */
const struct ksr_ksym *ksr_kallsyms__syms(const struct ksr_kallsyms *ks, uint32_t *cnt);
const char *ksr_kallsyms__strs(const struct ksr_kallsyms *ks, uint32_t *len);
const uint32_t *ksr_kallsyms__slots(const struct ksr_kallsyms *ks, uint32_t *cnt);

/* Hex digits per address in the parsed text (16 for a 64-bit kernel, 8 for
 * a 32-bit one); 0 for an indexed view. */
unsigned int ksr_kallsyms__addr_width(const struct ksr_kallsyms *ks);

/* Address of _text, if present. */
bool ksr_kallsyms__text_addr(const struct ksr_kallsyms *ks, uint64_t *addr);
/* Heuristic for CONFIG_KALLSYMS_ALL: vmlinux data symbols (d D b B r R) other
 * than linker markers (names starting "__") are present. */
bool ksr_kallsyms__has_data_syms(const struct ksr_kallsyms *ks);

#endif
