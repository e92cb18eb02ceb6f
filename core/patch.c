// SPDX-License-Identifier: BSD-2-Clause
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insn.h"
#include "kconfig.h"
#include "ksyms_btf.h"
#include "ksymres/ksymres.h"
#include "manifest.h"
#include "object.h"
#include "patch.h"
#include "profile.h"

#define MAX_SEC_ALIGN 4096u

/* New contents of one section: either the original bytes or an owned copy. */
struct sec_out {
	const uint8_t *data;
	uint64_t size;
	uint8_t *owned;
};

struct patcher {
	const struct ksr_object *obj;
	const struct ksr_profile *prof;
	const struct ksr_decision *dec;
	const struct ksr_patch_kcfg *kc; /* bake .kconfig values, or NULL */
	struct sec_out *secs;        /* sec_cnt + 2: [sec_cnt] the baked values when kc, then the manifest */
	uint32_t sec_cnt;            /* of the input */
	uint32_t added;              /* sections appended: the manifest, and the baked values */
	struct ksr_buf btf, manifest, sites, strs, shstr;
	/* module externs: left for libbpf, recorded in a version 3 manifest */
	uint32_t *mod_of;            /* per profile module: its table index + 1, 0 unused */
	uint32_t mod_cnt;            /* entries of the module table */
	struct ksr_buf mods;
	/* ksr_patch__bind(): the manifest whose module sites are bound */
	const struct ksr_manifest *bind;
	const int32_t *fds;
	uint32_t fd_cnt;
	uint64_t *keys;              /* its module records: section << 48 | insn << 20 | record */
	uint32_t key_cnt;
};

/* A resolved extern found in a module's BTF: its sites stay as written. */
static bool is_module(const struct ksr_decision *d)
{
	return d && d->status == KSR_STATUS_RESOLVED && d->module[0];
}

static bool mod_ext(const struct patcher *p, size_t i)
{
	return p->dec && is_module(&p->dec[i]);
}

static int hex_nibble(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 0;
}

/* The table of modules the externs use, in the profile's order. */
static int build_mod_table(struct patcher *p)
{
	uint32_t n = ksr_profile__module_cnt(p->prof);

	for (size_t i = 0; i < ksr_object__extern_cnt(p->obj); i++) {
		if (!mod_ext(p, i))
			continue;
		if (p->dec[i].mod_idx >= n)
			return ksr_err(EPROTO, "internal error: module index out of range");
		if (!p->mod_of) {
			p->mod_of = calloc(n, sizeof(*p->mod_of));
			if (!p->mod_of)
				return ksr_err(ENOMEM, "out of memory");
		}
		p->mod_of[p->dec[i].mod_idx] = 1;
	}
	for (uint32_t m = 0; p->mod_of && m < n; m++) {
		struct ksr_manifest_mod rec = { .name_off = (uint32_t)p->strs.len };
		const char *name = ksr_profile__module_name(p->prof, m);
		char hex[33];

		if (!p->mod_of[m])
			continue;
		p->mod_of[m] = ++p->mod_cnt;
		ksr_profile__module_identity(p->prof, m, hex);
		for (int b = 0; b < 16; b++)
			rec.identity[b] = (uint8_t)(hex_nibble(hex[2 * b]) << 4 | hex_nibble(hex[2 * b + 1]));
		ksr_buf_put(&p->strs, name, strlen(name) + 1);
		ksr_buf_put(&p->mods, &rec, sizeof(rec));
	}
	return p->mods.err ? p->mods.err : p->strs.err;
}

static int own_copy(struct sec_out *s)
{
	if (s->owned)
		return 0;
	s->owned = malloc(s->size ? s->size : 1);
	if (!s->owned)
		return ksr_err(ENOMEM, "out of memory");
	if (s->size)
		memcpy(s->owned, s->data, s->size);
	s->data = s->owned;
	return 0;
}

