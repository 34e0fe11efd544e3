/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Unit tests for the zone signer (lib/sign.c): every signature checked
 * against the canonical RRset, the NSEC and NSEC3 chains, reuse of the
 * previous image's signatures, and the signed zones written out as text
 * for dnssec-verify and ldns-verify-zone when they are installed.
 * Runs in: the tests.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "dname.h"
#include "dnskey.h"
#include "error.h"
#include "nsec3.h"
#include "rr.h"
#include "sign.h"
#include "testutil.h"
#include "zone.h"
#include "zonefile.h"

/* sign_testkey.c */
struct dnskey	*testkey_new(const uint8_t *, size_t, uint8_t, uint16_t);
void		 testkey_free(struct dnskey *);
bool		 testkey_verify(const struct dnskey *, const uint8_t *, size_t,
		    const uint8_t *, size_t);

#define ORIGIN	"example.test."

static const char zone_text[] =
    "$TTL 3600\n"
    "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
    "@ NS ns1\n"
    "@ NS ns.other.test.\n"
    "@ MX 10 Mail.Example.Test.\n"
    "mail A 192.0.2.10\n"
    "ns1 A 192.0.2.1\n"
    "www A 192.0.2.2\n"
    "www A 192.0.2.3\n"
    "www AAAA 2001:db8::1\n"
    "*.wild TXT \"wildcard\"\n"
    "a.b.ent A 192.0.2.4\n"
    "sec NS ns.sec\n"
    "sec DS 12345 13 2 "
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
    "ns.sec A 192.0.2.5\n"
    "insec NS ns.insec\n"
    "insec NS ns.other.test.\n"
    "ns.insec A 192.0.2.6\n"
    "d.ent2 NS ns.other.test.\n"
    "alias CNAME www\n"
    "_dns._tcp SRV 0 0 53 NS1.Example.Test.\n"
    "host HINFO \"PC\" \"Unix\"\n";

struct fixture {
	uint8_t			 origin[DNAME_MAXLEN];
	struct dnskey		*ksk, *zsk;
	struct sign_key		 keys[2];
	struct sign_params	 p;
	void			*ublob;
	size_t			 usize;
	struct zone		 uz;
};

static void
load_text(struct fixture *f, const char *text)
{
	struct problems pr;
	struct zonefile_opts opts = { NULL, CLASS_IN, 0, 0, collect_problem,
	    &pr, 0 };
	char *path = write_temp(text);

	memset(&pr, 0, sizeof(pr));
	free(f->ublob);
	ck_assert_msg(zonefile_load(path, f->origin, &opts, &f->ublob,
	    &f->usize) == 0, "%s", pr.text);
	ck_assert_int_eq(zone_open(&f->uz, f->ublob, f->usize), 0);
	unlink(path);
	free(path);
}

/* alg 13 KSK + ZSK, or (alg 15) one CSK. */
static void
setup(struct fixture *f, uint8_t alg)
{
	memset(f, 0, sizeof(*f));
	ck_assert_int_gt(dname_from_str(ORIGIN, NULL, f->origin), 0);
	size_t ol = dname_len(f->origin);
	f->ksk = testkey_new(f->origin, ol, alg, DNSKEY_F_ZONE | DNSKEY_F_SEP);
	f->keys[0] = (struct sign_key){ f->ksk, true, alg != 13, true, true };
	f->p.nkeys = 1;
	if (alg == 13) {
		f->zsk = testkey_new(f->origin, ol, alg, DNSKEY_F_ZONE);
		f->keys[1] = (struct sign_key){ f->zsk, true, true, false,
		    false };
		f->p.nkeys = 2;
	}
	f->p.keys = f->keys;
	f->p.now = (uint32_t)time(NULL);
	f->p.serial = 2026120201;
	f->p.validity = 30 * 86400;
	f->p.validity_dnskey = 14 * 86400;
	f->p.refresh = 5 * 86400;
	f->p.jitter = 86400;
	f->p.dnskey_ttl = 600;
	load_text(f, zone_text);
}

static void
teardown(struct fixture *f)
{
	testkey_free(f->ksk);
	if (f->zsk != NULL)
		testkey_free(f->zsk);
	free(f->ublob);
}

