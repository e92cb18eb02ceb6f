// SPDX-License-Identifier: BSD-2-Clause
/* Differential check, object open against libbpf: the same bytes go to
 * ksr_object__open_mem() and to libbpf's bpf_object__open_mem() (the
 * distribution's libbpf, Debian 12: 1.1.2), compared on
 *   - accept or refuse;
 *   - when both accept, the externs: every .ksyms extern as (symbol index,
 *     kind, name), kind VAR, TYPELESS or FUNC, and every .kconfig extern as
 *     (symbol index, name).
 * libbpf's extern set is read from its debug log ("extern (ksym) #i: symbol
 * S, name N", "extern (kcfg) #i: symbol S, ..., name N", printed by
 * bpf_object__collect_externs); the kind of each from the input's own .BTF
 * through libbpf's BTF API (a FUNC of that name: FUNC; a VAR whose type,
 * after modifiers and typedefs, is void: TYPELESS; else VAR).
 *
 * libbpf runs in a child process (fork per input, 5 s alarm): a crash or
 * hang inside libbpf 1.1.2 is libbpf's, not a disagreement (counted, input
 * saved under $KSR_DIFF_LIBBPF_CRASHES when set).
 *
 * Disagreements (trap after printing both sides):
 *   ksymres accepts, libbpf refuses: a bug (SECURITY.md: anything libbpf
 *       would refuse later is refused up front), unless KSR_DIFF_LOOSER=1
 *   ksymres refuses, libbpf accepts: must be a documented stricter rule
 *       (docs/bad-inputs.md, "Objects and libbpf"), trap unless
 *       KSR_DIFF_STRICTER=1
 *   both accept, different externs: always.
 * KSR_DIFF_VERBOSE=1 prints one line per input: "diff: ours=<0|err>
 * libbpf=<0|err|crash> <ksymres' message> | <libbpf's last warning>". */
#define _GNU_SOURCE
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "object.h"

#define REPORT_MAX (1u << 16)

/* ---- the child: libbpf ------------------------------------------------------ */

static char lb_warn[512];   /* libbpf's last warning */
static char lb_ext[REPORT_MAX];
static size_t lb_ext_len;

__attribute__((format(printf, 1, 2))) static void ext_add(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (lb_ext_len >= sizeof(lb_ext))
		return;
	va_start(ap, fmt);
	n = vsnprintf(lb_ext + lb_ext_len, sizeof(lb_ext) - lb_ext_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		lb_ext_len += (size_t)n;
}

__attribute__((format(printf, 2, 0))) static int lb_print(enum libbpf_print_level level,
							    const char *fmt, va_list ap)
{
	char line[512];
	unsigned idx, sym, off;
	char name[256];

	const char *m = line;

	vsnprintf(line, sizeof(line), fmt, ap);
	if (strncmp(m, "libbpf: ", 8) == 0)
		m += 8;
	if (level == LIBBPF_WARN) {
		snprintf(lb_warn, sizeof(lb_warn), "%s", m);
		lb_warn[strcspn(lb_warn, "\n")] = '\0';
	}
	if (sscanf(m, "extern (ksym) #%u: symbol %u, name %255s", &idx, &sym, name) == 3)
		ext_add("K %u %s\n", sym, name);
	else if (sscanf(m, "extern (kcfg) #%u: symbol %u, off %u, name %255s", &idx, &sym, &off,
			name) == 4)
		ext_add("C %u %s\n", sym, name);
	return 0;
}

/* The input's .BTF as libbpf's BTF API sees it (NULL without one). */
static struct btf *input_btf(const uint8_t *data, size_t size)
{
	Elf *elf = elf_memory((char *)data, size);
	Elf_Scn *scn = NULL;
	struct btf *btf = NULL;
	size_t shstrndx;

	if (!elf)
		return NULL;
	if (elf_getshdrstrndx(elf, &shstrndx) == 0)
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			const char *n;
			Elf_Data *d;

			if (!gelf_getshdr(scn, &sh) || !(n = elf_strptr(elf, shstrndx, sh.sh_name)) ||
			    strcmp(n, ".BTF") != 0)
				continue;
			d = elf_getdata(scn, NULL);
			if (d && d->d_buf)
				btf = btf__new(d->d_buf, (__u32)d->d_size);
			if (libbpf_get_error(btf))
				btf = NULL;
			break;
		}
	elf_end(elf);
	return btf;
}

static const char *kind_of(const struct btf *btf, const char *name)
{
	const struct btf_type *t;
	int id;

	if (!btf)
		return "?";
	if (btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0)
		return "FUNC";
	id = btf__find_by_name_kind(btf, name, BTF_KIND_VAR);
	if (id <= 0)
		return "?";
	t = btf__type_by_id(btf, (__u32)id);
	for (unsigned depth = 0; t && depth < 64; depth++) {
		id = (int)t->type;
		if (id == 0)
			return "TYPELESS";
		t = btf__type_by_id(btf, (__u32)id);
		if (!t || !(btf_is_mod(t) || btf_is_typedef(t)))
			break;
	}
	return "VAR";
}

