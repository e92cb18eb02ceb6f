// SPDX-License-Identifier: BSD-2-Clause
/* Extern collection, following libbpf's bpf_object__collect_externs(): the
 * undefined GLOBAL/WEAK NOTYPE symbols, their BTF VAR or FUNC (which must
 * have extern linkage), the one DATASEC listing it (.ksyms or .kconfig),
 * typed/typeless/kfunc classification after skipping modifiers and
 * typedefs, the flavour-stripped name length and libbpf's sorted index.
 * Where libbpf silently takes the first of several candidates (two BTF
 * types of one name, two DATASEC memberships), the input is ambiguous and
 * rejected instead. Finally the pending code relocations are bound to their
 * externs as sites. */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "btf.h"
#include "error.h"
#include "object_priv.h"

#define KSYMS_SEC ".ksyms"
#define KCONFIG_SEC ".kconfig"

struct ext_work {
	const char *name;
	uint32_t sym_idx;
	bool weak;
	bool kcfg;
	uint32_t btf_id;
	uint32_t sec_id;         /* the DATASEC listing btf_id */
	enum ksr_extern_kind kind;
	uint32_t type_id;
	uint32_t size, align;    /* .kconfig layout */
	uint32_t libbpf_idx;
	uint32_t site_cnt;
	size_t out_idx;          /* position in obj->ksyms, or ksym_cnt + position in obj->kcfgs */
};

struct ext_set {
	struct ext_work *w;      /* sorted by name */
	size_t n;
	struct ext_work **by_btf;  /* sorted by btf_id */
	struct ext_work **by_sym;  /* sorted by sym_idx */
};

static inline unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

static unsigned long long sym_foff(const struct ksr_object *obj, uint32_t sym_idx)
{
	return ull(obj->secs[obj->symtab_idx].offset + (uint64_t)sym_idx * sizeof(Elf64_Sym));
}

#define EXT_ERR(obj, w, fmt, ...)                                                               \
	ksr_err(KSR_EMALFORMED, "extern '%s' (symbol %u): " fmt " (file offset 0x%llx)", (w)->name, \
		(w)->sym_idx, ##__VA_ARGS__, sym_foff(obj, (w)->sym_idx))

/* ---- sorting and lookup ------------------------------------------------- */

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct ext_work *)a)->name, ((const struct ext_work *)b)->name);
}

static int cmp_btf_id(const void *a, const void *b)
{
	uint32_t x = (*(struct ext_work *const *)a)->btf_id, y = (*(struct ext_work *const *)b)->btf_id;

	return x < y ? -1 : x > y;
}

static int cmp_sym_idx(const void *a, const void *b)
{
	uint32_t x = (*(struct ext_work *const *)a)->sym_idx, y = (*(struct ext_work *const *)b)->sym_idx;

	return x < y ? -1 : x > y;
}

/* libbpf's cmp_externs(): .kconfig before .ksyms; .kconfig by alignment
 * (descending) then size (ascending); ties by name. */
static int cmp_libbpf(const void *a, const void *b)
{
	const struct ext_work *x = *(struct ext_work *const *)a, *y = *(struct ext_work *const *)b;

	if (x->kcfg != y->kcfg)
		return x->kcfg ? -1 : 1;
	if (x->kcfg) {
		if (x->align != y->align)
			return x->align > y->align ? -1 : 1;
		if (x->size != y->size)
			return x->size < y->size ? -1 : 1;
	}
	return strcmp(x->name, y->name);
}

