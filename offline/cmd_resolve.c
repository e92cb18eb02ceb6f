// SPDX-License-Identifier: BSD-2-Clause
/* ksymres resolve OBJECT -p PROFILE -o OUTPUT [--kconfig=keep|bake] [-j]
 * ksymres resolve OBJECT... -p PROFILE... --out-dir DIR [-j]   (batch) */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ksymres/ksymres.h>

#include "offline.h"
#include "output.h"
#include "remote.h"
#include "report.h"

#define MAX_INPUTS 4096

/* --kconfig=bake: the .kconfig values go into the outputs */
static struct ksr_patch_opts patch_opts = { .sz = sizeof(patch_opts) };

struct inputs {
	const char *paths[MAX_INPUTS];
	size_t cnt;
};

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* Where a pair failed with an error: the file the message is about. */
enum stage { AT_PROFILE, AT_OBJECT, AT_OUTPUT };

/* Decides obj's externs against prof and, when every one may run
 * (*runnable), patches and writes the object to out_path. Returns 0 or a
 * negative error from reading the profile (ksr_resolution__new()),
 * patching or writing, and then *at says which; exit codes are the
 * caller's. *rp receives the decisions (ksr_resolution__free()). */
static int resolve_pair(const struct ksr_object *obj, const struct ksr_profile *prof,
			const char *out_path, struct ksr_resolution **rp, size_t *patched,
			size_t *left, enum stage *at, bool *runnable)
{
	void *img = NULL;
	size_t len = 0;
	int err;

	*runnable = false;
	*at = AT_PROFILE;
	/* lookups that could not read the profile answered "not found": no
	 * decisions to show */
	err = ksr_resolution__new(obj, prof, rp);
	if (err)
		return err;
	if (!ksr_resolution__runnable(*rp))
		return 0;
	*runnable = true;
	*at = AT_OBJECT;
	err = ksr_resolution__patch(*rp, &patch_opts, &img, &len);
	if (!err) {
		*at = AT_OUTPUT;
		err = ksr_output__write(out_path, img, len);
	}
	*patched = *left = 0;
	for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++) {
		const struct ksr_verdict *v = ksr_resolution__verdict(*rp, i);
		/* module externs stay for the loader (or libbpf) to bind */
		bool mod = v->status == KSR_STATUS_RESOLVED && v->module && v->module[0];

		*(mod ? left : patched) += ksr_object__extern(obj, i)->site_cnt;
	}
	free(img);
	return err;
}

static void report(const char *obj_path, const struct ksr_object *obj,
		   const struct ksr_profile *prof, const struct ksr_resolution *d)
{
	size_t n = ksr_object__extern_cnt(obj);

	if (ksr_cli.json) {
		ksr_report_resolution_doc_json(stdout, ksr_cli.pretty, d);
		return;
	}
	fputs("object:  ", stdout);
	ksr_print_safe(stdout, obj_path);
	fputs("\nprofile: ", stdout);
	ksr_print_safe(stdout, ksr_profile__name(prof));
	fputs(" (", stdout);
	ksr_print_safe(stdout, ksr_profile__release(prof));
	printf(", identity %s)\n", ksr_profile__identity(prof));
	for (size_t i = 0; i < n; i++)
		ksr_report_resolution_text(stdout, d, i);
	for (size_t i = 0; i < ksr_resolution__kconfig_cnt(d); i++)
		ksr_report_kconfig_text(stdout, ksr_resolution__kconfig(d, i));
}

