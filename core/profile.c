// SPDX-License-Identifier: BSD-2-Clause
#include <elf.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "elfsec.h"
#include "error.h"
#include "fileio.h"
#include "hash.h"
#include "profile.h"

/* Section order in the file; the checksum covers sections 2.. in this order. */
enum {
	SEC_NULL, SEC_META, SEC_BTF, SEC_TYPES, SEC_NAMES, SEC_SYMS, SEC_SYMSTR, SEC_SYMIDX,
	SEC_SHSTRTAB, SEC_CNT
};
static const char *const sec_names[SEC_CNT] = {
	"", ".ksr.meta", ".BTF", ".ksr.btf.types", ".ksr.btf.names", ".ksr.syms",
	".ksr.symstr", ".ksr.symidx", ".shstrtab",
};

_Static_assert(sizeof(struct ksr_profile_meta) == 200, "meta layout is part of the format");

struct ksr_profile {
	struct ksr_map map;
	struct ksr_profile_meta meta;
	struct ksr_btf *btf;
	struct ksr_kallsyms *ks;
	char identity[33];
	char release[KSR_PROFILE_RELEASE_MAX + 1];
	char *name;
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
	err = ksr_elfsec__read(data, len, &secs);
	if (err)
		return err;
	s = ksr_elfsec__find(&secs, ".BTF", &err);
	if (!s && !err)
		err = ksr_err(KSR_EMALFORMED, "ELF: no .BTF section");
	if (s && (s->type == SHT_NOBITS || s->size == 0))
		err = ksr_err(KSR_EMALFORMED, "ELF: .BTF section has no data");
	if (!err) {
		*blob = (const uint8_t *)data + s->offset;
		*blob_len = (size_t)s->size;
	}
	ksr_elfsec__free(&secs);
	return err;
}

