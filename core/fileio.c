// SPDX-License-Identifier: BSD-2-Clause
#define _GNU_SOURCE /* sync_file_range */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fileio.h"

/* ---- inputs ------------------------------------------------------------------ */

/* The inputs opened so far (ksr_io_track_inputs()), for the output policy. */
struct input_id {
	dev_t dev;
	ino_t ino;
	char *path;
};
static struct {
	pthread_mutex_t lock;
	bool on;
	struct input_id *ids;
	size_t cnt, cap;
} inputs = { .lock = PTHREAD_MUTEX_INITIALIZER };

void ksr_io_track_inputs(bool on)
{
	pthread_mutex_lock(&inputs.lock);
	inputs.on = on;
	pthread_mutex_unlock(&inputs.lock);
}

static void remember_input(const char *path, const struct stat *st)
{
	pthread_mutex_lock(&inputs.lock);
	if (!inputs.on)
		goto out;
	for (size_t i = 0; i < inputs.cnt; i++)
		if (inputs.ids[i].dev == st->st_dev && inputs.ids[i].ino == st->st_ino)
			goto out;
	if (inputs.cnt == inputs.cap) {
		size_t cap = inputs.cap ? inputs.cap * 2 : 16;
		struct input_id *n = realloc(inputs.ids, cap * sizeof(*n));

		if (!n)
			goto out; /* best effort: the check then misses this one */
		inputs.ids = n;
		inputs.cap = cap;
	}
	inputs.ids[inputs.cnt].path = strdup(path);
	if (inputs.ids[inputs.cnt].path) {
		inputs.ids[inputs.cnt].dev = st->st_dev;
		inputs.ids[inputs.cnt].ino = st->st_ino;
		inputs.cnt++;
	}
out:
	pthread_mutex_unlock(&inputs.lock);
}

int ksr_input_open(const char *path, size_t max, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), fl;

	if (fd < 0)
		return ksr_err(errno, "cannot open: %s", strerror(errno));
	if (fstat(fd, st) < 0) {
		int e = errno;

		close(fd);
		return ksr_err(e, "cannot stat: %s", strerror(e));
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return ksr_err(KSR_EMALFORMED, "not a regular file");
	}
	if ((uint64_t)st->st_size > max) {
		close(fd);
		return ksr_err(KSR_EMALFORMED, "file larger than %zu bytes", max);
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		int e = errno;

		close(fd);
		return ksr_err(e, "cannot open: %s", strerror(e));
	}
	remember_input(path, st);
	return fd;
}

int ksr_read_file(const char *path, size_t max, void **bufp, size_t *lenp)
{
	size_t cap, len = 0;
	struct stat st;
	char *buf = NULL;
	int fd;

	fd = ksr_input_open(path, max, &st);
	if (fd < 0)
		return fd;
	cap = st.st_size > 0 && (uint64_t)st.st_size < max ? (size_t)st.st_size + 1 : 1 << 20;
	for (;;) {
		ssize_t r;

		if (len == cap || !buf) {
			char *nb;

			if (buf) {
				if (cap > max) {
					free(buf);
					close(fd);
					return ksr_err(KSR_EMALFORMED, "file larger than %zu bytes", max);
				}
				cap *= 2;
			}
			nb = aligned_alloc(16, (cap + 16) & ~(size_t)15);
			if (!nb) {
				free(buf);
				close(fd);
				return ksr_err(ENOMEM, "out of memory reading %zu bytes", cap);
			}
			if (buf)
				memcpy(nb, buf, len);
			free(buf);
			buf = nb;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			free(buf);
			close(fd);
			return ksr_err(e, "read error: %s", strerror(e));
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > max) {
			free(buf);
			close(fd);
			return ksr_err(KSR_EMALFORMED, "file larger than %zu bytes", max);
		}
	}
	close(fd);
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
}

