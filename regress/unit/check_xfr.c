/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Unit tests for the zone transfer pieces: record lists (lib/rrbuf.c),
 * differences between images (lib/zonediff.c), the journal
 * (lib/journal.c) and the reader of transfer responses (lib/xfrin.c).
 */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ldns/ldns.h>

#include "dname.h"
#include "error.h"
#include "journal.h"
#include "pkt.h"
#include "rr.h"
#include "rrbuf.h"
#include "testutil.h"
#include "tsig.h"
#include "xfrin.h"
#include "zonediff.h"
#include "zonefile.h"

static const uint8_t ORIGIN[] = "\7example\3com";

/* Appends records given as text (ldns syntax, one per line). */
static void
rrs(struct rrbuf *b, const char *text)
{
	char *copy = strdup(text), *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		ldns_rr *rr = NULL;
		uint8_t *wire = NULL;
		size_t size = 0, pos = 0;
		ck_assert_msg(ldns_rr_new_frm_str(&rr, line, 3600, NULL, NULL) ==
		    LDNS_STATUS_OK, "%s", line);
		ck_assert_int_eq(ldns_rr2wire(&wire, rr, LDNS_SECTION_ANSWER,
		    &size), LDNS_STATUS_OK);
		struct rrview v;
		ck_assert_int_eq(rrbuf_next(wire, size, &pos, &v), 0);
		rrbuf_add(b, v.owner, v.type, v.rclass, v.ttl, v.rdata,
		    v.rdlen);
		free(wire);
		ldns_rr_free(rr);
	}
	free(copy);
}

/* qsort wants to compare pointers to strings. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The records of b as sorted presentation lines, for comparing. */
static char *
text_of(const struct rrbuf *b)
{
	char **lines = calloc(b->count + 1, sizeof(char *));
	size_t pos = 0, total = 1;
	unsigned n = 0;
	struct rrview v;

	while (rrbuf_next(b->p, b->len, &pos, &v) == 0) {
		ldns_rr *rr = NULL;
		size_t p = 0;
		ck_assert_int_eq(ldns_wire2rr(&rr, v.owner, v.size, &p,
		    LDNS_SECTION_ANSWER), LDNS_STATUS_OK);
		lines[n] = ldns_rr2str(rr);
		/* one blank between fields, no newline */
		for (char *c = lines[n]; *c; c++)
			if (*c == '\t' || *c == '\n')
				*c = ' ';
		lines[n][strlen(lines[n]) - 1] = '\0';
		total += strlen(lines[n]) + 1;
		ldns_rr_free(rr);
		n++;
	}
	qsort(lines, n, sizeof(char *), cmp_str);
	char *out = calloc(1, total);
	for (unsigned i = 0; i < n; i++) {
		strcat(out, lines[i]);
		strcat(out, "\n");
		free(lines[i]);
	}
	free(lines);
	return out;
}

static char *
sorted(const char *text)
{
	char *copy = strdup(text), *save = NULL, *lines[64];
	unsigned n = 0;
	size_t total = 1;

	for (char *l = strtok_r(copy, "\n", &save); l != NULL && n < 64;
	    l = strtok_r(NULL, "\n", &save)) {
		lines[n++] = l;
		total += strlen(l) + 1;
	}
	qsort(lines, n, sizeof(char *), cmp_str);
	char *out = calloc(1, total);
	for (unsigned i = 0; i < n; i++) {
		strcat(out, lines[i]);
		strcat(out, "\n");
	}
	free(copy);
	return out;
}

static void
assert_rrs(const struct rrbuf *b, const char *want)
{
	char *have = text_of(b), *w = sorted(want);

	ck_assert_str_eq(have, w);
	free(have);
	free(w);
}

