// SPDX-License-Identifier: BSD-2-Clause
/* Shared harness helpers; see fuzz_common.h. */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btf.h"
#include "buf.h"
#include "fuzz_common.h"
#include "insn.h"
#include "manifest.h"
#include "object.h"
#include "patch.h"
#include "profile.h"
#include "rebase.h"

void fz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "fuzz invariant violated: %s (%s:%d); last library message: %s\n", what,
		file, line, ksr_errmsg());
	fflush(stderr);
	__builtin_trap();
}

void fz_check_error(int err)
{
	if (err < 0)
		FZ_ASSERT(ksr_errmsg()[0] != '\0');
}

/* ---- input splitting ------------------------------------------------------ */

bool fz_u8(struct fz_reader *r, uint8_t *v)
{
	if (r->left < 1)
		return false;
	*v = r->p[0];
	r->p++;
	r->left--;
	return true;
}

bool fz_u32(struct fz_reader *r, uint32_t *v)
{
	if (r->left < 4)
		return false;
	*v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 |
	     (uint32_t)r->p[3] << 24;
	r->p += 4;
	r->left -= 4;
	return true;
}

bool fz_blob(struct fz_reader *r, const uint8_t **p, size_t *n)
{
	uint32_t len;

	if (!fz_u32(r, &len))
		return false;
	*n = len < r->left ? len : r->left;
	*p = r->p;
	r->p += *n;
	r->left -= *n;
	return true;
}

void fz_rest(struct fz_reader *r, const uint8_t **p, size_t *n)
{
	*p = r->p;
	*n = r->left;
	r->p += r->left;
	r->left = 0;
}

void *fz_dup(const void *p, size_t n)
{
	void *c = malloc(n ? n : 1);

	FZ_ASSERT(c != NULL);
	if (n)
		memcpy(c, p, n);
	return c;
}

/* ---- files ---------------------------------------------------------------- */

int fz_memfd(const void *p, size_t n, char *path, size_t path_len)
{
	const uint8_t *b = p;
	int fd = memfd_create("ksr-fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	while (n) {
		ssize_t w = write(fd, b, n);

		if (w <= 0) {
			close(fd);
			return -1;
		}
		b += w;
		n -= (size_t)w;
	}
	snprintf(path, path_len, "/proc/self/fd/%d", fd);
	return fd;
}

static const char *tmp_base(void)
{
	return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

/* Removes the directory of a harness process that no longer exists: AFL++
 * kills targets on timeouts and at the end, possibly in the middle of an
 * input, and the directory would stay behind. */
static void sweep_dead(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char dir[320], file[576];   /* gcc 12 sizes them for any d_name */
		DIR *sub;
		struct dirent *f;
		char *end;
		long pid;

		if (strncmp(e->d_name, "ksr-fuzz.", 9) != 0)
			continue;
		pid = strtol(e->d_name + 9, &end, 10);
		if (*end || pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, e->d_name);
		sub = opendir(dir);
		while (sub && (f = readdir(sub)) != NULL) {
			if (!strncmp(f->d_name, "out", 3)) {
				snprintf(file, sizeof(file), "%s/%s", dir, f->d_name);
				unlink(file);
			}
		}
		if (sub)
			closedir(sub);
		rmdir(dir);
	}
	closedir(d);
}

void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static void child_die(void)
{
	_exit(3);
}

static void child_signal(int sig)
{
	(void)sig;
	_exit(3);
}

void fz_child_quiet(unsigned seconds)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGALRM };

	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(child_die);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		signal(fatal[i], child_signal);
	alarm(seconds);
}

bool fz_tmp_open(struct fz_tmp *t)
{
	const char *base = tmp_base();

	sweep_dead(base);
	snprintf(t->dir, sizeof(t->dir), "%s/ksr-fuzz.%ld", base, (long)getpid());
	if (mkdir(t->dir, 0700) != 0)
		return false;
	snprintf(t->path, sizeof(t->path), "%s/out", t->dir);
	return true;
}

