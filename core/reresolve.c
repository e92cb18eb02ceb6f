// SPDX-License-Identifier: BSD-2-Clause
/* Re-resolution of a patched object against the host (`ksymres load
 * --reresolve`, ksr_image__reresolve()): decide the externs recorded in
 * the manifest again and rewrite their sites.
 *
 * A patched object has no externs left, so everything comes from the
 * manifest (names, kinds, sites) plus what patching kept: the neutralised
 * extern symbols still carry their binding (weak or not), and each kfunc's
 * FUNC still points at its local FUNC_PROTO. Typed variables lost their
 * local type to libbpf's .ksyms rewrite (it becomes int), so for them only
 * the name is looked up, as cilium/ebpf does; the verifier still checks
 * every use against the kernel type. Module externs (version 3 manifests)
 * are still externs of the object: they are left to libbpf, which looks
 * them up in the host's module BTF by name. */
#define _GNU_SOURCE
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf.h"
#include "error.h"
#include "kallsyms.h"
#include "object.h"
#include "patch.h"
#include "profile.h"
#include "reresolve.h"

/* Binding of the neutralised symbol named name: patching keeps it. */
static bool sym_is_weak(const struct ksr_object *obj, const char *name)
{
	for (uint32_t i = 1; i < ksr_object__sym_cnt(obj); i++) {
		const struct ksr_obj_sym *s = ksr_object__sym(obj, i);

		if (s && s->shndx == SHN_ABS && !strcmp(s->name, name))
			return ELF64_ST_BIND(s->info) == STB_WEAK;
	}
	return false;
}

static int cmp_rec_by_name(const void *a, const void *b, void *m)
{
	struct ksr_manifest_site x, y;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	int c;

	ksr_manifest__site(m, i, &x);
	ksr_manifest__site(m, j, &y);
	c = strcmp(ksr_manifest__name(m, &x), ksr_manifest__name(m, &y));
	return c ? c : (i > j) - (i < j);
}

/* Groups the manifest records by extern name into rr->externs. */
static int collect(const struct ksr_object *obj, const struct ksr_manifest *m, struct ksr_reresolved *rr)
{
	uint32_t n = m->hdr.site_cnt;

	rr->site_rec = calloc(n ? n : 1, sizeof(*rr->site_rec));
	rr->sites = calloc(n ? n : 1, sizeof(*rr->sites));
	rr->externs = calloc(n ? n : 1, sizeof(*rr->externs));
	if (!rr->site_rec || !rr->sites || !rr->externs)
		return ksr_err(ENOMEM, "out of memory");
	/* module externs' sites stay unbound: libbpf looks them up on the host */
	n = 0;
	for (uint32_t i = 0; i < m->hdr.site_cnt; i++) {
		struct ksr_manifest_site s;

		ksr_manifest__site(m, i, &s);
		if (s.value_kind != KSR_MV_MODULE)
			rr->site_rec[n++] = i;
	}
	qsort_r(rr->site_rec, n, sizeof(*rr->site_rec), cmp_rec_by_name, (void *)m);
	for (uint32_t k = 0; k < n; k++) {
		struct ksr_manifest_site s;
		struct ksr_reresolved_extern *x;
		const struct ksr_obj_prog *prog;
		const struct ksr_obj_sec *sec;
		const char *name;

		ksr_manifest__site(m, rr->site_rec[k], &s);
		name = ksr_manifest__name(m, &s);
		x = rr->cnt ? &rr->externs[rr->cnt - 1] : NULL;
		if (!x || strcmp(x->ext.name, name) != 0) {
			x = &rr->externs[rr->cnt++];
			x->ext.name = name;
			x->ext.kind = (enum ksr_extern_kind)s.extern_kind;
			x->ext.essent_len = (uint32_t)ksr_essential_name_len(name);
			x->ext.weak = sym_is_weak(obj, name);
			x->ext.sites = &rr->sites[k];
		} else if (x->ext.kind != (enum ksr_extern_kind)s.extern_kind) {
			return ksr_err(KSR_EMALFORMED, KSR_MANIFEST_SEC ": extern %s recorded with two kinds",
				       name);
		}
		/* only weak externs are left unresolved or poisoned */
		if (s.value_kind == KSR_MV_ZERO || s.value_kind == KSR_MV_POISON)
			x->ext.weak = true;
		sec = ksr_object__sec(obj, s.sec_idx);
		prog = ksr_object__prog_at(obj, s.sec_idx, s.insn_off);
		rr->sites[k] = (struct ksr_site){
			.sec_idx = s.sec_idx,
			.sec_name = sec ? sec->name : "?",
			.prog_name = prog ? prog->name : "?",
			.insn_off = s.insn_off,
			.insn = (enum ksr_site_insn)s.insn,
		};
		x->ext.site_cnt++;
	}
	return 0;
}

/* libbpf's ordering puts .kconfig externs before .ksyms ones, each sorted
 * by name: the index poisoned calls carry. */
