// SPDX-License-Identifier: BSD-2-Clause
/* kallsyms parsing, side by side, in one process run, on one saved snapshot:
 *   ksymres: read the file + ksr_kallsyms__parse() (strict grammar, every
 *            line kept, sorted and indexed: any name is then one lookup)
 *   libbpf:  libbpf 1.1's loop, reimplemented here: fopen, then
 *            fscanf("%llx %c %499s%*[^\n]\n") per line and a callback that
 *            searches the object's externs linearly by name and records the
 *            address of typeless/typed ksyms (refusing an ambiguous one)
 *   and, as an extra row, ksr_kallsyms__parse() alone on text in memory.
 * Alternating, after warm-up. The snapshot is in the page cache for both.
 *
 * usage: bench_kallsyms SNAPSHOT [-n REPS] [-o FILE.jsonl] [-x NAME[:func]]...
 * Default externs: bpf_prog_put (typeless), bpf_rcu_read_lock and
 * bpf_rcu_read_unlock (kfuncs: libbpf's callback skips them, but they are
 * in the list it searches). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "fileio.h"
#include "kallsyms.h"
#include "ksymres/ksymres.h"

/* ---- libbpf 1.1's kallsyms pass, as its code behaves -------------------- */

struct lb_extern {
	const char *name;
	bool is_var;          /* a VAR in the object's BTF (typeless or typed ksym) */
	bool is_set;
	unsigned long long addr;
};

struct lb_obj {
	struct lb_extern *ext;
	int cnt;
};

static struct lb_extern *lb_find_extern(struct lb_obj *obj, const char *name)
{
	for (int i = 0; i < obj->cnt; i++)
		if (strcmp(obj->ext[i].name, name) == 0)
			return &obj->ext[i];
	return NULL;
}

static int lb_cb(unsigned long long addr, char type, const char *name, void *ctx)
{
	struct lb_extern *e = lb_find_extern(ctx, name);

	(void)type;
	if (!e || !e->is_var)
		return 0;
	if (e->is_set && e->addr != addr)
		return -22; /* "resolution is ambiguous" */
	if (!e->is_set) {
		e->is_set = true;
		e->addr = addr;
	}
	return 0;
}

static int lb_parse(const char *path, struct lb_obj *obj)
{
	unsigned long long addr;
	char type, name[500];
	int ret, err = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return -2;
	for (;;) {
		ret = fscanf(f, "%llx %c %499s%*[^\n]\n", &addr, &type, name);
		if (ret == EOF && feof(f))
			break;
		if (ret != 3) {
			err = -22;
			break;
		}
		err = lb_cb(addr, type, name, obj);
		if (err)
			break;
	}
	fclose(f);
	return err;
}

/* ---- the sides ---------------------------------------------------------- */

static double run_ksr_file(const char *path)
{
	struct ksr_kallsyms *ks;
	double t = bu_now_ms();
	void *text;
	size_t len;

	if (ksr_read_file(path, KSR_MAX_INPUT, &text, &len) ||
	    ksr_kallsyms__parse(text, len, &ks)) {
		fprintf(stderr, "bench_kallsyms: %s: %s\n", path, ksr_errmsg());
		exit(1);
	}
	ksr_kallsyms__free(ks);
	free(text);
	return bu_now_ms() - t;
}

static double run_ksr_mem(const char *text, size_t len)
{
	struct ksr_kallsyms *ks;
	double t = bu_now_ms();

	if (ksr_kallsyms__parse(text, len, &ks))
		exit(1);
	ksr_kallsyms__free(ks);
	return bu_now_ms() - t;
}

static double run_libbpf(const char *path, struct lb_obj *obj)
{
	double t = bu_now_ms();

	for (int i = 0; i < obj->cnt; i++)
		obj->ext[i].is_set = false;
	if (lb_parse(path, obj)) {
		fprintf(stderr, "bench_kallsyms: libbpf loop failed on %s\n", path);
		exit(1);
	}
	return bu_now_ms() - t;
}

