// SPDX-License-Identifier: BSD-2-Clause
/* The route handlers of `ksymres serve` (routes.h): requests to responses,
 * with the store and a cache of open profiles. Every request body is
 * untrusted: objects and profiles go through the library's full
 * validation; identities and labels are validated before use. Reports are
 * the output layer's, so the bytes are those of the CLI. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ksymres/ksymres.h>

#include "metrics.h"
#include "output.h"
#include "report.h"
#include "routes.h"

#define CHECK_MAX 4096 /* profiles in one check, as the CLI's */

/* A stored profile kept open: its lookups run under lock, one thread at a
 * time; refs counts the requests using it. The cache is bounded (LRU, see
 * ksr_service_set_open_max()): a profile in use is never closed, so a
 * request needing more profiles than the bound opens them all and the
 * cache shrinks back to the bound as they are given back. */
struct cached {
	char id[KSR_STORE_ID_LEN + 1];
	struct ksr_profile *p;
	pthread_mutex_t lock;
	unsigned int refs;
	bool gone;                  /* out of the cache: freed by its last user */
	struct cached *hnext;       /* its hash bucket's chain */
	struct cached *prev, *next; /* the LRU list: head = most recently used */
};

#define CACHE_BUCKETS 1024u     /* identities are hashes: their first digits spread */

struct ksr_service {
	struct ksr_store *st;
	char *token;
	size_t token_len;
	pthread_mutex_t lock;       /* the cache (buckets, list, counts, refs) */
	struct cached *bucket[CACHE_BUCKETS];
	struct cached *head, *tail;
	size_t cached_cnt, open_max;
};

int ksr_service_new(struct ksr_store *st, const char *token, struct ksr_service **out)
{
	struct ksr_service *svc = calloc(1, sizeof(*svc));

	*out = NULL;
	if (!svc)
		return -ENOMEM;
	svc->st = st;
	svc->open_max = KSR_SERVICE_OPEN_DEFAULT;
	/* Requests allocate and free the same few MiB over and over: with
	 * glibc's defaults each free gives the top of a thread's heap back
	 * (madvise) and the next request faults it in again, a fifth of a
	 * check's time. Freed memory up to 8 MiB per arena stays; blocks over
	 * 1 MiB (large bodies) are mapped and unmapped. */
	mallopt(M_TRIM_THRESHOLD, 8 << 20);
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	if (token) {
		svc->token = strdup(token);
		if (!svc->token) {
			free(svc);
			return -ENOMEM;
		}
		svc->token_len = strlen(token);
	}
	pthread_mutex_init(&svc->lock, NULL);
	*out = svc;
	return 0;
}

