/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * libFuzzer target: any bytes as an IXFR journal file (lib/journal.c),
 * as apex-xferd reads one after a crash or from a damaged disk: the scan
 * that finds the valid records, then every record read back.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "journal.h"
#include "rrbuf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t origin[] = "\7example\3com";
	struct journal_entry *e = NULL;
	unsigned n = 0;

	if (journal_scan(data, size, origin, &e, &n) >= 0) {
		for (unsigned i = 0; i < n; i++) {
			struct rrbuf del, add;
			rrbuf_init(&del);
			rrbuf_init(&add);
			(void)journal_read_mem(data, size, &e[i], &del, &add);
			rrbuf_free(&del);
			rrbuf_free(&add);
		}
	}
	free(e);
	return 0;
}
