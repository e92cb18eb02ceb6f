/* SPDX-License-Identifier: BSD-2-Clause */
/* Reading inputs once into memory and writing outputs atomically. */
#ifndef KSR_FILEIO_H
#define KSR_FILEIO_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#define KSR_MAX_INPUT (256u << 20)  /* resource cap for any input file */

/* The input policy, for every file ksymres reads: opened O_NONBLOCK (a
 * FIFO or a device cannot block the open), then fstat before any read:
 * a path that is not a regular file is -KSR_EMALFORMED ("not a regular
 * file"), and so is one whose st_size is above max ("file larger than"),
 * without reading it. Procfs files report size 0 and are bounded while they
 * are read. Returns the descriptor (blocking again) and its stat. With
 * ksr_io_track_inputs(), the file is remembered for the output policy. */
int ksr_input_open(const char *path, size_t max, struct stat *st);

/* Reads a whole file into a fresh 16-aligned buffer with a NUL byte after
 * the data. Does not trust st_size (procfs files report 0). A path that is
 * not a regular file is -KSR_EMALFORMED; so is a file above max bytes. */
int ksr_read_file(const char *path, size_t max, void **buf, size_t *len);

/* Opens a regular file of 1..max bytes for reading: the descriptor, and
 * the size in *size; -KSR_EMALFORMED for anything else. */
int ksr_open_input(const char *path, size_t max, uint64_t *size);
/* Reads exactly len bytes at off. A file that ends early (it shrank since
 * it was opened) is -KSR_EMALFORMED; read errors are their errno. */
int ksr_pread_full(int fd, void *buf, size_t len, uint64_t off);

/* A read-only mapping of a regular file. */
struct ksr_map {
	const void *data;
	size_t len;
};
int ksr_map_file(const char *path, size_t max, struct ksr_map *m);
/* Maps size bytes of an open file (ksr_open_input()); the fd may be closed. */
int ksr_map_fd(int fd, uint64_t size, struct ksr_map *m);
void ksr_unmap(struct ksr_map *m);

struct ksr_chunk {
	const void *data;
	size_t len;
};

/* The output policy, applied by ksr_atomic_open() and again just before
 * the rename in ksr_atomic_commit(), so every writer goes through it. An
 * output path that exists must be a regular file, or a symlink (the link
 * itself is replaced, never its target) to a regular file or to nothing:
 * a directory, device node, FIFO or socket, or a link to one, is refused.
 * It must not be the same file (st_dev and st_ino, directly or through a
 * link) as an input opened by ksr_input_open() while tracking is on, nor
 * as standard input, output or error. Refusals are errors that name the
 * path (CLI exit 1). *mode, when given, is narrowed to the permission bits
 * of an existing output: a replaced file never becomes more accessible. */
int ksr_output_check(const char *path, mode_t *mode);

/* Remember every input opened from now on (the CLI turns this on; the
 * library alone does not keep such a list). */
void ksr_io_track_inputs(bool on);
/* Installs handlers for SIGINT, SIGTERM and SIGHUP (unless ignored) that
 * remove the temporary files being written, then die of the signal. */
void ksr_io_remove_temps_on_signals(void);

/* Temporary files are "<dir of path>/.ksr.<pid>.<8 hex digits>.tmp" (short,
 * so any valid output name works). Before the first one in a directory, a
 * process removes the regular files of that pattern whose pid is not a
 * live process (left by SIGKILL or a crash). */

/* Writes the chunks to a temporary file beside path (O_EXCL|O_NOFOLLOW),
 * fsyncs and renames it over path. On failure nothing is left behind. */
int ksr_write_atomic(const char *path, const struct ksr_chunk *chunks, size_t n);

/* The same in steps, for a file written in parts at known offsets (a
 * profile's BTF sections are written while kallsyms is still being read).
 * open creates the temporary file; pwrite writes chunks one after another
 * from off; writeback starts writing a range to disk early (advisory);
 * commit fsyncs, closes and renames (on failure it removes the temporary
 * file); abort closes and removes it. After commit or abort, f is done. */
struct ksr_atomic_file {
	int fd;
	int slot;           /* in the table of temporary files removed on signals */
	char path[PATH_MAX];
	char tmp[PATH_MAX];
};
int ksr_atomic_open(const char *path, struct ksr_atomic_file *f);
int ksr_atomic_pwrite(struct ksr_atomic_file *f, const struct ksr_chunk *chunks, size_t n,
		      uint64_t off);
void ksr_atomic_writeback(struct ksr_atomic_file *f, uint64_t off, uint64_t len);
int ksr_atomic_commit(struct ksr_atomic_file *f);
void ksr_atomic_abort(struct ksr_atomic_file *f);

#endif
