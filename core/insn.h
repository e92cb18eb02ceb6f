/* SPDX-License-Identifier: BSD-2-Clause */
/* BPF instructions as ksymres reads and writes them: the two an extern site
 * can be (ld_imm64 and call), their pseudo source registers (linux/bpf.h),
 * and the one encoding of a site's value into them, which the patcher
 * writes, the live loader verifies and --reresolve rewrites. */
#ifndef KSR_INSN_H
#define KSR_INSN_H

#include <linux/bpf.h>
#include <stdint.h>

#include "ksymres/ksymres.h"
#include "manifest.h"

#define KSR_BPF_INSN_SZ 8u
#define KSR_INSN_LD_IMM64 (BPF_LD | BPF_IMM | BPF_DW)   /* 0x18, two slots */
#define KSR_INSN_CALL (BPF_JMP | BPF_CALL)              /* 0x85 */

/* libbpf's POISON_CALL_KFUNC_BASE: unresolved weak kfunc calls become calls
 * to the non-existent helper 2002000000 + extern index. */
#define KSR_POISON_CALL_KFUNC_BASE 2002000000

_Static_assert(sizeof(struct bpf_insn) == KSR_BPF_INSN_SZ, "one BPF instruction slot");

/* The fields of one instruction slot (little-endian BPF: dst_reg in the low
 * nibble of byte 1). */
struct ksr_insn {
	uint8_t code;
	uint8_t dst;
	uint8_t src;
	int16_t off;
	int32_t imm;
};

struct ksr_insn ksr_insn__decode(const uint8_t slot[KSR_BPF_INSN_SZ]);

/* Bytes a site covers: two slots for an ld_imm64, one for a call. */
static inline uint64_t ksr_insn__site_len(enum ksr_site_insn insn)
{
	return insn == KSR_SITE_LD64 ? 2 * KSR_BPF_INSN_SZ : KSR_BPF_INSN_SZ;
}

/* Writes value into the site at p (ksr_insn__site_len() bytes) as libbpf
 * would: a call becomes a kfunc call (KSR_MV_BTF_ID: src_reg
 * BPF_PSEUDO_KFUNC_CALL, imm = BTF id) or a helper call (KSR_MV_POISON:
 * src_reg 0, imm = value); an ld_imm64 gets src_reg BPF_PSEUDO_BTF_ID for
 * KSR_MV_BTF_ID, else 0, and the 64-bit value in its two immediates. Its
 * dst_reg and offsets are kept; the caller checks that kind fits insn. */
void ksr_insn__encode_site(uint8_t *p, enum ksr_site_insn insn, enum ksr_manifest_value kind,
			   uint64_t value);

/* KSR_MV_MODULE: NULL when the site is as the compiler wrote it. Else: NULL
 * when the bytes at p are exactly what ksr_insn__encode_site() writes
 * for (insn, kind, value) on a canonical instruction (dst_reg 0 for a call,
 * offsets 0, a plain second slot), else what differs. */
const char *ksr_insn__check_site(const uint8_t *p, enum ksr_site_insn insn,
				 enum ksr_manifest_value kind, uint64_t value);

/* Binds a module extern's site for the kernel as libbpf does: a call
 * becomes a kfunc call (src_reg BPF_PSEUDO_KFUNC_CALL, imm = the module's
 * FUNC id, off = the fd_array slot of the module's BTF); an ld_imm64 gets
 * src_reg BPF_PSEUDO_BTF_ID, imm = the id and the second imm the BTF fd. */
void ksr_insn__bind_module(uint8_t *p, enum ksr_site_insn insn, uint32_t btf_id, int16_t fd_idx,
			   int32_t fd);

#endif
