// SPDX-License-Identifier: BSD-2-Clause
/* The public API's entry points for what the tool does (ksymres.h):
 * profiles from parts, resolutions, patched images, manifests and KASLR
 * rebase, each a thin layer over the modules that do the work. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf.h"
#include "error.h"
#include "fileio.h"
#include "hash.h"
#include "kallsyms.h"
#include "manifest.h"
#include "object.h"
#include "patch.h"
#include "profile.h"
#include "rebase.h"
#include "resolve.h"

/* libbpf's rule for opts structs: known fields up to sz, and nothing
 * non-zero past the fields this library knows. */
static int opts_valid(const void *opts, size_t known, const char *what)
{
	const uint8_t *p = opts;
	size_t sz;

	if (!opts)
		return 0;
	memcpy(&sz, opts, sizeof(sz));
	if (sz < sizeof(size_t))
		return ksr_err(EINVAL, "%s: sz %zu is smaller than the sz field", what, sz);
	for (size_t i = known; i < sz; i++)
		if (p[i])
			return ksr_err(EINVAL, "%s: fields past the %zu bytes this library knows are set",
				       what, known);
	return 0;
}

/* A field of opts, or 0 when the caller's struct ends before it. */
#define OPT(opts, type, field)                                                        \
	((opts) && (opts)->sz >= offsetof(type, field) + sizeof((opts)->field) ? (opts)->field : 0)

/* ---- profiles from parts ---------------------------------------------------- */

static int profile_parts(const void *btf_data, size_t btf_len, const char *kallsyms,
			 size_t ks_len, const struct ksr_profile_opts *opts, struct ksr_btf **btf,
			 struct ksr_kallsyms **ks, struct ksr_profile_info *info)
{
	const void *blob;
	size_t blob_len;
	const char *arch = OPT(opts, struct ksr_profile_opts, arch);
	const uint8_t *bid = OPT(opts, struct ksr_profile_opts, build_id);
	size_t bid_len = OPT(opts, struct ksr_profile_opts, build_id_len);
	int err = opts_valid(opts, sizeof(*opts), "ksr_profile_opts");

	*btf = NULL;
	*ks = NULL;
	memset(info, 0, sizeof(*info));
	if (err)
		return err;
	info->release = OPT(opts, struct ksr_profile_opts, release);
	if (!info->release)
		info->release = "unknown";
	err = ksr_btf_blob_from_file(btf_data, btf_len, &blob, &blob_len);
	if (!err)
		err = ksr_kernel_elf_info(btf_data, btf_len, info);
	if (!err && arch && !(info->arch = ksr_arch_from_name(arch)))
		err = ksr_err(EINVAL, "unknown arch '%s'", arch);
	if (!err && bid) {
		if (!bid_len || bid_len > KSR_PROFILE_BUILD_ID_MAX)
			err = ksr_err(EINVAL, "build ID of %zu bytes (1..%u)", bid_len,
				      KSR_PROFILE_BUILD_ID_MAX);
		else {
			memset(info->build_id, 0, sizeof(info->build_id));
			memcpy(info->build_id, bid, bid_len);
			info->build_id_len = (uint8_t)bid_len;
		}
	}
	if (!err) {
		err = ksr_btf__parse(blob, blob_len, KSR_BTF_MODE_KERNEL, btf);
		if (err)
			ksr_err_prefix("BTF");
	}
	if (!err) {
		err = ksr_kallsyms__parse(kallsyms, ks_len, ks);
		if (err)
			ksr_err_prefix("kallsyms");
	}
	if (err) {
		ksr_btf__free(*btf);
		*btf = NULL;
	}
	return err;
}

KSR_API int ksr_profile__create(const char *path, const void *btf_data, size_t btf_len,
				const char *kallsyms, size_t kallsyms_len,
				const struct ksr_profile_opts *opts)
{
	struct ksr_profile_info info;
	struct ksr_kallsyms *ks;
	struct ksr_btf *btf;
	int err = profile_parts(btf_data, btf_len, kallsyms, kallsyms_len, opts, &btf, &ks, &info);

	if (err)
		return err;
	err = ksr_profile__write(path, btf, ks, &info);
	ksr_btf__free(btf);
	ksr_kallsyms__free(ks);
	return err;
}

KSR_API int ksr_profile__open_mem(const void *btf_data, size_t btf_len, const char *kallsyms,
				  size_t kallsyms_len, const struct ksr_profile_opts *opts,
				  struct ksr_profile **out)
{
	struct ksr_profile_info info;
	struct ksr_kallsyms *ks;
	struct ksr_btf *btf;
	int err = profile_parts(btf_data, btf_len, kallsyms, kallsyms_len, opts, &btf, &ks, &info);

	*out = NULL;
	return err ? err : ksr_profile__from_parsed(btf, ks, &info, out);
}

/* ---- resolutions -------------------------------------------------------------- */

struct ksr_resolution {
	const struct ksr_object *obj;
	const struct ksr_profile *prof;
	struct ksr_decision *dec;
	bool runnable;
};

KSR_API int ksr_resolution__new(const struct ksr_object *obj, const struct ksr_profile *prof,
				struct ksr_resolution **out)
{
	struct ksr_resolution *r = calloc(1, sizeof(*r));
	int ok, err;

