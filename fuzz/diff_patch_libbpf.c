// SPDX-License-Identifier: BSD-2-Clause
/* Differential check, patched instructions against libbpf's own relocation
 * (issue 17): for an object, the instructions ksymres writes at each .ksyms
 * extern site are those libbpf 1.1.2 (the distribution's) writes there for
 * the same object on this host. Root only: libbpf relocates inside
 * bpf_object__load(). No program of the object is ever loaded.
 *
 * The kernel both sides see: a profile of this host made once at start
 * (capture's steps through the public API: /sys/kernel/btf/vmlinux and its
 * modules, /proc/kallsyms, uname; same boot, so the same KASLR addresses),
 * or $KSR_DIFF_PROFILE (a `ksymres capture` of this boot).
 *
 * ksymres: the object's externs decided (ksr_decide_all, what
 * ksr_resolution__new decides) and patched (ksr_patch__build). Statuses the
 * tool gives for what the verifier will reject (unloadable) are patched as
 * resolved: libbpf relocates them and nothing is loaded here. When the
 * public resolution is runnable, ksr_resolution__patch must give the same
 * bytes. .kconfig values are left to libbpf (no bake).
 *
 * libbpf (forked child, 20 s alarm; its crash is counted, not compared):
 * bpf_object__open_mem on the original bytes, a program handler
 * (libbpf_register_prog_handler) for each program's section with the type
 * libbpf gave it (socket filter when none: the type does not change
 * relocation), then per main program one bpf_object__load() with only that
 * program autoloaded and no map created. bpf_object_load() resolves the
 * externs, relocates (CO-RE, calls: subprograms appended after the main
 * program's instructions, data: the ksym sites) and then, in
 * bpf_object_load_prog(), calls the handler's prog_prepare_load_fn just
 * before BPF_PROG_LOAD: it copies bpf_program__insns() and fails, so the
 * load stops there. Where each subprogram was appended comes from libbpf's
 * debug line "prog 'P': added N insns from sub-prog 'S'" (in order, after
 * the program's own instructions).
 *
 * Compared: for every site in a relocated program (its own or an appended
 * subprogram's), the whole instruction (ld_imm64: both slots; call: one),
 * byte for byte. Rules for what legitimately differs (fuzz/README.md,
 * "Differential checks"):
 *   - an unresolved weak kfunc call: ksymres writes libbpf >= 1.2's poison
 *     (call 2002000000 + i, src_reg 0); libbpf 1.1.2 a kfunc call with
 *     imm 0, off 0 (docs/design.md);
 *   - an unresolved weak typed variable: ksymres writes ld_imm64 0; libbpf
 *     1.1.2 marks typed externs from kallsyms too when the object also has a
 *     typeless one (design.md's "trap 19") and writes src_reg
 *     BPF_PSEUDO_BTF_ID with id 0;
 *   - module externs: ksymres leaves the sites to bind at load, libbpf puts
 *     the module BTF's fd; not compared (counted).
 * Verdicts: ksymres cannot patch (a strong extern missing or incompatible)
 * while libbpf relocated a program: disagreement. ksymres patched while
 * libbpf refused with a warning about a .ksyms extern: disagreement, unless
 * the rule is one 1.1 lacks (libbpf_gap: ___flavour kfunc names, weak
 * kfuncs with an incompatible prototype). libbpf failing elsewhere (CO-RE, .kconfig, struct_ops, program calls) is counted
 * and not compared; both refusing is agreement.
 *
 * At exit one line of counts; KSR_DIFF_MIN_SITES=N fails the run (exit 1)
 * when fewer than N sites were compared. KSR_DIFF_VERBOSE=1: a line per
 * input, KSR_DIFF_LIBBPF_LOG=1 libbpf's messages. A pipeline seed (fuzz_pipeline.c) gives its object, decided
 * against this host. Not root, no bpf(), no kernel BTF or kallsyms
 * addresses: prints "SKIPPED: <reason>" and exits 77. */
#define _GNU_SOURCE
#include <bpf/libbpf.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "fuzz_common.h"
#include "insn.h"
#include "object.h"
#include "patch.h"

