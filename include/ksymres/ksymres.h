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

/* ---- files: how ksymres reads its inputs and writes its outputs ---------- */
#define KSR_INPUT_MAX (256u << 20) /* the cap on any input file ksymres reads */

struct ksr_io_opts {
	size_t sz;
	bool track_inputs;       /* refuse to write an output over an input read since */
	bool remove_temps_on_signals; /* SIGINT/SIGTERM/SIGHUP remove the temporary files being written */
};

/* Process-wide I/O settings (a tool's main() sets them once). */
KSR_API int ksr_io__configure(const struct ksr_io_opts *opts);
/* The input policy every reader of the library follows: a regular file of at
 * most max bytes (-EBADMSG otherwise, before reading; procfs files are
 * bounded while read). open returns a blocking read-only descriptor; read
 * gives the whole file in a malloc()ed buffer with a NUL byte after it;
 * map gives a read-only mapping (undo it with ksr_input__unmap()). */
KSR_API int ksr_input__open(const char *path, size_t max);
KSR_API int ksr_input__read(const char *path, size_t max, void **buf, size_t *len);
KSR_API int ksr_input__map(const char *path, size_t max, const void **data, size_t *len);
KSR_API void ksr_input__unmap(const void *data, size_t len);
/* Writes data to path atomically (temporary file, fsync, rename) under the
 * output policy: never over a directory, device, FIFO or socket, never over
 * a tracked input; a replaced file keeps a stricter mode. */
KSR_API int ksr_output__write(const char *path, const void *data, size_t len);

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
/* Kernel BTF from a file's bytes, raw vmlinux BTF or a vmlinux ELF's .BTF,
 * validated with the kernel's rules without a copy: data must outlive btf. */
KSR_API int ksr_btf__parse_kernel(const void *data, size_t size, struct ksr_btf **out);
/* A kernel module's split BTF (/sys/kernel/btf/<module>, a .ko's .BTF) on
 * top of base, a vmlinux BTF: its ids continue after base's last one, its
 * string offsets after base's string section. Copied and validated with
 * the kernel's rules for module BTF. base must outlive btf; ksr_btf__find()
 * on it finds the module's own VARs and FUNCs only (libbpf's rule). */
KSR_API int ksr_btf__parse_split(const void *data, size_t size, const struct ksr_btf *base,
				 struct ksr_btf **out);
/* The identity a profile of this raw vmlinux BTF has (ksr_profile__identity()):
 * 32 lowercase hex digits of its XXH3-128. */
KSR_API void ksr_kernel_identity(const void *raw_btf, size_t size, char hex[33]);

/* ---- kernel facts: build ID, architecture, kallsyms --------------------- */
struct ksr_build_id {
	uint8_t len;             /* 1..32; 0 = none */
	uint8_t data[32];
	char hex[65];            /* len bytes as lowercase hex ("" = none) */
};

/* The GNU build ID in a run of ELF notes (/sys/kernel/notes): 0, or -ENOENT
 * when there is none. */
KSR_API int ksr_build_id__from_notes(const void *notes, size_t len, struct ksr_build_id *id);
/* The ELF e_machine and GNU build ID (.notes) of a vmlinux ELF; raw BTF, or
 * an ELF without .notes, has 0 and no build ID. */
KSR_API int ksr_vmlinux__identify(const void *data, size_t len, uint16_t *machine,
				  struct ksr_build_id *id);
/* "x86_64", "aarch64", ... for an ELF e_machine ("unknown" for 0, "em-N"
 * for others), and the e_machine for such a name (uname -m; "arm64" too),
 * 0 when unknown. */
KSR_API const char *ksr_arch__name(uint16_t machine);
KSR_API uint16_t ksr_arch__machine(const char *name);
/* 0 when ksymres knows which addresses move with KASLR on machine (x86_64,
 * aarch64: docs/profile-format.md, "Architectures"); -ENOTSUP otherwise,
 * 0 (unknown) included. */
KSR_API int ksr_arch__kaslr_rule(uint16_t machine);

