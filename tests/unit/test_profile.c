// SPDX-License-Identifier: BSD-2-Clause
#define _GNU_SOURCE
/* Profiles (format version 2): a small profile built from fixed inputs (a
 * BTF and a kallsyms text made here), every byte of which is flipped, cut
 * or forged; a version 1 profile (tests/unit/fixtures) refused and
 * converted; then the write -> open round trip on this host's real BTF and
 * kallsyms where they can be read, and damaged or forged host profiles. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/btf.h>

#include "btf.h"
#include "btf_int.h"
#include "elfsec.h"
#include "error.h"
#include "fileio.h"
#include "hash.h"
#include "kallsyms.h"
#include "profile.h"
#include "btf_builder.h"
#include "testutil.h"

static const uint8_t MASKS[] = { 0x01, 0x80, 0xff };

/* ---- the fixed profile ------------------------------------------------------ */

/* Two kfuncs (one tagged), a plain FUNC, a per-CPU and a plain VAR. */
static void *fixed_btf(size_t *len)
{
	static const char *const arg[] = { "x" };
	uint32_t t_int, proto, pcpu, glob, sizes[1] = { 4 };
	struct bb b;
	void *blob;

	bb_init(&b);
	t_int = kb_int(&b, "int", 4, BTF_INT_SIGNED, 0, 32);
	kb_ref(&b, BTF_KIND_PTR, NULL, 0);
	proto = kb_proto(&b, t_int, 1, arg, &t_int);
	kb_kfunc_tag(&b, kb_func(&b, "ksr_fixed_kfunc", proto));
	kb_func(&b, "ksr_fixed_untagged", proto);
	kb_func(&b, "ksr_fixed_func", proto);
	pcpu = kb_var(&b, "ksr_fixed_pcpu", t_int);
	glob = kb_var(&b, "ksr_fixed_var", t_int);
	kb_datasec(&b, ".data..percpu", 1, &pcpu, sizes);
	kb_datasec(&b, ".data", 1, &glob, sizes);
	blob = bb_blob(&b, len);
	bb_free(&b);
	return blob;
}

static const char FIXED_KALLSYMS[] =
	"0000000000000000 A __per_cpu_start\n"
	"0000000000000040 A ksr_fixed_pcpu\n"
	"0000000000001000 A __per_cpu_end\n"
	"ffffffff81000000 T _text\n"
	"ffffffff81000000 T _stext\n"
	"ffffffff81100000 T ksr_fixed_kfunc\n"
	"ffffffff81100010 T ksr_fixed_untagged\n"
	"ffffffff81100020 t ksr_fixed_func\n"
	"ffffffff81100030 t ksr_fixed_func\n"
	"ffffffff81200000 D ksr_fixed_var\n"
	"ffffffff81300000 d ksr_fixed_local.llvm.12345\n"
	"ffffffffc0000000 t ksr_fixed_mod_fn\t[ksr_mod]\n";

static const uint8_t FIXED_BUILD_ID[20] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6,
					    7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const char FIXED_OPT[] = "optional bytes a reader may skip";

struct fixed {
	char path[300];
	uint8_t *img;      /* the file's bytes */
	size_t len;
	uint32_t nsec;
	size_t meta_off;
};

static struct fixed F;

static void write_fixed(void)
{
	struct ksr_profile_info info = { .release = "fixed-release", .arch = 62,
					 .build_id_len = sizeof(FIXED_BUILD_ID) };
	struct ksr_profile_writer *w;
	struct ksr_kallsyms *ks;
	struct ksr_btf *btf;
	size_t len;
	void *blob = fixed_btf(&len);
	const char *dump = getenv("KSR_DUMP_FIXED");

	memcpy(info.build_id, FIXED_BUILD_ID, sizeof(FIXED_BUILD_ID));
	if (ksr_btf__parse(blob, len, KSR_BTF_MODE_KERNEL, &btf))
		fail_msg("fixed BTF rejected: %s", ksr_errmsg());
	if (ksr_kallsyms__parse(FIXED_KALLSYMS, strlen(FIXED_KALLSYMS), &ks))
		fail_msg("fixed kallsyms rejected: %s", ksr_errmsg());
	if (ksr_profile__write_begin(F.path, btf, &w) ||
	    ksr_profile__write_kallsyms(w, ks, &info) ||
	    ksr_profile__write_section(w, ".ksr.opt.test", FIXED_OPT, sizeof(FIXED_OPT)) ||
	    ksr_profile__write_commit(w))
		fail_msg("write: %s", ksr_errmsg());
	if (dump) {
		/* the inputs, for making tests/unit/fixtures with another build */
		char p[512];
		FILE *f;

		snprintf(p, sizeof(p), "%s/fixed.btf", dump);
		assert_non_null(f = fopen(p, "wb"));
		fwrite(blob, 1, len, f);
		fclose(f);
		snprintf(p, sizeof(p), "%s/fixed.kallsyms", dump);
		assert_non_null(f = fopen(p, "wb"));
		fputs(FIXED_KALLSYMS, f);
		fclose(f);
	}
	ksr_btf__free(btf);
	ksr_kallsyms__free(ks);
	free(blob);
	F.img = tu_read_file(F.path, &F.len);
	assert_non_null(F.img);
	F.nsec = *(const uint16_t *)(F.img + offsetof(Elf64_Ehdr, e_shnum));
	F.meta_off = 64 + F.nsec * 64;
}

