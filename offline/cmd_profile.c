// SPDX-License-Identifier: BSD-2-Clause
/* ksymres profile --btf FILE --kallsyms FILE [--release STR] -o PROFILE
 *
 * The two inputs are independent until the profile is written: a second
 * thread reads and parses the kallsyms text while this one reads and
 * validates the BTF (the larger job). Errors are reported in the order of
 * the sequential version: reading the BTF, reading kallsyms, the BTF, the
 * kallsyms text, the output. */
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "btf.h"
#include "cli.h"
#include "error.h"
#include "fileio.h"
#include "kallsyms.h"
#include "profile.h"

/* The kallsyms side, run in its own thread. */
struct ks_job {
	const char *path;
	const char *text;   /* given, or read from path */
	size_t len;
	void *owned;
	struct ksr_kallsyms *ks;
	int read_err;
	int parse_err;
	char msg[512];      /* the failing call's ksr_errmsg() (thread-local) */
};

static void *ks_job_run(void *arg)
{
	struct ks_job *j = arg;

	if (!j->text) {
		j->read_err = ksr_read_file(j->path, KSR_MAX_INPUT, &j->owned, &j->len);
		j->text = j->owned;
	}
	if (!j->read_err)
		j->parse_err = ksr_kallsyms__parse(j->text, j->len, &j->ks);
	if (j->read_err || j->parse_err)
		snprintf(j->msg, sizeof(j->msg), "%s", ksr_errmsg());
	return NULL;
}

static int ks_job_fail(struct ks_job *j, int err)
{
	ksr_err(-err, "%s", j->msg);
	return ksr_cli_fail(j->path, err);
}

/* Reads (when btf_data is NULL) and validates the BTF here while j runs in
 * a thread (inline if none can be started), then writes the profile. */
static int make_profile(const char *btf_path, const void *btf_data, size_t btf_len,
			struct ks_job *j, const char *release, const char *out)
{
	struct ksr_btf *btf = NULL;
	void *owned = NULL;
	const void *blob;
	size_t blob_len;
	pthread_t t;
	bool threaded = pthread_create(&t, NULL, ks_job_run, j) == 0;
	char msg[512];
	int err = 0, rc;

	if (!threaded)
		ks_job_run(j);
	if (!btf_data) {
		err = ksr_read_file(btf_path, KSR_MAX_INPUT, &owned, &btf_len);
		btf_data = owned;
		if (err) {
			rc = ksr_cli_fail(btf_path, err);
			goto out;
		}
	}
	err = ksr_btf_blob_from_file(btf_data, btf_len, &blob, &blob_len);
	if (!err)
		err = ksr_btf__parse_borrowed(blob, blob_len, KSR_BTF_MODE_KERNEL, &btf); /* freed first */
	if (err) {
		ksr_err_prefix("BTF");
		snprintf(msg, sizeof(msg), "%s", ksr_errmsg());
	}
	if (threaded)
		pthread_join(t, NULL);
	threaded = false;
	if (j->read_err) {
		rc = ks_job_fail(j, j->read_err);
	} else if (err) {
		ksr_err(-err, "%s", msg);
		rc = ksr_cli_fail(btf_path, err);
	} else if (j->parse_err) {
		rc = ks_job_fail(j, j->parse_err);
	} else {
		err = ksr_profile__write(out, btf, j->ks, release);
		rc = err ? ksr_cli_fail(out, err) : KSR_EXIT_OK;
	}
out:
	if (threaded)
		pthread_join(t, NULL);
	ksr_kallsyms__free(j->ks);
	free(j->owned);
	ksr_btf__free(btf);
	free(owned);
	return rc;
}

int ksr_cli_make_profile(const char *btf_path, const void *btf_data, size_t btf_len,
			 const char *ks_path, const char *ks_text, size_t ks_len,
			 const char *release, const char *out)
{
	struct ks_job j = { .path = ks_path, .text = ks_text, .len = ks_len };

	return make_profile(btf_path, btf_data, btf_len, &j, release, out);
}

int ksr_cmd_profile(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "btf", required_argument, NULL, 'b' },
		{ "kallsyms", required_argument, NULL, 'k' },
		{ "release", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	const char *btf_path = NULL, *ks_path = NULL, *out = NULL, *release = "unknown";
	struct ks_job j = { 0 };
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:j", opts, NULL)) != -1) {
		switch (c) {
		case 'b': btf_path = optarg; break;
		case 'k': ks_path = optarg; break;
		case 'r': release = optarg; break;
		case 'o': out = optarg; break;
		case 'j': ksr_cli.json = true; break;
		case 'P': ksr_cli.pretty = true; break;
		case ':': return ksr_cli_usage("profile", "option '%s' needs a value", argv[optind - 1]);
		default: return ksr_cli_usage("profile", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return ksr_cli_usage("profile", "unexpected argument '%s'", argv[optind]);
	if (!btf_path || !ks_path || !out)
		return ksr_cli_usage("profile", "--btf, --kallsyms and -o are required");
	if (!*out)
		return ksr_cli_usage("profile", "-o needs a file name");
	j.path = ks_path;
	return make_profile(btf_path, NULL, 0, &j, release, out);
}
