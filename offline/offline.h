/* SPDX-License-Identifier: BSD-2-Clause */
/* The offline commands (offline/): each returns the process exit code. They
 * use the shared output (output/) and the library's public API; never
 * live/. */
#ifndef KSR_OFFLINE_H
#define KSR_OFFLINE_H

#include <stdbool.h>
#include <stddef.h>

int ksr_cmd_profile(int argc, char **argv);
int ksr_cmd_inspect(int argc, char **argv);
int ksr_cmd_resolve(int argc, char **argv);
int ksr_cmd_check(int argc, char **argv);
/* against a server (cmd_remote.c) */
int ksr_cmd_push(int argc, char **argv);
int ksr_cmd_profiles(int argc, char **argv);
/* The server check or resolve asks, or NULL to work locally: --server URL;
 * --server '' or --local: none; else KSYMRES_SERVER when the command names
 * stored profiles only (--label, or -p values that are identities, 32
 * lowercase hex digits, and name no file), so a set environment never
 * turns a check of profile files remote. docs/cli.md. */
const char *ksr_remote_choice(const char *server, bool local, const char *const *ids, size_t nids,
			      size_t nl);
int ksr_check_remote(const char *server, const char *token, const char *path,
		     const char *const *ids, size_t nids, const char *const *labels, size_t nl);
int ksr_resolve_remote(const char *server, const char *token, const char *path, const char *id,
		       const char *out);
int ksr_resolve_remote_batch(const char *server, const char *token, const char *path,
			     const char *const *labels, size_t nl, const char *dir);

#endif