/* ---- this host's profile, where it can be read ---------------------------------- */

struct host {
	void *btf_data, *ks_text;
	size_t btf_len, ks_len;
	struct ksr_btf *btf;
	struct ksr_kallsyms *ks;
	char path[256];
	const char *why_not;   /* set when the host's files cannot be read */
};

static struct host H;

static void setup_host(const char *work)
{
	struct ksr_profile_info info = { .release = "test-release" };

	if (ksr_read_file("/sys/kernel/btf/vmlinux", KSR_MAX_INPUT, &H.btf_data, &H.btf_len)) {
		H.why_not = "/sys/kernel/btf/vmlinux not readable";
		return;
	}
	if (ksr_read_file("/proc/kallsyms", KSR_MAX_INPUT, &H.ks_text, &H.ks_len)) {
		H.why_not = "/proc/kallsyms not readable";
		return;
	}
	if (ksr_btf__parse(H.btf_data, H.btf_len, KSR_BTF_MODE_KERNEL, &H.btf))
		fail_msg("host BTF rejected: %s", ksr_errmsg());
	if (ksr_kallsyms__parse(H.ks_text, H.ks_len, &H.ks)) {
		H.why_not = "/proc/kallsyms restricted or unparsable (needs root)";
		return;
	}
	snprintf(H.path, sizeof(H.path), "%s/test_profile.%d.profile", work, (int)getpid());
	if (ksr_profile__write(H.path, H.btf, H.ks, &info))
		fail_msg("write: %s", ksr_errmsg());
}

/* A host test on a machine without the host's files: skipped, saying why. */
static void need_host(void)
{
	if (H.why_not) {
		print_message("SKIPPED: %s\n", H.why_not);
		skip();
	}
}

static int setup(void **state)
{
	const char *work = getenv("KSR_WORK") ? getenv("KSR_WORK") : "/tmp";

	snprintf(F.path, sizeof(F.path), "%s/test_profile.%d.fixed.profile", work, (int)getpid());
	write_fixed();
	setup_host(work);
	return 0;
}

static int teardown(void **state)
{
	unlink(F.path);
	free(F.img);
	if (!H.why_not)
		unlink(H.path);
	ksr_btf__free(H.btf);
	ksr_kallsyms__free(H.ks);
	free(H.btf_data);
	free(H.ks_text);
	return 0;
}

/* ---- helpers ------------------------------------------------------------------ */

static void put_image(const char *path, const void *img, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(img, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Every lookup a resolver can make, over every type, name and symbol, and
 * the bytes of the optional sections: the profile's read error after it
 * (0 when every block read was intact). */
static int touch_all(const struct ksr_profile *p)
{
	const struct ksr_btf *btf = ksr_profile__btf(p);
	const struct ksr_kallsyms *ks = ksr_profile__kallsyms(p);
	char key[KSR_KSYM_NAME_MAX + 1];
	uint32_t n = ksr_btf__type_cnt(btf), first, cnt;

	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = ksr_btf__type_by_id(btf, id);
		const char *name = t ? ksr_btf__str(btf, t->name_off) : NULL;

		if (name && *name)
			ksr_btf__find(btf, name, BTF_INFO_KIND(t->info));
	}
	n = ksr_kallsyms__count(ks);
	for (uint32_t i = 0; i < n; i++) {
		const struct ksr_ksym *s = ksr_kallsyms__sym(ks, i);
		const char *name = s ? ksr_kallsyms__str(ks, s->name_off) : NULL;

		if (!name)
			continue;
		ksr_kallsyms__str(ks, s->mod_off);
		snprintf(key, sizeof(key), "%.*s", (int)s->key_len, name);
		ksr_kallsyms__lookup(ks, key, &first, &cnt);
	}
	ksr_kallsyms__lookup(ks, "ksr_no_such_symbol", &first, &cnt);
	for (uint32_t i = 0; i < ksr_profile__optional_cnt(p); i++) {
		struct ksr_span sp;

		ksr_profile__optional(p, i, &sp);
		ksr_span_get(&sp, 0, sp.len);
	}
	return ksr_profile__read_error(p);
}

enum verdict { OPENED_CLEAN, CAUGHT_AT_OPEN, CAUGHT_AT_LOOKUP, OTHER_ERROR };

/* Opens path; when it opens, touches everything. */
static enum verdict judge(const char *path)
{
	struct ksr_profile *p;
	int err = ksr_profile__open(path, &p);

	if (err)
		return err == -KSR_EMALFORMED ? CAUGHT_AT_OPEN : OTHER_ERROR;
	err = touch_all(p);
	ksr_profile__free(p);
	if (!err)
		return OPENED_CLEAN;
	return err == -KSR_EMALFORMED ? CAUGHT_AT_LOOKUP : OTHER_ERROR;
}

/* Flips the byte at off of the file at path by mask, in place, judges the
 * file and flips it back. */
static enum verdict judge_flipped(const char *path, size_t off, uint8_t mask)
{
	int fd = open(path, O_RDWR);
	uint8_t byte, flipped;
	enum verdict v;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &byte, 1, (off_t)off), 1);
	flipped = byte ^ mask;
	assert_int_equal(pwrite(fd, &flipped, 1, (off_t)off), 1);
	v = judge(path);
	assert_int_equal(pwrite(fd, &byte, 1, (off_t)off), 1);
	close(fd);
	return v;
}

