// SPDX-License-Identifier: BSD-2-Clause
/* The libbpf side of `ksymres load`: open the validated, patched image from
 * memory, load it, keep the rejected program's verifier log, pin like
 * `bpftool prog loadall OBJ DIR pinmaps DIR`, and BPF_PROG_TEST_RUN. */
#include <errno.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "load.h"
#include "output.h"

#define VLOG_SIZE (1u << 20)     /* per program; 6.4+ kernels keep the tail */
#define VLOG_TAIL_LINES 20

struct ksr_bpf {
	struct bpf_object *obj;
	struct ksr_bpf_prog *progs;
	char **logs;                 /* one verifier log buffer per program */
	size_t prog_cnt;
	size_t map_cnt;
	const char *failed;          /* the rejected program */
	char tail[8192];
};

/* ---- libbpf's messages: kept quiet unless something fails --------------- */

static struct {
	bool verbose;
	char last_warn[512];
} lb;

static int __attribute__((format(printf, 2, 0)))
lb_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[sizeof(lb.last_warn)];
	size_t n;

	if (lb.verbose) {
		va_list aq;
		char *all;
		int len;

		if (level == LIBBPF_DEBUG)
			return 0;
		/* names in the messages come from the object: escaped */
		va_copy(aq, ap);
		len = vsnprintf(NULL, 0, fmt, aq);
		va_end(aq);
		all = len >= 0 ? malloc((size_t)len + 1) : NULL;
		if (all) {
			vsnprintf(all, (size_t)len + 1, fmt, ap);
			ksr_print_safe_lines(stderr, all);
			free(all);
		}
		return 0;
	}
	if (level != LIBBPF_WARN)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = '\0';
	/* the verifier log is kept per program; its framing is noise here */
	if (n && !strstr(line, "PROG LOAD LOG"))
		memcpy(lb.last_warn, line, n + 1);
	return 0;
}

/* ---- module BTF fds: fd_array through a program handler -------------------
 * bpf_object_load_prog() (libbpf 1.1) sets load_attr.fd_array to libbpf's
 * own array and then calls the section's prog_prepare_load_fn, which may
 * change the attributes: a handler registered for the exact section name
 * (custom handlers are matched before libbpf's) supplies ours. It replaces
 * libbpf's libbpf_prepare_prog_load(), which for the types ksr_bpf__can_bind()
 * accepts only clears expected_attach_type on kernels older than module
 * kfuncs (5.18 has it). */

static const int *bind_fd_array;

static int prepare_fd_array(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	(void)prog;
	(void)cookie;
	opts->fd_array = bind_fd_array;
	return 0;
}

static bool needs_libbpf_prepare(const char *sec, enum bpf_prog_type t)
{
	size_t n = strlen(sec);

	return t == BPF_PROG_TYPE_TRACING || t == BPF_PROG_TYPE_LSM || t == BPF_PROG_TYPE_EXT ||
	       t == BPF_PROG_TYPE_SYSCALL || strstr(sec, ".s/") || (n > 2 && !strcmp(sec + n - 2, ".s")) ||
	       strstr(sec, ".frags");
}

bool ksr_bpf__can_bind(const void *img, size_t len, const char **why)
{
	static char reason[160];
	struct bpf_object *obj;
	struct bpf_program *p;
	bool ok;

	libbpf_set_print(lb_print);  /* quiet unless it fails */
	obj = bpf_object__open_mem(img, len, NULL);
	ok = obj != NULL;

	*why = ok ? NULL : "libbpf cannot open it";
	bpf_object__for_each_program(p, obj) {
		if (needs_libbpf_prepare(bpf_program__section_name(p), bpf_program__type(p))) {
			snprintf(reason, sizeof(reason), "program '%.40s' (section %.40s) needs libbpf's "
				 "own load preparation", bpf_program__name(p), bpf_program__section_name(p));
			*why = reason;
			ok = false;
			break;
		}
	}
	bpf_object__close(obj);
	return ok;
}

