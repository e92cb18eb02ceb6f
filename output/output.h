/* SPDX-License-Identifier: BSD-2-Clause */
/* The shared output layer of the ksymres commands (output/): exit codes,
 * error reporting, the common output options, JSON and text reports. It
 * sits between the commands (offline/, live/, later service/) and the
 * library, of which it and the commands see only the public API
 * (<ksymres/ksymres.h>); nothing above it. */
#ifndef KSR_OUTPUT_H
#define KSR_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <getopt.h>
#include <stdio.h>

enum ksr_exit {
	KSR_EXIT_OK = 0,
	KSR_EXIT_FAIL = 1,      /* cannot resolve / load as asked */
	KSR_EXIT_USAGE = 2,
	KSR_EXIT_MALFORMED = 3,
};

struct ksr_cli {
	bool json;
	bool pretty;
};

extern struct ksr_cli ksr_cli;

/* The output options every command takes: -j/--json, --pretty. Put
 * KSR_OUTPUT_LONGOPTS in the getopt_long table ('j' in the short options)
 * and hand 'j' and 'P' to ksr_output_option(). */
#define KSR_OUTPUT_LONGOPTS { "json", no_argument, NULL, 'j' }, { "pretty", no_argument, NULL, 'P' }
void ksr_output_option(int c);

/* One error line on stderr: "ksymres: msg", or {"error": msg} in -j mode. */
void ksr_cli_error(const char *msg);
/* Prints one line on stderr (a JSON object in -j mode) and returns the exit
 * code: usage errors exit 2, other messages carry the code of err. */
int ksr_cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reports a failed call about file: "-EBADMSG" means exit 3, anything else
 * exit 1. The message is ksr_cli_errmsg(); _msg prints what instead. */
int ksr_cli_fail(const char *file, int err);
int ksr_cli_fail_msg(const char *file, int err, const char *what);
/* A failure of the command layer itself (a read it does, a check of its
 * own, context added to a library message): sets the message the next
 * ksr_cli_fail() prints (at most 512 bytes, as the library's) and returns
 * -errnum. fmt may quote ksr_cli_errmsg(). */
int ksr_cli_err(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The message of the last failure: ksr_cli_err()'s until ksr_cli_fail()
 * reports it, else the library's ksr_errmsg(). */
const char *ksr_cli_errmsg(void);
/* One line on stderr: prefix and msg, or {"key": msg} in -j mode. */
void ksr_cli_stderr_line(const char *key, const char *prefix, const char *msg);
/* Exit code for a library error. */
int ksr_cli_exit_for(int err);
/* Lean profiles keep their file open: before opening n of them at once,
 * raise the soft limit on open files towards the hard one (best effort; a
 * limit too low still fails with "Too many open files"). */
void ksr_cli_want_files(size_t n);

/* Minimal JSON emitter on stdout; strings are escaped (names are untrusted). */
struct ksr_json {
	FILE *f;
	int depth;
	bool first;
	bool pretty;
	bool after_key;
};
void ksr_json_init(struct ksr_json *j, FILE *f, bool pretty);
void ksr_json_obj_open(struct ksr_json *j);
void ksr_json_obj_close(struct ksr_json *j);
void ksr_json_arr_open(struct ksr_json *j);
void ksr_json_arr_close(struct ksr_json *j);
void ksr_json_key(struct ksr_json *j, const char *key);
void ksr_json_str(struct ksr_json *j, const char *s);
void ksr_json_u64(struct ksr_json *j, uint64_t v);
void ksr_json_int(struct ksr_json *j, int64_t v);
void ksr_json_bool(struct ksr_json *j, bool v);
void ksr_json_hex(struct ksr_json *j, uint64_t v);
void ksr_json_end(struct ksr_json *j);

/* Writes s to f with non-printable bytes escaped as \xNN (terminal safety).
 * Every string that comes from an input (names, sections, releases, paths,
 * messages quoting input bytes) goes to text output through one of these. */
void ksr_print_safe(FILE *f, const char *s);
/* The same for multi-line text (libbpf's and the verifier's messages):
 * line feeds stay line feeds. */
void ksr_print_safe_lines(FILE *f, const char *s);
/* The same in a column: at most max bytes of the escaped form (never half
 * an escape), then spaces up to width (printf's "%-width.maxs" for the
 * escaped string). */
void ksr_print_safe_col(FILE *f, const char *s, size_t width, size_t max);

/* "var", "typeless" or "func". */
const char *ksr_kind_str(int kind);


#endif
