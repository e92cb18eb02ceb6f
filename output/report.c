// SPDX-License-Identifier: BSD-2-Clause
/* Reporting decisions: the JSON extern object of resolve/check and the text
 * line, shared by both commands. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "report.h"

static const char *addr_class_str(enum ksr_addr_class c)
{
	switch (c) {
	case KSR_ADDR_KERNEL: return "kernel";
	case KSR_ADDR_FIXED: return "fixed";
	case KSR_ADDR_MODULE: return "module";
	}
	return "?";
}

void ksr_report_extern_json(struct ksr_json *j, const struct ksr_extern *e,
			    const struct ksr_verdict *d)
{
	ksr_json_obj_open(j);
	ksr_json_key(j, "name");
	ksr_json_str(j, e->name);
	ksr_json_key(j, "kind");
	ksr_json_str(j, ksr_kind_str(e->kind));
	ksr_json_key(j, "weak");
	ksr_json_bool(j, e->weak);
	ksr_json_key(j, "status");
	ksr_json_str(j, ksr_status_str(d->status));
	if (d->status == KSR_STATUS_RESOLVED && e->kind != KSR_EXTERN_TYPELESS) {
		ksr_json_key(j, "btf_id");
		ksr_json_u64(j, d->btf_id);
	}
	if (d->status == KSR_STATUS_RESOLVED && e->kind == KSR_EXTERN_TYPELESS) {
		ksr_json_key(j, "address");
		ksr_json_hex(j, d->addr);
		ksr_json_key(j, "kaslr");
		ksr_json_str(j, addr_class_str(d->addr_class));
	}
	if (d->module && d->module[0]) {
		ksr_json_key(j, "module");
		ksr_json_str(j, d->module);
	}
	if (d->status != KSR_STATUS_RESOLVED) {
		ksr_json_key(j, "reason");
		ksr_json_str(j, d->reason);
	}
	if (d->note[0]) {
		ksr_json_key(j, "note");
		ksr_json_str(j, d->note);
	}
	ksr_json_obj_close(j);
}

void ksr_report_extern_text(FILE *f, const struct ksr_extern *e, const struct ksr_verdict *d)
{
	fprintf(f, "  %-15s %-8s %-4s ", ksr_status_str(d->status), ksr_kind_str(e->kind),
		e->weak ? "weak" : "");
	ksr_print_safe(f, e->name);
	if (d->status == KSR_STATUS_RESOLVED && e->kind == KSR_EXTERN_TYPELESS)
		fprintf(f, "  0x%" PRIx64 " (%s)", d->addr,
			d->addr_class == KSR_ADDR_KERNEL ? "moves with KASLR" :
			d->addr_class == KSR_ADDR_FIXED ? "absolute" : "module address");
	else if (d->status == KSR_STATUS_RESOLVED)
		fprintf(f, "  btf_id %u", d->btf_id);
	if (d->module && d->module[0]) {
		fputs(" (module ", f);
		ksr_print_safe(f, d->module);
		fputc(')', f);
	}
	if (d->reason[0]) {
		fputs(": ", f);
		ksr_print_safe(f, d->reason);
	}
	if (d->note[0]) {
		fputs(" (note: ", f);
		ksr_print_safe(f, d->note);
		fputc(')', f);
	}
	fputc('\n', f);
}

void ksr_report_kconfig_json(struct ksr_json *j, const struct ksr_kconfig_verdict *v)
{
	ksr_json_obj_open(j);
	ksr_json_key(j, "name");
	ksr_json_str(j, v->name);
	ksr_json_key(j, "type");
	ksr_json_str(j, v->type);
	ksr_json_key(j, "weak");
	ksr_json_bool(j, v->weak);
	ksr_json_key(j, "status");
	ksr_json_str(j, ksr_kconfig_status_str(v->status));
	if (v->status == KSR_KCONFIG_SET || v->status == KSR_KCONFIG_DEFAULT) {
		ksr_json_key(j, "value");
		ksr_json_str(j, v->value);
	} else {
		ksr_json_key(j, "reason");
		ksr_json_str(j, v->reason);
	}
	ksr_json_key(j, "offset");
	ksr_json_u64(j, v->offset);
	ksr_json_key(j, "size");
	ksr_json_u64(j, v->size);
	ksr_json_obj_close(j);
}

void ksr_report_kconfig_text(FILE *f, const struct ksr_kconfig_verdict *v)
{
	fprintf(f, "  %-15s %-8s %-4s ", ksr_kconfig_status_str(v->status), "kconfig",
		v->weak ? "weak" : "");
	ksr_print_safe(f, v->name);
	fputs(v->status == KSR_KCONFIG_SET || v->status == KSR_KCONFIG_DEFAULT ? " = " : ": ", f);
	ksr_print_safe(f, v->status == KSR_KCONFIG_SET || v->status == KSR_KCONFIG_DEFAULT ?
			   v->value : v->reason);
	fputc('\n', f);
}

void ksr_report_kconfig_arr_json(struct ksr_json *j, const struct ksr_resolution *res)
{
	ksr_json_key(j, "kconfig");
	ksr_json_arr_open(j);
	for (size_t i = 0; i < ksr_resolution__kconfig_cnt(res); i++)
		ksr_report_kconfig_json(j, ksr_resolution__kconfig(res, i));
	ksr_json_arr_close(j);
}

void ksr_report_resolution_json(struct ksr_json *j, const struct ksr_resolution *res, size_t i)
{
	ksr_report_extern_json(j, ksr_resolution__extern(res, i), ksr_resolution__verdict(res, i));
}

void ksr_report_resolution_text(FILE *f, const struct ksr_resolution *res, size_t i)
{
	ksr_report_extern_text(f, ksr_resolution__extern(res, i), ksr_resolution__verdict(res, i));
}

void ksr_report_resolution_doc_json(FILE *f, bool pretty, const struct ksr_resolution *res)
{
	struct ksr_json j;

	ksr_json_init(&j, f, pretty);
	ksr_json_obj_open(&j);
	ksr_json_key(&j, "externs");
	ksr_json_arr_open(&j);
	for (size_t i = 0; i < ksr_resolution__extern_cnt(res); i++)
		ksr_report_resolution_json(&j, res, i);
	ksr_json_arr_close(&j);
	ksr_report_kconfig_arr_json(&j, res);
	ksr_json_obj_close(&j);
	ksr_json_end(&j);
}

void ksr_report_check_doc_json(FILE *f, bool pretty, const struct ksr_object *obj,
			       struct ksr_profile *const *p, size_t np,
			       struct ksr_resolution *const *d)
{
	size_t n = ksr_object__extern_cnt(obj);
	struct ksr_json j;

	ksr_json_init(&j, f, pretty);
	ksr_json_obj_open(&j);
	ksr_json_key(&j, "profiles");
	ksr_json_arr_open(&j);
	for (size_t k = 0; k < np; k++) {
		ksr_json_obj_open(&j);
		ksr_json_key(&j, "profile");
		ksr_json_str(&j, ksr_profile__name(p[k]));
		ksr_json_key(&j, "release");
		ksr_json_str(&j, ksr_profile__release(p[k]));
		ksr_json_key(&j, "identity");
		ksr_json_str(&j, ksr_profile__identity(p[k]));
		ksr_json_key(&j, "runnable");
		ksr_json_bool(&j, ksr_resolution__runnable(d[k]));
		ksr_json_key(&j, "needs_modules");
		ksr_json_arr_open(&j);
		for (size_t i = 0; i < n; i++) {
			const struct ksr_verdict *v = ksr_resolution__verdict(d[k], i);
			bool seen = false;

			if (v->status != KSR_STATUS_RESOLVED || !v->module || !v->module[0])
				continue;
			for (size_t q = 0; q < i && !seen; q++) {
				const struct ksr_verdict *u = ksr_resolution__verdict(d[k], q);

				seen = u->status == KSR_STATUS_RESOLVED && u->module &&
				       !strcmp(u->module, v->module);
			}
			if (!seen)
				ksr_json_str(&j, v->module);
		}
		ksr_json_arr_close(&j);
		ksr_json_key(&j, "externs");
		ksr_json_arr_open(&j);
		for (size_t i = 0; i < n; i++)
			ksr_report_resolution_json(&j, d[k], i);
		ksr_json_arr_close(&j);
		ksr_report_kconfig_arr_json(&j, d[k]);
		ksr_json_obj_close(&j);
	}
	ksr_json_arr_close(&j);
	ksr_json_obj_close(&j);
	ksr_json_end(&j);
}

/* "needs modules loaded: a, b": the modules whose BTF resolved externs
 * are in (libbpf then finds them only while they are loaded). */
