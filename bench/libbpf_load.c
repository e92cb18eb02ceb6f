// SPDX-License-Identifier: BSD-2-Clause
/* The baseline of bench_load.sh: what any libbpf loader does with an object
 * file, and nothing else. libbpf resolves the object's __ksym externs itself
 * (reading /proc/kallsyms and searching vmlinux BTF), then loads it. */
#include <bpf/libbpf.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: libbpf_load OBJECT\n");
		return 2;
	}
	libbpf_set_print(NULL);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		perror("bpf_object__open_file");
		return 1;
	}
	err = bpf_object__load(obj);
	if (err)
		fprintf(stderr, "bpf_object__load: %d\n", err);
	bpf_object__close(obj);
	return err ? 1 : 0;
}
