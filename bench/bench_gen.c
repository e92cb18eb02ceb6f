// SPDX-License-Identifier: BSD-2-Clause
/* Writes the C source of a BPF object with N .ksyms externs that this host
 * can resolve: about a third typeless symbols (vmlinux 'T' symbols whose name
 * has exactly one kallsyms record), the rest kfuncs (FUNCs targeted by a
 * DECL_TAG "bpf_kfunc", present in kallsyms, whose prototype can be written
 * with ints and pointers to void, ints or named structs/unions; each struct
 * gets a one-member local definition, which libbpf's compatibility rules
 * accept). One syscall program calls every kfunc with zero arguments and
 * adds up the typeless addresses; it is meant for offline resolve/check, not
 * for the verifier. Same inputs, same source. Compile it with -fno-builtin
 * (kernel symbols such as strncat would clash with clang's library builtins).
 *
 * usage: bench_gen BTF KALLSYMS N OUT.c */
#include <bpf/btf.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "kallsyms.h"
#include "ksymres/ksymres.h"

#define MAX_TAGS 4096

struct gen {
	struct btf *btf;
	struct ksr_kallsyms *ks;
	const char *tags[MAX_TAGS];   /* struct/union tags to define */
	bool tag_union[MAX_TAGS];
	int ntags;
};

static bool is_ident(const char *s)
{
	if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return false;
	return true;
}

static const struct btf_type *skip_mods(const struct btf *btf, __u32 id, __u32 *out)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	*out = id;
	return t;
}

/* Records a struct/union tag; false on a struct/union clash. */
static bool want_tag(struct gen *g, const char *name, bool is_union, int *added)
{
	for (int i = 0; i < g->ntags; i++)
		if (!strcmp(g->tags[i], name))
			return g->tag_union[i] == is_union;
	if (g->ntags == MAX_TAGS)
		return false;
	g->tags[g->ntags] = name;
	g->tag_union[g->ntags++] = is_union;
	(*added)++;
	return true;
}

/* C spelling of a parameter or return type, or false if not representable. */
static bool type_str(struct gen *g, __u32 id, char *buf, size_t len, int *added)
{
	const struct btf_type *t = skip_mods(g->btf, id, &id);
	int stars = 0;

	if (id == 0) {
		snprintf(buf, len, "void");
		return true;
	}
	if (!t)
		return false;
	if (btf_is_int(t)) {
		snprintf(buf, len, "long");
		return true;
	}
	while (t && btf_is_ptr(t)) {
		stars++;
		t = skip_mods(g->btf, t->type, &id);
		if (id == 0) {
			snprintf(buf, len, "void %.*s", stars, "*****");
			return stars <= 5;
		}
	}
	if (!t || !stars || stars > 5)
		return false;
	if (btf_is_int(t)) {
		snprintf(buf, len, "long %.*s", stars, "*****");
		return true;
	}
	if (btf_is_struct(t) || btf_is_union(t)) {
		const char *name = btf__name_by_offset(g->btf, t->name_off);

		if (!name || !is_ident(name) || !want_tag(g, name, btf_is_union(t), added))
			return false;
		snprintf(buf, len, "%s %s %.*s", btf_is_union(t) ? "union" : "struct", name, stars,
			 "*****");
		return true;
	}
	return false;
}

