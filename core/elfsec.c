// SPDX-License-Identifier: BSD-2-Clause
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "elfsec.h"
#include "error.h"

#define EHDR_SZ sizeof(Elf64_Ehdr)
#define SHDR_SZ sizeof(Elf64_Shdr)

static inline unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

/* vmlinux is ET_EXEC, modules are ET_REL; any architecture. */
const struct ksr_elf_kind ksr_elf_kind_kernel = {
	.types = 1u << ET_REL | 1u << ET_EXEC | 1u << ET_DYN,
	.phdrs = true,
	.max_secs = KSR_ELFSEC_MAX,
};

const struct ksr_elf_kind ksr_elf_kind_profile = {
	.types = 1u << ET_REL,
	.machines = { EM_NONE, EM_NONE },
	.machine_name = "EM_NONE",
	.max_secs = KSR_ELFSEC_MAX,
};

bool ksr_elfsec__is_elf(const void *data, size_t len)
{
	return len >= 4 && memcmp(data, ELFMAG, SELFMAG) == 0;
}

static int check_ident(const Elf64_Ehdr *eh)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return ksr_err(KSR_EMALFORMED, "ELF header: bad magic (file offset 0x0)");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return ksr_err(KSR_EMALFORMED, "ELF header: EI_CLASS %u is not ELFCLASS64 (file offset 0x%x)",
			       eh->e_ident[EI_CLASS], EI_CLASS);
	if (eh->e_ident[EI_DATA] == ELFDATA2MSB)
		return ksr_err(KSR_EMALFORMED,
			       "ELF header: big-endian objects are not supported (file offset 0x%x)",
			       EI_DATA);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return ksr_err(KSR_EMALFORMED, "ELF header: EI_DATA %u is invalid (file offset 0x%x)",
			       eh->e_ident[EI_DATA], EI_DATA);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT)
		return ksr_err(KSR_EMALFORMED, "ELF header: EI_VERSION %u is not 1 (file offset 0x%x)",
			       eh->e_ident[EI_VERSION], EI_VERSION);
	return 0;
}

static bool machine_ok(const struct ksr_elf_kind *k, uint16_t m)
{
	if (!k->machine_name)
		return true;
	return m == k->machines[0] || m == k->machines[1];
}

int ksr_elf_check_ehdr(const Elf64_Ehdr *eh, const struct ksr_elf_kind *k)
{
	int err = check_ident(eh);

	if (err)
		return err;
	if (eh->e_type >= 32 || !(k->types & (1u << eh->e_type)))
		return ksr_err(KSR_EMALFORMED, "ELF header: e_type %u is not %s (file offset 0x%zx)",
			       eh->e_type, k->types == 1u << ET_REL ? "ET_REL" : "ET_REL, ET_EXEC or ET_DYN",
			       offsetof(Elf64_Ehdr, e_type));
	if (!machine_ok(k, eh->e_machine))
		return ksr_err(KSR_EMALFORMED, "ELF header: e_machine %u is not %s (file offset 0x%zx)",
			       eh->e_machine, k->machine_name, offsetof(Elf64_Ehdr, e_machine));
	if (eh->e_version != EV_CURRENT)
		return ksr_err(KSR_EMALFORMED, "ELF header: e_version %u is not 1 (file offset 0x%zx)",
			       eh->e_version, offsetof(Elf64_Ehdr, e_version));
	if (eh->e_ehsize != EHDR_SZ)
		return ksr_err(KSR_EMALFORMED, "ELF header: e_ehsize %u is not %zu (file offset 0x%zx)",
			       eh->e_ehsize, EHDR_SZ, offsetof(Elf64_Ehdr, e_ehsize));
	if (!k->phdrs && (eh->e_phoff || eh->e_phnum))
		return ksr_err(KSR_EMALFORMED,
			       "ELF header: program headers in a relocatable object (file offset 0x%zx)",
			       offsetof(Elf64_Ehdr, e_phoff));
	if (eh->e_shentsize != SHDR_SZ)
		return ksr_err(KSR_EMALFORMED,
			       "ELF header: e_shentsize %u is not %zu (file offset 0x%zx)",
			       eh->e_shentsize, SHDR_SZ, offsetof(Elf64_Ehdr, e_shentsize));
	if (eh->e_shoff == 0 || eh->e_shoff % 8)
		return ksr_err(KSR_EMALFORMED,
			       "ELF header: e_shoff 0x%llx is zero or not 8-aligned (file offset 0x%zx)",
			       ull(eh->e_shoff), offsetof(Elf64_Ehdr, e_shoff));
	return 0;
}