static void cached_free(struct cached *c)
{
	ksr_profile__free(c->p);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void ksr_service_free(struct ksr_service *svc)
{
	if (!svc)
		return;
	while (svc->head) {
		struct cached *next = svc->head->next;

		cached_free(svc->head);
		svc->head = next;
	}
	pthread_mutex_destroy(&svc->lock);
	if (svc->token)
		memset(svc->token, 0, svc->token_len);
	free(svc->token);
	free(svc);
}

size_t ksr_service_cached(struct ksr_service *svc)
{
	size_t n;

	pthread_mutex_lock(&svc->lock);
	n = svc->cached_cnt;
	pthread_mutex_unlock(&svc->lock);
	return n;
}

static unsigned int bucket_of(const char *id)
{
	unsigned int h = 0;

	for (int i = 0; i < 8; i++)
		h = h * 16 + (unsigned int)(id[i] <= '9' ? id[i] - '0' : id[i] - 'a' + 10);
	return h % CACHE_BUCKETS;
}

/* Under svc->lock: the list and bucket links of c. */
static void lru_unlink(struct ksr_service *svc, struct cached *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		svc->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		svc->tail = c->prev;
	c->prev = c->next = NULL;
}

static void lru_front(struct ksr_service *svc, struct cached *c)
{
	c->next = svc->head;
	if (svc->head)
		svc->head->prev = c;
	svc->head = c;
	if (!svc->tail)
		svc->tail = c;
}

/* Under svc->lock: takes c out of the cache; true when the caller frees it
 * (nobody uses it), else its last user does. */
static bool cache_remove(struct ksr_service *svc, struct cached *c)
{
	struct cached **pp = &svc->bucket[bucket_of(c->id)];

	while (*pp != c)
		pp = &(*pp)->hnext;
	*pp = c->hnext;
	lru_unlink(svc, c);
	svc->cached_cnt--;
	c->gone = true;
	return c->refs == 0;
}

/* Under svc->lock: closes the least recently used profiles nobody uses
 * until the bound holds, onto *freed (freed after the lock is released). */
static void cache_trim(struct ksr_service *svc, struct cached **freed)
{
	for (struct cached *c = svc->tail, *prev; c && svc->cached_cnt > svc->open_max; c = prev) {
		prev = c->prev;
		if (!c->refs && cache_remove(svc, c)) {
			c->next = *freed;
			*freed = c;
		}
	}
}

static void free_list(struct cached *c)
{
	while (c) {
		struct cached *next = c->next;

		cached_free(c);
		c = next;
	}
}

void ksr_service_set_open_max(struct ksr_service *svc, size_t n)
{
	struct cached *freed = NULL;

	pthread_mutex_lock(&svc->lock);
	svc->open_max = n ? n : 1;
	cache_trim(svc, &freed);
	pthread_mutex_unlock(&svc->lock);
	free_list(freed);
}

static struct cached *cache_find(struct ksr_service *svc, const char *id)
{
	struct cached *c = svc->bucket[bucket_of(id)];

	while (c && strcmp(c->id, id))
		c = c->hnext;
	return c;
}

/* The open profile of a stored identity (valid), taken: -ENOENT when it
 * is not stored, else the library's error. Opening (O(1) reads of the
 * head and block table) happens outside the cache's lock. */
static int cache_take(struct ksr_service *svc, const char *id, struct cached **out)
{
	struct cached *c, *fresh = NULL, *freed = NULL;
	char path[PATH_MAX];
	int err;

	pthread_mutex_lock(&svc->lock);
	c = cache_find(svc, id);
	if (c)
		goto found;
	pthread_mutex_unlock(&svc->lock);
	err = ksr_store_profile_path(svc->st, id, path, sizeof(path));
	if (!err) {
		fresh = calloc(1, sizeof(*fresh));
		err = fresh ? ksr_profile__open(path, &fresh->p) : -ENOMEM;
		if (err == -ENOENT)
			ksr_cli_err(ENOENT, "profile %s is not in the store", id);
	}
	if (err) {
		free(fresh);
		return err;
	}
	memcpy(fresh->id, id, sizeof(fresh->id));
	pthread_mutex_init(&fresh->lock, NULL);
	pthread_mutex_lock(&svc->lock);
	c = cache_find(svc, id);    /* another request may have opened it meanwhile */
	if (!c) {
		unsigned int b = bucket_of(id);

		c = fresh;
		fresh = NULL;
		c->hnext = svc->bucket[b];
		svc->bucket[b] = c;
		lru_front(svc, c);
		svc->cached_cnt++;
		c->refs++;
		cache_trim(svc, &freed);
		pthread_mutex_unlock(&svc->lock);
		free_list(freed);
		*out = c;
		return 0;
	}
found:
	lru_unlink(svc, c);
	lru_front(svc, c);
	c->refs++;
	pthread_mutex_unlock(&svc->lock);
	if (fresh)
		cached_free(fresh);
	*out = c;
	return 0;
}

static void cache_give(struct ksr_service *svc, struct cached *c)
{
	struct cached *freed = NULL;
	bool drop;

	pthread_mutex_lock(&svc->lock);
	drop = --c->refs == 0 && c->gone;
	if (!c->gone && svc->cached_cnt > svc->open_max)
		cache_trim(svc, &freed);
	pthread_mutex_unlock(&svc->lock);
	if (drop)
		cached_free(c);
	free_list(freed);
}

static void cache_forget(struct ksr_service *svc, const char *id)
{
	struct cached *c;
	bool drop = false;

	pthread_mutex_lock(&svc->lock);
	c = cache_find(svc, id);
	if (c)
		drop = cache_remove(svc, c);
	pthread_mutex_unlock(&svc->lock);
	if (drop)
		cached_free(c);
}

/* ---- responses ------------------------------------------------------------- */

void ksr_http_resp_clear(struct ksr_http_resp *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

static void set_body(struct ksr_http_resp *r, int status, const char *type, char *body,
		     size_t len)
{
	free(r->body);
	r->status = status;
	r->content_type = type;
	r->body = body;
	r->len = len;
}

void ksr_http_error(struct ksr_http_resp *r, int status, const char *msg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct ksr_json j;

	if (!f) {
		set_body(r, 500, "text/plain", NULL, 0);
		return;
	}
	ksr_json_init(&j, f, false);
	ksr_json_obj_open(&j);
	ksr_json_key(&j, "error");
	ksr_json_str(&j, msg);
	ksr_json_obj_close(&j);
	ksr_json_end(&j);
	if (fclose(f) != 0) {
		free(buf);
		set_body(r, 500, "text/plain", NULL, 0);
		return;
	}
	set_body(r, status, "application/json", buf, len);
}

/* The status for a failure of the store or the library. */
static int status_for(int err)
{
	switch (err) {
	case -EBADMSG: case -EINVAL: case -E2BIG: return 400;
	case -ENOENT: return 404;
	default: return 500;
	}
}

struct doc {
	char *buf;
	size_t len;
	FILE *f;
	struct ksr_json j;
};

static bool doc_open(struct doc *d, bool pretty)
{
	d->buf = NULL;
	d->len = 0;
	d->f = open_memstream(&d->buf, &d->len);
	if (d->f) {
		/* this request's own stream: no lock per character written */
		__fsetlocking(d->f, FSETLOCKING_BYCALLER);
		ksr_json_init(&d->j, d->f, pretty);
	}
	return d->f != NULL;
}

/* Closes d into r with status, or a 500. */
static void doc_send(struct doc *d, struct ksr_http_resp *r, int status)
{
	if (fclose(d->f) != 0) {
		free(d->buf);
		ksr_http_error(r, 500, "out of memory");
		return;
	}
	set_body(r, status, "application/json", d->buf, d->len);
}

static void entry_resp(struct ksr_http_resp *r, int status, const struct ksr_store_entry *e)
{
	struct doc d;

	if (!doc_open(&d, false)) {
		ksr_http_error(r, 500, "out of memory");
		return;
	}
	ksr_store_entry_json(&d.j, e);
	ksr_json_end(&d.j);
	doc_send(&d, r, status);
}

/* ---- requests -------------------------------------------------------------- */

static const char *header(const struct ksr_http_req *q, const char *name)
{
	for (size_t i = 0; i < q->header_cnt; i++)
		if (!strcasecmp(q->headers[i].key, name))
			return q->headers[i].value;
	return NULL;
}

/* The values of query key into v[0..max): how many (max + 1: too many). */
static size_t args(const struct ksr_http_req *q, const char *key, const char **v, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < q->query_cnt; i++)
		if (!strcmp(q->query[i].key, key)) {
			if (n == max)
				return max + 1;
			v[n++] = q->query[i].value;
		}
	return n;
}

/* 400 for a query argument the route does not take (allowed: NULL-ended). */
static bool args_known(const struct ksr_http_req *q, const char *const *allowed,
		       struct ksr_http_resp *r)
{
	for (size_t i = 0; i < q->query_cnt; i++) {
		size_t k = 0;

		while (allowed[k] && strcmp(allowed[k], q->query[i].key))
			k++;
		if (!allowed[k]) {
			char msg[160];

			snprintf(msg, sizeof(msg), "unknown query argument '%.64s'", q->query[i].key);
			ksr_http_error(r, 400, msg);
			return false;
		}
	}
	return true;
}

static bool labels_valid(const char *const *v, size_t n, struct ksr_http_resp *r)
{
	for (size_t i = 0; i < n; i++)
		if (!ksr_store_label_ok(v[i])) {
			char msg[300];

			snprintf(msg, sizeof(msg), "'%.200s' is no label (k=v: [A-Za-z0-9._-]{1,64}=[A-Za-z0-9._:/-]{0,128})",
				 v[i]);
			ksr_http_error(r, 400, msg);
			return false;
		}
	return true;
}

/* Writes need the bearer token when there is one; compared in constant
 * time for a given token length. */
static bool authorized(struct ksr_service *svc, const struct ksr_http_req *q,
		       struct ksr_http_resp *r)
{
	const char *h = header(q, "Authorization");
	unsigned char diff;
	size_t n;

	if (!svc->token)
		return true;
	if (!h || strncmp(h, "Bearer ", 7)) {
		ksr_http_error(r, 401, "this request needs 'Authorization: Bearer <token>'");
		return false;
	}
	h += 7;
	n = strlen(h);
	diff = n != svc->token_len;
	for (size_t i = 0; i < svc->token_len; i++)
		diff |= (unsigned char)(svc->token[i] ^ h[i < n ? i : 0]);
	if (diff) {
		ksr_http_error(r, 401, "wrong token");
		return false;
	}
	return true;
}

/* ---- /v1/profiles ---------------------------------------------------------- */

static void put_profile(struct ksr_service *svc, const struct ksr_http_req *q,
			struct ksr_http_resp *r)
{
	static const char *const allowed[] = { "label", NULL };
	const char *labels[KSR_STORE_LABELS_MAX + 1];
	size_t n = args(q, "label", labels, KSR_STORE_LABELS_MAX);
	struct ksr_store_entry e;
	bool created;
	int err;

	if (!authorized(svc, q, r) || !args_known(q, allowed, r))
		return;
	if (n > KSR_STORE_LABELS_MAX) {
		ksr_http_error(r, 400, "too many labels");
		return;
	}
	if (!labels_valid(labels, n, r))
		return;
	if (!q->body_len) {
		ksr_http_error(r, 400, "the body is empty: PUT a profile");
		return;
	}
	err = ksr_store_put(svc->st, q->body, q->body_len, labels, n, &e, &created);
	if (err) {
		ksr_http_error(r, status_for(err), ksr_cli_errmsg());
		return;
	}
	entry_resp(r, created ? 201 : 200, &e);
	ksr_store_entry_clear(&e);
}

static void list_profiles(struct ksr_service *svc, const struct ksr_http_req *q,
			  struct ksr_http_resp *r)
{
	static const char *const allowed[] = { "label", "release", NULL };
	const char *labels[KSR_STORE_LABELS_MAX + 1], *release[2];
	size_t n = args(q, "label", labels, KSR_STORE_LABELS_MAX), cnt = 0;
	size_t nr = args(q, "release", release, 1);
	struct ksr_store_entry *v = NULL;
	struct doc d;
	int err;

	if (!args_known(q, allowed, r))
		return;
	if (n > KSR_STORE_LABELS_MAX || nr > 1) {
		ksr_http_error(r, 400, n > KSR_STORE_LABELS_MAX ? "too many labels" : "one release at most");
		return;
	}
	if (!labels_valid(labels, n, r))
		return;
	err = ksr_store_list(svc->st, labels, n, nr ? release[0] : NULL, &v, &cnt);
	if (err) {
		ksr_http_error(r, status_for(err), ksr_cli_errmsg());
		return;
	}
	if (!doc_open(&d, false)) {
		ksr_store_entries_free(v, cnt);
		ksr_http_error(r, 500, "out of memory");
		return;
	}
	ksr_json_obj_open(&d.j);
	ksr_json_key(&d.j, "profiles");
	ksr_json_arr_open(&d.j);
	for (size_t i = 0; i < cnt; i++)
		ksr_store_entry_json(&d.j, &v[i]);
	ksr_json_arr_close(&d.j);
	ksr_json_obj_close(&d.j);
	ksr_json_end(&d.j);
	ksr_store_entries_free(v, cnt);
	doc_send(&d, r, 200);
}

static void get_profile(struct ksr_service *svc, const char *id, struct ksr_http_resp *r)
{
	struct ksr_store_entry e;
	int err = ksr_store_get(svc->st, id, &e);

	if (err) {
		ksr_http_error(r, status_for(err), ksr_cli_errmsg());
		return;
	}
	entry_resp(r, 200, &e);
	ksr_store_entry_clear(&e);
}

static void get_file(struct ksr_service *svc, const char *id, struct ksr_http_resp *r)
{
	char path[PATH_MAX], msg[128];
	struct stat sb;
	int fd;

	if (ksr_store_profile_path(svc->st, id, path, sizeof(path))) {
		ksr_http_error(r, 400, ksr_cli_errmsg());
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		int e = fd < 0 ? errno : EINVAL;

		if (fd >= 0)
			close(fd);
		snprintf(msg, sizeof(msg), "profile %s is not in the store", id);
		ksr_http_error(r, e == ENOENT ? 404 : 500, e == ENOENT ? msg : strerror(e));
		return;
	}
	set_body(r, 200, "application/octet-stream", NULL, 0);
	r->fd = fd;
	r->fd_len = (uint64_t)sb.st_size;
}

static void delete_profile(struct ksr_service *svc, const struct ksr_http_req *q,
			   const char *id, struct ksr_http_resp *r)
{
	static const char *const allowed[] = { NULL };
	struct doc d;
	int err;

	if (!authorized(svc, q, r) || !args_known(q, allowed, r))
		return;
	err = ksr_store_delete(svc->st, id);
	cache_forget(svc, id);
	if (err) {
		ksr_http_error(r, status_for(err), ksr_cli_errmsg());
		return;
	}
	if (!doc_open(&d, false)) {
		ksr_http_error(r, 500, "out of memory");
		return;
	}
	ksr_json_obj_open(&d.j);
	ksr_json_key(&d.j, "deleted");
	ksr_json_str(&d.j, id);
	ksr_json_obj_close(&d.j);
	ksr_json_end(&d.j);
	doc_send(&d, r, 200);
}

static void relabel(struct ksr_service *svc, const struct ksr_http_req *q, const char *id,
		    struct ksr_http_resp *r)
{
	static const char *const allowed[] = { "add", "remove", NULL };
	const char *add[KSR_STORE_LABELS_MAX + 1], *rm[KSR_STORE_LABELS_MAX + 1];
	size_t na = args(q, "add", add, KSR_STORE_LABELS_MAX);
	size_t nr = args(q, "remove", rm, KSR_STORE_LABELS_MAX);
	struct ksr_store_entry e;
	int err;

	if (!authorized(svc, q, r) || !args_known(q, allowed, r))
		return;
	if (na > KSR_STORE_LABELS_MAX || nr > KSR_STORE_LABELS_MAX) {
		ksr_http_error(r, 400, "too many labels");
		return;
	}
	if (!labels_valid(add, na, r))
		return;
	err = ksr_store_relabel(svc->st, id, add, na, rm, nr, &e);
	if (err) {
		ksr_http_error(r, status_for(err), ksr_cli_errmsg());
		return;
	}
	entry_resp(r, 200, &e);
	ksr_store_entry_clear(&e);
}

/* ---- /v1/check and /v1/resolve --------------------------------------------- */

/* The object of the body, fully validated: NULL after a 400 with the
 * library's message (what the CLI prints after the file name). */
static struct ksr_object *body_object(const struct ksr_http_req *q, bool resolve,
				      struct ksr_http_resp *r)
{
	struct ksr_object *obj = NULL;
	int err;

	if (!q->body_len) {
		ksr_http_error(r, 400, "the body is empty: POST a BPF object");
		return NULL;
	}
	err = ksr_object__open_mem(q->body, q->body_len, &obj);
	if (!err && resolve && (err = ksr_object__check_patch_limits(obj))) {
		ksr_object__free(obj);
		obj = NULL;
	}
	if (err)
		ksr_http_error(r, err == -EBADMSG ? 400 : 500, ksr_errmsg());
	return obj;
}

static int cmp_cached(const void *a, const void *b)
{
	return strcmp((*(struct cached *const *)a)->id, (*(struct cached *const *)b)->id);
}

struct picked {
	struct cached **c;           /* in the order of the report */
	struct cached **sorted;      /* the same, by identity: the locking order */
	size_t n;
};

static void picked_free(struct ksr_service *svc, struct picked *p)
{
	for (size_t i = 0; i < p->n; i++)
		cache_give(svc, p->c[i]);
	free(p->c);
	free(p->sorted);
}

/* The profiles a check names (profile=ID..., in order) or selects
 * (label=k=v..., by identity): false after an error response. */
static bool pick(struct ksr_service *svc, const struct ksr_http_req *q, struct picked *p,
		 struct ksr_http_resp *r)
{
	const char *labels[KSR_STORE_LABELS_MAX + 1], **want = NULL;
	char (*v)[KSR_STORE_ID_LEN + 1] = NULL;
	size_t ni, nl, cnt = 0;
	char msg[200];
	bool ok = false;
	int err;

	memset(p, 0, sizeof(*p));
	want = calloc(CHECK_MAX + 1, sizeof(*want));
	if (!want) {
		ksr_http_error(r, 500, "out of memory");
		return false;
	}
	ni = args(q, "profile", want, CHECK_MAX);
	nl = args(q, "label", labels, KSR_STORE_LABELS_MAX);
	if (ni > CHECK_MAX || nl > KSR_STORE_LABELS_MAX) {
		ksr_http_error(r, 400, ni > CHECK_MAX ? "too many profiles" : "too many labels");
		goto out;
	}
	if (!ni == !nl) {
		ksr_http_error(r, 400, "name the profiles: profile=ID... or label=k=v... (not both)");
		goto out;
	}
	if (nl) {
		if (!labels_valid(labels, nl, r))
			goto out;
		err = ksr_store_select(svc->st, labels, nl, &v, &cnt);
		if (err) {
			ksr_http_error(r, status_for(err), ksr_cli_errmsg());
			goto out;
		}
		if (!cnt) {
			ksr_http_error(r, 404, "no stored profile has these labels");
			goto out;
		}
		for (size_t i = 0; i < cnt && i < CHECK_MAX; i++)
			want[i] = v[i];
		ni = cnt < CHECK_MAX ? cnt : CHECK_MAX;
	}
	for (size_t i = 0; i < ni; i++) {
		if (!ksr_store_id_ok(want[i])) {
			snprintf(msg, sizeof(msg), "'%.40s' is not an identity (32 lowercase hex digits)",
				 want[i]);
			ksr_http_error(r, 400, msg);
			goto out;
		}
		for (size_t k = 0; k < i; k++)
			if (!strcmp(want[k], want[i])) {
				snprintf(msg, sizeof(msg), "profile %s is named twice", want[i]);
				ksr_http_error(r, 400, msg);
				goto out;
			}
	}
	p->c = calloc(ni, sizeof(*p->c));
	p->sorted = calloc(ni, sizeof(*p->sorted));
	if (!p->c || !p->sorted) {
		ksr_http_error(r, 500, "out of memory");
		goto out;
	}
	ksr_cli_want_files(ni);
	for (; p->n < ni; p->n++) {
		err = cache_take(svc, want[p->n], &p->c[p->n]);
		if (err) {
			ksr_http_error(r, status_for(err), ksr_cli_errmsg());
			goto out;
		}
	}
	memcpy(p->sorted, p->c, ni * sizeof(*p->c));
	qsort(p->sorted, ni, sizeof(*p->sorted), cmp_cached);
	ok = true;
out:
	if (!ok)
		picked_free(svc, p);
	free(v);
	free(want);
	return ok;
}

/* Lookups of a profile run in one thread at a time; a request takes its
 * profiles' locks in identity order, so two requests cannot deadlock. */
static void lock_all(struct picked *p)
{
	for (size_t i = 0; i < p->n; i++)
		pthread_mutex_lock(&p->sorted[i]->lock);
}

static void unlock_all(struct picked *p)
{
	for (size_t i = p->n; i-- > 0;) {
		ksr_profile__trim(p->sorted[i]->p, KSR_SERVICE_PROFILE_KEEP);
		pthread_mutex_unlock(&p->sorted[i]->lock);
	}
}

static void check(struct ksr_service *svc, const struct ksr_http_req *q, struct ksr_http_resp *r)
{
	static const char *const allowed[] = { "profile", "label", "pretty", "format", "object",
						NULL };
	struct ksr_batch_opts bo = { .sz = sizeof(bo) }; /* trimmed in unlock_all() */
	struct ksr_resolution **d = NULL;
	struct ksr_profile **profs = NULL;
	struct ksr_object *obj;
	struct picked p;
	size_t bad = 0;
	struct doc doc;
	int err;

	const char *format = "json", *object_name = "object";
	bool text;

	if (!args_known(q, allowed, r))
		return;
	/* format=text: check's text, the object named object=NAME in it (the
	 * client's ksymres check --server) */
	if (args(q, "format", &format, 1) > 1 || args(q, "object", &object_name, 1) > 1) {
		ksr_http_error(r, 400, "format and object are given at most once");
		return;
	}
	if (strcmp(format, "json") && strcmp(format, "text")) {
		ksr_http_error(r, 400, "format is json or text");
		return;
	}
	text = !strcmp(format, "text");
	if (!(obj = body_object(q, false, r)))
		return;
	if (!pick(svc, q, &p, r)) {
		ksr_object__free(obj);
		return;
	}
	profs = calloc(p.n, sizeof(*profs));
	d = calloc(p.n, sizeof(*d));
	if (!profs || !d) {
		ksr_http_error(r, 500, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < p.n; i++)
		profs[i] = p.c[i]->p;
	/* a few profiles are decided faster here than by waking threads */
	bo.threads = p.n < 8 ? 1 : 0;
	lock_all(&p);
	err = ksr_resolution__new_batch(obj, profs, p.n, &bo, d, &bad);
	if (err) {
		char msg[700];

		snprintf(msg, sizeof(msg), "%s.profile: %s", p.c[bad]->id, ksr_errmsg());
		ksr_http_error(r, 500, msg);
	} else if (!doc_open(&doc, args(q, "pretty", NULL, 0) > 0)) {
		ksr_http_error(r, 500, "out of memory");
	} else {
		bool all = true;

		for (size_t i = 0; i < p.n; i++)
			all = all && ksr_resolution__runnable(d[i]);
		if (text)
			ksr_report_check_text(doc.f, object_name, obj, profs, p.n, d);
		else
			ksr_report_check_doc_json(doc.f, doc.j.pretty, obj, profs, p.n, d);
		doc_send(&doc, r, 200);
		if (r->status == 200) {
			r->runnable = all ? "yes" : "no";
			if (text)
				r->content_type = "text/plain; charset=utf-8";
		}
	}
	for (size_t i = 0; i < p.n; i++)
		ksr_resolution__free(d[i]);
	unlock_all(&p);
out:
	free(profs);
	free(d);
	picked_free(svc, &p);
	ksr_object__free(obj);
}

static void resolve(struct ksr_service *svc, const struct ksr_http_req *q, struct ksr_http_resp *r)
{
	static const char *const allowed[] = { "profile", "pretty", NULL };
	const char *accept = header(q, "Accept"), *id[2];
	struct ksr_resolution *res = NULL;
	struct ksr_object *obj;
	struct cached *c;
	struct doc doc;
	int err;

	if (!args_known(q, allowed, r))
		return;
	if (args(q, "profile", id, 1) != 1) {
		ksr_http_error(r, 400, "resolve takes exactly one profile=ID");
		return;
	}
	if (!ksr_store_id_ok(id[0])) {
		char msg[100];

		snprintf(msg, sizeof(msg), "'%.40s' is not an identity (32 lowercase hex digits)", id[0]);
		ksr_http_error(r, 400, msg);
		return;
	}
	if (!(obj = body_object(q, true, r)))
		return;
	err = cache_take(svc, id[0], &c);
	if (err) {
		ksr_http_error(r, status_for(err), ksr_cli_errmsg());
		ksr_object__free(obj);
		return;
	}
	pthread_mutex_lock(&c->lock);
	err = ksr_resolution__new(obj, c->p, &res);
	if (err) {
		char msg[700];

		snprintf(msg, sizeof(msg), "%s.profile: %s", c->id, ksr_errmsg());
		ksr_http_error(r, 500, msg);
	} else if (accept && strstr(accept, "application/octet-stream") &&
		   ksr_resolution__runnable(res)) {
		void *img = NULL;
		size_t len = 0;

		err = ksr_resolution__patch(res, NULL, &img, &len);
		if (err)
			ksr_http_error(r, status_for(err), ksr_errmsg());
		else
			set_body(r, 200, "application/octet-stream", img, len);
	} else if (!doc_open(&doc, args(q, "pretty", NULL, 0) > 0)) {
		ksr_http_error(r, 500, "out of memory");
	} else {
		ksr_report_resolution_doc_json(doc.f, doc.j.pretty, res);
		doc_send(&doc, r, ksr_resolution__runnable(res) ? 200 : 422);
	}
	ksr_resolution__free(res);
	ksr_profile__trim(c->p, KSR_SERVICE_PROFILE_KEEP);
	pthread_mutex_unlock(&c->lock);
	cache_give(svc, c);
	ksr_object__free(obj);
}

/* ---- the router ------------------------------------------------------------ */

size_t ksr_service_body_limit(const char *method, const char *path)
{
	if (!strcmp(method, "PUT") && !strcmp(path, "/v1/profiles"))
		return KSR_SERVICE_PROFILE_MAX;
	if (!strcmp(method, "POST") && (!strcmp(path, "/v1/check") || !strcmp(path, "/v1/resolve")))
		return KSR_SERVICE_OBJECT_MAX;
	return KSR_SERVICE_OTHER_MAX;
}

static void not_allowed(struct ksr_http_resp *r, const char *method, const char *allowed)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "method %.16s not allowed here (%s)", method, allowed);
	ksr_http_error(r, 405, msg);
}