#define NAME_LEN 128
#define WARN_LEN 256
#define MAX_PROGS 64
#define MAX_SUBS 1024
#define POOL_INSNS (1u << 19)

/* ---- what the libbpf child hands back (shared memory) -------------------------- */

struct lb_sub {
	char name[NAME_LEN];
	uint32_t prog;           /* index in progs[] */
	uint32_t off;            /* first instruction within that program's */
};

struct lb_prog {
	char name[NAME_LEN];
	char sec[NAME_LEN];
	int err;                 /* 0: instructions captured; else why not */
	uint32_t own_cnt;        /* the program's own instructions */
	uint32_t insn_first, insn_cnt;
	char warn[WARN_LEN];     /* libbpf's first warning in this attempt */
};

struct lb_shared {
	int open_err;            /* bpf_object__open_mem, handlers */
	char open_warn[WARN_LEN];
	bool truncated;          /* more programs, subprograms or instructions than kept */
	uint32_t prog_cnt, sub_cnt, pool_used;
	struct lb_prog progs[MAX_PROGS];
	struct lb_sub subs[MAX_SUBS];
	struct bpf_insn pool[POOL_INSNS];
};

static struct lb_shared *sh;

/* ---- the child: libbpf ------------------------------------------------------ */

static struct lb_prog *cur;
static uint32_t cur_idx, cur_sub_off;
static bool cur_captured;
static bool lb_log;   /* KSR_DIFF_LIBBPF_LOG=1: libbpf's messages to stderr */

/* "prog 'P': added N insns from sub-prog 'S'" for the program being relocated */
static void note_subprog(const char *m)
{
	const char *a = "': added ", *b = " insns from sub-prog '";
	const char *p = strstr(m, a), *q, *end;
	unsigned long n;
	struct lb_sub *s;
	char *after;

	if (!cur || strncmp(m, "prog '", 6) != 0 || !p)
		return;
	n = strtoul(p + strlen(a), &after, 10);
	q = after;
	if (strncmp(q, b, strlen(b)) != 0)
		return;
	q += strlen(b);
	end = strrchr(q, '\'');
	if (!end || sh->sub_cnt >= MAX_SUBS || (size_t)(end - q) >= NAME_LEN) {
		sh->truncated = true;
		return;
	}
	s = &sh->subs[sh->sub_cnt++];
	memcpy(s->name, q, (size_t)(end - q));
	s->name[end - q] = '\0';
	s->prog = cur_idx;
	s->off = cur_sub_off;
	cur_sub_off += (uint32_t)n;
}

__attribute__((format(printf, 2, 0))) static int lb_print(enum libbpf_print_level level,
							    const char *fmt, va_list ap)
{
	char line[1024];
	const char *m = line;

	vsnprintf(line, sizeof(line), fmt, ap);
	if (strncmp(m, "libbpf: ", 8) == 0)
		m += 8;
	if (lb_log)
		fprintf(stderr, "libbpf: %s", m);
	if (level == LIBBPF_WARN) {
		char *w = cur ? cur->warn : sh->open_warn;

		/* the first warning says why; the last is "failed to load object" */
		if (!w[0]) {
			snprintf(w, WARN_LEN, "%.*s", WARN_LEN - 1, m);
			w[strcspn(w, "\n")] = '\0';
		}
	}
	note_subprog(m);
	return 0;
}

static int capture(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	const struct bpf_insn *insns = bpf_program__insns(prog);
	size_t n = bpf_program__insn_cnt(prog);

	(void)opts;
	(void)cookie;
	if (!cur || strcmp(bpf_program__name(prog), cur->name) != 0)
		return -ENOTRECOVERABLE;   /* not the program asked for: load nothing */
	if (n > POOL_INSNS - sh->pool_used) {
		sh->truncated = true;
		return -E2BIG;
	}
	memcpy(sh->pool + sh->pool_used, insns, n * sizeof(*insns));
	cur->insn_first = sh->pool_used;
	cur->insn_cnt = (uint32_t)n;
	sh->pool_used += (uint32_t)n;
	cur_captured = true;
	return -ECANCELED;               /* stop before BPF_PROG_LOAD */
}

