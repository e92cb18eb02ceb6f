// SPDX-License-Identifier: BSD-2-Clause
/* The kernel profile file (docs/profile-format.md) as ksr_profile__open()
 * reads it, then every lookup the resolver makes on it, and optionally the
 * whole resolve-and-patch path against a BPF object.
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
#include "elfsec.h"
#include "fuzz_common.h"
#include "hash.h"
#include "kallsyms.h"
#include "object.h"
#include "profile.h"

#define META_CHECKSUM 24u
#define META_IDENTITY 32u

static const char *const summed[] = { ".BTF", ".ksr.btf.types", ".ksr.btf.names", ".ksr.syms",
				      ".ksr.symstr", ".ksr.symidx", ".shstrtab" };
#define NSUMMED (sizeof(summed) / sizeof(summed[0]))

/* Rewrites .ksr.meta's checksum and identity to match the file. */
static void fix_sums(uint8_t *file, size_t len)
{
	const struct ksr_elfsec *meta, *s;
	const void *data[NSUMMED];
	size_t size[NSUMMED];
	struct ksr_elfsecs secs;
	uint64_t sum;
	char hex[33];
	int err = 0;

	if (ksr_elfsec__read(file, len, &secs) != 0)
		return;
	meta = ksr_elfsec__find(&secs, ".ksr.meta", &err);
	for (size_t i = 0; i < NSUMMED && meta && !err; i++) {
		s = ksr_elfsec__find(&secs, summed[i], &err);
		if (!s) {
			meta = NULL;
			break;
		}
		data[i] = file + s->offset;
		size[i] = (size_t)s->size;
	}
	if (meta && !err && meta->size >= META_IDENTITY + 16) {
		sum = ksr_hash64_multi(data, size, NSUMMED);
		memcpy(file + meta->offset + META_CHECKSUM, &sum, 8);
		ksr_hash128_hex(data[0], size[0], hex);
		for (int i = 0; i < 16; i++) {
			unsigned int v;

			sscanf(hex + 2 * i, "%2x", &v);
			file[meta->offset + META_IDENTITY + i] = (uint8_t)v;
		}
	}
	ksr_elfsec__free(&secs);
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
	copy = fz_dup(prof_data, prof_len);
	fix_sums(copy, prof_len);
	fd = fz_memfd(copy, prof_len, path, sizeof(path));
	free(copy);
	FZ_ASSERT(fd >= 0);
	ksr_err_clear();
	err = ksr_profile__open(path, &prof);
	close(fd);
	fz_check_error(err);
	FZ_ASSERT(err == 0 ? prof != NULL : prof == NULL);
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
	ksr_object__free(obj);
	return 0;
}
