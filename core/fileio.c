// SPDX-License-Identifier: BSD-2-Clause
#define _GNU_SOURCE /* sync_file_range */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fileio.h"

static int open_regular(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

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
	return fd;
}

int ksr_read_file(const char *path, size_t max, void **bufp, size_t *lenp)
{
	size_t cap, len = 0;
	struct stat st;
	char *buf = NULL;
	int fd;

	fd = open_regular(path, &st);
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

	fd = open_regular(path, &st);
	if (fd < 0)
		return fd;
	if ((uint64_t)st.st_size > max || st.st_size == 0) {
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

int ksr_atomic_open(const char *path, struct ksr_atomic_file *f)
{
	f->fd = -1;
	if (strlen(path) >= sizeof(f->path))
		return ksr_err(ENAMETOOLONG, "output path too long");
	memcpy(f->path, path, strlen(path) + 1);
	for (unsigned int attempt = 0;; attempt++) {
		if (snprintf(f->tmp, sizeof(f->tmp), "%s.tmp.%ld.%u", path, (long)getpid(),
			     attempt) >= (int)sizeof(f->tmp))
			return ksr_err(ENAMETOOLONG, "output path too long");
		f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (f->fd >= 0)
			return 0;
		if (errno != EEXIST || attempt > 100)
			return ksr_err(errno, "cannot create %s: %s", f->tmp, strerror(errno));
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
	if (!err && rename(f->tmp, f->path) < 0)
		err = -errno;
	if (err) {
		unlink(f->tmp);
		return ksr_err(-err, "cannot write %s: %s", f->path, strerror(-err));
	}
	return 0;
}

void ksr_atomic_abort(struct ksr_atomic_file *f)
{
	if (f->fd < 0)
		return;
	close(f->fd);
	f->fd = -1;
	unlink(f->tmp);
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
