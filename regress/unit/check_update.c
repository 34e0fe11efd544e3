/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Unit tests for lib/update.c and lib/update_finish.c: RFC 2136 dynamic
 * update against small zones, with UPDATE messages built from text.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dname.h"
#include "error.h"
#include "pkt.h"
#include "rr.h"
#include "rrbuf.h"
#include "testutil.h"
#include "update.h"
#include "zone.h"
#include "zonediff.h"
#include "zonefile.h"

enum { YXDOMAIN = 6, YXRRSET = 7, NXRRSET = 8, NOTZONE = 10 };

static const char ZONE[] =
    "$ORIGIN example.\n$TTL 300\n"
    "@ SOA ns1 hostmaster 10 3600 600 86400 300\n"
    "  NS ns1\n  NS ns2\n"
    "ns1 A 192.0.2.53\nns2 A 192.0.2.54\n"
    "www A 192.0.2.1\n    A 192.0.2.2\n    TXT \"hello\"\n"
    "alias CNAME www\n"
    "mx MX 10 mail.example.\n"
    "a.b.ent A 192.0.2.10\n"
    "sub NS ns.sub\n    DS 12345 13 2 0123456789abcdef\n"
    "ns.sub A 192.0.2.11\n";

/* A zone image from zone file text. */
static void *
load(const char *text, struct zone *z)
{
	struct problems p;
	struct zonefile_opts o = { .rclass = CLASS_IN,
	    .report = collect_problem, .arg = &p };
	uint8_t origin[DNAME_MAXLEN];
	char *path = write_temp(text);
	void *blob;
	size_t size;

	memset(&p, 0, sizeof(p));
	ck_assert_int_gt(dname_from_str("example.", NULL, origin), 0);
	ck_assert_msg(zonefile_load(path, origin, &o, &blob, &size) == 0,
	    "%s", p.text);
	unlink(path);
	free(path);
	ck_assert_int_eq(zone_open(z, blob, size), 0);
	return blob;
}

/* ---- UPDATE messages from text ------------------------------------ */

struct msgb {
	uint8_t		buf[8192];
	size_t		len;
	uint16_t	count[4];
};

static void
msg_begin_zone(struct msgb *m, const char *zone, uint16_t ztype,
    uint16_t zclass)
{
	memset(m, 0, sizeof(*m));
	put16(m->buf, 0x1234);
	put16(m->buf + 2, OPCODE_UPDATE << 11);
	m->len = PKT_HDRLEN;
	int n = dname_from_str(zone, NULL, m->buf + m->len);
	ck_assert_int_gt(n, 0);
	m->len += (size_t)n;
	put16(m->buf + m->len, ztype);
	put16(m->buf + m->len + 2, zclass);
	m->len += 4;
	m->count[0] = 1;
	put16(m->buf + 4, 1);
}

static void
msg_begin(struct msgb *m)
{
	msg_begin_zone(m, "example.", TYPE_SOA, CLASS_IN);
}

static uint16_t
class_from(const char *s)
{
	if (strcmp(s, "IN") == 0)
		return CLASS_IN;
	if (strcmp(s, "ANY") == 0)
		return CLASS_ANY;
	if (strcmp(s, "NONE") == 0)
		return CLASS_NONE;
	if (strcmp(s, "CH") == 0)
		return CLASS_CH;
	ck_abort_msg("class %s", s);
	return 0;
}

/*
 * Appends "owner ttl class type [rdata]" to section (1 prerequisite,
 * 2 update); owners are relative to example. RDATA is parsed by ldns
 * as class IN and written uncompressed.
 */
static void
msg_rr(struct msgb *m, unsigned section, const char *text)
{
	char owner[256], cls[16], type[32], rest[1024] = "";
	unsigned long ttl;
	uint16_t t;

	ck_assert_int_ge(sscanf(text, "%255s %lu %15s %31s %1023[^\n]", owner,
	    &ttl, cls, type, rest), 4);
	uint8_t ex[DNAME_MAXLEN];
	ck_assert_int_gt(dname_from_str("example.", NULL, ex), 0);
	int n = dname_from_str(owner, ex, m->buf + m->len);
	ck_assert_int_gt(n, 0);
	m->len += (size_t)n;
	ck_assert_int_eq(rr_type_from_str(type, &t), 0);
	put16(m->buf + m->len, t);
	put16(m->buf + m->len + 2, class_from(cls));
	put32(m->buf + m->len + 4, (uint32_t)ttl);
	size_t rdpos = m->len + 8;
	m->len += 10;
	uint16_t rdlen = 0;
	if (rest[0] != '\0') {
		char line[1400];
		ldns_rr *rr;
		ldns_rdf *origin = ldns_dname_new_frm_str("example.");
		snprintf(line, sizeof(line), "x.example. 0 IN %s %s", type,
		    rest);
		ck_assert_msg(ldns_rr_new_frm_str(&rr, line, 0, origin,
		    NULL) == LDNS_STATUS_OK, "%s", line);
		ldns_rdf_deep_free(origin);
		ldns_buffer *b = ldns_buffer_new(1024);
		ck_assert_int_eq(ldns_rr_rdata2buffer_wire(b, rr),
		    LDNS_STATUS_OK);
		rdlen = (uint16_t)ldns_buffer_position(b);
		memcpy(m->buf + m->len, ldns_buffer_begin(b), rdlen);
		ldns_buffer_free(b);
		ldns_rr_free(rr);
	}
	put16(m->buf + rdpos, rdlen);
	m->len += rdlen;
	m->count[section]++;
	for (unsigned i = 0; i < 4; i++)
		put16(m->buf + 4 + 2 * i, m->count[i]);
}

static void
pre(struct msgb *m, const char *text)
{
	msg_rr(m, 1, text);
}

static void
upd(struct msgb *m, const char *text)
{
	msg_rr(m, 2, text);
}

/* ---- looking at the results --------------------------------------- */

/* A record as one line in ldns's format, blanks made single spaces. */
static void
rr_text(const uint8_t *owner, uint16_t type, uint32_t ttl,
    const uint8_t *rd, uint16_t rdlen, char *out, size_t size)
{
	uint8_t wire[DNAME_MAXLEN + 10 + 65535];
	size_t ol = dname_len(owner), pos = 0, o = 0;
	ldns_rr *rr;
	bool space = false;

	memcpy(wire, owner, ol);
	put16(wire + ol, type);
	put16(wire + ol + 2, CLASS_IN);
	put32(wire + ol + 4, ttl);
	put16(wire + ol + 8, rdlen);
	memcpy(wire + ol + 10, rd, rdlen);
	ck_assert_int_eq(ldns_wire2rr(&rr, wire, ol + 10 + rdlen, &pos,
	    LDNS_SECTION_ANSWER), LDNS_STATUS_OK);
	char *s = ldns_rr2str(rr);
	for (char *p = s; *p != '\0' && o + 1 < size; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n') {
			space = true;
			continue;
		}
		if (space && o > 0)
			out[o++] = ' ';
		space = false;
		out[o++] = *p;
	}
	out[o] = '\0';
	free(s);
	ldns_rr_free(rr);
}

