// SPDX-License-Identifier: BSD-2-Clause
/* GET /metrics (metrics.h). */
#include <stdatomic.h>
#include <stddef.h>

#include "metrics.h"
#include "routes.h"

#define ROUTES (KSR_ROUTE_COUNT + 1)   /* the last: no route (404) */

static const int statuses[] = { 200, 201, 400, 401, 404, 405, 413, 422, 431, 500, 503 };
#define STATUSES (sizeof(statuses) / sizeof(statuses[0]) + 1)   /* the last: any other */

/* seconds; the last bucket, +Inf, is the count */
static const double bounds[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
				 0.5, 1, 2.5, 10 };
#define BUCKETS (sizeof(bounds) / sizeof(bounds[0]))

/* rejections: the answers that refuse a request */
static const struct { int status; const char *reason; } rejects[] = {
	{ 400, "bad_request" }, { 401, "unauthorized" }, { 404, "not_found" },
	{ 405, "method_not_allowed" }, { 413, "body_too_large" }, { 431, "headers_too_large" },
};

static atomic_ullong requests[ROUTES][STATUSES];
static atomic_ullong hist[ROUTES][BUCKETS];
static atomic_ullong hist_count[ROUTES];
static atomic_ullong hist_sum_ns[ROUTES];
static atomic_ullong bytes_in, bytes_out;

static size_t status_slot(int status)
{
	for (size_t i = 0; i < STATUSES - 1; i++)
		if (statuses[i] == status)
			return i;
	return STATUSES - 1;
}

void ksr_metrics_observe(int route, int status, double seconds, uint64_t in, uint64_t out)
{
	size_t r = route >= 0 && route < KSR_ROUTE_COUNT ? (size_t)route : ROUTES - 1;

	if (seconds < 0)
		seconds = 0;
	atomic_fetch_add_explicit(&requests[r][status_slot(status)], 1, memory_order_relaxed);
	for (size_t b = 0; b < BUCKETS; b++)
		if (seconds <= bounds[b]) {
			atomic_fetch_add_explicit(&hist[r][b], 1, memory_order_relaxed);
			break;
		}
	atomic_fetch_add_explicit(&hist_count[r], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&hist_sum_ns[r], (unsigned long long)(seconds * 1e9),
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&bytes_in, in, memory_order_relaxed);
	atomic_fetch_add_explicit(&bytes_out, out, memory_order_relaxed);
}

static unsigned long long get(atomic_ullong *a)
{
	return atomic_load_explicit(a, memory_order_relaxed);
}

static void labels(FILE *f, size_t r)
{
	if (r < KSR_ROUTE_COUNT)
		fprintf(f, "method=\"%s\",route=\"%s\"", ksr_routes[r].method, ksr_routes[r].path);
	else
		fputs("method=\"\",route=\"none\"", f);
}

void ksr_metrics_render(FILE *f, size_t profiles_open)
{
	fputs("# HELP ksymres_http_requests_total Requests answered, by route and status.\n"
	      "# TYPE ksymres_http_requests_total counter\n", f);
	for (size_t r = 0; r < ROUTES; r++)
		for (size_t s = 0; s < STATUSES; s++) {
			unsigned long long v = get(&requests[r][s]);

			if (!v)
				continue;
			fputs("ksymres_http_requests_total{", f);
			labels(f, r);
			if (s < STATUSES - 1)
				fprintf(f, ",status=\"%d\"} %llu\n", statuses[s], v);
			else
				fprintf(f, ",status=\"other\"} %llu\n", v);
		}
	fputs("# HELP ksymres_http_request_duration_seconds From a request's first byte to its answer queued.\n"
	      "# TYPE ksymres_http_request_duration_seconds histogram\n", f);
	for (size_t r = 0; r < ROUTES; r++) {
		unsigned long long cum = 0, n = get(&hist_count[r]);

		if (!n)
			continue;
		for (size_t b = 0; b < BUCKETS; b++) {
			cum += get(&hist[r][b]);
			fputs("ksymres_http_request_duration_seconds_bucket{", f);
			labels(f, r);
			fprintf(f, ",le=\"%g\"} %llu\n", bounds[b], cum);
		}
		fputs("ksymres_http_request_duration_seconds_bucket{", f);
		labels(f, r);
		fprintf(f, ",le=\"+Inf\"} %llu\n", n);
		fputs("ksymres_http_request_duration_seconds_sum{", f);
		labels(f, r);
		fprintf(f, "} %.9f\n", (double)get(&hist_sum_ns[r]) / 1e9);
		fputs("ksymres_http_request_duration_seconds_count{", f);
		labels(f, r);
		fprintf(f, "} %llu\n", n);
	}
	fputs("# HELP ksymres_http_rejected_total Requests refused, by reason.\n"
	      "# TYPE ksymres_http_rejected_total counter\n", f);
	for (size_t k = 0; k < sizeof(rejects) / sizeof(rejects[0]); k++) {
		unsigned long long v = 0;
		size_t s = status_slot(rejects[k].status);

		for (size_t r = 0; r < ROUTES; r++)
			v += get(&requests[r][s]);
		fprintf(f, "ksymres_http_rejected_total{reason=\"%s\",status=\"%d\"} %llu\n",
			rejects[k].reason, rejects[k].status, v);
	}
	fprintf(f, "# HELP ksymres_http_received_bytes_total Request body bytes received.\n"
		"# TYPE ksymres_http_received_bytes_total counter\n"
		"ksymres_http_received_bytes_total %llu\n"
		"# HELP ksymres_http_sent_bytes_total Response body bytes sent.\n"
		"# TYPE ksymres_http_sent_bytes_total counter\n"
		"ksymres_http_sent_bytes_total %llu\n"
		"# HELP ksymres_profiles_open Profiles kept open.\n"
		"# TYPE ksymres_profiles_open gauge\n"
		"ksymres_profiles_open %zu\n",
		get(&bytes_in), get(&bytes_out), profiles_open);
}
