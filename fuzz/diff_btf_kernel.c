// SPDX-License-Identifier: BSD-2-Clause
/* Differential check, kernel-mode BTF against the running kernel: each
 * input goes to ksr_btf__parse(..., KSR_BTF_MODE_KERNEL) and to the
 * kernel's BPF_BTF_LOAD (the BTF is loaded, its fd closed at once; no
 * program is ever loaded). SECURITY.md claims that what kernel mode accepts,
 * BPF_BTF_LOAD accepts.
 *
 * Root only (CAP_BPF or CAP_SYS_ADMIN), not part of any CI run: it depends
 * on the running kernel (fuzz/README.md, "Differential checks").
 *
 * Disagreements (each prints both verdicts, ksymres' message and the
 * kernel's log, then traps):
 *   ksymres accepts, the kernel refuses  always: the claim is broken
 *   ksymres refuses, the kernel accepts  unless KSR_DIFF_STRICTER=1: the
 *       refusal must be a documented stricter rule (docs/bad-inputs.md,
 *       "Kernel-mode BTF and the running kernel")
 * An input the kernel refuses for lack of memory (ENOMEM, E2BIG beyond its
 * BTF size cap) is not compared. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fuzz_common.h"

#define LOG_SIZE (1u << 16)

static int btf_load(const uint8_t *data, size_t size, char *log, uint32_t log_size)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.btf = (uint64_t)(uintptr_t)data;
	attr.btf_size = (uint32_t)size;
	if (log) {
		log[0] = '\0';
		attr.btf_log_buf = (uint64_t)(uintptr_t)log;
		attr.btf_log_size = log_size;
		attr.btf_log_level = 1;
	}
	return (int)syscall(SYS_bpf, BPF_BTF_LOAD, &attr, sizeof(attr));
}

static void disagree(const char *what, const uint8_t *data, size_t size, const char *ours)
{
	static char log[LOG_SIZE];
	int fd = btf_load(data, size, log, sizeof(log));
	int err = errno;
	const char *tail = log;

	if (fd >= 0)
		close(fd);
	/* the log's last lines say why */
	if (strlen(log) > 2000)
		tail = log + strlen(log) - 2000;
	fprintf(stderr, "diff_btf_kernel: %s\n  ksymres: %s\n  kernel: %s (%s)\n  kernel log: ...%s\n",
		what, ours, fd >= 0 ? "accepted" : "refused", fd >= 0 ? "-" : strerror(err), tail);
	fflush(stderr);
	__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int stricter_ok = -1;
	struct ksr_btf *btf = NULL;
	int ours, fd, err;

	if (size > KSR_FUZZ_MAX_INPUT)
		return 0;
	if (stricter_ok < 0) {
		const char *e = getenv("KSR_DIFF_STRICTER");

		stricter_ok = e && e[0] == '1';
	}
	ours = ksr_btf__parse(data, size, KSR_BTF_MODE_KERNEL, &btf);
	ksr_btf__free(btf);
	fd = btf_load(data, size, NULL, 0);
	err = errno;
	if (fd >= 0)
		close(fd);
	else if (err == EPERM) {
		fprintf(stderr, "diff_btf_kernel: BPF_BTF_LOAD: %s (needs root)\n", strerror(err));
		exit(77);
	} else if (err == ENOMEM || err == E2BIG || err == EINTR || err == EAGAIN)
		return 0;

	if (ours == 0 && fd < 0)
		disagree("ksymres (kernel mode) accepts, the kernel refuses", data, size, "accepted");
	if (ours < 0 && fd >= 0 && !stricter_ok)
		disagree("ksymres (kernel mode) refuses, the kernel accepts", data, size,
			 ksr_errmsg());
	return 0;
}
