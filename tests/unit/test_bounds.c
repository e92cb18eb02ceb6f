// SPDX-License-Identifier: BSD-2-Clause
#define _GNU_SOURCE
/* Bounded lookups (docs/profile-format.md, "Bounds"): the writers refuse
 * hash indexes with a run of KSR_HASH_PROBE_MAX occupied slots and names
 * with more than KSR_KSYM_RUN_MAX records; lookups in forged profiles stop
 * at the same bounds and report the index malformed. Costs are counted in
 * slots and records looked at, never timed. */
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
#include "btf_builder.h"
#include "elfsec.h"
#include "error.h"
#include "fileio.h"
#include "hash.h"
#include "kallsyms.h"
#include "profile.h"
#include "testutil.h"

/* externs looked up per profile, as in a `check` of an object with 3,000
 * weak externs */
#define LOOKUPS 3000

/* ---- writers ----------------------------------------------------------- */

/* A name "<prefix><n>" whose home slot in a table of slot_cnt slots is home. */
static void name_at(char *buf, size_t len, const char *prefix, uint32_t home, uint32_t slot_cnt)
{
	for (uint32_t n = 0;; n++) {
		snprintf(buf, len, "%s%u_%u", prefix, home, n);
		if ((ksr_hash64(buf, strlen(buf)) & (slot_cnt - 1)) == home)
			return;
	}
}

/* kallsyms text of _text and 300 more names: run of them take the home
 * slots right after _text's in the 1024-slot index they get, each at its
 * home (so the writer's total probe budget alone would let them pass), the
 * others every second slot after that. */
static char *consecutive_kallsyms(uint32_t run, size_t *len)
{
	const uint32_t keys = 300, h0 = (uint32_t)(ksr_hash64("_text", 5) & 1023);
	size_t cap = 64 + (size_t)keys * 64, n = 0;
	char *t = malloc(cap);

	assert_non_null(t);
	assert_int_equal(ksr_hash_slots_for(keys + 1), 1024);
	n += (size_t)snprintf(t + n, cap - n, "ffffffff81000000 T _text\n");
	for (uint32_t i = 0; i < keys; i++) {
		uint32_t home = i < run ? h0 + 1 + i : h0 + run + 2 + 2 * (i - run);
		char name[64];

		name_at(name, sizeof(name), "s", home & 1023, 1024);
		n += (size_t)snprintf(t + n, cap - n, "ffffffff8100%04x T %s\n", i + 1, name);
	}
	*len = n;
	return t;
}

static void test_kallsyms_writer_refuses_long_runs(void **state)
{
	struct ksr_kallsyms *ks = NULL;
	uint32_t first, cnt, steps;
	size_t len;
	char *text;

	/* _text and 300 names in a row */
	text = consecutive_kallsyms(300, &len);
	assert_int_equal(ksr_kallsyms__parse(text, len, &ks), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "collisions"));
	free(text);

	/* a run of 255 (_text and 254 more) is an ordinary table */
	text = consecutive_kallsyms(KSR_HASH_PROBE_MAX - 2, &len);
	assert_int_equal(ksr_kallsyms__parse(text, len, &ks), 0);
	assert_int_equal(ksr_kallsyms__lookup_steps(ks, "_text", &first, &cnt, &steps), 0);
	assert_int_equal(ksr_kallsyms__index_error(ks), 0);
	ksr_kallsyms__free(ks);
	free(text);
}

static char *repeated_kallsyms(uint32_t lines, size_t *len)
{
	size_t cap = 64 + (size_t)lines * 48, n = 0;
	char *t = malloc(cap);

	assert_non_null(t);
	n += (size_t)snprintf(t + n, cap - n, "ffffffff81000000 T _text\n");
	for (uint32_t i = 0; i < lines; i++)
		n += (size_t)snprintf(t + n, cap - n, "ffffffff8%07x t dup\t[m%u]\n", 0x100000 + i, i);
	*len = n;
	return t;
}

