// SPDX-License-Identifier: BSD-2-Clause
/* KASLR rebase and site checks of the live loader, on synthetic images:
 * slides of both signs (with a borrow across the 32-bit halves), absolute
 * and non-address sites untouched, module addresses refused, tampered
 * bytes or manifests refused before anything is written, re-encoding, and
 * finding _text in the head of kallsyms. */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "error.h"
#include "manifest.h"
#include "patch.h"
#include "rebase.h"
#include "resolve.h"

#define TEXT_SZ 96
#define SEC_CNT 3            /* null, "prog" (executable), ".data" */
#define MAX_SITES 8

/* A site to put in the manifest; the image holds its encoding. */
struct spec {
	const char *name;
	uint32_t sec;
	uint64_t off;
	uint64_t value;
	uint8_t ext_kind, insn, value_kind, addr_class;
};

struct fixture {
	uint8_t text[TEXT_SZ];
	uint8_t data[16];
	struct ksr_rebase_sec secs[SEC_CNT];
	uint8_t man_buf[1024];
	struct ksr_manifest m;
	struct spec specs[MAX_SITES];
	uint32_t n;
};

static const uint64_t KADDR = 0xffffffff81234567ull;   /* moves with KASLR */
static const uint64_t PCPU = 0x2a040;                   /* absolute per-CPU offset */

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint64_t ld64_value(const uint8_t *p)
{
	uint32_t lo, hi;

	memcpy(&lo, p + 4, 4);
	memcpy(&hi, p + 12, 4);
	return (uint64_t)hi << 32 | lo;
}

/* The encodings the patcher writes. */
static void enc_ld64(uint8_t *p, uint8_t dst, uint8_t src, uint64_t v)
{
	memset(p, 0, 16);
	p[0] = 0x18;
	p[1] = (uint8_t)(src << 4 | dst);
	put32(p + 4, (uint32_t)v);
	put32(p + 12, (uint32_t)(v >> 32));
}

static void enc_call(uint8_t *p, uint8_t src, uint32_t imm)
{
	memset(p, 0, 8);
	p[0] = 0x85;
	p[1] = (uint8_t)(src << 4);
	put32(p + 4, imm);
}

/* Writes header, records and strings for f->specs into f->man_buf. */
static void build_manifest(struct fixture *f, uint64_t text_addr)
{
	struct ksr_manifest_hdr h;
	char strs[256] = "";
	uint32_t strs_len = 1;
	size_t off = sizeof(h);

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, KSR_MANIFEST_MAGIC, sizeof(KSR_MANIFEST_MAGIC));
	h.version = KSR_MANIFEST_VERSION;
	h.site_cnt = f->n;
	h.text_addr = text_addr;
	h.prof_flags = 4;
	snprintf(h.release, sizeof(h.release), "6.18.0-test");
	for (uint32_t i = 0; i < f->n; i++) {
		struct ksr_manifest_site s = {
			.sec_idx = f->specs[i].sec, .name_off = strs_len, .insn_off = f->specs[i].off,
			.value = f->specs[i].value, .extern_kind = f->specs[i].ext_kind,
			.insn = f->specs[i].insn, .value_kind = f->specs[i].value_kind,
			.addr_class = f->specs[i].addr_class,
		};
		size_t l = strlen(f->specs[i].name) + 1;

		memcpy(strs + strs_len, f->specs[i].name, l);
		strs_len += (uint32_t)l;
		memcpy(f->man_buf + off, &s, sizeof(s));
		off += sizeof(s);
	}
	h.strs_len = strs_len;
	memcpy(f->man_buf, &h, sizeof(h));
	memcpy(f->man_buf + off, strs, strs_len);
	assert_int_equal(ksr_manifest__parse(f->man_buf, off + strs_len, &f->m), 0);
}

/* Version 3: the manifest of the fixture plus one module site, the kfunc
 * call at 88 left as the compiler wrote it ("call -1"), module nf_conntrack. */