/* A parsed kallsyms snapshot (/proc/kallsyms or System.map text). */
struct ksr_kallsyms;
KSR_API int ksr_kallsyms__parse(const char *text, size_t len, struct ksr_kallsyms **out);
KSR_API void ksr_kallsyms__free(struct ksr_kallsyms *ks);
/* The same for text that arrives in pieces: each feed parses the complete
 * lines of text[0..len) and sets *used to their length (keep the rest at the
 * front of the buffer); a feed of KSR_KALLSYMS_LINE_MAX bytes always uses
 * some or fails. finish parses the final rest and gives what parse would;
 * it frees the stream in every case, free abandons one. Errors are sticky. */
#define KSR_KALLSYMS_LINE_MAX 4096u
struct ksr_kallsyms_stream;
KSR_API int ksr_kallsyms_stream__new(struct ksr_kallsyms_stream **out);
KSR_API int ksr_kallsyms_stream__feed(struct ksr_kallsyms_stream *st, const char *text,
				      size_t len, size_t *used);
KSR_API int ksr_kallsyms_stream__finish(struct ksr_kallsyms_stream *st, const char *text,
					size_t len, struct ksr_kallsyms **out);
KSR_API void ksr_kallsyms_stream__free(struct ksr_kallsyms_stream *st);
/* The address of _text (this boot's kernel image) from a kallsyms file,
 * reading only the lines up to it: 0, or -ENOENT when it is not there. */
KSR_API int ksr_kallsyms__find_text(const char *path, uint64_t *addr);

/* ---- kernel profiles ---------------------------------------------------- */
struct ksr_profile;

/* Opens a profile in O(1): its head and block table are read and verified;
 * each 4 KiB block of the rest is verified when a lookup first reads it
 * (docs/profile-format.md). The file is read with pread, never mapped: a
 * file changed while it is read is an error, never a crash. */
KSR_API int ksr_profile__open(const char *path, struct ksr_profile **out);
KSR_API void ksr_profile__free(struct ksr_profile *prof);
/* Frees the blocks that lookups have read so far (a profile kept open once
 * its answers are taken); later lookups read and verify them again.
 * Pointers that lookups returned before are invalid afterwards. */
KSR_API void ksr_profile__drop_cache(struct ksr_profile *prof);
/* For a profile kept open across many questions (a server): frees the
 * recent blocks kept for nearby reads, and, when what lookups have read
 * (their copies and the block hashes) still takes more than keep bytes,
 * drops it as ksr_profile__drop_cache() does. So the next question about
 * the same names costs no read, and memory stays under about keep bytes
 * per profile between questions. Returns the bytes it still holds. */
KSR_API size_t ksr_profile__trim(struct ksr_profile *prof, size_t keep);
/* Reads every block of the profile's body and checks each block's hash
 * (O(size), where opening is O(1)): 0, or -EBADMSG naming the first
 * damaged block (lookups in prof then fail too, as after any failed
 * read). For a file that came from elsewhere (a store's upload) before it
 * is trusted; the semantic checks of the BTF and kallsyms indexes are not
 * repeated. A profile made in memory has nothing to check: 0. */
KSR_API int ksr_profile__verify(struct ksr_profile *prof);
/* What the hashes cannot show: rebuilds the profile's indexes and the
 * .ksr.meta values they determine from its own .BTF (validated with the
 * kernel's rules, as `ksymres profile` validates --btf) and its kallsyms
 * records (read back as kallsyms text and parsed with the strict grammar)
 * and compares them byte for byte with its sections: 0, or -EBADMSG naming
 * the first section that differs (a profile forged under correct hashes).
 * O(size) time, about twice the profile's size in memory while it runs;
 * reads (and so verifies) every body section. A profile made in memory:
 * 0. */
KSR_API int ksr_profile__revalidate(struct ksr_profile *prof);
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
	uint16_t machine;        /* ELF e_machine, when arch is NULL; 0 = default */
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
/* 0, or what made lookups in prof answer "not found" against its data:
 * the first read that failed after opening (an I/O error, the file changed,
 * a damaged block) or an index found malformed, with its message set again.
 * Resolutions check it; check it before trusting other answers. */
KSR_API int ksr_profile__read_error(const struct ksr_profile *prof);
/* The profile's file name without directories. */
KSR_API const char *ksr_profile__name(const struct ksr_profile *prof);
/* Opens paths[0..n) into out[0..n), as `ksymres check` does (on one thread
 * per CPU, at most 8, from 8 profiles on); each holds only its head until a
 * lookup reads. On failure every
 * profile is freed (out[] all NULL) and *failed is the index that failed. */
