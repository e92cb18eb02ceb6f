// SPDX-License-Identifier: BSD-2-Clause
/* The public API's entry points for what the tool does (ksymres.h):
 * profiles from parts, resolutions, patched images, manifests and KASLR
 * rebase, each a thin layer over the modules that do the work. */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btf.h"
#include "error.h"
#include "fileio.h"
#include "hash.h"
#include "kallsyms.h"
#include "kconfig.h"
#include "manifest.h"
#include "object.h"
#include "parallel.h"
#include "patch.h"
#include "profile.h"
#include "modbtf.h"
#include "rebase.h"
#include "reresolve.h"
#include "resolve.h"

_Static_assert((unsigned)KSR_PROFILE_KALLSYMS_ALL == (unsigned)KSR_PROF_KALLSYMS_ALL &&
	       (unsigned)KSR_PROFILE_KFUNC_TAGS == (unsigned)KSR_PROF_KFUNC_TAGS &&
	       (unsigned)KSR_PROFILE_HAS_TEXT == (unsigned)KSR_PROF_HAS_TEXT, "profile flags");
_Static_assert(KSR_INPUT_MAX == KSR_MAX_INPUT && KSR_KALLSYMS_LINE_MAX == KSR_KSYM_STREAM_LINE_MAX &&
	       KSR_PROFILE_BUILD_ID_MAX == sizeof(((struct ksr_build_id *)0)->data), "limits");

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

/* ---- files ------------------------------------------------------------------- */

KSR_API int ksr_io__configure(const struct ksr_io_opts *opts)
{
	int err = opts_valid(opts, sizeof(*opts), "ksr_io_opts");

	if (err)
		return err;
	ksr_io_track_inputs(OPT(opts, struct ksr_io_opts, track_inputs));
	if (OPT(opts, struct ksr_io_opts, remove_temps_on_signals))
		ksr_io_remove_temps_on_signals();
	return 0;
}

KSR_API int ksr_input__open(const char *path, size_t max)
{
	struct stat st;

	return ksr_input_open(path, max, &st);
}

KSR_API int ksr_input__read(const char *path, size_t max, void **buf, size_t *len)
{
	return ksr_read_file(path, max, buf, len);
}

KSR_API int ksr_input__map(const char *path, size_t max, const void **data, size_t *len)
{
	struct ksr_map m = { 0 };
	int err = ksr_map_file(path, max, &m);

	*data = m.data;
	*len = m.len;
	return err;
}

KSR_API void ksr_input__unmap(const void *data, size_t len)
{
	struct ksr_map m = { data, len };

	ksr_unmap(&m);
}

KSR_API int ksr_output__write(const char *path, const void *data, size_t len)
{
	struct ksr_chunk c = { data, len };

	return ksr_write_atomic(path, &c, 1);
}

/* ---- kernel BTF and kernel facts ------------------------------------------------ */

KSR_API int ksr_btf__parse_kernel(const void *data, size_t size, struct ksr_btf **out)
{
	const void *blob;
	size_t blob_len;
	int err = ksr_btf_blob_from_file(data, size, &blob, &blob_len);

	*out = NULL;
	return err ? err : ksr_btf__parse_borrowed(blob, blob_len, KSR_BTF_MODE_KERNEL, out);
}

KSR_API void ksr_kernel_identity(const void *raw_btf, size_t size, char hex[33])
{
	ksr_hash128_hex(raw_btf, size, hex);
}

static void build_id_set(struct ksr_build_id *id, const uint8_t *data, uint8_t len)
{
	memset(id, 0, sizeof(*id));
	id->len = len;
	memcpy(id->data, data, len);
	ksr_hex(id->data, len, id->hex);
}

KSR_API int ksr_build_id__from_notes(const void *notes, size_t len, struct ksr_build_id *id)
{
	uint8_t data[KSR_PROFILE_BUILD_ID_MAX], n = 0;
	int err = ksr_notes_build_id(notes, len, data, &n);

	build_id_set(id, data, err ? 0 : n);
	return err;
}