static void *
image(const char *text, size_t *size, struct zone *z)
{
	char *path = write_temp(text);
	struct problems p = { "", 0, 0 };
	struct zonefile_opts o = { "/tmp", CLASS_IN, 0, 0, collect_problem,
	    &p, 0 };
	void *blob;

	ck_assert_msg(zonefile_load(path, ORIGIN, &o, &blob, size) == 0,
	    "%s", p.text);
	ck_assert_int_eq(zone_open(z, blob, *size), 0);
	unlink(path);
	free(path);
	return blob;
}

START_TEST(test_rrbuf_reads_back_and_rejects_truncation)
{
	struct rrbuf b;
	struct rrview v;
	size_t pos = 0;

	rrbuf_init(&b);
	rrs(&b, "a.example.com. 60 IN A 192.0.2.1\n"
	    "example.com. 60 IN MX 10 mail.example.com.");
	ck_assert_uint_eq(b.count, 2);
	ck_assert_int_eq(rrbuf_next(b.p, b.len, &pos, &v), 0);
	ck_assert_uint_eq(v.type, TYPE_A);
	ck_assert_uint_eq(v.ttl, 60);
	ck_assert_int_eq(rrbuf_next(b.p, b.len, &pos, &v), 0);
	ck_assert_uint_eq(v.type, TYPE_MX);
	ck_assert_int_eq(rrbuf_next(b.p, b.len, &pos, &v), APEX_ENOENT);
	for (size_t cut = 1; cut < b.len; cut++) {
		pos = 0;
		int rc = 0;
		while ((rc = rrbuf_next(b.p, cut, &pos, &v)) == 0)
			;
		ck_assert_msg(rc == APEX_EMALF || pos == cut,
		    "cut at %zu", cut);
	}
	rrbuf_free(&b);
}
END_TEST

static const char V1[] =
    "$ORIGIN example.com.\n$TTL 300\n"
    "@ SOA ns1 host 1 3600 600 86400 60\n"
    "@ NS ns1\n"
    "ns1 A 192.0.2.53\n"
    "www A 192.0.2.1\n"
    "www A 192.0.2.2\n"
    "old TXT \"gone soon\"\n"
    "ttl A 192.0.2.9\n"
    "cased CNAME Target.example.com.\n";
static const char V2[] =
    "$ORIGIN example.com.\n$TTL 300\n"
    "@ SOA ns1 host 2 3600 600 86400 60\n"
    "@ NS ns1\n"
    "ns1 A 192.0.2.53\n"
    "www A 192.0.2.1\n"
    "www A 192.0.2.3\n"
    "new TXT \"hello\"\n"
    "ttl 900 A 192.0.2.9\n"
    "cased CNAME target.example.com.\n";

START_TEST(test_zone_diff_finds_every_change)
{
	struct zone a, b;
	size_t sa, sb;
	void *ba = image(V1, &sa, &a), *bb = image(V2, &sb, &b);
	struct rrbuf del, add;

	rrbuf_init(&del);
	rrbuf_init(&add);
	ck_assert_int_eq(zone_diff(&a, &b, &del, &add), 0);
	/* Each list starts with its SOA. */
	struct rrview v;
	size_t pos = 0;
	ck_assert_int_eq(rrbuf_next(del.p, del.len, &pos, &v), 0);
	ck_assert_uint_eq(v.type, TYPE_SOA);
	assert_rrs(&del,
	    "example.com. 300 IN SOA ns1.example.com. host.example.com. 1 "
	    "3600 600 86400 60\n"
	    "www.example.com. 300 IN A 192.0.2.2\n"
	    "old.example.com. 300 IN TXT \"gone soon\"\n"
	    "ttl.example.com. 300 IN A 192.0.2.9\n"
	    "cased.example.com. 300 IN CNAME Target.example.com.\n");
	assert_rrs(&add,
	    "example.com. 300 IN SOA ns1.example.com. host.example.com. 2 "
	    "3600 600 86400 60\n"
	    "www.example.com. 300 IN A 192.0.2.3\n"
	    "new.example.com. 300 IN TXT \"hello\"\n"
	    "ttl.example.com. 900 IN A 192.0.2.9\n"
	    "cased.example.com. 300 IN CNAME target.example.com.\n");
	/* No change: only the SOAs. */
	rrbuf_reset(&del);
	rrbuf_reset(&add);
	ck_assert_int_eq(zone_diff(&b, &b, &del, &add), 0);
	ck_assert_uint_eq(del.count, 1);
	ck_assert_uint_eq(add.count, 1);
	rrbuf_free(&del);
	rrbuf_free(&add);
	free(ba);
	free(bb);
}
END_TEST

