// SPDX-License-Identifier: BSD-2-Clause
/* The kernel config text (core/kconfig.c) through the public API: the text
 * goes into a profile written in steps (ksr_profile_writer__add_kconfig from
 * a memfd, plain or gzip), the profile is opened again, and the .kconfig
 * externs of a BPF object are decided against it (libbpf's values), then
 * the object is patched with and without baking the values into it.
 *
 * Input: [u8 flags][u32 len][BPF object][u32 len][raw vmlinux BTF][config].
 * flags bits 0-1: the release (6.8.0-fuzz, none, "6.x", 0.0.0); bits 2-3:
 * the arch (x86_64, aarch64, none, s390x); bit 4: the config gzip-compressed
 * by the harness; bit 5: no config section; bit 6: bake the values; bit 7:
 * no __x64_sys_bpf in the kallsyms text (fixed, two lines).
 *
 * Invariants: a failed write leaves no temporary file and a message; a
 * written profile opens and records a config; every .kconfig extern gets a
 * verdict with its strings set, SET and DEFAULT ones a value; a runnable
 * resolution patches, the patched image re-parses and writing it to a file
 * gives the same bytes as patching in memory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "fuzz_common.h"

#define TEXT_LINE "ffffffff81000000 T _text\n"
static const char KALLSYMS[] = TEXT_LINE "ffffffff81000100 T __x64_sys_bpf\n";

/* text gzip-compressed (as /proc/config.gz), malloc()ed; NULL on failure */
static uint8_t *gzip(const uint8_t *text, size_t len, size_t *out_len)
{
	z_stream z = { 0 };
	size_t cap = len + len / 100 + 64;
	uint8_t *out = malloc(cap);

	if (!out || deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(out);
		return NULL;
	}
	z.next_in = (Bytef *)text;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(out);
		return NULL;
	}
	*out_len = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

/* Patches in memory and to path (over the profile file, already open). */
static void patch(const struct ksr_resolution *res, bool bake, const char *path)
{
	struct ksr_patch_opts po = { .sz = sizeof(po), .bake_kconfig = bake };
	struct ksr_object *out = NULL;
	void *img = NULL, *again = NULL;
	size_t len = 0, again_len = 0;
	int err = ksr_resolution__patch(res, &po, &img, &len);

	fz_check_error(err);
	if (err) {
		FZ_ASSERT(img == NULL);
		return;
	}
	FZ_ASSERT(ksr_object__open_mem(img, len, &out) == 0);
	FZ_ASSERT(ksr_object__extern_cnt(out) <= ksr_resolution__extern_cnt(res));
	if (bake)
		FZ_ASSERT(ksr_object__kconfig_extern_cnt(out) == 0);
	ksr_object__free(out);
	FZ_ASSERT(ksr_resolution__write(res, path, &po) == 0);
	FZ_ASSERT(ksr_input__read(path, len + 1, &again, &again_len) == 0);
	FZ_ASSERT(again_len == len && !memcmp(again, img, len));
	free(again);
	free(img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const releases[4] = { "6.8.0-fuzz", NULL, "6.x", "0.0.0" };
	static const char *const arches[4] = { "x86_64", "aarch64", NULL, "s390x" };
	struct fz_reader r = { data, size };
	struct ksr_object *obj = NULL;
	struct ksr_btf *btf = NULL;
	struct ksr_kallsyms *ks = NULL;
	struct ksr_profile *prof = NULL;
	struct ksr_resolution *res = NULL;
	const uint8_t *obj_data, *btf_data, *cfg;
	size_t obj_len, btf_len, cfg_len;
	uint8_t flags, *btf_copy = NULL, *gz = NULL;
	struct ksr_profile_opts opts = { .sz = sizeof(opts) };
	char cfg_path[64];
	struct fz_tmp tmp;
	int fd = -1, err;

	if (size > KSR_FUZZ_MAX_INPUT || !fz_u8(&r, &flags) || !fz_blob(&r, &obj_data, &obj_len) ||
	    !fz_blob(&r, &btf_data, &btf_len))
		return 0;
	fz_rest(&r, &cfg, &cfg_len);
	if (ksr_object__open_mem(obj_data, obj_len, &obj) != 0)
		return 0;
	btf_copy = fz_dup(btf_data, btf_len);  /* parse_kernel keeps pointing at it */
	if (ksr_btf__parse_kernel(btf_copy, btf_len, &btf) != 0 ||
	    ksr_kallsyms__parse(KALLSYMS, flags & 0x80 ? sizeof(TEXT_LINE) - 1 : sizeof(KALLSYMS) - 1, &ks) != 0)
		goto out;
	if (flags & 0x10) {
		gz = gzip(cfg, cfg_len, &cfg_len);
		FZ_ASSERT(gz != NULL);
		cfg = gz;
	}
	fd = fz_memfd(cfg, cfg_len, cfg_path, sizeof(cfg_path));
	FZ_ASSERT(fd >= 0);
	opts.release = releases[flags & 3];
	opts.arch = arches[(flags >> 2) & 3];
	FZ_ASSERT(fz_tmp_open(&tmp));
	ksr_err_clear();
	err = fz_profile_with_kconfig(tmp.path, btf, ks, &opts, flags & 0x20 ? NULL : cfg_path);
	fz_check_error(err);
	if (!err) {
		uint32_t entries = 0, bad_line = 0;

		FZ_ASSERT(ksr_profile__open(tmp.path, &prof) == 0);
		err = ksr_profile__kconfig(prof, &entries, &bad_line);
		FZ_ASSERT(flags & 0x20 ? err == -ENOENT : err == 0);
		err = ksr_resolution__new(obj, prof, &res);
		fz_check_error(err);
		if (!err) {
			fz_check_kconfig(obj, res);
			if (ksr_resolution__runnable(res))
				patch(res, flags & 0x40, tmp.path);
			ksr_resolution__free(res);
		}
		ksr_profile__free(prof);
	}
	fz_tmp_close(&tmp);
out:
	if (fd >= 0)
		close(fd);
	free(gz);
	ksr_kallsyms__free(ks);
	ksr_btf__free(btf);
	free(btf_copy);
	ksr_object__free(obj);
	return 0;
}
