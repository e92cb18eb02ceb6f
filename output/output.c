// SPDX-License-Identifier: BSD-2-Clause
/* Shared output of every command: errors on stderr, exit codes, escaping
 * of input-derived strings in text output. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "ksymres/ksymres.h"
#include "output.h"

struct ksr_cli ksr_cli;

void ksr_output_option(int c)
{
	if (c == 'j')
		ksr_cli.json = true;
	else if (c == 'P')
		ksr_cli.pretty = true;
}

void ksr_cli_stderr_line(const char *key, const char *prefix, const char *msg)
{
	if (ksr_cli.json) {
		struct ksr_json j;

		ksr_json_init(&j, stderr, false);
		ksr_json_obj_open(&j);
		ksr_json_key(&j, key);
		ksr_json_str(&j, msg);
		ksr_json_obj_close(&j);
		ksr_json_end(&j);
	} else {
		fputs(prefix, stderr);
		ksr_print_safe(stderr, msg);
		fputc('\n', stderr);
	}
}

void ksr_cli_error(const char *msg)
{
	ksr_cli_stderr_line("error", "ksymres: ", msg);
}

int ksr_cli_usage(const char *cmd, const char *fmt, ...)
{
	char msg[512];
	int n = 0;
	va_list ap;

	if (cmd)
		n = snprintf(msg, sizeof(msg), "%s: ", cmd);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	strncat(msg, " (see 'ksymres --help')", sizeof(msg) - strlen(msg) - 1);
	ksr_cli_error(msg);
	return KSR_EXIT_USAGE;
}

int ksr_cli_exit_for(int err)
{
	return err == -EBADMSG ? KSR_EXIT_MALFORMED : KSR_EXIT_FAIL;
}

/* The command layer's own message, as long as the library's (512 bytes). */
static _Thread_local char cli_msg[512];
static _Thread_local bool cli_msg_set;

int ksr_cli_err(int errnum, const char *fmt, ...)
{
	char msg[sizeof(cli_msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap); /* fmt may quote cli_msg */
	va_end(ap);
	memcpy(cli_msg, msg, sizeof(cli_msg));
	cli_msg_set = true;
	return -errnum;
}

const char *ksr_cli_errmsg(void)
{
	return cli_msg_set ? cli_msg : ksr_errmsg();
}

int ksr_cli_fail_msg(const char *file, int err, const char *what)
{
	char msg[1024];

	snprintf(msg, sizeof(msg), "%s: %s", file, what);
	cli_msg_set = false;
	ksr_cli_error(msg);
	return ksr_cli_exit_for(err);
}

int ksr_cli_fail(const char *file, int err)
{
	return ksr_cli_fail_msg(file, err, ksr_cli_errmsg());
}

void ksr_cli_want_files(size_t n)
{
	/* stdio, the objects, outputs and whatever else is open */
	rlim_t want = (rlim_t)n + 64;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
}

/* The one rule for text output: printable ASCII as is, every other byte
 * (control characters, ESC, DEL, bytes >= 0x80) as \xNN. Writes the escaped
 * form of *s into out (at least 5 bytes), returns its length. */
static size_t safe_byte(unsigned char c, char out[5])
{
	if (c < 0x20 || c >= 0x7f) {
		snprintf(out, 5, "\\x%02x", c);
		return 4;
	}
	out[0] = (char)c;
	out[1] = '\0';
	return 1;
}

void ksr_print_safe(FILE *f, const char *s)
{
	char e[5];

	for (; *s; s++)
		fwrite(e, 1, safe_byte((unsigned char)*s, e), f);
}

void ksr_print_safe_lines(FILE *f, const char *s)
{
	char e[5];

	for (; *s; s++) {
		if (*s == '\n')
			fputc('\n', f);
		else
			fwrite(e, 1, safe_byte((unsigned char)*s, e), f);
	}
}

void ksr_print_safe_col(FILE *f, const char *s, size_t width, size_t max)
{
	size_t used = 0;
	char e[5];

	for (; *s; s++) {
		size_t n = safe_byte((unsigned char)*s, e);

		if (used + n > max)
			break;
		fwrite(e, 1, n, f);
		used += n;
	}
	for (; used < width; used++)
		fputc(' ', f);
}
