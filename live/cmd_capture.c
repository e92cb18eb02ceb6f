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
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "btf.h"
#include "output.h"
#include "error.h"
#include "fileio.h"
#include "kallsyms.h"
#include "ksymres/ksymres.h"
#include "live.h"
#include "profile.h"

/* ---- the reader thread ---------------------------------------------------- */

/* One window, reused: parsed while it is still in the cache, and 5 MB of
 * text never become fresh pages (~0.5 ms per MB to fault in here). */
#define WINDOW (256u << 10)
#define FEED_EVERY (64u << 10)   /* bytes read between two parsing steps */

/* a feed of FEED_EVERY bytes parses a line or fails: the window never fills */
_Static_assert(FEED_EVERY >= KSR_KSYM_STREAM_LINE_MAX && FEED_EVERY < WINDOW, "window sizes");

struct reader {
	const char *path;
	char *buf;                  /* WINDOW bytes */
	size_t have;                /* bytes in buf not parsed yet */
	size_t total;               /* bytes read */
	struct ksr_kallsyms_stream *st;
	struct ksr_kallsyms *ks;    /* the result */
	int read_err, parse_err;    /* as ksr_read_file() and the parser report them */
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
	r->parse_err = ksr_kallsyms__stream_feed(r->st, r->buf, r->have, &used);
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
		r->parse_err = ksr_kallsyms__stream_finish(r->st, r->buf, r->have, &r->ks);
		if (r->parse_err)
			snprintf(r->parse_msg, sizeof(r->parse_msg), "%s", ksr_errmsg());
	} else {
		ksr_kallsyms__stream_free(r->st);
	}
	r->st = NULL;
}

static int read_all(struct reader *r)
{
	struct stat st;
	int fd = ksr_input_open(r->path, KSR_MAX_INPUT, &st);

	if (fd < 0)
		return fd;
	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		ssize_t n;

		if (r->have == WINDOW) { /* cannot happen (see FEED_EVERY); never read 0 bytes */
			close(fd);
			return ksr_err(KSR_EMALFORMED, "line longer than %u bytes", WINDOW);
		}
		n = read(fd, r->buf + r->have, WINDOW - r->have);

		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			close(fd);
			return ksr_err(e, "read error: %s", strerror(e));
		}
		if (n == 0)
			break;
		r->have += (size_t)n;
		r->total += (size_t)n;
		if (r->total > KSR_MAX_INPUT) {
			close(fd);
			return ksr_err(KSR_EMALFORMED, "file larger than %zu bytes",
				       (size_t)KSR_MAX_INPUT);
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
	if (r->read_err)
		snprintf(r->read_msg, sizeof(r->read_msg), "%s", ksr_errmsg());
	else if (!atomic_load_explicit(&r->stop, memory_order_relaxed))
		parse_last(r);
	return NULL;
}

/* ---- the main thread ------------------------------------------------------ */

struct capture {
	const char *btf_path, *ks_path, *out;
	struct ksr_profile_info info;
	struct reader r;
	pthread_t thread;
	bool running;
	struct ksr_map btf_map;      /* the BTF file mapped ... */
	void *btf_copy;              /* ... or read */
	struct ksr_btf *btf;
	struct ksr_profile_writer *w;
};

/* /sys/kernel/btf/vmlinux can be mapped on kernels >= 6.16 (no copy
 * through 1,300 page-sized reads); read it elsewhere. */
static int load_btf(struct capture *c, const void **data, size_t *len)
{
	int err = ksr_map_file(c->btf_path, KSR_MAX_INPUT, &c->btf_map);

	if (!err) {
		*data = c->btf_map.data;
		*len = c->btf_map.len;
		return 0;
	}
	err = ksr_read_file(c->btf_path, KSR_MAX_INPUT, &c->btf_copy, len);
	*data = c->btf_copy;
	return err;
}

static void join_reader(struct capture *c)
{
	if (c->running)
		pthread_join(c->thread, NULL);
	c->running = false;
}

