/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * DNSSEC keys: the algorithms, their keys in libcrypto (EVP) and in
 * DNSKEY records, signatures in DNSSEC form, tags and DS digests. The
 * files are dnskey_file.c's. Every buffer that held private key
 * material is cleansed before it is freed or goes out of scope.
 * Runs in: the signer, apex-named -C and apex-ctl.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "base64.h"
#include "dname.h"
#include "dnskey.h"
#include "dnskey_priv.h"
#include "sbuf.h"
#include "util.h"

static const struct dnskey_alg algs[] = {
	{ 1, "RSAMD5", false, DKA_RSA, NULL, 0, 0, NULL },
	{ 3, "DSA", false, DKA_RSA, NULL, 0, 0, NULL },
	{ 5, "RSASHA1", false, DKA_RSA, NULL, 0, 0, NULL },
	{ 6, "NSEC3DSA", false, DKA_RSA, NULL, 0, 0, NULL },
	{ 7, "NSEC3RSASHA1", false, DKA_RSA, NULL, 0, 0, NULL },
	{ 8, "RSASHA256", true, DKA_RSA, NULL, 0, 0, "SHA256" },
	{ 10, "RSASHA512", true, DKA_RSA, NULL, 0, 0, "SHA512" },
	{ 12, "ECCGOST", false, DKA_EC, NULL, 0, 0, NULL },
	{ 13, "ECDSAP256SHA256", true, DKA_EC, "P-256", 32, 256, "SHA256" },
	{ 14, "ECDSAP384SHA384", true, DKA_EC, "P-384", 48, 384, "SHA384" },
	{ 15, "ED25519", true, DKA_ED, "ED25519", 32, 256, NULL },
	{ 16, "ED448", true, DKA_ED, "ED448", 57, 456, NULL },
};

static const char *state_names[] = {
	[DST_HIDDEN] = "hidden", [DST_RUMOURED] = "rumoured",
	[DST_OMNIPRESENT] = "omnipresent", [DST_UNRETENTIVE] = "unretentive",
};

/* RSA fields of .private, in BIND's order, and OpenSSL's names. */
static const char *rsa_tags[] = {
	"Modulus", "PublicExponent", "PrivateExponent", "Prime1", "Prime2",
	"Exponent1", "Exponent2", "Coefficient",
};
static const char *rsa_params[] = {
	OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
	OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
	OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
	OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
};

const struct dnskey_alg *
dnskey_alg_find(uint8_t num)
{
	for (size_t i = 0; i < nitems(algs); i++)
		if (algs[i].num == num)
			return &algs[i];
	return NULL;
}

const struct dnskey_alg *
dnskey_alg_usable(uint8_t num)
{
	const struct dnskey_alg *a = dnskey_alg_find(num);

	return a != NULL && a->ok ? a : NULL;
}

/* ---- names, tags, sizes ------------------------------------------- */

uint16_t
dnskey_tag(const uint8_t *rdata, size_t rdlen)
{
	uint32_t ac = 0;

	/* Algorithm 1 keeps the old tag: octets of the modulus' end. */
	if (rdlen >= 4 && rdata[3] == 1)
		return rdlen < 7 ? 0 : get16(rdata + rdlen - 3);
	for (size_t i = 0; i < rdlen; i++)
		ac += (i & 1) ? rdata[i] : (uint32_t)rdata[i] << 8;
	ac += (ac >> 16) & 0xffff;
	return ac & 0xffff;
}

bool
dnskey_alg_supported(uint8_t alg)
{
	return dnskey_alg_usable(alg) != NULL;
}

const char *
dnskey_alg_name(uint8_t alg)
{
	const struct dnskey_alg *a = dnskey_alg_find(alg);

	return a != NULL ? a->name : NULL;
}

uint8_t
dnskey_alg_from_name(const char *name)
{
	char *end;
	unsigned long v;

	for (size_t i = 0; i < nitems(algs); i++)
		if (strcasecmp(name, algs[i].name) == 0)
			return algs[i].num;
	if (!isdigit((unsigned char)name[0]))
		return 0;
	v = strtoul(name, &end, 10);
	return *end == '\0' && v > 0 && v < 256 ? (uint8_t)v : 0;
}

unsigned
dnskey_alg_default_bits(uint8_t alg)
{
	const struct dnskey_alg *a = dnskey_alg_usable(alg);

	if (a == NULL)
		return 0;
	return a->kind == DKA_RSA ? 2048 : a->bits;
}

