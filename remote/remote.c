// SPDX-License-Identifier: BSD-2-Clause
/* The client of `ksymres serve` over libcurl (remote.h). */
#define _GNU_SOURCE /* asprintf */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <dlfcn.h>

#include <ksymres/ksymres.h>

#include "output.h"
#include "remote.h"

#define TOKEN_MAX 4096
#define PROFILE_MAX (64u << 20)   /* what the server takes (413 past it) */
#define ANSWER_MAX (256u << 20)   /* the largest answer read from a server */

struct ksr_remote {
	CURL *curl;
	char *url;                 /* without a trailing '/' */
	char *auth;                /* "Authorization: Bearer <token>" or NULL */
	char *ca;                  /* --cacert / KSYMRES_CA_FILE, or NULL: the system's CAs */
};

static const char *ca_option;

void ksr_remote_set_ca(const char *file)
{
	ca_option = file;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char msg[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ksr_cli_error(msg);
}

/* libcurl, loaded when a command first talks to a server: linked, its
 * 30-odd libraries would cost every local command about 8 ms of start-up
 * (measured on the development VM) for nothing. */
static struct {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *c);
	CURLcode (*easy_setopt)(CURL *c, CURLoption o, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO i, ...);
	void (*easy_reset)(CURL *c);
	const char *(*easy_strerror)(CURLcode e);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
	void *last;   /* non-NULL once loaded */
} C;

static bool load_curl(const char *cmd)
{
	static const char *const names[] = {
		"curl_global_init", "curl_easy_init", "curl_easy_cleanup", "curl_easy_setopt",
		"curl_easy_perform", "curl_easy_getinfo", "curl_easy_reset", "curl_easy_strerror",
		"curl_slist_append", "curl_slist_free_all", "curl_easy_init",
	};
	void **slots = (void **)&C;
	void *h;

	if (C.last)
		return true;
	h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		say("%s: cannot load libcurl (libcurl4): %s", cmd, dlerror());
		return false;
	}
	_Static_assert(sizeof(C) == sizeof(names) / sizeof(names[0]) * sizeof(void *),
		       "one slot per name");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		void *f = dlsym(h, names[i]);

		if (!f) {
			say("%s: libcurl has no %s", cmd, names[i]);
			memset(&C, 0, sizeof(C));
			return false;
		}
		memcpy(&slots[i], &f, sizeof(f));
	}
	return true;
}

static int read_token(const char *cmd, const char *path, char **auth)
{
	char buf[TOKEN_MAX + 2];
	size_t n;
	FILE *f = fopen(path, "re");

	if (!f) {
		say("%s: %s: %s", cmd, path, strerror(errno));
		return KSR_EXIT_FAIL;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (n == 0 || n > TOKEN_MAX || strchr(buf, '\n')) {
		say("%s: %s: not one token of 1 to %d characters", cmd, path, TOKEN_MAX);
		return KSR_EXIT_FAIL;
	}
	for (size_t i = 0; i < n; i++)
		if (!isprint((unsigned char)buf[i])) {
			say("%s: %s: the token has a character that is not printable", cmd, path);
			return KSR_EXIT_FAIL;
		}
	if (asprintf(auth, "Authorization: Bearer %s", buf) < 0) {
		*auth = NULL;
		say("%s: out of memory", cmd);
		return KSR_EXIT_FAIL;
	}
	return KSR_EXIT_OK;
}

int ksr_remote_open(const char *cmd, const char *url, const char *token_file,
		    struct ksr_remote **out)
{
	struct ksr_remote *r;
	int rc;

	*out = NULL;
	if (!url || !*url)
		url = getenv("KSYMRES_SERVER");
	if (!url || !*url)
		return ksr_cli_usage(cmd, "needs --server URL (or KSYMRES_SERVER)");
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		return ksr_cli_usage(cmd, "the server '%s' is no http:// or https:// URL", url);
	if (!token_file || !*token_file)
		token_file = getenv("KSYMRES_TOKEN_FILE");
	if (token_file && !*token_file)
		token_file = NULL;
	r = calloc(1, sizeof(*r));
	if (!r || !(r->url = strdup(url))) {
		free(r);
		return ksr_cli_usage(cmd, "out of memory");
	}
	for (size_t n = strlen(r->url); n > 0 && r->url[n - 1] == '/'; n--)
		r->url[n - 1] = '\0';
	if (token_file && (rc = read_token(cmd, token_file, &r->auth))) {
		ksr_remote_free(r);
		return rc;
	}
	{
		/* a private CA: said here if unreadable, not as a TLS failure */
		const char *ca = ca_option && *ca_option ? ca_option : getenv("KSYMRES_CA_FILE");
		FILE *f;

		if (ca && *ca) {
			if (!(f = fopen(ca, "re"))) {
				say("%s: %s: cannot read the CA file: %s", cmd, ca, strerror(errno));
				ksr_remote_free(r);
				return KSR_EXIT_FAIL;
			}
			fclose(f);
			if (!(r->ca = strdup(ca))) {
				ksr_remote_free(r);
				return ksr_cli_usage(cmd, "out of memory");
			}
		}
	}
	if (!load_curl(cmd)) {
		ksr_remote_free(r);
		return KSR_EXIT_FAIL;
	}
	if (C.global_init(CURL_GLOBAL_DEFAULT) || !(r->curl = C.easy_init())) {
		ksr_remote_free(r);
		say("%s: cannot start libcurl", cmd);
		return KSR_EXIT_FAIL;
	}
	*out = r;
	return KSR_EXIT_OK;
}

void ksr_remote_free(struct ksr_remote *r)
{
	if (!r)
		return;
	if (r->curl)
		C.easy_cleanup(r->curl);
	if (r->auth) {
		explicit_bzero(r->auth, strlen(r->auth));
		free(r->auth);
	}
	free(r->url);
	free(r->ca);
	free(r);
}

const char *ksr_remote_url(const struct ksr_remote *r)
{
	return r->url;
}

struct sink {
	char *buf;
	size_t len, cap;
	bool oom, too_big;
};

static size_t on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t add = sz * n;

	if (add > ANSWER_MAX - s->len) {
		s->too_big = true;
		return 0;
	}
	if (s->len + add + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		char *b;

		while (cap < s->len + add + 1)
			cap *= 2;
		if (!(b = realloc(s->buf, cap))) {
			s->oom = true;
			return 0;
		}
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, add);
	s->len += add;
	s->buf[s->len] = '\0';
	return add;
}

