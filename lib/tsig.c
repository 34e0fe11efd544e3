/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * TSIG signing and verification with OpenSSL's HMAC (EVP_MAC).
 * Runs in: workers (signed queries), apex-xferd (transfers, NOTIFY).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "base64.h"
#include "conf.h"
#include "error.h"
#include "pkt.h"
#include "rr.h"
#include "tsig.h"

static const struct {
	const char	*name;		/* as in named.conf */
	const char	*digest;	/* OpenSSL's name */
	const uint8_t	*wire;
	size_t		 hashlen;
} algs[] = {
	[TSIG_HMAC_MD5] = { "hmac-md5", "MD5",
	    (const uint8_t *)"\10hmac-md5\7sig-alg\3reg\3int", 16 },
	[TSIG_HMAC_SHA1] = { "hmac-sha1", "SHA1",
	    (const uint8_t *)"\11hmac-sha1", 20 },
	[TSIG_HMAC_SHA224] = { "hmac-sha224", "SHA224",
	    (const uint8_t *)"\13hmac-sha224", 28 },
	[TSIG_HMAC_SHA256] = { "hmac-sha256", "SHA256",
	    (const uint8_t *)"\13hmac-sha256", 32 },
	[TSIG_HMAC_SHA384] = { "hmac-sha384", "SHA384",
	    (const uint8_t *)"\13hmac-sha384", 48 },
	[TSIG_HMAC_SHA512] = { "hmac-sha512", "SHA512",
	    (const uint8_t *)"\13hmac-sha512", 64 },
};

const uint8_t *
tsig_alg_name(enum tsig_alg a)
{
	return algs[a].wire;
}

int
tsig_alg_parse(const char *s, enum tsig_alg *a, unsigned *mac_len)
{
	char name[64];
	const char *dash = strrchr(s, '-');
	char *end;

	if (tsig_alg_from_str(s, a) == 0) {
		*mac_len = (unsigned)algs[*a].hashlen;
		return 0;
	}
	/* BIND's NAME-BITS: MACs truncated to BITS (RFC 8945 5.2.2.1). */
	if (dash == NULL || (size_t)(dash - s) >= sizeof(name))
		return -1;
	memcpy(name, s, (size_t)(dash - s));
	name[dash - s] = '\0';
	long bits = strtol(dash + 1, &end, 10);
	if (*end != '\0' || dash[1] == '\0' ||
	    tsig_alg_from_str(name, a) != 0 || bits % 8 != 0)
		return -1;
	size_t full = algs[*a].hashlen, min = full / 2 > 10 ? full / 2 : 10;
	if ((size_t)bits / 8 < min || (size_t)bits / 8 > full)
		return -1;
	*mac_len = (unsigned)bits / 8;
	return 0;
}

int
tsig_alg_from_str(const char *s, enum tsig_alg *a)
{
	if (strcasecmp(s, "hmac-md5.sig-alg.reg.int") == 0) {
		*a = TSIG_HMAC_MD5;
		return 0;
	}
	for (size_t i = 0; i < nitems(algs); i++)
		if (strcasecmp(s, algs[i].name) == 0) {
			*a = (enum tsig_alg)i;
			return 0;
		}
	return -1;
}

/* ---- keys --------------------------------------------------------- */

int
tsig_keyring_load(const struct conf *cf, struct tsig_keyring *kr)
{
	kr->n = 0;
	kr->keys = xcalloc(cf->nkeys + 1, sizeof(*kr->keys));
	for (unsigned i = 0; i < cf->nkeys; i++) {
		struct tsig_key *k = &kr->keys[kr->n];
		int len = dname_from_str(cf->keys[i].name, NULL, k->name);
		unsigned mac_len;
		int slen = base64_decode(cf->keys[i].secret, k->secret,
		    sizeof(k->secret));
		if (len < 0 || slen < 0 || tsig_alg_parse(cf->keys[i].algorithm,
		    &k->alg, &mac_len) != 0) {
			tsig_keyring_free(kr);
			return APEX_EINVAL;
		}
		k->secret_len = (size_t)slen;
		dname_lower(k->name, k->name, (size_t)len);
		k->name_str = xstrdup(cf->keys[i].name);
		k->mac_len = (uint16_t)mac_len;
		kr->n++;
	}
	return 0;
}

