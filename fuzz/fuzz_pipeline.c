// SPDX-License-Identifier: BSD-2-Clause
/* The whole offline pipeline: object + raw BTF + kallsyms text -> profile
 * file (ksr_profile__write) -> ksr_profile__open -> a decision per extern
 * -> ksr_patch__build -> re-parse of the output.
 *
 * Input: [u8 flags][u32 len][BPF object][u32 len][raw BTF][kallsyms text].
 * flags bit 0 picks the kernel release recorded in the profile (6.1, which
 * predates kfunc addresses, or 6.8); bit 1 records an arch (x86_64); bit 2
 * a build ID of 20, 16, 32 or 1 bytes (bits 4-5); bit 3 writes an optional
 * section (.ksr.opt.fuzz, the first bytes of the kallsyms text) with the
 * writer in steps (docs/profile-format.md, version 2).
 *
 * Invariants: a profile written from validated parts opens again and its
 * prebuilt indexes answer exactly like the parsed BTF and kallsyms; writing
 * leaves no temporary file; then fz_resolve_and_check(): an error means no
 * output, the output re-parses with zero .ksyms externs, is deterministic,
 * changes code only at the patched sites, and each site holds the encoding
 * of its decision, as the manifest says. The profile records the arch, build
 * ID and optional section it was written with. */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "btf.h"
#include "fuzz_common.h"
#include "kallsyms.h"
#include "object.h"
#include "profile.h"
#include "source.h"

#define OPT_NAME KSR_PROFILE_OPT_PREFIX "fuzz"

/* The profile's indexes agree with the parsed inputs for every name the
 * object asks about. */
static void check_profile(const struct ksr_object *obj, const struct ksr_btf *btf,
			  const struct ksr_kallsyms *ks, const struct ksr_profile *prof)
{
	const struct ksr_btf *pb = ksr_profile__btf(prof);
	const struct ksr_kallsyms *pk = ksr_profile__kallsyms(prof);

	FZ_ASSERT(ksr_btf__type_cnt(pb) == ksr_btf__type_cnt(btf));
	FZ_ASSERT(ksr_kallsyms__count(pk) == ksr_kallsyms__count(ks));
	for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++) {
		const char *name = ksr_object__extern(obj, i)->name;
		uint32_t f1 = 0, c1 = 0, f2 = 0, c2 = 0;
		int r1, r2;

		FZ_ASSERT(ksr_btf__find(pb, name, BTF_KIND_VAR) == ksr_btf__find(btf, name, BTF_KIND_VAR));
		FZ_ASSERT(ksr_btf__find(pb, name, BTF_KIND_FUNC) ==
			  ksr_btf__find(btf, name, BTF_KIND_FUNC));
		r1 = ksr_kallsyms__lookup(pk, name, &f1, &c1);
		r2 = ksr_kallsyms__lookup(ks, name, &f2, &c2);
		FZ_ASSERT(r1 == r2 && f1 == f2 && c1 == c2);
	}
}

/* ksr_profile__write(), or the writer in steps with an optional section
 * when opt is not NULL. */
static int write_profile(const char *path, const struct ksr_btf *btf,
			 const struct ksr_kallsyms *ks, const struct ksr_profile_info *info,
			 const uint8_t *opt, size_t opt_len)
{
	struct ksr_profile_writer *w;
	int err;

	if (!opt)
		return ksr_profile__write(path, btf, ks, info);
	err = ksr_profile__write_begin(path, btf, &w);
	if (!err)
		err = ksr_profile__write_kallsyms(w, ks, info);
	if (!err)
		err = ksr_profile__write_section(w, OPT_NAME, opt, opt_len);
	return err ? err : ksr_profile__write_commit(w);
}

/* The profile lists exactly the optional section it was written with. */
static void check_optional(const struct ksr_profile *prof, const uint8_t *opt, size_t opt_len)
{
	struct ksr_span sp;
	const void *got;

	FZ_ASSERT(ksr_profile__optional_cnt(prof) == (opt ? 1 : 0));
	if (!opt)
		return;
	FZ_ASSERT(!strcmp(ksr_profile__optional(prof, 0, &sp), OPT_NAME) && sp.len == opt_len);
	if (!opt_len)
		return;
	got = ksr_span_get(&sp, 0, opt_len);
	FZ_ASSERT(got && !memcmp(got, opt, opt_len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_reader r = { data, size };
	struct ksr_object *obj = NULL;
	struct ksr_btf *btf = NULL;
	struct ksr_kallsyms *ks = NULL;
	struct ksr_profile *prof = NULL;
	const uint8_t *obj_data, *btf_data, *text;
	size_t obj_len, btf_len, text_len;
	struct fz_tmp tmp;
	char *text_copy;
	struct ksr_profile_info info = { 0 };
	size_t opt_len;
	uint8_t flags;
	int err;

	if (size > KSR_FUZZ_MAX_INPUT || !fz_u8(&r, &flags) || !fz_blob(&r, &obj_data, &obj_len) ||
	    !fz_blob(&r, &btf_data, &btf_len))
		return 0;
	fz_rest(&r, &text, &text_len);
	if (ksr_object__open_mem(obj_data, obj_len, &obj) != 0)
		return 0;
	text_copy = fz_dup(text, text_len);
	if (ksr_btf__parse(btf_data, btf_len, KSR_BTF_MODE_KERNEL, &btf) != 0 ||
	    ksr_kallsyms__parse(text_copy, text_len, &ks) != 0)
		goto out;
	FZ_ASSERT(fz_tmp_open(&tmp));
	ksr_err_clear();
	info.release = flags & 1 ? "6.1.0-fuzz" : "6.8.0-fuzz";
	info.arch = flags & 2 ? EM_X86_64 : 0;
	if (flags & 4) {
		static const uint8_t lens[4] = { 20, 16, KSR_PROFILE_BUILD_ID_MAX, 1 };

		info.build_id_len = lens[(flags >> 4) & 3];
		for (uint8_t i = 0; i < info.build_id_len; i++)
			info.build_id[i] = (uint8_t)(i * 7 + flags);
	}
	opt_len = flags & 8 ? (text_len < 64 ? text_len : 64) : 0;
	err = write_profile(tmp.path, btf, ks, &info, flags & 8 ? text : NULL, opt_len);
	fz_check_error(err);
	if (!err) {
		const struct ksr_profile_meta *m;

		err = ksr_profile__open(tmp.path, &prof);
		FZ_ASSERT(err == 0);
		m = ksr_profile__meta(prof);
		FZ_ASSERT(m->arch == info.arch && m->build_id_len == info.build_id_len &&
			  !memcmp(m->build_id, info.build_id, sizeof(m->build_id)));
		check_optional(prof, flags & 8 ? text : NULL, opt_len);
		check_profile(obj, btf, ks, prof);
		fz_resolve_and_check(obj, prof);
		ksr_profile__free(prof);
	}
	fz_tmp_close(&tmp);
out:
	ksr_kallsyms__free(ks);
	ksr_btf__free(btf);
	ksr_object__free(obj);
	free(text_copy);
	return 0;
}
