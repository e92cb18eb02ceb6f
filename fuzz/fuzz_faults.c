// SPDX-License-Identifier: BSD-2-Clause
/* Allocation and read failures inside the parsers.
 *
 * Input: [u8 entry][u16 seed, little-endian][payload]. The entry picks the
 * library calls on the payload: 0 raw BTF (both rule sets), 1 kallsyms
 * text, 2 a BPF object, 3 a profile file (open and verify), 4 kernel config
 * text, 5 a module file (.ko, .ko.xz, .ko.zst); the call runs once to
 * count the allocations and reads it makes (n), then again with each of
 * them failing in turn (at most 64, spread from the seed when there are
 * more): malloc, calloc, realloc, aligned_alloc,
 * strdup and strndup return NULL, pread returns -1 with EIO. The library's
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

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_aligned_alloc(size_t a, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off);

/* Armed only around the library call under test (the harness, its
 * helpers and the engine are linked with the same --wrap): calls counts
 * the calls seen while armed, fail_at is the one that fails (1-based;
 * 0 = none), fired says it did. */
struct faults {
	bool armed;
	unsigned long calls, fail_at;
	bool fired;
};
static struct faults F;

static bool fail_now(void)
{
	if (!F.armed)
		return false;
	if (++F.calls != F.fail_at)
		return false;
	F.fired = true;
	return true;
}

void *__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
	return fail_now() ? NULL : __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

void *__wrap_aligned_alloc(size_t a, size_t n)
{
	return fail_now() ? NULL : __real_aligned_alloc(a, n);
}

char *__wrap_strdup(const char *s)
{
	return fail_now() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	return fail_now() ? NULL : __real_strndup(s, n);
}

ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off)
{
	if (fail_now()) {
		errno = EIO;
		return -1;
	}
	return __real_pread(fd, buf, n, off);
}

enum entry { E_BTF, E_KALLSYMS, E_OBJECT, E_PROFILE, E_KCONFIG, E_MODULE, E_COUNT };

/* Failure points tried per input. */
#define FAULT_POINTS 64ul

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
			fprintf(stderr, "faults: entry %d, call %lu of %lu failed: %s\n", (int)e,
				F.fail_at, n, err ? ksr_errmsg() : "tolerated");
	}
	return 0;
}
