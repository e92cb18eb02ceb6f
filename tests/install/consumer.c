// SPDX-License-Identifier: BSD-2-Clause
/* Uses only the installed public API: opens an object, lists its externs. */
#include <stdio.h>
#include <ksymres/ksymres.h>

int main(int argc, char **argv)
{
	struct ksr_object *obj;
	int err;

	if (argc != 2)
		return 2;
	err = ksr_object__open(argv[1], &obj);
	if (err) {
		fprintf(stderr, "consumer: %s\n", ksr_errmsg());
		return 1;
	}
	for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++)
		printf("%s\n", ksr_object__extern(obj, i)->name);
	ksr_object__free(obj);
	return 0;
}