static struct ext_work *find_name(const struct ext_set *es, const char *name)
{
	size_t lo = 0, hi = es->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, es->w[mid].name);

		if (!c)
			return &es->w[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static struct ext_work *find_key(struct ext_work **v, size_t n, uint32_t key, bool by_btf)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t k = by_btf ? v[mid]->btf_id : v[mid]->sym_idx;

		if (k == key)
			return v[mid];
		if (key < k)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* ---- the passes --------------------------------------------------------- */

/* Every undefined symbol is an extern (object.c already required the
 * GLOBAL/WEAK NOTYPE shape); names must be unique. */
static int gather(const struct ksr_object *obj, struct ext_set *es)
{
	size_t n = 0;

	for (uint32_t i = 1; i < obj->sym_cnt; i++)
		n += obj->syms[i].shndx == SHN_UNDEF;
	if (!n)
		return 0;
	es->w = calloc(n, sizeof(*es->w));
	es->by_btf = calloc(n, sizeof(*es->by_btf));
	es->by_sym = calloc(n, sizeof(*es->by_sym));
	if (!es->w || !es->by_btf || !es->by_sym)
		return ksr_err(ENOMEM, "out of memory");
	for (uint32_t i = 1; i < obj->sym_cnt; i++) {
		const struct ksr_obj_sym *s = &obj->syms[i];
		struct ext_work *w;

		if (s->shndx != SHN_UNDEF)
			continue;
		w = &es->w[es->n++];
		w->name = s->name;
		w->sym_idx = i;
		w->weak = ELF64_ST_BIND(s->info) == STB_WEAK;
	}
	qsort(es->w, es->n, sizeof(*es->w), cmp_name);
	for (size_t i = 1; i < es->n; i++) {
		if (!strcmp(es->w[i].name, es->w[i - 1].name))
			return EXT_ERR(obj, &es->w[i], "a second extern symbol of that name");
	}
	for (size_t i = 0; i < es->n; i++)
		es->by_sym[i] = &es->w[i];
	qsort(es->by_sym, es->n, sizeof(*es->by_sym), cmp_sym_idx);
	return 0;
}

/* find_extern_btf_id(): the VAR or FUNC named like the extern, with extern
 * linkage. Two candidates are ambiguous. */
static int match_btf(const struct ksr_object *obj, struct ext_set *es)
{
	const struct ksr_btf *btf = obj->btf;
	uint32_t cnt = ksr_btf__type_cnt(btf);

	for (uint32_t id = 1; id < cnt; id++) {
		const struct btf_type *t = ksr_btf__type_by_id(btf, id);
		unsigned int kind;
		struct ext_work *w;
		const char *name;

		if (!t)
			return ksr_err(KSR_EMALFORMED, ".BTF: type %u is unreadable", id);
		kind = BTF_INFO_KIND(t->info);
		if (kind != BTF_KIND_VAR && kind != BTF_KIND_FUNC)
			continue;
		name = ksr_btf__str(btf, t->name_off);
		w = name ? find_name(es, name) : NULL;
		if (!w)
			continue;
		if (w->btf_id)
			return EXT_ERR(obj, w, "BTF types [%u] and [%u] both carry its name", w->btf_id, id);
		w->btf_id = id;
	}
	for (size_t i = 0; i < es->n; i++) {
		struct ext_work *w = &es->w[i];
		const struct btf_type *t;

		if (!w->btf_id)
			return EXT_ERR(obj, w, "no BTF VAR or FUNC of that name");
		t = ksr_btf__type_by_id(btf, w->btf_id);
		if (BTF_INFO_KIND(t->info) == BTF_KIND_VAR) {
			const struct btf_var *v = (const struct btf_var *)(t + 1);

			if (v->linkage != BTF_VAR_GLOBAL_EXTERN)
				return EXT_ERR(obj, w, "BTF VAR [%u] has linkage %u, not extern", w->btf_id,
					       v->linkage);
		} else if (BTF_INFO_VLEN(t->info) != BTF_FUNC_EXTERN) {
			return EXT_ERR(obj, w, "BTF FUNC [%u] has linkage %u, not extern", w->btf_id,
				       BTF_INFO_VLEN(t->info));
		}
		es->by_btf[i] = w;
	}
	qsort(es->by_btf, es->n, sizeof(*es->by_btf), cmp_btf_id);
	return 0;
}

/* Extern linkage belongs to undefined symbols only (or to .ksyms entries,
 * which the .ksyms rewrite turns into GLOBAL ones): libbpf leaves any other
 * extern VAR or FUNC as it is, the kernel then rejects the whole BTF, and
 * libbpf silently loads without it. No loadable output exists: malformed. */
static bool in_ksyms_datasec(const struct ksr_btf *btf, uint32_t id)
{
	int sec = ksr_btf__datasec_of(btf, id, NULL);
	const struct btf_type *t = sec > 0 ? ksr_btf__type_by_id(btf, (uint32_t)sec) : NULL;
	const char *name = t ? ksr_btf__str(btf, t->name_off) : NULL;

	return name && !strcmp(name, ".ksyms");
}

static int check_stray_externs(const struct ksr_object *obj, const struct ext_set *es)
{
	const struct ksr_btf *btf = obj->btf;
	uint32_t cnt = ksr_btf__type_cnt(btf);

	for (uint32_t id = 1; id < cnt; id++) {
		const struct btf_type *t = ksr_btf__type_by_id(btf, id);
		const char *name;
		bool ext;

		if (!t)
			return ksr_err(KSR_EMALFORMED, ".BTF: type %u is unreadable", id);
		if (BTF_INFO_KIND(t->info) == BTF_KIND_VAR)
			ext = ((const struct btf_var *)(t + 1))->linkage == BTF_VAR_GLOBAL_EXTERN;
		else if (BTF_INFO_KIND(t->info) == BTF_KIND_FUNC)
			ext = BTF_INFO_VLEN(t->info) == BTF_FUNC_EXTERN;
		else
			continue;
		name = ksr_btf__str(btf, t->name_off);
		if (ext && (!name || !find_name(es, name)) && !in_ksyms_datasec(btf, id))
			return ksr_err(KSR_EMALFORMED, ".BTF: type %u %s '%s' has extern linkage but "
				       "no undefined symbol of that name", id,
				       ksr_btf__kind_name(BTF_INFO_KIND(t->info)), name ? name : "");
	}
	return 0;
}

struct sec_scan {
	uint32_t ksyms_id, kcfg_id;        /* the DATASECs, 0 = none */
	uint32_t ksyms_orphan, kcfg_orphan;  /* first entry naming no extern */
};

static int scan_datasec(const struct ksr_object *obj, struct ext_set *es, uint32_t id,
			const struct btf_type *t, struct sec_scan *sc)
{
	const struct btf_var_secinfo *vs = (const struct btf_var_secinfo *)(t + 1);
	const char *name = ksr_btf__str(obj->btf, t->name_off);
	bool is_ksyms = name && !strcmp(name, KSYMS_SEC), is_kcfg = name && !strcmp(name, KCONFIG_SEC);
	uint32_t vlen = BTF_INFO_VLEN(t->info);

	if ((is_ksyms && sc->ksyms_id) || (is_kcfg && sc->kcfg_id))
		return ksr_err(KSR_EMALFORMED, ".BTF: DATASEC [%u] '%s' appears twice", id, name);
	if (is_ksyms)
		sc->ksyms_id = id;
	if (is_kcfg)
		sc->kcfg_id = id;
	for (uint32_t j = 0; j < vlen; j++) {
		struct ext_work *w = find_key(es->by_btf, es->n, vs[j].type, true);

		if (!w) {
			if (is_ksyms && !sc->ksyms_orphan)
				sc->ksyms_orphan = vs[j].type;
			if (is_kcfg && !sc->kcfg_orphan)
				sc->kcfg_orphan = vs[j].type;
			continue;
		}
		if (w->sec_id)
			return EXT_ERR(obj, w, "BTF [%u] is listed twice (DATASEC [%u] and [%u])",
				       w->btf_id, w->sec_id, id);
		w->sec_id = id;
		if (!is_ksyms && !is_kcfg)
			return EXT_ERR(obj, w, "unrecognized extern section '%s'", name ? name : "?");
		w->kcfg = is_kcfg;
	}
	return 0;
}

static int orphan_err(const struct ksr_object *obj, const char *sec, uint32_t id)
{
	const struct btf_type *t = ksr_btf__type_by_id(obj->btf, id);
	const char *name = t ? ksr_btf__str(obj->btf, t->name_off) : NULL;

	return ksr_err(KSR_EMALFORMED, ".BTF: %s lists [%u] '%s', which has no extern symbol", sec, id,
		       name ? name : "?");
}

/* find_extern_sec_btf_id(): exactly one DATASEC, .ksyms or .kconfig. Like
 * libbpf, once a class has externs every entry of its DATASEC must be one. */
static int match_datasecs(const struct ksr_object *obj, struct ext_set *es)
{
	uint32_t cnt = ksr_btf__type_cnt(obj->btf);
	struct sec_scan sc = { 0 };
	bool any_ksym = false, any_kcfg = false;
	int err;

	for (uint32_t id = 1; id < cnt; id++) {
		const struct btf_type *t = ksr_btf__type_by_id(obj->btf, id);

		if (!t)
			return ksr_err(KSR_EMALFORMED, ".BTF: type %u is unreadable", id);
		if (BTF_INFO_KIND(t->info) != BTF_KIND_DATASEC)
			continue;
		err = scan_datasec(obj, es, id, t, &sc);
		if (err)
			return err;
	}
	for (size_t i = 0; i < es->n; i++) {
		if (!es->w[i].sec_id)
			return EXT_ERR(obj, &es->w[i], "BTF [%u] is in no .ksyms or .kconfig DATASEC",
				       es->w[i].btf_id);
		any_kcfg |= es->w[i].kcfg;
		any_ksym |= !es->w[i].kcfg;
	}
	if (any_ksym && sc.ksyms_orphan)
		return orphan_err(obj, KSYMS_SEC, sc.ksyms_orphan);
	if (any_kcfg && sc.kcfg_orphan)
		return orphan_err(obj, KCONFIG_SEC, sc.kcfg_orphan);
	return 0;
}

/* libbpf's find_kcfg_type() with btf__resolve_size() and btf__align_of()
 * for the types it accepts: bool, char, power-of-two ints up to 8 bytes,
 * the libbpf_tristate enum and non-empty char arrays. */
static bool kcfg_layout(const struct ksr_btf *btf, uint32_t id, bool elem, uint32_t *size,
			uint32_t *align)
{
	const struct btf_type *t;
	int r = ksr_btf__skip_mods(btf, id);
	const char *name;

	if (r <= 0 || !(t = ksr_btf__type_by_id(btf, (uint32_t)r)))
		return false;
	name = ksr_btf__str(btf, t->name_off);
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT: {
		uint32_t enc = BTF_INT_ENCODING(*(const uint32_t *)(t + 1));

		if (elem && ((enc & BTF_INT_BOOL) || t->size != 1))
			return false;  /* arrays only of char */
		if ((enc & BTF_INT_BOOL) && t->size != 1)
			return false;
		if (t->size == 0 || t->size > 8 || (t->size & (t->size - 1)))
			return false;
		*size = t->size;
		*align = t->size;
		return true;
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (elem || !name || strcmp(name, "libbpf_tristate") ||
		    (BTF_INFO_KIND(t->info) == BTF_KIND_ENUM && t->size != 4) || t->size == 0 ||
		    t->size > 8)
			return false;
		*size = t->size;
		*align = t->size;
		return true;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = (const struct btf_array *)(t + 1);
		uint32_t esz, eal;

		if (elem || a->nelems == 0 || a->nelems > INT32_MAX ||
		    !kcfg_layout(btf, a->type, true, &esz, &eal))
			return false;
		*size = a->nelems;
		*align = eal;
		return true;
	}
	default:
		return false;
	}
}

