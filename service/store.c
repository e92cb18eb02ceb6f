// SPDX-License-Identifier: BSD-2-Clause
/* The profile store: immutable profile files named by identity, label
 * files beside them, and a SQLite catalogue of both (store.h). The files
 * are the truth; the catalogue is rebuilt from them by reindex. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include <ksymres/ksymres.h>

#include "output.h"
#include "store.h"

#define LABELS_FILE_MAX (KSR_STORE_LABELS_MAX * 200)

struct ksr_store {
	char *dir;
	sqlite3 *db;
	pthread_mutex_t lock;        /* the catalogue, renames, label files */
};

/* ---- names ----------------------------------------------------------------- */

bool ksr_store_id_ok(const char *id)
{
	size_t i;

	for (i = 0; id[i]; i++)
		if (i >= KSR_STORE_ID_LEN ||
		    !((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	return i == KSR_STORE_ID_LEN;
}

static bool key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

static size_t key_len(const char *s)
{
	size_t n = 0;

	while (key_char(s[n]))
		n++;
	return n;
}

bool ksr_store_label_key_ok(const char *key)
{
	size_t n = key_len(key);

	return n >= 1 && n <= 64 && !key[n];
}

bool ksr_store_label_ok(const char *label)
{
	size_t n = key_len(label), v;

	if (n < 1 || n > 64 || label[n] != '=')
		return false;
	label += n + 1;
	for (v = 0; label[v]; v++)
		if (v >= 128 || !(key_char(label[v]) || label[v] == ':' || label[v] == '/'))
			return false;
	return true;
}

/* ---- files ----------------------------------------------------------------- */

static int fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return ksr_cli_err(errno, "%s: %s", path, strerror(errno));
	if (fsync(fd) != 0)
		err = ksr_cli_err(errno, "%s: fsync: %s", path, strerror(errno));
	close(fd);
	return err;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -(n < 0 ? errno : EIO);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A new file in DIR/tmp holding data, fsynced: its path in tmp and, in
 * *lock, its descriptor holding an exclusive flock() that the caller
 * keeps until the file is renamed or unlinked (close_temp). Another
 * process opening the store removes only temporary files nobody holds
 * (tmp_unused): several processes may share a store. */
static int write_temp(const struct ksr_store *st, const char *prefix, const void *data,
		      size_t len, char *tmp, size_t tmp_len, int *lock)
{
	int fd, err = 0;

	*lock = -1;
	if (snprintf(tmp, tmp_len, "%s/tmp/%s.XXXXXX", st->dir, prefix) >= (int)tmp_len)
		return ksr_cli_err(ENAMETOOLONG, "%s: path too long", st->dir);
	for (int tries = 0;; tries++) {
		struct stat a, b;

		fd = mkstemp(tmp);
		if (fd < 0)
			return ksr_cli_err(errno, "%s: %s", tmp, strerror(errno));
		if (flock(fd, LOCK_EX) != 0) {
			err = -errno;
			break;
		}
		/* another process's tmp_unused() may have taken it between
		 * mkstemp and flock: then it is gone, and we take another */
		if ((fstat(fd, &a) == 0 && stat(tmp, &b) == 0 && a.st_ino == b.st_ino) || tries == 3)
			break;
		close(fd);
		snprintf(tmp, tmp_len, "%s/tmp/%s.XXXXXX", st->dir, prefix);
	}
	if (!err)
		err = write_all(fd, data, len);
	if (!err && fsync(fd) != 0)
		err = -errno;
	if (err) {
		unlink(tmp);
		close(fd);
		return ksr_cli_err(-err, "%s: %s", tmp, strerror(-err));
	}
	*lock = fd;
	return 0;
}

static void close_temp(int lock)
{
	if (lock >= 0)
		close(lock);
}

/* A file of DIR/tmp that no live writer holds (its flock is free: a
 * writer that died released it). */
static bool tmp_unused(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	bool unused;

	if (fd < 0)
		return false;
	unused = flock(fd, LOCK_EX | LOCK_NB) == 0;
	close(fd);
	return unused;
}

/* DIR/sub/name replaced atomically by data: temporary file, fsync, rename,
 * directory fsync. */
static int write_atomic(const struct ksr_store *st, const char *sub, const char *name,
			const void *data, size_t len)
{
	char tmp[PATH_MAX], dst[PATH_MAX], dir[PATH_MAX];
	int err, lock;

	if (snprintf(dir, sizeof(dir), "%s/%s", st->dir, sub) >= (int)sizeof(dir) ||
	    snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= (int)sizeof(dst))
		return ksr_cli_err(ENAMETOOLONG, "%s: path too long", st->dir);
	err = write_temp(st, "w", data, len, tmp, sizeof(tmp), &lock);
	if (err)
		return err;
	if (rename(tmp, dst) != 0) {
		err = ksr_cli_err(errno, "%s: %s", dst, strerror(errno));
		unlink(tmp);
	}
	close_temp(lock);
	return err ? err : fsync_dir(dir);
}

static int store_path(const char *dir, const char *sub, const char *id, const char *ext,
		      char *buf, size_t len)
{
	if (!ksr_store_id_ok(id))
		return ksr_cli_err(EINVAL, "'%.40s' is not an identity (32 lowercase hex digits)", id);
	if (snprintf(buf, len, "%s/%s/%s%s", dir, sub, id, ext) >= (int)len)
		return ksr_cli_err(ENAMETOOLONG, "%s: path too long", dir);
	return 0;
}

int ksr_store_profile_path(const struct ksr_store *st, const char *id, char *buf, size_t len)
{
	return store_path(st->dir, "profiles", id, ".profile", buf, len);
}

/* ---- labels ---------------------------------------------------------------- */

static int cmp_label(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t nx = key_len(x), ny = key_len(y);
	int c = strncmp(x, y, nx < ny ? nx : ny);

	return c ? c : (nx > ny) - (nx < ny);
}

static bool same_key(const char *a, const char *b)
{
	size_t n = key_len(a);

	return n == key_len(b) && !strncmp(a, b, n);
}

void ksr_store_entry_clear(struct ksr_store_entry *e)
{
	for (size_t i = 0; i < e->label_cnt; i++)
		free(e->labels[i]);
	e->label_cnt = 0;
}

void ksr_store_entries_free(struct ksr_store_entry *e, size_t cnt)
{
	for (size_t i = 0; e && i < cnt; i++)
		ksr_store_entry_clear(&e[i]);
	free(e);
}

/* Sets label (valid) in e: replaces the value of its key, or adds it. */
static int label_set(struct ksr_store_entry *e, const char *label)
{
	char *copy = strdup(label);

	if (!copy)
		return ksr_cli_err(ENOMEM, "out of memory");
	for (size_t i = 0; i < e->label_cnt; i++)
		if (same_key(e->labels[i], label)) {
			free(e->labels[i]);
			e->labels[i] = copy;
			return 0;
		}
	if (e->label_cnt == KSR_STORE_LABELS_MAX) {
		free(copy);
		return ksr_cli_err(E2BIG, "more than %d labels", KSR_STORE_LABELS_MAX);
	}
	e->labels[e->label_cnt++] = copy;
	qsort(e->labels, e->label_cnt, sizeof(e->labels[0]), cmp_label);
	return 0;
}

static void label_remove(struct ksr_store_entry *e, const char *key)
{
	for (size_t i = 0; i < e->label_cnt; i++)
		if (same_key(e->labels[i], key) && e->labels[i][strlen(key)] == '=') {
			free(e->labels[i]);
			memmove(&e->labels[i], &e->labels[i + 1],
				(e->label_cnt - i - 1) * sizeof(e->labels[0]));
			e->label_cnt--;
			return;
		}
}

static bool label_has(const struct ksr_store_entry *e, const char *label)
{
	for (size_t i = 0; i < e->label_cnt; i++)
		if (!strcmp(e->labels[i], label))
			return true;
	return false;
}

/* Reads DIR/labels/<id>.labels into e (none: no labels); a line that is no
 * label is -EBADMSG. */
static int labels_read(const char *dir, const char *id, struct ksr_store_entry *e)
{
	char path[PATH_MAX], buf[LABELS_FILE_MAX + 1];
	ssize_t n;
	int fd, err;

	ksr_store_entry_clear(e);
	err = store_path(dir, "labels", id, ".labels", path, sizeof(path));
	if (err)
		return err;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : ksr_cli_err(errno, "%s: %s", path, strerror(errno));
	n = read(fd, buf, LABELS_FILE_MAX + 1);
	close(fd);
	if (n < 0 || n > LABELS_FILE_MAX)
		return ksr_cli_err(n < 0 ? errno : EBADMSG, "%s: %s", path,
				   n < 0 ? strerror(errno) : "too large");
	buf[n] = '\0';
	for (char *line = buf, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			return ksr_cli_err(EBADMSG, "%s: last line unterminated", path);
		*nl = '\0';
		if (!ksr_store_label_ok(line))
			return ksr_cli_err(EBADMSG, "%s: '%.80s' is no label", path, line);
		err = label_set(e, line);
		if (err)
			return err;
	}
	return 0;
}

static int labels_write(const struct ksr_store *st, const struct ksr_store_entry *e)
{
	char name[64], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int err;

	if (!f)
		return ksr_cli_err(ENOMEM, "out of memory");
	for (size_t i = 0; i < e->label_cnt; i++)
		fprintf(f, "%s\n", e->labels[i]);
	if (fclose(f) != 0) {
		free(text);
		return ksr_cli_err(ENOMEM, "out of memory");
	}
	snprintf(name, sizeof(name), "%s.labels", e->identity);
	err = write_atomic(st, "labels", name, text, len);
	free(text);
	return err;
}

/* ---- the catalogue --------------------------------------------------------- */

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS profiles("
	" identity TEXT PRIMARY KEY, release TEXT NOT NULL, build_id TEXT NOT NULL,"
	" arch TEXT NOT NULL, size INTEGER NOT NULL, added INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS labels("
	" identity TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
	" PRIMARY KEY(identity, key));";

static int db_err(sqlite3 *db, const char *what)
{
	return ksr_cli_err(EIO, "catalogue: %s: %s", what, sqlite3_errmsg(db));
}

static int db_open(const char *dir, bool create, sqlite3 **out)
{
	char path[PATH_MAX];
	sqlite3 *db = NULL;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);

	*out = NULL;
	if (snprintf(path, sizeof(path), "%s/catalogue.sqlite", dir) >= (int)sizeof(path))
		return ksr_cli_err(ENAMETOOLONG, "%s: path too long", dir);
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		int err = ksr_cli_err(create ? EIO : ENOENT, "%s: %s", path,
				      db ? sqlite3_errmsg(db) : "cannot open");

		sqlite3_close(db);
		return err;
	}
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL,
			 NULL) != SQLITE_OK ||
	    sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		int err = db_err(db, "setup");

		sqlite3_close(db);
		return err;
	}
	*out = db;
	return 0;
}