static void test_kallsyms_writer_refuses_long_name_runs(void **state)
{
	struct ksr_kallsyms *ks = NULL;
	uint32_t first, cnt, steps;
	size_t len;
	char *text = repeated_kallsyms(KSR_KSYM_RUN_MAX + 1, &len);

	assert_int_equal(ksr_kallsyms__parse(text, len, &ks), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "'dup'"));
	free(text);

	/* at the bound: accepted, and the lookup returns the whole run */
	text = repeated_kallsyms(KSR_KSYM_RUN_MAX, &len);
	assert_int_equal(ksr_kallsyms__parse(text, len, &ks), 0);
	assert_int_equal(ksr_kallsyms__lookup_steps(ks, "dup", &first, &cnt, &steps), 0);
	assert_int_equal(cnt, KSR_KSYM_RUN_MAX);
	assert_int_equal(ksr_kallsyms__index_error(ks), 0);
	ksr_kallsyms__free(ks);
	free(text);
}

/* BTF with fn_cnt FUNCs whose names take the home slots right after that
 * of the first one, in a 1024-slot name index. */
static uint8_t *consecutive_btf(uint32_t fn_cnt, size_t *len)
{
	struct bb b;
	uint32_t proto, home0 = 0;
	uint8_t *blob;

	bb_init(&b);
	bb_t(&b, "int", BTF_KIND_INT, 0, 0, 4);
	bb_w(&b, BTF_INT_SIGNED << 24 | 32);
	proto = bb_t(&b, NULL, BTF_KIND_FUNC_PROTO, 0, 0, 1);
	for (uint32_t i = 0; i < fn_cnt; i++) {
		char name[64];

		if (i == 0) {
			snprintf(name, sizeof(name), "f");
			home0 = (uint32_t)(ksr_hash64(name, 1) & 1023);
		} else {
			name_at(name, sizeof(name), "f", (home0 + i) & 1023, 1024);
		}
		bb_t(&b, name, BTF_KIND_FUNC, 0, BTF_FUNC_GLOBAL, proto);
	}
	blob = bb_blob(&b, len);
	bb_free(&b);
	return blob;
}

static void test_btf_writer_refuses_long_runs(void **state)
{
	struct ksr_btf *btf = NULL;
	uint32_t steps;
	size_t len;
	uint8_t *blob;

	blob = consecutive_btf(KSR_HASH_PROBE_MAX + 44, &len);
	assert_int_equal(ksr_hash_slots_for(KSR_HASH_PROBE_MAX + 44), 1024);
	assert_int_equal(ksr_btf__parse(blob, len, KSR_BTF_MODE_KERNEL, &btf), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "collisions"));
	free(blob);

	blob = consecutive_btf(KSR_HASH_PROBE_MAX - 1, &len);
	assert_int_equal(ksr_btf__parse(blob, len, KSR_BTF_MODE_KERNEL, &btf), 0);
	/* a name that is not there, homed at the start of the run, is one
	 * full run away from an empty slot: within the bound, not malformed */
	assert_null(ksr_btf__lookup_steps(btf, "no_such_name_at_all", &steps));
	assert_true(steps <= KSR_HASH_PROBE_MAX);
	assert_non_null(ksr_btf__lookup(btf, "f"));
	assert_int_equal(ksr_btf__index_error(btf), 0);
	ksr_btf__free(btf);
	free(blob);
}

/* ---- forged profiles ---------------------------------------------------- */

struct host {
	void *btf_data, *ks_text;
	size_t btf_len, ks_len;
	uint8_t *img;
	size_t len;
	char path[256];
	struct ksr_btf *btf;         /* the tables the profile was written from */
	struct ksr_kallsyms *ks;
};

static struct host H;

static int setup(void **state)
{
	const char *work = getenv("KSR_WORK");
	struct ksr_btf *btf;
	struct ksr_kallsyms *ks;

	if (ksr_read_file("/sys/kernel/btf/vmlinux", KSR_MAX_INPUT, &H.btf_data, &H.btf_len))
		tu_skip("/sys/kernel/btf/vmlinux not readable");
	if (ksr_read_file("/proc/kallsyms", KSR_MAX_INPUT, &H.ks_text, &H.ks_len))
		tu_skip("/proc/kallsyms not readable");
	if (ksr_btf__parse(H.btf_data, H.btf_len, KSR_BTF_MODE_KERNEL, &btf))
		fail_msg("host BTF rejected: %s", ksr_errmsg());
	if (ksr_kallsyms__parse(H.ks_text, H.ks_len, &ks))
		tu_skip("/proc/kallsyms restricted or unparsable (needs root)");
	snprintf(H.path, sizeof(H.path), "%s/test_bounds.%d.profile", work ? work : "/tmp",
		 (int)getpid());
	if (ksr_profile__write(H.path, btf, ks, &(struct ksr_profile_info){ .release = "test-release" }))
		fail_msg("write: %s", ksr_errmsg());
	H.btf = btf;
	H.ks = ks;
	H.img = tu_read_file(H.path, &H.len);
	assert_non_null(H.img);
	return 0;
}

