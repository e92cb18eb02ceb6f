// SPDX-License-Identifier: BSD-2-Clause
/* The service layer without sockets: the store (service/store.c) and the
 * route handlers (service/routes.c), on profiles built here from fixed
 * inputs, against the clang-built test objects. */
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/btf.h>

#include <ksymres/ksymres.h>

#include "btf_builder.h"
#include "hash.h"
#include "profile.h"
#include "metrics.h"
#include "output.h"
#include "report.h"
#include "routes.h"
#include "store.h"
#include "testutil.h"

#define NPROF 5
#define TOKEN "0123456789abcdef0123"

static char DIR_PATH[] = "/tmp/ksr_service_XXXXXX";
static char STORE[300];
static char PROF_PATH[NPROF][300];
static void *PROF_IMG[NPROF];
static size_t PROF_LEN[NPROF];
static char PROF_ID[NPROF][33];

static const char KALLSYMS[] =
	"ffffffff81000000 T _text\n"
	"ffffffff81000000 T _stext\n"
	"ffffffff81100000 T bpf_prog_put\n"
	"ffffffff81200000 D ksr_svc_var\n";

/* A small vmlinux BTF: one VAR whose name makes each profile distinct. */
static void *make_btf(int k, size_t *len)
{
	uint32_t t_int, var, sizes[1] = { 4 };
	char name[32];
	struct bb b;
	void *blob;

	snprintf(name, sizeof(name), "ksr_svc_var%d", k);
	bb_init(&b);
	t_int = kb_int(&b, "int", 4, BTF_INT_SIGNED, 0, 32);
	var = kb_var(&b, name, t_int);
	kb_datasec(&b, ".data", 1, &var, sizes);
	blob = bb_blob(&b, len);
	bb_free(&b);
	return blob;
}

static int setup_all(void **state)
{
	if (!tu_readable(tu_bpf_obj("typeless")))
		tu_skip("test objects not built (KSR_BPF_DIR)");
	if (!mkdtemp(DIR_PATH))
		return -1;
	snprintf(STORE, sizeof(STORE), "%s/store", DIR_PATH);
	for (int k = 0; k < NPROF; k++) {
		char release[32];
		struct ksr_profile_opts o = { .sz = sizeof(o), .release = release, .arch = "x86_64" };
		struct ksr_profile *p;
		size_t len;
		void *btf = make_btf(k, &len);

		snprintf(release, sizeof(release), "6.%d.0-test", k);
		snprintf(PROF_PATH[k], sizeof(PROF_PATH[k]), "%s/p%d.profile", DIR_PATH, k);
		if (ksr_profile__create(PROF_PATH[k], btf, len, KALLSYMS, strlen(KALLSYMS), &o)) {
			fprintf(stderr, "create: %s\n", ksr_errmsg());
			return -1;
		}
		free(btf);
		PROF_IMG[k] = tu_read_file(PROF_PATH[k], &PROF_LEN[k]);
		if (!PROF_IMG[k] || ksr_profile__open(PROF_PATH[k], &p))
			return -1;
		snprintf(PROF_ID[k], sizeof(PROF_ID[k]), "%s", ksr_profile__identity(p));
		ksr_profile__free(p);
	}
	return 0;
}

static int teardown_all(void **state)
{
	char cmd[400];

	for (int k = 0; k < NPROF; k++)
		free(PROF_IMG[k]);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", DIR_PATH);
	return system(cmd) == 0 ? 0 : -1;
}

/* A fresh store for each test. */
static int setup_store(void **state)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", STORE);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_names(void **state)
{
	assert_true(ksr_store_id_ok("0123456789abcdef0123456789abcdef"));
	assert_false(ksr_store_id_ok("0123456789ABCDEF0123456789abcdef"));
	assert_false(ksr_store_id_ok("0123456789abcdef0123456789abcde"));
	assert_false(ksr_store_id_ok("0123456789abcdef0123456789abcdef0"));
	assert_false(ksr_store_id_ok("../../../../etc/passwd..........."));
	assert_false(ksr_store_id_ok(""));
	assert_true(ksr_store_label_ok("fleet=web-1"));
	assert_true(ksr_store_label_ok("k="));
	assert_true(ksr_store_label_ok("a.b_c-d=x:y/z.1"));
	assert_false(ksr_store_label_ok("=v"));
	assert_false(ksr_store_label_ok("k"));
	assert_false(ksr_store_label_ok("k v=1"));
	assert_false(ksr_store_label_ok("k=a b"));
	assert_false(ksr_store_label_ok("k=a\nb"));
	assert_false(ksr_store_label_ok("k/x=1"));
	{
		char long_key[80], long_val[140];

		memset(long_key, 'k', 65);
		strcpy(long_key + 65, "=v");
		assert_false(ksr_store_label_ok(long_key));
		long_key[64] = '=';
		long_key[65] = '\0';
		assert_true(ksr_store_label_ok(long_key));
		long_val[0] = 'k';
		long_val[1] = '=';
		memset(long_val + 2, 'v', 129);
		long_val[131] = '\0';
		assert_false(ksr_store_label_ok(long_val));
	}
	assert_true(ksr_store_label_key_ok("fleet"));
	assert_false(ksr_store_label_key_ok("fleet=a"));
}

