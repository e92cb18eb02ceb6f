// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "btf_check.h"
#include "error.h"

uint32_t INT(struct bb *b, const char *name, uint32_t size, uint32_t bits, uint32_t enc)
{
	uint32_t id = bb_t(b, name, BTF_KIND_INT, 0, 0, size);

	bb_w(b, enc << 24 | bits);
	return id;
}

uint32_t REF(struct bb *b, unsigned int kind, const char *name, uint32_t type)
{
	return bb_t(b, name, kind, 0, 0, type);
}

uint32_t AGGR(struct bb *b, unsigned int kind, const char *name, uint32_t size,
		     uint32_t vlen, unsigned int kflag)
{
	return bb_t(b, name, kind, kflag, vlen, size);
}

void MEMBER(struct bb *b, const char *name, uint32_t type, uint32_t bitoff)
{
	bb_w(b, bb_str(b, name));
	bb_w(b, type);
	bb_w(b, bitoff);
}

uint32_t ENUM(struct bb *b, const char *name, uint32_t size, uint32_t vlen)
{
	return bb_t(b, name, BTF_KIND_ENUM, 0, vlen, size);
}

void ENUMVAL(struct bb *b, const char *name, int32_t val)
{
	bb_w(b, bb_str(b, name));
	bb_w(b, (uint32_t)val);
}

uint32_t ENUM64(struct bb *b, const char *name, uint32_t size, uint32_t vlen)
{
	return bb_t(b, name, BTF_KIND_ENUM64, 0, vlen, size);
}

void ENUM64VAL(struct bb *b, const char *name, uint64_t val)
{
	bb_w(b, bb_str(b, name));
	bb_w(b, (uint32_t)val);
	bb_w(b, (uint32_t)(val >> 32));
}

uint32_t FWD(struct bb *b, const char *name, unsigned int is_union)
{
	return bb_t(b, name, BTF_KIND_FWD, is_union, 0, 0);
}

uint32_t FUNC(struct bb *b, const char *name, uint32_t proto, unsigned int linkage)
{
	return bb_t(b, name, BTF_KIND_FUNC, 0, linkage, proto);
}

uint32_t PROTO(struct bb *b, uint32_t ret, uint32_t vlen)
{
	return bb_t(b, NULL, BTF_KIND_FUNC_PROTO, 0, vlen, ret);
}

void PARAM(struct bb *b, const char *name, uint32_t type)
{
	bb_w(b, bb_str(b, name));
	bb_w(b, type);
}

uint32_t VAR(struct bb *b, const char *name, uint32_t type, uint32_t linkage)
{
	uint32_t id = bb_t(b, name, BTF_KIND_VAR, 0, 0, type);

	bb_w(b, linkage);
	return id;
}

uint32_t DATASEC(struct bb *b, const char *name, uint32_t size, uint32_t vlen)
{
	return bb_t(b, name, BTF_KIND_DATASEC, 0, vlen, size);
}

void SECINFO(struct bb *b, uint32_t type, uint32_t off, uint32_t size)
{
	bb_w(b, type);
	bb_w(b, off);
	bb_w(b, size);
}

uint32_t FLOAT(struct bb *b, const char *name, uint32_t size)
{
	return bb_t(b, name, BTF_KIND_FLOAT, 0, 0, size);
}

uint32_t DECL_TAG(struct bb *b, const char *value, uint32_t target, int32_t idx)
{
	uint32_t id = bb_t(b, value, BTF_KIND_DECL_TAG, 0, 0, target);

	bb_w(b, (uint32_t)idx);
	return id;
}

static void expect_msg(const char *n1, const char *n2, const char *file, int line)
{
	const char *msg = ksr_errmsg();

	if ((n1 && !strstr(msg, n1)) || (n2 && !strstr(msg, n2))) {
		print_message("%s:%d: message '%s' lacks '%s' / '%s'\n", file, line, msg,
			      n1 ? n1 : "", n2 ? n2 : "");
		fail();
	}
}

void bad_blob(const void *blob, size_t len, enum ksr_btf_mode mode, const char *n1,
		     const char *n2, const char *file, int line)
{
	struct ksr_btf *btf = (struct ksr_btf *)&btf;
	int err = ksr_btf__parse(blob, len, mode, &btf);

	if (err != -EBADMSG) {
		print_message("%s:%d: mode %d: expected -EBADMSG, got %d (%s)\n", file, line, mode,
			      err, ksr_errmsg());
		ksr_btf__free(err ? NULL : btf);
		fail();
	}
	assert_null(btf);
	expect_msg(n1, n2, file, line);
}

void bad_bb(struct bb *b, enum ksr_btf_mode mode, const char *n1, const char *n2,
		   const char *file, int line)
{
	size_t len;
	uint8_t *blob = bb_blob(b, &len);

	bad_blob(blob, len, mode, n1, n2, file, line);
	free(blob);
}

struct ksr_btf *ok_blob(const void *blob, size_t len, enum ksr_btf_mode mode,
			       const char *file, int line)
{
	struct ksr_btf *btf = NULL;
	int err = ksr_btf__parse(blob, len, mode, &btf);

	if (err) {
		print_message("%s:%d: mode %d: expected success, got %d: %s\n", file, line, mode,
			      err, ksr_errmsg());
		fail();
	}
	return btf;
}

struct ksr_btf *ok_bb(struct bb *b, enum ksr_btf_mode mode, const char *file, int line)
{
	size_t len;
	uint8_t *blob = bb_blob(b, &len);
	struct ksr_btf *btf = ok_blob(blob, len, mode, file, line);

	free(blob);
	return btf;
}