static int db_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : db_err(db, sql);
}

/* One statement about an identity (?1). */
static int db_by_id(sqlite3 *db, const char *sql, const char *id)
{
	sqlite3_stmt *s = NULL;
	int err = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_err(db, sql);
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		err = db_err(db, sql);
	sqlite3_finalize(s);
	return err;
}

/* The row of e and its labels, in a transaction of the caller's; an
 * identity stored already keeps its "added". */
static int db_put(sqlite3 *db, const struct ksr_store_entry *e)
{
	sqlite3_stmt *s = NULL;
	int err = 0;

	if (sqlite3_prepare_v2(db,
			       "INSERT INTO profiles VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT(identity) DO "
			       "UPDATE SET release=?2, build_id=?3, arch=?4, size=?5", -1, &s,
			       NULL) != SQLITE_OK)
		return db_err(db, "insert");
	sqlite3_bind_text(s, 1, e->identity, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, e->release, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, e->build_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, e->arch, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)e->size);
	sqlite3_bind_int64(s, 6, e->added);
	if (sqlite3_step(s) != SQLITE_DONE)
		err = db_err(db, "insert");
	sqlite3_finalize(s);
	if (err)
		return err;
	err = db_by_id(db, "DELETE FROM labels WHERE identity=?1", e->identity);
	if (err)
		return err;
	if (sqlite3_prepare_v2(db, "INSERT INTO labels VALUES(?1,?2,?3)", -1, &s, NULL) != SQLITE_OK)
		return db_err(db, "labels");
	for (size_t i = 0; i < e->label_cnt && !err; i++) {
		size_t k = key_len(e->labels[i]);

		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, e->identity, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, e->labels[i], (int)k, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, e->labels[i] + k + 1, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			err = db_err(db, "labels");
	}
	sqlite3_finalize(s);
	return err;
}

