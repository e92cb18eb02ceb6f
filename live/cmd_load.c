// SPDX-License-Identifier: BSD-2-Clause
/* ksymres load OBJECT [--pin DIR] [--run [--data-in FILE] [--repeat N]]
 *                     [--reresolve | --force] [-j] [-v]
 *
 * Loads an object that `resolve` patched: read once, validated by our own
 * parser, host checked against the manifest's profile identity, KASLR
 * addresses moved by the slide of _text (or every extern re-resolved on
 * request), then libbpf loads the patched bytes from memory. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <ksymres/ksymres.h>

#include "live.h"
#include "load.h"
#include "output.h"
#include "report.h"

#define MAX_OBJECT (256u << 20)   /* the largest object ksr_object__open() accepts */
#define MAX_DATA_IN (1u << 20)
#define MAX_REPEAT 100000000u

struct load_args {
	const char *path;
	const char *data_in;
	struct ksr_bpf_opts bpf;
	bool reresolve;
	bool force;
};

/* What happened before libbpf, for the report. */
struct host_check {
	bool has_manifest;
	bool match;
	bool reresolved;
	bool by_build_id;        /* the host was checked by its build ID, not its BTF */
	char obj_identity[33];
	char host_identity[33];  /* "" unless the host's BTF was hashed */
	char obj_build_id[65];   /* "" when the profile recorded none */
	char host_build_id[65];
	char obj_release[128];
	uint64_t slide;
	uint32_t rebased;
	struct ksr_manifest_sites counts;
	struct ksr_resolution *rr;   /* --reresolve */
};

struct load_ctx {
	struct load_args a;
	void *img;                  /* the file, read once; patched in place */
	size_t img_len;
	struct ksr_object *obj;
	struct ksr_manifest_info man;
	struct ksr_host_btf hb;
	struct host_check hc;
	struct ksr_bpf *bpf;
	struct ksr_host_mods hm;    /* module externs: the modules' BTF objects */
	void *bound;                /* the image with them bound (ksr_image__bind_modules()) */
	size_t bound_len;
	const char *mods_by;        /* who binds them: "ksymres" or why libbpf does */
	void *data;
	uint8_t packet[64];
};

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static const char *host_release(void)
{
	static struct utsname uts;

	return uname(&uts) == 0 ? uts.release : "unknown";
}

/* One line on stderr that is not an error (the note for plain objects,
 * the --force warning). */
static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void note(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ksr_cli_stderr_line("note", "ksymres: note: ", msg);
}

/* ---- the object and its manifest ---------------------------------------- */

static int open_object(struct load_ctx *c)
{
	int err;

	err = ksr_input__read(c->a.path, MAX_OBJECT, &c->img, &c->img_len);
	if (!err)
		err = ksr_object__open_mem(c->img, c->img_len, &c->obj);
	if (err)
		return ksr_cli_fail(c->a.path, err);
	c->man.sz = sizeof(c->man);
	err = ksr_object__manifest(c->obj, &c->man);
	if (err == -ENOENT)
		return KSR_EXIT_OK;
	c->hc.has_manifest = true;
	if (err)
		return ksr_cli_fail(c->a.path, err);
	memcpy(c->hc.obj_identity, c->man.identity, sizeof(c->hc.obj_identity));
	memcpy(c->hc.obj_build_id, c->man.build_id, sizeof(c->hc.obj_build_id));
	memcpy(c->hc.obj_release, c->man.release, sizeof(c->hc.obj_release));
	return KSR_EXIT_OK;
}

/* ---- the host ------------------------------------------------------------ */

static int refuse_mismatch(const struct load_ctx *c)
{
	char msg[1024];

	snprintf(msg, sizeof(msg),
		 "resolved for another kernel build: profile %s (%s %s), this host runs %s "
		 "(%s %s); resolve it against a profile of this host (ksymres capture) or "
		 "load with --reresolve", c->hc.obj_release,
		 c->hc.by_build_id ? "build id" : "identity",
		 c->hc.by_build_id ? c->hc.obj_build_id : c->hc.obj_identity, host_release(),
		 c->hc.by_build_id ? "build id" : "identity",
		 c->hc.by_build_id ? c->hc.host_build_id : c->hc.host_identity);
	return ksr_cli_fail_msg(c->a.path, -EXDEV, msg);
}

