// SPDX-License-Identifier: BSD-2-Clause
/* Reading inputs and writing outputs (core/fileio.c): whole regular files
 * with a NUL after the data; directories and oversized files refused;
 * procfs files (st_size 0) read to their end; atomic writes that leave
 * either the whole new file or nothing, and never a temporary file. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "ksymres/ksymres.h"
#include "fileio.h"
#include "testutil.h"

static char DIR_PATH[PATH_MAX];

static void path_of(char *out, const char *name)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", DIR_PATH, name);

	assert_true(n > 0 && n < PATH_MAX);
}

static void put_file(const char *name, const void *data, size_t len)
{
	char p[PATH_MAX];
	FILE *f;

	path_of(p, name);
	f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Names in the test directory that contain s. */
static int count_entries(const char *dir, const char *s)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += strstr(de->d_name, s) != NULL;
	closedir(d);
	return n;
}

static void rm_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d) {
		unlink(path);
		return;
	}
	while ((de = readdir(d))) {
		char p[PATH_MAX];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		rm_tree(p);
	}
	closedir(d);
	rmdir(path);
}

static int setup(void **state)
{
	const char *work = getenv("KSR_WORK");

	snprintf(DIR_PATH, sizeof(DIR_PATH), "%s/test_fileio.XXXXXX", work ? work : "/tmp");
	if (!mkdtemp(DIR_PATH))
		fail_msg("mkdtemp %s: %s", DIR_PATH, strerror(errno));
	return 0;
}

static int teardown(void **state)
{
	rm_tree(DIR_PATH);
	return 0;
}

/* ---- ksr_read_file ----------------------------------------------------------- */

static void test_read_regular(void **state)
{
	static const char text[] = "ffffffff81000000 T _text\n\0binary\xff";
	char p[PATH_MAX];
	size_t len = 123;
	void *buf = NULL;

	put_file("regular", text, sizeof(text));
	path_of(p, "regular");
	assert_int_equal(ksr_read_file(p, KSR_MAX_INPUT, &buf, &len), 0);
	assert_int_equal(len, sizeof(text));
	assert_memory_equal(buf, text, sizeof(text));
	assert_int_equal(((char *)buf)[len], '\0');
	assert_int_equal((uintptr_t)buf % 16, 0);
	free(buf);
	/* exactly at the limit is fine */
	assert_int_equal(ksr_read_file(p, sizeof(text), &buf, &len), 0);
	assert_int_equal(len, sizeof(text));
	free(buf);
}

static void test_read_empty(void **state)
{
	char p[PATH_MAX];
	size_t len = 123;
	void *buf = NULL;

	put_file("empty", "", 0);
	path_of(p, "empty");
	assert_int_equal(ksr_read_file(p, KSR_MAX_INPUT, &buf, &len), 0);
	assert_int_equal(len, 0);
	assert_non_null(buf);
	assert_int_equal(((char *)buf)[0], '\0');
	free(buf);
	assert_int_equal(ksr_read_file(p, 0, &buf, &len), 0);
	assert_int_equal(len, 0);
	free(buf);
}

/* A file larger than the initial 1 MiB buffer and known size. */
static void test_read_large(void **state)
{
	size_t n = (3u << 20) + 17, len = 0;
	char p[PATH_MAX];
	uint8_t *data = malloc(n);
	void *buf = NULL;

	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (uint8_t)(i * 131 + (i >> 12));
	put_file("large", data, n);
	path_of(p, "large");
	assert_int_equal(ksr_read_file(p, KSR_MAX_INPUT, &buf, &len), 0);
	assert_int_equal(len, n);
	assert_memory_equal(buf, data, n);
	free(buf);
	/* a limit below the size, whatever the buffer growth does */
	buf = NULL;
	assert_int_equal(ksr_read_file(p, n - 1, &buf, &len), -KSR_EMALFORMED);
	assert_null(buf);
	assert_int_equal(ksr_read_file(p, 2u << 20, &buf, &len), -KSR_EMALFORMED);
	assert_int_equal(ksr_read_file(p, 1u << 20, &buf, &len), -KSR_EMALFORMED);
	assert_int_equal(ksr_read_file(p, n, &buf, &len), 0);
	assert_int_equal(len, n);
	free(buf);
	free(data);
}