static void build_manifest_v3(struct fixture *f)
{
	static const char mod_name[] = "nf_conntrack";
	struct ksr_manifest_hdr h;
	struct ksr_manifest_site s = { .sec_idx = 1, .insn_off = 88, .value = 125000,
				       .extern_kind = KSR_EXTERN_FUNC, .insn = KSR_SITE_CALL,
				       .value_kind = KSR_MV_MODULE };
	struct ksr_manifest_mod mod = { 0 };
	size_t recs = sizeof(h) + (size_t)f->n * sizeof(s), strs_off;
	uint32_t strs_len;

	build_manifest(f, 0xffffffff81000000ull);
	memcpy(&h, f->man_buf, sizeof(h));
	strs_off = recs;
	/* records, the new one, the module record, the strings + 2 names */
	memmove(f->man_buf + recs + sizeof(s) + sizeof(mod), f->man_buf + strs_off, h.strs_len);
	strs_len = h.strs_len;
	s.name_off = strs_len;
	memcpy(f->man_buf + recs + sizeof(s) + sizeof(mod) + strs_len, "bpf_ct_release", 15);
	strs_len += 15;
	mod.name_off = strs_len;
	memset(mod.identity, 0xab, sizeof(mod.identity));
	memcpy(f->man_buf + recs + sizeof(s) + sizeof(mod) + strs_len, mod_name, sizeof(mod_name));
	strs_len += sizeof(mod_name);
	memcpy(f->man_buf + recs, &s, sizeof(s));
	memcpy(f->man_buf + recs + sizeof(s), &mod, sizeof(mod));
	h.version = KSR_MANIFEST_VERSION_MODS;
	h.site_cnt = f->n + 1;
	h.mod_cnt = 1;
	h.strs_len = strs_len;
	memcpy(f->man_buf, &h, sizeof(h));
	enc_call(f->text + 88, 1, 0xffffffff);
	assert_int_equal(ksr_manifest__parse(f->man_buf, recs + sizeof(s) + sizeof(mod) + strs_len,
					     &f->m), 0);
}

/* Module sites: verified as left unbound, counted; once the KASLR address
 * is rebased, only ksr_rebase__verify_modules() (what binding uses) passes. */
static void test_module_sites(void **state)
{
	struct fixture *f = *state;
	struct ksr_rebase_counts c;
	uint32_t rebased;

	build_manifest_v3(f);
	assert_int_equal(ksr_rebase__verify(&f->m, f->secs, SEC_CNT, &c), 0);
	assert_int_equal(c.module, 1);
	assert_int_equal(c.btf_ids, 2);
	assert_int_equal(ksr_rebase__apply(&f->m, f->secs, SEC_CNT, 0x200000, &rebased), 0);
	assert_int_equal(rebased, 1);
	assert_int_equal(ksr_rebase__verify(&f->m, f->secs, SEC_CNT, &c), -KSR_EMALFORMED);
	assert_int_equal(ksr_rebase__verify_modules(&f->m, f->secs, SEC_CNT, &c), 0);
	assert_int_equal(c.module, 1);
	/* a bound (or altered) module call is not what the manifest says */
	enc_call(f->text + 88, 2, 125000);
	assert_int_equal(ksr_rebase__verify_modules(&f->m, f->secs, SEC_CNT, &c), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "bpf_ct_release"));
}

static void add(struct fixture *f, struct spec s)
{
	f->specs[f->n++] = s;
}

/* prog: ld64 kernel address @0, ld64 per-CPU offset @16, kfunc call @32,
 * typed var ld64 @40, poisoned call @56, weak ld64 0 @64, exit @80. */
static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	enc_ld64(f.text + 0, 1, 0, KADDR);
	enc_ld64(f.text + 16, 2, 0, PCPU);
	enc_call(f.text + 32, 2, 65470);
	enc_ld64(f.text + 40, 3, 3, 777);
	enc_call(f.text + 56, 0, KSR_POISON_CALL_KFUNC_BASE + 4);
	enc_ld64(f.text + 64, 4, 0, 0);
	f.text[80] = 0x95;
	f.secs[1] = (struct ksr_rebase_sec){ f.text, sizeof(f.text), true };
	f.secs[2] = (struct ksr_rebase_sec){ f.data, sizeof(f.data), false };
	add(&f, (struct spec){ "bpf_prog_put", 1, 0, KADDR, KSR_EXTERN_TYPELESS, KSR_SITE_LD64,
			       KSR_MV_ADDR, KSR_ADDR_KERNEL });
	add(&f, (struct spec){ "runqueues", 1, 16, PCPU, KSR_EXTERN_TYPELESS, KSR_SITE_LD64,
			       KSR_MV_ADDR, KSR_ADDR_FIXED });
	add(&f, (struct spec){ "bpf_rcu_read_lock", 1, 32, 65470, KSR_EXTERN_FUNC, KSR_SITE_CALL,
			       KSR_MV_BTF_ID, 0 });
	add(&f, (struct spec){ "bpf_prog_active", 1, 40, 777, KSR_EXTERN_VAR, KSR_SITE_LD64,
			       KSR_MV_BTF_ID, 0 });
	add(&f, (struct spec){ "ksr_no_kfunc", 1, 56, KSR_POISON_CALL_KFUNC_BASE + 4,
			       KSR_EXTERN_FUNC, KSR_SITE_CALL, KSR_MV_POISON, 0 });
	add(&f, (struct spec){ "ksr_no_sym", 1, 64, 0, KSR_EXTERN_TYPELESS, KSR_SITE_LD64,
			       KSR_MV_ZERO, 0 });
	build_manifest(&f, 0xffffffff81000000ull);
	*state = &f;
	return 0;
}