/* What the manifest records about one site, and the value it encodes. */
static void site_value(const struct ksr_extern *e, const struct ksr_decision *d,
		       const struct ksr_site *site, struct ksr_manifest_site *m)
{
	bool resolved = d->status == KSR_STATUS_RESOLVED;

	if (site->insn == KSR_SITE_CALL) {
		m->value_kind = resolved ? KSR_MV_BTF_ID : KSR_MV_POISON;
		m->value = resolved ? d->btf_id : (uint64_t)KSR_POISON_CALL_KFUNC_BASE + e->libbpf_idx;
	} else if (resolved && e->kind != KSR_EXTERN_TYPELESS) {
		m->value_kind = KSR_MV_BTF_ID;
		m->value = d->btf_id;
	} else if (resolved) {
		m->value_kind = KSR_MV_ADDR;
		m->value = d->addr;
		m->addr_class = (uint8_t)d->addr_class;
	} else {
		m->value_kind = KSR_MV_ZERO;
		m->value = 0;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Bind mode: the module records sorted by instruction (a site is found in
 * O(log n); sections are < 2^16, instructions of a 256 MiB object < 2^25,
 * records <= 2^20). */
static int index_records(struct patcher *p)
{
	const struct ksr_manifest *m = p->bind;

	p->keys = malloc((m->hdr.site_cnt ? m->hdr.site_cnt : 1) * sizeof(*p->keys));
	if (!p->keys)
		return ksr_err(ENOMEM, "out of memory");
	for (uint32_t r = 0; r < m->hdr.site_cnt; r++) {
		struct ksr_manifest_site rec;

		ksr_manifest__site(m, r, &rec);
		if (rec.value_kind == KSR_MV_MODULE && rec.sec_idx < (1u << 16) &&
		    rec.insn_off % KSR_BPF_INSN_SZ == 0 && rec.insn_off / KSR_BPF_INSN_SZ < (1u << 28))
			p->keys[p->key_cnt++] = (uint64_t)rec.sec_idx << 48 |
						(rec.insn_off / KSR_BPF_INSN_SZ) << 20 | r;
	}
	qsort(p->keys, p->key_cnt, sizeof(*p->keys), cmp_u64);
	return 0;
}

/* Bind mode: the manifest's record of this module site, and its fd. */
static int bind_site(struct patcher *p, const struct ksr_extern *e, const struct ksr_site *site,
		     uint8_t *insn)
{
	const struct ksr_manifest *m = p->bind;
	uint64_t want = (uint64_t)site->sec_idx << 48 | (site->insn_off / KSR_BPF_INSN_SZ) << 20;
	uint32_t lo = 0, hi = p->key_cnt;

	while (lo < hi) {                    /* the first key >= want */
		uint32_t mid = lo + (hi - lo) / 2;

		if (p->keys[mid] < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < p->key_cnt && p->keys[lo] >> 20 == want >> 20 && site->insn_off % KSR_BPF_INSN_SZ == 0) {
		struct ksr_manifest_site rec;
		const char *name;

		ksr_manifest__site(m, (uint32_t)(p->keys[lo] & 0xfffff), &rec);
		name = ksr_manifest__name(m, &rec);
		if (rec.module < p->fd_cnt && rec.insn == site->insn && name && !strcmp(name, e->name)) {
			ksr_insn__bind_module(insn, site->insn, (uint32_t)rec.value,
					      (int16_t)(rec.module + 1), p->fds[rec.module]);
			return 0;
		}
	}
	return ksr_err(KSR_EMALFORMED, KSR_MANIFEST_SEC ": extern '%s' at section %u offset 0x%llx "
		       "is not a module site it records", e->name, site->sec_idx,
		       (unsigned long long)site->insn_off);
}

static int patch_code(struct patcher *p)
{
	const struct ksr_object *obj = p->obj;
	int err;

	ksr_buf_put(&p->strs, "", 1);
	if (!p->bind && (err = build_mod_table(p)))
		return err;
	for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++) {
		const struct ksr_extern *e = ksr_object__extern(obj, i);
		uint32_t name_off = (uint32_t)p->strs.len;

		ksr_buf_put(&p->strs, e->name, strlen(e->name) + 1);
		for (uint32_t k = 0; k < e->site_cnt; k++) {
			const struct ksr_site *site = &e->sites[k];
			struct sec_out *s = &p->secs[site->sec_idx];
			struct ksr_manifest_site m = { 0 };
			uint64_t span = ksr_insn__site_len(site->insn);

			if (site->sec_idx >= p->sec_cnt || site->insn_off > s->size ||
			    span > s->size - site->insn_off)
				return ksr_err(KSR_EMALFORMED, "site of %s outside section %u", e->name,
					       site->sec_idx);
			if (p->bind) {
				err = own_copy(s);
				if (!err)
					err = bind_site(p, e, site, s->owned + site->insn_off);
				if (err)
					return err;
				continue;
			}
			if (mod_ext(p, i)) {
				/* left for the loader (or libbpf) to bind */
				m.value_kind = KSR_MV_MODULE;
				m.value = p->dec[i].btf_id;
				m.module = p->mod_of[p->dec[i].mod_idx] - 1;
			} else {
				err = own_copy(s);
				if (err)
					return err;
				site_value(e, &p->dec[i], site, &m);
				ksr_insn__encode_site(s->owned + site->insn_off, site->insn, m.value_kind,
						      m.value);
			}
			m.sec_idx = site->sec_idx;
			m.name_off = name_off;
			m.insn_off = site->insn_off;
			m.extern_kind = (uint8_t)e->kind;
			m.insn = (uint8_t)site->insn;
			ksr_buf_put(&p->sites, &m, sizeof(m));
		}
	}
	return p->sites.err ? p->sites.err : p->strs.err;
}

/* A .ksyms extern that is patched (not a module's, which stays). */
static bool is_ksym_sym(const struct patcher *p, uint32_t sym)
{
	const struct ksr_extern *e = ksr_object__extern_by_sym(p->obj, sym);

	const struct ksr_extern *first = ksr_object__extern(p->obj, 0);

	if (!e || ksr_object__extern_is_kconfig(p->obj, e))
		return false;
	/* the .ksyms externs are one array: e's index without a scan */
	if (first && (uintptr_t)e >= (uintptr_t)first &&
	    (uintptr_t)e < (uintptr_t)(first + ksr_object__extern_cnt(p->obj)))
		return !mod_ext(p, (size_t)(e - first));
	return true;
}

/* Drops REL entries against .ksyms externs from sections that relocate code. */
static int filter_rels(struct patcher *p)
{
	for (uint32_t i = 1; i < p->sec_cnt; i++) {
		const struct ksr_obj_sec *s = ksr_object__sec(p->obj, i);
		const struct ksr_obj_sec *target;
		const struct ksr_obj_rel *rels;
		size_t cnt, kept = 0;
		int err;

		if (s->type != SHT_REL)
			continue;
		target = ksr_object__sec(p->obj, s->info);
		if (!target || !(target->flags & SHF_EXECINSTR))
			continue;
		rels = ksr_object__rels(p->obj, i, &cnt);
		err = own_copy(&p->secs[i]);
		if (err)
			return err;
		for (size_t k = 0; k < cnt; k++) {
			Elf64_Rel r;

			if (is_ksym_sym(p, rels[k].sym))
				continue;
			r.r_offset = rels[k].offset;
			r.r_info = ELF64_R_INFO(rels[k].sym, rels[k].type);
			memcpy(p->secs[i].owned + kept * sizeof(r), &r, sizeof(r));
			kept++;
		}
		p->secs[i].size = kept * sizeof(Elf64_Rel);
	}
	return 0;
}

/* Extern symbols become defined absolute symbols of value 0, so libbpf no
 * longer collects them; indices stay, so .rel.BTF and .rel.debug_* stay valid. */
static int neutralise_syms(struct patcher *p)
{
	uint32_t idx = ksr_object__symtab_idx(p->obj);
	struct sec_out *s = &p->secs[idx];
	int err = own_copy(s);

	if (err)
		return err;
	for (size_t i = 0; i < ksr_object__extern_cnt(p->obj); i++) {
		const struct ksr_extern *e = ksr_object__extern(p->obj, i);
		uint64_t off = (uint64_t)e->sym_idx * sizeof(Elf64_Sym);
		Elf64_Sym sym;

		if (mod_ext(p, i))
			continue;
		if (off + sizeof(sym) > s->size)
			return ksr_err(KSR_EMALFORMED, ".symtab: symbol %u out of range", e->sym_idx);
		memcpy(&sym, s->owned + off, sizeof(sym));
		sym.st_shndx = SHN_ABS;
		sym.st_value = 0;
		sym.st_size = 0;
		memcpy(s->owned + off, &sym, sizeof(sym));
	}
	return 0;
}

/* Baking: each .kconfig extern becomes a defined STT_OBJECT of the new
 * section at libbpf's data_off; its ld_imm64 keep their R_BPF_64_64 entries
 * and get imm 0 (libbpf overwrote an addend for externs, adds it for data). */
static int bake_kconfig(struct patcher *p)
{
	uint32_t idx = ksr_object__symtab_idx(p->obj);
	struct sec_out *s = &p->secs[idx];
	int err = own_copy(s);

	for (size_t i = 0; !err && i < p->kc->n; i++) {
		const struct ksr_obj_kconfig *kc = ksr_object__kconfig(p->obj, i);
		const struct ksr_extern *e = &kc->ext;
		uint64_t off = (uint64_t)e->sym_idx * sizeof(Elf64_Sym);
		Elf64_Sym sym;

		if (off + sizeof(sym) > s->size)
			return ksr_err(KSR_EMALFORMED, ".symtab: symbol %u out of range", e->sym_idx);
		memcpy(&sym, s->owned + off, sizeof(sym));
		sym.st_info = ELF64_ST_INFO(ELF64_ST_BIND(sym.st_info), STT_OBJECT);
		sym.st_shndx = (uint16_t)p->sec_cnt;
		sym.st_value = p->kc->res[i].v.offset;
		sym.st_size = p->kc->res[i].v.size;
		memcpy(s->owned + off, &sym, sizeof(sym));
		for (uint32_t k = 0; k < e->site_cnt; k++) {
			const struct ksr_site *site = &e->sites[k];
			struct sec_out *c = &p->secs[site->sec_idx];
			int32_t zero = 0;

			if (site->sec_idx >= p->sec_cnt || site->insn_off > c->size || 16 > c->size - site->insn_off)
				return ksr_err(KSR_EMALFORMED, "site of %s outside section %u", e->name,
					       site->sec_idx);
			err = own_copy(c);
			if (err)
				return err;
			memcpy(c->owned + site->insn_off + 4, &zero, 4);
		}
	}
	p->secs[p->sec_cnt].data = p->kc->data;
	p->secs[p->sec_cnt].size = p->kc->len;
	return err;
}

static int build_btf(struct patcher *p)
{
	const struct ksr_obj_sec *s = ksr_object__sec_by_name(p->obj, ".BTF");
	int err;

	if (!s)
		return ksr_err(KSR_EMALFORMED, ".BTF: missing (libbpf needs it for externs)");
	if (p->mod_cnt) {
		/* module externs stay in .ksyms for libbpf, which rewrites them
		 * at load as it rewrites the rest here: the check is on that */
		const char **keep = calloc(ksr_object__extern_cnt(p->obj), sizeof(*keep));
		size_t n = 0;
		struct ksr_buf full = { 0 };

		if (!keep)
			return ksr_err(ENOMEM, "out of memory");
		for (size_t i = 0; i < ksr_object__extern_cnt(p->obj); i++)
			if (mod_ext(p, i))
				keep[n++] = ksr_object__extern(p->obj, i)->name;
		err = ksr_ksyms_btf__rewrite_keep(p->obj, keep, n, &p->btf);
		free(keep);
		if (!err)
			err = ksr_ksyms_btf__rewrite(p->obj, &full);
		if (!err)
			err = ksr_ksyms_btf__check_loadable(p->obj, full.data, full.len);
		ksr_buf_free(&full);
	} else {
		err = ksr_ksyms_btf__rewrite(p->obj, &p->btf);
		if (!err)
			err = ksr_ksyms_btf__check_loadable(p->obj, p->btf.data, p->btf.len);
	}
	if (!err && p->kc)
		err = ksr_kconfig_bake_btf(&p->btf, p->kc->res, p->kc->n, (uint32_t)p->kc->len);
	if (err)
		return err;
	p->secs[s->idx].data = p->btf.data;
	p->secs[s->idx].size = p->btf.len;
	return 0;
}

static int build_manifest(struct patcher *p)
{
	const struct ksr_profile_meta *pm = ksr_profile__meta(p->prof);
	struct ksr_manifest_hdr h;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, KSR_MANIFEST_MAGIC, sizeof(KSR_MANIFEST_MAGIC));
	h.version = p->mod_cnt ? KSR_MANIFEST_VERSION_MODS : KSR_MANIFEST_VERSION;
	h.mod_cnt = p->mod_cnt;
	h.site_cnt = (uint32_t)(p->sites.len / sizeof(struct ksr_manifest_site));
	memcpy(h.identity, pm->identity, sizeof(h.identity));
	h.text_addr = pm->text_addr;
	h.prof_flags = pm->flags;
	h.strs_len = (uint32_t)p->strs.len;
	memcpy(h.release, pm->release, sizeof(h.release));
	h.arch = pm->arch;
	h.build_id_len = pm->build_id_len;
	memcpy(h.build_id, pm->build_id, sizeof(h.build_id));
	h.flags = p->kc ? KSR_MANIFEST_F_KCONFIG_BAKED : 0;
	ksr_buf_put(&p->manifest, &h, sizeof(h));
	ksr_buf_put(&p->manifest, p->sites.data, p->sites.len);
	ksr_buf_put(&p->manifest, p->mods.data, p->mods.len);
	return ksr_buf_put(&p->manifest, p->strs.data, p->strs.len);
}

static int build_shstrtab(struct patcher *p, uint32_t shstrndx, uint32_t *name_off,
			  uint32_t *kc_name_off)
{
	struct sec_out *s = &p->secs[shstrndx];

	ksr_buf_put(&p->shstr, s->data, s->size);
	*name_off = (uint32_t)p->shstr.len;
	ksr_buf_put(&p->shstr, KSR_MANIFEST_SEC, sizeof(KSR_MANIFEST_SEC));
	*kc_name_off = (uint32_t)p->shstr.len;
	if (p->kc)
		ksr_buf_put(&p->shstr, KSR_KCONFIG_BAKED_SEC, sizeof(KSR_KCONFIG_BAKED_SEC));
	s->data = p->shstr.data;
	s->size = p->shstr.len;
	return p->shstr.err;
}

static int serialize(struct patcher *p, struct ksr_buf *out)
{
	size_t raw_len;
	const uint8_t *raw = ksr_object__raw(p->obj, &raw_len);
	uint32_t n = p->sec_cnt + p->added, manifest_name, kc_name;
	Elf64_Shdr *sh;
	Elf64_Ehdr eh;
	int err;

	memcpy(&eh, raw, sizeof(eh));
	if (n >= SHN_LORESERVE || eh.e_shstrndx >= SHN_LORESERVE || eh.e_shstrndx == 0)
		return ksr_err(KSR_EMALFORMED, "ELF: extended section numbering is not supported");
	err = build_shstrtab(p, eh.e_shstrndx, &manifest_name, &kc_name);
	if (err)
		return err;
	sh = calloc(n, sizeof(*sh));
	if (!sh)
		return ksr_err(ENOMEM, "out of memory");
	ksr_buf_put(out, &eh, sizeof(eh));
	for (uint32_t i = 1; i < n; i++) {
		const struct ksr_obj_sec *in = i < p->sec_cnt ? ksr_object__sec(p->obj, i) : NULL;
		uint64_t align;

		if (in)
			memcpy(&sh[i], raw + eh.e_shoff + (uint64_t)i * sizeof(*sh), sizeof(*sh));
		else if (p->kc && i == p->sec_cnt)  /* the baked values: read-only data */
			sh[i] = (Elf64_Shdr){ .sh_name = kc_name, .sh_type = SHT_PROGBITS,
					      .sh_flags = SHF_ALLOC, .sh_addralign = 8 };
		else
			sh[i] = (Elf64_Shdr){ .sh_name = manifest_name, .sh_type = SHT_PROGBITS,
					      .sh_addralign = 8 };
		align = sh[i].sh_addralign ? sh[i].sh_addralign : 1;
		if (align > MAX_SEC_ALIGN || (align & (align - 1))) {
			free(sh);
			return ksr_err(KSR_EMALFORMED, "section %u: alignment %llu not supported", i,
				       (unsigned long long)align);
		}
		ksr_buf_align(out, align);
		sh[i].sh_offset = out->len;
		if (sh[i].sh_type != SHT_NOBITS) {
			sh[i].sh_size = p->secs[i].size;
			ksr_buf_put(out, p->secs[i].data, p->secs[i].size);
		}
	}
	ksr_buf_align(out, 8);
	eh.e_shoff = out->len;
	eh.e_shnum = (uint16_t)n;
	ksr_buf_put(out, sh, n * sizeof(*sh));
	free(sh);
	if (!out->err)
		memcpy(out->data, &eh, sizeof(eh));
	return out->err;
}

/* The output must parse, and must have no .ksyms extern left but the
 * modules' (mod_externs). */
static int recheck(const struct ksr_buf *out, bool baked, size_t mod_externs)
{
	struct ksr_object *again;
	int err = ksr_object__open_mem(out->data, out->len, &again);

	if (err == -ENOMEM)    /* the check could not run: not a bad output */
		return err;
	if (err) {
		ksr_err_prefix("internal error: patched object does not re-parse");
		return -EPROTO;
	}
	if (ksr_object__extern_cnt(again) != mod_externs)
		err = ksr_err(EPROTO, "internal error: patched object still has externs");
	else if (baked && ksr_object__kconfig_cnt(again) != 0)
		err = ksr_err(EPROTO, "internal error: baked object still has .kconfig externs");
	ksr_object__free(again);
	return err;
}

int ksr_patch__check_limits(const struct ksr_object *obj)
{
	uint64_t sites = 0;

	for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++) {
		const struct ksr_extern *e = ksr_object__extern(obj, i);

		sites += e->site_cnt;
		if (sites > KSR_MANIFEST_MAX_SITES) {
			const struct ksr_site *s = &e->sites[e->site_cnt - (sites - KSR_MANIFEST_MAX_SITES)];

			return ksr_err(KSR_EMALFORMED, "externs: more than %u instructions reference "
				       ".ksyms externs, the most a %s records (site_cnt); the first "
				       "past the limit references '%s' in section %s at 0x%llx",
				       KSR_MANIFEST_MAX_SITES, KSR_MANIFEST_SEC, e->name, s->sec_name,
				       (unsigned long long)s->insn_off);
		}
	}
	return 0;
}