static int classify(const struct ksr_object *obj, struct ext_work *w)
{
	const struct btf_type *t = ksr_btf__type_by_id(obj->btf, w->btf_id);
	bool is_func = BTF_INFO_KIND(t->info) == BTF_KIND_FUNC;
	int r;

	if (is_func && w->kcfg)
		return EXT_ERR(obj, w, "extern function is unsupported in .kconfig");
	if (is_func) {
		const struct btf_type *p = ksr_btf__type_by_id(obj->btf, t->type);

		if (!p || BTF_INFO_KIND(p->info) != BTF_KIND_FUNC_PROTO)
			return EXT_ERR(obj, w, "BTF FUNC [%u] does not point at a FUNC_PROTO", w->btf_id);
		w->kind = KSR_EXTERN_FUNC;
		w->type_id = t->type;
		return 0;
	}
	if (w->kcfg && !kcfg_layout(obj->btf, t->type, false, &w->size, &w->align))
		return EXT_ERR(obj, w, ".kconfig type [%u] is unsupported", t->type);
	r = ksr_btf__skip_mods(obj->btf, t->type);
	if (r < 0)
		return EXT_ERR(obj, w, "cannot skip modifiers of type [%u]", t->type);
	w->type_id = (uint32_t)r;
	w->kind = r == 0 && !w->kcfg ? KSR_EXTERN_TYPELESS : KSR_EXTERN_VAR;
	return 0;
}

