/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers shared by the fuzz harnesses (fuzz/fuzz_util.c).
 *
 * Rules every harness follows: no state survives an input (no globals, every
 * allocation freed, every temporary file removed); inputs above
 * KSR_FUZZ_MAX_INPUT are skipped so one input cannot make a run allocate
 * gigabytes or take seconds; invariants are asserted with FZ_ASSERT, which
 * prints what broke and traps, so every engine records a crash. The library
 * itself never logs (errors are a thread-local message), so there is
 * nothing to silence. */
#ifndef KSR_FUZZ_COMMON_H
#define KSR_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "ksymres/ksymres.h"
#include "resolve.h"

#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#error "the fuzz harnesses are built with FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
#endif

/* Largest input any harness looks at. */
#define KSR_FUZZ_MAX_INPUT (1u << 20)
/* Work caps inside a harness: lookups that cost O(types) each are done for
 * at most this many ids, so a harness stays linear in its input. */
#define KSR_FUZZ_MAX_PROBES 64u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints the broken invariant and the library's last message, then traps. */
void fz_fail(const char *what, const char *file, int line) __attribute__((noreturn));
#define FZ_ASSERT(cond)                                   \
	do {                                              \
		if (!(cond))                              \
			fz_fail(#cond, __FILE__, __LINE__); \
	} while (0)

/* A failed parse must leave a message behind (the CLI prints it). */
void fz_check_error(int err);

/* Splits an input: fz_blob() takes a little-endian u32 length (clamped to
 * what is left, so any mutation still yields a usable split) and then that
 * many bytes; fz_rest() takes everything left. */
struct fz_reader {
	const uint8_t *p;
	size_t left;
};
bool fz_u8(struct fz_reader *r, uint8_t *v);
bool fz_u32(struct fz_reader *r, uint32_t *v);
bool fz_blob(struct fz_reader *r, const uint8_t **p, size_t *n);
void fz_rest(struct fz_reader *r, const uint8_t **p, size_t *n);

/* An exact-size heap copy, so ASan sees any read past the end. */
void *fz_dup(const void *p, size_t n);

/* The input as a file without touching the disk: a memfd and its
 * /proc/self/fd path. Returns the fd (close it) or -1. */
int fz_memfd(const void *p, size_t n, char *path, size_t path_len);

/* A private temporary directory for outputs, /dev/shm/ksr-fuzz.<pid> (or
 * under /tmp), for one input. fz_tmp_close() removes the file called "out"
 * and the directory, and traps when anything else was left behind (a
 * half-written temporary file is an invariant violation). Directories of
 * dead harness processes are removed on the next open. */
struct fz_tmp {
	char dir[64];
	char path[96];
};
bool fz_tmp_open(struct fz_tmp *t);
void fz_tmp_close(struct fz_tmp *t);

/* In a forked child that runs another implementation (libbpf): its crashes
 * are not the fuzzer's. No sanitizer death callback (libFuzzer's writes a
 * crash artifact); fatal signals and the alarm after seconds exit with 3. */
void fz_child_quiet(unsigned seconds);

/* The pipeline invariants, for an object and an opened profile: decides
 * every extern, builds the patched image and checks that an error means no
 * output; that the output re-parses with no .ksyms extern left, is the same
 * bytes when built twice, keeps code bytes outside the patched sites, holds
 * at each site the encoding of its decision (docs/manifest-format.md) and
 * carries a manifest that lists exactly those sites. */
void fz_resolve_and_check(const struct ksr_object *obj, const struct ksr_profile *prof);

/* Touches everything reachable from a parsed object: sections, symbols,
 * programs, relocations, externs, sites, .kconfig, the manifest. */
void fz_walk_object(const struct ksr_object *obj);

/* Exercises the lookups of a BTF: every type, names, the name index,
 * modifiers, DATASECs and the compatibility rules against ids of other
 * chosen by seed. parsed: btf was fully validated (ksr_btf__parse), so the
 * index must agree with a linear scan; otherwise (a profile's prebuilt
 * index) answers may be wrong but accesses must stay in bounds. */
void fz_walk_btf(const struct ksr_btf *btf, const struct ksr_btf *other, bool parsed,
		 uint32_t seed);

/* A profile written in steps with the public writer, as `ksymres profile
 * --config` writes it: the kernel config file at config (NULL: none).
 * 0 or the error (no temporary file left either way). */
int fz_profile_with_kconfig(const char *path, const struct ksr_btf *btf,
			    const struct ksr_kallsyms *ks, const struct ksr_profile_opts *opts,
			    const char *config);
/* Every .kconfig verdict of res against obj's externs: names, strings,
 * offsets inside the data, a value when set or default, a reason else. */
void fz_check_kconfig(const struct ksr_object *obj, const struct ksr_resolution *res);

/* Module parts of an input, up to FZ_MODULES_MAX x [u8 name_len][name]
 * [len][module file or raw split BTF]: fz_modules_read takes the BTF of
 * each (ksr_module_file__btf, else the raw bytes when they start with the
 * BTF magic; a part with neither is skipped) and returns how many it
 * kept; fz_profile_with_modules writes a profile of base and ks (release
 * 6.8.0-fuzz, x86_64) with them: the number added, or -1 with the writer
 * aborted and a message. Reading allocates in the harness; writing calls
 * only the library (fuzz_faults arms it alone). */
#define FZ_MODULES_MAX 4u
struct fz_module {
	char name[256];
	void *btf;
	size_t len;
};
uint32_t fz_modules_read(struct fz_reader *r, struct fz_module *m);
void fz_modules_free(struct fz_module *m, uint32_t n);
int fz_profile_with_modules(const char *path, const struct ksr_btf *base,
			    const struct ksr_kallsyms *ks, const struct fz_module *m, uint32_t n);

#endif
