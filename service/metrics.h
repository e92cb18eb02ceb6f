/* SPDX-License-Identifier: BSD-2-Clause */
/* The counters of `ksymres serve`, as GET /metrics shows them (Prometheus
 * text format 0.0.4): requests by route and status, a latency histogram
 * per route, bytes in and out, rejected requests by reason, profiles open.
 * Process-wide C11 atomics: any thread observes, any thread renders. */
#ifndef KSR_METRICS_H
#define KSR_METRICS_H

#include <stdint.h>
#include <stdio.h>

/* One answered request: route (ksr_service_route(), -1 for none), its
 * status, seconds from its first byte to its answer queued, body bytes
 * received and sent. */
void ksr_metrics_observe(int route, int status, double seconds, uint64_t in, uint64_t out);
void ksr_metrics_render(FILE *f, size_t profiles_open);

#endif