static char *
temp_dir(void)
{
	char *d = strdup("/tmp/apex-jnl-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

static void
diff_lists(struct rrbuf *del, struct rrbuf *add, unsigned from,
    unsigned to)
{
	char text[512];

	rrbuf_init(del);
	rrbuf_init(add);
	snprintf(text, sizeof(text), "example.com. 300 IN SOA ns1.example.com."
	    " host.example.com. %u 3600 600 86400 60\n"
	    "r%u.example.com. 300 IN A 192.0.2.%u", from, from, from % 250);
	rrs(del, text);
	snprintf(text, sizeof(text), "example.com. 300 IN SOA ns1.example.com."
	    " host.example.com. %u 3600 600 86400 60\n"
	    "r%u.example.com. 300 IN A 192.0.2.%u", to, to, to % 250);
	rrs(add, text);
}

static off_t
file_size(const char *path)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_size;
}

START_TEST(test_journal_survives_restarts_and_drops_torn_tails)
{
	char *dir = temp_dir(), path[512];
	struct journal j;
	struct rrbuf del, add, d2, a2;
	uint32_t last;

	snprintf(path, sizeof(path), "%s/z.jnl", dir);
	ck_assert_int_eq(journal_open(&j, path, ORIGIN), 0);
	ck_assert(!journal_last(&j, &last));
	for (unsigned s = 1; s <= 3; s++) {
		diff_lists(&del, &add, s, s + 1);
		ck_assert_int_eq(journal_append(&j, s, s + 1, &del, &add), 0);
		rrbuf_free(&del);
		rrbuf_free(&add);
	}
	off_t whole = j.size;
	journal_close(&j);

	/* Reopened: every record, the chain, the contents. */
	ck_assert_int_eq(journal_open(&j, path, ORIGIN), 0);
	ck_assert_uint_eq(j.n, 3);
	ck_assert_str_eq(j.note, "");
	ck_assert(journal_last(&j, &last));
	ck_assert_uint_eq(last, 4);
	ck_assert_int_eq(journal_find(&j, 2), 1);
	ck_assert_int_eq(journal_find(&j, 9), -1);
	rrbuf_init(&d2);
	rrbuf_init(&a2);
	ck_assert_int_eq(journal_read(&j, 1, &d2, &a2), 0);
	diff_lists(&del, &add, 2, 3);
	ck_assert_mem_eq(d2.p, del.p, del.len);
	ck_assert_mem_eq(a2.p, add.p, add.len);
	rrbuf_free(&del);
	rrbuf_free(&add);
	rrbuf_free(&d2);
	rrbuf_free(&a2);
	journal_close(&j);

	/* A write cut short by a crash: the torn record goes, the rest
	 * stays. */
	int fd = open(path, O_WRONLY | O_APPEND);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "JREC\0\0\1\0partial", 15), 15);
	close(fd);
	ck_assert_int_eq(journal_open(&j, path, ORIGIN), 0);
	ck_assert_uint_eq(j.n, 3);
	ck_assert_ptr_nonnull(strstr(j.note, "dropped 15 damaged"));
	ck_assert_int_eq(file_size(path), whole);
	journal_close(&j);

	/* A damaged byte in the last record: it is not served. */
	fd = open(path, O_RDWR);
	ck_assert_int_eq(pwrite(fd, "X", 1, whole - 30), 1);
	close(fd);
	ck_assert_int_eq(journal_open(&j, path, ORIGIN), 0);
	ck_assert_uint_eq(j.n, 2);
	ck_assert(journal_last(&j, &last));
	ck_assert_uint_eq(last, 3);

	/* Bounded: trimming keeps the newest records that fit. */
	off_t one = (off_t)j.e[1].len;
	ck_assert_int_eq(journal_trim(&j, (uint64_t)(j.hdrlen + one)), 0);
	ck_assert_uint_eq(j.n, 1);
	ck_assert_uint_eq(j.e[0].from, 2);
	rrbuf_init(&d2);
	rrbuf_init(&a2);
	ck_assert_int_eq(journal_read(&j, 0, &d2, &a2), 0);
	rrbuf_free(&d2);
	rrbuf_free(&a2);
	journal_close(&j);
	ck_assert_int_eq(journal_open(&j, path, ORIGIN), 0);
	ck_assert_uint_eq(j.n, 1);
	journal_close(&j);

	/* Another zone's journal is not used. */
	ck_assert_int_eq(journal_open(&j, path, (const uint8_t *)"\3net"), 0);
	ck_assert_uint_eq(j.n, 0);
	ck_assert_ptr_nonnull(strstr(j.note, "afresh"));
	journal_close(&j);
	unlink(path);
	rmdir(dir);
	free(dir);
}
END_TEST

