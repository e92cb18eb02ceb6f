// SPDX-License-Identifier: BSD-2-Clause
/* Allocation and read failures inside the parsers.
 *
 * Input: [u8 entry][u16 seed, little-endian][payload]. The entry picks the
 * library calls on the payload: 0 raw BTF (both rule sets), 1 kallsyms
 * text, 2 a BPF object, 3 a profile file (open and verify), 4 kernel config
 * text, 5 a module file (.ko, .ko.xz, .ko.zst), 6 the offline pipeline
 * (profile written, opened, externs decided, object patched); the call runs once to
 * count the allocations and reads it makes (n), then again with each of
 * them failing in turn (at most 64, spread from the seed when there are
 * more): malloc, calloc, realloc, aligned_alloc,
 * strdup and strndup return NULL, pread and fsync fail with EIO, write
 * and pwrite with ENOSPC, rename with EXDEV. The library's
 * own references to those functions are routed here by the linker
 * (fuzz_faults.ldflags: --wrap), so the harness and the engine allocate as
 * usual.
 *
 * Invariants: a call that fails returns an error, leaves a message and no
 * object; one that succeeds although a failure was injected (an optional
 * cache) still gives an object that the usual walks accept; nothing leaks
 * (LeakSanitizer) whichever allocation failed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "patch.h"
#include "profile.h"
#include "resolve.h"
#include "fuzz_common.h"
#include "kallsyms.h"
#include "kconfig.h"
#include "modbtf.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
ssize_t __real_pread(int fd, void *buf, size_t n, off_t off);
ssize_t __real_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t __real_write(int fd, const void *buf, size_t n);
int __real_fsync(int fd);
int __real_rename(const char *from, const char *to);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_aligned_alloc(size_t a, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off);
ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
int __wrap_fsync(int fd);
int __wrap_rename(const char *from, const char *to);

/* Armed only around the library call under test (the harness, its
 * helpers and the engine are linked with the same --wrap): calls counts
 * the calls seen while armed, fail_at is the one that fails (1-based;
 * 0 = none), fired says it did. */
struct faults {
	bool armed;
	unsigned long calls, fail_at;
	bool fired;
	const char *what;             /* the function that failed */
};
static struct faults F;

static bool fail(const char *what)
{
	if (!F.armed)
		return false;
	if (++F.calls != F.fail_at)
		return false;
	F.fired = true;
	F.what = what;
	return true;
}

/* NULL with errno ENOMEM, as the allocators fail (libelf reads errno) */
static void *oom(void)
{
	errno = ENOMEM;
	return NULL;
}

void *__wrap_malloc(size_t n)
{
	return fail("malloc") ? oom() : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
	return fail("calloc") ? oom() : __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fail("realloc") ? oom() : __real_realloc(p, n);
}

void *__wrap_aligned_alloc(size_t a, size_t n)
{
	return fail("aligned_alloc") ? oom() : __real_aligned_alloc(a, n);
}

char *__wrap_strdup(const char *s)
{
	return fail("strdup") ? oom() : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	return fail("strndup") ? oom() : __real_strndup(s, n);
}

ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off)
{
	if (fail("pread")) {
		errno = EIO;
		return -1;
	}
	return __real_pread(fd, buf, n, off);
}

ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (fail("pwrite")) {
		errno = ENOSPC;
		return -1;
	}
	return __real_pwrite(fd, buf, n, off);
}

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
	if (fail("write")) {
		errno = ENOSPC;
		return -1;
	}
	return __real_write(fd, buf, n);
}

int __wrap_fsync(int fd)
{
	if (fail("fsync")) {
		errno = EIO;
		return -1;
	}
	return __real_fsync(fd);
}

int __wrap_rename(const char *from, const char *to)
{
	if (fail("rename")) {
		errno = EXDEV;
		return -1;
	}
	return __real_rename(from, to);
}

enum entry { E_BTF, E_KALLSYMS, E_OBJECT, E_PROFILE, E_KCONFIG, E_MODULE, E_PIPELINE, E_COUNT };

/* Failure points tried per input. */
#define FAULT_POINTS 64ul

/* [len][object][len][raw BTF][kallsyms text]: the inputs parsed with
 * nothing failing, then the steps of `ksymres profile` and `resolve`
 * (write the profile, open it, decide every extern, build the patched
 * object) with the failure among them. A failed step leaves a message, no
 * image and no file behind (fz_tmp_close). */