/* Every record of an image, one per line, in canonical order. */
static char *
zone_text(const struct zone *z)
{
	static char text[65536];
	size_t n = 0;

	for (uint32_t k = 0; k < z->hdr->node_count; k++) {
		const struct zone_node *nd = zone_node(z, k);
		const struct zone_rrset *rs = zone_rrset_first(z, nd);
		for (unsigned i = 0; i < nd->nrrsets; i++,
		    rs = zone_rrset_next(rs)) {
			const uint8_t *r = zone_rrset_data(rs);
			for (unsigned j = 0; j < rs->count; j++,
			    r += 2 + get16(r)) {
				char line[1024];
				rr_text(zone_node_name(z, nd), rs->type,
				    zone_rrset_ttl(rs), r + 2, get16(r), line,
				    sizeof(line));
				n += (size_t)snprintf(text + n, sizeof(text) - n,
				    "%s\n", line);
			}
		}
	}
	return text;
}

static char *
rrbuf_text(const struct rrbuf *b, char *text, size_t size)
{
	struct rrview v;
	size_t pos = 0, n = 0;

	text[0] = '\0';
	while (rrbuf_next(b->p, b->len, &pos, &v) == 0) {
		char line[1024];
		rr_text(v.owner, v.type, v.ttl, v.rdata, v.rdlen, line,
		    sizeof(line));
		n += (size_t)snprintf(text + n, size - n, "%s\n", line);
	}
	return text;
}

/* A batch over the test zone, and what it ended in. */
struct batch {
	struct zone	 z, nz;
	void		*blob, *nblob;
	struct update	*up;
	uint32_t	 serial;
	struct rrbuf	 del, add;
	char		 why[256];
	char		 deltext[16384], addtext[16384];
};

static void
batch_begin(struct batch *b, const char *zone)
{
	memset(b, 0, sizeof(*b));
	b->blob = load(zone, &b->z);
	b->up = update_begin(&b->z);
	rrbuf_init(&b->del);
	rrbuf_init(&b->add);
}

static uint16_t
apply(struct batch *b, const struct msgb *m)
{
	return update_apply(b->up, m->buf, m->len, NULL, NULL, b->why,
	    sizeof(b->why));
}

/* Ends the batch and builds and opens the new version. */
static void
batch_finish(struct batch *b, enum serial_method method, uint64_t now)
{
	uint8_t origin[DNAME_MAXLEN];
	size_t size;

	ck_assert_int_gt(dname_from_str("example.", NULL, origin), 0);
	struct zone_builder *zb = zone_builder_new(origin, CLASS_IN, NULL,
	    NULL);
	ck_assert_int_eq(update_finish(b->up, method, now, &b->serial,
	    &b->del, &b->add, zb), 0);
	ck_assert_int_eq(zone_builder_finish(zb, &b->nblob, &size), 0);
	zone_builder_free(zb);
	ck_assert_int_eq(zone_open(&b->nz, b->nblob, size), 0);
	rrbuf_text(&b->del, b->deltext, sizeof(b->deltext));
	rrbuf_text(&b->add, b->addtext, sizeof(b->addtext));
}

static void
batch_end(struct batch *b)
{
	update_free(b->up);
	rrbuf_free(&b->del);
	rrbuf_free(&b->add);
	free(b->blob);
	free(b->nblob);
}

/* Whether text has line as one of its lines. */
static bool
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

#define has(text, line)	ck_assert_msg(has_line(text, line), \
	"missing '%s' in:\n%s", line, text)
#define hasnt(text, line) ck_assert_msg(!has_line(text, line), \
	"unexpected '%s' in:\n%s", line, text)

/* One message with one update record; its RCODE. */
static uint16_t
one(struct batch *b, const char *prereq, const char *update)
{
	struct msgb m;

	msg_begin(&m);
	if (prereq != NULL)
		pre(&m, prereq);
	if (update != NULL)
		upd(&m, update);
	return apply(b, &m);
}

/* ---- the zone section (RFC 2136 3.1) ------------------------------ */

START_TEST(test_update_zone_section_rcodes)
{
	struct batch b;
	struct msgb m;

	batch_begin(&b, ZONE);
	msg_begin_zone(&m, "example.", TYPE_A, CLASS_IN);
	ck_assert_uint_eq(apply(&b, &m), RCODE_FORMERR);
	msg_begin_zone(&m, "example.", TYPE_SOA, CLASS_ANY);
	ck_assert_uint_eq(apply(&b, &m), RCODE_FORMERR);
	msg_begin_zone(&m, "other.", TYPE_SOA, CLASS_IN);
	ck_assert_uint_eq(apply(&b, &m), RCODE_NOTAUTH);
	msg_begin_zone(&m, "www.example.", TYPE_SOA, CLASS_IN);
	ck_assert_uint_eq(apply(&b, &m), RCODE_NOTAUTH);
	msg_begin_zone(&m, "example.", TYPE_SOA, CLASS_CH);
	ck_assert_uint_eq(apply(&b, &m), RCODE_NOTAUTH);
	msg_begin(&m);
	put16(m.buf + 4, 0);		/* ZOCOUNT 0 */
	ck_assert_uint_eq(apply(&b, &m), RCODE_FORMERR);
	msg_begin(&m);
	put16(m.buf + 4, 2);		/* ZOCOUNT 2 */
	ck_assert_uint_eq(apply(&b, &m), RCODE_FORMERR);
	msg_begin(&m);
	put16(m.buf + 2, PKT_QR | OPCODE_UPDATE << 11);
	ck_assert_uint_eq(apply(&b, &m), RCODE_FORMERR);
	msg_begin(&m);
	upd(&m, "new 300 IN A 192.0.2.7");
	ck_assert_uint_eq(update_apply(b.up, m.buf, m.len - 1, NULL, NULL,
	    b.why, sizeof(b.why)), RCODE_FORMERR);
	ck_assert(!update_changed(b.up));
	/* An empty update is fine and changes nothing. */
	msg_begin(&m);
	ck_assert_uint_eq(apply(&b, &m), RCODE_NOERROR);
	ck_assert(!update_changed(b.up));
	batch_end(&b);
}
END_TEST

START_TEST(test_update_stops_before_additional_section)
{
	struct batch b;
	struct msgb m;

	batch_begin(&b, ZONE);
	msg_begin(&m);
	upd(&m, "new 300 IN A 192.0.2.7");
	put16(m.buf + 10, 1);	/* a TSIG record the caller cut off */
	ck_assert_uint_eq(apply(&b, &m), RCODE_NOERROR);
	ck_assert(update_changed(b.up));
	batch_end(&b);
}
END_TEST