static void test_store(void **state)
{
	const char *l1[] = { "fleet=a", "os=debian" }, *l2[] = { "fleet=b", "tier=1" };
	const char *want[] = { "fleet=b" }, *rm[] = { "os" }, *add[] = { "zone=eu" };
	struct ksr_store_entry e, *v;
	struct ksr_store *st;
	size_t n, cnt;
	bool created;

	assert_int_equal(ksr_store_open(STORE, &st), 0);
	assert_int_equal(ksr_store_put(st, PROF_IMG[0], PROF_LEN[0], l1, 2, &e, &created), 0);
	assert_true(created);
	assert_string_equal(e.identity, PROF_ID[0]);
	assert_string_equal(e.release, "6.0.0-test");
	assert_string_equal(e.arch, "x86_64");
	assert_int_equal(e.size, PROF_LEN[0]);
	assert_int_equal(e.label_cnt, 2);
	ksr_store_entry_clear(&e);
	/* again: 200, labels merged, a key given again takes the new value */
	assert_int_equal(ksr_store_put(st, PROF_IMG[0], PROF_LEN[0], l2, 2, &e, &created), 0);
	assert_false(created);
	assert_int_equal(e.label_cnt, 3);
	assert_string_equal(e.labels[0], "fleet=b");
	assert_string_equal(e.labels[1], "os=debian");
	assert_string_equal(e.labels[2], "tier=1");
	ksr_store_entry_clear(&e);
	assert_int_equal(ksr_store_put(st, PROF_IMG[1], PROF_LEN[1], NULL, 0, &e, &created), 0);
	assert_true(created);
	ksr_store_entry_clear(&e);
	/* the stored file is the upload */
	{
		char path[400];
		size_t len;
		void *img;

		assert_int_equal(ksr_store_profile_path(st, PROF_ID[0], path, sizeof(path)), 0);
		img = tu_read_file(path, &len);
		assert_non_null(img);
		assert_int_equal(len, PROF_LEN[0]);
		assert_memory_equal(img, PROF_IMG[0], len);
		free(img);
	}
	/* not a profile; a damaged block: refused, nothing left in tmp/ */
	assert_int_equal(ksr_store_put(st, KALLSYMS, sizeof(KALLSYMS), NULL, 0, &e, &created), -EBADMSG);
	{
		uint8_t *bad = malloc(PROF_LEN[2]);
		char tmp[800];

		memcpy(bad, PROF_IMG[2], PROF_LEN[2]);
		bad[4096 + 10] ^= 1; /* the first body block */
		assert_int_equal(ksr_store_put(st, bad, PROF_LEN[2], NULL, 0, &e, &created), -EBADMSG);
		assert_non_null(strstr(ksr_cli_errmsg(), "hash mismatch"));
		free(bad);
		snprintf(tmp, sizeof(tmp), "rmdir '%s/tmp' 2>/dev/null && mkdir '%s/tmp'", STORE, STORE);
		assert_int_equal(system(tmp), 0); /* rmdir succeeds: empty */
	}
	assert_int_equal(ksr_store_list(st, NULL, 0, NULL, &v, &cnt), 0);
	assert_int_equal(cnt, 2);
	assert_true(strcmp(v[0].identity, v[1].identity) < 0);
	ksr_store_entries_free(v, cnt);
	assert_int_equal(ksr_store_list(st, want, 1, NULL, &v, &cnt), 0);
	assert_int_equal(cnt, 1);
	assert_string_equal(v[0].identity, PROF_ID[0]);
	ksr_store_entries_free(v, cnt);
	assert_int_equal(ksr_store_list(st, NULL, 0, "6.1.0-test", &v, &cnt), 0);
	assert_int_equal(cnt, 1);
	assert_string_equal(v[0].identity, PROF_ID[1]);
	ksr_store_entries_free(v, cnt);
	assert_int_equal(ksr_store_relabel(st, PROF_ID[0], add, 1, rm, 1, &e), 0);
	assert_int_equal(e.label_cnt, 3);
	assert_string_equal(e.labels[2], "zone=eu");
	ksr_store_entry_clear(&e);
	assert_int_equal(ksr_store_get(st, "00000000000000000000000000000000", &e), -ENOENT);
	assert_int_equal(ksr_store_get(st, "../x", &e), -EINVAL);
	assert_int_equal(ksr_store_fsck(STORE, stderr), 0);
	/* delete; fsck clean; reindex finds the files again, with their labels */
	assert_int_equal(ksr_store_delete(st, PROF_ID[1]), 0);
	assert_int_equal(ksr_store_delete(st, PROF_ID[1]), -ENOENT);
	ksr_store_close(st);
	assert_int_equal(ksr_store_fsck(STORE, stderr), 0);
	{
		char db[400];

		snprintf(db, sizeof(db), "%s/catalogue.sqlite", STORE);
		assert_int_equal(unlink(db), 0);
	}
	assert_true(ksr_store_fsck(STORE, stderr) > 0);
	assert_int_equal(ksr_store_reindex(STORE, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ksr_store_fsck(STORE, stderr), 0);
	assert_int_equal(ksr_store_open(STORE, &st), 0);
	assert_int_equal(ksr_store_get(st, PROF_ID[0], &e), 0);
	assert_int_equal(e.label_cnt, 3);
	ksr_store_entry_clear(&e);
	ksr_store_close(st);
}

/* ---- routes ----------------------------------------------------------------- */

struct call {
	struct ksr_kv q[8], h[4];
	char qbuf[8][200];
	struct ksr_http_req req;
	struct ksr_http_resp resp;
};

static void call(struct ksr_service *svc, struct call *c, const char *method, const char *path,
		 const char *query, const void *body, size_t len, bool token, const char *accept)
{
	size_t nq = 0, nh = 0;

	memset(c, 0, sizeof(*c));
	/* query: "k=v&k=v" split at the first '=' of each, as libmicrohttpd does */
	for (const char *s = query; s && *s && nq < 8; nq++) {
		const char *amp = strchr(s, '&');
		size_t n = amp ? (size_t)(amp - s) : strlen(s);
		char *eq;

		snprintf(c->qbuf[nq], sizeof(c->qbuf[nq]), "%.*s", (int)n, s);
		eq = strchr(c->qbuf[nq], '=');
		if (eq)
			*eq = '\0';
		c->q[nq].key = c->qbuf[nq];
		c->q[nq].value = eq ? eq + 1 : "";
		s = amp ? amp + 1 : s + n;
	}
	if (token)
		c->h[nh++] = (struct ksr_kv){ "authorization", "Bearer " TOKEN };
	if (accept)
		c->h[nh++] = (struct ksr_kv){ "Accept", accept };
	c->req = (struct ksr_http_req){ .method = method, .path = path, .query = c->q,
					.query_cnt = nq, .headers = c->h, .header_cnt = nh,
					.body = body ? body : "", .body_len = len };
	ksr_service_handle(svc, &c->req, &c->resp);
}

static void done(struct call *c)
{
	ksr_http_resp_clear(&c->resp);
}

/* A request without a body answered with status want. */
static void expect_status(struct ksr_service *svc, int want, const char *method, const char *path,
			  const char *query, bool token)
{
	struct call c;

	call(svc, &c, method, path, query, NULL, 0, token, NULL);
	if (c.resp.status != want)
		fail_msg("%s %s?%s: %d, expected %d: %.*s", method, path, query ? query : "",
			 c.resp.status, want, (int)c.resp.len, c.resp.body ? (char *)c.resp.body : "");
	done(&c);
}

/* The bytes `check -j` prints for obj against the stored paths of ids. */
static char *local_check(const void *obj_img, size_t obj_len, struct ksr_store *st,
			 const char *const *ids, size_t n, size_t *len)
{
	struct ksr_profile *p[NPROF];
	struct ksr_resolution *d[NPROF];
	struct ksr_object *obj;
	struct tu_mem m;
	char *text;

	assert_int_equal(ksr_object__open_mem(obj_img, obj_len, &obj), 0);
	for (size_t k = 0; k < n; k++) {
		char path[400];

		assert_int_equal(ksr_store_profile_path(st, ids[k], path, sizeof(path)), 0);
		assert_int_equal(ksr_profile__open(path, &p[k]), 0);
		assert_int_equal(ksr_resolution__new(obj, p[k], &d[k]), 0);
	}
	assert_non_null(tu_mem_open(&m));
	ksr_report_check_doc_json(m.f, false, obj, p, n, d);
	text = tu_mem_text(&m);
	*len = strlen(text);
	for (size_t k = 0; k < n; k++) {
		ksr_resolution__free(d[k]);
		ksr_profile__free(p[k]);
	}
	ksr_object__free(obj);
	return text;
}

static void test_routes(void **state)
{
	struct ksr_service *svc;
	struct ksr_store *st;
	struct call c;
	size_t olen;
	void *obj = tu_read_file(tu_bpf_obj("typeless"), &olen);
	char q[200];

	assert_non_null(obj);
	assert_int_equal(ksr_store_open(STORE, &st), 0);
	assert_int_equal(ksr_service_new(st, TOKEN, &svc), 0);

	expect_status(svc, 200, "GET", "/healthz", NULL, false);
	call(svc, &c, "PUT", "/v1/profiles", "label=fleet=a", PROF_IMG[0], PROF_LEN[0], false, NULL);
	assert_int_equal(c.resp.status, 401);
	done(&c);
	call(svc, &c, "PUT", "/v1/profiles", "label=fleet=a", PROF_IMG[0], PROF_LEN[0], true, NULL);
	assert_int_equal(c.resp.status, 201);
	assert_string_equal(c.resp.content_type, "application/json");
	done(&c);
	call(svc, &c, "PUT", "/v1/profiles", "label=fleet=a", PROF_IMG[0], PROF_LEN[0], true, NULL);
	assert_int_equal(c.resp.status, 200);
	done(&c);
	call(svc, &c, "PUT", "/v1/profiles", "label=fleet=a", PROF_IMG[1], PROF_LEN[1], true, NULL);
	assert_int_equal(c.resp.status, 201);
	done(&c);
	call(svc, &c, "PUT", "/v1/profiles", "label=x/y=1", PROF_IMG[2], PROF_LEN[2], true, NULL);
	assert_int_equal(c.resp.status, 400);
	done(&c);
	call(svc, &c, "PUT", "/v1/profiles", NULL, "junk", 4, true, NULL);
	assert_int_equal(c.resp.status, 400);
	done(&c);

	/* check by label: the identities in order, the bytes of check -j */
	{
		const char *ids[2] = { PROF_ID[0], PROF_ID[1] };
		size_t len;
		char *want;

		if (strcmp(ids[0], ids[1]) > 0) {
			ids[0] = PROF_ID[1];
			ids[1] = PROF_ID[0];
		}
		want = local_check(obj, olen, st, ids, 2, &len);
		call(svc, &c, "POST", "/v1/check", "label=fleet=a", obj, olen, false, NULL);
		assert_int_equal(c.resp.status, 200);
		assert_int_equal(c.resp.len, len);
		assert_memory_equal(c.resp.body, want, len);
		assert_non_null(strstr(want, "\"runnable\":true"));
		done(&c);
		free(want);
		/* by identity, in the order given */
		ids[0] = PROF_ID[1];
		ids[1] = PROF_ID[0];
		want = local_check(obj, olen, st, ids, 2, &len);
		snprintf(q, sizeof(q), "profile=%s&profile=%s", PROF_ID[1], PROF_ID[0]);
		call(svc, &c, "POST", "/v1/check", q, obj, olen, false, NULL);
		assert_int_equal(c.resp.status, 200);
		assert_int_equal(c.resp.len, len);
		assert_memory_equal(c.resp.body, want, len);
		done(&c);
		free(want);
	}
	snprintf(q, sizeof(q), "profile=%s&profile=%s", PROF_ID[0], PROF_ID[0]);
	call(svc, &c, "POST", "/v1/check", q, obj, olen, false, NULL);
	assert_int_equal(c.resp.status, 400);
	done(&c);
	call(svc, &c, "POST", "/v1/check", "label=fleet=zzz", obj, olen, false, NULL);
	assert_int_equal(c.resp.status, 404);
	done(&c);
	call(svc, &c, "POST", "/v1/check", "profile=00000000000000000000000000000000", obj, olen, false, NULL);
	assert_int_equal(c.resp.status, 404);
	done(&c);
	snprintf(q, sizeof(q), "profile=%s", PROF_ID[0]);
	call(svc, &c, "POST", "/v1/check", q, obj, 100, false, NULL);
	assert_int_equal(c.resp.status, 400);
	assert_non_null(strstr(c.resp.body, "\"error\""));
	done(&c);

	/* resolve: the patched bytes, or the report */
	{
		struct ksr_profile *p;
		struct ksr_object *o;
		struct ksr_resolution *res;
		void *img;
		size_t len;

		assert_int_equal(ksr_profile__open(PROF_PATH[0], &p), 0);
		assert_int_equal(ksr_object__open_mem(obj, olen, &o), 0);
		assert_int_equal(ksr_resolution__new(o, p, &res), 0);
		assert_true(ksr_resolution__runnable(res));
		assert_int_equal(ksr_resolution__patch(res, NULL, &img, &len), 0);
		call(svc, &c, "POST", "/v1/resolve", q, obj, olen, false, "application/octet-stream");
		assert_int_equal(c.resp.status, 200);
		assert_string_equal(c.resp.content_type, "application/octet-stream");
		assert_int_equal(c.resp.len, len);
		assert_memory_equal(c.resp.body, img, len);
		done(&c);
		free(img);
		{
			struct tu_mem m;
			char *want;

			assert_non_null(tu_mem_open(&m));
			ksr_report_resolution_doc_json(m.f, false, res);
			want = tu_mem_text(&m);
			call(svc, &c, "POST", "/v1/resolve", q, obj, olen, false, NULL);
			assert_int_equal(c.resp.status, 200);
			assert_int_equal(c.resp.len, strlen(want));
			assert_memory_equal(c.resp.body, want, c.resp.len);
			done(&c);
			free(want);
		}
		ksr_resolution__free(res);
		ksr_object__free(o);
		ksr_profile__free(p);
	}
	{
		size_t mlen;
		void *missing = tu_read_file(tu_bpf_obj("missing"), &mlen);

		assert_non_null(missing);
		call(svc, &c, "POST", "/v1/resolve", q, missing, mlen, false, "application/octet-stream");
		assert_int_equal(c.resp.status, 422);
		assert_non_null(strstr(c.resp.body, "\"missing\""));
		done(&c);
		free(missing);
	}

	/* identities in paths; methods; routes */
	expect_status(svc, 400, "GET", "/v1/profiles/..%2f..%2fetc", NULL, false);
	expect_status(svc, 400, "GET", "/v1/profiles/../../../../../../../../etc/passwd", NULL, false);
	expect_status(svc, 404, "GET", "/v1/profiles/00000000000000000000000000000000", NULL, false);
	{
		char path[100];

		snprintf(path, sizeof(path), "/v1/profiles/%s/file", PROF_ID[0]);
		call(svc, &c, "GET", path, NULL, NULL, 0, false, NULL);
		assert_int_equal(c.resp.status, 200);
		assert_true(c.resp.fd >= 0);
		assert_int_equal(c.resp.fd_len, PROF_LEN[0]);
		done(&c);
		snprintf(path, sizeof(path), "/v1/profiles/%s/labels", PROF_ID[0]);
		call(svc, &c, "POST", path, "add=zone=eu&remove=fleet", NULL, 0, true, NULL);
		assert_int_equal(c.resp.status, 200);
		assert_non_null(strstr(c.resp.body, "\"labels\":{\"zone\":\"eu\"}"));
		done(&c);
		snprintf(path, sizeof(path), "/v1/profiles/%s", PROF_ID[1]);
		expect_status(svc, 401, "DELETE", path, NULL, false);
		expect_status(svc, 200, "DELETE", path, NULL, true);
		expect_status(svc, 404, "GET", path, NULL, false);
		expect_status(svc, 405, "PATCH", path, NULL, true);
	}
	expect_status(svc, 405, "GET", "/v1/check", NULL, false);
	expect_status(svc, 404, "GET", "/", NULL, false);
	call(svc, &c, "GET", "/v1/profiles", "label=zone=eu", NULL, 0, false, NULL);
	assert_int_equal(c.resp.status, 200);
	assert_non_null(strstr(c.resp.body, PROF_ID[0]));
	done(&c);
	assert_int_equal(ksr_service_body_limit("PUT", "/v1/profiles"), 64u << 20);
	assert_int_equal(ksr_service_body_limit("POST", "/v1/check"), 16u << 20);
	assert_int_equal(ksr_service_body_limit("POST", "/v1/resolve"), 16u << 20);
	assert_int_equal(ksr_service_body_limit("GET", "/v1/profiles"), 64u << 10);

	ksr_service_free(svc);
	ksr_store_close(st);
	free(obj);
}

/* Many threads checking against the same kept-open profiles: every
 * answer the same bytes (a profile's lookups run one at a time). */
struct worker {
	struct ksr_service *svc;
	const void *obj;
	size_t olen;
	const char *q;
	const char *want;
	size_t want_len;
	int bad;
};

static void *work(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < 200; i++) {
		struct call c;

		call(w->svc, &c, "POST", "/v1/check", w->q, w->obj, w->olen, false, NULL);
		if (c.resp.status != 200 || c.resp.len != w->want_len ||
		    memcmp(c.resp.body, w->want, w->want_len))
			w->bad++;
		done(&c);
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct ksr_service *svc;
	struct ksr_store *st;
	struct worker w[4];
	pthread_t t[4];
	struct call c;
	size_t olen, len;
	void *obj = tu_read_file(tu_bpf_obj("kfuncs"), &olen);
	const char *ids[2];
	char *want;

	assert_non_null(obj);
	assert_int_equal(ksr_store_open(STORE, &st), 0);
	assert_int_equal(ksr_service_new(st, NULL, &svc), 0);
	for (int k = 0; k < 2; k++) {
		call(svc, &c, "PUT", "/v1/profiles", "label=all=1", PROF_IMG[k], PROF_LEN[k], false, NULL);
		assert_int_equal(c.resp.status, 201); /* no token: writes open */
		done(&c);
	}
	ids[0] = strcmp(PROF_ID[0], PROF_ID[1]) < 0 ? PROF_ID[0] : PROF_ID[1];
	ids[1] = ids[0] == PROF_ID[0] ? PROF_ID[1] : PROF_ID[0];
	want = local_check(obj, olen, st, ids, 2, &len);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ svc, obj, olen, "label=all=1", want, len, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].bad, 0);
	}
	free(want);
	ksr_service_free(svc);
	ksr_store_close(st);
	free(obj);
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The open-profile cache bounded at 2 with 5 stored profiles: a check
 * against all 5 opens them all, then the cache shrinks back to 2; each
 * profile evicted and opened again answers the same bytes; threads too. */
