/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The IXFR journal of a zone: the differences between its successive
 * versions, oldest first, in a file next to the zone file (FILE.jnl).
 *
 * File: the header "APXJNL01", u32 version, u32 origin length and the
 * origin (wire form); then records, each: u32 magic "JREC", u32 body
 * length, u32 serial from, u32 serial to, u32 deleted count, u32 added
 * count (all big-endian), the body (deleted then added records in
 * rrbuf form, each list headed by its SOA), and the first 16 octets of
 * the SHA-256 of everything before it in the record.
 *
 * Crash safety: a record is appended with one write and made durable
 * with fdatasync before the new version is announced. On open, every
 * record is checked (magic, lengths, checksum, serials chaining); the
 * first one that fails and everything after it are cut off, so a torn
 * tail from a crash is dropped, never served.
 */
#ifndef APEX_JOURNAL_H
#define APEX_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "dname.h"
#include "rrbuf.h"
#include "util.h"

struct journal_entry {
	off_t		off;		/* of the record */
	uint32_t	len;		/* of the whole record */
	uint32_t	from, to;
};

struct journal {
	int			 fd;		/* -1: closed */
	char			*path;
	uint8_t			 origin[DNAME_MAXLEN];
	struct journal_entry	*e;
	unsigned		 n;
	off_t			 size;		/* of the file */
	off_t			 hdrlen;
	unsigned		 gen;		/* bumped when records move */
	char			 note[256];	/* what open found, or "" */
};

/*
 * Opens (creating if needed) the journal at path for origin, checking
 * it and dropping a damaged tail (told in j->note). A file for another
 * zone or in another format is started afresh.
 * Returns: 0 or APEX_EIO (errno set).
 */
int	journal_open(struct journal *j, const char *path,
	    const uint8_t *origin) MUST_CHECK;
void	journal_close(struct journal *j);

/* The serial the newest record leads to; false if the journal is empty. */
bool	journal_last(const struct journal *j, uint32_t *serial);

/*
 * Appends the difference from serial from to serial to (del and add
 * each headed by their SOA) and makes it durable.
 * Returns: 0, or APEX_EIO (the journal is left as it was).
 */
int	journal_append(struct journal *j, uint32_t from, uint32_t to,
	    const struct rrbuf *del, const struct rrbuf *add) MUST_CHECK;

/* Empties the journal (in memory even if the file cannot be written).
 * Returns: 0 or APEX_EIO. */
int	journal_reset(struct journal *j);

/*
 * Keeps only the newest records that fit in max octets (with the
 * header), rewriting the file through a temporary one.
 * Returns: 0 or APEX_EIO.
 */
int	journal_trim(struct journal *j, uint64_t max) MUST_CHECK;

/*
 * The records that lead from serial from to the newest version.
 * Returns: the index of the first, or -1 if the journal does not reach
 * back to from.
 */
int	journal_find(const struct journal *j, uint32_t from);

/*
 * Reads record i into del and add (appending), checking its checksum.
 * Returns: 0, APEX_EIO or APEX_EMALF.
 */
int	journal_read(const struct journal *j, unsigned i, struct rrbuf *del,
	    struct rrbuf *add) MUST_CHECK;

/*
 * Where a zone's journal is kept in state-directory dir, when the zone
 * file's directory is not the server's to write: DIR/NAME.jnl, the
 * zone's name with letters, digits, '-', '_' and inner dots as they
 * are and any other octet as %XX.
 */
void	journal_state_path(const char *dir, const char *zone, char *path,
	    size_t n);

/*
 * Checks a journal held in memory (the fuzz target's entry point):
 * returns the number of octets that hold whole, valid records after
 * the header, or APEX_EMALF for a bad header.
 */
long	journal_scan(const uint8_t *p, size_t len, const uint8_t *origin,
	    struct journal_entry **e, unsigned *n);
/* journal_read() for a journal in memory, with an entry from above. */
int	journal_read_mem(const uint8_t *p, size_t len,
	    const struct journal_entry *e, struct rrbuf *del,
	    struct rrbuf *add) MUST_CHECK;

#endif
