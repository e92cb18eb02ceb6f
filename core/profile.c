// SPDX-License-Identifier: BSD-2-Clause
/* Kernel profiles, format version 2 (docs/profile-format.md): writing, and
 * opening in O(1): the 4 KiB head and the block-hash table are read and
 * verified at open; the body is read block by block as lookups need it,
 * each block verified the first time (core/source.c). */
#include <elf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "elfsec.h"
#include "error.h"
#include "fileio.h"
#include "hash.h"
#include "parallel.h"
#include "profile.h"
#include "modbtf.h"
#include "source.h"

/* The required sections, in file order; optional ones (KSR_PROFILE_OPT_PREFIX)
 * follow .ksr.symidx, and .ksr.blocks is always last. */
enum {
	SEC_NULL, SEC_META, SEC_SHSTRTAB, SEC_BTF, SEC_TYPES, SEC_NAMES, SEC_SYMS, SEC_SYMSTR,
	SEC_SYMIDX, SEC_REQ
};
static const char *const req_names[SEC_REQ] = {
	"", ".ksr.meta", ".shstrtab", ".BTF", ".ksr.btf.types", ".ksr.btf.names", ".ksr.syms",
	".ksr.symstr", ".ksr.symidx",
};
#define BLOCKS_NAME ".ksr.blocks"
#define OPT_NAME_MAX 32u          /* bytes of an optional section's name, NUL included */
#define SHSTR_MAX 1024u

_Static_assert(sizeof(struct ksr_profile_meta) == 256, "meta layout is part of the format");
_Static_assert(sizeof(Elf64_Ehdr) + KSR_PROFILE_MAX_SECS * sizeof(Elf64_Shdr) +
		       sizeof(struct ksr_profile_meta) + SHSTR_MAX <= KSR_PROFILE_BODY_OFF,
	       "the head fits its 4 KiB");
#define HEAD_HASH_OFF(meta_off) ((meta_off) + offsetof(struct ksr_profile_meta, head_hash))

struct opt_sec {
	char name[OPT_NAME_MAX];
	struct ksr_span span;
};

struct ksr_profile {
	struct ksr_src *src;         /* the file, read with pread */
	struct ksr_span file;
	uint64_t size;               /* its size when opened */
	struct ksr_profile_meta meta;
	struct ksr_btf *btf;
	struct ksr_kallsyms *ks;
	struct opt_sec opt[KSR_PROFILE_MAX_SECS];
	uint32_t opt_cnt;
	struct {                     /* the section table, for --info */
		char name[OPT_NAME_MAX];
		uint64_t off, size;
	} sec[KSR_PROFILE_MAX_SECS];
	uint32_t sec_cnt;
	char identity[33];
	char build_id[2 * KSR_PROFILE_BUILD_ID_MAX + 1];
	char release[KSR_PROFILE_RELEASE_MAX + 1];
	char *name;
	/* .ksr.opt.modbtf: module BTFs, each view opened on first use */
	struct ksr_span mod_sec;
	uint32_t mod_cnt;
	struct prof_mod *mods;
};

struct prof_mod {
	char name[KSR_MODBTF_NAME_MAX];
	struct ksr_btf *btf;         /* NULL until opened */
	int err;                     /* opening failed: this, again */
	char msg[256];
	uint8_t identity[16];
};

/* ---- kernel ELF files ------------------------------------------------------ */

/* What a kernel ELF file's .BTF section may be: vmlinux keeps it allocated
 * (SHF_ALLOC), pahole and objcopy add it unallocated; nothing else. */
static const struct ksr_elfsec_rule kernel_btf_rule = {
	.type = SHT_PROGBITS,
	.flags_allowed = SHF_ALLOC | SHF_WRITE,
	.entsize = 0,
	.max_align = 4096,
};

/* vmlinux's .notes: allocated notes, 4-aligned */
static const struct ksr_elfsec_rule kernel_notes_rule = {
	.type = SHT_NOTE,
	.flags_allowed = SHF_ALLOC,
	.entsize = 0,
	.max_align = 8,
};

int ksr_btf_blob_from_file(const void *data, size_t len, const void **blob, size_t *blob_len)
{
	const struct ksr_elfsec *s;
	struct ksr_elfsecs secs;
	int err;

	if (!ksr_elfsec__is_elf(data, len)) {
		*blob = data;
		*blob_len = len;
		return 0;
	}
	err = ksr_elfsec__read(data, len, &ksr_elf_kind_kernel, &secs);
	if (err)
		return err;
	s = ksr_elfsec__find(&secs, ".BTF", &err);
	if (!s && !err)
		err = ksr_err(KSR_EMALFORMED, "ELF: no .BTF section");
	if (s && !err)
		err = ksr_elfsec__check_rule(s, &kernel_btf_rule);
	if (!err) {
		*blob = (const uint8_t *)data + s->offset;
		*blob_len = (size_t)s->size;
	}
	ksr_elfsec__free(&secs);
	return err;
}

int ksr_notes_build_id(const void *notes, size_t len, uint8_t id[KSR_PROFILE_BUILD_ID_MAX],
		       uint8_t *id_len)
{
	struct ksr_cur c = ksr_cur_make(notes, len);

	/* Elf64_Nhdr and Elf32_Nhdr are the same three words */
	while (ksr_cur_left(&c) >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		const uint8_t *name, *desc;
		uint64_t nsz, dsz;

		ksr_cur_copy(&c, &nh, sizeof(nh));
		nsz = ((uint64_t)nh.n_namesz + 3) & ~(uint64_t)3;
		dsz = ((uint64_t)nh.n_descsz + 3) & ~(uint64_t)3;
		if (!ksr_cur_bytes(&c, nsz, &name) || !ksr_cur_bytes(&c, dsz, &desc))
			return ksr_err(KSR_EMALFORMED, "notes: note runs past the end (offset 0x%zx)",
				       c.pos);
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && !memcmp(name, "GNU", 4)) {
			if (nh.n_descsz == 0 || nh.n_descsz > KSR_PROFILE_BUILD_ID_MAX)
				return ksr_err(KSR_EMALFORMED, "notes: build ID of %u bytes (1..%u)",
					       nh.n_descsz, KSR_PROFILE_BUILD_ID_MAX);
			memset(id, 0, KSR_PROFILE_BUILD_ID_MAX);
			memcpy(id, desc, nh.n_descsz);
			*id_len = (uint8_t)nh.n_descsz;
			return 0;
		}
	}
	return -ENOENT;
}

int ksr_kernel_elf_info(const void *data, size_t len, struct ksr_profile_info *info)
{
	const struct ksr_elfsec *s;
	struct ksr_elfsecs secs;
	Elf64_Ehdr eh;
	int err;

	info->arch = 0;
	info->build_id_len = 0;
	if (!ksr_elfsec__is_elf(data, len))
		return 0;
	err = ksr_elfsec__read(data, len, &ksr_elf_kind_kernel, &secs);
	if (err)
		return err;
	memcpy(&eh, data, sizeof(eh));
	info->arch = eh.e_machine;
	s = ksr_elfsec__find(&secs, ".notes", &err);
	if (s && !err)
		err = ksr_elfsec__check_rule(s, &kernel_notes_rule);
	if (s && !err) {
		err = ksr_notes_build_id((const uint8_t *)data + s->offset, (size_t)s->size,
					 info->build_id, &info->build_id_len);
		if (err == -ENOENT)
			err = 0;
		if (err)
			ksr_err_prefix("section .notes");
	}
	ksr_elfsec__free(&secs);
	return err;
}

