/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The ISC command channel codec (isccc.h): rndc's messages parsed in
 * place and written into a fixed buffer, and their HMACs.
 * Runs in: control.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "base64.h"
#include "error.h"
#include "isccc.h"

#define MD5_B64		22	/* base64 of an MD5 digest, padding cut */
#define SHA_B64		88	/* room for the base64 of any SHA digest */

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- parsing ------------------------------------------------------ */

/* One value at *pos of r: its type and contents; *pos moves past it. */
static int
value_at(struct isccc_region r, uint32_t *pos, uint8_t *type,
    struct isccc_region *val)
{
	if (r.len - *pos < 5)
		return APEX_EMALF;
	*type = r.p[*pos];
	uint32_t len = rd32(r.p + *pos + 1);
	*pos += 5;
	if (len > r.len - *pos)
		return APEX_EMALF;
	val->p = r.p + *pos;
	val->len = len;
	*pos += len;
	return 0;
}

/* One key at *pos: *pos moves to its value. */
static int
key_at(struct isccc_region r, uint32_t *pos, struct isccc_region *key)
{
	if (*pos >= r.len)
		return APEX_EMALF;
	uint32_t len = r.p[*pos];
	if (len > r.len - *pos - 1)
		return APEX_EMALF;
	key->p = r.p + *pos + 1;
	key->len = len;
	*pos += 1 + len;
	return 0;
}

static int	check_value(uint8_t type, struct isccc_region v,
		    unsigned depth);
static bool	lookup_any(struct isccc_region table, const char *key,
		    uint8_t *type, struct isccc_region *val);

static int
check_table(struct isccc_region t, unsigned depth)
{
	uint32_t pos = 0;

	if (depth > ISCCC_DEPTH_MAX)
		return APEX_EMALF;
	while (pos < t.len) {
		struct isccc_region k, v;
		uint8_t type;
		if (key_at(t, &pos, &k) != 0 ||
		    value_at(t, &pos, &type, &v) != 0 ||
		    check_value(type, v, depth + 1) != 0)
			return APEX_EMALF;
	}
	return 0;
}

static int
check_value(uint8_t type, struct isccc_region v, unsigned depth)
{
	uint32_t pos = 0;

	if (depth > ISCCC_DEPTH_MAX)
		return APEX_EMALF;
	switch (type) {
	case ISCCC_BINARY:
		return 0;
	case ISCCC_TABLE:
		return check_table(v, depth);
	case ISCCC_LIST:
		while (pos < v.len) {
			struct isccc_region e;
			uint8_t et;
			if (value_at(v, &pos, &et, &e) != 0 ||
			    check_value(et, e, depth + 1) != 0)
				return APEX_EMALF;
		}
		return 0;
	default:
		return APEX_EMALF;
	}
}

static bool
key_is(struct isccc_region k, const char *s)
{
	size_t n = strlen(s);

	return k.len == n && memcmp(k.p, s, n) == 0;
}

int
isccc_parse(const uint8_t *buf, size_t len, struct isccc_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (len < 4 || len > ISCCC_MSG_MAX || rd32(buf) != 1)
		return APEX_EMALF;
	m->top.p = buf + 4;
	m->top.len = (uint32_t)(len - 4);
	if (check_table(m->top, 0) != 0)
		return APEX_EMALF;
	uint32_t pos = 0;
	for (bool first = true; pos < m->top.len; first = false) {
		struct isccc_region k, v;
		uint8_t type;
		if (key_at(m->top, &pos, &k) != 0 ||
		    value_at(m->top, &pos, &type, &v) != 0)
			return APEX_EMALF;
		if (key_is(k, "_auth")) {
			/* The HMAC covers what follows it: only a first
			 * _auth can say what that is. */
			if (!first || type != ISCCC_TABLE)
				return APEX_EMALF;
			m->auth = v;
			m->signed_part.p = m->top.p + pos;
			m->signed_part.len = m->top.len - pos;
		}
	}
	uint8_t t;
	if ((lookup_any(m->top, "_ctrl", &t, &m->ctrl) && t != ISCCC_TABLE) ||
	    (lookup_any(m->top, "_data", &t, &m->data) && t != ISCCC_TABLE))
		return APEX_EMALF;
	return 0;
}

