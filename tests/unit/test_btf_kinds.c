// SPDX-License-Identifier: BSD-2-Clause
/* core/btf_kinds.c: the per-kind rules, the kinds a reference may name, the
 * resolve pass (cycles, depth, sizes) and where OBJECT mode differs from
 * KERNEL mode (what clang emits, what libbpf rewrites). Every rule gets a
 * blob that breaks it; the test checks the error code and that the message
 * names the right type and part. IDs in the comments follow
 * docs/bad-inputs.md. */
#include <dirent.h>
#include <errno.h>
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

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <gelf.h>
#include <libelf.h>

#include "btf.h"
#include "error.h"
#include "btf_builder.h"
#include "btf_check.h"
#include "testutil.h"

/* ---- per-kind rules (B18-B25, B32-B35) --------------------------------------- */

static void test_int_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	bb_rec(&b, 1)[1] |= 1;
	BAD2(&b, "type 1 INT: vlen 1, expected 0", "(offset 0x1c)");
	bb_rec(&b, 1)[1] = BTF_KIND_INT << 24 | 1u << 31;
	BAD2(&b, "type 1 INT: kind_flag set", NULL);
	bb_rec(&b, 1)[1] = BTF_KIND_INT << 24;
	bb_rec(&b, 1)[3] = 1u << 28 | 32;
	BAD2(&b, "int_data 0x10000020 has reserved bits set", "(offset 0x24)");
	bb_rec(&b, 1)[2] = 16;
	bb_rec(&b, 1)[3] = 129;
	BAD2(&b, "bits 129 + bit offset 0 exceed 128", NULL);
	bb_rec(&b, 1)[3] = 120 | 16 << 16;
	BAD2(&b, "bits 120 + bit offset 16 exceed 128", NULL);
	bb_rec(&b, 1)[2] = 4;
	bb_rec(&b, 1)[3] = 33;
	BAD2(&b, "33 bits do not fit in size 4", "(offset 0x20)");
	bb_rec(&b, 1)[3] = 3u << 24 | 32;
	BAD2(&b, "unsupported encoding 0x3", NULL);
	bb_rec(&b, 1)[3] = BTF_INT_BOOL << 24 | 1;
	OK2(&b);
	bb_rec(&b, 1)[2] = 16;
	bb_rec(&b, 1)[3] = 128;
	OK2(&b);
	bb_free(&b);
}

static void test_ref_kind_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	PTR(&b, 1);
	bb_rec(&b, 2)[0] = bb_str(&b, "p");
	BAD2(&b, "type 2 PTR: has a name", NULL);
	bb_rec(&b, 2)[0] = 0;
	bb_rec(&b, 2)[1] |= 1u << 31;
	BAD2(&b, "type 2 PTR: kind_flag set", NULL);
	bb_rec(&b, 2)[1] = BTF_KIND_PTR << 24 | 2;
	BAD2(&b, "type 2 PTR: vlen 2, expected 0", NULL);
	bb_rec(&b, 2)[1] = BTF_KIND_CONST << 24;
	bb_rec(&b, 2)[0] = bb_str(&b, "c");
	BAD2(&b, "type 2 CONST: has a name", NULL);
	bb_rec(&b, 2)[1] = BTF_KIND_RESTRICT << 24;
	BAD2(&b, "type 2 RESTRICT: has a name", NULL);
	bb_rec(&b, 2)[1] = BTF_KIND_VOLATILE << 24;
	BAD2(&b, "type 2 VOLATILE: has a name", NULL);
	/* TYPEDEF needs an identifier (B7) */
	bb_rec(&b, 2)[1] = BTF_KIND_TYPEDEF << 24;
	bb_rec(&b, 2)[0] = 0;
	BAD2(&b, "type 2 TYPEDEF: missing name", NULL);
	bb_rec(&b, 2)[0] = bb_str(&b, "1abc");
	BAD2(&b, "type 2 TYPEDEF: invalid name '1abc'", NULL);
	bb_rec(&b, 2)[0] = bb_str(&b, "a\x01\x7f");
	BAD2(&b, "invalid name 'a\\x01\\x7f'", NULL);
	bb_rec(&b, 2)[0] = bb_str(&b, "a-b");
	BAD2(&b, "invalid name", NULL);
	bb_rec(&b, 2)[0] = bb_str(&b, "_a.b9");
	OK2(&b);
	/* TYPE_TAG: any non-empty name; kind_flag allowed (attribute tags) */
	bb_rec(&b, 2)[1] = BTF_KIND_TYPE_TAG << 24;
	bb_rec(&b, 2)[0] = 0;
	BAD2(&b, "type 2 TYPE_TAG: empty tag", NULL);
	bb_rec(&b, 2)[0] = bb_str(&b, "user tag!");
	OK2(&b);
	bb_rec(&b, 2)[1] |= 1u << 31;
	OK2(&b);
	bb_free(&b);

	/* a 511-byte identifier is fine, 512 is not */
	{
		char name[513];

		memset(name, 'a', sizeof(name));
		name[511] = '\0';
		bb_init(&b);
		TYPEDEF(&b, name, 0);
		OK2(&b);
		name[511] = 'a';
		name[512] = '\0';
		bb_rec(&b, 1)[0] = bb_str(&b, name);
		BAD2(&b, "invalid name", NULL);
		bb_free(&b);
	}
}

static void test_fwd_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	FWD(&b, "f", 1);
	OK2(&b);
	bb_rec(&b, 1)[1] |= 1;
	BAD2(&b, "type 1 FWD: vlen 1, expected 0", NULL);
	bb_rec(&b, 1)[1] = BTF_KIND_FWD << 24;
	bb_rec(&b, 1)[2] = 1;
	BAD2(&b, "type 1 FWD: type 1, expected 0", NULL);
	bb_rec(&b, 1)[2] = 0;
	bb_rec(&b, 1)[0] = 0;
	BAD2(&b, "type 1 FWD: missing name", NULL);
	bb_free(&b);
}