/* ---- the fixed profile: tests -------------------------------------------------- */

static void test_fixed_opens(void **state)
{
	const struct ksr_profile_meta *m;
	struct ksr_profile *p;
	struct ksr_span sp;
	uint32_t first, cnt;

	assert_int_equal(ksr_profile__open(F.path, &p), 0);
	m = ksr_profile__meta(p);
	assert_int_equal(m->version, 2);
	assert_string_equal(ksr_profile__release(p), "fixed-release");
	assert_int_equal(m->arch, 62);
	assert_int_equal(m->build_id_len, sizeof(FIXED_BUILD_ID));
	assert_memory_equal(m->build_id, FIXED_BUILD_ID, sizeof(FIXED_BUILD_ID));
	assert_true(m->flags & KSR_PROF_KFUNC_TAGS);
	assert_true(ksr_btf__find(ksr_profile__btf(p), "ksr_fixed_kfunc", BTF_KIND_FUNC) > 0);
	assert_true(ksr_btf__find(ksr_profile__btf(p), "ksr_fixed_pcpu", BTF_KIND_VAR) > 0);
	assert_int_equal(ksr_kallsyms__lookup(ksr_profile__kallsyms(p), "ksr_fixed_func",
					      &first, &cnt), 0);
	assert_int_equal(cnt, 2);
	assert_int_equal(ksr_profile__optional_cnt(p), 1);
	assert_string_equal(ksr_profile__optional(p, 0, &sp), ".ksr.opt.test");
	assert_int_equal(sp.len, sizeof(FIXED_OPT));
	assert_memory_equal(ksr_span_get(&sp, 0, sp.len), FIXED_OPT, sizeof(FIXED_OPT));
	assert_null(ksr_profile__optional(p, 1, NULL));
	assert_int_equal(touch_all(p), 0);
	ksr_profile__free(p);
}

/* Every byte of the fixed profile, flipped three ways, one at a time: each
 * flip is caught at open or by the first lookup that reads its block,
 * never answered. */
static void test_fixed_every_byte(void **state)
{
	size_t n[4] = { 0 };
	char path[320];

	snprintf(path, sizeof(path), "%s.flip", F.path);
	put_image(path, F.img, F.len);
	for (size_t off = 0; off < F.len; off++)
		for (size_t m = 0; m < sizeof(MASKS); m++) {
			enum verdict v = judge_flipped(path, off, MASKS[m]);

			n[v]++;
			if (v != CAUGHT_AT_OPEN && v != CAUGHT_AT_LOOKUP)
				fail_msg("flip 0x%02x at offset 0x%zx: verdict %d", MASKS[m], off, v);
		}
	print_message("fixed profile: %zu bytes, %zu flips: %zu caught at open, %zu at lookup, %zu answered\n",
		      F.len, n[0] + n[1] + n[2] + n[3], n[CAUGHT_AT_OPEN], n[CAUGHT_AT_LOOKUP],
		      n[OPENED_CLEAN]);
	unlink(path);
}

/* ksr_profile__verify() on the fixed profile: clean, it passes; with any
 * one byte flipped, the profile either does not open or verify refuses it
 * (the check of a whole profile that `PUT /v1/profiles` relies on). */
