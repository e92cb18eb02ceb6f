// SPDX-License-Identifier: BSD-2-Clause
#include <elf.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cursor.h"
#include "elfsec.h"
#include "error.h"
#include "fileio.h"
#include "hash.h"
#include "profile.h"
#include "source.h"

#define KSR_OPEN_MSG_MAX 512

/* Section order in the file (docs/profile-format.md). */
enum {
	SEC_NULL, SEC_META, SEC_BTF, SEC_TYPES, SEC_NAMES, SEC_SYMS, SEC_SYMSTR, SEC_SYMIDX,
	SEC_SHSTRTAB, SEC_CNT
};
static const char *const sec_names[SEC_CNT] = {
	"", ".ksr.meta", ".BTF", ".ksr.btf.types", ".ksr.btf.names", ".ksr.syms",
	".ksr.symstr", ".ksr.symidx", ".shstrtab",
};

_Static_assert(sizeof(struct ksr_profile_meta) == 200, "meta layout is part of the format");
/* .ksr.meta follows the ELF header; .BTF follows .ksr.meta */
#define META_OFF sizeof(Elf64_Ehdr)
#define META_CHECKSUM_OFF (META_OFF + offsetof(struct ksr_profile_meta, checksum))
_Static_assert(KSR_PROFILE_BODY_OFF == META_OFF + sizeof(struct ksr_profile_meta),
	       "the body starts right after .ksr.meta");

struct ksr_profile {
	uint8_t *mem;                /* ksr_profile__open(): the file, read into memory */
	struct ksr_src *src;         /* the file, read with pread (lean: for lookups too) */
	uint64_t size;               /* its size when opened */
	struct ksr_span file;        /* the file, in memory or read with pread */
	struct ksr_profile_meta meta;
	struct ksr_btf *btf;
	struct ksr_kallsyms *ks;
	char identity[33];
	char release[KSR_PROFILE_RELEASE_MAX + 1];
	char *name;
};

/* What a kernel ELF file's .BTF section may be: vmlinux keeps it allocated
 * (SHF_ALLOC), pahole and objcopy add it unallocated; nothing else. */
static const struct ksr_elfsec_rule kernel_btf_rule = {
	.type = SHT_PROGBITS,
	.flags_allowed = SHF_ALLOC | SHF_WRITE,
	.entsize = 0,
	.max_align = 4096,
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

/* ---- the fixed layout ----------------------------------------------------
 * A profile's ELF header and section headers have exactly one allowed
 * value each, given the section sizes: the writer builds them here and the
 * reader compares the file with what it would have written. */

static uint64_t align8(uint64_t n)
{
	return (n + 7) & ~(uint64_t)7;
}

static void profile_ehdr(uint64_t shoff, Elf64_Ehdr *eh)
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
	eh->e_shnum = SEC_CNT;
	eh->e_shstrndx = SEC_SHSTRTAB;
	eh->e_shoff = shoff;
}

/* Section i at off, size bytes (section 0: all zeros). */
static void profile_shdr(int i, uint64_t off, uint64_t size, Elf64_Shdr *sh)
{
	uint32_t name = 1;

	memset(sh, 0, sizeof(*sh));
	if (i == SEC_NULL)
		return;
	for (int k = 1; k < i; k++)
		name += (uint32_t)strlen(sec_names[k]) + 1;
	sh->sh_name = name;
	sh->sh_type = i == SEC_SHSTRTAB ? SHT_STRTAB : SHT_PROGBITS;
	sh->sh_offset = off;
	sh->sh_size = size;
	sh->sh_addralign = 8;
}

/* .shstrtab: "" then every section name, in section order. */
static size_t profile_shstr(char out[128])
{
	size_t len = 1;

	out[0] = '\0';
	for (int i = 1; i < SEC_CNT; i++) {
		size_t l = strlen(sec_names[i]) + 1;

		memcpy(out + len, sec_names[i], l);
		len += l;
	}
	return len;
}

/* The checksum: every byte of the file but its own 8 (hashed as zeros), in
 * the order the writer knows them: the body (.BTF to the end of the
 * section table), then the ELF header and .ksr.meta. */