static int teardown(void **state)
{
	unlink(H.path);
	free(H.img);
	ksr_btf__free(H.btf);
	ksr_kallsyms__free(H.ks);
	free(H.btf_data);
	free(H.ks_text);
	return 0;
}

static const struct ksr_elfsec *section(const uint8_t *img, size_t len, const char *name,
					struct ksr_elfsecs *secs)
{
	const struct ksr_elfsec *s;
	int err;

	assert_int_equal(ksr_elfsec__read(img, len, &ksr_elf_kind_profile, secs), 0);
	s = ksr_elfsec__find(secs, name, &err);
	assert_non_null(s);
	return s;
}

/* Recomputes the hashes, as a forger would, and writes the image. */
static void write_forged(uint8_t *img, size_t len, const char *path)
{
	FILE *f;

	assert_int_equal(ksr_profile_fix_hashes(img, len), 0);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(img, 1, len, f), len);
	fclose(f);
}

/* A forged copy of the host profile: .ksr.symidx slot i = symidx(i). */
static char *forge_symidx(uint32_t (*symidx)(uint32_t i), const char *tag)
{
	static char path[300];
	uint8_t *img = malloc(H.len);
	struct ksr_elfsecs secs;
	const struct ksr_elfsec *s;

	assert_non_null(img);
	memcpy(img, H.img, H.len);
	s = section(img, H.len, ".ksr.symidx", &secs);
	for (uint64_t i = 0; i < s->size / 4; i++) {
		uint32_t v = symidx((uint32_t)i);

		memcpy(img + s->offset + i * 4, &v, 4);
	}
	ksr_elfsec__free(&secs);
	snprintf(path, sizeof(path), "%s.%s", H.path, tag);
	write_forged(img, H.len, path);
	free(img);
	return path;
}

static uint32_t all_one(uint32_t i)
{
	return 1;
}

/* every slot taken but one in KSR_HASH_PROBE_MAX: the worst a forger can
 * do without being caught */
static uint32_t one_gap_per_bound(uint32_t i)
{
	return i % KSR_HASH_PROBE_MAX ? 1 : 0;
}

/* LOOKUPS absent names through the kallsyms index: the slots and records
 * looked at, in all. */
static uint64_t kallsyms_lookups(const struct ksr_kallsyms *ks, uint32_t *worst)
{
	uint64_t total = 0;

	*worst = 0;
	for (int i = 0; i < LOOKUPS; i++) {
		char name[32];
		uint32_t first, cnt, steps;

		snprintf(name, sizeof(name), "ksr_weak_%d", i);
		assert_int_equal(ksr_kallsyms__lookup_steps(ks, name, &first, &cnt, &steps), -ENOENT);
		total += steps;
		if (steps > *worst)
			*worst = steps;
	}
	return total;
}