static void test_fixed_verify(void **state)
{
	size_t opened = 0, refused_open = 0;
	struct ksr_profile *p;
	char path[320];

	assert_int_equal(ksr_profile__open(F.path, &p), 0);
	assert_int_equal(ksr_profile__verify(p), 0);
	ksr_profile__free(p);
	snprintf(path, sizeof(path), "%s.verify", F.path);
	for (size_t off = 0; off < F.len; off++) {
		F.img[off] ^= 0x01;
		put_image(path, F.img, F.len);
		F.img[off] ^= 0x01;
		if (ksr_profile__open(path, &p)) {
			refused_open++;
			continue;
		}
		opened++;
		if (ksr_profile__verify(p) == 0)
			fail_msg("flip at offset 0x%zx: opened and verified", off);
		ksr_profile__free(p);
	}
	print_message("fixed profile: %zu flips: %zu refused at open, %zu refused by verify\n",
		      F.len, refused_open, opened);
	unlink(path);
}

/* Every truncation and a few extensions of the fixed profile: refused at
 * open (the file must end where .ksr.blocks does). */
static void test_fixed_truncated(void **state)
{
	char path[320];
	struct ksr_profile *p;
	uint8_t *longer = calloc(1, F.len + 8);

	assert_non_null(longer);
	memcpy(longer, F.img, F.len);
	snprintf(path, sizeof(path), "%s.cut", F.path);
	for (size_t len = 0; len < F.len + 8; len++) {
		if (len == F.len)
			continue;
		put_image(path, longer, len);
		if (ksr_profile__open(path, &p) != -KSR_EMALFORMED)
			fail_msg("a %zu-byte profile (of %zu) accepted", len, F.len);
	}
	unlink(path);
	free(longer);
}

/* Header bytes are checked for their one allowed value, not only by the
 * hashes: with every hash recomputed (a forger's file), each flip of the
 * ELF header, the section table, .shstrtab and .ksr.meta's checked fields
 * is still refused at open. */
static void test_fixed_forged_headers(void **state)
{
	const size_t mo = F.meta_off;
	const size_t checked[][2] = {
		{ 0, mo },                    /* ELF header, section table */
		{ mo, mo + 12 },              /* magic, version */
		{ mo + 48, mo + 68 },         /* counts */
		{ mo + 71, mo + 72 },         /* reserved */
		{ mo + 104, mo + 128 },       /* blocks */
		{ mo + 256, mo + 256 + 64 },  /* .shstrtab */
	};
	char path[320];
	uint8_t *img = malloc(F.len);
	size_t n = 0;

	assert_non_null(img);
	snprintf(path, sizeof(path), "%s.forged", F.path);
	for (size_t k = 0; k < sizeof(checked) / sizeof(checked[0]); k++)
		for (size_t off = checked[k][0]; off < checked[k][1]; off++)
			for (size_t m = 0; m < sizeof(MASKS); m++, n++) {
				struct ksr_profile *p;

				memcpy(img, F.img, F.len);
				img[off] ^= MASKS[m];
				ksr_profile_fix_hashes(img, F.len);
				put_image(path, img, F.len);
				if (ksr_profile__open(path, &p) != -KSR_EMALFORMED)
					fail_msg("forged flip 0x%02x at offset 0x%zx accepted", MASKS[m], off);
			}
	print_message("fixed profile: %zu forged header flips, all refused\n", n);
	unlink(path);
	free(img);
}

/* A reader skips optional sections it does not know and refuses unknown
 * required ones: renaming the optional section (hashes recomputed) to
 * another optional name opens; to a name without the prefix does not. */
static void test_fixed_unknown_sections(void **state)
{
	uint8_t *img = malloc(F.len);
	char path[320];
	struct ksr_profile *p;
	uint8_t *name;

	assert_non_null(img);
	snprintf(path, sizeof(path), "%s.names", F.path);
	memcpy(img, F.img, F.len);
	name = memmem(img, 4096, ".ksr.opt.test", 13);
	assert_non_null(name);
	memcpy(name, ".ksr.opt.nope", 13);
	ksr_profile_fix_hashes(img, F.len);
	put_image(path, img, F.len);
	assert_int_equal(ksr_profile__open(path, &p), 0);
	assert_string_equal(ksr_profile__optional(p, 0, NULL), ".ksr.opt.nope");
	ksr_profile__free(p);
	memcpy(name, ".ksr.req.nope", 13);
	ksr_profile_fix_hashes(img, F.len);
	put_image(path, img, F.len);
	assert_int_equal(ksr_profile__open(path, &p), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "not optional"));
	unlink(path);
	free(img);
}

/* A version 1 profile of the same inputs (written by ksymres 04c5df3 from
 * fixed.btf and fixed.kallsyms dumped by this test): refused with the
 * command that converts it; converted, it answers as the fixed profile. */
