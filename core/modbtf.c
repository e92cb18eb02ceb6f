// SPDX-License-Identifier: BSD-2-Clause
/* Kernel module BTFs: a module file's .BTF (decompressed with liblzma or
 * libzstd as Debian ships them), and the .ksr.opt.modbtf profile section:
 * a table of modules, each with its raw split BTF and the same prebuilt
 * type offsets and name index as the vmlinux BTF has. */
#include <dlfcn.h>
#include <errno.h>
#include <lzma.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "btf_int.h"
#include "elfsec.h"
#include "error.h"
#include "hash.h"
#include "ksymres/ksymres.h"
#include "modbtf.h"
#include "profile.h"

/* ---- module files ---------------------------------------------------------- */

static const uint8_t xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
static const uint8_t zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };

/* Grows *buf for more output, up to KSR_INPUT_MAX bytes. */
static int grow_out(uint8_t **buf, size_t *cap, size_t used)
{
	size_t ncap = *cap ? *cap * 2 : 1u << 20;
	uint8_t *p;

	if (used < *cap)
		return 0;
	if (*cap >= KSR_INPUT_MAX)
		return ksr_err(KSR_EMALFORMED, "decompressed: more than %u bytes (offset 0x0)",
			       KSR_INPUT_MAX);
	if (ncap > KSR_INPUT_MAX)
		ncap = KSR_INPUT_MAX;
	p = realloc(*buf, ncap);
	if (!p)
		return ksr_err(ENOMEM, "out of memory for %zu decompressed bytes", ncap);
	*buf = p;
	*cap = ncap;
	return 0;
}

/* liblzma and libzstd are opened on first use: only compressed module
 * files need them, and linked they cost every command ~0.5 ms at start
 * (docs/performance.md). Fuzz builds link them, so that a target runs
 * from $OUT alone. */
struct decompressors {
	lzma_ret (*xz_decoder)(lzma_stream *s, uint64_t memlimit, uint32_t flags);
	lzma_ret (*xz_code)(lzma_stream *s, lzma_action a);
	void (*xz_end)(lzma_stream *s);
	ZSTD_DStream *(*zstd_create)(void);
	size_t (*zstd_decompress)(ZSTD_DStream *d, ZSTD_outBuffer *o, ZSTD_inBuffer *i);
	unsigned (*zstd_is_error)(size_t r);
	const char *(*zstd_error_name)(size_t r);
	size_t (*zstd_free)(ZSTD_DStream *d);
	char why[2][160];             /* why each library could not be used */
};
static struct decompressors D;

#if defined(KSR_LINK_DECOMPRESSORS) || defined(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION)
static void load_decompressors(void)
{
	D.xz_decoder = lzma_stream_decoder;
	D.xz_code = lzma_code;
	D.xz_end = lzma_end;
	D.zstd_create = ZSTD_createDStream;
	D.zstd_decompress = ZSTD_decompressStream;
	D.zstd_is_error = ZSTD_isError;
	D.zstd_error_name = ZSTD_getErrorName;
	D.zstd_free = ZSTD_freeDStream;
}
#else
/* Fills n slots from the library soname; all or none. */
static void open_lib(const char *soname, const char *const *names, void **slots, size_t n,
		     char *why, size_t why_len)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(why, why_len, "cannot load %s: %s", soname, dlerror());
		return;
	}
	for (size_t i = 0; i < n; i++) {
		void *f = dlsym(h, names[i]);

		if (!f) {
			snprintf(why, why_len, "%s has no %s", soname, names[i]);
			memset(slots, 0, n * sizeof(*slots));
			dlclose(h);
			return;
		}
		memcpy(&slots[i], &f, sizeof(f)); /* object to function pointer, as POSIX allows */
	}
}

static void load_decompressors(void)
{
	static const char *const xz[] = { "lzma_stream_decoder", "lzma_code", "lzma_end" };
	static const char *const zstd[] = { "ZSTD_createDStream", "ZSTD_decompressStream",
					    "ZSTD_isError", "ZSTD_getErrorName", "ZSTD_freeDStream" };
	void **slots = (void **)(void *)&D;

	_Static_assert(offsetof(struct decompressors, zstd_create) == 3 * sizeof(void *) &&
		       offsetof(struct decompressors, why) == 8 * sizeof(void *), "one slot per name");
	open_lib("liblzma.so.5", xz, slots, 3, D.why[0], sizeof(D.why[0]));
	open_lib("libzstd.so.1", zstd, slots + 3, 5, D.why[1], sizeof(D.why[1]));
}
#endif

static bool have_decompressor(bool zstd)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, load_decompressors);
	return zstd ? D.zstd_free != NULL : D.xz_end != NULL;
}