static void test_read_over_max(void **state)
{
	char p[PATH_MAX];
	size_t len = 7;
	void *buf = NULL;

	put_file("hundred", "0123456789012345678901234567890123456789012345678901234567890123456789"
			    "012345678901234567890123456789", 100);
	path_of(p, "hundred");
	assert_int_equal(ksr_read_file(p, 99, &buf, &len), -KSR_EMALFORMED);
	assert_null(buf);
	assert_int_equal(len, 7);
	assert_non_null(strstr(ksr_errmsg(), "larger"));
	assert_int_equal(ksr_read_file(p, 0, &buf, &len), -KSR_EMALFORMED);
	assert_int_equal(ksr_read_file(p, 100, &buf, &len), 0);
	free(buf);
}

static void test_read_not_regular(void **state)
{
	char p[PATH_MAX];
	size_t len = 0;
	void *buf = NULL;

	assert_int_equal(ksr_read_file(DIR_PATH, KSR_MAX_INPUT, &buf, &len), -KSR_EMALFORMED);
	assert_null(buf);
	assert_non_null(strstr(ksr_errmsg(), "regular"));
	assert_int_equal(ksr_read_file("/", KSR_MAX_INPUT, &buf, &len), -KSR_EMALFORMED);
	/* a character device is not a regular file either */
	assert_int_equal(ksr_read_file("/dev/null", KSR_MAX_INPUT, &buf, &len), -KSR_EMALFORMED);
	path_of(p, "no-such-file");
	assert_int_equal(ksr_read_file(p, KSR_MAX_INPUT, &buf, &len), -ENOENT);
	assert_null(buf);
	path_of(p, "no-such-dir/file");
	assert_int_equal(ksr_read_file(p, KSR_MAX_INPUT, &buf, &len), -ENOENT);
	/* a path through a regular file */
	put_file("plain", "x", 1);
	path_of(p, "plain/child");
	assert_int_equal(ksr_read_file(p, KSR_MAX_INPUT, &buf, &len), -ENOTDIR);
}

/* procfs reports st_size 0; the content still has to be read fully. */
static void test_read_procfs(void **state)
{
	struct stat st;
	size_t len = 0;
	void *buf = NULL;
	char *s;

	if (stat("/proc/self/status", &st) != 0)
		skip();
	assert_int_equal(st.st_size, 0);
	assert_int_equal(ksr_read_file("/proc/self/status", KSR_MAX_INPUT, &buf, &len), 0);
	s = buf;
	assert_true(len > 100);
	assert_int_equal(strlen(s), len);
	assert_memory_equal(s, "Name:", 5);
	assert_int_equal(s[len - 1], '\n');
	/* the last field the kernel prints is present: nothing was cut */
	assert_non_null(strstr(s, "\nvoluntary_ctxt_switches:"));
	assert_non_null(strstr(s, "\nnonvoluntary_ctxt_switches:"));
	free(buf);
	/* the limit applies though st_size said nothing */
	buf = NULL;
	assert_int_equal(ksr_read_file("/proc/self/status", 10, &buf, &len), -KSR_EMALFORMED);
	assert_null(buf);
}

/* A size-0 procfs file bigger than the first 1 MiB guess: the buffer grows. */
static void test_read_procfs_large(void **state)
{
	size_t len = 0, lines = 0;
	void *buf = NULL;
	int err;

	if (!tu_readable("/proc/kallsyms"))
		skip();
	err = ksr_read_file("/proc/kallsyms", KSR_MAX_INPUT, &buf, &len);
	assert_int_equal(err, 0);
	if (len <= (1u << 20)) {
		free(buf);
		print_message("/proc/kallsyms is only %zu bytes: growth not exercised\n", len);
		return;
	}
	assert_int_equal(((char *)buf)[len - 1], '\n');
	assert_int_equal(((char *)buf)[len], '\0');
	assert_int_equal(strlen(buf), len);
	for (size_t i = 0; i < len; i++)
		lines += ((char *)buf)[i] == '\n';
	assert_true(lines > 1000);
	free(buf);
	buf = NULL;
	assert_int_equal(ksr_read_file("/proc/kallsyms", (1u << 20) + 1, &buf, &len),
			 -KSR_EMALFORMED);
	assert_null(buf);
}