static void hash_head(struct ksr_hash_state *st, const uint8_t *head)
{
	static const uint8_t zeros[8];

	ksr_hash_update(st, head, META_CHECKSUM_OFF);
	ksr_hash_update(st, zeros, sizeof(zeros));
	ksr_hash_update(st, head + META_CHECKSUM_OFF + 8, KSR_PROFILE_BODY_OFF - META_CHECKSUM_OFF - 8);
}

uint64_t ksr_profile_checksum(const void *img, size_t len)
{
	struct ksr_hash_state *st = ksr_hash_state_new();
	uint64_t sum;

	if (!st || len < KSR_PROFILE_BODY_OFF) {
		ksr_hash_state_free(st);
		return 0;
	}
	ksr_hash_reset64(st);
	ksr_hash_update(st, (const uint8_t *)img + KSR_PROFILE_BODY_OFF, len - KSR_PROFILE_BODY_OFF);
	hash_head(st, img);
	sum = ksr_hash_digest64(st);
	ksr_hash_state_free(st);
	return sum;
}

/* ---- writing ------------------------------------------------------------ *
 * In two steps, so that capture can write the sections that depend only on
 * the BTF (most of the bytes) while it is still reading /proc/kallsyms:
 * begin lays out the file up to the end of .ksr.btf.names, writes those
 * sections at their offsets into the temporary file, starts their
 * write-back and hashes them; finish appends the kallsyms sections and the
 * section table, writes the ELF header and .ksr.meta at the front, fsyncs
 * and renames. Gaps between sections are 0..7 bytes of alignment, which the
 * file system reads back as zeros (the bytes are those of one sequential
 * write); they are hashed as zeros. */

struct ksr_profile_writer {
	struct ksr_atomic_file file;
	struct ksr_hash_state *sum;      /* checksum of the body written so far */
	struct ksr_profile_meta meta;
	Elf64_Shdr sh[SEC_CNT];
	char shstr[128];
	size_t shstr_len;
	uint64_t end;                    /* end of the last section laid out */
};

static const uint8_t zero_pad[8];

/* Places section i (data, size) after w->end; hashes the body's bytes. */
static void lay_out(struct ksr_profile_writer *w, int i, const void *data, size_t size)
{
	uint64_t off = align8(w->end);

	profile_shdr(i, off, size, &w->sh[i]);
	if (i > SEC_BTF)
		ksr_hash_update(w->sum, zero_pad, (size_t)(off - w->end));
	if (i >= SEC_BTF)
		ksr_hash_update(w->sum, data, size);
	w->end = off + size;
}

void ksr_profile__write_abort(struct ksr_profile_writer *w)
{
	if (!w)
		return;
	ksr_atomic_abort(&w->file);
	ksr_hash_state_free(w->sum);
	free(w);
}

int ksr_profile__write_begin(const char *path, const struct ksr_btf *btf,
			     struct ksr_profile_writer **out)
{
	struct ksr_profile_writer *w = calloc(1, sizeof(*w));
	struct ksr_hash_state *ident = ksr_hash_state_new();
	struct ksr_chunk c[3];
	const void *raw;
	size_t raw_len;
	char hex[33];
	int err;

	*out = NULL;
	if (w)
		w->sum = ksr_hash_state_new();
	if (!w || !ident || !w->sum) {
		if (w)
			ksr_hash_state_free(w->sum);
		free(w);
		ksr_hash_state_free(ident);
		return ksr_err(ENOMEM, "out of memory");
	}
	w->file.fd = -1;
	memcpy(w->meta.magic, KSR_PROFILE_MAGIC, sizeof(KSR_PROFILE_MAGIC));
	w->meta.version = KSR_PROFILE_VERSION;
	if (ksr_btf__has_kfunc_tags(btf))
		w->meta.flags |= KSR_PROF_KFUNC_TAGS;
	raw = ksr_btf__raw(btf, &raw_len);
	ksr_hash_reset128(ident);
	ksr_hash_update(ident, raw, raw_len);
	ksr_hash_digest128(ident, w->meta.identity, hex);
	ksr_hash_state_free(ident);

