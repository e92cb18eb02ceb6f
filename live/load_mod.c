// SPDX-License-Identifier: BSD-2-Clause
/* Module externs at load: each module the manifest names is found among the
 * kernel's BTF objects by name (as libbpf's load_module_btfs() does: walk
 * the ids, open each, read its name), and its BTF is checked against the
 * identity resolve recorded (XXH3-128 of /sys/kernel/btf/<name>). No vmlinux
 * BTF and no kallsyms are read. */
#include <errno.h>
#include <bpf/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ksymres/ksymres.h>

#include "live.h"
#include "load.h"
#include "output.h"

#define MOD_BTF_MAX (64u << 20)

/* The fd of the loaded kernel BTF object called name, or -ENOENT. */
static int find_btf_obj(const char *name, uint32_t *id_out)
{
	uint32_t id = 0;

	while (!bpf_btf_get_next_id(id, &id)) {
		struct bpf_btf_info info;
		uint32_t len = sizeof(info);
		char buf[64];
		int fd = bpf_btf_get_fd_by_id(id);

		if (fd < 0) {
			if (errno == ENOENT)
				continue; /* freed meanwhile */
			return ksr_cli_err(errno, "BTF object %u: %s", id, strerror(errno));
		}
		memset(&info, 0, sizeof(info));
		info.name = (uintptr_t)buf;
		info.name_len = sizeof(buf);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.kernel_btf &&
		    !strncmp(buf, name, sizeof(buf))) {
			*id_out = id;
			return fd;
		}
		close(fd);
	}
	if (errno != ENOENT)
		return ksr_cli_err(errno, "listing the kernel's BTF objects: %s", strerror(errno));
	return -ENOENT;
}

/* Where the module's BTF is in sysfs: next to the vmlinux BTF. */
static void sysfs_path(const char *name, char *buf, size_t len)
{
	const char *v = ksr_live_btf_path(), *slash = strrchr(v, '/');

	snprintf(buf, len, "%.*s/%s", slash ? (int)(slash - v) : 1, slash ? v : ".", name);
}

int ksr_host_mods__open(const struct ksr_object *obj, uint32_t cnt, struct ksr_host_mods *h)
{
	memset(h, 0, sizeof(*h));
	h->mods = calloc(cnt ? cnt : 1, sizeof(*h->mods));
	h->fds = calloc(cnt ? cnt : 1, sizeof(*h->fds));
	h->fd_array = calloc((size_t)cnt + 1, sizeof(*h->fd_array));
	if (!h->mods || !h->fds || !h->fd_array)
		return ksr_cli_err(ENOMEM, "out of memory");
	for (uint32_t i = 0; i < cnt; i++)
		h->fds[i] = -1;
	h->cnt = cnt;
	for (uint32_t i = 0; i < cnt; i++) {
		struct ksr_host_mod *m = &h->mods[i];
		void *btf = NULL;
		size_t len;
		int err = ksr_object__manifest_module(obj, i, m->name, m->obj_identity);

		if (err)
			return err;
		h->fds[i] = find_btf_obj(m->name, &m->btf_obj_id);
		if (h->fds[i] == -ENOENT)
			return ksr_cli_err(ENOENT, "module %s is not loaded (the kernel has no BTF object "
					   "of that name): its externs cannot be bound; ksymres does "
					   "not load modules (modprobe %s)", m->name, m->name);
		if (h->fds[i] < 0)
			return h->fds[i];
		h->fd_array[i + 1] = h->fds[i];
		sysfs_path(m->name, m->path, sizeof(m->path));
		err = ksr_input__read(m->path, MOD_BTF_MAX, &btf, &len);
		if (err) {
			char msg[512];

			snprintf(msg, sizeof(msg), "%s", ksr_errmsg()); /* not from its own buffer */
			return ksr_cli_err(-err, "%s: %s", m->path, msg);
		}
		ksr_kernel_identity(btf, len, m->host_identity);
		free(btf);
		m->match = !strcmp(m->host_identity, m->obj_identity);
	}
	return 0;
}

void ksr_host_mods__close(struct ksr_host_mods *h)
{
	for (uint32_t i = 0; h->fds && i < h->cnt; i++)
		if (h->fds[i] >= 0)
			close(h->fds[i]);
	free(h->fds);
	free(h->fd_array);
	free(h->mods);
	memset(h, 0, sizeof(*h));
}
