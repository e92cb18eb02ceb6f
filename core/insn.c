// SPDX-License-Identifier: BSD-2-Clause
#include <string.h>

#include "insn.h"

struct ksr_insn ksr_insn__decode(const uint8_t slot[KSR_BPF_INSN_SZ])
{
	struct ksr_insn i;

	i.code = slot[0];
	i.dst = slot[1] & 0x0f;
	i.src = (uint8_t)(slot[1] >> 4);
	memcpy(&i.off, slot + 2, 2);
	memcpy(&i.imm, slot + 4, 4);
	return i;
}

static void put_imm(uint8_t *slot, uint32_t imm)
{
	memcpy(slot + 4, &imm, 4);
}

static void put_src(uint8_t *slot, uint8_t src)
{
	slot[1] = (uint8_t)((slot[1] & 0x0f) | (src << 4));
}

void ksr_insn__encode_site(uint8_t *p, enum ksr_site_insn insn, enum ksr_manifest_value kind,
			   uint64_t value)
{
	bool btf_id = kind == KSR_MV_BTF_ID;

	if (insn == KSR_SITE_CALL) {
		int16_t zero = 0;

		p[0] = KSR_INSN_CALL;
		p[1] = btf_id ? BPF_PSEUDO_KFUNC_CALL << 4 : 0;
		memcpy(p + 2, &zero, 2);
		put_imm(p, (uint32_t)value);
		return;
	}
	put_src(p, btf_id ? BPF_PSEUDO_BTF_ID : 0);
	put_imm(p, (uint32_t)value);
	put_imm(p + KSR_BPF_INSN_SZ, (uint32_t)(value >> 32));
}

/* A module extern's site as the compiler wrote it (relocs.c checked it so
 * at open): "call -1", or an ld_imm64 with src_reg 0 and a plain second slot. */
static const char *check_unbound(const uint8_t *p, enum ksr_site_insn insn)
{
	struct ksr_insn a = ksr_insn__decode(p), b;

	if (insn == KSR_SITE_CALL)
		return a.code != KSR_INSN_CALL || a.dst || a.src != BPF_PSEUDO_CALL || a.off ||
		       a.imm != -1 ? "module extern's call is not the compiler's 'call -1'" : NULL;
	b = ksr_insn__decode(p + KSR_BPF_INSN_SZ);
	return a.code != KSR_INSN_LD_IMM64 || a.src || a.off || b.code || b.dst || b.src || b.off ?
	       "module extern's ld_imm64 is not as the compiler wrote it" : NULL;
}

void ksr_insn__bind_module(uint8_t *p, enum ksr_site_insn insn, uint32_t btf_id, int16_t fd_idx,
			   int32_t fd)
{
	if (insn == KSR_SITE_CALL) {
		p[1] = BPF_PSEUDO_KFUNC_CALL << 4;
		memcpy(p + 2, &fd_idx, 2);
		put_imm(p, btf_id);
		return;
	}
	put_src(p, BPF_PSEUDO_BTF_ID);
	put_imm(p, btf_id);
	put_imm(p + KSR_BPF_INSN_SZ, (uint32_t)fd);
}

const char *ksr_insn__check_site(const uint8_t *p, enum ksr_site_insn insn,
				 enum ksr_manifest_value kind, uint64_t value)
{
	struct ksr_insn a = ksr_insn__decode(p), b;
	bool btf_id = kind == KSR_MV_BTF_ID;

	if (kind == KSR_MV_MODULE)
		return check_unbound(p, insn);
	if (insn == KSR_SITE_CALL) {
		uint8_t src = btf_id ? BPF_PSEUDO_KFUNC_CALL : 0;

		if (a.code != KSR_INSN_CALL || a.dst != 0 || a.src != src || a.off != 0)
			return "instruction is not the recorded call";
		if ((uint32_t)a.imm != (uint32_t)value)
			return "call immediate differs from the recorded value";
		return NULL;
	}
	b = ksr_insn__decode(p + KSR_BPF_INSN_SZ);
	if (a.code != KSR_INSN_LD_IMM64 || a.src != (btf_id ? BPF_PSEUDO_BTF_ID : 0) || a.off != 0 ||
	    b.code != 0 || b.dst != 0 || b.src != 0 || b.off != 0)
		return "instruction is not the recorded ld_imm64";
	if (((uint64_t)(uint32_t)b.imm << 32 | (uint32_t)a.imm) != value)
		return "ld_imm64 value differs from the recorded value";
	return NULL;
}
