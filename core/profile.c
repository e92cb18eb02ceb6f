// SPDX-License-Identifier: BSD-2-Clause
#include <elf.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cursor.h"
#include "elfsec.h"
#include "error.h"
#include "fileio.h"
#include "hash.h"
#include "profile.h"
#include "source.h"

#define KSR_OPEN_MSG_MAX 512

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
	struct ksr_map map;          /* ksr_profile__open(): the file, mapped */
	struct ksr_src *src;         /* lean: the file, read with pread */
	struct ksr_span file;        /* the file, in either of the two */
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

/* ---- writing ------------------------------------------------------------ *
 * In two steps, so that capture can write the sections that depend only on
 * the BTF (most of the bytes) while it is still reading /proc/kallsyms:
 * begin lays out the file up to the end of .ksr.btf.names, writes those
 * sections at their offsets into the temporary file, starts their
 * write-back and hashes them; finish appends the kallsyms sections and the
 * section table, writes the ELF header and .ksr.meta at the front, fsyncs
 * and renames. Gaps between sections are 0..7 bytes of alignment, which the
 * file system reads back as zeros (the bytes are those of one sequential
 * write). */

struct ksr_profile_writer {
	struct ksr_atomic_file file;
	struct ksr_hash_state *sum;      /* checksum of the sections written so far */
	struct ksr_profile_meta meta;
	Elf64_Shdr sh[SEC_CNT];
	char shstr[128];
	size_t shstr_len;
	uint64_t end;                    /* end of the last section laid out */
};

static uint64_t align8(uint64_t n)
{
	return (n + 7) & ~(uint64_t)7;
}