static void test_cache_bound(void **state)
{
	struct ksr_service *svc;
	struct ksr_store *st;
	struct worker w[4];
	pthread_t t[4];
	struct call c;
	size_t olen, len;
	void *obj = tu_read_file(tu_bpf_obj("kfuncs"), &olen);
	const char *ids[NPROF];
	char *want;

	assert_non_null(obj);
	assert_int_equal(ksr_store_open(STORE, &st), 0);
	assert_int_equal(ksr_service_new(st, NULL, &svc), 0);
	ksr_service_set_open_max(svc, 2);
	for (int k = 0; k < NPROF; k++) {
		call(svc, &c, "PUT", "/v1/profiles", "label=all=1", PROF_IMG[k], PROF_LEN[k], false, NULL);
		assert_int_equal(c.resp.status, 201);
		done(&c);
		ids[k] = PROF_ID[k];
	}
	qsort(ids, NPROF, sizeof(ids[0]), cmp_id);
	want = local_check(obj, olen, st, ids, NPROF, &len);
	for (int round = 0; round < 3; round++) {
		call(svc, &c, "POST", "/v1/check", "label=all=1", obj, olen, false, NULL);
		assert_int_equal(c.resp.status, 200);
		assert_int_equal(c.resp.len, len);
		assert_memory_equal(c.resp.body, want, len);
		done(&c);
		assert_true(ksr_service_cached(svc) <= 2);
		/* one at a time, each evicting the least recently used */
		for (int k = 0; k < NPROF; k++) {
			char q[200], *one;
			size_t one_len;

			snprintf(q, sizeof(q), "profile=%s", PROF_ID[k]);
			one = local_check(obj, olen, st, (const char *const[]){ PROF_ID[k] }, 1, &one_len);
			call(svc, &c, "POST", "/v1/check", q, obj, olen, false, NULL);
			assert_int_equal(c.resp.status, 200);
			assert_int_equal(c.resp.len, one_len);
			assert_memory_equal(c.resp.body, one, one_len);
			done(&c);
			free(one);
			assert_true(ksr_service_cached(svc) <= 2);
		}
	}
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ svc, obj, olen, "label=all=1", want, len, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].bad, 0);
	}
	assert_true(ksr_service_cached(svc) <= 2);
	assert_true(ksr_service_cached(svc) >= 1);
	/* lowering the bound closes what is over it at once */
	ksr_service_set_open_max(svc, 1);
	assert_int_equal(ksr_service_cached(svc), 1);
	free(want);
	ksr_service_free(svc);
	ksr_store_close(st);
	free(obj);
}