/* ---- transfer responses ------------------------------------------ */

struct server {
	struct tsig_ctx	 ctx;
	bool		 tsig;
};

/* A response message with the records of text, signed if s says so. */
static size_t
response(uint8_t *buf, uint16_t id, uint16_t qtype, bool question,
    unsigned rcode, const char *text, struct server *s, bool sign)
{
	struct pkt_writer w;
	struct rrbuf b;
	struct rrview v;
	size_t pos = 0;
	unsigned n = 0;

	rrbuf_init(&b);
	if (text != NULL)
		rrs(&b, text);
	pkt_writer_init(&w, buf, PKT_MAXLEN);
	ck_assert_int_eq(pkt_put_header_question(&w, id, PKT_QR | PKT_AA |
	    rcode, question ? ORIGIN : NULL, qtype, CLASS_IN), 0);
	while (rrbuf_next(b.p, b.len, &pos, &v) == 0) {
		ck_assert_int_eq(pkt_put_rr(&w, v.owner, v.wire8, v.rec,
		    PKT_TTL_KEEP), 0);
		n++;
	}
	pkt_count_add(&w, 6, n);
	size_t len = w.len;
	if (s != NULL && sign)
		ck_assert_int_eq(tsig_sign(&s->ctx, buf, &len, PKT_MAXLEN,
		    (uint64_t)time(NULL), 0, id), 0);
	else if (s != NULL)
		tsig_add_unsigned(&s->ctx, buf, len);
	rrbuf_free(&b);
	return len;
}

#define SOA(n) "example.com. 300 IN SOA ns1.example.com. host.example.com. " \
	#n " 3600 600 86400 60\n"