KSR_API int ksr_vmlinux__identify(const void *data, size_t len, uint16_t *machine,
				  struct ksr_build_id *id)
{
	struct ksr_profile_info info = { 0 };
	int err = ksr_kernel_elf_info(data, len, &info);

	*machine = err ? 0 : info.arch;
	build_id_set(id, info.build_id, err ? 0 : info.build_id_len);
	return err;
}

KSR_API const char *ksr_arch__name(uint16_t machine)
{
	return ksr_arch_name(machine);
}

KSR_API uint16_t ksr_arch__machine(const char *name)
{
	return ksr_arch_from_name(name);
}

KSR_API int ksr_arch__kaslr_rule(uint16_t machine)
{
	return ksr_arch_kaslr_rule(machine);
}

/* ---- kallsyms ------------------------------------------------------------------- */

KSR_API int ksr_kallsyms_stream__new(struct ksr_kallsyms_stream **out)
{
	return ksr_kallsyms__stream_new(out);
}

KSR_API int ksr_kallsyms_stream__feed(struct ksr_kallsyms_stream *st, const char *text,
				      size_t len, size_t *used)
{
	return ksr_kallsyms__stream_feed(st, text, len, used);
}

KSR_API int ksr_kallsyms_stream__finish(struct ksr_kallsyms_stream *st, const char *text,
					size_t len, struct ksr_kallsyms **out)
{
	return ksr_kallsyms__stream_finish(st, text, len, out);
}

KSR_API void ksr_kallsyms_stream__free(struct ksr_kallsyms_stream *st)
{
	ksr_kallsyms__stream_free(st);
}

#define TEXT_CHUNK 16384u

static int read_more(int fd, char *buf, size_t have, size_t cap, size_t *got)
{
	for (;;) {
		ssize_t r = read(fd, buf + have, cap - have);

		if (r >= 0) {
			*got = (size_t)r;
			return 0;
		}
		if (errno != EINTR)
			return ksr_err(errno, "read error: %s", strerror(errno));
	}
}

/* Reads lines until _text; kallsyms lists it among the first few. */
static int scan_text(int fd, uint64_t *addr)
{
	char buf[TEXT_CHUNK];
	size_t have = 0, got = 0, used;
	uint64_t base = 0;
	int r;

	for (;;) {
		r = read_more(fd, buf, have, sizeof(buf), &got);
		if (r)
			return r;
		if (got == 0)
			return ksr_err(ENOENT, "kallsyms: no _text symbol");
		have += got;
		r = ksr_rebase__scan_text(buf, have, base, addr, &used);
		if (r != 0)
			return r < 0 ? r : 0;
		if (used == 0 && have == sizeof(buf))
			return ksr_err(KSR_EMALFORMED, "kallsyms: line longer than %u bytes (offset 0x%" PRIx64 ")",
				       TEXT_CHUNK, base);
		memmove(buf, buf + used, have - used);
		have -= used;
		base += used;
	}
}

KSR_API int ksr_kallsyms__find_text(const char *path, uint64_t *addr)
{
	struct stat st;
	int fd = ksr_input_open(path, KSR_MAX_INPUT, &st);
	int err;

	*addr = 0;
	if (fd < 0)
		return fd;
	err = scan_text(fd, addr);
	close(fd);
	return err;
}

/* ---- profiles from parts ---------------------------------------------------- */

/* opts' release, arch (by name, else by e_machine) and build ID over what
 * info holds already. */