static void test_array_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	ARRAY(&b, 1, 1, 2);                      /* 2 */
	OK2(&b);
	bb_rec(&b, 2)[0] = bb_str(&b, "a");
	BAD2(&b, "type 2 ARRAY: has a name", NULL);
	bb_rec(&b, 2)[0] = 0;
	bb_rec(&b, 2)[1] |= 1;
	BAD2(&b, "type 2 ARRAY: vlen 1", NULL);
	bb_rec(&b, 2)[1] = BTF_KIND_ARRAY << 24 | 1u << 31;
	BAD2(&b, "type 2 ARRAY: kind_flag set", NULL);
	bb_rec(&b, 2)[1] = BTF_KIND_ARRAY << 24;
	bb_rec(&b, 2)[2] = 8;
	BAD2(&b, "type 2 ARRAY: size 8, expected 0", NULL);
	bb_rec(&b, 2)[2] = 0;
	bb_rec(&b, 2)[3] = 0;
	BAD2(&b, "type 2 ARRAY: element type void", "(offset 0x34)");
	bb_rec(&b, 2)[3] = 1;
	bb_rec(&b, 2)[4] = 0;
	BAD2(&b, "type 2 ARRAY: index type void", "(offset 0x38)");
	bb_free(&b);

	/* index must be a regular INT (B21), element must have a size */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	STRUCT(&b, "s", 4, 1);                   /* 2 */
	MEMBER(&b, "a", 1, 0);
	INT(&b, "bits", 4, 3, 0);                /* 3 */
	PROTO(&b, 0, 0);                         /* 4 */
	TYPEDEF(&b, "idx_t", 1);                 /* 5 */
	ARRAY(&b, 1, 2, 2);                      /* 6 */
	BAD2(&b, "type 6 ARRAY: index type id 2 is not a regular INT", NULL);
	bb_rec(&b, 6)[4] = 3;
	BAD2(&b, "type 6 ARRAY: index type id 3 is not a regular INT", NULL);
	bb_rec(&b, 6)[4] = 4;
	BAD2(&b, "type 6 ARRAY: index type id 4 has kind FUNC_PROTO", NULL);
	bb_rec(&b, 6)[4] = 5;
	OK2(&b);
	bb_rec(&b, 6)[3] = 4;
	BAD2(&b, "type 6 ARRAY: element type id 4 (FUNC_PROTO) has no size", NULL);
	bb_rec(&b, 6)[3] = 3;
	BAD2(&b, "type 6 ARRAY: element type id 3 is a bitfield INT", NULL);
	bb_free(&b);
}

static void test_struct_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	STRUCT(&b, "s", 8, 2);                   /* 2 */
	MEMBER(&b, "a", 1, 0);
	MEMBER(&b, "b", 1, 32);
	OK2(&b);
	bb_rec(&b, 2)[7] = 0;
	BAD2(&b, "type 2 STRUCT: member 1: type void", "(offset 0x44)");
	bb_rec(&b, 2)[7] = 1;
	bb_rec(&b, 2)[5] = 64;
	BAD2(&b, "type 2 STRUCT: member 1: bit offset 32 below the previous 64", "(offset 0x48)");
	bb_rec(&b, 2)[5] = 0;
	bb_rec(&b, 2)[8] = 72;
	BAD2(&b, "type 2 STRUCT: member 1: bit offset 72 beyond size 8", NULL);
	bb_rec(&b, 2)[8] = 40;
	BAD2(&b, "type 2 STRUCT: member 1: ends at byte 9, beyond size 8", NULL);
	bb_rec(&b, 2)[8] = 32;
	bb_rec(&b, 2)[6] = bb_str(&b, "9b");
	BAD2(&b, "type 2 STRUCT: member 1: invalid name '9b'", NULL);
	bb_rec(&b, 2)[6] = 0;
	OK2(&b);                                 /* anonymous members are fine */
	bb_rec(&b, 2)[0] = bb_str(&b, "s s");
	BAD2(&b, "type 2 STRUCT: invalid name 's s'", NULL);
	bb_rec(&b, 2)[0] = 0;
	OK2(&b);
	/* union members all at offset 0 */
	bb_rec(&b, 2)[1] = BTF_KIND_UNION << 24 | 2;
	BAD2(&b, "type 2 UNION: member 1: bit offset 32 in a union", NULL);
	bb_rec(&b, 2)[8] = 0;
	OK2(&b);
	bb_free(&b);

	/* members of every sized kind must end inside the struct */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	PTR(&b, 1);                              /* 2 */
	ARRAY(&b, 1, 1, 3);                      /* 3: 12 bytes */
	STRUCT(&b, "in", 16, 0);                 /* 4 */
	ENUM(&b, "e", 8, 0);                     /* 5 */
	FLOAT(&b, "double", 8);                  /* 6 */
	CONST(&b, 3);                            /* 7 */
	STRUCT(&b, "s", 16, 1);                  /* 8 */
	MEMBER(&b, "m", 2, 72);
	BAD2(&b, "type 8 STRUCT: member 0: ends at byte 17, beyond size 16", NULL);
	bb_rec(&b, 8)[5] = 68;
	BAD2(&b, "member 0: bit offset 68 not byte aligned", NULL);
	bb_rec(&b, 8)[5] = 64;
	OK2(&b);
	bb_rec(&b, 8)[4] = 3;
	BAD2(&b, "member 0: ends at byte 20", NULL);
	bb_rec(&b, 8)[4] = 7;
	BAD2(&b, "member 0: ends at byte 20", NULL);
	bb_rec(&b, 8)[5] = 32;
	OK2(&b);
	bb_rec(&b, 8)[4] = 4;
	BAD2(&b, "member 0: ends at byte 20", NULL);
	bb_rec(&b, 8)[4] = 5;
	bb_rec(&b, 8)[5] = 72;
	BAD2(&b, "member 0: ends at byte 17", NULL);
	bb_rec(&b, 8)[4] = 6;
	bb_rec(&b, 8)[5] = 32;
	BAD2(&b, "member 0: bit offset 32 not aligned for a 8-byte FLOAT", NULL);
	bb_rec(&b, 8)[5] = 64;
	OK2(&b);
	bb_rec(&b, 8)[5] = 72;
	BAD2(&b, "not aligned", NULL);
	bb_free(&b);

	/* int members: bit offset plus the int's own offset (B17, B22) */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	STRUCT(&b, "s", 4, 1);                   /* 2 */
	MEMBER(&b, "a", 1, 1);
	BAD2(&b, "type 2 STRUCT: member 0: ends at byte 5, beyond size 4", NULL);
	bb_rec(&b, 2)[2] = 5;
	OK2(&b);
	bb_free(&b);
}

static void test_bitfield_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	INT(&b, "odd", 4, 31, 0);                /* 2 */
	PTR(&b, 1);                              /* 3 */
	ENUM(&b, "e", 4, 0);                     /* 4 */
	TYPEDEF(&b, "t", 1);                     /* 5 */
	AGGR(&b, BTF_KIND_STRUCT, "s", 8, 3, 1); /* 6 */
	MEMBER(&b, "a", 1, 3u << 24 | 0);
	MEMBER(&b, "b", 5, 5u << 24 | 3);
	MEMBER(&b, "c", 4, 2u << 24 | 8);
	OK2(&b);
	bb_rec(&b, 6)[5] = 33u << 24;
	BAD2(&b, "type 6 STRUCT: member 0: bitfield of 33 bits in a 32-bit INT", NULL);
	bb_rec(&b, 6)[5] = 3;
	BAD2(&b, "member 0: bit offset 3 not byte aligned", NULL);
	bb_rec(&b, 6)[5] = 0;
	bb_rec(&b, 6)[4] = 2;
	BAD2(&b, "member 0: base type 2 is not a regular INT", NULL);
	bb_rec(&b, 6)[4] = 3;
	bb_rec(&b, 6)[5] = 1u << 24;
	BAD2(&b, "member 0: bitfield of a PTR", NULL);
	bb_rec(&b, 6)[5] = 0;
	OK2(&b);
	bb_rec(&b, 6)[4] = 1;
	bb_rec(&b, 6)[11] = 33u << 24 | 8;
	BAD2(&b, "member 2: enum bitfield of 33 bits", NULL);
	bb_rec(&b, 6)[11] = 40;
	BAD2(&b, "member 2: ends at byte 9, beyond size 8", NULL);
	bb_rec(&b, 6)[11] = 24u << 24 | 40;
	OK2(&b);
	bb_free(&b);
}