void
tsig_keyring_free(struct tsig_keyring *kr)
{
	for (unsigned i = 0; i < kr->n; i++) {
		OPENSSL_cleanse(kr->keys[i].secret, sizeof(kr->keys[i].secret));
		free(kr->keys[i].name_str);
	}
	free(kr->keys);
	kr->keys = NULL;
	kr->n = 0;
}

const struct tsig_key *
tsig_find_key(const struct tsig_keyring *kr, const uint8_t *name)
{
	for (unsigned i = 0; i < kr->n; i++)
		if (dname_equal(kr->keys[i].name, name))
			return &kr->keys[i];
	return NULL;
}

const struct tsig_key *
tsig_find_key_str(const struct tsig_keyring *kr, const char *name)
{
	uint8_t n[DNAME_MAXLEN];

	if (dname_from_str(name, NULL, n) < 0)
		return NULL;
	return tsig_find_key(kr, n);
}

/* ---- the record --------------------------------------------------- */

int
tsig_parse(const uint8_t *msg, size_t len, size_t pos, struct tsig_rr *rr)
{
	int n;

	if ((n = dname_unpack(msg, len, &pos, rr->key)) < 0)
		return APEX_EMALF;
	dname_lower(rr->key, rr->key, (size_t)n);
	if (len - pos < 10 || get16(msg + pos) != TYPE_TSIG ||
	    get16(msg + pos + 2) != CLASS_ANY || get32(msg + pos + 4) != 0)
		return APEX_EMALF;
	size_t rdlen = get16(msg + pos + 8);
	pos += 10;
	if (len - pos != rdlen)
		return APEX_EMALF;	/* the last record, and all of it */
	/* RFC 8945 4.2: the algorithm name is not compressed. */
	if ((n = dname_scan(msg + pos, len - pos, NULL)) < 0)
		return APEX_EMALF;
	dname_lower(rr->alg, msg + pos, (size_t)n);
	pos += (size_t)n;
	if (len - pos < 10)
		return APEX_EMALF;
	rr->time = (uint64_t)get16(msg + pos) << 32 | get32(msg + pos + 2);
	rr->fudge = get16(msg + pos + 6);
	rr->mac_len = get16(msg + pos + 8);
	pos += 10;
	if (len - pos < (size_t)rr->mac_len + 6)
		return APEX_EMALF;
	rr->mac = msg + pos;
	pos += rr->mac_len;
	rr->orig_id = get16(msg + pos);
	rr->error = get16(msg + pos + 2);
	rr->other_len = get16(msg + pos + 4);
	pos += 6;
	if (len - pos != rr->other_len)
		return APEX_EMALF;
	rr->other = msg + pos;
	return 0;
}

/* ---- digests ------------------------------------------------------ */

static EVP_MAC *
hmac(void)
{
	static EVP_MAC *m;

	if (m == NULL)
		m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	return m;
}

static EVP_MAC_CTX *
digest_new(const struct tsig_key *k)
{
	EVP_MAC_CTX *c;
	OSSL_PARAM params[2];

	if (hmac() == NULL || (c = EVP_MAC_CTX_new(hmac())) == NULL)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)algs[k->alg].digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(c, k->secret, k->secret_len, params) != 1) {
		EVP_MAC_CTX_free(c);
		return NULL;
	}
	return c;
}

static void
digest_add(EVP_MAC_CTX *c, const void *p, size_t n)
{
	if (n > 0)
		(void)EVP_MAC_update(c, p, n);
}

static void
digest_prior(EVP_MAC_CTX *c, const uint8_t *mac, uint16_t len)
{
	uint8_t l[2];

	put16(l, len);
	digest_add(c, l, 2);
	digest_add(c, mac, len);
}

/* The message as it was before the TSIG record: ID back to the original,
 * ARCOUNT less one (RFC 8945 4.3.2). */
