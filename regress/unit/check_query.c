/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Query golden files: each regress/data/NAME.q holds zones, options and
 * queries with the expected responses in text; the runner answers them
 * in-process with query_process() and compares section by section (as
 * sets of records in ldns's presentation format).
 *
 * File format, line by line:
 *   # comment
 *   zone ORIGIN          zone file text follows, up to "end"
 *   options              named.conf option statements follow, up to "end"
 *   > QNAME QTYPE [CLASS] [+rd] [+do] [+edns[=SIZE]] [+tcp] [+nsid]
 *   < RCODE FLAG...      the expected rcode and header flags (qr aa ...)
 *   an|ns|ad RR          an expected record of that section
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ldns/ldns.h>

#include "chaos.h"
#include "conf.h"
#include "dname.h"
#include "error.h"
#include "pkt.h"
#include "query.h"
#include "rr.h"
#include "rrl.h"
#include "siphash.h"
#include "testutil.h"
#include "tsig.h"
#include "zone.h"
#include "zonefile.h"
#include "zonetab.h"

#define MAXZONES	16
#define MAXLINES	256

struct golden {
	const char	*file;
	char		*zone_path[MAXZONES];
	char		*zone_origin[MAXZONES];
	unsigned	 nzones;
	char		 options[4096];
	struct conf	*conf;
	struct zonetab	 tab, chaos;
	void		*blob[MAXZONES];
	struct query_env env;
	struct rrl	 rrl;		/* with rate-limit in the options */
	unsigned	 checked;
};

static void
fail_report(void *arg, const char *file, unsigned line, bool error,
    const char *msg)
{
	if (error)
		ck_abort_msg("%s:%u: %s", file, line, msg);
}

static void
golden_setup(struct golden *g)
{
	char text[8192];
	size_t n;

	n = (size_t)snprintf(text, sizeof(text), "options {\n%s\n};\n",
	    g->options);
	for (unsigned i = 0; i < g->nzones; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "zone \"%s\" { type primary; file \"%s\"; };\n",
		    g->zone_origin[i], g->zone_path[i]);
	g->conf = conf_load_string(text, g->file, fail_report, NULL);
	ck_assert_ptr_nonnull(g->conf);
	memset(g->conf->cookie_secret, 7, sizeof(g->conf->cookie_secret));
	zonetab_init(&g->tab);
	for (unsigned i = 0; i < g->conf->nzones; i++) {
		const struct conf_zone *cz = &g->conf->zones[i];
		struct zonefile_opts opts = { NULL, CLASS_IN,
		    cz->max_records_per_type, cz->max_types_per_name,
		    fail_report, NULL, 0 };
		struct zone z;
		size_t size;
		ck_assert_int_eq(zonefile_load(cz->file, cz->origin, &opts,
		    &g->blob[i], &size), 0);
		ck_assert_int_eq(zone_open(&z, g->blob[i], size), 0);
		zonetab_put(&g->tab, &z, cz);
	}
	chaos_build(g->conf, &g->chaos);
	g->env.conf = g->conf;
	g->env.zones = &g->tab;
	g->env.chaos = &g->chaos;
	g->env.now = 1700000000;
	if (g->conf->rrl.enabled) {
		static const uint8_t key[16] = { 9 };
		rrl_init(&g->rrl, &g->conf->rrl, 1, key);
		g->env.rrl = &g->rrl;
	}
}

/*
 * A COOKIE option: "+cookie" a client cookie alone, "+cookie=valid" with
 * the server cookie the server would make for 127.0.0.1 now (the test's
 * secret is all 7s, its time 1700000000), "+cookie=old" the same made
 * two hours ago. Returns: octets written.
 */
static size_t
put_cookie(uint8_t *p, const char *kind)
{
	uint8_t secret[16], in[20];

	memset(secret, 7, sizeof(secret));
	put16(p, EDNS_COOKIE);
	memcpy(p + 4, "\1\2\3\4\5\6\7\10", 8);
	if (*kind == '\0') {
		put16(p + 2, 8);
		return 12;
	}
	ck_assert(strcmp(kind, "valid") == 0 || strcmp(kind, "old") == 0);
	put16(p + 2, 24);
	memcpy(p + 12, "\1\0\0\0", 4);
	put32(p + 16, 1700000000u - (kind[0] == 'o' ? 7200 : 0));
	memcpy(in, p + 4, 16);
	put32(in + 16, 0x7f000001);
	siphash24(secret, in, sizeof(in), p + 20);
	return 28;
}

/* Builds the query described by a "> ..." line. */
static size_t
build_query(char *line, uint8_t *wire, bool *tcp, const char *where)
{
	char *save = NULL, *qname = strtok_r(line, " \t", &save);
	char *qtype = strtok_r(NULL, " \t", &save), *t;
	uint16_t type, rclass = CLASS_IN, flags = 0, edns = 0;
	bool do_bit = false, nsid = false;
	const char *cookie = NULL;
	uint8_t name[DNAME_MAXLEN];

	*tcp = false;
	ck_assert_msg(qname && qtype, "%s: bad query line", where);
	ck_assert_msg(rr_type_from_str(qtype, &type) == 0, "%s: type %s",
	    where, qtype);
	while ((t = strtok_r(NULL, " \t", &save)) != NULL) {
		if (strcmp(t, "+rd") == 0)
			flags |= PKT_RD;
		else if (strcmp(t, "+do") == 0)
			do_bit = true, edns = edns ? edns : 1232;
		else if (strncmp(t, "+edns", 5) == 0)
			edns = t[5] == '=' ? (uint16_t)atoi(t + 6) : 1232;
		else if (strcmp(t, "+tcp") == 0)
			*tcp = true;
		else if (strcmp(t, "+nsid") == 0)
			nsid = true, edns = edns ? edns : 1232;
		else if (strncmp(t, "+cookie", 7) == 0)
			cookie = t[7] == '=' ? t + 8 : "", edns = edns ? edns :
			    1232;
		else if (strcmp(t, "CH") == 0)
			rclass = CLASS_CH;
		else
			ck_abort_msg("%s: unknown flag %s", where, t);
	}
	ck_assert_int_gt(dname_from_str(qname, NULL, name), 0);
	size_t len = dname_len(name), n = 12;
	memset(wire, 0, 12);
	put16(wire, 0x1234);
	put16(wire + 2, flags);
	put16(wire + 4, 1);
	memcpy(wire + n, name, len);
	n += len;
	put16(wire + n, type);
	put16(wire + n + 2, rclass);
	n += 4;
	if (edns) {
		put16(wire + 10, 1);
		wire[n] = 0;
		put16(wire + n + 1, TYPE_OPT);
		put16(wire + n + 3, edns);
		put32(wire + n + 5, do_bit ? 0x8000 : 0);
		size_t rdlen = n + 9;
		n += 11;
		if (nsid) {
			put16(wire + n, EDNS_NSID);
			put16(wire + n + 2, 0);
			n += 4;
		}
		if (cookie != NULL)
			n += put_cookie(wire + n, cookie);
		put16(wire + rdlen, (uint16_t)(n - rdlen - 2));
	}
	return n;
}

/* One record in ldns's format with runs of blanks made single spaces. */
static void
rr_line(const ldns_rr *rr, char *out, size_t size)
{
	char *s = ldns_rr2str(rr);
	size_t o = 0;
	bool space = false;

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
}

/* The response as lines: "< RCODE flags", then "an/ns/ad RR" sorted. */
static unsigned
response_lines(const uint8_t *wire, size_t len, char lines[][512])
{
	ldns_pkt *pkt;
	unsigned n = 0;

	ck_assert_int_eq(ldns_wire2pkt(&pkt, wire, len), LDNS_STATUS_OK);
	char *rc = ldns_pkt_rcode2str(ldns_pkt_get_rcode(pkt));
	/* an extended RCODE (RFC 6891 6.1.3): the upper bits in OPT */
	unsigned ext = ldns_pkt_edns_extended_rcode(pkt);
	if (ext != 0) {
		unsigned full = ext << 4 | ldns_pkt_get_rcode(pkt);
		free(rc);
		rc = strdup(full == 16 ? "BADVERS" : full == 23 ?
		    "BADCOOKIE" : "RCODE?");
	}
	snprintf(lines[n++], 512, "< %s%s%s%s%s%s", rc,
	    ldns_pkt_qr(pkt) ? " qr" : "", ldns_pkt_aa(pkt) ? " aa" : "",
	    ldns_pkt_tc(pkt) ? " tc" : "", ldns_pkt_rd(pkt) ? " rd" : "",
	    ldns_pkt_cd(pkt) ? " cd" : "");
	free(rc);
	static const char *const sec[] = { "an", "ns", "ad" };
	ldns_rr_list *lists[] = { ldns_pkt_answer(pkt),
	    ldns_pkt_authority(pkt), ldns_pkt_additional(pkt) };
	for (int s = 0; s < 3; s++)
		for (size_t i = 0; i < ldns_rr_list_rr_count(lists[s]) &&
		    n < MAXLINES; i++) {
			char rr[480];
			rr_line(ldns_rr_list_rr(lists[s], i), rr, sizeof(rr));
			snprintf(lines[n++], 512, "%s %s", sec[s], rr);
		}
	ldns_pkt_free(pkt);
	return n;
}

static int
cmp_line(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
check_block(struct golden *g, char *query, char expect[][512], unsigned nexp,
    unsigned lineno)
{
	char where[256], got[MAXLINES][512], qtext[512];
	uint8_t wire[512], resp[PKT_MAXLEN];
	struct sockaddr_in sin;
	struct query_client cl = { (struct sockaddr *)&sin, false };
	struct query_result res;
	bool tcp;

	snprintf(where, sizeof(where), "%s:%u", g->file, lineno);
	snprintf(qtext, sizeof(qtext), "%s", query);
	if (g->conf == NULL)
		golden_setup(g);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	size_t qlen = build_query(query, wire, &tcp, where);
	cl.tcp = tcp;
	size_t rlen = query_process(&g->env, &cl, wire, qlen, resp,
	    tcp ? PKT_MAXLEN : 4096, &res);
	/* "< dropped": nothing is sent (rate limiting) */
	if (nexp == 1 && strcmp(expect[0], "< dropped") == 0) {
		ck_assert_msg(rlen == 0, "%s: > %s: answered, expected no "
		    "response", where, qtext);
		g->checked++;
		return;
	}
	ck_assert_msg(rlen > 0, "%s: no response", where);
	unsigned ngot = response_lines(resp, rlen, got);
	qsort(got + 1, ngot - 1, sizeof(got[0]), cmp_line);
	qsort(expect + 1, nexp - 1, sizeof(expect[0]), cmp_line);
	char all[MAXLINES * 80] = "";
	for (unsigned i = 0; i < ngot; i++)
		snprintf(all + strlen(all), sizeof(all) - strlen(all),
		    "\n    %s", got[i]);
	ck_assert_msg(ngot == nexp, "%s: > %s: %u lines expected, got:%s",
	    where, qtext, nexp, all);
	for (unsigned i = 0; i < ngot; i++)
		ck_assert_msg(strcmp(got[i], expect[i]) == 0,
		    "%s: > %s: expected '%s'; got:%s", where, qtext,
		    expect[i], all);
	g->checked++;
}

static void
run_file(const char *path)
{
	FILE *f = fopen(path, "r");
	struct golden g;
	char line[1024], query[512] = "", expect[MAXLINES][512];
	unsigned nexp = 0, lineno = 0, qline = 0;
	FILE *zone = NULL;
	bool in_options = false;

	ck_assert_ptr_nonnull(f);
	memset(&g, 0, sizeof(g));
	g.file = path;
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (zone != NULL || in_options) {
			if (strcmp(line, "end") == 0) {
				if (zone != NULL)
					fclose(zone);
				zone = NULL;
				in_options = false;
			} else if (zone != NULL)
				fprintf(zone, "%s\n", line);
			else
				snprintf(g.options + strlen(g.options),
				    sizeof(g.options) - strlen(g.options),
				    "%s\n", line);
			continue;
		}
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (line[0] == '>' || strncmp(line, "zone ", 5) == 0 ||
		    strcmp(line, "options") == 0) {
			if (query[0] != '\0')
				check_block(&g, query, expect, nexp, qline);
			query[0] = '\0';
			nexp = 0;
		}
		if (strncmp(line, "zone ", 5) == 0) {
			ck_assert_int_lt(g.nzones, MAXZONES);
			g.zone_origin[g.nzones] = strdup(line + 5);
			g.zone_path[g.nzones] = write_temp("");
			zone = fopen(g.zone_path[g.nzones++], "w");
		} else if (strcmp(line, "options") == 0)
			in_options = true;
		else if (line[0] == '>') {
			snprintf(query, sizeof(query), "%s", line + 2);
			qline = lineno;
		} else {
			ck_assert_msg(query[0] != '\0' && nexp < MAXLINES,
			    "%s:%u: expectation outside a query", path, lineno);
			snprintf(expect[nexp++], 512, "%s", line);
		}
	}
	if (query[0] != '\0')
		check_block(&g, query, expect, nexp, qline);
	fclose(f);
	ck_assert_msg(g.checked > 0, "%s: no queries", path);
	for (unsigned i = 0; i < g.nzones; i++) {
		unlink(g.zone_path[i]);
		free(g.zone_path[i]);
		free(g.zone_origin[i]);
		free(g.blob[i]);
	}
	chaos_free(&g.chaos);
	rrl_free(g.env.rrl);
	zonetab_free(&g.tab);
	conf_free(g.conf);
}

static char **golden_files;
static unsigned ngolden;

START_TEST(test_query_golden_file)
{
	run_file(golden_files[_i]);
}
END_TEST

/* ---- response size limits ------------------------------------------ */

/* A long key name: four labels of 60 octets, 245 octets on the wire. */
#define L60	"k1234567890123456789012345678901234567890123456789012345678"
#define LONG_KEY	L60 "." L60 "." L60 "." L60 "."

/* A signed query for big.example TXT with NSID and a client cookie. */
static size_t
signed_query(struct tsig_key *key, uint8_t *wire, size_t cap)
{
	static const uint8_t opts[] = { 0, EDNS_NSID, 0, 0, 0, EDNS_COOKIE,
	    0, 8, 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t name[DNAME_MAXLEN];
	struct pkt_writer w;
	struct tsig_ctx ctx;

	ck_assert_int_gt(dname_from_str("big.example.", NULL, name), 0);
	pkt_writer_init(&w, wire, cap);
	ck_assert_int_eq(pkt_put_header_question(&w, 7, 0, name, TYPE_TXT,
	    CLASS_IN), 0);
	ck_assert_int_eq(pkt_put_opt(&w, 4096, 0, false, opts, sizeof(opts)),
	    0);
	pkt_count_add(&w, 10, 1);
	size_t len = w.len;
	tsig_ctx_init(&ctx, key);
	ck_assert_int_eq(tsig_sign(&ctx, wire, &len, cap, 1700000000, 0, 7),
	    0);
	tsig_ctx_free(&ctx);
	return len;
}

/*
 * max-udp-size 512, a 255-octet server-id and a 245-octet key name: the
 * OPT and TSIG records together need more than 512 octets. The answer
 * must still fit the limit, truncated and signed, without the NSID.
 */
START_TEST(test_query_signed_reserve_never_exceeds_limit)
{
	struct tsig_key key = { LONG_KEY, "", TSIG_HMAC_SHA256, "0123456789ab"
	    "cdef0123456789abcdef", 32, 0 };
	struct tsig_keyring kr = { &key, 1 };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct query_client cl = { (struct sockaddr *)&sin, false };
	struct query_result res;
	struct golden g;
	uint8_t req[1024], *resp = malloc(4096);
	char id[256], zone[65536] = "$TTL 300\n"
	    "@ SOA ns hostmaster 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n";

	ck_assert_int_gt(dname_from_str(LONG_KEY, NULL, key.name), 0);
	for (int i = 0; i < 90; i++)
		snprintf(zone + strlen(zone), sizeof(zone) - strlen(zone),
		    "big TXT \"record %d of a large RRset, %s\"\n", i, L60);
	memset(&g, 0, sizeof(g));
	g.file = "signed_reserve";
	g.zone_origin[0] = "example.";
	g.zone_path[g.nzones++] = write_temp(zone);
	memset(id, 'n', 255);
	id[255] = '\0';
	snprintf(g.options, sizeof(g.options), "max-udp-size 512; "
	    "server-id \"%s\";", id);
	golden_setup(&g);
	g.env.keys = &kr;
	tsig_init();
	sin.sin_addr.s_addr = htonl(0x7f000001);
	size_t qlen = signed_query(&key, req, sizeof(req));
	size_t rlen = query_process(&g.env, &cl, req, qlen, resp, 4096, &res);
	ck_assert_uint_gt(rlen, 0);
	ck_assert_uint_le(rlen, 512);
	ck_assert_int_ne(get16(resp + 2) & PKT_TC, 0);
	ck_assert_int_eq(get16(resp + 10), 2);	/* OPT and TSIG */
	unlink(g.zone_path[0]);
	free(g.zone_path[0]);
	free(g.blob[0]);
	free(resp);
	chaos_free(&g.chaos);
	zonetab_free(&g.tab);
	conf_free(g.conf);
}
END_TEST

/* ---- protocol corners, as BIND answers them ------------------------ */

#define PROTO_ZONE	"$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n" \
	"@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.2\n"

static void
proto_setup(struct golden *g)
{
	memset(g, 0, sizeof(*g));
	g->file = "protocol";
	g->zone_origin[0] = "example.";
	g->zone_path[g->nzones++] = write_temp(PROTO_ZONE);
	golden_setup(g);
	tsig_init();
}

static void
proto_free(struct golden *g)
{
	unlink(g->zone_path[0]);
	free(g->zone_path[0]);
	free(g->blob[0]);
	chaos_free(&g->chaos);
	zonetab_free(&g->tab);
	conf_free(g->conf);
}

/* A query with header flags (opcode included) and EDNS options. */
static size_t
raw_query(uint8_t *wire, const char *qname, uint16_t qtype, uint16_t flags,
    const uint8_t *opts, size_t optlen)
{
	uint8_t name[DNAME_MAXLEN];
	struct pkt_writer w;

	ck_assert_int_gt(dname_from_str(qname, NULL, name), 0);
	pkt_writer_init(&w, wire, 512);
	ck_assert_int_eq(pkt_put_header_question(&w, 9, flags, name, qtype,
	    CLASS_IN), 0);
	ck_assert_int_eq(pkt_put_opt(&w, 1232, 0, false, opts, optlen), 0);
	pkt_count_add(&w, 10, 1);
	return w.len;
}

static size_t
ask(struct golden *g, const uint8_t *req, size_t len, uint8_t *resp)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct query_client cl = { (struct sockaddr *)&sin, false };
	struct query_result res;

	sin.sin_addr.s_addr = htonl(0x7f000001);
	size_t n = query_process(&g->env, &cl, req, len, resp, 4096, &res);
	ck_assert_uint_gt(n, 0);
	return n;
}

/* The value of the 4-octet EDNS option code in the answer, or -1. */
static long
opt_u32(const uint8_t *msg, size_t len, uint16_t code)
{
	struct pkt_reader r;
	struct pkt_rr rr;
	uint8_t qname[DNAME_MAXLEN];
	uint16_t qt, qc;

	ck_assert_int_eq(pkt_read_begin(&r, msg, len, qname, &qt, &qc), 0);
	while (pkt_read_rr(&r, &rr) == 0) {
		if (rr.type != TYPE_OPT)
			continue;
		for (size_t p = 0; p + 4 <= rr.rdlen; p += 4 +
		    get16(rr.rdata + p + 2))
			if (get16(rr.rdata + p) == code &&
			    get16(rr.rdata + p + 2) == 4)
				return (long)get32(rr.rdata + p + 4);
	}
	return -1;
}

START_TEST(test_query_notimp_opcode_clears_rd_cd)
{
	uint8_t req[512], resp[4096];
	struct golden g;

	proto_setup(&g);
	ask(&g, req, raw_query(req, "example.", TYPE_A, (3 << 11) | PKT_RD |
	    PKT_CD, NULL, 0), resp);
	ck_assert_uint_eq(get16(resp + 2) & 0xf, RCODE_NOTIMP);
	ck_assert_uint_eq(get16(resp + 2) & 0x7800, 3 << 11);
	ck_assert_uint_eq(get16(resp + 2) & (PKT_RD | PKT_CD), 0);
	proto_free(&g);
}
END_TEST

/* RFC 8945 5.2.2: an unknown key, even one named ".", is answered with
 * NOTAUTH and an unsigned TSIG record with error BADKEY. */
START_TEST(test_query_unknown_root_key_gets_badkey)
{
	struct tsig_key root = { ".", "", TSIG_HMAC_SHA256, "0123456789ab"
	    "cdef0123456789abcdef", 32, 0 };
	struct tsig_key known = { "k", "\1k", TSIG_HMAC_SHA256, "0123456789ab"
	    "cdef0123456789abcdef", 32, 0 };
	struct tsig_keyring kr = { &known, 1 };
	uint8_t req[512], resp[4096];
	struct tsig_ctx ctx;
	struct tsig_rr trr;
	struct golden g;
	size_t pos;

	proto_setup(&g);
	g.env.keys = &kr;
	size_t len = raw_query(req, "example.", TYPE_SOA, 0, NULL, 0);
	tsig_ctx_init(&ctx, &root);
	ck_assert_int_eq(tsig_sign(&ctx, req, &len, sizeof(req), 1700000000,
	    0, 9), 0);
	tsig_ctx_free(&ctx);
	size_t n = ask(&g, req, len, resp);
	ck_assert_uint_eq(get16(resp + 2) & 0xf, RCODE_NOTAUTH);
	ck_assert_int_eq(pkt_read_tsig(resp, n, &pos), 0);
	ck_assert_uint_gt(pos, 0);
	ck_assert_int_eq(tsig_parse(resp, n, pos, &trr), 0);
	ck_assert_uint_eq(trr.key[0], 0);
	ck_assert_uint_eq(trr.error, TSIG_BADKEY);
	ck_assert_uint_eq(trr.mac_len, 0);
	proto_free(&g);
}
END_TEST

/* RFC 7314, as BIND answers: only an SOA query at the apex gets EXPIRE;
 * a primary's is the SOA EXPIRE, a secondary's the time left. */
START_TEST(test_query_expire_as_bind)
{
	static const uint8_t expire[] = { 0, EDNS_EXPIRE, 0, 0 };
	uint8_t req[512], resp[4096];
	uint64_t expires[2] = { 0, 0 };
	struct golden g;
	size_t n;

	proto_setup(&g);
	n = ask(&g, req, raw_query(req, "example.", TYPE_SOA, 0, expire,
	    sizeof(expire)), resp);
	ck_assert_int_eq(opt_u32(resp, n, EDNS_EXPIRE), 86400);
	n = ask(&g, req, raw_query(req, "example.", TYPE_SOA, 0, NULL, 0),
	    resp);
	ck_assert_int_eq(opt_u32(resp, n, EDNS_EXPIRE), -1);
	n = ask(&g, req, raw_query(req, "example.", TYPE_A, 0, expire,
	    sizeof(expire)), resp);
	ck_assert_int_eq(opt_u32(resp, n, EDNS_EXPIRE), -1);
	n = ask(&g, req, raw_query(req, "www.example.", TYPE_SOA, 0, expire,
	    sizeof(expire)), resp);
	ck_assert_int_eq(opt_u32(resp, n, EDNS_EXPIRE), -1);
	/* The same zone as a secondary: what is left, or nothing. */
	g.conf->zones[0].type = ZONE_SECONDARY;
	g.env.expires = expires;
	n = ask(&g, req, raw_query(req, "example.", TYPE_SOA, 0, expire,
	    sizeof(expire)), resp);
	ck_assert_int_eq(opt_u32(resp, n, EDNS_EXPIRE), -1);
	expires[0] = g.env.now + 1234;
	n = ask(&g, req, raw_query(req, "example.", TYPE_SOA, 0, expire,
	    sizeof(expire)), resp);
	ck_assert_int_eq(opt_u32(resp, n, EDNS_EXPIRE), 1234);
	proto_free(&g);
}
END_TEST

static Suite *
query_suite(void)
{
	Suite *s = suite_create("query");
	TCase *tc = tcase_create("golden");
	DIR *d = opendir(DATADIR);
	struct dirent *e;

	if (d == NULL) {
		perror(DATADIR);
		exit(1);
	}
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 3 || strcmp(e->d_name + n - 2, ".q") != 0)
			continue;
		golden_files = realloc(golden_files, (ngolden + 1) *
		    sizeof(char *));
		golden_files[ngolden] = malloc(strlen(DATADIR) + n + 2);
		sprintf(golden_files[ngolden++], "%s/%s", DATADIR, e->d_name);
	}
	closedir(d);
	tcase_add_loop_test(tc, test_query_golden_file, 0, (int)ngolden);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_add_test(tc, test_query_signed_reserve_never_exceeds_limit);
	suite_add_tcase(s, tc);
	tc = tcase_create("protocol");
	tcase_add_test(tc, test_query_notimp_opcode_clears_rd_cd);
	tcase_add_test(tc, test_query_unknown_root_key_gets_badkey);
	tcase_add_test(tc, test_query_expire_as_bind);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(query_suite());
}
