/* SPDX-License-Identifier: BSD-2-Clause */
/* A minimal, strict ELF64 little-endian section-table reader for containers
 * we only need a few sections from (a vmlinux's .BTF, kernel profiles).
 * BPF objects go through libelf and core/object.c instead. */
#ifndef KSR_ELFSEC_H
#define KSR_ELFSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KSR_ELFSEC_MAX 65535u

struct ksr_elfsec {
	const char *name;  /* points into the mapped shstrtab */
	uint32_t type;
	uint64_t flags;
	uint64_t offset;
	uint64_t size;     /* bytes in the file (0 for NOBITS) */
	uint64_t align;
};

struct ksr_elfsecs {
	uint32_t cnt;
	struct ksr_elfsec *secs;
};

bool ksr_elfsec__is_elf(const void *data, size_t len);
/* Validates the ELF header and section table: every section's bytes inside
 * the file, names inside .shstrtab. */
int ksr_elfsec__read(const void *data, size_t len, struct ksr_elfsecs *out);
void ksr_elfsec__free(struct ksr_elfsecs *s);
/* The only section called name; NULL if absent; -KSR_EMALFORMED via *err
 * when it appears twice. */
const struct ksr_elfsec *ksr_elfsec__find(const struct ksr_elfsecs *s, const char *name,
					  int *err);

#endif