static const struct {
	const char *name;
	uint16_t machine;
} arches[] = {
	{ "x86_64", EM_X86_64 }, { "aarch64", EM_AARCH64 }, { "arm64", EM_AARCH64 },
	{ "s390x", EM_S390 }, { "ppc64le", EM_PPC64 }, { "riscv64", EM_RISCV },
};

const char *ksr_arch_name(uint16_t machine)
{
	static _Thread_local char other[16];

	if (!machine)
		return "unknown";
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (arches[i].machine == machine)
			return arches[i].name;
	snprintf(other, sizeof(other), "em-%u", machine);
	return other;
}

/* The KASLR and per-CPU rules (docs/profile-format.md, "Architectures"):
 * x86_64 and aarch64 share them; any other arch, or none, is refused. */
int ksr_arch_kaslr_rule(uint16_t machine)
{
	if (machine == EM_X86_64 || machine == EM_AARCH64)
		return 0;
	return ksr_err(ENOTSUP, "no KASLR rule for arch %s: ksymres knows which addresses move "
		       "with KASLR on x86_64 and aarch64 only", ksr_arch_name(machine));
}

uint16_t ksr_arch_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (!strcmp(arches[i].name, name))
			return arches[i].machine;
	return 0;
}

/* ---- the layout -------------------------------------------------------------
 * The head: ELF header, section table (at 64), .ksr.meta, .shstrtab, zeros
 * to 4 KiB. The body from 4 KiB: .BTF and the other sections, each 8-aligned,
 * then .ksr.blocks, which ends the file. Every header byte has exactly one
 * allowed value given the section names and sizes: the writer builds the
 * headers here and the reader compares the file with what it would have
 * written. */

struct layout {
	uint32_t nsec;                       /* null and .ksr.blocks included */
	const char *names[KSR_PROFILE_MAX_SECS];
	uint64_t size[KSR_PROFILE_MAX_SECS]; /* as given; .ksr.meta, .shstrtab set here */
	uint64_t off[KSR_PROFILE_MAX_SECS];  /* set by place() */
	char shstr[SHSTR_MAX];
	uint32_t shstr_len;
	uint32_t name_off[KSR_PROFILE_MAX_SECS];
};

static uint64_t align8(uint64_t n)
{
	return (n + 7) & ~(uint64_t)7;
}

static uint64_t meta_off(uint32_t nsec)
{
	return sizeof(Elf64_Ehdr) + (uint64_t)nsec * sizeof(Elf64_Shdr);
}

/* Names into .shstrtab, then every offset; the sizes of the body sections
 * are given. False when the names do not fit the head. */
static bool place(struct layout *l)
{
	uint64_t end;

	l->shstr_len = 1;
	l->shstr[0] = '\0';
	for (uint32_t i = 1; i < l->nsec; i++) {
		size_t n = strlen(l->names[i]) + 1;

		if (n > SHSTR_MAX - l->shstr_len)
			return false;
		l->name_off[i] = l->shstr_len;
		memcpy(l->shstr + l->shstr_len, l->names[i], n);
		l->shstr_len += (uint32_t)n;
	}
	l->name_off[0] = 0;
	l->off[0] = l->size[0] = 0;
	l->off[SEC_META] = meta_off(l->nsec);
	l->size[SEC_META] = sizeof(struct ksr_profile_meta);
	l->off[SEC_SHSTRTAB] = l->off[SEC_META] + l->size[SEC_META];
	l->size[SEC_SHSTRTAB] = l->shstr_len;
	end = KSR_PROFILE_BODY_OFF;
	for (uint32_t i = SEC_BTF; i < l->nsec; i++) {
		l->off[i] = i == SEC_BTF ? end : align8(end);
		end = l->off[i] + l->size[i];
	}
	return true;
}

void ksr_profile_elf_header(Elf64_Ehdr *eh, uint16_t shnum, uint16_t shstrndx, uint64_t shoff)
{
	memset(eh, 0, sizeof(*eh));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_REL;
	eh->e_machine = EM_NONE;
	eh->e_version = EV_CURRENT;
	eh->e_ehsize = sizeof(*eh);
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = shnum;
	eh->e_shstrndx = shstrndx;
	eh->e_shoff = shoff;
}

/* Version 2: the section table right after the header. */
static void profile_ehdr(uint32_t nsec, Elf64_Ehdr *eh)
{
	ksr_profile_elf_header(eh, (uint16_t)nsec, SEC_SHSTRTAB, sizeof(*eh));
}

static void profile_shdr(const struct layout *l, uint32_t i, Elf64_Shdr *sh)
{
	memset(sh, 0, sizeof(*sh));
	if (i == SEC_NULL)
		return;
	sh->sh_name = l->name_off[i];
	sh->sh_type = i == SEC_SHSTRTAB ? SHT_STRTAB : SHT_PROGBITS;
	sh->sh_offset = l->off[i];
	sh->sh_size = l->size[i];
	sh->sh_addralign = 8;
}

/* The head hash: the 4 KiB head with the hash field as zeros, then the
 * block table. */
static uint64_t head_hash(const uint8_t *head, uint64_t moff, const uint64_t *blocks,
			  uint32_t cnt)
{
	static const uint8_t zeros[8];
	const void *parts[4] = { head, zeros, head + HEAD_HASH_OFF(moff) + 8, blocks };
	size_t lens[4] = { (size_t)HEAD_HASH_OFF(moff), 8,
			   (size_t)(KSR_PROFILE_BODY_OFF - HEAD_HASH_OFF(moff) - 8),
			   (size_t)cnt * sizeof(*blocks) };

	return ksr_hash64_multi(parts, lens, 4);
}

/* ---- writing ------------------------------------------------------------ *
 * In steps, so that capture can write the sections that depend only on the
 * BTF (most of the bytes) while it is still reading /proc/kallsyms: begin
 * writes .BTF and its indexes from 4 KiB on, hashing the body block by
 * block as it goes; write_kallsyms and write_section append sections;
 * commit hashes the last block, writes the block table and then the head
 * at offset 0, fsyncs and renames. Gaps between sections are 0..7 bytes of
 * alignment and the head's tail is zeros: the file system reads unwritten
 * bytes back as zeros, and they are hashed as zeros. */

