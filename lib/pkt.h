/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * DNS messages: the strict, bounds-checked reader for incoming queries
 * and the writer that builds responses with name compression.
 *
 * pkt_parse_query() turns untrusted wire bytes into a struct pkt_query.
 * It never reads outside [wire, wire + len), never allocates, and says
 * what to do with a bad message: drop it, or answer FORMERR/NOTIMP.
 *
 * struct pkt_writer appends to a caller-owned buffer with a hard size
 * limit; every put either writes completely or leaves the buffer as it
 * was, so the answer builder can stop at the first RRset that does not
 * fit and set TC (RFC 2181 9).
 */
#ifndef APEX_PKT_H
#define APEX_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dname.h"
#include "util.h"

#define PKT_HDRLEN	12
#define PKT_MAXLEN	65535

/* Header flag bits in the 16-bit flags word (octets 2-3). */
#define PKT_QR		0x8000
#define PKT_AA		0x0400
#define PKT_TC		0x0200
#define PKT_RD		0x0100
#define PKT_RA		0x0080
#define PKT_AD		0x0020
#define PKT_CD		0x0010
#define PKT_OPCODE(f)	(((f) >> 11) & 0xf)
#define PKT_RCODE(f)	((f) & 0xf)

enum opcode {
	OPCODE_QUERY = 0,
	OPCODE_IQUERY = 1,
	OPCODE_STATUS = 2,
	OPCODE_NOTIFY = 4,
	OPCODE_UPDATE = 5,
};

enum rcode {
	RCODE_NOERROR = 0,
	RCODE_FORMERR = 1,
	RCODE_SERVFAIL = 2,
	RCODE_NXDOMAIN = 3,
	RCODE_NOTIMP = 4,
	RCODE_REFUSED = 5,
	RCODE_YXDOMAIN = 6,	/* RFC 2136 2.2 */
	RCODE_YXRRSET = 7,
	RCODE_NXRRSET = 8,
	RCODE_NOTAUTH = 9,
	RCODE_NOTZONE = 10,
	RCODE_BADVERS = 16,	/* extended: needs OPT */
	RCODE_BADCOOKIE = 23,
};

/* RFC 8914 extended error codes apex sends. */
enum ede_code {
	EDE_OTHER = 0,
	EDE_PROHIBITED = 18,
};

enum edns_option {
	EDNS_NSID = 3,
	EDNS_EXPIRE = 9,	/* RFC 7314 */
	EDNS_COOKIE = 10,
	EDNS_EDE = 15,
};

/* What the reader concluded about a message. */
enum pkt_verdict {
	PKT_OK,		/* a well-formed query to answer */
	PKT_DROP,	/* not worth an answer: too short, or a response */
	PKT_FORMERR,	/* answer FORMERR (question echoed if parsed) */
	PKT_NOTIMP,	/* opcode we do not implement */
};

struct pkt_query {
	uint16_t		id;
	uint16_t		flags;
	uint16_t		qtype;
	uint16_t		qclass;
	uint16_t		qdcount;
	bool			has_question;	/* qname..qclass valid */
	uint16_t		question_len;	/* octets of the question */
	uint8_t			qname[DNAME_MAXLEN];	/* as received */
	uint8_t			lname[DNAME_MAXLEN];	/* lowercase */
	struct dname_view	qview;

	/* EDNS(0), RFC 6891 */
	bool			edns;
	uint8_t			edns_version;
	uint8_t			edns_ext_rcode;
	bool			edns_do;
	uint16_t		edns_udp_size;	/* as sent, not clamped */
	bool			nsid;		/* NSID option present */
	bool			expire;		/* EXPIRE option present */
	bool			bad_cookie;	/* malformed COOKIE option */
	uint8_t			cookie_len;	/* 0: no COOKIE option */
	uint8_t			cookie[40];

	/* An SOA for the question's name in the authority section (IXFR,
	 * RFC 1995 3) */
	bool			has_soa;
	uint32_t		soa_serial;
	/* TSIG, RFC 8945: position of the record for the verifier */
	bool			tsig;
	uint16_t		tsig_pos;
};

/*
 * Parses a query. On PKT_FORMERR or PKT_NOTIMP the id, flags and (when
 * has_question) the question are valid, so an error response can echo
 * them.
 */
enum pkt_verdict	pkt_parse_query(const uint8_t *wire, size_t len,
			    struct pkt_query *q);

/* ---- writer ------------------------------------------------------ */

#define PKT_COMP_MAX	96

struct pkt_writer {
	uint8_t		*buf;
	size_t		 len;
	size_t		 cap;		/* hard limit, <= PKT_MAXLEN */
	unsigned	 ncomp;
	uint16_t	 comp_off[PKT_COMP_MAX];	/* label offsets */
	uint8_t		 comp_labels[PKT_COMP_MAX];	/* labels from there */
};