/* One handler per section of img's programs, with libbpf's type for it. */
static int register_handlers(const void *img, size_t len, int **ids, size_t *cnt)
{
	struct bpf_object *obj = bpf_object__open_mem(img, len, NULL);
	struct bpf_program *p;
	size_t n = 0;
	int err = 0;

	if (!obj)
		return -errno;
	bpf_object__for_each_program(p, obj)
		n++;
	*ids = calloc(n ? n : 1, sizeof(**ids));
	*cnt = 0;
	if (!*ids)
		err = -ENOMEM;
	bpf_object__for_each_program(p, obj) {
		LIBBPF_OPTS(libbpf_prog_handler_opts, ho, .prog_prepare_load_fn = prepare_fd_array);
		const char *sec = bpf_program__section_name(p);
		struct bpf_program *q;
		bool seen = false;
		int id;

		bpf_object__for_each_program(q, obj) {
			if (q == p)
				break;
			seen = seen || !strcmp(bpf_program__section_name(q), sec);
		}
		if (err || seen)
			continue;
		id = libbpf_register_prog_handler(sec, bpf_program__type(p),
						  bpf_program__expected_attach_type(p), &ho);
		if (id < 0)
			err = id;
		else
			(*ids)[(*cnt)++] = id;
	}
	bpf_object__close(obj);
	return err;
}

static void unregister_handlers(int *ids, size_t cnt)
{
	for (size_t i = 0; i < cnt; i++)
		libbpf_unregister_prog_handler(ids[i]);
	free(ids);
}

/* ---- load ---------------------------------------------------------------- */

/* The last VLOG_TAIL_LINES lines of a verifier log. */
static void set_tail(struct ksr_bpf *b, const char *log)
{
	size_t n = strnlen(log, VLOG_SIZE), start;
	int lines = 0;

	while (n && (log[n - 1] == '\n' || log[n - 1] == ' '))
		n--;
	start = n;
	while (start > 0) {
		if (log[start - 1] == '\n' && ++lines == VLOG_TAIL_LINES)
			break;
		start--;
	}
	if (n - start >= sizeof(b->tail))
		start = n - (sizeof(b->tail) - 1);
	memcpy(b->tail, log + start, n - start);
	b->tail[n - start] = '\0';
}

static int collect_progs(struct ksr_bpf *b)
{
	struct bpf_program *p;
	struct bpf_map *m;
	size_t i = 0;

	bpf_object__for_each_program(p, b->obj)
		b->prog_cnt++;
	bpf_object__for_each_map(m, b->obj)
		b->map_cnt++;
	b->progs = calloc(b->prog_cnt ? b->prog_cnt : 1, sizeof(*b->progs));
	b->logs = calloc(b->prog_cnt ? b->prog_cnt : 1, sizeof(*b->logs));
	if (!b->progs || !b->logs)
		return ksr_cli_err(ENOMEM, "out of memory");
	bpf_object__for_each_program(p, b->obj) {
		b->progs[i].name = bpf_program__name(p);
		b->progs[i].type = libbpf_bpf_prog_type_str(bpf_program__type(p));
		b->progs[i].fd = -1;
		/* malloc'd pages the kernel never writes cost nothing */
		b->logs[i] = malloc(VLOG_SIZE);
		if (!b->logs[i])
			return ksr_cli_err(ENOMEM, "out of memory");
		b->logs[i][0] = '\0';
		bpf_program__set_log_buf(p, b->logs[i], VLOG_SIZE);
		i++;
	}
	return 0;
}

static void note_failure(struct ksr_bpf *b, int err)
{
	struct bpf_program *p;
	size_t i = 0;

	bpf_object__for_each_program(p, b->obj) {
		if (bpf_program__autoload(p) && bpf_program__fd(p) < 0 && b->logs[i][0]) {
			b->failed = b->progs[i].name;
			set_tail(b, b->logs[i]);
			break;
		}
		i++;
	}
	if (b->failed)
		ksr_cli_err(-err, "program '%s' rejected by the verifier (%s)", b->failed, strerror(-err));
	else
		/* libbpf's last warning rarely carries the errno (EPERM when not root) */
		ksr_cli_err(-err, "libbpf cannot load it: %s%s%s%s", lb.last_warn[0] ? lb.last_warn : "",
			    lb.last_warn[0] ? " (" : "", strerror(-err), lb.last_warn[0] ? ")" : "");
}