/* What .ksr.meta derives from the BTF: magic, version, identity, kfunc tags. */
static void meta_from_btf(struct ksr_profile_meta *m, const struct ksr_btf *btf)
{
	size_t raw_len;
	const void *raw = ksr_btf__raw(btf, &raw_len);

	memcpy(m->magic, KSR_PROFILE_MAGIC, sizeof(KSR_PROFILE_MAGIC));
	m->version = KSR_PROFILE_VERSION;
	ksr_hash128(raw, raw_len, m->identity);
	if (ksr_btf__has_kfunc_tags(btf))
		m->flags |= KSR_PROF_KFUNC_TAGS;
	ksr_btf__type_offsets(btf, &m->btf_type_cnt);
}

/* ... from the snapshot and the caller (checked by check_info()):
 * _text, data symbols, release, arch, build ID. */
static void meta_from_kallsyms(struct ksr_profile_meta *m, const struct ksr_kallsyms *ks,
			       const struct ksr_profile_info *info)
{
	uint64_t addr;

	strncpy(m->release, info->release, sizeof(m->release) - 1);
	m->arch = info->arch;
	m->build_id_len = info->build_id_len;
	memcpy(m->build_id, info->build_id, info->build_id_len);
	if (ksr_kallsyms__text_addr(ks, &addr)) {
		m->flags |= KSR_PROF_HAS_TEXT;
		m->text_addr = addr;
	}
	if (ksr_kallsyms__has_data_syms(ks))
		m->flags |= KSR_PROF_KALLSYMS_ALL;
	ksr_kallsyms__syms(ks, &m->sym_cnt);
}

void ksr_profile__derive_meta(struct ksr_profile_meta *m, const struct ksr_btf *btf,
			      const struct ksr_kallsyms *ks, const struct ksr_profile_info *info)
{
	memset(m, 0, sizeof(*m));
	meta_from_btf(m, btf);
	meta_from_kallsyms(m, ks, info);
}

struct block_hasher {
	uint8_t part[KSR_PROFILE_BLOCK];
	size_t fill;
	uint64_t *hash;
	uint32_t cnt, cap;
	bool oom;
};

static void bh_push(struct block_hasher *h, const void *data, size_t len)
{
	if (h->cnt == h->cap) {
		uint32_t cap = h->cap ? h->cap * 2 : 1024;
		uint64_t *n = realloc(h->hash, (size_t)cap * sizeof(*n));

		if (!n) {
			h->oom = true;
			return;
		}
		h->hash = n;
		h->cap = cap;
	}
	h->hash[h->cnt++] = ksr_hash64(data, len);
}

/* Feeds body bytes in file order (data NULL: len zeros). */
static void bh_feed(struct block_hasher *h, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len) {
		size_t n = KSR_PROFILE_BLOCK - h->fill < len ? KSR_PROFILE_BLOCK - h->fill : len;

		if (h->fill == 0 && p && n == KSR_PROFILE_BLOCK) {
			bh_push(h, p, n);   /* whole blocks straight from the data */
		} else {
			if (p)
				memcpy(h->part + h->fill, p, n);
			else
				memset(h->part + h->fill, 0, n);
			h->fill += n;
			if (h->fill == KSR_PROFILE_BLOCK) {
				bh_push(h, h->part, KSR_PROFILE_BLOCK);
				h->fill = 0;
			}
		}
		len -= n;
		if (p)
			p += n;
	}
}

static void bh_finish(struct block_hasher *h)
{
	if (h->fill)
		bh_push(h, h->part, h->fill);
	h->fill = 0;
}

struct ksr_profile_writer {
	struct ksr_atomic_file file;
	struct ksr_profile_meta meta;
	struct layout l;
	char opt_names[KSR_PROFILE_MAX_SECS][OPT_NAME_MAX];
	struct block_hasher bh;
	uint64_t end;                    /* end of the body laid out so far */
	struct ksr_modbtf_builder *mods; /* module BTFs, written at commit */
};

void ksr_profile__write_abort(struct ksr_profile_writer *w)
{
	if (!w)
		return;
	ksr_atomic_abort(&w->file);
	ksr_modbtf_builder_free(w->mods);
	free(w->bh.hash);
	free(w);
}

int ksr_profile__write_module(struct ksr_profile_writer *w, const struct ksr_btf *base,
			      const char *name, const void *btf, size_t len)
{
	int err = 0;

	if (!w->mods)
		err = ksr_modbtf_builder_new(&w->mods);
	return err ? err : ksr_modbtf_builder_add(w->mods, base, name, btf, len);
}

/* The module BTFs, as an optional section before the block table. */
static int write_modules(struct ksr_profile_writer *w)
{
	uint8_t *sec;
	size_t len;
	int err;

	if (!ksr_modbtf_builder_cnt(w->mods))
		return 0;
	err = ksr_modbtf_builder_finish(w->mods, &sec, &len);
	if (err) {
		ksr_profile__write_abort(w);
		return err;
	}
	err = ksr_profile__write_section(w, KSR_MODBTF_SECTION, sec, len);
	free(sec);
	return err;
}

/* Appends body section i (its name already set): zero padding and data
 * are hashed, data written at its offset. On failure the writer is gone. */
static int append(struct ksr_profile_writer *w, uint32_t i, const void *data, size_t len)
{
	uint64_t off = i == SEC_BTF ? KSR_PROFILE_BODY_OFF : align8(w->end);
	struct ksr_chunk c = { data, len };
	int err = 0;

	if (i >= KSR_PROFILE_MAX_SECS - 1)
		err = ksr_err(EINVAL, "more than %u profile sections", KSR_PROFILE_MAX_SECS);
	if (!err && off + len > KSR_PROFILE_MAX_SIZE)
		err = ksr_err(EINVAL, "profile larger than %u bytes", KSR_PROFILE_MAX_SIZE);
	if (!err && len)
		err = ksr_atomic_pwrite(&w->file, &c, 1, off);
	if (err) {
		ksr_profile__write_abort(w);
		return err;
	}
	bh_feed(&w->bh, NULL, (size_t)(off - (i == SEC_BTF ? off : w->end)));
	bh_feed(&w->bh, data, len);
	w->l.size[i] = len;
	w->l.nsec = i + 1;
	w->end = off + len;
	return 0;
}

int ksr_profile__write_begin(const char *path, const struct ksr_btf *btf,
			     struct ksr_profile_writer **out)
{
	struct ksr_profile_writer *w = calloc(1, sizeof(*w));
	const void *raw, *part;
	size_t raw_len;
	uint32_t cnt;
	int err;

	*out = NULL;
	if (!w)
		return ksr_err(ENOMEM, "out of memory");
	w->file.fd = -1;
	meta_from_btf(&w->meta, btf);
	raw = ksr_btf__raw(btf, &raw_len);
	for (uint32_t i = 0; i < SEC_REQ; i++)
		w->l.names[i] = req_names[i];
	err = ksr_atomic_open(path, &w->file);
	if (err) {
		ksr_profile__write_abort(w);
		return err;
	}
	err = append(w, SEC_BTF, raw, raw_len);
	if (!err) {
		part = ksr_btf__type_offsets(btf, &w->meta.btf_type_cnt);
		err = append(w, SEC_TYPES, part, (size_t)w->meta.btf_type_cnt * sizeof(uint32_t));
	}
	if (!err) {
		part = ksr_btf__name_index(btf, &cnt);
		w->meta.btf_slot_cnt = cnt;
		err = append(w, SEC_NAMES, part, (size_t)cnt * sizeof(struct ksr_btf_name_slot));
	}
	if (err)
		return err;
	ksr_atomic_writeback(&w->file, KSR_PROFILE_BODY_OFF, w->end - KSR_PROFILE_BODY_OFF);
	*out = w;
	return 0;
}

