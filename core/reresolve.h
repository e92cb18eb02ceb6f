/* SPDX-License-Identifier: BSD-2-Clause */
/* Re-resolution of a patched object (ksr_image__reresolve()): the externs
 * its manifest records, decided again against a profile of the host, and
 * their sites rewritten. */
#ifndef KSR_RERESOLVE_H
#define KSR_RERESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest.h"
#include "rebase.h"
#include "resolve.h"

/* One extern named by the manifest, and its new decision. */
struct ksr_reresolved_extern {
	struct ksr_extern ext;   /* name, kind, weak, sites (rebuilt from the manifest) */
	struct ksr_decision dec;
};

struct ksr_reresolved {
	struct ksr_reresolved_extern *externs;
	size_t cnt;
	bool ok;                 /* every decision is resolved or weak_unresolved */
	struct ksr_site *sites;  /* storage behind externs[].ext.sites */
	uint32_t *site_rec;      /* manifest record of each entry of sites */
};

/* Decides every extern recorded in the manifest m of obj again against
 * prof, with the resolver `resolve` uses (typed variables by name only).
 * The manifest must have passed ksr_rebase__verify(). */
int ksr_reresolve(const struct ksr_object *obj, const struct ksr_manifest *m,
		  const struct ksr_profile *prof, struct ksr_reresolved *rr);
/* Rewrites the sites of the decisions of rr (all ok) in secs; the last
 * step of a re-resolution, so that one that fails before leaves the image
 * as it was. */
int ksr_reresolve_rewrite(const struct ksr_manifest *m, const struct ksr_reresolved *rr,
			  struct ksr_rebase_sec *secs, uint32_t sec_cnt);
void ksr_reresolved_free(struct ksr_reresolved *rr);

#endif
