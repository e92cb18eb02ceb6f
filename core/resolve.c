// SPDX-License-Identifier: BSD-2-Clause
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf.h"
#include "error.h"
#include "kallsyms.h"
#include "modbtf.h"
#include "profile.h"
#include "resolve.h"

#define KSR_KERNEL_6_4 (6u * 256 + 4)

_Static_assert(KSR_MODULE_NAME_MAX == KSR_MODBTF_NAME_MAX, "module names");

/* Where a typed extern's name was found: libbpf's find_ksym_btf_id()
 * looks in vmlinux BTF, then in each module's BTF (its own types only,
 * btf__find_by_name_kind_own()); the first module that has a VAR / FUNC
 * of that name is the one, whether its type then matches or not. */
struct target {
	const struct ksr_btf *btf;
	int id;                              /* the VAR or FUNC */
	const struct ksr_btf_name_slot *slot;
	int mod;                             /* -1 vmlinux, else the module's index */
};

static bool find_target(const struct ksr_profile *prof, const char *name, unsigned int kind,
			struct target *t)
{
	const struct ksr_btf *kb = ksr_profile__btf(prof);
	uint32_t n = ksr_profile__module_cnt(prof);

	t->btf = kb;
	t->mod = -1;
	for (int64_t i = -1; i < (int64_t)n; i++) {
		if (i >= 0 && ksr_profile__module_btf(prof, (uint32_t)i, &t->btf))
			continue; /* recorded: ksr_profile__read_error() reports it */
		t->id = ksr_btf__find_slot(t->btf, name, kind, &t->slot);
		if (t->id > 0) {
			t->mod = (int)i;
			return true;
		}
	}
	t->btf = kb;
	return false;
}

/* "vmlinux BTF" or "vmlinux or module BTF (N modules)", for reasons. */
static const char *where(const struct ksr_profile *prof, char *buf, size_t len)
{
	uint32_t n = ksr_profile__module_cnt(prof);

	if (!n)
		return "vmlinux BTF (the profile has no module BTF)";
	snprintf(buf, len, "vmlinux or module BTF (%u module%s)", n, n == 1 ? "" : "s");
	return buf;
}

static void set_module(struct ksr_decision *d, const struct ksr_profile *prof,
		       const struct target *t)
{
	if (t->mod < 0)
		return;
	d->mod_idx = (uint32_t)t->mod;
	snprintf(d->module, sizeof(d->module), "%s", ksr_profile__module_name(prof, (uint32_t)t->mod));
}

/* A module's symbols are in a snapshot only when it was loaded at capture
 * (never in a profile made from a package's System.map). */
static void module_kallsyms_note(struct ksr_decision *d, const char *name)
{
	snprintf(d->note, sizeof(d->note), "module %.55s: '%.64s' not in the kallsyms snapshot "
		 "(module not loaded when taken?): the verifier looks it up at load", d->module,
		 name);
}

bool ksr_status_ok(enum ksr_status s)
{
	return s == KSR_STATUS_RESOLVED || s == KSR_STATUS_WEAK_UNRESOLVED;
}

const char *ksr_status_str(enum ksr_status s)
{
	switch (s) {
	case KSR_STATUS_RESOLVED: return "resolved";
	case KSR_STATUS_WEAK_UNRESOLVED: return "weak_unresolved";
	case KSR_STATUS_MISSING: return "missing";
	case KSR_STATUS_INCOMPATIBLE: return "incompatible";
	case KSR_STATUS_UNLOADABLE: return "unloadable";
	}
	return "?";
}

bool ksr_license_gpl_compatible(const char *license)
{
	static const char *const ok[] = { "GPL", "GPL v2", "GPL and additional rights",
					  "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL" };

	if (!license)
		return false;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(license, ok[i]))
			return true;
	return false;
}

