// SPDX-License-Identifier: BSD-2-Clause
/* Profiles of format version 1, read only to convert them ('ksymres profile
 * --from'). Version 1: the ELF header, .ksr.meta (200 bytes) at 64, the
 * sections .BTF, .ksr.btf.types, .ksr.btf.names, .ksr.syms, .ksr.symstr,
 * .ksr.symidx and .shstrtab each 8-aligned in that order, and the section
 * table at the end; an XXH3-64 over sections 2-8 in .ksr.meta at 88 and the
 * identity (XXH3-128 of .BTF) at 96. The old reader's checks are all made:
 * the exact layout, the checksum, the identity; then the BTF is validated
 * with the kernel rules and the symbols turned back into kallsyms text,
 * parsed again and compared record by record with the file's. */
#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "hash.h"
#include "kallsyms.h"
#include "profile.h"

#define V1_META_OFF 64u
#define V1_META_SIZE 200u
#define V1_SECS 9u

/* v1 .ksr.meta */
struct v1_meta {
	char magic[8];
	uint32_t version, flags;
	uint64_t text_addr, checksum;
	uint8_t identity[16];
	uint32_t btf_type_cnt, btf_slot_cnt, sym_cnt, sym_slot_cnt, symstr_len, reserved;
	char release[KSR_PROFILE_RELEASE_MAX];
};
_Static_assert(sizeof(struct v1_meta) == V1_META_SIZE, "v1 meta layout");

static const char *const v1_names[V1_SECS] = {
	"", ".ksr.meta", ".BTF", ".ksr.btf.types", ".ksr.btf.names", ".ksr.syms", ".ksr.symstr",
	".ksr.symidx", ".shstrtab",
};
enum { V1_BTF = 2, V1_TYPES, V1_NAMES, V1_SYMS, V1_SYMSTR, V1_SYMIDX, V1_SHSTRTAB };

bool ksr_profile_v1__is(const uint8_t *img, size_t len)
{
	uint32_t version;

	if (len < V1_META_OFF + 12 || memcmp(img + V1_META_OFF, KSR_PROFILE_MAGIC,
					       sizeof(KSR_PROFILE_MAGIC)) != 0)
		return false;
	memcpy(&version, img + V1_META_OFF + 8, sizeof(version));
	return version == 1;
}

static uint64_t align8(uint64_t n)
{
	return (n + 7) & ~(uint64_t)7;
}

/* The exact headers of version 1: the ELF header, then each section at the
 * end of the previous one rounded up to 8, the table ending the file. */
static int check_layout(const uint8_t *img, size_t len, Elf64_Shdr sh[V1_SECS])
{
	const uint64_t table = V1_SECS * sizeof(Elf64_Shdr);
	uint64_t shoff, end = V1_META_OFF, name = 1, shstr_len = 1;
	Elf64_Ehdr eh, want;

	for (uint32_t i = 1; i < V1_SECS; i++)
		shstr_len += strlen(v1_names[i]) + 1;
	if (len < V1_META_OFF + V1_META_SIZE + table)
		return ksr_err(KSR_EMALFORMED, "version 1 profile: %zu bytes is too short", len);
	shoff = len - table;
	memcpy(&eh, img, sizeof(eh));
	ksr_profile_elf_header(&want, V1_SECS, V1_SHSTRTAB, shoff);
	if (memcmp(&eh, &want, sizeof(eh)) != 0)
		return ksr_err(KSR_EMALFORMED, "version 1 profile: ELF header is not a profile's (file offset 0x0)");
	memcpy(sh, img + shoff, table);
	for (uint32_t i = 0; i < V1_SECS; i++) {
		Elf64_Shdr w;

		memset(&w, 0, sizeof(w));
		if (i) {
			w.sh_name = (uint32_t)name;
			w.sh_type = i == V1_SHSTRTAB ? SHT_STRTAB : SHT_PROGBITS;
			w.sh_offset = align8(end);
			w.sh_size = i == 1 ? V1_META_SIZE : i == V1_SHSTRTAB ? shstr_len : sh[i].sh_size;
			w.sh_addralign = 8;
			name += strlen(v1_names[i]) + 1;
			end = w.sh_offset + w.sh_size;
		}
		if (memcmp(&sh[i], &w, sizeof(w)) != 0 || end > shoff)
			return ksr_err(KSR_EMALFORMED,
				       "version 1 profile: section header %u is not a profile's (file offset 0x%llx)",
				       i, (unsigned long long)(shoff + i * sizeof(w)));
		/* the alignment gap before the section: zeros (no checksum covers it) */
		for (uint64_t g = i > 1 ? sh[i - 1].sh_offset + sh[i - 1].sh_size : w.sh_offset;
		     i && g < w.sh_offset; g++)
			if (img[g])
				return ksr_err(KSR_EMALFORMED, "version 1 profile: non-zero gap byte (file offset 0x%llx)",
					       (unsigned long long)g);
	}
	for (uint64_t g = end; g < shoff; g++)
		if (img[g])
			return ksr_err(KSR_EMALFORMED, "version 1 profile: non-zero gap byte (file offset 0x%llx)",
				       (unsigned long long)g);
	if (align8(end) != shoff)
		return ksr_err(KSR_EMALFORMED, "version 1 profile: bytes between the sections and the table");
	for (uint32_t i = 1, pos = (uint32_t)sh[V1_SHSTRTAB].sh_offset + 1; i < V1_SECS; i++) {
		if (strcmp((const char *)img + pos, v1_names[i]) != 0)
			return ksr_err(KSR_EMALFORMED, "version 1 profile: .shstrtab is not a profile's");
		pos += (uint32_t)strlen(v1_names[i]) + 1;
	}
	return 0;
}