/* ---- prerequisites (RFC 2136 2.4, 3.2) ---------------------------- */

START_TEST(test_update_prereq_rrset_exists)
{
	struct batch b;

	batch_begin(&b, ZONE);
	ck_assert_uint_eq(one(&b, "www 0 ANY A", NULL), RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, "www 0 ANY MX", NULL), NXRRSET);
	ck_assert_uint_eq(one(&b, "nope 0 ANY A", NULL), NXRRSET);
	ck_assert_uint_eq(one(&b, "www 0 NONE MX", NULL), RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, "www 0 NONE A", NULL), YXRRSET);
	/* wrong TTL, RDATA where there must be none, a bad class */
	ck_assert_uint_eq(one(&b, "www 1 ANY A", NULL), RCODE_FORMERR);
	ck_assert_uint_eq(one(&b, "www 0 ANY A 192.0.2.1", NULL),
	    RCODE_FORMERR);
	ck_assert_uint_eq(one(&b, "www 0 NONE A 192.0.2.1", NULL),
	    RCODE_FORMERR);
	ck_assert_uint_eq(one(&b, "www 0 CH A 192.0.2.1", NULL),
	    RCODE_FORMERR);
	ck_assert_uint_eq(one(&b, "www.other. 0 ANY A", NULL), NOTZONE);
	batch_end(&b);
}
END_TEST

START_TEST(test_update_prereq_name_in_use)
{
	struct batch b;

	batch_begin(&b, ZONE);
	ck_assert_uint_eq(one(&b, "www 0 ANY ANY", NULL), RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, "nope 0 ANY ANY", NULL), RCODE_NXDOMAIN);
	/* an empty non-terminal is not in use (RFC 2136 2.4.4) */
	ck_assert_uint_eq(one(&b, "b.ent 0 ANY ANY", NULL), RCODE_NXDOMAIN);
	ck_assert_uint_eq(one(&b, "b.ent 0 NONE ANY", NULL), RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, "nope 0 NONE ANY", NULL), RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, "www 0 NONE ANY", NULL), YXDOMAIN);
	ck_assert_uint_eq(one(&b, "@ 0 NONE ANY", NULL), YXDOMAIN);
	batch_end(&b);
}
END_TEST

START_TEST(test_update_prereq_value_dependent)
{
	struct batch b;
	struct msgb m;

	batch_begin(&b, ZONE);
	msg_begin(&m);
	pre(&m, "www 0 IN A 192.0.2.2");
	pre(&m, "www 0 IN A 192.0.2.1");
	ck_assert_uint_eq(apply(&b, &m), RCODE_NOERROR);
	/* a subset is not the RRset (RFC 2136 3.2.3) */
	ck_assert_uint_eq(one(&b, "www 0 IN A 192.0.2.1", NULL), NXRRSET);
	/* nor a superset */
	msg_begin(&m);
	pre(&m, "www 0 IN A 192.0.2.1");
	pre(&m, "www 0 IN A 192.0.2.2");
	pre(&m, "www 0 IN A 192.0.2.3");
	ck_assert_uint_eq(apply(&b, &m), NXRRSET);
	/* a record twice: the sorted lists differ, as in BIND */
	msg_begin(&m);
	pre(&m, "www 0 IN A 192.0.2.1");
	pre(&m, "www 0 IN A 192.0.2.1");
	ck_assert_uint_eq(apply(&b, &m), NXRRSET);
	/* names in RDATA compare without case */
	ck_assert_uint_eq(one(&b, "alias 0 IN CNAME WWW.Example.", NULL),
	    RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, "alias 0 IN CNAME ns1.example.", NULL),
	    NXRRSET);
	ck_assert_uint_eq(one(&b, "nope 0 IN A 192.0.2.1", NULL), NXRRSET);
	ck_assert_uint_eq(one(&b, "www 300 IN A 192.0.2.1", NULL),
	    RCODE_FORMERR);
	/* two RRsets, one wrong */
	msg_begin(&m);
	pre(&m, "www 0 IN TXT \"hello\"");
	pre(&m, "mx 0 IN MX 20 mail.example.");
	ck_assert_uint_eq(apply(&b, &m), NXRRSET);
	ck_assert(!update_changed(b.up));
	batch_end(&b);
}
END_TEST

/* RFC 2136 3.2.5: the first prerequisite that fails gives the RCODE,
 * and nothing of the message is applied. */
START_TEST(test_update_failed_prereq_applies_nothing)
{
	struct batch b;
	struct msgb m;

	batch_begin(&b, ZONE);
	msg_begin(&m);
	pre(&m, "www 0 ANY A");
	pre(&m, "nope 0 ANY ANY");
	upd(&m, "new 300 IN A 192.0.2.7");
	ck_assert_uint_eq(apply(&b, &m), RCODE_NXDOMAIN);
	ck_assert(!update_changed(b.up));
	ck_assert_uint_eq(one(&b, "new 0 NONE ANY", NULL), RCODE_NOERROR);
	batch_end(&b);
}
END_TEST

/* ---- the update prescan (RFC 2136 3.4.1) -------------------------- */

START_TEST(test_update_prescan_rcodes)
{
	struct batch b;

	batch_begin(&b, ZONE);
	ck_assert_uint_eq(one(&b, NULL, "www.other. 300 IN A 192.0.2.1"),
	    NOTZONE);
	ck_assert_uint_eq(one(&b, NULL, "www 300 IN ANY"), RCODE_FORMERR);
	ck_assert_uint_eq(one(&b, NULL, "www 300 IN AXFR"), RCODE_FORMERR);
	ck_assert_uint_eq(one(&b, NULL, "www 300 IN MAILA"), RCODE_FORMERR);
	ck_assert_uint_eq(one(&b, NULL, "www 300 ANY A"), RCODE_FORMERR);
	ck_assert_uint_eq(one(&b, NULL, "www 0 ANY A 192.0.2.1"),
	    RCODE_FORMERR);
	ck_assert_uint_eq(one(&b, NULL, "www 0 ANY IXFR"), RCODE_FORMERR);
	ck_assert_uint_eq(one(&b, NULL, "www 300 NONE A 192.0.2.1"),
	    RCODE_FORMERR);
	ck_assert_uint_eq(one(&b, NULL, "www 0 NONE ANY"), RCODE_FORMERR);
	ck_assert_uint_eq(one(&b, NULL, "www 300 CH A 192.0.2.1"),
	    RCODE_FORMERR);
	/* an A record of three octets */
	struct msgb m;
	msg_begin(&m);
	upd(&m, "www 300 IN A 192.0.2.9");
	m.buf[m.len - 5] = 3;
	m.len--;
	ck_assert_uint_eq(apply(&b, &m), RCODE_FORMERR);
	/* an NS record with octets after its name */
	msg_begin(&m);
	upd(&m, "www 300 IN TXT \"abc\"");
	put16(m.buf + m.len - 14, TYPE_NS);
	m.buf[m.len - 4] = 1;
	m.buf[m.len - 3] = 'x';
	m.buf[m.len - 2] = 0;
	ck_assert_uint_eq(apply(&b, &m), RCODE_FORMERR);
	ck_assert_uint_eq(one(&b, NULL, "www 300 IN NSEC www.example. A"),
	    RCODE_REFUSED);
	ck_assert_uint_eq(one(&b, NULL, "www 0 ANY RRSIG"), RCODE_REFUSED);
	ck_assert_uint_eq(one(&b, NULL,
	    "www 300 IN NSEC3 1 0 0 - 2t7b4g4vsa5smi47k61mv5bv1a22bojr A"),
	    RCODE_REFUSED);
	ck_assert(!update_changed(b.up));
	batch_end(&b);
}
END_TEST

