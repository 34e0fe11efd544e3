/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Type and class tables.
 * Runs in: every process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dname.h"
#include "error.h"
#include "rr.h"

static const struct {
	uint16_t	 type;
	const char	*name;
} rr_types[] = {
	{ 1, "A" }, { 2, "NS" }, { 3, "MD" }, { 4, "MF" }, { 5, "CNAME" },
	{ 6, "SOA" }, { 7, "MB" }, { 8, "MG" }, { 9, "MR" }, { 10, "NULL" },
	{ 11, "WKS" }, { 12, "PTR" }, { 13, "HINFO" }, { 14, "MINFO" },
	{ 15, "MX" }, { 16, "TXT" }, { 17, "RP" }, { 18, "AFSDB" },
	{ 19, "X25" }, { 20, "ISDN" }, { 21, "RT" }, { 22, "NSAP" },
	{ 23, "NSAP-PTR" }, { 24, "SIG" }, { 25, "KEY" }, { 26, "PX" },
	{ 27, "GPOS" }, { 28, "AAAA" }, { 29, "LOC" }, { 30, "NXT" },
	{ 33, "SRV" }, { 35, "NAPTR" }, { 36, "KX" }, { 37, "CERT" },
	{ 38, "A6" }, { 39, "DNAME" }, { 41, "OPT" }, { 42, "APL" },
	{ 43, "DS" }, { 44, "SSHFP" }, { 45, "IPSECKEY" }, { 46, "RRSIG" },
	{ 47, "NSEC" }, { 48, "DNSKEY" }, { 49, "DHCID" }, { 50, "NSEC3" },
	{ 51, "NSEC3PARAM" }, { 52, "TLSA" }, { 53, "SMIMEA" },
	{ 55, "HIP" }, { 59, "CDS" }, { 60, "CDNSKEY" },
	{ 61, "OPENPGPKEY" }, { 62, "CSYNC" }, { 63, "ZONEMD" },
	{ 64, "SVCB" }, { 65, "HTTPS" }, { 99, "SPF" }, { 104, "NID" },
	{ 105, "L32" }, { 106, "L64" }, { 107, "LP" }, { 108, "EUI48" },
	{ 109, "EUI64" }, { 249, "TKEY" }, { 250, "TSIG" }, { 251, "IXFR" },
	{ 252, "AXFR" }, { 253, "MAILB" }, { 254, "MAILA" }, { 255, "ANY" },
	{ 256, "URI" }, { 257, "CAA" }, { 32768, "TA" }, { 32769, "DLV" },
};

enum rr_names
rr_type_names(uint16_t type)
{
	switch (type) {
	case TYPE_NS: case TYPE_MD: case TYPE_MF: case TYPE_CNAME:
	case TYPE_MB: case TYPE_MG: case TYPE_MR: case TYPE_PTR:
	case TYPE_DNAME:
		return RR_NAMES_FIRST;
	case TYPE_MX: case TYPE_AFSDB: case 21 /* RT */: case TYPE_KX:
		return RR_NAMES_MX;
	case TYPE_SOA: case TYPE_MINFO: case TYPE_RP:
		return RR_NAMES_TWO;
	case TYPE_SRV:
		return RR_NAMES_SRV;
	}
	return RR_NAMES_NONE;
}

void
rr_names_layout(uint16_t type, size_t *fixed, unsigned *names)
{
	*fixed = 0;
	*names = 1;
	switch (rr_type_names(type)) {
	case RR_NAMES_NONE:
		*names = 0;
		break;
	case RR_NAMES_FIRST:
		break;
	case RR_NAMES_MX:
		*fixed = 2;
		break;
	case RR_NAMES_TWO:
		*names = 2;
		break;
	case RR_NAMES_SRV:
		*fixed = 6;
		break;
	}
}

bool
rr_type_compresses(uint16_t type)
{
	switch (type) {
	case TYPE_NS: case TYPE_MD: case TYPE_MF: case TYPE_CNAME:
	case TYPE_SOA: case TYPE_MB: case TYPE_MG: case TYPE_MR:
	case TYPE_PTR: case TYPE_MINFO: case TYPE_MX:
		return true;
	}
	return false;
}