/* The last value of key in table, of any type. */
static bool
lookup_any(struct isccc_region table, const char *key, uint8_t *type,
    struct isccc_region *val)
{
	uint32_t pos = 0;
	bool found = false;

	while (pos < table.len) {
		struct isccc_region k, v;
		uint8_t t;
		if (key_at(table, &pos, &k) != 0 ||
		    value_at(table, &pos, &t, &v) != 0)
			return false;
		if (key_is(k, key)) {
			found = true;
			*type = t;
			*val = v;
		}
	}
	return found;
}

bool
isccc_lookup(struct isccc_region table, const char *key,
    enum isccc_type type, struct isccc_region *val)
{
	struct isccc_region v;
	uint8_t t;

	if (!lookup_any(table, key, &t, &v) || t != type)
		return false;
	*val = v;
	return true;
}

bool
isccc_get_str(struct isccc_region table, const char *key, char *out,
    size_t cap)
{
	struct isccc_region v;

	if (!isccc_lookup(table, key, ISCCC_BINARY, &v) || v.len >= cap ||
	    memchr(v.p, '\0', v.len) != NULL)
		return false;
	memcpy(out, v.p, v.len);
	out[v.len] = '\0';
	return true;
}

bool
isccc_get_u32(struct isccc_region table, const char *key, uint32_t *out)
{
	struct isccc_region v;
	uint64_t n = 0;

	if (!isccc_lookup(table, key, ISCCC_BINARY, &v) || v.len == 0 ||
	    v.len > 10)
		return false;
	for (uint32_t i = 0; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return false;
		n = n * 10 + (uint64_t)(v.p[i] - '0');
	}
	if (n > UINT32_MAX)
		return false;
	*out = (uint32_t)n;
	return true;
}

/* ---- HMAC ----------------------------------------------------------- */

static const struct {
	const char	*name;
	const char	*digest;
	enum isccc_alg	 alg;
} algs[] = {
	{ "hmac-md5", "MD5", ISCCC_HMAC_MD5 },
	{ "hmac-sha1", "SHA1", ISCCC_HMAC_SHA1 },
	{ "hmac-sha224", "SHA224", ISCCC_HMAC_SHA224 },
	{ "hmac-sha256", "SHA256", ISCCC_HMAC_SHA256 },
	{ "hmac-sha384", "SHA384", ISCCC_HMAC_SHA384 },
	{ "hmac-sha512", "SHA512", ISCCC_HMAC_SHA512 },
};

int
isccc_alg_from_str(const char *name, enum isccc_alg *alg)
{
	/* BIND accepts hmac-md5.sig-alg.reg.int. for MD5 too. */
	if (strcasecmp(name, "hmac-md5.sig-alg.reg.int") == 0 ||
	    strcasecmp(name, "hmac-md5.sig-alg.reg.int.") == 0) {
		*alg = ISCCC_HMAC_MD5;
		return 0;
	}
	for (size_t i = 0; i < nitems(algs); i++)
		if (strcasecmp(name, algs[i].name) == 0) {
			*alg = algs[i].alg;
			return 0;
		}
	return APEX_EINVAL;
}

/*
 * The field as it travels: the base64 of the HMAC of data, cut to 22
 * characters for MD5, else zero-padded to 88.
 * Returns: the field's length, or 0 if the library failed.
 */
static size_t
mac_field(enum isccc_alg alg, const uint8_t *secret, size_t slen,
    const uint8_t *data, size_t len, char out[SHA_B64 + 1])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	size_t mdlen = 0;
	const char *digest = NULL;

	for (size_t i = 0; i < nitems(algs); i++)
		if (algs[i].alg == alg)
			digest = algs[i].digest;
	if (digest == NULL || EVP_Q_mac(NULL, "HMAC", NULL, digest, NULL,
	    secret, slen, data, len, md, sizeof(md), &mdlen) == NULL)
		return 0;
	memset(out, 0, SHA_B64 + 1);
	char b64[BASE64_LEN(EVP_MAX_MD_SIZE) + 1];
	size_t n = base64_encode(md, mdlen, b64);
	memcpy(out, b64, n < SHA_B64 ? n : SHA_B64);
	OPENSSL_cleanse(md, sizeof(md));
	return alg == ISCCC_HMAC_MD5 ? MD5_B64 : SHA_B64;
}