/* Section 0 must be SHT_NULL and zero apart from the extended-numbering
 * fields (sh_size: count, sh_link: shstrndx) when the header uses them. */
static int check_null_shdr(const Elf64_Shdr *sh, bool ext_num, bool ext_str, uint64_t off)
{
	if (sh->sh_type != SHT_NULL || sh->sh_name || sh->sh_flags || sh->sh_addr ||
	    sh->sh_offset || (!ext_num && sh->sh_size) || (!ext_str && sh->sh_link) ||
	    sh->sh_info || sh->sh_addralign || sh->sh_entsize)
		return ksr_err(KSR_EMALFORMED,
			       "section 0: not an all-zero SHT_NULL header (file offset 0x%llx)",
			       ull(off));
	return 0;
}

int ksr_elf_check_table(const void *data, size_t len, const Elf64_Ehdr *eh,
			const struct ksr_elf_kind *k, struct ksr_elf_table *t)
{
	struct ksr_cur file = ksr_cur_make(data, len), c;
	Elf64_Shdr sh0;
	uint64_t shnum, shstrndx;
	int err;

	if (!ksr_cur_sub(&file, eh->e_shoff, SHDR_SZ, &c) || !ksr_cur_copy(&c, &sh0, sizeof(sh0)))
		return ksr_err(KSR_EMALFORMED,
			       "ELF header: section header table at 0x%llx is past the end of the file (file offset 0x%zx)",
			       ull(eh->e_shoff), offsetof(Elf64_Ehdr, e_shoff));
	shnum = eh->e_shnum ? eh->e_shnum : sh0.sh_size;
	if (eh->e_shstrndx >= SHN_LORESERVE && eh->e_shstrndx != SHN_XINDEX)
		return ksr_err(KSR_EMALFORMED, "ELF header: e_shstrndx 0x%x is reserved (file offset 0x%zx)",
			       eh->e_shstrndx, offsetof(Elf64_Ehdr, e_shstrndx));
	shstrndx = eh->e_shstrndx == SHN_XINDEX ? sh0.sh_link : eh->e_shstrndx;
	if (shnum == 0 || shnum > k->max_secs)
		return ksr_err(KSR_EMALFORMED,
			       "ELF header: section count %llu is outside 1..%u (file offset 0x%zx)",
			       ull(shnum), k->max_secs, offsetof(Elf64_Ehdr, e_shnum));
	if (!ksr_range_ok(eh->e_shoff, shnum * SHDR_SZ, len))
		return ksr_err(KSR_EMALFORMED,
			       "ELF header: %llu section headers at 0x%llx run past the end of the file (file offset 0x%zx)",
			       ull(shnum), ull(eh->e_shoff), offsetof(Elf64_Ehdr, e_shoff));
	if (shstrndx == 0 || shstrndx >= shnum)
		return ksr_err(KSR_EMALFORMED,
			       "ELF header: section name table index %llu out of range (file offset 0x%zx)",
			       ull(shstrndx), offsetof(Elf64_Ehdr, e_shstrndx));
	err = check_null_shdr(&sh0, eh->e_shnum == 0, eh->e_shstrndx == SHN_XINDEX, eh->e_shoff);
	if (err)
		return err;
	t->shoff = eh->e_shoff;
	t->shnum = (uint32_t)shnum;
	t->shstrndx = (uint32_t)shstrndx;
	return 0;
}

