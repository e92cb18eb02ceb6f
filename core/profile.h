/* SPDX-License-Identifier: BSD-2-Clause */
/* Kernel profiles: one ELF file per kernel build (docs/profile-format.md). */
#ifndef KSR_PROFILE_H
#define KSR_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "btf.h"
#include "kallsyms.h"
#include "ksymres/ksymres.h"

#define KSR_PROFILE_MAGIC "KSRPROF"
#define KSR_PROFILE_VERSION 1u
#define KSR_PROFILE_RELEASE_MAX 128u
#define KSR_PROFILE_MAX_SIZE (1u << 30)

enum {
	KSR_PROF_KALLSYMS_ALL = 1u << 0, /* the snapshot has data symbols */
	KSR_PROF_KFUNC_TAGS = 1u << 1,   /* the BTF carries DECL_TAG "bpf_kfunc" */
	KSR_PROF_HAS_TEXT = 1u << 2,     /* text_addr is valid */
};

/* .ksr.meta: fixed little-endian header. */
struct ksr_profile_meta {
	char magic[8];           /* "KSRPROF\0" */
	uint32_t version;
	uint32_t flags;          /* KSR_PROF_* */
	uint64_t text_addr;      /* _text at capture */
	uint64_t checksum;       /* XXH3-64 of every section after .ksr.meta, in order */
	uint8_t identity[16];    /* XXH3-128 of the raw BTF, big-endian halves */
	uint32_t btf_type_cnt;
	uint32_t btf_slot_cnt;
	uint32_t sym_cnt;
	uint32_t sym_slot_cnt;
	uint32_t symstr_len;
	uint32_t reserved;       /* 0 */
	char release[KSR_PROFILE_RELEASE_MAX]; /* NUL-padded */
};

/* ksr_profile__open() (ksymres.h) keeps the verified file mapped: the
 * fastest lookups, and the whole profile (~15 MB) resident as page cache
 * mapped into the process. The lean variant verifies the file through a
 * mapping it drops window by window and then unmaps, and reads what
 * lookups need with pread, keeping those copies (half a KiB per place
 * looked at) until the profile is freed: for commands that look up a few
 * hundred names per profile. Lookups on one lean profile must not run in
 * two threads at once. */
int ksr_profile__open_lean(const char *path, struct ksr_profile **out);
/* 0, or what made lookups answer "not found" against the data, with its
 * message set again: in a lean profile the first read that failed after
 * opening; in any profile an index that a lookup found malformed (no empty
 * slot within KSR_HASH_PROBE_MAX, a name with more than KSR_KSYM_RUN_MAX
 * records: -KSR_EMALFORMED). Check it before trusting answers. */
int ksr_profile__read_error(const struct ksr_profile *prof);
/* Opens paths[0..n) into out[0..n) using up to one thread per CPU (at most
 * 8). On failure every profile is freed (out[] all NULL), the error and
 * message are those of the lowest index that failed, and *failed is that
 * index. */
int ksr_profile__open_all(const char *const *paths, size_t n, bool lean,
			  struct ksr_profile **out, size_t *failed);

/* Extracts the BTF blob from raw BTF or from an ELF file's .BTF section.
 * Points the blob at a sub-range of data. */
int ksr_btf_blob_from_file(const void *data, size_t len, const void **blob, size_t *blob_len);

/* Writes a profile from a kernel-mode-validated BTF and a parsed snapshot,
 * atomically (a temporary file, fsync, rename). */
int ksr_profile__write(const char *path, const struct ksr_btf *btf,
		       const struct ksr_kallsyms *ks, const char *release);

/* The same in steps, the same bytes: begin writes the sections that depend
 * only on the BTF into the temporary file and starts their write-back (the
 * BTF may be freed afterwards); write_kallsyms adds the kallsyms sections
 * and the headers and starts their write-back (ks may be freed afterwards;
 * on failure the writer is gone); commit fsyncs and renames; finish is
 * write_kallsyms + commit. commit and finish free the writer in every case;
 * abort removes the temporary file and frees the writer. */
struct ksr_profile_writer;
int ksr_profile__write_begin(const char *path, const struct ksr_btf *btf,
			     struct ksr_profile_writer **out);
int ksr_profile__write_kallsyms(struct ksr_profile_writer *w, const struct ksr_kallsyms *ks,
				const char *release);
int ksr_profile__write_commit(struct ksr_profile_writer *w);
int ksr_profile__write_finish(struct ksr_profile_writer *w, const struct ksr_kallsyms *ks,
			      const char *release);
void ksr_profile__write_abort(struct ksr_profile_writer *w);

const struct ksr_kallsyms *ksr_profile__kallsyms(const struct ksr_profile *prof);
const struct ksr_profile_meta *ksr_profile__meta(const struct ksr_profile *prof);
/* The profile's file name without directories (for reports). */
const char *ksr_profile__name(const struct ksr_profile *prof);
size_t ksr_profile__size(const struct ksr_profile *prof);

#endif