static void test_enum_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	ENUM(&b, "e", 4, 1);
	ENUMVAL(&b, "A", 1);
	ENUM64(&b, "e64", 8, 1);
	ENUM64VAL(&b, "B", 1);
	OK2(&b);
	bb_rec(&b, 1)[2] = 3;
	BAD2(&b, "type 1 ENUM: size 3, expected 1, 2, 4 or 8", NULL);
	bb_rec(&b, 1)[2] = 0;
	BAD2(&b, "type 1 ENUM: size 0", NULL);
	bb_rec(&b, 1)[2] = 1;
	bb_rec(&b, 1)[3] = 0;
	BAD2(&b, "type 1 ENUM: enumerator 0: missing name", NULL);
	bb_rec(&b, 1)[3] = bb_str(&b, "a b");
	BAD2(&b, "type 1 ENUM: enumerator 0: invalid name 'a b'", NULL);
	bb_rec(&b, 1)[3] = bb_str(&b, "A");
	bb_rec(&b, 1)[1] |= 1u << 31;            /* signed enum */
	OK2(&b);
	bb_rec(&b, 2)[2] = 16;
	BAD2(&b, "type 2 ENUM64: size 16", NULL);
	bb_free(&b);
}

static void test_func_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	PROTO(&b, 1, 1);                         /* 2 */
	PARAM(&b, "x", 1);
	FUNC(&b, "f", 2, BTF_FUNC_STATIC);       /* 3 */
	OK2(&b);
	bb_rec(&b, 3)[1] = BTF_KIND_FUNC << 24 | BTF_FUNC_EXTERN;
	BAD(&b, K, "type 3 FUNC: linkage 2 not allowed (at most 1)", "(offset 0x40)");
	OK(&b, O);
	bb_rec(&b, 3)[1] = BTF_KIND_FUNC << 24 | 3;
	BAD2(&b, "type 3 FUNC: linkage 3 not allowed", NULL);
	bb_rec(&b, 3)[1] = BTF_KIND_FUNC << 24 | 1u << 31;
	BAD2(&b, "type 3 FUNC: kind_flag set", NULL);
	bb_rec(&b, 3)[1] = BTF_KIND_FUNC << 24;
	bb_rec(&b, 3)[0] = 0;
	BAD2(&b, "type 3 FUNC: missing name", NULL);
	bb_rec(&b, 3)[0] = bb_str(&b, "f");
	bb_rec(&b, 3)[2] = 1;
	BAD2(&b, "type 3 FUNC: type id 1 has kind INT, expected FUNC_PROTO", NULL);
	bb_rec(&b, 3)[2] = 2;
	/* the kernel wants named parameters for functions (clang leaves
	 * kfunc declarations unnamed) */
	bb_rec(&b, 2)[3] = 0;
	BAD(&b, K, "type 3 FUNC: param 0 of FUNC_PROTO 2 has no name", NULL);
	OK(&b, O);
	bb_free(&b);
}

static void test_proto_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	FWD(&b, "f", 0);                         /* 2 */
	VAR(&b, "v", 1, 0);                      /* 3 */
	PROTO(&b, 1, 3);                         /* 4 */
	PARAM(&b, "a", 1);
	PARAM(&b, NULL, 1);
	PARAM(&b, NULL, 0);                      /* "..." */
	OK2(&b);                                 /* unnamed params without a FUNC */
	bb_rec(&b, 4)[0] = bb_str(&b, "p");
	BAD2(&b, "type 4 FUNC_PROTO: has a name", NULL);
	bb_rec(&b, 4)[0] = 0;
	bb_rec(&b, 4)[1] |= 1u << 31;
	BAD2(&b, "type 4 FUNC_PROTO: kind_flag set", NULL);
	bb_rec(&b, 4)[1] = BTF_KIND_FUNC_PROTO << 24 | 3;
	bb_rec(&b, 4)[7] = bb_str(&b, "rest");
	BAD2(&b, "type 4 FUNC_PROTO: param 2: named vararg", NULL);
	bb_rec(&b, 4)[7] = 0;
	bb_rec(&b, 4)[6] = 0;
	BAD2(&b, "type 4 FUNC_PROTO: param 1: void before the last parameter", NULL);
	bb_rec(&b, 4)[6] = 2;
	BAD2(&b, "type 4 FUNC_PROTO: param 1: type id 2 has no size", "(offset 0x5c)");
	bb_rec(&b, 4)[6] = 3;
	BAD2(&b, "type 4 FUNC_PROTO: param 1: type id 3 has kind VAR", NULL);
	bb_rec(&b, 4)[6] = 1;
	bb_rec(&b, 4)[2] = 2;
	BAD2(&b, "type 4 FUNC_PROTO: return: type id 2 has no size", NULL);
	bb_rec(&b, 4)[2] = 3;
	BAD2(&b, "type 4 FUNC_PROTO: return: type id 3 has kind VAR", NULL);
	bb_rec(&b, 4)[2] = 0;
	OK2(&b);
	bb_rec(&b, 4)[3] = bb_str(&b, "a.b");
	OK2(&b);
	bb_rec(&b, 4)[3] = bb_str(&b, "a/b");
	BAD2(&b, "type 4 FUNC_PROTO: param 0: invalid name 'a/b'", NULL);
	bb_free(&b);
}