KSR_API int ksr_profile__open_all(const char *const *paths, size_t n, struct ksr_profile **out,
				  size_t *failed);
/* A profile in memory from a kernel-mode BTF (ksr_btf__parse_kernel() or
 * ksr_btf__parse() in KSR_BTF_MODE_KERNEL) and a snapshot, which it takes
 * over: they are freed with it, or on failure. */
KSR_API int ksr_profile__new(struct ksr_btf *btf, struct ksr_kallsyms *ks,
			     const struct ksr_profile_opts *opts, struct ksr_profile **out);

enum {
	KSR_PROFILE_KALLSYMS_ALL = 1u << 0, /* the snapshot has data symbols */
	KSR_PROFILE_KFUNC_TAGS = 1u << 1,   /* the BTF tags kfuncs ("bpf_kfunc") */
	KSR_PROFILE_HAS_TEXT = 1u << 2,     /* _text of the profiled boot is known */
};

struct ksr_profile_summary {
	size_t sz;
	uint32_t format_version;
	uint32_t flags;          /* KSR_PROFILE_* */
	uint64_t text_addr;      /* with KSR_PROFILE_HAS_TEXT */
	uint32_t btf_type_cnt;   /* without void */
	uint32_t sym_cnt;        /* kallsyms records */
	uint64_t file_size;
	uint32_t block_size;     /* the body is verified in blocks of this size */
	uint32_t block_cnt;
};

/* What `ksymres profile --info` shows besides the strings above. */
KSR_API int ksr_profile__summary(const struct ksr_profile *prof, struct ksr_profile_summary *s);
struct ksr_profile_section {
	size_t sz;
	const char *name;
	uint64_t offset;         /* in the file */
	uint64_t size;
	bool optional;           /* ".ksr.opt.*": readers that do not know it skip it */
};

/* The kernel modules whose BTF the profile carries, in name order. */
KSR_API uint32_t ksr_profile__module_cnt(const struct ksr_profile *prof);
KSR_API const char *ksr_profile__module_name(const struct ksr_profile *prof, uint32_t i);
/* The .BTF of a kernel module file (.ko, or .ko.xz / .ko.zst, decompressed
 * here, at most KSR_INPUT_MAX bytes): a malloc()ed copy; -ENOENT when it
 * has none. A module with distilled base BTF (.BTF.base) is refused. */
KSR_API int ksr_module_file__btf(const void *data, size_t len, void **btf, size_t *btf_len);

/* The sections of a profile file in file order, the ELF null section left
 * out (none for a profile made in memory): -ENOENT past the last. */
KSR_API uint32_t ksr_profile__section_cnt(const struct ksr_profile *prof);
KSR_API int ksr_profile__section(const struct ksr_profile *prof, uint32_t i,
				 struct ksr_profile_section *sec);

/* Writing a profile in steps, the bytes ksr_profile__create() writes: new
 * writes the sections of btf (a kernel-mode BTF, free to go afterwards) to a
 * temporary file beside path and starts their write-back; add_kallsyms adds
 * the snapshot's (ks may go afterwards) and opts' release, arch and build
 * ID; commit writes the rest, fsyncs and renames. add_kallsyms frees the
 * writer when it fails, commit in every case; abort drops an unfinished one
 * and its temporary file. */
struct ksr_profile_writer;
KSR_API int ksr_profile_writer__new(const char *path, const struct ksr_btf *btf,
				    struct ksr_profile_writer **out);
KSR_API int ksr_profile_writer__add_kallsyms(struct ksr_profile_writer *w,
					     const struct ksr_kallsyms *ks,
					     const struct ksr_profile_opts *opts);
/* Adds a kernel module's BTF (/sys/kernel/btf/<name>, or a module file's
 * .BTF: ksr_module_file__btf()), validated as split BTF on base, the BTF
 * the writer was made with (still alive); written as the optional section
 * .ksr.opt.modbtf at commit. On failure the writer stays: abort it. */
KSR_API int ksr_profile_writer__add_module(struct ksr_profile_writer *w,
					   const struct ksr_btf *base, const char *name,
					   const void *btf, size_t len);
