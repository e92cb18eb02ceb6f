// SPDX-License-Identifier: BSD-2-Clause
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

int ksr_map_file(const char *path, size_t max, struct ksr_map *m)
{
	struct stat st;
	void *p;
	int fd;

	fd = open_regular(path, &st);
	if (fd < 0)
		return fd;
	if ((uint64_t)st.st_size > max || st.st_size == 0) {
		close(fd);
		return ksr_err(KSR_EMALFORMED, "file size %lld outside 1..%zu bytes",
			       (long long)st.st_size, max);
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return ksr_err(errno, "cannot map: %s", strerror(errno));
	m->data = p;
	m->len = (size_t)st.st_size;
	return 0;
}

void ksr_unmap(struct ksr_map *m)
{
	if (m->data)
		munmap((void *)m->data, m->len);
	m->data = NULL;
	m->len = 0;
}

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

int ksr_write_atomic(const char *path, const struct ksr_chunk *chunks, size_t n)
{
	char tmp[PATH_MAX];
	int fd, err = 0;
	size_t i;

	for (unsigned int attempt = 0;; attempt++) {
		if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld.%u", path, (long)getpid(), attempt) >=
		    (int)sizeof(tmp))
			return ksr_err(ENAMETOOLONG, "output path too long");
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0)
			break;
		if (errno != EEXIST || attempt > 100)
			return ksr_err(errno, "cannot create %s: %s", tmp, strerror(errno));
	}
	for (i = 0; i < n && !err; i++)
		err = write_all(fd, chunks[i].data, chunks[i].len);
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err) {
		unlink(tmp);
		return ksr_err(-err, "cannot write %s: %s", path, strerror(-err));
	}
	return 0;
}