static int check_info(const struct ksr_profile_info *info)
{
	if (strlen(info->release) >= KSR_PROFILE_RELEASE_MAX)
		return ksr_err(EINVAL, "release string longer than %u bytes",
			       KSR_PROFILE_RELEASE_MAX - 1);
	if (info->build_id_len > KSR_PROFILE_BUILD_ID_MAX)
		return ksr_err(EINVAL, "build ID longer than %u bytes", KSR_PROFILE_BUILD_ID_MAX);
	return 0;
}

int ksr_profile__write_kallsyms(struct ksr_profile_writer *w, const struct ksr_kallsyms *ks,
				const struct ksr_profile_info *info)
{
	struct ksr_profile_meta *m = &w->meta;
	const void *part;
	uint32_t cnt;
	int err = check_info(info);

	if (err) {
		ksr_profile__write_abort(w);
		return err;
	}
	meta_from_kallsyms(m, ks, info);
	part = ksr_kallsyms__syms(ks, &m->sym_cnt);
	err = append(w, SEC_SYMS, part, (size_t)m->sym_cnt * sizeof(struct ksr_ksym));
	if (!err) {
		part = ksr_kallsyms__strs(ks, &m->symstr_len);
		err = append(w, SEC_SYMSTR, part, m->symstr_len);
	}
	if (!err) {
		part = ksr_kallsyms__slots(ks, &cnt);
		m->sym_slot_cnt = cnt;
		err = append(w, SEC_SYMIDX, part, (size_t)cnt * sizeof(uint32_t));
	}
	return err;
}

int ksr_profile__write_section(struct ksr_profile_writer *w, const char *name, const void *data,
			       size_t len)
{
	uint32_t i = w->l.nsec;
	size_t n = strlen(name);

	if (i < SEC_REQ || strncmp(name, KSR_PROFILE_OPT_PREFIX, strlen(KSR_PROFILE_OPT_PREFIX)) ||
	    n >= OPT_NAME_MAX || n <= strlen(KSR_PROFILE_OPT_PREFIX)) {
		ksr_profile__write_abort(w);
		return ksr_err(EINVAL, "optional section '%s': written after the kallsyms, named %s*, at most %u bytes",
			       name, KSR_PROFILE_OPT_PREFIX, OPT_NAME_MAX - 1);
	}
	for (uint32_t k = SEC_REQ; k < i; k++)
		if (!strcmp(w->l.names[k], name)) {
			ksr_profile__write_abort(w);
			return ksr_err(EINVAL, "optional section '%s' written twice", name);
		}
	memcpy(w->opt_names[i], name, n + 1);
	w->l.names[i] = w->opt_names[i];
	return append(w, i, data, len);
}

int ksr_profile__write_commit(struct ksr_profile_writer *w)
{
	struct ksr_profile_meta *m = &w->meta;
	uint8_t head[KSR_PROFILE_BODY_OFF];
	uint32_t b = w->l.nsec;
	uint64_t blocks_off = align8(w->end), moff;
	Elf64_Shdr sh;
	int err = 0;

	if (w->l.nsec <= SEC_SYMIDX)
		err = ksr_err(EINVAL, "profile writer: commit before the kallsyms sections");
	if (!err && (err = write_modules(w)))
		return err; /* the writer is gone */
	b = w->l.nsec;
	blocks_off = align8(w->end);
	/* .ksr.blocks: the body ends where it starts */
	bh_feed(&w->bh, NULL, (size_t)(blocks_off - w->end));
	bh_finish(&w->bh);
	if (!err && w->bh.oom)
		err = ksr_err(ENOMEM, "out of memory");
	w->l.names[b] = BLOCKS_NAME;
	w->l.size[b] = (uint64_t)w->bh.cnt * sizeof(uint64_t);
	w->l.nsec = b + 1;
	if (!err && !place(&w->l))
		err = ksr_err(EINVAL, "profile section names do not fit the head");
	if (err) {
		ksr_profile__write_abort(w);
		return err;
	}
	m->block_size = KSR_PROFILE_BLOCK;
	m->block_cnt = w->bh.cnt;
	m->body_off = KSR_PROFILE_BODY_OFF;
	m->body_len = blocks_off - KSR_PROFILE_BODY_OFF;

	memset(head, 0, sizeof(head));
	profile_ehdr(w->l.nsec, (Elf64_Ehdr *)head);
	for (uint32_t i = 0; i < w->l.nsec; i++) {
		profile_shdr(&w->l, i, &sh);
		memcpy(head + meta_off(0) + (uint64_t)i * sizeof(sh), &sh, sizeof(sh));
	}
	moff = w->l.off[SEC_META];
	m->head_hash = 0;
	memcpy(head + moff, m, sizeof(*m));
	memcpy(head + w->l.off[SEC_SHSTRTAB], w->l.shstr, w->l.shstr_len);
	m->head_hash = head_hash(head, moff, w->bh.hash, w->bh.cnt);
	memcpy(head + moff, m, sizeof(*m));
	{
		struct ksr_chunk tbl = { w->bh.hash, (size_t)w->l.size[b] };
		struct ksr_chunk hd = { head, sizeof(head) };

		err = ksr_atomic_pwrite(&w->file, &tbl, 1, blocks_off);
		if (!err)
			err = ksr_atomic_pwrite(&w->file, &hd, 1, 0);
	}
	if (err) {
		ksr_profile__write_abort(w);
		return err;
	}
	err = ksr_atomic_commit(&w->file);
	ksr_modbtf_builder_free(w->mods);
	free(w->bh.hash);
	free(w);
	return err;
}

int ksr_profile__write_finish(struct ksr_profile_writer *w, const struct ksr_kallsyms *ks,
			      const struct ksr_profile_info *info)
{
	int err = ksr_profile__write_kallsyms(w, ks, info);

	return err ? err : ksr_profile__write_commit(w);
}

int ksr_profile__write(const char *path, const struct ksr_btf *btf,
		       const struct ksr_kallsyms *ks, const struct ksr_profile_info *info)
{
	struct ksr_profile_writer *w;
	int err = check_info(info);

	if (!err)
		err = ksr_profile__write_begin(path, btf, &w);
	return err ? err : ksr_profile__write_finish(w, ks, info);
}

/* ---- opening ------------------------------------------------------------ */

struct field {
	const char *name;
	size_t off;
};

