// SPDX-License-Identifier: BSD-2-Clause
/* The running kernel as `ksymres load` sees it: the identity of its BTF and
 * the _text address of this boot. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "fileio.h"
#include "hash.h"
#include "live.h"
#include "load.h"
#include "profile.h"

#define KALLSYMS_CHUNK 16384u
#define NOTES_MAX 65536u

const char *ksr_live_btf_path(void)
{
	const char *p = getenv("KSYMRES_VMLINUX_BTF");

	return p && *p ? p : "/sys/kernel/btf/vmlinux";
}

const char *ksr_live_kallsyms_path(void)
{
	const char *p = getenv("KSYMRES_KALLSYMS");

	return p && *p ? p : "/proc/kallsyms";
}

const char *ksr_live_notes_path(void)
{
	const char *p = getenv("KSYMRES_KERNEL_NOTES");

	return p && *p ? p : "/sys/kernel/notes";
}

int ksr_live_build_id(uint8_t id[32], uint8_t *len)
{
	const char *path = ksr_live_notes_path();
	void *notes;
	size_t n;
	int err = ksr_read_file(path, NOTES_MAX, &notes, &n);

	if (err) {
		ksr_err_prefix("%s", path);
		return err;
	}
	err = ksr_notes_build_id(notes, n, id, len);
	if (err && err != -ENOENT)
		ksr_err_prefix("%s", path);
	free(notes);
	return err;
}

int ksr_host_btf__open(struct ksr_host_btf *h)
{
	int err;

	memset(h, 0, sizeof(*h));
	h->path = ksr_live_btf_path();
	/* sysfs serves vmlinux BTF to mmap() on recent kernels: no copy */
	err = ksr_map_file(h->path, KSR_PROFILE_MAX_SIZE, &h->map);
	if (!err) {
		h->data = h->map.data;
		h->len = h->map.len;
	} else if (err == -ENOENT) {
		return ksr_err(ENOENT, "this kernel exposes no BTF (is CONFIG_DEBUG_INFO_BTF set?): "
			       "cannot tell whether it is the profiled build");
	} else {
		err = ksr_read_file(h->path, KSR_PROFILE_MAX_SIZE, &h->copy, &h->len);
		if (err)
			return err;
		h->data = h->copy;
	}
	ksr_hash128_hex(h->data, h->len, h->identity);
	return 0;
}

void ksr_host_btf__close(struct ksr_host_btf *h)
{
	ksr_unmap(&h->map);
	free(h->copy);
	h->copy = NULL;
	h->data = NULL;
}

static int read_more(int fd, char *buf, size_t have, size_t cap, size_t *got)
{
	for (;;) {
		ssize_t r = read(fd, buf + have, cap - have);

		if (r >= 0) {
			*got = (size_t)r;
			return 0;
		}
		if (errno != EINTR)
			return ksr_err(errno, "read error: %s", strerror(errno));
	}
}

/* Reads lines until _text; kallsyms lists it among the first few. */
static int scan_file(int fd, uint64_t *addr)
{
	char buf[KALLSYMS_CHUNK];
	size_t have = 0, got = 0, used;
	uint64_t base = 0;
	int r;

	for (;;) {
		r = read_more(fd, buf, have, sizeof(buf), &got);
		if (r)
			return r;
		if (got == 0)
			return ksr_err(ENOENT, "kallsyms: no _text symbol");
		have += got;
		r = ksr_rebase__scan_text(buf, have, base, addr, &used);
		if (r != 0)
			return r < 0 ? r : 0;
		if (used == 0 && have == sizeof(buf))
			return ksr_err(KSR_EMALFORMED, "kallsyms: line longer than %u bytes (offset 0x%" PRIx64 ")",
				       KALLSYMS_CHUNK, base);
		memmove(buf, buf + used, have - used);
		have -= used;
		base += used;
	}
}

int ksr_host_text(uint64_t *addr)
{
	const char *path = ksr_live_kallsyms_path();
	struct stat st;
	int fd = ksr_input_open(path, KSR_MAX_INPUT, &st);
	int err;

	if (fd < 0)
		return fd;
	err = scan_file(fd, addr);
	close(fd);
	if (!err && *addr == 0)
		err = ksr_err(EPERM, "restricted kallsyms: addresses read as 0 (kptr_restrict, or "
			      "not privileged), so this boot's KASLR offset cannot be found");
	return err;
}