bool
dnskey_alg_bits_ok(uint8_t alg, unsigned bits)
{
	const struct dnskey_alg *a = dnskey_alg_usable(alg);

	if (a == NULL)
		return false;
	if (a->kind == DKA_RSA)
		return bits >= 1024 && bits <= 4096;
	return bits == a->bits;
}

const char *
dnskey_state_name(enum dnskey_state s)
{
	if (s <= DST_NA || s > DST_UNRETENTIVE)
		return "na";
	return state_names[s];
}

enum dnskey_state
dnskey_state_from_name(const char *s)
{
	for (int i = DST_HIDDEN; i <= DST_UNRETENTIVE; i++)
		if (strcasecmp(s, state_names[i]) == 0)
			return (enum dnskey_state)i;
	return DST_NA;
}

/* ---- base64 and times --------------------------------------------- */

/* Appends d in base64, a space every 56 characters if wrap (as BIND
 * writes the DNSKEY in .key). */
void
dnskey_b64_put(struct sbuf *sb, const uint8_t *d, size_t len, bool wrap)
{
	char *t = xmalloc(BASE64_LEN(len) + 1);
	size_t n = base64_encode(d, len, t);

	for (size_t i = 0; i < n; i += 56) {
		size_t k = n - i < 56 ? n - i : 56;
		sbuf_printf(sb, "%s%.*s", wrap && i > 0 ? " " : "", (int)k,
		    t + i);
	}
	OPENSSL_cleanse(t, n);
	free(t);
}

/* ---- public keys -------------------------------------------------- */

static int
pkey_fromdata(const char *type, OSSL_PARAM_BLD *bld, int sel,
    EVP_PKEY **out)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	int ok = params != NULL && ctx != NULL &&
	    EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, out, sel, params) == 1;

	EVP_PKEY_CTX_free(ctx);
	/* The parameters may hold a private key. */
	for (OSSL_PARAM *p = params; p != NULL && p->key != NULL; p++)
		if (p->data != NULL)
			OPENSSL_cleanse(p->data, p->data_size);
	OSSL_PARAM_free(params);
	return ok ? 0 : -1;
}

/* The RSA exponent and modulus of a DNSKEY (RFC 3110 2). */
static int
rsa_split(const uint8_t *rd, size_t rdlen, const uint8_t **e, size_t *elen,
    const uint8_t **n, size_t *nlen)
{
	const uint8_t *p = rd + 4, *end = rd + rdlen;
	size_t el;

	if (p >= end)
		return -1;
	if (*p != 0)
		el = *p++;
	else if (end - p < 3)
		return -1;
	else {
		el = get16(p + 1);
		p += 3;
	}
	if (el == 0 || (size_t)(end - p) <= el)
		return -1;
	*e = p;
	*elen = el;
	*n = p + el;
	*nlen = (size_t)(end - p) - el;
	return 0;
}

/* The key size in bits of a public key, as BIND counts it. */
unsigned
dnskey_rdata_bits(const struct dnskey_alg *a, const uint8_t *rd, size_t rdlen)
{
	const uint8_t *e, *n;
	size_t elen, nlen;
	unsigned bits;

	if (a->kind != DKA_RSA)
		return a->bits;
	if (rsa_split(rd, rdlen, &e, &elen, &n, &nlen) != 0)
		return 0;
	while (nlen > 0 && *n == 0) {
		n++;
		nlen--;
	}
	if (nlen == 0)
		return 0;
	bits = (unsigned)nlen * 8;
	for (uint8_t c = n[0]; !(c & 0x80); c <<= 1)
		bits--;
	return bits;
}

/* The EVP_PKEY of a DNSKEY's public key; ecpriv adds the private part
 * of an EC key (RSA and EdDSA private keys: dnskey_priv_pkey()). */
