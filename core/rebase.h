/* SPDX-License-Identifier: BSD-2-Clause */
/* The live loader's pure part: check a patched object's instructions
 * against its manifest, move KASLR-dependent addresses by the slide of
 * _text, rewrite sites with new values (--reresolve), and find _text in the
 * head of kallsyms text. No I/O: the image is a set of writable section
 * views supplied by the caller. */
#ifndef KSR_REBASE_H
#define KSR_REBASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest.h"

/* Returned when the manifest records module addresses: modules have their
 * own random base, so no slide of _text can move them (CLI exit 1). */
#define KSR_REBASE_EMODULE EADDRNOTAVAIL

/* A writable view of one section of the image, indexed by ELF section
 * index. data is NULL for SHT_NOBITS or empty sections. */
struct ksr_rebase_sec {
	uint8_t *data;
	uint64_t size;
	bool exec;               /* SHF_EXECINSTR */
};

/* What the manifest asks for, by value kind and address class. */
struct ksr_rebase_counts {
	uint32_t btf_ids;
	uint32_t zero;
	uint32_t poison;
	uint32_t addr_kernel;    /* move with the slide of _text */
	uint32_t addr_fixed;     /* absolute: never move */
	uint32_t addr_module;    /* cannot be rebased */
	uint32_t module;         /* module externs' sites, bound at load */
};

/* Checks every site: its fields are in range and consistent (kind,
 * instruction, value kind, address class, reserved 0, a name), it lies
 * 8-aligned inside an executable section, no two sites share an
 * instruction, and the bytes there are exactly the encoding of the recorded
 * value. A difference means the object or its manifest was altered after
 * ksymres wrote it: -KSR_EMALFORMED naming the site. Nothing is written. */
int ksr_rebase__verify(const struct ksr_manifest *m, const struct ksr_rebase_sec *secs,
		       uint32_t sec_cnt, struct ksr_rebase_counts *counts);

/* The same for the module sites only (value kind KSR_MV_MODULE), which
 * stay as written while rebasing or --reresolve rewrite the others. */
int ksr_rebase__verify_modules(const struct ksr_manifest *m, const struct ksr_rebase_sec *secs,
			       uint32_t sec_cnt, struct ksr_rebase_counts *counts);

/* slide = live _text - profile _text, modulo 2^64 (the slide may be
 * negative). */
uint64_t ksr_rebase__slide(uint64_t live_text, uint64_t prof_text);

/* Verifies (as above), refuses module addresses (-KSR_REBASE_EMODULE)
 * before writing anything, then adds slide to every address of class
 * "kernel"; absolute addresses, BTF ids, zeros and poisoned calls are left
 * as they are. *rebased receives the number of instructions changed. */
int ksr_rebase__apply(const struct ksr_manifest *m, struct ksr_rebase_sec *secs,
		      uint32_t sec_cnt, uint64_t slide, uint32_t *rebased);

/* Re-encodes one site of a verified manifest with a new value, exactly as
 * the patcher writes it: for an ld_imm64, KSR_MV_BTF_ID (src_reg 3),
 * KSR_MV_ADDR (src_reg 0, both immediates) or KSR_MV_ZERO; for a call,
 * KSR_MV_BTF_ID (kfunc call, src_reg 2) or KSR_MV_POISON (helper call to
 * value). Any other combination is -EINVAL. */
int ksr_rebase__encode(struct ksr_rebase_sec *secs, uint32_t sec_cnt,
		       const struct ksr_manifest_site *s, enum ksr_manifest_value kind,
		       uint64_t value);

/* Scans the complete lines of kallsyms text for the vmlinux symbol "_text"
 * (without a module column). Every line up to it must follow the kallsyms
 * grammar (ksr_kallsyms__parse_line()). Returns 1 and sets *addr when
 * found, 0 when not in these lines, or -KSR_EMALFORMED for a line that does
 * not. base is the file offset of text[0], for messages. *used receives the
 * bytes of complete lines consumed (a trailing partial line is left for the
 * caller to complete). */
int ksr_rebase__scan_text(const char *text, size_t len, uint64_t base, uint64_t *addr,
			  size_t *used);

#endif