static void test_v1_refused_and_converted(void **state)
{
	const char *src = getenv("KSR_SOURCE_DIR");
	char path[512], out[320], release[KSR_PROFILE_RELEASE_MAX];
	struct ksr_profile_info info = { 0 };
	struct ksr_profile *p, *fixed;
	struct ksr_kallsyms *ks;
	struct ksr_btf *btf;
	uint8_t *img;
	size_t len;

	snprintf(path, sizeof(path), "%s/tests/unit/fixtures/fixed-v1.profile", src ? src : ".");
	img = tu_read_file(path, &len);
	assert_non_null(img);
	assert_int_equal(ksr_profile__open(path, &p), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "version 1"));
	assert_non_null(strstr(ksr_errmsg(), "ksymres profile --from"));
	assert_int_equal(ksr_profile_v1__read(img, len, &btf, &ks, release), 0);
	assert_string_equal(release, "fixed-release");
	info.release = release;
	snprintf(out, sizeof(out), "%s.converted", F.path);
	assert_int_equal(ksr_profile__write(out, btf, ks, &info), 0);
	assert_int_equal(ksr_profile__open(out, &p), 0);
	assert_int_equal(ksr_profile__open(F.path, &fixed), 0);
	assert_string_equal(ksr_profile__identity(p), ksr_profile__identity(fixed));
	assert_int_equal(ksr_profile__meta(p)->flags, ksr_profile__meta(fixed)->flags);
	assert_int_equal(ksr_profile__meta(p)->text_addr, ksr_profile__meta(fixed)->text_addr);
	assert_int_equal(ksr_kallsyms__count(ksr_profile__kallsyms(p)),
			 ksr_kallsyms__count(ksr_profile__kallsyms(fixed)));
	for (uint32_t i = 0; i < ksr_kallsyms__count(ksr_profile__kallsyms(p)); i++) {
		const struct ksr_ksym *a = ksr_kallsyms__sym(ksr_profile__kallsyms(p), i);
		const struct ksr_ksym *b = ksr_kallsyms__sym(ksr_profile__kallsyms(fixed), i);

		assert_int_equal(a->addr, b->addr);
		assert_string_equal(ksr_kallsyms__str(ksr_profile__kallsyms(p), a->name_off),
				    ksr_kallsyms__str(ksr_profile__kallsyms(fixed), b->name_off));
	}
	ksr_profile__free(p);
	ksr_profile__free(fixed);
	/* damaged v1 files are refused by the converter (but for the version,
	 * which makes it another format, and the release, which version 1 did
	 * not cover) */
	for (size_t off = 64; off < len; off += 7) {
		bool uncovered = (off >= 64 + 8 && off < 64 + 12) || (off >= 64 + 72 && off < 64 + 200);
		struct ksr_btf *b2;
		struct ksr_kallsyms *k2;

		if (uncovered)
			continue;
		img[off] ^= 0xff;
		if (ksr_profile_v1__read(img, len, &b2, &k2, release) == 0) {
			ksr_btf__free(b2);
			ksr_kallsyms__free(k2);
			fail_msg("damaged v1 at 0x%zx converted", off);
		}
		img[off] ^= 0xff;
	}
	unlink(out);
	ksr_btf__free(btf);
	ksr_kallsyms__free(ks);
	free(img);
}

/* ---- the host ------------------------------------------------------------------ */

static void *read_profile(size_t *len)
{
	void *buf = tu_read_file(H.path, len);

	assert_non_null(buf);
	return buf;
}

/* Every VAR and FUNC name of the host's BTF: the same lowest id through the
 * profile as through the BTF parsed in memory. */
static void test_roundtrip_btf(void **state)
{
	struct ksr_profile *p;
	const struct ksr_btf *pb;
	size_t n = 0;
	uint32_t cnt;

	need_host();
	assert_int_equal(ksr_profile__open(H.path, &p), 0);
	assert_string_equal(ksr_profile__release(p), "test-release");
	assert_int_equal(strlen(ksr_profile__identity(p)), 32);
	pb = ksr_profile__btf(p);
	assert_int_equal(ksr_btf__type_cnt(pb), ksr_btf__type_cnt(H.btf));
	ksr_btf__type_offsets(H.btf, &cnt);
	for (uint32_t id = 1; id < cnt; id++) {
		const struct btf_type *t = ksr_btf__type_by_id(H.btf, id);
		const struct btf_type *u = ksr_btf__type_by_id(pb, id);
		unsigned int kind = BTF_INFO_KIND(t->info);
		const char *name;

		assert_non_null(u);
		assert_memory_equal(t, u, ksr_btf_rec_len(ksr_btf_kind(t), ksr_btf_vlen(t)));
		if (kind != BTF_KIND_VAR && kind != BTF_KIND_FUNC)
			continue;
		name = ksr_btf__str(H.btf, t->name_off);
		assert_int_equal(ksr_btf__find(pb, name, kind), ksr_btf__find(H.btf, name, kind));
		n++;
	}
	assert_true(n > 1000);
	assert_int_equal(ksr_btf__find(pb, "ksr_no_such_name_at_all", BTF_KIND_FUNC), -ENOENT);
	assert_int_equal(ksr_profile__read_error(p), 0);
	ksr_profile__free(p);
}

