// SPDX-License-Identifier: BSD-2-Clause
/* The semantic check of a version 2 profile (ksr_profile__revalidate()):
 * the block hashes guard against damage, not against a forger who writes
 * correct hashes over bad contents. So the contents are rebuilt from the
 * profile's own .BTF (validated with the kernel's rules, as `ksymres
 * profile` validates its --btf) and its kallsyms records (turned back into
 * kallsyms text in their original line order and parsed with the strict
 * grammar, as `ksymres profile` parses its --kallsyms), and every index
 * section and .ksr.meta value they determine must be byte for byte what
 * the writer would have written. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "hash.h"
#include "kallsyms.h"
#include "profile.h"

static const char *const sec_names[KSR_PROFILE_CHECK_SECS] = {
	".BTF", ".ksr.btf.types", ".ksr.btf.names", ".ksr.syms", ".ksr.symstr", ".ksr.symidx",
};

/* 0 when section i is exactly want[0..want_len), else an error naming
 * the first byte that differs. */
static int same(uint32_t i, const void *const sec[], const uint64_t off[], const uint64_t size[],
		const void *want, uint64_t want_len)
{
	const uint8_t *a = sec[i], *b = want;
	uint64_t n = size[i] < want_len ? size[i] : want_len, k = 0;

	if (size[i] == want_len && (!n || !memcmp(a, b, (size_t)n)))
		return 0;
	while (k < n && a[k] == b[k])
		k++;
	return ksr_err(KSR_EMALFORMED,
		       "%s differs from its rebuild from %s (%llu bytes, %llu expected; forged?) (file offset 0x%llx)",
		       sec_names[i], i < 3 ? ".BTF" : "the kallsyms records", (unsigned long long)size[i],
		       (unsigned long long)want_len, (unsigned long long)(off[i] + k));
}

/* The record indexes sorted by name offset (a unique key), with two
 * 16-bit radix passes: linear, where qsort's comparisons were a third of
 * the check's time. */
static uint32_t *line_order(const uint8_t *syms, uint32_t cnt)
{
	uint32_t *key = malloc((cnt ? cnt : 1) * sizeof(*key) * 4), *a, *b, *ka, *kb;
	static const size_t radix = 1u << 16;
	size_t *pos = calloc(radix, sizeof(*pos));

	if (!key || !pos) {
		free(key);
		free(pos);
		return NULL;
	}
	a = key + cnt;
	b = key + 2 * (size_t)cnt;
	kb = key + 3 * (size_t)cnt;
	ka = key;
	for (uint32_t i = 0; i < cnt; i++) {
		memcpy(&ka[i], syms + (size_t)i * sizeof(struct ksr_ksym) +
				       offsetof(struct ksr_ksym, name_off), sizeof(uint32_t));
		a[i] = i;
	}
	for (unsigned int shift = 0; shift < 32; shift += 16) {
		size_t sum = 0;

		memset(pos, 0, radix * sizeof(*pos));
		for (uint32_t i = 0; i < cnt; i++)
			pos[(ka[i] >> shift) & 0xffff]++;
		for (size_t d = 0; d < radix; d++) {
			size_t n = pos[d];

			pos[d] = sum;
			sum += n;
		}
		for (uint32_t i = 0; i < cnt; i++) {
			size_t at = pos[(ka[i] >> shift) & 0xffff]++;

			b[at] = a[i];
			kb[at] = ka[i];
		}
		/* swap: the sorted pair becomes the input of the next pass */
		{
			uint32_t *t = a, *tk = ka;

			a = b;
			ka = kb;
			b = t;
			kb = tk;
		}
	}
	free(pos);
	/* after two passes a is the buffer at key + cnt again */
	return key;
}

static char *put_str(char *t, const char *s)
{
	size_t n = strlen(s);

	memcpy(t, s, n);
	return t + n;
}

/* The records as kallsyms text. The parser appends each line's name to
 * the string table, so name offsets give the lines' original order, and
 * the same text gives the same bytes. */
