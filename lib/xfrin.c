/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Reading zone transfer responses (see xfrin.h). Everything here is
 * untrusted input from the network.
 * Runs in: apex-xferd; fuzzed by regress/fuzz/fuzz_xfrin.c and
 * regress/fuzz/fuzz_notify.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "pkt.h"
#include "rr.h"
#include "xfrin.h"

#define MAX_UNSIGNED	99	/* RFC 8945 5.3.1: signed at least every 100 */

enum {
	S_FIRST,	/* the first SOA is next */
	S_SECOND,	/* IXFR: the record after it says which form */
	S_AXFR,		/* the zone's records, until the SOA again */
	S_DEL,		/* IXFR: deletions, until the new SOA */
	S_ADD,		/* IXFR: additions, until an SOA */
	S_DONE,
};

static enum xfrin_status PRINTF(2, 3)
fail(struct xfrin *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->error, sizeof(x->error), fmt, ap);
	va_end(ap);
	x->state = S_DONE;
	return XFRIN_ERROR;
}

void
xfrin_init(struct xfrin *x, const uint8_t *origin, uint16_t rclass,
    uint16_t qtype, uint16_t id, uint32_t serial, uint32_t max_records,
    struct tsig_ctx *tsig)
{
	memset(x, 0, sizeof(*x));
	memcpy(x->origin, origin, dname_len(origin));
	x->rclass = rclass;
	x->qtype = qtype;
	x->id = id;
	x->serial = serial;
	x->max_records = max_records;
	x->tsig = tsig;
	x->state = S_FIRST;
	rrbuf_init(&x->full);
}

void
xfrin_free(struct xfrin *x)
{
	rrbuf_free(&x->full);
	for (unsigned i = 0; i < x->ndiffs; i++) {
		rrbuf_free(&x->diffs[i].del);
		rrbuf_free(&x->diffs[i].add);
	}
	free(x->diffs);
	x->diffs = NULL;
	x->ndiffs = 0;
}

static bool
is_apex_soa(const struct xfrin *x, const struct pkt_rr *rr)
{
	return rr->type == TYPE_SOA && dname_equal(rr->owner, x->origin);
}

static void
add_to(struct rrbuf *b, const struct pkt_rr *rr)
{
	rrbuf_add(b, rr->owner, rr->type, rr->rclass, rr->ttl, rr->rdata,
	    rr->rdlen);
}

static struct xfrin_diff *
new_diff(struct xfrin *x, uint32_t from)
{
	x->diffs = xreallocarray(x->diffs, x->ndiffs + 1, sizeof(*x->diffs));
	struct xfrin_diff *d = &x->diffs[x->ndiffs++];
	memset(d, 0, sizeof(*d));
	d->from = from;
	return d;
}