	*out = NULL;
	if (!r)
		return ksr_err(ENOMEM, "out of memory");
	r->obj = obj;
	r->prof = prof;
	ok = ksr_decide_all(obj, prof, &r->dec);
	/* lookups that could not read the profile answered "not found" */
	err = ok < 0 ? ksr_err(ENOMEM, "out of memory") : ksr_profile__read_error(prof);
	if (err) {
		ksr_resolution__free(r);
		return err;
	}
	r->runnable = ok == 1;
	*out = r;
	return 0;
}

KSR_API void ksr_resolution__free(struct ksr_resolution *r)
{
	if (!r)
		return;
	free(r->dec);
	free(r);
}

KSR_API bool ksr_resolution__runnable(const struct ksr_resolution *r)
{
	return r->runnable;
}

KSR_API const char *ksr_resolution__status(const struct ksr_resolution *r, size_t i)
{
	return i < ksr_object__extern_cnt(r->obj) ? ksr_status_str(r->dec[i].status) : NULL;
}

KSR_API const char *ksr_resolution__reason(const struct ksr_resolution *r, size_t i)
{
	return i < ksr_object__extern_cnt(r->obj) ? r->dec[i].reason : NULL;
}

static int patch(const struct ksr_resolution *r, const struct ksr_patch_opts *opts,
		 struct ksr_buf *img)
{
	int err = opts_valid(opts, sizeof(*opts), "ksr_patch_opts");

	if (err)
		return err;
	if (!r->runnable)
		return ksr_err(EINVAL, "not every extern can be resolved: nothing to patch");
	err = ksr_patch__build(r->obj, r->prof, r->dec, img);
	if (!err)
		err = ksr_profile__read_error(r->prof);
	return err;
}

KSR_API int ksr_resolution__patch(const struct ksr_resolution *r,
				  const struct ksr_patch_opts *opts, void **buf, size_t *len)
{
	struct ksr_buf img = { 0 };
	int err = patch(r, opts, &img);

	*buf = NULL;
	*len = 0;
	if (err) {
		ksr_buf_free(&img);
		return err;
	}
	*buf = img.data;
	*len = img.len;
	return 0;
}

KSR_API int ksr_resolution__write(const struct ksr_resolution *r, const char *path,
				  const struct ksr_patch_opts *opts)
{
	struct ksr_buf img = { 0 };
	int err = patch(r, opts, &img);

	if (!err) {
		struct ksr_chunk c = { img.data, img.len };

		err = ksr_write_atomic(path, &c, 1);
	}
	ksr_buf_free(&img);
	return err;
}

/* ---- manifests and KASLR --------------------------------------------------------- */

static int manifest_of(const struct ksr_object *obj, struct ksr_manifest *m)
{
	const struct ksr_obj_sec *s = ksr_object__sec_by_name(obj, KSR_MANIFEST_SEC);

	if (!s)
		return ksr_err(ENOENT, "no %s section: not patched by ksymres", KSR_MANIFEST_SEC);
	return ksr_manifest__parse(s->data, s->data ? (size_t)s->size : 0, m);
}

KSR_API int ksr_object__manifest(const struct ksr_object *obj, struct ksr_manifest_info *info)
{
	struct ksr_manifest m;
	size_t sz;
	int err = opts_valid(info, sizeof(*info), "ksr_manifest_info");

	if (err)
		return err;
	err = manifest_of(obj, &m);
	if (err)
		return err;
	sz = info->sz;
	memset(info, 0, sz < sizeof(*info) ? sz : sizeof(*info));
	info->sz = sz;
	if (sz < sizeof(*info))
		return 0;   /* an older, smaller struct: only what fits (nothing yet) */
	ksr_hex(m.hdr.identity, sizeof(m.hdr.identity), info->identity);
	ksr_hex(m.hdr.build_id, m.hdr.build_id_len, info->build_id);
	memcpy(info->release, m.hdr.release, sizeof(info->release));
	info->text_addr = m.hdr.text_addr;
	info->site_cnt = m.hdr.site_cnt;
	return 0;
}

KSR_API int ksr_image__rebase(void *img, size_t len, uint64_t text_addr, uint32_t *rebased)
{
	struct ksr_rebase_sec *secs = NULL;
	struct ksr_object *obj;
	struct ksr_manifest m;
	uint32_t n;
	int err = ksr_object__open_mem(img, len, &obj);

	*rebased = 0;
	if (err)
		return err;
	err = manifest_of(obj, &m);
	n = ksr_object__sec_cnt(obj);
	if (!err && !(secs = calloc(n ? n : 1, sizeof(*secs))))
		err = ksr_err(ENOMEM, "out of memory");
	/* writable views of img's sections, where the manifest's sites are */
	for (uint32_t i = 1; !err && i < n; i++) {
		const struct ksr_obj_sec *s = ksr_object__sec(obj, i);

		secs[i].exec = s->flags & SHF_EXECINSTR;
		if (s->data && s->offset <= len && s->size <= len - s->offset) {
			secs[i].data = (uint8_t *)img + s->offset;
			secs[i].size = s->size;
		}
	}
	if (!err)
		err = ksr_rebase__apply(&m, secs, n, ksr_rebase__slide(text_addr, m.hdr.text_addr),
					rebased);
	if (err == -KSR_REBASE_EMODULE)
		err = ksr_err(EXDEV, "%s", ksr_errmsg());
	free(secs);
	ksr_object__free(obj);
	return err;
}
