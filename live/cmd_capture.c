// SPDX-License-Identifier: BSD-2-Clause
/* ksymres capture -o PROFILE: a profile of the running kernel.
 *
 * The kernel needs ~30 ms of CPU to produce /proc/kallsyms (it formats
 * every line on read, one page per read() call); nearly everything else
 * overlaps with that:
 *   reader thread: reads /proc/kallsyms through one 256 KiB window,
 *                  parses the complete lines every 64 KiB as they arrive,
 *                  and at the end sorts and indexes them;
 *   main thread:   maps or reads the BTF, validates it in place, writes the BTF
 *                  sections of the profile and starts their write-back;
 *                  then joins the reader, writes the kallsyms sections,
 *                  frees what it can while they go to disk, fsyncs and
 *                  renames.
 * Errors are reported in the order of the sequential version: reading the
 * BTF, reading kallsyms, the BTF, the kallsyms text, the output. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <ksymres/ksymres.h>

#include "live.h"
#include "output.h"
#include "remote.h"

/* ---- the reader thread ---------------------------------------------------- */

/* One window, reused: parsed while it is still in the cache, and 5 MB of
 * text never become fresh pages (~0.5 ms per MB to fault in here). */
#define WINDOW (256u << 10)
#define MAX_LABELS 64           /* what the store keeps per profile */
#define FEED_EVERY (64u << 10)   /* bytes read between two parsing steps */

/* a feed of FEED_EVERY bytes parses a line or fails: the window never fills */
_Static_assert(FEED_EVERY >= KSR_KALLSYMS_LINE_MAX && FEED_EVERY < WINDOW, "window sizes");

struct reader {
	const char *path;
	char *buf;                  /* WINDOW bytes */
	size_t have;                /* bytes in buf not parsed yet */
	size_t total;               /* bytes read */
	struct ksr_kallsyms_stream *st;
	struct ksr_kallsyms *ks;    /* the result */
	int read_err, parse_err;    /* as ksr_input__read() and the parser report them */
	char read_msg[512], parse_msg[512];
	atomic_bool stop;           /* the main thread gave up */
};

/* Parses the complete lines in buf and keeps the rest at its front. */
static void parse_step(struct reader *r)
{
	size_t used;

	if (r->parse_err) { /* the error is sticky: the rest is only read */
		r->have = 0;
		return;
	}
	r->parse_err = ksr_kallsyms_stream__feed(r->st, r->buf, r->have, &used);
	if (r->parse_err) {
		snprintf(r->parse_msg, sizeof(r->parse_msg), "%s", ksr_errmsg());
		r->have = 0;
		return;
	}
	memmove(r->buf, r->buf + used, r->have - used);
	r->have -= used;
}

static void parse_last(struct reader *r)
{
	if (!r->parse_err) {
		r->parse_err = ksr_kallsyms_stream__finish(r->st, r->buf, r->have, &r->ks);
		if (r->parse_err)
			snprintf(r->parse_msg, sizeof(r->parse_msg), "%s", ksr_errmsg());
	} else {
		ksr_kallsyms_stream__free(r->st);
	}
	r->st = NULL;
}

/* Fails with the message in r->read_msg. */
static int read_fail(struct reader *r, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int read_fail(struct reader *r, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->read_msg, sizeof(r->read_msg), fmt, ap);
	va_end(ap);
	return -errnum;
}

static int read_all(struct reader *r)
{
	int fd = ksr_input__open(r->path, KSR_INPUT_MAX);

	if (fd < 0)
		return read_fail(r, -fd, "%s", ksr_errmsg());
	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		ssize_t n;

		if (r->have == WINDOW) { /* cannot happen (see FEED_EVERY); never read 0 bytes */
			close(fd);
			return read_fail(r, EBADMSG, "line longer than %u bytes", WINDOW);
		}
		n = read(fd, r->buf + r->have, WINDOW - r->have);

		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			close(fd);
			return read_fail(r, e, "read error: %s", strerror(e));
		}
		if (n == 0)
			break;
		r->have += (size_t)n;
		r->total += (size_t)n;
		if (r->total > KSR_INPUT_MAX) {
			close(fd);
			return read_fail(r, EBADMSG, "file larger than %zu bytes",
					 (size_t)KSR_INPUT_MAX);
		}
		if (r->have >= FEED_EVERY)
			parse_step(r);
	}
	close(fd);
	return 0;
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;

	r->read_err = read_all(r);
	if (!r->read_err && !atomic_load_explicit(&r->stop, memory_order_relaxed))
		parse_last(r);
	return NULL;
}

/* ---- the main thread ------------------------------------------------------ */