void fz_tmp_close(struct fz_tmp *t)
{
	unlink(t->path);
	/* ENOTEMPTY: a temporary file survived a failed or finished write */
	FZ_ASSERT(rmdir(t->dir) == 0);
}

/* ---- BTF ------------------------------------------------------------------ */

static uint32_t mix(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	return x ^ (x >> 16);
}

static void walk_named(const struct ksr_btf *btf, uint32_t id, const struct btf_type *t,
		       bool parsed)
{
	unsigned int kind = BTF_INFO_KIND(t->info);
	const char *name = ksr_btf__name(btf, id);
	const struct ksr_btf_name_slot *slot;
	int found;

	if (parsed)
		FZ_ASSERT(name != NULL);
	if (!name || !name[0])
		return;
	slot = ksr_btf__lookup(btf, name);
	/* split BTF indexes its own names only (libbpf's _own lookup) */
	if ((kind != BTF_KIND_VAR && kind != BTF_KIND_FUNC) || id < ksr_btf__start_id(btf))
		return;
	found = ksr_btf__find(btf, name, kind);
	if (!parsed)
		return;
	/* the index names the lowest id of that kind with that name */
	FZ_ASSERT(slot != NULL);
	FZ_ASSERT(found > 0 && (uint32_t)found <= id);
	FZ_ASSERT(strcmp(ksr_btf__name(btf, (uint32_t)found), name) == 0);
	FZ_ASSERT(BTF_INFO_KIND(ksr_btf__type_by_id(btf, (uint32_t)found)->info) == kind);
}

void fz_walk_btf(const struct ksr_btf *btf, const struct ksr_btf *other, bool parsed,
		 uint32_t seed)
{
	uint32_t n = ksr_btf__type_cnt(btf), on = ksr_btf__type_cnt(other);
	uint32_t datasec_probes = 0, compat_probes = 0;

	ksr_btf__has_kfunc_tags(btf);
	FZ_ASSERT(ksr_btf__type_by_id(btf, 0) == NULL && ksr_btf__type_by_id(btf, n) == NULL);
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = ksr_btf__type_by_id(btf, id);
		int real;

		if (parsed)
			FZ_ASSERT(t != NULL);
		if (!t)
			continue;
		walk_named(btf, id, t, parsed);
		real = ksr_btf__skip_mods(btf, id);
		if (parsed)
			FZ_ASSERT(real >= 0);
		if (real > 0)
			FZ_ASSERT(ksr_btf__type_by_id(btf, (uint32_t)real) != NULL);
		if (BTF_INFO_KIND(t->info) == BTF_KIND_VAR && datasec_probes < KSR_FUZZ_MAX_PROBES) {
			uint32_t idx = 0;
			int ds = ksr_btf__datasec_of(btf, id, &idx);

			datasec_probes++;
			if (ds > 0 && parsed) {
				const struct btf_type *d = ksr_btf__type_by_id(btf, (uint32_t)ds);

				FZ_ASSERT(d && BTF_INFO_KIND(d->info) == BTF_KIND_DATASEC &&
					  idx < BTF_INFO_VLEN(d->info));
				FZ_ASSERT(((const struct btf_var_secinfo *)(d + 1))[idx].type == id);
			}
		}
		if (on > 1 && compat_probes < KSR_FUZZ_MAX_PROBES / 2) {
			uint32_t other_id = mix(seed ^ id) % on;
			int c = ksr_btf__types_compat(btf, id, other, other_id);

			compat_probes++;
			FZ_ASSERT(c >= 0 ? c <= 1 : ksr_errmsg()[0] != '\0');
		}
	}
}

/* ---- objects -------------------------------------------------------------- */

/* Writable copies of obj's sections, as the live loader views them. */
static struct ksr_rebase_sec *copy_secs(const struct ksr_object *obj)
{
	uint32_t n = ksr_object__sec_cnt(obj);
	struct ksr_rebase_sec *secs = calloc(n, sizeof(*secs));

