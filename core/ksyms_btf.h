/* SPDX-License-Identifier: BSD-2-Clause */
/* The object's BTF as libbpf's extern collection leaves it (the .ksyms
 * DATASEC rewrite), and a check that the result will pass the kernel's BTF
 * checker once libbpf has applied its own load-time fixups. */
#ifndef KSR_KSYMS_BTF_H
#define KSR_KSYMS_BTF_H

#include "buf.h"
#include "ksymres/ksymres.h"

#define KSR_DUMMY_KSYM "dummy_ksym"

/* Appends the rewritten .BTF blob of obj to out:
 *  - a VAR "dummy_ksym" (GLOBAL_ALLOCATED, 32-bit int) when .ksyms lists a FUNC;
 *  - .ksyms FUNC entries point at it, FUNCs become GLOBAL, their unnamed
 *    non-void prototype parameters are named "dummy_ksym";
 *  - .ksyms VARs become GLOBAL_ALLOCATED with the int type;
 *  - entries get 4-byte slots at 4*i and the DATASEC size 4*vlen.
 * Existing type ids and string offsets are unchanged (new data is appended). */
int ksr_ksyms_btf__rewrite(const struct ksr_object *obj, struct ksr_buf *out);
/* The same, except that the .ksyms entries named in keep (module externs,
 * left for libbpf) stay as the compiler wrote them and are then the only
 * entries of .ksyms: the others are rewritten and leave it. */
int ksr_ksyms_btf__rewrite_keep(const struct ksr_object *obj, const char *const *keep,
				size_t keep_cnt, struct ksr_buf *out);

/* Applies libbpf's load-time DATASEC fixups (sizes from ELF sections, VAR
 * offsets from symbols, the .kconfig layout, sorted entries) to a copy of
 * blob and validates it with the kernel-mode rules. */
int ksr_ksyms_btf__check_loadable(const struct ksr_object *obj, const void *blob, size_t len);

#endif
