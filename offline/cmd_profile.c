// SPDX-License-Identifier: BSD-2-Clause
/* ksymres profile --btf FILE --kallsyms FILE [--release STR] [--arch ARCH]
 *                 [--modules DIR] [--config FILE] -o PROFILE
 * ksymres profile --from OLD -o PROFILE     (convert a version 1 profile)
 * ksymres profile --info PROFILE [-j]       (what a profile describes)
 *
 * The two inputs are independent until the profile is written: a second
 * thread reads and parses the kallsyms text while this one reads and
 * validates the BTF (the larger job). Errors are reported in the order of
 * the sequential version: reading the BTF, reading kallsyms, the BTF, the
 * kallsyms text, the output. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ksymres/ksymres.h>

#include "offline.h"
#include "output.h"

/* A version 1 profile is read whole, up to the size a profile may have. */
#define PROFILE_MAX (1u << 30)

/* --modules DIR: every .ko, .ko.xz and .ko.zst file under DIR (a kernel
 * package's lib/modules/<release>), at most MODULE_FILES_MAX. */
#define MODULE_FILES_MAX 16384u

static struct {
	char **paths;
	uint32_t cnt;
	bool too_many;
} mod_walk;

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n > m && !strcmp(s + n - m, suf);
}

static int walk_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	if (type != FTW_F || !(has_suffix(path, ".ko") || has_suffix(path, ".ko.xz") ||
			       has_suffix(path, ".ko.zst")))
		return 0;
	if (mod_walk.cnt == MODULE_FILES_MAX) {
		mod_walk.too_many = true;
		return 1;
	}
	if (!(mod_walk.paths[mod_walk.cnt] = strdup(path)))
		return -1;
	mod_walk.cnt++;
	return 0;
}

/* The module's name from its file name, as the kernel names it
 * (/sys/kernel/btf/<name>): no suffix, '-' as '_'. */
static void module_name(const char *path, char *name, size_t len)
{
	const char *base = strrchr(path, '/');
	char *dot;

	snprintf(name, len, "%s", base ? base + 1 : path);
	if ((dot = strstr(name, ".ko")))
		*dot = '\0';
	for (char *c = name; *c; c++)
		if (*c == '-')
			*c = '_';
}

/* Adds the BTF of every module file under dir to w (validated on btf). */
static int add_modules(struct ksr_profile_writer *w, const struct ksr_btf *btf, const char *dir)
{
	int rc = KSR_EXIT_OK, err = 0;
	char name[64];

	mod_walk.cnt = 0;
	mod_walk.too_many = false;
	mod_walk.paths = calloc(MODULE_FILES_MAX, sizeof(*mod_walk.paths));
	if (!mod_walk.paths)
		return ksr_cli_fail(dir, -ENOMEM);
	if (nftw(dir, walk_one, 16, FTW_PHYS) != 0 || mod_walk.too_many) {
		rc = mod_walk.too_many
			     ? ksr_cli_usage("profile", "--modules %s: more than %u module files",
					     dir, MODULE_FILES_MAX)
			     : ksr_cli_fail(dir, errno ? -errno : -EIO);
		goto out;
	}
	for (uint32_t i = 0; i < mod_walk.cnt; i++) {
		const char *path = mod_walk.paths[i];
		void *data = NULL, *mbtf = NULL;
		size_t len = 0, blen = 0;

		err = ksr_input__read(path, KSR_INPUT_MAX, &data, &len);
		if (!err)
			err = ksr_module_file__btf(data, len, &mbtf, &blen);
		free(data);
		if (err == -ENOENT) { /* no BTF: libbpf finds nothing there either */
			err = 0;
			continue;
		}
		module_name(path, name, sizeof(name));
		if (!err)
			err = ksr_profile_writer__add_module(w, btf, name, mbtf, blen);
		free(mbtf);
		if (err) {
			rc = ksr_cli_fail(path, err);
			goto out;
		}
	}
out:
	for (uint32_t i = 0; i < mod_walk.cnt; i++)
		free(mod_walk.paths[i]);
	free(mod_walk.paths);
	mod_walk.paths = NULL;
	return rc;
}

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
		j->read_err = ksr_input__read(j->path, KSR_INPUT_MAX, &j->owned, &j->len);
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
	return ksr_cli_fail_msg(j->path, err, j->msg);
}

