// SPDX-License-Identifier: BSD-2-Clause
/* The DATASECs of an object's BTF as libbpf finalizes them at load time
 * (bpf_object__finalize_btf): .kconfig laid out as libbpf lays out the
 * Kconfig externs, a data DATASEC (.data, .bss, .rodata, license, ...)
 * sized from its ELF section with its VAR offsets taken from the symbols,
 * entries sorted by offset. Object validation checks that every data
 * DATASEC can be finalized and then meets the kernel's DATASEC rules; the
 * patcher applies the same fixups to its rewritten BTF before checking it
 * (ksyms_btf.c). */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "btf_copy.h"
#include "error.h"
#include "object_priv.h"

/* The symbol libbpf places a VAR with (find_elf_var_sym): the first
 * global or weak STT_OBJECT of that name, in whatever section. */
static const struct ksr_obj_sym *find_var_sym(const struct ksr_object *obj, const char *name)
{
	for (uint32_t i = 1; i < ksr_object__sym_cnt(obj); i++) {
		const struct ksr_obj_sym *s = ksr_object__sym(obj, i);

		if (ELF64_ST_TYPE(s->info) == STT_OBJECT &&
		    (ELF64_ST_BIND(s->info) == STB_GLOBAL || ELF64_ST_BIND(s->info) == STB_WEAK) &&
		    !strcmp(s->name, name))
			return s;
	}
	return NULL;
}

/* libbpf leaves static and extern VARs of a data DATASEC as they are and
 * needs a symbol for every other one (btf_fixup_datasec). */
static bool var_needs_sym(const uint8_t *var)
{
	uint32_t linkage = ksr_btf_rd32(var + KSR_BTF_T_EXTRA);

	return linkage != BTF_VAR_STATIC && linkage != BTF_VAR_GLOBAL_EXTERN;
}

static int cmp_secinfo(const void *a, const void *b)
{
	uint32_t x = ksr_btf_rd32((const uint8_t *)a + 4), y = ksr_btf_rd32((const uint8_t *)b + 4);

	return x < y ? -1 : x > y;
}

static void fixup_kconfig(const struct ksr_object *obj, const struct ksr_btf *btf,
			  struct ksr_btf_copy *b, uint8_t *sec)
{
	uint32_t vlen = BTF_INFO_VLEN(ksr_btf_rd32(sec + KSR_BTF_T_INFO)), off = 0;

	for (size_t k = 0; k < ksr_object__kconfig_cnt(obj); k++) {
		const struct ksr_obj_kconfig *kc = ksr_object__kconfig(obj, k);
		uint32_t align = kc->align ? kc->align : 1;

		off = (off + align - 1) / align * align;
		for (uint32_t i = 0; i < vlen; i++) {
			uint8_t *vs = sec + KSR_BTF_T_EXTRA + (size_t)i * KSR_BTF_SECINFO_SZ;
			uint32_t t = ksr_btf_rd32(vs);

			uint8_t *var;

			if (!t || t >= b->type_cnt)
				continue;
			var = ksr_btf_copy__type(b, t);
			if (!strcmp(ksr_btf_copy__name(btf, var), kc->ext.name)) {
				ksr_btf_wr32(vs + 4, off);
				ksr_btf_wr32(var + KSR_BTF_T_EXTRA, BTF_VAR_GLOBAL_ALLOCATED);
			}
		}
		off += kc->size;
	}
	ksr_btf_wr32(sec + KSR_BTF_T_SIZE, off);
	qsort(sec + KSR_BTF_T_EXTRA, vlen, KSR_BTF_SECINFO_SZ, cmp_secinfo);
}

static void fixup_data(const struct ksr_object *obj, const struct ksr_btf *btf, struct ksr_btf_copy *b,
		       uint8_t *sec, const struct ksr_obj_sec *elf_sec)
{
	uint32_t vlen = BTF_INFO_VLEN(ksr_btf_rd32(sec + KSR_BTF_T_INFO));
	bool fix_offsets = ksr_btf_rd32(sec + KSR_BTF_T_SIZE) == 0;

	if (fix_offsets)
		ksr_btf_wr32(sec + KSR_BTF_T_SIZE, (uint32_t)elf_sec->size);
	for (uint32_t i = 0; i < vlen; i++) {
		uint8_t *vs = sec + KSR_BTF_T_EXTRA + (size_t)i * KSR_BTF_SECINFO_SZ;
		uint32_t t = ksr_btf_rd32(vs);
		const struct ksr_obj_sym *sym;
		uint8_t *var;

		if (!t || t >= b->type_cnt)
			continue;
		var = ksr_btf_copy__type(b, t);
		if (!var_needs_sym(var))
			continue;
		sym = find_var_sym(obj, ksr_btf_copy__name(btf, var));
		if (!sym)
			continue;
		if (fix_offsets)
			ksr_btf_wr32(vs + 4, (uint32_t)sym->value);
		if (ELF64_ST_VISIBILITY(sym->other) == STV_HIDDEN ||
		    ELF64_ST_VISIBILITY(sym->other) == STV_INTERNAL)
			ksr_btf_wr32(var + KSR_BTF_T_EXTRA, BTF_VAR_STATIC);
	}
	qsort(sec + KSR_BTF_T_EXTRA, vlen, KSR_BTF_SECINFO_SZ, cmp_secinfo);
}

/* The kernel's DATASEC rules (btf_datasec_check_meta) on a fixed-up record:
 * entries sorted by offset, non-empty, non-overlapping, inside the size. */
