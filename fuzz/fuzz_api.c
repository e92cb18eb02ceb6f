// SPDX-License-Identifier: BSD-2-Clause
/* The public API (include/ksymres/ksymres.h, core/api.c) and the file
 * layer under it (core/fileio.c) on the pipeline's inputs: the kernel
 * facts of the BTF part (vmlinux identity, build ID from notes, arch
 * names), the kallsyms text through the streaming parser in pieces and
 * through ksr_kallsyms__find_text on a file, a profile made in memory
 * (ksr_profile__open_mem, ksr_profile__new) and one written to a file (ksr_profile__create),
 * opened again (also with ksr_profile__open_all) and read through
 * ksr_input__map, a resolution (and a batch of both profiles), the patched
 * image written with ksr_output__write, its manifest verified, rebased and
 * re-resolved.
 *
 * Input: as pipeline's, [u8 flags][u32 len][BPF object][u32 len][raw BTF or
 * vmlinux ELF][kallsyms text]. flags bits 0-1: the release (6.8.0-fuzz,
 * none, 6.1.0-fuzz, 5.15.0); bits 2-3: the arch (by name x86_64, by name
 * aarch64, by e_machine, default); bit 4: a 20-byte build ID; bits 5-7: the
 * stream's piece size (1 << (bits + 4)).
 *
 * Invariants: the stream gives what ksr_kallsyms__parse gives; find_text
 * agrees with the parsed _text; the profile in memory and the file have
 * the same identity, release and arch; the file maps to the bytes it has;
 * a patched image written with ksr_output__write reads back equal, its
 * manifest verifies, rebasing by zero moves no site off its value, and
 * re-resolving it against the same profile leaves it runnable.
 *
 * Once per process (they do not depend on the input, and input tracking
 * is process-wide), the file policies' refusals: options structs with a
 * bad sz, inputs that are not regular files or are over the cap (a
 * regular file, a size-0 procfs file), outputs over a directory, a FIFO,
 * a symlink to one, a tracked input; a dangling symlink replaced; a stale
 * temporary file of a dead process removed by the next write there. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "kallsyms.h"

/* A stream given its first piece and then abandoned: freed unfinished. */
static void stream_abandon(const char *text, size_t len, size_t step)
{
	struct ksr_kallsyms_stream *st;
	size_t used = 0;

	FZ_ASSERT(ksr_kallsyms_stream__new(&st) == 0);
	fz_check_error(ksr_kallsyms_stream__feed(st, text, len < step ? len : step, &used));
	ksr_kallsyms_stream__free(st);
}