struct capture {
	const char *btf_path, *ks_path, *out;
	const char *config;          /* the kernel config file, or NULL */
	char config_path[320];
	struct ksr_profile_opts opts;
	struct ksr_build_id build_id;
	struct reader r;
	pthread_t thread;
	bool running;
	const void *btf_map;         /* the BTF file mapped ... */
	size_t btf_map_len;
	void *btf_copy;              /* ... or read */
	struct ksr_btf *btf;
	struct ksr_profile_writer *w;
};

/* /sys/kernel/btf/vmlinux can be mapped on kernels >= 6.16 (no copy
 * through 1,300 page-sized reads); read it elsewhere. */
static int load_btf(struct capture *c, const void **data, size_t *len)
{
	int err = ksr_input__map(c->btf_path, KSR_INPUT_MAX, &c->btf_map, &c->btf_map_len);

	if (!err) {
		*data = c->btf_map;
		*len = c->btf_map_len;
		return 0;
	}
	c->btf_map = NULL;
	err = ksr_input__read(c->btf_path, KSR_INPUT_MAX, &c->btf_copy, len);
	*data = c->btf_copy;
	return err;
}

static void join_reader(struct capture *c)
{
	if (c->running)
		pthread_join(c->thread, NULL);
	c->running = false;
}

/* The BTF file and its view (the view borrows the file's bytes). */
static void release_btf(struct capture *c)
{
	ksr_btf__free(c->btf);
	c->btf = NULL;
	if (c->btf_map)
		ksr_input__unmap(c->btf_map, c->btf_map_len);
	c->btf_map = NULL;
	free(c->btf_copy);
	c->btf_copy = NULL;
}

/* Frees the inputs: the BTF (its sections are in the file), the reader's
 * text and the parsed tables (once their sections are written). */
static void release_inputs(struct capture *c)
{
	release_btf(c);
	ksr_kallsyms__free(c->r.ks);
	c->r.ks = NULL;
	ksr_kallsyms_stream__free(c->r.st);
	c->r.st = NULL;
	free(c->r.buf);
	c->r.buf = NULL;
}

/* The split BTF of every loaded module: the files beside the vmlinux BTF
 * (/sys/kernel/btf/<module>), when that file is called vmlinux (as there;
 * a test hook's KSYMRES_VMLINUX_BTF=DIR/vmlinux brings DIR's files). On
 * failure *bad is the file. */
static int add_modules(struct capture *c, char *bad, size_t bad_len)
{
	const char *slash = strrchr(c->btf_path, '/');
	char dir[512], path[1024];
	struct dirent *de;
	DIR *d;
	int err = 0;

	if (strcmp(slash ? slash + 1 : c->btf_path, "vmlinux"))
		return 0;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - c->btf_path) : 1,
		 slash ? c->btf_path : ".");
	if (!(d = opendir(dir)))
		return 0; /* no directory of module BTFs: the profile has none */
	while (!err && (de = readdir(d))) {
		void *data = NULL;
		size_t len = 0;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux") ||
		    !strcmp(de->d_name, slash ? slash + 1 : c->btf_path))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		err = ksr_input__read(path, KSR_INPUT_MAX, &data, &len);
		if (!err)
			err = ksr_profile_writer__add_module(c->w, c->btf, de->d_name, data, len);
		free(data);
		if (err)
			snprintf(bad, bad_len, "%s", path);
	}
	closedir(d);
	return err;
}

static int run(struct capture *c)
{
	const void *data;
	size_t len;
	char bmsg[512] = "", wmsg[512] = "", mmsg[512] = "", mpath[1024] = "";
	int err, werr = 0, merr = 0;

	err = load_btf(c, &data, &len);
	if (err)
		return ksr_cli_fail(c->btf_path, err);
	err = ksr_btf__parse_kernel(data, len, &c->btf);
	if (err) {
		snprintf(bmsg, sizeof(bmsg), "BTF: %s", ksr_errmsg());
	} else {
		werr = ksr_profile_writer__new(c->out, c->btf, &c->w);
		if (werr)
			snprintf(wmsg, sizeof(wmsg), "%s", ksr_errmsg());
		else if ((merr = add_modules(c, mpath, sizeof(mpath))))
			snprintf(mmsg, sizeof(mmsg), "%s", ksr_errmsg());
	}
	release_btf(c);
	join_reader(c);
	if (c->r.read_err)
		return ksr_cli_fail_msg(c->ks_path, c->r.read_err, c->r.read_msg);
	if (err)
		return ksr_cli_fail_msg(c->btf_path, err, bmsg);
	if (c->r.parse_err)
		return ksr_cli_fail_msg(c->ks_path, c->r.parse_err, c->r.parse_msg);
	if (werr)
		return ksr_cli_fail_msg(c->out, werr, wmsg);
	if (merr) {
		ksr_profile_writer__abort(c->w);
		c->w = NULL;
		return ksr_cli_fail_msg(mpath, merr, mmsg);
	}
	err = ksr_profile_writer__add_kallsyms(c->w, c->r.ks, &c->opts);
	if (err) {
		c->w = NULL;
		return ksr_cli_fail(c->out, err);
	}
	release_inputs(c); /* while the last sections go to disk */
	/* the kernel config where libbpf looks for it, in its order; none
	 * found: the profile records none (check reports CONFIG_ unknown) */
	if (c->config) {
		err = ksr_profile_writer__add_kconfig(c->w, c->config);
		if (err) {
			c->w = NULL;
			return ksr_cli_fail(c->config, err);
		}
	}
	err = ksr_profile_writer__commit(c->w);
	c->w = NULL;
	return err ? ksr_cli_fail(c->out, err) : KSR_EXIT_OK;
}

