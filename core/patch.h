/* SPDX-License-Identifier: BSD-2-Clause */
/* Writes resolution decisions into a new object image: instruction
 * encodings exactly as libbpf writes them, .ksyms relocations removed,
 * extern symbols neutralised, the BTF rewritten the way libbpf's extern
 * collection does, and a manifest section listing every patched site. */
#ifndef KSR_PATCH_H
#define KSR_PATCH_H

#include "buf.h"
#include "insn.h"
#include "manifest.h"
#include "resolve.h"

/* The limits of what ksymres reads back, checked before any work: at most
 * KSR_MANIFEST_MAX_SITES extern sites (the manifest's site_cnt). Returns 0
 * or -KSR_EMALFORMED naming the limit. ksr_patch__build() checks it too,
 * and that the image stays within KSR_OBJ_MAX_SIZE. */
int ksr_patch__check_limits(const struct ksr_object *obj);

/* dec[i] is the decision for ksr_object__extern(obj, i); every one must be
 * resolved or weak_unresolved. The image is byte-for-byte deterministic,
 * re-parsed before returning, and its BTF checked with the kernel rules. */
/* kc (or NULL: .kconfig left to libbpf): the .kconfig externs' values to
 * bake (core/kconfig.h), every one set or default, in libbpf's order. */
struct ksr_kcfg_res;
struct ksr_patch_kcfg {
	const struct ksr_kcfg_res *res;
	size_t n;
	const uint8_t *data;
	size_t len;
};
int ksr_patch__build(const struct ksr_object *obj, const struct ksr_profile *prof,
		     const struct ksr_decision *dec, const struct ksr_patch_kcfg *kc,
		     struct ksr_buf *out);

/* Binds the module externs of an image resolve wrote (obj, its manifest m)
 * for loading: module i's BTF has fd fds[i] and fd_array slot i + 1; every
 * remaining .ksyms extern must be a module site m records. The sites are
 * encoded as libbpf would (ksr_insn__bind_module()), their relocations,
 * symbols and .ksyms entries go as for vmlinux externs; no manifest is
 * added (the input's stays). */
int ksr_patch__bind(const struct ksr_object *obj, const struct ksr_manifest *m,
		    const int32_t *fds, uint32_t fd_cnt, struct ksr_buf *out);

#endif