static int db_put_txn(sqlite3 *db, const struct ksr_store_entry *e)
{
	int err = db_exec(db, "BEGIN IMMEDIATE");

	if (err)
		return err;
	err = db_put(db, e);
	if (!err)
		err = db_exec(db, "COMMIT");
	if (err)
		(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

static void copy_col(char *dst, size_t len, sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(dst, len, "%s", t ? (const char *)t : "");
}

/* The labels of e->identity from the catalogue. */
static int db_labels(sqlite3 *db, struct ksr_store_entry *e)
{
	sqlite3_stmt *s = NULL;
	int rc, err = 0;

	ksr_store_entry_clear(e);
	if (sqlite3_prepare_v2(db, "SELECT key, value FROM labels WHERE identity=?1 ORDER BY key",
			       -1, &s, NULL) != SQLITE_OK)
		return db_err(db, "labels");
	sqlite3_bind_text(s, 1, e->identity, -1, SQLITE_STATIC);
	while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		char label[256];

		snprintf(label, sizeof(label), "%s=%s", (const char *)sqlite3_column_text(s, 0),
			 (const char *)sqlite3_column_text(s, 1));
		if (e->label_cnt == KSR_STORE_LABELS_MAX || !(e->labels[e->label_cnt] = strdup(label)))
			err = ksr_cli_err(ENOMEM, "out of memory");
		else
			e->label_cnt++;
	}
	if (!err && rc != SQLITE_DONE)
		err = db_err(db, "labels");
	sqlite3_finalize(s);
	/* the catalogue sorts by key bytes; labels are kept by key */
	qsort(e->labels, e->label_cnt, sizeof(e->labels[0]), cmp_label);
	return err;
}

static const char select_cols[] =
	"SELECT identity, release, build_id, arch, size, added FROM profiles";

static void row_entry(sqlite3_stmt *s, struct ksr_store_entry *e)
{
	copy_col(e->identity, sizeof(e->identity), s, 0);
	copy_col(e->release, sizeof(e->release), s, 1);
	copy_col(e->build_id, sizeof(e->build_id), s, 2);
	copy_col(e->arch, sizeof(e->arch), s, 3);
	e->size = (uint64_t)sqlite3_column_int64(s, 4);
	e->added = sqlite3_column_int64(s, 5);
}

static int db_get(sqlite3 *db, const char *id, struct ksr_store_entry *out)
{
	char sql[128];
	sqlite3_stmt *s = NULL;
	int rc, err = 0;

	memset(out, 0, sizeof(*out));
	snprintf(sql, sizeof(sql), "%s WHERE identity=?1", select_cols);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_err(db, "get");
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		row_entry(s, out);
	else if (rc == SQLITE_DONE)
		err = ksr_cli_err(ENOENT, "profile %s is not in the store", id);
	else
		err = db_err(db, "get");
	sqlite3_finalize(s);
	return err ? err : db_labels(db, out);
}

/* ---- the store ------------------------------------------------------------- */

static int make_dir(const char *dir, const char *sub)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s%s%s", dir, sub[0] ? "/" : "", sub) >= (int)sizeof(path))
		return ksr_cli_err(ENAMETOOLONG, "%s: path too long", dir);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return ksr_cli_err(errno, "%s: cannot create the directory: %s", path, strerror(errno));
	return 0;
}