int ksr_open_input(const char *path, size_t max, uint64_t *size)
{
	struct stat st;
	int fd;

	fd = ksr_input_open(path, max, &st);
	if (fd < 0)
		return fd;
	if (st.st_size == 0) {
		close(fd);
		return ksr_err(KSR_EMALFORMED, "file size %lld outside 1..%zu bytes",
			       (long long)st.st_size, max);
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

int ksr_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t r = pread(fd, p, len, (off_t)off);

		if (r < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			return ksr_err(e, "read error at offset 0x%llx: %s", (unsigned long long)off,
				       strerror(e));
		}
		if (r == 0)
			return ksr_err(KSR_EMALFORMED,
				       "file shorter than when opened: changed while in use (offset 0x%llx)",
				       (unsigned long long)off);
		p += r;
		off += (uint64_t)r;
		len -= (size_t)r;
	}
	return 0;
}

int ksr_map_fd(int fd, uint64_t size, struct ksr_map *m)
{
	void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);

	if (p == MAP_FAILED)
		return ksr_err(errno, "cannot map: %s", strerror(errno));
	m->data = p;
	m->len = (size_t)size;
	return 0;
}

int ksr_map_file(const char *path, size_t max, struct ksr_map *m)
{
	uint64_t size = 0;
	int fd, err;

	fd = ksr_open_input(path, max, &size);
	if (fd < 0)
		return fd;
	err = ksr_map_fd(fd, size, m);
	close(fd);
	return err;
}

void ksr_unmap(struct ksr_map *m)
{
	if (m->data)
		munmap((void *)m->data, m->len);
	m->data = NULL;
	m->len = 0;
}

/* Outputs are written in one piece per chunk: ext4 sizes page-cache folios
 * by the write, and large folios are cheaper to write, to fsync and to
 * verify again at open (resolve of 100 externs on a profile written in one
 * piece: 3.7 ms, in 64 KiB pieces: 4.9 ms). The price is resident memory
 * in the lean open's verification pass, which maps one window at a time
 * but a read fault maps the whole folio around it: peak RSS of resolve
 * 4.3 MB instead of 2.8 (docs/performance.md, section 8). */

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* ---- the output policy ---------------------------------------------------------- */

static const char *type_name(mode_t m)
{
	return S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" :
	       S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" : S_ISDIR(m) ? "a directory" :
	       "not a regular file";
}

/* The input (or standard stream) that st is, if any. */
static int same_as_input(const char *path, const struct stat *st)
{
	static const char *const streams[] = { "standard input", "standard output",
					       "standard error" };
	int err = 0;

	pthread_mutex_lock(&inputs.lock);
	for (size_t i = 0; inputs.on && i < inputs.cnt && !err; i++)
		if (inputs.ids[i].dev == st->st_dev && inputs.ids[i].ino == st->st_ino)
			err = ksr_err(EINVAL, "cannot write %s: it is the input %s, and inputs are "
				      "never replaced", path, inputs.ids[i].path);
	for (int fd = 0; inputs.on && fd < 3 && !err; fd++) {
		struct stat s;

		if (fstat(fd, &s) == 0 && s.st_dev == st->st_dev && s.st_ino == st->st_ino)
			err = ksr_err(EINVAL, "cannot write %s: it is this process's %s", path,
				      streams[fd]);
	}
	pthread_mutex_unlock(&inputs.lock);
	return err;
}

int ksr_output_check(const char *path, mode_t *mode)
{
	struct stat l, t;

	if (!*path)
		return ksr_err(EINVAL, "empty output path");
	if (lstat(path, &l) < 0)
		return 0; /* missing (or unreachable: creating the file reports why) */
	if (S_ISLNK(l.st_mode)) {
		if (stat(path, &t) < 0)
			return 0; /* a dangling link: the link is replaced */
	} else {
		t = l;
	}
	if (S_ISDIR(t.st_mode))
		return ksr_err(EISDIR, "cannot write %s: %s", path, strerror(EISDIR));
	if (!S_ISREG(t.st_mode))
		return ksr_err(EINVAL, "cannot write %s: it is %s%s, not a regular file: refusing "
			       "to replace it", path, S_ISLNK(l.st_mode) ? "a symlink to " : "",
			       type_name(t.st_mode));
	if (mode)
		*mode &= t.st_mode & 0777;
	return same_as_input(path, &t);
}

