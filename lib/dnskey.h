/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * DNSSEC keys in BIND's file format, and what is done with them.
 *
 * A key is three files in a key directory, named K<zone>+<alg>+<tag>
 * (zone in presentation form with its trailing dot, alg and tag as
 * three- and five-digit decimals): .key holds the DNSKEY record (and
 * BIND's timing comments), .private the private key (BIND's
 * "Private-key-format: v1.3", mode 0600), .state the key manager's
 * state (BIND 9.18's fields: Algorithm, Length, Lifetime, KSK, ZSK,
 * Predecessor, Successor, Generated, Published, Active, Retired,
 * Removed, PublishCDS, DeleteCDS, DNSKEYChange, ZRRSIGChange,
 * KRRSIGChange, DSChange, DNSKEYState, ZRRSIGState, KRRSIGState,
 * DSState, GoalState). Keys made by dnssec-keygen are read as they are,
 * and keys written here are read by dnssec-signzone.
 *
 * Cryptography is OpenSSL's (libcrypto). Algorithms: RSASHA256 (8),
 * RSASHA512 (10), ECDSAP256SHA256 (13), ECDSAP384SHA384 (14), ED25519
 * (15), ED448 (16).
 *
 * Runs in: the signer (private keys), apex-named -C and apex-ctl
 * (public parts only).
 */
#ifndef APEX_DNSKEY_H
#define APEX_DNSKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dname.h"
#include "util.h"

#define DNSKEY_F_ZONE	0x0100	/* flags: a zone key */
#define DNSKEY_F_REVOKE	0x0080	/* flags: revoked (RFC 5011) */
#define DNSKEY_F_SEP	0x0001	/* flags: secure entry point (KSK) */
#define DNSKEY_SIG_MAX	512	/* octets of the largest signature */
#define DNSKEY_RDATA_MAX	1024	/* of the largest DNSKEY RDATA */

enum dnskey_role {
	DNSKEY_ROLE_KSK = 0x1,
	DNSKEY_ROLE_ZSK = 0x2,
	DNSKEY_ROLE_CSK = 0x3,
};

/* RFC 7583 / BIND keymgr states of one record type of a key. */
enum dnskey_state {
	DST_NA = 0,		/* field absent from the .state file */
	DST_HIDDEN,
	DST_RUMOURED,
	DST_OMNIPRESENT,
	DST_UNRETENTIVE,
};

/* The key's timing (seconds since the epoch; 0: not set). */
enum dnskey_time {
	DKT_CREATED,		/* .state "Generated", .private "Created" */
	DKT_PUBLISH,
	DKT_ACTIVATE,
	DKT_INACTIVE,		/* "Retired" */
	DKT_DELETE,		/* "Removed" */
	DKT_SYNCPUBLISH,	/* "PublishCDS" */
	DKT_SYNCDELETE,		/* "DeleteCDS" */
	DKT_DNSKEY_CHANGE,
	DKT_ZRRSIG_CHANGE,
	DKT_KRRSIG_CHANGE,
	DKT_DS_CHANGE,
	DKT_DS_PUBLISH,		/* when the parent was seen with the DS */
	DKT_DS_DELETE,		/* and without it */
	DKT_COUNT,
};

enum dnskey_record {
	DKR_DNSKEY,
	DKR_ZRRSIG,
	DKR_KRRSIG,
	DKR_DS,
	DKR_COUNT,
};

struct dnskey {
	uint8_t		 origin[DNAME_MAXLEN];	/* lowercase wire form */
	char		 base[4096];	/* path without .key/.private/.state */
	uint16_t	 flags;
	uint8_t		 alg;
	uint16_t	 tag;
	unsigned	 bits;		/* key size (Length in .state) */
	uint8_t		 rdata[DNSKEY_RDATA_MAX];	/* the DNSKEY RDATA */
	uint16_t	 rdlen;
	uint32_t	 ttl;		/* of the record in .key */

	/* From .state (or derived as BIND does for keys without one). */
	bool		 has_state;
	unsigned	 role;		/* enum dnskey_role bits */
	uint32_t	 lifetime;	/* seconds; 0: unlimited */
	uint16_t	 predecessor, successor;	/* tags; 0: none */
	int64_t		 t[DKT_COUNT];
	enum dnskey_state goal;
	enum dnskey_state st[DKR_COUNT];

	void		*pkey;		/* EVP_PKEY *; NULL: public only */
};

/* The tag of a DNSKEY RDATA (RFC 4034 appendix B). */
uint16_t	dnskey_tag(const uint8_t *rdata, size_t rdlen);