/* ---- ksr_write_atomic ---------------------------------------------------------- */

static void expect_content(const char *path, const void *data, size_t n)
{
	size_t len = 0;
	void *got = tu_read_file(path, &len);

	assert_non_null(got);
	assert_int_equal(len, n);
	if (n)
		assert_memory_equal(got, data, n);
	free(got);
}

static void test_write_creates(void **state)
{
	const struct ksr_chunk chunks[] = {
		{ "hello ", 6 }, { NULL, 0 }, { "atomic", 6 }, { "", 0 }, { " world\n", 7 },
	};
	char p[PATH_MAX];

	path_of(p, "out.o");
	assert_int_equal(ksr_write_atomic(p, chunks, sizeof(chunks) / sizeof(chunks[0])), 0);
	expect_content(p, "hello atomic world\n", 19);
	assert_int_equal(count_entries(DIR_PATH, ".ksr."), 0);
}

static void test_write_nothing(void **state)
{
	char p[PATH_MAX];

	path_of(p, "zero.o");
	assert_int_equal(ksr_write_atomic(p, NULL, 0), 0);
	expect_content(p, "", 0);
}

static void test_write_overwrites(void **state)
{
	const struct ksr_chunk big = { "a much longer first version\n", 28 };
	const struct ksr_chunk small = { "v2\n", 3 };
	char p[PATH_MAX];
	struct stat a, b;

	path_of(p, "over.o");
	assert_int_equal(ksr_write_atomic(p, &big, 1), 0);
	assert_int_equal(stat(p, &a), 0);
	assert_int_equal(ksr_write_atomic(p, &small, 1), 0);
	/* the whole file is replaced (shorter, no old tail), by a new inode */
	expect_content(p, "v2\n", 3);
	assert_int_equal(stat(p, &b), 0);
	assert_true(a.st_ino != b.st_ino);
	assert_int_equal(count_entries(DIR_PATH, ".ksr."), 0);
}

static void test_write_large(void **state)
{
	size_t n = 5u << 20;
	uint8_t *data = malloc(n);
	struct ksr_chunk c[2];
	char p[PATH_MAX];

	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (uint8_t)(i ^ (i >> 9));
	c[0] = (struct ksr_chunk){ data, n / 3 };
	c[1] = (struct ksr_chunk){ data + n / 3, n - n / 3 };
	path_of(p, "large.o");
	assert_int_equal(ksr_write_atomic(p, c, 2), 0);
	expect_content(p, data, n);
	free(data);
}

static void test_write_missing_dir(void **state)
{
	const struct ksr_chunk c = { "x", 1 };
	char p[PATH_MAX];

	path_of(p, "no-such-dir/out.o");
	assert_int_equal(ksr_write_atomic(p, &c, 1), -ENOENT);
	assert_true(strlen(ksr_errmsg()) > 0);
	assert_int_equal(count_entries(DIR_PATH, "no-such-dir"), 0);
	assert_int_equal(count_entries(DIR_PATH, ".ksr."), 0);
}

/* The temporary file is created, then the rename fails: it must go. */
static void test_write_rename_fails(void **state)
{
	const struct ksr_chunk c = { "payload", 7 };
	char p[PATH_MAX], inner[PATH_MAX];

	path_of(p, "a-directory");
	assert_int_equal(mkdir(p, 0755), 0);
	path_of(inner, "a-directory/keep");
	put_file("a-directory/keep", "k", 1);
	assert_true(ksr_write_atomic(p, &c, 1) < 0);
	assert_int_equal(count_entries(DIR_PATH, ".ksr."), 0);
	/* the directory and its content are untouched */
	expect_content(inner, "k", 1);
}