int ksr_bpf__load(const void *img, size_t len, const char *obj_name, const struct ksr_bpf_opts *o,
		  struct ksr_bpf **out)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = obj_name);
	struct bpf_program *p;
	struct ksr_bpf *b;
	size_t i = 0, handler_cnt = 0;
	int *handlers = NULL;
	int err;

	*out = b = calloc(1, sizeof(*b));
	if (!b)
		return ksr_cli_err(ENOMEM, "out of memory");
	lb.verbose = o->verbose;
	libbpf_set_print(lb_print);
	if (o->fd_array) {
		bind_fd_array = o->fd_array;
		err = register_handlers(img, len, &handlers, &handler_cnt);
		if (err) {
			unregister_handlers(handlers, handler_cnt);
			return ksr_cli_err(-err, "libbpf: cannot register program handlers: %s",
					   strerror(-err));
		}
	}
	b->obj = bpf_object__open_mem(img, len, &oo);
	if (!b->obj) {
		err = -errno;
		unregister_handlers(handlers, handler_cnt);
		return ksr_cli_err(-err, "libbpf cannot open it: %s",
			           lb.last_warn[0] ? lb.last_warn : strerror(-err));
	}
	err = collect_progs(b);
	if (err) {
		unregister_handlers(handlers, handler_cnt);
		return err;
	}
	err = bpf_object__load(b->obj);
	/* the handlers are process-wide: only this load uses them */
	unregister_handlers(handlers, handler_cnt);
	bind_fd_array = NULL;
	if (err) {
		note_failure(b, err);
		return err;
	}
	bpf_object__for_each_program(p, b->obj) {
		struct bpf_prog_info info;
		uint32_t info_len = sizeof(info);

		b->progs[i].fd = bpf_program__fd(p);
		memset(&info, 0, sizeof(info));
		if (b->progs[i].fd >= 0 && !bpf_obj_get_info_by_fd(b->progs[i].fd, &info, &info_len))
			b->progs[i].id = info.id;
		i++;
	}
	return 0;
}

/* ---- pin ----------------------------------------------------------------- */

int ksr_bpf__pin(struct ksr_bpf *b, const struct ksr_bpf_opts *o)
{
	const char *dir = o->pin_dir;
	bool created = false;
	struct statfs fs;
	struct stat st;
	int err;

	if (stat(dir, &st) < 0) {
		if (errno != ENOENT || mkdir(dir, 0700) < 0)
			return ksr_cli_err(errno, "pin directory %s: %s%s", dir, strerror(errno),
				           errno == EPERM && strchr(dir, '.') ?
				           " (bpffs refuses names with a '.')" : "");
		created = true;
	} else if (!S_ISDIR(st.st_mode)) {
		return ksr_cli_err(ENOTDIR, "pin directory %s: not a directory", dir);
	}
	if (statfs(dir, &fs) < 0 || fs.f_type != BPF_FS_MAGIC) {
		err = ksr_cli_err(EINVAL, "pin directory %s: not on a BPF file system (mount -t bpf bpf "
			          "/sys/fs/bpf)", dir);
		goto fail;
	}
	err = bpf_object__pin_programs(b->obj, dir);
	if (err) {
		err = ksr_cli_err(-err, "pinning the programs under %s: %s", dir,
			          lb.last_warn[0] ? lb.last_warn : strerror(-err));
		goto fail;
	}
	err = bpf_object__pin_maps(b->obj, dir);
	if (err) {
		err = ksr_cli_err(-err, "pinning the maps under %s: %s", dir,
			          lb.last_warn[0] ? lb.last_warn : strerror(-err));
		bpf_object__unpin_programs(b->obj, dir);
		goto fail;
	}
	for (size_t i = 0; i < b->prog_cnt; i++)
		if (b->progs[i].fd >= 0)
			snprintf(b->progs[i].pin, sizeof(b->progs[i].pin), "%s/%s", dir, b->progs[i].name);
	return 0;
fail:
	if (created)
		rmdir(dir);
	return err;
}

/* ---- test run ------------------------------------------------------------ */

enum run_kind { RUN_NONE, RUN_PACKET, RUN_CTX };

