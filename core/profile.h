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
#include "source.h"

#define KSR_PROFILE_MAGIC "KSRPROF"
#define KSR_PROFILE_VERSION 2u
#define KSR_PROFILE_RELEASE_MAX 128u
#define KSR_PROFILE_BUILD_ID_MAX 32u
#define KSR_PROFILE_MAX_SIZE (1u << 30)
/* The head (ELF header, section table, .ksr.meta, .shstrtab) fills the
 * first 4 KiB; the body starts there and is hashed in blocks of 4 KiB. */
#define KSR_PROFILE_BODY_OFF 4096u
#define KSR_PROFILE_BLOCK 4096u
/* Sections: the 9 required ones plus optional ones, within the head. */
#define KSR_PROFILE_MAX_SECS 32u
/* Names of sections a reader may skip when it does not know them. */
#define KSR_PROFILE_OPT_PREFIX ".ksr.opt."

enum {
	KSR_PROF_KALLSYMS_ALL = 1u << 0, /* the snapshot has data symbols */
	KSR_PROF_KFUNC_TAGS = 1u << 1,   /* the BTF carries DECL_TAG "bpf_kfunc" */
	KSR_PROF_HAS_TEXT = 1u << 2,     /* text_addr is valid */
};

/* .ksr.meta: fixed little-endian header (docs/profile-format.md). */
struct ksr_profile_meta {
	char magic[8];           /* "KSRPROF\0" */
	uint32_t version;        /* 2 */
	uint32_t flags;          /* KSR_PROF_* */
	uint64_t text_addr;      /* _text at capture */
	uint64_t head_hash;      /* XXH3-64: the head (this field as 0), then .ksr.blocks */
	uint8_t identity[16];    /* XXH3-128 of the raw BTF, big-endian halves */
	uint32_t btf_type_cnt;
	uint32_t btf_slot_cnt;
	uint32_t sym_cnt;
	uint32_t sym_slot_cnt;
	uint32_t symstr_len;
	uint16_t arch;           /* ELF e_machine of the kernel; 0 = unknown */
	uint8_t build_id_len;    /* 0 = no GNU build ID recorded */
	uint8_t reserved;        /* 0 */
	uint8_t build_id[KSR_PROFILE_BUILD_ID_MAX]; /* zero-padded */
	uint32_t block_size;     /* KSR_PROFILE_BLOCK */
	uint32_t block_cnt;
	uint64_t body_off;       /* KSR_PROFILE_BODY_OFF */
	uint64_t body_len;       /* bytes the blocks cover: up to .ksr.blocks */
	char release[KSR_PROFILE_RELEASE_MAX]; /* NUL-terminated, NUL-padded */
};

/* What a profile records besides the BTF and the kallsyms snapshot. */
struct ksr_profile_info {
	const char *release;     /* uname -r; < KSR_PROFILE_RELEASE_MAX bytes */
	uint16_t arch;           /* ELF e_machine; 0 = unknown */
	uint8_t build_id_len;    /* 0 = none */
	uint8_t build_id[KSR_PROFILE_BUILD_ID_MAX];
};

/* Profiles are opened in O(1) (ksymres.h: ksr_profile__open()): the head
 * and block table are read and verified, and each 4 KiB block of the body
 * is read with pread and verified the first time a lookup touches it, then
 * kept until the profile is freed. The file is never mapped (a file cut
 * short under a mapping faults). Lookups on one profile must not run in
 * two threads at once. */


/* Recomputes the block hashes and the head hash of a profile image in
 * place, as a forger would (tests and fuzzers): 0, or -1 when its head is
 * not laid out well enough to find them. */
int ksr_profile_fix_hashes(uint8_t *img, size_t len);

/* The .ksr.meta a profile of btf, ks and info gets (identity, flags,
 * _text, counts, release, arch, build ID): the writer's own rules. */
void ksr_profile__derive_meta(struct ksr_profile_meta *m, const struct ksr_btf *btf,
			      const struct ksr_kallsyms *ks, const struct ksr_profile_info *info);

/* A profile in memory from a kernel-mode-validated BTF and a parsed
 * snapshot, which it takes over (freed with it, or on failure): the same
 * answers as a profile written from them and opened. */
int ksr_profile__from_parsed(struct ksr_btf *btf, struct ksr_kallsyms *ks,
			     const struct ksr_profile_info *info, struct ksr_profile **out);

/* Extracts the BTF blob from raw BTF or from an ELF file's .BTF section
 * (a vmlinux, or a module). Points the blob at a sub-range of data. */
int ksr_btf_blob_from_file(const void *data, size_t len, const void **blob, size_t *blob_len);
/* The GNU build ID and ELF machine of a kernel ELF file (vmlinux): its
 * .notes section (allocated SHT_NOTE) and e_machine. A raw BTF blob, or an
 * ELF without .notes, has no build ID: 0 with it left empty. */
int ksr_kernel_elf_info(const void *data, size_t len, struct ksr_profile_info *info);
/* "x86_64", "aarch64", ... for an ELF e_machine ("unknown" for 0, "em-N"
 * for others); the e_machine for a name (uname -m; "arm64" too), 0 when
 * unknown. */
