// SPDX-License-Identifier: BSD-2-Clause
/* core/relocs.c: the relocation tables and the instructions they point at.
 * A non-zero immediate on an extern ld_imm64 is kept and flagged; every
 * corrupted relocation entry, REL section header or relocated instruction
 * must fail with -EBADMSG and a message naming the section and entry. */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include "btf.h"
#include "error.h"
#include "object.h"
#include "raw_elf.h"
#include "testutil.h"

/* A non-zero immediate on an extern ld_imm64 (clang leaves both halves 0;
 * libbpf overwrites them without looking) is kept and flagged. */
static void test_imm_warning(void **state)
{
	size_t len;
	uint8_t *d = load_obj("typeless", &len);
	struct ksr_object *obj;
	const struct ksr_extern *e;
	struct raw r;

	raw_init(&r, d, len);
	put32(&r, raw_site(&r, "tc", "bpf_prog_put") + 4, 0x1234);
	obj = open_ok(d, len);
	e = ksr_object__extern(obj, 0);
	assert_int_equal(ksr_object__imm_warn_cnt(obj), 1);
	assert_int_equal(ksr_object__site_info(obj, &e->sites[0])->flags, KSR_SITE_F_IMM_NONZERO);
	ksr_object__free(obj);
	free(d);
}

/* ---- corrupted copies ---------------------------------------------- */

static void m_rel_sym999(struct raw *r, size_t *l)
{
	put64(r, first_rel(r, "tc", NULL) + 8, ELF64_R_INFO(999, 1));
}

static void m_rel_sym0(struct raw *r, size_t *l) { put64(r, first_rel(r, "tc", NULL) + 8, ELF64_R_INFO(0, 1)); }

static void m_rel_type(struct raw *r, size_t *l)
{
	size_t o = first_rel(r, "tc", NULL);
	uint64_t info;

	memcpy(&info, r->d + o + 8, 8);
	put64(r, o + 8, ELF64_R_INFO(ELF64_R_SYM(info), 7));
}

static void m_rel_unaligned(struct raw *r, size_t *l)
{
	uint64_t off;
	size_t o = raw_rel(r, "tc", NULL, &off);

	put64(r, o, off + 4);
}

static void m_rel_past(struct raw *r, size_t *l) { put64(r, first_rel(r, "tc", NULL), 0x100000); }

static void m_rel_hi(struct raw *r, size_t *l)
{
	uint64_t off;
	size_t o = raw_rel(r, "tc", "bpf_prog_put", &off);

	put64(r, o, off + 8);
}

static void m_rel_dup(struct raw *r, size_t *l)
{
	uint64_t off;
	size_t o = raw_rel(r, "tc", NULL, &off);

	put64(r, o + 16, off);
}

static void m_rel_link(struct raw *r, size_t *l) { set_shdr(r, ".reltc", SH(sh_link), 1, 4); }

static void m_rel_info(struct raw *r, size_t *l) { set_shdr(r, ".reltc", SH(sh_info), r->symtab, 4); }

static void m_rel_info_self(struct raw *r, size_t *l)
{
	set_shdr(r, ".reltc", SH(sh_info), (uint64_t)raw_sec(r, ".reltc"), 4);
}

static void m_rel_name(struct raw *r, size_t *l)
{
	set_shdr(r, ".reltc", SH(sh_info), (uint64_t)raw_sec(r, "license"), 4);
}

static void m_rel_entsize(struct raw *r, size_t *l) { set_shdr(r, ".reltc", SH(sh_entsize), 24, 8); }

static void m_rel_data_oob(struct raw *r, size_t *l) { put64(r, first_rel(r, ".data", NULL), 0x1000); }

static void m_rel_data_overlap(struct raw *r, size_t *l)
{
	/* .rel.BTF: two ABS32 fields 2 bytes apart */
	uint64_t off;
	size_t o = raw_rel(r, ".BTF", NULL, &off);

	put64(r, o + 16, off + 2);
}

static void m_ld_truncated(struct raw *r, size_t *l)
{
	const Elf64_Shdr *s = &r->sh[raw_sec(r, "tc")];

	r->d[s->sh_offset + s->sh_size - 8] = 0x18;
}

static void m_call_src(struct raw *r, size_t *l) { r->d[raw_site(r, "syscall", "bpf_task_from_pid") + 1] = 0x20; }

static void m_call_imm(struct raw *r, size_t *l) { put32(r, raw_site(r, "syscall", "bpf_task_from_pid") + 4, 5); }

static void m_call_dst(struct raw *r, size_t *l) { r->d[raw_site(r, "syscall", "bpf_task_from_pid") + 1] = 0x11; }