static int unxz(const void *data, size_t len, uint8_t **out, size_t *out_len)
{
	lzma_stream s = LZMA_STREAM_INIT;
	size_t cap = 0;
	lzma_ret r;
	int err = 0;

	*out = NULL;
	if (!have_decompressor(false))
		return ksr_err(ENOSYS, "xz: %s (package liblzma5)", D.why[0]);
	/* 256 MiB of decoder memory at most: a crafted header cannot ask more */
	if (D.xz_decoder(&s, 256u << 20, 0) != LZMA_OK)
		return ksr_err(ENOMEM, "xz: cannot start the decoder");
	s.next_in = data;
	s.avail_in = len;
	do {
		if ((err = grow_out(out, &cap, s.total_out)))
			break;
		s.next_out = *out + s.total_out;
		s.avail_out = cap - s.total_out;
		r = D.xz_code(&s, LZMA_FINISH);
		if (r != LZMA_OK && r != LZMA_STREAM_END) {
			err = ksr_err(KSR_EMALFORMED, "xz: cannot decompress (liblzma error %d) (offset 0x%llx)",
				      (int)r, (unsigned long long)(len - s.avail_in));
			break;
		}
		if (r == LZMA_OK && !s.avail_in && s.avail_out) {
			err = ksr_err(KSR_EMALFORMED, "xz: truncated (offset 0x%zx)", len);
			break;
		}
	} while (r != LZMA_STREAM_END);
	*out_len = (size_t)s.total_out;
	D.xz_end(&s);
	if (err) {
		free(*out);
		*out = NULL;
	}
	return err;
}

static int unzstd(const void *data, size_t len, uint8_t **out, size_t *out_len)
{
	ZSTD_DStream *d;
	ZSTD_inBuffer in = { data, len, 0 };
	size_t cap = 0, used = 0, r = 1;
	int err = 0;

	*out = NULL;
	if (!have_decompressor(true))
		return ksr_err(ENOSYS, "zstd: %s (package libzstd1)", D.why[1]);
	d = D.zstd_create();
	if (!d)
		return ksr_err(ENOMEM, "zstd: cannot start the decoder");
	/* a window larger than 128 MiB is refused (the default limit) */
	while (r) {
		ZSTD_outBuffer o;

		if ((err = grow_out(out, &cap, used)))
			break;
		o = (ZSTD_outBuffer){ *out, cap, used };
		r = D.zstd_decompress(d, &o, &in);
		used = o.pos;
		if (D.zstd_is_error(r)) {
			err = ksr_err(KSR_EMALFORMED, "zstd: %s (offset 0x%zx)", D.zstd_error_name(r),
				      in.pos);
			break;
		}
		if (r && in.pos == in.size && o.pos < o.size) {
			err = ksr_err(KSR_EMALFORMED, "zstd: truncated (offset 0x%zx)", len);
			break;
		}
	}
	D.zstd_free(d);
	*out_len = used;
	if (err) {
		free(*out);
		*out = NULL;
	}
	return err;
}

static const struct ksr_elfsec_rule module_btf_rule = {
	.type = SHT_PROGBITS,
	.flags_allowed = SHF_ALLOC,
	.entsize = 0,
	.max_align = 8,
};

int ksr_module_file_btf(const void *data, size_t len, void **btf, size_t *btf_len)
{
	uint8_t *plain = NULL;
	const struct ksr_elfsec *s = NULL;
	struct ksr_elfsecs secs = { 0 };
	size_t plen = len;
	int err = 0;

	*btf = NULL;
	*btf_len = 0;
	if (len >= sizeof(xz_magic) && !memcmp(data, xz_magic, sizeof(xz_magic)))
		err = unxz(data, len, &plain, &plen);
	else if (len >= sizeof(zstd_magic) && !memcmp(data, zstd_magic, sizeof(zstd_magic)))
		err = unzstd(data, len, &plain, &plen);
	if (err)
		return err;
	if (plain)
		data = plain;
	if (!ksr_elfsec__is_elf(data, plen))
		err = ksr_err(KSR_EMALFORMED, "ELF: not an ELF file (nor xz or zstd) (offset 0x0)");
	if (!err)
		err = ksr_elfsec__read(data, plen, &ksr_elf_kind_kernel, &secs);
	if (!err && ksr_elfsec__find(&secs, ".BTF.base", &err))
		err = ksr_err(KSR_EMALFORMED, "ELF: .BTF.base: distilled base BTF, renumbered when "
			      "the module loads: capture the profile where it is loaded");
	if (!err)
		s = ksr_elfsec__find(&secs, ".BTF", &err);
	if (!err && !s)
		err = -ENOENT;
	if (!err)
		err = ksr_elfsec__check_rule(s, &module_btf_rule);
	if (!err) {
		*btf = malloc(s->size ? (size_t)s->size : 1);
		if (!*btf)
			err = ksr_err(ENOMEM, "out of memory for %llu bytes",
				      (unsigned long long)s->size);
		else
			memcpy(*btf, (const uint8_t *)data + s->offset, (size_t)s->size);
		*btf_len = (size_t)s->size;
	}
	ksr_elfsec__free(&secs);
	free(plain);
	return err;
}

