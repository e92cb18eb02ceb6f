// SPDX-License-Identifier: BSD-2-Clause
/* ksymres profile --btf FILE --kallsyms FILE [--release STR] [--arch ARCH] -o PROFILE
 * ksymres profile --from OLD -o PROFILE     (convert a version 1 profile)
 * ksymres profile --info PROFILE [-j]       (what a profile describes)
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
#include <string.h>

#include "btf.h"
#include "offline.h"
#include "output.h"
#include "error.h"
#include "fileio.h"
#include "hash.h"
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
static int make_profile(const char *btf_path, struct ks_job *j, struct ksr_profile_info *info,
			uint16_t arch, const char *out)
{
	const void *btf_data = NULL;
	size_t btf_len = 0;
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
		err = ksr_kernel_elf_info(btf_data, btf_len, info);
	if (!err && arch)
		info->arch = arch;
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
		err = ksr_profile__write(out, btf, j->ks, info);
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

/* --from: a version 1 profile, verified fully, written as version 2. */
static int convert(const char *from, const char *out)
{
	struct ksr_profile_info info = { 0 };
	char release[KSR_PROFILE_RELEASE_MAX];
	struct ksr_kallsyms *ks;
	struct ksr_btf *btf;
	void *img;
	size_t len;
	int err = ksr_read_file(from, KSR_PROFILE_MAX_SIZE, &img, &len);

	if (err)
		return ksr_cli_fail(from, err);
	err = ksr_profile_v1__read(img, len, &btf, &ks, release);
	free(img);
	if (err)
		return ksr_cli_fail(from, err);
	info.release = release;
	err = ksr_profile__write(out, btf, ks, &info);
	ksr_btf__free(btf);
	ksr_kallsyms__free(ks);
	return err ? ksr_cli_fail(out, err) : KSR_EXIT_OK;
}

static const char *const flag_names[] = { "kallsyms_all", "kfunc_tags", "text_addr" };