static int capture(const char *out, const struct utsname *uts)
{
	struct capture c = { 0 };
	int rc;

	c.opts.sz = sizeof(c.opts);
	c.opts.release = uts->release;
	c.opts.machine = ksr_arch__machine(uts->machine);
	/* a kernel without a build ID note (or notes unreadable): the
	 * profile records none and hosts are checked by their BTF */
	if (ksr_live_build_id(&c.build_id) == 0 && c.build_id.len) {
		c.opts.build_id = c.build_id.data;
		c.opts.build_id_len = c.build_id.len;
	}
	c.btf_path = ksr_live_btf_path();
	c.ks_path = ksr_live_kallsyms_path();
	c.out = out;
	snprintf(c.config_path, sizeof(c.config_path), "/boot/config-%s", uts->release);
	if (getenv("KSYMRES_KCONFIG")) /* tests: a fixed config, "" for none */
		c.config = *getenv("KSYMRES_KCONFIG") ? getenv("KSYMRES_KCONFIG") : NULL;
	else if (!access(c.config_path, R_OK))
		c.config = c.config_path;
	else if (!access("/proc/config.gz", R_OK))
		c.config = "/proc/config.gz";
	c.r.path = c.ks_path;
	c.r.buf = malloc(WINDOW);
	atomic_init(&c.r.stop, false);
	if (!c.r.buf || ksr_kallsyms_stream__new(&c.r.st)) {
		free(c.r.buf);
		return ksr_cli_usage("capture", "out of memory");
	}
	if (pthread_create(&c.thread, NULL, reader_main, &c.r) != 0) {
		rc = ksr_cli_usage("capture", "cannot start a thread");
		goto out;
	}
	c.running = true;
	rc = run(&c);
out:
	atomic_store(&c.r.stop, true);
	join_reader(&c);
	ksr_profile_writer__abort(c.w);
	release_inputs(&c);
	return rc;
}

int ksr_cmd_capture(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "push", required_argument, NULL, 'S' },
		{ "token-file", required_argument, NULL, 'T' },
		{ "label", required_argument, NULL, 'l' },
		KSR_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	static const char *labels[MAX_LABELS];
	const char *out = NULL, *server = NULL, *token = NULL;
	struct ksr_remote *r = NULL;
	struct utsname uts;
	size_t nl = 0;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:j", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'S': server = optarg; break;
		case 'T': token = optarg; break;
		case 'l':
			if (nl == MAX_LABELS)
				return ksr_cli_usage("capture", "too many labels");
			labels[nl++] = optarg;
			break;
		case 'j': case 'P': ksr_output_option(c); break;
		case ':': return ksr_cli_usage("capture", "option '%s' needs a value", argv[optind - 1]);
		default: return ksr_cli_usage("capture", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return ksr_cli_usage("capture", "unexpected argument '%s'", argv[optind]);
	if (!out)
		return ksr_cli_usage("capture", "-o PROFILE is required");
	if (!*out)
		return ksr_cli_usage("capture", "-o needs a file name");
	if (!server && (token || nl))
		return ksr_cli_usage("capture", "--token-file and --label need --push URL");
	if (uname(&uts) < 0)
		return ksr_cli_usage("capture", "uname failed");
	/* --push URL: the server is checked before the capture, the profile
	 * pushed once written (the client: remote/) */
	if (server && (rc = ksr_remote_open("capture", server, token, &r)))
		return rc;
	/* a profile holds kernel addresses that kptr_restrict hides from
	 * other users: created 0600 (the output policy keeps a stricter mode
	 * of a file it replaces) */
	umask(umask(077) | 077);
	rc = capture(out, &uts);
	if (rc == KSR_EXIT_OK && r)
		rc = ksr_remote_push(r, out, labels, nl);
	ksr_remote_free(r);
	return rc;
}
