// SPDX-License-Identifier: BSD-2-Clause
/* The re-resolution of `load --reresolve` without a kernel: a patched
 * object image (with its ksymres manifest) decided again against a
 * profile, ksr_image__reresolve(): the object, its manifest, the check of
 * every recorded site, the new decisions and the rewrite of the sites.
 *
 * Input: [blob image][profile: the rest] (fz_blob's u32 length prefix); the
 * profile is opened as it is (seeds pair objects patched against one
 * profile with the same profile or one whose kallsyms addresses slid).
 *
 * Invariants: a failure leaves a message, no resolution and the image as
 * it was; a resolution that may not run leaves the image as it was; after
 * one that runs, the image still opens as an object.
 * KSR_FUZZ_RERESOLVE_TRACE=1 prints each input's outcome. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_reader r = { data, size };
	struct ksr_profile *prof = NULL;
	struct ksr_resolution *res = NULL;
	const uint8_t *img_data, *prof_data;
	size_t img_len, prof_len;
	char path[64];
	uint8_t *img;
	int fd, err;

	if (size > KSR_FUZZ_MAX_INPUT || !fz_blob(&r, &img_data, &img_len))
		return 0;
	fz_rest(&r, &prof_data, &prof_len);
	fd = fz_memfd(prof_data, prof_len, path, sizeof(path));
	FZ_ASSERT(fd >= 0);
	err = ksr_profile__open(path, &prof);
	close(fd);
	if (err)
		return 0;

	img = fz_dup(img_data, img_len);
	ksr_err_clear();
	err = ksr_image__reresolve(img, img_len, prof, &res);
	fz_check_error(err);
	if (getenv("KSR_FUZZ_RERESOLVE_TRACE"))
		fprintf(stderr, "reresolve: %s\n", err ? ksr_errmsg() : !ksr_resolution__runnable(res) ?
			"decided, may not run" : "decided, sites rewritten");
	if (err) {
		FZ_ASSERT(res == NULL);
		FZ_ASSERT(memcmp(img, img_data, img_len) == 0);
	} else {
		FZ_ASSERT(res != NULL);
		for (size_t i = 0; i < ksr_resolution__extern_cnt(res); i++)
			FZ_ASSERT(ksr_resolution__status(res, i) != NULL);
		if (!ksr_resolution__runnable(res)) {
			FZ_ASSERT(memcmp(img, img_data, img_len) == 0);
		} else {
			struct ksr_object *obj = NULL;

			FZ_ASSERT(ksr_object__open_mem(img, img_len, &obj) == 0);
			ksr_object__free(obj);
		}
	}
	ksr_resolution__free(res);
	free(img);
	ksr_profile__free(prof);
	return 0;
}