/* Every record and every key of the host's kallsyms: the same through the
 * profile as through the text parsed in memory. */
static void test_roundtrip_kallsyms(void **state)
{
	const struct ksr_kallsyms *pk;
	struct ksr_profile *p;
	uint32_t cnt, f1, c1, f2, c2;

	need_host();
	assert_int_equal(ksr_profile__open(H.path, &p), 0);
	pk = ksr_profile__kallsyms(p);
	cnt = ksr_kallsyms__count(H.ks);
	assert_int_equal(ksr_kallsyms__count(pk), cnt);
	for (uint32_t i = 0; i < cnt; i++) {
		const struct ksr_ksym *a = ksr_kallsyms__sym(H.ks, i), *b = ksr_kallsyms__sym(pk, i);
		char key[KSR_KSYM_NAME_MAX + 1];
		const char *name = ksr_kallsyms__str(H.ks, a->name_off);

		assert_memory_equal(a, b, sizeof(*a));
		assert_string_equal(name, ksr_kallsyms__str(pk, b->name_off));
		memcpy(key, name, a->key_len);
		key[a->key_len] = '\0';
		assert_int_equal(ksr_kallsyms__lookup(H.ks, key, &f1, &c1), 0);
		assert_int_equal(ksr_kallsyms__lookup(pk, key, &f2, &c2), 0);
		assert_int_equal(f1, f2);
		assert_int_equal(c1, c2);
	}
	assert_int_equal(ksr_profile__read_error(p), 0);
	ksr_profile__free(p);
}

/* A profile keeps its descriptor: replaced by rename, it still reads the
 * verified file; cut short, its lookups fail and say so. */
static void test_file_changes(void **state)
{
	char copy[300], other[300];
	struct ksr_profile *p;
	uint32_t first, cnt;
	size_t len;
	void *buf;

	need_host();
	buf = read_profile(&len);
	snprintf(copy, sizeof(copy), "%s.copy", H.path);
	snprintf(other, sizeof(other), "%s.other", H.path);
	put_image(copy, buf, len);
	put_image(other, "not a profile", 13);
	assert_int_equal(ksr_profile__open(copy, &p), 0);
	assert_int_equal(rename(other, copy), 0);
	assert_true(ksr_btf__find(ksr_profile__btf(p), "bpf_rcu_read_lock", BTF_KIND_FUNC) > 0 ||
		    ksr_btf__find(ksr_profile__btf(p), "bpf_prog_put", BTF_KIND_FUNC) > 0);
	assert_int_equal(ksr_profile__read_error(p), 0);
	ksr_profile__free(p);

	put_image(copy, buf, len);
	assert_int_equal(ksr_profile__open(copy, &p), 0);
	assert_int_equal(truncate(copy, 8192), 0);
	assert_int_equal(ksr_kallsyms__lookup(ksr_profile__kallsyms(p), "_text", &first, &cnt),
			 -ENOENT);
	assert_int_equal(ksr_profile__read_error(p), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "changed while in use"));
	ksr_profile__free(p);
	unlink(copy);
	free(buf);
}

/* Dropping what a profile read: the same answers after, read again and
 * verified; a block table damaged after the drop is refused, not trusted
 * (it is read again from the file). */
static void test_drop_cache(void **state)
{
	int kf = 0, pc = 0, err;
	struct ksr_elfsecs secs;
	const struct ksr_elfsec *blk;
	struct ksr_profile *p;
	uint32_t first, cnt;
	char path[320];
	uint8_t x;
	int fd;

	snprintf(path, sizeof(path), "%s.drop", F.path);
	put_image(path, F.img, F.len);
	assert_int_equal(ksr_profile__open(path, &p), 0);
	for (int round = 0; round < 2; round++) {
		int k = ksr_btf__find(ksr_profile__btf(p), "ksr_fixed_kfunc", BTF_KIND_FUNC);
		int v = ksr_btf__find(ksr_profile__btf(p), "ksr_fixed_pcpu", BTF_KIND_VAR);

		assert_true(k > 0 && v > 0);
		if (round)
			assert_true(k == kf && v == pc);
		kf = k;
		pc = v;
		assert_int_equal(ksr_kallsyms__lookup(ksr_profile__kallsyms(p), "ksr_fixed_func",
						      &first, &cnt), 0);
		assert_int_equal(cnt, 2);
		ksr_profile__drop_cache(p);
	}
	assert_int_equal(ksr_profile__read_error(p), 0);
	/* one bit of the block table, flipped in the file under the open profile */
	assert_int_equal(ksr_elfsec__read(F.img, F.len, &ksr_elf_kind_profile, &secs), 0);
	blk = ksr_elfsec__find(&secs, ".ksr.blocks", &err);
	assert_non_null(blk);
	x = F.img[blk->offset] ^ 1;
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &x, 1, (off_t)blk->offset), 1);
	close(fd);
	ksr_elfsec__free(&secs);
	assert_true(ksr_btf__find(ksr_profile__btf(p), "ksr_fixed_kfunc", BTF_KIND_FUNC) < 0);
	assert_int_equal(ksr_profile__read_error(p), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "changed since the profile was opened"));
	ksr_profile__free(p);
	unlink(path);
}