START_TEST(test_xfrin_axfr_in_one_or_many_messages)
{
	uint8_t m[PKT_MAXLEN];
	struct xfrin x;
	size_t len;

	xfrin_init(&x, ORIGIN, CLASS_IN, TYPE_AXFR, 7, 0, 0, NULL);
	len = response(m, 7, TYPE_AXFR, true, 0, SOA(5)
	    "example.com. 300 IN NS ns1.example.com.\n"
	    "ns1.example.com. 300 IN A 192.0.2.53\n" SOA(5), NULL, false);
	ck_assert_int_eq(xfrin_message(&x, m, len, 0), XFRIN_DONE);
	ck_assert_int_eq(x.kind, XFRIN_FULL);
	ck_assert_uint_eq(x.new_serial, 5);
	ck_assert_uint_eq(x.full.count, 3);
	xfrin_free(&x);

	xfrin_init(&x, ORIGIN, CLASS_IN, TYPE_AXFR, 7, 0, 0, NULL);
	len = response(m, 7, TYPE_AXFR, true, 0, SOA(5)
	    "example.com. 300 IN NS ns1.example.com.\n", NULL, false);
	ck_assert_int_eq(xfrin_message(&x, m, len, 0), XFRIN_MORE);
	len = response(m, 7, TYPE_AXFR, false, 0,
	    "ns1.example.com. 300 IN A 192.0.2.53\n", NULL, false);
	ck_assert_int_eq(xfrin_message(&x, m, len, 0), XFRIN_MORE);
	len = response(m, 7, TYPE_AXFR, false, 0, SOA(5), NULL, false);
	ck_assert_int_eq(xfrin_message(&x, m, len, 0), XFRIN_DONE);
	ck_assert_uint_eq(x.full.count, 3);
	ck_assert_uint_eq(x.messages, 3);
	/* Nothing may follow the end. */
	ck_assert_int_eq(xfrin_message(&x, m, len, 0), XFRIN_ERROR);
	xfrin_free(&x);
}
END_TEST

START_TEST(test_xfrin_soa_answer_reads_serial_or_waits)
{
	uint8_t m[PKT_MAXLEN];
	struct xfrin_soa sa;
	size_t len;

	len = response(m, 9, TYPE_SOA, true, 0, SOA(42), NULL, false);
	ck_assert_int_eq(xfrin_soa_answer(m, len, 9, ORIGIN, &sa), 0);
	ck_assert(sa.found);
	ck_assert_uint_eq(sa.serial, 42);
	ck_assert_uint_eq(sa.tsig_pos, 0);
	ck_assert(sa.flags & PKT_AA);
	/* Another query's ID, or no question: not our answer. */
	ck_assert_int_eq(xfrin_soa_answer(m, len, 10, ORIGIN, &sa),
	    APEX_ENOENT);
	len = response(m, 9, TYPE_SOA, false, 0, SOA(42), NULL, false);
	ck_assert_int_eq(xfrin_soa_answer(m, len, 9, ORIGIN, &sa),
	    APEX_ENOENT);
	/* An answer without the zone's SOA: read, nothing found. */
	len = response(m, 9, TYPE_SOA, true, RCODE_REFUSED, NULL, NULL, false);
	ck_assert_int_eq(xfrin_soa_answer(m, len, 9, ORIGIN, &sa), 0);
	ck_assert(!sa.found);
	ck_assert_uint_eq(PKT_RCODE(sa.flags), RCODE_REFUSED);
}
END_TEST

/* Each bad transfer is refused with a reason. */
START_TEST(test_xfrin_rejects_bad_transfers)
{
	static const struct {
		const char	*records;
		uint16_t	 id;
		unsigned	 rcode;
		uint32_t	 max;
		const char	*why;
	} bad[] = {
		{ "example.com. 300 IN NS ns1.example.com.\n" SOA(5), 7, 0, 0,
		    "does not start with" },
		{ SOA(5) "www.example.org. 300 IN A 192.0.2.1\n" SOA(5), 7, 0,
		    0, "outside the zone" },
		{ SOA(5) "www.example.com. 300 CH A 192.0.2.1\n" SOA(5), 7, 0,
		    0, "another class" },
		{ SOA(5) SOA(6), 7, 0, 0, "differs from the first" },
		{ SOA(5) SOA(5), 8, 0, 0, "not a response to the request" },
		{ NULL, 7, RCODE_REFUSED, 0, "RCODE 5" },
		{ SOA(5) "a.example.com. 1 IN A 192.0.2.1\n"
		    "b.example.com. 1 IN A 192.0.2.1\n" SOA(5), 7, 0, 2,
		    "max-records" },
		{ SOA(5) SOA(5) "a.example.com. 1 IN A 192.0.2.1\n", 7, 0, 0,
		    "after the final SOA" },
	};
	uint8_t m[PKT_MAXLEN];
	struct xfrin x;

	for (size_t i = 0; i < nitems(bad); i++) {
		xfrin_init(&x, ORIGIN, CLASS_IN, TYPE_AXFR, 7, 0, bad[i].max,
		    NULL);
		size_t len = response(m, bad[i].id, TYPE_AXFR, true,
		    bad[i].rcode, bad[i].records, NULL, false);
		ck_assert_int_eq(xfrin_message(&x, m, len, 0), XFRIN_ERROR);
		ck_assert_msg(strstr(x.error, bad[i].why) != NULL,
		    "case %zu: %s", i, x.error);
		if (bad[i].rcode != 0)
			ck_assert_uint_eq(x.rcode, bad[i].rcode);
		xfrin_free(&x);
	}
	/* Truncated messages are malformed, never read past. */
	size_t len = response(m, 7, TYPE_AXFR, true, 0, SOA(5) SOA(5), NULL,
	    false);
	for (size_t cut = 0; cut < len; cut++) {
		xfrin_init(&x, ORIGIN, CLASS_IN, TYPE_AXFR, 7, 0, 0, NULL);
		ck_assert_int_eq(xfrin_message(&x, m, cut, 0), XFRIN_ERROR);
		xfrin_free(&x);
	}
}
END_TEST

