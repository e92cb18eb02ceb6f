// SPDX-License-Identifier: BSD-2-Clause
/* Allocation and read failures inside the parsers.
 *
 * Input: [u8 entry][u16 seed, little-endian][payload]. The entry picks the
 * library calls on the payload: 0 raw BTF (both rule sets), 1 kallsyms
 * text (parsed, and _text found in it as a file), 2 a BPF object, 3 a
 * profile file (open and verify), 4 kernel config text, 5 a module file
 * (.ko, .ko.xz, .ko.zst), 6 the offline pipeline (profile written,
 * opened, externs decided, object patched), 7 the
 * .kconfig externs (a profile with a kernel config written, opened, the
 * object decided, patched with or without baking), 8 check (one object
 * against several profiles: ksr_profile__open_all and
 * ksr_resolution__new_batch), 9 re-resolution (a patched image decided
 * again against a profile file, and rebased), 10 module externs (a profile
 * with module BTF written, the object decided and patched, the image's
 * module externs bound). The call runs once to
 * count the allocations and reads it makes (n), then again with each of
 * them failing in turn (at most 64, spread from the seed when there are
 * more): malloc, calloc, realloc, aligned_alloc,
 * strdup and strndup return NULL, read, pread and fsync fail with EIO,
 * write and pwrite with ENOSPC, rename with EXDEV, open with EACCES,
 * fstat with EIO, fcntl with EBADF; with
 * bit 15 of the seed set, read, pread, write and pwrite fail with EINTR
 * instead (the library retries them). The library's
 * own references to those functions are routed here by the linker
 * (fuzz_faults.ldflags: --wrap), so the harness and the engine allocate as
 * usual.
 *
 * Invariants: a call that fails returns an error, leaves a message and no
 * object (image, resolution) and no temporary file; one that succeeds
 * although a failure was injected (an optional cache) still gives an
 * object that the usual walks accept; a resolution stands only when every
 * read of its profile succeeded (ksr_profile__read_error); a read that
 * failed is never reported as malformed input (-KSR_EMALFORMED); a failed
 * re-resolution or rebase leaves the image as it was; nothing leaks
 * (LeakSanitizer) whichever allocation failed. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
ssize_t __real_read(int fd, void *buf, size_t n);
int __real_open(const char *path, int flags, ...);
int __real_fstat(int fd, struct stat *st);
int __real_fcntl(int fd, int cmd, ...);

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
ssize_t __wrap_read(int fd, void *buf, size_t n);
int __wrap_open(const char *path, int flags, ...);
int __wrap_fstat(int fd, struct stat *st);
int __wrap_fcntl(int fd, int cmd, ...);

/* Armed only around the library call under test (the harness, its
 * helpers and the engine are linked with the same --wrap): calls counts
 * the calls seen while armed, fail_at is the one that fails (1-based;
 * 0 = none), fired says it did. */
struct faults {
	bool armed;
	unsigned long calls, fail_at;
	bool fired;
	bool eintr;                   /* reads and writes fail with EINTR (retried) instead */
	const char *what;             /* the function that failed */
};
static struct faults F;

static bool fail(const char *what)
{
	/* atomic: check's batch decides profiles on two threads */
	if (!__atomic_load_n(&F.armed, __ATOMIC_RELAXED))
		return false;
	if (__atomic_add_fetch(&F.calls, 1, __ATOMIC_RELAXED) != F.fail_at)
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

/* -1 with errno err, or EINTR when the input asks for interruptions */
static int io_fail(int err)
{
	errno = F.eintr ? EINTR : err;
	return -1;
}

ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off)
{
	if (fail("pread"))
		return io_fail(EIO);
	return __real_pread(fd, buf, n, off);
}

ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (fail("pwrite"))
		return io_fail(ENOSPC);
	return __real_pwrite(fd, buf, n, off);
}

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
	if (fail("write"))
		return io_fail(ENOSPC);
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

ssize_t __wrap_read(int fd, void *buf, size_t n)
{
	if (fail("read"))
		return io_fail(EIO);
	return __real_read(fd, buf, n);
}