#define EH_FIELD(f) { #f, offsetof(Elf64_Ehdr, f) }
#define SH_FIELD(f) { #f, offsetof(Elf64_Shdr, f) }
static const struct field ehdr_fields[] = {
	EH_FIELD(e_ident), EH_FIELD(e_type), EH_FIELD(e_machine), EH_FIELD(e_version),
	EH_FIELD(e_entry), EH_FIELD(e_phoff), EH_FIELD(e_shoff), EH_FIELD(e_flags),
	EH_FIELD(e_ehsize), EH_FIELD(e_phentsize), EH_FIELD(e_phnum), EH_FIELD(e_shentsize),
	EH_FIELD(e_shnum), EH_FIELD(e_shstrndx), { NULL, sizeof(Elf64_Ehdr) },
};
static const struct field shdr_fields[] = {
	SH_FIELD(sh_name), SH_FIELD(sh_type), SH_FIELD(sh_flags), SH_FIELD(sh_addr),
	SH_FIELD(sh_offset), SH_FIELD(sh_size), SH_FIELD(sh_link), SH_FIELD(sh_info),
	SH_FIELD(sh_addralign), SH_FIELD(sh_entsize), { NULL, sizeof(Elf64_Shdr) },
};

/* The first byte where a and b differ, or -1; *name: the field it is in. */
static long first_diff(const void *a, const void *b, size_t n, const struct field *f,
		       const char **name)
{
	const uint8_t *x = a, *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] == y[i])
			continue;
		while (f[1].name && f[1].off <= i)
			f++;
		*name = f->name;
		return (long)i;
	}
	return -1;
}

static bool is_opt_name(const char *n)
{
	size_t p = strlen(KSR_PROFILE_OPT_PREFIX), len = strlen(n);

	return !strncmp(n, KSR_PROFILE_OPT_PREFIX, p) && len > p && len < OPT_NAME_MAX;
}

/* The section names, from the table and .shstrtab in the head: the
 * required ones in order, then optional ones (unique), then .ksr.blocks. */
static int read_names(const uint8_t *head, uint32_t nsec, struct layout *l)
{
	Elf64_Shdr sh;
	uint64_t soff, ssize;
	struct ksr_cur strs;

	memcpy(&sh, head + meta_off(0) + SEC_SHSTRTAB * sizeof(sh), sizeof(sh));
	soff = sh.sh_offset;
	ssize = sh.sh_size;
	if (soff != meta_off(nsec) + sizeof(struct ksr_profile_meta) || ssize == 0 ||
	    ssize > SHSTR_MAX || head[soff + ssize - 1] != '\0')
		return ksr_err(KSR_EMALFORMED,
			       "section header 2 (.shstrtab): not a string table right after .ksr.meta (file offset 0x%llx)",
			       (unsigned long long)(meta_off(0) + SEC_SHSTRTAB * sizeof(sh)));
	strs = ksr_cur_make(head + soff, (size_t)ssize);
	l->nsec = nsec;
	for (uint32_t i = 1; i < nsec; i++) {
		const char *n;
		bool ok;

		memcpy(&sh, head + meta_off(0) + (uint64_t)i * sizeof(sh), sizeof(sh));
		n = ksr_cur_str_at(&strs, sh.sh_name);
		if (!n)
			return ksr_err(KSR_EMALFORMED, "section %u: name offset 0x%x out of range (file offset 0x%llx)",
				       i, sh.sh_name, (unsigned long long)(meta_off(i)));
		if (i < SEC_REQ)
			ok = !strcmp(n, req_names[i]);
		else if (i == nsec - 1)
			ok = !strcmp(n, BLOCKS_NAME);
		else
			ok = is_opt_name(n);
		for (uint32_t k = SEC_REQ; ok && k < i; k++)
			ok = strcmp(l->names[k], n) != 0;
		if (!ok)
			return ksr_err(KSR_EMALFORMED,
				       "section %u is '%.40s': %s (file offset 0x%llx)", i, n,
				       i < SEC_REQ ? "not the required section there" :
				       i == nsec - 1 ? "the last section must be .ksr.blocks" :
				       "an unknown section that is not optional (" KSR_PROFILE_OPT_PREFIX "*), or a duplicate",
				       (unsigned long long)meta_off(i));
		l->names[i] = n;
		l->size[i] = sh.sh_size;
	}
	return 0;
}

/* The ELF header and the section table in head must be the ones the writer
 * builds for these names and sizes, and the file must end with
 * .ksr.blocks. On success l holds the layout. */
static int check_layout(const uint8_t *head, uint64_t len, struct layout *l)
{
	Elf64_Ehdr eh, want_eh;
	Elf64_Shdr sh, want;
	const char *field;
	long d;
	int err;

	memcpy(&eh, head, sizeof(eh));
	/* the checks every ELF header gets (core/elfsec.c), then the exact one */
	err = ksr_elf_check_ehdr(&eh, &ksr_elf_kind_profile);
	if (err)
		return err;
	if (eh.e_shnum <= SEC_REQ || eh.e_shnum > KSR_PROFILE_MAX_SECS)
		return ksr_err(KSR_EMALFORMED, "ELF header: %u sections, not %u..%u (file offset 0x%zx)",
			       eh.e_shnum, SEC_REQ + 1, KSR_PROFILE_MAX_SECS,
			       offsetof(Elf64_Ehdr, e_shnum));
	profile_ehdr(eh.e_shnum, &want_eh);
	d = first_diff(&eh, &want_eh, sizeof(eh), ehdr_fields, &field);
	if (d >= 0)
		return ksr_err(KSR_EMALFORMED,
			       "ELF header: %s differs from the one value a profile allows (file offset 0x%lx)",
			       field, d);
	err = read_names(head, eh.e_shnum, l);
	if (err)
		return err;
	if (!place(l))
		return ksr_err(KSR_EMALFORMED, "section names do not fit the head (file offset 0x%llx)",
			       (unsigned long long)meta_off(eh.e_shnum));
	for (uint32_t i = 0; i < l->nsec; i++) {
		uint64_t hoff = meta_off(i);

		memcpy(&sh, head + hoff, sizeof(sh));
		profile_shdr(l, i, &want);
		d = first_diff(&sh, &want, sizeof(want), shdr_fields, &field);
		if (d >= 0)
			return ksr_err(KSR_EMALFORMED,
				       "section header %u (%s): %s differs from the one value a profile allows (file offset 0x%llx)",
				       i, i ? l->names[i] : "null", field,
				       (unsigned long long)(hoff + (uint64_t)d));
		if (l->off[i] > len || l->size[i] > len - l->off[i])
			return ksr_err(KSR_EMALFORMED,
				       "section %s: 0x%llx bytes at 0x%llx run past the end of the file (file offset 0x%llx)",
				       l->names[i], (unsigned long long)l->size[i],
				       (unsigned long long)l->off[i], (unsigned long long)hoff);
	}
	if (memcmp(head + l->off[SEC_SHSTRTAB], l->shstr, l->shstr_len) != 0)
		return ksr_err(KSR_EMALFORMED, ".shstrtab: not the one name table of these sections (file offset 0x%llx)",
			       (unsigned long long)l->off[SEC_SHSTRTAB]);
	if (l->off[l->nsec - 1] + l->size[l->nsec - 1] != len)
		return ksr_err(KSR_EMALFORMED,
			       "%s ends at 0x%llx, the file at 0x%llx: cut short or extended (file offset 0x%llx)",
			       BLOCKS_NAME, (unsigned long long)(l->off[l->nsec - 1] + l->size[l->nsec - 1]),
			       (unsigned long long)len, (unsigned long long)meta_off(l->nsec - 1));
	return 0;
}