/* A pid that no process has: a child that has exited and been reaped. */
static long dead_pid(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return (long)pid;
}

/* Temporary files are .ksr.<pid>.<hex>.tmp. Stale ones (pid gone: SIGKILL,
 * a crash) are removed by the next write into that directory; those of
 * live processes, other names, and non-regular files are left alone. */
static void test_write_stale_temps(void **state)
{
	const struct ksr_chunk c = { "new", 3 };
	char p[PATH_MAX], n[128], stale[64], live[64], mine[64], link[64], other[64];
	long dead = dead_pid();
	struct stat st;

	snprintf(stale, sizeof(stale), "stale/.ksr.%ld.0badcafe.tmp", dead);
	snprintf(live, sizeof(live), "stale/.ksr.1.0badcafe.tmp");
	snprintf(mine, sizeof(mine), "stale/.ksr.%ld.0badcafe.tmp", (long)getpid());
	snprintf(link, sizeof(link), "stale/.ksr.%ld.1badcafe.tmp", dead);
	snprintf(other, sizeof(other), "stale/.ksr.%ld.0badcafe.tmpx", dead);
	path_of(p, "stale");
	assert_int_equal(mkdir(p, 0755), 0);
	put_file("stale/victim", "precious", 8);
	put_file(stale, "old", 3);
	put_file(live, "live", 4);
	put_file(mine, "mine", 4);
	put_file(other, "other", 5);
	path_of(p, link);
	assert_int_equal(symlink("victim", p), 0);
	path_of(p, "stale/out.o");
	assert_int_equal(ksr_write_atomic(p, &c, 1), 0);
	expect_content(p, "new", 3);
	path_of(p, stale);
	assert_int_equal(lstat(p, &st), -1);
	path_of(p, live);
	assert_int_equal(lstat(p, &st), 0);
	path_of(p, mine);
	assert_int_equal(lstat(p, &st), 0);
	path_of(p, other);
	assert_int_equal(lstat(p, &st), 0);
	path_of(p, link);
	assert_int_equal(lstat(p, &st), 0);
	snprintf(n, sizeof(n), "stale/victim");
	path_of(p, n);
	expect_content(p, "precious", 8);
}

/* Any output name that fits NAME_MAX works: the temporary name does not
 * grow with it. */
static void test_write_long_name(void **state)
{
	const struct ksr_chunk c = { "x", 1 };
	char name[NAME_MAX + 1], p[PATH_MAX];

	memset(name, 'n', NAME_MAX);
	name[NAME_MAX] = '\0';
	path_of(p, name);
	assert_int_equal(ksr_write_atomic(p, &c, 1), 0);
	expect_content(p, "x", 1);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(count_entries(DIR_PATH, ".ksr."), 0);
}

/* The target of a symlink at the output path is never written through;
 * the link itself is replaced. */
static void test_write_symlinks(void **state)
{
	const struct ksr_chunk c = { "out", 3 };
	char p[PATH_MAX], victim[PATH_MAX];

	put_file("victim", "precious", 8);
	path_of(victim, "victim");
	path_of(p, "link.o");
	assert_int_equal(symlink(victim, p), 0);
	assert_int_equal(ksr_write_atomic(p, &c, 1), 0);
	expect_content(victim, "precious", 8);
	expect_content(p, "out", 3);
	{
		struct stat st;

		assert_int_equal(lstat(p, &st), 0);
		assert_true(S_ISREG(st.st_mode));
	}
	/* a dangling link is replaced too */
	path_of(p, "dangling.o");
	assert_int_equal(symlink("no-such-target", p), 0);
	assert_int_equal(ksr_write_atomic(p, &c, 1), 0);
	expect_content(p, "out", 3);
}

/* An existing output that is not a regular file (or a link to one) is
 * refused and left as it was: never replaced by a rename. */