	FZ_ASSERT(secs != NULL);
	for (uint32_t i = 1; i < n; i++) {
		const struct ksr_obj_sec *s = ksr_object__sec(obj, i);

		secs[i].exec = (s->flags & SHF_EXECINSTR) != 0;
		if (s->data) {
			secs[i].data = fz_dup(s->data, (size_t)s->size);
			secs[i].size = s->size;
		}
	}
	return secs;
}

static bool secs_unchanged(const struct ksr_object *obj, const struct ksr_rebase_sec *secs)
{
	for (uint32_t i = 1; i < ksr_object__sec_cnt(obj); i++) {
		const struct ksr_obj_sec *s = ksr_object__sec(obj, i);

		if (s->data && memcmp(secs[i].data, s->data, (size_t)s->size) != 0)
			return false;
	}
	return true;
}

static void free_secs(const struct ksr_object *obj, struct ksr_rebase_sec *secs)
{
	for (uint32_t i = 0; i < ksr_object__sec_cnt(obj); i++)
		free(secs[i].data);
	free(secs);
}

static uint32_t count_sum(const struct ksr_rebase_counts *c)
{
	return c->btf_ids + c->zero + c->poison + c->addr_kernel + c->addr_fixed + c->addr_module +
	       c->module;
}

/* The live loader's pure part on a manifest: verification writes nothing;
 * rebasing writes nothing when it fails and at most one instruction per
 * site when it succeeds. */
static void walk_rebase(const struct ksr_object *obj, const struct ksr_manifest *m)
{
	struct ksr_rebase_sec *secs = copy_secs(obj);
	struct ksr_rebase_counts counts;
	uint32_t n = ksr_object__sec_cnt(obj), rebased = 0;
	uint64_t slide = ksr_rebase__slide(0xffffffff81000000ull ^ m->hdr.site_cnt, m->hdr.text_addr);
	int err;

	memset(&counts, 0, sizeof(counts));
	err = ksr_rebase__verify(m, secs, n, &counts);
	fz_check_error(err);
	FZ_ASSERT(secs_unchanged(obj, secs));
	if (!err)
		FZ_ASSERT(count_sum(&counts) == m->hdr.site_cnt);
	err = ksr_rebase__apply(m, secs, n, slide, &rebased);
	fz_check_error(err);
	if (err)
		FZ_ASSERT(secs_unchanged(obj, secs));
	else
		FZ_ASSERT(rebased <= m->hdr.site_cnt);
	free_secs(obj, secs);
}

static void walk_manifest(const struct ksr_object *obj)
{
	const struct ksr_obj_sec *s = ksr_object__sec_by_name(obj, KSR_MANIFEST_SEC);
	struct ksr_manifest m;

	if (!s || !s->data)
		return;
	if (ksr_manifest__parse(s->data, (size_t)s->size, &m) != 0)
		return;
	for (uint32_t i = 0; i < m.hdr.site_cnt; i++) {
		struct ksr_manifest_site site;

		ksr_manifest__site(&m, i, &site);
		ksr_manifest__name(&m, &site);
	}
	walk_rebase(obj, &m);
}

static void walk_extern(const struct ksr_object *obj, const struct ksr_extern *e)
{
	FZ_ASSERT(e->name && e->name[0]);
	FZ_ASSERT(ksr_object__extern_by_sym(obj, e->sym_idx) == e);
	FZ_ASSERT(e->essent_len <= strlen(e->name));
	FZ_ASSERT(e->site_cnt == 0 || e->sites != NULL);
	for (uint32_t k = 0; k < e->site_cnt; k++) {
		const struct ksr_site *site = &e->sites[k];
		const struct ksr_obj_site_info *si = ksr_object__site_info(obj, site);
		const struct ksr_obj_sec *sec = ksr_object__sec(obj, site->sec_idx);
		uint64_t span = site->insn == KSR_SITE_LD64 ? 16 : 8;

		FZ_ASSERT(si != NULL && si->ext == e);
		FZ_ASSERT(sec != NULL && sec->data != NULL && (sec->flags & SHF_EXECINSTR));
		FZ_ASSERT(site->insn_off % 8 == 0 && site->insn_off <= sec->size &&
			  span <= sec->size - site->insn_off);
		FZ_ASSERT(sec->data[site->insn_off] == (site->insn == KSR_SITE_LD64 ? KSR_INSN_LD_IMM64
										     : KSR_INSN_CALL));
		FZ_ASSERT(ksr_object__prog_at(obj, site->sec_idx, site->insn_off) != NULL);
		FZ_ASSERT(site->sec_name && site->prog_name);
	}
}