/* A point to roll back to. */
struct pkt_mark {
	size_t		len;
	unsigned	ncomp;
};

void	pkt_writer_init(struct pkt_writer *w, uint8_t *buf, size_t cap);

static inline struct pkt_mark
pkt_mark(const struct pkt_writer *w)
{
	return (struct pkt_mark){ w->len, w->ncomp };
}

static inline void
pkt_rollback(struct pkt_writer *w, struct pkt_mark m)
{
	w->len = m.len;
	w->ncomp = m.ncomp;
}

/*
 * Writes the 12-octet header and the question (name as given, recorded
 * for compression). Returns: 0 or APEX_ESPACE.
 */
int	pkt_put_header_question(struct pkt_writer *w, uint16_t id,
	    uint16_t flags, const uint8_t *qname, uint16_t qtype,
	    uint16_t qclass) MUST_CHECK;

/* Writes a name, compressed against the names already written. */
int	pkt_put_name(struct pkt_writer *w, const uint8_t *name,
	    bool compress) MUST_CHECK;

/*
 * Writes one resource record: owner (compressed), the 8 prepared octets
 * TYPE CLASS TTL, then RDLENGTH and RDATA (rec points at RDLENGTH), with
 * RDATA names compressed for the RFC 1035 types. ttl, when not
 * PKT_TTL_KEEP, replaces the stored TTL.
 * Returns: 0 or APEX_ESPACE (nothing written).
 */
#define PKT_TTL_KEEP	UINT64_MAX
int	pkt_put_rr(struct pkt_writer *w, const uint8_t *owner,
	    const uint8_t wire[8], const uint8_t *rec, uint64_t ttl)
	    MUST_CHECK;
/*
 * The same, for a record whose owner is the one of a record written at
 * offset at (the next records of an RRset, and its RRSIGs): the owner
 * is a pointer to it, with no search of the compression table.
 */
int	pkt_put_rr_again(struct pkt_writer *w, size_t at,
	    const uint8_t wire[8], const uint8_t *rec, uint64_t ttl)
	    MUST_CHECK;

/* Writes an OPT record (RFC 6891 6.1.2) with the given options. */
int	pkt_put_opt(struct pkt_writer *w, uint16_t udp_size,
	    uint8_t ext_rcode, bool do_bit, const uint8_t *options,
	    size_t optlen) MUST_CHECK;

/* Adds n to the 16-bit count at header offset off (4, 6, 8 or 10). */
static inline void
pkt_count_add(struct pkt_writer *w, unsigned off, unsigned n)
{
	put16(w->buf + off, (uint16_t)(get16(w->buf + off) + n));
}

/* ---- reading whole messages (responses, transfers, NOTIFY) ------ */

/* A message being read section by section. */
struct pkt_reader {
	const uint8_t	*msg;
	size_t		 len;
	size_t		 pos;
	uint16_t	 id;
	uint16_t	 flags;
	uint16_t	 count[4];	/* QD, AN, NS, AR */
	unsigned	 section;	/* of the next record: 1 AN .. 3 AR */
	unsigned	 left;		/* records left in that section */
};

/* One record, uncompressed. */
struct pkt_rr {
	uint8_t		 owner[DNAME_MAXLEN];
	uint16_t	 type;
	uint16_t	 rclass;
	uint32_t	 ttl;
	uint16_t	 rdlen;
	const uint8_t	*rdata;		/* into msg, or into buf */
	size_t		 start;		/* offset of the record in msg */
	unsigned	 section;	/* 1 answer, 2 authority, 3 add. */
	uint8_t		 buf[2 * DNAME_MAXLEN + 32];
};

/*
 * Reads the header and the question section (QDCOUNT 0 or 1; with 1,
 * the question goes to qname, qtype, qclass).
 * Returns: 0 or APEX_EMALF.
 */
int	pkt_read_begin(struct pkt_reader *r, const uint8_t *msg, size_t len,
	    uint8_t qname[DNAME_MAXLEN], uint16_t *qtype, uint16_t *qclass)
	    MUST_CHECK;
/*
 * Reads the next record of the answer, authority and additional
 * sections, with the names in the RDATA of the types that carry them
 * decompressed (RFC 3597 4).
 * Returns: 0, APEX_ENOENT after the last record, or APEX_EMALF.
 */
int	pkt_read_rr(struct pkt_reader *r, struct pkt_rr *rr) MUST_CHECK;
/*
 * Where the message's TSIG record starts: *pos, or 0 if it has none.
 * Returns: 0, or APEX_EMALF (a malformed message, or a TSIG record that
 * is not the last of the additional section, RFC 8945 5.1).
 */
int	pkt_read_tsig(const uint8_t *msg, size_t len, size_t *pos) MUST_CHECK;

#endif