static int apply_opts(const struct ksr_profile_opts *opts, struct ksr_profile_info *info)
{
	const char *arch = OPT(opts, struct ksr_profile_opts, arch);
	uint16_t machine = OPT(opts, struct ksr_profile_opts, machine);
	const uint8_t *bid = OPT(opts, struct ksr_profile_opts, build_id);
	size_t bid_len = OPT(opts, struct ksr_profile_opts, build_id_len);

	if (arch && !(info->arch = ksr_arch_from_name(arch)))
		return ksr_err(EINVAL, "unknown arch '%s'", arch);
	if (!arch && machine)
		info->arch = machine;
	if (bid) {
		if (!bid_len || bid_len > KSR_PROFILE_BUILD_ID_MAX)
			return ksr_err(EINVAL, "build ID of %zu bytes (1..%u)", bid_len,
				       KSR_PROFILE_BUILD_ID_MAX);
		memset(info->build_id, 0, sizeof(info->build_id));
		memcpy(info->build_id, bid, bid_len);
		info->build_id_len = (uint8_t)bid_len;
	}
	return 0;
}

static int info_from_opts(const struct ksr_profile_opts *opts, struct ksr_profile_info *info)
{
	int err = opts_valid(opts, sizeof(*opts), "ksr_profile_opts");

	memset(info, 0, sizeof(*info));
	info->release = OPT(opts, struct ksr_profile_opts, release);
	if (!info->release)
		info->release = "unknown";
	return err ? err : apply_opts(opts, info);
}

static int profile_parts(const void *btf_data, size_t btf_len, const char *kallsyms,
			 size_t ks_len, const struct ksr_profile_opts *opts, struct ksr_btf **btf,
			 struct ksr_kallsyms **ks, struct ksr_profile_info *info)
{
	const void *blob;
	size_t blob_len;
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
	if (!err)
		err = apply_opts(opts, info);
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

KSR_API int ksr_profile__new(struct ksr_btf *btf, struct ksr_kallsyms *ks,
			     const struct ksr_profile_opts *opts, struct ksr_profile **out)
{
	struct ksr_profile_info info;
	int err = info_from_opts(opts, &info);

	*out = NULL;
	if (err) {
		ksr_btf__free(btf);
		ksr_kallsyms__free(ks);
		return err;
	}
	return ksr_profile__from_parsed(btf, ks, &info, out);
}

/* ---- profiles: what they hold, writing them in steps, version 1 ----------------- */

/* The fields of a struct with sz that the caller's size covers, from a
 * complete one. */
static void copy_out(void *dst, const void *src, size_t full)
{
	size_t sz;

	memcpy(&sz, dst, sizeof(sz));
	memcpy((uint8_t *)dst + sizeof(sz), (const uint8_t *)src + sizeof(sz),
	       (sz < full ? sz : full) - sizeof(sz));
}

KSR_API int ksr_profile__summary(const struct ksr_profile *prof, struct ksr_profile_summary *s)
{
	const struct ksr_profile_meta *m = ksr_profile__meta(prof);
	struct ksr_profile_summary full = {
		.sz = sizeof(full),
		.format_version = m->version,
		.flags = m->flags,
		.text_addr = m->text_addr,
		.btf_type_cnt = m->btf_type_cnt - 1,
		.sym_cnt = m->sym_cnt,
		.file_size = ksr_profile__size(prof),
		.block_size = m->block_size,
		.block_cnt = m->block_cnt,
	};
	int err = s ? opts_valid(s, sizeof(*s), "ksr_profile_summary") :
		      ksr_err(EINVAL, "ksr_profile_summary: NULL");

	if (!err)
		copy_out(s, &full, sizeof(full));
	return err;
}

KSR_API int ksr_profile__section(const struct ksr_profile *prof, uint32_t i,
				 struct ksr_profile_section *sec)
{
	struct ksr_profile_section full = { .sz = sizeof(full) };
	int err = sec ? opts_valid(sec, sizeof(*sec), "ksr_profile_section") :
			ksr_err(EINVAL, "ksr_profile_section: NULL");