/* mkdir -p of dir itself (the default store is deep under $HOME). */
static int make_parents(const char *dir)
{
	char path[PATH_MAX];
	size_t n = strlen(dir);

	if (n >= sizeof(path))
		return ksr_cli_err(ENAMETOOLONG, "%s: path too long", dir);
	memcpy(path, dir, n + 1);
	for (char *p = path + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(path, 0755) != 0 && errno != EEXIST)
				return ksr_cli_err(errno, "%s: cannot create the directory: %s", path,
						   strerror(errno));
			*p = '/';
		}
	return make_dir(dir, "");
}

static int empty_tmp(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dp;

	snprintf(path, sizeof(path), "%s/tmp", dir);
	dp = opendir(path);
	if (!dp)
		return ksr_cli_err(errno, "%s: %s", path, strerror(errno));
	while ((d = readdir(dp)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
		    tmp_unused(dirfd(dp), d->d_name))
			(void)unlinkat(dirfd(dp), d->d_name, 0);
	closedir(dp);
	return 0;
}

/* What a crash can leave between a store's files and its catalogue (the
 * files are the truth): a profile renamed into place but not catalogued
 * yet, a labels file written but not its row, a row or a labels file whose
 * profile was unlinked. Put right at every open, cheaply: only profiles
 * the catalogue does not list are verified whole (fsck verifies all). */
static int profile_entry(const char *path, const void *data, size_t len,
			 struct ksr_store_entry *e);
static bool file_exists(const char *path);
static bool profile_name(const char *name, char id[33]);

static int recover(struct ksr_store *st)
{
	char path[PATH_MAX];
	struct dirent *d;
	sqlite3_stmt *s = NULL;
	int err = 0;
	DIR *dp;

	snprintf(path, sizeof(path), "%s/profiles", st->dir);
	if (!(dp = opendir(path)))
		return ksr_cli_err(errno, "%s: %s", path, strerror(errno));
	while (!err && (d = readdir(dp))) {
		struct ksr_store_entry e = { 0 }, row;
		char id[33], file[PATH_MAX + 256];
		bool same;

		if (!profile_name(d->d_name, id))
			continue;
		if (db_get(st->db, id, &row)) {
			struct stat sb;

			snprintf(file, sizeof(file), "%s/%s", path, d->d_name);
			if (profile_entry(file, NULL, 0, &e) || strcmp(e.identity, id))
				continue; /* fsck names it */
			e.added = stat(file, &sb) == 0 ? (int64_t)sb.st_mtime : (int64_t)time(NULL);
			if (!labels_read(st->dir, id, &e))
				err = db_put_txn(st->db, &e);
			ksr_store_entry_clear(&e);
			continue;
		}
		if (!labels_read(st->dir, id, &e)) {
			same = row.label_cnt == e.label_cnt;
			for (size_t i = 0; same && i < e.label_cnt; i++)
				same = !strcmp(row.labels[i], e.labels[i]);
			if (!same) {
				/* the row's metadata, the file's labels (moved) */
				ksr_store_entry_clear(&row);
				memcpy(row.labels, e.labels, e.label_cnt * sizeof(e.labels[0]));
				row.label_cnt = e.label_cnt;
				e.label_cnt = 0;
				err = db_put_txn(st->db, &row);
			}
		}
		ksr_store_entry_clear(&e);
		ksr_store_entry_clear(&row);
	}
	closedir(dp);
	/* rows of no profile file */
	if (!err && sqlite3_prepare_v2(st->db, "SELECT identity FROM profiles", -1, &s, NULL) != SQLITE_OK)
		err = db_err(st->db, "select");
	while (!err && sqlite3_step(s) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(s, 0);
		char file[PATH_MAX];

		if (id && !store_path(st->dir, "profiles", id, ".profile", file, sizeof(file)) &&
		    !file_exists(file)) {
			char rid[33];

			snprintf(rid, sizeof(rid), "%s", id);
			err = db_by_id(st->db, "DELETE FROM labels WHERE identity=?1", rid);
			if (!err)
				err = db_by_id(st->db, "DELETE FROM profiles WHERE identity=?1", rid);
		}
	}
	sqlite3_finalize(s);
	/* labels files of no profile (a delete cut between its unlinks) */
	snprintf(path, sizeof(path), "%s/labels", st->dir);
	if (!err && (dp = opendir(path))) {
		while ((d = readdir(dp))) {
			char id[33], file[PATH_MAX];
			size_t len = strlen(d->d_name);

			if (len != KSR_STORE_ID_LEN + 7 || strcmp(d->d_name + KSR_STORE_ID_LEN, ".labels"))
				continue;
			memcpy(id, d->d_name, KSR_STORE_ID_LEN);
			id[KSR_STORE_ID_LEN] = '\0';
			if (ksr_store_id_ok(id) &&
			    !store_path(st->dir, "profiles", id, ".profile", file, sizeof(file)) &&
			    !file_exists(file))
				(void)unlinkat(dirfd(dp), d->d_name, 0);
		}
		closedir(dp);
	}
	return err;
}

int ksr_store_open(const char *dir, struct ksr_store **out)
{
	struct ksr_store *st;
	int err;

	*out = NULL;
	err = make_parents(dir);
	if (!err)
		err = make_dir(dir, "profiles");
	if (!err)
		err = make_dir(dir, "labels");
	if (!err)
		err = make_dir(dir, "tmp");
	if (!err)
		err = empty_tmp(dir);
	if (err)
		return err;
	st = calloc(1, sizeof(*st));
	if (!st || !(st->dir = strdup(dir))) {
		free(st);
		return ksr_cli_err(ENOMEM, "out of memory");
	}
	err = db_open(dir, true, &st->db);
	if (err) {
		free(st->dir);
		free(st);
		return err;
	}
	pthread_mutex_init(&st->lock, NULL);
	err = recover(st);
	if (err) {
		ksr_store_close(st);
		return err;
	}
	*out = st;
	return 0;
}

void ksr_store_close(struct ksr_store *st)
{
	if (!st)
		return;
	sqlite3_close(st->db);
	pthread_mutex_destroy(&st->lock);
	free(st->dir);
	free(st);
}

const char *ksr_store_dir(const struct ksr_store *st)
{
	return st->dir;
}

/* Opens and verifies the profile at path whole; fills what e records of
 * it. When data (the file's bytes, len) is given, an upload: its contents
 * are revalidated and the identity it claims must be that of its .BTF. */
static int profile_entry(const char *path, const void *data, size_t len,
			 struct ksr_store_entry *e)
{
	struct ksr_profile_summary sum = { .sz = sizeof(sum) };
	struct ksr_profile *p = NULL;
	int err = ksr_profile__open(path, &p);

	if (!err)
		err = ksr_profile__verify(p);
	/* an upload: its contents too, as `ksymres profile` validates its
	 * inputs (the hashes do not stop a forger) */
	if (!err && data)
		err = ksr_profile__revalidate(p);
	if (err) {
		ksr_profile__free(p);
		return ksr_cli_err(-err, "%s", ksr_errmsg());
	}
	if (data) {
		uint32_t n = ksr_profile__section_cnt(p);
		char id[33] = "";

		for (uint32_t i = 0; i < n; i++) {
			struct ksr_profile_section sec = { .sz = sizeof(sec) };

			if (!ksr_profile__section(p, i, &sec) && !strcmp(sec.name, ".BTF") &&
			    sec.offset <= len && sec.size <= len - sec.offset)
				ksr_kernel_identity((const char *)data + sec.offset, (size_t)sec.size, id);
		}
		if (strcmp(id, ksr_profile__identity(p))) {
			err = ksr_cli_err(EBADMSG, "the identity the profile records (%s) is not that of its .BTF",
					  ksr_profile__identity(p));
			ksr_profile__free(p);
			return err;
		}
	}
	snprintf(e->identity, sizeof(e->identity), "%s", ksr_profile__identity(p));
	snprintf(e->release, sizeof(e->release), "%s", ksr_profile__release(p));
	snprintf(e->build_id, sizeof(e->build_id), "%s", ksr_profile__build_id(p));
	snprintf(e->arch, sizeof(e->arch), "%s", ksr_profile__arch(p));
	ksr_profile__summary(p, &sum);
	e->size = sum.file_size;
	ksr_profile__free(p);
	return 0;
}

static bool file_exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

int ksr_store_put(struct ksr_store *st, const void *data, size_t len,
		  const char *const *labels, size_t label_cnt,
		  struct ksr_store_entry *out, bool *created)
{
	char tmp[PATH_MAX], dst[PATH_MAX], dir[PATH_MAX];
	struct ksr_store_entry e = { 0 };
	int err, lock;

	memset(out, 0, sizeof(*out));
	*created = false;
	for (size_t i = 0; i < label_cnt; i++)
		if (!ksr_store_label_ok(labels[i]))
			return ksr_cli_err(EINVAL, "'%.200s' is no label (k=v)", labels[i]);
	err = write_temp(st, "up", data, len, tmp, sizeof(tmp), &lock);
	if (err)
		return err;
	err = profile_entry(tmp, data, len, &e);
	if (!err)
		err = ksr_store_profile_path(st, e.identity, dst, sizeof(dst));
	if (err) {
		unlink(tmp);
		close_temp(lock);
		return err;
	}
	snprintf(dir, sizeof(dir), "%s/profiles", st->dir);
	pthread_mutex_lock(&st->lock);
	if (file_exists(dst)) {
		/* the same identity (another boot of the same build): the
		 * stored file stays, and so does what the catalogue says of it */
		unlink(tmp);
		err = profile_entry(dst, NULL, 0, &e);
	} else {
		if (rename(tmp, dst) != 0) {
			err = ksr_cli_err(errno, "%s: %s", dst, strerror(errno));
			unlink(tmp);
		} else {
			err = fsync_dir(dir);
			*created = true;
		}
	}
	close_temp(lock);
	if (!err) {
		/* what reindex finds again: the file's time */
		struct stat sb;

		e.added = stat(dst, &sb) == 0 ? (int64_t)sb.st_mtime : (int64_t)time(NULL);
		err = labels_read(st->dir, e.identity, &e);
	}
	for (size_t i = 0; i < label_cnt && !err; i++)
		err = label_set(&e, labels[i]);
	if (!err && (*created || label_cnt))
		err = labels_write(st, &e);
	if (!err)
		err = db_put_txn(st->db, &e);
	if (!err)
		err = db_get(st->db, e.identity, out);
	pthread_mutex_unlock(&st->lock);
	ksr_store_entry_clear(&e);
	return err;
}

int ksr_store_get(struct ksr_store *st, const char *id, struct ksr_store_entry *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	if (!ksr_store_id_ok(id))
		return ksr_cli_err(EINVAL, "'%.40s' is not an identity (32 lowercase hex digits)", id);
	pthread_mutex_lock(&st->lock);
	err = db_get(st->db, id, out);
	pthread_mutex_unlock(&st->lock);
	return err;
}

int ksr_store_list(struct ksr_store *st, const char *const *labels, size_t label_cnt,
		   const char *release, struct ksr_store_entry **out, size_t *cnt)
{
	struct ksr_store_entry *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s = NULL;
	char sql[128];
	int rc, err = 0;

	*out = NULL;
	*cnt = 0;
	snprintf(sql, sizeof(sql), "%s ORDER BY identity", select_cols);
	pthread_mutex_lock(&st->lock);
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		err = db_err(st->db, "list");
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		bool keep;

		if (n == cap) {
			struct ksr_store_entry *w = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));

			if (!w) {
				err = ksr_cli_err(ENOMEM, "out of memory");
				goto out;
			}
			v = w;
		}
		memset(&v[n], 0, sizeof(v[n]));
		row_entry(s, &v[n]);
		err = db_labels(st->db, &v[n]);
		if (err) {
			n++;
			goto out;
		}
		keep = !release || !strcmp(release, v[n].release);
		for (size_t i = 0; keep && i < label_cnt; i++)
			keep = label_has(&v[n], labels[i]);
		if (keep)
			n++;
		else
			ksr_store_entry_clear(&v[n]);
	}
	if (rc != SQLITE_DONE)
		err = db_err(st->db, "list");
