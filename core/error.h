/* SPDX-License-Identifier: BSD-2-Clause */
/* Errors are negative errno values; the failing function also leaves one
 * readable line in a thread-local buffer (ksr_errmsg()).
 *
 * Convention for the message: "<part>: <what is wrong> (offset 0x<off>)",
 * e.g. ".BTF: type 42 STRUCT: member 3 type 9999 out of range (offset 0x1a4)".
 * Callers that know more context prepend it with ksr_err_prefix(); the CLI
 * prepends the file name.
 *
 * Codes: -KSR_EMALFORMED for malformed or unsupported input (CLI exit 3);
 * -ENOMEM; -EIO and other errno values for I/O; -ENOENT for "not found". */
#ifndef KSR_ERROR_H
#define KSR_ERROR_H

#include <errno.h>

#define KSR_EMALFORMED EBADMSG

#if defined(__GNUC__)
#define KSR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define KSR_PRINTF(a, b)
#endif

/* Sets the message and returns -code, so parsers can write
 * `return ksr_err(KSR_EMALFORMED, "...", ...);` */
int ksr_err(int code, const char *fmt, ...) KSR_PRINTF(2, 3);
/* Prepends "<prefix>: " to the current message. Returns nothing. */
void ksr_err_prefix(const char *fmt, ...) KSR_PRINTF(1, 2);
void ksr_err_clear(void);

#endif