KSR_API int ksr_profile_writer__commit(struct ksr_profile_writer *w);
KSR_API void ksr_profile_writer__abort(struct ksr_profile_writer *w);

/* The kernel config (a /boot/config-* or /proc/config.gz, plain or gzip)
 * as the profile's optional section .ksr.opt.kconfig: call after
 * add_kallsyms, before commit. -EBADMSG for a config over the bounds
 * (16 MiB, lines of 4095 bytes, 2^20 CONFIG_ lines) or a NUL byte, with
 * the line and offset; the writer is freed when it fails. */
KSR_API int ksr_profile_writer__add_kconfig(struct ksr_profile_writer *w, const char *path);
/* The profile's config: 0 with the CONFIG_ names it records and the first
 * line libbpf refuses (0 = none), -ENOENT when it records none. */
KSR_API int ksr_profile__kconfig(const struct ksr_profile *prof, uint32_t *entries,
				 uint32_t *bad_line);

/* A version 1 profile (before block hashes), verified fully: its BTF, its
 * snapshot and its release (release holds 128 bytes), to be written again. */
KSR_API int ksr_profile__parse_v1(const void *img, size_t len, struct ksr_btf **btf,
				  struct ksr_kallsyms **ks, char release[128]);

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
/* .kconfig externs, in libbpf's order (alignment desc, size asc, name). */
KSR_API size_t ksr_object__kconfig_extern_cnt(const struct ksr_object *obj);
KSR_API const struct ksr_extern *ksr_object__kconfig_extern(const struct ksr_object *obj, size_t i);
/* -EBADMSG when obj references externs from more instructions than a
 * patched object's manifest can record (`resolve` checks it first). */
KSR_API int ksr_object__check_patch_limits(const struct ksr_object *obj);

/* ---- resolution: every extern of an object decided against a profile ---- */
struct ksr_resolution;

enum ksr_status {
	KSR_STATUS_RESOLVED,
	KSR_STATUS_WEAK_UNRESOLVED,
	KSR_STATUS_MISSING,
	KSR_STATUS_INCOMPATIBLE,
	KSR_STATUS_UNLOADABLE,
};

/* How a resolved typeless address behaves across boots. */
enum ksr_addr_class {
	KSR_ADDR_KERNEL,   /* core image: moves with the KASLR slide of _text */
	KSR_ADDR_FIXED,    /* absolute (per-CPU offsets before 6.15): never moves */
	KSR_ADDR_MODULE,   /* module or [bpf]/ftrace: its own random base */
};

/* One extern's decision. */
struct ksr_verdict {
	enum ksr_status status;
	uint32_t btf_id;               /* the kernel's VAR or FUNC (typed externs) */
	uint64_t addr;                 /* typeless: the address (0 when weak_unresolved) */
	enum ksr_addr_class addr_class; /* typeless, resolved */
	const char *reason;            /* why it is not resolved; "" when resolved */
	const char *note;              /* what could not be checked offline; may be "" */
	const char *module;            /* typed, in a module's BTF: its name (the module must
					* be loaded); "" = vmlinux */
};

/* "resolved", "weak_unresolved", "missing", "incompatible", "unloadable";
 * ok: the statuses that let an object run (resolved, weak_unresolved). */
KSR_API const char *ksr_status_str(enum ksr_status s);
KSR_API bool ksr_status_ok(enum ksr_status s);

/* Decides every .ksyms extern of obj against prof as libbpf would on that
 * kernel (ksymres resolve / check). obj and prof must outlive it. A profile
 * that cannot be read (damaged block, file changed) is an error. */
KSR_API int ksr_resolution__new(const struct ksr_object *obj, const struct ksr_profile *prof,
				struct ksr_resolution **out);
KSR_API void ksr_resolution__free(struct ksr_resolution *res);

struct ksr_batch_opts {
	size_t sz;
	unsigned int threads;    /* 0: one per online CPU, at most 8 */
	bool drop_cache;         /* free what each profile read once it is decided */
};

/* ksr_resolution__new of obj against profs[0..n) into out[0..n), the
 * profiles decided in parallel (each by one thread at a time). On failure
 * out[] is all NULL, *failed is the lowest index that failed (0 when the
 * batch itself ran out of memory) and the message is its. */