/* The KASLR rule is the profile's arch's, which must be this host's; a
 * profile without an arch (raw BTF, no --arch) takes the host's. Either
 * way ksymres must know the rule (x86_64, aarch64). */
static int check_arch(const struct load_ctx *c)
{
	struct utsname uts;
	uint16_t host = uname(&uts) == 0 ? ksr_arch__machine(uts.machine) : 0;
	uint16_t arch = c->man.arch ? c->man.arch : host;
	char msg[512];

	if (c->man.arch && c->man.arch != host) {
		snprintf(msg, sizeof(msg), "resolved against an %s profile, this host is %s: its "
			 "addresses cannot be rebased here", ksr_arch__name(c->man.arch),
			 uname(&uts) == 0 ? uts.machine : "unknown");
		return ksr_cli_fail_msg(c->a.path, -EXDEV, msg);
	}
	if (ksr_arch__kaslr_rule(arch)) {
		snprintf(msg, sizeof(msg), "cannot rebase: %s", ksr_errmsg());
		return ksr_cli_fail_msg(c->a.path, -ENOTSUP, msg);
	}
	return KSR_EXIT_OK;
}

static int rebase(struct load_ctx *c)
{
	uint64_t live_text;
	int err;

	if (c->hc.counts.addr_module) {
		/* refused before anything is written: the message says why */
		err = ksr_object__rebase_image(c->obj, c->img, c->img_len, c->man.text_addr, &c->hc.rebased);
		ksr_cli_err(-err, "cannot rebase: %s; load with --reresolve to look them up on this host",
			    ksr_errmsg());
		return ksr_cli_fail(c->a.path, err);
	}
	if (!c->hc.counts.addr_kernel)
		return KSR_EXIT_OK;
	err = check_arch(c);
	if (err)
		return err;
	if (!(c->man.prof_flags & KSR_PROFILE_HAS_TEXT))
		return ksr_cli_fail(c->a.path, ksr_cli_err(ENOENT, "the profile recorded no _text, so its "
					"KASLR addresses cannot be rebased; load with --reresolve"));
	err = ksr_host_text(&live_text);
	if (err)
		return ksr_cli_fail(ksr_live_kallsyms_path(), err);
	c->hc.slide = live_text - c->man.text_addr;   /* modulo 2^64: it may be negative */
	err = ksr_object__rebase_image(c->obj, c->img, c->img_len, live_text, &c->hc.rebased);
	return err ? ksr_cli_fail(c->a.path, err) : KSR_EXIT_OK;
}

static void report_rr_failure(const struct load_ctx *c)
{
	if (ksr_cli.json) {
		ksr_report_resolution_doc_json(stdout, ksr_cli.pretty, c->hc.rr);
		return;
	}
	printf("re-resolving against the running kernel (%s):\n", host_release());
	for (size_t i = 0; i < ksr_resolution__extern_cnt(c->hc.rr); i++)
		ksr_report_resolution_text(stdout, c->hc.rr, i);
}

static int reresolve(struct load_ctx *c)
{
	struct ksr_profile *host;
	int err = ksr_host_profile(&c->hb, &host);

	if (!err) {
		err = ksr_image__reresolve(c->img, c->img_len, host, &c->hc.rr);
		ksr_profile__free(host);
	}
	if (err)
		return ksr_cli_fail(c->a.path, err);
	c->hc.reresolved = true;
	if (!ksr_resolution__runnable(c->hc.rr)) {
		size_t bad = 0;

		for (size_t i = 0; i < ksr_resolution__extern_cnt(c->hc.rr); i++)
			bad += !ksr_status_ok(ksr_resolution__verdict(c->hc.rr, i)->status);
		report_rr_failure(c);
		return ksr_cli_fail(c->a.path, ksr_cli_err(ENOENT, "--reresolve: %zu extern%s cannot be "
					"resolved on this kernel", bad, bad == 1 ? "" : "s"));
	}
	return KSR_EXIT_OK;
}