static void test_var_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	VAR(&b, "v", 1, BTF_VAR_STATIC);         /* 2 */
	OK2(&b);
	bb_rec(&b, 2)[3] = BTF_VAR_GLOBAL_EXTERN;
	BAD(&b, K, "type 2 VAR: linkage 2 not allowed (at most 1)", "(offset 0x34)");
	OK(&b, O);
	bb_rec(&b, 2)[3] = 3;
	BAD2(&b, "type 2 VAR: linkage 3 not allowed", NULL);
	bb_rec(&b, 2)[3] = 0;
	bb_rec(&b, 2)[2] = 0;
	BAD2(&b, "type 2 VAR: type void", NULL);
	bb_rec(&b, 2)[2] = 1;
	bb_rec(&b, 2)[1] |= 1;
	BAD2(&b, "type 2 VAR: vlen 1", NULL);
	bb_rec(&b, 2)[1] = BTF_KIND_VAR << 24 | 1u << 31;
	BAD2(&b, "type 2 VAR: kind_flag set", NULL);
	bb_rec(&b, 2)[1] = BTF_KIND_VAR << 24;
	bb_rec(&b, 2)[0] = 0;
	BAD2(&b, "type 2 VAR: missing name", NULL);
	bb_free(&b);

	/* what a VAR may point at (B25) */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	PROTO(&b, 0, 0);                         /* 2 */
	FUNC(&b, "f", 2, 0);                     /* 3 */
	VAR(&b, "w", 1, 0);                      /* 4 */
	DATASEC(&b, ".data", 4, 1);              /* 5 */
	SECINFO(&b, 4, 0, 4);
	DECL_TAG(&b, "t", 4, -1);                /* 6 */
	VAR(&b, "v", 3, 0);                      /* 7 */
	BAD2(&b, "type 7 VAR: type id 3 has kind FUNC", NULL);
	bb_rec(&b, 7)[2] = 4;
	BAD2(&b, "type 7 VAR: type id 4 has kind VAR", NULL);
	bb_rec(&b, 7)[2] = 5;
	BAD2(&b, "type 7 VAR: type id 5 has kind DATASEC", NULL);
	bb_rec(&b, 7)[2] = 6;
	BAD2(&b, "type 7 VAR: type id 6 has kind DECL_TAG", NULL);
	bb_rec(&b, 7)[2] = 2;
	BAD2(&b, "type 7 VAR: type id 2 (FUNC_PROTO) has no size", NULL);
	bb_free(&b);
}

static void test_datasec_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	VAR(&b, "a", 1, 1);                      /* 2 */
	VAR(&b, "b", 1, 1);                      /* 3 */
	DATASEC(&b, ".data", 8, 2);              /* 4 */
	SECINFO(&b, 2, 0, 4);
	SECINFO(&b, 3, 4, 4);
	OK2(&b);
	/* entry i: type at word 3 + 3i, offset at 4 + 3i, size at 5 + 3i */
	assert_int_equal(bb_off(&b, 4, 7), 0x64);
	bb_rec(&b, 4)[7] = 2;
	BAD2(&b, "type 4 DATASEC: entry 1: offset 2 overlaps or is beyond size 8", "(offset 0x64)");
	bb_rec(&b, 4)[7] = 8;
	BAD2(&b, "entry 1: offset 8 overlaps or is beyond size 8", NULL);
	bb_rec(&b, 4)[7] = 6;
	BAD2(&b, "type 4 DATASEC: entry 1: ends at 10 beyond size 8", NULL);
	bb_rec(&b, 4)[7] = 4;
	bb_rec(&b, 4)[8] = 0;
	BAD2(&b, "type 4 DATASEC: entry 1: size 0 invalid", NULL);
	bb_rec(&b, 4)[8] = 4;
	bb_rec(&b, 4)[5] = 2;
	BAD2(&b, "type 4 DATASEC: entry 0: size 2 below the 4 bytes of VAR 2", NULL); /* B28 */
	bb_rec(&b, 4)[5] = 4;
	bb_rec(&b, 4)[6] = 1;
	BAD2(&b, "type 4 DATASEC: entry 1: type id 1 has kind INT, expected VAR", NULL);
	bb_rec(&b, 4)[6] = 0;
	BAD2(&b, "type 4 DATASEC: entry 1: type void", NULL);
	bb_rec(&b, 4)[6] = 3;
	bb_rec(&b, 4)[1] |= 1u << 31;
	BAD2(&b, "type 4 DATASEC: kind_flag set", NULL);
	bb_rec(&b, 4)[1] = BTF_KIND_DATASEC << 24 | 2;
	bb_rec(&b, 4)[0] = bb_str(&b, ".da\nta");
	BAD2(&b, "type 4 DATASEC: invalid name '.da\\x0ata'", NULL);
	bb_rec(&b, 4)[0] = bb_str(&b, ".rodata.str1.1 (any printable)");
	OK2(&b);
	bb_rec(&b, 4)[0] = 0;
	BAD2(&b, "type 4 DATASEC: missing name", NULL);
	bb_rec(&b, 4)[0] = bb_str(&b, ".data");
	/* size 0: never for the kernel; clang's shape (all offsets 0) in objects */
	bb_rec(&b, 4)[2] = 0;
	bb_rec(&b, 4)[7] = 0;
	BAD(&b, K, "type 4 DATASEC: size 0", NULL);
	OK(&b, O);
	bb_rec(&b, 4)[7] = 4;
	BAD(&b, O, "type 4 DATASEC: entry 1: offset 4 in a size-0 DATASEC", NULL);
	bb_free(&b);

	/* the sum of the entries must fit too */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	VAR(&b, "a", 1, 1);
	DATASEC(&b, ".data", 4, 2);
	SECINFO(&b, 2, 0, 4);
	SECINFO(&b, 2, 0, 4);
	BAD(&b, K, "entry 1: offset 0 overlaps", NULL);
	bb_free(&b);
}

static void test_float_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	FLOAT(&b, "long double", 16);
	OK2(&b);
	bb_rec(&b, 1)[2] = 12;
	OK2(&b);
	bb_rec(&b, 1)[2] = 3;
	BAD2(&b, "type 1 FLOAT: size 3, expected 2, 4, 8, 12 or 16", NULL);
	bb_rec(&b, 1)[2] = 4;
	bb_rec(&b, 1)[1] |= 1;
	BAD2(&b, "type 1 FLOAT: vlen 1", NULL);
	bb_rec(&b, 1)[1] = BTF_KIND_FLOAT << 24 | 1u << 31;
	BAD2(&b, "type 1 FLOAT: kind_flag set", NULL);
	bb_free(&b);
}

static void test_decl_tag_rules(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	STRUCT(&b, "s", 4, 1);                   /* 2 */
	MEMBER(&b, "a", 1, 0);
	PROTO(&b, 1, 2);                         /* 3 */
	PARAM(&b, "x", 1);
	PARAM(&b, "y", 1);
	FUNC(&b, "f", 3, 1);                     /* 4 */
	VAR(&b, "v", 1, 0);                      /* 5 */
	TYPEDEF(&b, "t", 1);                     /* 6 */
	DECL_TAG(&b, "tag", 2, 0);               /* 7 */
	OK2(&b);
	bb_rec(&b, 7)[3] = 1;
	BAD2(&b, "type 7 DECL_TAG: component_idx 1 out of range (1 components)", "(offset 0x");
	bb_rec(&b, 7)[2] = 4;
	OK2(&b);
	bb_rec(&b, 7)[3] = 2;
	BAD2(&b, "type 7 DECL_TAG: component_idx 2 out of range (2 components)", NULL);
	bb_rec(&b, 7)[3] = (uint32_t)-2;
	BAD2(&b, "type 7 DECL_TAG: component_idx -2 below -1", NULL);
	bb_rec(&b, 7)[3] = 0;
	bb_rec(&b, 7)[2] = 5;
	BAD2(&b, "type 7 DECL_TAG: component_idx 0 on a VAR", NULL);
	bb_rec(&b, 7)[2] = 6;
	BAD2(&b, "type 7 DECL_TAG: component_idx 0 on a TYPEDEF", NULL);
	bb_rec(&b, 7)[3] = (uint32_t)-1;
	OK2(&b);
	bb_rec(&b, 7)[2] = 1;
	BAD2(&b, "type 7 DECL_TAG: target type id 1 has kind INT", NULL);
	bb_rec(&b, 7)[2] = 0;
	BAD2(&b, "target type id 0 has kind void", NULL);
	bb_rec(&b, 7)[2] = 2;
	bb_rec(&b, 7)[0] = 0;
	BAD2(&b, "type 7 DECL_TAG: empty tag value", NULL);
	bb_rec(&b, 7)[0] = bb_str(&b, "any value, really");
	bb_rec(&b, 7)[1] |= 1u << 31;            /* attribute tag */
	OK2(&b);
	bb_rec(&b, 7)[1] |= 1;
	BAD2(&b, "type 7 DECL_TAG: vlen 1", NULL);
	bb_free(&b);
}