KSR_API int ksr_resolution__new_batch(const struct ksr_object *obj,
				      struct ksr_profile *const *profs, size_t n,
				      const struct ksr_batch_opts *opts,
				      struct ksr_resolution **out, size_t *failed);
/* True when every extern is resolved or weak_unresolved: the object can be
 * patched and its programs loaded on that kernel. */
KSR_API bool ksr_resolution__runnable(const struct ksr_resolution *res);
/* Extern i (as ksr_object__extern(obj, i)): "resolved", "weak_unresolved",
 * "missing", "incompatible" or "unloadable", and why ("" when resolved). */
KSR_API const char *ksr_resolution__status(const struct ksr_resolution *res, size_t i);
KSR_API const char *ksr_resolution__reason(const struct ksr_resolution *res, size_t i);
/* The externs decided (an object's: ksr_object__extern(); a re-resolved
 * image's: rebuilt from its manifest) and the decision of each; NULL past
 * the last. */
KSR_API size_t ksr_resolution__extern_cnt(const struct ksr_resolution *res);
KSR_API const struct ksr_extern *ksr_resolution__extern(const struct ksr_resolution *res,
							size_t i);
KSR_API const struct ksr_verdict *ksr_resolution__verdict(const struct ksr_resolution *res,
							  size_t i);

/* .kconfig externs, as libbpf 1.1 would fill them on that kernel. */
enum ksr_kconfig_status {
	KSR_KCONFIG_SET,         /* from the config, or a LINUX_* value libbpf computes */
	KSR_KCONFIG_DEFAULT,     /* weak, not set: 0 */
	KSR_KCONFIG_MISSING,     /* strong, not in the config: the load fails */
	KSR_KCONFIG_INVALID,     /* a value (or a config) libbpf refuses: the load fails */
	KSR_KCONFIG_UNKNOWN,     /* the profile lacks what it takes (no config, no release) */
};

struct ksr_kconfig_verdict {
	const char *name;
	bool weak;
	const char *type;        /* "bool", "tristate", "char", "int", "char[]" */
	enum ksr_kconfig_status status;
	const char *value;       /* set or default: as the program sees it; else "" */
	const char *reason;      /* why not set; "" otherwise */
	uint32_t offset;         /* in libbpf's .kconfig map */
	uint32_t size;
};

/* "set", "default", "missing", "invalid", "unknown". */
KSR_API const char *ksr_kconfig_status_str(enum ksr_kconfig_status s);
/* The object's .kconfig externs in libbpf's order (alignment, size, name)
 * with their decisions; NULL past the last. missing and invalid make the
 * resolution not runnable; unknown does not (nothing is known to fail). */
KSR_API size_t ksr_resolution__kconfig_cnt(const struct ksr_resolution *res);
KSR_API const struct ksr_kconfig_verdict *ksr_resolution__kconfig(const struct ksr_resolution *res,
								  size_t i);
/* The .kconfig map's bytes as libbpf would fill them (len 0 when none). */
KSR_API const uint8_t *ksr_resolution__kconfig_data(const struct ksr_resolution *res, size_t *len);

struct ksr_patch_opts {
	size_t sz;
	/* write the .kconfig externs' values (every one set or default) into
	 * the object, section .rodata.ksr_kconfig, instead of leaving them to
	 * libbpf and the host's config (docs/manifest-format.md) */
	bool bake_kconfig;
};

/* The patched object of a runnable resolution of an object (-EINVAL
 * otherwise; a re-resolved image is rewritten in place): into a malloc()ed
 * buffer (free() it), or written to path atomically. The bytes are those
 * `ksymres resolve` writes. */
KSR_API int ksr_resolution__patch(const struct ksr_resolution *res,
				  const struct ksr_patch_opts *opts, void **buf, size_t *len);
KSR_API int ksr_resolution__write(const struct ksr_resolution *res, const char *path,
				  const struct ksr_patch_opts *opts);

/* ---- patched objects: the manifest, and KASLR ---------------------------- */
#define KSR_MANIFEST_SECTION ".ksr.manifest" /* what ksymres adds to an object it patched */

