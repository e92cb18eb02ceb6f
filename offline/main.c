// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "error.h"
#include "fileio.h"
#include "ksymres/ksymres.h"

struct ksr_cli ksr_cli;

static const char usage_text[] =
	"Usage: ksymres COMMAND [OPTIONS]\n"
	"Resolve the __ksym externs of BPF objects offline, against kernel profiles.\n"
	"\n"
	"  capture -o PROFILE                         profile of the running kernel\n"
	"  profile --btf FILE --kallsyms FILE [--release STR] [--arch ARCH] -o PROFILE\n"
	"                                             profile from artifacts\n"
	"  profile --info PROFILE [-j]                what a profile describes\n"
	"  profile --from OLD -o PROFILE              convert a version 1 profile\n"
	"  inspect OBJECT [-j]                        list the externs of an object\n"
	"  resolve OBJECT -p PROFILE -o OUTPUT [-j]   resolve and write a patched object\n"
	"  resolve OBJECT... -p PROFILE... --out-dir DIR [-j]\n"
	"                                             every object against every profile\n"
	"  check OBJECT -p PROFILE [-p PROFILE...] [-j]\n"
	"                                             which kernels can run the object\n"
	"  load OBJECT [--pin DIR] [--run [--data-in FILE] [--repeat N]]\n"
	"       [--reresolve|--force] [-j]            check the host, rebase, load, pin, test-run\n"
	"\n"
	"Common options: -j/--json  JSON output;  --pretty  indented JSON;  -h/--help\n"
	"Exit codes: 0 ok, 1 cannot do as asked, 2 usage error, 3 malformed input.\n"
	"See ksymres(8) and docs/cli.md.\n";

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

static void emit_error(const char *msg)
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
	emit_error(msg);
	return KSR_EXIT_USAGE;
}

int ksr_cli_exit_for(int err)
{
	return err == -KSR_EMALFORMED ? KSR_EXIT_MALFORMED : KSR_EXIT_FAIL;
}

int ksr_cli_fail(const char *file, int err)
{
	char msg[1024];

	snprintf(msg, sizeof(msg), "%s: %s", file, ksr_errmsg());
	emit_error(msg);
	return ksr_cli_exit_for(err);
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

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "capture", ksr_cmd_capture },
	{ "profile", ksr_cmd_profile },
	{ "inspect", ksr_cmd_inspect },
	{ "resolve", ksr_cmd_resolve },
	{ "check", ksr_cmd_check },
	{ "load", ksr_cmd_load },
};

/* A report that did not reach stdout (a full disk, /dev/full, a closed
 * pipe) is a failure: stdout is flushed and closed here, and checked. */
static int finish_stdout(int rc)
{
	bool bad = ferror(stdout);
	int e = 0;

	if (fflush(stdout) != 0) {
		bad = true;
		e = errno;
	}
	if (fclose(stdout) != 0 && !bad) {
		bad = true;
		e = errno;
	}
	if (!bad)
		return rc;
	{
		char msg[256];

		snprintf(msg, sizeof(msg), "stdout: write error%s%s", e ? ": " : "",
			 e ? strerror(e) : "");
		emit_error(msg);
	}
	return rc == KSR_EXIT_OK ? KSR_EXIT_FAIL : rc;
}

static int run_command(int argc, char **argv)
{
	if (argc < 2)
		return ksr_cli_usage(NULL, "no command given");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		fputs(usage_text, stdout);
		return KSR_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("ksymres %d.%d\n", KSYMRES_VERSION_MAJOR, KSYMRES_VERSION_MINOR);
		return KSR_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	return ksr_cli_usage(NULL, "unknown command '%s'", argv[1]);
}

int main(int argc, char **argv)
{
	/* the output policy refuses to replace an input; a signal removes
	 * the temporary files being written (core/fileio.h) */
	ksr_io_track_inputs(true);
	ksr_io_remove_temps_on_signals();
	return finish_stdout(run_command(argc, argv));
}