static void test_verify_counts(void **state)
{
	struct fixture *f = *state;
	struct ksr_rebase_counts c;

	assert_int_equal(ksr_rebase__verify(&f->m, f->secs, SEC_CNT, &c), 0);
	assert_int_equal(c.addr_kernel, 1);
	assert_int_equal(c.addr_fixed, 1);
	assert_int_equal(c.addr_module, 0);
	assert_int_equal(c.btf_ids, 2);
	assert_int_equal(c.poison, 1);
	assert_int_equal(c.zero, 1);
}

/* Only the kernel address moves; everything else keeps its bytes. */
static void check_slide(struct fixture *f, uint64_t live_text, uint64_t expect)
{
	uint8_t before[TEXT_SZ];
	uint64_t slide = ksr_rebase__slide(live_text, f->m.hdr.text_addr);
	uint32_t n;

	memcpy(before, f->text, sizeof(before));
	assert_int_equal(ksr_rebase__apply(&f->m, f->secs, SEC_CNT, slide, &n), 0);
	assert_int_equal(n, slide ? 1 : 0);
	assert_true(ld64_value(f->text) == expect);
	assert_int_equal(f->text[1], before[1]);                    /* dst and src_reg kept */
	assert_memory_equal(f->text + 16, before + 16, TEXT_SZ - 16); /* the rest untouched */
	assert_true(ld64_value(f->text + 16) == PCPU);
}

static void test_slide_up(void **state)
{
	check_slide(*state, 0xffffffff9a400000ull, KADDR + 0x19400000ull);
}

static void test_slide_down_borrow(void **state)
{
	struct fixture *f = *state;

	/* 0xffffffff81234567 - 0x81400000 borrows from the high half */
	check_slide(f, 0xffffffff81000000ull - 0x81400000ull, 0xfffffffeffe34567ull);
}

static void test_slide_zero(void **state)
{
	check_slide(*state, 0xffffffff81000000ull, KADDR);
}

/* Applying the manifest to an already-rebased image fails: the site no
 * longer holds the recorded value, so a second run cannot add twice. */
static void test_no_double_apply(void **state)
{
	struct fixture *f = *state;
	uint32_t n;

	assert_int_equal(ksr_rebase__apply(&f->m, f->secs, SEC_CNT, 0x200000, &n), 0);
	assert_int_equal(ksr_rebase__apply(&f->m, f->secs, SEC_CNT, 0x200000, &n), -KSR_EMALFORMED);
	assert_true(ld64_value(f->text) == KADDR + 0x200000);
}

static void test_module_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t before[TEXT_SZ];
	uint32_t n;

	f->specs[0].addr_class = KSR_ADDR_MODULE;
	build_manifest(f, 0xffffffff81000000ull);
	memcpy(before, f->text, sizeof(before));
	assert_int_equal(ksr_rebase__apply(&f->m, f->secs, SEC_CNT, 0x200000, &n),
			 -KSR_REBASE_EMODULE);
	assert_non_null(strstr(ksr_errmsg(), "module address"));
	assert_memory_equal(f->text, before, sizeof(before));
	assert_int_equal(n, 0);
}

/* Moving kernel addresses is the manifest's arch's rule: aarch64 has it
 * (the same as x86_64), riscv64 has none and nothing is written. */