static int run(struct patcher *p, struct ksr_buf *out);

int ksr_patch__build(const struct ksr_object *obj, const struct ksr_profile *prof,
		     const struct ksr_decision *dec, const struct ksr_patch_kcfg *kc,
		     struct ksr_buf *out)
{
	struct patcher p = { .obj = obj, .prof = prof, .dec = dec, .kc = kc && kc->n ? kc : NULL };
	int err = ksr_patch__check_limits(obj);

	if (err)
		return err;

	for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++)
		if (!ksr_status_ok(dec[i].status))
			return ksr_err(EINVAL, "extern %s is %s: nothing to patch",
				       ksr_object__extern(obj, i)->name, ksr_status_str(dec[i].status));
	if (ksr_object__sec_by_name(obj, KSR_MANIFEST_SEC))
		return ksr_err(EEXIST, "already resolved by ksymres (has a %s section)",
			       KSR_MANIFEST_SEC);
	p.added = p.kc ? 2 : 1;
	return run(&p, out);
}

int ksr_patch__bind(const struct ksr_object *obj, const struct ksr_manifest *m,
		    const int32_t *fds, uint32_t fd_cnt, struct ksr_buf *out)
{
	struct patcher p = { .obj = obj, .bind = m, .fds = fds, .fd_cnt = fd_cnt };
	int err = index_records(&p);

	if (!err)
		err = run(&p, out);
	free(p.keys);
	return err;
}