/* Whether apex can sign with alg; its name ("ECDSAP256SHA256"), or NULL. */
bool		 dnskey_alg_supported(uint8_t alg);
const char	*dnskey_alg_name(uint8_t alg);
/* An algorithm by mnemonic (any case) or number; 0 if unknown. */
uint8_t		 dnskey_alg_from_name(const char *name);
/* The key size of alg when none is given (RSA: 2048), and whether bits
 * is allowed for it (RSA 1024..4096; fixed for the others). */
unsigned	 dnskey_alg_default_bits(uint8_t alg);
bool		 dnskey_alg_bits_ok(uint8_t alg, unsigned bits);

/*
 * Makes a new key for origin in dir and writes its three files (.private
 * 0600, created O_EXCL; a tag already in use in dir is avoided). The
 * state starts with every record hidden and no times but Generated; the
 * caller sets role, lifetime and goal, then dnskey_write_state().
 * Returns: 0, APEX_EIO (errno set) or APEX_ECRYPTO.
 * Ownership: caller owns *out; release with dnskey_free().
 */
int	dnskey_generate(const char *dir, const uint8_t *origin, uint8_t alg,
	    unsigned bits, uint16_t flags, time_t now, struct dnskey **out)
	    MUST_CHECK;

/*
 * Reads base.key, base.state if present, and base.private if
 * want_private. err gets a reason on failure.
 * Returns: 0, APEX_EIO (a file missing or unreadable), APEX_EMALF (a
 * file that does not parse) or APEX_ECRYPTO.
 */
int	dnskey_load(const char *base, bool want_private, struct dnskey **out,
	    char *err, size_t errlen) MUST_CHECK;

/*
 * Every key of origin in dir (files K<origin>+*.key), sorted by tag,
 * each loaded as dnskey_load() does. A key whose files do not load is
 * reported through err (the first one) and skipped.
 * Returns: 0 or APEX_EIO (the directory cannot be read).
 * Ownership: caller owns the array and keys; dnskey_free_all().
 */
int	dnskey_scan(const char *dir, const uint8_t *origin, bool want_private,
	    struct dnskey ***keys, unsigned *n, char *err, size_t errlen)
	    MUST_CHECK;

/* Writes base.state (and the timing comments of base.key) through a
 * temporary file and rename. Returns: 0 or APEX_EIO. */
int	dnskey_write_state(const struct dnskey *) MUST_CHECK;

void	dnskey_free(struct dnskey *);
void	dnskey_free_all(struct dnskey **, unsigned n);

/*
 * Signs data (the RRSIG RDATA without its signature, then the RRset in
 * canonical form, RFC 4034 3.1.8.1) and writes the signature field in
 * DNSSEC form: RSA PKCS#1 v1.5, ECDSA r||s (RFC 6605), EdDSA (RFC 8080).
 * Returns: the signature's length, or -1 (no private key, or libcrypto
 * failed).
 */
int	dnskey_sign(const struct dnskey *, const uint8_t *data, size_t len,
	    uint8_t sig[DNSKEY_SIG_MAX]) MUST_CHECK;
/* The length of every signature the key makes; 0 if it cannot sign. */
size_t	dnskey_sig_len(const struct dnskey *);

/*
 * A key set up for signing many times: the same signatures as
 * dnskey_sign() with less work each. One per thread: a signer is not
 * shared. NULL if the key cannot sign.
 * Ownership: caller owns it; release with dnskey_signer_free(). It
 * refers to the key, which must outlive it.
 */
struct dnskey_signer;
struct dnskey_signer	*dnskey_signer_new(const struct dnskey *);
int	dnskey_signer_sign(struct dnskey_signer *, const uint8_t *data,
	    size_t len, uint8_t sig[DNSKEY_SIG_MAX]) MUST_CHECK;
void	dnskey_signer_free(struct dnskey_signer *);

/* Whether sig over data verifies with the key (for tests). */
bool	dnskey_verify(const struct dnskey *, const uint8_t *data, size_t len,
	    const uint8_t *sig, size_t siglen);

/*
 * The DS (and CDS) RDATA of the key with digest type 2 (SHA-256) or 4
 * (SHA-384), RFC 4509 / 6605. Returns: its length, or -1.
 */
int	dnskey_ds(const struct dnskey *, uint8_t digest, uint8_t *out,
	    size_t outlen);

/* The name of a state ("omnipresent"), and back; DST_NA if unknown. */
const char		*dnskey_state_name(enum dnskey_state);
enum dnskey_state	 dnskey_state_from_name(const char *);

#endif