/* Type tags come first in a modifier chain (B34). */
static void test_type_tag_order(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	CONST(&b, 1);                            /* 2 */
	TYPE_TAG(&b, "user", 2);                 /* 3: tag -> const -> int: fine */
	PTR(&b, 3);                              /* 4 */
	OK2(&b);
	bb_rec(&b, 2)[2] = 3;                    /* const -> tag -> const: loop */
	BAD2(&b, "reference loop", NULL);
	bb_free(&b);

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	TYPE_TAG(&b, "user", 1);                 /* 2 */
	CONST(&b, 2);                            /* 3: const -> tag */
	BAD2(&b, "type 3 CONST: type tag 2 follows a modifier", NULL);
	bb_rec(&b, 3)[1] = BTF_KIND_TYPEDEF << 24;
	bb_rec(&b, 3)[0] = bb_str(&b, "t");
	BAD2(&b, "type 3 TYPEDEF: type tag 2 follows a modifier", NULL);
	bb_rec(&b, 3)[1] = BTF_KIND_TYPE_TAG << 24;
	OK2(&b);                                 /* tag -> tag */
	bb_rec(&b, 3)[1] = BTF_KIND_PTR << 24;
	bb_rec(&b, 3)[0] = 0;
	OK2(&b);                                 /* ptr -> tag: a new chain */
	bb_free(&b);
}

/* ---- references (B12) and kinds of references -------------------------------- */

static void test_ref_ranges(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	PTR(&b, 99);                             /* 2 */
	BAD2(&b, "type 2 PTR: type id 99 out of range (3 types)", "(offset 0x30)");
	bb_rec(&b, 2)[1] = BTF_KIND_TYPEDEF << 24;
	bb_rec(&b, 2)[0] = bb_str(&b, "t");
	BAD2(&b, "type 2 TYPEDEF: type id 99 out of range", NULL);
	bb_free(&b);

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	STRUCT(&b, "s", 16, 4);                  /* 2 */
	MEMBER(&b, "a", 1, 0);
	MEMBER(&b, "b", 1, 32);
	MEMBER(&b, "c", 1, 64);
	MEMBER(&b, "d", 9999, 96);
	/* member 3's type field: 24 + 16 (INT) + 12 + 3 * 12 + 4 */
	assert_int_equal(bb_off(&b, 2, 3 + 3 * 3 + 1), 0x5c);
	BAD2(&b, "type 2 STRUCT: member 3: type id 9999 out of range", "(offset 0x5c)");
	bb_free(&b);

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	ARRAY(&b, 50, 1, 1);                     /* 2 */
	BAD2(&b, "type 2 ARRAY: element: type id 50 out of range", NULL);
	bb_rec(&b, 2)[3] = 1;
	bb_rec(&b, 2)[4] = 50;
	BAD2(&b, "type 2 ARRAY: index: type id 50 out of range", NULL);
	bb_free(&b);

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	PROTO(&b, 77, 1);                        /* 2 */
	PARAM(&b, "x", 1);
	FUNC(&b, "f", 88, 0);                    /* 3 */
	VAR(&b, "v", 66, 0);                     /* 4 */
	DATASEC(&b, ".data", 4, 1);              /* 5 */
	SECINFO(&b, 55, 0, 4);
	DECL_TAG(&b, "t", 44, -1);               /* 6 */
	BAD2(&b, "type 2 FUNC_PROTO: return: type id 77 out of range", NULL);
	bb_rec(&b, 2)[2] = 1;
	bb_rec(&b, 2)[4] = 78;
	BAD2(&b, "type 2 FUNC_PROTO: param 0: type id 78 out of range", NULL);
	bb_rec(&b, 2)[4] = 1;
	BAD2(&b, "type 3 FUNC: type id 88 out of range", NULL);
	bb_rec(&b, 3)[2] = 2;
	BAD2(&b, "type 4 VAR: type id 66 out of range", NULL);
	bb_rec(&b, 4)[2] = 1;
	BAD2(&b, "type 5 DATASEC: entry 0: type id 55 out of range", NULL);
	bb_rec(&b, 5)[3] = 4;
	BAD2(&b, "type 6 DECL_TAG: target: type id 44 out of range", NULL);
	bb_rec(&b, 6)[2] = 3;
	OK2(&b);
	bb_free(&b);
}

static void test_ref_kinds(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	PROTO(&b, 0, 0);                         /* 2 */
	FUNC(&b, "f", 2, 0);                     /* 3 */
	VAR(&b, "v", 1, 0);                      /* 4 */
	DATASEC(&b, ".data", 4, 1);              /* 5 */
	SECINFO(&b, 4, 0, 4);
	DECL_TAG(&b, "t", 4, -1);                /* 6 */
	PTR(&b, 4);                              /* 7 */
	BAD2(&b, "type 7 PTR: type id 4 has kind VAR", NULL);
	bb_rec(&b, 7)[1] = BTF_KIND_CONST << 24;
	bb_rec(&b, 7)[2] = 5;
	BAD2(&b, "type 7 CONST: type id 5 has kind DATASEC", NULL);
	bb_rec(&b, 7)[1] = BTF_KIND_VOLATILE << 24;
	bb_rec(&b, 7)[2] = 6;
	BAD2(&b, "type 7 VOLATILE: type id 6 has kind DECL_TAG", NULL);
	/* stricter than the kernel: nothing points at a FUNC */
	bb_rec(&b, 7)[1] = BTF_KIND_PTR << 24;
	bb_rec(&b, 7)[2] = 3;
	BAD2(&b, "type 7 PTR: type id 3 has kind FUNC", NULL);
	bb_rec(&b, 7)[2] = 2;                    /* pointer to function: fine */
	OK2(&b);
	bb_free(&b);
}

/* ---- resolve: cycles, depth, sizes (B14-B17) --------------------------------- */