EVP_PKEY *
dnskey_pkey_public(const struct dnskey_alg *a, const uint8_t *rd, size_t rdlen,
    const BIGNUM *ecpriv)
{
	EVP_PKEY *pk = NULL;
	OSSL_PARAM_BLD *bld;
	uint8_t pt[1 + 2 * 66];
	const uint8_t *e, *n;
	size_t elen, nlen, klen = rdlen - 4;
	BIGNUM *bn = NULL, *be = NULL;

	if (a->kind == DKA_ED)
		return klen != a->len ? NULL : EVP_PKEY_new_raw_public_key_ex(
		    NULL, a->evp, NULL, rd + 4, klen);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		return NULL;
	if (a->kind == DKA_EC) {
		if (klen != 2 * a->len)
			goto out;
		pt[0] = 0x04;	/* uncompressed point: x || y follow */
		memcpy(pt + 1, rd + 4, klen);
		if (!OSSL_PARAM_BLD_push_utf8_string(bld,
		    OSSL_PKEY_PARAM_GROUP_NAME, a->evp, 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld,
		    OSSL_PKEY_PARAM_PUB_KEY, pt, klen + 1) ||
		    (ecpriv != NULL && !OSSL_PARAM_BLD_push_BN(bld,
		    OSSL_PKEY_PARAM_PRIV_KEY, ecpriv)))
			goto out;
		(void)pkey_fromdata("EC", bld, ecpriv != NULL ?
		    EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, &pk);
	} else {
		if (rsa_split(rd, rdlen, &e, &elen, &n, &nlen) != 0 ||
		    (be = BN_bin2bn(e, (int)elen, NULL)) == NULL ||
		    (bn = BN_bin2bn(n, (int)nlen, NULL)) == NULL ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
			goto out;
		(void)pkey_fromdata("RSA", bld, EVP_PKEY_PUBLIC_KEY, &pk);
	}
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	return pk;
}

/* The DNSKEY RDATA of a key just made. Returns: 0 or -1. */
int
dnskey_rdata_of(const struct dnskey_alg *a, EVP_PKEY *pk, uint16_t flags,
    uint8_t *rd, uint16_t *rdlen)
{
	BIGNUM *x = NULL, *y = NULL;
	size_t len = 0;
	int r = -1;

	put16(rd, flags);
	rd[2] = 3;
	rd[3] = a->num;
	if (a->kind == DKA_ED) {
		len = a->len;
		r = EVP_PKEY_get_raw_public_key(pk, rd + 4, &len) == 1 &&
		    len == a->len ? 0 : -1;
	} else if (a->kind == DKA_EC) {
		len = 2 * a->len;
		if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_X, &x) &&
		    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_Y, &y) &&
		    BN_bn2binpad(x, rd + 4, (int)a->len) > 0 &&
		    BN_bn2binpad(y, rd + 4 + a->len, (int)a->len) > 0)
			r = 0;
	} else if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &x) &&
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &y)) {
		size_t el = (size_t)BN_num_bytes(x);
		size_t nl = (size_t)BN_num_bytes(y);
		size_t h = el < 256 ? 1 : 3;
		if (4 + h + el + nl <= DNSKEY_RDATA_MAX) {
			uint8_t *p = rd + 4;
			if (h == 1)
				*p++ = (uint8_t)el;
			else {
				*p++ = 0;
				put16(p, (uint16_t)el);
				p += 2;
			}
			BN_bn2bin(x, p);
			BN_bn2bin(y, p + el);
			len = h + el + nl;
			r = 0;
		}
	}
	BN_free(x);
	BN_free(y);
	*rdlen = (uint16_t)(4 + len);
	return r;
}

int
dnskey_priv_field(const struct dnskey_alg *a, const char *tag, const char *val,
    struct dnskey_priv_fields *f)
{
	int i = -1;

	if (a->kind != DKA_RSA)
		i = strcasecmp(tag, "PrivateKey") == 0 ? 0 : -1;
	else
		for (int j = 0; j < RSA_NFIELDS && i < 0; j++)
			if (strcasecmp(tag, rsa_tags[j]) == 0)
				i = j;
	if (i < 0)
		return 0;	/* metadata apex does not keep */
	f->len[i] = base64_decode(val, f->v[i], FIELD_MAX);
	return f->len[i] > 0 ? 0 : -1;
}

/* Whether a private key read belongs to the DNSKEY. */
static bool
priv_matches(const struct dnskey *k, const struct dnskey_alg *a, EVP_PKEY *pk)
{
	uint8_t rd[DNSKEY_RDATA_MAX];
	uint16_t len;
	EVP_PKEY_CTX *ctx;
	bool ok;

	if (dnskey_rdata_of(a, pk, k->flags, rd, &len) != 0 ||
	    len != k->rdlen || memcmp(rd, k->rdata, len) != 0)
		return false;
	/* EdDSA's public key is derived from the private one above. An
	 * EC point, and RSA's modulus and exponent, came from the files:
	 * check that the private half belongs to them. */
	if (a->kind == DKA_ED)
		return true;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL)) == NULL)
		return false;
	ok = EVP_PKEY_pairwise_check(ctx) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