int __wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & O_CREAT) {  /* the library never opens with O_TMPFILE */
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (fail("open")) {
		errno = EACCES;
		return -1;
	}
	return __real_open(path, flags, mode);
}

int __wrap_fstat(int fd, struct stat *st)
{
	if (fail("fstat")) {
		errno = EIO;
		return -1;
	}
	return __real_fstat(fd, st);
}

/* The third argument forwarded as it came, pointer-sized: an int or a
 * pointer (the engine's calls) in the same register under the x86-64 and
 * AArch64 calling conventions. */
int __wrap_fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fail("fcntl")) {
		errno = EBADF;
		return -1;
	}
	return __real_fcntl(fd, cmd, arg);
}

enum entry {
	E_BTF, E_KALLSYMS, E_OBJECT, E_PROFILE, E_KCONFIG, E_MODULE, E_PIPELINE,
	E_KCONFIG_EVAL, E_CHECK, E_RERESOLVE, E_MODBIND, E_COUNT
};

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

/* The parsed parts of the entries below, made with nothing failing:
 * [len][BPF object][len][raw vmlinux BTF], then the kallsyms text (text,
 * or NULL: the rest of the input). */
struct parts {
	struct ksr_object *obj;
	struct ksr_btf *btf;
	struct ksr_kallsyms *ks;
	uint8_t *btf_copy;            /* parse_kernel keeps pointing at it */
	char *text_copy;
};

static void parts_free(struct parts *pt)
{
	ksr_kallsyms__free(pt->ks);
	ksr_btf__free(pt->btf);
	free(pt->btf_copy);
	free(pt->text_copy);
	ksr_object__free(pt->obj);
}

static bool parts_open(struct fz_reader *r, struct parts *pt, const char *text, size_t text_len)
{
	const uint8_t *od, *bd;
	size_t ol, bl;

	*pt = (struct parts){ 0 };
	if (!fz_blob(r, &od, &ol) || !fz_blob(r, &bd, &bl) || ksr_object__open_mem(od, ol, &pt->obj))
		return false;
	if (!text) {
		const uint8_t *rest;

		fz_rest(r, &rest, &text_len);
		text = pt->text_copy = fz_dup(rest, text_len);
	}
	pt->btf_copy = fz_dup(bd, bl);
	if (ksr_btf__parse_kernel(pt->btf_copy, bl, &pt->btf) ||
	    ksr_kallsyms__parse(text, text_len, &pt->ks)) {
		parts_free(pt);
		return false;
	}
	return true;
}

/* Steps of an entry armed by the bits 0-2 of its first byte (none set:
 * every step), so a seed can aim its failure points at one step. */
static void arm(uint8_t mask, unsigned int step)
{
	F.armed = !(mask & 7) || (mask & (1u << step));
}

/* The patched image of res (bake: the .kconfig values baked), in memory
 * and written to path: no image on failure; a written one re-parses. */
static int patch_and_write(const struct ksr_resolution *res, bool bake, const char *path,
			   uint8_t mask)
{
	struct ksr_patch_opts po = { .sz = sizeof(po), .bake_kconfig = bake };
	struct ksr_object *out = NULL;
	void *img = NULL;
	size_t len = 0;
	int err;

	arm(mask, 2);
	err = ksr_resolution__patch(res, &po, &img, &len);
	F.armed = false;
	fz_check_error(err);
	if (err) {
		FZ_ASSERT(img == NULL && len == 0);
		return err;
	}
	FZ_ASSERT(ksr_object__open_mem(img, len, &out) == 0);
	ksr_object__free(out);
	free(img);
	arm(mask, 2);
	err = ksr_resolution__write(res, path, &po);
	F.armed = false;
	fz_check_error(err);
	return err;
}

static const char KCONFIG_KALLSYMS[] = "ffffffff81000000 T _text\n"
				       "ffffffff81000100 T __x64_sys_bpf\n"
				       "ffffffff81000200 T bpf_prog_put\n";

/* [u8 flags][len][object][len][raw vmlinux BTF][kernel config, plain or
 * gzip]: flags bits 0-2 the armed steps (0 write the profile with the
 * config, 1 open it and decide the object, 2 patch and write), bit 3
 * bake the values. A failed step leaves a message and nothing behind. */