/* Host check, then rebase or re-resolution, all in our copy of the file. */
static int prepare(struct load_ctx *c)
{
	int err;

	c->hc.counts.sz = sizeof(c->hc.counts);
	err = ksr_object__verify_manifest(c->obj, &c->hc.counts);
	if (err)
		return ksr_cli_fail(c->a.path, err);
	/* by build ID when the profile recorded one and this kernel has one:
	 * 164 bytes of /sys/kernel/notes instead of hashing its BTF */
	if (c->man.build_id[0]) {
		struct ksr_build_id id;

		if (ksr_live_build_id(&id) == 0) {
			c->hc.by_build_id = true;
			memcpy(c->hc.host_build_id, id.hex, sizeof(c->hc.host_build_id));
			c->hc.match = !strcmp(id.hex, c->man.build_id);
		}
	}
	if (!c->hc.by_build_id || c->a.reresolve) {
		err = ksr_host_btf__open(&c->hb);
		if (err)
			return ksr_cli_fail(c->hb.path, err);
		memcpy(c->hc.host_identity, c->hb.identity, sizeof(c->hc.host_identity));
		if (!c->hc.by_build_id)
			c->hc.match = !strcmp(c->hc.obj_identity, c->hc.host_identity);
	}
	if (c->a.reresolve)
		return reresolve(c);
	if (!c->hc.match) {
		if (!c->a.force)
			return refuse_mismatch(c);
		note("%s: resolved for another kernel build (profile %s, %s %s; this host %s, "
		     "%s %s); loading anyway (--force): its BTF ids may name other types",
		     c->a.path, c->hc.obj_release, c->hc.by_build_id ? "build id" : "identity",
		     c->hc.by_build_id ? c->hc.obj_build_id : c->hc.obj_identity, host_release(),
		     c->hc.by_build_id ? "build id" : "identity",
		     c->hc.by_build_id ? c->hc.host_build_id : c->hc.host_identity);
	}
	return rebase(c);
}

/* ---- module externs ---------------------------------------------------------- */

static int refuse_module(const struct load_ctx *c, const struct ksr_host_mod *m)
{
	char msg[1024];

	snprintf(msg, sizeof(msg), "module %s is another build: resolved against BTF identity %s, "
		 "this host's %.200s is %s; resolve it against a profile of this host (ksymres capture) "
		 "or load with --reresolve", m->name, m->obj_identity, m->path, m->host_identity);
	return ksr_cli_fail_msg(c->a.path, -EXDEV, msg);
}

/* Finds and checks each module, then binds their externs in a copy of the
 * image and hands libbpf the fd_array, or leaves them to libbpf. */
static int bind_modules(struct load_ctx *c)
{
	uint32_t n = c->man.module_cnt;
	const char *why = NULL;
	int err;

	if (!n)
		return KSR_EXIT_OK;
	err = ksr_host_mods__open(c->obj, n, &c->hm);
	if (err)
		return ksr_cli_fail(c->a.path, err);
	for (uint32_t i = 0; i < n; i++) {
		const struct ksr_host_mod *m = &c->hm.mods[i];

		if (m->match || c->a.reresolve)
			continue;
		if (!c->a.force)
			return refuse_module(c, m);
		note("%s: module %s is another build (identity %s, this host %s); loading anyway "
		     "(--force): its BTF ids may name other types", c->a.path, m->name,
		     m->obj_identity, m->host_identity);
	}
	if (c->a.reresolve) {
		/* libbpf looks them up by name in this host's module BTF */
		c->mods_by = "libbpf (--reresolve: looked up by name on this host)";
		return KSR_EXIT_OK;
	}
	if (!ksr_bpf__can_bind(c->img, c->img_len, &why)) {
		c->mods_by = "libbpf";
		note("%s: module externs left to libbpf: %s", c->a.path, why);
		return KSR_EXIT_OK;
	}
	err = ksr_image__bind_modules(c->img, c->img_len, c->hm.fds, n, &c->bound, &c->bound_len);
	if (err)
		return ksr_cli_fail(c->a.path, err);
	c->a.bpf.fd_array = c->hm.fd_array;
	c->mods_by = "ksymres";
	return KSR_EXIT_OK;
}

static void report_modules_text(const struct load_ctx *c)
{
	for (uint32_t i = 0; i < c->hm.cnt; i++) {
		const struct ksr_host_mod *m = &c->hm.mods[i];

		printf("module:   %s (BTF object %u, identity %s): %s; externs bound by %s\n", m->name,
		       m->btf_obj_id, m->host_identity, m->match ? "the build resolved against" :
		       "another build", c->mods_by);
	}
}