void fz_walk_object(const struct ksr_object *obj)
{
	uint32_t nsec = ksr_object__sec_cnt(obj);
	size_t n;

	FZ_ASSERT(ksr_object__sec(obj, nsec) == NULL);
	for (uint32_t i = 0; i < nsec; i++) {
		const struct ksr_obj_sec *s = ksr_object__sec(obj, i);
		size_t cnt;
		const struct ksr_obj_rel *rels = ksr_object__rels(obj, i, &cnt);

		FZ_ASSERT(s != NULL && s->name != NULL);
		if (i)
			FZ_ASSERT(ksr_object__sec_by_name(obj, s->name) == s);
		for (size_t k = 0; k < cnt; k++)
			FZ_ASSERT(rels[k].sym > 0 && rels[k].sym < ksr_object__sym_cnt(obj));
	}
	for (uint32_t i = 0; i < ksr_object__sym_cnt(obj); i++)
		FZ_ASSERT(ksr_object__sym(obj, i)->name != NULL);
	n = ksr_object__prog_cnt(obj);
	for (size_t i = 0; i < n; i++) {
		const struct ksr_obj_prog *p = ksr_object__prog(obj, i);

		FZ_ASSERT(p->size > 0 && p->size % 8 == 0 && p->off % 8 == 0);
		FZ_ASSERT(ksr_object__prog_at(obj, p->sec_idx, p->off) == p);
		FZ_ASSERT(ksr_object__prog_at(obj, p->sec_idx, p->off + p->size - 1) == p);
	}
	n = ksr_object__extern_cnt(obj);
	for (size_t i = 0; i < n; i++) {
		const struct ksr_extern *e = ksr_object__extern(obj, i);

		FZ_ASSERT(!ksr_object__extern_is_kconfig(obj, e));
		if (i)
			FZ_ASSERT(strcmp(ksr_object__extern(obj, i - 1)->name, e->name) < 0);
		walk_extern(obj, e);
	}
	FZ_ASSERT(ksr_object__extern(obj, n) == NULL);
	for (size_t i = 0; i < ksr_object__kconfig_cnt(obj); i++) {
		const struct ksr_obj_kconfig *kc = ksr_object__kconfig(obj, i);

		FZ_ASSERT(ksr_object__extern_is_kconfig(obj, &kc->ext));
		walk_extern(obj, &kc->ext);
	}
	ksr_object__license(obj);
	ksr_object__imm_warn_cnt(obj);
	walk_manifest(obj);
}

/* ---- resolve, patch and check --------------------------------------------- */

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

/* What the manifest and the instruction must say for one site. */
struct expect {
	uint8_t value_kind;
	uint64_t value;
};

static struct expect expected(const struct ksr_extern *e, const struct ksr_decision *d,
			      const struct ksr_site *site)
{
	bool resolved = d->status == KSR_STATUS_RESOLVED;

	if (resolved && d->module[0]) /* left as written, for the loader */
		return (struct expect){ KSR_MV_MODULE, d->btf_id };
	if (site->insn == KSR_SITE_CALL)
		return resolved ? (struct expect){ KSR_MV_BTF_ID, d->btf_id }
				: (struct expect){ KSR_MV_POISON, (uint64_t)KSR_POISON_CALL_KFUNC_BASE +
									  e->libbpf_idx };
	if (!resolved)
		return (struct expect){ KSR_MV_ZERO, 0 };
	if (e->kind == KSR_EXTERN_TYPELESS)
		return (struct expect){ KSR_MV_ADDR, d->addr };
	return (struct expect){ KSR_MV_BTF_ID, d->btf_id };
}