/* One record of the answer section. */
static enum xfrin_status
take_rr(struct xfrin *x, const struct pkt_rr *rr)
{
	char name[DNAME_STRLEN];

	if (x->state == S_DONE)
		return fail(x, "records after the final SOA");
	/* The serial and the timers are read from the end of the RDATA;
	 * without the five counters they would be read from the names. */
	if (rr->type == TYPE_SOA && !rr_soa_valid(rr->rdata, rr->rdlen))
		return fail(x, "a malformed SOA record (%u octets of RDATA)",
		    rr->rdlen);
	if (!dname_is_subdomain(rr->owner, x->origin))
		return fail(x, "%s is outside the zone",
		    dname_to_str(rr->owner, name, sizeof(name)));
	if (rr->rclass != x->rclass)
		return fail(x, "a record of another class");
	if (rr_type_is_meta(rr->type))
		return fail(x, "a meta-type record in the zone data");
	if (++x->records > x->max_records && x->max_records != 0)
		return fail(x, "more than max-records (%u) records",
		    x->max_records);
	bool soa = is_apex_soa(x, rr);
	uint32_t serial = soa ? rr_soa_serial(rr->rdata, rr->rdlen) : 0;
	struct xfrin_diff *d = x->ndiffs ? &x->diffs[x->ndiffs - 1] : NULL;

	switch (x->state) {
	case S_FIRST:
		if (!soa)
			return fail(x, "the transfer does not start with the "
			    "zone's SOA");
		x->new_serial = serial;
		add_to(&x->full, rr);
		x->state = x->qtype == TYPE_IXFR ? S_SECOND : S_AXFR;
		return XFRIN_MORE;
	case S_SECOND:
		if (soa && serial != x->new_serial) {
			/* The old SOA: differences follow. */
			if (serial != x->serial)
				return fail(x, "the IXFR starts at serial %u, "
				    "not at ours (%u)", serial, x->serial);
			x->kind = XFRIN_INCREMENTAL;
			rrbuf_reset(&x->full);
			d = new_diff(x, serial);
			add_to(&d->del, rr);
			x->state = S_DEL;
			return XFRIN_MORE;
		}
		/* AXFR-style (RFC 1995 4): the whole zone follows. */
		x->state = S_AXFR;
		/* FALLTHROUGH */
	case S_AXFR:
		x->kind = XFRIN_FULL;
		if (!soa) {
			add_to(&x->full, rr);
			return XFRIN_MORE;
		}
		if (serial != x->new_serial)
			return fail(x, "the final SOA (serial %u) differs from "
			    "the first (%u)", serial, x->new_serial);
		x->state = S_DONE;
		return XFRIN_MORE;
	case S_DEL:
		if (!soa) {
			add_to(&d->del, rr);
			return XFRIN_MORE;
		}
		if (!rr_serial_gt(serial, d->from))
			return fail(x, "a difference from %u to %u goes "
			    "backwards", d->from, serial);
		d->to = serial;
		add_to(&d->add, rr);
		x->state = S_ADD;
		return XFRIN_MORE;
	case S_ADD:
		if (!soa) {
			add_to(&d->add, rr);
			return XFRIN_MORE;
		}
		if (serial == x->new_serial && d->to == x->new_serial) {
			x->state = S_DONE;
			return XFRIN_MORE;
		}
		if (serial != d->to)
			return fail(x, "the differences do not chain (%u "
			    "after %u)", serial, d->to);
		if (x->ndiffs >= 100000)
			return fail(x, "too many differences");
		d = new_diff(x, serial);
		add_to(&d->del, rr);
		x->state = S_DEL;
		return XFRIN_MORE;
	}
	return fail(x, "internal state");
}

/* TSIG on this message (RFC 8945 5.3.1). tsig_pos: 0 if unsigned. */
static enum xfrin_status
check_tsig(struct xfrin *x, const uint8_t *msg, size_t len, size_t tsig_pos,
    uint64_t now)
{
	struct tsig_rr trr;

	if (x->tsig == NULL) {
		if (tsig_pos != 0)
			return fail(x, "a TSIG record in an unsigned "
			    "transfer");
		return XFRIN_MORE;
	}
	if (tsig_pos == 0) {
		if (x->messages == 1)
			return fail(x, "the first message is not signed");
		if (++x->unsigned_run > MAX_UNSIGNED)
			return fail(x, "%u messages in a row are not signed",
			    x->unsigned_run);
		tsig_add_unsigned(x->tsig, msg, len);
		return XFRIN_MORE;
	}
	int e = tsig_verify_response(x->tsig, msg, len, tsig_pos, now, &trr);
	if (e != TSIG_NOERROR)
		return fail(x, "TSIG %s", e == TSIG_BADSIG ? "BADSIG" :
		    e == TSIG_BADKEY ? "BADKEY" : e == TSIG_BADTIME ?
		    "BADTIME" : e == TSIG_BADTRUNC ? "BADTRUNC" :
		    e == TSIG_FORMERR || e == TSIG_FORMERR_MAC ? "malformed" :
		    "error");
	if (trr.error != 0)
		return fail(x, "the primary reports TSIG error %u",
		    trr.error);
	x->unsigned_run = 0;
	return XFRIN_MORE;
}

