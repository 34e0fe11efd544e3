/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Unit tests for DNSSEC keys (lib/dnskey.c): tags and DS digests against
 * the examples of RFC 4509 and RFC 6605, the RFC 6605 signature, keys
 * of every algorithm made, written, read back and used, the .state
 * fields, key directories, the errors of bad files, and (when BIND's
 * tools are installed) keys passed both ways between apex and BIND.
 * Runs in: the tests.
 */
#include <sys/stat.h>

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base64.h"
#include "dname.h"
#include "dnskey.h"
#include "error.h"
#include "testutil.h"

static const uint8_t algs[] = { 8, 10, 13, 14, 15, 16 };

static void
hex(const uint8_t *d, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02X", d[i]);
}

static char *
temp_dir(void)
{
	char *d = strdup("/tmp/apex-dnskey-XXXXXX");

	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

static void
remove_dir(char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(dir);
}

static void
put_file(const char *dir, const char *name, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
origin_of(const char *s, uint8_t *o)
{
	ck_assert_int_gt(dname_from_str(s, NULL, o), 0);
}

static mode_t
mode_of(const char *base, const char *suffix)
{
	char path[4200];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s", base, suffix);
	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* The tag a base path's name gives. */
static unsigned
name_tag(const char *base)
{
	size_t n = strlen(base);

	ck_assert_uint_gt(n, 6);
	return (unsigned)atoi(base + n - 5);
}

static void
check_ds(const struct dnskey *k, uint8_t type, const char *want)
{
	uint8_t ds[64];
	char got[129];
	int n = dnskey_ds(k, type, ds, sizeof(ds));

	ck_assert_int_gt(n, 4);
	hex(ds + 4, (size_t)n - 4, got);
	ck_assert_msg(strcmp(got, want) == 0, "DS %u of tag %u: %s, expected "
	    "%s", type, k->tag, got, want);
	ck_assert_uint_eq(get16(ds), k->tag);
	ck_assert_uint_eq(ds[2], k->alg);
	ck_assert_uint_eq(ds[3], type);
}

static void
sign_verify(const struct dnskey *k)
{
	uint8_t data[300], sig[DNSKEY_SIG_MAX];
	int n;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	n = dnskey_sign(k, data, sizeof(data), sig);
	ck_assert_msg(n > 0, "alg %u: no signature", k->alg);
	ck_assert_msg(dnskey_verify(k, data, sizeof(data), sig, (size_t)n),
	    "alg %u: own signature does not verify", k->alg);
	data[5] ^= 1;
	ck_assert(!dnskey_verify(k, data, sizeof(data), sig, (size_t)n));
	data[5] ^= 1;
	sig[n / 2] ^= 0x10;
	ck_assert(!dnskey_verify(k, data, sizeof(data), sig, (size_t)n));
	if (k->alg == 13)
		ck_assert_int_eq(n, 64);
	else if (k->alg == 14)
		ck_assert_int_eq(n, 96);
	else if (k->alg == 15)
		ck_assert_int_eq(n, 64);
	else if (k->alg == 16)
		ck_assert_int_eq(n, 114);
	else
		ck_assert_int_eq(n, (int)(k->bits + 7) / 8);
	ck_assert_uint_eq(dnskey_sig_len(k), (size_t)n);

	/* The reusable signer: the same form, several times over. */
	struct dnskey_signer *s = dnskey_signer_new(k);
	ck_assert_ptr_nonnull(s);
	for (int round = 0; round < 3; round++) {
		data[0] = (uint8_t)round;
		uint8_t sig2[DNSKEY_SIG_MAX];
		int n2 = dnskey_signer_sign(s, data, sizeof(data), sig2);
		ck_assert_msg(n2 == n, "alg %u: signer made %d octets, not %d",
		    k->alg, n2, n);
		ck_assert_msg(dnskey_verify(k, data, sizeof(data), sig2,
		    (size_t)n2), "alg %u: signer's signature does not verify",
		    k->alg);
	}
	dnskey_signer_free(s);
}

/* ---- RFC 4509 and RFC 6605 --------------------------------------- */

/* The signed data of RFC 6605 6.1's RRSIG of www.example.net. A
 * 192.0.2.1, and its signature. Returns: the data's length. */
static size_t
rfc6605_signed(uint8_t *data, uint8_t *sig)
{
	uint8_t *p = data;
	static const uint8_t sigbytes[64] = {
		0xab, 0x1e, 0xb0, 0x2d, 0x8a, 0xa6, 0x87, 0xe9, 0x7d, 0xa0,
		0x22, 0x93, 0x37, 0xaa, 0x88, 0x73, 0xe6, 0xf0, 0xeb, 0x26,
		0xbe, 0x28, 0x9f, 0x28, 0x33, 0x3d, 0x18, 0x3f, 0x5d, 0x3b,
		0x7a, 0x95, 0xc0, 0xc8, 0x69, 0xad, 0xfb, 0x74, 0x8d, 0xae,
		0xe3, 0xc5, 0x28, 0x6e, 0xed, 0x66, 0x82, 0xc1, 0x2e, 0x55,
		0x33, 0x18, 0x6b, 0xac, 0xed, 0x9c, 0x26, 0xc1, 0x67, 0xa9,
		0xeb, 0xae, 0x95, 0x0b,
	};
	uint8_t signer[DNAME_MAXLEN], owner[DNAME_MAXLEN];
	int sl, ol;
	sl = dname_from_str("example.net.", NULL, signer);
	ol = dname_from_str("www.example.net.", NULL, owner);
	put16(p, 1), p += 2;
	*p++ = 13;
	*p++ = 3;
	put32(p, 3600), p += 4;
	put32(p, 1284026679), p += 4;
	put32(p, 1281607479), p += 4;
	put16(p, 55648), p += 2;
	memcpy(p, signer, (size_t)sl), p += sl;
	memcpy(p, owner, (size_t)ol), p += ol;
	put16(p, 1), p += 2;
	put16(p, 1), p += 2;
	put32(p, 3600), p += 4;
	put16(p, 4), p += 2;
	memcpy(p, (uint8_t[]){ 192, 0, 2, 1 }, 4), p += 4;
	memcpy(sig, sigbytes, sizeof(sigbytes));
	return (size_t)(p - data);
}

#define P256_KEY "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edb " \
	"krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA=="

/* RFC 4648 section 10's vectors both ways, and what the decoder refuses:
 * a partial quantum, data after padding, a character outside the
 * alphabet, more octets than the buffer holds. */
START_TEST(test_base64)
{
	static const char *const vec[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	char enc[16];
	uint8_t dec[16];

	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		size_t n = strlen(vec[i][0]);
		ck_assert_uint_eq(base64_encode((const uint8_t *)vec[i][0], n,
		    enc), strlen(vec[i][1]));
		ck_assert_str_eq(enc, vec[i][1]);
		if (n == 0)
			continue;
		ck_assert_int_eq(base64_decode(vec[i][1], dec, sizeof(dec)),
		    (int)n);
		ck_assert_mem_eq(dec, vec[i][0], n);
	}
	ck_assert_int_eq(base64_decode(" Zm9v\n YmFy\t", dec, sizeof(dec)), 6);
	ck_assert_int_eq(base64_decode("", dec, sizeof(dec)), -1);
	ck_assert_int_eq(base64_decode("Zm9", dec, sizeof(dec)), -1);
	ck_assert_int_eq(base64_decode("Zg==Zg==", dec, sizeof(dec)), -1);
	ck_assert_int_eq(base64_decode("Zm9*", dec, sizeof(dec)), -1);
	ck_assert_int_eq(base64_decode("Z===", dec, sizeof(dec)), -1);
	ck_assert_int_eq(base64_decode("Zm9vYmFy", dec, 5), -1);
}
END_TEST

START_TEST(test_rfc_vectors)
{
	char *dir = temp_dir(), base[1024], err[512];
	struct dnskey *k;

	put_file(dir, "Kexample.net.+013+55648.key", "example.net. 3600 IN "
	    "DNSKEY 257 3 13 ( " P256_KEY " )\n");
	put_file(dir, "Kexample.net.+014+10771.key", "example.net. 3600 IN "
	    "DNSKEY 257 3 14 (\n xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w"
	    "/egsXvSADtNJhyem5RC\n OpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur"
	    "8I/mlVNgF6W/qTI37m40 )\n");
	put_file(dir, "Kdskey.example.com.+005+60485.key", "dskey.example.com. "
	    "86400 IN DNSKEY 256 3 5 ( AQOeiiR0GOMYkDshWoSKz9Xz\n"
	    "fwJr1AYtsmx3TGkJaNXVbfi/ 2pHm822aJ5iI9BMzNXxeYCmZ\n"
	    "DRD99WYwYqUSdjMmmAphXdvx egXd/M5+X7OrzKBaMbCVdFLU\n"
	    "Uh6DhweJBjEVv5f2wwjM9Xzc nOf+EPbtG9DMBmADjFDc2w/r\n"
	    "ljwvFw== ) ;  key id = 60485\n");

	snprintf(base, sizeof(base), "%s/Kexample.net.+013+55648", dir);
	ck_assert_msg(dnskey_load(base, false, &k, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_uint_eq(k->tag, 55648);
	ck_assert_uint_eq(k->ttl, 3600);
	ck_assert_uint_eq(k->flags, 257);
	ck_assert_uint_eq(k->bits, 256);
	ck_assert(!k->has_state);
	ck_assert_uint_eq(k->role, DNSKEY_ROLE_KSK);
	ck_assert_ptr_null(k->pkey);
	check_ds(k, 2, "B4C8C1FE2E7477127B27115656AD6256F424625BF5C1E2770CE6"
	    "D6E37DF61D17");
	ck_assert_int_lt(dnskey_ds(k, 1, (uint8_t[64]){ 0 }, 64), 0);

	/* RFC 6605 6.1: www.example.net. A 192.0.2.1 and its RRSIG. */
	uint8_t data[128], sig[DNSKEY_SIG_MAX];
	size_t len = rfc6605_signed(data, sig);
	ck_assert(dnskey_verify(k, data, len, sig, 64));
	sig[0] ^= 1;
	ck_assert(!dnskey_verify(k, data, len, sig, 64));

	/* Its private key (RFC 6605 6.1), in the older v1.2 format. */
	put_file(dir, "Kexample.net.+013+55648.private", "Private-key-format: "
	    "v1.2\nAlgorithm: 13 (ECDSAP256SHA256)\nPrivateKey: "
	    "GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=\n");
	dnskey_free(k);
	ck_assert_msg(dnskey_load(base, true, &k, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_ptr_nonnull(k->pkey);
	sign_verify(k);
	dnskey_free(k);

	snprintf(base, sizeof(base), "%s/Kexample.net.+014+10771", dir);
	ck_assert_msg(dnskey_load(base, false, &k, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_uint_eq(k->bits, 384);
	check_ds(k, 4, "72D7B62976CE06438E9C0BF319013CF801F09ECC84B8D7E9495F"
	    "27E305C6A9B0563A9B5F4D288405C3008A946DF983D6");
	dnskey_free(k);

	snprintf(base, sizeof(base), "%s/Kdskey.example.com.+005+60485", dir);
	ck_assert_msg(dnskey_load(base, false, &k, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_uint_eq(k->tag, 60485);
	ck_assert_uint_eq(k->bits, 1024);
	check_ds(k, 2, "D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6"
	    "A1E4469DA50A");
	ck_assert(!dnskey_alg_supported(k->alg));
	ck_assert_int_lt(dnskey_sign(k, data, 10, sig), 0);
	dnskey_free(k);
	remove_dir(dir);
}
END_TEST

START_TEST(test_alg_names)
{
	ck_assert_str_eq(dnskey_alg_name(13), "ECDSAP256SHA256");
	ck_assert_str_eq(dnskey_alg_name(16), "ED448");
	ck_assert_ptr_null(dnskey_alg_name(200));
	ck_assert_uint_eq(dnskey_alg_from_name("ecdsap384sha384"), 14);
	ck_assert_uint_eq(dnskey_alg_from_name("RSASHA256"), 8);
	ck_assert_uint_eq(dnskey_alg_from_name("15"), 15);
	ck_assert_uint_eq(dnskey_alg_from_name("ED9"), 0);
	ck_assert_uint_eq(dnskey_alg_from_name("256"), 0);
	ck_assert(dnskey_alg_supported(10));
	ck_assert(!dnskey_alg_supported(5));
	ck_assert(!dnskey_alg_supported(7));
	ck_assert_uint_eq(dnskey_alg_default_bits(8), 2048);
	ck_assert_uint_eq(dnskey_alg_default_bits(13), 256);
	ck_assert_uint_eq(dnskey_alg_default_bits(16), 456);
	ck_assert(dnskey_alg_bits_ok(8, 1024));
	ck_assert(dnskey_alg_bits_ok(10, 4096));
	ck_assert(!dnskey_alg_bits_ok(8, 512));
	ck_assert(!dnskey_alg_bits_ok(13, 384));
	ck_assert(dnskey_alg_bits_ok(14, 384));
	ck_assert_str_eq(dnskey_state_name(DST_OMNIPRESENT), "omnipresent");
	ck_assert_int_eq(dnskey_state_from_name("Rumoured"), DST_RUMOURED);
	ck_assert_int_eq(dnskey_state_from_name("gone"), DST_NA);
}
END_TEST

/* ---- keys made here ---------------------------------------------- */

START_TEST(test_generate_load)
{
	char *dir = temp_dir(), err[512];
	uint8_t origin[DNAME_MAXLEN];
	struct dnskey *k, *l;
	time_t now = 1767225600;	/* 2026-01-01 */
	uint8_t alg = algs[_i];

	origin_of("Example.", origin);
	ck_assert_int_eq(dnskey_generate(dir, origin, alg,
	    dnskey_alg_default_bits(alg), DNSKEY_F_ZONE | DNSKEY_F_SEP, now,
	    &k), 0);
	ck_assert_uint_eq(k->tag, dnskey_tag(k->rdata, k->rdlen));
	ck_assert_uint_eq(name_tag(k->base), k->tag);
	ck_assert_ptr_nonnull(strstr(k->base, "/Kexample.+0"));
	ck_assert_uint_eq(k->bits, dnskey_alg_default_bits(alg));
	ck_assert_uint_eq(mode_of(k->base, ".private"), 0600);
	ck_assert_uint_eq(mode_of(k->base, ".key"), 0644);
	ck_assert_uint_eq(mode_of(k->base, ".state"), 0644);
	ck_assert_uint_eq(k->role, DNSKEY_ROLE_KSK);
	sign_verify(k);

	ck_assert_msg(dnskey_load(k->base, true, &l, err, sizeof(err)) == 0,
	    "alg %u: %s", alg, err);
	ck_assert_uint_eq(l->rdlen, k->rdlen);
	ck_assert_mem_eq(l->rdata, k->rdata, k->rdlen);
	ck_assert_uint_eq(l->tag, k->tag);
	ck_assert_uint_eq(l->bits, k->bits);
	ck_assert(l->has_state);
	ck_assert_uint_eq(l->role, DNSKEY_ROLE_KSK);
	ck_assert_int_eq(l->t[DKT_CREATED], now);
	ck_assert_int_eq(l->t[DKT_PUBLISH], 0);
	ck_assert_int_eq(l->goal, DST_HIDDEN);
	for (int i = 0; i < DKR_COUNT; i++)
		ck_assert_int_eq(l->st[i], DST_HIDDEN);
	ck_assert(dname_equal(l->origin, origin));
	sign_verify(l);

	/* Signatures cross between the key made and the key read. */
	uint8_t sig[DNSKEY_SIG_MAX];
	int n = dnskey_sign(l, (const uint8_t *)"abc", 3, sig);
	ck_assert_int_gt(n, 0);
	ck_assert(dnskey_verify(k, (const uint8_t *)"abc", 3, sig, (size_t)n));
	dnskey_free(l);

	/* Public only. */
	ck_assert_int_eq(dnskey_load(k->base, false, &l, err, sizeof(err)), 0);
	ck_assert_ptr_null(l->pkey);
	ck_assert_int_lt(dnskey_sign(l, (const uint8_t *)"abc", 3, sig), 0);
	ck_assert(dnskey_verify(l, (const uint8_t *)"abc", 3, sig, (size_t)n));
	dnskey_free(l);
	dnskey_free(k);
	remove_dir(dir);
}
END_TEST

START_TEST(test_state_round_trip)
{
	char *dir = temp_dir(), err[512], path[4200], *text;
	uint8_t origin[DNAME_MAXLEN];
	struct dnskey *k, *l;
	time_t now = 1767225600;
	FILE *f;

	origin_of("example.org.", origin);
	ck_assert_int_eq(dnskey_generate(dir, origin, 13, 256, DNSKEY_F_ZONE,
	    now, &k), 0);
	ck_assert_uint_eq(k->role, DNSKEY_ROLE_ZSK);
	k->role = DNSKEY_ROLE_CSK;
	k->lifetime = 86400 * 30;
	k->predecessor = 1234;
	k->ttl = 3600;
	for (int i = 0; i < DKT_COUNT; i++)
		k->t[i] = now + 60 * i;
	k->st[DKR_DNSKEY] = DST_OMNIPRESENT;
	k->st[DKR_ZRRSIG] = DST_RUMOURED;
	k->st[DKR_KRRSIG] = DST_UNRETENTIVE;
	k->st[DKR_DS] = DST_NA;
	k->goal = DST_OMNIPRESENT;
	ck_assert_int_eq(dnskey_write_state(k), 0);
	ck_assert_uint_eq(mode_of(k->base, ".state"), 0644);
	ck_assert_uint_eq(mode_of(k->base, ".key"), 0644);

	snprintf(path, sizeof(path), "%s.state", k->base);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	text = calloc(1, 8192);
	ck_assert_uint_gt(fread(text, 1, 8191, f), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "; This is the state of key "));
	ck_assert_ptr_nonnull(strstr(text, "\nAlgorithm: 13\nLength: 256\n"
	    "Lifetime: 2592000\nPredecessor: 1234\nKSK: yes\nZSK: yes\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nGenerated: 20260101000000 (Thu "
	    "Jan  1 00:00:00 2026)\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nDNSKEYState: omnipresent\n"));
	ck_assert_ptr_null(strstr(text, "DSState"));
	ck_assert_ptr_nonnull(strstr(text, "\nGoalState: omnipresent\n"));
	free(text);

	ck_assert_msg(dnskey_load(k->base, true, &l, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_uint_eq(l->role, DNSKEY_ROLE_CSK);
	ck_assert_uint_eq(l->lifetime, 86400 * 30);
	ck_assert_uint_eq(l->predecessor, 1234);
	ck_assert_uint_eq(l->successor, 0);
	ck_assert_uint_eq(l->ttl, 3600);
	for (int i = 0; i < DKT_COUNT; i++)
		ck_assert_msg(l->t[i] == now + 60 * i, "time %d: %lld", i,
		    (long long)l->t[i]);
	for (int i = 0; i < DKR_COUNT; i++)
		ck_assert_int_eq(l->st[i], k->st[i]);
	ck_assert_int_eq(l->goal, DST_OMNIPRESENT);
	dnskey_free(l);

	/* Without .state: the role is the SEP bit's; times from the files. */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(dnskey_load(k->base, false, &l, err, sizeof(err)), 0);
	ck_assert(!l->has_state);
	ck_assert_uint_eq(l->role, DNSKEY_ROLE_ZSK);
	ck_assert_int_eq(l->t[DKT_PUBLISH], now + 60 * DKT_PUBLISH);
	ck_assert_int_eq(l->t[DKT_DNSKEY_CHANGE], 0);
	ck_assert_int_eq(l->st[DKR_DNSKEY], DST_NA);
	ck_assert_int_eq(l->goal, DST_NA);
	dnskey_free(l);
	dnskey_free(k);
	remove_dir(dir);
}
END_TEST

START_TEST(test_scan)
{
	char *dir = temp_dir(), err[512] = "", from[4200], to[4200];
	uint8_t origin[DNAME_MAXLEN], other[DNAME_MAXLEN];
	struct dnskey *k[3], **v;
	unsigned n;
	const char *sfx[] = { ".key", ".private", ".state" };

	origin_of("example.", origin);
	origin_of("example.com.", other);
	ck_assert_int_eq(dnskey_generate(dir, origin, 15, 256, DNSKEY_F_ZONE |
	    DNSKEY_F_SEP, 1, &k[0]), 0);
	ck_assert_int_eq(dnskey_generate(dir, origin, 13, 256, DNSKEY_F_ZONE,
	    1, &k[1]), 0);
	ck_assert_int_eq(dnskey_generate(dir, other, 13, 256, DNSKEY_F_ZONE,
	    1, &k[2]), 0);
	/* A key whose files name the zone in capitals is the zone's too. */
	for (int i = 0; i < 3; i++) {
		snprintf(from, sizeof(from), "%s%s", k[1]->base, sfx[i]);
		snprintf(to, sizeof(to), "%s/KEXAMPLE.+013+%05u%s", dir,
		    k[1]->tag, sfx[i]);
		ck_assert_int_eq(rename(from, to), 0);
	}
	put_file(dir, "Kexample.+013+00001.key", "example. IN DNSKEY 256 3 13 "
	    "!!\n");
	put_file(dir, "example.+013+00002.key", "junk\n");
	ck_assert_int_eq(dnskey_scan(dir, origin, true, &v, &n, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_lt(v[0]->tag, v[1]->tag);
	for (unsigned i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(v[i]->pkey);
		ck_assert(v[i]->tag == k[0]->tag || v[i]->tag == k[1]->tag);
	}
	ck_assert_msg(strstr(err, "Kexample.+013+00001.key") != NULL, "%s",
	    err);
	dnskey_free_all(v, n);
	ck_assert_int_eq(dnskey_scan(dir, other, false, &v, &n, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(v[0]->tag, k[2]->tag);
	dnskey_free_all(v, n);
	for (int i = 0; i < 3; i++)
		dnskey_free(k[i]);

	/* The root, and a name with octets file names escape. */
	static const char *odd[] = { ".", "_X*.Example." };
	static const char *file[] = { "/K.+013+", "/K_x%2A.example.+013+" };
	for (int i = 0; i < 2; i++) {
		origin_of(odd[i], other);
		ck_assert_int_eq(dnskey_generate(dir, other, 13, 256,
		    DNSKEY_F_ZONE, 1, &k[0]), 0);
		ck_assert_msg(strstr(k[0]->base, file[i]) != NULL, "%s",
		    k[0]->base);
		ck_assert_int_eq(dnskey_scan(dir, other, true, &v, &n, err,
		    sizeof(err)), 0);
		ck_assert_uint_eq(n, 1);
		ck_assert_uint_eq(v[0]->tag, k[0]->tag);
		ck_assert(dname_equal(v[0]->origin, other));
		dnskey_free_all(v, n);
		dnskey_free(k[0]);
	}
	ck_assert_int_eq(dnskey_scan("/nonexistent/dir", origin, false, &v,
	    &n, err, sizeof(err)), APEX_EIO);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/dir"));
	remove_dir(dir);
}
END_TEST

/* An RSA .private whose public half is the DNSKEY's but whose private
 * half is another key's: it would sign, and nothing would verify. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 16384);

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_gt(fread(buf, 1, 16383, f), 0);
	fclose(f);
	return buf;
}

START_TEST(test_rsa_private_mismatch)
{
	char *dir = temp_dir(), err[512], path[4200], mixed[16384] = "";
	uint8_t origin[DNAME_MAXLEN];
	struct dnskey *a, *b, *k;

	origin_of("example.", origin);
	ck_assert_int_eq(dnskey_generate(dir, origin, 8, 1024, DNSKEY_F_ZONE,
	    1, &a), 0);
	ck_assert_int_eq(dnskey_generate(dir, origin, 8, 1024, DNSKEY_F_ZONE,
	    1, &b), 0);
	snprintf(path, sizeof(path), "%s.private", a->base);
	char *ta = slurp(path);
	snprintf(path, sizeof(path), "%s.private", b->base);
	char *tb = slurp(path);
	/* a's Modulus and PublicExponent, b's everything else */
	for (char *l = strtok(ta, "\n"); l != NULL; l = strtok(NULL, "\n"))
		if (strncmp(l, "Modulus:", 8) == 0 ||
		    strncmp(l, "PublicExponent:", 15) == 0 ||
		    strncmp(l, "Private-key-format:", 19) == 0 ||
		    strncmp(l, "Algorithm:", 10) == 0)
			snprintf(mixed + strlen(mixed), sizeof(mixed) -
			    strlen(mixed), "%s\n", l);
	for (char *l = strtok(tb, "\n"); l != NULL; l = strtok(NULL, "\n"))
		if (strncmp(l, "PrivateExponent:", 16) == 0 ||
		    strncmp(l, "Prime", 5) == 0 ||
		    strncmp(l, "Exponent", 8) == 0 ||
		    strncmp(l, "Coefficient:", 12) == 0)
			snprintf(mixed + strlen(mixed), sizeof(mixed) -
			    strlen(mixed), "%s\n", l);
	snprintf(path, sizeof(path), "%s.private", a->base);
	put_file(dir, strrchr(path, '/') + 1, mixed);
	ck_assert_int_eq(dnskey_load(a->base, true, &k, err, sizeof(err)),
	    APEX_ECRYPTO);
	ck_assert_ptr_null(k);
	/* b's own file without Exponent2: refused, not half read. */
	mixed[0] = '\0';
	snprintf(path, sizeof(path), "%s.private", b->base);
	free(tb);
	tb = slurp(path);
	for (char *l = strtok(tb, "\n"); l != NULL; l = strtok(NULL, "\n"))
		if (strncmp(l, "Exponent2:", 10) != 0)
			snprintf(mixed + strlen(mixed), sizeof(mixed) -
			    strlen(mixed), "%s\n", l);
	put_file(dir, strrchr(path, '/') + 1, mixed);
	ck_assert_int_ne(dnskey_load(b->base, true, &k, err, sizeof(err)), 0);
	ck_assert_ptr_null(k);
	ck_assert_msg(strstr(err, "missing") != NULL, "%s", err);
	free(ta);
	free(tb);
	dnskey_free(a);
	dnskey_free(b);
	remove_dir(dir);
}
END_TEST

START_TEST(test_load_errors)
{
	char *dir = temp_dir(), err[512], base[1024], path[4200];
	uint8_t origin[DNAME_MAXLEN];
	struct dnskey *a, *b, *k;

	origin_of("example.", origin);
	snprintf(base, sizeof(base), "%s/Kexample.+013+00007", dir);
	ck_assert_int_eq(dnskey_load(base, false, &k, err, sizeof(err)),
	    APEX_EIO);
	ck_assert_ptr_nonnull(strstr(err, "Kexample.+013+00007.key"));
	ck_assert_ptr_null(k);

	ck_assert_int_eq(dnskey_generate(dir, origin, 13, 256, DNSKEY_F_ZONE,
	    1, &a), 0);
	ck_assert_int_eq(dnskey_generate(dir, origin, 13, 256, DNSKEY_F_ZONE,
	    1, &b), 0);
	/* Another key's private part. */
	snprintf(path, sizeof(path), "%s.private", a->base);
	snprintf(base, sizeof(base), "%s.private", b->base);
	ck_assert_int_eq(rename(path, base), 0);
	ck_assert_int_eq(dnskey_load(b->base, true, &k, err, sizeof(err)),
	    APEX_ECRYPTO);
	ck_assert_msg(strstr(err, ".private: the private key does not match")
	    != NULL, "%s", err);
	/* The public part alone still loads. */
	ck_assert_int_eq(dnskey_load(b->base, false, &k, err, sizeof(err)), 0);
	dnskey_free(k);

	snprintf(path, sizeof(path), "%s.private", b->base);
	ck_assert_ptr_nonnull(strrchr(path, '/'));
	put_file(dir, strrchr(path, '/') + 1, "Private-key-format: v1.3\n"
	    "Algorithm: 13 (ECDSAP256SHA256)\nPrivateKey: not*base64\n");
	ck_assert_int_eq(dnskey_load(b->base, true, &k, err, sizeof(err)),
	    APEX_EMALF);
	ck_assert_msg(strstr(err, ".private: line 3") != NULL, "%s", err);
	put_file(dir, strrchr(path, '/') + 1, "Private-key-format: v1.3\n"
	    "Algorithm: 8 (RSASHA256)\n");
	ck_assert_int_eq(dnskey_load(b->base, true, &k, err, sizeof(err)),
	    APEX_EMALF);
	ck_assert_msg(strstr(err, "Algorithm") != NULL, "%s", err);

	snprintf(path, sizeof(path), "%s.state", b->base);
	put_file(dir, strrchr(path, '/') + 1, "; x\nAlgorithm: 13\n"
	    "Length: 384\n");
	ck_assert_int_eq(dnskey_load(b->base, false, &k, err, sizeof(err)),
	    APEX_EMALF);
	ck_assert_msg(strstr(err, ".state: Length") != NULL, "%s", err);
	put_file(dir, strrchr(path, '/') + 1, "Algorithm: 13\nLength: 256\n"
	    "DSState: sideways\n");
	ck_assert_int_eq(dnskey_load(b->base, false, &k, err, sizeof(err)),
	    APEX_EMALF);
	ck_assert_msg(strstr(err, "DSState") != NULL, "%s", err);

	/* A .key whose record is not the one its name says. */
	snprintf(path, sizeof(path), "%s.key", a->base);
	snprintf(base, sizeof(base), "%s/Kexample.+013+00009.key", dir);
	ck_assert_int_eq(rename(path, base), 0);
	base[strlen(base) - 4] = '\0';
	ck_assert_int_eq(dnskey_load(base, false, &k, err, sizeof(err)),
	    APEX_EMALF);
	ck_assert_msg(strstr(err, "tag 9") != NULL, "%s", err);
	put_file(dir, "Kexample.+013+00009.key", "; only a comment\n");
	ck_assert_int_eq(dnskey_load(base, false, &k, err, sizeof(err)),
	    APEX_EMALF);
	ck_assert_msg(strstr(err, "00009.key: no DNSKEY") != NULL, "%s", err);
	dnskey_free(a);
	dnskey_free(b);
	remove_dir(dir);
}
END_TEST

/* ---- BIND -------------------------------------------------------- */

static bool
have_bind(void)
{
	static int have = -1;

	if (have < 0) {
		have = system("command -v dnssec-keygen >/dev/null 2>&1 && "
		    "command -v dnssec-signzone >/dev/null 2>&1 && "
		    "command -v dnssec-verify >/dev/null 2>&1 && "
		    "command -v dnssec-settime >/dev/null 2>&1") == 0;
		if (!have)
			printf("check_dnskey: BIND's dnssec tools are not in "
			    "PATH; the interoperability tests are skipped\n");
	}
	return have;
}

/* Runs cmd in dir; its output is shown if it fails. */
static void
run(const char *dir, const char *cmd)
{
	char sh[4096];
	int r;

	snprintf(sh, sizeof(sh), "cd '%s' && (%s) >out.log 2>&1", dir, cmd);
	r = system(sh);
	if (r != 0) {
		snprintf(sh, sizeof(sh), "cat '%s/out.log'", dir);
		(void)system(sh);
	}
	ck_assert_msg(r == 0, "failed: %s", cmd);
}

/* The base of the key BIND's tool printed in out.log. */
static void
bind_base(const char *dir, char *base, size_t len)
{
	char path[1024], line[256] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/out.log", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	snprintf(base, len, "%s/%s", dir, line);
}

START_TEST(test_bind_keys_load)
{
	char *dir, cmd[512], base[1024], err[512];
	struct dnskey *k;
	uint8_t alg = algs[_i];

	if (!have_bind())
		return;
	dir = temp_dir();
	snprintf(cmd, sizeof(cmd), "dnssec-keygen -q -a %s %s -L 3600 -K . "
	    "example.", dnskey_alg_name(alg), alg == 8 ? "-f KSK" : "");
	run(dir, cmd);
	bind_base(dir, base, sizeof(base));
	ck_assert_msg(dnskey_load(base, true, &k, err, sizeof(err)) == 0,
	    "%s: %s", dnskey_alg_name(alg), err);
	ck_assert_uint_eq(k->tag, name_tag(base));
	ck_assert_uint_eq(k->ttl, 3600);
	ck_assert(!k->has_state);
	ck_assert_uint_eq(k->role, alg == 8 ? DNSKEY_ROLE_KSK :
	    DNSKEY_ROLE_ZSK);
	ck_assert_int_gt(k->t[DKT_CREATED], 1700000000);
	ck_assert_int_eq(k->t[DKT_ACTIVATE], k->t[DKT_CREATED]);
	ck_assert_uint_eq(k->bits, dnskey_alg_default_bits(alg));
	sign_verify(k);
	dnskey_free(k);

	/* And with a .state from BIND's key manager. */
	snprintf(cmd, sizeof(cmd), "rm -f K* && dnssec-keygen -q -k default "
	    "-K . example.");
	run(dir, cmd);
	bind_base(dir, base, sizeof(base));
	ck_assert_msg(dnskey_load(base, true, &k, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert(k->has_state);
	ck_assert_uint_eq(k->role, DNSKEY_ROLE_CSK);
	ck_assert_int_gt(k->t[DKT_PUBLISH], 1700000000);
	sign_verify(k);
	dnskey_free(k);
	remove_dir(dir);
}
END_TEST

static uint32_t
rrsig_time(const char *s)
{
	struct tm tm = { 0 };

	ck_assert_ptr_nonnull(strptime(s, "%Y%m%d%H%M%S", &tm));
	return (uint32_t)timegm(&tm);
}

/*
 * Replaces the signature of the SOA's RRSIG in dir/in (one record a
 * line, as dnssec-signzone -O full writes) by one apex makes, into
 * dir/out: dnssec-verify then checks a signature of apex's (corrupt: a
 * bit of it flipped).
 */
static void
resign_soa(const char *dir, const char *in, const char *out,
    struct dnskey **keys, unsigned nkeys, bool corrupt)
{
	char path[1024], line[2048], copy[2048], *tok[32], *save;
	uint8_t data[512], sig[DNSKEY_SIG_MAX], *p;
	FILE *f, *g;
	unsigned nt, done = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, in);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	snprintf(path, sizeof(path), "%s/%s", dir, out);
	ck_assert_ptr_nonnull(g = fopen(path, "w"));
	while (fgets(line, sizeof(line), f) != NULL) {
		memcpy(copy, line, sizeof(line));
		nt = 0;
		for (char *t = strtok_r(copy, " \t\n", &save); t != NULL &&
		    nt < nitems(tok); t = strtok_r(NULL, " \t\n", &save))
			tok[nt++] = t;
		if (nt < 13 || strcmp(tok[3], "RRSIG") != 0 ||
		    strcmp(tok[4], "SOA") != 0) {
			fputs(line, g);
			continue;
		}
		const struct dnskey *k = NULL;
		for (unsigned i = 0; i < nkeys; i++)
			if (keys[i]->tag == (unsigned)atoi(tok[10]))
				k = keys[i];
		ck_assert_ptr_nonnull(k);
		p = data;
		put16(p, 6), p += 2;
		*p++ = k->alg;
		*p++ = 1;
		put32(p, 3600), p += 4;
		put32(p, rrsig_time(tok[8])), p += 4;
		put32(p, rrsig_time(tok[9])), p += 4;
		put16(p, k->tag), p += 2;
		p += dname_from_str("example.", NULL, p);
		p += dname_from_str("example.", NULL, p);
		put16(p, 6), p += 2;
		put16(p, 1), p += 2;
		put32(p, 3600), p += 4;
		uint8_t *rdlen = p;
		p += 2;
		p += dname_from_str("ns.example.", NULL, p);
		p += dname_from_str("h.example.", NULL, p);
		static const uint32_t soa[] = { 1, 3600, 900, 604800, 300 };
		for (unsigned i = 0; i < nitems(soa); i++)
			put32(p, soa[i]), p += 4;
		put16(rdlen, (uint16_t)(p - rdlen - 2));
		int n = dnskey_sign(k, data, (size_t)(p - data), sig);
		ck_assert_int_gt(n, 0);
		if (corrupt)
			sig[n / 2] ^= 0x01;
		fprintf(g, "example. 3600 IN RRSIG SOA %u 1 3600 %s %s %u "
		    "example. ", k->alg, tok[8], tok[9], k->tag);
		for (int i = 0; i < n; i += 3) {
			static const char b[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789+/";
			uint32_t v = (uint32_t)sig[i] << 16 |
			    (i + 1 < n ? sig[i + 1] << 8 : 0) |
			    (i + 2 < n ? sig[i + 2] : 0);
			fprintf(g, "%c%c%c%c", b[v >> 18], b[(v >> 12) & 63],
			    i + 1 < n ? b[(v >> 6) & 63] : '=',
			    i + 2 < n ? b[v & 63] : '=');
		}
		fputc('\n', g);
		done++;
	}
	fclose(f);
	fclose(g);
	ck_assert_uint_eq(done, 1);
}

/* Keys made here: signed with by dnssec-signzone, checked by
 * dnssec-verify, and their .state read by dnssec-settime; and an
 * apex signature checked by dnssec-verify. */
START_TEST(test_bind_signs_with_apex_keys)
{
	char *dir, cmd[4096], name[2][64];
	uint8_t origin[DNAME_MAXLEN];
	struct dnskey *k[2];
	uint8_t alg = algs[_i];
	time_t now = time(NULL);

	if (!have_bind())
		return;
	dir = temp_dir();
	origin_of("example.", origin);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(dnskey_generate(dir, origin, alg,
		    dnskey_alg_default_bits(alg), DNSKEY_F_ZONE |
		    (i == 0 ? DNSKEY_F_SEP : 0), now - 86400, &k[i]), 0);
		k[i]->ttl = 3600;
		k[i]->t[DKT_PUBLISH] = k[i]->t[DKT_ACTIVATE] = now - 86400;
		for (int j = 0; j < DKR_COUNT; j++)
			k[i]->st[j] = DST_OMNIPRESENT;
		k[i]->st[i == 0 ? DKR_ZRRSIG : DKR_KRRSIG] = DST_NA;
		if (i == 1)
			k[i]->st[DKR_DS] = DST_NA;
		k[i]->goal = DST_OMNIPRESENT;
		ck_assert_int_eq(dnskey_write_state(k[i]), 0);
		snprintf(name[i], sizeof(name[i]), "%s",
		    strrchr(k[i]->base, '/') + 1);
		snprintf(cmd, sizeof(cmd), "dnssec-settime -p all -K . %s",
		    name[i]);
		run(dir, cmd);
	}
	put_file(dir, "example.zone", "$TTL 3600\n"
	    "example. IN SOA ns.example. h.example. 1 3600 900 604800 300\n"
	    "example. IN NS ns.example.\nns.example. IN A 192.0.2.1\n"
	    "www.example. IN AAAA 2001:db8::1\n");
	/* Keys named on the command line must be in the zone. */
	snprintf(cmd, sizeof(cmd), "cat example.zone %s.key %s.key "
	    ">example.keys && dnssec-signzone -K . -o example. -f "
	    "example.signed -k %s example.keys %s", name[0], name[1],
	    name[0], name[1]);
	run(dir, cmd);
	run(dir, "dnssec-verify -o example. example.signed");
	for (int i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), "grep -q 'DNSKEY.*%u' out.log || "
		    "grep -q ' %u example.' example.signed", k[i]->tag,
		    k[i]->tag);
		run(dir, cmd);
	}
	/* Smart signing finds the same keys in the directory. */
	run(dir, "dnssec-signzone -S -K . -o example. -O full -f "
	    "example.smart example.zone && dnssec-verify -o example. "
	    "example.smart");
	resign_soa(dir, "example.smart", "example.apex", k, 2, false);
	run(dir, "! cmp -s example.smart example.apex && "
	    "dnssec-verify -o example. example.apex");
	/* And that check is not blind: a bad signature fails it. */
	resign_soa(dir, "example.smart", "example.bad", k, 2, true);
	run(dir, "! dnssec-verify -o example. example.bad && "
	    "grep -q 'bad signature\\|signature.*fail\\|No correct' out.log");
	for (int i = 0; i < 2; i++)
		dnskey_free(k[i]);
	remove_dir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dnskey");
	TCase *tc = tcase_create("dnskey");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_base64);
	tcase_add_test(tc, test_rfc_vectors);
	tcase_add_test(tc, test_alg_names);
	tcase_add_loop_test(tc, test_generate_load, 0, nitems(algs));
	tcase_add_test(tc, test_state_round_trip);
	tcase_add_test(tc, test_scan);
	tcase_add_test(tc, test_load_errors);
	tcase_add_test(tc, test_rsa_private_mismatch);
	tcase_add_loop_test(tc, test_bind_keys_load, 0, nitems(algs));
	tcase_add_loop_test(tc, test_bind_signs_with_apex_keys, 0,
	    nitems(algs));
	suite_add_tcase(s, tc);
	return run_suite(s);
}