static void
sign(struct fixture *f, const struct zone *prev, struct zone *out,
    void **blob, struct sign_stats *st)
{
	char err[256];
	size_t size;

	int rc = sign_zone(&f->uz, prev, &f->p, blob, &size, st, err,
	    sizeof(err));
	ck_assert_msg(rc == 0, "sign_zone: %d %s", rc, err);
	ck_assert_int_eq(zone_open(out, *blob, size), 0);
}

/* ---- checking signatures in the test -------------------------------- */

static const struct dnskey *
find_key(const struct fixture *f, uint16_t tag, uint8_t alg)
{
	for (unsigned i = 0; i < f->p.nkeys; i++)
		if (f->keys[i].key->tag == tag && f->keys[i].key->alg == alg)
			return f->keys[i].key;
	return NULL;
}

struct cref {
	uint8_t	 rd[1024];
	uint16_t len;
};

static int
cmp_cref(const void *pa, const void *pb)
{
	const struct cref *a = pa, *b = pb;
	size_t n = a->len < b->len ? a->len : b->len;
	int d = memcmp(a->rd, b->rd, n);

	return d != 0 ? d : (int)a->len - (int)b->len;
}

/* One RRSIG over rs at owner, checked from scratch. */
static void
verify_sig(const struct fixture *f, const uint8_t *owner,
    const struct zone_rrset *rs, const uint8_t *sig, uint16_t siglen)
{
	static struct cref c[64];
	static uint8_t data[65536];
	size_t ol = dname_len(owner), pos;
	size_t sl = dname_len(sig + 18);
	const struct dnskey *k = find_key(f, get16(sig + 16), sig[2]);

	ck_assert_ptr_nonnull(k);
	ck_assert_uint_eq(get16(sig), rs->type);
	ck_assert_uint_eq(get32(sig + 4), zone_rrset_ttl(rs));
	unsigned labels = dname_label_count(owner);
	if (owner[0] == 1 && owner[1] == '*')
		labels--;
	ck_assert_uint_eq(sig[3], labels);
	ck_assert_msg((int32_t)(get32(sig + 12) - f->p.now) <= -3600,
	    "inception");
	/* Expiry in [now + validity - jitter, now + validity], in serial
	 * arithmetic (RFC 4034 3.1.5): the clock may wrap. */
	bool keyset = rs->type == TYPE_DNSKEY || rs->type == TYPE_CDS ||
	    rs->type == TYPE_CDNSKEY;
	uint32_t left = get32(sig + 8) - f->p.now;
	uint32_t validity = keyset ? f->p.validity_dnskey : f->p.validity;
	ck_assert_msg(left <= validity && left >= validity - f->p.jitter,
	    "expiry %u seconds away", left);
	ck_assert_int_eq(dname_compare(sig + 18, f->origin), 0);
	memcpy(data, sig, 18 + sl);
	pos = 18 + sl;
	const uint8_t *r = zone_rrset_data(rs);
	ck_assert_uint_le(rs->count, nitems(c));
	for (unsigned i = 0; i < rs->count; i++, r += 2 + get16(r)) {
		c[i].len = get16(r);
		sign_canonical_rdata(rs->type, r + 2, c[i].len, c[i].rd);
	}
	qsort(c, rs->count, sizeof(c[0]), cmp_cref);
	for (unsigned i = 0; i < rs->count; i++) {
		memcpy(data + pos, owner, ol);
		put16(data + pos + ol, rs->type);
		put16(data + pos + ol + 2, CLASS_IN);
		put32(data + pos + ol + 4, get32(sig + 4));
		put16(data + pos + ol + 8, c[i].len);
		memcpy(data + pos + ol + 10, c[i].rd, c[i].len);
		pos += ol + 10 + c[i].len;
	}
	ck_assert_msg(testkey_verify(k, data, pos, sig + 18 + sl,
	    siglen - 18 - sl), "signature of type %u does not verify",
	    rs->type);
}