static struct bpf_object *open_copy(const uint8_t *data, size_t size)
{
	/* a fresh copy per open: libbpf keeps the buffer while the object lives */
	static char *copy;

	free(copy);
	copy = malloc(size ? size : 1);
	if (!copy)
		_exit(2);
	memcpy(copy, data, size);
	return bpf_object__open_mem(copy, size, NULL);
}

static void run_libbpf(const uint8_t *data, size_t size)
{
	LIBBPF_OPTS(libbpf_prog_handler_opts, ho, .prog_prepare_load_fn = capture);
	struct bpf_object *obj;
	struct bpf_program *p;

	fz_child_quiet(20);
	libbpf_set_print(lb_print);

	obj = open_copy(data, size);
	if (!obj) {
		sh->open_err = -errno;
		_exit(0);
	}
	bpf_object__for_each_program(p, obj) {
		const char *name = bpf_program__name(p), *sec = bpf_program__section_name(p);
		enum bpf_prog_type type = bpf_program__type(p);
		struct lb_prog *lp;
		bool seen = false;
		int id;

		if (sh->prog_cnt >= MAX_PROGS || strlen(name) >= NAME_LEN || strlen(sec) >= NAME_LEN) {
			sh->truncated = true;
			continue;
		}
		lp = &sh->progs[sh->prog_cnt];
		for (uint32_t i = 0; i < sh->prog_cnt; i++)
			seen = seen || !strcmp(sh->progs[i].sec, sec);
		strcpy(lp->name, name);
		strcpy(lp->sec, sec);
		lp->own_cnt = (uint32_t)bpf_program__insn_cnt(p);
		lp->err = -EINPROGRESS;
		sh->prog_cnt++;
		if (seen)
			continue;
		id = libbpf_register_prog_handler(sec, type == BPF_PROG_TYPE_UNSPEC ?
						  BPF_PROG_TYPE_SOCKET_FILTER : type,
						  bpf_program__expected_attach_type(p), &ho);
		if (id < 0) {
			/* without the handler libbpf would really load the program */
			sh->open_err = id;
			snprintf(sh->open_warn, WARN_LEN, "cannot register a handler for '%s'", sec);
			_exit(0);
		}
	}
	bpf_object__close(obj);

	for (cur_idx = 0; cur_idx < sh->prog_cnt; cur_idx++) {
		struct bpf_map *m;
		int err;

		cur = &sh->progs[cur_idx];
		cur_sub_off = cur->own_cnt;
		cur_captured = false;
		obj = open_copy(data, size);
		if (!obj) {
			cur->err = -errno;
			continue;
		}
		bpf_object__for_each_program(p, obj)
			bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), cur->name) &&
						  !strcmp(bpf_program__section_name(p), cur->sec));
		bpf_object__for_each_map(m, obj)
			bpf_map__set_autocreate(m, false);
		err = bpf_object__load(obj);
		/* a load that succeeds never passed the handler: say so */
		cur->err = cur_captured ? 0 : err ? err : -EPROTO;
		bpf_object__close(obj);
	}
	_exit(0);   /* no atexit handlers (LeakSanitizer, the counts) in the child */
}

/* ---- the parent: ksymres, the comparison, the counts ------------------------- */

static struct ksr_profile *prof;
static unsigned long min_sites;
static bool verbose;

static struct {
	unsigned long inputs, opened, with_sites, patched, patched_set_aside, not_patchable, out_refused;
	unsigned long lb_open_fail, lb_crash, lb_progs, lb_relocated, lb_extern_refused, lb_gap, lb_other;
	unsigned long both, both_refuse, sites, equal, poison, quirk19, module, unreached, capped;
} st;