static enum run_kind run_kind(enum bpf_prog_type t)
{
	switch (t) {
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_XDP:
	case BPF_PROG_TYPE_CGROUP_SKB:
	case BPF_PROG_TYPE_LWT_IN:
	case BPF_PROG_TYPE_LWT_OUT:
	case BPF_PROG_TYPE_LWT_XMIT:
	case BPF_PROG_TYPE_LWT_SEG6LOCAL:
	case BPF_PROG_TYPE_FLOW_DISSECTOR:
		return RUN_PACKET;
	case BPF_PROG_TYPE_SYSCALL:
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
		return RUN_CTX;
	default:
		return RUN_NONE;
	}
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* The kernel repeats packet programs itself and reports the mean; syscall
 * and raw_tp programs take neither repeat nor duration, so they are timed
 * here around each call. */
static int run_one(struct ksr_bpf_prog *pr, enum run_kind kind, const struct ksr_bpf_opts *o)
{
	LIBBPF_OPTS(bpf_test_run_opts, t);
	int err = 0;

	if (kind == RUN_PACKET) {
		t.data_in = o->data;
		t.data_size_in = (uint32_t)o->data_len;
		t.repeat = (int)o->repeat;
		err = bpf_prog_test_run_opts(pr->fd, &t);
		pr->duration_ns = t.duration;
	} else {
		uint64_t start = now_ns();

		if (o->data_given) {
			t.ctx_in = o->data;
			t.ctx_size_in = (uint32_t)o->data_len;
		}
		for (uint32_t i = 0; i < o->repeat && !err; i++)
			err = bpf_prog_test_run_opts(pr->fd, &t);
		pr->duration_ns = (now_ns() - start) / o->repeat;
	}
	if (err)
		return ksr_cli_err(-err, "test run of program '%s' (%s) failed: %s", pr->name, pr->type,
			           strerror(-err));
	pr->retval = t.retval;
	pr->ran = true;
	return 0;
}

int ksr_bpf__run(struct ksr_bpf *b, const struct ksr_bpf_opts *o)
{
	struct bpf_program *p;
	size_t i = 0;

	bpf_object__for_each_program(p, b->obj) {
		struct ksr_bpf_prog *pr = &b->progs[i++];
		enum run_kind kind = run_kind(bpf_program__type(p));
		int err;

		if (pr->fd < 0) {
			pr->skipped = "not loaded (autoload off)";
			continue;
		}
		if (kind == RUN_NONE) {
			pr->skipped = "ksymres does not test-run this program type";
			continue;
		}
		err = run_one(pr, kind, o);
		if (err)
			return err;
	}
	return 0;
}

/* ---- accessors ------------------------------------------------------------ */

size_t ksr_bpf__prog_cnt(const struct ksr_bpf *b)
{
	return b->prog_cnt;
}

const struct ksr_bpf_prog *ksr_bpf__prog(const struct ksr_bpf *b, size_t i)
{
	return i < b->prog_cnt ? &b->progs[i] : NULL;
}

size_t ksr_bpf__map_cnt(const struct ksr_bpf *b)
{
	return b->map_cnt;
}

const char *ksr_bpf__log_tail(const struct ksr_bpf *b)
{
	return b->tail;
}

const char *ksr_bpf__failed_prog(const struct ksr_bpf *b)
{
	return b->failed;
}

void ksr_bpf__free(struct ksr_bpf *b)
{
	if (!b)
		return;
	bpf_object__close(b->obj);
	for (size_t i = 0; b->logs && i < b->prog_cnt; i++)
		free(b->logs[i]);
	free(b->logs);
	free(b->progs);
	free(b);
}

/* ---- the default packet --------------------------------------------------- */

static uint16_t ip_checksum(const uint8_t *h, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Ethernet (broadcast from a locally administered address) + IPv4
 * 10.0.0.1 -> 10.0.0.2 + UDP 12345 -> 9 (discard) + 22 bytes of payload. */
void ksr_default_packet(uint8_t pkt[64])
{
	static const uint8_t head[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
		0x45, 0x00, 0x00, 50, 0x00, 0x01, 0x40, 0x00, 64, 17, 0x00, 0x00,
		10, 0, 0, 1, 10, 0, 0, 2,
		0x30, 0x39, 0x00, 0x09, 0x00, 30, 0x00, 0x00,
	};
	static const char payload[] = "ksymres test packet...";
	uint16_t csum;

	memcpy(pkt, head, sizeof(head));
	memcpy(pkt + sizeof(head), payload, 64 - sizeof(head));
	csum = ip_checksum(pkt + 14, 20);
	pkt[24] = (uint8_t)(csum >> 8);
	pkt[25] = (uint8_t)csum;
}