/* The host profile: every byte of the head and of the block table, and 31
 * body positions spread evenly, flipped: each caught at open or lookup. */
static void test_host_flips(void **state)
{
	char path[320];
	size_t len, n[4] = { 0 }, step, blocks_off;
	struct ksr_elfsecs secs;
	const struct ksr_elfsec *blk;
	uint8_t *buf;
	int err;

	need_host();
	buf = read_profile(&len);
	assert_int_equal(ksr_elfsec__read(buf, len, &ksr_elf_kind_profile, &secs), 0);
	blk = ksr_elfsec__find(&secs, ".ksr.blocks", &err);
	assert_non_null(blk);
	blocks_off = (size_t)blk->offset;
	ksr_elfsec__free(&secs);
	step = (blocks_off - KSR_PROFILE_BODY_OFF) / 31;
	snprintf(path, sizeof(path), "%s.flip", H.path);
	put_image(path, buf, len);
	for (size_t off = 0; off < len; off++) {
		bool head = off < KSR_PROFILE_BODY_OFF || off >= blocks_off;
		bool spread = !head && (off - KSR_PROFILE_BODY_OFF) % step == 0;
		enum verdict v;

		if (!head && !spread)
			continue;
		v = head ? judge_flipped(path, off, 0xff) : judge_flipped(path, off, 0x01);
		n[v]++;
		if (v != CAUGHT_AT_OPEN && v != CAUGHT_AT_LOOKUP)
			fail_msg("host profile: flip at offset 0x%zx: verdict %d", off, v);
	}
	print_message("host profile: %zu flips: %zu caught at open, %zu at lookup, %zu answered\n",
		      n[0] + n[1] + n[2] + n[3], n[CAUGHT_AT_OPEN], n[CAUGHT_AT_LOOKUP],
		      n[OPENED_CLEAN]);
	unlink(path);
	free(buf);
}

/* Fills section name of img with the 4-byte pattern v. */
static void fill_section(uint8_t *img, size_t len, const char *name, uint32_t v)
{
	const struct ksr_elfsec *sec;
	struct ksr_elfsecs secs;
	int err;

	assert_int_equal(ksr_elfsec__read(img, len, &ksr_elf_kind_profile, &secs), 0);
	sec = ksr_elfsec__find(&secs, name, &err);
	assert_non_null(sec);
	for (uint64_t off = 0; off + 4 <= sec->size; off += 4)
		memcpy(img + sec->offset + off, &v, 4);
	ksr_elfsec__free(&secs);
}

/* ksr_profile__verify(): a clean profile passes; a flip spread over the
 * body, which opening does not read, is caught by it (and sticks: lookups
 * do not answer from that profile). */
static void test_host_verify(void **state)
{
	struct ksr_profile *p;
	char path[320];
	size_t len, caught = 0, opened = 0;
	uint8_t *buf;

	need_host();
	buf = read_profile(&len);
	assert_int_equal(ksr_profile__open(H.path, &p), 0);
	assert_int_equal(ksr_profile__verify(p), 0);
	ksr_profile__free(p);
	snprintf(path, sizeof(path), "%s.verify", H.path);
	for (size_t off = KSR_PROFILE_BODY_OFF + 4096 * 7 + 5; off < len - 65536; off += len / 17) {
		buf[off] ^= 0x01;
		put_image(path, buf, len);
		buf[off] ^= 0x01;
		if (ksr_profile__open(path, &p))
			continue; /* a block the open reads */
		opened++;
		if (ksr_profile__verify(p) == -EBADMSG && strstr(ksr_errmsg(), "hash mismatch") &&
		    ksr_profile__read_error(p) == -EBADMSG)
			caught++;
		ksr_profile__free(p);
	}
	assert_true(opened > 0);
	assert_int_equal(caught, opened);
	free(buf);
	unlink(path);
}

/* Forge: overwrite the indexes with garbage and recompute every hash.
 * Opening may succeed; lookups must then stay in bounds (ASan checks that
 * in sanitizer builds). */