struct ksr_manifest_info {
	size_t sz;
	char identity[33];       /* the profile's identity */
	char build_id[65];       /* the profile's GNU build ID as hex; "" = none */
	char release[128];
	uint64_t text_addr;      /* _text of the profiled boot */
	uint32_t site_cnt;       /* patched instructions */
	uint32_t prof_flags;     /* the profile's KSR_PROFILE_* flags */
	uint16_t arch;           /* the profile's ELF e_machine; 0 unknown */
	uint32_t module_cnt;     /* modules whose BTF has externs (manifest version 3) */
};

/* The patched sites of an image, by what rebasing does to them. */
struct ksr_manifest_sites {
	size_t sz;
	uint32_t btf_ids;        /* BTF ids: stay */
	uint32_t zero;           /* weak, unresolved: stay */
	uint32_t poison;         /* weak kfunc calls: stay */
	uint32_t addr_kernel;    /* move with the KASLR slide of _text */
	uint32_t addr_fixed;     /* absolute: stay */
	uint32_t addr_module;    /* cannot be moved */
	uint32_t module;         /* module externs' sites: left unbound, bound at load */
};

/* The manifest ksymres wrote into a patched object; -ENOENT when obj has
 * none (it was not patched by ksymres). A caller built with an older,
 * smaller struct gets the fields it has. */
KSR_API int ksr_object__manifest(const struct ksr_object *obj, struct ksr_manifest_info *info);
/* Moves the addresses of a patched object image that follow the kernel
 * image's KASLR slide to a boot whose _text is text_addr, in place, after
 * checking every recorded site against the instructions. *rebased: how
 * many moved. Module addresses cannot move: -EXDEV. */
KSR_API int ksr_image__rebase(void *img, size_t len, uint64_t text_addr, uint32_t *rebased);
/* ksr_image__rebase() of img, already opened as obj by ksr_object__open_mem():
 * no second parse. A site that does not match img's bytes is refused. */
KSR_API int ksr_object__rebase_image(const struct ksr_object *obj, void *img, size_t len,
				     uint64_t text_addr, uint32_t *rebased);
/* Checks every site the manifest of obj records against its instructions
 * (-EBADMSG naming the first that differs: altered after ksymres wrote
 * it) and counts them (sites may be NULL). -ENOENT without a manifest. */
KSR_API int ksr_object__verify_manifest(const struct ksr_object *obj,
					struct ksr_manifest_sites *sites);
/* Decides every extern the manifest of a patched image records again
 * against prof (a profile of the host: typed variables by name only, their
 * local type is gone) and, when all may run, rewrites their sites in img.
 * The resolution reports them; img must outlive it. A profile that cannot
 * be read is an error, and img is then left as it was. */
KSR_API int ksr_image__reresolve(void *img, size_t len, const struct ksr_profile *prof,
				 struct ksr_resolution **out);

/* ---- module externs (manifest version 3) ---------------------------------
 * resolve leaves the sites of externs found in a module's BTF as the
 * compiler wrote them (libbpf can resolve them where the module is loaded)
 * and records each module's name and BTF identity and each site's id. */
#define KSR_MANIFEST_MODULE_NAME_MAX 56
/* Module i of the manifest's table: its name and the identity (XXH3-128 of
 * /sys/kernel/btf/<name>, as ksr_kernel_identity() computes it) of the
 * build the object was resolved against. -ENOENT past the last. */
KSR_API int ksr_object__manifest_module(const struct ksr_object *obj, uint32_t i,
					char name[KSR_MANIFEST_MODULE_NAME_MAX], char identity[33]);
/* The module (index in the table) and its FUNC / VAR id of the module
 * extern name; -ENOENT when the manifest records none of that name. */
KSR_API int ksr_object__module_extern(const struct ksr_object *obj, const char *name,
				      uint32_t *mod, uint32_t *btf_id);
/* A new image (malloc()ed, free() it) of a patched image whose module
 * externs are bound for the kernel: module i's BTF object is btf_fds[i]
 * (fd_cnt = the manifest's module_cnt) and takes slot i + 1 of the
 * program's fd_array, which the caller passes at BPF_PROG_LOAD (kfunc
 * calls carry the slot in off; module variables carry the fd itself). No
 * .ksyms extern is left for libbpf. The module sites are verified first
 * (the others may have been rebased in img already). */
KSR_API int ksr_image__bind_modules(const void *img, size_t len, const int *btf_fds,
				    uint32_t fd_cnt, void **out, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