/* ---- writing ------------------------------------------------------------ */

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static void identity_bytes(const void *btf, size_t len, uint8_t out[16], char hex[33])
{
	ksr_hash128_hex(btf, len, hex);
	for (int i = 0; i < 16; i++) {
		unsigned int v;

		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

int ksr_profile__write(const char *path, const struct ksr_btf *btf,
		       const struct ksr_kallsyms *ks, const char *release)
{
	static const uint8_t zeros[8];
	struct ksr_chunk chunks[2 * SEC_CNT + 2];
	struct ksr_profile_meta meta;
	Elf64_Shdr sh[SEC_CNT];
	char shstr[256], hex[33];
	const void *data[SEC_CNT];
	size_t size[SEC_CNT], off, shstr_len = 1;
	uint32_t name_off[SEC_CNT];
	Elf64_Ehdr eh;
	size_t n = 0;
	uint64_t addr;
	uint32_t cnt;

	memset(&meta, 0, sizeof(meta));
	memcpy(meta.magic, KSR_PROFILE_MAGIC, sizeof(KSR_PROFILE_MAGIC));
	meta.version = KSR_PROFILE_VERSION;
	if (strlen(release) >= KSR_PROFILE_RELEASE_MAX)
		return ksr_err(EINVAL, "release string longer than %u bytes", KSR_PROFILE_RELEASE_MAX - 1);
	strncpy(meta.release, release, sizeof(meta.release) - 1);
	if (ksr_kallsyms__text_addr(ks, &addr)) {
		meta.flags |= KSR_PROF_HAS_TEXT;
		meta.text_addr = addr;
	}
	if (ksr_kallsyms__has_data_syms(ks))
		meta.flags |= KSR_PROF_KALLSYMS_ALL;
	if (ksr_btf__has_kfunc_tags(btf))
		meta.flags |= KSR_PROF_KFUNC_TAGS;

	data[SEC_NULL] = NULL;
	size[SEC_NULL] = 0;
	data[SEC_META] = &meta;
	size[SEC_META] = sizeof(meta);
	data[SEC_BTF] = ksr_btf__raw(btf, &size[SEC_BTF]);
	data[SEC_TYPES] = ksr_btf__type_offsets(btf, &meta.btf_type_cnt);
	size[SEC_TYPES] = (size_t)meta.btf_type_cnt * sizeof(uint32_t);
	data[SEC_NAMES] = ksr_btf__name_index(btf, &meta.btf_slot_cnt);
	size[SEC_NAMES] = (size_t)meta.btf_slot_cnt * sizeof(struct ksr_btf_name_slot);
	data[SEC_SYMS] = ksr_kallsyms__syms(ks, &meta.sym_cnt);
	size[SEC_SYMS] = (size_t)meta.sym_cnt * sizeof(struct ksr_ksym);
	data[SEC_SYMSTR] = ksr_kallsyms__strs(ks, &meta.symstr_len);
	size[SEC_SYMSTR] = meta.symstr_len;
	data[SEC_SYMIDX] = ksr_kallsyms__slots(ks, &cnt);
	meta.sym_slot_cnt = cnt;
	size[SEC_SYMIDX] = (size_t)cnt * sizeof(uint32_t);
	identity_bytes(data[SEC_BTF], size[SEC_BTF], meta.identity, hex);

	memset(shstr, 0, sizeof(shstr));
	for (int i = 1; i < SEC_CNT; i++) {
		size_t l = strlen(sec_names[i]) + 1;

		name_off[i] = (uint32_t)shstr_len;
		memcpy(shstr + shstr_len, sec_names[i], l);
		shstr_len += l;
	}
	data[SEC_SHSTRTAB] = shstr;
	size[SEC_SHSTRTAB] = shstr_len;

	meta.checksum = ksr_hash64_multi(&data[SEC_BTF], &size[SEC_BTF], SEC_CNT - SEC_BTF);

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_REL;
	eh.e_machine = EM_NONE;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = SEC_CNT;
	eh.e_shstrndx = SEC_SHSTRTAB;

	memset(sh, 0, sizeof(sh));
	off = sizeof(eh);
	chunks[n++] = (struct ksr_chunk){ &eh, sizeof(eh) };
	for (int i = 1; i < SEC_CNT; i++) {
		size_t pad = align8(off) - off;

		if (pad)
			chunks[n++] = (struct ksr_chunk){ zeros, pad };
		off += pad;
		sh[i].sh_name = name_off[i];
		sh[i].sh_type = i == SEC_SHSTRTAB ? SHT_STRTAB : SHT_PROGBITS;
		sh[i].sh_offset = off;
		sh[i].sh_size = size[i];
		sh[i].sh_addralign = 8;
		chunks[n++] = (struct ksr_chunk){ data[i], size[i] };
		off += size[i];
	}
	{
		size_t pad = align8(off) - off;

		if (pad)
			chunks[n++] = (struct ksr_chunk){ zeros, pad };
		off += pad;
	}
	eh.e_shoff = off;
	chunks[n++] = (struct ksr_chunk){ sh, sizeof(sh) };
	return ksr_write_atomic(path, chunks, n);
}

/* ---- opening ------------------------------------------------------------ */

static int check_sections(const struct ksr_elfsecs *secs, const struct ksr_elfsec **by_id)
{
	uint64_t prev_end = sizeof(Elf64_Ehdr);
	int err;

	for (int i = 1; i < SEC_CNT; i++) {
		by_id[i] = ksr_elfsec__find(secs, sec_names[i], &err);
		if (err)
			return err;
		if (!by_id[i])
			return ksr_err(KSR_EMALFORMED, "section %s missing", sec_names[i]);
		if (by_id[i]->offset % 8 || by_id[i]->offset < prev_end)
			return ksr_err(KSR_EMALFORMED,
				       "section %s misplaced or overlapping (offset 0x%llx)",
				       sec_names[i], (unsigned long long)by_id[i]->offset);
		prev_end = by_id[i]->offset + by_id[i]->size;
	}
	return 0;
}

static int check_meta(const struct ksr_profile_meta *m, const struct ksr_elfsec **s)
{
	if (memcmp(m->magic, KSR_PROFILE_MAGIC, sizeof(KSR_PROFILE_MAGIC)) != 0)
		return ksr_err(KSR_EMALFORMED, ".ksr.meta: bad magic (offset 0x%llx)",
			       (unsigned long long)s[SEC_META]->offset);
	if (m->version != KSR_PROFILE_VERSION)
		return ksr_err(KSR_EMALFORMED, ".ksr.meta: unsupported version %u (offset 0x%llx)",
			       m->version, (unsigned long long)s[SEC_META]->offset + 8);
	if (m->release[KSR_PROFILE_RELEASE_MAX - 1] != '\0' || m->reserved != 0)
		return ksr_err(KSR_EMALFORMED, ".ksr.meta: release or reserved field invalid (offset 0x%llx)",
			       (unsigned long long)s[SEC_META]->offset);
	if (s[SEC_TYPES]->size != (uint64_t)m->btf_type_cnt * 4 ||
	    s[SEC_NAMES]->size != (uint64_t)m->btf_slot_cnt * sizeof(struct ksr_btf_name_slot) ||
	    s[SEC_SYMS]->size != (uint64_t)m->sym_cnt * sizeof(struct ksr_ksym) ||
	    s[SEC_SYMSTR]->size != m->symstr_len ||
	    s[SEC_SYMIDX]->size != (uint64_t)m->sym_slot_cnt * 4)
		return ksr_err(KSR_EMALFORMED, ".ksr.meta: counts disagree with section sizes (offset 0x%llx)",
			       (unsigned long long)s[SEC_META]->offset);
	return 0;
}

static int open_parts(struct ksr_profile *p, const struct ksr_elfsec **s)
{
	const uint8_t *base = p->map.data;
	const void *data[SEC_CNT];
	size_t size[SEC_CNT];
	uint8_t ident[16];
	int err;

	for (int i = SEC_BTF; i < SEC_CNT; i++) {
		data[i] = base + s[i]->offset;
		size[i] = (size_t)s[i]->size;
	}
	if (ksr_hash64_multi(&data[SEC_BTF], &size[SEC_BTF], SEC_CNT - SEC_BTF) != p->meta.checksum)
		return ksr_err(KSR_EMALFORMED, "checksum mismatch: the profile is corrupted");
	identity_bytes(data[SEC_BTF], size[SEC_BTF], ident, p->identity);
	if (memcmp(ident, p->meta.identity, sizeof(ident)) != 0)
		return ksr_err(KSR_EMALFORMED, ".ksr.meta: identity does not match the BTF");
	err = ksr_btf__open_indexed(data[SEC_BTF], size[SEC_BTF], data[SEC_TYPES],
				    p->meta.btf_type_cnt, data[SEC_NAMES], p->meta.btf_slot_cnt,
				    &p->btf);
	if (err) {
		ksr_err_prefix(".BTF (offset 0x%llx)", (unsigned long long)s[SEC_BTF]->offset);
		return err;
	}
	err = ksr_kallsyms__open_indexed(data[SEC_SYMS], p->meta.sym_cnt, data[SEC_SYMSTR],
					 p->meta.symstr_len, data[SEC_SYMIDX],
					 p->meta.sym_slot_cnt, &p->ks);
	if (err)
		ksr_err_prefix(".ksr.syms (offset 0x%llx)", (unsigned long long)s[SEC_SYMS]->offset);
	return err;
}

KSR_API int ksr_profile__open(const char *path, struct ksr_profile **out)
{
	const struct ksr_elfsec *s[SEC_CNT];
	struct ksr_elfsecs secs = { 0 };
	struct ksr_profile *p;
	const char *slash;
	int err;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return ksr_err(ENOMEM, "out of memory");
	err = ksr_map_file(path, KSR_PROFILE_MAX_SIZE, &p->map);
	if (err)
		goto fail;
	err = ksr_elfsec__read(p->map.data, p->map.len, &secs);
	if (!err)
		err = check_sections(&secs, s);
	if (!err && s[SEC_META]->size != sizeof(p->meta))
		err = ksr_err(KSR_EMALFORMED, ".ksr.meta: size %llu, expected %zu",
			      (unsigned long long)s[SEC_META]->size, sizeof(p->meta));
	if (err)
		goto fail;
	memcpy(&p->meta, (const uint8_t *)p->map.data + s[SEC_META]->offset, sizeof(p->meta));
	err = check_meta(&p->meta, s);
	if (!err)
		err = open_parts(p, s);
	if (err)
		goto fail;
	memcpy(p->release, p->meta.release, KSR_PROFILE_RELEASE_MAX);
	slash = strrchr(path, '/');
	p->name = strdup(slash ? slash + 1 : path);
	if (!p->name) {
		err = ksr_err(ENOMEM, "out of memory");
		goto fail;
	}
	ksr_elfsec__free(&secs);
	*out = p;
	return 0;
fail:
	ksr_elfsec__free(&secs);
	ksr_profile__free(p);
	return err;
}

KSR_API void ksr_profile__free(struct ksr_profile *p)
{
	if (!p)
		return;
	ksr_btf__free(p->btf);
	ksr_kallsyms__free(p->ks);
	ksr_unmap(&p->map);
	free(p->name);
	free(p);
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
	return p->map.len;
}