out:
	sqlite3_finalize(s);
	pthread_mutex_unlock(&st->lock);
	if (err) {
		ksr_store_entries_free(v, n);
		return err;
	}
	*out = v;
	*cnt = n;
	return 0;
}

int ksr_store_select(struct ksr_store *st, const char *const *labels, size_t label_cnt,
		     char (**out)[KSR_STORE_ID_LEN + 1], size_t *cnt)
{
	/* one statement: "SELECT identity FROM labels WHERE key=? AND value=?"
	 * once per label, INTERSECTed (at most 64 labels) */
	static const char one[] = "SELECT identity FROM labels WHERE key=? AND value=?";
	char sql[KSR_STORE_LABELS_MAX * (sizeof(one) + 12) + 32];
	char (*v)[KSR_STORE_ID_LEN + 1] = NULL;
	size_t n = 0, cap = 0, len = 0;
	sqlite3_stmt *s = NULL;
	int rc, err = 0;

	*out = NULL;
	*cnt = 0;
	if (!label_cnt || label_cnt > KSR_STORE_LABELS_MAX)
		return ksr_cli_err(EINVAL, "select: 1 to %d labels", KSR_STORE_LABELS_MAX);
	for (size_t i = 0; i < label_cnt; i++) {
		if (!ksr_store_label_ok(labels[i]))
			return ksr_cli_err(EINVAL, "'%.200s' is no label (k=v)", labels[i]);
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s%s", i ? " INTERSECT " : "", one);
	}
	snprintf(sql + len, sizeof(sql) - len, " ORDER BY identity");
	pthread_mutex_lock(&st->lock);
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		err = db_err(st->db, "select");
		goto out;
	}
	for (size_t i = 0; i < label_cnt; i++) {
		const char *eq = strchr(labels[i], '=');

		sqlite3_bind_text(s, (int)(2 * i + 1), labels[i], (int)(eq - labels[i]), SQLITE_STATIC);
		sqlite3_bind_text(s, (int)(2 * i + 2), eq + 1, -1, SQLITE_STATIC);
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(s, 0);

		if (n == cap) {
			char (*w)[KSR_STORE_ID_LEN + 1] = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*v));

			if (!w) {
				err = ksr_cli_err(ENOMEM, "out of memory");
				goto out;
			}
			v = w;
		}
		snprintf(v[n++], sizeof(v[0]), "%s", id ? id : "");
	}
	if (rc != SQLITE_DONE)
		err = db_err(st->db, "select");