static int kconfig_eval(const uint8_t *p, size_t n)
{
	struct fz_reader r = { p, n };
	struct ksr_profile_opts opts = { .sz = sizeof(opts), .release = "6.8.0-faults",
					 .arch = "x86_64" };
	struct ksr_profile *prof = NULL;
	struct ksr_resolution *res = NULL;
	const uint8_t *cfg;
	size_t cfg_len;
	uint32_t entries = 0, bad_line = 0;
	char cfg_path[64];
	struct fz_tmp tmp;
	struct parts pt;
	uint8_t flags;
	int fd, err;

	if (!fz_u8(&r, &flags) ||
	    !parts_open(&r, &pt, KCONFIG_KALLSYMS, sizeof(KCONFIG_KALLSYMS) - 1))
		return 0;
	fz_rest(&r, &cfg, &cfg_len);
	fd = fz_memfd(cfg, cfg_len, cfg_path, sizeof(cfg_path));
	FZ_ASSERT(fd >= 0 && fz_tmp_open(&tmp));
	ksr_err_clear();
	arm(flags, 0);
	err = fz_profile_with_kconfig(tmp.path, pt.btf, pt.ks, &opts, cfg_path);
	F.armed = false;
	fz_check_error(err);
	if (!err) {
		arm(flags, 1);
		err = ksr_profile__open(tmp.path, &prof);
		if (!err)
			err = ksr_profile__kconfig(prof, &entries, &bad_line);
		if (!err)
			err = ksr_resolution__new(pt.obj, prof, &res);
		F.armed = false;
		fz_check_error(err);
		FZ_ASSERT(err ? res == NULL : res != NULL);
	}
	if (res) {
		/* a resolution stands only on what could be read */
		FZ_ASSERT(ksr_profile__read_error(prof) == 0);
		fz_check_kconfig(pt.obj, res);
		if (ksr_resolution__runnable(res))
			err = patch_and_write(res, flags & 8, tmp.path, flags);
	}
	ksr_resolution__free(res);
	ksr_profile__free(prof);
	fz_tmp_close(&tmp);
	close(fd);
	parts_free(&pt);
	return err;
}

#define CHECK_PROFILES 3

/* [u8 flags][len][object][len][raw vmlinux BTF][kallsyms text]: a profile
 * written with nothing failing, opened CHECK_PROFILES times
 * (ksr_profile__open_all) and the object decided against each
 * (ksr_resolution__new_batch), as `ksymres check` does. flags bit 0: two
 * threads (the failure point then depends on the scheduling; one thread
 * gives the same point every run), bit 1: drop each profile's cache. */
static int check(const uint8_t *p, size_t n)
{
	struct fz_reader r = { p, n };
	struct ksr_profile_opts opts = { .sz = sizeof(opts), .release = "6.8.0-faults" };
	struct ksr_profile *profs[CHECK_PROFILES] = { NULL };
	struct ksr_resolution *out[CHECK_PROFILES] = { NULL };
	const char *paths[CHECK_PROFILES];
	size_t failed = CHECK_PROFILES;
	struct fz_tmp tmp;
	struct parts pt;
	uint8_t flags;
	int err = 0;

	if (!fz_u8(&r, &flags) || !parts_open(&r, &pt, NULL, 0))
		return 0;
	FZ_ASSERT(fz_tmp_open(&tmp));
	if (fz_profile_with_kconfig(tmp.path, pt.btf, pt.ks, &opts, NULL))
		goto out;
	for (size_t i = 0; i < CHECK_PROFILES; i++)
		paths[i] = tmp.path;
	ksr_err_clear();
	F.armed = true;
	err = ksr_profile__open_all(paths, CHECK_PROFILES, profs, &failed);
	F.armed = false;
	fz_check_error(err);
	for (size_t i = 0; i < CHECK_PROFILES; i++)
		FZ_ASSERT(err ? profs[i] == NULL : profs[i] != NULL);
	if (!err) {
		struct ksr_batch_opts bo = { .sz = sizeof(bo), .threads = flags & 1 ? 2 : 1,
					     .drop_cache = flags & 2 };

		F.armed = true;
		err = ksr_resolution__new_batch(pt.obj, profs, CHECK_PROFILES, &bo, out, &failed);
		F.armed = false;
		fz_check_error(err);
		if (err)
			FZ_ASSERT(failed < CHECK_PROFILES);
		for (size_t i = 0; i < CHECK_PROFILES; i++) {
			FZ_ASSERT(err ? out[i] == NULL : out[i] != NULL);
			if (!err) {
				FZ_ASSERT(ksr_profile__read_error(profs[i]) == 0);
				FZ_ASSERT(ksr_resolution__runnable(out[i]) ==
					  ksr_resolution__runnable(out[0]));
			}
		}
		for (size_t i = 0; i < CHECK_PROFILES; i++) {
			ksr_resolution__free(out[i]);
			ksr_profile__free(profs[i]);
		}
	}
out:
	fz_tmp_close(&tmp);
	parts_free(&pt);
	return err;
}