/* The private EVP_PKEY of the fields read, checked against the
 * DNSKEY. Returns: the key, or NULL with *why set. */
EVP_PKEY *
dnskey_priv_pkey(const struct dnskey *k, const struct dnskey_alg *a,
    struct dnskey_priv_fields *f, const char **why)
{
	EVP_PKEY *pk = NULL;
	BIGNUM *bn[RSA_NFIELDS] = { NULL };
	OSSL_PARAM_BLD *bld = NULL;
	uint8_t pub[64];
	size_t plen = sizeof(pub);

	*why = "the PrivateKey field is missing or of the wrong size";
	if (a->kind == DKA_ED) {
		if (f->len[0] != (int)a->len || (pk =
		    EVP_PKEY_new_raw_private_key_ex(NULL, a->evp, NULL,
		    f->v[0], a->len)) == NULL)
			return NULL;
		if (EVP_PKEY_get_raw_public_key(pk, pub, &plen) != 1 ||
		    plen + 4 != k->rdlen || memcmp(pub, k->rdata + 4, plen)) {
			*why = "the private key does not match the DNSKEY";
			EVP_PKEY_free(pk);
			return NULL;
		}
		return pk;
	}
	if (a->kind == DKA_EC) {
		if (f->len[0] == 0 || f->len[0] > (int)a->len ||
		    (bn[0] = BN_secure_new()) == NULL ||
		    BN_bin2bn(f->v[0], f->len[0], bn[0]) == NULL)
			goto out;
		pk = dnskey_pkey_public(a, k->rdata, k->rdlen, bn[0]);
		goto out;
	}
	*why = "Modulus, PublicExponent or PrivateExponent is missing";
	if (f->len[0] == 0 || f->len[1] == 0 || f->len[2] == 0 ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL)
		goto out;
	/* BIND writes every CRT parameter. Without all of them the key
	 * could not pass the pairwise check, and libcrypto leaks a partial
	 * set: refused here. */
	for (int i = 3; i < RSA_NFIELDS; i++)
		if (f->len[i] == 0) {
			*why = "a field of the RSA key is missing";
			goto out;
		}
	for (int i = 0; i < RSA_NFIELDS; i++) {
		if ((bn[i] = BN_secure_new()) == NULL ||
		    BN_bin2bn(f->v[i], f->len[i], bn[i]) == NULL ||
		    !OSSL_PARAM_BLD_push_BN(bld, rsa_params[i], bn[i]))
			goto out;
	}
	(void)pkey_fromdata("RSA", bld, EVP_PKEY_KEYPAIR, &pk);
out:
	for (int i = 0; i < RSA_NFIELDS; i++)
		BN_clear_free(bn[i]);
	OSSL_PARAM_BLD_free(bld);
	if (pk != NULL && !priv_matches(k, a, pk)) {
		*why = "the private key does not match the DNSKEY";
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	return pk;
}

/* Appends one private field in base64; bn's octets are wiped after. */
static int
priv_put(struct sbuf *sb, const char *tag, const BIGNUM *bn, size_t pad)
{
	uint8_t v[FIELD_MAX];
	int n = pad != 0 ? BN_bn2binpad(bn, v, (int)pad) : BN_bn2bin(bn, v);

	if (n <= 0 || BN_num_bytes(bn) > FIELD_MAX)
		return -1;
	sbuf_printf(sb, "%s: ", tag);
	dnskey_b64_put(sb, v, (size_t)n, false);
	sbuf_printf(sb, "\n");
	OPENSSL_cleanse(v, sizeof(v));
	return 0;
}

/* The text of .private, BIND's v1.3. Returns: 0 or -1. */
int
dnskey_priv_text(const struct dnskey *k, const struct dnskey_alg *a,
    struct sbuf *sb)
{
	uint8_t raw[64];
	size_t len = sizeof(raw);
	BIGNUM *bn = NULL;
	int r = 0;