out:
	sqlite3_finalize(s);
	pthread_mutex_unlock(&st->lock);
	if (err) {
		free(v);
		return err;
	}
	*out = v;
	*cnt = n;
	return 0;
}

int ksr_store_delete(struct ksr_store *st, const char *id)
{
	char path[PATH_MAX], lpath[PATH_MAX], dir[PATH_MAX];
	struct ksr_store_entry e;
	bool had_file;
	int err;

	err = ksr_store_profile_path(st, id, path, sizeof(path));
	if (!err)
		err = store_path(st->dir, "labels", id, ".labels", lpath, sizeof(lpath));
	if (err)
		return err;
	pthread_mutex_lock(&st->lock);
	had_file = unlink(path) == 0;
	if (had_file) {
		snprintf(dir, sizeof(dir), "%s/profiles", st->dir);
		err = fsync_dir(dir);
	}
	if (!err && unlink(lpath) == 0) {
		snprintf(dir, sizeof(dir), "%s/labels", st->dir);
		err = fsync_dir(dir);
	}
	if (!err && !had_file) {
		err = db_get(st->db, id, &e); /* -ENOENT: neither file nor row */
		ksr_store_entry_clear(&e);
	}
	if (!err)
		err = db_exec(st->db, "BEGIN IMMEDIATE");
	if (!err) {
		err = db_by_id(st->db, "DELETE FROM profiles WHERE identity=?1", id);
		if (!err)
			err = db_by_id(st->db, "DELETE FROM labels WHERE identity=?1", id);
		if (!err)
			err = db_exec(st->db, "COMMIT");
		if (err)
			(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	}
	pthread_mutex_unlock(&st->lock);
	return err;
}

int ksr_store_relabel(struct ksr_store *st, const char *id, const char *const *add,
		      size_t add_cnt, const char *const *remove, size_t remove_cnt,
		      struct ksr_store_entry *out)
{
	char path[PATH_MAX];
	int err;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < add_cnt; i++)
		if (!ksr_store_label_ok(add[i]))
			return ksr_cli_err(EINVAL, "'%.200s' is no label (k=v)", add[i]);
	for (size_t i = 0; i < remove_cnt; i++)
		if (!ksr_store_label_key_ok(remove[i]))
			return ksr_cli_err(EINVAL, "'%.200s' is no label key", remove[i]);
	err = ksr_store_profile_path(st, id, path, sizeof(path));
	if (err)
		return err;
	pthread_mutex_lock(&st->lock);
	err = db_get(st->db, id, out);
	if (!err && !file_exists(path))
		err = ksr_cli_err(ENOENT, "profile %s is not in the store", id);
	if (!err)
		err = labels_read(st->dir, id, out);
	for (size_t i = 0; i < remove_cnt && !err; i++)
		label_remove(out, remove[i]);
	for (size_t i = 0; i < add_cnt && !err; i++)
		err = label_set(out, add[i]);
	if (!err)
		err = labels_write(st, out);
	if (!err)
		err = db_put_txn(st->db, out);
	pthread_mutex_unlock(&st->lock);
	if (err)
		ksr_store_entry_clear(out);
	return err;
}

