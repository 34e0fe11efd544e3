/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Resource record types and classes: numbers, names, and what the query
 * engine needs to know about each type's RDATA (where names sit, which
 * may be compressed, which trigger additional-section processing).
 *
 * Only the types of RFC 1035 3.3 may have their RDATA names compressed on
 * output (RFC 3597 4); every other type is written as stored.
 */
#ifndef APEX_RR_H
#define APEX_RR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum rr_class {
	CLASS_IN = 1,
	CLASS_CH = 3,
	CLASS_HS = 4,
	CLASS_NONE = 254,
	CLASS_ANY = 255,
};

enum rr_type {
	TYPE_A = 1,
	TYPE_NS = 2,
	TYPE_MD = 3,
	TYPE_MF = 4,
	TYPE_CNAME = 5,
	TYPE_SOA = 6,
	TYPE_MB = 7,
	TYPE_MG = 8,
	TYPE_MR = 9,
	TYPE_NULL = 10,
	TYPE_PTR = 12,
	TYPE_HINFO = 13,
	TYPE_MINFO = 14,
	TYPE_MX = 15,
	TYPE_TXT = 16,
	TYPE_RP = 17,
	TYPE_AFSDB = 18,
	TYPE_SIG = 24,
	TYPE_KEY = 25,
	TYPE_AAAA = 28,
	TYPE_NXT = 30,
	TYPE_SRV = 33,
	TYPE_NAPTR = 35,
	TYPE_KX = 36,
	TYPE_DNAME = 39,
	TYPE_OPT = 41,
	TYPE_DS = 43,
	TYPE_RRSIG = 46,
	TYPE_NSEC = 47,
	TYPE_DNSKEY = 48,
	TYPE_NSEC3 = 50,
	TYPE_NSEC3PARAM = 51,
	TYPE_CDS = 59,
	TYPE_CDNSKEY = 60,
	TYPE_SVCB = 64,
	TYPE_HTTPS = 65,
	TYPE_TKEY = 249,
	TYPE_TSIG = 250,
	TYPE_IXFR = 251,
	TYPE_AXFR = 252,
	TYPE_MAILB = 253,
	TYPE_MAILA = 254,
	TYPE_ANY = 255,
};

/* Where the domain names sit in a type's RDATA. */
enum rr_names {
	RR_NAMES_NONE,		/* none (or a layout apex does not parse) */
	RR_NAMES_FIRST,		/* one name at offset 0 (NS, CNAME, DNAME) */
	RR_NAMES_MX,		/* 16-bit preference, then a name (MX, KX) */
	RR_NAMES_TWO,		/* two names, then fixed data (SOA, RP) */
	RR_NAMES_SRV,		/* three 16-bit fields, then a name */
};

enum rr_names	rr_type_names(uint16_t type);
/* The same as numbers: octets before the first name, and how many names
 * follow (0: none apex looks into). */
void	rr_names_layout(uint16_t type, size_t *fixed, unsigned *names);

/*
 * Whether those names may be compressed on output: only for the types
 * of RFC 1035 (RFC 3597 4). Names of other types are written in full but
 * may still be pointed at by later names.
 */
bool	rr_type_compresses(uint16_t type);

/*
 * Offset of the target name that additional-section processing follows
 * (NS, MX, SRV), or -1 for other types.
 */
int	rr_additional_offset(uint16_t type);

/*
 * Compares two RDATA of one type in canonical order (RFC 4034 6.2: the
 * names in the RDATA of the RFC 1035 types compare case-insensitively).
 * Returns: <0, 0, >0 as memcmp.
 */
int	rr_rdata_compare(uint16_t type, const uint8_t *a, size_t alen,
	    const uint8_t *b, size_t blen);
/* The SERIAL of an SOA RDATA (the first of the five counters that end
 * it), or 0 if the RDATA is too short to hold them. */
static inline uint32_t
rr_soa_serial(const uint8_t *rdata, size_t rdlen)
{
	return rdlen >= 20 ? get32(rdata + rdlen - 20) : 0;
}

/* Whether an SOA RDATA, names uncompressed, is two names and the five
 * counters with nothing after them (RFC 1035 3.3.13). */
bool	rr_soa_valid(const uint8_t *rdata, size_t rdlen);

/* RFC 1982 serial number arithmetic: whether a comes after b. */
static inline bool
rr_serial_gt(uint32_t a, uint32_t b)
{
	return a != b && (uint32_t)(a - b) < 0x80000000u;
}

/* Meta-types and QTYPEs that never appear in a zone (RFC 6895 3.1). */
bool	rr_type_is_meta(uint16_t type);

/* Mnemonic, or "TYPEnnn" (RFC 3597 5). buf must hold 16 bytes. */
const char	*rr_type_str(uint16_t type, char *buf);
/* The mnemonic of an (extended) RCODE, RFC 6895 2.3; "RCODE?" beyond
 * BADCOOKIE (23). */
const char	*rr_rcode_str(uint16_t rcode);
/* Mnemonic or TYPEnnn to number. Returns: 0 or APEX_EINVAL. */
int	rr_type_from_str(const char *s, uint16_t *type) MUST_CHECK;
const char	*rr_class_str(uint16_t rclass, char *buf);

#endif