static void
digest_unsigned_form(EVP_MAC_CTX *c, const uint8_t *msg, size_t pos,
    uint16_t orig_id)
{
	uint8_t hdr[PKT_HDRLEN];

	memcpy(hdr, msg, PKT_HDRLEN);
	put16(hdr, orig_id);
	put16(hdr + 10, (uint16_t)(get16(hdr + 10) - 1));
	digest_add(c, hdr, PKT_HDRLEN);
	digest_add(c, msg + PKT_HDRLEN, pos - PKT_HDRLEN);
}

/* TSIG variables (RFC 8945 4.3.3), or just the timers (5.3.1). */
static void
digest_variables(EVP_MAC_CTX *c, const struct tsig_key *k, uint64_t t,
    uint16_t fudge, uint16_t error, const uint8_t *other, uint16_t olen,
    bool timers_only)
{
	uint8_t b[16];

	if (!timers_only) {
		digest_add(c, k->name, dname_len(k->name));
		put16(b, CLASS_ANY);
		put32(b + 2, 0);
		digest_add(c, b, 6);
		digest_add(c, algs[k->alg].wire,
		    dname_len(algs[k->alg].wire));
	}
	put16(b, (uint16_t)(t >> 32));
	put32(b + 2, (uint32_t)t);
	put16(b + 6, fudge);
	digest_add(c, b, 8);
	if (!timers_only) {
		put16(b, error);
		put16(b + 2, olen);
		digest_add(c, b, 4);
		digest_add(c, other, olen);
	}
}

static size_t
digest_final(EVP_MAC_CTX *c, uint8_t *out)
{
	size_t n = 0;

	if (EVP_MAC_final(c, out, &n, TSIG_MAXMAC) != 1)
		n = 0;
	EVP_MAC_CTX_free(c);
	return n;
}

void
tsig_init(void)
{
	struct tsig_key k;
	uint8_t out[TSIG_MAXMAC];

	memset(&k, 0, sizeof(k));
	k.secret_len = 16;
	for (size_t i = 0; i < nitems(algs); i++) {
		k.alg = (enum tsig_alg)i;
		EVP_MAC_CTX *c = digest_new(&k);
		if (c != NULL) {
			digest_add(c, "x", 1);
			(void)digest_final(c, out);
		}
	}
}

/* ---- exchanges ---------------------------------------------------- */

void
tsig_ctx_init(struct tsig_ctx *ctx, const struct tsig_key *key)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->key = key;
}

void
tsig_ctx_free(struct tsig_ctx *ctx)
{
	if (ctx->running != NULL)
		EVP_MAC_CTX_free(ctx->running);
	ctx->running = NULL;
}

void
tsig_add_unsigned(struct tsig_ctx *ctx, const uint8_t *msg, size_t len)
{
	if (ctx->key == NULL || ctx->stage < 2)
		return;
	if (ctx->running == NULL) {
		if ((ctx->running = digest_new(ctx->key)) == NULL)
			return;
		digest_prior(ctx->running, ctx->mac, ctx->mac_len);
	}
	digest_add(ctx->running, msg, len);
	ctx->unsigned_since++;
}

/*
 * The digest that covers this message (without its TSIG record): a
 * request alone with every variable; the first response after the
 * request MAC, with every variable; later messages after the prior MAC
 * and the unsigned messages since, with the timers only (RFC 8945 4.3,
 * 5.3.1).
 */
static EVP_MAC_CTX *
message_digest(struct tsig_ctx *ctx, const uint8_t *msg, size_t pos,
    uint16_t orig_id, bool *timers_only)
{
	EVP_MAC_CTX *c;

	*timers_only = ctx->stage == 2;
	if (ctx->stage == 2 && ctx->running != NULL) {
		c = ctx->running;
		ctx->running = NULL;
	} else {
		if ((c = digest_new(ctx->key)) == NULL)
			return NULL;
		if (ctx->stage > 0)
			digest_prior(c, ctx->mac, ctx->mac_len);
	}
	digest_unsigned_form(c, msg, pos, orig_id);
	return c;
}