/* Every RRSIG verifies; returns how many there are. */
static unsigned
verify_all(const struct fixture *f, const struct zone *z)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < z->hdr->node_count; i++) {
		const struct zone_node *nd = zone_node(z, i);
		const struct zone_rrset *rs = zone_rrset_first(z, nd);
		for (unsigned k = 0; k < nd->nrrsets; k++,
		    rs = zone_rrset_next(rs)) {
			if (rs->type != TYPE_RRSIG)
				continue;
			const struct zone_rrset *cov = zone_find_rrset(z, nd,
			    zone_rrsig_covered(rs));
			ck_assert_ptr_nonnull(cov);
			ck_assert_uint_eq(zone_rrset_ttl(rs),
			    zone_rrset_ttl(cov));
			const uint8_t *r = zone_rrset_data(rs);
			for (unsigned m = 0; m < rs->count; m++,
			    r += 2 + get16(r), n++)
				verify_sig(f, zone_node_name(z, nd), cov,
				    r + 2, get16(r));
		}
	}
	return n;
}

/* ---- the zone as text, for the external verifiers --------------------- */

static char *
dump_zone(const struct zone *z)
{
	static uint8_t wire[DNAME_MAXLEN + 10 + 65536];
	char *path = write_temp("");
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	for (uint32_t i = 0; i < z->hdr->node_count; i++) {
		const struct zone_node *nd = zone_node(z, i);
		const struct zone_rrset *rs = zone_rrset_first(z, nd);
		size_t ol = nd->name_len;
		memcpy(wire, zone_node_name(z, nd), ol);
		for (unsigned k = 0; k < nd->nrrsets; k++,
		    rs = zone_rrset_next(rs)) {
			const uint8_t *r = zone_rrset_data(rs);
			for (unsigned m = 0; m < rs->count; m++,
			    r += 2 + get16(r)) {
				ldns_rr *rr = NULL;
				size_t pos = 0;
				memcpy(wire + ol, rs->wire, 8);
				memcpy(wire + ol + 8, r, 2 + get16(r));
				ck_assert_int_eq(ldns_wire2rr(&rr, wire, ol +
				    10 + get16(r), &pos, LDNS_SECTION_ANSWER),
				    LDNS_STATUS_OK);
				ldns_rr_print(fp, rr);
				ldns_rr_free(rr);
			}
		}
	}
	ck_assert_int_eq(fclose(fp), 0);
	return path;
}

static bool
in_path(const char *tool)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* csk: one key signs everything, so the KSK flag says nothing. */
static void
external_verify(const struct zone *z, bool csk)
{
	char *path = dump_zone(z);
	char cmd[1024];

	if (in_path("dnssec-verify")) {
		snprintf(cmd, sizeof(cmd), "dnssec-verify -q %s-o %s %s "
		    ">%s.out 2>&1 || { cat %s.out; exit 1; }", csk ? "-z " : "",
		    ORIGIN, path,
		    path, path);
		ck_assert_msg(system(cmd) == 0, "dnssec-verify failed on %s",
		    path);
	}
	if (in_path("ldns-verify-zone")) {
		snprintf(cmd, sizeof(cmd), "ldns-verify-zone %s >%s.out 2>&1"
		    " || { cat %s.out; exit 1; }", path, path, path);
		ck_assert_msg(system(cmd) == 0, "ldns-verify-zone failed on "
		    "%s", path);
	}
	snprintf(cmd, sizeof(cmd), "%s.out", path);
	unlink(cmd);
	/* CHECK_SIGN_KEEP: leave the zone files to look at. */
	if (getenv("CHECK_SIGN_KEEP") != NULL)
		fprintf(stderr, "signed zone: %s\n", path);
	else
		unlink(path);
	free(path);
}

/* ---- chains --------------------------------------------------------- */

static uint32_t
node_of(const struct zone *z, const char *name)
{
	uint8_t n[DNAME_MAXLEN];

	ck_assert_int_gt(dname_from_str(name, NULL, n), 0);
	dname_lower(n, n, dname_len(n));
	return zone_find_name(z, n);
}