/* The prescan comes before the prerequisites, as in BIND. */
START_TEST(test_update_prescan_before_prereqs)
{
	struct batch b;

	batch_begin(&b, ZONE);
	ck_assert_uint_eq(one(&b, "nope 0 ANY ANY",
	    "x.other. 300 IN A 192.0.2.1"), NOTZONE);
	batch_end(&b);
}
END_TEST

struct asked {
	unsigned	n;
	uint16_t	types[8];
	char		names[8][64];
	bool		deny_txt;
};

static bool
allow_cb(void *arg, const uint8_t *name, uint16_t type)
{
	struct asked *a = arg;

	if (a->n < 8) {
		a->types[a->n] = type;
		dname_to_str(name, a->names[a->n], sizeof(a->names[0]));
	}
	a->n++;
	return !(a->deny_txt && type == TYPE_TXT);
}

START_TEST(test_update_allow_is_asked_for_every_record)
{
	struct batch b;
	struct msgb m;
	struct asked a;

	batch_begin(&b, ZONE);
	memset(&a, 0, sizeof(a));
	msg_begin(&m);
	upd(&m, "New 300 IN A 192.0.2.7");
	upd(&m, "www 0 ANY ANY");
	upd(&m, "mx 0 NONE MX 10 mail.example.");
	ck_assert_uint_eq(update_apply(b.up, m.buf, m.len, allow_cb, &a,
	    b.why, sizeof(b.why)), RCODE_NOERROR);
	ck_assert_uint_eq(a.n, 3);
	ck_assert_str_eq(a.names[0], "New.example.");	/* as received */
	ck_assert_uint_eq(a.types[0], TYPE_A);
	ck_assert_uint_eq(a.types[1], TYPE_ANY);
	ck_assert_uint_eq(a.types[2], TYPE_MX);
	/* one record denied: REFUSED, and nothing applied */
	memset(&a, 0, sizeof(a));
	a.deny_txt = true;
	msg_begin(&m);
	upd(&m, "other 300 IN A 192.0.2.8");
	upd(&m, "other 300 IN TXT \"x\"");
	ck_assert_uint_eq(update_apply(b.up, m.buf, m.len, allow_cb, &a,
	    b.why, sizeof(b.why)), RCODE_REFUSED);
	ck_assert_uint_eq(one(&b, "other 0 NONE ANY", NULL), RCODE_NOERROR);
	batch_end(&b);
}
END_TEST

/* ---- applying updates (RFC 2136 3.4.2) ---------------------------- */

START_TEST(test_update_add_and_duplicates)
{
	struct batch b;

	batch_begin(&b, ZONE);
	/* a duplicate, its RDATA names in another case: ignored */
	ck_assert_uint_eq(one(&b, NULL, "alias 300 IN CNAME WWW.example."),
	    RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, NULL, "www 300 IN A 192.0.2.1"),
	    RCODE_NOERROR);
	ck_assert(!update_changed(b.up));
	ck_assert_uint_eq(one(&b, NULL, "new.deep 300 IN A 192.0.2.7"),
	    RCODE_NOERROR);
	ck_assert(update_changed(b.up));
	batch_finish(&b, SERIAL_INCREMENT, 0);
	has(zone_text(&b.nz), "new.deep.example. 300 IN A 192.0.2.7");
	ck_assert_str_eq(b.deltext, "example. 300 IN SOA ns1.example. "
	    "hostmaster.example. 10 3600 600 86400 300\n");
	ck_assert_str_eq(b.addtext, "example. 300 IN SOA ns1.example. "
	    "hostmaster.example. 11 3600 600 86400 300\n"
	    "new.deep.example. 300 IN A 192.0.2.7\n");
	batch_end(&b);
}
END_TEST

/* BIND: a record added with another TTL than its RRset's sets the TTL
 * of the whole RRset. */
START_TEST(test_update_ttl_applies_to_rrset)
{
	struct batch b;

	batch_begin(&b, ZONE);
	ck_assert_uint_eq(one(&b, NULL, "www 60 IN A 192.0.2.3"),
	    RCODE_NOERROR);
	batch_finish(&b, SERIAL_INCREMENT, 0);
	const char *t = zone_text(&b.nz);
	has(t, "www.example. 60 IN A 192.0.2.1");
	has(t, "www.example. 60 IN A 192.0.2.2");
	has(t, "www.example. 60 IN A 192.0.2.3");
	has(t, "www.example. 300 IN TXT \"hello\"");
	/* the RRset is deleted and added whole (zonediff.c does so too) */
	has(b.deltext, "www.example. 300 IN A 192.0.2.1");
	has(b.deltext, "www.example. 300 IN A 192.0.2.2");
	has(b.addtext, "www.example. 60 IN A 192.0.2.1");
	has(b.addtext, "www.example. 60 IN A 192.0.2.3");
	batch_end(&b);
}
END_TEST

/* The same record with a new TTL changes only the TTL. */
START_TEST(test_update_same_record_new_ttl)
{
	struct batch b;

	batch_begin(&b, ZONE);
	ck_assert_uint_eq(one(&b, NULL, "mx 900 IN MX 10 mail.example."),
	    RCODE_NOERROR);
	ck_assert(update_changed(b.up));
	batch_finish(&b, SERIAL_INCREMENT, 0);
	has(zone_text(&b.nz), "mx.example. 900 IN MX 10 mail.example.");
	hasnt(zone_text(&b.nz), "mx.example. 300 IN MX 10 mail.example.");
	batch_end(&b);
}
END_TEST

