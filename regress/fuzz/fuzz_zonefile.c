/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * libFuzzer target: any text as a zone file (through $INCLUDE and
 * $GENERATE handling, libzscanner and every zone check). A zone that
 * loads must give an image that zone_open() accepts and that answers
 * lookups.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "fuzz.h"
#include "rr.h"
#include "zone.h"
#include "zonefile.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* At most 20000 records, so $GENERATE cannot make an input run
	 * for minutes (16M records are a valid zone file, but slow here). */
	struct zonefile_opts opts = { "/nonexistent", CLASS_IN, 100, 100,
	    NULL, NULL, 20000 };
	uint8_t origin[DNAME_MAXLEN];
	struct zone z;
	void *blob;
	size_t len;

	if (size > 65536)
		return 0;
	if (dname_from_str("example.com.", NULL, origin) < 0)
		abort();
	char *path = fuzz_temp_file(data, size);
	int rc = zonefile_load(path, origin, &opts, &blob, &len);
	unlink(path);
	free(path);
	if (rc != 0)
		return 0;
	if (zone_open(&z, blob, len) != 0)
		abort();	/* the builder must write valid images */
	/* Seeds for fuzz_image: run once on a zone file with this set. */
	const char *img = getenv("APEX_FUZZ_WRITE_IMAGE");
	if (img != NULL) {
		FILE *f = fopen(img, "w");
		if (f != NULL) {
			fwrite(blob, 1, len, f);
			fclose(f);
		}
	}
	for (uint32_t k = 0; k < z.hdr->node_count; k++) {
		const struct zone_node *n = zone_node(&z, k);
		if (zone_find_name(&z, zone_node_name(&z, n)) != k)
			abort();
	}
	free(blob);
	return 0;
}
