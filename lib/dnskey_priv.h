/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * What dnskey.c (the algorithms and libcrypto) and dnskey_file.c (BIND's
 * key files, key directories) share.
 * Not an interface: nothing else includes this.
 */
#ifndef APEX_DNSKEY_PRIV_H
#define APEX_DNSKEY_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "dnskey.h"
#include "sbuf.h"

#define FIELD_MAX	1024	/* octets of one decoded private field */
#define RSA_NFIELDS	8	/* Modulus .. Coefficient */

enum dnskey_kind { DKA_RSA, DKA_EC, DKA_ED };

struct dnskey_alg {
	uint8_t		 num;
	const char	*name;
	bool		 ok;		/* apex signs with it */
	enum dnskey_kind kind;
	const char	*evp;		/* EC group or EdDSA key type */
	size_t		 len;		/* EC coordinate / EdDSA key octets */
	unsigned	 bits;		/* fixed size; 0: RSA */
	const char	*md;		/* digest; NULL: EdDSA */
};

/* The private fields of a .private file, decoded; wiped after use. */
struct dnskey_priv_fields {
	uint8_t	v[RSA_NFIELDS][FIELD_MAX];
	int	len[RSA_NFIELDS];	/* 0: absent */
};

/* An algorithm known by number; one apex signs with. NULL if not. */
const struct dnskey_alg	*dnskey_alg_find(uint8_t);
const struct dnskey_alg	*dnskey_alg_usable(uint8_t);

/* Base64: appended to sb (a space every 56 characters if wrap); read
 * ignoring whitespace (returns the octets, or -1). */
void	dnskey_b64_put(struct sbuf *sb, const uint8_t *, size_t, bool wrap);

/* The key size of a DNSKEY RDATA in bits as BIND counts it (0: bad). */
unsigned	 dnskey_rdata_bits(const struct dnskey_alg *, const uint8_t *rd,
		    size_t rdlen);
/* The EVP_PKEY of a DNSKEY RDATA; ecpriv adds an EC private scalar. */
EVP_PKEY	*dnskey_pkey_public(const struct dnskey_alg *,
		    const uint8_t *rd, size_t rdlen, const BIGNUM *ecpriv);
/* The DNSKEY RDATA of a key. Returns: 0 or -1. */
int		 dnskey_rdata_of(const struct dnskey_alg *, EVP_PKEY *,
		    uint16_t flags, uint8_t *rd, uint16_t *rdlen);
/* A new key pair; NULL if libcrypto failed. */
EVP_PKEY	*dnskey_keygen(const struct dnskey_alg *, unsigned bits);

/* Takes one "Tag: value" of .private if it is key material (0; -1 if
 * it does not decode); others are left to the caller (0). */
int		 dnskey_priv_field(const struct dnskey_alg *, const char *tag,
		    const char *val, struct dnskey_priv_fields *);
/* The private key of the fields, checked against k's DNSKEY; NULL with
 * *why set if they do not make one. */
EVP_PKEY	*dnskey_priv_pkey(const struct dnskey *k,
		    const struct dnskey_alg *, struct dnskey_priv_fields *,
		    const char **why);
/* The header and key material lines of k's .private. Returns: 0 or
 * -1. sb must be big enough never to grow (see dnskey_file.c). */
int		 dnskey_priv_text(const struct dnskey *k,
		    const struct dnskey_alg *, struct sbuf *sb);

#endif