/* ---- sites -------------------------------------------------------------- */

struct bound {
	const struct ksr_pending_site *ps;
	const struct ext_work *w;
	const struct ksr_obj_prog *prog;
};

static int cmp_bound(const void *a, const void *b)
{
	const struct bound *x = a, *y = b;

	if (x->w->out_idx != y->w->out_idx)
		return x->w->out_idx < y->w->out_idx ? -1 : 1;
	if (x->ps->sec_idx != y->ps->sec_idx)
		return x->ps->sec_idx < y->ps->sec_idx ? -1 : 1;
	return x->ps->insn_off < y->ps->insn_off ? -1 : x->ps->insn_off > y->ps->insn_off;
}

/* I7: a call needs a kfunc; an ld_imm64 takes any extern (a kfunc's address
 * is bpf_ksym_exists()). Relocations outside every program are skipped, as
 * libbpf skips them (overridden weak functions). */
static int bind_sites(const struct ksr_object *obj, struct ext_set *es, struct bound *b, size_t *nb)
{
	*nb = 0;
	for (size_t i = 0; i < obj->pend_cnt; i++) {
		const struct ksr_pending_site *ps = &obj->pend[i];
		const struct ksr_obj_sec *s = &obj->secs[ps->sec_idx];
		struct ext_work *w = find_key(es->by_sym, es->n, ps->sym_idx, false);
		const struct ksr_obj_prog *p;

		if (!w)
			return ksr_err(KSR_EMALFORMED, "%s: symbol %u is not an extern (file offset 0x%llx)",
				       s->name, ps->sym_idx, ksr_obj_foff(s, ps->insn_off));
		if (ps->insn == KSR_SITE_CALL && w->kind != KSR_EXTERN_FUNC)
			return ksr_err(KSR_EMALFORMED,
				       "%s: call at 0x%llx to extern '%s', which is a variable, not a kfunc (file offset 0x%llx)",
				       s->name, ull(ps->insn_off), w->name, ksr_obj_foff(s, ps->insn_off));
		p = ksr_object__prog_at(obj, ps->sec_idx, ps->insn_off);
		if (!p)
			continue;
		b[(*nb)++] = (struct bound){ ps, w, p };
		w->site_cnt++;
	}
	if (*nb)
		qsort(b, *nb, sizeof(*b), cmp_bound);
	return 0;
}