/* ---- the section: building -------------------------------------------------- */

struct ksr_modbtf_builder {
	struct ksr_modbtf_entry *ents;   /* offsets relative to data */
	uint32_t cnt, cap;
	uint8_t *data;
	size_t len, dcap;
};

bool ksr_modbtf_name_ok(const char *name)
{
	size_t n = 0;

	for (; name[n]; n++) {
		char ch = name[n];

		if (n >= KSR_MODBTF_NAME_MAX - 1 ||
		    !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return false;
	}
	return n > 0;
}

int ksr_modbtf_builder_new(struct ksr_modbtf_builder **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : ksr_err(ENOMEM, "out of memory");
}

void ksr_modbtf_builder_free(struct ksr_modbtf_builder *b)
{
	if (!b)
		return;
	free(b->ents);
	free(b->data);
	free(b);
}

uint32_t ksr_modbtf_builder_cnt(const struct ksr_modbtf_builder *b)
{
	return b ? b->cnt : 0;
}

/* Appends len bytes 8-aligned; *off is where they start in data. */
static int put(struct ksr_modbtf_builder *b, const void *p, size_t len, uint64_t *off)
{
	size_t at = (b->len + 7) & ~(size_t)7;

	if (at + len > KSR_PROFILE_MAX_SIZE)
		return ksr_err(EINVAL, "module BTFs: more than %u bytes", KSR_PROFILE_MAX_SIZE);
	if (at + len > b->dcap) {
		size_t ncap = b->dcap ? b->dcap : 1u << 16;
		uint8_t *n;

		while (ncap < at + len)
			ncap *= 2;
		n = realloc(b->data, ncap);
		if (!n)
			return ksr_err(ENOMEM, "out of memory for module BTFs");
		b->data = n;
		b->dcap = ncap;
	}
	memset(b->data + b->len, 0, at - b->len);
	if (len)
		memcpy(b->data + at, p, len);
	b->len = at + len;
	*off = at;
	return 0;
}

int ksr_modbtf_builder_add(struct ksr_modbtf_builder *b, const struct ksr_btf *base,
			   const char *name, const void *btf, size_t len)
{
	struct ksr_modbtf_entry e = { 0 };
	struct ksr_btf *mod = NULL;
	const struct ksr_btf_name_slot *slots;
	const uint32_t *offs;
	uint32_t total;
	int err;

	if (!ksr_modbtf_name_ok(name))
		return ksr_err(EINVAL, "module name '%.60s': 1 to %u bytes of letters, digits, '_' and '-'",
			       name, KSR_MODBTF_NAME_MAX - 1);
	for (uint32_t i = 0; i < b->cnt; i++)
		if (!strcmp(b->ents[i].name, name))
			return ksr_err(EINVAL, "module '%s' given twice", name);
	if (b->cnt == KSR_MODBTF_MAX)
		return ksr_err(EINVAL, "more than %u modules", KSR_MODBTF_MAX);
	if ((err = ksr_btf__parse_split(btf, len, base, &mod)))
		return err;
	memcpy(e.name, name, strlen(name));
	offs = ksr_btf__type_offsets(mod, &total);
	slots = ksr_btf__name_index(mod, &e.slot_cnt);
	e.type_cnt = total - ksr_btf__start_id(mod);
	e.btf_len = (uint32_t)len;
	e.flags = ksr_btf__has_kfunc_tags(mod) ? KSR_MODBTF_KFUNC_TAGS : 0;
	ksr_hash128(btf, len, e.identity);
	err = put(b, btf, len, &e.btf_off);
	if (!err)
		err = put(b, offs, (size_t)e.type_cnt * sizeof(*offs), &e.offs_off);
	if (!err)
		err = put(b, slots, (size_t)e.slot_cnt * sizeof(*slots), &e.slots_off);
	ksr_btf__free(mod);
	if (err)
		return err;
	if (b->cnt == b->cap) {
		uint32_t ncap = b->cap ? b->cap * 2 : 64;
		struct ksr_modbtf_entry *n = realloc(b->ents, ncap * sizeof(*n));

		if (!n)
			return ksr_err(ENOMEM, "out of memory for module entries");
		b->ents = n;
		b->cap = ncap;
	}
	b->ents[b->cnt++] = e;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct ksr_modbtf_entry *)a)->name,
		      ((const struct ksr_modbtf_entry *)b)->name);
}