/* --info: the profile's metadata, checked as any open checks it. */
static int info(const char *path)
{
	char bid[2 * KSR_PROFILE_BUILD_ID_MAX + 1];
	const struct ksr_profile_meta *m;
	struct ksr_profile *p;
	struct ksr_json j;
	int err = ksr_profile__open(path, &p);

	if (err)
		return ksr_cli_fail(path, err);
	m = ksr_profile__meta(p);
	ksr_hex(m->build_id, m->build_id_len, bid);
	if (ksr_cli.json) {
		ksr_json_init(&j, stdout, ksr_cli.pretty);
		ksr_json_obj_open(&j);
		ksr_json_key(&j, "profile");
		ksr_json_str(&j, path);
		ksr_json_key(&j, "format_version");
		ksr_json_u64(&j, m->version);
		ksr_json_key(&j, "release");
		ksr_json_str(&j, ksr_profile__release(p));
		ksr_json_key(&j, "identity");
		ksr_json_str(&j, ksr_profile__identity(p));
		ksr_json_key(&j, "build_id");
		if (m->build_id_len)
			ksr_json_str(&j, bid);
		else
			ksr_json_str(&j, "");
		ksr_json_key(&j, "arch");
		ksr_json_str(&j, ksr_arch_name(m->arch));
		ksr_json_key(&j, "text_addr");
		if (m->flags & KSR_PROF_HAS_TEXT)
			ksr_json_hex(&j, m->text_addr);
		else
			ksr_json_str(&j, "");
		ksr_json_key(&j, "flags");
		ksr_json_arr_open(&j);
		for (uint32_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
			if (m->flags & (1u << i))
				ksr_json_str(&j, flag_names[i]);
		ksr_json_arr_close(&j);
		ksr_json_key(&j, "btf_types");
		ksr_json_u64(&j, m->btf_type_cnt - 1);
		ksr_json_key(&j, "symbols");
		ksr_json_u64(&j, m->sym_cnt);
		ksr_json_key(&j, "size");
		ksr_json_u64(&j, ksr_profile__size(p));
		ksr_json_key(&j, "blocks");
		ksr_json_u64(&j, m->block_cnt);
		ksr_json_key(&j, "optional_sections");
		ksr_json_arr_open(&j);
		for (uint32_t i = 0; i < ksr_profile__optional_cnt(p); i++)
			ksr_json_str(&j, ksr_profile__optional(p, i, NULL));
		ksr_json_arr_close(&j);
		ksr_json_obj_close(&j);
		ksr_json_end(&j);
	} else {
		printf("profile  ");
		ksr_print_safe(stdout, path);
		printf("\nformat   version %u, %zu bytes, %u blocks of %u bytes\nrelease  ",
		       m->version, ksr_profile__size(p), m->block_cnt, m->block_size);
		ksr_print_safe(stdout, ksr_profile__release(p));
		printf("\nidentity %s\nbuild id %s\narch     %s\n", ksr_profile__identity(p),
		       m->build_id_len ? bid : "none (made from a raw BTF blob: the host is checked by its BTF)",
		       ksr_arch_name(m->arch));
		if (m->flags & KSR_PROF_HAS_TEXT)
			printf("_text    0x%llx\n", (unsigned long long)m->text_addr);
		else
			printf("_text    none\n");
		printf("flags   ");
		for (uint32_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
			if (m->flags & (1u << i))
				printf(" %s", flag_names[i]);
		printf("\ncounts   %u BTF types, %u symbols\n", m->btf_type_cnt - 1, m->sym_cnt);
		for (uint32_t i = 0; i < ksr_profile__optional_cnt(p); i++) {
			printf("optional ");
			ksr_print_safe(stdout, ksr_profile__optional(p, i, NULL));
			printf("\n");
		}
	}
	ksr_profile__free(p);
	return KSR_EXIT_OK;
}

int ksr_cmd_profile(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "btf", required_argument, NULL, 'b' },
		{ "kallsyms", required_argument, NULL, 'k' },
		{ "release", required_argument, NULL, 'r' },
		{ "arch", required_argument, NULL, 'a' },
		{ "from", required_argument, NULL, 'f' },
		{ "info", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		KSR_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *btf_path = NULL, *ks_path = NULL, *out = NULL, *release = "unknown";
	const char *from = NULL, *info_path = NULL, *arch_name = NULL;
	struct ksr_profile_info pi = { 0 };
	struct ks_job j = { 0 };
	uint16_t arch = 0;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:j", opts, NULL)) != -1) {
		switch (c) {
		case 'b': btf_path = optarg; break;
		case 'k': ks_path = optarg; break;
		case 'r': release = optarg; break;
		case 'a': arch_name = optarg; break;
		case 'f': from = optarg; break;
		case 'i': info_path = optarg; break;
		case 'o': out = optarg; break;
		case 'j': case 'P': ksr_output_option(c); break;
		case ':': return ksr_cli_usage("profile", "option '%s' needs a value", argv[optind - 1]);
		default: return ksr_cli_usage("profile", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return ksr_cli_usage("profile", "unexpected argument '%s'", argv[optind]);
	if (out && !*out)
		return ksr_cli_usage("profile", "-o needs a file name");
	if (info_path) {
		if (btf_path || ks_path || from || out)
			return ksr_cli_usage("profile", "--info takes no other input or output");
		return info(info_path);
	}
	if (from) {
		if (btf_path || ks_path || !out)
			return ksr_cli_usage("profile", "--from OLD needs -o and no --btf or --kallsyms");
		return convert(from, out);
	}
	if (!btf_path || !ks_path || !out)
		return ksr_cli_usage("profile", "--btf, --kallsyms and -o are required");
	if (arch_name && !(arch = ksr_arch_from_name(arch_name)))
		return ksr_cli_usage("profile", "unknown --arch '%s' (x86_64, aarch64, s390x, ppc64le, riscv64)",
				     arch_name);
	j.path = ks_path;
	pi.release = release;
	return make_profile(btf_path, &j, &pi, arch, out);
}
