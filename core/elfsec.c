// SPDX-License-Identifier: BSD-2-Clause
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "elfsec.h"
#include "error.h"

bool ksr_elfsec__is_elf(const void *data, size_t len)
{
	return len >= 4 && memcmp(data, ELFMAG, SELFMAG) == 0;
}

static int read_shdr(const struct ksr_cur *file, uint64_t off, Elf64_Shdr *sh)
{
	struct ksr_cur c;

	if (!ksr_cur_sub(file, off, sizeof(*sh), &c) || !ksr_cur_copy(&c, sh, sizeof(*sh)))
		return ksr_err(KSR_EMALFORMED, "ELF: section header past end (offset 0x%llx)",
			       (unsigned long long)off);
	return 0;
}

int ksr_elfsec__read(const void *data, size_t len, struct ksr_elfsecs *out)
{
	struct ksr_cur file = ksr_cur_make(data, len), c = file;
	struct ksr_cur shstr;
	Elf64_Ehdr eh;
	Elf64_Shdr sh;
	uint64_t shnum, shstrndx;
	int err;

	memset(out, 0, sizeof(*out));
	if (!ksr_cur_copy(&c, &eh, sizeof(eh)))
		return ksr_err(KSR_EMALFORMED, "ELF: file shorter than the ELF header (offset 0x0)");
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_ident[EI_VERSION] != EV_CURRENT)
		return ksr_err(KSR_EMALFORMED,
			       "ELF: not a 64-bit little-endian ELF file (offset 0x0)");
	if (eh.e_ehsize != sizeof(Elf64_Ehdr) || eh.e_shentsize != sizeof(Elf64_Shdr))
		return ksr_err(KSR_EMALFORMED, "ELF: bad header or section header size (offset 0x%zx)",
			       offsetof(Elf64_Ehdr, e_ehsize));
	if (eh.e_shoff == 0 || eh.e_shoff % 8)
		return ksr_err(KSR_EMALFORMED, "ELF: bad section header offset 0x%llx (offset 0x%zx)",
			       (unsigned long long)eh.e_shoff, offsetof(Elf64_Ehdr, e_shoff));
	err = read_shdr(&file, eh.e_shoff, &sh);
	if (err)
		return err;
	shnum = eh.e_shnum ? eh.e_shnum : sh.sh_size;
	shstrndx = eh.e_shstrndx == SHN_XINDEX ? sh.sh_link : eh.e_shstrndx;
	if (shnum == 0 || shnum > KSR_ELFSEC_MAX ||
	    !ksr_range_ok(eh.e_shoff, shnum * sizeof(Elf64_Shdr), len))
		return ksr_err(KSR_EMALFORMED, "ELF: section count %llu invalid (offset 0x%zx)",
			       (unsigned long long)shnum, offsetof(Elf64_Ehdr, e_shnum));
	if (shstrndx == 0 || shstrndx >= shnum)
		return ksr_err(KSR_EMALFORMED, "ELF: section name table index %llu invalid (offset 0x%zx)",
			       (unsigned long long)shstrndx, offsetof(Elf64_Ehdr, e_shstrndx));
	err = read_shdr(&file, eh.e_shoff + shstrndx * sizeof(Elf64_Shdr), &sh);
	if (err)
		return err;
	if (sh.sh_type != SHT_STRTAB || sh.sh_size == 0 ||
	    !ksr_cur_sub(&file, sh.sh_offset, sh.sh_size, &shstr) ||
	    shstr.base[shstr.len - 1] != '\0')
		return ksr_err(KSR_EMALFORMED, "ELF: section name table invalid (offset 0x%llx)",
			       (unsigned long long)sh.sh_offset);

	out->secs = calloc(shnum, sizeof(*out->secs));
	if (!out->secs)
		return ksr_err(ENOMEM, "out of memory");
	out->cnt = (uint32_t)shnum;
	for (uint64_t i = 0; i < shnum; i++) {
		uint64_t hoff = eh.e_shoff + i * sizeof(Elf64_Shdr);
		struct ksr_elfsec *s = &out->secs[i];

		err = read_shdr(&file, hoff, &sh);
		if (err)
			goto fail;
		s->name = ksr_cur_str_at(&shstr, sh.sh_name);
		if (!s->name) {
			err = ksr_err(KSR_EMALFORMED, "ELF: section %llu name out of range (offset 0x%llx)",
				      (unsigned long long)i, (unsigned long long)hoff);
			goto fail;
		}
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		s->offset = sh.sh_offset;
		s->size = sh.sh_type == SHT_NOBITS ? 0 : sh.sh_size;
		s->align = sh.sh_addralign;
		if (!ksr_range_ok(s->offset, s->size, len)) {
			err = ksr_err(KSR_EMALFORMED,
				      "ELF: section %s extends past the end of the file (offset 0x%llx)",
				      s->name, (unsigned long long)hoff);
			goto fail;
		}
	}
	return 0;
fail:
	ksr_elfsec__free(out);
	return err;
}

void ksr_elfsec__free(struct ksr_elfsecs *s)
{
	free(s->secs);
	s->secs = NULL;
	s->cnt = 0;
}

const struct ksr_elfsec *ksr_elfsec__find(const struct ksr_elfsecs *s, const char *name,
					  int *err)
{
	const struct ksr_elfsec *found = NULL;

	*err = 0;
	for (uint32_t i = 1; i < s->cnt; i++) {
		if (strcmp(s->secs[i].name, name) != 0)
			continue;
		if (found) {
			*err = ksr_err(KSR_EMALFORMED, "ELF: section %s appears twice", name);
			return NULL;
		}
		found = &s->secs[i];
	}
	return found;
}