static void test_write_not_regular(void **state)
{
	const struct ksr_chunk c = { "out", 3 };
	char fifo[PATH_MAX], link[PATH_MAX];
	struct stat st;

	path_of(fifo, "out.fifo");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(ksr_write_atomic(fifo, &c, 1), -EINVAL);
	assert_non_null(strstr(ksr_errmsg(), "FIFO"));
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	path_of(link, "to-fifo");
	assert_int_equal(symlink(fifo, link), 0);
	assert_int_equal(ksr_write_atomic(link, &c, 1), -EINVAL);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(ksr_output_check("", NULL), -EINVAL);
	assert_int_equal(count_entries(DIR_PATH, ".ksr."), 0);
	if (geteuid() == 0) {
		char dev[PATH_MAX];

		path_of(dev, "null");
		assert_int_equal(mknod(dev, S_IFCHR | 0666, makedev(1, 3)), 0);
		assert_int_equal(ksr_write_atomic(dev, &c, 1), -EINVAL);
		assert_int_equal(lstat(dev, &st), 0);
		assert_true(S_ISCHR(st.st_mode));
	} else {
		print_message("SKIPPED: device node case: mknod needs root\n");
	}
}

/* With input tracking on, an output that is an input (itself, a hard link,
 * a symlink to it) is refused and the input kept. */
static void test_write_over_input(void **state)
{
	const struct ksr_chunk c = { "out", 3 };
	char in[PATH_MAX], hard[PATH_MAX], soft[PATH_MAX], other[PATH_MAX];
	size_t len;
	void *buf;

	put_file("input", "precious", 8);
	path_of(in, "input");
	path_of(hard, "input.hard");
	path_of(soft, "input.soft");
	path_of(other, "other");
	assert_int_equal(link(in, hard), 0);
	assert_int_equal(symlink(in, soft), 0);
	ksr_io_track_inputs(true);
	assert_int_equal(ksr_read_file(in, KSR_MAX_INPUT, &buf, &len), 0);
	free(buf);
	assert_int_equal(ksr_write_atomic(in, &c, 1), -EINVAL);
	assert_non_null(strstr(ksr_errmsg(), "input"));
	assert_int_equal(ksr_write_atomic(hard, &c, 1), -EINVAL);
	assert_int_equal(ksr_write_atomic(soft, &c, 1), -EINVAL);
	assert_int_equal(ksr_write_atomic(other, &c, 1), 0);
	ksr_io_track_inputs(false);
	expect_content(in, "precious", 8);
	assert_int_equal(count_entries(DIR_PATH, ".ksr."), 0);
}

/* A replaced output keeps a stricter mode than the default. */
static void test_write_keeps_mode(void **state)
{
	const struct ksr_chunk c = { "out", 3 };
	char p[PATH_MAX];
	struct stat st;

	put_file("private", "old", 3);
	path_of(p, "private");
	assert_int_equal(chmod(p, 0600), 0);
	assert_int_equal(ksr_write_atomic(p, &c, 1), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	expect_content(p, "out", 3);
}

/* A FIFO (or any non-regular file) is refused at open, without blocking:
 * an alarm turns a hang into a failure. */
static void test_read_fifo(void **state)
{
	char p[PATH_MAX];
	size_t len = 0;
	void *buf = NULL;
	uint64_t size;

	path_of(p, "in.fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	alarm(10);
	assert_int_equal(ksr_read_file(p, KSR_MAX_INPUT, &buf, &len), -KSR_EMALFORMED);
	assert_int_equal(ksr_open_input(p, KSR_MAX_INPUT, &size), -KSR_EMALFORMED);
	alarm(0);
	assert_null(buf);
}

/* A file larger than the limit by its size is refused before a byte is
 * read: the buffer never grows (peak memory stays small). */
static void test_read_size_first(void **state)
{
	struct rusage before, after;
	char p[PATH_MAX];
	size_t len = 0;
	void *buf = NULL;
	int fd;

	path_of(p, "sparse");
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)3 << 29), 0); /* 1.5 GiB, sparse */
	close(fd);
	getrusage(RUSAGE_SELF, &before);
	assert_int_equal(ksr_read_file(p, KSR_MAX_INPUT, &buf, &len), -KSR_EMALFORMED);
	assert_non_null(strstr(ksr_errmsg(), "larger than"));
	getrusage(RUSAGE_SELF, &after);
	/* reading up to the 256 MiB limit first would raise the peak by as much */
	assert_true(after.ru_maxrss - before.ru_maxrss < 64 * 1024);
	assert_int_equal(unlink(p), 0);
}