static void check_insn(const uint8_t *insn, const struct ksr_site *site, struct expect x)
{
	if (x.value_kind == KSR_MV_MODULE) {
		FZ_ASSERT(ksr_insn__check_site(insn, site->insn, KSR_MV_MODULE, x.value) == NULL);
		return;
	}
	if (site->insn == KSR_SITE_CALL) {
		FZ_ASSERT(insn[0] == KSR_INSN_CALL && rd16(insn + 2) == 0);
		FZ_ASSERT(insn[1] == (x.value_kind == KSR_MV_BTF_ID ? BPF_PSEUDO_KFUNC_CALL << 4 : 0));
		FZ_ASSERT(rd32(insn + 4) == (uint32_t)x.value);
		return;
	}
	FZ_ASSERT(insn[0] == KSR_INSN_LD_IMM64 && insn[8] == 0 && insn[9] == 0 && rd16(insn + 10) == 0);
	FZ_ASSERT(insn[1] >> 4 == (x.value_kind == KSR_MV_BTF_ID ? BPF_PSEUDO_BTF_ID : 0));
	FZ_ASSERT(rd32(insn + 4) == (uint32_t)x.value);
	FZ_ASSERT(rd32(insn + 12) == (uint32_t)(x.value >> 32));
}

/* Executable sections keep every byte outside the patched sites. */
static void check_code_diff(const struct ksr_object *in, const struct ksr_object *out)
{
	for (uint32_t i = 1; i < ksr_object__sec_cnt(in); i++) {
		const struct ksr_obj_sec *a = ksr_object__sec(in, i), *b = ksr_object__sec(out, i);
		uint8_t *mask;

		FZ_ASSERT(b != NULL && a->type == b->type && strcmp(a->name, b->name) == 0);
		if (!(a->flags & SHF_EXECINSTR) || !a->data)
			continue;
		FZ_ASSERT(a->size == b->size && b->data != NULL);
		mask = calloc(1, (size_t)a->size);
		FZ_ASSERT(mask != NULL);
		for (size_t e = 0; e < ksr_object__extern_cnt(in); e++) {
			const struct ksr_extern *x = ksr_object__extern(in, e);

			for (uint32_t k = 0; k < x->site_cnt; k++)
				if (x->sites[k].sec_idx == i)
					memset(mask + x->sites[k].insn_off, 1,
					       x->sites[k].insn == KSR_SITE_LD64 ? 16 : 8);
		}
		for (uint64_t off = 0; off < a->size; off++)
			FZ_ASSERT(mask[off] || a->data[off] == b->data[off]);
		free(mask);
	}
}

/* The live loader must accept what the patcher wrote: its verifier
 * re-derives every site's encoding from the manifest independently. */
static void check_live_verify(const struct ksr_object *out, const struct ksr_manifest *m)
{
	struct ksr_rebase_sec *secs = copy_secs(out);
	struct ksr_rebase_counts counts;

	memset(&counts, 0, sizeof(counts));
	FZ_ASSERT(ksr_rebase__verify(m, secs, ksr_object__sec_cnt(out), &counts) == 0);
	FZ_ASSERT(count_sum(&counts) == m->hdr.site_cnt);
	free_secs(out, secs);
}