	sbuf_printf(sb, "Private-key-format: v1.3\nAlgorithm: %u (%s)\n",
	    k->alg, a->name);
	if (a->kind == DKA_ED) {
		if (EVP_PKEY_get_raw_private_key(k->pkey, raw, &len) != 1)
			return -1;
		sbuf_printf(sb, "PrivateKey: ");
		dnskey_b64_put(sb, raw, len, false);
		sbuf_printf(sb, "\n");
		OPENSSL_cleanse(raw, sizeof(raw));
	} else if (a->kind == DKA_EC) {
		r = EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_PRIV_KEY,
		    &bn) == 1 ? priv_put(sb, "PrivateKey", bn, a->len) : -1;
		BN_clear_free(bn);
	} else {
		for (int i = 0; i < RSA_NFIELDS && r == 0; i++) {
			bn = NULL;
			r = EVP_PKEY_get_bn_param(k->pkey, rsa_params[i], &bn)
			    == 1 ? priv_put(sb, rsa_tags[i], bn, 0) : -1;
			BN_clear_free(bn);
		}
	}
	return r;
}

EVP_PKEY *
dnskey_keygen(const struct dnskey_alg *a, unsigned bits)
{
	if (a->kind == DKA_RSA)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	if (a->kind == DKA_EC)
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", a->evp);
	return EVP_PKEY_Q_keygen(NULL, NULL, a->evp);
}

void
dnskey_free(struct dnskey *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

void
dnskey_free_all(struct dnskey **v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		dnskey_free(v[i]);
	free(v);
}

/* ---- signatures and digests --------------------------------------- */

/* libcrypto gives ECDSA in DER; DNSSEC wants r || s (RFC 6605 4).
 * Returns: the signature's length, or -1. */
static int
ecdsa_rs(const struct dnskey_alg *a, const uint8_t *der, size_t derlen,
    uint8_t *sig)
{
	const uint8_t *p = der;
	ECDSA_SIG *es;
	int r = -1;

	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) != NULL) {
		if (BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, (int)a->len) > 0 &&
		    BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + a->len,
		    (int)a->len) > 0)
			r = (int)(2 * a->len);
		ECDSA_SIG_free(es);
	}
	return r;
}