static void test_cycles(void **state)
{
	struct bb b;

	/* struct containing itself */
	bb_init(&b);
	STRUCT(&b, "a", 8, 1);
	MEMBER(&b, "self", 1, 0);
	BAD2(&b, "type 1 STRUCT: reference loop through type 1", NULL);
	bb_free(&b);

	/* A { B b; } B { A a; } */
	bb_init(&b);
	STRUCT(&b, "A", 8, 1);
	MEMBER(&b, "b", 2, 0);
	STRUCT(&b, "B", 8, 1);
	MEMBER(&b, "a", 1, 0);
	BAD2(&b, "type 1 STRUCT: reference loop through type 1", NULL);
	bb_free(&b);

	/* array of itself */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	ARRAY(&b, 2, 1, 2);
	BAD2(&b, "type 2 ARRAY: reference loop through type 2", NULL);
	bb_free(&b);

	/* typedef loop, const loop */
	bb_init(&b);
	TYPEDEF(&b, "t1", 2);
	TYPEDEF(&b, "t2", 1);
	BAD2(&b, "type 1 TYPEDEF: reference loop through type 1", NULL);
	bb_free(&b);
	bb_init(&b);
	CONST(&b, 1);
	BAD2(&b, "type 1 CONST: reference loop", NULL);
	bb_free(&b);

	/* pointer-only loops are loops as well (as in the kernel) */
	bb_init(&b);
	PTR(&b, 1);
	BAD2(&b, "type 1 PTR: reference loop through type 1", NULL);
	bb_free(&b);
	bb_init(&b);
	PTR(&b, 2);
	CONST(&b, 3);
	PTR(&b, 4);
	CONST(&b, 1);
	BAD2(&b, "reference loop", NULL);
	bb_free(&b);
}

/* Cycles broken by a pointer to a struct are how lists are made. */
static void test_pointer_cycles_ok(void **state)
{
	struct bb b;

	bb_init(&b);
	STRUCT(&b, "node", 16, 2);               /* 1 */
	MEMBER(&b, "next", 2, 0);
	MEMBER(&b, "prev", 3, 64);
	PTR(&b, 1);                              /* 2 */
	CONST(&b, 2);                            /* 3: const node * */
	STRUCT(&b, "A", 8, 1);                   /* 4 */
	MEMBER(&b, "b", 6, 0);
	STRUCT(&b, "B", 8, 1);                   /* 5 */
	MEMBER(&b, "a", 7, 0);
	PTR(&b, 5);                              /* 6 */
	PTR(&b, 8);                              /* 7 */
	TYPEDEF(&b, "A_t", 4);                   /* 8 */
	OK2(&b);
	bb_free(&b);
}

#define DEEP 100000u

/* 100k modifiers / structs in a row: rejected fast, no recursion (B14, B15). */
static void test_deep_chains(void **state)
{
	struct bb b;
	double t0;

	/* upward: each refers to the next id, so the resolve stack fills */
	bb_init(&b);
	for (uint32_t i = 1; i < DEEP; i++)
		CONST(&b, i + 1);
	INT(&b, "int", 4, 32, 0);
	t0 = tu_now_ms();
	BAD2(&b, "type 1 CONST: more than 32 nested types to resolve", NULL);
	assert_true(tu_now_ms() - t0 < 2000);
	bb_free(&b);

	/* downward: every type resolves at once, the chain check catches it */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	for (uint32_t i = 1; i < DEEP; i++)
		CONST(&b, i);
	t0 = tu_now_ms();
	BAD2(&b, "type 34 CONST: more than 32 modifiers in a row", NULL);
	assert_true(tu_now_ms() - t0 < 2000);
	bb_free(&b);

	/* 32 modifiers are fine, 33 are not, in either direction */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	for (uint32_t i = 1; i <= 32; i++)
		VOLATILE(&b, i);
	OK2(&b);
	VOLATILE(&b, 33);
	BAD2(&b, "type 34 VOLATILE: more than 32 modifiers in a row", NULL);
	bb_free(&b);

	/* nested structs upward */
	bb_init(&b);
	for (uint32_t i = 1; i < DEEP; i++) {
		STRUCT(&b, "s", 4, 1);
		MEMBER(&b, "m", i + 1, 0);
	}
	INT(&b, "int", 4, 32, 0);
	t0 = tu_now_ms();
	BAD2(&b, "type 1 STRUCT: more than 32 nested types to resolve", NULL);
	assert_true(tu_now_ms() - t0 < 2000);
	bb_free(&b);

	/* nested structs downward: legal, and linear */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	for (uint32_t i = 1; i < DEEP; i++) {
		STRUCT(&b, "s", 4, 1);
		MEMBER(&b, "m", i, 0);
	}
	t0 = tu_now_ms();
	OK2(&b);
	assert_true(tu_now_ms() - t0 < 2000);
	bb_free(&b);
}

/* Shared subgraphs are resolved once (B16): union i holds union i-1 twice,
 * so a walk without memoization would take 2^100000 steps. */
static void test_dag_amplification(void **state)
{
	struct bb b;
	double t0;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	for (uint32_t i = 1; i < DEEP; i++) {
		UNION(&b, NULL, 4, 2);
		MEMBER(&b, "a", i, 0);
		MEMBER(&b, "b", i, 0);
	}
	t0 = tu_now_ms();
	OK2(&b);
	print_message("100k-level shared union ladder: %.0f ms\n", tu_now_ms() - t0);
	assert_true(tu_now_ms() - t0 < 2000);
	bb_free(&b);
}

static void test_size_overflow(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "char", 1, 8, 0);                /* 1 */
	INT(&b, "int", 4, 32, 0);                /* 2 */
	ARRAY(&b, 1, 2, 0x10000);                /* 3: 64 KiB */
	ARRAY(&b, 3, 2, 0x10000);                /* 4: 4 GiB */
	BAD2(&b, "type 4 ARRAY: 65536 x 65536 bytes overflow 32 bits", NULL);
	bb_rec(&b, 4)[5] = 0xffff;
	OK2(&b);
	bb_free(&b);

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);
	ARRAY(&b, 1, 1, 0x40000000);
	BAD2(&b, "type 2 ARRAY: 1073741824 x 4 bytes overflow 32 bits", NULL);
	bb_free(&b);

	bb_init(&b);
	INT(&b, "char", 1, 8, 0);
	ARRAY(&b, 1, 1, 0xffffffff);
	OK2(&b);
	bb_free(&b);
}

/* ---- object vs kernel mode: what clang emits (§2.4) ---------------------------- */