static void test_forged_symidx_bounded(void **state)
{
	for (int pass = 0; pass < 2; pass++) {   /* twice: a fresh open answers the same */
		struct ksr_profile *p, *honest;
		uint32_t worst, hworst;
		uint64_t cost, hcost;
		const char *path = forge_symidx(all_one, "ones");

		assert_int_equal(ksr_profile__open(H.path, &honest), 0);
		hcost = kallsyms_lookups(ksr_profile__kallsyms(honest), &hworst);
		assert_int_equal(ksr_profile__read_error(honest), 0);
		ksr_profile__free(honest);

		/* every slot names record 0: each lookup used to probe all
		 * sym_slot_cnt slots (262,144 on this host) */
		assert_int_equal(ksr_profile__open(path, &p), 0);
		cost = kallsyms_lookups(ksr_profile__kallsyms(p), &worst);
		print_message("honest: %llu steps for %d lookups (worst %u); forged: %llu (worst %u)\n",
			      (unsigned long long)hcost, LOOKUPS, hworst, (unsigned long long)cost, worst);
		assert_true(worst <= KSR_HASH_PROBE_MAX);
		assert_true(cost <= (uint64_t)LOOKUPS * KSR_HASH_PROBE_MAX);
		assert_int_equal(ksr_profile__read_error(p), -KSR_EMALFORMED);
		assert_non_null(strstr(ksr_errmsg(), ".ksr.symidx"));
		/* a file offset */
		assert_non_null(strstr(ksr_errmsg(), "(offset 0x"));
		ksr_profile__free(p);
		unlink(path);

		/* one empty slot per bound: within the rule, so not malformed,
		 * and still bounded */
		path = forge_symidx(one_gap_per_bound, "gaps");
		assert_int_equal(ksr_profile__open(path, &p), 0);
		cost = kallsyms_lookups(ksr_profile__kallsyms(p), &worst);
		assert_true(worst <= KSR_HASH_PROBE_MAX);   /* 255 taken, then the empty one */
		assert_true(cost <= (uint64_t)LOOKUPS * KSR_HASH_PROBE_MAX);
		assert_int_equal(ksr_profile__read_error(p), 0);
		ksr_profile__free(p);
		unlink(path);
	}
}

/* Every record keyed like record 0 and every slot pointing at record 0:
 * the lookup of that key would scan all of .ksr.syms. */
static void test_forged_run_bounded(void **state)
{
	uint8_t *img = malloc(H.len);
	struct ksr_elfsecs secs;
	const struct ksr_elfsec *s;
	struct ksr_ksym r0;
	char path[300], key[KSR_KSYM_NAME_MAX + 1];
	struct ksr_profile *p;
	uint32_t first, cnt, steps;
	uint64_t n;

	assert_non_null(img);
	memcpy(img, H.img, H.len);
	s = section(img, H.len, ".ksr.syms", &secs);
	n = s->size / sizeof(r0);
	assert_true(n > KSR_KSYM_RUN_MAX);
	memcpy(&r0, img + s->offset, sizeof(r0));
	for (uint64_t i = 1; i < n; i++) {
		struct ksr_ksym r;

		memcpy(&r, img + s->offset + i * sizeof(r), sizeof(r));
		r.name_off = r0.name_off;
		r.key_len = r0.key_len;
		memcpy(img + s->offset + i * sizeof(r), &r, sizeof(r));
	}
	ksr_elfsec__free(&secs);
	s = section(img, H.len, ".ksr.symstr", &secs);
	snprintf(key, sizeof(key), "%.*s", (int)r0.key_len, (const char *)img + s->offset + r0.name_off);
	ksr_elfsec__free(&secs);
	s = section(img, H.len, ".ksr.symidx", &secs);
	for (uint64_t i = 0; i < s->size / 4; i++)
		memcpy(img + s->offset + i * 4, &(uint32_t){ 1 }, 4);
	ksr_elfsec__free(&secs);
	snprintf(path, sizeof(path), "%s.run", H.path);
	write_forged(img, H.len, path);
	free(img);

	for (int pass = 0; pass < 2; pass++) {   /* twice: a fresh open answers the same */
		assert_int_equal(ksr_profile__open(path, &p), 0);
		assert_int_equal(ksr_kallsyms__lookup_steps(ksr_profile__kallsyms(p), key, &first, &cnt,
							    &steps), -ENOENT);
		print_message("run of %llu records with key '%s': %u steps\n", (unsigned long long)n,
			      key, steps);
		assert_true(steps <= 1 + KSR_KSYM_RUN_MAX);
		assert_int_equal(ksr_profile__read_error(p), -KSR_EMALFORMED);
		assert_non_null(strstr(ksr_errmsg(), ".ksr.syms"));
		ksr_profile__free(p);
	}
	unlink(path);
}

/* Every .ksr.btf.names slot a copy of one occupied slot: every other name
 * used to probe all btf_slot_cnt slots. */
