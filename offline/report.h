/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef KSR_REPORT_H
#define KSR_REPORT_H

#include <stdio.h>

#include "cli.h"
#include "resolve.h"

/* {"name","kind","weak","status","btf_id"|"address"+"kaslr","reason"} */
void ksr_report_extern_json(struct ksr_json *j, const struct ksr_extern *e,
			    const struct ksr_decision *d);
void ksr_report_extern_text(FILE *f, const struct ksr_extern *e, const struct ksr_decision *d);
/* Decides every extern of obj against prof into a new array (free()).
 * Returns 1 when all may run, 0 when not, -1 on allocation failure. */
int ksr_decide_all(const struct ksr_object *obj, const struct ksr_profile *prof,
		   struct ksr_decision **out);

#endif
