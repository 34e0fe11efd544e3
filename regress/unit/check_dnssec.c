/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Unit tests for signed zones: SHA-1, the NSEC3 hash and base32hex
 * (lib/nsec3.c), how an image keeps RRSIGs (lib/zone_build.c,
 * lib/zone.c), the denial index (lib/zone_dnssec.c), the checks made at
 * load, and the proofs DO=1 answers carry (named/denial.c), against the
 * example zones and answers of RFC 4035 and RFC 5155.
 * Runs in: the tests.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "chaos.h"
#include "conf.h"
#include "dname.h"
#include "error.h"
#include "nsec3.h"
#include "pkt.h"
#include "query.h"
#include "rr.h"
#include "testutil.h"
#include "zone.h"
#include "zonefile.h"
#include "zonetab.h"

static void
hex(const uint8_t *d, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* ---- SHA-1 (FIPS 180-4, RFC 3174 7.3) ------------------------------ */

static void
check_sha1(const void *data, size_t len, const char *want)
{
	uint8_t md[NSEC3_HASHLEN];
	char got[2 * NSEC3_HASHLEN + 1];

	sha1(data, len, md);
	hex(md, sizeof(md), got);
	ck_assert_msg(strcmp(got, want) == 0, "SHA-1 of %zu octets: %s, "
	    "expected %s", len, got, want);
}

START_TEST(test_sha1_vectors)
{
	static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijk"
	    "ijkljklmklmnlmnomnopnopq";
	uint8_t seq[128];
	char *million = malloc(1000000);

	check_sha1("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	check_sha1("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
	check_sha1(two_blocks, strlen(two_blocks),
	    "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	memset(million, 'a', 1000000);
	check_sha1(million, 1000000,
	    "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	free(million);
	/* RFC 3174 7.3 TEST4: 80 times "01234567". */
	char rep[641];
	for (int i = 0; i < 80; i++)
		memcpy(rep + 8 * i, "01234567", 8);
	check_sha1(rep, 640, "dea356a2cddd90c7a7ecedc5ebb563934f460452");
	/* Where the padding needs a second block: 0, 1, 2, ... n - 1. */
	for (int i = 0; i < 128; i++)
		seq[i] = (uint8_t)i;
	check_sha1(seq, 55, "8ae2d46729cfe68ff927af5eec9c7d1b66d65ac2");
	check_sha1(seq, 56, "636e2ec698dac903498e648bd2f3af641d3c88cb");
	check_sha1(seq, 63, "6d942da0c4392b123528f2905c713a3ce28364bd");
	check_sha1(seq, 64, "c6138d514ffa2135bfce0ed0b8fac65669917ec7");
	check_sha1(seq, 119, "41c89d06001bab4ab78736b44efe7ce18ce6ae08");
	check_sha1(seq, 120, "d3dbd653bd8597b7475321b60a36891278e6a04a");
}
END_TEST

/* ---- the NSEC3 hash (RFC 5155 Appendix A) --------------------------- */

static void
check_hash(const char *name, const char *salt_hex, unsigned iterations,
    const char *want)
{
	uint8_t n[DNAME_MAXLEN], salt[255], md[NSEC3_HASHLEN];
	char got[40];
	size_t saltlen = strlen(salt_hex) / 2;

	for (size_t i = 0; i < saltlen; i++)
		sscanf(salt_hex + 2 * i, "%2hhx", &salt[i]);
	ck_assert_int_gt(dname_from_str(name, NULL, n), 0);
	dname_lower(n, n, dname_len(n));
	nsec3_hash(n, dname_len(n), salt, (unsigned)saltlen, iterations, md);
	size_t len = base32hex_encode(md, sizeof(md), got);
	ck_assert_uint_eq(len, 32);
	got[len] = '\0';
	ck_assert_msg(strcmp(got, want) == 0, "H(%s) = %s, expected %s",
	    name, got, want);
}

START_TEST(test_nsec3_hash_rfc5155)
{
	static const char *const v[][2] = {
		{ "example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom" },
		{ "a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl" },
		{ "ai.example.", "gjeqe526plbf1g8mklp59enfd789njgi" },
		{ "ns1.example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojr" },
		{ "ns2.example.", "q04jkcevqvmu85r014c7dkba38o0ji5r" },
		{ "w.example.", "k8udemvp1j2f7eg6jebps17vp3n8i58h" },
		{ "*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en" },
		{ "x.w.example.", "b4um86eghhds6nea196smvmlo4ors995" },
		{ "y.w.example.", "ji6neoaepv8b5o6k4ev33abha8ht9fgc" },
		{ "x.y.w.example.", "2vptu5timamqttgl4luu9kg21e0aor3s" },
		{ "xx.example.", "t644ebqk9bibcna874givr6joj62mlhv" },
		{ "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.",
		    "kohar7mbb8dc2ce8a9qvl8hon4k53uhi" },
		/* Appendix B's comments. */
		{ "c.x.w.example.", "0va5bpr2ou0vk0lbqeeljri88laipsfh" },
		{ "*.x.w.example.", "92pqneegtaue7pjatc3l3qnk738c6v5m" },
		{ "c.example.", "4g6p9u5gvfshp30pqecj98b3maqbn1ck" },
		{ "z.w.example.", "qlu7gtfaeh0ek0c05ksfhdpbcgglbe03" },
		/* The hash is of the lowercase name. */
		{ "X.W.Example.", "b4um86eghhds6nea196smvmlo4ors995" },
	};

	for (size_t i = 0; i < nitems(v); i++)
		check_hash(v[i][0], "aabbccdd", 12, v[i][1]);
	/* No salt, no extra iterations (RFC 9276 3.1), and a one-octet
	 * salt; the values ldns-nsec3-hash gives. */
	check_hash("example.", "", 0, "3msev9usmd4br9s97v51r2tdvmr9iqo1");
	check_hash("www.example.com.", "ff", 0,
	    "le71avpb91gqhvrac5qns2a0dv8efm4c");
}
END_TEST

/* ---- base32hex (RFC 4648 7 and 10) ---------------------------------- */

START_TEST(test_base32hex_vectors_and_round_trips)
{
	/* RFC 4648 10, lowercase and without padding. */
	static const char *const v[][2] = {
		{ "", "" }, { "f", "co" }, { "fo", "cpng" },
		{ "foo", "cpnmu" }, { "foob", "cpnmuog" },
		{ "fooba", "cpnmuoj1" }, { "foobar", "cpnmuoj1e8" },
	};
	char enc[64];
	uint8_t dec[64], in[40];

	for (size_t i = 0; i < nitems(v); i++) {
		size_t n = base32hex_encode((const uint8_t *)v[i][0],
		    strlen(v[i][0]), enc);
		enc[n] = '\0';
		ck_assert_str_eq(enc, v[i][1]);
		int d = base32hex_decode((const uint8_t *)v[i][1],
		    strlen(v[i][1]), dec, sizeof(dec));
		ck_assert_int_eq(d, (int)strlen(v[i][0]));
		ck_assert(memcmp(dec, v[i][0], (size_t)d) == 0);
	}
	/* Upper case decodes alike. */
	ck_assert_int_eq(base32hex_decode((const uint8_t *)"CPNMUOJ1E8", 10,
	    dec, sizeof(dec)), 6);
	ck_assert(memcmp(dec, "foobar", 6) == 0);
	/* Every length up to 40 octets survives a round trip. */
	for (size_t len = 0; len <= sizeof(in); len++) {
		for (size_t i = 0; i < len; i++)
			in[i] = (uint8_t)(i * 37 + len * 11 + 0x5a);
		size_t n = base32hex_encode(in, len, enc);
		ck_assert_uint_eq(n, (len * 8 + 4) / 5);
		ck_assert_int_eq(base32hex_decode((const uint8_t *)enc, n,
		    dec, sizeof(dec)), (int)len);
		ck_assert(memcmp(dec, in, len) == 0);
	}
}
END_TEST

START_TEST(test_base32hex_rejects)
{
	uint8_t out[32];
	static const char *const bad[] = {
		"w", "cpnw", "cpng=", "cp-g", "cp g", "zz",
		"c",		/* 5 bits: no octet */
		"cpn",		/* 15 bits: one octet and 7 left over */
		"cpnmuo",	/* 30 bits: three octets and 6 left */
		"cp",		/* 10 bits: the last 2 must be zero */
		"cpnh",		/* 20 bits: the last 4 must be zero */
	};

	for (size_t i = 0; i < nitems(bad); i++)
		ck_assert_msg(base32hex_decode((const uint8_t *)bad[i],
		    strlen(bad[i]), out, sizeof(out)) == -1, "accepted %s",
		    bad[i]);
	/* A 20-octet hash does not fit in 19. */
	ck_assert_int_eq(base32hex_decode((const uint8_t *)
	    "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom", 32, out, 19), -1);
	ck_assert_int_eq(base32hex_decode((const uint8_t *)
	    "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom", 32, out, 20), 20);
}
END_TEST

/* ---- building signed images ---------------------------------------- */

struct reports {
	char		text[8192];
	unsigned	errors, warnings;
};

static void
collect(void *arg, uint32_t tag, bool error, const char *msg)
{
	struct reports *r = arg;
	size_t n = strlen(r->text);

	snprintf(r->text + n, sizeof(r->text) - n, "%u: %s%s\n", tag,
	    error ? "" : "warning: ", msg);
	if (error)
		r->errors++;
	else
		r->warnings++;
}

/* Adds a record: owner in presentation form, RDATA in wire form. */
static int
add_text(struct zone_builder *zb, const char *owner, uint16_t type,
    uint32_t ttl, const uint8_t *rd, size_t len, uint32_t tag)
{
	uint8_t n[DNAME_MAXLEN];

	ck_assert_int_gt(dname_from_str(owner, NULL, n), 0);
	return zone_builder_add(zb, n, type, ttl, rd, len, tag);
}

static void
add(struct zone_builder *zb, const char *owner, uint16_t type,
    uint32_t ttl, const void *rd, size_t len, uint32_t tag)
{
	ck_assert_int_eq(add_text(zb, owner, type, ttl, rd, len, tag), 0);
}

/* RRSIG RDATA covering type, expiring at exp, signed by example. */
static size_t
rrsig(uint8_t *rd, uint16_t covered, uint8_t labels, uint32_t ttl,
    uint32_t exp)
{
	put16(rd, covered);
	rd[2] = 13;
	rd[3] = labels;
	put32(rd + 4, ttl);
	put32(rd + 8, exp);
	put32(rd + 12, exp - 30 * 86400);
	put16(rd + 16, 4711);
	memcpy(rd + 18, "\7example\0", 9);
	memset(rd + 27, 0xab, 64);
	return 27 + 64;
}

static void
add_sig(struct zone_builder *zb, const char *owner, uint16_t covered,
    uint32_t ttl, uint32_t exp, uint32_t tag)
{
	uint8_t rd[128];
	uint8_t labels = (uint8_t)(owner[0] == '\0' ? 0 : 1);

	for (const char *p = owner; *p != '\0'; p++)
		labels += p[1] != '\0' && *p == '.';
	size_t len = rrsig(rd, covered, labels, ttl, exp);
	add(zb, owner, TYPE_RRSIG, ttl, rd, len, tag);
}

/* An NSEC record: next name, then the bitmap of window 0. */
static void
add_nsec(struct zone_builder *zb, const char *owner, const char *next,
    const uint16_t *types, size_t ntypes)
{
	uint8_t rd[DNAME_MAXLEN + 34], bits[32];
	int len = dname_from_str(next, NULL, rd);
	size_t max = 0;

	ck_assert_int_gt(len, 0);
	memset(bits, 0, sizeof(bits));
	for (size_t i = 0; i < ntypes; i++) {
		bits[types[i] / 8] |= (uint8_t)(0x80 >> (types[i] % 8));
		if (types[i] / 8 + 1u > max)
			max = types[i] / 8 + 1u;
	}
	rd[len] = 0;
	rd[len + 1] = (uint8_t)max;
	memcpy(rd + len + 2, bits, max);
	add(zb, owner, TYPE_NSEC, 3600, rd, (size_t)len + 2 + max, 0);
}

static const uint8_t soa_rd[] = "\2ns\7example\0\1h\7example\0"
    "\0\0\0\5\0\0\0\1\0\0\0\1\0\0\0\1\0\0\0\x3c";

static struct zone_builder *
new_builder(struct reports *r)
{
	uint8_t origin[DNAME_MAXLEN];

	memset(r, 0, sizeof(*r));
	ck_assert_int_gt(dname_from_str("example.", NULL, origin), 0);
	struct zone_builder *zb = zone_builder_new(origin, CLASS_IN, collect,
	    r);
	add(zb, "example.", TYPE_SOA, 3600, soa_rd, sizeof(soa_rd) - 1, 1);
	add(zb, "example.", TYPE_NS, 3600, "\2ns\7example", 12, 2);
	add(zb, "ns.example.", TYPE_A, 3600, "\300\0\2\1", 4, 3);
	return zb;
}

static uint32_t
future(void)
{
	return (uint32_t)time(NULL) + 365 * 86400;
}

/*
 * example. signed with NSEC: RRSIGs of several types with TTLs of their
 * own (SOA 100, NS 200, A 300, NSEC 400), an RRSIG covering MX, which
 * the apex lacks, a TXT without, and www, whose only RRSIG covers TXT,
 * which www lacks.
 */
static void *
build_signed(struct zone *z, size_t *size, struct reports *r)
{
	static const uint8_t a[] = { 192, 0, 2, 1 };
	static const uint16_t apex_types[] = { TYPE_A, TYPE_NS, TYPE_SOA,
	    TYPE_TXT, TYPE_RRSIG, TYPE_NSEC, TYPE_DNSKEY };
	static const uint16_t ns_types[] = { TYPE_A, TYPE_RRSIG, TYPE_NSEC };
	static const uint16_t www_types[] = { TYPE_A, TYPE_NSEC };
	struct zone_builder *zb = new_builder(r);
	uint32_t exp = future();
	void *blob;

	/* A zone key with the SEP flag (257, protocol 3, ECDSA P-256):
	 * without one the zone is not secure and gets no denial index. */
	static const uint8_t key[] = { 1, 1, 3, 13, 0xab, 0xcd };

	add(zb, "example.", TYPE_A, 3600, a, 4, 3);
	add(zb, "example.", TYPE_TXT, 3600, "\3txt", 4, 4);
	add(zb, "example.", TYPE_DNSKEY, 3600, key, sizeof(key), 15);
	add_sig(zb, "example.", TYPE_SOA, 100, exp, 5);
	add_sig(zb, "example.", TYPE_NS, 200, exp, 6);
	add_sig(zb, "example.", TYPE_A, 300, exp, 7);
	add_sig(zb, "example.", TYPE_MX, 500, exp, 8);	/* no MX here */
	add_sig(zb, "example.", TYPE_NSEC, 400, exp, 9);
	add_nsec(zb, "example.", "ns.example.", apex_types,
	    nitems(apex_types));
	add_sig(zb, "ns.example.", TYPE_A, 300, exp, 11);
	add_sig(zb, "ns.example.", TYPE_NSEC, 400, exp, 12);
	add_nsec(zb, "ns.example.", "www.example.", ns_types,
	    nitems(ns_types));
	add(zb, "www.example.", TYPE_A, 3600, a, 4, 13);
	add_nsec(zb, "www.example.", "example.", www_types,
	    nitems(www_types));
	add_sig(zb, "www.example.", TYPE_TXT, 600, exp, 14);
	ck_assert_int_eq(zone_builder_finish(zb, &blob, size), 0);
	zone_builder_free(zb);
	ck_assert_int_eq(r->errors, 0);
	ck_assert_int_eq(zone_open(z, blob, *size), 0);
	return blob;
}

static uint32_t
find(const struct zone *z, const char *name)
{
	uint8_t n[DNAME_MAXLEN];

	ck_assert_int_gt(dname_from_str(name, NULL, n), 0);
	dname_lower(n, n, dname_len(n));
	return zone_find_name(z, n);
}

static const char *
node_name(const struct zone *z, uint32_t k)
{
	static char buf[4][DNAME_STRLEN];
	static unsigned i;

	if (k == ZONE_NONE)
		return "(none)";
	i = (i + 1) % 4;
	return dname_to_str(zone_node_name(z, zone_node(z, k)), buf[i],
	    sizeof(buf[i]));
}

START_TEST(test_sigs_follow_their_rrset)
{
	struct zone z;
	struct reports r;
	size_t size;
	void *blob = build_signed(&z, &size, &r);
	static const struct {
		uint16_t type;
		uint32_t sig_ttl;	/* 0: unsigned */
	} apex[] = {
		{ TYPE_SOA, 100 }, { TYPE_NS, 200 }, { TYPE_A, 300 },
		{ TYPE_TXT, 0 }, { TYPE_NSEC, 400 },
	};

	ck_assert_int_eq(z.hdr->denial, ZONE_DENIAL_NSEC);
	ck_assert_ptr_nonnull(z.dnodes);
	const struct zone_node *n = zone_node(&z, 0);
	for (size_t i = 0; i < nitems(apex); i++) {
		const struct zone_rrset *rs = zone_find_rrset(&z, n,
		    apex[i].type);
		ck_assert_ptr_nonnull(rs);
		ck_assert_uint_eq(zone_rrset_ttl(rs), 3600);
		const struct zone_rrset *sig = zone_rrset_sigs(rs);
		ck_assert_ptr_eq(zone_find_sigs(&z, n, apex[i].type), sig);
		if (apex[i].sig_ttl == 0) {
			ck_assert_uint_eq(rs->sigs, 0);
			ck_assert_ptr_null(sig);
			continue;
		}
		ck_assert_uint_eq(rs->sigs, 1);
		ck_assert_ptr_nonnull(sig);
		ck_assert_ptr_eq(sig, zone_rrset_next(rs));
		ck_assert_uint_eq(sig->type, TYPE_RRSIG);
		ck_assert_uint_eq(sig->count, 1);
		ck_assert_uint_eq(zone_rrsig_covered(sig), apex[i].type);
		ck_assert_uint_eq(zone_rrset_ttl(sig), apex[i].sig_ttl);
		ck_assert_uint_eq(get16(sig->wire), TYPE_RRSIG);
	}
	/* The RRSIG covering MX is kept, last, and belongs to no RRset. */
	ck_assert_ptr_null(zone_find_rrset(&z, n, TYPE_MX));
	const struct zone_rrset *orphan = zone_find_sigs(&z, n, TYPE_MX);
	ck_assert_ptr_nonnull(orphan);
	ck_assert_uint_eq(zone_rrset_ttl(orphan), 500);
	const struct zone_rrset *rs = zone_rrset_first(&z, n);
	for (unsigned i = 0; i + 1 < n->nrrsets; i++)
		rs = zone_rrset_next(rs);
	ck_assert_ptr_eq(rs, orphan);
	ck_assert_uint_eq(orphan->sigs, 0);
	/* RRsets + their RRSIGs: SOA NS A TXT NSEC DNSKEY, 4 RRSIG sets,
	 * 1 orphan */
	ck_assert_uint_eq(n->nrrsets, 11);

	uint32_t k = find(&z, "ns.example.");
	n = zone_node(&z, k);
	ck_assert_uint_eq(n->nrrsets, 4);
	rs = zone_find_rrset(&z, n, TYPE_A);
	ck_assert_uint_eq(zone_rrset_ttl(zone_rrset_sigs(rs)), 300);
	rs = zone_find_rrset(&z, n, TYPE_NSEC);
	ck_assert_uint_eq(zone_rrsig_covered(zone_rrset_sigs(rs)), TYPE_NSEC);
	ck_assert_uint_eq(zone_rrset_ttl(zone_rrset_sigs(rs)), 400);
	ck_assert_ptr_null(zone_find_sigs(&z, n, TYPE_AAAA));

	n = zone_node(&z, find(&z, "www.example."));
	ck_assert_uint_eq(n->nrrsets, 3);
	rs = zone_rrset_first(&z, n);
	ck_assert_uint_eq(rs->type, TYPE_A);
	ck_assert_uint_eq(rs->sigs, 0);
	rs = zone_rrset_next(rs);
	ck_assert_uint_eq(rs->type, TYPE_NSEC);
	ck_assert_uint_eq(rs->sigs, 0);
	ck_assert_ptr_null(zone_find_sigs(&z, n, TYPE_A));
	ck_assert_ptr_null(zone_find_sigs(&z, n, TYPE_NSEC));
	ck_assert_ptr_eq(zone_find_sigs(&z, n, TYPE_TXT), zone_rrset_next(rs));
	ck_assert_uint_eq(zone_rrset_ttl(zone_rrset_next(rs)), 600);
	/* The orphans are reported, with their tags. */
	ck_assert_msg(strstr(r.text, "8: warning: example.: RRSIG covers MX, "
	    "which the name does not have") != NULL, "%s", r.text);
	ck_assert_msg(strstr(r.text, "14: warning: www.example.: RRSIG covers "
	    "TXT, which the name does not have") != NULL, "%s", r.text);
	ck_assert_uint_eq(r.warnings, 2);
	free(blob);
}
END_TEST

/* The offset of RRset i of node k, in the blob. */
static size_t
rrset_off(const struct zone *z, uint32_t k, unsigned i)
{
	const struct zone_rrset *rs = zone_rrset_first(z, zone_node(z, k));

	while (i-- > 0)
		rs = zone_rrset_next(rs);
	return (size_t)((const uint8_t *)rs - z->base);
}

/* Sets the sigs bit of RRset i of node k in a copy; opens the copy. */
static int
open_with_sigs_bit(const void *blob, size_t size, uint32_t k, unsigned i)
{
	struct zone z, z2;
	uint64_t *copy = malloc(size + 8);

	memcpy(copy, blob, size);
	ck_assert_int_eq(zone_open(&z, copy, size), 0);
	struct zone_rrset *rs = (struct zone_rrset *)(void *)
	    ((uint8_t *)copy + rrset_off(&z, k, i));
	ck_assert_uint_eq(rs->sigs, 0);
	rs->sigs = 1;
	int rc = zone_open(&z2, copy, size);
	free(copy);
	return rc;
}

/* The index of node k's RRset of type (covering covered, for RRSIG). */
static unsigned
rrset_index(const struct zone *z, uint32_t k, uint16_t type,
    uint16_t covered)
{
	const struct zone_node *n = zone_node(z, k);
	const struct zone_rrset *rs = zone_rrset_first(z, n);

	for (unsigned i = 0; i < n->nrrsets; i++, rs = zone_rrset_next(rs))
		if (rs->type == type && (type != TYPE_RRSIG ||
		    zone_rrsig_covered(rs) == covered))
			return i;
	ck_abort_msg("no such RRset");
	return 0;
}

START_TEST(test_open_rejects_bad_sigs_bits)
{
	struct zone z;
	struct reports r;
	size_t size;
	void *blob = build_signed(&z, &size, &r);
	uint32_t apex = 0, ns = find(&z, "ns.example."),
	    www = find(&z, "www.example.");
	unsigned last = zone_node(&z, apex)->nrrsets - 1;

	/* The last RRset of a node (an RRSIG covering an absent type):
	 * nothing follows. */
	ck_assert_uint_eq(rrset_index(&z, apex, TYPE_RRSIG, TYPE_MX), last);
	ck_assert_int_eq(open_with_sigs_bit(blob, size, apex, last),
	    APEX_EMALF);
	/* The last RRset of another node, the RRSIGs of its NSEC. */
	ck_assert_uint_eq(rrset_index(&z, ns, TYPE_RRSIG, TYPE_NSEC), 3);
	ck_assert_int_eq(open_with_sigs_bit(blob, size, ns, 3), APEX_EMALF);
	/* Followed by an RRset that is not RRSIG: TXT by NSEC, and www's
	 * A by its NSEC. */
	unsigned txt = rrset_index(&z, apex, TYPE_TXT, 0);
	ck_assert_uint_eq(rrset_index(&z, apex, TYPE_NSEC, 0), txt + 1);
	ck_assert_int_eq(open_with_sigs_bit(blob, size, apex, txt),
	    APEX_EMALF);
	ck_assert_uint_eq(rrset_index(&z, www, TYPE_A, 0), 0);
	ck_assert_int_eq(open_with_sigs_bit(blob, size, www, 0), APEX_EMALF);
	/* Followed by RRSIGs of another type: www's NSEC by the RRSIG
	 * covering TXT, which www lacks. */
	ck_assert_uint_eq(rrset_index(&z, www, TYPE_NSEC, 0), 1);
	ck_assert_uint_eq(rrset_index(&z, www, TYPE_RRSIG, TYPE_TXT), 2);
	ck_assert_int_eq(open_with_sigs_bit(blob, size, www, 1), APEX_EMALF);
	/* An RRSIG RRset claiming RRSIGs of its own. */
	unsigned soa_sigs = rrset_index(&z, apex, TYPE_RRSIG, TYPE_SOA);
	ck_assert_uint_lt(soa_sigs + 1, last);
	ck_assert_int_eq(open_with_sigs_bit(blob, size, apex, soa_sigs),
	    APEX_EMALF);
	/* The unchanged blob still opens. */
	ck_assert_int_eq(zone_open(&z, blob, size), 0);
	free(blob);
}
END_TEST

/* ---- load-time checks ---------------------------------------------- */

START_TEST(test_build_reports_expired_signatures)
{
	struct reports r;
	struct zone_builder *zb = new_builder(&r);
	uint32_t now = (uint32_t)time(NULL);
	static const uint8_t a[] = { 192, 0, 2, 1 };
	void *blob;
	size_t size;

	add(zb, "www.example.", TYPE_A, 3600, a, 4, 20);
	add(zb, "mail.example.", TYPE_A, 3600, a, 4, 21);
	add_sig(zb, "example.", TYPE_SOA, 3600, future(), 22);
	/* The first in canonical order is named: mail before www. */
	add_sig(zb, "www.example.", TYPE_A, 3600, now - 60, 23);
	add_sig(zb, "mail.example.", TYPE_A, 3600, 1609459200, 24);
	ck_assert_int_eq(zone_builder_finish(zb, &blob, &size), 0);
	zone_builder_free(zb);
	ck_assert_uint_eq(r.errors, 0);
	ck_assert_uint_eq(r.warnings, 1);
	ck_assert_msg(strstr(r.text, "24: warning: example.: 2 signatures "
	    "expired at load; the first, of mail.example./A, at 2021-01-01 "
	    "00:00:00 UTC") != NULL, "%s", r.text);
	free(blob);
}
END_TEST

START_TEST(test_build_reports_dnssec_problems)
{
	struct reports r;
	struct zone_builder *zb = new_builder(&r);
	uint8_t rd[64];
	void *blob;
	size_t size;

	/* A ZSK alone (flags 256): no SEP. */
	memcpy(rd, "\1\0\3\15", 4);
	memset(rd + 4, 0x42, 32);
	add(zb, "example.", TYPE_DNSKEY, 3600, rd, 36, 30);
	/* An NSEC3PARAM, and no NSEC3 chain. */
	add(zb, "example.", TYPE_NSEC3PARAM, 0, "\1\0\0\12\2\xaa\xbb", 7, 32);
	/* An RRSIG of a type the name lacks, and one covering RRSIG. */
	add_sig(zb, "example.", TYPE_AAAA, 3600, future(), 33);
	add_sig(zb, "example.", TYPE_RRSIG, 3600, future(), 34);
	ck_assert_int_eq(zone_builder_finish(zb, &blob, &size), 0);
	zone_builder_free(zb);
	ck_assert_uint_eq(r.errors, 0);
	static const char *const want[] = {
		"30: warning: example.: DNSKEY RRset has no key with the SEP "
		    "flag",
		"32: warning: example.: NSEC3PARAM without a matching NSEC3 "
		    "chain",
		"33: warning: example.: RRSIG covers AAAA, which the name "
		    "does not have",
		"34: warning: example.: RRSIG covers RRSIG, which the name "
		    "does not have",
	};
	for (size_t i = 0; i < nitems(want); i++)
		ck_assert_msg(strstr(r.text, want[i]) != NULL,
		    "no '%s' in:\n%s", want[i], r.text);
	ck_assert_uint_eq(r.warnings, nitems(want));
	struct zone z;
	ck_assert_int_eq(zone_open(&z, blob, size), 0);
	ck_assert_int_eq(z.hdr->denial, ZONE_DENIAL_NONE);
	ck_assert_ptr_null(z.dnodes);
	free(blob);
}
END_TEST

START_TEST(test_build_rejects_bad_dnssec)
{
	struct reports r;
	struct zone_builder *zb = new_builder(&r);
	uint8_t rd[64];
	void *blob;
	size_t size;

	/* A KSK: no SEP warning. */
	memcpy(rd, "\1\1\3\15", 4);
	memset(rd + 4, 0x42, 32);
	add(zb, "example.", TYPE_DNSKEY, 3600, rd, 36, 40);
	/* RRSIG RDATA shorter than its fixed fields. */
	add(zb, "example.", TYPE_RRSIG, 3600, "\0\6\15\1\0\0\0\0", 8, 41);
	ck_assert_int_eq(zone_builder_finish(zb, &blob, &size), APEX_EZONE);
	zone_builder_free(zb);
	ck_assert_msg(strstr(r.text, "41: example.: malformed RRSIG") != NULL,
	    "%s", r.text);
	ck_assert_ptr_null(strstr(r.text, "SEP"));

	/* 2,501 iterations (RFC 5155 10.3). */
	zb = new_builder(&r);
	add(zb, "example.", TYPE_NSEC3PARAM, 0, "\1\0\x09\xc5\0", 5, 42);
	ck_assert_int_eq(zone_builder_finish(zb, &blob, &size), APEX_EZONE);
	zone_builder_free(zb);
	ck_assert_msg(strstr(r.text, "42: example.: NSEC3PARAM with 2501 "
	    "iterations") != NULL, "%s", r.text);
	ck_assert_uint_eq(r.errors, 1);

	/* 2,500 are allowed; flags other than 0 make it unusable. */
	zb = new_builder(&r);
	add(zb, "example.", TYPE_NSEC3PARAM, 0, "\1\0\x09\xc4\0", 5, 43);
	ck_assert_int_eq(zone_builder_finish(zb, &blob, &size), 0);
	zone_builder_free(zb);
	free(blob);
	ck_assert_uint_eq(r.errors, 0);
	ck_assert_msg(strstr(r.text, "43: warning: example.: NSEC3PARAM "
	    "without a matching NSEC3 chain") != NULL, "%s", r.text);
	zb = new_builder(&r);
	add(zb, "example.", TYPE_NSEC3PARAM, 0, "\1\1\x09\xc5\0", 5, 44);
	add(zb, "example.", TYPE_NSEC3PARAM, 0, "\2\0\0\0\0", 5, 45);
	ck_assert_int_eq(zone_builder_finish(zb, &blob, &size), 0);
	zone_builder_free(zb);
	free(blob);
	ck_assert_uint_eq(r.errors, 0);
	ck_assert_uint_eq(r.warnings, 1);
	ck_assert_msg(strstr(r.text, "example.: no NSEC3PARAM with a known "
	    "hash algorithm") != NULL, "%s", r.text);
}
END_TEST

/* Zone files report file:line. */
START_TEST(test_zonefile_reports_dnssec_lines)
{
	struct problems p;
	struct zonefile_opts opts = { NULL, CLASS_IN, 0, 0, collect_problem,
	    &p, 0 };
	uint8_t origin[DNAME_MAXLEN];
	char *path = write_temp("$TTL 300\n"
	    "@ SOA ns h 1 2 3 4 5\n"
	    "@ NS ns\n"
	    "ns A 192.0.2.1\n"
	    "@ DNSKEY 256 3 13 QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJC\n"
	    "@ NSEC3PARAM 1 0 0 -\n"
	    "ns RRSIG MX 13 2 300 20210101000000 20201201000000 1 @ AA==\n"
	    "@ RRSIG SOA 13 1 300 20200101000000 20191201000000 1 @ AA==\n");
	void *blob;
	size_t size;

	memset(&p, 0, sizeof(p));
	ck_assert_int_gt(dname_from_str("example.", NULL, origin), 0);
	ck_assert_int_eq(zonefile_load(path, origin, &opts, &blob, &size), 0);
	unlink(path);
	free(path);
	static const char *const want[] = {
		"5: warning: example.: DNSKEY RRset has no key with the SEP",
		"6: warning: example.: NSEC3PARAM without a matching NSEC3",
		"7: warning: ns.example.: RRSIG covers MX, which the name",
		"8: warning: example.: 2 signatures expired at load; the "
		    "first, of example./SOA, at 2020-01-01 00:00:00 UTC",
	};
	for (size_t i = 0; i < nitems(want); i++)
		ck_assert_msg(strstr(p.text, want[i]) != NULL,
		    "no '%s' in:\n%s", want[i], p.text);
	ck_assert_int_eq(p.errors, 0);
	ck_assert_int_eq(p.warnings, (int)nitems(want));
	free(blob);
}
END_TEST

/* ---- the denial index ---------------------------------------------- */

struct loaded {
	void		*blob;
	size_t		 size;
	struct zone	 z;
	struct problems	 p;
};

/* The origin of a zone in DATADIR: example.com. for example.com.*.zone
 * (and .net, .org), else example. (the RFCs' zones). */
static const char *
data_origin(const char *file)
{
	static const char *const tld[] = { "example.com.", "example.net.",
	    "example.org." };

	for (size_t i = 0; i < nitems(tld); i++)
		if (strncmp(file, tld[i], strlen(tld[i])) == 0)
			return tld[i];
	return "example.";
}

/* Loads a zone of DATADIR, with the records of extra (zone file text)
 * added when not NULL. */
static void
load_data_zone_with(const char *file, const char *extra, struct loaded *l)
{
	struct zonefile_opts opts = { NULL, CLASS_IN, 0, 0, collect_problem,
	    &l->p, 0 };
	uint8_t origin[DNAME_MAXLEN];
	char path[1024], *text = NULL, *tmp = NULL;

	memset(l, 0, sizeof(*l));
	snprintf(path, sizeof(path), "%s/%s", DATADIR, file);
	if (extra != NULL) {
		ck_assert_int_gt(asprintf(&text, "$INCLUDE %s\n%s", path,
		    extra), 0);
		tmp = write_temp(text);
		snprintf(path, sizeof(path), "%s", tmp);
	}
	ck_assert_int_gt(dname_from_str(data_origin(file), NULL, origin), 0);
	ck_assert_msg(zonefile_load(path, origin, &opts, &l->blob,
	    &l->size) == 0, "%s", l->p.text);
	ck_assert_int_eq(zone_open(&l->z, l->blob, l->size), 0);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(text);
}

static void
load_data_zone(const char *file, struct loaded *l)
{
	load_data_zone_with(file, NULL, l);
}

/* The owner of the NSEC3 record a zone_n3 reference names, and "=" in
 * front if it matches. */
static const char *
n3_ref(const struct zone *z, uint32_t ref)
{
	static char buf[4][DNAME_STRLEN + 1];
	static unsigned i;

	if (ref == ZONE_NONE)
		return "(none)";
	ck_assert_uint_lt(ref & ZONE_N3_INDEX, z->hdr->n3_count);
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s%s", ref & ZONE_N3_MATCH ? "=" :
	    "", node_name(z, z->n3[ref & ZONE_N3_INDEX].node));
	return buf[i];
}

static uint32_t
n3_find_name(const struct zone *z, const char *name)
{
	uint8_t n[DNAME_MAXLEN], hash[NSEC3_HASHLEN];

	ck_assert_int_gt(dname_from_str(name, NULL, n), 0);
	dname_lower(n, n, dname_len(n));
	zone_n3_hash(z, n, dname_len(n), hash);
	return zone_n3_find(z, hash);
}

#define H(x)	x ".example."

START_TEST(test_nsec3_index_rfc5155)
{
	struct loaded l;
	struct zone_lookup r;

	load_data_zone("rfc5155.zone", &l);
	const struct zone *z = &l.z;
	ck_assert_int_eq(z->hdr->denial, ZONE_DENIAL_NSEC3);
	ck_assert_uint_eq(z->hdr->n3_iterations, 12);
	ck_assert_uint_eq(z->hdr->n3_saltlen, 4);
	ck_assert(memcmp(z->hdr->n3_salt, "\xaa\xbb\xcc\xdd", 4) == 0);
	/* The chain is in hash order (see test_nsec3_owner_with_data for
	 * its count). */
	for (uint32_t i = 0; i + 1 < z->hdr->n3_count; i++)
		ck_assert_int_lt(memcmp(z->n3[i].hash, z->n3[i + 1].hash,
		    NSEC3_HASHLEN), 0);
	ck_assert_str_eq(n3_ref(z, 0), H("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"));
	ck_assert_str_eq(n3_ref(z, z->hdr->n3_count - 1),
	    H("t644ebqk9bibcna874givr6joj62mlhv"));

	/* Matches. */
	ck_assert_str_eq(n3_ref(z, n3_find_name(z, "example.")),
	    "=" H("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"));
	ck_assert_str_eq(n3_ref(z, n3_find_name(z, "xx.example.")),
	    "=" H("t644ebqk9bibcna874givr6joj62mlhv"));
	/* Covers: the RFC's Appendix B comments. */
	ck_assert_str_eq(n3_ref(z, n3_find_name(z, "c.x.w.example.")),
	    H("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"));
	ck_assert_str_eq(n3_ref(z, n3_find_name(z, "*.x.w.example.")),
	    H("35mthgpgcu1qg68fab165klnsnk3dpvl"));
	ck_assert_str_eq(n3_ref(z, n3_find_name(z, "c.example.")),
	    H("35mthgpgcu1qg68fab165klnsnk3dpvl"));
	ck_assert_str_eq(n3_ref(z, n3_find_name(z, "z.w.example.")),
	    H("q04jkcevqvmu85r014c7dkba38o0ji5r"));
	/* After the last hash and before the first, the last covers. */
	uint8_t hash[NSEC3_HASHLEN];
	memset(hash, 0xff, sizeof(hash));
	ck_assert_str_eq(n3_ref(z, zone_n3_find(z, hash)),
	    H("t644ebqk9bibcna874givr6joj62mlhv"));
	memset(hash, 0, sizeof(hash));
	ck_assert_str_eq(n3_ref(z, zone_n3_find(z, hash)),
	    H("t644ebqk9bibcna874givr6joj62mlhv"));
	memcpy(hash, z->n3[0].hash, sizeof(hash));
	hash[19]--;
	ck_assert_str_eq(n3_ref(z, zone_n3_find(z, hash)),
	    H("t644ebqk9bibcna874givr6joj62mlhv"));
	hash[19]++;
	ck_assert_uint_eq(zone_n3_find(z, hash), 0 | ZONE_N3_MATCH);
	hash[19]++;
	ck_assert_uint_eq(zone_n3_find(z, hash), 0);

	/* The precomputed entries: self and wildcard. */
	static const char *const dn[][3] = {
		/* H(*.example) = jhsv97rodsnhc4f1ke4jh23egaa5agvp */
		{ "example.", "=" H("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"),
		    H("gjeqe526plbf1g8mklp59enfd789njgi") },
		{ "x.w.example.", "=" H("b4um86eghhds6nea196smvmlo4ors995"),
		    H("35mthgpgcu1qg68fab165klnsnk3dpvl") },
		{ "w.example.", "=" H("k8udemvp1j2f7eg6jebps17vp3n8i58h"),
		    "=" H("r53bq7cc2uvmubfu5ocmm6pers9tk9en") },
		{ "y.w.example.", "=" H("ji6neoaepv8b5o6k4ev33abha8ht9fgc"),
		    NULL },
		{ "a.example.", "=" H("35mthgpgcu1qg68fab165klnsnk3dpvl"),
		    NULL },
		{ H("2t7b4g4vsa5smi47k61mv5bv1a22bojr"),
		    "=" H("kohar7mbb8dc2ce8a9qvl8hon4k53uhi"), NULL },
	};
	for (size_t i = 0; i < nitems(dn); i++) {
		uint32_t k = find(z, dn[i][0]);
		ck_assert_uint_ne(k, ZONE_NONE);
		ck_assert_msg(strcmp(n3_ref(z, z->dnodes[k].self), dn[i][1]) ==
		    0, "%s: self %s, expected %s", dn[i][0],
		    n3_ref(z, z->dnodes[k].self), dn[i][1]);
		if (dn[i][2] != NULL)
			ck_assert_msg(strcmp(n3_ref(z, z->dnodes[k].wild),
			    dn[i][2]) == 0, "%s: wild %s, expected %s",
			    dn[i][0], n3_ref(z, z->dnodes[k].wild), dn[i][2]);
	}
	/* c.example. is an unsigned delegation under Opt-Out: covered. */
	uint32_t c = find(z, "c.example.");
	ck_assert_str_eq(n3_ref(z, z->dnodes[c].self),
	    H("35mthgpgcu1qg68fab165klnsnk3dpvl"));
	/* Glue below a cut has no entry. */
	uint32_t glue = find(z, "ns1.c.example.");
	ck_assert_uint_ne(glue, ZONE_NONE);
	ck_assert_uint_eq(z->dnodes[glue].self, ZONE_NONE);
	ck_assert_uint_eq(z->dnodes[glue].wild, ZONE_NONE);

	/* NSEC3 owners are hidden: NXDOMAIN, with the apex enclosing. */
	lookup(z, H("35mthgpgcu1qg68fab165klnsnk3dpvl"), &r);
	ck_assert_int_eq(r.match, ZM_NXDOMAIN);
	ck_assert_uint_eq(r.encloser, 0);
	ck_assert(!r.exact);
	uint32_t k = find(z, H("35mthgpgcu1qg68fab165klnsnk3dpvl"));
	ck_assert_uint_ne(k, ZONE_NONE);
	ck_assert_uint_ne(zone_node(z, k)->flags & ZN_NSEC3, 0);
	/* ... unless the name has data of its own (RFC 5155 7.2.8). */
	lookup(z, H("2t7b4g4vsa5smi47k61mv5bv1a22bojr"), &r);
	ck_assert_int_eq(r.match, ZM_EXACT);
	ck_assert_ptr_nonnull(zone_find_rrset(z, zone_node(z, r.node),
	    TYPE_A));
	/* Below a hidden owner there is nothing either. */
	lookup(z, "x." H("35mthgpgcu1qg68fab165klnsnk3dpvl"), &r);
	ck_assert_int_eq(r.match, ZM_NXDOMAIN);
	ck_assert_uint_eq(r.encloser, 0);
	free(l.blob);
}
END_TEST

/*
 * RFC 5155 7.2.8 lets a name of the zone own an NSEC3 record too: the
 * example zone's 2t7b4g4vsa5smi47k61mv5bv1a22bojr.example. has an A
 * record and the NSEC3 record of ns1.example (Appendix A). That record
 * is part of the chain all the same: twelve records, one matching
 * ns1.example.
 */
START_TEST(test_nsec3_owner_with_data)
{
	struct loaded l;

	load_data_zone("rfc5155.zone", &l);
	const struct zone *z = &l.z;
	ck_assert_uint_eq(z->hdr->n3_count, 12);
	ck_assert_str_eq(n3_ref(z, n3_find_name(z, "ns1.example.")),
	    "=" H("2t7b4g4vsa5smi47k61mv5bv1a22bojr"));
	uint32_t k = find(z, "ns1.example.");
	ck_assert_str_eq(n3_ref(z, z->dnodes[k].self),
	    "=" H("2t7b4g4vsa5smi47k61mv5bv1a22bojr"));
	free(l.blob);
}
END_TEST

/*
 * Images come from the loader, which workers trust less (zone.h): an
 * image whose NSEC3 parameters the builder would have refused, more
 * than 2,500 iterations, makes every hash a query costs up to 26 times
 * dearer; zone_open() should refuse it too.
 */
START_TEST(test_open_rejects_too_many_iterations)
{
	struct loaded l;
	struct zone z;

	load_data_zone("rfc5155.zone", &l);
	struct zone_hdr *h = l.blob;
	h->n3_iterations = NSEC3_MAX_ITER;
	ck_assert_int_eq(zone_open(&z, l.blob, l.size), 0);
	h->n3_iterations = NSEC3_MAX_ITER + 1;
	ck_assert_int_eq(zone_open(&z, l.blob, l.size), APEX_EMALF);
	h->n3_iterations = UINT16_MAX;
	ck_assert_int_eq(zone_open(&z, l.blob, l.size), APEX_EMALF);
	free(l.blob);
}
END_TEST

START_TEST(test_nsec_index_rfc4035)
{
	struct loaded l;
	uint8_t n[DNAME_MAXLEN];

	load_data_zone("rfc4035.zone", &l);
	const struct zone *z = &l.z;
	ck_assert_int_eq(z->hdr->denial, ZONE_DENIAL_NSEC);
	ck_assert_uint_eq(z->hdr->n3_count, 0);
	/* zone_node_before(): the last node at or before a name. */
	static const char *const before[][2] = {
		{ "example.", "example." },
		{ "0.example.", "example." },
		{ "a.example.", "a.example." },
		{ "aa.example.", "ns2.a.example." },	/* after a's subtree */
		{ "ml.example.", "ns2.b.example." },	/* glue sorts too */
		{ "ns1.example.", "ns1.example." },
		{ "nz.example.", "ns2.example." },
		{ "a.z.w.example.", "x.y.w.example." },
		{ "zz.example.", "xx.example." },
		{ "\\000.w.example.", "w.example." },	/* \\000 < '*' */
		{ "+.w.example.", "*.w.example." },
	};
	for (size_t i = 0; i < nitems(before); i++) {
		ck_assert_int_gt(dname_from_str(before[i][0], NULL, n), 0);
		uint32_t k = zone_node_before(z, n);
		const char *got = node_name(z, k);
		ck_assert_msg(strcmp(got, before[i][1]) == 0,
		    "before %s: %s, expected %s", before[i][0], got,
		    before[i][1]);
	}
	/* The dnodes: the NSEC at or before each name and its wildcard. */
	static const char *const dn[][3] = {
		{ "example.", "example.", "example." },
		{ "ai.example.", "ai.example.", "ai.example." },
		{ "b.example.", "b.example.", NULL },
		{ "w.example.", "ns2.example.", "*.w.example." },
		{ "y.w.example.", "x.w.example.", "x.w.example." },
		{ "x.y.w.example.", "x.y.w.example.", "x.y.w.example." },
		{ "xx.example.", "xx.example.", "xx.example." },
	};
	for (size_t i = 0; i < nitems(dn); i++) {
		uint32_t k = find(z, dn[i][0]);
		ck_assert_uint_ne(k, ZONE_NONE);
		ck_assert_msg(strcmp(node_name(z, z->dnodes[k].self),
		    dn[i][1]) == 0, "%s: self %s", dn[i][0],
		    node_name(z, z->dnodes[k].self));
		if (dn[i][2] != NULL)
			ck_assert_msg(strcmp(node_name(z, z->dnodes[k].wild),
			    dn[i][2]) == 0, "%s: wild %s", dn[i][0],
			    node_name(z, z->dnodes[k].wild));
	}
	free(l.blob);
}
END_TEST

/*
 * Everything a worker reads of a signed image, as denial.c and
 * answer.c read it: the proof entries of every node, the records they
 * name, the signatures of every RRset, and the lookups.
 */
static void
touch_signed(const struct zone *z)
{
	static const char *const names[] = { "a.c.x.w.example.",
	    "ns1.example.", "y.w.example.", "mc.c.example.", "a.z.w.example.",
	    "ml.example.", "zz.example.", "example." };
	uint8_t n[DNAME_MAXLEN], hash[NSEC3_HASHLEN];
	struct zone_lookup r;

	for (uint32_t k = 0; k < z->hdr->node_count; k++) {
		const struct zone_node *nd = zone_node(z, k);
		const struct zone_rrset *rs = zone_rrset_first(z, nd);
		for (unsigned i = 0; i < nd->nrrsets; i++,
		    rs = zone_rrset_next(rs)) {
			const struct zone_rrset *sig = zone_rrset_sigs(rs);
			if (sig != NULL)
				(void)zone_rrset_ttl(sig);
			(void)zone_find_sigs(z, nd, rs->type);
		}
		if (z->dnodes == NULL)
			continue;
		uint32_t refs[2] = { z->dnodes[k].self, z->dnodes[k].wild };
		for (int j = 0; j < 2; j++) {
			if (refs[j] == ZONE_NONE)
				continue;
			uint32_t p = z->hdr->denial == ZONE_DENIAL_NSEC3 ?
			    z->n3[refs[j] & ZONE_N3_INDEX].node : refs[j];
			(void)zone_find_rrset(z, zone_node(z, p),
			    z->hdr->denial == ZONE_DENIAL_NSEC3 ? TYPE_NSEC3 :
			    TYPE_NSEC);
		}
	}
	for (size_t i = 0; i < nitems(names); i++) {
		if (dname_from_str(names[i], NULL, n) < 0 ||
		    !dname_is_subdomain(n, z->origin))
			continue;
		lookup(z, names[i], &r);
		(void)zone_node_before(z, n);
		if (z->hdr->denial == ZONE_DENIAL_NSEC3) {
			zone_n3_hash(z, n, dname_len(n), hash);
			uint32_t ref = zone_n3_find(z, hash);
			ck_assert_uint_lt(ref & ZONE_N3_INDEX,
			    z->hdr->n3_count);
		}
	}
}

/* Every octet of signed images changed three ways: each is rejected or
 * safe to use (under ASan, a read out of bounds fails here). */
START_TEST(test_open_rejects_corrupt_signed_images)
{
	static const char *const files[] = { "rfc5155.zone", "rfc4035.zone" };
	static const uint8_t how[] = { 0x00, 0xff, 0x01 };

	for (size_t f = 0; f < nitems(files); f++) {
		struct loaded l;
		struct zone z;
		size_t rejected = 0;

		load_data_zone(files[f], &l);
		touch_signed(&l.z);
		uint8_t *b = l.blob;
		for (size_t i = 0; i < l.size; i++) {
			uint8_t saved = b[i];
			for (size_t k = 0; k < nitems(how); k++) {
				b[i] = k == 2 ? saved ^ how[k] : how[k];
				if (zone_open(&z, b, l.size) == 0)
					touch_signed(&z);
				else
					rejected++;
			}
			b[i] = saved;
		}
		ck_assert_uint_gt(rejected, l.size);
		free(l.blob);
	}
}
END_TEST

/* ---- proofs in answers ---------------------------------------------- */

struct server {
	struct loaded		 l;
	struct conf		*conf;
	struct zonetab		 tab, chaos;
	struct query_env	 env;
};

static void
no_conf_errors(void *arg, const char *file, unsigned line, bool error,
    const char *msg)
{
	(void)arg;
	if (error)
		ck_abort_msg("%s:%u: %s", file, line, msg);
}

static void
server_start_with(struct server *s, const char *file, const char *extra)
{
	memset(s, 0, sizeof(*s));
	load_data_zone_with(file, extra, &s->l);
	char text[256];
	snprintf(text, sizeof(text), "zone \"%s\" { type primary; "
	    "file \"x\"; };\n", data_origin(file));
	s->conf = conf_load_string(text, "dnssec", no_conf_errors, NULL);
	ck_assert_ptr_nonnull(s->conf);
	zonetab_init(&s->tab);
	zonetab_put(&s->tab, &s->l.z, &s->conf->zones[0]);
	chaos_build(s->conf, &s->chaos);
	s->env.conf = s->conf;
	s->env.zones = &s->tab;
	s->env.chaos = &s->chaos;
	s->env.now = 1700000000;
}

static void
server_start(struct server *s, const char *file)
{
	server_start_with(s, file, NULL);
}

static void
server_stop(struct server *s)
{
	chaos_free(&s->chaos);
	zonetab_free(&s->tab);
	conf_free(s->conf);
	free(s->l.blob);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *
rcode_str(unsigned rcode)
{
	switch (rcode) {
	case RCODE_NOERROR:
		return "NOERROR";
	case RCODE_NXDOMAIN:
		return "NXDOMAIN";
	case RCODE_SERVFAIL:
		return "SERVFAIL";
	case RCODE_REFUSED:
		return "REFUSED";
	default:
		return "RCODE?";
	}
}

/*
 * Sorts the entries of each section of a description in place:
 * "RCODE | answer, ... | authority, ..." (sections split by " | ",
 * entries by ", ").
 */
static void
normalize(const char *in, char *out, size_t cap)
{
	char *copy = strdup(in), *sec = copy;
	size_t o = 0;

	for (bool first = true; sec != NULL; first = false) {
		char *bar = strchr(sec, '|'), *items[128], *save = NULL, *it;
		size_t n = 0;
		if (bar != NULL)
			*bar = '\0';
		for (it = strtok_r(sec, ",", &save); it != NULL;
		    it = strtok_r(NULL, ",", &save)) {
			while (*it == ' ')
				it++;
			size_t len = strlen(it);
			while (len > 0 && it[len - 1] == ' ')
				it[--len] = '\0';
			if (len > 0 && n < nitems(items))
				items[n++] = it;
		}
		qsort(items, n, sizeof(char *), cmp_str);
		o += (size_t)snprintf(out + o, cap - o, "%s", first ? "" :
		    " |");
		for (size_t i = 0; i < n; i++)
			o += (size_t)snprintf(out + o, cap - o, "%s%s",
			    i == 0 ? (first ? "" : " ") : ", ", items[i]);
		sec = bar != NULL ? bar + 1 : NULL;
	}
	ck_assert_uint_lt(o, cap);
	free(copy);
}

/*
 * Asks qname qtype, with DO=1 or without, and describes the answer as
 * normalize() does: RCODE, then answer and authority, the records as
 * "owner TYPE" (RRSIGs as "owner RRSIG/COVERED").
 */
static void
ask(struct server *s, const char *qname, uint16_t qtype, bool dnssec,
    char *out, size_t cap)
{
	uint8_t req[512], resp[4096], name[DNAME_MAXLEN], qn[DNAME_MAXLEN];
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct query_client cl = { (struct sockaddr *)&sin, false };
	struct query_result res;
	struct pkt_writer w;
	struct pkt_reader r;
	struct pkt_rr rr;
	uint16_t qt, qc;
	char desc[8192];
	unsigned section = 0;
	int rc;

	sin.sin_addr.s_addr = htonl(0x7f000001);
	ck_assert_int_gt(dname_from_str(qname, NULL, name), 0);
	pkt_writer_init(&w, req, sizeof(req));
	ck_assert_int_eq(pkt_put_header_question(&w, 1, 0, name, qtype,
	    CLASS_IN), 0);
	ck_assert_int_eq(pkt_put_opt(&w, 4096, 0, dnssec, NULL, 0), 0);
	pkt_count_add(&w, 10, 1);
	size_t n = query_process(&s->env, &cl, req, w.len, resp,
	    sizeof(resp), &res);
	ck_assert_uint_gt(n, 12);
	ck_assert_uint_eq(get16(resp + 2) & PKT_TC, 0);
	size_t o = (size_t)snprintf(desc, sizeof(desc), "%s |",
	    rcode_str(get16(resp + 2) & 0xf));
	ck_assert_int_eq(pkt_read_begin(&r, resp, n, qn, &qt, &qc), 0);
	while ((rc = pkt_read_rr(&r, &rr)) == 0) {
		char owner[DNAME_STRLEN], t[16], c[16];
		if (rr.section == 3)
			continue;
		if (rr.section == 2 && section != 2)
			o += (size_t)snprintf(desc + o, sizeof(desc) - o, "|");
		section = rr.section;
		dname_to_str(rr.owner, owner, sizeof(owner));
		if (rr.type == TYPE_RRSIG)
			snprintf(c, sizeof(c), "/%s",
			    rr_type_str(get16(rr.rdata), t));
		else
			c[0] = '\0';
		o += (size_t)snprintf(desc + o, sizeof(desc) - o, "%s %s%s,",
		    owner, rr_type_str(rr.type, t), c);
		ck_assert_uint_lt(o, sizeof(desc));
	}
	ck_assert_int_eq(rc, APEX_ENOENT);
	if (section != 2)
		o += (size_t)snprintf(desc + o, sizeof(desc) - o, "|");
	normalize(desc, out, cap);
}

static void
expect(struct server *s, const char *qname, uint16_t qtype,
    const char *want)
{
	char got[8192], norm[8192], t[16];

	ask(s, qname, qtype, true, got, sizeof(got));
	normalize(want, norm, sizeof(norm));
	ck_assert_msg(strcmp(got, norm) == 0, "%s %s:\n  got      %s\n"
	    "  expected %s", qname, rr_type_str(qtype, t), got, norm);
}

#define SOA5155	"example. SOA, example. RRSIG/SOA"
#define N3(h)	h ".example. NSEC3, " h ".example. RRSIG/NSEC3"

/* RFC 5155 Appendix B: the NSEC3 records each answer carries. */
START_TEST(test_answers_rfc5155_b1_name_error)
{
	struct server s;

	server_start(&s, "rfc5155.zone");
	/* B.1: the closest encloser x.w.example is matched by b4um, the
	 * next closer c.x.w.example covered by 0p9m, the wildcard
	 * *.x.w.example covered by 35mt. */
	expect(&s, "a.c.x.w.example.", TYPE_A, "NXDOMAIN | | " SOA5155 ", "
	    N3("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom") ", "
	    N3("b4um86eghhds6nea196smvmlo4ors995") ", "
	    N3("35mthgpgcu1qg68fab165klnsnk3dpvl"));
	server_stop(&s);
}
END_TEST

START_TEST(test_answers_rfc5155_b2_no_data)
{
	struct server s;

	server_start(&s, "rfc5155.zone");
	/* B.2: the NSEC3 matching ns1.example lacks MX. */
	expect(&s, "ns1.example.", TYPE_MX, "NOERROR | | " SOA5155 ", "
	    N3("2t7b4g4vsa5smi47k61mv5bv1a22bojr"));
	server_stop(&s);
}
END_TEST

START_TEST(test_answers_rfc5155_b21_no_data_ent)
{
	struct server s;

	server_start(&s, "rfc5155.zone");
	/* B.2.1: y.w.example is an empty non-terminal with an NSEC3. */
	expect(&s, "y.w.example.", TYPE_A, "NOERROR | | " SOA5155 ", "
	    N3("ji6neoaepv8b5o6k4ev33abha8ht9fgc"));
	server_stop(&s);
}
END_TEST

START_TEST(test_answers_rfc5155_b3_optout_referral)
{
	struct server s;

	server_start(&s, "rfc5155.zone");
	/* B.3: c.example is unsigned, in an Opt-Out span: the closest
	 * provable encloser (example, 0p9m) and the next closer name
	 * (c.example, covered by 35mt). */
	expect(&s, "mc.c.example.", TYPE_MX, "NOERROR | | "
	    "c.example. NS, c.example. NS, "
	    N3("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom") ", "
	    N3("35mthgpgcu1qg68fab165klnsnk3dpvl"));
	/* The same proof says c.example has no DS (RFC 5155 7.2.4). */
	expect(&s, "c.example.", TYPE_DS, "NOERROR | | " SOA5155 ", "
	    N3("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom") ", "
	    N3("35mthgpgcu1qg68fab165klnsnk3dpvl"));
	/* A signed delegation carries its DS instead. */
	expect(&s, "mc.a.example.", TYPE_MX, "NOERROR | | "
	    "a.example. NS, a.example. NS, a.example. DS, "
	    "a.example. RRSIG/DS");
	server_stop(&s);
}
END_TEST

START_TEST(test_answers_rfc5155_b4_wildcard)
{
	struct server s;

	server_start(&s, "rfc5155.zone");
	/* B.4: expanded from *.w.example; q04j covers the next closer
	 * name z.w.example. */
	expect(&s, "a.z.w.example.", TYPE_MX, "NOERROR | "
	    "a.z.w.example. MX, a.z.w.example. RRSIG/MX | "
	    "example. NS, example. NS, example. RRSIG/NS, "
	    N3("q04jkcevqvmu85r014c7dkba38o0ji5r"));
	server_stop(&s);
}
END_TEST

START_TEST(test_answers_rfc5155_b5_wildcard_no_data)
{
	struct server s;

	server_start(&s, "rfc5155.zone");
	/* B.5: k8ud matches the closest encloser w.example, q04j covers
	 * z.w.example, r53b matches *.w.example and lacks AAAA. */
	expect(&s, "a.z.w.example.", TYPE_AAAA, "NOERROR | | " SOA5155 ", "
	    N3("k8udemvp1j2f7eg6jebps17vp3n8i58h") ", "
	    N3("q04jkcevqvmu85r014c7dkba38o0ji5r") ", "
	    N3("r53bq7cc2uvmubfu5ocmm6pers9tk9en"));
	server_stop(&s);
}
END_TEST

START_TEST(test_answers_rfc5155_b6_ds_at_apex)
{
	struct server s;

	server_start(&s, "rfc5155.zone");
	/* B.6: DS at the apex, answered from the zone itself: the NSEC3
	 * matching example. */
	expect(&s, "example.", TYPE_DS, "NOERROR | | " SOA5155 ", "
	    N3("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"));
	server_stop(&s);
}
END_TEST

START_TEST(test_answers_rfc5155_others)
{
	struct server s;
	char got[8192];

	server_start(&s, "rfc5155.zone");
	/* An NSEC3 owner name does not exist (RFC 5155 7.2.8): the apex
	 * encloses it; gjeq covers both its hash (ivc1...) and that of
	 * *.example (jhsv...). */
	expect(&s, "35mthgpgcu1qg68fab165klnsnk3dpvl.example.", TYPE_NSEC3,
	    "NXDOMAIN | | " SOA5155 ", "
	    N3("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom") ", "
	    N3("gjeqe526plbf1g8mklp59enfd789njgi"));
	/* An answer with its signatures; the names with data. */
	expect(&s, "xx.example.", TYPE_HINFO, "NOERROR | xx.example. HINFO, "
	    "xx.example. RRSIG/HINFO | example. NS, example. NS, "
	    "example. RRSIG/NS");
	/* Without DO, no DNSSEC records at all. */
	ask(&s, "a.c.x.w.example.", TYPE_A, false, got, sizeof(got));
	ck_assert_str_eq(got, "NXDOMAIN | | example. SOA");
	ask(&s, "x.w.example.", TYPE_MX, false, got, sizeof(got));
	ck_assert_str_eq(got, "NOERROR | x.w.example. MX | example. NS, "
	    "example. NS");
	server_stop(&s);
}
END_TEST

/*
 * RFC 5155 7.1 lets a zone with Opt-Out leave out the NSEC3 records of
 * empty non-terminals that only unsigned delegations make, as BIND and
 * other signers do: with a.b.example. delegated, b.example. is one, and
 * gjeq covers its hash (j7hvascs...). b.example.'s own closest provable
 * encloser is example. (RFC 5155 7.2.4).
 */
#define OPTOUT_ENT	"a.b.example. 3600 NS ns.example.net.\n"

START_TEST(test_answers_optout_ent_no_data)
{
	struct server s;

	server_start_with(&s, "rfc5155.zone", OPTOUT_ENT);
	expect(&s, "b.example.", TYPE_A, "NOERROR | | " SOA5155 ", "
	    N3("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom") ", "
	    N3("gjeqe526plbf1g8mklp59enfd789njgi"));
	/* The delegation: Opt-Out, the same proof (7.2.7). */
	expect(&s, "x.a.b.example.", TYPE_A, "NOERROR | | a.b.example. NS, "
	    N3("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom") ", "
	    N3("gjeqe526plbf1g8mklp59enfd789njgi"));
	server_stop(&s);
}
END_TEST

/*
 * A name below such an empty non-terminal does not exist: the closest
 * encloser proof is of the closest provable encloser, example. (0p9m
 * matches), whose next closer name b.example. gjeq covers with Opt-Out
 * (RFC 5155 7.2.1, 7.2.2, 8.3); gjeq covers *.example. too
 * (jhsv97ro...). BIND 9 answers so.
 */
START_TEST(test_answers_optout_ent_name_error)
{
	struct server s;

	server_start_with(&s, "rfc5155.zone", OPTOUT_ENT);
	expect(&s, "x.b.example.", TYPE_A, "NXDOMAIN | | " SOA5155 ", "
	    N3("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom") ", "
	    N3("gjeqe526plbf1g8mklp59enfd789njgi"));
	server_stop(&s);
}
END_TEST

/*
 * The same with a zone as BIND's dnssec-signzone signs it with Opt-Out:
 * no NSEC3 for odd.example.org. and n.odd.example.org.; H(example.org)
 * = gao262ms..., p541s3g2... covers H(odd) = qkh20j6a..., the next
 * closer name below example.org. on the way to both, and fr3ngeg3...
 * covers H(*.example.org) = g1fha9pk... (ldns-nsec3-hash). BIND 9
 * answers so.
 */
#define SOAORG	"example.org. SOA, example.org. RRSIG/SOA"
#define N3O(h)	h ".example.org. NSEC3, " h ".example.org. RRSIG/NSEC3"

START_TEST(test_answers_bind_optout_no_data)
{
	struct server s;

	server_start(&s, "example.org.optout.zone");
	expect(&s, "odd.example.org.", TYPE_A, "NOERROR | | " SOAORG ", "
	    N3O("gao262msd1aq799jsiagjkap8guob8s4") ", "
	    N3O("p541s3g25dtj2tbfqq3fvrjvqnf4h14p"));
	expect(&s, "n.odd.example.org.", TYPE_DS, "NOERROR | | " SOAORG ", "
	    N3O("gao262msd1aq799jsiagjkap8guob8s4") ", "
	    N3O("p541s3g25dtj2tbfqq3fvrjvqnf4h14p"));
	expect(&s, "q.m.n.odd.example.org.", TYPE_A, "NOERROR | | "
	    "m.n.odd.example.org. NS, "
	    N3O("gao262msd1aq799jsiagjkap8guob8s4") ", "
	    N3O("p541s3g25dtj2tbfqq3fvrjvqnf4h14p"));
	server_stop(&s);
}
END_TEST

START_TEST(test_answers_bind_optout_name_error)
{
	struct server s;

	server_start(&s, "example.org.optout.zone");
	static const char *const want = "NXDOMAIN | | " SOAORG ", "
	    N3O("gao262msd1aq799jsiagjkap8guob8s4") ", "
	    N3O("p541s3g25dtj2tbfqq3fvrjvqnf4h14p") ", "
	    N3O("fr3ngeg361t2f9k7ia41u2frm9qo810u");
	expect(&s, "q.odd.example.org.", TYPE_A, want);
	expect(&s, "q.n.odd.example.org.", TYPE_A, want);
	server_stop(&s);
}
END_TEST

#define SOA4035	"example. SOA, example. RRSIG/SOA"
#define NSEC(o)	o " NSEC, " o " RRSIG/NSEC"

/* RFC 4035 Appendix B, with NSEC. */
START_TEST(test_answers_rfc4035)
{
	struct server s;

	server_start(&s, "rfc4035.zone");
	/* B.2 name error: b.example covers ml.example, the apex NSEC
	 * covers *.example. */
	expect(&s, "ml.example.", TYPE_A, "NXDOMAIN | | " SOA4035 ", "
	    NSEC("b.example.") ", " NSEC("example."));
	/* B.3 no data. */
	expect(&s, "ns1.example.", TYPE_MX, "NOERROR | | " SOA4035 ", "
	    NSEC("ns1.example."));
	/* B.4 referral to a signed zone. */
	expect(&s, "mc.a.example.", TYPE_MX, "NOERROR | | a.example. NS, "
	    "a.example. NS, a.example. DS, a.example. RRSIG/DS");
	/* B.5 referral to an unsigned zone. */
	expect(&s, "mc.b.example.", TYPE_MX, "NOERROR | | b.example. NS, "
	    "b.example. NS, " NSEC("b.example."));
	/* B.6 wildcard expansion: x.y.w.example covers a.z.w.example. */
	expect(&s, "a.z.w.example.", TYPE_MX, "NOERROR | a.z.w.example. MX, "
	    "a.z.w.example. RRSIG/MX | example. NS, example. NS, "
	    "example. RRSIG/NS, " NSEC("x.y.w.example."));
	/* B.7 wildcard no data. */
	expect(&s, "a.z.w.example.", TYPE_AAAA, "NOERROR | | " SOA4035 ", "
	    NSEC("x.y.w.example.") ", " NSEC("*.w.example."));
	/* B.8 DS at the apex. */
	expect(&s, "example.", TYPE_DS, "NOERROR | | " SOA4035 ", "
	    NSEC("example."));
	/* No data at an empty non-terminal: the NSEC before it. */
	expect(&s, "y.w.example.", TYPE_A, "NOERROR | | " SOA4035 ", "
	    NSEC("x.w.example."));
	/* DS of an unsigned delegation: its NSEC lacks DS. */
	expect(&s, "b.example.", TYPE_DS, "NOERROR | | " SOA4035 ", "
	    NSEC("b.example."));
	server_stop(&s);
}
END_TEST

#define SOACOM	"example.com. SOA, example.com. RRSIG/SOA"
#define NSCOM	"example.com. NS, example.com. NS, example.com. RRSIG/NS"
#define N3C(h)	h ".example.com. NSEC3, " h ".example.com. RRSIG/NSEC3"
#define NSECC(o) o "example.com. NSEC, " o "example.com. RRSIG/NSEC"

/*
 * example.com as ldns-signzone signs it with NSEC3 (no Opt-Out):
 * H(example.com) = 6im10sr7..., H(ent) = 16bjjd2p..., H(c.ent) =
 * kika028s..., H(b.c.ent) = td9q5huh..., H(w) = com1662l...,
 * H(*.w) = ughmh27j..., H(insecure) = s84rflvm... (ldns-nsec3-hash).
 * BIND 9 gives the same proofs.
 */
START_TEST(test_answers_nsec3_corners)
{
	struct server s;

	server_start(&s, "example.com.nsec3.zone");
	/* Empty non-terminals have NSEC3 records of their own. */
	expect(&s, "ent.example.com.", TYPE_A, "NOERROR | | " SOACOM ", "
	    N3C("16bjjd2pc4sv9lem6sns7g6dbf3rg1up"));
	expect(&s, "c.ent.example.com.", TYPE_TXT, "NOERROR | | " SOACOM ", "
	    N3C("kika028s9l42butchgf9v8m597e05oob"));
	/* NXDOMAIN below an empty non-terminal; in any case. */
	static const char *const below_ent = "NXDOMAIN | | " SOACOM ", "
	    N3C("16bjjd2pc4sv9lem6sns7g6dbf3rg1up") ", "
	    N3C("6im10sr7e8qjn24qfrff0f94v9shnaer") ", "
	    N3C("kika028s9l42butchgf9v8m597e05oob");
	expect(&s, "x.c.ent.example.com.", TYPE_A, below_ent);
	expect(&s, "X.C.Ent.EXAMPLE.com.", TYPE_A, below_ent);
	expect(&s, "x.b.c.ent.example.com.", TYPE_A, "NXDOMAIN | | " SOACOM
	    ", " N3C("td9q5huhtlc8821h9ai1bt86sgca7pvm") ", "
	    N3C("com1662lb625kqvliecjrid0a7grt2ru"));
	/* Wildcard answers carry the next closer name's NSEC3; a type the
	 * wildcard lacks needs encloser, next closer and wildcard. */
	expect(&s, "a.b.w.example.com.", TYPE_A, "NOERROR | "
	    "a.b.w.example.com. A, a.b.w.example.com. RRSIG/A | " NSCOM ", "
	    N3C("6im10sr7e8qjn24qfrff0f94v9shnaer"));
	expect(&s, "x.w.example.com.", TYPE_DS, "NOERROR | | " SOACOM ", "
	    N3C("com1662lb625kqvliecjrid0a7grt2ru") ", "
	    N3C("3q52it332aaji9onmdap3rlf92lijpsd") ", "
	    N3C("ughmh27jtol03dq3mrj6j7034pb8uitg"));
	/* The wildcard itself, asked for by name. */
	expect(&s, "*.w.example.com.", TYPE_DS, "NOERROR | | " SOACOM ", "
	    N3C("ughmh27jtol03dq3mrj6j7034pb8uitg"));
	/* A wildcard CNAME to a name lacking the type: both proofs. */
	expect(&s, "foo.cw.example.com.", TYPE_TXT, "NOERROR | "
	    "foo.cw.example.com. CNAME, foo.cw.example.com. RRSIG/CNAME, "
	    "www.example.com. CNAME, www.example.com. RRSIG/CNAME | "
	    SOACOM ", " N3C("6im10sr7e8qjn24qfrff0f94v9shnaer") ", "
	    N3C("s84rflvm0jdmi5qiqp39ug5d0ra16toe"));
	/* Delegations: with DS, and without (its NSEC3 lacks DS). */
	expect(&s, "a.sub.example.com.", TYPE_A, "NOERROR | | "
	    "sub.example.com. NS, sub.example.com. DS, "
	    "sub.example.com. RRSIG/DS");
	expect(&s, "sub.example.com.", TYPE_DS, "NOERROR | "
	    "sub.example.com. DS, sub.example.com. RRSIG/DS |");
	expect(&s, "x.insecure.example.com.", TYPE_A, "NOERROR | | "
	    "insecure.example.com. NS, "
	    N3C("s84rflvm0jdmi5qiqp39ug5d0ra16toe"));
	expect(&s, "insecure.example.com.", TYPE_DS, "NOERROR | | " SOACOM
	    ", " N3C("s84rflvm0jdmi5qiqp39ug5d0ra16toe"));
	/* DNAME: signed; the CNAME made from it is not. */
	expect(&s, "x.dn.example.com.", TYPE_A, "NOERROR | "
	    "dn.example.com. DNAME, dn.example.com. RRSIG/DNAME, "
	    "x.dn.example.com. CNAME |");
	server_stop(&s);
}
END_TEST

START_TEST(test_answers_nsec_corners)
{
	struct server s;

	server_start(&s, "example.com.nsec.zone");
	/* dn's NSEC (next a.b.c.ent) covers the empty non-terminals. */
	expect(&s, "ent.example.com.", TYPE_A, "NOERROR | | " SOACOM ", "
	    NSECC("dn."));
	expect(&s, "c.ent.example.com.", TYPE_TXT, "NOERROR | | " SOACOM ", "
	    NSECC("dn."));
	/* a.b.c.ent's NSEC covers x.c.ent, dn's covers *.c.ent. */
	expect(&s, "X.c.ENT.example.com.", TYPE_A, "NXDOMAIN | | " SOACOM
	    ", " NSECC("a.b.c.ent.") ", " NSECC("dn."));
	/* Before the first name, and after the last (the chain wraps). */
	expect(&s, "0.example.com.", TYPE_A, "NXDOMAIN | | " SOACOM ", "
	    NSECC(""));
	expect(&s, "zzz.example.com.", TYPE_A, "NXDOMAIN | | " SOACOM ", "
	    NSECC("") ", " NSECC("www."));
	/* Wildcards. */
	expect(&s, "a.b.w.example.com.", TYPE_A, "NOERROR | "
	    "a.b.w.example.com. A, a.b.w.example.com. RRSIG/A | " NSCOM ", "
	    NSECC("*.w."));
	expect(&s, "x.w.example.com.", TYPE_DS, "NOERROR | | " SOACOM ", "
	    NSECC("*.w."));
	expect(&s, "foo.cw.example.com.", TYPE_TXT, "NOERROR | "
	    "foo.cw.example.com. CNAME, foo.cw.example.com. RRSIG/CNAME, "
	    "www.example.com. CNAME, www.example.com. RRSIG/CNAME | "
	    SOACOM ", " NSECC("") ", " NSECC("*.cw."));
	/* Delegations. */
	expect(&s, "x.insecure.example.com.", TYPE_A, "NOERROR | | "
	    "insecure.example.com. NS, " NSECC("insecure."));
	expect(&s, "insecure.example.com.", TYPE_DS, "NOERROR | | " SOACOM
	    ", " NSECC("insecure."));
	expect(&s, "a.sub.example.com.", TYPE_A, "NOERROR | | "
	    "sub.example.com. NS, sub.example.com. DS, "
	    "sub.example.com. RRSIG/DS");
	server_stop(&s);
}
END_TEST

static Suite *
dnssec_suite(void)
{
	Suite *s = suite_create("dnssec");
	TCase *tc = tcase_create("nsec3");

	tcase_add_test(tc, test_sha1_vectors);
	tcase_add_test(tc, test_nsec3_hash_rfc5155);
	tcase_add_test(tc, test_base32hex_vectors_and_round_trips);
	tcase_add_test(tc, test_base32hex_rejects);
	suite_add_tcase(s, tc);
	tc = tcase_create("image");
	tcase_add_test(tc, test_sigs_follow_their_rrset);
	tcase_add_test(tc, test_open_rejects_bad_sigs_bits);
	tcase_add_test(tc, test_build_reports_expired_signatures);
	tcase_add_test(tc, test_build_reports_dnssec_problems);
	tcase_add_test(tc, test_build_rejects_bad_dnssec);
	tcase_add_test(tc, test_zonefile_reports_dnssec_lines);
	suite_add_tcase(s, tc);
	tc = tcase_create("index");
	tcase_add_test(tc, test_nsec3_index_rfc5155);
	tcase_add_test(tc, test_nsec_index_rfc4035);
	tcase_add_test(tc, test_open_rejects_corrupt_signed_images);
	tcase_set_timeout(tc, 60);	/* about 1.5 s, 5 s under ASan */
	suite_add_tcase(s, tc);
	tc = tcase_create("answers");
	tcase_add_test(tc, test_answers_rfc5155_b1_name_error);
	tcase_add_test(tc, test_answers_rfc5155_b21_no_data_ent);
	tcase_add_test(tc, test_answers_rfc5155_b3_optout_referral);
	tcase_add_test(tc, test_answers_rfc5155_b4_wildcard);
	tcase_add_test(tc, test_answers_rfc5155_b5_wildcard_no_data);
	tcase_add_test(tc, test_answers_rfc5155_b6_ds_at_apex);
	tcase_add_test(tc, test_answers_rfc5155_others);
	tcase_add_test(tc, test_answers_optout_ent_no_data);
	tcase_add_test(tc, test_answers_bind_optout_no_data);
	tcase_add_test(tc, test_answers_rfc4035);
	tcase_add_test(tc, test_answers_nsec3_corners);
	tcase_add_test(tc, test_answers_nsec_corners);
	suite_add_tcase(s, tc);
	/* An NSEC3 owner with data of its own (RFC 5155 B.2), NXDOMAIN
	 * below an empty non-terminal without NSEC3 (Opt-Out), and an
	 * image asking for too many iterations. */
	tc = tcase_create("edges");
	tcase_add_test(tc, test_nsec3_owner_with_data);
	tcase_add_test(tc, test_open_rejects_too_many_iterations);
	tcase_add_test(tc, test_answers_rfc5155_b2_no_data);
	tcase_add_test(tc, test_answers_optout_ent_name_error);
	tcase_add_test(tc, test_answers_bind_optout_name_error);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(dnssec_suite());
}