/* The types of a bitmap as "NS RRSIG NSEC". */
static void
bitmap_str(const uint8_t *b, size_t len, char *out, size_t outlen)
{
	char tb[16];

	out[0] = '\0';
	for (size_t pos = 0; pos + 2 <= len; pos += 2 + b[pos + 1])
		for (unsigned i = 0; i < b[pos + 1] * 8u; i++)
			if (b[pos + 2 + i / 8] & (0x80 >> (i % 8)))
				snprintf(out + strlen(out), outlen -
				    strlen(out), "%s%s", out[0] ? " " : "",
				    rr_type_str((uint16_t)(b[pos] * 256 + i),
				    tb));
}

static void
nsec_bitmap(const struct zone *z, const char *name, char *out, size_t len)
{
	uint32_t i = node_of(z, name);

	ck_assert_uint_ne(i, ZONE_NONE);
	const struct zone_rrset *rs = zone_find_rrset(z, zone_node(z, i),
	    TYPE_NSEC);
	ck_assert_ptr_nonnull(rs);
	const uint8_t *r = zone_rrset_data(rs);
	size_t nl = dname_len(r + 2);
	bitmap_str(r + 2 + nl, get16(r) - nl, out, len);
}

START_TEST(test_nsec_zone)
{
	struct fixture f;
	struct sign_stats st;
	struct zone z;
	void *blob;
	char bm[256];

	setup(&f, (uint8_t)(_i == 0 ? 13 : 15));
	sign(&f, NULL, &z, &blob, &st);
	unsigned nsig = verify_all(&f, &z);
	ck_assert_uint_eq(nsig, st.sigs_made);
	ck_assert_uint_eq(st.sigs_kept, 0);
	ck_assert_uint_eq(z.hdr->denial, ZONE_DENIAL_NSEC);
	ck_assert_uint_eq(z.hdr->serial, f.p.serial);
	/* The chain: every NSEC's next name owns the next NSEC, back to
	 * the apex; glue and empty non-terminals are not in it. */
	uint32_t cur = 0, seen = 0;
	do {
		const struct zone_rrset *rs = zone_find_rrset(&z,
		    zone_node(&z, cur), TYPE_NSEC);
		ck_assert_ptr_nonnull(rs);
		uint32_t next = zone_find_name(&z, zone_rrset_data(rs) + 2);
		ck_assert_uint_ne(next, ZONE_NONE);
		ck_assert(next == 0 || next > cur);
		cur = next;
		seen++;
	} while (cur != 0 && seen < 100);
	ck_assert_uint_eq(cur, 0);
	ck_assert_uint_eq(seen, 12);
	ck_assert_ptr_null(zone_find_rrset(&z, zone_node(&z, node_of(&z,
	    "ent." ORIGIN)), TYPE_NSEC));
	ck_assert_ptr_null(zone_find_rrset(&z, zone_node(&z, node_of(&z,
	    "ns.insec." ORIGIN)), TYPE_NSEC));
	/* RFC 9077: min(SOA TTL, MINIMUM); the keys' TTL as configured. */
	ck_assert_uint_eq(zone_rrset_ttl(zone_find_rrset(&z, zone_node(&z, 0),
	    TYPE_NSEC)), 300);
	ck_assert_uint_eq(zone_rrset_ttl(zone_find_rrset(&z, zone_node(&z, 0),
	    TYPE_DNSKEY)), 600);
	nsec_bitmap(&z, "insec." ORIGIN, bm, sizeof(bm));
	ck_assert_str_eq(bm, "NS RRSIG NSEC");
	nsec_bitmap(&z, "sec." ORIGIN, bm, sizeof(bm));
	ck_assert_str_eq(bm, "NS DS RRSIG NSEC");
	nsec_bitmap(&z, ORIGIN, bm, sizeof(bm));
	ck_assert_str_eq(bm, "NS SOA MX RRSIG NSEC DNSKEY CDS CDNSKEY");
	nsec_bitmap(&z, "*.wild." ORIGIN, bm, sizeof(bm));
	ck_assert_str_eq(bm, "TXT RRSIG NSEC");
	/* No signature over glue or a delegation's NS. */
	ck_assert_ptr_null(zone_find_sigs(&z, zone_node(&z, node_of(&z,
	    "insec." ORIGIN)), TYPE_NS));
	ck_assert_ptr_nonnull(zone_find_sigs(&z, zone_node(&z, node_of(&z,
	    "sec." ORIGIN)), TYPE_DS));
	external_verify(&z, f.zsk == NULL);
	free(blob);
	teardown(&f);
}
END_TEST