static void test_arch_rule(void **state)
{
	struct fixture *f = *state;
	uint8_t before[TEXT_SZ];
	uint32_t n;

	memcpy(before, f->text, sizeof(before));
	f->m.hdr.arch = EM_RISCV;
	assert_int_equal(ksr_rebase__apply(&f->m, f->secs, SEC_CNT, 0x200000, &n), -ENOTSUP);
	assert_non_null(strstr(ksr_errmsg(), "no KASLR rule for arch riscv64"));
	assert_memory_equal(f->text, before, sizeof(before));
	assert_int_equal(n, 0);
	f->m.hdr.arch = EM_AARCH64;
	assert_int_equal(ksr_rebase__apply(&f->m, f->secs, SEC_CNT, 0x200000, &n), 0);
	assert_int_equal(n, 1);
	assert_true(ld64_value(f->text) == KADDR + 0x200000);
}

/* Any difference between bytes and manifest refuses the whole object and
 * writes nothing. */
static void expect_tamper_refused(struct fixture *f, const char *msg_part)
{
	uint8_t before[TEXT_SZ];
	uint32_t n;

	memcpy(before, f->text, sizeof(before));
	assert_int_equal(ksr_rebase__apply(&f->m, f->secs, SEC_CNT, 0x400000, &n), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), msg_part));
	assert_memory_equal(f->text, before, sizeof(before));
}

static void test_tampered_address(void **state)
{
	struct fixture *f = *state;

	put32(f->text + 4, 0x81234568);   /* one more than recorded */
	expect_tamper_refused(f, "differs from the recorded value");
}

static void test_tampered_btf_id(void **state)
{
	struct fixture *f = *state;

	put32(f->text + 36, 65471);
	expect_tamper_refused(f, "bpf_rcu_read_lock");
}

static void test_tampered_manifest_value(void **state)
{
	struct fixture *f = *state;

	f->specs[0].value = KADDR + 8;
	build_manifest(f, 0xffffffff81000000ull);
	expect_tamper_refused(f, "bpf_prog_put");
}

static void test_tampered_src_reg(void **state)
{
	struct fixture *f = *state;

	f->text[41] = 0x03;               /* typed var ld64 with src_reg 0: a plain constant */
	expect_tamper_refused(f, "not the recorded ld_imm64");
}

static void test_site_placement(void **state)
{
	struct fixture *f = *state;
	struct ksr_rebase_counts c;
	static const struct { uint32_t sec; uint64_t off; } bad[] = {
		{ 2, 0 },            /* not executable */
		{ 1, 4 },            /* misaligned */
		{ 1, TEXT_SZ - 8 },  /* ld_imm64 running past the end */
		{ 1, 1u << 20 },     /* far outside */
		{ 0, 0 },            /* section 0 */
		{ 7, 0 },            /* no such section */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setup(state);
		f = *state;
		f->specs[0].sec = bad[i].sec;
		f->specs[0].off = bad[i].off;
		build_manifest(f, 0xffffffff81000000ull);
		assert_int_equal(ksr_rebase__verify(&f->m, f->secs, SEC_CNT, &c), -KSR_EMALFORMED);
		assert_non_null(strstr(ksr_errmsg(), "executable section"));
	}
}

static void test_duplicate_site(void **state)
{
	struct fixture *f = *state;
	struct ksr_rebase_counts c;

	add(f, f->specs[0]);
	f->specs[f->n - 1].name = "bpf_prog_put_again";
	build_manifest(f, 0xffffffff81000000ull);
	assert_int_equal(ksr_rebase__verify(&f->m, f->secs, SEC_CNT, &c), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "two sites"));
}

static void test_bad_fields(void **state)
{
	struct ksr_rebase_counts c;
	struct fixture *f;

	/* an address recorded for a call */
	setup(state);
	f = *state;
	f->specs[2].value_kind = KSR_MV_ADDR;
	build_manifest(f, 0);
	assert_int_equal(ksr_rebase__verify(&f->m, f->secs, SEC_CNT, &c), -KSR_EMALFORMED);
	/* an address class on a BTF id */
	setup(state);
	f = *state;
	f->specs[3].addr_class = KSR_ADDR_FIXED;
	build_manifest(f, 0);
	assert_int_equal(ksr_rebase__verify(&f->m, f->secs, SEC_CNT, &c), -KSR_EMALFORMED);
	/* an unknown address class */
	setup(state);
	f = *state;
	f->specs[0].addr_class = 7;
	build_manifest(f, 0);
	assert_int_equal(ksr_rebase__verify(&f->m, f->secs, SEC_CNT, &c), -KSR_EMALFORMED);
	/* a poisoned call below libbpf's base */
	setup(state);
	f = *state;
	f->specs[4].value = 12;
	put32(f->text + 60, 12);
	build_manifest(f, 0);
	assert_int_equal(ksr_rebase__verify(&f->m, f->secs, SEC_CNT, &c), -KSR_EMALFORMED);
	/* a typed var holding an address */
	setup(state);
	f = *state;
	f->specs[3].value_kind = KSR_MV_ADDR;
	build_manifest(f, 0);
	assert_int_equal(ksr_rebase__verify(&f->m, f->secs, SEC_CNT, &c), -KSR_EMALFORMED);
}

