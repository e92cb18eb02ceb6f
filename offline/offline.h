/* SPDX-License-Identifier: BSD-2-Clause */
/* The offline commands (offline/): each returns the process exit code. They
 * use the shared output (output/) and the library's public API; never
 * live/. */
#ifndef KSR_OFFLINE_H
#define KSR_OFFLINE_H

#include <stddef.h>

int ksr_cmd_profile(int argc, char **argv);
int ksr_cmd_inspect(int argc, char **argv);
int ksr_cmd_resolve(int argc, char **argv);
int ksr_cmd_check(int argc, char **argv);
/* against a server (cmd_remote.c) */
int ksr_cmd_push(int argc, char **argv);
int ksr_cmd_profiles(int argc, char **argv);
int ksr_check_remote(const char *server, const char *token, const char *path,
		     const char *const *ids, size_t nids, const char *const *labels, size_t nl);
int ksr_resolve_remote(const char *server, const char *token, const char *path, const char *id,
		       const char *out);
int ksr_resolve_remote_batch(const char *server, const char *token, const char *path,
			     const char *const *labels, size_t nl, const char *dir);

#endif
