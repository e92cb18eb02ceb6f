// SPDX-License-Identifier: BSD-2-Clause
/* The kernel profile file (docs/profile-format.md) as ksr_profile__open()
 * reads it, then every lookup the resolver makes on it, and optionally the
 * whole resolve-and-patch path against a BPF object. The lean open (read
 * with pread, as resolve and check open profiles) must agree: the same
 * verdict, and the same answers unless it reports a failed read.
 *
 * Input: [u32 len][BPF object, may be empty][profile file]. The profile's
 * checksum and identity are recomputed here before opening (when its
 * section table can be read), so mutations reach the indexes instead of
 * stopping at the checksum; the checksum check itself is covered by the
 * seeds and tests/cli/malformed.sh.
 *
 * A profile is validated structurally when opened and its indexes are
 * bounds-checked on every access: a forged one may give wrong answers, but
 * never a memory error, and the patch invariants (fz_resolve_and_check)
 * still hold. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btf.h"
#include "btf_int.h"
#include "elfsec.h"
#include "fuzz_common.h"
#include "hash.h"
#include "kallsyms.h"
#include "object.h"
#include "profile.h"

#define META_CHECKSUM 24u
#define META_IDENTITY 32u

/* Rewrites .ksr.meta's identity and checksum to match the file. */
static void fix_sums(uint8_t *file, size_t len)
{
	const struct ksr_elfsec *meta, *btf;
	struct ksr_elfsecs secs;
	uint64_t sum;
	char hex[33];
	int err = 0;

	if (ksr_elfsec__read(file, len, &ksr_elf_kind_profile, &secs) != 0)
		return;
	meta = ksr_elfsec__find(&secs, ".ksr.meta", &err);
	btf = err ? NULL : ksr_elfsec__find(&secs, ".BTF", &err);
	if (meta && btf && !err && meta->size >= META_IDENTITY + 16) {
		ksr_hash128_hex(file + btf->offset, (size_t)btf->size, hex);
		for (int i = 0; i < 16; i++) {
			unsigned int v;

			sscanf(hex + 2 * i, "%2x", &v);
			file[meta->offset + META_IDENTITY + i] = (uint8_t)v;
		}
	}
	ksr_elfsec__free(&secs);
	sum = ksr_profile_checksum(file, len);
	if (len >= KSR_PROFILE_BODY_OFF)
		memcpy(file + 64 + META_CHECKSUM, &sum, 8);
}

static void walk_kallsyms(const struct ksr_kallsyms *ks)
{
	char key[KSR_KSYM_NAME_MAX + 1];
	uint32_t n = ksr_kallsyms__count(ks), probes = 0, first, cnt;
	uint64_t addr;

	for (uint32_t i = 0; i < n; i++) {
		const struct ksr_ksym *s = ksr_kallsyms__sym(ks, i);
		const char *name = ksr_kallsyms__str(ks, s->name_off);

		ksr_kallsyms__str(ks, s->mod_off);
		if (!name || probes >= KSR_FUZZ_MAX_PROBES)
			continue;
		probes++;
		snprintf(key, sizeof(key), "%.*s", (int)(s->key_len < KSR_KSYM_NAME_MAX ? s->key_len
										: KSR_KSYM_NAME_MAX), name);
		if (ksr_kallsyms__lookup(ks, key, &first, &cnt) == 0)
			for (uint32_t j = 0; j < cnt; j++)
				FZ_ASSERT(ksr_kallsyms__sym(ks, first + j) != NULL);
	}
	ksr_kallsyms__text_addr(ks, &addr);
	ksr_kallsyms__has_data_syms(ks);
}

