/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef KSR_REPORT_H
#define KSR_REPORT_H

#include <stdio.h>

#include <ksymres/ksymres.h>

#include "output.h"

/* {"name","kind","weak","status","btf_id"|"address"+"kaslr","reason"} */
void ksr_report_extern_json(struct ksr_json *j, const struct ksr_extern *e,
			    const struct ksr_verdict *d);
void ksr_report_extern_text(FILE *f, const struct ksr_extern *e, const struct ksr_verdict *d);
/* A .kconfig extern: {"name","type","weak","status","value"|"reason",
 * "offset","size"}, and the text line; the "kconfig" key and array of a
 * resolution's. */
void ksr_report_kconfig_json(struct ksr_json *j, const struct ksr_kconfig_verdict *v);
void ksr_report_kconfig_text(FILE *f, const struct ksr_kconfig_verdict *v);
void ksr_report_kconfig_arr_json(struct ksr_json *j, const struct ksr_resolution *res);
/* Extern i of a resolution, as above. */
void ksr_report_resolution_json(struct ksr_json *j, const struct ksr_resolution *res, size_t i);
void ksr_report_resolution_text(FILE *f, const struct ksr_resolution *res, size_t i);
/* The whole document {"externs":[...]} of a resolution (resolve -j, load). */
void ksr_report_resolution_doc_json(FILE *f, bool pretty, const struct ksr_resolution *res);
/* The document of `check -j`: {"profiles":[{"profile","release",
 * "identity","runnable","externs":[...]}...]}, d[k] the decisions of obj
 * against p[k] (check, and POST /v1/check of the service). */
void ksr_report_check_doc_json(FILE *f, bool pretty, const struct ksr_object *obj,
			       struct ksr_profile *const *p, size_t np,
			       struct ksr_resolution *const *d);
/* The text of `check`: path is the object's name as given. */
void ksr_report_check_text(FILE *f, const char *path, const struct ksr_object *obj,
			   struct ksr_profile *const *p, size_t np,
			   struct ksr_resolution *const *d);

#endif