#define KNOWN_FLAGS (KSR_PROF_KALLSYMS_ALL | KSR_PROF_KFUNC_TAGS | KSR_PROF_HAS_TEXT)

static int meta_err(uint64_t moff, size_t field, const char *what)
{
	return ksr_err(KSR_EMALFORMED, ".ksr.meta: %s (file offset 0x%llx)", what,
		       (unsigned long long)(moff + field));
}

#define META_ERR(f, what) meta_err(moff, offsetof(struct ksr_profile_meta, f), what)

/* Every field of .ksr.meta has its allowed values; the counts agree with
 * the section sizes and the blocks with the layout. */
static int check_meta(const struct ksr_profile_meta *m, const struct layout *l)
{
	const uint64_t moff = l->off[SEC_META];
	size_t rlen = strnlen(m->release, sizeof(m->release));
	uint64_t body_len = l->off[l->nsec - 1] - KSR_PROFILE_BODY_OFF;

	if (memcmp(m->magic, KSR_PROFILE_MAGIC, sizeof(KSR_PROFILE_MAGIC)) != 0)
		return META_ERR(magic, "bad magic");
	if (m->version != KSR_PROFILE_VERSION)
		return META_ERR(version, "unsupported version");
	if (m->flags & ~(uint32_t)KNOWN_FLAGS)
		return META_ERR(flags, "unknown flags");
	if (!(m->flags & KSR_PROF_HAS_TEXT) && m->text_addr)
		return META_ERR(text_addr, "_text address without its flag");
	if (m->reserved)
		return META_ERR(reserved, "reserved field not 0");
	if (m->build_id_len > KSR_PROFILE_BUILD_ID_MAX)
		return META_ERR(build_id_len, "build ID longer than 32 bytes");
	for (size_t i = m->build_id_len; i < KSR_PROFILE_BUILD_ID_MAX; i++)
		if (m->build_id[i])
			return META_ERR(build_id, "build ID not zero-padded");
	if (rlen == sizeof(m->release))
		return META_ERR(release, "release not NUL-terminated");
	for (size_t i = rlen; i < sizeof(m->release); i++)
		if (m->release[i])
			return META_ERR(release, "release not NUL-padded");
	/* each count names its own field, so the offset points at the one that disagrees */
	if (l->size[SEC_TYPES] != (uint64_t)m->btf_type_cnt * 4)
		return META_ERR(btf_type_cnt, "type count disagrees with the size of .ksr.btf.types");
	if (l->size[SEC_NAMES] != (uint64_t)m->btf_slot_cnt * sizeof(struct ksr_btf_name_slot))
		return META_ERR(btf_slot_cnt, "name slot count disagrees with the size of .ksr.btf.names");
	if (l->size[SEC_SYMS] != (uint64_t)m->sym_cnt * sizeof(struct ksr_ksym))
		return META_ERR(sym_cnt, "symbol count disagrees with the size of .ksr.syms");
	if (l->size[SEC_SYMSTR] != m->symstr_len)
		return META_ERR(symstr_len, "symbol string length disagrees with the size of .ksr.symstr");
	if (l->size[SEC_SYMIDX] != (uint64_t)m->sym_slot_cnt * 4)
		return META_ERR(sym_slot_cnt, "symbol slot count disagrees with the size of .ksr.symidx");
	if (m->block_size != KSR_PROFILE_BLOCK || m->body_off != KSR_PROFILE_BODY_OFF ||
	    m->body_len != body_len ||
	    m->block_cnt != (body_len + KSR_PROFILE_BLOCK - 1) / KSR_PROFILE_BLOCK ||
	    l->size[l->nsec - 1] != (uint64_t)m->block_cnt * sizeof(uint64_t))
		return META_ERR(block_size, "blocks disagree with the layout");
	return 0;
}

/* The module table's names (one entry read each; their BTF views open on
 * first use). */
static int open_modules(struct ksr_profile *p)
{
	struct ksr_modbtf_entry e;
	int err = ksr_modbtf_count(&p->mod_sec, &p->mod_cnt);

	if (!err && p->mod_cnt && !(p->mods = calloc(p->mod_cnt, sizeof(*p->mods))))
		err = ksr_err(ENOMEM, "out of memory");
	for (uint32_t i = 0; !err && i < p->mod_cnt; i++) {
		err = ksr_modbtf_entry(&p->mod_sec, i, &e);
		if (!err) {
			memcpy(p->mods[i].name, e.name, sizeof(e.name));
			memcpy(p->mods[i].identity, e.identity, sizeof(e.identity));
		}
	}
	if (err)
		p->mod_cnt = 0;
	return err;
}

/* The head, the block table and the views; each body block is verified
 * when it is first read. */
