/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Whole files into memory, for the files apex reads back whole: journals
 * (the loader) and signed copies (the signer).
 * Runs in: loader, signer.
 */
#ifndef APEX_FILEIO_H
#define APEX_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/*
 * The whole of the regular file at path (not followed if a symbolic
 * link), if it is not empty and smaller than max octets.
 * Returns: the contents (caller frees) with *len set (fewer octets
 * than the size if the file shrank while read: a journal's torn tail
 * is the reader's to find), or NULL if the file is missing,
 * unreadable, empty or too big.
 */
uint8_t	*file_read_all(const char *path, uint64_t max, size_t *len);

#endif