static void check_output(const struct ksr_object *in, const struct ksr_profile *prof,
			 const struct ksr_decision *dec, const struct ksr_buf *img)
{
	const struct ksr_obj_sec *ms;
	struct ksr_object *out = NULL;
	struct ksr_manifest m;
	uint32_t rec = 0;
	size_t mod_externs = 0;

	/* module externs stay, for libbpf or ksymres load to bind */
	for (size_t i = 0; i < ksr_object__extern_cnt(in); i++)
		mod_externs += dec[i].status == KSR_STATUS_RESOLVED && dec[i].module[0];
	FZ_ASSERT(ksr_object__open_mem(img->data, img->len, &out) == 0);
	FZ_ASSERT(ksr_object__extern_cnt(out) == mod_externs);
	FZ_ASSERT(ksr_object__sec_cnt(out) == ksr_object__sec_cnt(in) + 1);
	check_code_diff(in, out);
	ms = ksr_object__sec_by_name(out, KSR_MANIFEST_SEC);
	FZ_ASSERT(ms != NULL && ms->data != NULL);
	FZ_ASSERT(ksr_manifest__parse(ms->data, (size_t)ms->size, &m) == 0);
	FZ_ASSERT(memcmp(m.hdr.identity, ksr_profile__meta(prof)->identity, 16) == 0);
	for (size_t i = 0; i < ksr_object__extern_cnt(in); i++) {
		const struct ksr_extern *e = ksr_object__extern(in, i);

		for (uint32_t k = 0; k < e->site_cnt; k++, rec++) {
			const struct ksr_site *site = &e->sites[k];
			const struct ksr_obj_sec *s = ksr_object__sec(out, site->sec_idx);
			struct expect x = expected(e, &dec[i], site);
			struct ksr_manifest_site ms_rec;
			const char *name;

			check_insn(s->data + site->insn_off, site, x);
			FZ_ASSERT(rec < m.hdr.site_cnt);
			ksr_manifest__site(&m, rec, &ms_rec);
			name = ksr_manifest__name(&m, &ms_rec);
			FZ_ASSERT(name && strcmp(name, e->name) == 0);
			FZ_ASSERT(ms_rec.sec_idx == site->sec_idx && ms_rec.insn_off == site->insn_off);
			FZ_ASSERT(ms_rec.value_kind == x.value_kind && ms_rec.value == x.value);
			FZ_ASSERT(ms_rec.insn == site->insn && ms_rec.extern_kind == e->kind);
		}
	}
	FZ_ASSERT(rec == m.hdr.site_cnt);
	check_live_verify(out, &m);
	ksr_object__free(out);
}

void fz_resolve_and_check(const struct ksr_object *obj, const struct ksr_profile *prof)
{
	size_t n = ksr_object__extern_cnt(obj);
	struct ksr_decision *dec = calloc(n ? n : 1, sizeof(*dec));
	struct ksr_buf img = { 0 }, again = { 0 };
	bool all_ok = true;
	int err;

	FZ_ASSERT(dec != NULL);
	for (size_t i = 0; i < n; i++) {
		ksr_resolve__extern(obj, ksr_object__extern(obj, i), prof, &dec[i]);
		FZ_ASSERT(memchr(dec[i].reason, '\0', sizeof(dec[i].reason)) != NULL);
		if (dec[i].status != KSR_STATUS_RESOLVED)
			FZ_ASSERT(dec[i].reason[0] != '\0');
		all_ok = all_ok && ksr_status_ok(dec[i].status);
	}
	err = ksr_patch__build(obj, prof, dec, NULL, &img);
	/* an internal inconsistency is EPROTO; malformed input must be caught
	 * by the parsers before the patcher */
	FZ_ASSERT(err != -EPROTO);
	if (err || !all_ok) {
		FZ_ASSERT(err < 0 && img.data == NULL && img.len == 0);
		fz_check_error(err);
		free(dec);
		return;
	}
	check_output(obj, prof, dec, &img);
	FZ_ASSERT(ksr_patch__build(obj, prof, dec, NULL, &again) == 0);
	FZ_ASSERT(again.len == img.len && memcmp(again.data, img.data, img.len) == 0);
	ksr_buf_free(&again);
	ksr_buf_free(&img);
	free(dec);
}

/* ---- profiles with a kernel config or module BTF --------------------------- */