	if (err)
		return err;
	full.name = ksr_profile__section_at(prof, i, &full.offset, &full.size, &full.optional);
	if (!full.name)
		return ksr_err(ENOENT, "profile: no section %u", i);
	copy_out(sec, &full, sizeof(full));
	return 0;
}

KSR_API int ksr_profile_writer__new(const char *path, const struct ksr_btf *btf,
				    struct ksr_profile_writer **out)
{
	return ksr_profile__write_begin(path, btf, out);
}

KSR_API int ksr_profile_writer__add_kallsyms(struct ksr_profile_writer *w,
					     const struct ksr_kallsyms *ks,
					     const struct ksr_profile_opts *opts)
{
	struct ksr_profile_info info;
	int err = info_from_opts(opts, &info);

	if (err) {
		ksr_profile__write_abort(w);
		return err;
	}
	return ksr_profile__write_kallsyms(w, ks, &info);
}

KSR_API int ksr_profile_writer__add_module(struct ksr_profile_writer *w,
					   const struct ksr_btf *base, const char *name,
					   const void *btf, size_t len)
{
	if (!w || !base || !name || (!btf && len))
		return ksr_err(EINVAL, "profile writer: add_module: invalid arguments");
	return ksr_profile__write_module(w, base, name, btf, len);
}

KSR_API int ksr_module_file__btf(const void *data, size_t len, void **btf, size_t *btf_len)
{
	if (!data || !btf || !btf_len)
		return ksr_err(EINVAL, "module file: invalid arguments");
	return ksr_module_file_btf(data, len, btf, btf_len);
}

KSR_API int ksr_profile_writer__commit(struct ksr_profile_writer *w)
{
	return ksr_profile__write_commit(w);
}

KSR_API void ksr_profile_writer__abort(struct ksr_profile_writer *w)
{
	ksr_profile__write_abort(w);
}

KSR_API int ksr_profile__parse_v1(const void *img, size_t len, struct ksr_btf **btf,
				  struct ksr_kallsyms **ks, char release[128])
{
	_Static_assert(KSR_PROFILE_RELEASE_MAX == 128, "release buffer");
	return ksr_profile_v1__read(img, len, btf, ks, release);
}

KSR_API int ksr_object__check_patch_limits(const struct ksr_object *obj)
{
	return ksr_patch__check_limits(obj);
}

/* ---- resolutions -------------------------------------------------------------- */

struct ksr_resolution {
	const struct ksr_object *obj;
	const struct ksr_profile *prof;
	struct ksr_decision *dec;     /* an object's externs ... */
	struct ksr_reresolved rr;     /* ... or those of a re-resolved image */
	struct ksr_object *owned;     /* the re-resolved image's object */
	struct ksr_verdict *verdicts;
	size_t cnt;
	bool runnable;
	struct ksr_kcfg_res *kcfg;    /* the .kconfig externs (core/kconfig.c) */
	size_t kcfg_cnt;
	uint8_t *kcfg_data;
	size_t kcfg_len;
};

static const struct ksr_decision *dec_at(const struct ksr_resolution *r, size_t i)
{
	return r->owned ? &r->rr.externs[i].dec : &r->dec[i];
}

/* The public view of every decision. */
static int make_verdicts(struct ksr_resolution *r)
{
	r->verdicts = calloc(r->cnt ? r->cnt : 1, sizeof(*r->verdicts));
	if (!r->verdicts)
		return ksr_err(ENOMEM, "out of memory");
	for (size_t i = 0; i < r->cnt; i++) {
		const struct ksr_decision *d = dec_at(r, i);

		r->verdicts[i] = (struct ksr_verdict){
			.status = d->status,
			.btf_id = d->btf_id,
			.addr = d->addr,
			.addr_class = d->addr_class,
			.reason = d->reason,
			.note = d->note,
			.module = d->module,
		};
	}
	return 0;
}

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
	r->cnt = ksr_object__extern_cnt(obj);
	ok = ksr_decide_all(obj, prof, &r->dec);
	/* lookups that could not read the profile answered "not found" */
	err = ok < 0 ? ksr_err(ENOMEM, "out of memory") : ksr_profile__read_error(prof);
	if (!err)
		err = make_verdicts(r);
	if (!err)
		err = ksr_kconfig_eval(obj, prof, &r->kcfg, &r->kcfg_cnt, &r->kcfg_data, &r->kcfg_len);
	if (err) {
		ksr_resolution__free(r);
		return err;
	}
	r->runnable = ok == 1;
	for (size_t i = 0; i < r->kcfg_cnt; i++)
		if (r->kcfg[i].v.status == KSR_KCONFIG_MISSING || r->kcfg[i].v.status == KSR_KCONFIG_INVALID)
			r->runnable = false;
	*out = r;
	return 0;
}