/* ---- temporary files ---------------------------------------------------------- */

/* Removed by the signal handler: only lock-free atomics and fixed arrays. */
#define TMP_SLOTS 16
static struct {
	atomic_int used;
	char path[PATH_MAX];
} tmp_slots[TMP_SLOTS];
static pthread_mutex_t tmp_lock = PTHREAD_MUTEX_INITIALIZER;

static int tmp_register(const char *path)
{
	int slot = -1;

	pthread_mutex_lock(&tmp_lock);
	for (int i = 0; i < TMP_SLOTS && slot < 0; i++)
		if (!atomic_load(&tmp_slots[i].used)) {
			memcpy(tmp_slots[i].path, path, strlen(path) + 1);
			atomic_store(&tmp_slots[i].used, 1);
			slot = i;
		}
	pthread_mutex_unlock(&tmp_lock);
	return slot; /* -1: more than TMP_SLOTS at once; not removed on a signal */
}

static void tmp_unregister(int slot)
{
	if (slot >= 0)
		atomic_store(&tmp_slots[slot].used, 0);
}

static void on_signal(int sig)
{
	int saved = errno;

	for (int i = 0; i < TMP_SLOTS; i++)
		if (atomic_load(&tmp_slots[i].used))
			unlink(tmp_slots[i].path);
	signal(sig, SIG_DFL);
	raise(sig); /* delivered when the handler returns: the default action */
	errno = saved;
}

void ksr_io_remove_temps_on_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old, sa;

		if (sigaction(sigs[i], NULL, &old) < 0 || old.sa_handler == SIG_IGN)
			continue; /* nohup and friends keep their choice */
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
}

#define TMP_PREFIX ".ksr."
#define TMP_SUFFIX ".tmp"

/* No such process, or one that has died and waits to be reaped. */
static bool pid_gone(pid_t pid)
{
	char path[64], buf[512], *rp;
	ssize_t n;
	int fd;

	if (kill(pid, 0) < 0)
		return errno == ESRCH;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	rp = strrchr(buf, ')'); /* "pid (comm) S ...": comm may hold anything */
	return rp && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X');
}

