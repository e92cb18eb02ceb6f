/* SPDX-License-Identifier: BSD-2-Clause */
/* The pure decision for each .ksyms extern of an object against a kernel
 * profile: what libbpf would resolve it to, and whether the target's
 * verifier will accept it. No I/O. */
#ifndef KSR_RESOLVE_H
#define KSR_RESOLVE_H

#include <stdbool.h>
#include <stdint.h>

#include "ksymres/ksymres.h"

/* enum ksr_status and enum ksr_addr_class are public (ksymres.h). */

#define KSR_REASON_MAX 256
#define KSR_MODULE_NAME_MAX 56 /* MODULE_NAME_LEN */

struct ksr_decision {
	enum ksr_status status;
	uint32_t btf_id;              /* kernel VAR or FUNC id (var/func, resolved or unloadable) */
	uint64_t addr;                /* typeless: the address (0 when weak_unresolved) */
	enum ksr_addr_class addr_class;
	char reason[KSR_REASON_MAX];  /* empty when resolved */
	char note[KSR_REASON_MAX];    /* what could not be checked offline; may be empty */
	/* the kernel module whose BTF has it ("" = vmlinux), and its index in
	 * the profile's module table (typed externs, resolved or unloadable) */
	char module[KSR_MODULE_NAME_MAX];
	uint32_t mod_idx;
};

/* Decides one extern. obj supplies the local BTF and the license. */
void ksr_resolve__extern(const struct ksr_object *obj, const struct ksr_extern *ext,
			 const struct ksr_profile *prof, struct ksr_decision *d);
/* ksr_status_ok() and ksr_status_str() are public (ksymres.h). */
/* The kernel's license_is_gpl_compatible(). */
bool ksr_license_gpl_compatible(const char *license);
/* major*256 + minor from a release string like "6.1.0-27-cloud-amd64"; 0 if unknown. */
unsigned int ksr_release_version(const char *release);

/* Decides every extern of obj against prof into a new array (free()).
 * Returns 1 when all may run, 0 when not, -1 on allocation failure. */
int ksr_decide_all(const struct ksr_object *obj, const struct ksr_profile *prof,
		   struct ksr_decision **out);

#endif
