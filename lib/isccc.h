/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The ISC command channel: the messages BIND's rndc sends over TCP.
 *
 * On the wire a message is a 32-bit length (network order), then a
 * 32-bit version (1) and a table. A table is a run of elements, each a
 * key (one octet of length, then the key) and a value: one octet of
 * type (1 binary data, 2 table, 3 list) and a 32-bit length, then the
 * value. The top-level table starts with "_auth", a table holding the
 * HMAC of every octet after the _auth element, in base64: "hmd5" (22
 * characters) for HMAC-MD5, else "hsha": one octet naming the algorithm
 * (DST numbers: 161 SHA-1 ... 165 SHA-512) and 88 octets, the base64
 * digest padded with zeros. "_ctrl" holds the serial, the times and the
 * nonce, "_data" the command ("type") and, in a reply, "result", "err"
 * and "text". Numbers are decimal strings.
 *
 * The parser reads a message in place, allocating nothing; every length
 * is checked against its container and nesting is bounded.
 */
#ifndef APEX_ISCCC_H
#define APEX_ISCCC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define ISCCC_MSG_MAX	32768	/* octets after the length, as BIND reads */
#define ISCCC_DEPTH_MAX	10	/* nested tables and lists */

enum isccc_type {
	ISCCC_BINARY = 1,
	ISCCC_TABLE = 2,
	ISCCC_LIST = 3,
};

/* The HMAC algorithms, numbered as the "hsha" octet names them. */
enum isccc_alg {
	ISCCC_HMAC_MD5 = 157,
	ISCCC_HMAC_SHA1 = 161,
	ISCCC_HMAC_SHA224 = 162,
	ISCCC_HMAC_SHA256 = 163,
	ISCCC_HMAC_SHA384 = 164,
	ISCCC_HMAC_SHA512 = 165,
};

struct isccc_region {
	const uint8_t	*p;
	uint32_t	 len;
};

/* A parsed message: regions of the caller's buffer. */
struct isccc_msg {
	struct isccc_region	top;	/* the top-level table's elements */
	struct isccc_region	auth;	/* the _auth table; len 0: absent */
	struct isccc_region	signed_part;	/* what the HMAC covers */
	struct isccc_region	ctrl;	/* the _ctrl table; len 0: absent */
	struct isccc_region	data;	/* the _data table; len 0: absent */
};

/*
 * Parses the octets after the length prefix: version 1, a well-formed
 * table (every length inside its container, at most ISCCC_DEPTH_MAX
 * deep), _auth as the first element if present, _ctrl and _data tables
 * if present.
 * Returns: 0 or APEX_EMALF.
 */
int	isccc_parse(const uint8_t *buf, size_t len, struct isccc_msg *m)
	    MUST_CHECK;

/* The value of key in a table (the last one if repeated, as BIND's
 * lists keep it), of the given type. Returns: true if found. */
bool	isccc_lookup(struct isccc_region table, const char *key,
	    enum isccc_type type, struct isccc_region *val);

/* A binary value as a C string: found, shorter than cap, no NUL. */
bool	isccc_get_str(struct isccc_region table, const char *key, char *out,
	    size_t cap);
/* A binary value holding a decimal number below 2^32. */
bool	isccc_get_u32(struct isccc_region table, const char *key,
	    uint32_t *v);

/* The algorithm of a key's "hmac-..." name. Returns: 0 or APEX_EINVAL. */
int	isccc_alg_from_str(const char *name, enum isccc_alg *alg) MUST_CHECK;

/*
 * Checks the message's HMAC with one key (constant time). alg must be
 * the key's algorithm: an "hsha" naming another fails.
 * Returns: true if it matches.
 */
bool	isccc_verify(const struct isccc_msg *m, enum isccc_alg alg,
	    const uint8_t *secret, size_t secret_len);

/* Writes a message into a caller's buffer. */
struct isccc_writer {
	uint8_t		*buf;
	size_t		 cap, len;
	size_t		 open[ISCCC_DEPTH_MAX];	/* length fields to fill */
	unsigned	 depth;
	size_t		 mac_at;	/* where the base64 HMAC goes */
	size_t		 signed_from;
	enum isccc_alg	 alg;
	bool		 overflow;
};

/* The length prefix, the version and an _auth with room for the HMAC. */
void	isccc_w_init(struct isccc_writer *, uint8_t *buf, size_t cap,
	    enum isccc_alg alg);
/* Opens a table under key (closed by isccc_w_end()). */
void	isccc_w_table(struct isccc_writer *, const char *key);
void	isccc_w_end(struct isccc_writer *);
void	isccc_w_str(struct isccc_writer *, const char *key, const char *s);
void	isccc_w_u32(struct isccc_writer *, const char *key, uint32_t v);
/*
 * Fills the length prefix and the HMAC.
 * Returns: the octets to send (prefix included), or 0 if the message
 * did not fit or a table is still open.
 */
size_t	isccc_w_finish(struct isccc_writer *, const uint8_t *secret,
	    size_t secret_len);

#endif