static void
next_stage(struct tsig_ctx *ctx)
{
	if (ctx->stage < 2)
		ctx->stage++;
	ctx->unsigned_since = 0;
}

int
tsig_sign(struct tsig_ctx *ctx, uint8_t *msg, size_t *len, size_t cap,
    uint64_t now, uint16_t error, uint16_t orig_id)
{
	const struct tsig_key *k = ctx->key;
	uint8_t other[6], mac[TSIG_MAXMAC];
	uint16_t olen = 0;
	size_t maclen = 0, pos = *len;
	bool timers_only = false;

	if (error == TSIG_BADTIME) {
		/* RFC 8945 5.2.3: the server's time, for the client. */
		put16(other, (uint16_t)(now >> 32));
		put32(other + 2, (uint32_t)now);
		olen = 6;
	}
	/* BADKEY and BADSIG go out unsigned, under the request's names. */
	const uint8_t *key = k ? k->name : ctx->req_key;
	const uint8_t *alg = k ? algs[k->alg].wire : ctx->req_alg;
	if (k == NULL && !ctx->req_set)
		return APEX_EINVAL;
	size_t keylen = dname_len(key), alglen = dname_len(alg);
	if (k != NULL) {
		/* The MAC covers the message with the ARCOUNT it has before
		 * our record, which digest_unsigned_form() expects to count
		 * one more. */
		put16(msg + 10, (uint16_t)(get16(msg + 10) + 1));
		EVP_MAC_CTX *c = message_digest(ctx, msg, pos, orig_id,
		    &timers_only);
		put16(msg + 10, (uint16_t)(get16(msg + 10) - 1));
		if (c == NULL)
			return APEX_EIO;
		digest_variables(c, k, now, TSIG_FUDGE, error, other, olen,
		    timers_only);
		maclen = digest_final(c, mac);
		if (k->mac_len != 0 && k->mac_len < maclen)
			maclen = k->mac_len;	/* truncated, as configured */
	}
	size_t need = keylen + 10 + alglen + 10 + maclen + 6 + olen;
	if (cap - pos < need)
		return APEX_ESPACE;
	uint8_t *p = msg + pos;
	memcpy(p, key, keylen);
	p += keylen;
	put16(p, TYPE_TSIG);
	put16(p + 2, CLASS_ANY);
	put32(p + 4, 0);
	put16(p + 8, (uint16_t)(alglen + 10 + maclen + 6 + olen));
	p += 10;
	memcpy(p, alg, alglen);
	p += alglen;
	put16(p, (uint16_t)(now >> 32));
	put32(p + 2, (uint32_t)now);
	put16(p + 6, TSIG_FUDGE);
	put16(p + 8, (uint16_t)maclen);
	p += 10;
	if (maclen > 0)
		memcpy(p, mac, maclen);
	p += maclen;
	put16(p, orig_id);
	put16(p + 2, error);
	put16(p + 4, olen);
	if (olen > 0)
		memcpy(p + 6, other, olen);
	p += 6 + olen;
	*len = (size_t)(p - msg);
	put16(msg + 10, (uint16_t)(get16(msg + 10) + 1));
	if (maclen > 0)
		memcpy(ctx->mac, mac, maclen);
	ctx->mac_len = (uint16_t)maclen;
	next_stage(ctx);
	return 0;
}

/* RFC 8945 5.2.2.1: a MAC may be truncated, but not below the larger of
 * 10 octets and half the hash, and never be longer than the hash. */
static int
check_mac_len(const struct tsig_key *k, uint16_t len)
{
	size_t full = algs[k->alg].hashlen;
	size_t min = full / 2 > 10 ? full / 2 : 10;

	if (len > full || len < min)
		return TSIG_FORMERR_MAC;
	return TSIG_NOERROR;
}

