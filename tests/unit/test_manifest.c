// SPDX-License-Identifier: BSD-2-Clause
/* Parsing the manifest section (core/manifest.c, docs/manifest-format.md):
 * a good section read back field by field, from an unaligned buffer too;
 * every truncation; bad magic and version; record counts past the end or
 * above the limit; broken string tables; name offsets out of range. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "ksymres/ksymres.h"
#include "manifest.h"

#define HDR_SZ 176u   /* version 1, which build() writes; version 2 adds 40 bytes */
#define REC_SZ 32u

/* Two records naming "bpf_prog_put" and "bpf_rcu_read_lock". */
static const char STRS[] = "\0bpf_prog_put\0bpf_rcu_read_lock";  /* + implicit NUL */
#define STRS_LEN ((uint32_t)sizeof(STRS))
#define NAME1 1u
#define NAME2 14u

struct img {
	uint8_t *buf;  /* allocation; the section starts at buf + shift */
	uint8_t *p;
	size_t len;
};

static void put_le(uint8_t *p, uint64_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Builds the section byte by byte (not through the C structs) at an offset
 * of shift bytes inside a fresh allocation. */
static void build(struct img *m, uint32_t site_cnt, uint32_t recs_present, size_t shift)
{
	size_t len = HDR_SZ + (size_t)recs_present * REC_SZ + STRS_LEN;
	uint8_t *p;

	m->buf = calloc(1, len + shift);
	assert_non_null(m->buf);
	p = m->p = m->buf + shift;
	m->len = len;
	memcpy(p, "KSRMANI", 8);
	put_le(p + 8, 1, 4);
	put_le(p + 12, site_cnt, 4);
	for (int i = 0; i < 16; i++)
		p[16 + i] = (uint8_t)(0xa0 + i);
	put_le(p + 32, 0xffffffff81000000ull, 8);
	put_le(p + 40, 6, 4);
	put_le(p + 44, STRS_LEN, 4);
	strcpy((char *)p + 48, "6.12.0-test");
	for (uint32_t i = 0; i < recs_present; i++) {
		uint8_t *r = p + HDR_SZ + i * REC_SZ;

		put_le(r, 3 + i, 4);
		put_le(r + 4, i ? NAME2 : NAME1, 4);
		put_le(r + 8, 0x10 * (i + 1), 8);
		put_le(r + 16, i ? 65470 : 0xffffffff81100000ull, 8);
		r[24] = i ? 2 : 1;                       /* FUNC, TYPELESS */
		r[25] = i ? 1 : 0;                       /* call, ld_imm64 */
		r[26] = i ? KSR_MV_BTF_ID : KSR_MV_ADDR;
		r[27] = 0;
	}
	memcpy(p + HDR_SZ + (size_t)recs_present * REC_SZ, STRS, STRS_LEN);
}

static uint8_t *strs_of(struct img *m, uint32_t recs)
{
	return m->p + HDR_SZ + (size_t)recs * REC_SZ;
}

/* The parse must fail with -EBADMSG, a message naming the section, and
 * leave nothing usable behind. */
static void bad(const struct img *m, size_t len, const char *what)
{
	struct ksr_manifest mf;
	int err;

	memset(&mf, 0x5a, sizeof(mf));
	err = ksr_manifest__parse(m->p, len, &mf);
	if (err != -KSR_EMALFORMED)
		fail_msg("%s: parse returned %d, want %d", what, err, -KSR_EMALFORMED);
	if (!strstr(ksr_errmsg(), KSR_MANIFEST_SEC))
		fail_msg("%s: message '%s' does not name the section", what, ksr_errmsg());
	if (!strstr(ksr_errmsg(), "offset"))
		fail_msg("%s: message '%s' has no offset", what, ksr_errmsg());
	assert_null(mf.strs);
	assert_int_equal(mf.strs_len, 0);
}

static void check_good(const struct img *m)
{
	struct ksr_manifest mf;
	struct ksr_manifest_site s;

	assert_int_equal(ksr_manifest__parse(m->p, m->len, &mf), 0);
	assert_memory_equal(mf.hdr.magic, "KSRMANI", 8);
	assert_int_equal(mf.hdr.version, 1);
	assert_int_equal(mf.hdr.site_cnt, 2);
	assert_int_equal(mf.hdr.identity[0], 0xa0);
	assert_int_equal(mf.hdr.identity[15], 0xaf);
	assert_int_equal(mf.hdr.text_addr, 0xffffffff81000000ull);
	assert_int_equal(mf.hdr.prof_flags, 6);
	assert_int_equal(mf.hdr.strs_len, STRS_LEN);
	assert_string_equal(mf.hdr.release, "6.12.0-test");
	assert_ptr_equal(mf.sites, m->p + HDR_SZ);
	assert_ptr_equal(mf.strs, (const char *)m->p + HDR_SZ + 2 * REC_SZ);
	assert_int_equal(mf.strs_len, STRS_LEN);

	ksr_manifest__site(&mf, 0, &s);
	assert_int_equal(s.sec_idx, 3);
	assert_int_equal(s.insn_off, 0x10);
	assert_int_equal(s.value, 0xffffffff81100000ull);
	assert_int_equal(s.extern_kind, 1);
	assert_int_equal(s.insn, 0);
	assert_int_equal(s.value_kind, KSR_MV_ADDR);
	assert_string_equal(ksr_manifest__name(&mf, &s), "bpf_prog_put");
	ksr_manifest__site(&mf, 1, &s);
	assert_int_equal(s.sec_idx, 4);
	assert_int_equal(s.insn_off, 0x20);
	assert_int_equal(s.value, 65470);
	assert_int_equal(s.value_kind, KSR_MV_BTF_ID);
	assert_string_equal(ksr_manifest__name(&mf, &s), "bpf_rcu_read_lock");
}

static void test_good(void **state)
{
	/* records are read with memcpy: any alignment of the section works */
	for (size_t shift = 0; shift < 8; shift++) {
		struct img m;

		build(&m, 2, 2, shift);
		check_good(&m);
		free(m.buf);
	}
}

static void test_no_sites(void **state)
{
	struct ksr_manifest mf;
	struct img m;

	build(&m, 0, 0, 0);
	assert_int_equal(ksr_manifest__parse(m.p, m.len, &mf), 0);
	assert_int_equal(mf.hdr.site_cnt, 0);
	assert_int_equal(mf.strs_len, STRS_LEN);
	free(m.buf);
}

static void test_name_off(void **state)
{
	struct ksr_manifest mf;
	struct ksr_manifest_site s;
	struct img m;

	build(&m, 2, 2, 1);
	assert_int_equal(ksr_manifest__parse(m.p, m.len, &mf), 0);
	ksr_manifest__site(&mf, 1, &s);
	s.name_off = 0;
	assert_string_equal(ksr_manifest__name(&mf, &s), "");
	s.name_off = STRS_LEN - 1;   /* the final NUL */
	assert_string_equal(ksr_manifest__name(&mf, &s), "");
	s.name_off = NAME2 + 4;
	assert_string_equal(ksr_manifest__name(&mf, &s), "rcu_read_lock");
	s.name_off = STRS_LEN;
	assert_null(ksr_manifest__name(&mf, &s));
	s.name_off = STRS_LEN + 1;
	assert_null(ksr_manifest__name(&mf, &s));
	s.name_off = UINT32_MAX;
	assert_null(ksr_manifest__name(&mf, &s));
	/* a record naming an offset past the table, as stored */
	put_le(m.p + HDR_SZ + 4, STRS_LEN + 100, 4);
	assert_int_equal(ksr_manifest__parse(m.p, m.len, &mf), 0);
	ksr_manifest__site(&mf, 0, &s);
	assert_null(ksr_manifest__name(&mf, &s));
	free(m.buf);
}

static void test_truncated(void **state)
{
	struct img m;

	build(&m, 2, 2, 0);
	/* every prefix: header, records or string table cut short */
	for (size_t len = 0; len < m.len; len++)
		bad(&m, len, "truncated");
	/* a NULL buffer of length 0 */
	{
		struct ksr_manifest mf;

		assert_int_equal(ksr_manifest__parse(NULL, 0, &mf), -KSR_EMALFORMED);
	}
	free(m.buf);
}

static void test_trailing_bytes(void **state)
{
	struct img m;
	uint8_t *big;

	build(&m, 2, 2, 0);
	big = calloc(1, m.len + 8);
	assert_non_null(big);
	memcpy(big, m.p, m.len);
	/* bytes after the string table are not part of any field */
	{
		struct img t = { big, big, m.len + 8 };

		bad(&t, m.len + 1, "one byte after the string table");
		bad(&t, m.len + 8, "eight bytes after the string table");
	}
	free(big);
	free(m.buf);
}

static void test_magic_version(void **state)
{
	struct img m;

	build(&m, 2, 2, 0);
	m.p[0] = 'X';
	bad(&m, m.len, "bad magic");
	m.p[0] = 'K';
	m.p[7] = '!';                     /* the magic includes its NUL */
	bad(&m, m.len, "magic without NUL");
	m.p[7] = '\0';
	check_good(&m);
	for (uint32_t v = 0; v < 4; v++) {
		if (v == 1)
			continue;
		put_le(m.p + 8, v, 4);
		bad(&m, m.len, "version");
	}
	put_le(m.p + 8, UINT32_MAX, 4);
	bad(&m, m.len, "version");
	free(m.buf);
}

static void test_site_cnt(void **state)
{
	struct img m;

	build(&m, 2, 2, 0);
	/* one more record than present: the records eat into the strings */
	put_le(m.p + 12, 3, 4);
	bad(&m, m.len, "site_cnt one past");
	/* records alone run past the end of the data */
	put_le(m.p + 12, 4, 4);
	bad(&m, m.len, "records past the end");
	put_le(m.p + 12, KSR_MANIFEST_MAX_SITES, 4);
	bad(&m, m.len, "site_cnt at the limit, data short");
	put_le(m.p + 12, KSR_MANIFEST_MAX_SITES + 1, 4);
	bad(&m, m.len, "site_cnt above the limit");
	/* 2^27 records would be exactly 2^32 bytes: no 32-bit wrap-around */
	put_le(m.p + 12, 1u << 27, 4);
	bad(&m, m.len, "site_cnt * 32 = 2^32");
	put_le(m.p + 12, UINT32_MAX, 4);
	bad(&m, m.len, "site_cnt UINT32_MAX");
	/* fewer records than present: the rest is read as strings */
	put_le(m.p + 12, 1, 4);
	bad(&m, m.len, "site_cnt one short");
	put_le(m.p + 12, 2, 4);
	check_good(&m);
	free(m.buf);
}

static void test_strings(void **state)
{
	struct img m;

	build(&m, 2, 2, 0);
	/* the last byte of the table is not a NUL */
	strs_of(&m, 2)[STRS_LEN - 1] = 'k';
	bad(&m, m.len, "unterminated string table");
	strs_of(&m, 2)[STRS_LEN - 1] = '\0';
	put_le(m.p + 44, 0, 4);
	bad(&m, m.len, "strs_len 0");
	put_le(m.p + 44, STRS_LEN - 1, 4);
	bad(&m, m.len, "strs_len one short");
	put_le(m.p + 44, STRS_LEN + 1, 4);
	bad(&m, m.len, "strs_len one past");
	put_le(m.p + 44, UINT32_MAX, 4);
	bad(&m, m.len, "strs_len UINT32_MAX");
	put_le(m.p + 44, STRS_LEN, 4);
	check_good(&m);
	free(m.buf);
}

static void test_release_field(void **state)
{
	struct img m;

	build(&m, 2, 2, 0);
	/* a release that fills all 128 bytes leaves no terminator */
	memset(m.p + 48, 'r', 128);
	bad(&m, m.len, "unterminated release");
	m.p[48 + 127] = '\0';
	{
		struct ksr_manifest mf;

		assert_int_equal(ksr_manifest__parse(m.p, m.len, &mf), 0);
		assert_int_equal(strlen(mf.hdr.release), 127);
	}
	free(m.buf);
}

/* Version 2: the version 1 header, then arch, build ID length, reserved
 * zeros and the zero-padded build ID. */
static void test_v2_build_id(void **state)
{
	struct img m;
	struct ksr_manifest mf;
	uint8_t *v2;
	size_t len;

	build(&m, 2, 2, 0);
	len = m.len + 40;
	v2 = calloc(1, len);
	assert_non_null(v2);
	memcpy(v2, m.p, HDR_SZ);
	put_le(v2 + 8, 2, 4);
	put_le(v2 + HDR_SZ, 62, 2);              /* x86_64 */
	v2[HDR_SZ + 2] = 20;
	for (int i = 0; i < 20; i++)
		v2[HDR_SZ + 8 + i] = (uint8_t)(0x10 + i);
	memcpy(v2 + HDR_SZ + 40, m.p + HDR_SZ, m.len - HDR_SZ);
	assert_int_equal(ksr_manifest__parse(v2, len, &mf), 0);
	assert_int_equal(mf.hdr.version, 2);
	assert_int_equal(mf.hdr.arch, 62);
	assert_int_equal(mf.hdr.build_id_len, 20);
	assert_int_equal(mf.hdr.build_id[19], 0x10 + 19);
	assert_int_equal(mf.hdr.site_cnt, 2);
	/* a version 1 header reads with no build ID */
	assert_int_equal(ksr_manifest__parse(m.p, m.len, &mf), 0);
	assert_int_equal(mf.hdr.build_id_len, 0);
	/* flags: bit 0 (kconfig baked) only */
	v2[HDR_SZ + 3] = 1;
	assert_int_equal(ksr_manifest__parse(v2, len, &mf), 0);
	assert_int_equal(mf.hdr.flags, KSR_MANIFEST_F_KCONFIG_BAKED);
	v2[HDR_SZ + 3] = 2;
	assert_int_equal(ksr_manifest__parse(v2, len, &mf), -KSR_EMALFORMED);
	/* reserved bytes, a length past 32, padding: refused */
	v2[HDR_SZ + 3] = 0;
	v2[HDR_SZ + 4] = 1;
	assert_int_equal(ksr_manifest__parse(v2, len, &mf), -KSR_EMALFORMED);
	v2[HDR_SZ + 4] = 0;
	v2[HDR_SZ + 2] = 33;
	assert_int_equal(ksr_manifest__parse(v2, len, &mf), -KSR_EMALFORMED);
	v2[HDR_SZ + 2] = 20;
	v2[HDR_SZ + 8 + 25] = 1;
	assert_int_equal(ksr_manifest__parse(v2, len, &mf), -KSR_EMALFORMED);
	free(v2);
	free(m.buf);
}

/* Version 3: the version 2 header with mod_cnt at 180, the records, the
 * module records (name, reserved, identity), the string table. */
static void test_v3_modules(void **state)
{
	static const char strs[] = "\0nf_conntrack\0bpf_ct_release";
	struct ksr_manifest mf;
	struct ksr_manifest_mod mod;
	struct ksr_manifest_site s;
	size_t len = HDR_SZ + 40 + REC_SZ + 24 + sizeof(strs);
	uint8_t *p = calloc(1, len), *r = p + HDR_SZ + 40, *mr = r + REC_SZ;

	(void)state;
	assert_non_null(p);
	memcpy(p, "KSRMANI", 8);
	put_le(p + 8, 3, 4);
	put_le(p + 12, 1, 4);
	put_le(p + 44, sizeof(strs), 4);
	strcpy((char *)p + 48, "6.12.0-test");
	put_le(p + HDR_SZ + 4, 1, 4);                /* mod_cnt */
	put_le(r, 3, 4);
	put_le(r + 4, 14, 4);                        /* bpf_ct_release */
	put_le(r + 16, 125000, 8);
	r[24] = KSR_EXTERN_FUNC;
	r[25] = KSR_SITE_CALL;
	r[26] = KSR_MV_MODULE;
	put_le(mr, 1, 4);                            /* nf_conntrack */
	memset(mr + 8, 0xab, 16);
	memcpy(mr + 24, strs, sizeof(strs));
	assert_int_equal(ksr_manifest__parse(p, len, &mf), 0);
	assert_int_equal(mf.hdr.version, 3);
	assert_int_equal(mf.hdr.mod_cnt, 1);
	ksr_manifest__site(&mf, 0, &s);
	assert_int_equal(s.value_kind, KSR_MV_MODULE);
	assert_int_equal(s.value, 125000);
	assert_int_equal(s.module, 0);
	assert_string_equal(ksr_manifest__name(&mf, &s), "bpf_ct_release");
	ksr_manifest__mod(&mf, 0, &mod);
	assert_string_equal(ksr_manifest__mod_name(&mf, &mod), "nf_conntrack");
	assert_int_equal(mod.identity[15], 0xab);
	/* a module name that could leave /sys/kernel/btf, reserved bits, an
	 * empty name, records past the end, mod_cnt in version 2: refused */
	mr[24 + 3] = '/';
	assert_int_equal(ksr_manifest__parse(p, len, &mf), -KSR_EMALFORMED);
	mr[24 + 3] = '_';
	put_le(mr + 4, 1, 4);
	assert_int_equal(ksr_manifest__parse(p, len, &mf), -KSR_EMALFORMED);
	put_le(mr + 4, 0, 4);
	put_le(mr, 0, 4);
	assert_int_equal(ksr_manifest__parse(p, len, &mf), -KSR_EMALFORMED);
	put_le(mr, 1, 4);
	put_le(p + HDR_SZ + 4, 40, 4);
	assert_int_equal(ksr_manifest__parse(p, len, &mf), -KSR_EMALFORMED);
	put_le(p + HDR_SZ + 4, 1, 4);
	put_le(p + 8, 2, 4);
	assert_int_equal(ksr_manifest__parse(p, len, &mf), -KSR_EMALFORMED);
	put_le(p + 8, 4, 4);
	assert_int_equal(ksr_manifest__parse(p, len, &mf), -KSR_EMALFORMED);
	free(p);
}

/* Layout constants used above agree with the header's structs. */
static void test_layout(void **state)
{
	assert_int_equal(KSR_MANIFEST_V1_HDR, HDR_SZ);
	assert_int_equal(sizeof(struct ksr_manifest_hdr), HDR_SZ + 40);
	assert_int_equal(offsetof(struct ksr_manifest_hdr, arch), HDR_SZ);
	assert_int_equal(offsetof(struct ksr_manifest_hdr, build_id_len), HDR_SZ + 2);
	assert_int_equal(offsetof(struct ksr_manifest_hdr, build_id), HDR_SZ + 8);
	assert_int_equal(sizeof(struct ksr_manifest_site), REC_SZ);
	assert_int_equal(offsetof(struct ksr_manifest_hdr, site_cnt), 12);
	assert_int_equal(offsetof(struct ksr_manifest_hdr, text_addr), 32);
	assert_int_equal(offsetof(struct ksr_manifest_hdr, strs_len), 44);
	assert_int_equal(offsetof(struct ksr_manifest_hdr, release), 48);
	assert_int_equal(offsetof(struct ksr_manifest_site, insn_off), 8);
	assert_int_equal(offsetof(struct ksr_manifest_site, value), 16);
	assert_int_equal(offsetof(struct ksr_manifest_site, extern_kind), 24);
	assert_int_equal(offsetof(struct ksr_manifest_site, module), 28);
	assert_int_equal(offsetof(struct ksr_manifest_hdr, mod_cnt), HDR_SZ + 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_build_id),
		cmocka_unit_test(test_v3_modules),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_no_sites),
		cmocka_unit_test(test_name_off),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_magic_version),
		cmocka_unit_test(test_site_cnt),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_release_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