/* [len][patched object image][profile file] (fuzz_reresolve's input): the
 * profile opened and the image decided again against it
 * (ksr_image__reresolve), then a copy rebased to another _text. A failure
 * leaves a message, no resolution and the image as it was. */
static int reresolve(const uint8_t *p, size_t n)
{
	struct fz_reader r = { p, n };
	struct ksr_profile *prof = NULL;
	struct ksr_resolution *res = NULL;
	const uint8_t *img_data, *prof_data;
	size_t img_len, prof_len;
	uint32_t rebased = 0;
	char path[64];
	uint8_t *img;
	int fd, err;

	if (!fz_blob(&r, &img_data, &img_len))
		return 0;
	fz_rest(&r, &prof_data, &prof_len);
	fd = fz_memfd(prof_data, prof_len, path, sizeof(path));
	FZ_ASSERT(fd >= 0);
	img = fz_dup(img_data, img_len);
	ksr_err_clear();
	F.armed = true;
	err = ksr_profile__open(path, &prof);
	if (!err)
		err = ksr_image__reresolve(img, img_len, prof, &res);
	F.armed = false;
	fz_check_error(err);
	if (err || !ksr_resolution__runnable(res))
		FZ_ASSERT(memcmp(img, img_data, img_len) == 0);
	if (err) {
		FZ_ASSERT(res == NULL);
	} else {
		FZ_ASSERT(res != NULL && ksr_profile__read_error(prof) == 0);
		for (size_t i = 0; i < ksr_resolution__extern_cnt(res); i++)
			FZ_ASSERT(ksr_resolution__status(res, i) != NULL);
	}
	ksr_resolution__free(res);
	ksr_profile__free(prof);
	close(fd);
	if (!err) {
		memcpy(img, img_data, img_len);
		F.armed = true;
		err = ksr_image__rebase(img, img_len, 0xffffffff82000000ull, &rebased);
		F.armed = false;
		fz_check_error(err);
		if (err)
			FZ_ASSERT(memcmp(img, img_data, img_len) == 0);
		if (err == -EXDEV)  /* module addresses: an answer, not a failure */
			err = 0;
	}
	free(img);
	return err;
}

/* [u8 flags][len][BPF object][len][raw vmlinux BTF] then fuzz_modbtf's
 * module parts: flags bits 0-2 the armed steps (0 write the profile with
 * the modules' BTF, 1 open it and decide the object, 2 patch and bind the
 * module externs to made-up BTF object fds). */