/* Malformed SOA RDATA: empty, the names without the counters, names
 * and half the counters, compressed names alone, one octet too many. */
static const struct {
	const char	*rdata;
	size_t		 len;
} bad_soa[] = {
	{ "", 0 },
	{ "\7example\3com\0\7example\3com\0", 26 },
	{ "\7example\3com\0\7example\3com\0"
	    "\0\0\0\5\0\0\16\20\0\0", 36 },
	{ "\300\14\300\14", 4 },
	{ "\0\0" "\0\0\0\5\0\0\16\20\0\0\2\130\0\1\121\200\0\0\0\74"
	    "\0", 23 },
};

/* An AXFR or IXFR response of two SOA records, serial 5; the one at
 * where has the RDATA of bad_soa[k]. */
static size_t
bad_soa_response(uint8_t *buf, uint16_t qtype, int where, size_t k)
{
	static const uint8_t good[] = { 0, 0, 0, 0, 0, 5, 0, 0, 14, 16, 0, 0,
	    2, 88, 0, 1, 81, 128, 0, 0, 0, 60 };
	static const uint8_t wire[8] = { 0, TYPE_SOA, 0, CLASS_IN, 0, 0, 1,
	    44 };
	struct pkt_writer w;

	pkt_writer_init(&w, buf, PKT_MAXLEN);
	ck_assert_int_eq(pkt_put_header_question(&w, 7, PKT_QR | PKT_AA,
	    ORIGIN, qtype, CLASS_IN), 0);
	for (int i = 0; i < 2; i++) {
		const uint8_t *rd = i == where ? (const uint8_t *)
		    bad_soa[k].rdata : good;
		size_t n = i == where ? bad_soa[k].len : sizeof(good);
		ck_assert_int_eq(pkt_put_name(&w, ORIGIN, false), 0);
		memcpy(w.buf + w.len, wire, 8);
		put16(w.buf + w.len + 8, (uint16_t)n);
		memcpy(w.buf + w.len + 10, rd, n);
		w.len += 10 + n;
	}
	pkt_count_add(&w, 6, 2);
	return w.len;
}

START_TEST(test_xfrin_rejects_soa_without_counters)
{
	uint8_t m[PKT_MAXLEN];
	struct xfrin x;

	for (int t = 0; t < 2; t++)
		for (int where = 0; where < 2; where++)
			for (size_t k = 0; k < nitems(bad_soa); k++) {
				uint16_t qt = t ? TYPE_IXFR : TYPE_AXFR;
				xfrin_init(&x, ORIGIN, CLASS_IN, qt, 7, 4, 0,
				    NULL);
				size_t len = bad_soa_response(m, qt, where, k);
				ck_assert_msg(xfrin_message(&x, m, len, 0) ==
				    XFRIN_ERROR, "type %u, SOA %d, case %zu "
				    "taken", qt, where, k);
				ck_assert_msg(strstr(x.error, "malformed"),
				    "%s", x.error);
				xfrin_free(&x);
			}
}
END_TEST