static int check_fixed_datasec(const struct ksr_btf *btf, const uint8_t *sec, uint32_t id,
			       uint64_t foff)
{
	uint32_t vlen = BTF_INFO_VLEN(ksr_btf_rd32(sec + KSR_BTF_T_INFO));
	uint32_t size = ksr_btf_rd32(sec + KSR_BTF_T_SIZE);
	uint64_t end = 0;

	if (!size)
		return ksr_err(KSR_EMALFORMED, ".BTF: DATASEC [%u] '%s': size 0 after libbpf's fixups "
			       "(offset 0x%llx)", id, ksr_btf_copy__name(btf, sec), (unsigned long long)foff);
	for (uint32_t i = 0; i < vlen; i++) {
		const uint8_t *vs = sec + KSR_BTF_T_EXTRA + (size_t)i * KSR_BTF_SECINFO_SZ;
		uint32_t off = ksr_btf_rd32(vs + 4), sz = ksr_btf_rd32(vs + 8);

		if (!sz || off < end || (uint64_t)off + sz > size)
			return ksr_err(KSR_EMALFORMED,
				       ".BTF: DATASEC [%u] '%s': after libbpf's fixups entry %u "
				       "(offset %u, size %u) is empty, overlaps or ends beyond size %u "
				       "(offset 0x%llx)", id, ksr_btf_copy__name(btf, sec), i, off, sz, size,
				       (unsigned long long)foff);
		end = (uint64_t)off + sz;
	}
	return 0;
}

/* A size-0 data DATASEC is sized from the ELF section of its name, and in
 * every data DATASEC each VAR but static and extern ones is matched to its
 * global symbol (its offset taken from it when the size was 0) by
 * fixup_data; without them libbpf refuses the object at open, and with
 * clashing symbols the kernel refuses the BTF. Either way no loadable
 * output exists, so the object is malformed. */
static int check_data_sec(const struct ksr_object *obj, const struct ksr_btf *btf,
			  struct ksr_btf_copy *b, uint32_t id, uint64_t foff)
{
	uint8_t *r = ksr_btf_copy__type(b, id);
	const char *name = ksr_btf_copy__name(btf, r);
	const struct ksr_obj_sec *s = ksr_object__sec_by_name(obj, name);
	uint32_t vlen = BTF_INFO_VLEN(ksr_btf_rd32(r + KSR_BTF_T_INFO));
	bool sized = ksr_btf_rd32(r + KSR_BTF_T_SIZE) != 0;

	if (!sized && (!s || !s->size || s->size > UINT32_MAX))
		return ksr_err(KSR_EMALFORMED, ".BTF: DATASEC [%u] '%s' has size 0 and no ELF "
			       "section of that name to size it (offset 0x%llx)", id, name,
			       (unsigned long long)foff);
	for (uint32_t i = 0; i < vlen; i++) {
		uint32_t t = ksr_btf_rd32(r + KSR_BTF_T_EXTRA + (size_t)i * KSR_BTF_SECINFO_SZ);
		const uint8_t *var = t && t < b->type_cnt ? ksr_btf_copy__type(b, t) : NULL;
		const char *vname = var ? ksr_btf_copy__name(btf, var) : "";
		const struct ksr_obj_sym *sym;

		if (var && !var_needs_sym(var))
			continue;
		sym = find_var_sym(obj, vname);
		if (!sym || (!sized && sym->value > UINT32_MAX))
			return ksr_err(KSR_EMALFORMED, ".BTF: DATASEC [%u] '%s': VAR [%u] '%s' has "
				       "no global symbol to place it (offset 0x%llx)", id, name, t,
				       vname, (unsigned long long)foff);
	}
	if (s)
		fixup_data(obj, btf, b, r, s);
	return check_fixed_datasec(btf, r, id, foff);
}

void ksr_object__fixup_datasec(const struct ksr_object *obj, const struct ksr_btf *btf,
			       struct ksr_btf_copy *b, uint32_t id)
{
	uint8_t *r = ksr_btf_copy__type(b, id);
	const char *name = ksr_btf_copy__name(btf, r);
	const struct ksr_obj_sec *s;

	if (BTF_INFO_KIND(ksr_btf_rd32(r + KSR_BTF_T_INFO)) != BTF_KIND_DATASEC ||
	    !strcmp(name, ".ksyms"))
		return;
	if (!strcmp(name, ".kconfig"))
		fixup_kconfig(obj, btf, b, r);
	else if ((s = ksr_object__sec_by_name(obj, name)) != NULL)
		fixup_data(obj, btf, b, r, s);
}

int ksr_obj_check_data_datasecs(const struct ksr_object *obj)
{
	const struct ksr_btf *btf = ksr_object__btf(obj);
	const struct ksr_obj_sec *btf_sec = ksr_object__sec_by_name(obj, ".BTF");
	struct ksr_btf_copy b;
	int err;

	if (!btf || !btf_sec)
		return 0;
	err = ksr_btf_copy__load(btf, &b);
	for (uint32_t id = 1; !err && id < b.type_cnt; id++) {
		const uint8_t *r = ksr_btf_copy__type(&b, id);
		const char *name = ksr_btf_copy__name(btf, r);
		uint64_t foff = btf_sec->offset + b.hdr.hdr_len + b.hdr.type_off + b.offs[id];

		if (BTF_INFO_KIND(ksr_btf_rd32(r + KSR_BTF_T_INFO)) != BTF_KIND_DATASEC ||
		    !strcmp(name, ".ksyms"))
			continue;
		if (!strcmp(name, ".kconfig")) {
			/* libbpf places the entries; their sizes stay clang's */
			fixup_kconfig(obj, btf, &b, ksr_btf_copy__type(&b, id));
			err = check_fixed_datasec(btf, r, id, foff);
		} else {
			err = check_data_sec(obj, btf, &b, id, foff);
		}
	}
	free(b.types);
	return err;
}

