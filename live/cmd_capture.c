// SPDX-License-Identifier: BSD-2-Clause
/* ksymres capture -o PROFILE: a profile of the running kernel. */
#include <getopt.h>
#include <stdlib.h>
#include <sys/utsname.h>

#include "cli.h"
#include "fileio.h"
#include "live.h"

const char *ksr_live_btf_path(void)
{
	const char *p = getenv("KSYMRES_VMLINUX_BTF");

	return p && *p ? p : "/sys/kernel/btf/vmlinux";
}

const char *ksr_live_kallsyms_path(void)
{
	const char *p = getenv("KSYMRES_KALLSYMS");

	return p && *p ? p : "/proc/kallsyms";
}

int ksr_cmd_capture(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *btf_path = ksr_live_btf_path(), *ks_path = ksr_live_kallsyms_path();
	void *btf_data = NULL, *ks_text = NULL;
	size_t btf_len, ks_len;
	struct utsname uts;
	int c, err, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:j", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'j': ksr_cli.json = true; break;
		case 'P': ksr_cli.pretty = true; break;
		case ':': return ksr_cli_usage("capture", "option '%s' needs a value", argv[optind - 1]);
		default: return ksr_cli_usage("capture", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return ksr_cli_usage("capture", "unexpected argument '%s'", argv[optind]);
	if (!out)
		return ksr_cli_usage("capture", "-o PROFILE is required");
	if (uname(&uts) < 0)
		return ksr_cli_usage("capture", "uname failed");

	err = ksr_read_file(btf_path, KSR_MAX_INPUT, &btf_data, &btf_len);
	if (err)
		return ksr_cli_fail(btf_path, err);
	err = ksr_read_file(ks_path, KSR_MAX_INPUT, &ks_text, &ks_len);
	if (err) {
		free(btf_data);
		return ksr_cli_fail(ks_path, err);
	}
	rc = ksr_cli_make_profile(btf_path, btf_data, btf_len, ks_path, ks_text, ks_len,
				  uts.release, out);
	free(btf_data);
	free(ks_text);
	return rc;
}
