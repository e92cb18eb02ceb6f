// SPDX-License-Identifier: BSD-2-Clause
/* ksymres store reindex DIR | store fsck DIR: the catalogue of a profile
 * store rebuilt from its files, or checked against them. */
#include <stdio.h>
#include <string.h>

#include <ksymres/ksymres.h>

#include "output.h"
#include "service.h"
#include "store.h"

int ksr_cmd_store(int argc, char **argv)
{
	const char *dir;
	size_t cnt = 0;
	int n;

	if (argc != 3 || (strcmp(argv[1], "reindex") && strcmp(argv[1], "fsck")))
		return ksr_cli_usage("store", "expects 'reindex DIR' or 'fsck DIR'");
	dir = argv[2];
	if (!strcmp(argv[1], "reindex")) {
		int err = ksr_store_reindex(dir, &cnt);

		if (err)
			return ksr_cli_fail(dir, err);
		fputs("reindexed ", stdout);
		ksr_print_safe(stdout, dir);
		printf(": %zu profile%s\n", cnt, cnt == 1 ? "" : "s");
		return KSR_EXIT_OK;
	}
	n = ksr_store_fsck(dir, stdout);
	fputs("store ", stdout);
	ksr_print_safe(stdout, dir);
	if (!n) {
		fputs(": clean\n", stdout);
		return KSR_EXIT_OK;
	}
	printf(": %d problem%s\n", n, n == 1 ? "" : "s");
	return KSR_EXIT_FAIL;
}
