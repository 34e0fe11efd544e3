/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/* Helpers shared by the libFuzzer targets. */
#ifndef APEX_FUZZ_H
#define APEX_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Writes data to a new temporary file; returns its malloc'ed path. */
static inline char *
fuzz_temp_file(const void *data, size_t len)
{
	char *path = strdup("/tmp/apex-fuzz-XXXXXX");
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		abort();
	close(fd);
	return path;
}

#endif