int
dnskey_sign(const struct dnskey *k, const uint8_t *data, size_t len,
    uint8_t sig[DNSKEY_SIG_MAX])
{
	const struct dnskey_alg *a = dnskey_alg_usable(k->alg);
	EVP_MD_CTX *ctx;
	uint8_t der[256];
	size_t siglen;
	int r = -1;

	if (a == NULL || k->pkey == NULL || (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	siglen = a->kind == DKA_EC ? sizeof(der) : DNSKEY_SIG_MAX;
	if (EVP_DigestSignInit_ex(ctx, NULL, a->md, NULL, NULL, k->pkey,
	    NULL) == 1 && EVP_DigestSign(ctx, a->kind == DKA_EC ? der : sig,
	    &siglen, data, len) == 1)
		r = a->kind == DKA_EC ? ecdsa_rs(a, der, siglen, sig) :
		    (int)siglen;
	EVP_MD_CTX_free(ctx);
	return r;
}

size_t
dnskey_sig_len(const struct dnskey *k)
{
	const struct dnskey_alg *a = dnskey_alg_usable(k->alg);
	int n;

	if (a == NULL || k->pkey == NULL)
		return 0;
	if (a->kind == DKA_EC)
		return 2 * a->len;
	n = EVP_PKEY_get_size(k->pkey);
	return n > 0 && n <= DNSKEY_SIG_MAX ? (size_t)n : 0;
}

/*
 * For RSA and ECDSA the digest is made here and the key operation set up
 * once, rather than fetched and initialised for every signature as
 * EVP_DigestSignInit() does; EdDSA hashes inside the key operation and
 * goes through dnskey_sign().
 */
struct dnskey_signer {
	const struct dnskey	*key;
	const struct dnskey_alg	*alg;
	EVP_MD			*md;
	EVP_PKEY_CTX		*pctx;
};

struct dnskey_signer *
dnskey_signer_new(const struct dnskey *k)
{
	const struct dnskey_alg *a = dnskey_alg_usable(k->alg);
	struct dnskey_signer *s;

	if (a == NULL || k->pkey == NULL)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->key = k;
	s->alg = a;
	if (a->kind == DKA_ED)
		return s;
	if ((s->md = EVP_MD_fetch(NULL, a->md, NULL)) == NULL ||
	    (s->pctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL)) ==
	    NULL || EVP_PKEY_sign_init(s->pctx) != 1 ||
	    (a->kind == DKA_RSA && (EVP_PKEY_CTX_set_rsa_padding(s->pctx,
	    RSA_PKCS1_PADDING) != 1 || EVP_PKEY_CTX_set_signature_md(s->pctx,
	    s->md) != 1))) {
		dnskey_signer_free(s);
		return NULL;
	}
	return s;
}

int
dnskey_signer_sign(struct dnskey_signer *s, const uint8_t *data,
    size_t len, uint8_t sig[DNSKEY_SIG_MAX])
{
	uint8_t md[EVP_MAX_MD_SIZE], der[256];
	unsigned mdlen;
	size_t siglen;

	if (s->alg->kind == DKA_ED)
		return dnskey_sign(s->key, data, len, sig);
	if (EVP_Digest(data, len, md, &mdlen, s->md, NULL) != 1)
		return -1;
	siglen = s->alg->kind == DKA_EC ? sizeof(der) : DNSKEY_SIG_MAX;
	if (EVP_PKEY_sign(s->pctx, s->alg->kind == DKA_EC ? der : sig,
	    &siglen, md, mdlen) != 1)
		return -1;
	return s->alg->kind == DKA_EC ? ecdsa_rs(s->alg, der, siglen, sig) :
	    (int)siglen;
}

void
dnskey_signer_free(struct dnskey_signer *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_CTX_free(s->pctx);
	EVP_MD_free(s->md);
	free(s);
}

/* r || s as DER. Returns: its length, or -1. */
static int
ecdsa_der(const struct dnskey_alg *a, const uint8_t *sig, size_t siglen,
    uint8_t **der)
{
	ECDSA_SIG *es;
	BIGNUM *r, *s;
	int n;

	if (siglen != 2 * a->len || (es = ECDSA_SIG_new()) == NULL)
		return -1;
	r = BN_bin2bn(sig, (int)a->len, NULL);
	s = BN_bin2bn(sig + a->len, (int)a->len, NULL);
	if (r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return -1;
	}
	*der = NULL;
	n = i2d_ECDSA_SIG(es, der);
	ECDSA_SIG_free(es);
	return n;
}

bool
dnskey_verify(const struct dnskey *k, const uint8_t *data, size_t len,
    const uint8_t *sig, size_t siglen)
{
	const struct dnskey_alg *a = dnskey_alg_usable(k->alg);
	EVP_PKEY *pk;
	EVP_MD_CTX *ctx = NULL;
	uint8_t *der = NULL;
	int n = 0;
	bool ok = false;

	if (a == NULL || (pk = dnskey_pkey_public(a, k->rdata, k->rdlen, NULL))
	    == NULL)
		return false;
	if (a->kind == DKA_EC && (n = ecdsa_der(a, sig, siglen, &der)) <= 0)
		goto out;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit_ex(ctx, NULL, a->md, NULL, NULL, pk, NULL)
	    != 1)
		goto out;
	ok = (der != NULL ? EVP_DigestVerify(ctx, der, (size_t)n, data, len)
	    : EVP_DigestVerify(ctx, sig, siglen, data, len)) == 1;
out:
	OPENSSL_free(der);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return ok;
}

int
dnskey_ds(const struct dnskey *k, uint8_t digest, uint8_t *out,
    size_t outlen)
{
	const char *md = digest == 2 ? "SHA256" : digest == 4 ? "SHA384" :
	    NULL;
	EVP_MD_CTX *ctx;
	unsigned mdlen = 0;
	int ok;

	if (md == NULL || outlen < 4 + (digest == 2 ? 32u : 48u) ||
	    (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	/* RFC 4034 5.1.4: the owner in canonical (lowercase) form. */
	ok = EVP_DigestInit_ex(ctx, EVP_get_digestbyname(md), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, k->origin, dname_len(k->origin)) == 1 &&
	    EVP_DigestUpdate(ctx, k->rdata, k->rdlen) == 1 &&
	    EVP_DigestFinal_ex(ctx, out + 4, &mdlen) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	put16(out, k->tag);
	out[2] = k->alg;
	out[3] = digest;
	return (int)(4 + mdlen);
}