static int pipeline(const uint8_t *p, size_t n)
{
	struct fz_reader r = { p, n };
	const uint8_t *od, *bd, *text;
	size_t ol, bl, tl, cnt;
	struct ksr_object *obj = NULL;
	struct ksr_btf *btf = NULL;
	struct ksr_kallsyms *ks = NULL;
	struct ksr_profile *prof = NULL;
	struct ksr_decision *dec = NULL;
	struct ksr_buf img = { 0 };
	struct ksr_profile_info info = { .release = "6.8.0-faults" };
	struct fz_tmp tmp;
	char *text_copy = NULL;
	int err = 0;

	if (!fz_blob(&r, &od, &ol) || !fz_blob(&r, &bd, &bl))
		return 0;
	fz_rest(&r, &text, &tl);
	text_copy = fz_dup(text, tl);
	if (!text_copy || ksr_object__open_mem(od, ol, &obj) ||
	    ksr_btf__parse(bd, bl, KSR_BTF_MODE_KERNEL, &btf) ||
	    ksr_kallsyms__parse(text_copy, tl, &ks))
		goto out;
	cnt = ksr_object__extern_cnt(obj);
	dec = calloc(cnt ? cnt : 1, sizeof(*dec));
	FZ_ASSERT(dec && fz_tmp_open(&tmp));
	ksr_err_clear();
	F.armed = true;
	err = ksr_profile__write(tmp.path, btf, ks, &info);
	if (!err)
		err = ksr_profile__open(tmp.path, &prof);
	for (size_t i = 0; !err && i < cnt; i++)
		ksr_resolve__extern(obj, ksr_object__extern(obj, i), prof, &dec[i]);
	/* a failed read answered "not found": the decisions stand only
	 * without one, as ksr_resolution__new checks */
	if (!err)
		err = ksr_profile__read_error(prof);
	if (!err)
		err = ksr_patch__build(obj, prof, dec, NULL, &img);
	F.armed = false;
	FZ_ASSERT(err != -EPROTO);
	if (err)
		FZ_ASSERT(img.data == NULL && img.len == 0);
	fz_check_error(err);
	ksr_buf_free(&img);
	ksr_profile__free(prof);
	fz_tmp_close(&tmp);
out:
	free(dec);
	ksr_kallsyms__free(ks);
	ksr_btf__free(btf);
	ksr_object__free(obj);
	free(text_copy);
	return err;
}

/* One call on the payload; what it made is checked (fault off) and freed. */
static int run(enum entry e, const uint8_t *p, size_t n)
{
	int err = 0;

	ksr_err_clear();
	switch (e) {
	case E_BTF:      /* both rule sets, one after the other */
		for (int mode = 0; mode < 2 && !err; mode++) {
			struct ksr_btf *btf = NULL;

			F.armed = true;
			err = ksr_btf__parse(p, n, mode ? KSR_BTF_MODE_KERNEL : KSR_BTF_MODE_OBJECT, &btf);
			F.armed = false;
			FZ_ASSERT(err ? btf == NULL : btf != NULL);
			if (btf)
				fz_walk_btf(btf, btf, true, (uint32_t)n);
			ksr_btf__free(btf);
		}
		break;
	case E_KALLSYMS: {
		struct ksr_kallsyms *ks = NULL;
		char *text = fz_dup(p, n);

		if (!text)
			return 0;
		F.armed = true;
		err = ksr_kallsyms__parse(text, n, &ks);
		F.armed = false;
		FZ_ASSERT(err ? ks == NULL : ks != NULL);
		if (ks) {
			uint32_t first, cnt;

			ksr_kallsyms__lookup(ks, "_text", &first, &cnt);
		}
		ksr_kallsyms__free(ks);
		free(text);
		break;
	}
	case E_OBJECT: {
		struct ksr_object *obj = NULL;

		F.armed = true;
		err = ksr_object__open_mem(p, n, &obj);
		F.armed = false;
		FZ_ASSERT(err ? obj == NULL : obj != NULL);
		if (obj)
			fz_walk_object(obj);
		ksr_object__free(obj);
		break;
	}
	case E_PROFILE: {
		struct ksr_profile *prof = NULL;
		char path[64];
		int fd;

		fd = fz_memfd(p, n, path, sizeof(path));
		if (fd < 0)
			return 0;
		F.armed = true;
		err = ksr_profile__open(path, &prof);
		F.armed = false;
		if (!err) {
			F.armed = true;
			err = ksr_profile__verify(prof);
			F.armed = false;
		}
		FZ_ASSERT(err || prof != NULL);
		ksr_profile__free(prof);
		close(fd);
		break;
	}
	case E_KCONFIG: {
		struct ksr_buf out = { 0 };

		F.armed = true;
		err = ksr_kconfig_build((const char *)p, n, &out);
		F.armed = false;
		ksr_buf_free(&out);
		break;
	}
	case E_MODULE: {
		void *btf = NULL;
		size_t len = 0;

		F.armed = true;
		err = ksr_module_file_btf(p, n, &btf, &len);
		F.armed = false;
		FZ_ASSERT(err ? btf == NULL : btf != NULL);
		free(btf);
		if (err == -ENOENT)    /* no .BTF: an answer, not a failure */
			return 0;
		break;
	}
	case E_PIPELINE:
		return pipeline(p, n);
	default:
		return 0;
	}
	fz_check_error(err);
	return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum entry e;
	unsigned long n, points;
	unsigned seed;
	int err;

	if (size < 3 || size > KSR_FUZZ_MAX_INPUT)
		return 0;
	e = (enum entry)(data[0] % E_COUNT);
	seed = data[1] | (unsigned)data[2] << 8;
	/* the count, nothing failing: the calls this input makes */
	F = (struct faults){ .fail_at = 0 };
	run(e, data + 3, size - 3);
	n = F.calls;
	/* each of them failing in turn, or FAULT_POINTS spread from the seed:
	 * one small input reaches every failure path of its parse */
	points = n < FAULT_POINTS ? n : FAULT_POINTS;
	for (unsigned long k = 0; k < points; k++) {
		F = (struct faults){ .fail_at = (seed + k * (n / points)) % n + 1 };
		err = run(e, data + 3, size - 3);
		FZ_ASSERT(F.fired);
		if (getenv("KSR_FUZZ_FAULTS_TRACE"))
			fprintf(stderr, "faults: entry %d, call %lu of %lu (%s) failed: %s\n", (int)e,
				F.fail_at, n, F.what, err ? ksr_errmsg() : "tolerated");
	}
	return 0;
}