int main(int argc, char **argv)
{
	static struct lb_extern defaults[] = {
		{ "bpf_prog_put", true, false, 0 },
		{ "bpf_rcu_read_lock", false, false, 0 },
		{ "bpf_rcu_read_unlock", false, false, 0 },
	};
	struct lb_extern ext[64];
	struct lb_obj obj = { defaults, 3 };
	const char *path, *json = NULL;
	struct bu_side sides[3];
	struct bu_load load;
	double *a, *b, *m, other;
	int reps = 30, c, nx = 0;
	size_t len;
	void *text;
	char note[128];

	if (argc < 2) {
		fprintf(stderr, "usage: %s SNAPSHOT [-n REPS] [-o FILE] [-x NAME[:func]]...\n",
			argv[0]);
		return 2;
	}
	path = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "n:o:x:")) != -1) {
		switch (c) {
		case 'n': reps = atoi(optarg); break;
		case 'o': json = optarg; break;
		case 'x':
			if (nx < 64) {
				char *colon = strchr(optarg, ':');

				ext[nx].is_var = !(colon && !strcmp(colon, ":func"));
				if (colon)
					*colon = '\0';
				ext[nx].name = optarg;
				ext[nx++].is_set = false;
			}
			break;
		default: return 2;
		}
	}
	if (nx) {
		obj.ext = ext;
		obj.cnt = nx;
	}
	if (reps < 1 || ksr_read_file(path, KSR_MAX_INPUT, &text, &len)) {
		fprintf(stderr, "bench_kallsyms: cannot read %s\n", path);
		return 1;
	}
	a = calloc((size_t)reps, sizeof(double));
	b = calloc((size_t)reps, sizeof(double));
	m = calloc((size_t)reps, sizeof(double));
	if (!a || !b || !m)
		return 1;
	bu_load_begin(&load);
	for (int w = 0; w < 3; w++) {
		run_ksr_file(path);
		run_libbpf(path, &obj);
		run_ksr_mem(text, len);
	}
	for (int r = 0; r < reps; r++) {
		if (r % 2) {
			b[r] = run_libbpf(path, &obj);
			a[r] = run_ksr_file(path);
		} else {
			a[r] = run_ksr_file(path);
			b[r] = run_libbpf(path, &obj);
		}
		m[r] = run_ksr_mem(text, len);
	}
	other = bu_load_other_pct(&load);
	sides[0] = (struct bu_side){ "ksymres read+parse+index", bu_stats(a, (size_t)reps), -1, -1 };
	sides[1] = (struct bu_side){ "libbpf 1.1 fscanf loop", bu_stats(b, (size_t)reps), -1, -1 };
	sides[2] = (struct bu_side){ "ksymres parse+index (in memory)", bu_stats(m, (size_t)reps),
				     -1, -1 };
	snprintf(note, sizeof(note), "%u lines, %zu bytes; libbpf side searches %d externs",
		 (unsigned int)0, len, obj.cnt);
	{
		struct ksr_kallsyms *ks;

		if (!ksr_kallsyms__parse(text, len, &ks)) {
			snprintf(note, sizeof(note), "%u lines, %zu bytes; libbpf side searches %d externs",
				 ksr_kallsyms__count(ks), len, obj.cnt);
			ksr_kallsyms__free(ks);
		}
	}
	bu_print(stdout, "kallsyms: parse a saved snapshot", reps, sides, 3, 1, 0, other);
	if (json) {
		FILE *f = fopen(json, "a");

		if (!f) {
			perror(json);
			return 1;
		}
		bu_json_line(f, "kallsyms", "parse a saved snapshot", reps, sides, 3, 1, 0, note, other);
		fclose(f);
	}
	free(a);
	free(b);
	free(m);
	free(text);
	return 0;
}