static void fill_extern(struct ksr_extern *e, const struct ext_work *w)
{
	e->name = w->name;
	e->kind = w->kind;
	e->weak = w->weak;
	e->sym_idx = w->sym_idx;
	e->btf_id = w->btf_id;
	e->type_id = w->type_id;
	e->essent_len = (uint32_t)ksr_essential_name_len(w->name);
	e->libbpf_idx = w->libbpf_idx;
	e->site_cnt = w->site_cnt;
}

static struct ksr_extern *out_ext(struct ksr_object *obj, size_t out_idx)
{
	return out_idx < obj->ksym_cnt ? &obj->ksyms[out_idx] : &obj->kcfgs[out_idx - obj->ksym_cnt].ext;
}

/* Lays out obj->ksyms (by name), obj->kcfgs (libbpf order) and the sites,
 * grouped per extern in the same order, each group by (section, offset). */
static int build(struct ksr_object *obj, struct ext_set *es, struct ext_work **order)
{
	struct bound *b = obj->pend_cnt ? calloc(obj->pend_cnt, sizeof(*b)) : NULL;
	size_t nb = 0, nk = 0, nc = 0;
	int err;

	if (obj->pend_cnt && !b)
		return ksr_err(ENOMEM, "out of memory");
	for (size_t i = 0; i < es->n; i++)
		nk += !es->w[i].kcfg;
	obj->ksym_cnt = nk;
	obj->kcfg_cnt = es->n - nk;
	for (size_t i = 0, k = 0; i < es->n; i++) {
		if (!es->w[i].kcfg)
			es->w[i].out_idx = k++;
	}
	for (size_t i = 0; i < es->n; i++) {
		if (order[i]->kcfg)
			order[i]->out_idx = nk + nc++;
	}
	err = bind_sites(obj, es, b, &nb);
	if (err)
		goto out;
	obj->ksyms = nk ? calloc(nk, sizeof(*obj->ksyms)) : NULL;
	obj->kcfgs = nc ? calloc(nc, sizeof(*obj->kcfgs)) : NULL;
	obj->sites = nb ? calloc(nb, sizeof(*obj->sites)) : NULL;
	obj->site_info = nb ? calloc(nb, sizeof(*obj->site_info)) : NULL;
	obj->by_sym = calloc(es->n, sizeof(*obj->by_sym));
	if ((nk && !obj->ksyms) || (nc && !obj->kcfgs) || (nb && (!obj->sites || !obj->site_info)) ||
	    !obj->by_sym) {
		err = ksr_err(ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < es->n; i++) {
		const struct ext_work *w = &es->w[i];

		fill_extern(out_ext(obj, w->out_idx), w);
		if (w->kcfg) {
			obj->kcfgs[w->out_idx - nk].size = w->size;
			obj->kcfgs[w->out_idx - nk].align = w->align;
		}
	}
	for (size_t i = 0; i < nb; i++) {
		struct ksr_extern *e = out_ext(obj, b[i].w->out_idx);
		struct ksr_site *s = &obj->sites[i];

		if (!e->sites)
			e->sites = s;
		s->sec_idx = b[i].ps->sec_idx;
		s->sec_name = obj->secs[s->sec_idx].name;
		s->prog_name = b[i].prog->name;
		s->insn_off = b[i].ps->insn_off;
		s->insn = b[i].ps->insn;
		obj->site_info[i] = (struct ksr_obj_site_info){ e, b[i].ps->rel_sec_idx, b[i].ps->rel_idx,
								b[i].ps->flags };
		obj->imm_warn_cnt += !!(b[i].ps->flags & KSR_SITE_F_IMM_NONZERO);
	}
	obj->site_cnt = nb;
	for (size_t i = 0; i < es->n; i++)
		obj->by_sym[i] = out_ext(obj, es->by_sym[i]->out_idx);
	obj->by_sym_cnt = es->n;
out:
	free(b);
	return err;
}

int ksr_obj_collect_externs(struct ksr_object *obj)
{
	struct ext_set es = { 0 };
	struct ext_work **order = NULL;
	int err;

	err = gather(obj, &es);
	if (!err && !es.n && obj->btf)
		err = check_stray_externs(obj, &es);
	if (err || !es.n)
		goto out;
	if (!obj->btf) {
		err = EXT_ERR(obj, &es.w[0], "the object has no .BTF");
		goto out;
	}
	err = match_btf(obj, &es);
	if (!err)
		err = match_datasecs(obj, &es);
	for (size_t i = 0; !err && i < es.n; i++)
		err = classify(obj, &es.w[i]);
	if (!err)
		err = check_stray_externs(obj, &es);
	if (err)
		goto out;
	order = calloc(es.n, sizeof(*order));
	if (!order) {
		err = ksr_err(ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < es.n; i++)
		order[i] = &es.w[i];
	qsort(order, es.n, sizeof(*order), cmp_libbpf);
	for (size_t i = 0; i < es.n; i++)
		order[i]->libbpf_idx = (uint32_t)i;
	err = build(obj, &es, order);
out:
	free(order);
	free(es.w);
	free(es.by_btf);
	free(es.by_sym);
	free(obj->pend);
	obj->pend = NULL;
	obj->pend_cnt = obj->pend_cap = 0;
	return err;
}

void ksr_obj_free_externs(struct ksr_object *obj)
{
	free(obj->ksyms);
	free(obj->kcfgs);
	free(obj->sites);
	free(obj->site_info);
	free(obj->by_sym);
	obj->ksyms = NULL;
	obj->kcfgs = NULL;
	obj->sites = NULL;
	obj->site_info = NULL;
	obj->by_sym = NULL;
	obj->ksym_cnt = obj->kcfg_cnt = obj->site_cnt = obj->by_sym_cnt = 0;
}