static int modbind(const uint8_t *p, size_t n)
{
	struct fz_reader r = { p, n };
	struct fz_module mods[FZ_MODULES_MAX];
	struct ksr_profile *prof = NULL;
	struct ksr_resolution *res = NULL;
	struct ksr_manifest_info info = { .sz = sizeof(info) };
	struct ksr_object *out = NULL;
	void *img = NULL, *bound = NULL;
	size_t len = 0, bound_len = 0;
	struct fz_tmp tmp;
	struct parts pt;
	uint32_t mod_cnt;
	uint8_t flags;
	int fds[FZ_MODULES_MAX], err;

	if (!fz_u8(&r, &flags) ||
	    !parts_open(&r, &pt, KCONFIG_KALLSYMS, sizeof(KCONFIG_KALLSYMS) - 1))
		return 0;
	mod_cnt = fz_modules_read(&r, mods);
	FZ_ASSERT(fz_tmp_open(&tmp));
	ksr_err_clear();
	arm(flags, 0);
	err = fz_profile_with_modules(tmp.path, pt.btf, pt.ks, mods, mod_cnt) < 0 ? -1 : 0;
	F.armed = false;
	if (!err) {
		arm(flags, 1);
		err = ksr_profile__open(tmp.path, &prof);
		if (!err)
			err = ksr_resolution__new(pt.obj, prof, &res);
		F.armed = false;
		fz_check_error(err);
		FZ_ASSERT(err ? res == NULL : res != NULL);
	}
	if (res && ksr_resolution__runnable(res)) {
		FZ_ASSERT(ksr_profile__read_error(prof) == 0);
		arm(flags, 2);
		err = ksr_resolution__patch(res, NULL, &img, &len);
		F.armed = false;
		fz_check_error(err);
		FZ_ASSERT(err ? img == NULL : img != NULL);
		if (!err) {
			FZ_ASSERT(ksr_object__open_mem(img, len, &out) == 0);
			FZ_ASSERT(ksr_object__manifest(out, &info) == 0);
			ksr_object__free(out);
		}
		if (!err && info.module_cnt <= FZ_MODULES_MAX) {
			for (uint32_t i = 0; i < info.module_cnt; i++)
				fds[i] = 100 + (int)i;
			arm(flags, 2);
			err = ksr_image__bind_modules(img, len, fds, info.module_cnt, &bound, &bound_len);
			F.armed = false;
			fz_check_error(err);
			FZ_ASSERT(err ? bound == NULL : bound != NULL);
			free(bound);
		}
		free(img);
	}
	ksr_resolution__free(res);
	ksr_profile__free(prof);
	fz_tmp_close(&tmp);
	fz_modules_free(mods, mod_cnt);
	parts_free(&pt);
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
		if (!err) {
			/* _text read from the text as a file, as load does */
			char path[64];
			uint64_t addr;
			int fd = fz_memfd(p, n, path, sizeof(path));

			FZ_ASSERT(fd >= 0);
			F.armed = true;
			err = ksr_kallsyms__find_text(path, &addr);
			F.armed = false;
			close(fd);
			if (err == -ENOENT)    /* no _text: an answer */
				err = 0;
		}
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
	case E_KCONFIG_EVAL:
		return kconfig_eval(p, n);
	case E_CHECK:
		return check(p, n);
	case E_RERESOLVE:
		return reresolve(p, n);
	case E_MODBIND:
		return modbind(p, n);
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
	bool eintr;
	int err;

	if (size < 3 || size > KSR_FUZZ_MAX_INPUT)
		return 0;
	e = (enum entry)(data[0] % E_COUNT);
	/* seed bit 15: reads and writes interrupted rather than failed */
	seed = data[1] | (unsigned)(data[2] & 0x7f) << 8;
	eintr = data[2] & 0x80;
	/* the count, nothing failing: the calls this input makes */
	F = (struct faults){ .fail_at = 0 };
	run(e, data + 3, size - 3);
	n = F.calls;
	/* each of them failing in turn, or FAULT_POINTS spread from the seed:
	 * one small input reaches every failure path of its parse */
	points = n < FAULT_POINTS ? n : FAULT_POINTS;
	for (unsigned long k = 0; k < points; k++) {
		F = (struct faults){ .fail_at = (seed + k * n / points) % n + 1, .eintr = eintr };
		err = run(e, data + 3, size - 3);
		FZ_ASSERT(F.fired);
		/* a read that failed is an I/O error, never damage of the input */
		if (!F.eintr && (!strcmp(F.what, "pread") || !strcmp(F.what, "read")))
			FZ_ASSERT(err != -KSR_EMALFORMED);
		if (getenv("KSR_FUZZ_FAULTS_TRACE"))
			fprintf(stderr, "faults: entry %d, call %lu of %lu (%s) failed: %s\n", (int)e,
				F.fail_at, n, F.what, err ? ksr_errmsg() : "tolerated");
	}
	return 0;
}