/* Section i's header of a profile image. */
static Elf64_Shdr shdr(const uint8_t *img, unsigned int i)
{
	Elf64_Shdr sh;

	memcpy(&sh, img + 64 + (size_t)i * sizeof(sh), sizeof(sh));
	return sh;
}

enum { FORGE_BTF, FORGE_SYMIDX, FORGE_FLAGS };

/* PROF_IMG[0] with its contents forged and every hash (and the identity)
 * recomputed, as a tool that writes correct hashes over bad contents
 * would: ksr_profile__verify() passes, the contents do not. */
static uint8_t *forge(int how)
{
	uint8_t *img = malloc(PROF_LEN[0]);
	Elf64_Shdr meta, btf, idx;

	assert_non_null(img);
	memcpy(img, PROF_IMG[0], PROF_LEN[0]);
	meta = shdr(img, 1);
	btf = shdr(img, 3);
	idx = shdr(img, 8);
	switch (how) {
	case FORGE_BTF: {
		/* the first type, the INT "int" of make_btf(): 64 bits in 4 bytes,
		 * which the kernel refuses; the identity follows the new bytes */
		struct btf_header h;
		uint32_t enc = (uint32_t)BTF_INT_SIGNED << 24 | 64;

		memcpy(&h, img + btf.sh_offset, sizeof(h));
		memcpy(img + btf.sh_offset + h.hdr_len + h.type_off + sizeof(struct btf_type), &enc,
		       sizeof(enc));
		ksr_hash128(img + btf.sh_offset, (size_t)btf.sh_size, img + meta.sh_offset + 32);
		break;
	}
	case FORGE_SYMIDX:
		/* every slot the first occupied one's: lookups would run long */
		for (uint64_t o = 0, first = 0; o < idx.sh_size; o += 4) {
			uint32_t v;

			memcpy(&v, img + idx.sh_offset + o, 4);
			if (!first && v)
				first = v;
			if (first)
				for (uint64_t k = 0; k < idx.sh_size; k += 4)
					memcpy(img + idx.sh_offset + k, &(uint32_t){ (uint32_t)first }, 4);
			if (first)
				break;
		}
		break;
	case FORGE_FLAGS:
		img[meta.sh_offset + 12] ^= KSR_PROF_KALLSYMS_ALL;
		break;
	}
	assert_int_equal(ksr_profile_fix_hashes(img, PROF_LEN[0]), 0);
	return img;
}