void ksr_store_entry_json(struct ksr_json *j, const struct ksr_store_entry *e)
{
	ksr_json_obj_open(j);
	ksr_json_key(j, "identity");
	ksr_json_str(j, e->identity);
	ksr_json_key(j, "release");
	ksr_json_str(j, e->release);
	ksr_json_key(j, "build_id");
	ksr_json_str(j, e->build_id);
	ksr_json_key(j, "arch");
	ksr_json_str(j, e->arch);
	ksr_json_key(j, "size");
	ksr_json_u64(j, e->size);
	ksr_json_key(j, "added");
	ksr_json_int(j, e->added);
	ksr_json_key(j, "labels");
	ksr_json_obj_open(j);
	for (size_t i = 0; i < e->label_cnt; i++) {
		char key[80];
		size_t k = key_len(e->labels[i]);

		snprintf(key, sizeof(key), "%.*s", (int)k, e->labels[i]);
		ksr_json_key(j, key);
		ksr_json_str(j, e->labels[i] + k + 1);
	}
	ksr_json_obj_close(j);
	ksr_json_obj_close(j);
}

/* ---- reindex and fsck ------------------------------------------------------ */

/* "<id>.profile" with a valid id: the id, else NULL. */
static bool profile_name(const char *name, char id[33])
{
	size_t n = strlen(name);

	if (n != KSR_STORE_ID_LEN + 8 || strcmp(name + KSR_STORE_ID_LEN, ".profile"))
		return false;
	memcpy(id, name, KSR_STORE_ID_LEN);
	id[KSR_STORE_ID_LEN] = '\0';
	return ksr_store_id_ok(id);
}

int ksr_store_reindex(const char *dir, size_t *cnt)
{
	struct ksr_store *st;
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dp;
	int err;

	*cnt = 0;
	err = ksr_store_open(dir, &st);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/profiles", dir);
	dp = opendir(path);
	if (!dp) {
		err = ksr_cli_err(errno, "%s: %s", path, strerror(errno));
		ksr_store_close(st);
		return err;
	}
	err = db_exec(st->db, "BEGIN IMMEDIATE");
	if (!err)
		err = db_exec(st->db, "DELETE FROM profiles; DELETE FROM labels;");
	while (!err && (d = readdir(dp))) {
		struct ksr_store_entry e = { 0 };
		char id[33], file[PATH_MAX + 256];
		struct stat sb;

		if (!profile_name(d->d_name, id))
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, d->d_name);
		if (profile_entry(file, NULL, 0, &e) || strcmp(e.identity, id)) {
			fprintf(stderr, "ksymres: %s: skipped (fails verification or its name; see 'store fsck')\n",
				file);
			continue;
		}
		e.added = stat(file, &sb) == 0 ? (int64_t)sb.st_mtime : (int64_t)time(NULL);
		err = labels_read(dir, id, &e);
		if (!err)
			err = db_put(st->db, &e);
		ksr_store_entry_clear(&e);
		if (!err)
			++*cnt;
	}
	closedir(dp);
	err = err ? err : db_exec(st->db, "COMMIT");
	if (err)
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	ksr_store_close(st);
	return err;
}

