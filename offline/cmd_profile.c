// SPDX-License-Identifier: BSD-2-Clause
/* ksymres profile --btf FILE --kallsyms FILE [--release STR] -o PROFILE */
#include <getopt.h>
#include <stdlib.h>

#include "btf.h"
#include "cli.h"
#include "error.h"
#include "fileio.h"
#include "kallsyms.h"
#include "profile.h"

int ksr_cli_make_profile(const char *btf_path, const void *btf_data, size_t btf_len,
			 const char *ks_path, const char *ks_text, size_t ks_len,
			 const char *release, const char *out)
{
	struct ksr_kallsyms *ks = NULL;
	struct ksr_btf *btf = NULL;
	const void *blob;
	size_t blob_len;
	int err;

	err = ksr_btf_blob_from_file(btf_data, btf_len, &blob, &blob_len);
	if (!err)
		err = ksr_btf__parse(blob, blob_len, KSR_BTF_MODE_KERNEL, &btf);
	if (err) {
		ksr_err_prefix("BTF");
		return ksr_cli_fail(btf_path, err);
	}
	err = ksr_kallsyms__parse(ks_text, ks_len, &ks);
	if (err) {
		ksr_btf__free(btf);
		return ksr_cli_fail(ks_path, err);
	}
	err = ksr_profile__write(out, btf, ks, release);
	ksr_kallsyms__free(ks);
	ksr_btf__free(btf);
	return err ? ksr_cli_fail(out, err) : KSR_EXIT_OK;
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
	void *btf_data = NULL, *ks_text = NULL;
	size_t btf_len, ks_len;
	int c, err, rc;

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

	err = ksr_read_file(btf_path, KSR_MAX_INPUT, &btf_data, &btf_len);
	if (err)
		return ksr_cli_fail(btf_path, err);
	err = ksr_read_file(ks_path, KSR_MAX_INPUT, &ks_text, &ks_len);
	if (err) {
		free(btf_data);
		return ksr_cli_fail(ks_path, err);
	}
	rc = ksr_cli_make_profile(btf_path, btf_data, btf_len, ks_path, ks_text, ks_len, release, out);
	free(btf_data);
	free(ks_text);
	return rc;
}