const char *ksr_arch_name(uint16_t machine);
uint16_t ksr_arch_from_name(const char *name);
/* 0 when ksymres knows the KASLR and per-CPU rules of machine (x86_64,
 * aarch64); else -ENOTSUP with a message naming it (0: "unknown"). */
int ksr_arch_kaslr_rule(uint16_t machine);
/* The GNU build ID in a run of ELF notes (/sys/kernel/notes): 0 and the ID,
 * or -ENOENT when there is none. */
int ksr_notes_build_id(const void *notes, size_t len, uint8_t id[KSR_PROFILE_BUILD_ID_MAX],
		       uint8_t *id_len);

/* Writes a profile from a kernel-mode-validated BTF and a parsed snapshot,
 * atomically (a temporary file, fsync, rename). */
int ksr_profile__write(const char *path, const struct ksr_btf *btf,
		       const struct ksr_kallsyms *ks, const struct ksr_profile_info *info);

/* The same in steps, the same bytes: begin writes the sections that depend
 * only on the BTF into the temporary file and starts their write-back (the
 * BTF may be freed afterwards); write_kallsyms adds the kallsyms sections
 * (ks may be freed afterwards; on failure the writer is gone); add_section
 * adds an optional section (name starts with KSR_PROFILE_OPT_PREFIX);
 * commit writes the block table and the head, fsyncs and renames; finish
 * is write_kallsyms + commit. commit and finish free the writer in every
 * case; abort removes the temporary file and frees the writer. */
struct ksr_profile_writer;
int ksr_profile__write_begin(const char *path, const struct ksr_btf *btf,
			     struct ksr_profile_writer **out);
int ksr_profile__write_kallsyms(struct ksr_profile_writer *w, const struct ksr_kallsyms *ks,
				const struct ksr_profile_info *info);
int ksr_profile__write_section(struct ksr_profile_writer *w, const char *name, const void *data,
			       size_t len);
int ksr_profile__write_commit(struct ksr_profile_writer *w);
/* Validates a module's split BTF on base (the BTF the writer began with)
 * and keeps it for the .ksr.opt.modbtf section, written at commit. On
 * failure the writer stays (abort it). */
int ksr_profile__write_module(struct ksr_profile_writer *w, const struct ksr_btf *base,
			      const char *name, const void *btf, size_t len);
int ksr_profile__write_finish(struct ksr_profile_writer *w, const struct ksr_kallsyms *ks,
			      const struct ksr_profile_info *info);
void ksr_profile__write_abort(struct ksr_profile_writer *w);

/* The one ELF header a profile has (both versions): ELF64 little-endian,
 * ET_REL, EM_NONE, these section-table fields, every other field 0. */
#include <elf.h>
void ksr_profile_elf_header(Elf64_Ehdr *eh, uint16_t shnum, uint16_t shstrndx, uint64_t shoff);

/* A version 1 profile (written before the format had block hashes),
 * verified fully (core/profile_v1.c): its BTF parsed with the kernel rules,
 * its symbols as a parsed snapshot equal to the file's records, and its
 * release. For 'ksymres profile --from'. */
int ksr_profile_v1__read(const uint8_t *img, size_t len, struct ksr_btf **btf,
			 struct ksr_kallsyms **ks, char release[KSR_PROFILE_RELEASE_MAX]);
/* True when img starts like a version 1 profile (for the message). */
bool ksr_profile_v1__is(const uint8_t *img, size_t len);

/* The semantic check of ksr_profile__revalidate() (core/profile_check.c)
 * on a version 2 profile's body sections .BTF, .ksr.btf.types,
 * .ksr.btf.names, .ksr.syms, .ksr.symstr, .ksr.symidx (their bytes,
 * file offsets and sizes) and its .ksr.meta. */
#define KSR_PROFILE_CHECK_SECS 6u
int ksr_profile_check_contents(const struct ksr_profile_meta *m,
			       const void *const sec[KSR_PROFILE_CHECK_SECS],
			       const uint64_t off[KSR_PROFILE_CHECK_SECS],
			       const uint64_t size[KSR_PROFILE_CHECK_SECS]);

const struct ksr_kallsyms *ksr_profile__kallsyms(const struct ksr_profile *prof);
/* Module i's split BTF view (opened on first use, kept with the profile),
 * and its identity (XXH3-128 of its raw BTF) as 32 hex digits. */
int ksr_profile__module_btf(const struct ksr_profile *prof, uint32_t i, const struct ksr_btf **btf);
void ksr_profile__module_identity(const struct ksr_profile *prof, uint32_t i, char hex[33]);
const struct ksr_profile_meta *ksr_profile__meta(const struct ksr_profile *prof);
size_t ksr_profile__size(const struct ksr_profile *prof);
/* Optional sections (KSR_PROFILE_OPT_PREFIX*), in file order: the name of
 * the i-th and its bytes as a span (read and verified like the rest), or
 * NULL past the last. */
/* Section i of the file's table (the null section left out): its name,
 * offset and size; NULL past the last. */
const char *ksr_profile__section_at(const struct ksr_profile *prof, uint32_t i, uint64_t *off,
				    uint64_t *size, bool *optional);
uint32_t ksr_profile__optional_cnt(const struct ksr_profile *prof);
const char *ksr_profile__optional(const struct ksr_profile *prof, uint32_t i,
				  struct ksr_span *span);

#endif