static int records_text(const uint8_t *syms, uint32_t cnt, const char *strs, uint64_t strs_len,
			uint64_t syms_off, char **text, size_t *text_len)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t *order;
	size_t cap = 1;
	char *t, *w;

	for (uint32_t i = 0; i < cnt; i++) {
		struct ksr_ksym s;

		memcpy(&s, syms + (size_t)i * sizeof(s), sizeof(s));
		/* .ksr.symstr ends in NUL (checked when opened): each string ends */
		if (s.name_off >= strs_len || s.mod_off >= strs_len)
			return ksr_err(KSR_EMALFORMED,
				       ".ksr.syms: record %u names a string outside .ksr.symstr (file offset 0x%llx)",
				       i, (unsigned long long)(syms_off + (uint64_t)i * sizeof(s)));
		cap += 16 + 3 + strlen(strs + s.name_off) + 3 + strlen(strs + s.mod_off) + 1;
	}
	order = line_order(syms, cnt);
	t = malloc(cap);
	if (!order || !t) {
		free(order);
		free(t);
		return ksr_err(ENOMEM, "out of memory");
	}
	w = t;
	for (uint32_t k = 0; k < cnt; k++) {
		struct ksr_ksym s;

		memcpy(&s, syms + (size_t)order[cnt + k] * sizeof(s), sizeof(s));
		for (int d = 15; d >= 0; d--)
			*w++ = hex[(s.addr >> (4 * d)) & 15];
		*w++ = ' ';
		*w++ = s.type > ' ' ? (char)s.type : '?';
		*w++ = ' ';
		w = put_str(w, strs + s.name_off);
		if (s.mod_off) {
			w = put_str(w, "\t[");
			w = put_str(w, strs + s.mod_off);
			*w++ = ']';
		}
		*w++ = '\n';
	}
	free(order);
	*w = '\0';
	*text = t;
	*text_len = (size_t)(w - t);
	return 0;
}

int ksr_profile_check_contents(const struct ksr_profile_meta *m,
			       const void *const sec[KSR_PROFILE_CHECK_SECS],
			       const uint64_t off[KSR_PROFILE_CHECK_SECS],
			       const uint64_t size[KSR_PROFILE_CHECK_SECS])
{
	struct ksr_btf *btf = NULL;
	struct ksr_kallsyms *ks = NULL;
	const void *part;
	uint8_t identity[16];
	char *text = NULL;
	size_t text_len = 0;
	uint32_t cnt;
	int err;

	err = ksr_btf__parse(sec[0], (size_t)size[0], KSR_BTF_MODE_KERNEL, &btf);
	if (err) {
		ksr_err_prefix(".BTF (offset 0x%llx)", (unsigned long long)off[0]);
		return err;
	}
	ksr_hash128(sec[0], (size_t)size[0], identity);
	if (memcmp(identity, m->identity, sizeof(identity))) {
		err = ksr_err(KSR_EMALFORMED, ".ksr.meta: the identity is not that of .BTF");
		goto out;
	}
	part = ksr_btf__type_offsets(btf, &cnt);
	err = same(1, sec, off, size, part, (uint64_t)cnt * sizeof(uint32_t));
	if (!err) {
		part = ksr_btf__name_index(btf, &cnt);
		err = same(2, sec, off, size, part, (uint64_t)cnt * sizeof(struct ksr_btf_name_slot));
	}
	if (!err)
		err = records_text(sec[3], (uint32_t)(size[3] / sizeof(struct ksr_ksym)), sec[4], size[4],
				   off[3], &text, &text_len);
	if (!err && (err = ksr_kallsyms__parse(text, text_len, &ks)))
		ksr_err_prefix(".ksr.syms (offset 0x%llx), read back as kallsyms text",
			       (unsigned long long)off[3]);
	if (!err) {
		part = ksr_kallsyms__syms(ks, &cnt);
		err = same(3, sec, off, size, part, (uint64_t)cnt * sizeof(struct ksr_ksym));
	}
	if (!err) {
		part = ksr_kallsyms__strs(ks, &cnt);
		err = same(4, sec, off, size, part, cnt);
	}
	if (!err) {
		part = ksr_kallsyms__slots(ks, &cnt);
		err = same(5, sec, off, size, part, (uint64_t)cnt * sizeof(uint32_t));
	}
	if (!err) {
		/* what .ksr.meta derives from the contents, by the writer's rules */
		struct ksr_profile_info info = { .release = "" };
		struct ksr_profile_meta want;

		ksr_profile__derive_meta(&want, btf, ks, &info);
		if (want.flags != m->flags || want.text_addr != m->text_addr)
			err = ksr_err(KSR_EMALFORMED,
				      ".ksr.meta: flags or _text are not what the contents give (forged?)");
	}
out:
	free(text);
	ksr_btf__free(btf);
	ksr_kallsyms__free(ks);
	return err;
}
