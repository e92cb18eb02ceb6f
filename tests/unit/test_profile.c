// SPDX-License-Identifier: BSD-2-Clause
#define _GNU_SOURCE
/* Profiles: write -> open round trip on this host's real BTF and kallsyms,
 * mapped and lean (read with pread: the same answers), and corrupted or
 * forged profiles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "btf.h"
#include "btf_int.h"
#include "elfsec.h"
#include "error.h"
#include "fileio.h"
#include "hash.h"
#include "kallsyms.h"
#include "profile.h"
#include "testutil.h"

struct host {
	void *btf_data, *ks_text;
	size_t btf_len, ks_len;
	struct ksr_btf *btf;
	struct ksr_kallsyms *ks;
	char path[256];
};

static struct host H;

static int setup(void **state)
{
	const char *work = getenv("KSR_WORK");

	if (ksr_read_file("/sys/kernel/btf/vmlinux", KSR_MAX_INPUT, &H.btf_data, &H.btf_len))
		tu_skip("/sys/kernel/btf/vmlinux not readable");
	if (ksr_read_file("/proc/kallsyms", KSR_MAX_INPUT, &H.ks_text, &H.ks_len))
		tu_skip("/proc/kallsyms not readable");
	if (ksr_btf__parse(H.btf_data, H.btf_len, KSR_BTF_MODE_KERNEL, &H.btf))
		fail_msg("host BTF rejected: %s", ksr_errmsg());
	if (ksr_kallsyms__parse(H.ks_text, H.ks_len, &H.ks))
		tu_skip("/proc/kallsyms restricted or unparsable (needs root)");
	snprintf(H.path, sizeof(H.path), "%s/test_profile.%d.profile", work ? work : "/tmp",
		 (int)getpid());
	if (ksr_profile__write(H.path, H.btf, H.ks, "test-release"))
		fail_msg("write: %s", ksr_errmsg());
	return 0;
}

static int teardown(void **state)
{
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
	void *buf = read_profile(&len);
	FILE *f;

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

static void test_corruption_detected(void **state)
{
	size_t len;
	uint8_t *buf = read_profile(&len);

	/* flip one byte at spread-out positions past the ELF header: checksum,
	 * structure or meta checks must refuse each */
	for (size_t off = 64; off < len; off += len / 97) {
		buf[off] ^= 0x5a;
		assert_int_equal(open_bytes(buf, len), -KSR_EMALFORMED);
		buf[off] ^= 0x5a;
	}
	/* truncations */
	assert_int_equal(open_bytes(buf, 10), -KSR_EMALFORMED);
	assert_int_equal(open_bytes(buf, len / 2), -KSR_EMALFORMED);
	assert_int_equal(open_bytes(buf, len - 1), -KSR_EMALFORMED);
	assert_int_equal(open_bytes(buf, len), 0);
	free(buf);
}

/* Recomputes the checksum of a profile image in place, as a forger would. */
static void forge_checksum(uint8_t *img, size_t len, size_t meta_off)
{
	static const char *const names[] = { ".BTF", ".ksr.btf.types", ".ksr.btf.names",
					     ".ksr.syms", ".ksr.symstr", ".ksr.symidx", ".shstrtab" };
	const void *data[7];
	size_t sizes[7];
	struct ksr_elfsecs secs;
	uint64_t sum;
	int err;

	assert_int_equal(ksr_elfsec__read(img, len, &secs), 0);
	for (int i = 0; i < 7; i++) {
		const struct ksr_elfsec *s = ksr_elfsec__find(&secs, names[i], &err);

		assert_non_null(s);
		data[i] = img + s->offset;
		sizes[i] = (size_t)s->size;
	}
	sum = ksr_hash64_multi(data, sizes, 7);
	memcpy(img + meta_off + offsetof(struct ksr_profile_meta, checksum), &sum, sizeof(sum));
	ksr_elfsec__free(&secs);
}

/* Forge: overwrite the prebuilt indexes with garbage and fix up the
 * checksum. Opening may succeed; lookups must then stay in bounds (ASan
 * checks that in sanitizer builds). */
static void test_forged_indexes_safe(void **state)
{
	size_t len, meta_off, idx_start;
	uint8_t *buf = read_profile(&len);
	const uint8_t *start;

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
		forge_checksum(copy, len, meta_off);
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

	assert_int_equal(ksr_elfsec__read(img, len, &secs), 0);
	sec = ksr_elfsec__find(&secs, name, &err);
	assert_non_null(sec);
	for (uint64_t off = 0; off + 4 <= sec->size; off += 4)
		memcpy(img + sec->offset + off, &v, 4);
	ksr_elfsec__free(&secs);
}

/* Indexes that point everywhere out of range, with a correct checksum: the
 * lean profile opens, answers "not found" and reads nothing outside the
 * file (so no read error: the error is the malformed index). */
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
	size_t len, meta_off;
	uint8_t *buf = read_profile(&len);
	const uint8_t *start = memmem(buf, len, KSR_PROFILE_MAGIC, sizeof(KSR_PROFILE_MAGIC));
	char path[300];
	FILE *f;

	assert_non_null(start);
	meta_off = (size_t)(start - buf);
	for (size_t i = 0; i < sizeof(forge) / sizeof(forge[0]); i++)
		fill_section(buf, len, forge[i].sec, forge[i].v);
	forge_checksum(buf, len, meta_off);
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
		/* every index slot is taken: the lookups gave up at the probing
		 * bound and found the indexes malformed (not a read error) */
		assert_int_equal(ksr_profile__read_error(p), -KSR_EMALFORMED);
		assert_non_null(strstr(ksr_errmsg(), ".ksr.btf.names: no empty slot"));
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
		cmocka_unit_test(test_corruption_detected),
		cmocka_unit_test(test_forged_indexes_safe),
		cmocka_unit_test(test_lean_forged_out_of_range),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