static void report_modules(FILE *out, const struct ksr_resolution *r, size_t n)
{
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		const struct ksr_verdict *v = ksr_resolution__verdict(r, i);
		bool seen = false;

		if (v->status != KSR_STATUS_RESOLVED || !v->module || !v->module[0])
			continue;
		for (size_t k = 0; k < i && !seen; k++) {
			const struct ksr_verdict *u = ksr_resolution__verdict(r, k);

			seen = u->status == KSR_STATUS_RESOLVED && u->module && !strcmp(u->module, v->module);
		}
		if (seen)
			continue;
		fputs(any ? ", " : "    needs module(s) loaded: ", out);
		ksr_print_safe(out, v->module);
		any = true;
	}
	if (any)
		fputc('\n', out);
}

/* check's text: the table of statuses, the verdicts, then what is not
 * resolved per profile (check, and POST /v1/check?format=text). */
void ksr_report_check_text(FILE *out, const char *path, const struct ksr_object *obj,
			   struct ksr_profile *const *p, size_t np,
			   struct ksr_resolution *const *d)
{
	size_t n = ksr_object__extern_cnt(obj), nk = ksr_object__kconfig_extern_cnt(obj), w = 6;

	for (size_t i = 0; i < n; i++)
		if (strlen(ksr_object__extern(obj, i)->name) > w)
			w = strlen(ksr_object__extern(obj, i)->name);
	for (size_t i = 0; i < nk; i++)
		if (strlen(ksr_object__kconfig_extern(obj, i)->name) > w)
			w = strlen(ksr_object__kconfig_extern(obj, i)->name);
	if (w > 40)
		w = 40;
	fputs("object: ", out);
	ksr_print_safe(out, path);
	fprintf(out, "\n%-*s", (int)w + 2, "extern");
	for (size_t k = 0; k < np; k++) {
		fprintf(out, " | [%zu] ", k + 1);
		ksr_print_safe_col(out, ksr_profile__release(p[k]), 11, 11);
	}
	fputc('\n', out);
	for (size_t i = 0; i < n; i++) {
		ksr_print_safe_col(out, ksr_object__extern(obj, i)->name, w + 2, w);
		for (size_t k = 0; k < np; k++)
			fprintf(out, " | %-15s", ksr_resolution__status(d[k], i));
		fputc('\n', out);
	}
	/* .kconfig externs: the value each kernel gives, or the status */
	for (size_t i = 0; i < nk; i++) {
		ksr_print_safe_col(out, ksr_object__kconfig_extern(obj, i)->name, w + 2, w);
		for (size_t k = 0; k < np; k++) {
			const struct ksr_kconfig_verdict *v = ksr_resolution__kconfig(d[k], i);
			bool val = v->status == KSR_KCONFIG_SET || v->status == KSR_KCONFIG_DEFAULT;

			fputs(" | ", out);
			ksr_print_safe_col(out, val ? v->value : ksr_kconfig_status_str(v->status), 15, 15);
		}
		fputc('\n', out);
	}
	fprintf(out, "%-*s", (int)w + 2, "verdict");
	for (size_t k = 0; k < np; k++)
		fprintf(out, " | %-15s", ksr_resolution__runnable(d[k]) ? "runnable" : "NOT runnable");
	fputc('\n', out);
	for (size_t k = 0; k < np; k++) {
		fprintf(out, "[%zu] ", k + 1);
		ksr_print_safe(out, ksr_profile__name(p[k]));
		fputs(" (", out);
		ksr_print_safe(out, ksr_profile__release(p[k]));
		fprintf(out, ", identity %s)\n", ksr_profile__identity(p[k]));
		for (size_t i = 0; i < n; i++)
			if (ksr_resolution__verdict(d[k], i)->status != KSR_STATUS_RESOLVED) {
				fprintf(out, "    ");
				ksr_report_resolution_text(out, d[k], i);
			}
		report_modules(out, d[k], n);
		for (size_t i = 0; i < nk; i++) {
			const struct ksr_kconfig_verdict *v = ksr_resolution__kconfig(d[k], i);

			if (v->status != KSR_KCONFIG_SET && v->status != KSR_KCONFIG_DEFAULT) {
				fprintf(out, "    ");
				ksr_report_kconfig_text(out, v);
			}
		}
	}
}

const char *ksr_kind_str(int k)
{
	switch (k) {
	case KSR_EXTERN_VAR: return "var";
	case KSR_EXTERN_TYPELESS: return "typeless";
	case KSR_EXTERN_FUNC: return "func";
	}
	return "?";
}