START_TEST(test_update_deletes)
{
	struct batch b;
	struct msgb m;

	batch_begin(&b, ZONE);
	msg_begin(&m);
	upd(&m, "www 0 ANY A");			/* an RRset */
	upd(&m, "mx 0 NONE MX 10 MAIL.example.");	/* one record */
	upd(&m, "ns.sub 0 ANY ANY");		/* every RRset of a name */
	upd(&m, "nope 0 ANY ANY");		/* nothing there */
	upd(&m, "www 0 NONE TXT \"other\"");	/* no such record */
	ck_assert_uint_eq(apply(&b, &m), RCODE_REFUSED);
	/* glue of sub's NS is needed; keep it and try again */
	msg_begin(&m);
	upd(&m, "www 0 ANY A");
	upd(&m, "mx 0 NONE MX 10 MAIL.example.");
	upd(&m, "a.b.ent 0 ANY ANY");
	upd(&m, "nope 0 ANY ANY");
	upd(&m, "www 0 NONE TXT \"other\"");
	ck_assert_uint_eq(apply(&b, &m), RCODE_NOERROR);
	batch_finish(&b, SERIAL_INCREMENT, 0);
	const char *t = zone_text(&b.nz);
	hasnt(t, "www.example. 300 IN A 192.0.2.1");
	has(t, "www.example. 300 IN TXT \"hello\"");
	ck_assert_ptr_null(strstr(t, "mx.example."));
	ck_assert_ptr_null(strstr(t, "ent.example."));
	ck_assert_str_eq(b.addtext, "example. 300 IN SOA ns1.example. "
	    "hostmaster.example. 11 3600 600 86400 300\n");
	has(b.deltext, "www.example. 300 IN A 192.0.2.2");
	has(b.deltext, "mx.example. 300 IN MX 10 mail.example.");
	has(b.deltext, "a.b.ent.example. 300 IN A 192.0.2.10");
	batch_end(&b);
}
END_TEST

/* RFC 2136 3.4.2.3 and 3.4.2.4: the SOA and the apex's NS stay. */
START_TEST(test_update_apex_rules)
{
	struct batch b;
	struct msgb m;

	batch_begin(&b, ZONE);
	msg_begin(&m);
	upd(&m, "@ 300 IN TXT \"apex\"");
	upd(&m, "@ 300 IN MX 10 mail.example.");
	ck_assert_uint_eq(apply(&b, &m), RCODE_NOERROR);
	msg_begin(&m);
	upd(&m, "@ 0 ANY SOA");
	upd(&m, "@ 0 ANY NS");
	upd(&m, "@ 0 NONE SOA ns1 hostmaster 10 3600 600 86400 300");
	upd(&m, "@ 0 ANY ANY");		/* all but SOA and NS */
	upd(&m, "@ 0 NONE NS ns1.example.");
	upd(&m, "@ 0 NONE NS ns2.example.");	/* the last one: kept */
	ck_assert_uint_eq(apply(&b, &m), RCODE_NOERROR);
	batch_finish(&b, SERIAL_INCREMENT, 0);
	const char *t = zone_text(&b.nz);
	has(t, "example. 300 IN SOA ns1.example. hostmaster.example. 11 "
	    "3600 600 86400 300");
	hasnt(t, "example. 300 IN NS ns1.example.");
	has(t, "example. 300 IN NS ns2.example.");
	hasnt(t, "example. 300 IN TXT \"apex\"");
	hasnt(t, "example. 300 IN MX 10 mail.example.");
	/* the records added and deleted in one batch are in no list */
	ck_assert_ptr_null(strstr(b.addtext, "apex"));
	ck_assert_ptr_null(strstr(b.deltext, "apex"));
	ck_assert_str_eq(b.deltext, "example. 300 IN SOA ns1.example. "
	    "hostmaster.example. 10 3600 600 86400 300\n"
	    "example. 300 IN NS ns1.example.\n");
	batch_end(&b);
}
END_TEST

/* BIND: a CNAME beside other data, or other data beside a CNAME, is
 * ignored; the DNSSEC types BIND lets sit at a CNAME are not. */
START_TEST(test_update_cname_conflicts)
{
	struct batch b;

	batch_begin(&b, ZONE);
	ck_assert_uint_eq(one(&b, NULL, "www 300 IN CNAME mx.example."),
	    RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, NULL, "alias 300 IN A 192.0.2.9"),
	    RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, NULL, "alias 300 IN TXT \"x\""),
	    RCODE_NOERROR);
	ck_assert(!update_changed(b.up));
	ck_assert_uint_eq(one(&b, NULL, "alias 300 IN KEY 256 3 13 "
	    "AQPSKmynfzW4kyBv015MUG2DeIQ3Cbl+BBZH4b/0PY1kxkmvHjcZc8no"
	    "kfzj31GajIQKY+5CptLr3buXA10hWqTkF7H6RfoRqXQeogmMHfpftf6z"
	    "Mv1LyBUgia7za6ZEzOJBOztyvhjL742iU/TpPSEDhm2SNKLijfUppn1U"
	    "aNvv4w=="), RCODE_NOERROR);
	ck_assert(update_changed(b.up));
	/* a CNAME replaces the CNAME (RFC 2136 1.1.1) */
	ck_assert_uint_eq(one(&b, NULL, "alias 300 IN CNAME mx.example."),
	    RCODE_NOERROR);
	batch_finish(&b, SERIAL_INCREMENT, 0);
	const char *t = zone_text(&b.nz);
	has(t, "alias.example. 300 IN CNAME mx.example.");
	hasnt(t, "alias.example. 300 IN CNAME www.example.");
	hasnt(t, "www.example. 300 IN CNAME mx.example.");
	ck_assert_ptr_null(strstr(t, "alias.example. 300 IN A"));
	ck_assert_ptr_nonnull(strstr(t, "alias.example. 300 IN KEY"));
	batch_end(&b);
}
END_TEST

/* BIND: no MD or MF, no wildcard NS or DNAME, no DS at the apex, no
 * SOA below it. */
START_TEST(test_update_ignored_additions)
{
	struct batch b;

	batch_begin(&b, ZONE);
	ck_assert_uint_eq(one(&b, NULL, "www 300 IN MD ns1.example."),
	    RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, NULL, "*.w 300 IN NS ns1.example."),
	    RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, NULL, "*.w 300 IN DNAME example.net."),
	    RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, NULL, "@ 300 IN DS 1 13 2 00ff"),
	    RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, NULL,
	    "www 300 IN SOA ns1 hostmaster 99 3600 600 86400 300"),
	    RCODE_NOERROR);
	ck_assert(!update_changed(b.up));
	ck_assert_uint_eq(one(&b, NULL, "*.w 300 IN A 192.0.2.99"),
	    RCODE_NOERROR);
	ck_assert(update_changed(b.up));
	batch_end(&b);
}
END_TEST

/* BIND's post-update name server check: every in-zone NS of the apex
 * needs addresses; apex's builder asks the same of delegations. */
