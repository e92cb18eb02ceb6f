// SPDX-License-Identifier: BSD-2-Clause
/* ksymres check OBJECT -p PROFILE [-p PROFILE ...] [-j]: one object against
 * many kernels. The object is parsed once; each profile costs lookups. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <ksymres/ksymres.h>

#include "offline.h"
#include "output.h"
#include "remote.h"
#include "report.h"

#define MAX_PROFILES 4096

int ksr_cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "server", required_argument, NULL, 'S' },
		{ "token-file", required_argument, NULL, 'T' },
		{ "cacert", required_argument, NULL, 'A' },
		{ "local", no_argument, NULL, 'L' },
		{ "label", required_argument, NULL, 'l' },
		KSR_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	static const char *paths[MAX_PROFILES], *labels[MAX_PROFILES];
	const char *server = NULL, *token = NULL, *ca = NULL;
	bool local = false;
	size_t nl = 0;
	struct ksr_profile **p = NULL;
	struct ksr_resolution **d = NULL;
	struct ksr_object *obj = NULL;
	size_t np = 0, all_ok = 1;
	const char *path;
	int c, err, rc = KSR_EXIT_OK, *ok = NULL;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:j", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (np == MAX_PROFILES)
				return ksr_cli_usage("check", "too many profiles");
			paths[np++] = optarg;
			break;
		case 'S': server = optarg; break;
		case 'T': token = optarg; break;
		case 'A': ca = optarg; break;
		case 'L': local = true; break;
		case 'l':
			if (nl == MAX_PROFILES)
				return ksr_cli_usage("check", "too many labels");
			labels[nl++] = optarg;
			break;
		case 'j': case 'P': ksr_output_option(c); break;
		case ':': return ksr_cli_usage("check", "option '%s' needs a value", argv[optind - 1]);
		default: return ksr_cli_usage("check", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return ksr_cli_usage("check", "expects exactly one OBJECT");
	path = argv[optind];
	if (local && server && *server)
		return ksr_cli_usage("check", "--local and --server exclude each other");
	/* a server: -p names stored profiles by identity, --label selects them */
	if ((server = ksr_remote_choice(server, local, paths, np, nl))) {
		ksr_remote_set_ca(ca);
		return ksr_check_remote(server, token, path, paths, np, labels, nl);
	}
	if (nl || token || ca)
		return ksr_cli_usage("check", "--label, --token-file and --cacert need a server");
	if (!np)
		return ksr_cli_usage("check", "needs at least one -p PROFILE");
	err = ksr_object__open(path, &obj);
	if (err)
		return ksr_cli_fail(path, err);
	p = calloc(np, sizeof(*p));
	d = calloc(np, sizeof(*d));
	ok = calloc(np, sizeof(*ok));
	if (!p || !d || !ok) {
		rc = ksr_cli_usage("check", "out of memory");
		goto out;
	}
	{
		size_t bad = 0;

		ksr_cli_want_files(np);
		err = ksr_profile__open_all(paths, np, p, &bad);
		if (err) {
			rc = ksr_cli_fail(paths[bad], err);
			goto out;
		}
	}
	{
		/* the decisions are copies: what a profile read is dropped
		 * once it is decided, so memory does not grow with profiles */
		struct ksr_batch_opts bo = { .sz = sizeof(bo), .drop_cache = true };
		size_t bad = 0;

		/* an error: out of memory, or lookups that could not read a
		 * profile (they answered "not found") */
		err = ksr_resolution__new_batch(obj, p, np, &bo, d, &bad);
		if (err == -ENOMEM) {
			rc = ksr_cli_usage("check", "out of memory");
			goto out;
		}
		if (err) {
			rc = ksr_cli_fail(paths[bad], err);
			goto out;
		}
	}
	for (size_t k = 0; k < np; k++) {
		ok[k] = ksr_resolution__runnable(d[k]);
		all_ok &= (size_t)ok[k];
	}
	if (ksr_cli.json)
		ksr_report_check_doc_json(stdout, ksr_cli.pretty, obj, p, np, d);
	else
		ksr_report_check_text(stdout, path, obj, p, np, d);
	rc = all_ok ? KSR_EXIT_OK : KSR_EXIT_FAIL;
out:
	for (size_t k = 0; k < np && p; k++) {
		ksr_resolution__free(d[k]);
		ksr_profile__free(p[k]);
	}
	free(p);
	free(d);
	free(ok);
	ksr_object__free(obj);
	return rc;
}