START_TEST(test_xfrin_ixfr_forms)
{
	uint8_t m[PKT_MAXLEN];
	struct xfrin x;
	size_t len;

	/* Two differences, 1 -> 2 -> 3. */
	xfrin_init(&x, ORIGIN, CLASS_IN, TYPE_IXFR, 9, 1, 0, NULL);
	len = response(m, 9, TYPE_IXFR, true, 0, SOA(3) SOA(1)
	    "a.example.com. 300 IN A 192.0.2.1\n" SOA(2)
	    "b.example.com. 300 IN A 192.0.2.2\n" SOA(2)
	    "b.example.com. 300 IN A 192.0.2.2\n" SOA(3)
	    "c.example.com. 300 IN A 192.0.2.3\n" SOA(3), NULL, false);
	ck_assert_int_eq(xfrin_message(&x, m, len, 0), XFRIN_DONE);
	ck_assert_int_eq(x.kind, XFRIN_INCREMENTAL);
	ck_assert_uint_eq(x.ndiffs, 2);
	ck_assert_uint_eq(x.diffs[0].from, 1);
	ck_assert_uint_eq(x.diffs[0].to, 2);
	ck_assert_uint_eq(x.diffs[1].to, 3);
	ck_assert_uint_eq(x.diffs[1].del.count, 2);
	ck_assert_uint_eq(x.diffs[1].add.count, 2);
	xfrin_free(&x);

	/* Up to date: one SOA. */
	xfrin_init(&x, ORIGIN, CLASS_IN, TYPE_IXFR, 9, 3, 0, NULL);
	len = response(m, 9, TYPE_IXFR, true, 0, SOA(3), NULL, false);
	ck_assert_int_eq(xfrin_message(&x, m, len, 0), XFRIN_DONE);
	ck_assert_int_eq(x.kind, XFRIN_UPTODATE);
	xfrin_free(&x);

	/* The whole zone instead (RFC 1995 4). */
	xfrin_init(&x, ORIGIN, CLASS_IN, TYPE_IXFR, 9, 1, 0, NULL);
	len = response(m, 9, TYPE_IXFR, true, 0, SOA(3)
	    "example.com. 300 IN NS ns1.example.com.\n" SOA(3), NULL, false);
	ck_assert_int_eq(xfrin_message(&x, m, len, 0), XFRIN_DONE);
	ck_assert_int_eq(x.kind, XFRIN_FULL);
	ck_assert_uint_eq(x.full.count, 2);
	xfrin_free(&x);

	/* Differences that start elsewhere or do not chain. */
	xfrin_init(&x, ORIGIN, CLASS_IN, TYPE_IXFR, 9, 1, 0, NULL);
	len = response(m, 9, TYPE_IXFR, true, 0, SOA(3) SOA(2) SOA(3) SOA(3),
	    NULL, false);
	ck_assert_int_eq(xfrin_message(&x, m, len, 0), XFRIN_ERROR);
	ck_assert_ptr_nonnull(strstr(x.error, "not at ours"));
	xfrin_free(&x);
	xfrin_init(&x, ORIGIN, CLASS_IN, TYPE_IXFR, 9, 1, 0, NULL);
	len = response(m, 9, TYPE_IXFR, true, 0, SOA(4) SOA(1) SOA(2) SOA(3)
	    SOA(4) SOA(4), NULL, false);
	ck_assert_int_eq(xfrin_message(&x, m, len, 0), XFRIN_ERROR);
	ck_assert_ptr_nonnull(strstr(x.error, "do not chain"));
	xfrin_free(&x);
}
END_TEST

