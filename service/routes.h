/* SPDX-License-Identifier: BSD-2-Clause */
/* The HTTP API of `ksymres serve` as plain functions: a request (method,
 * path, decoded query arguments, headers, body bytes) in, a response
 * (status, content type, body bytes or a file) out. No sockets here: the
 * libmicrohttpd glue is serve.c; unit tests and fuzzers call
 * ksr_service_handle() directly. Routes: docs/service.md. */
#ifndef KSR_ROUTES_H
#define KSR_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define KSR_SERVICE_OBJECT_MAX (16u << 20)   /* POST /v1/check, /v1/resolve */
#define KSR_SERVICE_PROFILE_MAX (64u << 20)  /* PUT /v1/profiles */
#define KSR_SERVICE_OTHER_MAX (64u << 10)    /* any other request */
#define KSR_SERVICE_ARGS_MAX 4096            /* query arguments */

struct ksr_kv {
	const char *key;
	const char *value;           /* "" for an argument without '=' */
};

struct ksr_http_req {
	const char *method;
	const char *path;            /* decoded, without the query */
	const struct ksr_kv *query;  /* decoded; repeated keys repeat */
	size_t query_cnt;
	const struct ksr_kv *headers; /* names compared case-insensitively */
	size_t header_cnt;
	const void *body;
	size_t body_len;
};

struct ksr_http_resp {
	int status;
	const char *content_type;    /* a static string */
	void *body;                  /* malloc()ed, len bytes */
	size_t len;
	int fd;                      /* >= 0: the body is this file's fd_len bytes instead */
	uint64_t fd_len;
	const char *runnable;        /* NULL, or X-Ksymres-Runnable: "yes"/"no" (check) */
	double app_ms;               /* time in ksr_service_handle() (Server-Timing: app) */
};

struct ksr_service;

/* The routes, in the router's table (routes.c). */
enum ksr_route_id {
	KSR_ROUTE_HEALTHZ, KSR_ROUTE_METRICS, KSR_ROUTE_LIST, KSR_ROUTE_PUT, KSR_ROUTE_GET,
	KSR_ROUTE_DELETE, KSR_ROUTE_FILE, KSR_ROUTE_LABELS, KSR_ROUTE_CHECK, KSR_ROUTE_RESOLVE,
	KSR_ROUTE_COUNT
};
struct ksr_route {
	const char *method;
	const char *path;            /* "{identity}": one path segment */
};
extern const struct ksr_route ksr_routes[KSR_ROUTE_COUNT];
/* The route of method and path (its shape only: an identity is not
 * checked), or -1. */
int ksr_service_route(const char *method, const char *path);

/* token: what writes need as "Authorization: Bearer <token>"; NULL: writes
 * need nothing (loopback only; serve.c enforces that). The service uses
 * st but does not own it. */
int ksr_service_new(struct ksr_store *st, const char *token, struct ksr_service **out);
void ksr_service_free(struct ksr_service *svc);
/* Always fills resp (fd -1 unless a file is the body). */
void ksr_service_handle(struct ksr_service *svc, const struct ksr_http_req *req,
			struct ksr_http_resp *resp);
/* A response {"error": msg} with status (the routes' and the glue's). */
void ksr_http_error(struct ksr_http_resp *r, int status, const char *msg);
/* Frees the body and closes the fd of a response not handed over. */
void ksr_http_resp_clear(struct ksr_http_resp *resp);
/* The largest body the route of method and path takes (413 past it). */
size_t ksr_service_body_limit(const char *method, const char *path);
/* Profiles kept open now. */
size_t ksr_service_cached(struct ksr_service *svc);
/* At most n profiles stay open between requests (least recently used
 * closed first; default KSR_SERVICE_OPEN_DEFAULT; 0 is taken as 1). A
 * request needing more opens them all; the cache shrinks back once they
 * are given back. */
#define KSR_SERVICE_OPEN_DEFAULT 256u
/* What an open profile keeps between requests of what its lookups read
 * (ksr_profile__trim()): the next request about the same names reads
 * nothing; past it, dropped. At most open profiles x this, 32 MiB with the
 * default bound. */
#define KSR_SERVICE_PROFILE_KEEP (128u << 10)
void ksr_service_set_open_max(struct ksr_service *svc, size_t n);

#endif