static bool same_str(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

/* The mapped and the lean view of one profile: false at the first answer
 * that differs. */
static bool same_answers(const struct ksr_profile *m, const struct ksr_profile *l)
{
	const struct ksr_btf *mb = ksr_profile__btf(m), *lb = ksr_profile__btf(l);
	const struct ksr_kallsyms *mk = ksr_profile__kallsyms(m), *lk = ksr_profile__kallsyms(l);
	uint32_t n = ksr_btf__type_cnt(mb);

	if (n != ksr_btf__type_cnt(lb) || ksr_kallsyms__count(mk) != ksr_kallsyms__count(lk) ||
	    ksr_btf__has_kfunc_tags(mb) != ksr_btf__has_kfunc_tags(lb))
		return false;
	for (uint32_t id = 1; id < n && id <= KSR_FUZZ_MAX_PROBES; id++) {
		const struct btf_type *a = ksr_btf__type_by_id(mb, id), *b = ksr_btf__type_by_id(lb, id);
		const char *name = ksr_btf__name(mb, id);

		if (!a || !b) {
			if (a != b)
				return false;
			continue;
		}
		if (memcmp(a, b, ksr_btf_rec_len(ksr_btf_kind(a), ksr_btf_vlen(a))) != 0 || !same_str(name, ksr_btf__name(lb, id)) ||
		    ksr_btf__skip_mods(mb, id) != ksr_btf__skip_mods(lb, id))
			return false;
		if (name && ksr_btf__find(mb, name, BTF_INFO_KIND(a->info)) !=
			    ksr_btf__find(lb, name, BTF_INFO_KIND(a->info)))
			return false;
	}
	for (uint32_t i = 0; i < ksr_kallsyms__count(mk) && i < KSR_FUZZ_MAX_PROBES; i++) {
		const struct ksr_ksym *a = ksr_kallsyms__sym(mk, i), *b = ksr_kallsyms__sym(lk, i);
		const char *name = a ? ksr_kallsyms__str(mk, a->name_off) : NULL;
		uint32_t f1 = 0, c1 = 0, f2 = 0, c2 = 0;

		if (!a || !b) {
			if (a != b)
				return false;
			continue;
		}
		if (memcmp(a, b, sizeof(*a)) != 0 || !same_str(name, ksr_kallsyms__str(lk, b->name_off)))
			return false;
		if (name && (ksr_kallsyms__lookup(mk, name, &f1, &c1) !=
			     ksr_kallsyms__lookup(lk, name, &f2, &c2) || f1 != f2 || c1 != c2))
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_reader r = { data, size };
	struct ksr_object *obj = NULL;
	struct ksr_profile *prof = NULL, *lean = NULL;
	const uint8_t *obj_data, *prof_data;
	size_t obj_len, prof_len;
	char path[64];
	uint8_t *copy;
	int fd, err, lerr;

	if (size > KSR_FUZZ_MAX_INPUT || !fz_blob(&r, &obj_data, &obj_len))
		return 0;
	fz_rest(&r, &prof_data, &prof_len);
	if (obj_len)
		ksr_object__open_mem(obj_data, obj_len, &obj);
	copy = fz_dup(prof_data, prof_len);
	fix_sums(copy, prof_len);
	fd = fz_memfd(copy, prof_len, path, sizeof(path));
	free(copy);
	FZ_ASSERT(fd >= 0);
	ksr_err_clear();
	err = ksr_profile__open(path, &prof);
	fz_check_error(err);
	FZ_ASSERT(err == 0 ? prof != NULL : prof == NULL);
	ksr_err_clear();
	lerr = ksr_profile__open_lean(path, &lean);
	close(fd);
	fz_check_error(lerr);
	FZ_ASSERT(lerr == err && (lean != NULL) == (prof != NULL));
	if (lean)
		FZ_ASSERT(same_answers(prof, lean) || ksr_profile__read_error(lean) != 0);
	if (prof) {
		const struct ksr_btf *btf = ksr_profile__btf(prof);

		FZ_ASSERT(strlen(ksr_profile__identity(prof)) == 32);
		FZ_ASSERT(strlen(ksr_profile__release(prof)) < KSR_PROFILE_RELEASE_MAX);
		FZ_ASSERT(ksr_profile__size(prof) == prof_len && ksr_profile__name(prof));
		fz_walk_btf(btf, btf, false, (uint32_t)prof_len);
		walk_kallsyms(ksr_profile__kallsyms(prof));
		if (obj)
			fz_resolve_and_check(obj, prof);
	}
	ksr_profile__free(prof);
	ksr_profile__free(lean);
	ksr_object__free(obj);
	return 0;
}