static int run(struct patcher *p_, struct ksr_buf *out)
{
	struct patcher p = *p_;
	const struct ksr_object *obj = p.obj;
	int err = 0;

	p.sec_cnt = ksr_object__sec_cnt(obj);
	p.secs = calloc((size_t)p.sec_cnt + 2, sizeof(*p.secs));
	if (!p.secs)
		return ksr_err(ENOMEM, "out of memory");
	for (uint32_t i = 0; i < p.sec_cnt; i++) {
		const struct ksr_obj_sec *s = ksr_object__sec(obj, i);

		p.secs[i].data = s->data;
		p.secs[i].size = s->type == SHT_NOBITS ? 0 : s->size;
	}
	err = patch_code(&p);
	if (!err)
		err = filter_rels(&p);
	if (!err)
		err = neutralise_syms(&p);
	if (!err && p.kc)
		err = bake_kconfig(&p);
	if (!err)
		err = build_btf(&p);
	if (!err && !p.bind)
		err = build_manifest(&p);
	if (!err && !p.bind) {
		p.secs[p.sec_cnt + p.added - 1].data = p.manifest.data;
		p.secs[p.sec_cnt + p.added - 1].size = p.manifest.len;
	}
	if (!err)
		err = serialize(&p, out);
	/* what inspect and load read back (the input was within it, the
	 * manifest and rewritten BTF add to it) */
	if (!err && out->len > KSR_OBJ_MAX_SIZE)
		err = ksr_err(KSR_EMALFORMED, "the patched object would be %zu bytes, more than "
			      "the %u an object may have", out->len, KSR_OBJ_MAX_SIZE);
	if (!err) {
		size_t mod_externs = 0;

		for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++)
			mod_externs += mod_ext(&p, i);
		err = recheck(out, p.kc != NULL, mod_externs);
	}
	if (err)
		ksr_buf_free(out);
	for (uint32_t i = 0; i < p.sec_cnt + p.added; i++)
		free(p.secs[i].owned);
	free(p.secs);
	ksr_buf_free(&p.btf);
	ksr_buf_free(&p.manifest);
	ksr_buf_free(&p.sites);
	ksr_buf_free(&p.strs);
	ksr_buf_free(&p.shstr);
	ksr_buf_free(&p.mods);
	free(p.mod_of);
	return err;
}