static void report_modules_json(const struct load_ctx *c, struct ksr_json *j)
{
	if (!c->hm.cnt)
		return;
	ksr_json_key(j, "modules");
	ksr_json_arr_open(j);
	for (uint32_t i = 0; i < c->hm.cnt; i++) {
		const struct ksr_host_mod *m = &c->hm.mods[i];

		ksr_json_obj_open(j);
		ksr_json_key(j, "name");
		ksr_json_str(j, m->name);
		ksr_json_key(j, "identity");
		ksr_json_str(j, m->obj_identity);
		ksr_json_key(j, "host_identity");
		ksr_json_str(j, m->host_identity);
		ksr_json_key(j, "btf_obj_id");
		ksr_json_u64(j, m->btf_obj_id);
		ksr_json_obj_close(j);
	}
	ksr_json_arr_close(j);
	ksr_json_key(j, "modules_bound_by");
	ksr_json_str(j, c->mods_by);
}

/* ---- report ---------------------------------------------------------------- */

static void slide_str(uint64_t slide, char *buf, size_t len)
{
	int64_t s = (int64_t)slide;

	if (s < 0)
		snprintf(buf, len, "-0x%" PRIx64, (uint64_t)0 - slide);
	else
		snprintf(buf, len, "+0x%" PRIx64, slide);
}

static void report_json(const struct load_ctx *c)
{
	struct ksr_json j;
	char slide[32];

	ksr_json_init(&j, stdout, ksr_cli.pretty);
	ksr_json_obj_open(&j);
	ksr_json_key(&j, "object");
	ksr_json_str(&j, c->a.path);
	ksr_json_key(&j, "manifest");
	ksr_json_bool(&j, c->hc.has_manifest);
	if (c->hc.has_manifest) {
		slide_str(c->hc.slide, slide, sizeof(slide));
		ksr_json_key(&j, "identity");
		ksr_json_str(&j, c->hc.obj_identity);
		ksr_json_key(&j, "build_id");
		ksr_json_str(&j, c->hc.obj_build_id);
		ksr_json_key(&j, "host_check");
		ksr_json_str(&j, c->hc.by_build_id ? "build_id" : "btf");
		if (c->hc.host_identity[0]) {
			ksr_json_key(&j, "host_identity");
			ksr_json_str(&j, c->hc.host_identity);
		}
		if (c->hc.by_build_id) {
			ksr_json_key(&j, "host_build_id");
			ksr_json_str(&j, c->hc.host_build_id);
		}
		ksr_json_key(&j, "reresolved");
		ksr_json_bool(&j, c->hc.reresolved);
		if (c->hc.counts.addr_kernel && !c->hc.reresolved) {
			ksr_json_key(&j, "kaslr_slide");
			ksr_json_str(&j, slide);
		}
		ksr_json_key(&j, "rebased");
		ksr_json_u64(&j, c->hc.rebased);
		report_modules_json(c, &j);
	}
	if (c->hc.reresolved) {
		ksr_json_key(&j, "externs");
		ksr_json_arr_open(&j);
		for (size_t i = 0; i < ksr_resolution__extern_cnt(c->hc.rr); i++)
			ksr_report_resolution_json(&j, c->hc.rr, i);
		ksr_json_arr_close(&j);
	}
	ksr_json_key(&j, "programs");
	ksr_json_arr_open(&j);
	for (size_t i = 0; i < ksr_bpf__prog_cnt(c->bpf); i++) {
		const struct ksr_bpf_prog *p = ksr_bpf__prog(c->bpf, i);

		ksr_json_obj_open(&j);
		ksr_json_key(&j, "name");
		ksr_json_str(&j, p->name);
		ksr_json_key(&j, "type");
		ksr_json_str(&j, p->type ? p->type : "unknown");
		ksr_json_key(&j, "id");
		ksr_json_u64(&j, p->id);
		if (p->ran) {
			ksr_json_key(&j, "retval");
			ksr_json_u64(&j, p->retval);
			ksr_json_key(&j, "duration_ns");
			ksr_json_u64(&j, p->duration_ns);
		} else if (p->skipped) {
			ksr_json_key(&j, "skipped");
			ksr_json_str(&j, p->skipped);
		}
		if (p->pin[0]) {
			ksr_json_key(&j, "pin");
			ksr_json_str(&j, p->pin);
		}
		ksr_json_obj_close(&j);
	}
	ksr_json_arr_close(&j);
	ksr_json_obj_close(&j);
	ksr_json_end(&j);
}