static int resolve_one(const char *obj_path, const char *prof_path, const char *out)
{
	struct ksr_profile *prof = NULL;
	struct ksr_resolution *d = NULL;
	struct ksr_object *obj = NULL;
	size_t patched = 0, left = 0;
	bool runnable;
	enum stage at;
	int err, rc;

	err = ksr_object__open(obj_path, &obj);
	if (!err && (err = ksr_object__check_patch_limits(obj)))
		ksr_object__free(obj);
	if (err)
		return ksr_cli_fail(obj_path, err);
	err = ksr_profile__open(prof_path, &prof);
	if (err) {
		ksr_object__free(obj);
		return ksr_cli_fail(prof_path, err);
	}
	err = resolve_pair(obj, prof, out, &d, &patched, &left, &at, &runnable);
	if (err) {
		/* reading the profile, patching or writing failed: an error, not a
		 * result; the decisions are still the report of an exit 1 */
		if (d && ksr_cli_exit_for(err) == KSR_EXIT_FAIL)
			report(obj_path, obj, prof, d);
		if (ksr_profile__read_error(prof))
			at = AT_PROFILE; /* patching reads the profile too */
		rc = ksr_cli_fail(at == AT_PROFILE ? prof_path : at == AT_OBJECT ? obj_path : out, err);
	} else {
		report(obj_path, obj, prof, d);
		rc = runnable ? KSR_EXIT_OK : KSR_EXIT_FAIL;
		if (runnable && !ksr_cli.json) {
			fputs("wrote ", stdout);
			ksr_print_safe(stdout, out);
			printf(": %zu extern%s, %zu instruction%s patched",
			       ksr_object__extern_cnt(obj), ksr_object__extern_cnt(obj) == 1 ? "" : "s",
			       patched, patched == 1 ? "" : "s");
			if (left)
				printf(", %zu module extern site%s left to bind at load", left,
				       left == 1 ? "" : "s");
			if (patch_opts.bake_kconfig && ksr_resolution__kconfig_cnt(d))
				printf(", %zu .kconfig value%s baked", ksr_resolution__kconfig_cnt(d),
				       ksr_resolution__kconfig_cnt(d) == 1 ? "" : "s");
			putchar('\n');
		}
	}
	ksr_resolution__free(d);
	ksr_profile__free(prof);
	ksr_object__free(obj);
	return rc;
}

/* A name derived from an input stays inside the output directory. */
static bool name_ok(const char *s, size_t n)
{
	return n && !(n == 1 && s[0] == '.') && !(n == 2 && s[0] == '.' && s[1] == '.');
}

/* "<dir>/<profile file name without its last extension>"; "" when that
 * is no usable name ("", ".", "..") or too long. */
static void profile_dir(const char *dir, const char *prof_path, char *buf, size_t len)
{
	const char *b = base_name(prof_path), *dot = strrchr(b, '.');
	int n = dot && dot != b ? (int)(dot - b) : (int)strlen(b);

	if (!name_ok(b, (size_t)n) || snprintf(buf, len, "%s/%.*s", dir, n, b) >= (int)len)
		buf[0] = '\0';
}

/* Usage errors found from the names alone, before anything is written:
 * names that would leave DIR, and two inputs that map to one output. */
static int check_names(const struct inputs *objs, const struct inputs *profs, const char *dir)
{
	char x[PATH_MAX], y[PATH_MAX];

	for (size_t a = 0; a < profs->cnt; a++) {
		profile_dir(dir, profs->paths[a], x, sizeof(x));
		if (!x[0])
			return ksr_cli_usage("resolve", "profile '%s' gives no usable directory name "
					     "under %s", profs->paths[a], dir);
		for (size_t b = a + 1; b < profs->cnt; b++) {
			profile_dir(dir, profs->paths[b], y, sizeof(y));
			if (!strcmp(x, y))
				return ksr_cli_usage("resolve", "two profiles map to %s", x);
		}
	}
	for (size_t a = 0; a < objs->cnt; a++) {
		const char *n = base_name(objs->paths[a]);

		if (!name_ok(n, strlen(n)))
			return ksr_cli_usage("resolve", "object '%s' gives no usable output name",
					     objs->paths[a]);
		for (size_t b = a + 1; b < objs->cnt; b++)
			if (!strcmp(n, base_name(objs->paths[b])))
				return ksr_cli_usage("resolve", "two objects map to one output name "
						     "'%s': %s and %s", n, objs->paths[a],
						     objs->paths[b]);
	}
	return KSR_EXIT_OK;
}

/* mkdir -p of one level; an error is exit 1 */
static int make_dir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return ksr_cli_fail(path, ksr_cli_err(errno, "cannot create the directory: %s",
						      strerror(errno)));
	return KSR_EXIT_OK;
}

