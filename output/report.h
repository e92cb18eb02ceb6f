/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef KSR_REPORT_H
#define KSR_REPORT_H

#include <stdio.h>

#include "output.h"
#include "resolve.h"

/* {"name","kind","weak","status","btf_id"|"address"+"kaslr","reason"} */
void ksr_report_extern_json(struct ksr_json *j, const struct ksr_extern *e,
			    const struct ksr_decision *d);
void ksr_report_extern_text(FILE *f, const struct ksr_extern *e, const struct ksr_decision *d);

#endif