static void report_host_text(const struct load_ctx *c)
{
	char slide[32];

	if (!c->hc.has_manifest) {
		puts("manifest: none (not resolved by ksymres; libbpf resolved any externs)");
		return;
	}
	fputs("manifest: profile ", stdout);
	ksr_print_safe(stdout, c->hc.obj_release);
	if (c->hc.by_build_id)
		printf(" (build id %s): ", c->hc.obj_build_id);
	else
		printf(" (identity %s): ", c->hc.obj_identity);
	if (c->hc.match)
		fputs("this host is that build", stdout);
	else if (c->hc.by_build_id)
		printf("this host is another build (build id %s)", c->hc.host_build_id);
	else
		printf("this host is another build (identity %s)", c->hc.host_identity);
	if (c->hc.reresolved) {
		size_t n = ksr_resolution__extern_cnt(c->hc.rr);

		printf("; re-resolved %zu extern%s here\n", n, n == 1 ? "" : "s");
		for (size_t i = 0; i < n; i++)
			ksr_report_resolution_text(stdout, c->hc.rr, i);
		return;
	}
	if (!c->hc.counts.addr_kernel) {
		puts("; no address moves with KASLR");
		return;
	}
	slide_str(c->hc.slide, slide, sizeof(slide));
	printf("; KASLR slide %s, %u of %u address%s rebased\n", slide, c->hc.rebased,
	       c->hc.counts.addr_kernel, c->hc.counts.addr_kernel == 1 ? "" : "es");
}

static void report_text(const struct load_ctx *c)
{
	size_t n = ksr_bpf__prog_cnt(c->bpf), maps = ksr_bpf__map_cnt(c->bpf);

	fputs("object:   ", stdout);
	ksr_print_safe(stdout, c->a.path);
	putchar('\n');
	report_host_text(c);
	report_modules_text(c);
	printf("loaded:   %zu program%s, %zu map%s\n", n, n == 1 ? "" : "s", maps, maps == 1 ? "" : "s");
	if (c->a.bpf.pin_dir) {
		fputs("pinned:   programs and maps under ", stdout);
		ksr_print_safe(stdout, c->a.bpf.pin_dir);
		putchar('\n');
	}
	for (size_t i = 0; i < n; i++) {
		const struct ksr_bpf_prog *p = ksr_bpf__prog(c->bpf, i);

		fputs("  ", stdout);
		ksr_print_safe(stdout, p->name);
		printf("  %s  id %u", p->type ? p->type : "unknown", p->id);
		if (p->ran)
			printf("  retval %u (0x%x)  %" PRIu64 " ns", p->retval, p->retval, p->duration_ns);
		else if (p->skipped)
			printf("  not run: %s", p->skipped);
		if (p->pin[0]) {
			fputs("  pinned ", stdout);
			ksr_print_safe(stdout, p->pin);
		}
		putchar('\n');
	}
}

static void report_rejection(const struct load_ctx *c)
{
	const char *prog = ksr_bpf__failed_prog(c->bpf), *tail = ksr_bpf__log_tail(c->bpf);

	if (!prog)
		return;
	if (ksr_cli.json) {
		struct ksr_json j;

		ksr_json_init(&j, stdout, ksr_cli.pretty);
		ksr_json_obj_open(&j);
		ksr_json_key(&j, "rejected");
		ksr_json_str(&j, prog);
		ksr_json_key(&j, "verifier_log_tail");
		ksr_json_str(&j, tail);
		ksr_json_obj_close(&j);
		ksr_json_end(&j);
		return;
	}
	fputs("verifier log of program '", stdout);
	ksr_print_safe(stdout, prog);
	puts("' (last lines):");
	/* the log is the kernel's text: print it line by line, escaped */
	for (const char *l = tail; *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		char line[1024];

		snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) ? len : sizeof(line) - 1), l);
		fputs("  ", stdout);
		ksr_print_safe(stdout, line);
		putchar('\n');
		l += len + (nl ? 1 : 0);
	}
}

/* ---- libbpf ---------------------------------------------------------------- */

static int run_data(struct load_ctx *c)
{
	size_t len;
	int err;

	if (!c->a.data_in) {
		ksr_default_packet(c->packet);
		c->a.bpf.data = c->packet;
		c->a.bpf.data_len = sizeof(c->packet);
		return KSR_EXIT_OK;
	}
	err = ksr_input__read(c->a.data_in, MAX_DATA_IN, &c->data, &len);
	if (err)
		return ksr_cli_fail(c->a.data_in, err);
	c->a.bpf.data = c->data;
	c->a.bpf.data_len = len;
	c->a.bpf.data_given = true;
	return KSR_EXIT_OK;
}

