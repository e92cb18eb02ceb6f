// SPDX-License-Identifier: BSD-2-Clause
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "ksymres/ksymres.h"

#define KSR_ERRMSG_MAX 512

static _Thread_local char errmsg[KSR_ERRMSG_MAX];

int ksr_err(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
	return -code;
}

void ksr_err_prefix(const char *fmt, ...)
{
	char prefix[KSR_ERRMSG_MAX];
	char old[KSR_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, errmsg, sizeof(old));
	/* prefix, ": ", old message, truncated to the buffer */
	size_t n = strnlen(prefix, sizeof(errmsg) - 1);

	memcpy(errmsg, prefix, n);
	if (n + 2 < sizeof(errmsg)) {
		memcpy(errmsg + n, ": ", 2);
		n += 2;
	}
	size_t m = strnlen(old, sizeof(old));

	if (m > sizeof(errmsg) - 1 - n)
		m = sizeof(errmsg) - 1 - n;
	memcpy(errmsg + n, old, m);
	errmsg[n + m] = '\0';
}

void ksr_err_clear(void)
{
	errmsg[0] = '\0';
}

KSR_API const char *ksr_errmsg(void)
{
	return errmsg;
}