static void m_ld_src(struct raw *r, size_t *l) { r->d[raw_site(r, "tc", "bpf_prog_put") + 1] |= 0x30; }

static void m_ld_hi(struct raw *r, size_t *l) { r->d[raw_site(r, "tc", "bpf_prog_put") + 8] = 0x18; }

static void m_ld_hi_regs(struct raw *r, size_t *l) { r->d[raw_site(r, "tc", "bpf_prog_put") + 9] = 0x01; }

static void m_ld_off(struct raw *r, size_t *l) { put16(r, raw_site(r, "tc", "bpf_prog_put") + 2, 1); }

static void m_opcode(struct raw *r, size_t *l) { r->d[raw_site(r, "tc", "bpf_prog_put")] = 0xb7; }

static void m_abs_sym(struct raw *r, size_t *l)
{
	unsigned int file = 0;

	for (unsigned int i = 1; i < raw_symcnt(r); i++) {
		if (ELF64_ST_TYPE(raw_sym(r, i).st_info) == STT_FILE)
			file = i;
	}
	assert_true(file != 0);
	put64(r, first_rel(r, "tc", NULL) + 8, ELF64_R_INFO(file, 1));
}

static void m_subcall_target(struct raw *r, size_t *l)
{
	put32(r, raw_site(r, "tc", ".text") + 4, 100);
}

static void m_subcall_src(struct raw *r, size_t *l) { r->d[raw_site(r, "tc", ".text") + 1] = 0x00; }

static const struct bad_case bad_cases[] = {
	{ "rel symbol 999", "typeless", m_rel_sym999, ".reltc: entry 0: symbol index 999 out of range", NULL },
	{ "rel symbol 0", "typeless", m_rel_sym0, ".reltc: entry 0: symbol index 0 out of range", NULL },
	{ "rel type", "typeless", m_rel_type, ".reltc: entry 0: relocation type 7", NULL },
	{ "rel unaligned", "typeless", m_rel_unaligned, ".reltc: entry 0: offset", NULL },
	{ "rel past section", "typeless", m_rel_past, ".reltc: entry 0: offset 0x100000", NULL },
	{ "rel into ld_imm64 high half", "typeless", m_rel_hi, "second half of an ld_imm64", NULL },
	{ "rel duplicate offset", "weak", m_rel_dup, ".reltc: entry 1: second relocation", NULL },
	{ "rel sh_link", "typeless", m_rel_link, ".reltc: sh_link", NULL },
	{ "rel sh_info", "typeless", m_rel_info, ".reltc: target '.symtab'", NULL },
	{ "rel sh_info self", "typeless", m_rel_info_self, ".reltc: sh_info", NULL },
	{ "rel name", "typeless", m_rel_name, ".reltc: name does not match its target 'license'", NULL },
	{ "rel entsize", "typeless", m_rel_entsize, ".reltc: sh_entsize 24", NULL },
	{ "rel data bounds", "maps_data", m_rel_data_oob, ".rel.data: entry 0: offset 0x1000", NULL },
	{ "rel data overlap", "typeless", m_rel_data_overlap, ".rel.BTF: entry", NULL },
	{ "ld_imm64 cut off", "typeless", m_ld_truncated, "tc: ld_imm64 at offset", NULL },
	{ "extern call src_reg", "kfuncs", m_call_src, "is not 'call -1'", NULL },
	{ "extern call imm", "kfuncs", m_call_imm, "is not 'call -1'", NULL },
	{ "extern call dst_reg", "kfuncs", m_call_dst, "is not 'call -1'", NULL },
	{ "extern ld src_reg", "typeless", m_ld_src, "has pre-set src_reg 3", NULL },
	{ "extern ld second half", "typeless", m_ld_hi, "non-canonical second half", NULL },
	{ "extern ld second regs", "typeless", m_ld_hi_regs, "non-canonical second half", NULL },
	{ "extern ld off", "typeless", m_ld_off, "reserved offset", NULL },
	{ "relocated mov", "typeless", m_opcode, "opcode 0xb7", NULL },
	{ "rel against ABS", "typeless", m_abs_sym, "special section 0xfff1", NULL },
	{ "subprogram call target", "shared_sub", m_subcall_target, "starts no subprogram", NULL },
	{ "subprogram call src_reg", "shared_sub", m_subcall_src, "not BPF_PSEUDO_CALL", NULL },
};

static void test_malformed(void **state)
{
	expect_bad_cases(bad_cases, sizeof(bad_cases) / sizeof(bad_cases[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imm_warning),
		cmocka_unit_test(test_malformed),
	};

	require_bpf_objects();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