/* Writes "0\n" + one line per extern, or "<-errno> <last warning>\n". */
static void run_libbpf(const uint8_t *data, size_t size, int fd)
{
	struct bpf_object *obj;
	char *copy = malloc(size ? size : 1);
	FILE *out = fdopen(fd, "w");

	fz_child_quiet(5);
	if (!copy || !out)
		_exit(2);
	memcpy(copy, data, size);
	libbpf_set_print(lb_print);
	obj = bpf_object__open_mem(copy, size, NULL);
	if (!obj) {
		fprintf(out, "%d %s\n", -errno, lb_warn);
	} else {
		struct btf *btf = input_btf(data, size);
		char *save = NULL;

		fprintf(out, "0\n");
		/* K lines get their kind */
		for (char *l = strtok_r(lb_ext, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			unsigned sym;
			char name[256];

			if (sscanf(l, "K %u %255s", &sym, name) == 2)
				fprintf(out, "K %u %s %s\n", sym, kind_of(btf, name), name);
			else
				fprintf(out, "%s\n", l);
		}
		btf__free(btf);
		bpf_object__close(obj);
	}
	fflush(out);
	_exit(0);   /* no atexit handlers (LeakSanitizer) in the child */
}

/* ---- the parent: ksymres and the comparison --------------------------------- */

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The extern lines sorted, one string. */
static void sort_lines(char *text, char *out, size_t cap)
{
	char *lines[4096];
	size_t n = 0, len = 0;
	char *save = NULL;

	for (char *l = strtok_r(text, "\n", &save); l && n < 4096; l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	qsort(lines, n, sizeof(lines[0]), cmp_lines);
	out[0] = '\0';
	for (size_t i = 0; i < n && len < cap; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s\n", lines[i]);
}

static const char *kind_name(enum ksr_extern_kind k)
{
	return k == KSR_EXTERN_FUNC ? "FUNC" : k == KSR_EXTERN_TYPELESS ? "TYPELESS" : "VAR";
}

static bool env_on(const char *name)
{
	const char *e = getenv(name);

	return e && e[0] == '1';
}

static void save_crash(const uint8_t *data, size_t size)
{
	const char *dir = getenv("KSR_DIFF_LIBBPF_CRASHES");
	char path[4096];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/libbpf-crash-%zu-%08x", dir, size,
		 (unsigned)(size ? data[0] * 16777619u ^ data[size / 2] ^ data[size - 1] << 8 : 0));
	if ((f = fopen(path, "wb"))) {
		fwrite(data, 1, size, f);
		fclose(f);
	}
}

static void disagree(const char *what, const char *ours, const char *theirs)
{
	fprintf(stderr, "diff_object_libbpf: %s\n  ksymres: %s\n  libbpf:  %s\n", what, ours, theirs);
	fflush(stderr);
	__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char theirs[REPORT_MAX + 1024], ours[REPORT_MAX], a[REPORT_MAX], b[REPORT_MAX];
	struct ksr_object *obj = NULL;
	size_t got = 0;
	ssize_t r;
	int pfd[2], status, lb_err;
	pid_t pid;
	char *nl;

	if (size > KSR_FUZZ_MAX_INPUT)
		return 0;
	if (pipe(pfd))
		return 0;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return 0;
	}
	if (pid == 0) {
		close(pfd[0]);
		run_libbpf(data, size, pfd[1]);
	}
	close(pfd[1]);
	while (got < sizeof(theirs) - 1 &&
	       (r = read(pfd[0], theirs + got, sizeof(theirs) - 1 - got)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		got += (size_t)r;
	}
	theirs[got] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;

	ksr_err_clear();
	int err = ksr_object__open_mem(data, size, &obj);

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || got == 0) {
		if (env_on("KSR_DIFF_VERBOSE"))
			fprintf(stderr, "diff: ours=%d libbpf=crash %s\n", err, err ? ksr_errmsg() : "");
		save_crash(data, size);
		ksr_object__free(obj);
		return 0;
	}
	lb_err = atoi(theirs);
	nl = strchr(theirs, '\n');
	if (env_on("KSR_DIFF_VERBOSE"))
		fprintf(stderr, "diff: ours=%d libbpf=%d %s | %.*s\n", err, lb_err, err ? ksr_errmsg() : "",
			lb_err ? (int)(nl ? nl - theirs : 0) : 0, theirs);

	if (err == 0 && lb_err != 0 && !env_on("KSR_DIFF_LOOSER"))
		disagree("ksymres accepts, libbpf refuses", "accepted", theirs);
	if (err != 0 && lb_err == 0 && !env_on("KSR_DIFF_STRICTER"))
		disagree("ksymres refuses, libbpf accepts", ksr_errmsg(), "accepted");
	if (err == 0 && lb_err == 0) {
		size_t len = 0;

		ours[0] = '\0';   /* static: no externs must not leave the last input's */
		for (size_t i = 0; i < ksr_object__extern_cnt(obj) && len < sizeof(ours); i++) {
			const struct ksr_extern *e = ksr_object__extern(obj, i);

			len += (size_t)snprintf(ours + len, sizeof(ours) - len, "K %u %s %s\n", e->sym_idx,
						kind_name(e->kind), e->name);
		}
		for (size_t i = 0; i < ksr_object__kconfig_extern_cnt(obj) && len < sizeof(ours); i++) {
			const struct ksr_extern *e = ksr_object__kconfig_extern(obj, i);

			len += (size_t)snprintf(ours + len, sizeof(ours) - len, "C %u %s\n", e->sym_idx,
						e->name);
		}
		sort_lines(ours, a, sizeof(a));
		sort_lines(nl ? nl + 1 : theirs + got, b, sizeof(b));
		if (strcmp(a, b) != 0)
			disagree("both accept, the externs differ", a, b);
	}
	ksr_object__free(obj);
	return 0;
}