static void print_counts(void)
{
	fprintf(stderr,
		"diff_patch_libbpf: %lu inputs, %lu opened by ksymres, %lu with .ksyms sites: "
		"%lu patched (%lu with verifier-side statuses patched as resolved), %lu not patchable, "
		"%lu output refused (not compared); "
		"libbpf: %lu not opened, %lu crashed, %lu programs tried, %lu relocated, "
		"%lu refused at a .ksyms extern (%lu of them by a rule 1.1 lacks), "
		"%lu failed elsewhere; %lu inputs both patched, "
		"%lu both refused; %lu sites compared: %lu equal, %lu weak kfunc poison vs 1.1.2's "
		"zero call, %lu weak typed var kallsyms quirk; %lu module sites skipped, "
		"%lu sites in no relocated program (%lu inputs past the harness' caps); 0 disagreements\n",
		st.inputs, st.opened, st.with_sites, st.patched, st.patched_set_aside,
		st.not_patchable, st.out_refused, st.lb_open_fail, st.lb_crash, st.lb_progs, st.lb_relocated,
		st.lb_extern_refused, st.lb_gap, st.lb_other, st.both, st.both_refuse, st.sites, st.equal,
		st.poison, st.quirk19, st.module, st.unreached, st.capped);
	fflush(stderr);
	if (st.sites < min_sites) {
		fprintf(stderr, "diff_patch_libbpf: %lu sites compared, fewer than KSR_DIFF_MIN_SITES=%lu\n",
			st.sites, min_sites);
		_exit(1);
	}
}

static void skip(const char *why)
{
	printf("SKIPPED: %s\n", why);
	fflush(stdout);
	exit(77);
}

/* capture's steps: kernel BTF and its modules, kallsyms, uname */
static int host_profile(void)
{
	const char *env = getenv("KSR_DIFF_PROFILE");
	struct ksr_profile_opts o = { .sz = sizeof(o) };
	struct ksr_profile_writer *w = NULL;
	struct ksr_kallsyms *ks = NULL;
	struct ksr_btf *btf = NULL;
	void *braw = NULL, *kraw = NULL;
	size_t blen, klen;
	struct utsname u;
	char path[96];
	DIR *d;
	int err;

	if (env)
		return ksr_profile__open(env, &prof);
	if (ksr_input__read("/sys/kernel/btf/vmlinux", KSR_INPUT_MAX, &braw, &blen) ||
	    ksr_btf__parse_kernel(braw, blen, &btf))
		skip("no readable kernel BTF (/sys/kernel/btf/vmlinux)");
	err = ksr_input__read("/proc/kallsyms", KSR_INPUT_MAX, &kraw, &klen);
	if (!err)
		err = ksr_kallsyms__parse(kraw, klen, &ks);
	free(kraw);
	if (err)
		return err;
	uname(&u);
	o.release = u.release;
	o.machine = ksr_arch__machine(u.machine);
	snprintf(path, sizeof(path), "/tmp/ksr-diff-patch.%ld.profile", (long)getpid());
	err = ksr_profile_writer__new(path, btf, &w);
	if (!err && (d = opendir("/sys/kernel/btf"))) {
		struct dirent *e;

		while (!err && (e = readdir(d))) {
			char mp[512];
			void *m;
			size_t ml;

			if (e->d_name[0] == '.' || !strcmp(e->d_name, "vmlinux"))
				continue;
			snprintf(mp, sizeof(mp), "/sys/kernel/btf/%s", e->d_name);
			if (ksr_input__read(mp, KSR_INPUT_MAX, &m, &ml))
				continue;
			err = ksr_profile_writer__add_module(w, btf, e->d_name, m, ml);
			free(m);
		}
		closedir(d);
		if (err)
			ksr_profile_writer__abort(w);
	}
	if (!err && !(err = ksr_profile_writer__add_kallsyms(w, ks, &o)))
		err = ksr_profile_writer__commit(w);
	ksr_kallsyms__free(ks);
	ksr_btf__free(btf);
	free(braw);
	if (!err)
		err = ksr_profile__open(path, &prof);
	unlink(path);
	return err;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *e = getenv("KSR_DIFF_MIN_SITES");
	uint64_t text = 0;

	(void)argc;
	(void)argv;
	if (geteuid() != 0)
		skip("needs root (libbpf relocates inside bpf_object__load)");
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SOCKET_FILTER, NULL) != 1)
		skip("bpf() cannot load programs here");
	if (ksr_kallsyms__find_text("/proc/kallsyms", &text) || !text)
		skip("/proc/kallsyms shows no addresses");
	if (host_profile()) {
		fprintf(stderr, "diff_patch_libbpf: the host profile: %s\n", ksr_errmsg());
		exit(1);
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	min_sites = e ? strtoul(e, NULL, 10) : 0;
	verbose = getenv("KSR_DIFF_VERBOSE") && getenv("KSR_DIFF_VERBOSE")[0] == '1';
	lb_log = getenv("KSR_DIFF_LIBBPF_LOG") && getenv("KSR_DIFF_LIBBPF_LOG")[0] == '1';
	atexit(print_counts);
	return 0;
}