static size_t on_header(char *p, size_t sz, size_t n, void *arg)
{
	static const char name[] = "X-Ksymres-Runnable:";
	int *runnable = arg;
	size_t len = sz * n;

	if (len > sizeof(name) - 1 && !strncasecmp(p, name, sizeof(name) - 1)) {
		const char *v = p + sizeof(name) - 1;

		while (*v == ' ')
			v++;
		*runnable = !strncmp(v, "yes", 3);
	}
	return len;
}

int ksr_remote_call(struct ksr_remote *r, const char *method, const char *path_query,
		    const void *body, size_t len, const char *accept,
		    struct ksr_remote_resp *resp)
{
	char errbuf[CURL_ERROR_SIZE] = "", *url = NULL, *acc = NULL;
	struct curl_slist *h = NULL;
	struct sink s = { 0 };
	CURLcode cc;
	CURL *c = r->curl;

	memset(resp, 0, sizeof(*resp));
	resp->runnable = -1;
	if (asprintf(&url, "%s%s", r->url, path_query) < 0 ||
	    asprintf(&acc, "Accept: %s", accept ? accept : "application/json") < 0) {
		free(url);
		say("out of memory");
		return KSR_EXIT_FAIL;
	}
	h = C.slist_append(h, acc);
	if (r->auth)
		h = C.slist_append(h, r->auth);
	/* no "Expect: 100-continue" round trip before a body */
	h = C.slist_append(h, "Expect:");
	if (body)
		h = C.slist_append(h, "Content-Type: application/octet-stream");
	C.easy_reset(c);   /* keeps the connection cache: keep-alive */
	C.easy_setopt(c, CURLOPT_URL, url);
	C.easy_setopt(c, CURLOPT_HTTPHEADER, h);
	C.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	C.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	C.easy_setopt(c, CURLOPT_WRITEDATA, &s);
	C.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	C.easy_setopt(c, CURLOPT_HEADERDATA, &resp->runnable);
	C.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	C.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	/* a server that stops answering: under 1 byte/s for 60 s ends it */
	C.easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	C.easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	C.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	C.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (r->ca)
		C.easy_setopt(c, CURLOPT_CAINFO, r->ca);
	C.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	C.easy_setopt(c, CURLOPT_USERAGENT, "ksymres");
	if (body) {
		C.easy_setopt(c, CURLOPT_POSTFIELDS, body);
		C.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	if (strcmp(method, "GET") && strcmp(method, "POST"))
		C.easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	else if (!strcmp(method, "POST") && !body)
		C.easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
	cc = C.easy_perform(c);
	C.slist_free_all(h);
	free(acc);
	if (cc != CURLE_OK) {
		free(s.buf);
		if (s.oom)
			say("%s: out of memory reading the answer", url);
		else if (s.too_big)
			say("%s: the answer is larger than %u MiB", url, ANSWER_MAX >> 20);
		else
			say("cannot reach the server %s: %s", r->url,
			    *errbuf ? errbuf : C.easy_strerror(cc));
		free(url);
		return KSR_EXIT_FAIL;
	}
	free(url);
	C.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	if (!s.buf && !(s.buf = calloc(1, 1))) {
		say("out of memory");
		return KSR_EXIT_FAIL;
	}
	resp->body = s.buf;
	resp->len = s.len;
	return KSR_EXIT_OK;
}

void ksr_remote_resp_clear(struct ksr_remote_resp *resp)
{
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}

int ksr_remote_exit_for(long status)
{
	if (status >= 200 && status < 300)
		return KSR_EXIT_OK;
	if (status == 400)
		return KSR_EXIT_MALFORMED;
	return KSR_EXIT_FAIL;   /* 401, 404, 413, 422, 5xx */
}

/* The message of {"error":"..."}, unescaped enough for one line: the
 * server's JSON escapes are kept as they are, except \" and \\. */
static void error_of(const struct ksr_remote_resp *resp, char *out, size_t n)
{
	const char *p = resp->body ? strstr(resp->body, "{\"error\":") : NULL;
	size_t k = 0;

	if (!p) {
		snprintf(out, n, "HTTP %ld", resp->status);
		return;
	}
	p += 9;
	while (*p == ' ')
		p++;
	if (*p == '"')
		p++;
	while (*p && *p != '"' && k + 1 < n) {
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		out[k++] = *p++;
	}
	out[k] = '\0';
}

int ksr_remote_fail(const struct ksr_remote_resp *resp, const char *what)
{
	char msg[600];

	error_of(resp, msg, sizeof(msg));
	/* 400: a malformed input, said as the local command says it */
	if (resp->status == 400)
		say("%s: %s", what, msg);
	else
		say("%s: %s (HTTP %ld)", what, msg, resp->status);
	return ksr_remote_exit_for(resp->status);
}

bool ksr_remote_arg(char **q, const char *key, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(value), k = 0;
	char *v = malloc(3 * n + 1), *out = NULL;

	if (!v)
		return false;
	/* RFC 3986 unreserved characters as they are, every other byte %XX */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)value[i];

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			v[k++] = (char)c;
		} else {
			v[k++] = '%';
			v[k++] = hex[c >> 4];
			v[k++] = hex[c & 15];
		}
	}
	v[k] = '\0';
	if (asprintf(&out, "%s%c%s=%s", *q ? *q : "", *q ? '&' : '?', key, v) < 0)
		out = NULL;
	free(v);
	if (!out)
		return false;
	free(*q);
	*q = out;
	return true;
}