	ksr_hash_reset64(w->sum);
	w->end = sizeof(Elf64_Ehdr);
	lay_out(w, SEC_META, NULL, sizeof(w->meta));
	c[0] = (struct ksr_chunk){ raw, raw_len };
	lay_out(w, SEC_BTF, raw, raw_len);
	c[1].data = ksr_btf__type_offsets(btf, &w->meta.btf_type_cnt);
	c[1].len = (size_t)w->meta.btf_type_cnt * sizeof(uint32_t);
	lay_out(w, SEC_TYPES, c[1].data, c[1].len);
	c[2].data = ksr_btf__name_index(btf, &w->meta.btf_slot_cnt);
	c[2].len = (size_t)w->meta.btf_slot_cnt * sizeof(struct ksr_btf_name_slot);
	lay_out(w, SEC_NAMES, c[2].data, c[2].len);

	err = ksr_atomic_open(path, &w->file);
	for (int i = 0; i < 3 && !err; i++)
		err = ksr_atomic_pwrite(&w->file, &c[i], 1, w->sh[SEC_BTF + i].sh_offset);
	if (err) {
		ksr_profile__write_abort(w);
		return err;
	}
	ksr_atomic_writeback(&w->file, 0, w->end);
	*out = w;
	return 0;
}

int ksr_profile__write_kallsyms(struct ksr_profile_writer *w, const struct ksr_kallsyms *ks,
				const char *release)
{
	struct ksr_profile_meta *m = &w->meta;
	struct ksr_chunk c[6];
	Elf64_Ehdr eh;
	uint64_t addr, shoff;
	uint32_t cnt;
	int err;

	if (strlen(release) >= KSR_PROFILE_RELEASE_MAX) {
		ksr_profile__write_abort(w);
		return ksr_err(EINVAL, "release string longer than %u bytes",
			       KSR_PROFILE_RELEASE_MAX - 1);
	}
	strncpy(m->release, release, sizeof(m->release) - 1);
	if (ksr_kallsyms__text_addr(ks, &addr)) {
		m->flags |= KSR_PROF_HAS_TEXT;
		m->text_addr = addr;
	}
	if (ksr_kallsyms__has_data_syms(ks))
		m->flags |= KSR_PROF_KALLSYMS_ALL;

	c[0].data = ksr_kallsyms__syms(ks, &m->sym_cnt);
	c[0].len = (size_t)m->sym_cnt * sizeof(struct ksr_ksym);
	lay_out(w, SEC_SYMS, c[0].data, c[0].len);
	c[1].data = ksr_kallsyms__strs(ks, &m->symstr_len);
	c[1].len = m->symstr_len;
	lay_out(w, SEC_SYMSTR, c[1].data, c[1].len);
	c[2].data = ksr_kallsyms__slots(ks, &cnt);
	m->sym_slot_cnt = cnt;
	c[2].len = (size_t)cnt * sizeof(uint32_t);
	lay_out(w, SEC_SYMIDX, c[2].data, c[2].len);
	w->shstr_len = profile_shstr(w->shstr);
	lay_out(w, SEC_SHSTRTAB, w->shstr, w->shstr_len);
	shoff = align8(w->end);
	profile_ehdr(shoff, &eh);
	ksr_hash_update(w->sum, zero_pad, (size_t)(shoff - w->end));
	ksr_hash_update(w->sum, w->sh, sizeof(w->sh));
	{
		uint8_t head[KSR_PROFILE_BODY_OFF];

		m->checksum = 0;
		memcpy(head, &eh, sizeof(eh));
		memcpy(head + META_OFF, m, sizeof(*m));
		hash_head(w->sum, head);
		m->checksum = ksr_hash_digest64(w->sum);
	}

	err = 0;
	c[3] = (struct ksr_chunk){ w->shstr, w->shstr_len };
	c[4] = (struct ksr_chunk){ zero_pad, (size_t)(shoff - w->end) };
	c[5] = (struct ksr_chunk){ w->sh, sizeof(w->sh) };
	for (int i = 0; i < 3 && !err; i++)
		err = ksr_atomic_pwrite(&w->file, &c[i], 1, w->sh[SEC_SYMS + i].sh_offset);
	if (!err)
		err = ksr_atomic_pwrite(&w->file, &c[3], 3, w->sh[SEC_SHSTRTAB].sh_offset);
	if (!err) {
		struct ksr_chunk head[2] = { { &eh, sizeof(eh) }, { m, sizeof(*m) } };

		_Static_assert(sizeof(Elf64_Ehdr) % 8 == 0, "meta follows the header directly");
		err = ksr_atomic_pwrite(&w->file, head, 2, 0);
	}
	if (err) {
		ksr_profile__write_abort(w);
		return err;
	}
	ksr_atomic_writeback(&w->file, 0, shoff + sizeof(w->sh));
	return 0;
}