static void healthz(struct ksr_service *svc, struct ksr_http_resp *r)
{
	struct doc d;

	if (!doc_open(&d, false)) {
		ksr_http_error(r, 500, "out of memory");
		return;
	}
	ksr_json_obj_open(&d.j);
	ksr_json_key(&d.j, "status");
	ksr_json_str(&d.j, "ok");
	ksr_json_key(&d.j, "profiles_open");
	ksr_json_u64(&d.j, ksr_service_cached(svc));
	ksr_json_obj_close(&d.j);
	ksr_json_end(&d.j);
	doc_send(&d, r, 200);
}

/* GET /metrics: the Prometheus text of metrics.c */
static void metrics(struct ksr_service *svc, struct ksr_http_resp *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		ksr_http_error(r, 500, "out of memory");
		return;
	}
	ksr_metrics_render(f, ksr_service_cached(svc));
	if (fclose(f) != 0) {
		free(buf);
		ksr_http_error(r, 500, "out of memory");
		return;
	}
	set_body(r, 200, "text/plain; version=0.0.4; charset=utf-8", buf, len);
}

/* The route of an identity's path after "/v1/profiles/": id set, or an
 * error response (false). */
static bool path_id(const char *path, char id[KSR_STORE_ID_LEN + 1], const char **rest,
		    struct ksr_http_resp *r)
{
	char msg[100];
	size_t n;