static int open_verified(struct ksr_profile *p)
{
	uint8_t head[KSR_PROFILE_BODY_OFF];
	struct ksr_span part[KSR_PROFILE_MAX_SECS];
	struct layout l;
	uint64_t *blocks = NULL;
	uint32_t blk;
	int err;

	if (p->size < KSR_PROFILE_BODY_OFF) {
		size_t n = (size_t)(p->size < 128 ? p->size : 128);

		err = ksr_src_pread(p->src, head, n, 0);
		if (!err && ksr_profile_v1__is(head, n))
			goto v1;
		return err ? err : ksr_err(KSR_EMALFORMED,
					   "file of %llu bytes is too short for a profile (file offset 0x0)",
					   (unsigned long long)p->size);
	}
	err = ksr_src_pread(p->src, head, sizeof(head), 0);
	if (err)
		return err;
	if (ksr_profile_v1__is(head, sizeof(head)))
		goto v1;
	err = check_layout(head, p->size, &l);
	if (err)
		return err;
	memcpy(&p->meta, head + l.off[SEC_META], sizeof(p->meta));
	err = check_meta(&p->meta, &l);
	if (err)
		return err;
	blk = l.nsec - 1;
	blocks = ksr_src_hashes_new(p->meta.block_cnt); /* l.size[blk] bytes: check_meta */
	if (!blocks)
		return ksr_err(ENOMEM, "out of memory");
	err = ksr_src_pread(p->src, blocks, (size_t)l.size[blk], l.off[blk]);
	if (!err && head_hash(head, l.off[SEC_META], blocks, p->meta.block_cnt) != p->meta.head_hash)
		err = ksr_err(KSR_EMALFORMED,
			      "head hash mismatch: the headers or block table are damaged (file offset 0x%llx)",
			      (unsigned long long)HEAD_HASH_OFF(l.off[SEC_META]));
	if (err) {
		ksr_src_hashes_free(blocks, p->meta.block_cnt);
		return err;
	}
	err = ksr_src_verify_blocks(p->src, KSR_PROFILE_BODY_OFF, p->meta.body_len, blocks,
				    p->meta.block_cnt, l.off[blk]);
	if (err)
		return err;
	p->file = ksr_span_file(p->src);
	for (uint32_t i = SEC_BTF; i < blk; i++)
		ksr_span_sub(&p->file, l.off[i], l.size[i], &part[i]);
	for (uint32_t i = SEC_REQ; i < blk; i++) {
		snprintf(p->opt[p->opt_cnt].name, OPT_NAME_MAX, "%s", l.names[i]);
		p->opt[p->opt_cnt++].span = part[i];
		if (!strcmp(l.names[i], KSR_MODBTF_SECTION))
			p->mod_sec = part[i];
	}
	for (uint32_t i = 1; i < l.nsec; i++) {
		snprintf(p->sec[p->sec_cnt].name, OPT_NAME_MAX, "%s", l.names[i]);
		p->sec[p->sec_cnt].off = l.off[i];
		p->sec[p->sec_cnt++].size = l.size[i];
	}
	err = ksr_btf__open_spans(&part[SEC_BTF], &part[SEC_TYPES], p->meta.btf_type_cnt,
				  &part[SEC_NAMES], p->meta.btf_slot_cnt, &p->btf);
	if (err) {
		ksr_err_prefix(".BTF (offset 0x%llx)", (unsigned long long)l.off[SEC_BTF]);
		return err;
	}
	err = ksr_kallsyms__open_spans(&part[SEC_SYMS], p->meta.sym_cnt, &part[SEC_SYMSTR],
				       &part[SEC_SYMIDX], p->meta.sym_slot_cnt, &p->ks);
	if (err)
		ksr_err_prefix(".ksr.syms (offset 0x%llx)", (unsigned long long)l.off[SEC_SYMS]);
	if (!err && p->mod_sec.len)
		err = open_modules(p);
	return err;
v1:
	return ksr_err(KSR_EMALFORMED,
		       "profile format version 1: convert it with 'ksymres profile --from FILE -o NEW' (file offset 0x48)");
}

/* The printable forms of what .ksr.meta records. */
static void set_names(struct ksr_profile *p)
{
	memcpy(p->release, p->meta.release, KSR_PROFILE_RELEASE_MAX);
	ksr_hex(p->meta.identity, sizeof(p->meta.identity), p->identity);
	ksr_hex(p->meta.build_id, p->meta.build_id_len, p->build_id);
}

int ksr_profile__from_parsed(struct ksr_btf *btf, struct ksr_kallsyms *ks,
			     const struct ksr_profile_info *info, struct ksr_profile **out)
{
	struct ksr_profile *p = calloc(1, sizeof(*p));
	int err = check_info(info);

	*out = NULL;
	if (!p || err) {
		free(p);
		ksr_btf__free(btf);
		ksr_kallsyms__free(ks);
		return err ? err : ksr_err(ENOMEM, "out of memory");
	}
	p->btf = btf;
	p->ks = ks;
	ksr_profile__derive_meta(&p->meta, btf, ks, info);
	set_names(p);
	p->name = strdup("(memory)");
	if (!p->name) {
		ksr_profile__free(p);
		return ksr_err(ENOMEM, "out of memory");
	}
	*out = p;
	return 0;
}

KSR_API const char *ksr_profile__build_id(const struct ksr_profile *p)
{
	return p->build_id;
}

KSR_API const char *ksr_profile__arch(const struct ksr_profile *p)
{
	return ksr_arch_name(p->meta.arch);
}

KSR_API int ksr_profile__open(const char *path, struct ksr_profile **out)
{
	struct ksr_profile *p;
	const char *slash;
	int err;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return ksr_err(ENOMEM, "out of memory");
	err = ksr_src_open(path, KSR_PROFILE_MAX_SIZE, &p->src);
	if (!err) {
		p->size = ksr_src_size(p->src);
		err = open_verified(p);
	}
	if (!err) {
		set_names(p);
		slash = strrchr(path, '/');
		p->name = strdup(slash ? slash + 1 : path);
		if (!p->name)
			err = ksr_err(ENOMEM, "out of memory");
	}
	if (err) {
		/* a failed read explains whatever check it made fail */
		if (p->src && ksr_src_error(p->src))
			err = ksr_src_error(p->src);
		ksr_profile__free(p);
		return err;
	}
	*out = p;
	return 0;
}

#define OPEN_ALL_PARALLEL 8 /* profiles */

struct open_all {
	const char *const *paths;
	struct ksr_profile **out;
};

static int open_one(void *ctx, size_t k)
{
	struct open_all *a = ctx;
	int err = ksr_profile__open(a->paths[k], &a->out[k]);

	if (!err)       /* what opening read: many open profiles hold none of it */
		ksr_profile__drop_cache(a->out[k]);
	return err;
}

int ksr_profile__open_all(const char *const *paths, size_t n, struct ksr_profile **out,
			  size_t *failed)
{
	struct open_all a = { paths, out };
	int err;

	for (size_t i = 0; i < n; i++)
		out[i] = NULL;
	/* each open is a few system calls and a block table: in parallel when
	 * there are enough of them to pay for starting threads */
	err = ksr_parallel_for(n, n < OPEN_ALL_PARALLEL ? 1 : 0, open_one, &a, failed);
	if (err)
		for (size_t i = 0; i < n; i++) {
			ksr_profile__free(out[i]);
			out[i] = NULL;
		}
	return err;
}

/* ---- forging, for tests and fuzzers ------------------------------------- */

int ksr_profile_fix_hashes(uint8_t *img, size_t len)
{
	Elf64_Ehdr eh;
	Elf64_Shdr meta, blk;
	uint64_t *hashes, body_len, cnt;

	if (len < KSR_PROFILE_BODY_OFF)
		return -1;
	memcpy(&eh, img, sizeof(eh));
	if (eh.e_shnum <= SEC_REQ || eh.e_shnum > KSR_PROFILE_MAX_SECS)
		return -1;
	memcpy(&meta, img + meta_off(SEC_META), sizeof(meta));
	memcpy(&blk, img + meta_off(eh.e_shnum - 1u), sizeof(blk));
	/* no sums of untrusted values: each bound is checked on its own */
	if (meta.sh_offset > KSR_PROFILE_BODY_OFF - sizeof(struct ksr_profile_meta) ||
	    blk.sh_offset < KSR_PROFILE_BODY_OFF || blk.sh_offset > len ||
	    blk.sh_size > len - blk.sh_offset || blk.sh_offset % 8)
		return -1;
	body_len = blk.sh_offset - KSR_PROFILE_BODY_OFF;
	cnt = (body_len + KSR_PROFILE_BLOCK - 1) / KSR_PROFILE_BLOCK;
	if (blk.sh_size < cnt * sizeof(uint64_t))
		return -1;
	hashes = (uint64_t *)(void *)(img + blk.sh_offset);
	for (uint64_t i = 0; i < cnt; i++) {
		uint64_t off = KSR_PROFILE_BODY_OFF + i * KSR_PROFILE_BLOCK;
		uint64_t n = body_len - i * KSR_PROFILE_BLOCK < KSR_PROFILE_BLOCK ?
				     body_len - i * KSR_PROFILE_BLOCK : KSR_PROFILE_BLOCK;
		uint64_t h = ksr_hash64(img + off, (size_t)n);

		memcpy(&hashes[i], &h, sizeof(h));
	}
	{
		uint64_t *copy = malloc(cnt ? cnt * sizeof(uint64_t) : 1);
		uint64_t h;

		if (!copy)
			return -1;
		memcpy(copy, img + blk.sh_offset, (size_t)(cnt * sizeof(uint64_t)));
		h = head_hash(img, meta.sh_offset, copy, (uint32_t)cnt);
		memcpy(img + HEAD_HASH_OFF(meta.sh_offset), &h, sizeof(h));
		free(copy);
	}
	return 0;
}

