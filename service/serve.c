// SPDX-License-Identifier: BSD-2-Clause
/* ksymres serve [--store DIR] [--listen ADDR:PORT] [--token-file F]
 * The libmicrohttpd glue: bodies are collected under their route's limit
 * (413 as soon as the declared or received size passes it), each request
 * is handed to ksr_service_handle() (routes.c) and its response sent.
 * One thread per CPU in libmicrohttpd's pool; SIGINT/SIGTERM stop it. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include <ksymres/ksymres.h>

#include "metrics.h"
#include "output.h"
#include "routes.h"
#include "service.h"
#include "store.h"

#define CONN_LIMIT 512u
#define CONN_TIMEOUT 30u             /* seconds a connection may stay idle */
#define CONN_MEMORY (128u << 10)     /* libmicrohttpd's per-connection pool */
#define HEADERS_MAX 100
#define TOKEN_MAX 4096

/* A request being received. */
struct conn {
	char *buf;
	size_t len, cap, limit;
	bool too_big;
	bool answered;               /* the 413 is queued already */
	/* for the metrics, observed when the request completes */
	struct timespec start;
	int route, status;
	uint64_t out;
};

struct kv_list {
	struct ksr_kv *v;
	size_t n, max;
	bool overflow;
};

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	struct kv_list *l = cls;

	if (l->n == l->max) {
		l->overflow = true;
		return MHD_NO;
	}
	l->v[l->n].key = key ? key : "";
	l->v[l->n].value = value ? value : "";
	l->n++;
	return MHD_YES;
}

static enum MHD_Result send_resp(struct MHD_Connection *c, struct conn *cn,
				 struct ksr_http_resp *r)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;

	cn->status = r->status;
	cn->out = r->fd >= 0 ? r->fd_len : r->len;
	if (r->fd >= 0) {
		mr = MHD_create_response_from_fd64(r->fd_len, r->fd);
		if (mr)
			r->fd = -1; /* libmicrohttpd closes it */
	} else if (r->body) {
		mr = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
		if (mr)
			r->body = NULL;
	} else {
		mr = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	}
	ksr_http_resp_clear(r);
	if (!mr)
		return MHD_NO;
	if (r->content_type)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
	if (r->runnable)
		MHD_add_response_header(mr, "X-Ksymres-Runnable", r->runnable);
	if (r->app_ms > 0) { /* the handler's own time (docs/service.md) */
		char t[48];

		snprintf(t, sizeof(t), "app;dur=%.3f", r->app_ms);
		MHD_add_response_header(mr, "Server-Timing", t);
	}
	if (r->status == 401)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	ret = MHD_queue_response(c, (unsigned int)r->status, mr);
	MHD_destroy_response(mr);
	return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, struct conn *cn, int status,
				  const char *msg)
{
	struct ksr_http_resp r = { .fd = -1 };

	ksr_http_error(&r, status, msg);
	return send_resp(c, cn, &r);
}