static void
check_nsec3_chain(const struct fixture *f, const struct zone *z,
    unsigned want)
{
	ck_assert_uint_eq(z->hdr->denial, ZONE_DENIAL_NSEC3);
	ck_assert_uint_eq(z->hdr->n3_count, want);
	for (uint32_t i = 0; i < z->hdr->n3_count; i++) {
		const struct zone_n3 *e = &z->n3[i];
		const struct zone_rrset *rs = zone_find_rrset(z,
		    zone_node(z, e->node), TYPE_NSEC3);
		ck_assert_ptr_nonnull(rs);
		const uint8_t *rd = zone_rrset_data(rs) + 2;
		ck_assert_uint_eq(rd[1], f->p.optout ? 1 : 0);
		const uint8_t *next = rd + 5 + rd[4] + 1;
		const struct zone_n3 *want_next =
		    &z->n3[(i + 1) % z->hdr->n3_count];
		ck_assert_int_eq(memcmp(next, want_next->hash, 20), 0);
		if (i > 0)
			ck_assert_int_lt(memcmp(z->n3[i - 1].hash, e->hash,
			    20), 0);
	}
}

static bool
has_n3(const struct zone *z, const char *name, char *bm, size_t bmlen)
{
	uint8_t n[DNAME_MAXLEN], h[20];

	ck_assert_int_gt(dname_from_str(name, NULL, n), 0);
	zone_n3_hash(z, n, dname_len(n), h);
	uint32_t e = zone_n3_find(z, h);
	if (e == ZONE_NONE || !(e & ZONE_N3_MATCH))
		return false;
	const struct zone_rrset *rs = zone_find_rrset(z, zone_node(z,
	    z->n3[e & ZONE_N3_INDEX].node), TYPE_NSEC3);
	const uint8_t *rd = zone_rrset_data(rs) + 2;
	size_t off = 5 + rd[4] + 1 + 20;
	bitmap_str(rd + off, get16(rd - 2) - off, bm, bmlen);
	return true;
}

START_TEST(test_nsec3_zone)
{
	struct fixture f;
	struct sign_stats st;
	struct zone z;
	void *blob;
	char bm[256];

	setup(&f, 13);
	f.p.nsec3 = true;
	f.p.optout = _i == 1;
	if (_i == 2) {
		f.p.iterations = 5;
		f.p.saltlen = 4;
		memcpy(f.p.salt, "\xaa\xbb\xcc\xdd", 4);
	}
	sign(&f, NULL, &z, &blob, &st);
	ck_assert_uint_eq(verify_all(&f, &z), st.sigs_made);
	/* apex, _tcp (ENT), _dns._tcp, alias, ent, b.ent, a.b.ent, ent2,
	 * d.ent2, host, insec, mail, ns1, sec, wild (ENT), *.wild, www */
	check_nsec3_chain(&f, &z, f.p.optout ? 15 : 17);
	ck_assert(has_n3(&z, ORIGIN, bm, sizeof(bm)));
	ck_assert_str_eq(bm, "NS SOA MX RRSIG DNSKEY NSEC3PARAM CDS CDNSKEY");
	ck_assert(has_n3(&z, "b.ent." ORIGIN, bm, sizeof(bm)));
	ck_assert_str_eq(bm, "");
	ck_assert(has_n3(&z, "sec." ORIGIN, bm, sizeof(bm)));
	ck_assert_str_eq(bm, "NS DS RRSIG");
	ck_assert(!has_n3(&z, "ns.sec." ORIGIN, bm, sizeof(bm)));
	ck_assert(has_n3(&z, "insec." ORIGIN, bm, sizeof(bm)) ==
	    !f.p.optout);
	if (!f.p.optout)
		ck_assert_str_eq(bm, "NS");
	ck_assert(has_n3(&z, "ent2." ORIGIN, bm, sizeof(bm)));
	ck_assert_uint_eq(zone_rrset_ttl(zone_find_rrset(&z, zone_node(&z, 0),
	    TYPE_NSEC3PARAM)), 0);
	external_verify(&z, f.zsk == NULL);
	free(blob);
	teardown(&f);
}
END_TEST