/* ---- batches: one object against many profiles, in parallel ------------- */

struct batch {
	const struct ksr_object *obj;
	struct ksr_profile *const *profs;
	struct ksr_resolution **out;
	bool drop;
};

static int batch_one(void *ctx, size_t k)
{
	struct batch *b = ctx;
	int err = ksr_resolution__new(b->obj, b->profs[k], &b->out[k]);

	if (b->drop)
		ksr_profile__drop_cache(b->profs[k]);
	return err;
}

KSR_API int ksr_resolution__new_batch(const struct ksr_object *obj,
				      struct ksr_profile *const *profs, size_t n,
				      const struct ksr_batch_opts *opts,
				      struct ksr_resolution **out, size_t *failed)
{
	int err = opts_valid(opts, sizeof(*opts), "ksr_batch_opts");
	struct batch b = { obj, profs, out, OPT(opts, struct ksr_batch_opts, drop_cache) };

	if (err)
		return err;
	if (!obj || (n && (!profs || !out || !failed)))
		return ksr_err(EINVAL, "ksr_resolution__new_batch: invalid arguments");
	for (size_t k = 0; k < n; k++)
		out[k] = NULL;
	err = ksr_parallel_for(n, OPT(opts, struct ksr_batch_opts, threads), batch_one, &b, failed);
	if (err)
		for (size_t k = 0; k < n; k++) {
			ksr_resolution__free(out[k]);
			out[k] = NULL;
		}
	return err;
}

KSR_API void ksr_resolution__free(struct ksr_resolution *r)
{
	if (!r)
		return;
	free(r->dec);
	free(r->verdicts);
	free(r->kcfg);
	free(r->kcfg_data);
	ksr_reresolved_free(&r->rr);
	ksr_object__free(r->owned);
	free(r);
}

KSR_API bool ksr_resolution__runnable(const struct ksr_resolution *r)
{
	return r->runnable;
}

KSR_API const char *ksr_resolution__status(const struct ksr_resolution *r, size_t i)
{
	return i < r->cnt ? ksr_status_str(dec_at(r, i)->status) : NULL;
}

KSR_API const char *ksr_resolution__reason(const struct ksr_resolution *r, size_t i)
{
	return i < r->cnt ? dec_at(r, i)->reason : NULL;
}

KSR_API size_t ksr_resolution__extern_cnt(const struct ksr_resolution *r)
{
	return r->cnt;
}

KSR_API const struct ksr_extern *ksr_resolution__extern(const struct ksr_resolution *r, size_t i)
{
	if (i >= r->cnt)
		return NULL;
	return r->owned ? &r->rr.externs[i].ext : ksr_object__extern(r->obj, i);
}

KSR_API const struct ksr_verdict *ksr_resolution__verdict(const struct ksr_resolution *r,
							  size_t i)
{
	return i < r->cnt ? &r->verdicts[i] : NULL;
}

/* ---- .kconfig externs (core/kconfig.c) ------------------------------------------ */

