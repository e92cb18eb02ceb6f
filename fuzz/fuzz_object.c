// SPDX-License-Identifier: BSD-2-Clause
/* A whole BPF object through the public entry point: the ELF container,
 * section table, symbols, programs, relocations, .BTF, .BTF.ext, the extern
 * collection and, when present, a ksymres manifest.
 *
 * Invariants: a failure leaves a message and no object; a parsed object's
 * tables are consistent (fz_walk_object): every site lies inside an
 * executable section and a program, has the instruction its kind says and
 * maps back to its extern; externs are sorted by name and unique. */
#include "fuzz_common.h"
#include "object.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ksr_object *obj = NULL;
	int err;

	if (size > KSR_FUZZ_MAX_INPUT)
		return 0;
	ksr_err_clear();
	err = ksr_object__open_mem(data, size, &obj);
	fz_check_error(err);
	FZ_ASSERT(err == 0 ? obj != NULL : obj == NULL);
	if (obj)
		fz_walk_object(obj);
	ksr_object__free(obj);
	return 0;
}