/* Uploads with valid hashes but forged contents: 400 with the library's
 * message, nothing stored; the honest one still goes in. */
static void test_forged(void **state)
{
	static const struct { int how; const char *says; } cases[] = {
		{ FORGE_BTF, ".BTF (offset 0x1000)" },
		{ FORGE_SYMIDX, ".ksr.symidx differs from its rebuild from the kallsyms records" },
		{ FORGE_FLAGS, ".ksr.meta: flags or _text" },
	};
	struct ksr_service *svc;
	struct ksr_store *st;
	struct call c;

	assert_int_equal(ksr_store_open(STORE, &st), 0);
	assert_int_equal(ksr_service_new(st, NULL, &svc), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *img = forge(cases[i].how);
		char path[400];
		struct ksr_profile *p;

		/* the hashes hold: opening and verifying pass */
		snprintf(path, sizeof(path), "%s/forged.profile", DIR_PATH);
		assert_int_equal(ksr_output__write(path, img, PROF_LEN[0]), 0);
		assert_int_equal(ksr_profile__open(path, &p), 0);
		assert_int_equal(ksr_profile__verify(p), 0);
		assert_int_equal(ksr_profile__revalidate(p), -EBADMSG);
		ksr_profile__free(p);
		call(svc, &c, "PUT", "/v1/profiles", NULL, img, PROF_LEN[0], false, NULL);
		{
			char *body = strndup(c.resp.body ? c.resp.body : "", c.resp.len);

			if (c.resp.status != 400 || !strstr(body, cases[i].says))
				fail_msg("forgery %zu: %d %s", i, c.resp.status, body);
			if (getenv("KSR_TEST_VERBOSE"))
				print_message("forgery %zu: %d %s", i, c.resp.status, body);
			free(body);
		}
		done(&c);
		free(img);
	}
	expect_status(svc, 200, "GET", "/v1/profiles", NULL, false);
	{
		struct ksr_store_entry *v;
		size_t n;

		assert_int_equal(ksr_store_list(st, NULL, 0, NULL, &v, &n), 0);
		assert_int_equal(n, 0);
		ksr_store_entries_free(v, n);
	}
	call(svc, &c, "PUT", "/v1/profiles", NULL, PROF_IMG[0], PROF_LEN[0], false, NULL);
	assert_int_equal(c.resp.status, 201);
	done(&c);
	ksr_service_free(svc);
	ksr_store_close(st);
}