static void test_forged_indexes_safe(void **state)
{
	size_t len, idx_start;
	char path[320];
	uint8_t *buf;

	need_host();
	buf = read_profile(&len);
	idx_start = KSR_PROFILE_BODY_OFF + H.btf_len;
	/* 20 host-sized images: on tmpfs when there is one, the disk's
	 * writeback of them was most of this suite's time */
	if (access("/dev/shm", W_OK) == 0)
		snprintf(path, sizeof(path), "/dev/shm/ksr-test-forged-%ld", (long)getpid());
	else
		snprintf(path, sizeof(path), "%s.forged", H.path);
	srand(1);
	for (int round = 0; round < 20; round++) {
		uint8_t *copy = malloc(len);

		assert_non_null(copy);
		memcpy(copy, buf, len);
		for (int k = 0; k < 2000; k++) {
			size_t off = idx_start + (size_t)rand() % (len - idx_start - 4096);
			uint32_t v = round % 2 ? (uint32_t)rand() : (uint32_t)rand() % 64;

			memcpy(copy + off, &v, 4);
		}
		assert_int_equal(ksr_profile_fix_hashes(copy, len), 0);
		put_image(path, copy, len);
		judge(path);
		free(copy);
	}
	unlink(path);
	free(buf);
}

/* Indexes that point everywhere out of range, with every hash right: the
 * profile opens, answers "not found", reads nothing outside the file, and
 * reports the indexes malformed. */
static void test_forged_out_of_range(void **state)
{
	static const struct {
		const char *sec;
		uint32_t v;
	} forge[] = {
		{ ".ksr.btf.types", 0xfffffffcu },  /* every type past the section */
		{ ".ksr.btf.names", 0xffffff00u },  /* name_off, ids, flags out of range */
		{ ".ksr.symidx", 0xfffffff0u },     /* records past the table */
		{ ".ksr.syms", 0xfffffff8u },       /* addresses, name offsets, key lengths */
	};
	struct ksr_profile *p;
	const struct ksr_btf *btf;
	const struct ksr_kallsyms *ks;
	uint32_t first, cnt;
	char path[300];
	size_t len;
	uint8_t *buf;

	need_host();
	buf = read_profile(&len);
	for (size_t i = 0; i < sizeof(forge) / sizeof(forge[0]); i++)
		fill_section(buf, len, forge[i].sec, forge[i].v);
	assert_int_equal(ksr_profile_fix_hashes(buf, len), 0);
	snprintf(path, sizeof(path), "%s.oor", H.path);
	put_image(path, buf, len);
	assert_int_equal(ksr_profile__open(path, &p), 0);
	btf = ksr_profile__btf(p);
	ks = ksr_profile__kallsyms(p);
	for (uint32_t id = 0; id < 1000; id++)
		assert_null(ksr_btf__type_by_id(btf, id));
	assert_null(ksr_btf__lookup(btf, "bpf_rcu_read_lock"));
	assert_true(ksr_btf__find(btf, "bpf_prog_active", BTF_KIND_VAR) < 0);
	assert_null(ksr_btf__str(btf, 0xffffff00u));
	assert_false(ksr_btf__has_kfunc_tags(btf));
	assert_int_equal(ksr_kallsyms__lookup(ks, "_text", &first, &cnt), -ENOENT);
	assert_int_equal(ksr_kallsyms__lookup(ks, "bpf_prog_put", &first, &cnt), -ENOENT);
	assert_null(ksr_kallsyms__str(ks, ksr_kallsyms__sym(ks, 0)->name_off));
	assert_null(ksr_kallsyms__sym(ks, ksr_kallsyms__count(ks)));
	/* every index slot is taken: the lookups gave up at the probing bound
	 * and found the indexes malformed (not a read error) */
	assert_int_equal(ksr_profile__read_error(p), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), ".ksr.btf.names: no empty slot"));
	ksr_profile__free(p);
	unlink(path);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_opens),
		cmocka_unit_test(test_fixed_every_byte),
		cmocka_unit_test(test_fixed_verify),
		cmocka_unit_test(test_fixed_truncated),
		cmocka_unit_test(test_fixed_forged_headers),
		cmocka_unit_test(test_fixed_unknown_sections),
		cmocka_unit_test(test_v1_refused_and_converted),
		cmocka_unit_test(test_roundtrip_btf),
		cmocka_unit_test(test_roundtrip_kallsyms),
		cmocka_unit_test(test_file_changes),
		cmocka_unit_test(test_drop_cache),
		cmocka_unit_test(test_host_flips),
		cmocka_unit_test(test_host_verify),
		cmocka_unit_test(test_forged_indexes_safe),
		cmocka_unit_test(test_forged_out_of_range),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