int ksr_profile__write_commit(struct ksr_profile_writer *w)
{
	int err = ksr_atomic_commit(&w->file);

	ksr_hash_state_free(w->sum);
	free(w);
	return err;
}

int ksr_profile__write_finish(struct ksr_profile_writer *w, const struct ksr_kallsyms *ks,
			      const char *release)
{
	int err = ksr_profile__write_kallsyms(w, ks, release);

	return err ? err : ksr_profile__write_commit(w);
}

int ksr_profile__write(const char *path, const struct ksr_btf *btf,
		       const struct ksr_kallsyms *ks, const char *release)
{
	struct ksr_profile_writer *w;
	int err;

	if (strlen(release) >= KSR_PROFILE_RELEASE_MAX)
		return ksr_err(EINVAL, "release string longer than %u bytes",
			       KSR_PROFILE_RELEASE_MAX - 1);
	err = ksr_profile__write_begin(path, btf, &w);
	return err ? err : ksr_profile__write_finish(w, ks, release);
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

/* The ELF header (head) and section table (table, the file's last bytes)
 * must be the ones the writer builds for these section sizes
 * (profile_ehdr(), profile_shdr()): every header byte has one allowed
 * value. On success sh[] is the file's table. */
static int check_layout(const uint8_t *head, const uint8_t *table, uint64_t len,
			Elf64_Shdr sh[SEC_CNT])
{
	const uint64_t shoff = len - SEC_CNT * sizeof(Elf64_Shdr);
	uint64_t end = META_OFF;
	Elf64_Ehdr eh, want_eh;
	Elf64_Shdr want;
	const char *field;
	char shstr[128];
	long d;
	int err;

	memcpy(&eh, head, sizeof(eh));
	/* the checks every ELF header gets (core/elfsec.c), then the exact one */
	err = ksr_elf_check_ehdr(&eh, &ksr_elf_kind_profile);
	if (err)
		return err;
	if (eh.e_shoff != shoff)
		return ksr_err(KSR_EMALFORMED,
			       "ELF header: the section table at 0x%llx does not end the %llu-byte file: cut short or extended (file offset 0x%zx)",
			       (unsigned long long)eh.e_shoff, (unsigned long long)len,
			       offsetof(Elf64_Ehdr, e_shoff));
	profile_ehdr(shoff, &want_eh);
	d = first_diff(&eh, &want_eh, sizeof(eh), ehdr_fields, &field);
	if (d >= 0)
		return ksr_err(KSR_EMALFORMED,
			       "ELF header: %s differs from the one value a profile allows (file offset 0x%lx)",
			       field, d);
	memcpy(sh, table, SEC_CNT * sizeof(Elf64_Shdr));
	for (int i = 0; i < SEC_CNT; i++) {
		uint64_t off = i == SEC_NULL ? 0 : align8(end);
		uint64_t size = i == SEC_META ? sizeof(struct ksr_profile_meta) :
				i == SEC_SHSTRTAB ? profile_shstr(shstr) : sh[i].sh_size;
		uint64_t hoff = shoff + (uint64_t)i * sizeof(want);

		profile_shdr(i, off, size, &want);
		d = first_diff(&sh[i], &want, sizeof(want), shdr_fields, &field);
		if (d >= 0)
			return ksr_err(KSR_EMALFORMED,
				       "section header %d (%s): %s differs from the one value a profile allows (file offset 0x%llx)",
				       i, i ? sec_names[i] : "null", field,
				       (unsigned long long)(hoff + (uint64_t)d));
		if (i != SEC_NULL && (size > shoff || off > shoff - size))
			return ksr_err(KSR_EMALFORMED,
				       "section %s: 0x%llx bytes at 0x%llx run into the section table (file offset 0x%llx)",
				       sec_names[i], (unsigned long long)size, (unsigned long long)off,
				       (unsigned long long)hoff);
		if (i != SEC_NULL)
			end = off + size;
	}
	if (align8(end) != shoff)
		return ksr_err(KSR_EMALFORMED,
			       "sections end at 0x%llx, the section table starts at 0x%llx (file offset 0x%zx)",
			       (unsigned long long)end, (unsigned long long)shoff,
			       offsetof(Elf64_Ehdr, e_shoff));
	return 0;
}

#define KNOWN_FLAGS (KSR_PROF_KALLSYMS_ALL | KSR_PROF_KFUNC_TAGS | KSR_PROF_HAS_TEXT)

static int check_meta(const struct ksr_profile_meta *m, const Elf64_Shdr *sh)
{
	size_t rlen = strnlen(m->release, sizeof(m->release));

	if (memcmp(m->magic, KSR_PROFILE_MAGIC, sizeof(KSR_PROFILE_MAGIC)) != 0)
		return ksr_err(KSR_EMALFORMED, ".ksr.meta: bad magic (file offset 0x%zx)", META_OFF);
	if (m->version != KSR_PROFILE_VERSION)
		return ksr_err(KSR_EMALFORMED, ".ksr.meta: unsupported version %u (file offset 0x%zx)",
			       m->version, META_OFF + offsetof(struct ksr_profile_meta, version));
	if (m->flags & ~(uint32_t)KNOWN_FLAGS)
		return ksr_err(KSR_EMALFORMED, ".ksr.meta: unknown flags 0x%x (file offset 0x%zx)",
			       m->flags, META_OFF + offsetof(struct ksr_profile_meta, flags));
	if (!(m->flags & KSR_PROF_HAS_TEXT) && m->text_addr)
		return ksr_err(KSR_EMALFORMED, ".ksr.meta: _text address without its flag (file offset 0x%zx)",
			       META_OFF + offsetof(struct ksr_profile_meta, text_addr));
	if (m->reserved != 0)
		return ksr_err(KSR_EMALFORMED, ".ksr.meta: reserved field not 0 (file offset 0x%zx)",
			       META_OFF + offsetof(struct ksr_profile_meta, reserved));
	if (rlen == sizeof(m->release))
		return ksr_err(KSR_EMALFORMED, ".ksr.meta: release not NUL-terminated (file offset 0x%zx)",
			       META_OFF + offsetof(struct ksr_profile_meta, release));
	for (size_t i = rlen; i < sizeof(m->release); i++)
		if (m->release[i])
			return ksr_err(KSR_EMALFORMED, ".ksr.meta: release not NUL-padded (file offset 0x%zx)",
				       META_OFF + offsetof(struct ksr_profile_meta, release) + i);
	if (sh[SEC_TYPES].sh_size != (uint64_t)m->btf_type_cnt * 4 ||
	    sh[SEC_NAMES].sh_size != (uint64_t)m->btf_slot_cnt * sizeof(struct ksr_btf_name_slot) ||
	    sh[SEC_SYMS].sh_size != (uint64_t)m->sym_cnt * sizeof(struct ksr_ksym) ||
	    sh[SEC_SYMSTR].sh_size != m->symstr_len ||
	    sh[SEC_SYMIDX].sh_size != (uint64_t)m->sym_slot_cnt * 4)
		return ksr_err(KSR_EMALFORMED, ".ksr.meta: counts disagree with section sizes (file offset 0x%zx)",
			       META_OFF + offsetof(struct ksr_profile_meta, btf_type_cnt));
	return 0;
}

/* Bytes hashed per step of the verification at open: small enough to stay
 * in the L2 cache between the two hashes that read the .BTF part. */
#define HASH_WINDOW (64u << 10)

/* The len bytes at off of the file being opened: in memory, or read into
 * buf. The file is never mapped: a mapping of a file cut short by another
 * process faults (SIGBUS) where a read returns an error. */
static const uint8_t *file_bytes(const struct ksr_profile *p, uint64_t off, size_t len,
				 uint8_t *buf, int *err)
{
	if (p->mem)
		return p->mem + off;
	*err = ksr_src_pread(p->src, buf, len, off);
	return *err ? NULL : buf;
}

/* Hashes [off, off+len) of the file into st, window by window; into id
 * too for the part inside [id_lo, id_hi). */
static int hash_range(const struct ksr_profile *p, uint64_t off, uint64_t len,
		      struct ksr_hash_state *st, struct ksr_hash_state *id, uint64_t id_lo,
		      uint64_t id_hi, uint8_t *buf)
{
	for (uint64_t w = off, to = off + len; w < to;) {
		size_t n = (size_t)(to - w < HASH_WINDOW ? to - w : HASH_WINDOW);
		int err = 0;
		const uint8_t *b = file_bytes(p, w, n, buf, &err);
		uint64_t lo = w > id_lo ? w : id_lo, hi = w + n < id_hi ? w + n : id_hi;

		if (!b)
			return err;
		ksr_hash_update(st, b, n);
		if (id && lo < hi)
			ksr_hash_update(id, b + (lo - w), (size_t)(hi - lo));
		w += n;
	}
	return 0;
}

/* The checksum (the body, then the head: hash_head()) and the identity
 * (.BTF alone), in one pass over the file. */
static int hash_parts(const struct ksr_profile *p, const Elf64_Shdr *sh, const uint8_t *head,
		      uint64_t *sum, uint8_t ident[16], char hex[33], uint8_t *buf)
{
	struct ksr_hash_state *cs = ksr_hash_state_new(), *is = ksr_hash_state_new();
	int err = 0;

	if (!cs || !is)
		err = ksr_err(ENOMEM, "out of memory");
	if (!err) {
		ksr_hash_reset64(cs);
		ksr_hash_reset128(is);
		err = hash_range(p, KSR_PROFILE_BODY_OFF, p->size - KSR_PROFILE_BODY_OFF, cs, is,
				 sh[SEC_BTF].sh_offset, sh[SEC_BTF].sh_offset + sh[SEC_BTF].sh_size, buf);
	}
	if (!err) {
		hash_head(cs, head);
		*sum = ksr_hash_digest64(cs);
		ksr_hash_digest128(is, ident, hex);
	}
	ksr_hash_state_free(cs);
	ksr_hash_state_free(is);
	return err;
}

/* Profiles written before the checksum covered the whole file summed the
 * sections after .ksr.meta only: recognised, to say what to do. */
static bool old_checksum_matches(const struct ksr_profile *p, const Elf64_Shdr *sh, uint8_t *buf)
{
	struct ksr_hash_state *st = ksr_hash_state_new();
	bool same = false;
	int err = 0;

	if (!st)
		return false;
	ksr_hash_reset64(st);
	for (int i = SEC_BTF; i < SEC_CNT && !err; i++)
		err = hash_range(p, sh[i].sh_offset, sh[i].sh_size, st, NULL, 0, 0, buf);
	if (!err)
		same = ksr_hash_digest64(st) == p->meta.checksum;
	ksr_hash_state_free(st);
	return same;
}

/* Verifies the file, then opens the BTF and kallsyms views over p->file. */
static int open_parts(struct ksr_profile *p, const Elf64_Shdr *sh, const uint8_t *head,
		      bool lean)
{
	struct ksr_span part[SEC_CNT];
	uint8_t ident[16];
	uint64_t sum = 0;
	uint8_t *buf = p->mem ? NULL : malloc(HASH_WINDOW);
	int err;

	if (!p->mem && !buf)
		return ksr_err(ENOMEM, "out of memory");
	err = hash_parts(p, sh, head, &sum, ident, p->identity, buf);
	if (!err && sum != p->meta.checksum && old_checksum_matches(p, sh, buf))
		err = ksr_err(KSR_EMALFORMED,
			      "written by an older ksymres whose checksum did not cover the whole file: create it again with 'ksymres capture' or 'ksymres profile' (file offset 0x%zx)",
			      META_CHECKSUM_OFF);
	else if (!err && sum != p->meta.checksum)
		err = ksr_err(KSR_EMALFORMED, "checksum mismatch: the profile is corrupted (file offset 0x%zx)",
			      META_CHECKSUM_OFF);
	else if (!err && memcmp(ident, p->meta.identity, sizeof(ident)) != 0)
		err = ksr_err(KSR_EMALFORMED, ".ksr.meta: identity does not match the BTF (file offset 0x%zx)",
			      META_OFF + offsetof(struct ksr_profile_meta, identity));
	free(buf);
	if (err)
		return err;
	p->file = p->mem ? ksr_span_mem(p->mem, p->size) : ksr_span_file(p->src);
	if (!lean) {
		/* everything is in memory: the descriptor is not needed */
		ksr_src_free(p->src);
		p->src = NULL;
	}
	/* check_layout(): every section is inside the file */
	for (int i = SEC_BTF; i < SEC_CNT; i++)
		ksr_span_sub(&p->file, sh[i].sh_offset, sh[i].sh_size, &part[i]);
	err = ksr_btf__open_spans(&part[SEC_BTF], &part[SEC_TYPES], p->meta.btf_type_cnt,
				  &part[SEC_NAMES], p->meta.btf_slot_cnt, &p->btf);
	if (err) {
		ksr_err_prefix(".BTF (offset 0x%llx)", (unsigned long long)sh[SEC_BTF].sh_offset);
		return err;
	}
	err = ksr_kallsyms__open_spans(&part[SEC_SYMS], p->meta.sym_cnt, &part[SEC_SYMSTR],
				       &part[SEC_SYMIDX], p->meta.sym_slot_cnt, &p->ks);
	if (err)
		ksr_err_prefix(".ksr.syms (offset 0x%llx)", (unsigned long long)sh[SEC_SYMS].sh_offset);
	return err;
}

/* Reads the head, the section table and the name table, and checks them. */
static int read_headers(struct ksr_profile *p, uint8_t head[KSR_PROFILE_BODY_OFF],
			Elf64_Shdr sh[SEC_CNT])
{
	const size_t table = SEC_CNT * sizeof(Elf64_Shdr);
	uint8_t tbuf[SEC_CNT * sizeof(Elf64_Shdr)];
	char shstr[128], got[128];
	size_t shstr_len = profile_shstr(shstr);
	const uint8_t *b;
	int err = 0;

	if (p->size < KSR_PROFILE_BODY_OFF + table)
		return ksr_err(KSR_EMALFORMED, "file of %llu bytes is too short for a profile (file offset 0x0)",
			       (unsigned long long)p->size);
	b = file_bytes(p, 0, KSR_PROFILE_BODY_OFF, head, &err);
	if (b && b != head)
		memcpy(head, b, KSR_PROFILE_BODY_OFF);
	if (b)
		b = file_bytes(p, p->size - table, table, tbuf, &err);
	if (b)
		err = check_layout(head, b, p->size, sh);
	if (!b || err)
		return err;
	b = file_bytes(p, sh[SEC_SHSTRTAB].sh_offset, shstr_len, (uint8_t *)got, &err);
	if (!b)
		return err;
	if (memcmp(b, shstr, shstr_len) != 0)
		return ksr_err(KSR_EMALFORMED, ".shstrtab: not the section names of a profile (file offset 0x%llx)",
			       (unsigned long long)sh[SEC_SHSTRTAB].sh_offset);
	return 0;
}

/* Reads the whole file into p->mem (ksr_profile__open()). */
static int read_all(struct ksr_profile *p)
{
	p->mem = malloc(p->size);
	if (!p->mem)
		return ksr_err(ENOMEM, "out of memory for a %llu-byte profile",
			       (unsigned long long)p->size);
	return ksr_src_pread(p->src, p->mem, p->size, 0);
}

static int open_profile(const char *path, bool lean, struct ksr_profile **out)
{
	uint8_t head[KSR_PROFILE_BODY_OFF];
	Elf64_Shdr sh[SEC_CNT];
	struct ksr_profile *p;
	const char *slash;
	int err;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return ksr_err(ENOMEM, "out of memory");
	err = ksr_src_open(path, KSR_PROFILE_MAX_SIZE, &p->src);
	if (err)
		goto fail;
	p->size = ksr_src_size(p->src);
	if (!lean && p->size >= KSR_PROFILE_BODY_OFF)
		err = read_all(p);
	if (!err)
		err = read_headers(p, head, sh);
	if (err)
		goto fail;
	memcpy(&p->meta, head + META_OFF, sizeof(p->meta));
	err = check_meta(&p->meta, sh);
	if (!err)
		err = open_parts(p, sh, head, lean);
	if (err)
		goto fail;
	memcpy(p->release, p->meta.release, KSR_PROFILE_RELEASE_MAX);
	slash = strrchr(path, '/');
	p->name = strdup(slash ? slash + 1 : path);
	if (!p->name) {
		err = ksr_err(ENOMEM, "out of memory");
		goto fail;
	}
	*out = p;
	return 0;
fail:
	/* a failed read explains whatever check it made fail */
	if (p->src && ksr_src_error(p->src))
		err = ksr_src_error(p->src);
	ksr_profile__free(p);
	return err;
}

KSR_API int ksr_profile__open(const char *path, struct ksr_profile **out)
{
	return open_profile(path, false, out);
}

int ksr_profile__open_lean(const char *path, struct ksr_profile **out)
{
	return open_profile(path, true, out);
}

/* ---- opening many ---------------------------------------------------------
 * Verifying a profile reads all of it (~2 ms for 15 MB, bound by memory
 * bandwidth and page-table work, not by the hash), so a command that opens
 * 100 profiles spends nearly all its time here: spread it over the CPUs. */

#define OPEN_MAX_THREADS 8

struct open_job {
	const char *const *paths;
	size_t n;
	bool lean;
	struct ksr_profile **out;
	int *err;
	char (*msg)[KSR_OPEN_MSG_MAX];
	atomic_size_t next;
};

static void *open_worker(void *arg)
{
	struct open_job *j = arg;

	for (;;) {
		size_t i = atomic_fetch_add(&j->next, 1);

		if (i >= j->n)
			return NULL;
		j->err[i] = open_profile(j->paths[i], j->lean, &j->out[i]);
		if (j->err[i])
			snprintf(j->msg[i], KSR_OPEN_MSG_MAX, "%s", ksr_errmsg());
	}
}

int ksr_profile__open_all(const char *const *paths, size_t n, bool lean,
			  struct ksr_profile **out, size_t *failed)
{
	pthread_t t[OPEN_MAX_THREADS];
	struct open_job j = { paths, n, lean, out, NULL, NULL, 0 };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t threads = cpus > 1 ? (size_t)cpus : 1, started = 0;
	int err = 0;

	if (threads > OPEN_MAX_THREADS)
		threads = OPEN_MAX_THREADS;
	if (threads > n)
		threads = n;
	j.err = calloc(n ? n : 1, sizeof(*j.err));
	j.msg = calloc(n ? n : 1, sizeof(*j.msg));
	if (!j.err || !j.msg) {
		free(j.err);
		free(j.msg);
		return ksr_err(ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		out[i] = NULL;
	/* this thread is one of the workers */
	while (started + 1 < threads && pthread_create(&t[started], NULL, open_worker, &j) == 0)
		started++;
	open_worker(&j);
	for (size_t i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	for (size_t i = 0; i < n && !err; i++)
		if (j.err[i]) {
			err = j.err[i];
			*failed = i;
			ksr_err(-err, "%s", j.msg[i]);
		}
	if (err)
		for (size_t i = 0; i < n; i++) {
			ksr_profile__free(out[i]);
			out[i] = NULL;
		}
	free(j.err);
	free(j.msg);
	return err;
}

KSR_API void ksr_profile__free(struct ksr_profile *p)
{
	if (!p)
		return;
	ksr_btf__free(p->btf);
	ksr_kallsyms__free(p->ks);
	free(p->mem);
	ksr_src_free(p->src);
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
	return (size_t)p->size;
}

int ksr_profile__read_error(const struct ksr_profile *p)
{
	return ksr_src_error(p->src);
}