/* ---- reuse ---------------------------------------------------------- */

START_TEST(test_reuse)
{
	struct fixture f;
	struct sign_stats st1, st2, st3;
	struct zone z1, z2, z3;
	void *b1, *b2, *b3;

	setup(&f, 13);
	f.p.nsec3 = _i == 1;
	if (_i == 2)
		f.p.now = UINT32_MAX - 10 * 86400;	/* expiries wrap */
	sign(&f, NULL, &z1, &b1, &st1);
	/* Same input, a new serial: only the SOA is signed again. */
	f.p.serial++;
	f.p.now += 60;
	sign(&f, &z1, &z2, &b2, &st2);
	ck_assert_uint_eq(st2.sigs_made, 1);
	ck_assert_uint_eq(st2.rrsets_signed, 1);
	ck_assert_uint_eq(st2.sigs_kept, st1.sigs_made - 1);
	ck_assert_uint_eq(verify_all(&f, &z2), st1.sigs_made);
	ck_assert_uint_eq(st2.earliest_expiry, st1.earliest_expiry);
	ck_assert_uint_eq(st2.next_refresh, st2.earliest_expiry -
	    f.p.refresh);
	/* One A record changed: that RRset and the SOA. */
	char *text = strdup(zone_text);
	char *p = strstr(text, "192.0.2.3");
	p[8] = '9';
	load_text(&f, text);
	free(text);
	f.p.serial++;
	sign(&f, &z2, &z3, &b3, &st3);
	ck_assert_uint_eq(st3.sigs_made, 2);
	ck_assert_uint_eq(verify_all(&f, &z3), st1.sigs_made);
	free(b3);
	/* A new type at www: its NSEC (or NSEC3) changes as well. */
	text = malloc(sizeof(zone_text) + 64);
	snprintf(text, sizeof(zone_text) + 64, "%swww TXT \"new\"\n",
	    zone_text);
	load_text(&f, text);
	free(text);
	f.p.serial++;
	sign(&f, &z2, &z3, &b3, &st3);
	ck_assert_uint_eq(st3.sigs_made, 3);
	free(b3);
	/* Past the refresh time everything is made anew. */
	f.p.now += 26 * 86400;
	sign(&f, &z2, &z3, &b3, &st3);
	ck_assert_uint_eq(st3.sigs_kept, 0);
	free(b3);
	/* A key that no longer signs the zone leaves its signatures: only
	 * DNSKEY, CDS and CDNSKEY keep the KSK's. */
	f.p.now -= 26 * 86400;
	f.keys[1].zsign = false;
	f.keys[0].zsign = true;
	sign(&f, &z2, &z3, &b3, &st3);
	ck_assert_uint_eq(st3.sigs_kept, 3);
	ck_assert_uint_eq(verify_all(&f, &z3), st3.sigs_made + 3);
	free(b1);
	free(b2);
	free(b3);
	teardown(&f);
}
END_TEST

START_TEST(test_cds_delete)
{
	struct fixture f;
	struct sign_stats st;
	struct zone z;
	void *blob;

	setup(&f, 15);
	f.p.cds_delete = true;
	sign(&f, NULL, &z, &blob, &st);
	const struct zone_rrset *cds = zone_find_rrset(&z, zone_node(&z, 0),
	    TYPE_CDS);
	const struct zone_rrset *cdnskey = zone_find_rrset(&z,
	    zone_node(&z, 0), TYPE_CDNSKEY);
	ck_assert_ptr_nonnull(cds);
	ck_assert_ptr_nonnull(cdnskey);
	ck_assert_uint_eq(cds->count, 1);
	ck_assert_int_eq(memcmp(zone_rrset_data(cds), "\0\5\0\0\0\0\0", 7),
	    0);
	ck_assert_int_eq(memcmp(zone_rrset_data(cdnskey), "\0\5\0\0\3\0\0",
	    7), 0);
	ck_assert_uint_eq(zone_rrset_ttl(cds), 600);
	verify_all(&f, &z);
	free(blob);
	teardown(&f);
}
END_TEST

