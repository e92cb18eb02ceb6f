// SPDX-License-Identifier: BSD-2-Clause
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include "error.h"
#include "object.h"
#include "raw_elf.h"
#include "testutil.h"

void raw_init(struct raw *r, uint8_t *d, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->d = d;
	r->n = n;
	memcpy(&r->eh, d, sizeof(r->eh));
	r->shnum = r->eh.e_shnum;
	assert_true(r->shnum > 0 && r->shnum <= 256);
	for (unsigned int i = 0; i < r->shnum; i++) {
		memcpy(&r->sh[i], d + r->eh.e_shoff + i * sizeof(Elf64_Shdr), sizeof(Elf64_Shdr));
		if (r->sh[i].sh_type == SHT_SYMTAB)
			r->symtab = i;
	}
	assert_true(r->symtab != 0);
}

const char *raw_secname(const struct raw *r, unsigned int i)
{
	return (const char *)r->d + r->sh[r->eh.e_shstrndx].sh_offset + r->sh[i].sh_name;
}

int raw_sec(const struct raw *r, const char *name)
{
	for (unsigned int i = 1; i < r->shnum; i++) {
		if (!strcmp(raw_secname(r, i), name))
			return (int)i;
	}
	return -1;
}

size_t shdr_off(const struct raw *r, unsigned int i)
{
	return r->eh.e_shoff + i * sizeof(Elf64_Shdr);
}

unsigned int raw_symcnt(const struct raw *r)
{
	return (unsigned int)(r->sh[r->symtab].sh_size / sizeof(Elf64_Sym));
}

size_t sym_off(const struct raw *r, unsigned int i)
{
	return r->sh[r->symtab].sh_offset + i * sizeof(Elf64_Sym);
}

Elf64_Sym raw_sym(const struct raw *r, unsigned int i)
{
	Elf64_Sym s;

	memcpy(&s, r->d + sym_off(r, i), sizeof(s));
	return s;
}

const char *raw_symname(const struct raw *r, unsigned int i)
{
	Elf64_Sym s = raw_sym(r, i);

	return (const char *)r->d + r->sh[r->sh[r->symtab].sh_link].sh_offset + s.st_name;
}

int raw_symidx(const struct raw *r, const char *name)
{
	for (unsigned int i = 1; i < raw_symcnt(r); i++) {
		if (!strcmp(raw_symname(r, i), name))
			return (int)i;
	}
	return -1;
}

size_t raw_rel(const struct raw *r, const char *sec, const char *sym, uint64_t *r_offset)
{
	char name[128];
	int rs;

	snprintf(name, sizeof(name), ".rel%s", sec);
	rs = raw_sec(r, name);
	assert_true(rs > 0);
	for (size_t off = r->sh[rs].sh_offset; off < r->sh[rs].sh_offset + r->sh[rs].sh_size; off += 16) {
		Elf64_Rel rel;

		memcpy(&rel, r->d + off, sizeof(rel));
		unsigned int si = (unsigned int)ELF64_R_SYM(rel.r_info);
		const char *sn = raw_symname(r, si);

		/* section symbols are unnamed; use their section's name */
		if (!sn[0] && ELF64_ST_TYPE(raw_sym(r, si).st_info) == STT_SECTION)
			sn = raw_secname(r, raw_sym(r, si).st_shndx);
		if (!sym || !strcmp(sn, sym)) {
			*r_offset = rel.r_offset;
			return off;
		}
	}
	fail_msg("no relocation in %s against %s", name, sym ? sym : "*");
	return 0;
}

size_t raw_site(const struct raw *r, const char *sec, const char *sym)
{
	uint64_t off;

	raw_rel(r, sec, sym, &off);
	return r->sh[raw_sec(r, sec)].sh_offset + off;
}

void put(struct raw *r, size_t off, const void *v, size_t len)
{
	assert_true(off + len <= r->n);
	memcpy(r->d + off, v, len);
}

void put16(struct raw *r, size_t off, uint16_t v) { put(r, off, &v, 2); }

void put32(struct raw *r, size_t off, uint32_t v) { put(r, off, &v, 4); }

void put64(struct raw *r, size_t off, uint64_t v) { put(r, off, &v, 8); }

void set_shdr(struct raw *r, const char *sec, size_t field, uint64_t v, size_t width)
{
	int i = raw_sec(r, sec);

	assert_true(i > 0);
	if (width == 8)
		put64(r, shdr_off(r, (unsigned int)i) + field, v);
	else
		put32(r, shdr_off(r, (unsigned int)i) + field, (uint32_t)v);
}

size_t first_rel(struct raw *r, const char *sec, const char *sym)
{
	uint64_t off;

	return raw_rel(r, sec, sym, &off);
}

size_t btf_off(struct raw *r) { return r->sh[raw_sec(r, ".BTF")].sh_offset; }

size_t btf_type_foff(struct raw *r, const char *name, int kind, uint32_t *name_off)
{
	struct btf *lb = btf__new(r->d + btf_off(r), (__u32)r->sh[raw_sec(r, ".BTF")].sh_size);
	struct btf_header h;
	const struct btf_type *t;
	const void *raw;
	__u32 size;
	size_t off;
	int id;

	assert_non_null(lb);
	memcpy(&h, r->d + btf_off(r), sizeof(h));
	id = btf__find_by_name_kind(lb, name, (__u32)kind);
	assert_true(id > 0);
	t = btf__type_by_id(lb, (__u32)id);
	raw = btf__raw_data(lb, &size);
	off = btf_off(r) + (size_t)((const uint8_t *)t - (const uint8_t *)raw);
	if (name_off)
		*name_off = t->name_off;
	btf__free(lb);
	return off;
}

void require_bpf_objects(void)
{
	if (!tu_readable(tu_bpf_obj("typeless")))
		tu_skip("BPF test objects not built");
}

uint8_t *load_obj(const char *name, size_t *len)
{
	const char *path = tu_bpf_obj(name);
	uint8_t *d = tu_read_file(path, len);

	if (!d)
		fail_msg("cannot read %s (build the bpf_objects target)", path);
	return d;
}

struct ksr_object *open_ok(const uint8_t *d, size_t n)
{
	struct ksr_object *obj = NULL;
	int err = ksr_object__open_mem(d, n, &obj);

	if (err)
		fail_msg("open failed: %d: %s", err, ksr_errmsg());
	return obj;
}

void expect_bad_cases(const struct bad_case *cases, size_t n)
{
	size_t failures = 0;

	for (size_t k = 0; k < n; k++) {
		const struct bad_case *c = &cases[k];
		size_t len;
		uint8_t *d = load_obj(c->obj, &len);
		struct ksr_object *obj = NULL;
		const char *msg;
		struct raw r;
		int err;

		raw_init(&r, d, len);
		c->mutate(&r, &len);
		err = ksr_object__open_mem(d, len, &obj);
		msg = ksr_errmsg();
		if (getenv("KSR_TEST_VERBOSE"))
			print_message("%-28s %s\n", c->what, msg);
		if (err != -EBADMSG || obj || (!strstr(msg, c->msg) && !(c->alt && strstr(msg, c->alt)))) {
			print_error("%s (%s): got %d, '%s'; want -EBADMSG, '%s'\n", c->what, c->obj, err, msg,
				    c->msg);
			failures++;
		}
		ksr_object__free(obj);
		free(d);
	}
	assert_int_equal(failures, 0);
}