static bool is_pow2_or_zero(uint64_t v)
{
	return (v & (v - 1)) == 0;
}

int ksr_elf_check_shdr(const Elf64_Shdr *sh, uint32_t i, const char *n, uint32_t shnum,
		       size_t file_len, uint64_t hoff)
{
	if (!is_pow2_or_zero(sh->sh_addralign))
		return ksr_err(KSR_EMALFORMED,
			       "section %u '%s': sh_addralign %llu is not a power of two (file offset 0x%llx)",
			       i, n, ull(sh->sh_addralign), ull(hoff));
	if (sh->sh_link >= shnum || ((sh->sh_flags & SHF_INFO_LINK) && sh->sh_info >= shnum))
		return ksr_err(KSR_EMALFORMED,
			       "section %u '%s': sh_link %u or sh_info %u is not a section index (file offset 0x%llx)",
			       i, n, sh->sh_link, sh->sh_info, ull(hoff));
	if (sh->sh_type != SHT_NOBITS && !ksr_range_ok(sh->sh_offset, sh->sh_size, file_len))
		return ksr_err(KSR_EMALFORMED,
			       "section %u '%s': bytes 0x%llx+0x%llx run past the end of the file (file offset 0x%llx)",
			       i, n, ull(sh->sh_offset), ull(sh->sh_size), ull(hoff));
	return 0;
}

int ksr_elf_check_uncompressed(const Elf64_Shdr *sh, uint32_t i, const char *n, uint64_t hoff)
{
	if ((sh->sh_flags & SHF_COMPRESSED) || !strncmp(n, ".zdebug", 7))
		return ksr_err(KSR_EMALFORMED,
			       "section %u '%s': compressed (SHF_COMPRESSED); compressed sections are not supported (file offset 0x%llx)",
			       i, n, ull(hoff));
	return 0;
}

int ksr_elf_check_strtab(const void *data, size_t len, const Elf64_Shdr *sh, const char *what,
			 uint64_t hoff)
{
	if (sh->sh_type != SHT_STRTAB || sh->sh_size == 0 ||
	    !ksr_range_ok(sh->sh_offset, sh->sh_size, len))
		return ksr_err(KSR_EMALFORMED, "%s: not a string table inside the file (file offset 0x%llx)",
			       what, ull(hoff));
	if (((const char *)data)[sh->sh_offset + sh->sh_size - 1] != '\0')
		return ksr_err(KSR_EMALFORMED, "%s: not NUL-terminated (file offset 0x%llx)", what,
			       ull(sh->sh_offset + sh->sh_size - 1));
	return 0;
}

static int read_shdr(const struct ksr_cur *file, uint64_t off, Elf64_Shdr *sh)
{
	struct ksr_cur c;

	/* ksr_elf_check_table() has checked the whole table is inside */
	if (!ksr_cur_sub(file, off, sizeof(*sh), &c) || !ksr_cur_copy(&c, sh, sizeof(*sh)))
		return ksr_err(KSR_EMALFORMED, "ELF: section header past end (file offset 0x%llx)",
			       ull(off));
	return 0;
}

int ksr_elfsec__read(const void *data, size_t len, const struct ksr_elf_kind *kind,
		     struct ksr_elfsecs *out)
{
	struct ksr_cur file = ksr_cur_make(data, len), c = file;
	struct ksr_elf_table t;
	struct ksr_cur shstr;
	Elf64_Ehdr eh;
	Elf64_Shdr sh;
	int err;