START_TEST(test_canonical_rdata)
{
	uint8_t out[64];
	/* MX 10 A.B. */
	static const uint8_t mx[] = { 0, 10, 1, 'A', 1, 'B', 0 };
	static const uint8_t nsec[] = { 1, 'A', 0, 0, 1, 0x40 };
	static const uint8_t hinfo[] = { 2, 'P', 'C', 1, 'U' };
	static const uint8_t srv[] = { 0, 0, 0, 0, 0, 53, 1, 'X', 0 };

	sign_canonical_rdata(TYPE_MX, mx, sizeof(mx), out);
	ck_assert_int_eq(memcmp(out, "\0\12\1a\1b\0", 7), 0);
	sign_canonical_rdata(TYPE_NSEC, nsec, sizeof(nsec), out);
	ck_assert_int_eq(memcmp(out, nsec, sizeof(nsec)), 0);
	sign_canonical_rdata(TYPE_HINFO, hinfo, sizeof(hinfo), out);
	ck_assert_int_eq(memcmp(out, hinfo, sizeof(hinfo)), 0);
	sign_canonical_rdata(TYPE_SRV, srv, sizeof(srv), out);
	ck_assert_int_eq(out[7], 'x');
	/* A bad name is copied as it is. */
	static const uint8_t bad[] = { 5, 'A' };
	sign_canonical_rdata(TYPE_NS, bad, sizeof(bad), out);
	ck_assert_int_eq(memcmp(out, bad, sizeof(bad)), 0);
}
END_TEST

/* A zone of n names, each with an A and a TXT record. */
static void
load_big(struct fixture *f, unsigned n)
{
	size_t cap = 256 + (size_t)n * 64, len;
	char *text = malloc(cap);

	len = (size_t)snprintf(text, cap, "$TTL 3600\n@ SOA ns1 h 1 2 3 4 5\n"
	    "@ NS ns1\nns1 A 192.0.2.1\n");
	for (unsigned i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len,
		    "h%u A 192.0.2.%u\nh%u TXT \"%u\"\n", i, i % 256, i, i);
	load_text(f, text);
	free(text);
}

/* CHECK_SIGN_BIG=n: n names signed twice, timed (not run by default). */
START_TEST(test_big)
{
	const char *env = getenv("CHECK_SIGN_BIG");
	struct fixture f;
	struct sign_stats st;
	struct zone z1, z2;
	void *b1, *b2;

	if (env == NULL)
		return;
	unsigned n = (unsigned)atoi(env);
	setup(&f, 15);
	load_big(&f, n);
	f.p.nsec3 = _i == 1;
	clock_t t0 = clock();
	sign(&f, NULL, &z1, &b1, &st);
	clock_t t1 = clock();
	f.p.serial++;
	sign(&f, &z1, &z2, &b2, &st);
	clock_t t2 = clock();
	fprintf(stderr, "%u names%s: signed in %.2fs (%llu signatures), "
	    "again in %.2fs (%llu made, %llu kept)\n", n, f.p.nsec3 ?
	    " NSEC3" : "", (double)(t1 - t0) / CLOCKS_PER_SEC,
	    (unsigned long long)verify_all(&f, &z1),
	    (double)(t2 - t1) / CLOCKS_PER_SEC,
	    (unsigned long long)st.sigs_made, (unsigned long long)st.sigs_kept);
	ck_assert_uint_eq(st.sigs_made, 1);
	free(b1);
	free(b2);
	teardown(&f);
}
END_TEST

/*
 * Several threads and several flushes of the signature queue (more
 * signatures than it holds): every signature in place and valid, as
 * many as one thread makes, and a second run keeps them.
 */