/* --reresolve re-encodes sites; the result is what a manifest with the new
 * values describes. */
static void test_encode(void **state)
{
	struct fixture *f = *state;
	struct ksr_manifest_site s[MAX_SITES];
	struct ksr_rebase_counts c;

	for (uint32_t i = 0; i < f->n; i++)
		ksr_manifest__site(&f->m, i, &s[i]);
	assert_int_equal(ksr_rebase__encode(f->secs, SEC_CNT, &s[0], KSR_MV_ADDR, 0xffffffffc0001000ull), 0);
	assert_int_equal(ksr_rebase__encode(f->secs, SEC_CNT, &s[2], KSR_MV_POISON,
					    KSR_POISON_CALL_KFUNC_BASE + 1), 0);
	assert_int_equal(ksr_rebase__encode(f->secs, SEC_CNT, &s[4], KSR_MV_BTF_ID, 4242), 0);
	assert_int_equal(ksr_rebase__encode(f->secs, SEC_CNT, &s[3], KSR_MV_ZERO, 0), 0);
	assert_int_equal(ksr_rebase__encode(f->secs, SEC_CNT, &s[5], KSR_MV_ADDR, 0xffffffff81000010ull), 0);
	/* combinations an instruction cannot hold */
	assert_int_equal(ksr_rebase__encode(f->secs, SEC_CNT, &s[2], KSR_MV_ADDR, 1), -EINVAL);
	assert_int_equal(ksr_rebase__encode(f->secs, SEC_CNT, &s[0], KSR_MV_POISON,
					    KSR_POISON_CALL_KFUNC_BASE), -EINVAL);
	assert_int_equal(ksr_rebase__encode(f->secs, SEC_CNT, &s[3], KSR_MV_BTF_ID, 0), -EINVAL);
	assert_int_equal(ksr_rebase__encode(f->secs, SEC_CNT, &s[3], KSR_MV_ZERO, 5), -EINVAL);

	f->specs[0].value = 0xffffffffc0001000ull;
	f->specs[0].addr_class = KSR_ADDR_MODULE;
	f->specs[2].value_kind = KSR_MV_POISON;
	f->specs[2].value = KSR_POISON_CALL_KFUNC_BASE + 1;
	f->specs[4].value_kind = KSR_MV_BTF_ID;
	f->specs[4].value = 4242;
	f->specs[3].value_kind = KSR_MV_ZERO;
	f->specs[3].value = 0;
	f->specs[5].value_kind = KSR_MV_ADDR;
	f->specs[5].value = 0xffffffff81000010ull;
	build_manifest(f, 0);
	assert_int_equal(ksr_rebase__verify(&f->m, f->secs, SEC_CNT, &c), 0);
	assert_int_equal(c.addr_module, 1);
	assert_int_equal(c.addr_kernel, 1);
	assert_int_equal(c.poison, 1);
	assert_int_equal(f->text[33], 0x00);   /* the kfunc call became a helper call */
	assert_int_equal(f->text[57], 0x20);   /* and the poisoned call a kfunc call */
	assert_int_equal(f->text[41], 0x03);   /* src_reg cleared, dst kept */
}

static void test_empty_manifest(void **state)
{
	struct fixture *f = *state;
	struct ksr_rebase_counts c;
	uint32_t n;

	f->n = 0;
	build_manifest(f, 0);
	assert_int_equal(ksr_rebase__verify(&f->m, f->secs, SEC_CNT, &c), 0);
	assert_int_equal(ksr_rebase__apply(&f->m, f->secs, SEC_CNT, 0x200000, &n), 0);
	assert_int_equal(n, 0);
}

