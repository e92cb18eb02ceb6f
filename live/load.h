/* SPDX-License-Identifier: BSD-2-Clause */
/* The parts of `ksymres load`: the host's identity and _text, re-resolution
 * against the live kernel, and the libbpf side (load, pin, test-run). */
#ifndef KSR_LOAD_H
#define KSR_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ksymres/ksymres.h>

/* ---- the host (load_host.c) ---------------------------------------------- */

/* The live vmlinux BTF, mapped (or read when it cannot be mapped), and its
 * identity computed exactly as profiles compute it. */
struct ksr_host_btf {
	const char *path;
	bool mapped;
	void *copy;              /* when read instead of mapped */
	const void *data;
	size_t len;
	char identity[33];
};
int ksr_host_btf__open(struct ksr_host_btf *h);
void ksr_host_btf__close(struct ksr_host_btf *h);

/* _text of this boot, read from the head of kallsyms (it is among the first
 * lines; the whole file costs the kernel ~30 ms to generate). A zero address
 * (restricted kallsyms) is -EPERM with a message saying so. Messages do
 * not name the file: it is ksr_live_kallsyms_path(). */
int ksr_host_text(uint64_t *addr);

/* A profile of the running kernel in memory (its BTF, already mapped, and
 * its full kallsyms), for ksr_image__reresolve(). Messages name the file. */
int ksr_host_profile(const struct ksr_host_btf *hb, struct ksr_profile **out);

/* ---- module externs (load_mod.c) ------------------------------------------ */

struct ksr_host_mod {
	char name[KSR_MANIFEST_MODULE_NAME_MAX];
	char obj_identity[33];   /* what resolve recorded */
	char host_identity[33];  /* of /sys/kernel/btf/<name> here */
	char path[4096];
	uint32_t btf_obj_id;
	bool match;
};

struct ksr_host_mods {
	struct ksr_host_mod *mods;
	int *fds;                /* the modules' BTF objects, in manifest order */
	int *fd_array;           /* cnt + 1 slots: [0] unused, [i + 1] = fds[i] */
	uint32_t cnt;
};

/* Finds the BTF object of each of the cnt modules the manifest of obj
 * names and hashes its sysfs BTF. A module that is not loaded is -ENOENT
 * with a message naming it. Messages name no file unless about one. */
int ksr_host_mods__open(const struct ksr_object *obj, uint32_t cnt, struct ksr_host_mods *h);
void ksr_host_mods__close(struct ksr_host_mods *h);

/* ---- libbpf (load_bpf.c) -------------------------------------------------- */

struct ksr_bpf_prog {
	const char *name;
	const char *type;        /* libbpf's name of the program type */
	int fd;
	uint32_t id;
	bool ran;
	const char *skipped;     /* why it was not test-run (with --run) */
	uint32_t retval;
	uint64_t duration_ns;
	char pin[4096];          /* path when pinned */
};

struct ksr_bpf_opts {
	const char *pin_dir;
	bool run;
	const void *data;        /* packet or context for --run */
	size_t data_len;
	bool data_given;         /* --data-in: also the context of syscall/raw_tp programs */
	uint32_t repeat;
	bool verbose;            /* libbpf's messages on stderr */
	const int *fd_array;     /* module BTF fds for BPF_PROG_LOAD (bound module externs) */
};

struct ksr_bpf;

/* Opens the (already validated and patched) image with libbpf and loads
 * it. On failure returns a negative errno; the verifier log's tail (when a
 * program was rejected) is in ksr_bpf__log_tail() and the reason in
 * ksr_errmsg(). */
int ksr_bpf__load(const void *img, size_t len, const char *obj_name, const struct ksr_bpf_opts *o,
		  struct ksr_bpf **out);
/* Whether o->fd_array can be given to every program of img: libbpf 1.1
 * takes no fd_array from its caller, so ksr_bpf__load() registers a program
 * handler for each section whose prepare callback sets it; that replaces
 * libbpf's own callback, which matters for tracing, LSM, extension and
 * syscall programs and sleepable or frags sections (then *why says which
 * and the module externs are left to libbpf). */
bool ksr_bpf__can_bind(const void *img, size_t len, const char **why);
/* Pins (programs and maps under o->pin_dir) and test-runs as asked. */
int ksr_bpf__pin(struct ksr_bpf *b, const struct ksr_bpf_opts *o);
int ksr_bpf__run(struct ksr_bpf *b, const struct ksr_bpf_opts *o);
size_t ksr_bpf__prog_cnt(const struct ksr_bpf *b);
const struct ksr_bpf_prog *ksr_bpf__prog(const struct ksr_bpf *b, size_t i);
size_t ksr_bpf__map_cnt(const struct ksr_bpf *b);
/* Last lines of the rejected program's verifier log ("" when none), and
 * its name (NULL when the failure was not a program's). */
const char *ksr_bpf__log_tail(const struct ksr_bpf *b);
const char *ksr_bpf__failed_prog(const struct ksr_bpf *b);
void ksr_bpf__free(struct ksr_bpf *b);

/* The default --run packet: Ethernet + IPv4 + UDP, 64 bytes. */
void ksr_default_packet(uint8_t pkt[64]);

#endif