START_TEST(test_threads)
{
	struct fixture f;
	struct sign_stats st1, st3, again;
	struct zone z1, z3, z4;
	void *b1, *b3, *b4;

	setup(&f, 13);
	load_big(&f, 12000);
	f.p.nsec3 = true;
	f.p.threads = 1;
	sign(&f, NULL, &z1, &b1, &st1);
	f.p.threads = 3;
	sign(&f, NULL, &z3, &b3, &st3);
	ck_assert_uint_gt(st3.sigs_made, 2 * 16384);
	ck_assert_uint_eq(st3.sigs_made, st1.sigs_made);
	ck_assert_uint_eq(verify_all(&f, &z3), st3.sigs_made);
	ck_assert_uint_eq(z3.hdr->node_count, z1.hdr->node_count);
	f.p.serial++;
	sign(&f, &z3, &z4, &b4, &again);
	ck_assert_uint_eq(again.sigs_made, 1);	/* the SOA */
	ck_assert_uint_eq(again.sigs_kept + 1, st3.sigs_made);
	free(b1);
	free(b3);
	free(b4);
	teardown(&f);
}
END_TEST

/* The signer's own types in the input are replaced, not kept. */
START_TEST(test_input_dnssec_dropped)
{
	struct fixture f;
	struct sign_stats st;
	struct zone z;
	void *blob;
	char *text = malloc(sizeof(zone_text) + 512);

	setup(&f, 15);
	snprintf(text, sizeof(zone_text) + 512, "%s"
	    "@ DNSKEY 256 3 13 QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJC\n"
	    "@ CDS 1 13 2 00\n"
	    "@ NSEC3PARAM 1 0 5 aabb\n"
	    "www RRSIG A 13 3 3600 20300101000000 20200101000000 1 "
	    ORIGIN " AA==\n"
	    "www NSEC mail A RRSIG NSEC\n", zone_text);
	load_text(&f, text);
	free(text);
	f.keys[0].cds = false;
	sign(&f, NULL, &z, &blob, &st);
	const struct zone_node *apex = zone_node(&z, 0);
	ck_assert_uint_eq(zone_find_rrset(&z, apex, TYPE_DNSKEY)->count, 1);
	ck_assert_ptr_null(zone_find_rrset(&z, apex, TYPE_CDS));
	ck_assert_ptr_null(zone_find_rrset(&z, apex, TYPE_NSEC3PARAM));
	ck_assert_uint_eq(verify_all(&f, &z), st.sigs_made);
	external_verify(&z, true);
	free(blob);
	teardown(&f);
}
END_TEST

/* A key without its private part, and a zone over max_records. */
START_TEST(test_errors)
{
	struct fixture f;
	struct sign_stats st;
	char err[256];
	void *blob = NULL;
	size_t size;

	setup(&f, 15);
	f.p.max_records = 40;
	ck_assert_int_eq(sign_zone(&f.uz, NULL, &f.p, &blob, &size, &st, err,
	    sizeof(err)), APEX_ELIMIT);
	ck_assert_ptr_null(blob);
	f.p.max_records = 0;
	void *pk = f.ksk->pkey;
	f.ksk->pkey = NULL;
	ck_assert_int_eq(sign_zone(&f.uz, NULL, &f.p, &blob, &size, &st, err,
	    sizeof(err)), APEX_ECRYPTO);
	ck_assert_msg(strstr(err, "could not sign") != NULL, "%s", err);
	ck_assert_int_eq(sign_zone(&f.uz, NULL, &f.p, &blob, &size, &st, NULL,
	    0), APEX_ECRYPTO);
	f.ksk->pkey = pk;
	teardown(&f);
}
END_TEST

static Suite *
sign_suite(void)
{
	Suite *s = suite_create("sign");
	TCase *tc = tcase_create("sign");

	tcase_set_timeout(tc, getenv("CHECK_SIGN_BIG") ? 3600 : 60);
	tcase_add_test(tc, test_canonical_rdata);
	tcase_add_loop_test(tc, test_nsec_zone, 0, 2);
	tcase_add_loop_test(tc, test_nsec3_zone, 0, 3);
	tcase_add_loop_test(tc, test_reuse, 0, 3);
	tcase_add_test(tc, test_cds_delete);
	tcase_add_test(tc, test_input_dnssec_dropped);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_threads);
	tcase_add_loop_test(tc, test_big, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(sign_suite());
}
