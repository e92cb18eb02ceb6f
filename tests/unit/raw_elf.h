/* SPDX-License-Identifier: BSD-2-Clause */
/* Shared by the object-model tests (test_object.c, test_externs.c,
 * test_relocs.c, test_btf_ext.c): an independent, trusting reader for the
 * clang-built objects of tests/bpf, the writes that corrupt a copy of one,
 * and the runner for tables of corrupted copies. Every helper fails the
 * test when what it looks for is missing. */
#ifndef KSR_RAW_ELF_H
#define KSR_RAW_ELF_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#include "object.h"

struct raw {
	uint8_t *d;
	size_t n;
	Elf64_Ehdr eh;
	Elf64_Shdr sh[256];
	unsigned int shnum;
	unsigned int symtab;
};

void raw_init(struct raw *r, uint8_t *d, size_t n);
const char *raw_secname(const struct raw *r, unsigned int i);
/* Index of the section named name, or -1. */
int raw_sec(const struct raw *r, const char *name);
size_t shdr_off(const struct raw *r, unsigned int i);
unsigned int raw_symcnt(const struct raw *r);
size_t sym_off(const struct raw *r, unsigned int i);
Elf64_Sym raw_sym(const struct raw *r, unsigned int i);
const char *raw_symname(const struct raw *r, unsigned int i);
/* Index of the symbol named name, or -1. */
int raw_symidx(const struct raw *r, const char *name);
/* File offset of the first relocation entry in .rel<sec> against symbol
 * sym (any symbol when sym is NULL), and its r_offset. */
size_t raw_rel(const struct raw *r, const char *sec, const char *sym, uint64_t *r_offset);
/* The same without the r_offset. */
size_t first_rel(struct raw *r, const char *sec, const char *sym);
/* File offset of the instruction a relocation in .rel<sec> against sym
 * targets. */
size_t raw_site(const struct raw *r, const char *sec, const char *sym);

/* Writes within the copy (bounds-checked against r->n). */
void put(struct raw *r, size_t off, const void *v, size_t len);
void put16(struct raw *r, size_t off, uint16_t v);
void put32(struct raw *r, size_t off, uint32_t v);
void put64(struct raw *r, size_t off, uint64_t v);

#define EH(field) offsetof(Elf64_Ehdr, field)
#define SH(field) offsetof(Elf64_Shdr, field)
#define SY(field) offsetof(Elf64_Sym, field)

/* Sets field (an SH() offset, width 4 or 8) of section sec's header. */
void set_shdr(struct raw *r, const char *sec, size_t field, uint64_t v, size_t width);

/* File offset of .BTF, and of the BTF type name/kind found through libbpf
 * (with its name offset in *name_off when not NULL). */
size_t btf_off(struct raw *r);
size_t btf_type_foff(struct raw *r, const char *name, int kind, uint32_t *name_off);

/* Exits 77 (skipped) when the BPF test objects were not built. */
void require_bpf_objects(void);
/* The bytes of tests/bpf/<name>.bpf.o, malloc()ed. */
uint8_t *load_obj(const char *name, size_t *len);
/* ksr_object__open_mem() that must succeed. */
struct ksr_object *open_ok(const uint8_t *d, size_t n);

/* A corrupted copy of obj: mutate breaks it; opening it must fail with
 * -EBADMSG and a message that holds msg (or alt: a BTF rule may fire
 * first). KSR_TEST_VERBOSE=1 prints every message. */
struct bad_case {
	const char *what;
	const char *obj;
	void (*mutate)(struct raw *r, size_t *len);
	const char *msg;
	const char *alt;
};

/* Runs every case, reports each failure, then fails the test if any did. */
void expect_bad_cases(const struct bad_case *cases, size_t n);

#endif