/* The router's table: each route found again from a concrete path. */
static void test_route_table(void **state)
{
	char path[128];

	(void)state;
	for (int i = 0; i < KSR_ROUTE_COUNT; i++) {
		const char *v = strstr(ksr_routes[i].path, "{identity}");

		if (v)
			snprintf(path, sizeof(path), "%.*s0123456789abcdef0123456789abcdef%s",
				 (int)(v - ksr_routes[i].path), ksr_routes[i].path, v + 10);
		else
			snprintf(path, sizeof(path), "%s", ksr_routes[i].path);
		assert_int_equal(ksr_service_route(ksr_routes[i].method, path), i);
	}
	assert_int_equal(ksr_service_route("GET", "/v2/nothing"), -1);
	assert_int_equal(ksr_service_route("PATCH", "/v1/profiles"), -1);
	assert_int_equal(ksr_service_route("GET", "/v1/profiles/"), -1);
	assert_int_equal(ksr_service_route("GET", "/v1/profiles/x/file/more"), -1);
}

/* The counters from 4 threads: none lost. */
static void *observe_many(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10000; i++)
		ksr_metrics_observe(KSR_ROUTE_RESOLVE, i % 2 ? 200 : 422, 0.0007, 3, 5);
	return NULL;
}

static void test_metrics(void **state)
{
	pthread_t t[4];
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, observe_many, NULL), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	ksr_metrics_render(f, 7);
	fclose(f);
	assert_non_null(strstr(buf, "ksymres_http_requests_total{method=\"POST\",route=\"/v1/resolve\",status=\"200\"} 20000\n"));
	assert_non_null(strstr(buf, "ksymres_http_requests_total{method=\"POST\",route=\"/v1/resolve\",status=\"422\"} 20000\n"));
	assert_non_null(strstr(buf, "ksymres_http_request_duration_seconds_bucket{method=\"POST\",route=\"/v1/resolve\",le=\"0.0005\"} 0\n"));
	assert_non_null(strstr(buf, "ksymres_http_request_duration_seconds_bucket{method=\"POST\",route=\"/v1/resolve\",le=\"0.001\"} 40000\n"));
	assert_non_null(strstr(buf, "ksymres_http_request_duration_seconds_count{method=\"POST\",route=\"/v1/resolve\"} 40000\n"));
	assert_non_null(strstr(buf, "ksymres_http_received_bytes_total 120000\n"));
	assert_non_null(strstr(buf, "ksymres_http_sent_bytes_total 200000\n"));
	assert_non_null(strstr(buf, "ksymres_profiles_open 7\n"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_route_table),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test_setup(test_store, setup_store),
		cmocka_unit_test_setup(test_routes, setup_store),
		cmocka_unit_test_setup(test_threads, setup_store),
		cmocka_unit_test_setup(test_cache_bound, setup_store),
		cmocka_unit_test_setup(test_forged, setup_store),
	};

	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
