// SPDX-License-Identifier: BSD-2-Clause
/* Uses only the installed public API.
 *   consumer OBJECT                          lists the object's externs
 *   consumer OBJECT PROFILE OUT              resolves against a profile file
 *                                            and writes the patched object
 *   consumer OBJECT BTF KALLSYMS REL OUT     the same against a profile made
 *                                            in memory from its parts
 *   consumer --profile BTF KALLSYMS REL OUT  writes a profile from its parts in
 *                                            steps, as `ksymres profile` does */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ksymres/ksymres.h>

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap + 1);

	if (!f || !buf)
		exit(1);
	for (size_t r; (r = fread(buf + n, 1, cap - n, f)) > 0;) {
		n += r;
		if (n == cap && !(buf = realloc(buf, (cap *= 2) + 1)))
			exit(1);
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int fail(const char *what)
{
	fprintf(stderr, "consumer: %s: %s\n", what, ksr_errmsg());
	return 1;
}

/* A profile written in steps: the BTF half, then the kallsyms half. */
static int write_profile(char **argv)
{
	struct ksr_profile_opts po = { .sz = sizeof(po), .release = argv[4] };
	struct ksr_profile_summary sum = { .sz = sizeof(sum) };
	struct ksr_profile_writer *w;
	struct ksr_kallsyms *ks;
	struct ksr_profile *prof;
	struct ksr_btf *btf;
	size_t blen, klen;
	void *raw = slurp(argv[2], &blen), *text = slurp(argv[3], &klen);

	if (ksr_btf__parse_kernel(raw, blen, &btf))
		return fail(argv[2]);
	if (ksr_kallsyms__parse(text, klen, &ks))
		return fail(argv[3]);
	if (ksr_profile_writer__new(argv[5], btf, &w))
		return fail(argv[5]);
	ksr_btf__free(btf);
	free(raw);
	if (ksr_profile_writer__add_kallsyms(w, ks, &po) || ksr_profile_writer__commit(w))
		return fail(argv[5]);
	ksr_kallsyms__free(ks);
	free(text);
	if (ksr_profile__open(argv[5], &prof) || ksr_profile__summary(prof, &sum))
		return fail(argv[5]);
	printf("profile: %u BTF types, %u symbols\n", sum.btf_type_cnt, sum.sym_cnt);
	ksr_profile__free(prof);
	return 0;
}

int main(int argc, char **argv)
{
	struct ksr_profile *prof = NULL;
	struct ksr_resolution *res;
	struct ksr_manifest_info mi = { .sz = sizeof(mi) };
	struct ksr_object *obj, *out;
	const char *out_path;
	void *img;
	size_t len;

	if (argc == 6 && !strcmp(argv[1], "--profile"))
		return write_profile(argv);
	if (argc != 2 && argc != 4 && argc != 6)
		return 2;
	if (ksr_object__open(argv[1], &obj))
		return fail(argv[1]);
	if (argc == 2) {
		for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++)
			printf("%s\n", ksr_object__extern(obj, i)->name);
		ksr_object__free(obj);
		return 0;
	}
	if (argc == 4) {
		if (ksr_profile__open(argv[2], &prof))
			return fail(argv[2]);
		out_path = argv[3];
	} else {
		struct ksr_profile_opts po = { .sz = sizeof(po), .release = argv[4] };
		size_t blen, klen;
		void *btf = slurp(argv[2], &blen), *ks = slurp(argv[3], &klen);

		if (ksr_profile__open_mem(btf, blen, ks, klen, &po, &prof))
			return fail("profile from parts");
		free(btf);
		free(ks);
		out_path = argv[5];
	}
	if (ksr_resolution__new(obj, prof, &res))
		return fail("resolve");
	for (size_t i = 0; i < ksr_object__extern_cnt(obj); i++)
		printf("%s %s\n", ksr_object__extern(obj, i)->name, ksr_resolution__status(res, i));
	if (!ksr_resolution__runnable(res))
		return 1;
	/* into a buffer, checked through the manifest, then into the file */
	if (ksr_resolution__patch(res, NULL, &img, &len))
		return fail("patch");
	if (ksr_object__open_mem(img, len, &out) || ksr_object__manifest(out, &mi))
		return fail("patched image");
	printf("manifest: %u sites, identity %s\n", mi.site_cnt, mi.identity);
	ksr_object__free(out);
	free(img);
	if (ksr_resolution__write(res, out_path, NULL))
		return fail(out_path);
	ksr_resolution__free(res);
	ksr_profile__free(prof);
	ksr_object__free(obj);
	return 0;
}