static void fsck_problem(FILE *f, int *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fsck_problem(FILE *f, int *n, const char *fmt, ...)
{
	char line[PATH_MAX + 512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fputs("store: ", f);
	ksr_print_safe(f, line);
	fputc('\n', f);
	++*n;
}

/* Every entry name of DIR/sub but . and .., or NULL when it cannot be read. */
static DIR *open_sub(const char *dir, const char *sub, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", dir, sub);
	return opendir(path);
}

int ksr_store_fsck(const char *dir, FILE *f)
{
	char path[PATH_MAX];
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	struct dirent *d;
	int n = 0, err;
	DIR *dp;

	err = db_open(dir, false, &db);
	if (err) {
		fsck_problem(f, &n, "%s: no catalogue (run 'ksymres store reindex')", dir);
		return n;
	}
	static const char *const subs[] = { "profiles", "labels", "tmp" };

	for (size_t i = 0; i < 3; i++) {
		dp = open_sub(dir, subs[i], path, sizeof(path));
		if (!dp)
			fsck_problem(f, &n, "%s/%s: missing", dir, subs[i]);
		else
			closedir(dp);
	}
	/* temporary leftovers */
	if ((dp = open_sub(dir, "tmp", path, sizeof(path)))) {
		while ((d = readdir(dp)))
			if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
			    tmp_unused(dirfd(dp), d->d_name))
				fsck_problem(f, &n, "tmp/%s: temporary file left", d->d_name);
		closedir(dp);
	}
	/* every profile file: named by its identity, valid, catalogued alike */
	if ((dp = open_sub(dir, "profiles", path, sizeof(path)))) {
		while ((d = readdir(dp))) {
			struct ksr_store_entry e = { 0 }, row;
			char id[33], file[PATH_MAX + 256];

			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			if (!profile_name(d->d_name, id)) {
				fsck_problem(f, &n, "profiles/%s: not named <identity>.profile",
					     d->d_name);
				continue;
			}
			snprintf(file, sizeof(file), "%s/%s", path, d->d_name);
			if (profile_entry(file, NULL, 0, &e)) {
				fsck_problem(f, &n, "profiles/%s: fails verification: %s", d->d_name,
					     ksr_cli_errmsg());
				continue;
			}
			if (strcmp(e.identity, id)) {
				fsck_problem(f, &n, "profiles/%s: its identity is %s", d->d_name,
					     e.identity);
				continue;
			}
			if (labels_read(dir, id, &e))
				fsck_problem(f, &n, "labels/%s.labels: %s", id, ksr_cli_errmsg());
			if (db_get(db, id, &row)) {
				fsck_problem(f, &n, "profiles/%s: not in the catalogue", d->d_name);
			} else {
				bool same = !strcmp(row.release, e.release) &&
					    !strcmp(row.build_id, e.build_id) &&
					    !strcmp(row.arch, e.arch) && row.size == e.size &&
					    row.label_cnt == e.label_cnt;

				for (size_t i = 0; same && i < e.label_cnt; i++)
					same = !strcmp(row.labels[i], e.labels[i]);
				if (!same)
					fsck_problem(f, &n, "catalogue: %s disagrees with %s", id,
						     "its files");
				ksr_store_entry_clear(&row);
			}
			ksr_store_entry_clear(&e);
		}
		closedir(dp);
	}
	/* label files of no profile */
	if ((dp = open_sub(dir, "labels", path, sizeof(path)))) {
		while ((d = readdir(dp))) {
			char file[PATH_MAX + 256], id[33];
			size_t len = strlen(d->d_name);

			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			if (len != KSR_STORE_ID_LEN + 7 || strcmp(d->d_name + KSR_STORE_ID_LEN, ".labels")) {
				fsck_problem(f, &n, "labels/%s: not named <identity>.labels",
					     d->d_name);
				continue;
			}
			memcpy(id, d->d_name, KSR_STORE_ID_LEN);
			id[KSR_STORE_ID_LEN] = '\0';
			if (!ksr_store_id_ok(id) ||
			    store_path(dir, "profiles", id, ".profile", file, sizeof(file)) ||
			    !file_exists(file))
				fsck_problem(f, &n, "labels/%s: no such profile", d->d_name);
		}
		closedir(dp);
	}
	/* rows of no file */
	if (sqlite3_prepare_v2(db, "SELECT identity FROM profiles ORDER BY identity", -1, &s,
			       NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *id = (const char *)sqlite3_column_text(s, 0);
			char file[PATH_MAX];

			if (!id || store_path(dir, "profiles", id, ".profile", file, sizeof(file)))
				fsck_problem(f, &n, "catalogue: row '%.40s' is no identity",
					     id ? id : "");
			else if (!file_exists(file))
				fsck_problem(f, &n, "catalogue: %s has no file", id);
		}
		sqlite3_finalize(s);
	} else {
		fsck_problem(f, &n, "catalogue: %s", sqlite3_errmsg(db));
	}
	sqlite3_close(db);
	return n;
}