int
rr_additional_offset(uint16_t type)
{
	switch (type) {
	case TYPE_NS:
		return 0;
	case TYPE_MX:
		return 2;
	case TYPE_SRV:
		return 6;
	}
	return -1;
}

bool
rr_type_is_meta(uint16_t type)
{
	return type == TYPE_OPT || (type >= 128 && type <= 255);
}

const char *
rr_rcode_str(uint16_t rcode)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
		"NOTZONE", "DSOTYPENI", "RCODE12", "RCODE13", "RCODE14",
		"RCODE15", "BADVERS", "BADKEY", "BADTIME", "BADMODE",
		"BADNAME", "BADALG", "BADTRUNC", "BADCOOKIE",
	};

	return rcode < nitems(names) ? names[rcode] : "RCODE?";
}

const char *
rr_type_str(uint16_t type, char *buf)
{
	for (size_t i = 0; i < nitems(rr_types); i++)
		if (rr_types[i].type == type)
			return rr_types[i].name;
	snprintf(buf, 16, "TYPE%u", type);
	return buf;
}

int
rr_type_from_str(const char *s, uint16_t *type)
{
	for (size_t i = 0; i < nitems(rr_types); i++)
		if (strcasecmp(rr_types[i].name, s) == 0) {
			*type = rr_types[i].type;
			return 0;
		}
	if (strncasecmp(s, "TYPE", 4) == 0 && s[4] != '\0') {
		char *end;
		unsigned long v = strtoul(s + 4, &end, 10);
		if (*end == '\0' && v <= 65535) {
			*type = (uint16_t)v;
			return 0;
		}
	}
	return APEX_EINVAL;
}

const char *
rr_class_str(uint16_t rclass, char *buf)
{
	switch (rclass) {
	case CLASS_IN:	return "IN";
	case CLASS_CH:	return "CH";
	case CLASS_HS:	return "HS";
	case CLASS_NONE: return "NONE";
	case CLASS_ANY:	return "ANY";
	}
	snprintf(buf, 16, "CLASS%u", rclass);
	return buf;
}

/*
 * Compares RDATA in canonical form: RFC 4034 6.2 lowercases the names in
 * the RDATA of these types. All of them are short (two names and 20
 * octets at most), which bounds the copies.
 */
int
rr_rdata_compare(uint16_t type, const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen)
{
	uint8_t ca[2 * DNAME_MAXLEN + 32], cb[2 * DNAME_MAXLEN + 32];
	size_t skip;
	unsigned nnames;

	rr_names_layout(type, &skip, &nnames);
	if (nnames > 0 && alen <= sizeof(ca) && blen <= sizeof(cb)) {
		memcpy(ca, a, alen);
		memcpy(cb, b, blen);
		size_t pa = skip, pb = skip;
		for (unsigned i = 0; i < nnames; i++) {
			int la = pa < alen ?
			    dname_scan(ca + pa, alen - pa, NULL) : -1;
			int lb = pb < blen ?
			    dname_scan(cb + pb, blen - pb, NULL) : -1;
			if (la < 0 || lb < 0)
				break;
			dname_lower(ca + pa, ca + pa, (size_t)la);
			dname_lower(cb + pb, cb + pb, (size_t)lb);
			pa += (size_t)la;
			pb += (size_t)lb;
		}
		a = ca;
		b = cb;
	}
	size_t n = alen < blen ? alen : blen;
	int d = memcmp(a, b, n);
	return d != 0 ? d : (int)alen - (int)blen;
}

bool
rr_soa_valid(const uint8_t *rdata, size_t rdlen)
{
	size_t pos = 0;

	for (int i = 0; i < 2; i++) {
		int n = dname_scan(rdata + pos, rdlen - pos, NULL);
		if (n < 0)
			return false;
		pos += (size_t)n;
	}
	return rdlen - pos == 20;
}