START_TEST(test_update_ns_needs_addresses)
{
	struct batch b;
	struct msgb m;

	batch_begin(&b, ZONE);
	ck_assert_uint_eq(one(&b, NULL, "ns2 0 ANY A"), RCODE_REFUSED);
	ck_assert_uint_eq(one(&b, NULL, "@ 300 IN NS ns3.example."),
	    RCODE_REFUSED);
	ck_assert_uint_eq(one(&b, NULL, "kid 300 IN NS ns.kid.example."),
	    RCODE_REFUSED);
	ck_assert(!update_changed(b.up));
	msg_begin(&m);
	upd(&m, "kid 300 IN NS ns.kid.example.");
	upd(&m, "ns.kid 300 IN AAAA 2001:db8::1");
	upd(&m, "@ 300 IN NS ns.example.net.");
	ck_assert_uint_eq(apply(&b, &m), RCODE_NOERROR);
	batch_finish(&b, SERIAL_INCREMENT, 0);
	has(zone_text(&b.nz), "kid.example. 300 IN NS ns.kid.example.");
	has(zone_text(&b.nz), "example. 300 IN NS ns.example.net.");
	batch_end(&b);
}
END_TEST

/* A name server named by a delegation elsewhere in the zone keeps its
 * last address too, whether the NS came with the image or the batch. */
START_TEST(test_update_ns_target_keeps_addresses)
{
	struct batch b;
	struct msgb m;
	char zone[4096];

	snprintf(zone, sizeof(zone), "%s"
	    "kid NS host.example.\nhost A 192.0.2.60\n", ZONE);
	batch_begin(&b, zone);
	ck_assert_uint_eq(one(&b, NULL, "host 0 ANY A"), RCODE_REFUSED);
	ck_assert_uint_eq(one(&b, NULL, "host 0 ANY ANY"), RCODE_REFUSED);
	/* with another address left, or the delegation gone, it may go */
	msg_begin(&m);
	upd(&m, "host 300 IN AAAA 2001:db8::60");
	upd(&m, "host 0 ANY A");
	ck_assert_uint_eq(apply(&b, &m), RCODE_NOERROR);
	msg_begin(&m);
	upd(&m, "kid2 300 IN NS h2.example.");
	upd(&m, "h2 300 IN A 192.0.2.61");
	ck_assert_uint_eq(apply(&b, &m), RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, NULL, "h2 0 NONE A 192.0.2.61"),
	    RCODE_REFUSED);
	msg_begin(&m);
	upd(&m, "kid 0 ANY NS");
	upd(&m, "host 0 ANY ANY");
	ck_assert_uint_eq(apply(&b, &m), RCODE_NOERROR);
	batch_finish(&b, SERIAL_INCREMENT, 0);
	has(zone_text(&b.nz), "h2.example. 300 IN A 192.0.2.61");
	ck_assert_ptr_null(strstr(zone_text(&b.nz), "\nhost.example."));
	batch_end(&b);
}
END_TEST

/* BIND removes a DS left without the NS of its delegation. */
START_TEST(test_update_orphaned_ds_removed)
{
	struct batch b;

	batch_begin(&b, ZONE);
	ck_assert_uint_eq(one(&b, NULL, "sub 0 ANY NS"), RCODE_NOERROR);
	batch_finish(&b, SERIAL_INCREMENT, 0);
	ck_assert_ptr_null(strstr(zone_text(&b.nz), "\nsub.example. 300 IN"));
	has(b.deltext, "sub.example. 300 IN DS 12345 13 2 0123456789abcdef");
	batch_end(&b);
}
END_TEST

/* BIND replaces a DNAME as RFC 2136 1.1.1 replaces a CNAME, and a WKS
 * with the same address and protocol. */
START_TEST(test_update_dname_and_wks_replaced)
{
	struct batch b;

	batch_begin(&b, ZONE);
	ck_assert_uint_eq(one(&b, NULL, "dn 300 IN DNAME example.net."),
	    RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, NULL, "dn 300 IN DNAME example.org."),
	    RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, NULL, "h 300 IN WKS 192.0.2.1 6 25"),
	    RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, NULL, "h 300 IN WKS 192.0.2.1 6 53"),
	    RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, NULL, "h 300 IN WKS 192.0.2.1 17 53"),
	    RCODE_NOERROR);
	batch_finish(&b, SERIAL_INCREMENT, 0);
	const char *t = zone_text(&b.nz);
	has(t, "dn.example. 300 IN DNAME example.org.");
	hasnt(t, "dn.example. 300 IN DNAME example.net.");
	/* ldns prints the protocol and services by name */
	hasnt(t, "h.example. 300 IN WKS 192.0.2.1 tcp smtp");
	has(t, "h.example. 300 IN WKS 192.0.2.1 tcp domain");
	has(t, "h.example. 300 IN WKS 192.0.2.1 udp domain");
	batch_end(&b);
}
END_TEST

/* In a zone with signatures but no keys (not signed, so updates go
 * on), deleting every RRset of a name keeps its RRSIG and NSEC records
 * (BIND's type_not_dnssec), and deleting an RRset keeps the RRSIGs
 * that cover it. */
START_TEST(test_update_delete_all_keeps_dnssec)
{
	struct batch b;
	char zone[4096];

	snprintf(zone, sizeof(zone), "%s"
	    "www RRSIG A 13 2 300 20600101000000 20250101000000 1 example. "
	    "AAAA\n"
	    "www NSEC x.example. A TXT RRSIG NSEC\n", ZONE);
	batch_begin(&b, zone);
	ck_assert_uint_eq(one(&b, NULL, "www 0 ANY ANY"), RCODE_NOERROR);
	batch_finish(&b, SERIAL_INCREMENT, 0);
	const char *t = zone_text(&b.nz);
	ck_assert_ptr_nonnull(strstr(t, "www.example. 300 IN RRSIG A 13 2"));
	has(t, "www.example. 300 IN NSEC x.example. A TXT RRSIG NSEC");
	hasnt(t, "www.example. 300 IN A 192.0.2.1");
	hasnt(t, "www.example. 300 IN TXT \"hello\"");
	ck_assert_ptr_null(strstr(b.deltext, "RRSIG"));
	batch_end(&b);
}
END_TEST

/* ---- the SOA and the serial --------------------------------------- */

/* RFC 2136 3.4.2.2: an SOA replaces the SOA only with a higher serial,
 * which update_finish() then keeps (BIND: soa_serial_changed). */
