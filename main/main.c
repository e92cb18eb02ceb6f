// SPDX-License-Identifier: BSD-2-Clause
/* The dispatcher: usage, the command table, and stdout checked at exit.
 * The top layer: it includes the commands (offline/, live/) and the shared
 * output (output/); nothing includes it.
 *
 * Built twice: as `ksymres`, and with KSR_SERVICE_BINARY as
 * `ksymres-serve`, which holds `serve` and `store`. Their libraries
 * (libmicrohttpd with GnuTLS, SQLite) cost every process that links them
 * about 6 ms at start, so `ksymres` does not: it runs ksymres-serve in its
 * place (exec: the same process id, so signals and systemd see one
 * process) for those two commands. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <ksymres/ksymres.h>

#include "live.h"
#include "offline.h"
#include "output.h"
#include "service.h"

static const char usage_text[] =
	"Usage: ksymres COMMAND [OPTIONS]\n"
	"Resolve the __ksym externs of BPF objects offline, against kernel profiles.\n"
	"\n"
	"  capture -o PROFILE                         profile of the running kernel\n"
	"  capture -o PROFILE --push URL [--label K=V]... [--token-file F]\n"
	"                                             ... and store it on a server\n"
	"  profile --btf FILE --kallsyms FILE [--release STR] [--arch ARCH] [--modules DIR]\n"
	"          [--config FILE] -o PROFILE         profile from artifacts\n"
	"  profile --info PROFILE [-j]                what a profile describes\n"
	"  profile --from OLD -o PROFILE              convert a version 1 profile\n"
	"  inspect OBJECT [-j]                        list the externs of an object\n"
	"  resolve OBJECT -p PROFILE -o OUTPUT [-j]   resolve and write a patched object\n"
	"  resolve OBJECT... -p PROFILE... --out-dir DIR [--local] [-j]\n"
	"                                             every object against every profile\n"
	"          [--kconfig keep|bake]              (both) bake: .kconfig values into the output\n"
	"  check OBJECT -p PROFILE [-p PROFILE...] [--local] [-j]\n"
	"                                             which kernels can run the object\n"
	"  load OBJECT [--pin DIR] [--run [--data-in FILE] [--repeat N]]\n"
	"       [--reresolve|--force] [-v] [-j]       check the host, rebase, load, pin, test-run\n"
	"  check OBJECT --server URL (-p ID | --label K=V)... [--token-file F] [--cacert F] [-j]\n"
	"  resolve OBJECT --server URL (-p ID -o OUTPUT | --label K=V --out-dir DIR)\n"
	"       [--token-file F] [--cacert F] [-j]\n"
	"                                             the same, by a server (ksymres serve)\n"
	"  push PROFILE... --server URL [--label K=V]... [--token-file F]\n"
	"                                             store profiles on a server\n"
	"  profiles --server URL [--label K=V]... [--release R] [-j]\n"
	"                                             the profiles a server stores\n"
	"  serve [--store DIR] [--listen ADDR:PORT] [--token-file F] [--read-token-file F]\n"
	"        [--tls-cert F --tls-key F] [--max-object-size N] [--max-profile-size N]\n"
	"        [--max-header-size N] [--max-connections N] [--conn-timeout S] [--open-profiles N]\n"
	"                                             the profile store over HTTP (docs/service.md)\n"
	"  store reindex DIR | store fsck DIR         rebuild or check a store's catalogue\n"
	"\n"
	"Common options: -j/--json  JSON output;  --pretty  indented JSON;  -h/--help\n"
	"Short forms: -p/--profile  -o/--output  -v/--verbose\n"
	"Exit codes: 0 ok, 1 cannot do as asked, 2 usage error, 3 malformed input.\n"
	"See ksymres(8) and docs/cli.md.\n";

#ifdef KSR_SERVICE_BINARY
static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "serve", ksr_cmd_serve },
	{ "store", ksr_cmd_store },
};
#else
/* `serve` and `store`: ksymres-serve beside this binary (the build tree),
 * else in the libexec directory of the install (KSR_LIBEXEC_FROM_BIN,
 * relative to the binary's directory). argv[0] is the command. */
static int run_service(int argc, char **argv)
{
	static const char *const where[] = { "", "/" KSR_LIBEXEC_FROM_BIN };
	char self[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char **args = calloc((size_t)argc + 2, sizeof(*args));
	char *slash;

	if (n <= 0 || !args) {
		free(args);
		return ksr_cli_usage(argv[0], "cannot find this program's own path (/proc/self/exe)");
	}
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	args[0] = "ksymres-serve";
	for (int i = 0; i < argc; i++)
		args[i + 1] = argv[i];
	fflush(NULL);
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		snprintf(path, sizeof(path), "%s%s/ksymres-serve", self, where[i]);
		execv(path, args);
	}
	free(args);
	return ksr_cli_fail(argv[0], ksr_cli_err(ENOENT, "ksymres-serve, which runs it, is neither beside "
						 "%s/ksymres nor in %s/%s", self, self, KSR_LIBEXEC_FROM_BIN));
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
	{ "push", ksr_cmd_push },
	{ "profiles", ksr_cmd_profiles },
	{ "serve", run_service },
	{ "store", run_service },
};
#endif

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
		ksr_cli_error(msg);
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
	 * the temporary files being written (ksr_io__configure()) */
	struct ksr_io_opts io = {
		.sz = sizeof(io), .track_inputs = true, .remove_temps_on_signals = true,
	};

	ksr_io__configure(&io);
	return finish_stdout(run_command(argc, argv));
}
