/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Test-only DNSSEC keys for check_sign: ECDSAP256SHA256 and ED25519
 * made in memory with OpenSSL, and a verifier of their own, so the
 * signer's output is checked by code other than lib/dnskey.c.
 * Runs in: the tests.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include "dnskey.h"

static uint16_t
testkey_tag(const uint8_t *rdata, size_t rdlen)
{
	uint32_t ac = 0;

	/* RFC 4034 appendix B */
	for (size_t i = 0; i < rdlen; i++)
		ac += (i & 1) ? rdata[i] : (uint32_t)rdata[i] << 8;
	ac += (ac >> 16) & 0xffff;
	return (uint16_t)(ac & 0xffff);
}

struct dnskey *
testkey_new(const uint8_t *origin, size_t origin_len, uint8_t alg,
    uint16_t flags)
{
	struct dnskey *k = calloc(1, sizeof(*k));
	EVP_PKEY *pk = alg == 13 ? EVP_EC_gen("P-256") :
	    EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	uint8_t pub[65];
	size_t plen = sizeof(pub);

	if (k == NULL || pk == NULL)
		abort();
	if (alg == 13) {
		if (!EVP_PKEY_get_octet_string_param(pk,
		    OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub), &plen) ||
		    plen != 65)
			abort();
		memcpy(k->rdata + 4, pub + 1, 64);
		k->rdlen = 68;
	} else {
		plen = 32;
		if (!EVP_PKEY_get_raw_public_key(pk, k->rdata + 4, &plen))
			abort();
		k->rdlen = 36;
	}
	memcpy(k->origin, origin, origin_len);
	k->flags = flags;
	k->alg = alg;
	k->rdata[0] = (uint8_t)(flags >> 8);
	k->rdata[1] = (uint8_t)flags;
	k->rdata[2] = 3;
	k->rdata[3] = alg;
	k->tag = testkey_tag(k->rdata, k->rdlen);
	k->pkey = pk;
	return k;
}

void
testkey_free(struct dnskey *k)
{
	EVP_PKEY_free(k->pkey);
	free(k);
}


bool
testkey_verify(const struct dnskey *k, const uint8_t *data, size_t len,
    const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t der[DNSKEY_SIG_MAX];
	const uint8_t *s = sig;
	size_t slen = siglen;
	bool ok = false;

	if (k->alg == 13) {
		ECDSA_SIG *es = ECDSA_SIG_new();
		uint8_t *p = der;
		if (siglen != 64 || es == NULL || !ECDSA_SIG_set0(es,
		    BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL)))
			abort();
		slen = (size_t)i2d_ECDSA_SIG(es, &p);
		ECDSA_SIG_free(es);
		s = der;
	}
	if (md != NULL && EVP_DigestVerifyInit(md, NULL, k->alg == 13 ?
	    EVP_sha256() : NULL, NULL, k->pkey) == 1)
		ok = EVP_DigestVerify(md, s, slen, data, len) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