static enum MHD_Result too_large(struct MHD_Connection *c, struct conn *cn)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "the body is larger than this route takes (%zu bytes)",
		 cn->limit);
	return send_error(c, cn, 413, msg);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	struct ksr_service *svc = cls;
	struct conn *cn = *con_cls;

	if (!cn) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);

		cn = calloc(1, sizeof(*cn));
		if (!cn)
			return MHD_NO;
		cn->limit = ksr_service_body_limit(method, url);
		clock_gettime(CLOCK_MONOTONIC, &cn->start);
		cn->route = ksr_service_route(method, url);
		*con_cls = cn;
		if (cl) {
			char *end;
			unsigned long long v;

			errno = 0;
			v = strtoull(cl, &end, 10);
			if (errno || end == cl || v > cn->limit) {
				cn->too_big = cn->answered = true;
				return too_large(c, cn);
			}
		}
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;

		*upload_size = 0;
		if (cn->too_big)
			return MHD_YES; /* a response is queued or will be */
		if (n > cn->limit - cn->len) {
			cn->too_big = true;
			free(cn->buf);
			cn->buf = NULL;
			/* answered now where libmicrohttpd lets us, else at the end */
			cn->answered = too_large(c, cn) == MHD_YES;
			return MHD_YES;
		}
		if (cn->len + n > cn->cap) {
			size_t cap = cn->cap ? cn->cap : 64u << 10;
			char *b;

			while (cap < cn->len + n)
				cap *= 2;
			if (cap > cn->limit)
				cap = cn->limit;
			b = realloc(cn->buf, cap);
			if (!b)
				return MHD_NO;
			cn->buf = b;
			cn->cap = cap;
		}
		memcpy(cn->buf + cn->len, upload, n);
		cn->len += n;
		return MHD_YES;
	}
	if (cn->too_big)
		return cn->answered ? MHD_YES : too_large(c, cn);
	{
		struct ksr_kv qv[KSR_SERVICE_ARGS_MAX], hv[HEADERS_MAX];
		struct kv_list ql = { qv, 0, KSR_SERVICE_ARGS_MAX, false };
		struct kv_list hl = { hv, 0, HEADERS_MAX, false };
		struct ksr_http_req req;
		struct ksr_http_resp resp;

		MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect, &ql);
		MHD_get_connection_values(c, MHD_HEADER_KIND, collect, &hl);
		if (ql.overflow || hl.overflow)
			return send_error(c, cn, 400, ql.overflow ? "too many query arguments" : "too many headers");
		req = (struct ksr_http_req){
			.method = method, .path = url, .query = qv, .query_cnt = ql.n,
			.headers = hv, .header_cnt = hl.n, .body = cn->buf ? cn->buf : "",
			.body_len = cn->len,
		};
		ksr_service_handle(svc, &req, &resp);
		return send_resp(c, cn, &resp);
	}
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct conn *cn = *con_cls;

	if (cn) {
		struct timespec now;

		/* answered (the whole response sent, or the client gone after
		 * it was queued): a request of the metrics */
		if (cn->status) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			ksr_metrics_observe(cn->route, cn->status,
					    (double)(now.tv_sec - cn->start.tv_sec) +
						    (double)(now.tv_nsec - cn->start.tv_nsec) / 1e9,
					    cn->len, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? cn->out : 0);
		}
		free(cn->buf);
		free(cn);
	}
	*con_cls = NULL;
}

/* ---- options --------------------------------------------------------------- */

struct listen_addr {
	struct sockaddr_storage sa;
	bool v6;
	bool loopback;
	char text[128];
};

static int parse_listen(const char *s, struct listen_addr *a)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon;
	unsigned long port;
	char *end;
	size_t n;

	memset(a, 0, sizeof(*a));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -1;
		n = (size_t)(close - s - 1);
		colon = close + 1;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		n = (size_t)(colon - s);
	}
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port > 65535)
		return -1;
	{
		struct sockaddr_in *v4 = (struct sockaddr_in *)&a->sa;
		struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a->sa;

		if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
			v4->sin_family = AF_INET;
			v4->sin_port = htons((uint16_t)port);
			a->loopback = (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
		} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
			v6->sin6_family = AF_INET6;
			v6->sin6_port = htons((uint16_t)port);
			a->v6 = true;
			a->loopback = IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
		} else {
			return -1;
		}
	}
	snprintf(a->text, sizeof(a->text), "%s%s%s", a->v6 ? "[" : "", host, a->v6 ? "]" : "");
	return 0;
}

/* The token from a file only its owner may read: NULL after a message. */
static char *read_token(const char *path)
{
	char buf[TOKEN_MAX + 1];
	struct stat sb;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		ksr_cli_fail(path, ksr_cli_err(errno, "cannot open the token file: %s", strerror(errno)));
		return NULL;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (sb.st_mode & 077)) {
		close(fd);
		ksr_cli_fail(path, ksr_cli_err(EPERM, "the token file must be a regular file that "
					       "only its owner can read or write (chmod 600)"));
		return NULL;
	}
	n = read(fd, buf, TOKEN_MAX + 1);
	close(fd);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	if (n < 16 || n > TOKEN_MAX) {
		ksr_cli_fail(path, ksr_cli_err(EINVAL, "the token must be 16 to %d characters", TOKEN_MAX));
		return NULL;
	}
	buf[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] <= ' ' || buf[i] > '~') {
			ksr_cli_fail(path, ksr_cli_err(EINVAL, "the token must be printable ASCII without spaces"));
			return NULL;
		}
	return strdup(buf);
}

static int default_store(char *buf, size_t len)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (x && x[0] == '/')
		return snprintf(buf, len, "%s/ksymres/store", x) < (int)len ? 0 : -1;
	if (home && home[0] == '/')
		return snprintf(buf, len, "%s/.local/state/ksymres/store", home) < (int)len ? 0 : -1;
	return -1;
}