static int resolve_batch(const struct inputs *objs, const struct inputs *profs, const char *dir)
{
	struct ksr_object **o = calloc(objs->cnt, sizeof(*o));
	struct ksr_profile **p = calloc(profs->cnt, sizeof(*p));
	char *summary = NULL;
	size_t summary_len = 0;
	struct ksr_json j;
	char pdir[PATH_MAX], out[PATH_MAX];
	FILE *sf = NULL;
	int rc = KSR_EXIT_OK, err = 0;
	size_t failed = 0;

	if (!o || !p)
		return ksr_cli_usage("resolve", "out of memory");
	/* every input opened once, and all validated before any work */
	for (size_t i = 0; i < objs->cnt && !err; i++)
		if ((err = ksr_object__open(objs->paths[i], &o[i])) ||
		    (err = ksr_object__check_patch_limits(o[i])))
			rc = ksr_cli_fail(objs->paths[i], err);
	if (!err) {
		size_t bad = 0;

		ksr_cli_want_files(profs->cnt);
		err = ksr_profile__open_all(profs->paths, profs->cnt, p, &bad);
		if (err)
			rc = ksr_cli_fail(profs->paths[bad], err);
	}
	if (err || (rc = check_names(objs, profs, dir)) || (rc = make_dir(dir)))
		goto out;
	sf = open_memstream(&summary, &summary_len);
	if (!sf) {
		rc = KSR_EXIT_FAIL;
		goto out;
	}
	ksr_json_init(&j, sf, true);
	ksr_json_obj_open(&j);
	ksr_json_key(&j, "results");
	ksr_json_arr_open(&j);
	for (size_t pi = 0; pi < profs->cnt; pi++) {
		profile_dir(dir, profs->paths[pi], pdir, sizeof(pdir));
		if ((rc = make_dir(pdir)))
			goto out;
		for (size_t oi = 0; oi < objs->cnt; oi++) {
			struct ksr_resolution *d = NULL;
			size_t patched = 0, left = 0;
			bool runnable, ok;
			enum stage at;
			int r;

			if (snprintf(out, sizeof(out), "%s/%s", pdir, base_name(objs->paths[oi])) >=
			    (int)sizeof(out)) {
				rc = ksr_cli_usage("resolve", "output path too long");
				goto out;
			}
			r = resolve_pair(o[oi], p[pi], out, &d, &patched, &left, &at, &runnable);
			ok = !r && runnable;
			ksr_json_obj_open(&j);
			ksr_json_key(&j, "object");
			ksr_json_str(&j, objs->paths[oi]);
			ksr_json_key(&j, "profile");
			ksr_json_str(&j, profs->paths[pi]);
			ksr_json_key(&j, "ok");
			ksr_json_bool(&j, ok);
			if (ok) {
				ksr_json_key(&j, "output");
				ksr_json_str(&j, out);
			} else if (r) {
				ksr_json_key(&j, "error");
				ksr_json_str(&j, ksr_errmsg());
			}
			ksr_json_key(&j, "externs");
			ksr_json_arr_open(&j);
			for (size_t i = 0; d && i < ksr_object__extern_cnt(o[oi]); i++)
				ksr_report_resolution_json(&j, d, i);
			ksr_json_arr_close(&j);
			if (d)
				ksr_report_kconfig_arr_json(&j, d);
			ksr_json_obj_close(&j);
			if (!ksr_cli.json) {
				printf("%-6s ", ok ? "ok" : "FAILED");
				ksr_print_safe(stdout, out);
				if (r) { /* an error, not a decision: say which */
					fputs(": ", stdout);
					ksr_print_safe(stdout, ksr_errmsg());
				}
				putchar('\n');
				for (size_t i = 0; !ok && d && i < ksr_object__extern_cnt(o[oi]); i++)
					if (!ksr_status_ok(ksr_resolution__verdict(d, i)->status))
						ksr_report_resolution_text(stdout, d, i);
				for (size_t i = 0; !ok && d && i < ksr_resolution__kconfig_cnt(d); i++)
					if (ksr_resolution__kconfig(d, i)->status == KSR_KCONFIG_MISSING ||
					    ksr_resolution__kconfig(d, i)->status == KSR_KCONFIG_INVALID)
						ksr_report_kconfig_text(stdout, ksr_resolution__kconfig(d, i));
			}
			if (!ok)
				failed++;
			ksr_resolution__free(d);
		}
	}
	ksr_json_arr_close(&j);
	ksr_json_obj_close(&j);
	ksr_json_end(&j);
	fclose(sf);
	sf = NULL;
	if (snprintf(out, sizeof(out), "%s/summary.json", dir) >= (int)sizeof(out)) {
		rc = ksr_cli_usage("resolve", "output path too long");
		goto out;
	}
	err = ksr_output__write(out, summary, summary_len);
	if (err) {
		rc = ksr_cli_fail(out, err);
		goto out;
	}
	if (ksr_cli.json)
		fwrite(summary, 1, summary_len, stdout);
	else {
		printf("%zu of %zu pairs resolved; summary in ",
		       objs->cnt * profs->cnt - failed, objs->cnt * profs->cnt);
		ksr_print_safe(stdout, out);
		putchar('\n');
	}
	rc = failed ? KSR_EXIT_FAIL : KSR_EXIT_OK;
out:
	if (sf)
		fclose(sf);
	free(summary);
	for (size_t i = 0; i < objs->cnt; i++)
		ksr_object__free(o[i]);
	for (size_t i = 0; i < profs->cnt; i++)
		ksr_profile__free(p[i]);
	free(o);
	free(p);
	return rc;
}