KSR_API const char *ksr_kconfig_status_str(enum ksr_kconfig_status s)
{
	static const char *const n[] = { "set", "default", "missing", "invalid", "unknown" };

	return (unsigned int)s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

KSR_API size_t ksr_resolution__kconfig_cnt(const struct ksr_resolution *r)
{
	return r->kcfg_cnt;
}

KSR_API const struct ksr_kconfig_verdict *ksr_resolution__kconfig(const struct ksr_resolution *r,
								  size_t i)
{
	return i < r->kcfg_cnt ? &r->kcfg[i].v : NULL;
}

KSR_API const uint8_t *ksr_resolution__kconfig_data(const struct ksr_resolution *r, size_t *len)
{
	*len = r->kcfg_len;
	return r->kcfg_data;
}

KSR_API size_t ksr_object__kconfig_extern_cnt(const struct ksr_object *obj)
{
	return ksr_object__kconfig_cnt(obj);
}

KSR_API const struct ksr_extern *ksr_object__kconfig_extern(const struct ksr_object *obj, size_t i)
{
	return i < ksr_object__kconfig_cnt(obj) ? &ksr_object__kconfig(obj, i)->ext : NULL;
}

KSR_API int ksr_profile_writer__add_kconfig(struct ksr_profile_writer *w, const char *path)
{
	struct ksr_buf sec = { 0 };
	char *text;
	size_t len;
	int err = ksr_kconfig_read(path, &text, &len);

	if (!err) {
		err = ksr_kconfig_build(text, len, &sec);
		free(text);
	}
	if (err) {
		ksr_profile__write_abort(w);
	} else {
		err = ksr_profile__write_section(w, KSR_KCONFIG_SEC, sec.data, sec.len);
	}
	ksr_buf_free(&sec);
	return err;
}

KSR_API int ksr_profile__kconfig(const struct ksr_profile *prof, uint32_t *entries,
				 uint32_t *bad_line)
{
	uint32_t kind;

	return ksr_kconfig_info(prof, entries, bad_line, &kind);
}

static int patch(const struct ksr_resolution *r, const struct ksr_patch_opts *opts,
		 struct ksr_buf *img)
{
	int err = opts_valid(opts, sizeof(*opts), "ksr_patch_opts");

	if (err)
		return err;
	if (r->owned)
		return ksr_err(EINVAL, "a re-resolved image is rewritten in place: nothing to patch");
	if (!r->runnable)
		return ksr_err(EINVAL, "not every extern can be resolved: nothing to patch");
	if (OPT(opts, struct ksr_patch_opts, bake_kconfig)) {
		struct ksr_patch_kcfg kc = { r->kcfg, r->kcfg_cnt, r->kcfg_data, r->kcfg_len };

		for (size_t i = 0; i < r->kcfg_cnt; i++)
			if (r->kcfg[i].v.status != KSR_KCONFIG_SET && r->kcfg[i].v.status != KSR_KCONFIG_DEFAULT)
				return ksr_err(EINVAL, "cannot bake .kconfig extern %s: %s (%s)", r->kcfg[i].v.name,
					       ksr_kconfig_status_str(r->kcfg[i].v.status), r->kcfg[i].v.reason);
		err = ksr_patch__build(r->obj, r->prof, r->dec, &kc, img);
	} else {
		err = ksr_patch__build(r->obj, r->prof, r->dec, NULL, img);
	}
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
	struct ksr_manifest_info full = { .sz = sizeof(full) };
	struct ksr_manifest m;
	int err = info ? opts_valid(info, sizeof(*info), "ksr_manifest_info") :
			 ksr_err(EINVAL, "ksr_manifest_info: NULL");

	if (err)
		return err;
	err = manifest_of(obj, &m);
	if (err)
		return err;
	ksr_hex(m.hdr.identity, sizeof(m.hdr.identity), full.identity);
	ksr_hex(m.hdr.build_id, m.hdr.build_id_len, full.build_id);
	memcpy(full.release, m.hdr.release, sizeof(full.release));
	full.text_addr = m.hdr.text_addr;
	full.site_cnt = m.hdr.site_cnt;
	full.prof_flags = m.hdr.prof_flags;
	full.arch = m.hdr.arch;
	full.module_cnt = m.hdr.mod_cnt;
	/* a caller built against an older, smaller struct gets what fits */
	copy_out(info, &full, sizeof(full));
	return 0;
}

/* Views of the sections of img (writable) or of obj's copy (read only),
 * indexed by section, where the manifest's sites are. */
static int section_views(const struct ksr_object *obj, void *img, size_t len,
			 struct ksr_rebase_sec **out)
{
	uint32_t n = ksr_object__sec_cnt(obj);
	struct ksr_rebase_sec *secs = calloc(n ? n : 1, sizeof(*secs));

	*out = secs;
	if (!secs)
		return ksr_err(ENOMEM, "out of memory");
	for (uint32_t i = 1; i < n; i++) {
		const struct ksr_obj_sec *s = ksr_object__sec(obj, i);

		secs[i].exec = s->flags & SHF_EXECINSTR;
		if (!img) {
			secs[i].data = (uint8_t *)s->data; /* verify only reads */
			secs[i].size = s->data ? s->size : 0;
		} else if (s->data && s->offset <= len && s->size <= len - s->offset) {
			secs[i].data = (uint8_t *)img + s->offset;
			secs[i].size = s->size;
		}
	}
	return 0;
}

KSR_API int ksr_object__verify_manifest(const struct ksr_object *obj,
					struct ksr_manifest_sites *sites)
{
	struct ksr_rebase_counts c = { 0 };
	struct ksr_rebase_sec *secs = NULL;
	struct ksr_manifest m;
	int err = opts_valid(sites, sizeof(*sites), "ksr_manifest_sites");

	if (!err)
		err = manifest_of(obj, &m);
	if (!err)
		err = section_views(obj, NULL, 0, &secs);
	if (!err)
		err = ksr_rebase__verify(&m, secs, ksr_object__sec_cnt(obj), &c);
	free(secs);
	if (!err && sites) {
		struct ksr_manifest_sites full = {
			.sz = sizeof(full), .btf_ids = c.btf_ids, .zero = c.zero, .poison = c.poison,
			.addr_kernel = c.addr_kernel, .addr_fixed = c.addr_fixed,
			.addr_module = c.addr_module, .module = c.module,
		};

		copy_out(sites, &full, sizeof(full));
	}
	return err;
}

KSR_API int ksr_image__rebase(void *img, size_t len, uint64_t text_addr, uint32_t *rebased)
{
	struct ksr_object *obj;
	int err = ksr_object__open_mem(img, len, &obj);

	*rebased = 0;
	if (err)
		return err;
	err = ksr_object__rebase_image(obj, img, len, text_addr, rebased);
	ksr_object__free(obj);
	return err;
}

KSR_API int ksr_object__rebase_image(const struct ksr_object *obj, void *img, size_t len,
				     uint64_t text_addr, uint32_t *rebased)
{
	struct ksr_rebase_sec *secs = NULL;
	struct ksr_manifest m;
	int err;

	*rebased = 0;
	err = manifest_of(obj, &m);
	if (!err)
		err = section_views(obj, img, len, &secs);
	if (!err)
		err = ksr_rebase__apply(&m, secs, ksr_object__sec_cnt(obj),
					ksr_rebase__slide(text_addr, m.hdr.text_addr), rebased);
	if (err == -KSR_REBASE_EMODULE) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", ksr_errmsg()); /* not from its own buffer */
		err = ksr_err(EXDEV, "%s", msg);
	}
	free(secs);
	return err;
}