struct by_addr {
	uint64_t addr;
	uint32_t i;
};

static int cmp_by_addr(const void *a, const void *b)
{
	const struct by_addr *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static const char *str_at(const char *strs, uint32_t len, uint32_t off)
{
	return off < len && memchr(strs + off, '\0', len - off) ? strs + off : NULL;
}

/* The symbols as kallsyms text, in address order (then record order). */
static int to_text(const struct ksr_ksym *syms, uint32_t cnt, const char *strs, uint32_t strs_len,
		   char **text, size_t *text_len)
{
	struct by_addr *order = malloc((cnt ? cnt : 1) * sizeof(*order));
	size_t cap = 1, len = 0;
	char *t = NULL;
	int err = 0;

	if (!order)
		return ksr_err(ENOMEM, "out of memory");
	for (uint32_t i = 0; i < cnt && !err; i++) {
		const char *name = str_at(strs, strs_len, syms[i].name_off);
		const char *mod = str_at(strs, strs_len, syms[i].mod_off);

		if (!name || !mod)
			err = ksr_err(KSR_EMALFORMED,
				      "version 1 profile: .ksr.syms: record %u names a string outside .ksr.symstr", i);
		else
			cap += 16 + 3 + strlen(name) + 3 + strlen(mod) + 1;
		order[i] = (struct by_addr){ syms[i].addr, i };
	}
	if (!err && !(t = malloc(cap)))
		err = ksr_err(ENOMEM, "out of memory");
	if (err) {
		free(order);
		return err;
	}
	qsort(order, cnt, sizeof(*order), cmp_by_addr);
	for (uint32_t k = 0; k < cnt; k++) {
		const struct ksr_ksym *s = &syms[order[k].i];
		const char *mod = strs + s->mod_off;

		len += (size_t)snprintf(t + len, cap - len, "%016" PRIx64 " %c %s%s%s%s\n", s->addr,
					s->type, strs + s->name_off, s->mod_off ? "\t[" : "", mod,
					s->mod_off ? "]" : "");
	}
	free(order);
	t[len] = '\0';
	*text = t;
	*text_len = len;
	return 0;
}

/* The parsed text gives the file's records: the same symbols, the same
 * order, the same keys and flags. */
static int same_records(const struct ksr_kallsyms *ks, const struct ksr_ksym *syms, uint32_t cnt,
			const char *strs)
{
	uint32_t n, slen;
	const struct ksr_ksym *mine = ksr_kallsyms__syms(ks, &n);
	const char *mstrs = ksr_kallsyms__strs(ks, &slen);

	if (n != cnt)
		return ksr_err(KSR_EMALFORMED, "version 1 profile: %u symbols read back as %u", cnt, n);
	for (uint32_t i = 0; i < cnt; i++) {
		const struct ksr_ksym *a = &syms[i], *b = &mine[i];

		if (a->addr != b->addr || a->type != b->type || a->flags != b->flags ||
		    a->key_len != b->key_len || a->reserved || strcmp(strs + a->name_off, mstrs + b->name_off) ||
		    strcmp(strs + a->mod_off, mstrs + b->mod_off))
			return ksr_err(KSR_EMALFORMED,
				       "version 1 profile: .ksr.syms: record %u is not what its symbol gives (file damaged or forged)",
				       i);
	}
	return 0;
}

int ksr_profile_v1__read(const uint8_t *img, size_t len, struct ksr_btf **btf,
			 struct ksr_kallsyms **ks, char release[KSR_PROFILE_RELEASE_MAX])
{
	const void *data[V1_SECS];
	size_t sizes[V1_SECS], n = 0;
	Elf64_Shdr sh[V1_SECS];
	struct v1_meta m;
	const struct ksr_ksym *syms;
	uint8_t identity[16];
	char *text = NULL;
	size_t text_len = 0;
	int err;

	*btf = NULL;
	*ks = NULL;
	if (!ksr_profile_v1__is(img, len))
		return ksr_err(KSR_EMALFORMED, "not a version 1 profile (file offset 0x40)");
	err = check_layout(img, len, sh);
	if (err)
		return err;
	memcpy(&m, img + V1_META_OFF, sizeof(m));
	if (m.reserved || m.release[KSR_PROFILE_RELEASE_MAX - 1] ||
	    sh[V1_TYPES].sh_size != (uint64_t)m.btf_type_cnt * 4 ||
	    sh[V1_NAMES].sh_size != (uint64_t)m.btf_slot_cnt * sizeof(struct ksr_btf_name_slot) ||
	    sh[V1_SYMS].sh_size != (uint64_t)m.sym_cnt * sizeof(struct ksr_ksym) ||
	    sh[V1_SYMSTR].sh_size != m.symstr_len || m.symstr_len == 0 ||
	    sh[V1_SYMIDX].sh_size != (uint64_t)m.sym_slot_cnt * 4)
		return ksr_err(KSR_EMALFORMED, "version 1 profile: .ksr.meta: fields disagree with the sections (file offset 0x40)");
	for (uint32_t i = V1_BTF; i < V1_SECS; i++, n++) {
		data[n] = img + sh[i].sh_offset;
		sizes[n] = (size_t)sh[i].sh_size;
	}
	if (ksr_hash64_multi(data, sizes, n) != m.checksum)
		return ksr_err(KSR_EMALFORMED, "version 1 profile: checksum mismatch: the profile is corrupted (file offset 0x58)");
	ksr_hash128(data[0], sizes[0], identity);
	if (memcmp(identity, m.identity, sizeof(identity)) != 0)
		return ksr_err(KSR_EMALFORMED, "version 1 profile: identity does not match the BTF (file offset 0x60)");
	err = ksr_btf__parse(data[0], sizes[0], KSR_BTF_MODE_KERNEL, btf);
	if (err) {
		ksr_err_prefix(".BTF");
		return err;
	}
	syms = (const struct ksr_ksym *)(const void *)(img + sh[V1_SYMS].sh_offset);
	err = to_text(syms, m.sym_cnt, (const char *)img + sh[V1_SYMSTR].sh_offset, m.symstr_len,
		      &text, &text_len);
	if (!err) {
		err = ksr_kallsyms__parse(text, text_len, ks);
		if (err)
			ksr_err_prefix("version 1 profile: .ksr.syms read back");
	}
	if (!err)
		err = same_records(*ks, syms, m.sym_cnt, (const char *)img + sh[V1_SYMSTR].sh_offset);
	if (!err) {
		/* .ksr.meta's flags and _text: not under the checksum, so they
		 * must be what the contents give, by the writer's rules */
		struct ksr_profile_info info = { .release = "" };
		struct ksr_profile_meta want;

		ksr_profile__derive_meta(&want, *btf, *ks, &info);
		if (want.flags != m.flags || want.text_addr != m.text_addr)
			err = ksr_err(KSR_EMALFORMED,
				      "version 1 profile: .ksr.meta: flags or _text disagree with the contents (file offset 0x4c)");
	}
	free(text);
	if (err) {
		ksr_btf__free(*btf);
		ksr_kallsyms__free(*ks);
		*btf = NULL;
		*ks = NULL;
		return err;
	}
	memcpy(release, m.release, KSR_PROFILE_RELEASE_MAX);
	return 0;
}