/* .BTF that clang 14 (-target bpf -O2 -g) emits for
 *
 *	struct task_struct;
 *	extern int bpf_prog_active __ksym;
 *	extern const void bpf_prog_put __ksym;
 *	extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym __weak;
 *	extern void bpf_rcu_read_lock(void) __ksym;
 *	extern int LINUX_KERNEL_VERSION __kconfig;
 *	int counter;
 *	char _license[] SEC("license") = "GPL";
 *	SEC("tc") int prog(void *ctx)
 *	{
 *		bpf_rcu_read_lock();
 *		if (bpf_task_acquire)
 *			bpf_task_acquire(0);
 *		counter++;
 *		return bpf_prog_active + LINUX_KERNEL_VERSION + (long)&bpf_prog_put;
 *	}
 *
 * (llvm-objcopy --dump-section .BTF=...): extern VARs and FUNCs, a typeless
 * ksym (CONST -> void), an unnamed kfunc parameter, DATASECs of size 0 with
 * all offsets 0, FUNCs in .ksyms. */
static const uint8_t clang14_btf[] = {
	0x9f, 0xeb, 0x01, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xa4, 0x01, 0x00, 0x00, 0xa4, 0x01, 0x00, 0x00, 0x61, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0d, 0x03, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x01,
	0x09, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0c, 0x02, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x00,
	0xb9, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x0c, 0x05, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0d, 0x08, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02, 0x09, 0x00, 0x00, 0x00, 0xcb, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0xd7, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x00, 0x0c, 0x07, 0x00, 0x00, 0x00, 0xe8, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00,
	0x0b, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0xed, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00,
	0x20, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e,
	0x0c, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x0e, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x12, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x03, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x00, 0x00, 0x22, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e,
	0x03, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x37, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x0e, 0x12, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x44, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00,
	0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x49, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00,
	0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x52, 0x01, 0x00, 0x00, 0x04, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00,
	0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x13, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x59, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00,
	0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x00, 0x63, 0x74, 0x78, 0x00, 0x69, 0x6e, 0x74, 0x00, 0x70, 0x72, 0x6f,
	0x67, 0x00, 0x74, 0x63, 0x00, 0x2f, 0x74, 0x6d, 0x70, 0x2f, 0x62, 0x74,
	0x66, 0x78, 0x2f, 0x6b, 0x2e, 0x62, 0x70, 0x66, 0x2e, 0x63, 0x00, 0x09,
	0x62, 0x70, 0x66, 0x5f, 0x72, 0x63, 0x75, 0x5f, 0x72, 0x65, 0x61, 0x64,
	0x5f, 0x6c, 0x6f, 0x63, 0x6b, 0x28, 0x29, 0x3b, 0x00, 0x09, 0x69, 0x66,
	0x20, 0x28, 0x62, 0x70, 0x66, 0x5f, 0x74, 0x61, 0x73, 0x6b, 0x5f, 0x61,
	0x63, 0x71, 0x75, 0x69, 0x72, 0x65, 0x29, 0x00, 0x09, 0x09, 0x62, 0x70,
	0x66, 0x5f, 0x74, 0x61, 0x73, 0x6b, 0x5f, 0x61, 0x63, 0x71, 0x75, 0x69,
	0x72, 0x65, 0x28, 0x30, 0x29, 0x3b, 0x00, 0x09, 0x63, 0x6f, 0x75, 0x6e,
	0x74, 0x65, 0x72, 0x2b, 0x2b, 0x3b, 0x00, 0x09, 0x72, 0x65, 0x74, 0x75,
	0x72, 0x6e, 0x20, 0x62, 0x70, 0x66, 0x5f, 0x70, 0x72, 0x6f, 0x67, 0x5f,
	0x61, 0x63, 0x74, 0x69, 0x76, 0x65, 0x20, 0x2b, 0x20, 0x4c, 0x49, 0x4e,
	0x55, 0x58, 0x5f, 0x4b, 0x45, 0x52, 0x4e, 0x45, 0x4c, 0x5f, 0x56, 0x45,
	0x52, 0x53, 0x49, 0x4f, 0x4e, 0x20, 0x2b, 0x20, 0x28, 0x6c, 0x6f, 0x6e,
	0x67, 0x29, 0x26, 0x62, 0x70, 0x66, 0x5f, 0x70, 0x72, 0x6f, 0x67, 0x5f,
	0x70, 0x75, 0x74, 0x3b, 0x00, 0x62, 0x70, 0x66, 0x5f, 0x72, 0x63, 0x75,
	0x5f, 0x72, 0x65, 0x61, 0x64, 0x5f, 0x6c, 0x6f, 0x63, 0x6b, 0x00, 0x74,
	0x61, 0x73, 0x6b, 0x5f, 0x73, 0x74, 0x72, 0x75, 0x63, 0x74, 0x00, 0x62,
	0x70, 0x66, 0x5f, 0x74, 0x61, 0x73, 0x6b, 0x5f, 0x61, 0x63, 0x71, 0x75,
	0x69, 0x72, 0x65, 0x00, 0x63, 0x68, 0x61, 0x72, 0x00, 0x5f, 0x5f, 0x41,
	0x52, 0x52, 0x41, 0x59, 0x5f, 0x53, 0x49, 0x5a, 0x45, 0x5f, 0x54, 0x59,
	0x50, 0x45, 0x5f, 0x5f, 0x00, 0x5f, 0x6c, 0x69, 0x63, 0x65, 0x6e, 0x73,
	0x65, 0x00, 0x63, 0x6f, 0x75, 0x6e, 0x74, 0x65, 0x72, 0x00, 0x62, 0x70,
	0x66, 0x5f, 0x70, 0x72, 0x6f, 0x67, 0x5f, 0x61, 0x63, 0x74, 0x69, 0x76,
	0x65, 0x00, 0x4c, 0x49, 0x4e, 0x55, 0x58, 0x5f, 0x4b, 0x45, 0x52, 0x4e,
	0x45, 0x4c, 0x5f, 0x56, 0x45, 0x52, 0x53, 0x49, 0x4f, 0x4e, 0x00, 0x62,
	0x70, 0x66, 0x5f, 0x70, 0x72, 0x6f, 0x67, 0x5f, 0x70, 0x75, 0x74, 0x00,
	0x2e, 0x62, 0x73, 0x73, 0x00, 0x2e, 0x6b, 0x63, 0x6f, 0x6e, 0x66, 0x69,
	0x67, 0x00, 0x2e, 0x6b, 0x73, 0x79, 0x6d, 0x73, 0x00, 0x6c, 0x69, 0x63,
	0x65, 0x6e, 0x73, 0x65, 0x00,
};

static void test_clang_object_btf(void **state)
{
	struct ksr_btf *btf;
	uint32_t idx = 99;

	btf = ok_blob(clang14_btf, sizeof(clang14_btf), O, __FILE__, __LINE__);
	assert_int_equal(ksr_btf__type_cnt(btf), 24);
	assert_int_equal(ksr_btf__find(btf, "bpf_rcu_read_lock", BTF_KIND_FUNC), 6);
	assert_int_equal(ksr_btf__find(btf, "bpf_prog_put", BTF_KIND_VAR), 19);
	assert_int_equal(ksr_btf__skip_mods(btf, 18), 0);
	assert_int_equal(ksr_btf__datasec_of(btf, 10, &idx), 22);
	assert_int_equal(idx, 1);
	assert_int_equal(ksr_btf__datasec_of(btf, 17, &idx), 21);
	assert_int_equal(idx, 0);
	assert_int_equal(ksr_btf__datasec_of(btf, 3, NULL), -ENOENT);
	ksr_btf__free(btf);
	BADRAW(clang14_btf, sizeof(clang14_btf), K, "type 6 FUNC: linkage 2 not allowed", NULL);
}

