/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Whole files into memory (see fileio.h).
 * Runs in: loader, signer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

#include "fileio.h"
#include "util.h"

uint8_t *
file_read_all(const char *path, uint64_t max, size_t *len)
{
	struct stat st;
	uint8_t *p = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size < max) {
		size_t n = 0, want = (size_t)st.st_size;
		p = xmalloc(want);
		while (n < want) {
			ssize_t k = read(fd, p + n, want - n);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
			n += (size_t)k;
		}
		*len = n;
	}
	close(fd);
	return p;
}