	*rest = strchr(path, '/');
	n = *rest ? (size_t)(*rest - path) : strlen(path);
	if (n == KSR_STORE_ID_LEN) {
		memcpy(id, path, n);
		id[n] = '\0';
		if (ksr_store_id_ok(id))
			return true;
	}
	snprintf(msg, sizeof(msg), "'%.*s' is not an identity (32 lowercase hex digits)",
		 (int)(n < 40 ? n : 40), path);
	ksr_http_error(r, 400, msg);
	return false;
}

/* Every route the router knows, the one table it dispatches from (so
 * `ksymres serve --routes`, the metrics and docs/openapi.yaml's test
 * cannot disagree with it). "{identity}" is one path segment. */
const struct ksr_route ksr_routes[KSR_ROUTE_COUNT] = {
	[KSR_ROUTE_HEALTHZ] = { "GET", "/healthz" },
	[KSR_ROUTE_METRICS] = { "GET", "/metrics" },
	[KSR_ROUTE_LIST] = { "GET", "/v1/profiles" },
	[KSR_ROUTE_PUT] = { "PUT", "/v1/profiles" },
	[KSR_ROUTE_GET] = { "GET", "/v1/profiles/{identity}" },
	[KSR_ROUTE_DELETE] = { "DELETE", "/v1/profiles/{identity}" },
	[KSR_ROUTE_FILE] = { "GET", "/v1/profiles/{identity}/file" },
	[KSR_ROUTE_LABELS] = { "POST", "/v1/profiles/{identity}/labels" },
	[KSR_ROUTE_CHECK] = { "POST", "/v1/check" },
	[KSR_ROUTE_RESOLVE] = { "POST", "/v1/resolve" },
};

