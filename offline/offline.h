/* SPDX-License-Identifier: BSD-2-Clause */
/* The offline commands (offline/): each returns the process exit code. They
 * use the shared output (output/) and the library's public API; never
 * live/. */
#ifndef KSR_OFFLINE_H
#define KSR_OFFLINE_H

int ksr_cmd_profile(int argc, char **argv);
int ksr_cmd_inspect(int argc, char **argv);
int ksr_cmd_resolve(int argc, char **argv);
int ksr_cmd_check(int argc, char **argv);

#endif