/* Reads (when btf_data is NULL) and validates the BTF here while j runs in
 * a thread (inline if none can be started), then writes the profile. */
static int make_profile(const char *btf_path, struct ks_job *j, struct ksr_profile_opts *opts,
			const char *mod_dir, const char *config, const char *out)
{
	const void *btf_data = NULL;
	size_t btf_len = 0;
	struct ksr_btf *btf = NULL;
	struct ksr_build_id bid;
	void *owned = NULL;
	pthread_t t;
	bool threaded = pthread_create(&t, NULL, ks_job_run, j) == 0;
	char msg[512];
	uint16_t machine;
	int err = 0, rc;

	if (!threaded)
		ks_job_run(j);
	if (!btf_data) {
		err = ksr_input__read(btf_path, KSR_INPUT_MAX, &owned, &btf_len);
		btf_data = owned;
		if (err) {
			rc = ksr_cli_fail(btf_path, err);
			goto out;
		}
	}
	/* the vmlinux ELF's arch and build ID, unless --arch names one */
	err = ksr_vmlinux__identify(btf_data, btf_len, &machine, &bid);
	if (!err) {
		if (!opts->machine)
			opts->machine = machine;
		if (bid.len) {
			opts->build_id = bid.data;
			opts->build_id_len = bid.len;
		}
		err = ksr_btf__parse_kernel(btf_data, btf_len, &btf); /* freed first */
	}
	if (err)
		snprintf(msg, sizeof(msg), "BTF: %s", ksr_errmsg());
	if (threaded)
		pthread_join(t, NULL);
	threaded = false;
	if (j->read_err) {
		rc = ks_job_fail(j, j->read_err);
	} else if (err) {
		rc = ksr_cli_fail_msg(btf_path, err, msg);
	} else if (j->parse_err) {
		rc = ks_job_fail(j, j->parse_err);
	} else {
		struct ksr_profile_writer *w;

		err = ksr_profile_writer__new(out, btf, &w);
		if (err) {
			rc = ksr_cli_fail(out, err);
			goto out;
		}
		if (mod_dir && (rc = add_modules(w, btf, mod_dir)) != KSR_EXIT_OK) {
			ksr_profile_writer__abort(w);
			goto out;
		}
		err = ksr_profile_writer__add_kallsyms(w, j->ks, opts);
		/* the kernel config (optional section): its errors name its file */
		if (!err && config && (err = ksr_profile_writer__add_kconfig(w, config))) {
			/* add_kconfig freed the writer */
			rc = ksr_cli_fail(config, err);
			goto out;
		}
		if (!err)
			err = ksr_profile_writer__commit(w);
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
	struct ksr_profile_opts opts = { .sz = sizeof(opts) };
	struct ksr_profile_writer *w;
	char release[128];
	struct ksr_kallsyms *ks;
	struct ksr_btf *btf;
	void *img;
	size_t len;
	int err = ksr_input__read(from, PROFILE_MAX, &img, &len);

	if (err)
		return ksr_cli_fail(from, err);
	err = ksr_profile__parse_v1(img, len, &btf, &ks, release);
	free(img);
	if (err)
		return ksr_cli_fail(from, err);
	opts.release = release;
	err = ksr_profile_writer__new(out, btf, &w);
	if (!err)
		err = ksr_profile_writer__add_kallsyms(w, ks, &opts);
	if (!err)
		err = ksr_profile_writer__commit(w);
	ksr_btf__free(btf);
	ksr_kallsyms__free(ks);
	return err ? ksr_cli_fail(out, err) : KSR_EXIT_OK;
}

static const char *const flag_names[] = { "kallsyms_all", "kfunc_tags", "text_addr" };

/* --info: the profile's metadata, checked as any open checks it. */
static int info(const char *path)
{
	struct ksr_profile_summary m = { .sz = sizeof(m) };
	struct ksr_profile_section sec = { .sz = sizeof(sec) };
	struct ksr_profile *p;
	const char *bid;
	struct ksr_json j;
	uint32_t kcnt = 0, kbad = 0;
	int kerr, err = ksr_profile__open(path, &p);

	if (err)
		return ksr_cli_fail(path, err);
	ksr_profile__summary(p, &m);
	bid = ksr_profile__build_id(p);
	kerr = ksr_profile__kconfig(p, &kcnt, &kbad);
	if (kerr && kerr != -ENOENT) {
		ksr_profile__free(p);
		return ksr_cli_fail(path, kerr);
	}
	if (ksr_cli.json) {
		ksr_json_init(&j, stdout, ksr_cli.pretty);
		ksr_json_obj_open(&j);
		ksr_json_key(&j, "profile");
		ksr_json_str(&j, path);
		ksr_json_key(&j, "format_version");
		ksr_json_u64(&j, m.format_version);
		ksr_json_key(&j, "release");
		ksr_json_str(&j, ksr_profile__release(p));
		ksr_json_key(&j, "identity");
		ksr_json_str(&j, ksr_profile__identity(p));
		ksr_json_key(&j, "build_id");
		ksr_json_str(&j, bid);
		ksr_json_key(&j, "arch");
		ksr_json_str(&j, ksr_profile__arch(p));
		ksr_json_key(&j, "text_addr");
		if (m.flags & KSR_PROFILE_HAS_TEXT)
			ksr_json_hex(&j, m.text_addr);
		else
			ksr_json_str(&j, "");
		ksr_json_key(&j, "flags");
		ksr_json_arr_open(&j);
		for (uint32_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
			if (m.flags & (1u << i))
				ksr_json_str(&j, flag_names[i]);
		ksr_json_arr_close(&j);
		ksr_json_key(&j, "btf_types");
		ksr_json_u64(&j, m.btf_type_cnt);
		ksr_json_key(&j, "symbols");
		ksr_json_u64(&j, m.sym_cnt);
		ksr_json_key(&j, "size");
		ksr_json_u64(&j, m.file_size);
		ksr_json_key(&j, "blocks");
		ksr_json_u64(&j, m.block_cnt);
		ksr_json_key(&j, "kconfig");
		ksr_json_obj_open(&j);
		ksr_json_key(&j, "present");
		ksr_json_bool(&j, !kerr);
		ksr_json_key(&j, "entries");
		ksr_json_u64(&j, kcnt);
		ksr_json_key(&j, "refused_line");
		ksr_json_u64(&j, kbad);
		ksr_json_obj_close(&j);
		ksr_json_key(&j, "optional_sections");
		ksr_json_arr_open(&j);
		for (uint32_t i = 0; !ksr_profile__section(p, i, &sec); i++)
			if (sec.optional)
				ksr_json_str(&j, sec.name);
		ksr_json_arr_close(&j);
		ksr_json_key(&j, "modules");
		ksr_json_arr_open(&j);
		for (uint32_t i = 0; i < ksr_profile__module_cnt(p); i++)
			ksr_json_str(&j, ksr_profile__module_name(p, i));
		ksr_json_arr_close(&j);
		ksr_json_key(&j, "sections");
		ksr_json_arr_open(&j);
		for (uint32_t i = 0; !ksr_profile__section(p, i, &sec); i++) {
			ksr_json_obj_open(&j);
			ksr_json_key(&j, "name");
			ksr_json_str(&j, sec.name);
			ksr_json_key(&j, "offset");
			ksr_json_u64(&j, sec.offset);
			ksr_json_key(&j, "size");
			ksr_json_u64(&j, sec.size);
			ksr_json_key(&j, "optional");
			ksr_json_bool(&j, sec.optional);
			ksr_json_obj_close(&j);
		}
		ksr_json_arr_close(&j);
		ksr_json_obj_close(&j);
		ksr_json_end(&j);
	} else {
		printf("profile  ");
		ksr_print_safe(stdout, path);
		printf("\nformat   version %u, %zu bytes, %u blocks of %u bytes\nrelease  ",
		       m.format_version, (size_t)m.file_size, m.block_cnt, m.block_size);
		ksr_print_safe(stdout, ksr_profile__release(p));
		printf("\nidentity %s\nbuild id %s\narch     %s\n", ksr_profile__identity(p),
		       bid[0] ? bid : "none (made from a raw BTF blob: the host is checked by its BTF)",
		       ksr_profile__arch(p));
		if (m.flags & KSR_PROFILE_HAS_TEXT)
			printf("_text    0x%llx\n", (unsigned long long)m.text_addr);
		else
			printf("_text    none\n");
		printf("flags   ");
		for (uint32_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
			if (m.flags & (1u << i))
				printf(" %s", flag_names[i]);
		printf("\ncounts   %u BTF types, %u symbols\n", m.btf_type_cnt, m.sym_cnt);
		printf("modules  %u with BTF", ksr_profile__module_cnt(p));
		for (uint32_t i = 0; i < ksr_profile__module_cnt(p); i++) {
			printf(i % 8 ? " " : "\n         ");
			ksr_print_safe(stdout, ksr_profile__module_name(p, i));
		}
		printf("\n");
		if (kerr)
			printf("kconfig  none (CONFIG_* .kconfig externs are reported unknown: capture again, or profile --config)\n");
		else if (kbad)
			printf("kconfig  %u CONFIG_ entries; line %u is one libbpf refuses: objects that need the config fail to load\n",
			       kcnt, kbad);
		else
			printf("kconfig  %u CONFIG_ entries\n", kcnt);
		printf("sections %-16s %10s %10s\n", "name", "offset", "size");
		for (uint32_t i = 0; !ksr_profile__section(p, i, &sec); i++) {
			printf("         ");
			ksr_print_safe_col(stdout, sec.name, 16, 16);
			printf(" %#10llx %10llu%s\n", (unsigned long long)sec.offset,
			       (unsigned long long)sec.size, sec.optional ? "  optional" : "");
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
		{ "config", required_argument, NULL, 'c' },
		{ "from", required_argument, NULL, 'f' },
		{ "info", required_argument, NULL, 'i' },
		{ "modules", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		KSR_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *btf_path = NULL, *ks_path = NULL, *out = NULL, *release = "unknown";
	const char *from = NULL, *info_path = NULL, *arch_name = NULL, *mod_dir = NULL;
	const char *config = NULL;
	struct ksr_profile_opts po = { .sz = sizeof(po) };
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
		case 'c': config = optarg; break;
		case 'f': from = optarg; break;
		case 'i': info_path = optarg; break;
		case 'm': mod_dir = optarg; break;
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
		if (btf_path || ks_path || from || out || mod_dir || config)
			return ksr_cli_usage("profile", "--info takes no other input or output");
		return info(info_path);
	}
	if (from) {
		if (btf_path || ks_path || !out || mod_dir || config)
			return ksr_cli_usage("profile", "--from OLD needs -o and no --btf, --kallsyms, --modules or --config");
		return convert(from, out);
	}
	if (!btf_path || !ks_path || !out)
		return ksr_cli_usage("profile", "--btf, --kallsyms and -o are required");
	if (arch_name && !(arch = ksr_arch__machine(arch_name)))
		return ksr_cli_usage("profile", "unknown --arch '%s' (x86_64, aarch64, s390x, ppc64le, riscv64)",
				     arch_name);
	j.path = ks_path;
	po.release = release;
	po.machine = arch;
	return make_profile(btf_path, &j, &po, mod_dir, config, out);
}