START_TEST(test_xfrin_tsig_on_every_message_that_counts)
{
	struct tsig_key key = { "k", "\1k", TSIG_HMAC_SHA256, "0123456789ab"
	    "cdef0123456789abcdef", 32, 0 };
	struct tsig_keyring kr = { &key, 1 };
	struct tsig_ctx client;
	struct server srv;
	uint8_t m[PKT_MAXLEN], req[512];
	struct pkt_writer w;
	struct tsig_rr trr;
	struct xfrin x;
	size_t len;

	tsig_init();
	for (int variant = 0; variant < 4; variant++) {
		/* The request, signed; the server checks it. */
		memset(&srv, 0, sizeof(srv));
		tsig_ctx_init(&client, &key);
		pkt_writer_init(&w, req, sizeof(req));
		ck_assert_int_eq(pkt_put_header_question(&w, 3, 0, ORIGIN,
		    TYPE_AXFR, CLASS_IN), 0);
		size_t rlen = w.len;
		ck_assert_int_eq(tsig_sign(&client, req, &rlen, sizeof(req),
		    (uint64_t)time(NULL), 0, 3), 0);
		ck_assert_int_eq(tsig_verify_request(&kr, req, rlen, w.len,
		    (uint64_t)time(NULL), &srv.ctx, &trr), TSIG_NOERROR);
		xfrin_init(&x, ORIGIN, CLASS_IN, TYPE_AXFR, 3, 0, 0, &client);
		/* First message signed, a middle one not, the last signed
		 * (variant 0); a tampered first message (1); an unsigned
		 * last message (2); an unsigned first message (3). */
		len = response(m, 3, TYPE_AXFR, true, 0, SOA(5), &srv,
		    variant != 3);
		if (variant == 1)
			m[len - 40] ^= 1;
		enum xfrin_status st = xfrin_message(&x, m, len,
		    (uint64_t)time(NULL));
		if (variant == 1 || variant == 3) {
			ck_assert_int_eq(st, XFRIN_ERROR);
			ck_assert_msg(strstr(x.error, variant == 1 ? "TSIG" :
			    "not signed"), "%s", x.error);
			goto next;
		}
		ck_assert_msg(st == XFRIN_MORE, "%s", x.error);
		len = response(m, 3, TYPE_AXFR, false, 0,
		    "example.com. 300 IN NS ns1.example.com.\n", &srv, false);
		ck_assert_int_eq(xfrin_message(&x, m, len,
		    (uint64_t)time(NULL)), XFRIN_MORE);
		len = response(m, 3, TYPE_AXFR, false, 0, SOA(5), &srv,
		    variant == 0);
		st = xfrin_message(&x, m, len, (uint64_t)time(NULL));
		if (variant == 0)
			ck_assert_msg(st == XFRIN_DONE, "%s", x.error);
		else {
			ck_assert_int_eq(st, XFRIN_ERROR);
			ck_assert_ptr_nonnull(strstr(x.error, "not signed"));
		}
next:
		xfrin_free(&x);
		tsig_ctx_free(&client);
		tsig_ctx_free(&srv.ctx);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("xfr");
	TCase *tc = tcase_create("xfr");

	tcase_add_test(tc, test_rrbuf_reads_back_and_rejects_truncation);
	tcase_add_test(tc, test_zone_diff_finds_every_change);
	tcase_add_test(tc, test_journal_survives_restarts_and_drops_torn_tails);
	tcase_add_test(tc, test_xfrin_axfr_in_one_or_many_messages);
	tcase_add_test(tc, test_xfrin_rejects_bad_transfers);
	tcase_add_test(tc, test_xfrin_soa_answer_reads_serial_or_waits);
	tcase_add_test(tc, test_xfrin_rejects_soa_without_counters);
	tcase_add_test(tc, test_xfrin_ixfr_forms);
	tcase_add_test(tc, test_xfrin_tsig_on_every_message_that_counts);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