START_TEST(test_update_soa_serial_rules)
{
	struct batch b;

	batch_begin(&b, ZONE);
	ck_assert_uint_eq(one(&b, NULL,
	    "@ 300 IN SOA ns1 hostmaster 10 1 1 1 1"), RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, NULL,
	    "@ 300 IN SOA ns1 hostmaster 9 1 1 1 1"), RCODE_NOERROR);
	/* 10 + 2^31 is not higher than 10 (RFC 1982 3.2) */
	ck_assert_uint_eq(one(&b, NULL,
	    "@ 300 IN SOA ns1 hostmaster 2147483658 1 1 1 1"), RCODE_NOERROR);
	ck_assert(!update_changed(b.up));
	ck_assert_uint_eq(one(&b, NULL,
	    "@ 600 IN SOA ns2 hostmaster 50 1 1 1 1"), RCODE_NOERROR);
	ck_assert(update_changed(b.up));
	ck_assert_uint_eq(one(&b, NULL, "new 300 IN A 192.0.2.7"),
	    RCODE_NOERROR);
	batch_finish(&b, SERIAL_INCREMENT, 0);
	ck_assert_uint_eq(b.serial, 50);
	ck_assert_uint_eq(b.nz.hdr->serial, 50);
	has(zone_text(&b.nz), "example. 600 IN SOA ns2.example. "
	    "hostmaster.example. 50 1 1 1 1");
	ck_assert_str_eq(b.addtext, "example. 600 IN SOA ns2.example. "
	    "hostmaster.example. 50 1 1 1 1\n"
	    "new.example. 300 IN A 192.0.2.7\n");
	batch_end(&b);
}
END_TEST

static const char *
zone_with_serial(uint32_t serial)
{
	static char text[2048];
	const char *p = strstr(ZONE, " 10 3600");

	snprintf(text, sizeof(text), "%.*s %u%s", (int)(p - ZONE), ZONE,
	    serial, p + 3);
	return text;
}

/* The serial one change gives, by method, at time now. */
static uint32_t
serial_after(uint32_t serial, enum serial_method method, uint64_t now)
{
	struct batch b;

	batch_begin(&b, zone_with_serial(serial));
	ck_assert_uint_eq(one(&b, NULL, "new 300 IN A 192.0.2.7"),
	    RCODE_NOERROR);
	batch_finish(&b, method, now);
	uint32_t s = b.serial;
	ck_assert_uint_eq(b.nz.hdr->serial, s);
	struct rrview v;
	size_t pos = 0;
	ck_assert_int_eq(rrbuf_next(b.add.p, b.add.len, &pos, &v), 0);
	ck_assert_uint_eq(v.type, TYPE_SOA);
	ck_assert_uint_eq(rr_soa_serial(v.rdata, v.rdlen), s);
	batch_end(&b);
	return s;
}

START_TEST(test_update_serial_methods)
{
	/* 2026-12-02 03:00:00 UTC */
	const uint64_t now = 1796180400;

	ck_assert_uint_eq(serial_after(10, SERIAL_INCREMENT, now), 11);
	/* RFC 1982: never 0 (BIND) */
	ck_assert_uint_eq(serial_after(4294967295u, SERIAL_INCREMENT, now), 1);
	ck_assert_uint_eq(serial_after(10, SERIAL_UNIXTIME, now), now);
	ck_assert_uint_eq(serial_after(1796180400, SERIAL_UNIXTIME, now),
	    1796180401);
	ck_assert_uint_eq(serial_after(1900000000, SERIAL_UNIXTIME, now),
	    1900000001);
	ck_assert_uint_eq(serial_after(10, SERIAL_DATE, now), 2026120200);
	ck_assert_uint_eq(serial_after(2026120200, SERIAL_DATE, now),
	    2026120201);
	ck_assert_uint_eq(serial_after(2026120299, SERIAL_DATE, now),
	    2026120300);
	ck_assert_uint_eq(serial_after(2026120355, SERIAL_DATE, now),
	    2026120356);
	/* 2^31 past today's date*100 is not before it (RFC 1982 3.2) */
	ck_assert_uint_eq(serial_after(2026120200u + 2147483648u,
	    SERIAL_DATE, now), 2026120201u + 2147483648u);
}
END_TEST

/* ---- batches and atomicity ---------------------------------------- */

/* A later message sees what an earlier one did; a record added and
 * then deleted in one batch appears in neither list. */
START_TEST(test_update_batch_of_messages)
{
	struct batch b;
	struct msgb m;

	batch_begin(&b, ZONE);
	ck_assert_uint_eq(one(&b, NULL, "host 300 IN A 192.0.2.20"),
	    RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, "host 0 ANY A", "host 300 IN TXT \"t\""),
	    RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, "host 0 IN A 192.0.2.20", NULL),
	    RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, "host 0 NONE ANY", NULL), YXDOMAIN);
	msg_begin(&m);
	upd(&m, "host 0 NONE A 192.0.2.20");
	upd(&m, "www 0 NONE A 192.0.2.1");
	ck_assert_uint_eq(apply(&b, &m), RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, "host 0 NONE A", NULL), RCODE_NOERROR);
	batch_finish(&b, SERIAL_INCREMENT, 0);
	ck_assert_uint_eq(b.serial, 11);	/* once per version */
	ck_assert_str_eq(b.deltext, "example. 300 IN SOA ns1.example. "
	    "hostmaster.example. 10 3600 600 86400 300\n"
	    "www.example. 300 IN A 192.0.2.1\n");
	ck_assert_str_eq(b.addtext, "example. 300 IN SOA ns1.example. "
	    "hostmaster.example. 11 3600 600 86400 300\n"
	    "host.example. 300 IN TXT \"t\"\n");
	const char *t = zone_text(&b.nz);
	has(t, "host.example. 300 IN TXT \"t\"");
	hasnt(t, "host.example. 300 IN A 192.0.2.20");
	has(t, "www.example. 300 IN A 192.0.2.2");
	batch_end(&b);
}
END_TEST

/* A message that fails after some of its updates were applied (here
 * the name server check) leaves the batch exactly as it was. */
START_TEST(test_update_failed_message_is_undone)
{
	struct batch b;
	struct msgb m;

	batch_begin(&b, ZONE);
	ck_assert_uint_eq(one(&b, NULL, "host 300 IN A 192.0.2.20"),
	    RCODE_NOERROR);
	ck_assert_uint_eq(one(&b, NULL,
	    "@ 300 IN SOA ns1 hostmaster 40 1 1 1 1"), RCODE_NOERROR);
	msg_begin(&m);
	upd(&m, "host 0 ANY ANY");
	upd(&m, "www 0 ANY ANY");
	upd(&m, "fresh 300 IN A 192.0.2.30");
	upd(&m, "@ 300 IN SOA ns1 hostmaster 90 1 1 1 1");
	upd(&m, "ns1 0 ANY A");
	upd(&m, "ns2 0 ANY A");
	ck_assert_uint_eq(apply(&b, &m), RCODE_REFUSED);
	ck_assert_str_ne(b.why, "");
	batch_finish(&b, SERIAL_INCREMENT, 0);
	ck_assert_uint_eq(b.serial, 40);
	const char *t = zone_text(&b.nz);
	has(t, "host.example. 300 IN A 192.0.2.20");
	has(t, "www.example. 300 IN A 192.0.2.1");
	ck_assert_ptr_null(strstr(t, "fresh"));
	ck_assert_str_eq(b.addtext, "example. 300 IN SOA ns1.example. "
	    "hostmaster.example. 40 1 1 1 1\n"
	    "host.example. 300 IN A 192.0.2.20\n");
	batch_end(&b);
}
END_TEST

