// SPDX-License-Identifier: BSD-2-Clause
/* core/btf_ext.c: corrupted .BTF.ext headers, record tables and records of
 * the clang-built objects of tests/bpf must fail with -EBADMSG and a
 * message naming the table and record. Field offsets come from the copy's
 * own header; BTF type offsets from libbpf's view of .BTF (raw_elf.c). */
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

static size_t ext_off(struct raw *r) { return r->sh[raw_sec(r, ".BTF.ext")].sh_offset; }

static uint32_t ext_u32(struct raw *r, size_t off)
{
	uint32_t v;

	memcpy(&v, r->d + ext_off(r) + off, 4);
	return v;
}

static size_t ext_first_rec(struct raw *r, unsigned int which)
{
	/* header, then rec_size, then {sec_name_off, num_info}, then records */
	return ext_off(r) + ext_u32(r, 4) + ext_u32(r, 8 + 8 * which) + 4 + 8;
}

static void m_ext_magic(struct raw *r, size_t *l) { put16(r, ext_off(r), 0xbeef); }

static void m_ext_version(struct raw *r, size_t *l) { r->d[ext_off(r) + 2] = 2; }

static void m_ext_hdrlen(struct raw *r, size_t *l)
{
	put32(r, ext_off(r) + 4, (uint32_t)r->sh[raw_sec(r, ".BTF.ext")].sh_size);
}

static void m_ext_func_off(struct raw *r, size_t *l) { put32(r, ext_off(r) + 8, 2); }

static void m_ext_line_past(struct raw *r, size_t *l) { put32(r, ext_off(r) + 16, 0x100000); }

static void m_ext_recsize(struct raw *r, size_t *l)
{
	put32(r, ext_off(r) + ext_u32(r, 4) + ext_u32(r, 8), 4);
}

static void m_ext_sec_name(struct raw *r, size_t *l) { put32(r, ext_first_rec(r, 0) - 8, 0); }

static void m_ext_num_zero(struct raw *r, size_t *l) { put32(r, ext_first_rec(r, 0) - 4, 0); }

static void m_ext_num_huge(struct raw *r, size_t *l) { put32(r, ext_first_rec(r, 1) - 4, 0x40000000); }

static void m_ext_func_insn(struct raw *r, size_t *l) { put32(r, ext_first_rec(r, 0), 4); }

static void m_ext_func_type(struct raw *r, size_t *l) { put32(r, ext_first_rec(r, 0) + 4, 1); }

static void m_ext_line_insn(struct raw *r, size_t *l) { put32(r, ext_first_rec(r, 1), 0x10000); }

static void m_ext_line_str(struct raw *r, size_t *l) { put32(r, ext_first_rec(r, 1) + 4, 0xfffffff); }

static void m_ext_line_order(struct raw *r, size_t *l)
{
	put32(r, ext_first_rec(r, 1) + 16, ext_u32(r, ext_first_rec(r, 1) - ext_off(r)));
}

static void m_ext_ld_hi(struct raw *r, size_t *l)
{
	uint64_t off;

	raw_rel(r, "tc", "bpf_prog_put", &off);
	/* a line_info record aimed at the second half of the extern ld_imm64 */
	put32(r, ext_first_rec(r, 1), (uint32_t)off + 8);
}

static void m_ext_core_access(struct raw *r, size_t *l)
{
	/* kfuncs.bpf.o has CO-RE relocations (t2->pid): aim the first one's
	 * access string at "license", a string of .BTF that is not "N:N" */
	uint32_t name;

	assert_true(ext_u32(r, 4) >= 32 && ext_u32(r, 28) > 0);
	btf_type_foff(r, "license", BTF_KIND_DATASEC, &name);
	put32(r, ext_first_rec(r, 2) + 8, name);
}

static void m_ext_core_kind(struct raw *r, size_t *l) { put32(r, ext_first_rec(r, 2) + 12, 99); }

static void m_ext_no_btf(struct raw *r, size_t *l)
{
	set_shdr(r, ".BTF", SH(sh_name), r->sh[raw_sec(r, ".BTF")].sh_name + 1, 4);
	set_shdr(r, ".rel.BTF", SH(sh_type), SHT_PROGBITS, 4);
}

static const struct bad_case bad_cases[] = {
	{ ".BTF.ext magic", "typeless", m_ext_magic, ".BTF.ext: bad magic", NULL },
	{ ".BTF.ext version", "typeless", m_ext_version, ".BTF.ext: unsupported version", NULL },
	{ ".BTF.ext hdr_len", "typeless", m_ext_hdrlen, ".BTF.ext: header length", NULL },
	{ ".BTF.ext func_info off", "typeless", m_ext_func_off, ".BTF.ext: func_info: 0x2", NULL },
	{ ".BTF.ext line_info past", "typeless", m_ext_line_past, ".BTF.ext: line_info: 0x100000", NULL },
	{ ".BTF.ext rec_size", "typeless", m_ext_recsize, ".BTF.ext: func_info: invalid record size 4", NULL },
	{ ".BTF.ext sec_name_off", "typeless", m_ext_sec_name, ".BTF.ext: func_info: sec_name_off 0x0", NULL },
	{ ".BTF.ext num_info 0", "typeless", m_ext_num_zero, ".BTF.ext: func_info: 0 records", NULL },
	{ ".BTF.ext num_info huge", "typeless", m_ext_num_huge, ".BTF.ext: line_info: 1073741824 records", NULL },
	{ ".BTF.ext func insn_off", "typeless", m_ext_func_insn, "func_info: 'tc' record 0: insn_off 0x4", NULL },
	{ ".BTF.ext func type", "typeless", m_ext_func_type, "func_info: 'tc' record 0: type 1 is not a FUNC", NULL },
	{ ".BTF.ext line insn_off", "typeless", m_ext_line_insn, "line_info: 'tc' record 0: insn_off 0x10000", NULL },
	{ ".BTF.ext line string", "typeless", m_ext_line_str, "line_info: 'tc' record 0: string offset", NULL },
	{ ".BTF.ext line order", "weak", m_ext_line_order, "line_info: 'tc' record 1: insn_off 0x0 does not increase", NULL },
	{ ".BTF.ext into ld_imm64", "typeless", m_ext_ld_hi, "line_info: 'tc' record 0", NULL },
	{ ".BTF.ext core access", "kfuncs", m_ext_core_access, "core_relo: 'syscall' record 0: invalid access string", NULL },
	{ ".BTF.ext core kind", "kfuncs", m_ext_core_kind, "core_relo: 'syscall' record 0: unknown kind 99", NULL },
	{ ".BTF.ext without .BTF", "typeless", m_ext_no_btf, ".BTF.ext: present without .BTF", NULL },
};

static void test_malformed(void **state)
{
	expect_bad_cases(bad_cases, sizeof(bad_cases) / sizeof(bad_cases[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed),
	};

	require_bpf_objects();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
