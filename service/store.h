/* SPDX-License-Identifier: BSD-2-Clause */
/* The profile store of `ksymres serve` (docs/service.md):
 *   DIR/profiles/<identity>.profile  immutable, content-addressed
 *   DIR/labels/<identity>.labels     "k=v" lines, sorted, written atomically
 *   DIR/catalogue.sqlite             what the files say, for queries; it can
 *                                    always be rebuilt from them (reindex)
 *   DIR/tmp/                         uploads being written; emptied at open
 * Identities and labels are validated before any path is formed. Errors are
 * negative errno values with the message in ksr_cli_errmsg(). One store may
 * be used from many threads (a mutex guards the catalogue). */
#ifndef KSR_STORE_H
#define KSR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define KSR_STORE_ID_LEN 32
#define KSR_STORE_LABELS_MAX 64     /* labels per profile */

struct ksr_store;

struct ksr_store_entry {
	char identity[KSR_STORE_ID_LEN + 1];
	char release[128];
	char build_id[65];
	char arch[32];
	uint64_t size;
	int64_t added;               /* seconds since the epoch */
	size_t label_cnt;
	char *labels[KSR_STORE_LABELS_MAX]; /* "k=v", sorted by key; malloc()ed */
};

/* Exactly 32 lowercase hex digits. */
bool ksr_store_id_ok(const char *id);
/* [A-Za-z0-9._-]{1,64}=[A-Za-z0-9._:/-]{0,128} */
bool ksr_store_label_ok(const char *label);
/* A label key alone: [A-Za-z0-9._-]{1,64} */
bool ksr_store_label_key_ok(const char *key);

/* Opens (creating what is missing) the store in dir and empties its tmp/. */
int ksr_store_open(const char *dir, struct ksr_store **out);
void ksr_store_close(struct ksr_store *st);
const char *ksr_store_dir(const struct ksr_store *st);

/* Adds the profile data[0..len): written to tmp/, fsynced, opened and
 * verified whole with the library (-EBADMSG: not a valid profile), renamed
 * to its identity and the directory fsynced, then catalogued. labels are
 * merged with those it has (a key given again takes the new value).
 * *created: false when the identity was stored already. */
int ksr_store_put(struct ksr_store *st, const void *data, size_t len,
		  const char *const *labels, size_t label_cnt,
		  struct ksr_store_entry *out, bool *created);
/* -ENOENT when id is not stored (-EINVAL when it is no identity). */
int ksr_store_get(struct ksr_store *st, const char *id, struct ksr_store_entry *out);
/* The entries that have every label of labels[] and, when release is not
 * NULL, that release; sorted by identity. ksr_store_entries_free() them. */
int ksr_store_list(struct ksr_store *st, const char *const *labels, size_t label_cnt,
		   const char *release, struct ksr_store_entry **out, size_t *cnt);
/* The identities of the profiles that have every label of labels[] (1 to
 * KSR_STORE_LABELS_MAX), sorted: one query (a check's hot path, where
 * ksr_store_list() reads every entry and its labels); free() *out. */
int ksr_store_select(struct ksr_store *st, const char *const *labels, size_t label_cnt,
		     char (**out)[KSR_STORE_ID_LEN + 1], size_t *cnt);
int ksr_store_delete(struct ksr_store *st, const char *id);
/* Adds labels ("k=v") and removes keys; the result is written atomically. */
int ksr_store_relabel(struct ksr_store *st, const char *id, const char *const *add,
		      size_t add_cnt, const char *const *remove, size_t remove_cnt,
		      struct ksr_store_entry *out);
/* DIR/profiles/<id>.profile for a valid id. */
int ksr_store_profile_path(const struct ksr_store *st, const char *id, char *buf, size_t len);

void ksr_store_entry_clear(struct ksr_store_entry *e);
void ksr_store_entries_free(struct ksr_store_entry *e, size_t cnt);
/* The entry as a JSON object (output layer's emitter) on j. */
struct ksr_json;
void ksr_store_entry_json(struct ksr_json *j, const struct ksr_store_entry *e);

/* Rebuilds the catalogue from the files (profiles verified and their
 * labels read); *cnt: profiles catalogued. */
int ksr_store_reindex(const char *dir, size_t *cnt);
/* Reports each disagreement between the files and the catalogue on f, one
 * line each; returns how many (negative: the check itself failed). */
int ksr_store_fsck(const char *dir, FILE *f);

#endif