static int load_and_run(struct load_ctx *c)
{
	char obj_name[256];
	int err, rc;

	if (c->a.bpf.run && (rc = run_data(c)))
		return rc;
	snprintf(obj_name, sizeof(obj_name), "%s", base_name(c->a.path));
	err = ksr_bpf__load(c->bound ? c->bound : c->img, c->bound ? c->bound_len : c->img_len,
			    obj_name, &c->a.bpf, &c->bpf);
	if (err) {
		if (c->bpf)
			report_rejection(c);
		return ksr_cli_fail(c->a.path, err);
	}
	if (c->a.bpf.pin_dir && (err = ksr_bpf__pin(c->bpf, &c->a.bpf)))
		return ksr_cli_fail(c->a.path, err);
	if (c->a.bpf.run && (err = ksr_bpf__run(c->bpf, &c->a.bpf)))
		return ksr_cli_fail(c->a.path, err);
	if (ksr_cli.json)
		report_json(c);
	else
		report_text(c);
	return KSR_EXIT_OK;
}

static int load(struct load_ctx *c)
{
	int rc = open_object(c);

	if (rc)
		return rc;
	if (!c->hc.has_manifest)
		note("%s has no " KSR_MANIFEST_SECTION " (not resolved by ksymres): loading it as plain "
		     "libbpf would", c->a.path);
	else if ((rc = prepare(c)) || (rc = bind_modules(c)))
		return rc;
	return load_and_run(c);
}

/* ---- options ----------------------------------------------------------------- */

static int parse_repeat(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || end == s || *s == '-' || v == 0 || v > MAX_REPEAT)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_args(int argc, char **argv, struct load_args *a)
{
	static const struct option opts[] = {
		{ "pin", required_argument, NULL, 'I' },
		{ "run", no_argument, NULL, 'r' },
		{ "data-in", required_argument, NULL, 'd' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "reresolve", no_argument, NULL, 'R' },
		{ "force", no_argument, NULL, 'F' },
		{ "verbose", no_argument, NULL, 'v' },
		KSR_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	bool repeat_set = false;
	int c;

	a->bpf.repeat = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jv", opts, NULL)) != -1) {
		switch (c) {
		case 'I': a->bpf.pin_dir = optarg; break;
		case 'r': a->bpf.run = true; break;
		case 'd': a->data_in = optarg; break;
		case 'n':
			if (parse_repeat(optarg, &a->bpf.repeat))
				return ksr_cli_usage("load", "--repeat takes a count from 1 to %u",
						     MAX_REPEAT);
			repeat_set = true;
			break;
		case 'R': a->reresolve = true; break;
		case 'F': a->force = true; break;
		case 'v': a->bpf.verbose = true; break;
		case 'j': case 'P': ksr_output_option(c); break;
		case ':': return ksr_cli_usage("load", "option '%s' needs a value", argv[optind - 1]);
		default: return ksr_cli_usage("load", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return ksr_cli_usage("load", "needs OBJECT");
	if (optind + 1 != argc)
		return ksr_cli_usage("load", "unexpected argument '%s'", argv[optind + 1]);
	a->path = argv[optind];
	if ((a->data_in || repeat_set) && !a->bpf.run)
		return ksr_cli_usage("load", "--data-in and --repeat go with --run");
	if (a->reresolve && a->force)
		return ksr_cli_usage("load", "--reresolve and --force exclude each other");
	if (a->bpf.pin_dir && !*a->bpf.pin_dir)
		return ksr_cli_usage("load", "--pin needs a directory");
	return KSR_EXIT_OK;
}

int ksr_cmd_load(int argc, char **argv)
{
	struct load_ctx *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return ksr_cli_fail("load", ksr_cli_err(ENOMEM, "out of memory"));
	rc = parse_args(argc, argv, &c->a);
	if (!rc)
		rc = load(c);
	ksr_bpf__free(c->bpf);
	ksr_resolution__free(c->hc.rr);
	ksr_host_btf__close(&c->hb);
	ksr_host_mods__close(&c->hm);
	free(c->bound);
	ksr_object__free(c->obj);
	free(c->data);
	free(c->img);
	free(c);
	return rc;
}
