// SPDX-License-Identifier: BSD-2-Clause
/* ksymres serve [--store DIR] [--listen ADDR:PORT] [--token-file F]
 *               [--read-token-file F] [--tls-cert F --tls-key F] [limits]
 * The libmicrohttpd glue: the read token is checked and the header fields
 * measured before a body is read (401, 431), bodies are collected under
 * their route's limit (413 as soon as the declared or received size passes
 * it), each request is handed to ksr_service_handle() (routes.c) and its
 * response sent. One thread per CPU in libmicrohttpd's pool; SIGINT/SIGTERM
 * stop it. Options and defaults: docs/service.md. */
#define _DEFAULT_SOURCE /* explicit_bzero */
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
#define HEADER_SIZE (32u << 10)      /* header fields of a request (431 past it) */
/* libmicrohttpd's per-connection pool holds the request line and header
 * block, then the read buffer of the body: the header limit plus this. A
 * header block past the pool is libmicrohttpd's own 431 (0.9.75: tested). */
#define CONN_MEMORY_EXTRA (64u << 10)
#define HEADERS_MAX 100
#define TOKEN_MAX 4096
#define PEM_MAX (1u << 20)           /* a certificate chain or key file */

/* What the glue needs besides the service: the limits and the read token. */
struct glue {
	struct ksr_service *svc;
	char *token, *read_token;    /* read_token set: everything but /healthz needs a token */
	size_t object_max, profile_max, header_max;
};