KSR_API int ksr_image__reresolve(void *img, size_t len, const struct ksr_profile *prof,
				 struct ksr_resolution **out)
{
	struct ksr_resolution *r = calloc(1, sizeof(*r));
	struct ksr_rebase_sec *secs = NULL;
	struct ksr_rebase_counts counts;
	struct ksr_manifest m;
	int err;

	*out = NULL;
	if (!r)
		return ksr_err(ENOMEM, "out of memory");
	err = ksr_object__open_mem(img, len, &r->owned);
	if (!err)
		err = manifest_of(r->owned, &m);
	if (!err)
		err = section_views(r->owned, img, len, &secs);
	if (!err)
		err = ksr_rebase__verify(&m, secs, ksr_object__sec_cnt(r->owned), &counts);
	if (!err)
		err = ksr_reresolve(r->owned, &m, prof, &r->rr);
	/* lookups that could not read the profile answered "not found" */
	if (!err)
		err = ksr_profile__read_error(prof);
	if (!err) {
		r->obj = r->owned;
		r->prof = prof;
		r->cnt = r->rr.cnt;
		r->runnable = r->rr.ok;
		err = make_verdicts(r);
	}
	/* last: a failure before leaves img as it was */
	if (!err && r->runnable)
		err = ksr_reresolve_rewrite(&m, &r->rr, secs, ksr_object__sec_cnt(r->owned));
	free(secs);
	if (err) {
		ksr_resolution__free(r);
		return err;
	}
	*out = r;
	return 0;
}