int ksr_cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "listen", required_argument, NULL, 'l' },
		{ "token-file", required_argument, NULL, 't' },
		{ "routes", no_argument, NULL, 'R' },   /* hidden: the router's table */
		{ "open-profiles", required_argument, NULL, 'O' },
		KSR_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *store_dir = NULL, *listen = "127.0.0.1:8765", *token_file = NULL;
	struct ksr_service *svc = NULL;
	struct ksr_store *st = NULL;
	struct MHD_Daemon *d = NULL;
	struct listen_addr la;
	char dir[PATH_MAX], *token = NULL, *end;
	unsigned long open_max = KSR_SERVICE_OPEN_DEFAULT;
	sigset_t stop;
	long ncpu;
	int c, err, sig = 0, rc = KSR_EXIT_OK;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":j", opts, NULL)) != -1) {
		switch (c) {
		case 's': store_dir = optarg; break;
		case 'R':
			/* what docs/openapi.yaml must describe (tests/cli/openapi.sh) */
			for (int i = 0; i < KSR_ROUTE_COUNT; i++)
				printf("%s %s\n", ksr_routes[i].method, ksr_routes[i].path);
			return KSR_EXIT_OK;
		case 'l': listen = optarg; break;
		case 't': token_file = optarg; break;
		case 'O':
			errno = 0;
			open_max = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || open_max < 1 || open_max > 65536)
				return ksr_cli_usage("serve", "--open-profiles takes 1 to 65536, not '%s'", optarg);
			break;
		case 'j': case 'P': ksr_output_option(c); break;
		case ':': return ksr_cli_usage("serve", "option '%s' needs a value", argv[optind - 1]);
		default: return ksr_cli_usage("serve", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return ksr_cli_usage("serve", "takes no operands");
	if (parse_listen(listen, &la))
		return ksr_cli_usage("serve", "--listen takes ADDR:PORT (an IP address), not '%s'", listen);
	if (!la.loopback && !token_file)
		return ksr_cli_usage("serve", "refusing to listen on %s (not loopback) without --token-file",
				     la.text);
	if (!store_dir) {
		if (default_store(dir, sizeof(dir)))
			return ksr_cli_usage("serve", "no --store and neither XDG_STATE_HOME nor HOME is set");
		store_dir = dir;
	}
	if (token_file && !(token = read_token(token_file)))
		return KSR_EXIT_FAIL;
	err = ksr_store_open(store_dir, &st);
	if (err) {
		free(token);
		return ksr_cli_fail(store_dir, err);
	}
	if (ksr_service_new(st, token, &svc)) {
		rc = ksr_cli_usage("serve", "out of memory");
		goto out;
	}
	ksr_service_set_open_max(svc, open_max);
	/* the signals that stop it are taken by sigwait() here, in no other thread */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	ksr_cli_want_files(CONN_LIMIT + open_max + 256);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1)
		ncpu = 1;
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG |
				     (la.v6 ? MHD_USE_IPv6 : 0),
			     0, NULL, NULL, handle, svc,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&la.sa,
			     MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)ncpu,
			     MHD_OPTION_CONNECTION_LIMIT, CONN_LIMIT,
			     MHD_OPTION_CONNECTION_TIMEOUT, CONN_TIMEOUT,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
			     MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
			     MHD_OPTION_END);
	if (!d) {
		rc = ksr_cli_fail(listen, ksr_cli_err(EADDRNOTAVAIL, "cannot listen there (in use? no such address?)"));
		goto out;
	}
	{
		const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
		char line[PATH_MAX + 300];

		snprintf(line, sizeof(line), "serving the store %s on http://%s:%u (%ld threads; writes %s)",
			 store_dir, la.text, info ? info->port : 0, ncpu,
			 token ? "need the token" : "open to loopback clients");
		ksr_cli_stderr_line("status", "ksymres: ", line);
	}
	while (sigwait(&stop, &sig) != 0)
		;
	ksr_cli_stderr_line("status", "ksymres: ", sig == SIGINT ? "stopping (SIGINT)" : "stopping (SIGTERM)");
	MHD_stop_daemon(d);
out:
	ksr_service_free(svc);
	ksr_store_close(st);
	if (token)
		memset(token, 0, strlen(token));
	free(token);
	return rc;
}