/* ---- accessors ------------------------------------------------------------ */

KSR_API void ksr_profile__free(struct ksr_profile *p)
{
	if (!p)
		return;
	for (uint32_t i = 0; p->mods && i < p->mod_cnt; i++)
		ksr_btf__free(p->mods[i].btf);
	free(p->mods);
	ksr_btf__free(p->btf);
	ksr_kallsyms__free(p->ks);
	ksr_src_free(p->src);
	free(p->name);
	free(p);
}

KSR_API int ksr_profile__verify(struct ksr_profile *p)
{
	if (!p->src)
		return 0; /* made in memory from validated parts */
	return ksr_src_verify_all(p->src);
}

KSR_API int ksr_profile__revalidate(struct ksr_profile *p)
{
	const void *sec[KSR_PROFILE_CHECK_SECS];
	uint64_t off[KSR_PROFILE_CHECK_SECS], size[KSR_PROFILE_CHECK_SECS];
	int err = 0;

	if (!p->src)
		return 0; /* made in memory from validated parts */
	/* p->sec leaves the null section out: section i is p->sec[i - 1] */
	for (uint32_t i = 0; i < KSR_PROFILE_CHECK_SECS && !err; i++) {
		off[i] = p->sec[SEC_BTF - 1 + i].off;
		size[i] = p->sec[SEC_BTF - 1 + i].size;
		sec[i] = ksr_span_get(&p->file, off[i], size[i]); /* read and verified */
		if (!sec[i])
			err = ksr_src_error(p->src) ? ksr_src_error(p->src) :
						      ksr_err(KSR_EMALFORMED, "%s cannot be read", p->sec[SEC_BTF - 1 + i].name);
	}
	if (!err)
		err = ksr_profile_check_contents(&p->meta, sec, off, size);
	ksr_profile__drop_cache(p);
	return err;
}

KSR_API size_t ksr_profile__trim(struct ksr_profile *p, size_t keep)
{
	return p->src ? ksr_src_trim(p->src, keep) : 0;
}

KSR_API void ksr_profile__drop_cache(struct ksr_profile *p)
{
	if (p->src)
		ksr_src_drop_copies(p->src);
}

KSR_API const char *ksr_profile__release(const struct ksr_profile *p)
{
	return p->release;
}

KSR_API const char *ksr_profile__identity(const struct ksr_profile *p)
{
	return p->identity;
}

KSR_API const struct ksr_btf *ksr_profile__btf(const struct ksr_profile *p)
{
	return p->btf;
}

const struct ksr_kallsyms *ksr_profile__kallsyms(const struct ksr_profile *p)
{
	return p->ks;
}

const struct ksr_profile_meta *ksr_profile__meta(const struct ksr_profile *p)
{
	return &p->meta;
}

const char *ksr_profile__name(const struct ksr_profile *p)
{
	return p->name;
}

size_t ksr_profile__size(const struct ksr_profile *p)
{
	return (size_t)p->size;
}

int ksr_profile__read_error(const struct ksr_profile *p)
{
	int err = ksr_src_error(p->src);

	/* a failed read explains a lookup that gave up: it goes first */
	if (!err)
		err = ksr_btf__index_error(p->btf);
	if (!err)
		err = ksr_kallsyms__index_error(p->ks);
	for (uint32_t i = 0; !err && p->mods && i < p->mod_cnt; i++)
		if (p->mods[i].err) {
			err = p->mods[i].err;
			ksr_err(-err, "%s", p->mods[i].msg);
		}
	if (!err)
		for (uint32_t i = 0; !err && p->mods && i < p->mod_cnt; i++)
			err = ksr_btf__index_error(p->mods[i].btf);
	return err;
}

uint32_t ksr_profile__optional_cnt(const struct ksr_profile *p)
{
	return p->opt_cnt;
}

KSR_API uint32_t ksr_profile__section_cnt(const struct ksr_profile *p)
{
	return p->sec_cnt;
}

const char *ksr_profile__section_at(const struct ksr_profile *p, uint32_t i, uint64_t *off,
				    uint64_t *size, bool *optional)
{
	if (i >= p->sec_cnt)
		return NULL;
	*off = p->sec[i].off;
	*size = p->sec[i].size;
	*optional = is_opt_name(p->sec[i].name);
	return p->sec[i].name;
}

const char *ksr_profile__optional(const struct ksr_profile *p, uint32_t i, struct ksr_span *span)
{
	if (i >= p->opt_cnt)
		return NULL;
	if (span)
		*span = p->opt[i].span;
	return p->opt[i].name;
}

KSR_API uint32_t ksr_profile__module_cnt(const struct ksr_profile *p)
{
	return p ? p->mod_cnt : 0;
}

KSR_API const char *ksr_profile__module_name(const struct ksr_profile *p, uint32_t i)
{
	return p && i < p->mod_cnt ? p->mods[i].name : NULL;
}

void ksr_profile__module_identity(const struct ksr_profile *p, uint32_t i, char hex[33])
{
	hex[0] = '\0';
	if (p && i < p->mod_cnt)
		ksr_hex(p->mods[i].identity, sizeof(p->mods[i].identity), hex);
}

int ksr_profile__module_btf(const struct ksr_profile *cp, uint32_t i, const struct ksr_btf **btf)
{
	/* views are a cache: opening one does not change what the profile says */
	struct ksr_profile *p = (struct ksr_profile *)cp;
	struct ksr_modbtf_entry e;
	struct prof_mod *m;
	int err;

	*btf = NULL;
	if (!p || i >= p->mod_cnt)
		return ksr_err(ENOENT, "profile: no module %u", i);
	m = &p->mods[i];
	if (!m->btf && !m->err) {
		err = ksr_modbtf_entry(&p->mod_sec, i, &e);
		if (!err)
			err = ksr_modbtf_view(&p->mod_sec, &e, p->btf, &m->btf);
		if (err) {
			ksr_err_prefix(KSR_MODBTF_SECTION ": module %s", m->name);
			m->err = err;
			snprintf(m->msg, sizeof(m->msg), "%s", ksr_errmsg());
		}
	}
	if (m->err)
		return m->err;
	*btf = m->btf;
	return 0;
}