/* An SOA set by a message that failed does not keep the serial from
 * being raised. */
START_TEST(test_update_failed_soa_is_forgotten)
{
	struct batch b;
	struct msgb m;

	batch_begin(&b, ZONE);
	msg_begin(&m);
	upd(&m, "@ 300 IN SOA ns1 hostmaster 90 1 1 1 1");
	upd(&m, "ns1 0 ANY A");
	ck_assert_uint_eq(apply(&b, &m), RCODE_REFUSED);
	ck_assert_uint_eq(one(&b, NULL, "new 300 IN A 192.0.2.7"),
	    RCODE_NOERROR);
	batch_finish(&b, SERIAL_INCREMENT, 0);
	ck_assert_uint_eq(b.serial, 11);
	batch_end(&b);
}
END_TEST

/* The built zone and the difference agree with a zone file of the
 * result: zone_diff() of the two images gives the same lists. */
START_TEST(test_update_difference_matches_zonediff)
{
	struct batch b;
	struct msgb m;

	batch_begin(&b, ZONE);
	msg_begin(&m);
	upd(&m, "www 0 NONE A 192.0.2.2");
	upd(&m, "www 300 IN A 192.0.2.5");
	upd(&m, "x.y.z 300 IN TXT \"deep\"");
	upd(&m, "alias 0 ANY ANY");
	upd(&m, "mx 120 IN MX 20 mail2.example.");
	ck_assert_uint_eq(apply(&b, &m), RCODE_NOERROR);
	batch_finish(&b, SERIAL_INCREMENT, 0);
	struct rrbuf d2, a2;
	char t1[16384], t2[16384];
	rrbuf_init(&d2);
	rrbuf_init(&a2);
	ck_assert_int_eq(zone_diff(&b.z, &b.nz, &d2, &a2), 0);
	ck_assert_str_eq(b.deltext, rrbuf_text(&d2, t1, sizeof(t1)));
	ck_assert_str_eq(b.addtext, rrbuf_text(&a2, t2, sizeof(t2)));
	rrbuf_free(&d2);
	rrbuf_free(&a2);
	batch_end(&b);
}
END_TEST

START_TEST(test_update_signed_zone_refused)
{
	struct zone z;
	struct msgb m;
	char why[256];
	char *text;
	FILE *f = fopen(DATADIR "/example.com.nsec.zone", "r");

	ck_assert_ptr_nonnull(f);
	text = calloc(1, 1 << 20);
	ck_assert_uint_gt(fread(text, 1, (1 << 20) - 1, f), 0);
	fclose(f);
	struct problems p;
	struct zonefile_opts o = { .rclass = CLASS_IN,
	    .report = collect_problem, .arg = &p };
	uint8_t origin[DNAME_MAXLEN];
	void *blob;
	size_t size;
	char *path = write_temp(text);
	memset(&p, 0, sizeof(p));
	ck_assert_int_gt(dname_from_str("example.com.", NULL, origin), 0);
	ck_assert_int_eq(zonefile_load(path, origin, &o, &blob, &size), 0);
	ck_assert_int_eq(zone_open(&z, blob, size), 0);
	struct update *up = update_begin(&z);
	msg_begin_zone(&m, "example.com.", TYPE_SOA, CLASS_IN);
	ck_assert_uint_eq(update_apply(up, m.buf, m.len, NULL, NULL, why,
	    sizeof(why)), RCODE_REFUSED);
	ck_assert_msg(strstr(why, "signed") != NULL, "%s", why);
	ck_assert(!update_changed(up));
	update_free(up);
	unlink(path);
	free(path);
	free(text);
	free(blob);
}
END_TEST

/* Compressed names in the owner and the RDATA (RFC 3597 4: NS, MX). */
START_TEST(test_update_compressed_names)
{
	struct batch b;
	struct msgb m;

	batch_begin(&b, ZONE);
	msg_begin(&m);
	/* owner: "c" + pointer to the zone name at 12 */
	static const uint8_t rec[] = { 1, 'c', 0xc0, 12, 0, TYPE_MX, 0, 1,
	    0, 0, 1, 44, 0, 7, 0, 5, 2, 'm', 'x', 0xc0, 12 };
	memcpy(m.buf + m.len, rec, sizeof(rec));
	m.len += sizeof(rec);
	put16(m.buf + 8, 1);
	ck_assert_uint_eq(apply(&b, &m), RCODE_NOERROR);
	batch_finish(&b, SERIAL_INCREMENT, 0);
	has(zone_text(&b.nz), "c.example. 300 IN MX 5 mx.example.");
	batch_end(&b);
}
END_TEST

static Suite *
update_suite(void)
{
	Suite *s = suite_create("update");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_update_zone_section_rcodes);
	tcase_add_test(tc, test_update_stops_before_additional_section);
	tcase_add_test(tc, test_update_prereq_rrset_exists);
	tcase_add_test(tc, test_update_prereq_name_in_use);
	tcase_add_test(tc, test_update_prereq_value_dependent);
	tcase_add_test(tc, test_update_failed_prereq_applies_nothing);
	tcase_add_test(tc, test_update_prescan_rcodes);
	tcase_add_test(tc, test_update_prescan_before_prereqs);
	tcase_add_test(tc, test_update_allow_is_asked_for_every_record);
	tcase_add_test(tc, test_update_add_and_duplicates);
	tcase_add_test(tc, test_update_ttl_applies_to_rrset);
	tcase_add_test(tc, test_update_same_record_new_ttl);
	tcase_add_test(tc, test_update_deletes);
	tcase_add_test(tc, test_update_apex_rules);
	tcase_add_test(tc, test_update_cname_conflicts);
	tcase_add_test(tc, test_update_ignored_additions);
	tcase_add_test(tc, test_update_ns_needs_addresses);
	tcase_add_test(tc, test_update_ns_target_keeps_addresses);
	tcase_add_test(tc, test_update_orphaned_ds_removed);
	tcase_add_test(tc, test_update_dname_and_wks_replaced);
	tcase_add_test(tc, test_update_delete_all_keeps_dnssec);
	tcase_add_test(tc, test_update_soa_serial_rules);
	tcase_add_test(tc, test_update_serial_methods);
	tcase_add_test(tc, test_update_batch_of_messages);
	tcase_add_test(tc, test_update_failed_message_is_undone);
	tcase_add_test(tc, test_update_failed_soa_is_forgotten);
	tcase_add_test(tc, test_update_difference_matches_zonediff);
	tcase_add_test(tc, test_update_signed_zone_refused);
	tcase_add_test(tc, test_update_compressed_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(update_suite());
}
