// SPDX-License-Identifier: BSD-2-Clause
/* ksymres inspect OBJECT [-j]: the .ksyms externs of an object and every
 * instruction that references them. */
#include <getopt.h>
#include <inttypes.h>

#include "offline.h"
#include "output.h"
#include "ksymres/ksymres.h"

static const char *insn_str(enum ksr_site_insn i)
{
	return i == KSR_SITE_CALL ? "call" : "ld_imm64";
}

/* A patched object's module extern: "name" of its module, and its id there. */
static bool module_of(const struct ksr_object *obj, const char *ext, char name[KSR_MANIFEST_MODULE_NAME_MAX],
		      uint32_t *id)
{
	char identity[33];
	uint32_t mod;

	return !ksr_object__module_extern(obj, ext, &mod, id) &&
	       !ksr_object__manifest_module(obj, mod, name, identity);
}

static uint32_t module_cnt(const struct ksr_object *obj)
{
	struct ksr_manifest_info mi = { .sz = sizeof(mi) };

	return ksr_object__manifest(obj, &mi) ? 0 : mi.module_cnt;
}

static void print_json(const struct ksr_object *obj)
{
	char mod[KSR_MANIFEST_MODULE_NAME_MAX], identity[33];
	struct ksr_json j;
	uint32_t id;

	ksr_json_init(&j, stdout, ksr_cli.pretty);
	ksr_json_obj_open(&j);
	ksr_json_key(&j, "externs");
	ksr_json_arr_open(&j);
	for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++) {
		const struct ksr_extern *e = ksr_object__extern(obj, i);

		ksr_json_obj_open(&j);
		ksr_json_key(&j, "name");
		ksr_json_str(&j, e->name);
		ksr_json_key(&j, "kind");
		ksr_json_str(&j, ksr_kind_str(e->kind));
		ksr_json_key(&j, "weak");
		ksr_json_bool(&j, e->weak);
		ksr_json_key(&j, "local_btf_id");
		ksr_json_u64(&j, e->btf_id);
		if (module_of(obj, e->name, mod, &id)) {
			/* resolve left it for the loader: the module and its id there */
			ksr_json_key(&j, "module");
			ksr_json_str(&j, mod);
			ksr_json_key(&j, "module_btf_id");
			ksr_json_u64(&j, id);
		}
		ksr_json_key(&j, "sites");
		ksr_json_arr_open(&j);
		for (uint32_t s = 0; s < e->site_cnt; s++) {
			const struct ksr_site *st = &e->sites[s];

			ksr_json_obj_open(&j);
			ksr_json_key(&j, "section");
			ksr_json_str(&j, st->sec_name);
			ksr_json_key(&j, "offset");
			ksr_json_u64(&j, st->insn_off);
			ksr_json_key(&j, "insn");
			ksr_json_str(&j, insn_str(st->insn));
			ksr_json_key(&j, "program");
			ksr_json_str(&j, st->prog_name ? st->prog_name : "");
			ksr_json_obj_close(&j);
		}
		ksr_json_arr_close(&j);
		ksr_json_obj_close(&j);
	}
	ksr_json_arr_close(&j);
	/* .kconfig externs: libbpf fills them; listed in libbpf's order */
	ksr_json_key(&j, "kconfig");
	ksr_json_arr_open(&j);
	for (size_t i = 0; i < ksr_object__kconfig_extern_cnt(obj); i++) {
		const struct ksr_extern *e = ksr_object__kconfig_extern(obj, i);

		ksr_json_obj_open(&j);
		ksr_json_key(&j, "name");
		ksr_json_str(&j, e->name);
		ksr_json_key(&j, "weak");
		ksr_json_bool(&j, e->weak);
		ksr_json_key(&j, "local_btf_id");
		ksr_json_u64(&j, e->btf_id);
		ksr_json_key(&j, "sites");
		ksr_json_u64(&j, e->site_cnt);
		ksr_json_obj_close(&j);
	}
	ksr_json_arr_close(&j);
	if (module_cnt(obj)) {
		ksr_json_key(&j, "modules");
		ksr_json_arr_open(&j);
		for (uint32_t i = 0; i < module_cnt(obj); i++) {
			if (ksr_object__manifest_module(obj, i, mod, identity))
				break;
			ksr_json_obj_open(&j);
			ksr_json_key(&j, "name");
			ksr_json_str(&j, mod);
			ksr_json_key(&j, "identity");
			ksr_json_str(&j, identity);
			ksr_json_obj_close(&j);
		}
		ksr_json_arr_close(&j);
	}
	ksr_json_obj_close(&j);
	ksr_json_end(&j);
}

static void print_text(const char *path, const struct ksr_object *obj)
{
	char mod[KSR_MANIFEST_MODULE_NAME_MAX], identity[33];
	size_t n = ksr_object__extern_cnt(obj);
	uint32_t id;

	fputs("object: ", stdout);
	ksr_print_safe(stdout, path);
	printf("\nlicense: ");
	ksr_print_safe(stdout, ksr_object__license(obj) ? ksr_object__license(obj) : "(none)");
	printf("\n%zu .ksyms extern%s\n", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		const struct ksr_extern *e = ksr_object__extern(obj, i);

		printf("  %-8s %-4s ", ksr_kind_str(e->kind), e->weak ? "weak" : "");
		ksr_print_safe(stdout, e->name);
		printf("  (btf id %u, %u site%s)", e->btf_id, e->site_cnt, e->site_cnt == 1 ? "" : "s");
		if (module_of(obj, e->name, mod, &id))
			printf(": module %s, its id %u, bound at load", mod, id);
		putchar('\n');
		for (uint32_t s = 0; s < e->site_cnt; s++) {
			const struct ksr_site *st = &e->sites[s];

			printf("      %-8s ", insn_str(st->insn));
			ksr_print_safe(stdout, st->sec_name);
			printf("+0x%" PRIx64 " (insn %" PRIu64 ") in ", st->insn_off, st->insn_off / 8);
			ksr_print_safe(stdout, st->prog_name ? st->prog_name : "?");
			putchar('\n');
		}
	}
	for (uint32_t i = 0; i < module_cnt(obj); i++) {
		if (ksr_object__manifest_module(obj, i, mod, identity))
			break;
		printf("module %s: BTF identity %s (resolved against; load checks it)\n", mod, identity);
	}
	n = ksr_object__kconfig_extern_cnt(obj);
	printf("%zu .kconfig extern%s (filled by libbpf at load; check predicts them)\n", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		const struct ksr_extern *e = ksr_object__kconfig_extern(obj, i);

		printf("  %-8s %-4s ", "kconfig", e->weak ? "weak" : "");
		ksr_print_safe(stdout, e->name);
		printf("  (btf id %u, %u site%s)\n", e->btf_id, e->site_cnt, e->site_cnt == 1 ? "" : "s");
	}
}

int ksr_cmd_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
		KSR_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct ksr_object *obj;
	const char *path;
	int c, err;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":j", opts, NULL)) != -1) {
		switch (c) {
		case 'j': case 'P': ksr_output_option(c); break;
		default: return ksr_cli_usage("inspect", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return ksr_cli_usage("inspect", "expects exactly one OBJECT");
	path = argv[optind];
	err = ksr_object__open(path, &obj);
	if (err)
		return ksr_cli_fail(path, err);
	if (ksr_cli.json)
		print_json(obj);
	else
		print_text(path, obj);
	ksr_object__free(obj);
	return KSR_EXIT_OK;
}