/* Places section i (data, size) after w->end; hashes it. */
static void lay_out(struct ksr_profile_writer *w, int i, const void *data, size_t size)
{
	uint64_t off = align8(w->end);

	w->sh[i].sh_name = 0;
	for (int k = 1, pos = 1; k < SEC_CNT; pos += (int)strlen(sec_names[k]) + 1, k++)
		if (k == i)
			w->sh[i].sh_name = (uint32_t)pos;
	w->sh[i].sh_type = i == SEC_SHSTRTAB ? SHT_STRTAB : SHT_PROGBITS;
	w->sh[i].sh_offset = off;
	w->sh[i].sh_size = size;
	w->sh[i].sh_addralign = 8;
	w->end = off + size;
	if (i >= SEC_BTF)
		ksr_hash_update(w->sum, data, size);
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
	static const uint8_t zeros[8];
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
	w->shstr_len = 1;
	for (int i = 1; i < SEC_CNT; i++) {
		size_t l = strlen(sec_names[i]) + 1;

		memcpy(w->shstr + w->shstr_len, sec_names[i], l);
		w->shstr_len += l;
	}
	lay_out(w, SEC_SHSTRTAB, w->shstr, w->shstr_len);
	m->checksum = ksr_hash_digest64(w->sum);
	shoff = align8(w->end);

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
	eh.e_shoff = shoff;

	err = 0;
	c[3] = (struct ksr_chunk){ w->shstr, w->shstr_len };
	c[4] = (struct ksr_chunk){ zeros, (size_t)(shoff - w->end) };
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

/* Bytes hashed per step of the verification at open: small enough to stay
 * in the L2 cache between the two hashes that read the .BTF part. */
#define HASH_WINDOW (256u << 10)

/* The checksum (every section after .ksr.meta, in file order) and the
 * identity (.BTF alone), in one pass over the mapping, window by window.
 * Lean: each window's pages are dropped from the mapping once hashed
 * (MADV_DONTNEED on a read-only private file mapping: the bytes stay in the
 * page cache), so verifying 15 MB leaves at most a window of it resident.
 * Reading the windows with pread into a buffer instead would map nothing
 * at all, but costs 0.2-0.6 ms more per open: the copy (docs/performance.md,
 * section 6). */
static int hash_parts(const struct ksr_profile *p, const struct ksr_elfsec **s, bool lean,
		      uint64_t *sum, uint8_t ident[16], char hex[33])
{
	struct ksr_hash_state *cs = ksr_hash_state_new(), *is = ksr_hash_state_new();
	const uint8_t *base = p->map.data;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t from, to = s[SEC_SHSTRTAB]->offset + s[SEC_SHSTRTAB]->size;

	if (!cs || !is) {
		ksr_hash_state_free(cs);
		ksr_hash_state_free(is);
		return ksr_err(ENOMEM, "out of memory");
	}
	ksr_hash_reset64(cs);
	ksr_hash_reset128(is);
	from = s[SEC_BTF]->offset & ~(page - 1);
	for (uint64_t w = from; w < to; w += HASH_WINDOW) {
		uint64_t we = to - w > HASH_WINDOW ? w + HASH_WINDOW : to;

		for (int i = SEC_BTF; i < SEC_CNT; i++) {
			uint64_t lo = s[i]->offset > w ? s[i]->offset : w;
			uint64_t hi = s[i]->offset + s[i]->size < we ? s[i]->offset + s[i]->size : we;

			if (lo >= hi)
				continue;
			ksr_hash_update(cs, base + lo, (size_t)(hi - lo));
			if (i == SEC_BTF)
				ksr_hash_update(is, base + lo, (size_t)(hi - lo));
		}
		/* advisory: a failure only costs memory */
		if (lean)
			(void)madvise((void *)(base + w), (size_t)(we - w), MADV_DONTNEED);
	}
	*sum = ksr_hash_digest64(cs);
	ksr_hash_digest128(is, ident, hex);
	ksr_hash_state_free(cs);
	ksr_hash_state_free(is);
	return 0;
}

/* Verifies the sections, then opens the BTF and kallsyms views over p->file
 * (the mapping, or the source once the mapping is gone). */
static int open_parts(struct ksr_profile *p, const struct ksr_elfsec **s, bool lean)
{
	struct ksr_span part[SEC_CNT];
	uint8_t ident[16];
	uint64_t sum = 0;
	int err;

	err = hash_parts(p, s, lean, &sum, ident, p->identity);
	if (err)
		return err;
	if (sum != p->meta.checksum)
		return ksr_err(KSR_EMALFORMED, "checksum mismatch: the profile is corrupted");
	if (memcmp(ident, p->meta.identity, sizeof(ident)) != 0)
		return ksr_err(KSR_EMALFORMED, ".ksr.meta: identity does not match the BTF");
	if (lean) {
		/* lookups read the file with pread: nothing of it stays mapped */
		ksr_unmap(&p->map);
		p->file = ksr_span_file(p->src);
	} else {
		p->file = ksr_span_mem(p->map.data, p->map.len);
	}
	/* check_sections(): every section is inside the file */
	for (int i = SEC_BTF; i < SEC_CNT; i++)
		ksr_span_sub(&p->file, s[i]->offset, s[i]->size, &part[i]);
	err = ksr_btf__open_spans(&part[SEC_BTF], &part[SEC_TYPES], p->meta.btf_type_cnt,
				  &part[SEC_NAMES], p->meta.btf_slot_cnt, &p->btf);
	if (err) {
		ksr_err_prefix(".BTF (offset 0x%llx)", (unsigned long long)s[SEC_BTF]->offset);
		return err;
	}
	err = ksr_kallsyms__open_spans(&part[SEC_SYMS], p->meta.sym_cnt, &part[SEC_SYMSTR],
				       &part[SEC_SYMIDX], p->meta.sym_slot_cnt, &p->ks);
	if (err)
		ksr_err_prefix(".ksr.syms (offset 0x%llx)", (unsigned long long)s[SEC_SYMS]->offset);
	return err;
}

static int open_profile(const char *path, bool lean, struct ksr_profile **out)
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
	if (lean) {
		/* the mapping is only for verifying; the source stays */
		err = ksr_src_open(path, KSR_PROFILE_MAX_SIZE, &p->src);
		if (!err)
			err = ksr_src_map(p->src, &p->map);
	} else {
		err = ksr_map_file(path, KSR_PROFILE_MAX_SIZE, &p->map);
	}
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
		err = open_parts(p, s, lean);
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
	/* a failed read explains whatever check it made fail */
	if (p->src && ksr_src_error(p->src))
		err = ksr_src_error(p->src);
	ksr_elfsec__free(&secs);
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
	ksr_unmap(&p->map);
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
	return (size_t)p->file.len;
}

int ksr_profile__read_error(const struct ksr_profile *p)
{
	int err = ksr_src_error(p->src);

	/* a failed read explains a lookup that gave up: it goes first */
	if (!err)
		err = ksr_btf__index_error(p->btf);
	if (!err)
		err = ksr_kallsyms__index_error(p->ks);
	return err;
}