/* A request being received. */
struct conn {
	char *buf;
	size_t len, cap, limit;
	size_t discarded;            /* bytes received after the limit was passed */
	bool too_big;                /* the body is discarded: a 401, 413 or 431 */
	bool answered;               /* that answer is queued already */
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

/* The bearer token of a request against the read token and the write
 * token (which implies reading), in constant time for a given length. */
static int same(const char *secret, const char *h)
{
	size_t n = strlen(secret), m = strlen(h);
	unsigned char diff = m != n;

	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(secret[i] ^ h[i < m ? i : 0]);
	return !diff;
}

static const char *read_refused(const struct glue *g, struct MHD_Connection *c, int route)
{
	const char *h;
	int ok;

	if (!g->read_token || route == KSR_ROUTE_HEALTHZ)
		return NULL;
	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (!h || strncmp(h, "Bearer ", 7))
		return "this request needs 'Authorization: Bearer <token>'";
	h += 7;
	/* both compared, whatever the first says */
	ok = same(g->read_token, h);
	ok |= g->token ? same(g->token, h) : 0;
	return ok ? NULL : "wrong token";
}

struct header_size {
	size_t bytes, n;
};

static enum MHD_Result measure(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	struct header_size *hs = cls;

	hs->bytes += (key ? strlen(key) : 0) + (value ? strlen(value) : 0);
	hs->n++;
	return MHD_YES;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	struct glue *g = cls;
	struct ksr_service *svc = g->svc;
	struct conn *cn = *con_cls;

	if (!cn) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		struct header_size hs = { 0, 0 };
		const char *refused;

		cn = calloc(1, sizeof(*cn));
		if (!cn)
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &cn->start);
		cn->route = ksr_service_route(method, url);
		cn->limit = cn->route == KSR_ROUTE_PUT ? g->profile_max :
			    cn->route == KSR_ROUTE_CHECK || cn->route == KSR_ROUTE_RESOLVE ? g->object_max :
			    ksr_service_body_limit(method, url);
		*con_cls = cn;
		/* answered before any byte of the body is read */
		MHD_get_connection_values(c, MHD_HEADER_KIND, measure, &hs);
		if (hs.bytes > g->header_max || hs.n > HEADERS_MAX) {
			char msg[128];

			snprintf(msg, sizeof(msg), "the header fields are larger than this server takes "
				 "(%zu bytes, %d fields)", g->header_max, HEADERS_MAX);
			cn->too_big = cn->answered = true;
			return send_error(c, cn, 431, msg);
		}
		if ((refused = read_refused(g, c, cn->route))) {
			cn->too_big = cn->answered = true;
			return send_error(c, cn, 401, refused);
		}
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
		if (cn->too_big) {
			/* libmicrohttpd sends the 413 once the body ends: a body
			 * without a length that never ends (chunked) would hold the
			 * connection for ever, so past twice the limit it is closed */
			cn->discarded += n;
			return cn->discarded > cn->limit ? MHD_NO : MHD_YES;
		}
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
		if (ql.overflow)
			return send_error(c, cn, 400, "too many query arguments");
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

/* A file of at most max bytes, as a NUL-terminated string (*len bytes),
 * that only its owner may read or write when secret: NULL after a message
 * naming the file and what it is. */
static char *read_small(const char *path, const char *what, size_t max, bool secret, size_t *len)
{
	struct stat sb;
	size_t n = 0;
	char *buf;
	/* O_NONBLOCK: a FIFO put there does not hang the start; fstat refuses it */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0) {
		ksr_cli_fail(path, ksr_cli_err(errno, "cannot open the %s: %s", what, strerror(errno)));
		return NULL;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (secret && (sb.st_mode & 077))) {
		close(fd);
		ksr_cli_fail(path, ksr_cli_err(EPERM, "the %s must be a regular file%s", what,
					       secret ? " that only its owner can read or write (chmod 600)" : ""));
		return NULL;
	}
	if (!(buf = malloc(max + 2))) {
		close(fd);
		ksr_cli_fail(path, ksr_cli_err(ENOMEM, "out of memory"));
		return NULL;
	}
	/* one byte more than max tells a file that is too large */
	while (n <= max) {
		ssize_t k = read(fd, buf + n, max + 1 - n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			ksr_cli_fail(path, ksr_cli_err(errno, "cannot read the %s: %s", what, strerror(errno)));
			close(fd);
			explicit_bzero(buf, n);
			free(buf);
			return NULL;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	if (n > max || memchr(buf, '\0', n)) {
		ksr_cli_fail(path, ksr_cli_err(EINVAL, n > max ? "the %s is larger than %zu bytes" :
					       "the %s holds a NUL byte", what, max));
		explicit_bzero(buf, n > max ? max + 1 : n);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The token from a file only its owner may read: NULL after a message. */
static char *read_token(const char *path)
{
	size_t n;
	char *buf = read_small(path, "token file", TOKEN_MAX + 64, true, &n);

	if (!buf)
		return NULL;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	if (n < 16 || n > TOKEN_MAX) {
		ksr_cli_fail(path, ksr_cli_err(EINVAL, "the token must be 16 to %d characters", TOKEN_MAX));
		goto bad;
	}
	for (size_t i = 0; i < n; i++)
		if (buf[i] <= ' ' || buf[i] > '~') {
			ksr_cli_fail(path, ksr_cli_err(EINVAL, "the token must be printable ASCII without spaces"));
			goto bad;
		}
	return buf;
bad:
	explicit_bzero(buf, n);
	free(buf);
	return NULL;
}

static void free_secret(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}

/* A size option: bytes, or with a suffix k, M or G (KiB, MiB, GiB). */
static int parse_size(const char *s, size_t min, size_t max, size_t *out)
{
	unsigned long long v, mult = 1;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -1;
	if (*end == 'k' || *end == 'K')
		mult = 1ull << 10, end++;
	else if (*end == 'M')
		mult = 1ull << 20, end++;
	else if (*end == 'G')
		mult = 1ull << 30, end++;
	if (*end || v > max / mult || v * mult < min)
		return -1;
	*out = (size_t)(v * mult);
	return 0;
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
		{ "read-token-file", required_argument, NULL, 'r' },
		{ "tls-cert", required_argument, NULL, 'C' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ "max-object-size", required_argument, NULL, 'O' },
		{ "max-profile-size", required_argument, NULL, 'F' },
		{ "max-header-size", required_argument, NULL, 'H' },
		{ "max-connections", required_argument, NULL, 'N' },
		{ "conn-timeout", required_argument, NULL, 'T' },
		{ "routes", no_argument, NULL, 'R' },   /* hidden: the router's table */
		{ "open-profiles", required_argument, NULL, 'o' },
		KSR_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *store_dir = NULL, *listen = "127.0.0.1:8765", *token_file = NULL;
	const char *read_token_file = NULL, *cert_file = NULL, *key_file = NULL;
	struct glue g = {
		.object_max = KSR_SERVICE_OBJECT_MAX, .profile_max = KSR_SERVICE_PROFILE_MAX,
		.header_max = HEADER_SIZE,
	};
	size_t conns = CONN_LIMIT, timeout = CONN_TIMEOUT, len;
	struct ksr_store *st = NULL;
	struct MHD_Daemon *d = NULL;
	struct listen_addr la;
	char dir[PATH_MAX], *cert = NULL, *key = NULL;
	size_t open_max = KSR_SERVICE_OPEN_DEFAULT;
	sigset_t stop;
	long ncpu;
	int c, idx, err, sig = 0, rc = KSR_EXIT_OK;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":j", opts, &idx)) != -1) {
		size_t *size = NULL, min = 1, max = SIZE_MAX;

		switch (c) {
		case 's': store_dir = optarg; break;
		case 'R':
			/* what docs/openapi.yaml must describe (tests/cli/openapi.sh) */
			for (int i = 0; i < KSR_ROUTE_COUNT; i++)
				printf("%s %s\n", ksr_routes[i].method, ksr_routes[i].path);
			return KSR_EXIT_OK;
		case 'l': listen = optarg; break;
		case 't': token_file = optarg; break;
		case 'r': read_token_file = optarg; break;
		case 'C': cert_file = optarg; break;
		case 'K': key_file = optarg; break;
		/* bounds that keep the arithmetic and libmicrohttpd sane */
		case 'O': size = &g.object_max; max = 1ull << 30; break;
		case 'F': size = &g.profile_max; max = 4ull << 30; break;
		case 'H': size = &g.header_max; min = 1024; max = 16u << 20; break;
		case 'N': size = &conns; max = 65536; break;
		case 'T': size = &timeout; max = 86400; break;
		case 'o': size = &open_max; max = 65536; break;
		case 'j': case 'P': ksr_output_option(c); break;
		case ':': return ksr_cli_usage("serve", "option '%s' needs a value", argv[optind - 1]);
		default: return ksr_cli_usage("serve", "unknown option '%s'", argv[optind - 1]);
		}
		if (size && (c == 'N' || c == 'T' ? parse_size(optarg, 1, max, size) || strpbrk(optarg, "kKMG")
						  : parse_size(optarg, min, max, size)))
			return ksr_cli_usage("serve", "--%s takes %s from %zu to %zu, not '%s'", opts[idx].name,
					     c == 'N' ? "a count" : c == 'T' ? "seconds" : "bytes (or k, M, G)",
					     min, max, optarg);
	}
	if (optind != argc)
		return ksr_cli_usage("serve", "takes no operands");
	if (parse_listen(listen, &la))
		return ksr_cli_usage("serve", "--listen takes ADDR:PORT (an IP address), not '%s'", listen);
	if (!la.loopback && !token_file)
		return ksr_cli_usage("serve", "refusing to listen on %s (not loopback) without --token-file",
				     la.text);
	/* reads closed and writes open would be no policy */
	if (read_token_file && !token_file)
		return ksr_cli_usage("serve", "--read-token-file needs --token-file");
	if (!cert_file != !key_file)
		return ksr_cli_usage("serve", "--tls-cert and --tls-key go together");
	if (cert_file && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		return ksr_cli_usage("serve", "this libmicrohttpd was built without TLS (GnuTLS): "
				     "no --tls-cert");
	if (!store_dir) {
		if (default_store(dir, sizeof(dir)))
			return ksr_cli_usage("serve", "no --store and neither XDG_STATE_HOME nor HOME is set");
		store_dir = dir;
	}
	if ((token_file && !(g.token = read_token(token_file))) ||
	    (read_token_file && !(g.read_token = read_token(read_token_file))) ||
	    (cert_file && !(cert = read_small(cert_file, "certificate file", PEM_MAX, false, &len))) ||
	    (key_file && !(key = read_small(key_file, "key file", PEM_MAX, true, &len)))) {
		rc = KSR_EXIT_FAIL;
		goto out;
	}
	err = ksr_store_open(store_dir, &st);
	if (err) {
		rc = ksr_cli_fail(store_dir, err);
		goto out;
	}
	if (ksr_service_new(st, g.token, &g.svc)) {
		rc = ksr_cli_usage("serve", "out of memory");
		goto out;
	}
	ksr_service_set_open_max(g.svc, open_max);
	/* the signals that stop it are taken by sigwait() here, in no other thread */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	ksr_cli_want_files(conns + open_max + 256);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1)
		ncpu = 1;
	if ((size_t)ncpu > conns)
		ncpu = (long)conns;   /* each thread of the pool takes its share */
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG |
				     (la.v6 ? MHD_USE_IPv6 : 0) | (cert ? MHD_USE_TLS : 0),
			     0, NULL, NULL, handle, &g,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&la.sa,
			     MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)ncpu,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)conns,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)timeout,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, g.header_max + CONN_MEMORY_EXTRA,
			     MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
			     /* MHD_OPTION_END ends the list early without TLS */
			     cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
			     MHD_OPTION_HTTPS_MEM_KEY, key,
			     MHD_OPTION_END);
	if (!d) {
		rc = ksr_cli_fail(listen, ksr_cli_err(EADDRNOTAVAIL, cert ?
			"cannot listen there (in use? no such address? or the certificate and key "
			"do not load: libmicrohttpd said why above)" :
			"cannot listen there (in use? no such address?)"));
		goto out;
	}
	{
		const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
		char line[PATH_MAX + 300];

		snprintf(line, sizeof(line), "serving the store %s on %s://%s:%u (%ld threads; writes %s; reads %s)",
			 store_dir, cert ? "https" : "http", la.text, info ? info->port : 0, ncpu,
			 g.token ? "need the token" : "open to loopback clients",
			 g.read_token ? "need a token" : "open");
		ksr_cli_stderr_line("status", "ksymres: ", line);
	}
	while (sigwait(&stop, &sig) != 0)
		;
	ksr_cli_stderr_line("status", "ksymres: ", sig == SIGINT ? "stopping (SIGINT)" : "stopping (SIGTERM)");
	MHD_stop_daemon(d);
out:
	ksr_service_free(g.svc);
	ksr_store_close(st);
	free_secret(g.token);
	free_secret(g.read_token);
	free_secret(key);
	free(cert);
	return rc;
}