static void hex(char *out, size_t cap, const uint8_t *p, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && len + 24 < cap; i += 8) {
		struct ksr_insn x = ksr_insn__decode(p + i);

		len += (size_t)snprintf(out + len, cap - len, "%s{code 0x%02x dst %u src %u off %d imm %d}",
					i ? " " : "", x.code, x.dst, x.src, x.off, x.imm);
	}
}

__attribute__((noreturn)) static void disagree(const char *what, const char *prog, long idx,
					       const char *ext, const uint8_t *ours,
					       const uint8_t *theirs, size_t n, const char *more)
{
	char a[256] = "-", b[256] = "-";

	if (ours)
		hex(a, sizeof(a), ours, n);
	if (theirs)
		hex(b, sizeof(b), theirs, n);
	fprintf(stderr, "diff_patch_libbpf: %s: program '%s' insn %ld extern '%s'\n"
		"  ksymres: %s\n  libbpf:  %s\n  %s\n", what, prog, idx, ext, a, b, more);
	fflush(stderr);
	__builtin_trap();
}

/* The legitimate differences (see the top of the file). */
static bool allowed(const struct ksr_extern *e, const struct ksr_decision *d,
		    const struct ksr_site *s, const uint8_t *ours, const uint8_t *theirs)
{
	struct ksr_insn o = ksr_insn__decode(ours), t = ksr_insn__decode(theirs);

	if (d->status != KSR_STATUS_WEAK_UNRESOLVED)
		return false;
	if (s->insn == KSR_SITE_CALL && e->kind == KSR_EXTERN_FUNC && o.code == t.code &&
	    o.dst == t.dst && o.src == 0 && o.off == 0 && o.imm >= KSR_POISON_CALL_KFUNC_BASE &&
	    t.src == BPF_PSEUDO_KFUNC_CALL && t.off == 0 && t.imm == 0) {
		st.poison++;
		return true;
	}
	if (s->insn == KSR_SITE_LD64 && e->kind == KSR_EXTERN_VAR && o.code == t.code &&
	    o.dst == t.dst && o.src == 0 && t.src == BPF_PSEUDO_BTF_ID && o.imm == 0 && t.imm == 0 &&
	    !memcmp(ours + 8, theirs + 8, 8)) {
		st.quirk19++;
		return true;
	}
	return false;
}

/* The index of the .ksyms extern libbpf's warning names ('name'), or -1:
 * its refusals while resolving externs all name the extern
 * (bpf_object__resolve_externs and what it calls); .kconfig ones name a
 * .kconfig extern. */
static long ksyms_named(const struct ksr_object *obj, const char *warn)
{
	for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++) {
		const struct ksr_extern *e = ksr_object__extern(obj, i);
		char quoted[NAME_LEN + 2];

		if (strlen(e->name) >= NAME_LEN)
			continue;
		snprintf(quoted, sizeof(quoted), "'%s'", e->name);
		if (strstr(warn, quoted) && strstr(warn, "extern"))
			return (long)i;
	}
	return -1;
}

/* Rules of libbpf >= 1.3 (kfunc flavours) that ksymres follows and 1.1
 * lacks (docs/real-kernels.md, "Reference gaps"): a kfunc is looked up by
 * the name before a "___flavour" suffix (1.1: the full name, not found),
 * and a weak kfunc with an incompatible prototype is left unresolved (1.1:
 * refused). d: ksymres' decision for e. */