size_t
tsig_space(const struct tsig_ctx *ctx, uint16_t error)
{
	const struct tsig_key *k = ctx->key;
	const uint8_t *key = k ? k->name : ctx->req_key;
	const uint8_t *alg = k ? algs[k->alg].wire : ctx->req_alg;
	size_t mac = 0;

	if (k != NULL)
		mac = k->mac_len != 0 ? k->mac_len : algs[k->alg].hashlen;
	/* owner, TYPE CLASS TTL RDLENGTH, algorithm, time, fudge, MAC size,
	 * MAC, original ID, error, other length, other data */
	return dname_len(key) + 10 + dname_len(alg) + 6 + 2 + 2 + mac + 2 +
	    2 + 2 + (error == TSIG_BADTIME ? 6 : 0);
}

static int
verify_mac(struct tsig_ctx *ctx, const uint8_t *msg, size_t pos,
    const struct tsig_rr *rr)
{
	const struct tsig_key *k = ctx->key;
	uint8_t mac[TSIG_MAXMAC];
	bool timers_only;
	int e;

	if ((e = check_mac_len(k, rr->mac_len)) != TSIG_NOERROR)
		return e;
	EVP_MAC_CTX *c = message_digest(ctx, msg, pos, rr->orig_id,
	    &timers_only);
	if (c == NULL)
		return TSIG_BADSIG;
	digest_variables(c, k, rr->time, rr->fudge, rr->error, rr->other,
	    rr->other_len, timers_only);
	size_t n = digest_final(c, mac);
	if (n < rr->mac_len || CRYPTO_memcmp(mac, rr->mac, rr->mac_len) != 0)
		return TSIG_BADSIG;
	memcpy(ctx->mac, rr->mac, rr->mac_len);
	ctx->mac_len = rr->mac_len;
	next_stage(ctx);
	/* Genuine, but shorter than this key allows (RFC 8945 5.2.2.1):
	 * answered BADTRUNC, signed. */
	if (k->mac_len != 0 && rr->mac_len < k->mac_len)
		return TSIG_BADTRUNC;
	return TSIG_NOERROR;
}

static bool
on_time(const struct tsig_rr *rr, uint64_t now)
{
	uint64_t d = now > rr->time ? now - rr->time : rr->time - now;

	return d <= rr->fudge;
}

int
tsig_verify_request(const struct tsig_keyring *kr, const uint8_t *msg,
    size_t len, size_t pos, uint64_t now, struct tsig_ctx *ctx,
    struct tsig_rr *rr)
{
	tsig_ctx_init(ctx, NULL);
	if (tsig_parse(msg, len, pos, rr) != 0)
		return TSIG_FORMERR;
	memcpy(ctx->req_key, rr->key, dname_len(rr->key));
	memcpy(ctx->req_alg, rr->alg, dname_len(rr->alg));
	ctx->req_set = true;
	const struct tsig_key *k = tsig_find_key(kr, rr->key);
	if (k == NULL || !dname_equal(rr->alg, algs[k->alg].wire))
		return TSIG_BADKEY;
	ctx->key = k;
	int e = verify_mac(ctx, msg, pos, rr);
	if (e == TSIG_BADTRUNC)
		return e;
	if (e != TSIG_NOERROR) {
		/* BADSIG is answered unsigned; FORMERR stays FORMERR. */
		ctx->key = NULL;
		ctx->mac_len = 0;
		return e;
	}
	/* RFC 8945 5.2.3: the time is checked after the MAC. */
	if (!on_time(rr, now))
		return TSIG_BADTIME;
	return TSIG_NOERROR;
}

int
tsig_verify_response(struct tsig_ctx *ctx, const uint8_t *msg, size_t len,
    size_t pos, uint64_t now, struct tsig_rr *rr)
{
	if (tsig_parse(msg, len, pos, rr) != 0)
		return TSIG_FORMERR;
	if (ctx->key == NULL || !dname_equal(rr->key, ctx->key->name) ||
	    !dname_equal(rr->alg, algs[ctx->key->alg].wire))
		return TSIG_BADKEY;
	if (rr->error != TSIG_NOERROR)
		return rr->error;	/* the server did not accept ours */
	int e = verify_mac(ctx, msg, pos, rr);
	if (e != TSIG_NOERROR)
		return e;
	return on_time(rr, now) ? TSIG_NOERROR : TSIG_BADTIME;
}
