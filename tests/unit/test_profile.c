// SPDX-License-Identifier: BSD-2-Clause
#define _GNU_SOURCE
/* Profiles: a small profile built from fixed inputs (a BTF and a kallsyms
 * text made here), every byte of which is flipped; then the write -> open
 * round trip on this host's real BTF and kallsyms where they can be read,
 * mapped and lean (read with pread: the same answers), and corrupted or
 * forged host profiles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
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

struct fixed {
	char path[300];
	uint8_t *img;      /* the file's bytes */
	size_t len;
};

static struct fixed F;

static void write_fixed(void)
{
	struct ksr_kallsyms *ks;
	struct ksr_btf *btf;
	size_t len;
	void *blob = fixed_btf(&len);

	if (ksr_btf__parse(blob, len, KSR_BTF_MODE_KERNEL, &btf))
		fail_msg("fixed BTF rejected: %s", ksr_errmsg());
	if (ksr_kallsyms__parse(FIXED_KALLSYMS, strlen(FIXED_KALLSYMS), &ks))
		fail_msg("fixed kallsyms rejected: %s", ksr_errmsg());
	if (ksr_profile__write(F.path, btf, ks, "fixed-release"))
		fail_msg("write: %s", ksr_errmsg());
	ksr_btf__free(btf);
	ksr_kallsyms__free(ks);
	free(blob);
	F.img = tu_read_file(F.path, &F.len);
	assert_non_null(F.img);
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
	if (ksr_profile__write(H.path, H.btf, H.ks, "test-release"))
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

static void *read_profile(size_t *len)
{
	void *buf = tu_read_file(H.path, len);

	assert_non_null(buf);
	return buf;
}

static int open_as(const char *path, bool lean, struct ksr_profile **p)
{
	return lean ? ksr_profile__open_lean(path, p) : ksr_profile__open(path, p);
}

static void roundtrip_btf(bool lean)
{
	struct ksr_profile *p;
	const struct ksr_btf *pb;
	size_t raw_len, n = 0;
	const void *raw;
	uint32_t cnt;

	assert_int_equal(open_as(H.path, lean, &p), 0);
	assert_string_equal(ksr_profile__release(p), "test-release");
	assert_int_equal(strlen(ksr_profile__identity(p)), 32);
	pb = ksr_profile__btf(p);
	raw = ksr_btf__raw(pb, &raw_len);
	assert_int_equal(raw_len, H.btf_len);
	if (lean)
		assert_null(raw); /* nothing of the file is in memory */
	else
		assert_memory_equal(raw, H.btf_data, raw_len);
	assert_int_equal(ksr_btf__type_cnt(pb), ksr_btf__type_cnt(H.btf));

	/* every VAR and FUNC name: the same lowest id through the profile */
	ksr_btf__type_offsets(H.btf, &cnt);
	for (uint32_t id = 1; id < cnt; id++) {
		const struct btf_type *t = ksr_btf__type_by_id(H.btf, id);
		unsigned int kind = BTF_INFO_KIND(t->info);
		const char *name;

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

static void test_roundtrip_btf(void **state)
{
	need_host();
	roundtrip_btf(false);
	roundtrip_btf(true);
}

static void roundtrip_kallsyms(bool lean)
{
	const struct ksr_kallsyms *pk;
	struct ksr_profile *p;
	uint32_t cnt, f1, c1, f2, c2;

	assert_int_equal(open_as(H.path, lean, &p), 0);
	pk = ksr_profile__kallsyms(p);
	cnt = ksr_kallsyms__count(H.ks);
	assert_int_equal(ksr_kallsyms__count(pk), cnt);
	for (uint32_t i = 0; i < cnt; i++) {
		const struct ksr_ksym *a = ksr_kallsyms__sym(H.ks, i), *b = ksr_kallsyms__sym(pk, i);
		char key[KSR_KSYM_NAME_MAX + 1];
		const char *name = ksr_kallsyms__str(H.ks, a->name_off);

		assert_memory_equal(a, b, sizeof(*a));
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

static void test_roundtrip_kallsyms(void **state)
{
	need_host();
	roundtrip_kallsyms(false);
	roundtrip_kallsyms(true);
}

/* Every record, name and symbol read through pread equals the mapped one. */
static void test_lean_same_answers(void **state)
{
	struct ksr_profile *m, *l;
	const struct ksr_btf *mb, *lb;
	const struct ksr_kallsyms *mk, *lk;
	uint32_t n;

	need_host();

	assert_int_equal(ksr_profile__open(H.path, &m), 0);
	assert_int_equal(ksr_profile__open_lean(H.path, &l), 0);
	assert_string_equal(ksr_profile__identity(m), ksr_profile__identity(l));
	assert_memory_equal(ksr_profile__meta(m), ksr_profile__meta(l),
			    sizeof(struct ksr_profile_meta));
	assert_int_equal(ksr_profile__size(m), ksr_profile__size(l));
	mb = ksr_profile__btf(m);
	lb = ksr_profile__btf(l);
	assert_int_equal(ksr_btf__has_kfunc_tags(mb), ksr_btf__has_kfunc_tags(lb));
	n = ksr_btf__type_cnt(mb);
	assert_int_equal(ksr_btf__type_cnt(lb), n);
	for (uint32_t id = 0; id <= n; id++) {
		const struct btf_type *a = ksr_btf__type_by_id(mb, id);
		const struct btf_type *b = ksr_btf__type_by_id(lb, id);

		assert_int_equal(a == NULL, b == NULL);
		if (!a)
			continue;
		assert_memory_equal(a, b, ksr_btf_rec_len(ksr_btf_kind(a), ksr_btf_vlen(a)));
		assert_string_equal(ksr_btf__name(mb, id), ksr_btf__name(lb, id));
		assert_int_equal(ksr_btf__skip_mods(mb, id), ksr_btf__skip_mods(lb, id));
	}
	assert_null(ksr_btf__str(lb, UINT32_MAX));
	mk = ksr_profile__kallsyms(m);
	lk = ksr_profile__kallsyms(l);
	n = ksr_kallsyms__count(mk);
	assert_int_equal(ksr_kallsyms__count(lk), n);
	for (uint32_t i = 0; i <= n; i++) {
		const struct ksr_ksym *a = ksr_kallsyms__sym(mk, i), *b = ksr_kallsyms__sym(lk, i);

		assert_int_equal(a == NULL, b == NULL);
		if (!a)
			continue;
		assert_memory_equal(a, b, sizeof(*a));
		assert_string_equal(ksr_kallsyms__str(mk, a->name_off),
				    ksr_kallsyms__str(lk, b->name_off));
	}
	assert_int_equal(ksr_profile__read_error(l), 0);
	assert_int_equal(ksr_profile__read_error(m), 0);
	ksr_profile__free(m);
	ksr_profile__free(l);
}

/* A lean profile keeps its descriptor: replaced by rename, it still reads
 * the verified file; cut short, its lookups fail and say so. */
static void test_lean_file_changes(void **state)
{
	char copy[300], other[300];
	struct ksr_profile *p;
	uint32_t first, cnt;
	size_t len;
	void *buf;
	FILE *f;

	need_host();
	buf = read_profile(&len);

	snprintf(copy, sizeof(copy), "%s.lean", H.path);
	snprintf(other, sizeof(other), "%s.other", H.path);
	f = fopen(copy, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
	f = fopen(other, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite("not a profile", 1, 13, f), 13);
	fclose(f);

	assert_int_equal(ksr_profile__open_lean(copy, &p), 0);
	assert_int_equal(rename(other, copy), 0);
	assert_true(ksr_btf__find(ksr_profile__btf(p), "bpf_rcu_read_lock", BTF_KIND_FUNC) > 0 ||
		    ksr_btf__find(ksr_profile__btf(p), "bpf_prog_put", BTF_KIND_FUNC) > 0);
	assert_int_equal(ksr_profile__read_error(p), 0);
	ksr_profile__free(p);

	f = fopen(copy, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
	assert_int_equal(ksr_profile__open_lean(copy, &p), 0);
	assert_int_equal(truncate(copy, 4096), 0);
	assert_int_equal(ksr_kallsyms__lookup(ksr_profile__kallsyms(p), "_text", &first, &cnt),
			 -ENOENT);
	assert_int_equal(ksr_profile__read_error(p), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "changed while in use"));
	ksr_profile__free(p);
	unlink(copy);
	free(buf);
}

/* The lookups of a forged profile; the results summed up, to compare. */
static uint64_t probe_lookups(const struct ksr_profile *p)
{
	static const char *const names[] = { "bpf_prog_active", "bpf_rcu_read_lock", "_text",
					     "bpf_prog_put", "init_task", "jiffies" };
	const struct ksr_kallsyms *ks = ksr_profile__kallsyms(p);
	const struct ksr_btf *btf = ksr_profile__btf(p);
	uint64_t h = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint32_t first = 0, cnt = 0;
		int v = ksr_btf__find(btf, names[i], BTF_KIND_VAR);
		int fn = ksr_btf__find(btf, names[i], BTF_KIND_FUNC);
		int k = ksr_kallsyms__lookup(ks, names[i], &first, &cnt);

		h = h * 31 + (uint64_t)(uint32_t)v;
		h = h * 31 + (uint64_t)(uint32_t)fn;
		h = h * 31 + (uint64_t)(uint32_t)k + first * 7 + cnt;
		if (fn > 0)
			h = h * 31 + (uint64_t)ksr_btf__skip_mods(btf, (uint32_t)fn);
	}
	return h;
}

/* Opens the image mapped and lean: the same verdict and, when it opens,
 * the same answers (memory-safe either way: ASan builds check that). */
static int open_bytes(const void *buf, size_t len)
{
	char path[300];
	struct ksr_profile *p = NULL, *l = NULL;
	FILE *f;
	int err, lerr;

	snprintf(path, sizeof(path), "%s.mut", H.path);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
	err = ksr_profile__open(path, &p);
	lerr = ksr_profile__open_lean(path, &l);
	assert_int_equal(err, lerr);
	if (!err) {
		uint64_t a = probe_lookups(p), b = probe_lookups(l);

		/* reading more than the file is refused, not answered */
		if (!ksr_profile__read_error(l))
			assert_true(a == b);
		ksr_profile__free(p);
		ksr_profile__free(l);
	}
	unlink(path);
	return err;
}

/* Recomputes the checksum of a profile image in place, as a forger would. */
static void forge_checksum(uint8_t *img, size_t len)
{
	uint64_t sum = ksr_profile_checksum(img, len);

	memcpy(img + 64 + offsetof(struct ksr_profile_meta, checksum), &sum, sizeof(sum));
}

/* Flips the byte at off of the file at path by mask, in place, opens the
 * file mapped and lean, and flips it back: the (equal) result of the opens. */
static int open_flipped(const char *path, size_t off, uint8_t mask)
{
	struct ksr_profile *p = NULL, *l = NULL;
	int fd = open(path, O_RDWR), err, lerr;
	uint8_t byte, flipped;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &byte, 1, (off_t)off), 1);
	flipped = byte ^ mask;
	assert_int_equal(pwrite(fd, &flipped, 1, (off_t)off), 1);
	err = ksr_profile__open(path, &p);
	lerr = ksr_profile__open_lean(path, &l);
	assert_int_equal(pwrite(fd, &byte, 1, (off_t)off), 1);
	close(fd);
	ksr_profile__free(p);
	ksr_profile__free(l);
	assert_int_equal(err, lerr);
	return err;
}

/* Writes img to a scratch file at path. */
static void put_image(const char *path, const void *img, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(img, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static const uint8_t MASKS[] = { 0x01, 0x80, 0xff };

/* The fixed profile opens, and its checksum is the one the format defines. */
static void test_fixed_opens(void **state)
{
	struct ksr_profile *p;
	uint64_t sum;
	uint32_t first, cnt;

	memcpy(&sum, F.img + 64 + offsetof(struct ksr_profile_meta, checksum), sizeof(sum));
	assert_int_equal(ksr_profile_checksum(F.img, F.len), sum);
	for (int lean = 0; lean < 2; lean++) {
		assert_int_equal(open_as(F.path, lean, &p), 0);
		assert_string_equal(ksr_profile__release(p), "fixed-release");
		assert_true(ksr_btf__find(ksr_profile__btf(p), "ksr_fixed_kfunc", BTF_KIND_FUNC) > 0);
		assert_true(ksr_btf__find(ksr_profile__btf(p), "ksr_fixed_pcpu", BTF_KIND_VAR) > 0);
		assert_int_equal(ksr_kallsyms__lookup(ksr_profile__kallsyms(p), "ksr_fixed_func",
						      &first, &cnt), 0);
		assert_int_equal(cnt, 2);
		assert_int_equal(ksr_profile__read_error(p), 0);
		ksr_profile__free(p);
	}
}

/* Every byte of the fixed profile, flipped three ways, one at a time: each
 * flip is refused as malformed, mapped and lean. */
static void test_fixed_every_byte(void **state)
{
	char path[320];
	size_t n = 0;

	snprintf(path, sizeof(path), "%s.flip", F.path);
	put_image(path, F.img, F.len);
	for (size_t off = 0; off < F.len; off++)
		for (size_t m = 0; m < sizeof(MASKS); m++, n++)
			if (open_flipped(path, off, MASKS[m]) != -KSR_EMALFORMED)
				fail_msg("flip 0x%02x at offset 0x%zx accepted", MASKS[m], off);
	print_message("fixed profile: %zu bytes, %zu flips, all refused\n", F.len, n);
	unlink(path);
}

/* Every truncation and a few extensions of the fixed profile: refused. */
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
		for (int lean = 0; lean < 2; lean++)
			if (open_as(path, lean, &p) != -KSR_EMALFORMED)
				fail_msg("a %zu-byte profile (of %zu) accepted", len, F.len);
	}
	unlink(path);
	free(longer);
}

/* Header bytes are checked for their one allowed value, not only by the
 * checksum: with the checksum recomputed (a forger's file), every flip of
 * the ELF header, the section table and .ksr.meta's fixed fields is still
 * refused. */
static void test_fixed_forged_headers(void **state)
{
	const size_t table = F.len - 9 * 64;
	const size_t meta_fixed[][2] = {
		{ 64, 64 + 12 },        /* magic, version */
		{ 64 + 32, 64 + 72 },   /* identity, counts, reserved */
	};
	char path[320];
	uint8_t *img = malloc(F.len);
	size_t n = 0;

	assert_non_null(img);
	snprintf(path, sizeof(path), "%s.forged", F.path);
	for (size_t off = 0; off < F.len; off++) {
		bool fixed = off < 64 || off >= table;
		struct ksr_profile *p;

		for (size_t k = 0; k < sizeof(meta_fixed) / sizeof(meta_fixed[0]); k++)
			fixed |= off >= meta_fixed[k][0] && off < meta_fixed[k][1];
		if (!fixed)
			continue;
		for (size_t m = 0; m < sizeof(MASKS); m++, n++) {
			memcpy(img, F.img, F.len);
			img[off] ^= MASKS[m];
			forge_checksum(img, F.len);
			put_image(path, img, F.len);
			for (int lean = 0; lean < 2; lean++)
				if (open_as(path, lean, &p) != -KSR_EMALFORMED)
					fail_msg("forged flip 0x%02x at offset 0x%zx accepted", MASKS[m], off);
		}
	}
	print_message("fixed profile: %zu forged header flips, all refused\n", n);
	unlink(path);
	free(img);
}

/* The host profile: every byte of the ELF header, .ksr.meta and section
 * table, and 97 body positions spread evenly, each flipped: refused. */
static void test_host_flips(void **state)
{
	char path[320];
	size_t len, n = 0, step;
	uint8_t *buf;

	need_host();
	buf = read_profile(&len);
	step = (len - KSR_PROFILE_BODY_OFF) / 97;
	snprintf(path, sizeof(path), "%s.flip", H.path);
	put_image(path, buf, len);
	for (size_t off = 0; off < len; off++) {
		bool head = off < KSR_PROFILE_BODY_OFF || off >= len - 9 * 64;
		bool spread = off >= KSR_PROFILE_BODY_OFF && (off - KSR_PROFILE_BODY_OFF) % step == 0;

		if (!head && !spread)
			continue;
		n++;
		if (open_flipped(path, off, 0xff) != -KSR_EMALFORMED)
			fail_msg("host profile: flip at offset 0x%zx accepted", off);
	}
	print_message("host profile: %zu flips, all refused\n", n);
	unlink(path);
	free(buf);
}

/* Forge: overwrite the prebuilt indexes with garbage and fix up the
 * checksum. Opening may succeed; lookups must then stay in bounds (ASan
 * checks that in sanitizer builds). */
static void test_forged_indexes_safe(void **state)
{
	size_t len, meta_off, idx_start;
	const uint8_t *start;
	uint8_t *buf;

	need_host();
	buf = read_profile(&len);
	start = memmem(buf, len, KSR_PROFILE_MAGIC, sizeof(KSR_PROFILE_MAGIC));
	assert_non_null(start);
	meta_off = (size_t)(start - buf);
	idx_start = meta_off + sizeof(struct ksr_profile_meta) + H.btf_len;

	srand(1);
	for (int round = 0; round < 40; round++) {
		uint8_t *copy = malloc(len);

		assert_non_null(copy);
		memcpy(copy, buf, len);
		for (int k = 0; k < 2000; k++) {
			size_t off = idx_start + (size_t)rand() % (len - idx_start - 1024);
			uint32_t v = round % 2 ? (uint32_t)rand() : (uint32_t)rand() % 64;

			memcpy(copy + off, &v, 4);
		}
		forge_checksum(copy, len);
		open_bytes(copy, len);
		free(copy);
	}
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

/* Indexes that point everywhere out of range, with a correct checksum: the
 * lean profile opens, answers "not found" and reads nothing outside the
 * file (so no read error either). */
static void test_lean_forged_out_of_range(void **state)
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
	size_t len;
	uint8_t *buf;
	char path[300];
	FILE *f;

	need_host();
	buf = read_profile(&len);
	for (size_t i = 0; i < sizeof(forge) / sizeof(forge[0]); i++)
		fill_section(buf, len, forge[i].sec, forge[i].v);
	forge_checksum(buf, len);
	snprintf(path, sizeof(path), "%s.oor", H.path);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
	for (int lean = 0; lean < 2; lean++) {
		struct ksr_profile *p;
		const struct ksr_btf *btf;
		const struct ksr_kallsyms *ks;
		uint32_t first, cnt;

		assert_int_equal(open_as(path, lean, &p), 0);
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
		assert_int_equal(ksr_profile__read_error(p), 0);
		ksr_profile__free(p);
	}
	unlink(path);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_btf),
		cmocka_unit_test(test_roundtrip_kallsyms),
		cmocka_unit_test(test_lean_same_answers),
		cmocka_unit_test(test_lean_file_changes),
		cmocka_unit_test(test_fixed_opens),
		cmocka_unit_test(test_fixed_every_byte),
		cmocka_unit_test(test_fixed_truncated),
		cmocka_unit_test(test_fixed_forged_headers),
		cmocka_unit_test(test_host_flips),
		cmocka_unit_test(test_forged_indexes_safe),
		cmocka_unit_test(test_lean_forged_out_of_range),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
