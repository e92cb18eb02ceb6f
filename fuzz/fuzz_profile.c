// SPDX-License-Identifier: BSD-2-Clause
/* The kernel profile file (docs/profile-format.md, version 2) as
 * ksr_profile__open() reads it, then every lookup the resolver makes on it,
 * and optionally the whole resolve-and-patch path against a BPF object.
 *
 * Input: [u32 len][BPF object, may be empty][profile file]. The file is
 * opened as it is (the head hash and the block hashes stop most
 * mutations), then again with every hash recomputed (when its head can be
 * read), so mutations reach the layout checks, .ksr.meta and the indexes.
 * Optional sections are walked too. A version 1 profile is also read as
 * `ksymres profile --from` converts it (ksr_profile__parse_v1), as it is
 * and with its checksum and identity recomputed.
 *
 * A profile is validated structurally when opened and its indexes are
 * bounds-checked on every access: a forged one may give wrong answers, but
 * never a memory error, and the patch invariants (fz_resolve_and_check)
 * still hold. */
#include <elf.h>
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

static void walk_kallsyms(const struct ksr_kallsyms *ks)
{
	char key[KSR_KSYM_NAME_MAX + 1];
	uint32_t n = ksr_kallsyms__count(ks), probes = 0, first, cnt;
	uint64_t addr;

	for (uint32_t i = 0; i < n; i++) {
		const struct ksr_ksym *s = ksr_kallsyms__sym(ks, i);
		const char *name;

		if (!s)         /* a damaged block: this read and every later one fail */
			break;
		name = ksr_kallsyms__str(ks, s->name_off);
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

/* Opens the file at path: 0 or the error, and the profile. */
static int open_checked(const char *path, struct ksr_profile **prof)
{
	int err;

	ksr_err_clear();
	err = ksr_profile__open(path, prof);
	fz_check_error(err);
	FZ_ASSERT(err == 0 ? *prof != NULL : *prof == NULL);
	return err;
}

static void walk_optional(struct ksr_profile *prof)
{
	for (uint32_t i = 0; i < ksr_profile__optional_cnt(prof); i++) {
		struct ksr_span sp;
		const char *name = ksr_profile__optional(prof, i, &sp);

		FZ_ASSERT(name && !strncmp(name, KSR_PROFILE_OPT_PREFIX, strlen(KSR_PROFILE_OPT_PREFIX)));
		if (sp.len)
			ksr_span_get(&sp, sp.len - 1, 1);
	}
}

/* Version 1 (core/profile_v1.c): the section table ends the file, the
 * XXH3-64 of sections 2-8 is at 88 and the XXH3-128 of .BTF (section 2)
 * at 96; recomputed where the table gives sections inside the file. */
static void fix_v1_hashes(uint8_t *img, size_t len)
{
	const void *parts[7];
	size_t sizes[7];
	Elf64_Shdr sh;
	uint64_t sum;

	if (!ksr_profile_v1__is(img, len) || len < 64 + 200 + 9 * sizeof(sh))
		return;
	for (uint32_t i = 2; i < 9; i++) {
		memcpy(&sh, img + len - (9 - i) * sizeof(sh), sizeof(sh));
		if (sh.sh_offset > len || sh.sh_size > len - sh.sh_offset)
			return;
		parts[i - 2] = img + sh.sh_offset;
		sizes[i - 2] = (size_t)sh.sh_size;
	}
	sum = ksr_hash64_multi(parts, sizes, 7);
	memcpy(img + 88, &sum, sizeof(sum));
	ksr_hash128(parts[0], sizes[0], img + 96);
}

static void read_v1(const uint8_t *img, size_t len)
{
	struct ksr_btf *btf = NULL;
	struct ksr_kallsyms *ks = NULL;
	char release[128];
	int err = ksr_profile__parse_v1(img, len, &btf, &ks, release);

	fz_check_error(err);
	FZ_ASSERT(err ? !btf && !ks : btf && ks && memchr(release, '\0', sizeof(release)));
	ksr_btf__free(btf);
	ksr_kallsyms__free(ks);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_reader r = { data, size };
	struct ksr_object *obj = NULL;
	struct ksr_profile *prof = NULL;
	const uint8_t *obj_data, *prof_data;
	size_t obj_len, prof_len;
	char path[64];
	uint8_t *copy;
	int fd, err;

	if (size > KSR_FUZZ_MAX_INPUT || !fz_blob(&r, &obj_data, &obj_len))
		return 0;
	fz_rest(&r, &prof_data, &prof_len);
	if (obj_len)
		ksr_object__open_mem(obj_data, obj_len, &obj);
	/* as it is */
	fd = fz_memfd(prof_data, prof_len, path, sizeof(path));
	FZ_ASSERT(fd >= 0);
	if (open_checked(path, &prof) == 0) {
		walk_kallsyms(ksr_profile__kallsyms(prof));
		/* what the lookups met: a failed read, or a damaged index */
		fz_check_error(ksr_profile__read_error(prof));
	}
	ksr_profile__free(prof);
	prof = NULL;
	close(fd);
	/* with the hashes recomputed */
	copy = fz_dup(prof_data, prof_len);
	if (ksr_profile_v1__is(copy, prof_len)) {
		read_v1(copy, prof_len);
		fix_v1_hashes(copy, prof_len);
		read_v1(copy, prof_len);
	}
	ksr_profile_fix_hashes(copy, prof_len);
	fd = fz_memfd(copy, prof_len, path, sizeof(path));
	free(copy);
	FZ_ASSERT(fd >= 0);
	err = open_checked(path, &prof);
	close(fd);
	if (!err) {
		const struct ksr_btf *btf = ksr_profile__btf(prof);

		FZ_ASSERT(strlen(ksr_profile__identity(prof)) == 32);
		FZ_ASSERT(strlen(ksr_profile__release(prof)) < KSR_PROFILE_RELEASE_MAX);
		FZ_ASSERT(ksr_profile__size(prof) == prof_len && ksr_profile__name(prof));
		fz_walk_btf(btf, btf, false, (uint32_t)prof_len);
		walk_kallsyms(ksr_profile__kallsyms(prof));
		walk_optional(prof);
		fz_check_error(ksr_profile__read_error(prof));
		if (obj)
			fz_resolve_and_check(obj, prof);
	}
	ksr_profile__free(prof);
	ksr_object__free(obj);
	return 0;
}