/* ---- module externs: the manifest's module table, binding at load ------- */

KSR_API int ksr_object__manifest_module(const struct ksr_object *obj, uint32_t i,
					char name[KSR_MANIFEST_MODULE_NAME_MAX], char identity[33])
{
	struct ksr_manifest m;
	struct ksr_manifest_mod mod;
	int err = manifest_of(obj, &m);

	if (err)
		return err;
	if (i >= m.hdr.mod_cnt)
		return ksr_err(ENOENT, "module %u: the manifest has %u", i, m.hdr.mod_cnt);
	ksr_manifest__mod(&m, i, &mod);
	snprintf(name, KSR_MANIFEST_MODULE_NAME_MAX, "%s", ksr_manifest__mod_name(&m, &mod));
	ksr_hex(mod.identity, sizeof(mod.identity), identity);
	return 0;
}

KSR_API int ksr_image__bind_modules(const void *img, size_t len, const int *btf_fds,
				    uint32_t fd_cnt, void **out, size_t *out_len)
{
	struct ksr_rebase_counts counts;
	struct ksr_rebase_sec *secs = NULL;
	struct ksr_object *obj;
	struct ksr_manifest m;
	struct ksr_buf buf = { 0 };
	int err = ksr_object__open_mem(img, len, &obj);

	*out = NULL;
	*out_len = 0;
	if (err)
		return err;
	err = manifest_of(obj, &m);
	if (!err && fd_cnt != m.hdr.mod_cnt)
		err = ksr_err(EINVAL, "bind: %u BTF fds for %u modules", fd_cnt, m.hdr.mod_cnt);
	if (!err)
		err = section_views(obj, NULL, 0, &secs);
	/* the other sites may have been rebased in img already */
	if (!err)
		err = ksr_rebase__verify_modules(&m, secs, ksr_object__sec_cnt(obj), &counts);
	if (!err)
		err = ksr_patch__bind(obj, &m, btf_fds, fd_cnt, &buf);
	free(secs);
	ksr_object__free(obj);
	if (err) {
		ksr_buf_free(&buf);
		return err;
	}
	*out = buf.data;
	*out_len = buf.len;
	return 0;
}

KSR_API int ksr_object__module_extern(const struct ksr_object *obj, const char *name,
				      uint32_t *mod, uint32_t *btf_id)
{
	struct ksr_manifest m;
	int err = manifest_of(obj, &m);

	if (err)
		return err;
	for (uint32_t i = 0; i < m.hdr.site_cnt; i++) {
		struct ksr_manifest_site s;
		const char *n;

		ksr_manifest__site(&m, i, &s);
		n = ksr_manifest__name(&m, &s);
		if (s.value_kind == KSR_MV_MODULE && n && !strcmp(n, name) && s.module < m.hdr.mod_cnt) {
			*mod = s.module;
			*btf_id = (uint32_t)s.value;
			return 0;
		}
	}
	return ksr_err(ENOENT, "'%s' is not a module extern of the manifest", name);
}
