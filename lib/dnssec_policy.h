/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * A dnssec-policy (BIND 9.18's grammar): the keys a zone is signed with
 * and the timings of signing and key rollovers. Read by lib/conf_dnssec.c,
 * used by the key manager (lib/keymgr.c) and the signer.
 *
 * Every duration is in seconds. The built-in policies are "default" (one
 * CSK, ECDSAP256SHA256, unlimited lifetime, NSEC) and "insecure" (no
 * keys: the way from signed back to unsigned), and "none" (no policy).
 */
#ifndef APEX_DNSSEC_POLICY_H
#define APEX_DNSSEC_POLICY_H

#include <stdbool.h>
#include <stdint.h>

struct dnssec_policy_key {
	unsigned	 role;		/* enum dnskey_role */
	bool		 key_directory;	/* "key-directory" was written */
	uint32_t	 lifetime;	/* 0: unlimited */
	uint8_t		 alg;
	unsigned	 bits;		/* 0: the algorithm's default */
};

struct dnssec_policy {
	char			*name;
	bool			 builtin;	/* default or insecure */
	bool			 insecure;	/* no keys: go unsigned */
	struct dnssec_policy_key *keys;
	unsigned		 nkeys;
	uint32_t		 dnskey_ttl;		/* 3600 */
	uint32_t		 publish_safety;	/* 3600 */
	uint32_t		 retire_safety;		/* 3600 */
	uint32_t		 purge_keys;		/* P90D; 0: never */
	uint32_t		 signatures_refresh;	/* P5D */
	uint32_t		 signatures_validity;	/* P14D */
	uint32_t		 signatures_validity_dnskey;	/* P14D */
	uint32_t		 signatures_jitter;	/* PT12H */
	uint32_t		 max_zone_ttl;		/* PT24H */
	uint32_t		 zone_propagation_delay;	/* PT5M */
	uint32_t		 parent_ds_ttl;		/* P1D */
	uint32_t		 parent_propagation_delay;	/* PT1H */
	bool			 nsec3;		/* nsec3param was written */
	uint16_t		 nsec3_iterations;	/* 0 */
	bool			 nsec3_optout;		/* no */
	uint8_t			 nsec3_saltlen;		/* 0 */
	const char		*conf_file;
	unsigned		 conf_line;
};

#endif