bool
isccc_verify(const struct isccc_msg *m, enum isccc_alg alg,
    const uint8_t *secret, size_t secret_len)
{
	struct isccc_region v;
	char want[SHA_B64 + 1];
	size_t n;

	if (m->auth.p == NULL)
		return false;
	if (alg == ISCCC_HMAC_MD5) {
		if (!isccc_lookup(m->auth, "hmd5", ISCCC_BINARY, &v) ||
		    v.len != MD5_B64)
			return false;
	} else {
		if (!isccc_lookup(m->auth, "hsha", ISCCC_BINARY, &v) ||
		    v.len != SHA_B64 + 1 || v.p[0] != (uint8_t)alg)
			return false;
		v.p++;
		v.len--;
	}
	n = mac_field(alg, secret, secret_len, m->signed_part.p,
	    m->signed_part.len, want);
	return n != 0 && n == v.len && CRYPTO_memcmp(want, v.p, n) == 0;
}

/* ---- writing ------------------------------------------------------ */

static void
put(struct isccc_writer *w, const void *p, size_t n)
{
	if (w->overflow || n > w->cap - w->len) {
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void
put_key(struct isccc_writer *w, const char *key)
{
	size_t n = strlen(key);
	uint8_t l = (uint8_t)n;

	if (n > 255) {
		w->overflow = true;
		return;
	}
	put(w, &l, 1);
	put(w, key, n);
}

/* A type and a 32-bit length (to be filled if len is UINT32_MAX). */
static void
put_head(struct isccc_writer *w, uint8_t type, uint32_t len)
{
	uint8_t h[5];

	h[0] = type;
	wr32(h + 1, len == UINT32_MAX ? 0 : len);
	put(w, h, sizeof(h));
}

void
isccc_w_init(struct isccc_writer *w, uint8_t *buf, size_t cap,
    enum isccc_alg alg)
{
	static const uint8_t version[4] = { 0, 0, 0, 1 };
	uint8_t zero[SHA_B64 + 1];

	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
	w->alg = alg;
	put(w, version, 4);	/* the length prefix, filled at the end */
	put(w, version, 4);
	memset(zero, 0, sizeof(zero));
	bool md5 = alg == ISCCC_HMAC_MD5;
	uint32_t field = md5 ? MD5_B64 : SHA_B64 + 1;
	put_key(w, "_auth");
	put_head(w, ISCCC_TABLE, 1 + 4 + 5 + field);
	put_key(w, md5 ? "hmd5" : "hsha");
	put_head(w, ISCCC_BINARY, field);
	if (!md5)
		zero[0] = (uint8_t)alg;
	w->mac_at = w->len + (md5 ? 0 : 1);
	put(w, zero, field);
	w->signed_from = w->len;
}

void
isccc_w_table(struct isccc_writer *w, const char *key)
{
	put_key(w, key);
	put_head(w, ISCCC_TABLE, UINT32_MAX);
	if (w->depth == ISCCC_DEPTH_MAX) {
		w->overflow = true;
		return;
	}
	w->open[w->depth++] = w->len - 4;
}

void
isccc_w_end(struct isccc_writer *w)
{
	if (w->depth == 0) {
		w->overflow = true;
		return;
	}
	size_t at = w->open[--w->depth];
	if (!w->overflow)
		wr32(w->buf + at, (uint32_t)(w->len - at - 4));
}

void
isccc_w_str(struct isccc_writer *w, const char *key, const char *s)
{
	size_t n = strlen(s);

	put_key(w, key);
	put_head(w, ISCCC_BINARY, (uint32_t)n);
	put(w, s, n);
}

void
isccc_w_u32(struct isccc_writer *w, const char *key, uint32_t v)
{
	char num[16];

	snprintf(num, sizeof(num), "%u", v);
	isccc_w_str(w, key, num);
}

size_t
isccc_w_finish(struct isccc_writer *w, const uint8_t *secret,
    size_t secret_len)
{
	char mac[SHA_B64 + 1];

	if (w->overflow || w->depth != 0)
		return 0;
	size_t n = mac_field(w->alg, secret, secret_len,
	    w->buf + w->signed_from, w->len - w->signed_from, mac);
	if (n == 0)
		return 0;
	memcpy(w->buf + w->mac_at, mac, n);
	wr32(w->buf, (uint32_t)(w->len - 4));
	return w->len;
}