int fz_profile_with_kconfig(const char *path, const struct ksr_btf *btf,
			    const struct ksr_kallsyms *ks, const struct ksr_profile_opts *opts,
			    const char *config)
{
	struct ksr_profile_writer *w;
	int err = ksr_profile_writer__new(path, btf, &w);

	if (!err)
		err = ksr_profile_writer__add_kallsyms(w, ks, opts);
	if (!err && config)
		err = ksr_profile_writer__add_kconfig(w, config);  /* frees w when it fails */
	return err ? err : ksr_profile_writer__commit(w);
}

void fz_check_kconfig(const struct ksr_object *obj, const struct ksr_resolution *res)
{
	size_t n = ksr_resolution__kconfig_cnt(res), len = 0;
	const uint8_t *data = ksr_resolution__kconfig_data(res, &len);

	FZ_ASSERT(n == ksr_object__kconfig_extern_cnt(obj));
	FZ_ASSERT(ksr_resolution__kconfig(res, n) == NULL);
	for (size_t i = 0; i < n; i++) {
		const struct ksr_kconfig_verdict *v = ksr_resolution__kconfig(res, i);

		FZ_ASSERT(v && v->name && v->type && v->value && v->reason);
		FZ_ASSERT(!strcmp(v->name, ksr_object__kconfig_extern(obj, i)->name));
		FZ_ASSERT(ksr_kconfig_status_str(v->status)[0] != '\0');
		FZ_ASSERT((uint64_t)v->offset + v->size <= len);
		if (v->status == KSR_KCONFIG_SET || v->status == KSR_KCONFIG_DEFAULT)
			FZ_ASSERT(v->value[0] != '\0');
		else
			FZ_ASSERT(v->reason[0] != '\0');
	}
	FZ_ASSERT(len == 0 || data != NULL);
}

/* The BTF of one module part: from a module file, else the raw bytes. */
static int module_btf(const uint8_t *p, size_t n, void **btf, size_t *len)
{
	int err = ksr_module_file__btf(p, n, btf, len);

	fz_check_error(err == -ENOENT ? 0 : err);
	if (err && n >= 2 && p[0] == 0x9f && p[1] == 0xeb) {
		*btf = fz_dup(p, n);
		*len = n;
		err = 0;
	}
	return err;
}

uint32_t fz_modules_read(struct fz_reader *r, struct fz_module *m)
{
	uint32_t cnt = 0;

	for (uint32_t i = 0; i < FZ_MODULES_MAX; i++) {
		const uint8_t *file;
		size_t file_len;
		uint8_t name_len;

		if (!fz_u8(r, &name_len) || r->left < name_len)
			break;
		memcpy(m[cnt].name, r->p, name_len);
		m[cnt].name[name_len] = '\0';
		r->p += name_len;
		r->left -= name_len;
		if (!fz_blob(r, &file, &file_len))
			break;
		if (module_btf(file, file_len, &m[cnt].btf, &m[cnt].len) == 0)
			cnt++;
	}
	return cnt;
}

void fz_modules_free(struct fz_module *m, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		free(m[i].btf);
}

int fz_profile_with_modules(const char *path, const struct ksr_btf *base,
			    const struct ksr_kallsyms *ks, const struct fz_module *m, uint32_t n)
{
	struct ksr_profile_opts opts = { .sz = sizeof(opts), .release = "6.8.0-fuzz",
					 .arch = "x86_64" };
	struct ksr_profile_writer *w;
	int err = ksr_profile_writer__new(path, base, &w);

	fz_check_error(err);
	if (err)
		return -1;
	err = ksr_profile_writer__add_kallsyms(w, ks, &opts);
	fz_check_error(err);
	if (err)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		err = ksr_profile_writer__add_module(w, base, m[i].name, m[i].btf, m[i].len);
		fz_check_error(err);
		if (err) {
			ksr_profile_writer__abort(w);
			return -1;
		}
	}
	err = ksr_profile_writer__commit(w);
	fz_check_error(err);
	return err ? -1 : (int)n;
}