static void test_write_name_too_long(void **state)
{
	const struct ksr_chunk c = { "x", 1 };
	char *p = malloc(PATH_MAX);

	assert_non_null(p);
	memset(p, 'a', PATH_MAX - 1);
	p[PATH_MAX - 1] = '\0';
	assert_int_equal(ksr_write_atomic(p, &c, 1), -ENAMETOOLONG);
	free(p);
}

/* ---- ksr_map_file ---------------------------------------------------------------- */

static void test_map(void **state)
{
	static const char text[] = "mapped bytes\n";
	struct ksr_map m = { NULL, 0 };
	char p[PATH_MAX];

	put_file("map", text, sizeof(text) - 1);
	path_of(p, "map");
	assert_int_equal(ksr_map_file(p, KSR_MAX_INPUT, &m), 0);
	assert_int_equal(m.len, sizeof(text) - 1);
	assert_memory_equal(m.data, text, m.len);
	{
		/* exactly at the limit; a second mapping of the same file */
		struct ksr_map m2 = { NULL, 0 };

		assert_int_equal(ksr_map_file(p, sizeof(text) - 1, &m2), 0);
		assert_memory_equal(m2.data, text, m2.len);
		ksr_unmap(&m2);
	}
	ksr_unmap(&m);
	assert_null(m.data);
	assert_int_equal(m.len, 0);
	/* unmapping twice, or a never-mapped one, is harmless */
	ksr_unmap(&m);
}

static void test_map_refused(void **state)
{
	struct ksr_map m = { NULL, 0 };
	char p[PATH_MAX];

	put_file("map_empty", "", 0);
	path_of(p, "map_empty");
	assert_int_equal(ksr_map_file(p, KSR_MAX_INPUT, &m), -KSR_EMALFORMED);
	assert_null(m.data);
	put_file("map_big", "0123456789", 10);
	path_of(p, "map_big");
	assert_int_equal(ksr_map_file(p, 9, &m), -KSR_EMALFORMED);
	assert_null(m.data);
	assert_int_equal(ksr_map_file(p, 10, &m), 0);
	ksr_unmap(&m);
	assert_int_equal(ksr_map_file(DIR_PATH, KSR_MAX_INPUT, &m), -KSR_EMALFORMED);
	assert_int_equal(ksr_map_file("/dev/null", KSR_MAX_INPUT, &m), -KSR_EMALFORMED);
	path_of(p, "map_missing");
	assert_int_equal(ksr_map_file(p, KSR_MAX_INPUT, &m), -ENOENT);
	assert_null(m.data);
	/* procfs: size 0 in stat, so it cannot be mapped; read it instead */
	assert_int_equal(ksr_map_file("/proc/self/status", KSR_MAX_INPUT, &m), -KSR_EMALFORMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_regular),
		cmocka_unit_test(test_read_empty),
		cmocka_unit_test(test_read_large),
		cmocka_unit_test(test_read_over_max),
		cmocka_unit_test(test_read_not_regular),
		cmocka_unit_test(test_read_procfs),
		cmocka_unit_test(test_read_procfs_large),
		cmocka_unit_test(test_write_creates),
		cmocka_unit_test(test_write_nothing),
		cmocka_unit_test(test_write_overwrites),
		cmocka_unit_test(test_write_large),
		cmocka_unit_test(test_write_missing_dir),
		cmocka_unit_test(test_write_rename_fails),
		cmocka_unit_test(test_write_stale_temps),
		cmocka_unit_test(test_write_long_name),
		cmocka_unit_test(test_write_symlinks),
		cmocka_unit_test(test_write_not_regular),
		cmocka_unit_test(test_write_over_input),
		cmocka_unit_test(test_write_keeps_mode),
		cmocka_unit_test(test_read_fifo),
		cmocka_unit_test(test_read_size_first),
		cmocka_unit_test(test_write_name_too_long),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_map_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