/* ---- _text in kallsyms text ---------------------------------------------- */

static void test_scan_text(void **state)
{
	static const char head[] =
		"ffffffff81000000 T srso_alias_untrain_ret\n"
		"ffffffff81000000 T _stext\n"
		"ffffffffc0a00000 t _text\t[fake]\n"
		"ffffffff81000000 T _text\n"
		"ffffffff81000010 T next\n";
	uint64_t addr = 0;
	size_t used;

	assert_int_equal(ksr_rebase__scan_text(head, sizeof(head) - 1, 0, &addr, &used), 1);
	assert_true(addr == 0xffffffff81000000ull);
	assert_int_equal(used, strstr(head, "ffffffff81000010") - head);
	/* a trailing partial line is left for the next read */
	assert_int_equal(ksr_rebase__scan_text(head, 50, 0, &addr, &used), 0);
	assert_int_equal(used, strlen("ffffffff81000000 T srso_alias_untrain_ret\n"));
	/* the module line does not count */
	assert_int_equal(ksr_rebase__scan_text(head, 97, 0, &addr, &used), 0);
	/* restricted: found, and zero (the caller refuses it) */
	assert_int_equal(ksr_rebase__scan_text("0000000000000000 T _text\n", 25, 0, &addr, &used), 1);
	assert_true(addr == 0);
	/* malformed lines */
	assert_int_equal(ksr_rebase__scan_text("xyz T _text\n", 12, 0x40, &addr, &used), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "offset 0x40"));
	assert_int_equal(ksr_rebase__scan_text("ffff  _text\n", 12, 0, &addr, &used), -KSR_EMALFORMED);
	assert_int_equal(ksr_rebase__scan_text("11112222333344445 T _text\n", 26, 0, &addr, &used),
			 -KSR_EMALFORMED);
	assert_int_equal(ksr_rebase__scan_text("ffff T\n", 7, 0, &addr, &used), -KSR_EMALFORMED);
	/* the grammar of every kallsyms reader: the looser one it replaced took
	 * these as _text at 0xffff, or skipped them */
	assert_int_equal(ksr_rebase__scan_text("ffff T _text\n", 13, 0, &addr, &used), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "kallsyms: line 1, column 1: address: 4 hex digits"));
	assert_int_equal(ksr_rebase__scan_text("ffffffff81000000 T x \n", 22, 0x80, &addr, &used),
			 -KSR_EMALFORMED);
	assert_string_equal(ksr_errmsg(),
			    "kallsyms: column 21: extra field after the name (offset 0x94)");
	assert_int_equal(ksr_rebase__scan_text("ffffffff81000000 T x\n81000000 T _text\n", 39, 0,
					       &addr, &used), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "line 2, column 1: address: 8 hex digits, but earlier"));
	assert_int_equal(used, 21);
}

static void test_slide_arith(void **state)
{
	assert_true(ksr_rebase__slide(0xffffffff9a400000ull, 0xffffffff81000000ull) == 0x19400000ull);
	assert_true(ksr_rebase__slide(0xffffffff81000000ull, 0xffffffff81200000ull) ==
		    (uint64_t)-0x200000ll);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_verify_counts, setup),
		cmocka_unit_test_setup(test_module_sites, setup),
		cmocka_unit_test_setup(test_slide_up, setup),
		cmocka_unit_test_setup(test_slide_down_borrow, setup),
		cmocka_unit_test_setup(test_slide_zero, setup),
		cmocka_unit_test_setup(test_no_double_apply, setup),
		cmocka_unit_test_setup(test_module_refused, setup),
		cmocka_unit_test_setup(test_arch_rule, setup),
		cmocka_unit_test_setup(test_tampered_address, setup),
		cmocka_unit_test_setup(test_tampered_btf_id, setup),
		cmocka_unit_test_setup(test_tampered_manifest_value, setup),
		cmocka_unit_test_setup(test_tampered_src_reg, setup),
		cmocka_unit_test_setup(test_site_placement, setup),
		cmocka_unit_test_setup(test_duplicate_site, setup),
		cmocka_unit_test_setup(test_bad_fields, setup),
		cmocka_unit_test_setup(test_encode, setup),
		cmocka_unit_test_setup(test_empty_manifest, setup),
		cmocka_unit_test(test_scan_text),
		cmocka_unit_test(test_slide_arith),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
