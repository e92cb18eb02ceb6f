// SPDX-License-Identifier: BSD-2-Clause
/* Kernel module BTF (core/modbtf.c) through the public API: module files
 * (.ko ELF, .ko.xz, .ko.zst) give their .BTF (ksr_module_file__btf), or a
 * part is raw split BTF as /sys/kernel/btf/<module> holds it; each goes into
 * a profile written in steps (ksr_profile_writer__add_module, validated as
 * split BTF on the base), which is opened again, listed, verified and
 * revalidated; a BPF object is then decided against it, patched when
 * runnable, and the patched image's manifest (module table, module externs)
 * read back and bound to made-up BTF object fds.
 *
 * Input: [u32 len][BPF object, may be empty][u32 len][raw vmlinux BTF] then
 * up to 4 x [u8 name_len][name][u32 len][module file or raw split BTF].
 *
 * Invariants: a module whose BTF fails leaves a message and the writer
 * usable (it is aborted, leaving no temporary file); a written profile
 * opens, passes verify and revalidate, lists its modules in name order with
 * valid names; a patched image's manifest names as many modules as its
 * table holds and binds to fds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

static const char KALLSYMS[] = "ffffffff81000000 T _text\n"
			       "ffffffff81000100 T bpf_prog_put\n";

static void check_profile(struct ksr_profile *prof, int added)
{
	uint32_t n = ksr_profile__module_cnt(prof);
	struct ksr_profile_summary s = { .sz = sizeof(s) };
	struct ksr_profile_section sec = { .sz = sizeof(sec) };
	uint32_t i;

	FZ_ASSERT(n <= (uint32_t)added);  /* a name given twice is kept once or refused */
	for (i = 0; i < n; i++) {
		const char *name = ksr_profile__module_name(prof, i);

		FZ_ASSERT(name && name[0]);
		if (i)
			FZ_ASSERT(strcmp(ksr_profile__module_name(prof, i - 1), name) < 0);
	}
	FZ_ASSERT(ksr_profile__module_name(prof, n) == NULL);
	FZ_ASSERT(ksr_profile__summary(prof, &s) == 0);
	for (i = 0; ksr_profile__section(prof, i, &sec) == 0; i++)
		FZ_ASSERT(sec.name && sec.offset + sec.size <= s.file_size);
	FZ_ASSERT(i == ksr_profile__section_cnt(prof));
	FZ_ASSERT(ksr_profile__verify(prof) == 0);
	FZ_ASSERT(ksr_profile__revalidate(prof) == 0);
}

/* The patched image's module table and module externs, then binding. */
static void check_patched(const struct ksr_resolution *res)
{
	struct ksr_manifest_info info = { .sz = sizeof(info) };
	struct ksr_manifest_sites sites = { .sz = sizeof(sites) };
	struct ksr_object *out = NULL;
	int fds[KSR_FUZZ_MAX_PROBES];
	void *img = NULL, *bound = NULL;
	size_t len = 0, bound_len = 0;
	int err = ksr_resolution__patch(res, NULL, &img, &len);

	fz_check_error(err);
	if (err)
		return;
	FZ_ASSERT(ksr_object__open_mem(img, len, &out) == 0);
	FZ_ASSERT(ksr_object__manifest(out, &info) == 0);
	FZ_ASSERT(ksr_object__verify_manifest(out, &sites) == 0);
	for (uint32_t i = 0; i < info.module_cnt + 1; i++) {
		char name[KSR_MANIFEST_MODULE_NAME_MAX], id[33];

		err = ksr_object__manifest_module(out, i, name, id);
		FZ_ASSERT(i < info.module_cnt ? err == 0 && strlen(id) == 32 : err == -ENOENT);
	}
	for (size_t i = 0; i < ksr_object__extern_cnt(out); i++) {
		uint32_t mod = 0, id = 0;

		if (ksr_object__module_extern(out, ksr_object__extern(out, i)->name, &mod, &id) == 0)
			FZ_ASSERT(mod < info.module_cnt);
	}
	if (info.module_cnt <= KSR_FUZZ_MAX_PROBES) {
		for (uint32_t i = 0; i < info.module_cnt; i++)
			fds[i] = 100 + (int)i;
		err = ksr_image__bind_modules(img, len, fds, info.module_cnt, &bound, &bound_len);
		fz_check_error(err);
		free(bound);
	}
	ksr_object__free(out);
	free(img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_reader r = { data, size };
	struct ksr_object *obj = NULL;
	struct ksr_btf *base = NULL;
	struct ksr_kallsyms *ks = NULL;
	struct ksr_profile *prof = NULL;
	struct ksr_resolution *res = NULL;
	const uint8_t *obj_data, *btf_data;
	size_t obj_len, btf_len;
	uint8_t *btf_copy = NULL;
	struct fz_module mods[FZ_MODULES_MAX];
	struct fz_tmp tmp;
	uint32_t mod_cnt;
	int added;

	if (size > KSR_FUZZ_MAX_INPUT || !fz_blob(&r, &obj_data, &obj_len) ||
	    !fz_blob(&r, &btf_data, &btf_len))
		return 0;
	if (obj_len && ksr_object__open_mem(obj_data, obj_len, &obj) != 0)
		return 0;
	btf_copy = fz_dup(btf_data, btf_len);  /* parse_kernel keeps pointing at it */
	if (ksr_btf__parse_kernel(btf_copy, btf_len, &base) != 0 ||
	    ksr_kallsyms__parse(KALLSYMS, sizeof(KALLSYMS) - 1, &ks) != 0)
		goto out;
	FZ_ASSERT(fz_tmp_open(&tmp));
	ksr_err_clear();
	mod_cnt = fz_modules_read(&r, mods);
	added = fz_profile_with_modules(tmp.path, base, ks, mods, mod_cnt);
	fz_modules_free(mods, mod_cnt);
	if (added >= 0) {
		FZ_ASSERT(ksr_profile__open(tmp.path, &prof) == 0);
		check_profile(prof, added);
		if (obj && ksr_resolution__new(obj, prof, &res) == 0) {
			for (size_t i = 0; i < ksr_resolution__extern_cnt(res); i++)
				FZ_ASSERT(ksr_resolution__verdict(res, i)->module != NULL);
			if (ksr_resolution__runnable(res))
				check_patched(res);
			ksr_resolution__free(res);
		}
		ksr_profile__free(prof);
	}
	fz_tmp_close(&tmp);
out:
	ksr_kallsyms__free(ks);
	ksr_btf__free(base);
	free(btf_copy);
	ksr_object__free(obj);
	return 0;
}