static bool libbpf_gap(const struct ksr_extern *e, const struct ksr_decision *d, const char *warn)
{
	if (e->kind != KSR_EXTERN_FUNC || !strstr(warn, "(func ksym)"))
		return false;
	if (e->essent_len != strlen(e->name) && strstr(warn, "not found"))
		return true;
	return e->weak && d->status == KSR_STATUS_WEAK_UNRESOLVED && strstr(warn, "incompatible");
}

/* Index of site s within libbpf's instructions of program i, or -1 when
 * that program does not hold it. */
static long site_index(const struct ksr_object *obj, const struct ksr_site *s, uint32_t i)
{
	const struct ksr_obj_prog *sp = ksr_object__prog_at(obj, s->sec_idx, s->insn_off);
	const struct lb_prog *p = &sh->progs[i];

	if (!sp)
		return -1;
	if (!strcmp(sp->name, p->name) && !strcmp(s->sec_name, p->sec))
		return (long)((s->insn_off - sp->off) / KSR_BPF_INSN_SZ);
	for (uint32_t k = 0; k < sh->sub_cnt; k++)
		if (sh->subs[k].prog == i && !strcmp(sh->subs[k].name, sp->name) &&
		    !strcmp(s->sec_name, ".text"))
			return (long)(sh->subs[k].off + (s->insn_off - sp->off) / KSR_BPF_INSN_SZ);
	return -1;
}

static void compare(const struct ksr_object *obj, const struct ksr_decision *dec,
		    const struct ksr_object *out)
{
	for (size_t x = 0; x < ksr_object__extern_cnt(obj); x++) {
		const struct ksr_extern *e = ksr_object__extern(obj, x);

		for (uint32_t k = 0; k < e->site_cnt; k++) {
			const struct ksr_site *s = &e->sites[k];
			size_t n = ksr_insn__site_len(s->insn);
			const uint8_t *ours = ksr_object__sec(out, s->sec_idx)->data + s->insn_off;
			bool reached = false;

			for (uint32_t i = 0; i < sh->prog_cnt; i++) {
				const struct lb_prog *p = &sh->progs[i];
				long idx = p->err ? -1 : site_index(obj, s, i);
				const uint8_t *theirs;

				if (idx < 0)
					continue;
				reached = true;
				if ((uint64_t)idx + n / KSR_BPF_INSN_SZ > p->insn_cnt)
					disagree("site past libbpf's instructions", p->name, idx, e->name,
						 ours, NULL, n, "");
				if (dec[x].status == KSR_STATUS_RESOLVED && dec[x].module[0]) {
					st.module++;
					continue;
				}
				theirs = (const uint8_t *)&sh->pool[p->insn_first + (uint64_t)idx];
				st.sites++;
				if (!memcmp(ours, theirs, n))
					st.equal++;
				else if (!allowed(e, &dec[x], s, ours, theirs))
					disagree("the patched instruction differs", p->name, idx, e->name, ours,
						 theirs, n, ksr_status_str(dec[x].status));
			}
			st.unreached += !reached;
		}
	}
}

/* ksymres' patched image, or NULL when some extern is missing or
 * incompatible (*why: which). */