static void test_object_only_shapes(void **state)
{
	struct bb b;

	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	CONST(&b, 0);                            /* 2: const void */
	VAR(&b, "typeless", 2, BTF_VAR_GLOBAL_EXTERN);  /* 3 */
	PROTO(&b, 0, 1);                         /* 4 */
	PARAM(&b, NULL, 1);
	FUNC(&b, "kf", 4, BTF_FUNC_EXTERN);      /* 5 */
	DATASEC(&b, ".ksyms", 0, 2);             /* 6 */
	SECINFO(&b, 5, 0, 0);
	SECINFO(&b, 3, 0, 1);
	OK(&b, O);
	BAD(&b, K, "type 3 VAR: linkage 2 not allowed", NULL);

	/* a typeless VAR must be extern */
	bb_rec(&b, 3)[3] = BTF_VAR_GLOBAL_ALLOCATED;
	BAD(&b, O, "type 3 VAR: type id 2 (void) has no size", NULL);
	bb_rec(&b, 3)[3] = BTF_VAR_GLOBAL_EXTERN;
	/* FUNC entries only in .ksyms */
	bb_rec(&b, 6)[0] = bb_str(&b, ".kconfig");
	BAD(&b, O, "type 6 DATASEC: entry 0: type id 5 has kind FUNC, expected VAR (FUNC only in .ksyms)",
	    NULL);
	bb_free(&b);

	/* a VAR listed twice is ambiguous in an object (B29) ... */
	bb_init(&b);
	INT(&b, "int", 4, 32, 0);                /* 1 */
	VAR(&b, "x", 1, BTF_VAR_GLOBAL_EXTERN);  /* 2 */
	DATASEC(&b, ".ksyms", 0, 1);             /* 3 */
	SECINFO(&b, 2, 0, 4);
	DATASEC(&b, ".kconfig", 0, 1);           /* 4 */
	SECINFO(&b, 2, 0, 4);
	BAD(&b, O, "type 4 DATASEC: entry 0: type 2 is listed in a DATASEC twice", NULL);
	bb_free(&b);

	/* ... but libbpf's rewritten .ksyms lists dummy_ksym once per kfunc and
	 * the kernel takes it: KERNEL mode must too */
	bb_init(&b);
	INT(&b, "int", 4, 32, BTF_INT_SIGNED);   /* 1 */
	VAR(&b, "dummy_ksym", 1, BTF_VAR_GLOBAL_ALLOCATED); /* 2 */
	VAR(&b, "bpf_prog_active", 1, BTF_VAR_GLOBAL_ALLOCATED); /* 3 */
	PROTO(&b, 0, 1);                         /* 4 */
	PARAM(&b, "dummy_ksym", 1);
	FUNC(&b, "kf1", 4, BTF_FUNC_GLOBAL);     /* 5 */
	FUNC(&b, "kf2", 4, BTF_FUNC_GLOBAL);     /* 6 */
	DATASEC(&b, ".ksyms", 12, 3);            /* 7 */
	SECINFO(&b, 2, 0, 4);
	SECINFO(&b, 2, 4, 4);
	SECINFO(&b, 3, 8, 4);
	OK(&b, K);
	OK(&b, O);
	bb_free(&b);
}

/* Every clang-built test object's .BTF is valid object BTF; libbpf's
 * open-time rewrite of it is valid kernel BTF. */
static void *elf_btf(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	void *out = NULL;

	if (fd < 0)
		return NULL;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (e && elf_getshdrstrndx(e, &shstrndx) == 0) {
		while ((scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			const char *name;
			Elf_Data *d;

			if (!gelf_getshdr(scn, &sh))
				break;
			name = elf_strptr(e, shstrndx, sh.sh_name);
			if (!name || strcmp(name, ".BTF") != 0)
				continue;
			d = elf_getdata(scn, NULL);
			if (d && d->d_buf && (out = malloc(d->d_size))) {
				memcpy(out, d->d_buf, d->d_size);
				*len = d->d_size;
			}
			break;
		}
	}
	elf_end(e);
	close(fd);
	return out;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static void test_build_objects(void **state)
{
	const char *dir = getenv("KSR_BPF_DIR");
	struct dirent *de;
	unsigned int seen = 0, rewritten = 0;
	DIR *d = dir ? opendir(dir) : NULL;

	if (!d) {
		print_message("no KSR_BPF_DIR: nothing to check\n");
		skip();
		return;
	}
	libbpf_set_print(quiet);
	while ((de = readdir(d))) {
		char path[4096];
		struct bpf_object *obj;
		size_t len = 0, n = strlen(de->d_name);
		void *data;

		if (n < 6 || strcmp(de->d_name + n - 6, ".bpf.o") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		data = elf_btf(path, &len);
		if (!data)
			continue;
		OKRAW(data, len, O);
		free(data);
		seen++;
		obj = bpf_object__open_file(path, NULL);
		if (!obj || libbpf_get_error(obj))
			continue;
		if (bpf_object__btf(obj)) {
			uint32_t raw_len;
			const void *raw = btf__raw_data(bpf_object__btf(obj), &raw_len);

			OKRAW(raw, raw_len, K);
			rewritten++;
		}
		bpf_object__close(obj);
	}
	closedir(d);
	libbpf_set_print(NULL);
	print_message("%u objects: OBJECT mode; %u libbpf rewrites: KERNEL mode\n", seen, rewritten);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int_rules),
		cmocka_unit_test(test_ref_kind_rules),
		cmocka_unit_test(test_fwd_rules),
		cmocka_unit_test(test_array_rules),
		cmocka_unit_test(test_struct_rules),
		cmocka_unit_test(test_bitfield_rules),
		cmocka_unit_test(test_enum_rules),
		cmocka_unit_test(test_func_rules),
		cmocka_unit_test(test_proto_rules),
		cmocka_unit_test(test_var_rules),
		cmocka_unit_test(test_datasec_rules),
		cmocka_unit_test(test_float_rules),
		cmocka_unit_test(test_decl_tag_rules),
		cmocka_unit_test(test_type_tag_order),
		cmocka_unit_test(test_ref_ranges),
		cmocka_unit_test(test_ref_kinds),
		cmocka_unit_test(test_cycles),
		cmocka_unit_test(test_pointer_cycles_ok),
		cmocka_unit_test(test_deep_chains),
		cmocka_unit_test(test_dag_amplification),
		cmocka_unit_test(test_size_overflow),
		cmocka_unit_test(test_clang_object_btf),
		cmocka_unit_test(test_object_only_shapes),
		cmocka_unit_test(test_build_objects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