unsigned int ksr_release_version(const char *release)
{
	unsigned int major = 0, minor = 0;
	const char *p = release;

	if (!p || *p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9' && major < 1000)
		major = major * 10 + (unsigned int)(*p++ - '0');
	if (*p++ != '.' || *p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9' && minor < 1000)
		minor = minor * 10 + (unsigned int)(*p++ - '0');
	if (minor > 255)
		minor = 255;
	return major * 256 + minor;
}

static void set(struct ksr_decision *d, enum ksr_status s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set(struct ksr_decision *d, enum ksr_status s, const char *fmt, ...)
{
	va_list ap;

	d->status = s;
	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	va_end(ap);
}

/* The verifier's kallsyms_lookup_name() matches names exactly (no .llvm.
 * rule), so a run found through a stripped key must hold the name itself. */
static bool in_kallsyms(const struct ksr_profile *prof, const char *name)
{
	const struct ksr_kallsyms *ks = ksr_profile__kallsyms(prof);
	uint32_t first, cnt;

	if (ksr_kallsyms__lookup(ks, name, &first, &cnt) != 0)
		return false;
	for (uint32_t i = 0; i < cnt; i++) {
		const struct ksr_ksym *s = ksr_kallsyms__sym(ks, first + i);
		const char *full = s ? ksr_kallsyms__str(ks, s->name_off) : NULL;

		if (full && !strcmp(full, name))
			return true;
	}
	return false;
}

/* Typeless: kallsyms by exact name (the .llvm. rule is in the index key);
 * every line counts, modules too; different addresses are ambiguous even
 * for weak externs, as in libbpf's kallsyms_cb. */
static void decide_typeless(const struct ksr_extern *e, const struct ksr_profile *prof,
			    struct ksr_decision *d)
{
	const struct ksr_kallsyms *ks = ksr_profile__kallsyms(prof);
	const struct ksr_ksym *first_sym;
	uint32_t first, cnt, distinct = 1;
	uint16_t arch;
	char list[160] = "";
	size_t used = 0;

	if (ksr_kallsyms__lookup(ks, e->name, &first, &cnt) != 0 ||
	    !(first_sym = ksr_kallsyms__sym(ks, first))) {
		if (e->weak)
			set(d, KSR_STATUS_WEAK_UNRESOLVED, "not in the kallsyms snapshot; weak: set to 0");
		else
			set(d, KSR_STATUS_MISSING, "not in the kallsyms snapshot");
		return;
	}
	for (uint32_t i = 1; i < cnt; i++) {
		const struct ksr_ksym *s = ksr_kallsyms__sym(ks, first + i);

		if (s && s->addr != first_sym->addr)
			distinct++;
	}
	if (distinct > 1) {
		for (uint32_t i = 0; i < cnt && used < sizeof(list) - 24; i++) {
			const struct ksr_ksym *s = ksr_kallsyms__sym(ks, first + i);

			if (s)
				used += (size_t)snprintf(list + used, sizeof(list) - used, "%s0x%" PRIx64,
							 i ? ", " : "", s->addr);
		}
		set(d, KSR_STATUS_INCOMPATIBLE, "ambiguous: %u symbols with different addresses (%s)",
		    cnt, list);
		return;
	}
	/* Whether the address moves with KASLR is a per-arch rule (the class
	 * below): a named arch without one is refused. A profile with no arch
	 * (raw BTF, no --arch) gets the rule x86_64 and aarch64 share; load
	 * checks it against the host's arch (docs/profile-format.md). */
	arch = ksr_profile__meta(prof)->arch;
	if (arch && ksr_arch_kaslr_rule(arch)) {
		set(d, KSR_STATUS_INCOMPATIBLE, "%s", ksr_errmsg());
		return;
	}
	d->status = KSR_STATUS_RESOLVED;
	d->addr = first_sym->addr;
	if (first_sym->flags & KSR_KSYM_MODULE)
		d->addr_class = KSR_ADDR_MODULE;
	else if (first_sym->flags & KSR_KSYM_ABSOLUTE)
		d->addr_class = KSR_ADDR_FIXED;
	else
		d->addr_class = KSR_ADDR_KERNEL;
}

/* Kind name of a type after modifiers and typedefs, for messages. */
static const char *type_kind(const struct ksr_btf *btf, uint32_t id)
{
	int real = ksr_btf__skip_mods(btf, id);
	const struct btf_type *t;

	if (real == 0)
		return "void";
	t = real > 0 ? ksr_btf__type_by_id(btf, (uint32_t)real) : NULL;
	return t ? ksr_btf__kind_name(BTF_INFO_KIND(t->info)) : "?";
}

static void decide_var(const struct ksr_object *obj, const struct ksr_extern *e,
		       const struct ksr_profile *prof, struct ksr_decision *d)
{
	const struct ksr_btf *kb;
	const struct btf_type *kt;
	struct target tg;
	int id, compat, ktype;
	char buf[64];

	if (!find_target(prof, e->name, BTF_KIND_VAR, &tg)) {
		if (e->weak)
			set(d, KSR_STATUS_WEAK_UNRESOLVED, "no VAR in %s; weak: set to 0",
			    where(prof, buf, sizeof(buf)));
		else
			set(d, KSR_STATUS_MISSING, "no VAR in %s (stock kernels describe only "
			    "per-CPU variables)", where(prof, buf, sizeof(buf)));
		return;
	}
	kb = tg.btf;
	id = tg.id;
	set_module(d, prof, &tg);
	d->btf_id = (uint32_t)id;
	kt = ksr_btf__type_by_id(kb, (uint32_t)id);
	/* libbpf compares the local type with the kernel VAR's type after
	 * skipping its modifiers and typedefs */
	ktype = kt ? ksr_btf__skip_mods(kb, kt->type) : -1;
	compat = ktype >= 0 ? ksr_btf__types_compat(ksr_object__btf(obj), e->type_id, kb,
						    (uint32_t)ktype) : -1;
	if (compat != 1) {
		set(d, KSR_STATUS_INCOMPATIBLE, "local type [%u] %s incompatible with kernel VAR [%d] "
		    "of type %s%s", e->type_id, type_kind(ksr_object__btf(obj), e->type_id), id,
		    kt ? type_kind(kb, kt->type) : "?", compat < 0 ? " (malformed type)" : "");
		return;
	}
	if (!in_kallsyms(prof, e->name)) {
		if (!d->module[0]) {
			set(d, KSR_STATUS_UNLOADABLE,
			    "not in the target's kallsyms (no CONFIG_KALLSYMS_ALL?): the verifier "
			    "fails with 'ldimm64 failed to find the address for kernel symbol'");
			return;
		}
		module_kallsyms_note(d, e->name);
	}
	d->status = KSR_STATUS_RESOLVED;
}

static bool has_site(const struct ksr_extern *e, enum ksr_site_insn insn)
{
	for (uint32_t i = 0; i < e->site_cnt; i++)
		if (e->sites[i].insn == insn)
			return true;
	return false;
}

static void decide_func(const struct ksr_object *obj, const struct ksr_extern *e,
			const struct ksr_profile *prof, struct ksr_decision *d)
{
	const struct ksr_btf *kb;
	const struct ksr_btf_name_slot *slot;
	const struct btf_type *kt;
	char name[KSR_KSYM_NAME_MAX + 1], buf[64];
	struct target tg;
	unsigned int ver;
	int compat;

	snprintf(name, sizeof(name), "%.*s", (int)e->essent_len, e->name);
	if (!find_target(prof, name, BTF_KIND_FUNC, &tg)) {
		if (e->weak)
			set(d, KSR_STATUS_WEAK_UNRESOLVED, "no FUNC '%s' in %s; weak: %s", name,
			    where(prof, buf, sizeof(buf)),
			    has_site(e, KSR_SITE_CALL) ? "calls poisoned" : "set to 0");
		else
			set(d, KSR_STATUS_MISSING, "no FUNC '%s' in %s", name,
			    where(prof, buf, sizeof(buf)));
		return;
	}
	kb = tg.btf;
	slot = tg.slot;
	set_module(d, prof, &tg);
	d->btf_id = slot->func_id;
	kt = ksr_btf__type_by_id(kb, slot->func_id);
	compat = kt ? ksr_btf__types_compat(ksr_object__btf(obj), e->type_id, kb, kt->type) : -1;
	if (compat != 1) {
		if (e->weak) {
			d->btf_id = 0;
			set(d, KSR_STATUS_WEAK_UNRESOLVED,
			    "prototype incompatible with kernel FUNC [%u]; weak: %s", slot->func_id,
			    has_site(e, KSR_SITE_CALL) ? "calls poisoned" : "set to 0");
		} else {
			set(d, KSR_STATUS_INCOMPATIBLE,
			    "func_proto [%u] incompatible with kernel FUNC '%s' [%u]", e->type_id, name,
			    slot->func_id);
		}
		return;
	}
	if (!in_kallsyms(prof, name)) {
		if (!d->module[0]) {
			set(d, KSR_STATUS_UNLOADABLE, "not in the target's kallsyms: the verifier "
			    "fails with '%s'", has_site(e, KSR_SITE_CALL) ?
			    "cannot find address for kernel function" :
			    "ldimm64 failed to find the address for kernel symbol");
			return;
		}
		module_kallsyms_note(d, name);
	}
	/* kfunc-set membership is checked for calls only: an ld_imm64 of a
	 * FUNC (bpf_ksym_exists) just needs the address (check_pseudo_btf_id) */
	if (has_site(e, KSR_SITE_CALL) && (ksr_profile__meta(prof)->flags & KSR_PROF_KFUNC_TAGS) &&
	    !(slot->flags & KSR_NAME_FUNC_KFUNC)) {
		set(d, KSR_STATUS_UNLOADABLE, "'%s' is a kernel function but not a kfunc "
		    "(no bpf_kfunc tag): 'calling kernel function is not allowed'", name);
		return;
	}
	if (has_site(e, KSR_SITE_CALL) && !ksr_license_gpl_compatible(ksr_object__license(obj))) {
		set(d, KSR_STATUS_UNLOADABLE, "license is not GPL-compatible: 'cannot call kernel "
		    "function from non-GPL compatible program'");
		return;
	}
	if (has_site(e, KSR_SITE_CALL) && !(ksr_profile__meta(prof)->flags & KSR_PROF_KFUNC_TAGS) &&
	    !d->note[0])
		snprintf(d->note, sizeof(d->note), "the target's BTF has no bpf_kfunc tags (pahole < "
			 "1.27): not checked that '%.64s' is a kfunc; the verifier decides", name);
	ver = ksr_release_version(ksr_profile__release(prof));
	if (has_site(e, KSR_SITE_LD64) && ver && ver < KSR_KERNEL_6_4) {
		set(d, KSR_STATUS_UNLOADABLE, "kfunc address (bpf_ksym_exists) needs kernel 6.4 or "
		    "newer; target is %s", ksr_profile__release(prof));
		return;
	}
	d->status = KSR_STATUS_RESOLVED;
}

void ksr_resolve__extern(const struct ksr_object *obj, const struct ksr_extern *e,
			 const struct ksr_profile *prof, struct ksr_decision *d)
{
	memset(d, 0, sizeof(*d));
	switch (e->kind) {
	case KSR_EXTERN_TYPELESS:
		decide_typeless(e, prof, d);
		break;
	case KSR_EXTERN_VAR:
		decide_var(obj, e, prof, d);
		break;
	case KSR_EXTERN_FUNC:
		decide_func(obj, e, prof, d);
		break;
	}
}

int ksr_decide_all(const struct ksr_object *obj, const struct ksr_profile *prof,
		   struct ksr_decision **out)
{
	size_t n = ksr_object__extern_cnt(obj);
	struct ksr_decision *d = calloc(n ? n : 1, sizeof(*d));
	int ok = 1;

	if (!d)
		return -1;
	for (size_t i = 0; i < n; i++) {
		ksr_resolve__extern(obj, ksr_object__extern(obj, i), prof, &d[i]);
		if (!ksr_status_ok(d[i].status))
			ok = 0;
	}
	*out = d;
	return ok;
}