static void *patch_ours(const struct ksr_object *obj, struct ksr_decision **decp, size_t *len,
			const char **why, bool *set_aside, bool *refused)
{
	struct ksr_resolution *res = NULL;
	struct ksr_buf img = { 0 };
	void *pub = NULL;
	size_t pub_len = 0;
	int ok = ksr_decide_all(obj, prof, decp);

	*set_aside = *refused = false;
	*why = "";
	FZ_ASSERT(ok >= 0);
	for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++) {
		struct ksr_decision *d = &(*decp)[i];

		if (d->status == KSR_STATUS_UNLOADABLE) {
			d->status = KSR_STATUS_RESOLVED;   /* the verifier's part: not here */
			*set_aside = true;
		} else if (!ksr_status_ok(d->status) && !(*why)[0]) {
			*why = ksr_object__extern(obj, i)->name;
		}
	}
	if ((*why)[0])
		return NULL;
	if (ksr_patch__build(obj, prof, *decp, NULL, &img)) {
		/* every extern decided, the output refused (its BTF would fail
		 * BPF_BTF_LOAD, a limit): not a question of relocation */
		*why = ksr_errmsg();
		*refused = true;
		return NULL;
	}
	/* what `ksymres resolve` writes, when it writes: the same bytes */
	if (ksr_resolution__new(obj, prof, &res) == 0 && ksr_resolution__runnable(res) &&
	    ksr_resolution__patch(res, NULL, &pub, &pub_len) == 0)
		FZ_ASSERT(pub_len == img.len && !memcmp(pub, img.data, img.len));
	free(pub);
	ksr_resolution__free(res);
	*len = img.len;
	return img.data;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ksr_object *obj = NULL, *out = NULL;
	struct ksr_decision *dec = NULL;
	size_t sites = 0, img_len = 0;
	const char *why;
	bool set_aside, refused, any_reloc = false, any_extern_refusal = false;
	void *img;
	int status;
	pid_t pid;

	if (size > KSR_FUZZ_MAX_INPUT || !sh)
		return 0;
	/* a pipeline seed ([u8][u32 len][object]...): its object, against this host */
	if (size > 9 && memcmp(data, ELFMAG, SELFMAG) && !memcmp(data + 5, ELFMAG, SELFMAG)) {
		struct fz_reader r = { data + 1, size - 1 };

		fz_blob(&r, &data, &size);
	}
	st.inputs++;
	ksr_err_clear();
	if (ksr_object__open_mem(data, size, &obj))
		return 0;   /* open against libbpf: diff_object_libbpf */
	st.opened++;
	for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++)
		sites += ksr_object__extern(obj, i)->site_cnt;
	if (!sites || ksr_object__check_patch_limits(obj)) {
		ksr_object__free(obj);
		return 0;
	}
	st.with_sites++;
	img = patch_ours(obj, &dec, &img_len, &why, &set_aside, &refused);
	if (refused) {
		st.out_refused++;
		if (verbose)
			fprintf(stderr, "diff: ksymres refuses the output: %s\n", why);
		goto out;
	}
	if (img) {
		FZ_ASSERT(ksr_object__open_mem(img, img_len, &out) == 0);
		st.patched++;
		st.patched_set_aside += set_aside;
	} else {
		st.not_patchable++;
	}

	memset(sh, 0, offsetof(struct lb_shared, pool));
	pid = fork();
	if (pid < 0) {
		perror("fork");
		abort();
	}
	if (pid == 0)
		run_libbpf(data, size);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		st.lb_crash++;
		goto out;
	}
	if (sh->open_err) {
		st.lb_open_fail++;
		goto out;
	}
	st.capped += sh->truncated;
	for (uint32_t i = 0; i < sh->prog_cnt; i++) {
		const struct lb_prog *p = &sh->progs[i];
		long named = p->err ? ksyms_named(obj, p->warn) : -1;

		st.lb_progs++;
		if (!p->err) {
			st.lb_relocated++;
			any_reloc = true;
		} else if (named >= 0) {
			st.lb_extern_refused++;
			any_extern_refusal = true;
		} else {
			st.lb_other++;
		}
		if (verbose)
			fprintf(stderr, "diff: prog %s (%s): ksymres %s%s, libbpf %d %s\n", p->name, p->sec,
				img ? "patched" : "cannot patch: ", why, p->err, p->err ? p->warn : "");
		if (img && named >= 0 &&
		    libbpf_gap(ksr_object__extern(obj, (size_t)named), &dec[named], p->warn)) {
			st.lb_gap++;
			continue;
		}
		if (img && named >= 0)
			disagree("ksymres patched, libbpf refused at a .ksyms extern", p->name, -1, "",
				 NULL, NULL, 0, p->warn);
		if (!img && !p->err)
			disagree("ksymres cannot patch, libbpf relocated", p->name, -1, why, NULL, NULL, 0,
				 "");
	}
	if (img && any_reloc) {
		st.both++;
		compare(obj, dec, out);
	}
	if (!img && any_extern_refusal)
		st.both_refuse++;
out:
	ksr_object__free(out);
	free(img);
	free(dec);
	ksr_object__free(obj);
	return 0;
}