/* Frees the inputs: the BTF (its sections are in the file), the reader's
 * text and the parsed tables (once their sections are written). */
static void release_inputs(struct capture *c)
{
	ksr_btf__free(c->btf);
	c->btf = NULL;
	ksr_unmap(&c->btf_map);
	free(c->btf_copy);
	c->btf_copy = NULL;
	ksr_kallsyms__free(c->r.ks);
	c->r.ks = NULL;
	ksr_kallsyms__stream_free(c->r.st);
	c->r.st = NULL;
	free(c->r.buf);
	c->r.buf = NULL;
}

static int fail_saved(const char *path, int err, const char *msg)
{
	ksr_err(-err, "%s", msg);
	return ksr_cli_fail(path, err);
}

static int run(struct capture *c)
{
	const void *data, *blob;
	size_t len, blob_len;
	char bmsg[512] = "", wmsg[512] = "";
	int err, werr = 0;

	err = load_btf(c, &data, &len);
	if (err)
		return ksr_cli_fail(c->btf_path, err);
	err = ksr_btf_blob_from_file(data, len, &blob, &blob_len);
	if (!err)
		err = ksr_btf__parse_borrowed(blob, blob_len, KSR_BTF_MODE_KERNEL, &c->btf);
	if (err) {
		ksr_err_prefix("BTF");
		snprintf(bmsg, sizeof(bmsg), "%s", ksr_errmsg());
	} else {
		werr = ksr_profile__write_begin(c->out, c->btf, &c->w);
		if (werr)
			snprintf(wmsg, sizeof(wmsg), "%s", ksr_errmsg());
	}
	/* the view borrowed the file's bytes */
	ksr_btf__free(c->btf);
	c->btf = NULL;
	ksr_unmap(&c->btf_map);
	free(c->btf_copy);
	c->btf_copy = NULL;
	join_reader(c);
	if (c->r.read_err)
		return fail_saved(c->ks_path, c->r.read_err, c->r.read_msg);
	if (err)
		return fail_saved(c->btf_path, err, bmsg);
	if (c->r.parse_err)
		return fail_saved(c->ks_path, c->r.parse_err, c->r.parse_msg);
	if (werr)
		return fail_saved(c->out, werr, wmsg);
	err = ksr_profile__write_kallsyms(c->w, c->r.ks, &c->info);
	if (err) {
		c->w = NULL;
		return ksr_cli_fail(c->out, err);
	}
	release_inputs(c); /* while the last sections go to disk */
	err = ksr_profile__write_commit(c->w);
	c->w = NULL;
	return err ? ksr_cli_fail(c->out, err) : KSR_EXIT_OK;
}

static int capture(const char *out, const struct utsname *uts)
{
	struct capture c = { 0 };
	int rc;

	c.info.release = uts->release;
	c.info.arch = ksr_arch_from_name(uts->machine);
	/* a kernel without a build ID note (or notes unreadable): the
	 * profile records none and hosts are checked by their BTF */
	if (ksr_live_build_id(c.info.build_id, &c.info.build_id_len))
		c.info.build_id_len = 0;
	c.btf_path = ksr_live_btf_path();
	c.ks_path = ksr_live_kallsyms_path();
	c.out = out;
	c.r.path = c.ks_path;
	c.r.buf = malloc(WINDOW);
	atomic_init(&c.r.stop, false);
	if (!c.r.buf || ksr_kallsyms__stream_new(&c.r.st)) {
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
	ksr_profile__write_abort(c.w);
	release_inputs(&c);
	return rc;
}

int ksr_cmd_capture(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		KSR_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	struct utsname uts;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:j", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
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
	if (uname(&uts) < 0)
		return ksr_cli_usage("capture", "uname failed");
	/* a profile holds kernel addresses that kptr_restrict hides from
	 * other users: created 0600 (the output policy keeps a stricter mode
	 * of a file it replaces) */
	umask(umask(077) | 077);
	return capture(out, &uts);
}
