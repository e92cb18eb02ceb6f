// SPDX-License-Identifier: BSD-2-Clause
/* The running kernel as `ksymres load` sees it: the identity of its BTF,
 * the _text address of this boot, and a profile of it in memory for
 * --reresolve. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <ksymres/ksymres.h>

#include "live.h"
#include "load.h"
#include "output.h"

#define NOTES_MAX 65536u
#define HOST_BTF_MAX (1u << 30)  /* as large as a profile may be */

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

int ksr_live_build_id(struct ksr_build_id *id)
{
	const char *path = ksr_live_notes_path();
	void *notes;
	size_t n;
	int err = ksr_input__read(path, NOTES_MAX, &notes, &n);

	memset(id, 0, sizeof(*id));
	if (err)
		return err;
	err = ksr_build_id__from_notes(notes, n, id);
	free(notes);
	return err;
}

int ksr_host_btf__open(struct ksr_host_btf *h)
{
	int err;

	memset(h, 0, sizeof(*h));
	h->path = ksr_live_btf_path();
	/* sysfs serves vmlinux BTF to mmap() on recent kernels: no copy */
	err = ksr_input__map(h->path, HOST_BTF_MAX, &h->data, &h->len);
	if (!err) {
		h->mapped = true;
	} else if (err == -ENOENT) {
		return ksr_cli_err(ENOENT, "this kernel exposes no BTF (is CONFIG_DEBUG_INFO_BTF set?): "
				   "cannot tell whether it is the profiled build");
	} else {
		err = ksr_input__read(h->path, HOST_BTF_MAX, &h->copy, &h->len);
		if (err)
			return err;
		h->data = h->copy;
	}
	ksr_kernel_identity(h->data, h->len, h->identity);
	return 0;
}

void ksr_host_btf__close(struct ksr_host_btf *h)
{
	if (h->mapped)
		ksr_input__unmap(h->data, h->len);
	h->mapped = false;
	free(h->copy);
	h->copy = NULL;
	h->data = NULL;
}

int ksr_host_text(uint64_t *addr)
{
	int err = ksr_kallsyms__find_text(ksr_live_kallsyms_path(), addr);

	if (!err && *addr == 0)
		err = ksr_cli_err(EPERM, "restricted kallsyms: addresses read as 0 (kptr_restrict, or "
				  "not privileged), so this boot's KASLR offset cannot be found");
	return err;
}

/* A profile of the running kernel, in memory: its BTF and full kallsyms
 * parsed, never written anywhere. Messages name the file. */
int ksr_host_profile(const struct ksr_host_btf *hb, struct ksr_profile **out)
{
	const char *ks_path = ksr_live_kallsyms_path();
	struct ksr_profile_opts opts = { .sz = sizeof(opts) };
	struct ksr_kallsyms *ks = NULL;
	struct ksr_btf *btf = NULL;
	struct utsname uts;
	void *text = NULL;
	size_t len;
	uint64_t live_text;
	int err;

	*out = NULL;
	/* a restricted kallsyms is a host problem (exit 1), found cheaply */
	err = ksr_host_text(&live_text);
	if (err)
		return ksr_cli_err(-err, "%s: %s", ks_path, ksr_cli_errmsg());
	err = ksr_input__read(ks_path, KSR_INPUT_MAX, &text, &len);
	if (err)
		return ksr_cli_err(-err, "%s: %s", ks_path, ksr_errmsg());
	err = ksr_kallsyms__parse(text, len, &ks);
	free(text);
	if (err)
		return ksr_cli_err(-err, "%s: %s", ks_path, ksr_errmsg());
	err = ksr_btf__parse(hb->data, hb->len, KSR_BTF_MODE_KERNEL, &btf);
	if (err) {
		ksr_kallsyms__free(ks);
		return ksr_cli_err(-err, "%s: %s", hb->path, ksr_errmsg());
	}
	if (uname(&uts) == 0) {
		opts.release = uts.release;
		opts.machine = ksr_arch__machine(uts.machine);
	} else {
		opts.release = "unknown";
	}
	return ksr_profile__new(btf, ks, &opts, out);
}
