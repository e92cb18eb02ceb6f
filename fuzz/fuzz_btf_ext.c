// SPDX-License-Identifier: BSD-2-Clause
/* Object .BTF plus .BTF.ext, inside a small valid ELF skeleton built here,
 * so mutations land in the two blobs rather than in the ELF container.
 *
 * Input: [u32 len][.BTF][u32 len][.BTF.ext] then up to 8 code sections,
 * each [u8 name_len][name][u32 len][instructions]. Lengths are clamped to
 * what is left. Each code section gets one global FUNC symbol covering it,
 * so .BTF.ext records can name real sections, programs and instruction
 * boundaries. scripts/gen-corpus.sh cuts seeds in this format out of the
 * clang-built test objects. */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "fuzz_common.h"
#include "object.h"

#define MAX_CODE_SECS 8u
#define EM_BPF_ 247

struct part {
	char name[256];
	const uint8_t *data;
	size_t size;
	uint32_t type;
	uint64_t flags, align, entsize;
	uint32_t link, info;
};

static const uint8_t exit_insn[8] = { 0x95 };

static size_t add_name(struct ksr_buf *b, const char *s)
{
	size_t off = b->len;

	ksr_buf_put(b, s, strlen(s) + 1);
	return off;
}

static int read_code(struct fz_reader *r, struct part *p)
{
	const uint8_t *name, *code;
	uint8_t name_len;
	size_t code_len;

	if (!fz_u8(r, &name_len) || r->left < name_len)
		return 0;
	name = r->p;
	r->p += name_len;
	r->left -= name_len;
	if (!fz_blob(r, &code, &code_len))
		return 0;
	memcpy(p->name, name, name_len);
	p->name[name_len] = '\0';
	code_len -= code_len % 8;
	p->data = code_len ? code : exit_insn;
	p->size = code_len ? code_len : sizeof(exit_insn);
	p->type = SHT_PROGBITS;
	p->flags = SHF_ALLOC | SHF_EXECINSTR;
	p->align = 8;
	return 1;
}

static void build_elf(struct part *parts, uint32_t n, struct ksr_buf *out)
{
	Elf64_Shdr sh[MAX_CODE_SECS + 8];
	struct ksr_buf shstr = { 0 };
	Elf64_Ehdr eh;

	memset(sh, 0, sizeof(sh));
	add_name(&shstr, "");
	ksr_buf_zero(out, sizeof(eh));
	for (uint32_t i = 1; i < n; i++) {
		ksr_buf_align(out, parts[i].align);
		sh[i].sh_name = (uint32_t)add_name(&shstr, parts[i].name);
		sh[i].sh_type = parts[i].type;
		sh[i].sh_flags = parts[i].flags;
		sh[i].sh_offset = out->len;
		sh[i].sh_size = parts[i].size;
		sh[i].sh_link = parts[i].link;
		sh[i].sh_info = parts[i].info;
		sh[i].sh_addralign = parts[i].align;
		sh[i].sh_entsize = parts[i].entsize;
		ksr_buf_put(out, parts[i].data, parts[i].size);
	}
	/* the last part is .shstrtab, written from the names collected above */
	sh[n].sh_name = (uint32_t)add_name(&shstr, ".shstrtab");
	sh[n].sh_type = SHT_STRTAB;
	sh[n].sh_offset = out->len;
	sh[n].sh_size = shstr.len;
	sh[n].sh_addralign = 1;
	ksr_buf_put(out, shstr.data, shstr.len);
	ksr_buf_align(out, 8);
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_REL;
	eh.e_machine = EM_BPF_;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = (uint16_t)(n + 1);
	eh.e_shstrndx = (uint16_t)n;
	eh.e_shoff = out->len;
	ksr_buf_put(out, sh, (n + 1) * sizeof(Elf64_Shdr));
	if (!out->err)
		memcpy(out->data, &eh, sizeof(eh));
	ksr_buf_free(&shstr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_reader r = { data, size };
	struct part parts[MAX_CODE_SECS + 7];
	Elf64_Sym syms[MAX_CODE_SECS + 1];
	char strtab[MAX_CODE_SECS * 8 + 1];
	struct ksr_buf elf = { 0 };
	struct ksr_object *obj = NULL;
	const uint8_t *btf, *ext;
	size_t btf_len, ext_len, strtab_len = 1;
	uint32_t ncode = 0, n, symtab, strtab_idx;
	int err;

	if (size > KSR_FUZZ_MAX_INPUT)
		return 0;
	if (!fz_blob(&r, &btf, &btf_len) || !fz_blob(&r, &ext, &ext_len))
		return 0;
	memset(parts, 0, sizeof(parts));
	memset(syms, 0, sizeof(syms));
	strtab[0] = '\0';
	while (ncode < MAX_CODE_SECS && read_code(&r, &parts[1 + ncode]))
		ncode++;
	if (!ncode) {
		parts[1] = (struct part){ .name = ".text", .data = exit_insn, .size = sizeof(exit_insn),
					  .type = SHT_PROGBITS, .flags = SHF_ALLOC | SHF_EXECINSTR,
					  .align = 8 };
		ncode = 1;
	}
	n = 1 + ncode;
	for (uint32_t i = 0; i < ncode; i++) {
		int len = snprintf(strtab + strtab_len, sizeof(strtab) - strtab_len, "prog%u", i);

		syms[i + 1].st_name = (uint32_t)strtab_len;
		syms[i + 1].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
		syms[i + 1].st_shndx = (uint16_t)(i + 1);
		syms[i + 1].st_size = parts[i + 1].size;
		strtab_len += (size_t)len + 1;
	}
	strtab_idx = n++;
	parts[strtab_idx] = (struct part){ .name = ".strtab", .data = (const uint8_t *)strtab,
					   .size = strtab_len, .type = SHT_STRTAB, .align = 1 };
	symtab = n++;
	parts[symtab] = (struct part){ .name = ".symtab", .data = (const uint8_t *)syms,
				       .size = (ncode + 1) * sizeof(Elf64_Sym), .type = SHT_SYMTAB,
				       .align = 8, .entsize = sizeof(Elf64_Sym), .link = strtab_idx,
				       .info = 1 };
	parts[n++] = (struct part){ .name = ".BTF", .data = btf, .size = btf_len,
				    .type = SHT_PROGBITS, .align = 4 };
	parts[n++] = (struct part){ .name = ".BTF.ext", .data = ext, .size = ext_len,
				    .type = SHT_PROGBITS, .align = 4 };
	build_elf(parts, n, &elf);
	FZ_ASSERT(elf.err == 0);
	ksr_err_clear();
	err = ksr_object__open_mem(elf.data, elf.len, &obj);
	fz_check_error(err);
	if (obj)
		fz_walk_object(obj);
	ksr_object__free(obj);
	ksr_buf_free(&elf);
	return 0;
}