static void set_local_ids(const struct ksr_object *obj, struct ksr_reresolved *rr)
{
	const struct ksr_btf *lb = ksr_object__btf(obj);

	for (size_t i = 0; i < rr->cnt; i++) {
		struct ksr_extern *e = &rr->externs[i].ext;
		int id;

		e->libbpf_idx = (uint32_t)(ksr_object__kconfig_cnt(obj) + i);
		id = ksr_btf__find(lb, e->name, e->kind == KSR_EXTERN_FUNC ? BTF_KIND_FUNC : BTF_KIND_VAR);
		if (id > 0) {
			const struct btf_type *t = ksr_btf__type_by_id(lb, (uint32_t)id);

			e->btf_id = (uint32_t)id;
			e->type_id = t ? t->type : 0;
		}
	}
	ksr_err_clear();
}

/* Typed variables: by name only (their local type is gone, see above). */
static void decide_var(const struct ksr_extern *e, const struct ksr_profile *prof,
		       struct ksr_decision *d)
{
	int id = ksr_btf__find(ksr_profile__btf(prof), e->name, BTF_KIND_VAR);
	uint32_t first, cnt;

	memset(d, 0, sizeof(*d));
	if (id <= 0) {
		d->status = e->weak ? KSR_STATUS_WEAK_UNRESOLVED : KSR_STATUS_MISSING;
		snprintf(d->reason, sizeof(d->reason), "no VAR in the running kernel's BTF%s",
			 e->weak ? "; weak: set to 0" : "");
		return;
	}
	d->btf_id = (uint32_t)id;
	if (ksr_kallsyms__lookup(ksr_profile__kallsyms(prof), e->name, &first, &cnt) != 0) {
		d->status = KSR_STATUS_UNLOADABLE;
		snprintf(d->reason, sizeof(d->reason), "not in this kernel's kallsyms (no "
			 "CONFIG_KALLSYMS_ALL?): the verifier fails with 'ldimm64 failed to find the "
			 "address for kernel symbol'");
		return;
	}
	d->status = KSR_STATUS_RESOLVED;
}

int ksr_reresolve_rewrite(const struct ksr_manifest *m, const struct ksr_reresolved *rr,
			  struct ksr_rebase_sec *secs, uint32_t sec_cnt)
{
	size_t k = 0;

	for (size_t i = 0; i < rr->cnt; i++) {
		const struct ksr_extern *e = &rr->externs[i].ext;
		const struct ksr_decision *d = &rr->externs[i].dec;
		bool resolved = d->status == KSR_STATUS_RESOLVED;

		for (uint32_t j = 0; j < e->site_cnt; j++, k++) {
			struct ksr_manifest_site s;
			enum ksr_manifest_value vk;
			uint64_t v;
			int err;

			ksr_manifest__site(m, rr->site_rec[k], &s);
			if (s.insn == KSR_SITE_CALL) {
				vk = resolved ? KSR_MV_BTF_ID : KSR_MV_POISON;
				v = resolved ? d->btf_id : KSR_POISON_CALL_KFUNC_BASE + (uint64_t)e->libbpf_idx;
			} else if (!resolved) {
				vk = KSR_MV_ZERO;
				v = 0;
			} else if (e->kind == KSR_EXTERN_TYPELESS) {
				vk = KSR_MV_ADDR;
				v = d->addr;
			} else {
				vk = KSR_MV_BTF_ID;
				v = d->btf_id;
			}
			err = ksr_rebase__encode(secs, sec_cnt, &s, vk, v);
			if (err)
				return err;
		}
	}
	return 0;
}

int ksr_reresolve(const struct ksr_object *obj, const struct ksr_manifest *m,
		  const struct ksr_profile *prof, struct ksr_reresolved *rr)
{
	int err;

	memset(rr, 0, sizeof(*rr));
	/* baked .kconfig values are the resolved-for kernel's: not re-derivable here */
	if (m->hdr.flags & KSR_MANIFEST_F_KCONFIG_BAKED)
		return ksr_err(EINVAL, "its .kconfig values were baked for %.*s: resolve the original object again",
			       (int)sizeof(m->hdr.release), m->hdr.release);
	err = collect(obj, m, rr);
	if (err)
		return err;
	set_local_ids(obj, rr);
	rr->ok = true;
	for (size_t i = 0; i < rr->cnt; i++) {
		struct ksr_reresolved_extern *x = &rr->externs[i];

		if (x->ext.kind == KSR_EXTERN_VAR)
			decide_var(&x->ext, prof, &x->dec);
		else
			ksr_resolve__extern(obj, &x->ext, prof, &x->dec);
		if (!ksr_status_ok(x->dec.status))
			rr->ok = false;
	}
	return 0;
}

void ksr_reresolved_free(struct ksr_reresolved *rr)
{
	free(rr->externs);
	free(rr->sites);
	free(rr->site_rec);
	memset(rr, 0, sizeof(*rr));
}