static void test_forged_names_bounded(void **state)
{
	uint8_t *img = malloc(H.len);
	struct ksr_elfsecs secs;
	const struct ksr_elfsec *s;
	struct ksr_btf_name_slot occ = { 0 };
	char path[300];

	assert_non_null(img);
	memcpy(img, H.img, H.len);
	s = section(img, H.len, ".ksr.btf.names", &secs);
	for (uint64_t i = 0; i < s->size / sizeof(occ) && !occ.name_off; i++)
		memcpy(&occ, img + s->offset + i * sizeof(occ), sizeof(occ));
	assert_true(occ.name_off != 0);
	for (uint64_t i = 0; i < s->size / sizeof(occ); i++)
		memcpy(img + s->offset + i * sizeof(occ), &occ, sizeof(occ));
	ksr_elfsec__free(&secs);
	snprintf(path, sizeof(path), "%s.names", H.path);
	write_forged(img, H.len, path);
	free(img);

	for (int pass = 0; pass < 2; pass++) {   /* twice: a fresh open answers the same */
		struct ksr_profile *p;
		const struct ksr_btf *btf;
		uint64_t cost = 0;

		assert_int_equal(ksr_profile__open(path, &p), 0);
		btf = ksr_profile__btf(p);
		for (int i = 0; i < LOOKUPS; i++) {
			char name[32];
			uint32_t steps;

			snprintf(name, sizeof(name), "ksr_weak_%d", i);
			assert_null(ksr_btf__lookup_steps(btf, name, &steps));
			assert_true(steps <= KSR_HASH_PROBE_MAX);
			cost += steps;
		}
		assert_true(cost <= (uint64_t)LOOKUPS * KSR_HASH_PROBE_MAX);
		assert_true(ksr_btf__find(btf, "jiffies", BTF_KIND_VAR) < 0);
		assert_int_equal(ksr_profile__read_error(p), -KSR_EMALFORMED);
		assert_non_null(strstr(ksr_errmsg(), ".ksr.btf.names"));
		ksr_profile__free(p);
	}
	unlink(path);
}

/* The honest host tables stay well inside the bounds (the margin the
 * bounds were chosen with; docs/profile-format.md). */
static void test_host_within_bounds(void **state)
{
	const struct ksr_kallsyms *ks = H.ks;
	const struct ksr_btf *btf = H.btf;
	const uint32_t *slots;
	const struct ksr_btf_name_slot *names;
	uint32_t sc, nc, run_ks, run_btf;

	/* the tables as written into the host's profile */
	slots = ksr_kallsyms__slots(ks, &sc);
	names = ksr_btf__name_index(btf, &nc);
	run_ks = ksr_hash_longest_run(slots, sizeof(*slots), sc, KSR_HASH_PROBE_MAX);
	run_btf = ksr_hash_longest_run(names, sizeof(*names), nc, KSR_HASH_PROBE_MAX);
	print_message("longest runs of taken slots: .ksr.symidx %u of %u slots, .ksr.btf.names %u "
		      "of %u (bound %u)\n", run_ks, sc, run_btf, nc, KSR_HASH_PROBE_MAX);
	/* the writer refuses tables past the bound, so any host's are within
	 * it; the printed lengths are the measurement (34 and 25 here) */
	assert_true(run_ks < KSR_HASH_PROBE_MAX);
	assert_true(run_btf < KSR_HASH_PROBE_MAX);
}

int main(void)
{
	const struct CMUnitTest writers[] = {
		cmocka_unit_test(test_kallsyms_writer_refuses_long_runs),
		cmocka_unit_test(test_kallsyms_writer_refuses_long_name_runs),
		cmocka_unit_test(test_btf_writer_refuses_long_runs),
	};
	const struct CMUnitTest forged[] = {
		cmocka_unit_test(test_host_within_bounds),
		cmocka_unit_test(test_forged_symidx_bounded),
		cmocka_unit_test(test_forged_run_bounded),
		cmocka_unit_test(test_forged_names_bounded),
	};
	int fails = cmocka_run_group_tests(writers, NULL, NULL);

	return fails + cmocka_run_group_tests(forged, setup, teardown);
}