/* A name of our pattern whose pid is not a live process here. */
static bool is_stale(const char *name)
{
	const char *p = name + strlen(TMP_PREFIX);
	char *end;
	long pid;
	size_t len = strlen(name);

	if (strncmp(name, TMP_PREFIX, strlen(TMP_PREFIX)) || len < strlen(TMP_SUFFIX) ||
	    strcmp(name + len - strlen(TMP_SUFFIX), TMP_SUFFIX))
		return false;
	errno = 0;
	pid = strtol(p, &end, 10);
	if (errno || end == p || *end != '.' || pid <= 0 || pid == (long)getpid())
		return false;
	p = end + 1;
	for (int i = 0; i < 8; i++, p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	if (strcmp(p, TMP_SUFFIX))
		return false;
	return pid_gone((pid_t)pid);
}

/* Removes stale temporary files from dir, once per directory in a row. */
static void remove_stale(const char *dir)
{
	static char last[PATH_MAX];
	struct dirent *de;
	DIR *d;

	pthread_mutex_lock(&tmp_lock);
	if (!strcmp(last, dir)) {
		pthread_mutex_unlock(&tmp_lock);
		return;
	}
	memcpy(last, dir, strlen(dir) + 1);
	pthread_mutex_unlock(&tmp_lock);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;

		if (is_stale(de->d_name) &&
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
			(void)unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

int ksr_atomic_open(const char *path, struct ksr_atomic_file *f)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
	mode_t mode = 0644;
	char dir[PATH_MAX];
	int err;

	f->fd = -1;
	f->slot = -1;
	if (strlen(path) >= sizeof(f->path))
		return ksr_err(ENAMETOOLONG, "output path too long");
	err = ksr_output_check(path, &mode);
	if (err)
		return err;
	memcpy(f->path, path, strlen(path) + 1);
	snprintf(dir, sizeof(dir), "%.*s", dlen ? (int)dlen : 1, dlen ? path : ".");
	remove_stale(dir);
	for (unsigned int attempt = 0;; attempt++) {
		uint32_t r = 0;

		if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
			r = (uint32_t)attempt * 2654435761u ^ (uint32_t)(uintptr_t)f;
		if (snprintf(f->tmp, sizeof(f->tmp), "%.*s" TMP_PREFIX "%ld.%08x" TMP_SUFFIX, (int)dlen,
			     path, (long)getpid(), r) >= (int)sizeof(f->tmp))
			return ksr_err(ENAMETOOLONG, "output path too long");
		/* registered first: a signal between open and registration would leave it */
		f->slot = tmp_register(f->tmp);
		f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (f->fd >= 0)
			return 0;
		err = errno;
		tmp_unregister(f->slot);
		f->slot = -1;
		if (err != EEXIST || attempt > 100)
			return ksr_err(err, "cannot create %s: %s", f->tmp, strerror(err));
	}
}

/* Like write_all(), at an offset. */
static int pwrite_all(int fd, const void *data, size_t len, uint64_t off)
{
	const char *p = data;

	while (len) {
		ssize_t w = pwrite(fd, p, len, (off_t)off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		off += (uint64_t)w;
		len -= (size_t)w;
	}
	return 0;
}

int ksr_atomic_pwrite(struct ksr_atomic_file *f, const struct ksr_chunk *chunks, size_t n,
		      uint64_t off)
{
	int err = 0;

	for (size_t i = 0; i < n && !err; i++) {
		err = pwrite_all(f->fd, chunks[i].data, chunks[i].len, off);
		off += chunks[i].len;
	}
	if (err)
		return ksr_err(-err, "cannot write %s: %s", f->path, strerror(-err));
	return 0;
}

void ksr_atomic_writeback(struct ksr_atomic_file *f, uint64_t off, uint64_t len)
{
#ifdef SYNC_FILE_RANGE_WRITE
	/* start write-back now, so that the final fsync waits for less */
	(void)sync_file_range(f->fd, (off64_t)off, (off64_t)len, SYNC_FILE_RANGE_WRITE);
#else
	(void)f;
	(void)off;
	(void)len;
#endif
}

int ksr_atomic_commit(struct ksr_atomic_file *f)
{
	int err = 0;

	if (fsync(f->fd) < 0)
		err = -errno;
	if (close(f->fd) < 0 && !err)
		err = -errno;
	f->fd = -1;
	/* again: inputs opened since (capture's kallsyms thread), or a path changed since */
	if (!err && (err = ksr_output_check(f->path, NULL))) {
		unlink(f->tmp);
		tmp_unregister(f->slot);
		return err;
	}
	if (!err && rename(f->tmp, f->path) < 0)
		err = -errno;
	if (err)
		unlink(f->tmp);
	tmp_unregister(f->slot);
	if (err)
		return ksr_err(-err, "cannot write %s: %s", f->path, strerror(-err));
	return 0;
}

void ksr_atomic_abort(struct ksr_atomic_file *f)
{
	if (f->fd < 0)
		return;
	close(f->fd);
	f->fd = -1;
	unlink(f->tmp);
	tmp_unregister(f->slot);
}

int ksr_write_atomic(const char *path, const struct ksr_chunk *chunks, size_t n)
{
	struct ksr_atomic_file *f = malloc(sizeof(*f));
	int err, fd;
	size_t i;

	if (!f)
		return ksr_err(ENOMEM, "out of memory");
	err = ksr_atomic_open(path, f);
	if (err) {
		free(f);
		return err;
	}
	fd = f->fd;
	for (i = 0, err = 0; i < n && !err; i++)
		err = write_all(fd, chunks[i].data, chunks[i].len);
	if (err) {
		ksr_atomic_abort(f);
		free(f);
		return ksr_err(-err, "cannot write %s: %s", path, strerror(-err));
	}
	err = ksr_atomic_commit(f);
	free(f);
	return err;
}
