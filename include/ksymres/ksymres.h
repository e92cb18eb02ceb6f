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

/* Options structs follow libbpf's convention: the first field, sz, is the
 * size of the struct as the caller was compiled with it (set it with
 * sizeof). A library newer than the caller treats fields past sz as unset;
 * a library older than the caller refuses (-EINVAL) a struct with non-zero
 * bytes past the fields it knows. NULL means every default. */

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

struct ksr_profile_opts {
	size_t sz;
	const char *release;     /* uname -r of the kernel; default "unknown" */
	const char *arch;        /* "x86_64", "aarch64", ...; default: a vmlinux ELF's e_machine */
	const uint8_t *build_id; /* GNU build ID; default: a vmlinux ELF's .notes, else none */
	size_t build_id_len;     /* 1..32 with build_id */
};

/* A profile from its parts: btf is raw vmlinux BTF or a vmlinux ELF, and
 * kallsyms a /proc/kallsyms or System.map text; both are fully validated,
 * as `ksymres profile` validates them. create writes the profile file
 * (atomically); open_mem makes the profile in memory only, for a host
 * that resolves against itself. */
KSR_API int ksr_profile__create(const char *path, const void *btf, size_t btf_len,
				const char *kallsyms, size_t kallsyms_len,
				const struct ksr_profile_opts *opts);
KSR_API int ksr_profile__open_mem(const void *btf, size_t btf_len, const char *kallsyms,
				  size_t kallsyms_len, const struct ksr_profile_opts *opts,
				  struct ksr_profile **out);
/* The profile's GNU build ID as hex ("" when it recorded none) and arch. */
KSR_API const char *ksr_profile__build_id(const struct ksr_profile *prof);
KSR_API const char *ksr_profile__arch(const struct ksr_profile *prof);

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

/* ---- resolution: every extern of an object decided against a profile ---- */
struct ksr_resolution;

/* Decides every .ksyms extern of obj against prof as libbpf would on that
 * kernel (ksymres resolve / check). obj and prof must outlive it. A profile
 * that cannot be read (damaged block, file changed) is an error. */
KSR_API int ksr_resolution__new(const struct ksr_object *obj, const struct ksr_profile *prof,
				struct ksr_resolution **out);
KSR_API void ksr_resolution__free(struct ksr_resolution *res);
/* True when every extern is resolved or weak_unresolved: the object can be
 * patched and its programs loaded on that kernel. */
KSR_API bool ksr_resolution__runnable(const struct ksr_resolution *res);
/* Extern i (as ksr_object__extern(obj, i)): "resolved", "weak_unresolved",
 * "missing", "incompatible" or "unloadable", and why ("" when resolved). */
KSR_API const char *ksr_resolution__status(const struct ksr_resolution *res, size_t i);
KSR_API const char *ksr_resolution__reason(const struct ksr_resolution *res, size_t i);

struct ksr_patch_opts {
	size_t sz;               /* nothing else yet: room for what patching will take */
};

/* The patched object of a runnable resolution (-EINVAL otherwise): into a
 * malloc()ed buffer (free() it), or written to path atomically. The bytes
 * are those `ksymres resolve` writes. */
KSR_API int ksr_resolution__patch(const struct ksr_resolution *res,
				  const struct ksr_patch_opts *opts, void **buf, size_t *len);
KSR_API int ksr_resolution__write(const struct ksr_resolution *res, const char *path,
				  const struct ksr_patch_opts *opts);

/* ---- patched objects: the manifest, and KASLR ---------------------------- */
struct ksr_manifest_info {
	size_t sz;
	char identity[33];       /* the profile's identity */
	char build_id[65];       /* the profile's GNU build ID as hex; "" = none */
	char release[128];
	uint64_t text_addr;      /* _text of the profiled boot */
	uint32_t site_cnt;       /* patched instructions */
};

/* The manifest ksymres wrote into a patched object; -ENOENT when obj has
 * none (it was not patched by ksymres). */
KSR_API int ksr_object__manifest(const struct ksr_object *obj, struct ksr_manifest_info *info);
/* Moves the addresses of a patched object image that follow the kernel
 * image's KASLR slide to a boot whose _text is text_addr, in place, after
 * checking every recorded site against the instructions. *rebased: how
 * many moved. Module addresses cannot move: -EXDEV. */
KSR_API int ksr_image__rebase(void *img, size_t len, uint64_t text_addr, uint32_t *rebased);

#ifdef __cplusplus
}
#endif
#endif