/* path against a pattern; *seg, *seg_len: what "{identity}" matched */
static bool path_matches(const char *pat, const char *path, const char **seg, size_t *seg_len)
{
	static const char var[] = "{identity}";

	while (*pat) {
		if (!strncmp(pat, var, sizeof(var) - 1)) {
			size_t n = strcspn(path, "/");

			if (!n)
				return false;
			*seg = path;
			*seg_len = n;
			path += n;
			pat += sizeof(var) - 1;
		} else if (*pat++ != *path++) {
			return false;
		}
	}
	return *path == '\0';
}

int ksr_service_route(const char *method, const char *path)
{
	const char *seg;
	size_t n;

	for (int i = 0; i < KSR_ROUTE_COUNT; i++)
		if (!strcmp(method, ksr_routes[i].method) &&
		    path_matches(ksr_routes[i].path, path, &seg, &n))
			return i;
	return -1;
}

static void route(struct ksr_service *svc, const struct ksr_http_req *q, struct ksr_http_resp *r)
{
	static const char prefix[] = "/v1/profiles/";
	const char *m = q->method, *path = q->path, *rest, *seg = NULL;
	char id[KSR_STORE_ID_LEN + 1], allowed[64] = "";
	bool matched = false;
	size_t seg_len = 0;
	int which = -1;

	for (int i = 0; i < KSR_ROUTE_COUNT && which < 0; i++) {
		if (!path_matches(ksr_routes[i].path, path, &seg, &seg_len))
			continue;
		matched = true;
		if (!strcmp(m, ksr_routes[i].method))
			which = i;
		else
			snprintf(allowed + strlen(allowed), sizeof(allowed) - strlen(allowed), "%s%s",
				 *allowed ? ", " : "", ksr_routes[i].method);
	}
	/* a path under /v1/profiles/ names an identity first: a bad one is a
	 * 400 whatever the method or the rest */
	if (!strncmp(path, prefix, sizeof(prefix) - 1) &&
	    !path_id(path + sizeof(prefix) - 1, id, &rest, r))
		return;
	if (!matched) {
		ksr_http_error(r, 404, "no such route (see docs/service.md)");
		return;
	}
	if (which < 0) {
		not_allowed(r, m, allowed);
		return;
	}
	switch ((enum ksr_route_id)which) {
	case KSR_ROUTE_HEALTHZ: healthz(svc, r); break;
	case KSR_ROUTE_METRICS: metrics(svc, r); break;
	case KSR_ROUTE_LIST: list_profiles(svc, q, r); break;
	case KSR_ROUTE_PUT: put_profile(svc, q, r); break;
	case KSR_ROUTE_GET: get_profile(svc, id, r); break;
	case KSR_ROUTE_DELETE: delete_profile(svc, q, id, r); break;
	case KSR_ROUTE_FILE: get_file(svc, id, r); break;
	case KSR_ROUTE_LABELS: relabel(svc, q, id, r); break;
	case KSR_ROUTE_CHECK: check(svc, q, r); break;
	case KSR_ROUTE_RESOLVE: resolve(svc, q, r); break;
	case KSR_ROUTE_COUNT: break;
	}
}

void ksr_service_handle(struct ksr_service *svc, const struct ksr_http_req *q,
			struct ksr_http_resp *r)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	route(svc, q, r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->app_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
}
