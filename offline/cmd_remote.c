// SPDX-License-Identifier: BSD-2-Clause
/* The offline commands against a server (`ksymres serve`), through the
 * client (remote/): push, profiles, check --server, resolve --server. */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include <ksymres/ksymres.h>

#include "offline.h"
#include "output.h"
#include "remote.h"

#define MAX_ARGS 4096
#define OBJECT_MAX (16u << 20)   /* what the server takes */

static int oom(const char *cmd)
{
	return ksr_cli_usage(cmd, "out of memory");
}

/* The options of push and profiles: --server, --token-file, --cacert,
 * --label (repeated), --release (profiles only), -j, --pretty. Returns 0 or the
 * exit code of a usage error. */
struct client_args {
	const char *server, *token, *release;
	const char *labels[MAX_ARGS];
	size_t nl;
};

static int client_args(int argc, char **argv, const char *cmd, bool release_ok,
		       struct client_args *a)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 'S' },
		{ "token-file", required_argument, NULL, 'T' },
		{ "cacert", required_argument, NULL, 'A' },
		{ "label", required_argument, NULL, 'l' },
		{ "release", required_argument, NULL, 'R' },
		KSR_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":j", opts, NULL)) != -1) {
		switch (c) {
		case 'S': a->server = optarg; break;
		case 'T': a->token = optarg; break;
		case 'A': ksr_remote_set_ca(optarg); break;
		case 'R':
			if (!release_ok)
				return ksr_cli_usage(cmd, "unknown option '%s'", argv[optind - 1]);
			a->release = optarg;
			break;
		case 'l':
			if (a->nl == MAX_ARGS)
				return ksr_cli_usage(cmd, "too many labels");
			a->labels[a->nl++] = optarg;
			break;
		case 'j': case 'P': ksr_output_option(c); break;
		case ':': return ksr_cli_usage(cmd, "option '%s' needs a value", argv[optind - 1]);
		default: return ksr_cli_usage(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	return KSR_EXIT_OK;
}

int ksr_cmd_push(int argc, char **argv)
{
	static struct client_args a;
	struct ksr_remote *r;
	int rc;

	if ((rc = client_args(argc, argv, "push", false, &a)))
		return rc;
	if (optind == argc)
		return ksr_cli_usage("push", "expects at least one PROFILE");
	if ((rc = ksr_remote_open("push", a.server, a.token, &r)))
		return rc;
	for (int i = optind; i < argc; i++) {
		int one = ksr_remote_push(r, argv[i], a.labels, a.nl);

		if (one > rc)
			rc = one;
	}
	ksr_remote_free(r);
	return rc;
}

static void print_table(json_t *doc)
{
	json_t *list = json_object_get(doc, "profiles"), *e;
	size_t i;

	printf("%-32s  %-24s  %-8s  %10s  %s\n", "identity", "release", "arch", "size", "labels");
	json_array_foreach(list, i, e) {
		json_t *labels = json_object_get(e, "labels"), *v;
		const char *k;
		bool first = true;

		printf("%-32s  ", json_string_value(json_object_get(e, "identity")) ?: "?");
		ksr_print_safe_col(stdout, json_string_value(json_object_get(e, "release")) ?: "?",
				   24, 24);
		fputs("  ", stdout);
		ksr_print_safe_col(stdout, json_string_value(json_object_get(e, "arch")) ?: "?", 8, 8);
		printf("  %10lld  ", (long long)json_integer_value(json_object_get(e, "size")));
		json_object_foreach(labels, k, v) {
			if (!first)
				fputc(',', stdout);
			first = false;
			ksr_print_safe(stdout, k);
			fputc('=', stdout);
			ksr_print_safe(stdout, json_string_value(v) ?: "");
		}
		fputc('\n', stdout);
	}
}

int ksr_cmd_profiles(int argc, char **argv)
{
	static struct client_args a;
	struct ksr_remote_resp resp;
	struct ksr_remote *r;
	char *q = NULL, *pq = NULL;
	bool ok = true;
	int rc;

	if ((rc = client_args(argc, argv, "profiles", true, &a)))
		return rc;
	if (optind != argc)
		return ksr_cli_usage("profiles", "takes no arguments");
	for (size_t i = 0; i < a.nl && ok; i++)
		ok = ksr_remote_arg(&q, "label", a.labels[i]);
	if (ok && a.release)
		ok = ksr_remote_arg(&q, "release", a.release);
	if (!ok) {
		free(q);
		return oom("profiles");
	}
	if ((rc = ksr_remote_open("profiles", a.server, a.token, &r))) {
		free(q);
		return rc;
	}
	if (asprintf(&pq, "/v1/profiles%s", q ? q : "") < 0) {
		pq = NULL;
		rc = oom("profiles");
		goto out;
	}
	if ((rc = ksr_remote_call(r, "GET", pq, NULL, 0, NULL, &resp)))
		goto out;
	if (resp.status != 200) {
		rc = ksr_remote_fail(&resp, "profiles");
	} else if (ksr_cli.json) {
		rc = ksr_remote_print(&resp, false);
	} else {
		json_error_t je;
		json_t *doc = json_loadb(resp.body, resp.len, 0, &je);

		if (!doc || !json_is_array(json_object_get(doc, "profiles"))) {
			ksr_cli_error("profiles: the server's answer is not a list of profiles");
			rc = KSR_EXIT_FAIL;
		} else {
			print_table(doc);
		}
		json_decref(doc);
	}
	ksr_remote_resp_clear(&resp);
out:
	ksr_remote_free(r);
	free(pq);
	free(q);
	return rc;
}

/* A stored profile's name: 32 lowercase hex digits (checked here so that
 * the server's 400s are about the object). */
static bool is_identity(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == 32;
}

const char *ksr_remote_choice(const char *server, bool local, const char *const *ids, size_t nids,
			      size_t nl)
{
	const char *env = getenv("KSYMRES_SERVER");
	struct stat sb;

	if (server || local)
		return server && *server ? server : NULL;
	if (!env || !*env || (!nl && !nids))
		return NULL;
	for (size_t i = 0; i < nids; i++)
		if (!is_identity(ids[i]) || stat(ids[i], &sb) == 0)
			return NULL;
	return env;
}

/* The object's bytes, read as the local commands read inputs. */
static int read_object(const char *path, void **data, size_t *len)
{
	int err = ksr_input__read(path, OBJECT_MAX, data, len);

	return err ? ksr_cli_fail(path, err) : KSR_EXIT_OK;
}

int ksr_check_remote(const char *server, const char *token, const char *path,
		     const char *const *ids, size_t nids, const char *const *labels, size_t nl)
{
	struct ksr_remote_resp resp;
	struct ksr_remote *r = NULL;
	char *q = NULL, *pq = NULL;
	void *data = NULL;
	size_t len;
	bool ok = true;
	int rc;

	if (!nids && !nl)
		return ksr_cli_usage("check", "needs -p ID or --label k=v with --server");
	for (size_t i = 0; i < nids; i++)
		if (!is_identity(ids[i]))
			return ksr_cli_usage("check", "-p '%s' is no identity (32 lowercase hex digits)",
					     ids[i]);
	for (size_t i = 0; i < nids && ok; i++)
		ok = ksr_remote_arg(&q, "profile", ids[i]);
	for (size_t i = 0; i < nl && ok; i++)
		ok = ksr_remote_arg(&q, "label", labels[i]);
	ok = ok && ksr_remote_arg(&q, "format", ksr_cli.json ? "json" : "text");
	ok = ok && ksr_remote_arg(&q, "object", path);
	if (ok && ksr_cli.pretty)
		ok = ksr_remote_arg(&q, "pretty", "1");
	if (!ok || asprintf(&pq, "/v1/check%s", q) < 0) {
		free(q);
		return oom("check");
	}
	free(q);
	if ((rc = ksr_remote_open("check", server, token, &r)) ||
	    (rc = read_object(path, &data, &len)))
		goto out;
	if ((rc = ksr_remote_call(r, "POST", pq, data, len, NULL, &resp)))
		goto out;
	if (resp.status != 200 || resp.runnable < 0) {
		rc = ksr_remote_fail(&resp, resp.status == 400 ? path : "check");
	} else {
		rc = ksr_remote_print(&resp, !ksr_cli.json);
		if (!rc)
			rc = resp.runnable ? KSR_EXIT_OK : KSR_EXIT_FAIL;
	}
	ksr_remote_resp_clear(&resp);
out:
	ksr_remote_free(r);
	free(data);
	free(pq);
	return rc;
}

/* POST the object to /v1/resolve?profile=id: 0 and the patched object
 * written to out, else an exit code (the report of a 422 in *resp). */
static int resolve_one(struct ksr_remote *r, const char *path, const void *data, size_t len,
		       const char *id, const char *out, struct ksr_remote_resp *resp)
{
	char *pq = NULL;
	int rc, err;

	if (asprintf(&pq, "/v1/resolve?profile=%s", id) < 0)
		return oom("resolve");
	rc = ksr_remote_call(r, "POST", pq, data, len, "application/octet-stream", resp);
	free(pq);
	if (rc)
		return rc;
	if (resp->status == 200) {
		/* the patched object: written as the local resolve writes it */
		err = ksr_output__write(out, resp->body, resp->len);
		return err ? ksr_cli_fail(out, err) : KSR_EXIT_OK;
	}
	if (resp->status == 422)
		return KSR_EXIT_FAIL;
	return ksr_remote_fail(resp, resp->status == 400 ? path : "resolve");
}

/* --label k=v... --out-dir DIR: one output per matching profile,
 * DIR/<identity>/<object's name>, as the local batch names the outputs of
 * the store's files (<identity>.profile). */
int ksr_resolve_remote_batch(const char *server, const char *token, const char *path,
			     const char *const *labels, size_t nl, const char *dir)
{
	struct ksr_remote_resp resp = { 0 };
	struct ksr_remote *r = NULL;
	char *q = NULL, *pq = NULL;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	json_t *doc = NULL, *e;
	void *data = NULL;
	size_t len, i, n = 0, failed = 0;
	bool ok = true;
	int rc;

	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return ksr_cli_usage("resolve", "object '%s' gives no usable output name", path);
	for (size_t k = 0; k < nl && ok; k++)
		ok = ksr_remote_arg(&q, "label", labels[k]);
	if (!ok || asprintf(&pq, "/v1/profiles%s", q ? q : "") < 0) {
		free(q);
		return oom("resolve");
	}
	free(q);
	if ((rc = ksr_remote_open("resolve", server, token, &r)) ||
	    (rc = read_object(path, &data, &len)) ||
	    (rc = ksr_remote_call(r, "GET", pq, NULL, 0, NULL, &resp)))
		goto out;
	if (resp.status != 200) {
		rc = ksr_remote_fail(&resp, "resolve");
		goto out;
	}
	doc = json_loadb(resp.body, resp.len, 0, NULL);
	ksr_remote_resp_clear(&resp);
	if (!doc || !json_is_array(json_object_get(doc, "profiles"))) {
		ksr_cli_error("resolve: the server's answer is not a list of profiles");
		rc = KSR_EXIT_FAIL;
		goto out;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		rc = ksr_cli_fail(dir, ksr_cli_err(errno, "cannot create the directory: %s",
						   strerror(errno)));
		goto out;
	}
	json_array_foreach(json_object_get(doc, "profiles"), i, e) {
		const char *id = json_string_value(json_object_get(e, "identity"));
		char pdir[PATH_MAX], out[PATH_MAX];
		int one;

		if (!id || !is_identity(id)) {
			ksr_cli_error("resolve: the server listed a profile without an identity");
			rc = KSR_EXIT_FAIL;
			goto out;
		}
		snprintf(pdir, sizeof(pdir), "%s/%s", dir, id);
		if (snprintf(out, sizeof(out), "%s/%s", pdir, base) >= (int)sizeof(out)) {
			rc = ksr_cli_usage("resolve", "output path too long");
			goto out;
		}
		if (mkdir(pdir, 0755) < 0 && errno != EEXIST) {
			rc = ksr_cli_fail(pdir, ksr_cli_err(errno, "cannot create the directory: %s",
							    strerror(errno)));
			goto out;
		}
		n++;
		one = resolve_one(r, path, data, len, id, out, &resp);
		ksr_remote_resp_clear(&resp);
		if (one == KSR_EXIT_OK || one == KSR_EXIT_FAIL) {
			if (!ksr_cli.json) {
				printf("%-6s ", one ? "FAILED" : "ok");
				ksr_print_safe(stdout, out);
				fputs(one ? ": not runnable\n" : "\n", stdout);
			}
			failed += one != KSR_EXIT_OK;
		} else {
			rc = one;
			goto out;
		}
	}
	if (!n) {
		ksr_cli_error("resolve: no stored profile has these labels");
		rc = KSR_EXIT_FAIL;
	} else {
		if (!ksr_cli.json)
			printf("%zu of %zu pairs resolved\n", n - failed, n);
		rc = failed ? KSR_EXIT_FAIL : KSR_EXIT_OK;
	}
out:
	json_decref(doc);
	ksr_remote_resp_clear(&resp);
	ksr_remote_free(r);
	free(data);
	free(pq);
	return rc;
}

int ksr_resolve_remote(const char *server, const char *token, const char *path, const char *id,
		       const char *out)
{
	struct ksr_remote_resp resp = { 0 };
	struct ksr_remote *r = NULL;
	void *data = NULL;
	size_t len;
	int rc;

	if (!is_identity(id))
		return ksr_cli_usage("resolve", "-p '%s' is no identity (32 lowercase hex digits)", id);
	if ((rc = ksr_remote_open("resolve", server, token, &r)) ||
	    (rc = read_object(path, &data, &len)))
		goto out;
	rc = resolve_one(r, path, data, len, id, out, &resp);
	if (rc == KSR_EXIT_OK && !ksr_cli.json) {
		fputs("wrote ", stdout);
		ksr_print_safe(stdout, out);
		printf(": resolved against %s by %s\n", id, ksr_remote_url(r));
	} else if (rc == KSR_EXIT_FAIL && resp.status == 422) {
		/* not runnable: the report of resolve -j, as the server gives it */
		if (ksr_remote_print(&resp, false))
			rc = KSR_EXIT_FAIL;
	}
	ksr_remote_resp_clear(&resp);
out:
	ksr_remote_free(r);
	free(data);
	return rc;
}