int ksr_remote_print(const struct ksr_remote_resp *resp, bool text)
{
	for (size_t i = 0; i < resp->len; i++) {
		unsigned char c = (unsigned char)resp->body[i];

		if (c == '\n' || (c >= 0x20 && c != 0x7f && (c < 0x80 || !text)))
			continue;
		say("the server's answer has a byte the local command never prints (0x%02x at %zu): not printed",
		    c, i);
		return KSR_EXIT_FAIL;
	}
	if (fwrite(resp->body, 1, resp->len, stdout) != resp->len)
		return KSR_EXIT_FAIL;
	return KSR_EXIT_OK;
}

int ksr_remote_push(struct ksr_remote *r, const char *path, const char *const *labels,
		    size_t nlabels)
{
	struct ksr_remote_resp resp;
	char *q = NULL, id[64] = "";
	void *data = NULL;
	size_t len = 0;
	int err, rc;

	err = ksr_input__read(path, PROFILE_MAX, &data, &len);
	if (err)
		return ksr_cli_fail(path, err);
	for (size_t i = 0; i < nlabels; i++)
		if (!ksr_remote_arg(&q, "label", labels[i])) {
			free(q);
			free(data);
			say("push: out of memory");
			return KSR_EXIT_FAIL;
		}
	{
		char *pq = NULL;

		if (asprintf(&pq, "/v1/profiles%s", q ? q : "") < 0) {
			free(q);
			free(data);
			say("push: out of memory");
			return KSR_EXIT_FAIL;
		}
		rc = ksr_remote_call(r, "PUT", pq, data, len, NULL, &resp);
		free(pq);
	}
	free(q);
	free(data);
	if (rc)
		return rc;
	if (resp.status != 200 && resp.status != 201) {
		rc = ksr_remote_fail(&resp, path);
		ksr_remote_resp_clear(&resp);
		return rc;
	}
	{
		const char *p = strstr(resp.body, "\"identity\":\"");

		if (p)
			sscanf(p + 12, "%32[0-9a-f]", id);
	}
	if (ksr_cli.json) {
		rc = ksr_remote_print(&resp, false);
	} else {
		fputs("pushed ", stdout);
		ksr_print_safe(stdout, path);
		printf(": %s (%s)\n", id, resp.status == 201 ? "new" : "already stored");
	}
	ksr_remote_resp_clear(&resp);
	return rc;
}
