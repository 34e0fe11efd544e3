/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Error codes. Functions return 0 or a negative APEX_E* code; pointer
 * functions return NULL. DNS response codes are a separate type
 * (enum rcode in pkt.h) and never mix with these.
 */
#ifndef APEX_ERROR_H
#define APEX_ERROR_H

enum apex_error {
	APEX_OK = 0,
	APEX_ENOMEM = -1,	/* allocation failed */
	APEX_EINVAL = -2,	/* invalid argument or value */
	APEX_EMALF = -3,	/* malformed input */
	APEX_ESPACE = -4,	/* output buffer too small */
	APEX_ENOENT = -5,	/* not found */
	APEX_EIO = -6,		/* system call failed; see errno */
	APEX_ESYNTAX = -7,	/* syntax error in a text file */
	APEX_EZONE = -8,	/* zone content violates a rule */
	APEX_ELIMIT = -9,	/* a size or count limit was reached */
	APEX_EVERSION = -10,	/* message version mismatch */
	APEX_EEXIST = -11,	/* already exists */
	APEX_ELOOP = -12,	/* loop (compression pointer, CNAME, include) */
	APEX_ECRYPTO = -13,	/* the cryptographic library failed */
};

/* Returns a static description of code. */
const char	*apex_strerror(int code);

#endif
