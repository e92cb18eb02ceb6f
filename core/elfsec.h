/* SPDX-License-Identifier: BSD-2-Clause */
/* The one place for the strict ELF64 little-endian checks that every ELF
 * reader shares: the header, the section table, each section header, and
 * the exact rules for a section that is actually read. BPF objects
 * (core/object.c, through libelf), kernel ELF files (a vmlinux's .BTF) and
 * profiles (core/profile.c) all go through them. */
#ifndef KSR_ELFSEC_H
#define KSR_ELFSEC_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KSR_ELFSEC_MAX 65535u

/* What an ELF header may say, per kind of file. */
struct ksr_elf_kind {
	uint32_t types;            /* accepted e_type values, bit (1 << e_type) */
	uint16_t machines[2];      /* accepted e_machine values; {0, 0} = any */
	const char *machine_name;  /* for the message when machines[] rejects */
	bool phdrs;                /* program headers allowed */
	uint32_t max_secs;         /* section count limit */
};

extern const struct ksr_elf_kind ksr_elf_kind_kernel;   /* vmlinux, modules */
extern const struct ksr_elf_kind ksr_elf_kind_profile;  /* ET_REL, EM_NONE */

/* The extent of the section table, from the ELF header and section 0. */
struct ksr_elf_table {
	uint64_t shoff;
	uint32_t shnum;
	uint32_t shstrndx;
};

/* e_ident, then the header fields against kind (e_type, e_machine,
 * e_version, e_ehsize, program headers, e_shentsize, e_shoff). */
int ksr_elf_check_ehdr(const Elf64_Ehdr *eh, const struct ksr_elf_kind *kind);
/* The section table: count and name-table index (extended numbering
 * included), inside the file, section 0 an all-zero SHT_NULL header. */
int ksr_elf_check_table(const void *data, size_t len, const Elf64_Ehdr *eh,
			const struct ksr_elf_kind *kind, struct ksr_elf_table *t);
/* Any section header i called name (hoff: where the header is): sh_addralign
 * a power of two, sh_link and (SHF_INFO_LINK) sh_info section indexes, the
 * bytes inside the file. */
int ksr_elf_check_shdr(const Elf64_Shdr *sh, uint32_t i, const char *name, uint32_t shnum,
		       size_t file_len, uint64_t hoff);
/* SHF_COMPRESSED (or a .zdebug name): refused, naming the section and flag. */
int ksr_elf_check_uncompressed(const Elf64_Shdr *sh, uint32_t i, const char *name,
			       uint64_t hoff);
/* A string table: SHT_STRTAB, non-empty, inside the file, NUL-terminated. */
int ksr_elf_check_strtab(const void *data, size_t len, const Elf64_Shdr *sh, const char *what,
			 uint64_t hoff);

struct ksr_elfsec {
	const char *name;  /* points into the mapped shstrtab */
	uint32_t idx;
	uint32_t type;
	uint64_t flags;
	uint64_t addr;
	uint64_t offset;
	uint64_t size;     /* bytes in the file (0 for NOBITS) */
	uint64_t align;
	uint32_t link;
	uint32_t info;
	uint64_t entsize;
	uint64_t hoff;     /* file offset of its section header */
};

struct ksr_elfsecs {
	uint32_t cnt;
	struct ksr_elfsec *secs;
};

bool ksr_elfsec__is_elf(const void *data, size_t len);
/* Validates the ELF header against kind and the whole section table with
 * the checks above (every section's bytes inside the file, names inside
 * .shstrtab). */
int ksr_elfsec__read(const void *data, size_t len, const struct ksr_elf_kind *kind,
		     struct ksr_elfsecs *out);
void ksr_elfsec__free(struct ksr_elfsecs *s);
/* The only section called name; NULL if absent; -KSR_EMALFORMED via *err
 * when it appears twice. */
const struct ksr_elfsec *ksr_elfsec__find(const struct ksr_elfsecs *s, const char *name,
					  int *err);

/* The rules for a section whose bytes are read: its type, the flags it may
 * carry, sh_link = sh_info = 0, its sh_entsize, an sh_addralign of at most
 * max_align, and not SHF_COMPRESSED. */
struct ksr_elfsec_rule {
	uint32_t type;
	uint64_t flags_allowed;
	uint64_t entsize;
	uint64_t max_align;
};
int ksr_elfsec__check_rule(const struct ksr_elfsec *s, const struct ksr_elfsec_rule *rule);

#endif