/* The streaming parser in pieces of step bytes: the count, or -1. */
static long stream_count(const char *text, size_t len, size_t step)
{
	struct ksr_kallsyms_stream *st;
	struct ksr_kallsyms *ks = NULL;
	char *buf = malloc(step + KSR_KALLSYMS_LINE_MAX);
	size_t have = 0, pos = 0;
	long n = -1;
	int err;

	FZ_ASSERT(buf != NULL);
	FZ_ASSERT(ksr_kallsyms_stream__new(&st) == 0);
	for (;;) {
		size_t take = len - pos < step ? len - pos : step, used = 0;

		if (have + take > step + KSR_KALLSYMS_LINE_MAX)
			take = step + KSR_KALLSYMS_LINE_MAX - have;
		memcpy(buf + have, text + pos, take);
		have += take;
		pos += take;
		if (pos == len)
			break;
		err = ksr_kallsyms_stream__feed(st, buf, have, &used);
		fz_check_error(err);
		if (err) {
			ksr_kallsyms_stream__free(st);
			free(buf);
			return -1;
		}
		FZ_ASSERT(used <= have);
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	err = ksr_kallsyms_stream__finish(st, buf, have, &ks);
	fz_check_error(err);
	if (!err)
		n = (long)ksr_kallsyms__count(ks);
	ksr_kallsyms__free(ks);
	free(buf);
	return n;
}

static void kernel_facts(const uint8_t *btf, size_t btf_len)
{
	struct ksr_build_id id;
	uint16_t machine = 0;
	int err = ksr_vmlinux__identify(btf, btf_len, &machine, &id);

	fz_check_error(err);
	if (!err) {
		FZ_ASSERT(id.len <= 32 && strlen(id.hex) == 2u * id.len);
		FZ_ASSERT(ksr_arch__name(machine) != NULL);
		if (ksr_arch__machine(ksr_arch__name(machine)) != machine)
			FZ_ASSERT(machine == 0 || !strncmp(ksr_arch__name(machine), "em-", 3));
		ksr_arch__kaslr_rule(machine);
	}
	err = ksr_build_id__from_notes(btf, btf_len, &id);
	FZ_ASSERT(err ? err == -ENOENT || ksr_errmsg()[0] : id.len >= 1 && id.len <= 32);
}

static void policies(const char *dir)
{
	char a[128], b[128], c[128], stale[160];
	struct ksr_io_opts io = { .sz = 1 };
	struct { struct ksr_io_opts o; uint64_t extra; } big = { { .sz = sizeof(big) }, 1 };
	void *buf = NULL;
	size_t len = 0;

	FZ_ASSERT(ksr_io__configure(&io) == -EINVAL);
	FZ_ASSERT(ksr_io__configure(&big.o) == -EINVAL);
	FZ_ASSERT(ksr_input__open(dir, 1 << 20) == -EBADMSG);
	FZ_ASSERT(ksr_input__read("/proc/self/stat", 8, &buf, &len) == -EBADMSG);
	snprintf(a, sizeof(a), "%s/out.a", dir);
	snprintf(b, sizeof(b), "%s/out.fifo", dir);
	snprintf(c, sizeof(c), "%s/out.link", dir);
	FZ_ASSERT(ksr_input__open(a, 1 << 20) == -ENOENT);
	FZ_ASSERT(ksr_output__write("", "x", 1) == -EINVAL);
	FZ_ASSERT(ksr_output__write(dir, "x", 1) == -EISDIR);
	FZ_ASSERT(ksr_output__write(a, "0123456789", 10) == 0);
	FZ_ASSERT(ksr_input__read(a, 4, &buf, &len) == -EBADMSG);
	FZ_ASSERT(mkfifo(b, 0600) == 0);
	FZ_ASSERT(ksr_output__write(b, "x", 1) == -EINVAL && ksr_input__open(b, 8) == -EBADMSG);
	FZ_ASSERT(symlink(b, c) == 0);
	FZ_ASSERT(ksr_output__write(c, "x", 1) == -EINVAL);
	FZ_ASSERT(unlink(c) == 0 && symlink("out.none", c) == 0);
	FZ_ASSERT(ksr_output__write(c, "x", 1) == 0);  /* dangling: the link is replaced */
	/* a tracked input is never replaced */
	io = (struct ksr_io_opts){ .sz = sizeof(io), .track_inputs = true };
	FZ_ASSERT(ksr_io__configure(&io) == 0);
	FZ_ASSERT(ksr_input__read(a, 64, &buf, &len) == 0 && len == 10);
	free(buf);
	FZ_ASSERT(ksr_output__write(a, "x", 1) == -EINVAL);
	io.track_inputs = false;
	FZ_ASSERT(ksr_io__configure(&io) == 0);
	/* a dead process's temporary file goes at the next write in its directory */
	snprintf(stale, sizeof(stale), "%s/.ksr.999999999.0badcafe.tmp", dir);
	FZ_ASSERT(ksr_output__write(stale, "x", 1) == 0);
	snprintf(b, sizeof(b), "/tmp/ksr-fuzz-api.%ld", (long)getpid());  /* another directory */
	FZ_ASSERT(ksr_output__write(b, "x", 1) == 0 && unlink(b) == 0);
	snprintf(b, sizeof(b), "%s/out.fifo", dir);
	FZ_ASSERT(ksr_output__write(a, "y", 1) == 0);
	FZ_ASSERT(access(stale, F_OK) != 0);
	unlink(a);
	unlink(b);
	unlink(c);
}

/* The patched image through the output and input policies, its manifest,
 * a rebase and a re-resolution. */
static void patched(const struct ksr_resolution *res, const struct ksr_profile *prof,
		    const char *path)
{
	struct ksr_manifest_info info = { .sz = sizeof(info) };
	struct ksr_manifest_sites sites = { .sz = sizeof(sites) };
	struct ksr_object *out = NULL;
	struct ksr_resolution *rr = NULL;
	void *img = NULL, *back = NULL;
	size_t len = 0, back_len = 0;
	uint32_t rebased = 0;
	int err = ksr_resolution__patch(res, NULL, &img, &len);

	fz_check_error(err);
	if (err)
		return;
	FZ_ASSERT(ksr_output__write(path, img, len) == 0);
	FZ_ASSERT(ksr_input__read(path, len, &back, &back_len) == 0);
	FZ_ASSERT(back_len == len && !memcmp(back, img, len));
	free(back);
	FZ_ASSERT(ksr_object__open(path, &out) == 0);
	FZ_ASSERT(ksr_object__manifest(out, &info) == 0);
	FZ_ASSERT(!strcmp(info.identity, ksr_profile__identity(prof)));
	FZ_ASSERT(ksr_object__verify_manifest(out, &sites) == 0);
	ksr_object__free(out);
	err = ksr_image__rebase(img, len, info.text_addr, &rebased);
	fz_check_error(err);
	if (!err)
		FZ_ASSERT(rebased <= info.site_cnt);
	err = ksr_image__reresolve(img, len, prof, &rr);
	fz_check_error(err);
	ksr_resolution__free(rr);
	free(img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const releases[4] = { "6.8.0-fuzz", NULL, "6.1.0-fuzz", "5.15.0" };
	static bool policies_done;
	static const uint8_t build_id[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	struct fz_reader r = { data, size };
	struct ksr_object *obj = NULL;
	struct ksr_profile *mem = NULL, *file = NULL;
	struct ksr_resolution *res = NULL;
	struct ksr_kallsyms *ks = NULL;
	struct ksr_profile_opts opts = { .sz = sizeof(opts) };
	struct ksr_profile_summary sum = { .sz = sizeof(sum) };
	const uint8_t *obj_data, *btf_data, *text;
	size_t obj_len, btf_len, text_len, map_len;
	const void *map;
	char ks_path[64];
	struct fz_tmp tmp;
	uint64_t text_addr = 0, parsed_text = 0;
	uint8_t flags;
	long n;
	int fd, err;

	if (size > KSR_FUZZ_MAX_INPUT || !fz_u8(&r, &flags) || !fz_blob(&r, &obj_data, &obj_len) ||
	    !fz_blob(&r, &btf_data, &btf_len))
		return 0;
	fz_rest(&r, &text, &text_len);
	kernel_facts(btf_data, btf_len);

	/* kallsyms: whole, in pieces, and _text from a file */
	if (ksr_kallsyms__parse((const char *)text, text_len, &ks) == 0) {
		n = stream_count((const char *)text, text_len, (size_t)16 << (flags >> 5));
		stream_abandon((const char *)text, text_len, (size_t)16 << (flags >> 5));
		FZ_ASSERT(n == (long)ksr_kallsyms__count(ks));
		fd = fz_memfd(text, text_len, ks_path, sizeof(ks_path));
		FZ_ASSERT(fd >= 0);
		err = ksr_kallsyms__find_text(ks_path, &text_addr);
		fz_check_error(err == -ENOENT ? 0 : err);
		if (!err && ksr_kallsyms__text_addr(ks, &parsed_text))
			FZ_ASSERT(text_addr == parsed_text);
		close(fd);
		ksr_kallsyms__free(ks);
	}

	opts.release = releases[flags & 3];
	if ((flags & 0x0c) == 0x00)
		opts.arch = "x86_64";
	else if ((flags & 0x0c) == 0x04)
		opts.arch = "arm64";
	else if ((flags & 0x0c) == 0x08)
		opts.machine = 62;  /* EM_X86_64 */
	if (flags & 0x10) {
		opts.build_id = build_id;
		opts.build_id_len = sizeof(build_id);
	}
	err = ksr_profile__open_mem(btf_data, btf_len, (const char *)text, text_len, &opts, &mem);
	fz_check_error(err);
	if (err)
		return 0;
	FZ_ASSERT(ksr_profile__summary(mem, &sum) == 0 && ksr_profile__section_cnt(mem) == 0);
	{
		/* the same from parsed parts, which ksr_profile__new takes over */
		uint8_t *btf_copy = fz_dup(btf_data, btf_len);
		struct ksr_btf *btf = NULL;
		struct ksr_profile *parts = NULL;

		ks = NULL;
		FZ_ASSERT(ksr_btf__parse_kernel(btf_copy, btf_len, &btf) == 0);
		FZ_ASSERT(ksr_kallsyms__parse((const char *)text, text_len, &ks) == 0);
		FZ_ASSERT(ksr_profile__new(btf, ks, &opts, &parts) == 0);
		FZ_ASSERT(!strcmp(ksr_profile__identity(parts), ksr_profile__identity(mem)));
		ksr_profile__free(parts);
		free(btf_copy);
	}
	FZ_ASSERT(ksr_profile__verify(mem) == 0 && ksr_profile__revalidate(mem) == 0);
	FZ_ASSERT(fz_tmp_open(&tmp));
	if (!policies_done) {
		policies_done = true;
		policies(tmp.dir);
	}
	FZ_ASSERT(ksr_profile__create(tmp.path, btf_data, btf_len, (const char *)text, text_len,
				      &opts) == 0);
	FZ_ASSERT(ksr_profile__open(tmp.path, &file) == 0);
	FZ_ASSERT(!strcmp(ksr_profile__identity(file), ksr_profile__identity(mem)));
	FZ_ASSERT(!strcmp(ksr_profile__release(file), ksr_profile__release(mem)));
	FZ_ASSERT(!strcmp(ksr_profile__arch(file), ksr_profile__arch(mem)));
	FZ_ASSERT(!strcmp(ksr_profile__build_id(file), ksr_profile__build_id(mem)));
	{
		const char *paths[2] = { tmp.path, tmp.path };
		struct ksr_profile *all[2] = { NULL, NULL };
		size_t failed = 9;

		FZ_ASSERT(ksr_profile__open_all(paths, 2, all, &failed) == 0);
		FZ_ASSERT(!strcmp(ksr_profile__identity(all[1]), ksr_profile__identity(file)));
		ksr_profile__free(all[0]);
		ksr_profile__free(all[1]);
	}
	FZ_ASSERT(ksr_input__map(tmp.path, KSR_INPUT_MAX, &map, &map_len) == 0);
	FZ_ASSERT(ksr_profile__summary(file, &sum) == 0 && map_len == sum.file_size);
	ksr_input__unmap(map, map_len);
	if (ksr_object__open_mem(obj_data, obj_len, &obj) == 0) {
		struct ksr_profile *profs[2] = { mem, file };
		struct ksr_resolution *both[2] = { NULL, NULL };
		struct ksr_batch_opts bo = { .sz = sizeof(bo), .threads = flags >> 7 ? 0 : 2,
					     .drop_cache = flags & 1 };
		size_t failed = 9;

		/* both profiles at once: the same decisions as one by one */
		err = ksr_resolution__new_batch(obj, profs, 2, &bo, both, &failed);
		fz_check_error(err);
		FZ_ASSERT(err ? !both[0] && !both[1] && failed < 2 : both[0] && both[1]);
		if (!err)
			FZ_ASSERT(ksr_resolution__runnable(both[0]) == ksr_resolution__runnable(both[1]));
		ksr_resolution__free(both[0]);
		ksr_resolution__free(both[1]);
		err = ksr_resolution__new(obj, file, &res);
		fz_check_error(err);
		if (!err && ksr_resolution__runnable(res))
			patched(res, file, tmp.path);  /* over the profile file, still open */
		for (size_t i = 0; !err && i < ksr_resolution__extern_cnt(res); i++)
			FZ_ASSERT(ksr_resolution__status(res, i) && ksr_resolution__reason(res, i));
		ksr_resolution__free(res);
		ksr_object__free(obj);
	}
	ksr_profile__free(file);
	ksr_profile__free(mem);
	fz_tmp_close(&tmp);
	return 0;
}
