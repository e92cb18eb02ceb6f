/* SPDX-License-Identifier: BSD-2-Clause */
/* The client of `ksymres serve` (remote/): one libcurl handle per process
 * (keep-alive across requests, TLS verification on), the server and token
 * from options or KSYMRES_SERVER / KSYMRES_TOKEN_FILE / KSYMRES_CA_FILE,
 * HTTP statuses mapped to the CLI's exit codes. Used by the offline commands (push, profiles,
 * check/resolve --server) and the live ones (capture --push); it sees the
 * output layer and the library's public header only. */
#ifndef KSR_REMOTE_H
#define KSR_REMOTE_H

#include <stdbool.h>
#include <stddef.h>

struct ksr_remote;

struct ksr_remote_resp {
	long status;
	char *body;          /* malloc()ed, NUL-terminated, len bytes */
	size_t len;
	int runnable;        /* X-Ksymres-Runnable: 1 yes, 0 no, -1 absent */
};

/* url/token_file: the options, or NULL for the environment's. Returns an
 * exit code (0, or 2 without a server, 1 for an unreadable token file),
 * having said why on stderr. */
int ksr_remote_open(const char *cmd, const char *url, const char *token_file,
		    struct ksr_remote **out);
void ksr_remote_free(struct ksr_remote *r);
/* --cacert FILE: the CA certificates (PEM) an https:// server's certificate
 * is verified against instead of the system's, for the ksr_remote_open()
 * calls after it; NULL or "": KSYMRES_CA_FILE, else the system's.
 * Verification itself is never turned off. */
void ksr_remote_set_ca(const char *file);
/* method on the server's path_query (begins with '/'); body may be NULL.
 * Returns 0, or an exit code (1) when the server could not be reached,
 * having said so in one line. */
int ksr_remote_call(struct ksr_remote *r, const char *method, const char *path_query,
		    const void *body, size_t len, const char *accept,
		    struct ksr_remote_resp *resp);
void ksr_remote_resp_clear(struct ksr_remote_resp *resp);
/* An answer that is not 2xx: its {"error": msg} on stderr as "ksymres:
 * what: msg" and the CLI's exit code for its status (400 -> 3, 2xx -> 0,
 * others -> 1). */
int ksr_remote_fail(const struct ksr_remote_resp *resp, const char *what);
int ksr_remote_exit_for(long status);
/* Appends "&key=<escaped value>" (the first one with '?') to a
 * query being built in *q (malloc()ed; NULL to begin). false: no memory. */
bool ksr_remote_arg(char **q, const char *key, const char *value);
/* PUT /v1/profiles with the file at path and the labels "k=v"; prints
 * "pushed PATH: IDENTITY (new|known)" and returns an exit code. */
int ksr_remote_push(struct ksr_remote *r, const char *path, const char *const *labels,
		    size_t nlabels);
/* Writes an answer's body to stdout as the local command would print it,
 * after checking it holds only what that command prints: printable ASCII
 * and line feeds (text), or no control character but the line feed
 * (JSON: its strings escape them). A server's answer is not trusted with
 * the terminal: otherwise one line on stderr and exit 1. */
int ksr_remote_print(const struct ksr_remote_resp *resp, bool text);
/* The server's base URL, as given. */
const char *ksr_remote_url(const struct ksr_remote *r);

#endif