enum xfrin_status
xfrin_message(struct xfrin *x, const uint8_t *msg, size_t len, uint64_t now)
{
	struct pkt_reader r;
	uint8_t qname[DNAME_MAXLEN];
	uint16_t qtype = 0, qclass = 0;
	struct pkt_rr *rr;
	enum xfrin_status st = XFRIN_MORE;
	size_t tsig_pos = 0;
	int rc;

	if (x->state == S_DONE)
		return fail(x, "a message after the end of the transfer");
	x->messages++;
	x->octets += len;
	if (pkt_read_begin(&r, msg, len, qname, &qtype, &qclass) != 0)
		return fail(x, "a malformed message");
	if (r.id != x->id || !(r.flags & PKT_QR) ||
	    PKT_OPCODE(r.flags) != OPCODE_QUERY)
		return fail(x, "a message that is not a response to the "
		    "request");
	if (r.count[0] == 1 && (!dname_equal(qname, x->origin) ||
	    qtype != x->qtype || qclass != x->rclass))
		return fail(x, "a response to another question");
	if (x->messages == 1 && r.count[0] != 1)
		return fail(x, "the first message has no question");
	/* Where a TSIG record is, before trusting anything else. */
	if (pkt_read_tsig(msg, len, &tsig_pos) != 0)
		return fail(x, "a malformed record, or a TSIG record that is "
		    "not last");
	rr = xmalloc(sizeof(*rr));
	if ((st = check_tsig(x, msg, len, tsig_pos, now)) != XFRIN_MORE)
		goto out;
	if (PKT_RCODE(r.flags) != RCODE_NOERROR) {
		x->rcode = PKT_RCODE(r.flags);
		st = fail(x, "the primary answered with RCODE %u",
		    x->rcode);
		goto out;
	}
	if (pkt_read_begin(&r, msg, len, qname, &qtype, &qclass) != 0) {
		st = fail(x, "a malformed message");
		goto out;
	}
	while (r.section == 1 && (rc = pkt_read_rr(&r, rr)) == 0 &&
	    rr->section == 1)
		if ((st = take_rr(x, rr)) != XFRIN_MORE)
			goto out;
	if (x->state == S_SECOND && x->messages == 1 &&
	    !rr_serial_gt(x->new_serial, x->serial)) {
		/* One SOA, not newer than ours: nothing to transfer. */
		x->kind = XFRIN_UPTODATE;
		x->state = S_DONE;
	}
	if (x->state == S_DONE) {
		/* The last message must be signed. */
		if (x->tsig != NULL && tsig_pos == 0)
			st = fail(x, "the last message is not signed");
		else
			st = XFRIN_DONE;
	} else if (r.count[1] == 0)
		st = fail(x, "a message without records");
out:
	free(rr);
	return st;
}

int
xfrin_soa_answer(const uint8_t *msg, size_t len, uint16_t id,
    const uint8_t *origin, struct xfrin_soa *out)
{
	struct pkt_reader r;
	struct pkt_rr *rr;
	uint8_t qname[DNAME_MAXLEN];
	uint16_t qt = 0, qc = 0;

	memset(out, 0, sizeof(*out));
	if (pkt_read_begin(&r, msg, len, qname, &qt, &qc) != 0 ||
	    r.id != id || !(r.flags & PKT_QR) || r.count[0] != 1 ||
	    !dname_equal(qname, origin) || qt != TYPE_SOA)
		return APEX_ENOENT;
	out->flags = r.flags;
	rr = xmalloc(sizeof(*rr));
	while (pkt_read_rr(&r, rr) == 0) {
		if (rr->section != 1 || rr->type != TYPE_SOA ||
		    !dname_equal(rr->owner, origin))
			continue;
		if (!rr_soa_valid(rr->rdata, rr->rdlen))
			out->malformed = true;
		else {
			out->serial = rr_soa_serial(rr->rdata, rr->rdlen);
			out->found = true;
		}
	}
	free(rr);
	if (pkt_read_tsig(msg, len, &out->tsig_pos) != 0)
		return APEX_EMALF;
	return 0;
}