	memset(out, 0, sizeof(*out));
	if (!ksr_cur_copy(&c, &eh, sizeof(eh)))
		return ksr_err(KSR_EMALFORMED,
			       "ELF header: file is %zu bytes, shorter than the ELF header (file offset 0x0)",
			       len);
	err = ksr_elf_check_ehdr(&eh, kind);
	if (!err)
		err = ksr_elf_check_table(data, len, &eh, kind, &t);
	if (!err)
		err = read_shdr(&file, t.shoff + (uint64_t)t.shstrndx * SHDR_SZ, &sh);
	if (!err)
		err = ksr_elf_check_strtab(data, len, &sh, "section name table",
					   t.shoff + (uint64_t)t.shstrndx * SHDR_SZ);
	if (err)
		return err;
	shstr = ksr_cur_make((const uint8_t *)data + sh.sh_offset, sh.sh_size);

	out->secs = calloc(t.shnum, sizeof(*out->secs));
	if (!out->secs)
		return ksr_err(ENOMEM, "out of memory");
	out->cnt = t.shnum;
	out->secs[0].name = "";
	for (uint32_t i = 1; i < t.shnum; i++) {
		uint64_t hoff = t.shoff + (uint64_t)i * SHDR_SZ;
		struct ksr_elfsec *s = &out->secs[i];

		err = read_shdr(&file, hoff, &sh);
		if (err)
			goto fail;
		s->name = ksr_cur_str_at(&shstr, sh.sh_name);
		if (!s->name) {
			err = ksr_err(KSR_EMALFORMED,
				      "section %u: name offset 0x%x out of range (file offset 0x%llx)",
				      i, sh.sh_name, ull(hoff));
			goto fail;
		}
		err = ksr_elf_check_shdr(&sh, i, s->name, t.shnum, len, hoff);
		if (err)
			goto fail;
		s->idx = i;
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		s->addr = sh.sh_addr;
		s->offset = sh.sh_offset;
		s->size = sh.sh_type == SHT_NOBITS ? 0 : sh.sh_size;
		s->align = sh.sh_addralign;
		s->link = sh.sh_link;
		s->info = sh.sh_info;
		s->entsize = sh.sh_entsize;
		s->hoff = hoff;
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
			*err = ksr_err(KSR_EMALFORMED, "ELF: section %s appears twice (file offset 0x%llx)",
				       name, ull(s->secs[i].hoff));
			return NULL;
		}
		found = &s->secs[i];
	}
	return found;
}

int ksr_elfsec__check_rule(const struct ksr_elfsec *s, const struct ksr_elfsec_rule *r)
{
	Elf64_Shdr sh = { .sh_flags = s->flags };
	int err = ksr_elf_check_uncompressed(&sh, s->idx, s->name, s->hoff);

	if (err)
		return err;
	if (s->type != r->type)
		return ksr_err(KSR_EMALFORMED, "section %u '%s': sh_type %u, expected %u (file offset 0x%llx)",
			       s->idx, s->name, s->type, r->type, ull(s->hoff));
	if (s->flags & ~r->flags_allowed)
		return ksr_err(KSR_EMALFORMED,
			       "section %u '%s': sh_flags 0x%llx has flags other than 0x%llx (file offset 0x%llx)",
			       s->idx, s->name, ull(s->flags), ull(r->flags_allowed), ull(s->hoff));
	if (s->link || s->info)
		return ksr_err(KSR_EMALFORMED,
			       "section %u '%s': sh_link %u / sh_info %u, expected 0 (file offset 0x%llx)",
			       s->idx, s->name, s->link, s->info, ull(s->hoff));
	if (s->entsize != r->entsize)
		return ksr_err(KSR_EMALFORMED,
			       "section %u '%s': sh_entsize %llu, expected %llu (file offset 0x%llx)",
			       s->idx, s->name, ull(s->entsize), ull(r->entsize), ull(s->hoff));
	if (s->align > r->max_align)
		return ksr_err(KSR_EMALFORMED,
			       "section %u '%s': sh_addralign %llu above %llu (file offset 0x%llx)",
			       s->idx, s->name, ull(s->align), ull(r->max_align), ull(s->hoff));
	if (s->size == 0)
		return ksr_err(KSR_EMALFORMED, "section %u '%s': no data (file offset 0x%llx)",
			       s->idx, s->name, ull(s->hoff));
	return 0;
}