int ksr_modbtf_builder_finish(struct ksr_modbtf_builder *b, uint8_t **sec, size_t *len)
{
	uint64_t data_off = KSR_MODBTF_HDR_LEN + (uint64_t)b->cnt * KSR_MODBTF_ENTRY_LEN;
	uint8_t *p;

	*sec = NULL;
	p = calloc(1, (size_t)data_off + b->len);
	if (!p)
		return ksr_err(ENOMEM, "out of memory for the module BTF section");
	qsort(b->ents, b->cnt, sizeof(*b->ents), by_name);
	memcpy(p, KSR_MODBTF_MAGIC, sizeof(KSR_MODBTF_MAGIC));
	memcpy(p + 8, &b->cnt, 4);
	for (uint32_t i = 0; i < b->cnt; i++) {
		struct ksr_modbtf_entry e = b->ents[i];

		e.btf_off += data_off;
		e.offs_off += data_off;
		e.slots_off += data_off;
		memcpy(p + KSR_MODBTF_HDR_LEN + (size_t)i * KSR_MODBTF_ENTRY_LEN, &e, sizeof(e));
	}
	if (b->len)
		memcpy(p + data_off, b->data, b->len);
	*sec = p;
	*len = (size_t)data_off + b->len;
	return 0;
}

/* ---- the section: reading ---------------------------------------------------- */

static int sec_err(uint64_t off, const char *what)
{
	return ksr_err(KSR_EMALFORMED, KSR_MODBTF_SECTION ": %s (offset 0x%llx in the section)",
		       what, (unsigned long long)off);
}

int ksr_modbtf_count(const struct ksr_span *sec, uint32_t *cnt)
{
	const uint8_t *h = ksr_span_get(sec, 0, KSR_MODBTF_HDR_LEN);
	uint32_t n, zero;

	*cnt = 0;
	if (!h)
		return sec_err(0, "shorter than its 16-byte header");
	if (memcmp(h, KSR_MODBTF_MAGIC, sizeof(KSR_MODBTF_MAGIC)))
		return sec_err(0, "bad magic");
	memcpy(&n, h + 8, 4);
	memcpy(&zero, h + 12, 4);
	if (zero)
		return sec_err(12, "reserved field not 0");
	if (n > KSR_MODBTF_MAX ||
	    KSR_MODBTF_HDR_LEN + (uint64_t)n * KSR_MODBTF_ENTRY_LEN > sec->len)
		return sec_err(8, "module count does not fit the section");
	*cnt = n;
	return 0;
}

/* off..off+len inside the section, 8-aligned. */
static bool part_ok(const struct ksr_span *sec, uint64_t off, uint64_t len)
{
	return off % 8 == 0 && off <= sec->len && len <= sec->len - off;
}

int ksr_modbtf_entry(const struct ksr_span *sec, uint32_t i, struct ksr_modbtf_entry *e)
{
	uint64_t at = KSR_MODBTF_HDR_LEN + (uint64_t)i * KSR_MODBTF_ENTRY_LEN;
	const void *p = ksr_span_get(sec, at, KSR_MODBTF_ENTRY_LEN);

	if (!p)
		return sec_err(at, "entry cannot be read");
	memcpy(e, p, sizeof(*e));
	if (memchr(e->name, 0, sizeof(e->name)) == NULL || !ksr_modbtf_name_ok(e->name))
		return sec_err(at, "bad module name");
	if (!part_ok(sec, e->btf_off, e->btf_len) ||
	    !part_ok(sec, e->offs_off, (uint64_t)e->type_cnt * 4) ||
	    !part_ok(sec, e->slots_off, (uint64_t)e->slot_cnt * sizeof(struct ksr_btf_name_slot)))
		return sec_err(at + KSR_MODBTF_NAME_MAX, "a part lies outside the section");
	return 0;
}

int ksr_modbtf_view(const struct ksr_span *sec, const struct ksr_modbtf_entry *e,
		    const struct ksr_btf *base, struct ksr_btf **out)
{
	struct ksr_span blob, offs, slots;

	if (!ksr_span_sub(sec, e->btf_off, e->btf_len, &blob) ||
	    !ksr_span_sub(sec, e->offs_off, (uint64_t)e->type_cnt * 4, &offs) ||
	    !ksr_span_sub(sec, e->slots_off, (uint64_t)e->slot_cnt * sizeof(struct ksr_btf_name_slot),
			  &slots))
		return sec_err(0, "a part lies outside the section");
	return ksr_btf__open_split_spans(base, &blob, &offs, e->type_cnt, &slots, e->slot_cnt, out);
}