int ksr_cmd_resolve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "out-dir", required_argument, NULL, 'D' },
		{ "server", required_argument, NULL, 'S' },
		{ "token-file", required_argument, NULL, 'T' },
		{ "cacert", required_argument, NULL, 'A' },
		{ "local", no_argument, NULL, 'L' },
		{ "label", required_argument, NULL, 'l' },
		{ "kconfig", required_argument, NULL, 'K' },
		KSR_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	static struct inputs objs, profs, labels;
	const char *out = NULL, *dir = NULL, *server = NULL, *token = NULL, *ca = NULL;
	bool local = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:o:j", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (profs.cnt == MAX_INPUTS)
				return ksr_cli_usage("resolve", "too many profiles");
			profs.paths[profs.cnt++] = optarg;
			break;
		case 'o': out = optarg; break;
		case 'D': dir = optarg; break;
		case 'S': server = optarg; break;
		case 'T': token = optarg; break;
		case 'A': ca = optarg; break;
		case 'L': local = true; break;
		case 'K':
			if (strcmp(optarg, "keep") && strcmp(optarg, "bake"))
				return ksr_cli_usage("resolve", "--kconfig takes keep or bake, not '%s'", optarg);
			patch_opts.bake_kconfig = !strcmp(optarg, "bake");
			break;
		case 'l':
			if (labels.cnt == MAX_INPUTS)
				return ksr_cli_usage("resolve", "too many labels");
			labels.paths[labels.cnt++] = optarg;
			break;
		case 'j': case 'P': ksr_output_option(c); break;
		case ':': return ksr_cli_usage("resolve", "option '%s' needs a value", argv[optind - 1]);
		default: return ksr_cli_usage("resolve", "unknown option '%s'", argv[optind - 1]);
		}
	}
	for (; optind < argc; optind++) {
		if (objs.cnt == MAX_INPUTS)
			return ksr_cli_usage("resolve", "too many objects");
		objs.paths[objs.cnt++] = argv[optind];
	}
	if (local && server && *server)
		return ksr_cli_usage("resolve", "--local and --server exclude each other");
	server = ksr_remote_choice(server, local, profs.paths, profs.cnt, labels.cnt);
	ksr_remote_set_ca(ca);
	if (server && patch_opts.bake_kconfig)
		return ksr_cli_usage("resolve", "--kconfig=bake is not supported with --server yet");
	if (server && labels.cnt) {
		/* every stored profile with these labels, one output each */
		if (!dir || out || profs.cnt || objs.cnt != 1)
			return ksr_cli_usage("resolve", "--server --label takes one OBJECT and --out-dir DIR");
		if (!*dir)
			return ksr_cli_usage("resolve", "--out-dir needs a file name");
		return ksr_resolve_remote_batch(server, token, objs.paths[0], labels.paths, labels.cnt,
						dir);
	}
	if (labels.cnt)
		return ksr_cli_usage("resolve", "--label needs a server");
	if (!objs.cnt || !profs.cnt)
		return ksr_cli_usage("resolve", "needs OBJECT and -p PROFILE");
	if (out && dir)
		return ksr_cli_usage("resolve", "-o and --out-dir exclude each other");
	if ((out && !*out) || (dir && !*dir))
		return ksr_cli_usage("resolve", "%s needs a file name", out ? "-o" : "--out-dir");
	if (server) {
		/* -p names a stored profile by identity (--out-dir: not yet) */
		if (!out || dir || objs.cnt != 1 || profs.cnt != 1)
			return ksr_cli_usage("resolve", "--server takes one OBJECT, one -p ID and -o OUTPUT");
		return ksr_resolve_remote(server, token, objs.paths[0], profs.paths[0], out);
	}
	if (token || ca)
		return ksr_cli_usage("resolve", "--token-file and --cacert need a server");
	if (dir)
		return resolve_batch(&objs, &profs, dir);
	if (!out)
		return ksr_cli_usage("resolve", "-o OUTPUT is required (or --out-dir DIR)");
	if (objs.cnt != 1 || profs.cnt != 1)
		return ksr_cli_usage("resolve", "-o takes one OBJECT and one PROFILE; use --out-dir");
	return resolve_one(objs.paths[0], profs.paths[0], out);
}
