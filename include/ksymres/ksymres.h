/* SPDX-License-Identifier: BSD-2-Clause */
/* libksymres: offline resolution of BPF __ksym externs against kernel
 * profiles. Objects are opaque; errors are negative errno values and leave a
 * one-line message in ksr_errmsg(). -EBADMSG means malformed input. */
#ifndef KSYMRES_KSYMRES_H
#define KSYMRES_KSYMRES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KSR_API __attribute__((visibility("default")))

#define KSYMRES_VERSION_MAJOR 0
#define KSYMRES_VERSION_MINOR 1

KSR_API const char *ksr_errmsg(void);

/* ---- BTF ---------------------------------------------------------------- */
struct ksr_btf;

enum ksr_btf_mode {
	KSR_BTF_MODE_OBJECT = 0, /* accepts what clang emits for .ksyms/.kconfig */
	KSR_BTF_MODE_KERNEL = 1, /* as strict as the kernel's BTF checker */
};

/* Copies and fully validates a raw BTF blob. */
KSR_API int ksr_btf__parse(const void *data, size_t size, enum ksr_btf_mode mode,
			   struct ksr_btf **out);
KSR_API void ksr_btf__free(struct ksr_btf *btf);
/* Number of type ids including void (id 0). */
KSR_API uint32_t ksr_btf__type_cnt(const struct ksr_btf *btf);
/* Lowest id of a VAR or FUNC (BTF_KIND_VAR / BTF_KIND_FUNC) named name, or
 * -ENOENT. O(1). */
KSR_API int ksr_btf__find(const struct ksr_btf *btf, const char *name, unsigned int kind);
KSR_API const char *ksr_btf__name(const struct ksr_btf *btf, uint32_t id);

/* ---- kernel profiles ---------------------------------------------------- */
struct ksr_profile;

/* Opens a profile in O(1): its head and block table are read and verified;
 * each 4 KiB block of the rest is verified when a lookup first reads it
 * (docs/profile-format.md). The file is read with pread, never mapped: a
 * file changed while it is read is an error, never a crash. */
KSR_API int ksr_profile__open(const char *path, struct ksr_profile **out);
KSR_API void ksr_profile__free(struct ksr_profile *prof);
KSR_API const char *ksr_profile__release(const struct ksr_profile *prof);
/* 32 lowercase hex digits: XXH3-128 of the raw vmlinux BTF. */
KSR_API const char *ksr_profile__identity(const struct ksr_profile *prof);
KSR_API const struct ksr_btf *ksr_profile__btf(const struct ksr_profile *prof);

/* ---- BPF objects and their externs -------------------------------------- */
struct ksr_object;

enum ksr_extern_kind {
	KSR_EXTERN_VAR = 0,      /* typed variable */
	KSR_EXTERN_TYPELESS = 1, /* extern const void x __ksym */
	KSR_EXTERN_FUNC = 2,     /* kfunc */
};

enum ksr_site_insn {
	KSR_SITE_LD64 = 0, /* ld_imm64 (address of the symbol) */
	KSR_SITE_CALL = 1, /* call */
};

struct ksr_site {
	uint32_t sec_idx;       /* ELF section index of the instruction */
	const char *sec_name;
	const char *prog_name;  /* program or subprogram containing it */
	uint64_t insn_off;      /* byte offset within the section */
	enum ksr_site_insn insn;
};

struct ksr_extern {
	const char *name;
	enum ksr_extern_kind kind;
	bool weak;
	uint32_t sym_idx;       /* .symtab index */
	uint32_t btf_id;        /* the object's VAR or FUNC */
	uint32_t type_id;       /* local type after modifiers/typedefs (0 = typeless); FUNC_PROTO for kfuncs */
	uint32_t essent_len;    /* name length without a ___flavour suffix */
	uint32_t libbpf_idx;    /* index in libbpf's sorted extern array (poison constants) */
	uint32_t site_cnt;
	const struct ksr_site *sites;
};

/* Reads and fully validates a BPF ELF object (ELF, symbols, relocations,
 * .BTF, .BTF.ext, externs). */
KSR_API int ksr_object__open(const char *path, struct ksr_object **out);
KSR_API int ksr_object__open_mem(const void *data, size_t size, struct ksr_object **out);
KSR_API void ksr_object__free(struct ksr_object *obj);
/* .ksyms externs only, sorted by name. */
KSR_API size_t ksr_object__extern_cnt(const struct ksr_object *obj);
KSR_API const struct ksr_extern *ksr_object__extern(const struct ksr_object *obj, size_t i);
KSR_API const struct ksr_btf *ksr_object__btf(const struct ksr_object *obj);
KSR_API const char *ksr_object__license(const struct ksr_object *obj);

#ifdef __cplusplus
}
#endif
#endif