/* The prototype of kfunc FUNC id, or false. */
static bool kfunc_proto(struct gen *g, __u32 func_id, char *buf, size_t len, int *nparams,
			bool *returns)
{
	const struct btf_type *fn = btf__type_by_id(g->btf, func_id), *proto;
	const char *name = btf__name_by_offset(g->btf, fn->name_off);
	const struct btf_param *p;
	int added = 0, saved = g->ntags;
	char ty[256];
	size_t o;

	proto = btf__type_by_id(g->btf, fn->type);
	if (!proto || !btf_is_func_proto(proto) || btf_vlen(proto) > 5)
		return false;
	if (!type_str(g, proto->type, ty, sizeof(ty), &added))
		goto undo;
	*returns = strcmp(ty, "void") != 0;
	o = (size_t)snprintf(buf, len, "extern %s %s(", ty, name);
	p = btf_params(proto);
	for (int i = 0; i < btf_vlen(proto); i++) {
		if (p[i].type == 0 || !type_str(g, p[i].type, ty, sizeof(ty), &added))
			goto undo;
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", ty);
	}
	if (btf_vlen(proto) == 0)
		o += (size_t)snprintf(buf + o, len - o, "void");
	snprintf(buf + o, len - o, ") __ksym;\n");
	*nparams = btf_vlen(proto);
	return true;
undo:
	g->ntags = saved;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A kallsyms key with exactly one record, in vmlinux. */
static bool unique_vmlinux(const struct ksr_kallsyms *ks, const char *name, char type)
{
	uint32_t first, cnt;
	const struct ksr_ksym *s;

	if (ksr_kallsyms__lookup(ks, name, &first, &cnt) || cnt != 1)
		return false;
	s = ksr_kallsyms__sym(ks, first);
	return s && !(s->flags & KSR_KSYM_MODULE) && (!type || s->type == type);
}

int main(int argc, char **argv)
{
	struct gen g = { 0 };
	char **protos, **kf_names, **tl_names, line[2048];
	bool *kf_ret;
	int *kf_np, n, n_tl, n_kf, got_kf = 0, got_tl = 0;
	uint32_t first, cnt, nsym, ncand = 0;
	const char **cand;
	void *text;
	size_t len;
	FILE *out;

	if (argc != 5 || (n = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: %s BTF KALLSYMS N OUT.c\n", argv[0]);
		return 2;
	}
	n_tl = n / 3 > 0 ? n / 3 : 1;
	n_kf = n - n_tl;
	g.btf = btf__parse(argv[1], NULL);
	if (!g.btf) {
		fprintf(stderr, "bench_gen: cannot parse BTF %s\n", argv[1]);
		return 1;
	}
	if (ksr_read_file(argv[2], KSR_MAX_INPUT, &text, &len) ||
	    ksr_kallsyms__parse(text, len, &g.ks)) {
		fprintf(stderr, "bench_gen: %s: %s\n", argv[2], ksr_errmsg());
		return 1;
	}
	protos = calloc((size_t)n, sizeof(*protos));
	kf_names = calloc((size_t)n, sizeof(*kf_names));
	tl_names = calloc((size_t)n, sizeof(*tl_names));
	kf_ret = calloc((size_t)n, sizeof(*kf_ret));
	kf_np = calloc((size_t)n, sizeof(*kf_np));
	if (!protos || !kf_names || !tl_names || !kf_ret || !kf_np)
		return 1;

	/* kfuncs, in BTF order */
	for (__u32 id = 1; id < btf__type_cnt(g.btf) && got_kf < n_kf; id++) {
		const struct btf_type *t = btf__type_by_id(g.btf, id), *fn;
		const char *name;

		if (!btf_is_decl_tag(t) || btf_decl_tag(t)->component_idx != -1 ||
		    strcmp(btf__name_by_offset(g.btf, t->name_off), "bpf_kfunc"))
			continue;
		fn = btf__type_by_id(g.btf, t->type);
		if (!fn || !btf_is_func(fn))
			continue;
		name = btf__name_by_offset(g.btf, fn->name_off);
		/* the lowest FUNC of that name is the tagged one; in kallsyms */
		if (!is_ident(name) || !strncmp(name, "__", 2) ||
		    btf__find_by_name_kind(g.btf, name, BTF_KIND_FUNC) != (int)t->type ||
		    ksr_kallsyms__lookup(g.ks, name, &first, &cnt))
			continue;
		for (int i = 0; i < got_kf; i++)
			if (!strcmp(kf_names[i], name))
				goto next_tag;
		if (!kfunc_proto(&g, t->type, line, sizeof(line), &kf_np[got_kf], &kf_ret[got_kf]))
			continue;
		protos[got_kf] = strdup(line);
		kf_names[got_kf++] = strdup(name);
next_tag:;
	}
	/* typeless: unique 'T' symbols, evenly spread over the candidates */
	ksr_kallsyms__syms(g.ks, &nsym);
	cand = calloc(nsym ? nsym : 1, sizeof(*cand));
	if (!cand)
		return 1;
	for (uint32_t i = 0; i < nsym; i++) {
		const struct ksr_ksym *s = ksr_kallsyms__sym(g.ks, i);
		const char *name = ksr_kallsyms__str(g.ks, s->name_off);

		if (!name || s->type != 'T' || (s->flags & KSR_KSYM_MODULE) || !strncmp(name, "__", 2) ||
		    !is_ident(name) || strlen(name) > 64 || !unique_vmlinux(g.ks, name, 'T') ||
		    btf__find_by_name_kind(g.btf, name, BTF_KIND_FUNC) > 0)
			continue;
		cand[ncand++] = name;
	}
	qsort(cand, ncand, sizeof(*cand), cmp_str);
	for (uint32_t i = 0; i < (uint32_t)n_tl && ncand; i++)
		tl_names[got_tl++] = strdup(cand[(uint64_t)i * ncand / (uint32_t)n_tl]);
	if (got_kf < n_kf || got_tl < n_tl) {
		fprintf(stderr, "bench_gen: found %d of %d kfuncs and %d of %d typeless symbols\n",
			got_kf, n_kf, got_tl, n_tl);
		return 1;
	}

	out = fopen(argv[4], "w");
	if (!out) {
		perror(argv[4]);
		return 1;
	}
	fprintf(out, "// SPDX-License-Identifier: GPL-2.0\n"
		     "/* Generated by bench_gen: %d typeless externs and %d kfuncs of this host. */\n"
		     "#define SEC(n) __attribute__((section(n), used))\n"
		     "#define __ksym __attribute__((section(\".ksyms\")))\n\n",
		n_tl, n_kf);
	for (int i = 0; i < g.ntags; i++)
		fprintf(out, "%s %s { int ksr_bench_m; };\n", g.tag_union[i] ? "union" : "struct",
			g.tags[i]);
	fputc('\n', out);
	for (int i = 0; i < n_tl; i++)
		fprintf(out, "extern const void %s __ksym;\n", tl_names[i]);
	for (int i = 0; i < n_kf; i++)
		fputs(protos[i], out);
	fprintf(out, "\nSEC(\"syscall\")\nint ksr_bench(void *ctx)\n{\n\tlong r = 0;\n\n");
	for (int i = 0; i < n_tl; i++)
		fprintf(out, "\tr += (long)&%s;\n", tl_names[i]);
	for (int i = 0; i < n_kf; i++) {
		fprintf(out, "\t%s%s(", kf_ret[i] ? "r += (long)" : "", kf_names[i]);
		for (int j = 0; j < kf_np[i]; j++)
			fprintf(out, "%s0", j ? ", " : "");
		fprintf(out, ");\n");
	}
	fprintf(out, "\treturn (int)r;\n}\n\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n");
	fclose(out);
	free(cand);
	ksr_kallsyms__free(g.ks);
	free(text);
	btf__free(g.btf);
	return 0;
}
