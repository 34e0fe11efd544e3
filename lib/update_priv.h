/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The state of an update batch, shared by update_msg.c (reading a
 * message), update.c (applying it to the overlay) and update_finish.c
 * (the new version and the difference).
 * Not an interface: nothing else includes this.
 *
 * The overlay holds, for every name a message of the batch changed (or
 * was about to), all its RRsets as they are now; every other name is
 * as the image has it. The image is never written.
 */
#ifndef APEX_UPDATE_PRIV_H
#define APEX_UPDATE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dname.h"
#include "update.h"
#include "zone.h"

/*
 * An RRset of the overlay, laid out as in the image (each record a
 * 16-bit RDLENGTH and the RDATA) and kept in canonical order (RFC 4034
 * 6.3), so that comparing it with the image's RRset is one merge.
 */
struct uset {
	uint16_t	 type;
	uint16_t	 covered;	/* RRSIG: the type covered; else 0 */
	uint32_t	 ttl;
	uint32_t	 count;
	size_t		 len, cap;
	uint8_t		*buf;
};

/* A name the batch touched, with all its RRsets as they are now. */
struct uname {
	struct uname	*next;		/* hash chain */
	uint32_t	 hash;
	uint32_t	 node;		/* in the image, or ZONE_NONE */
	unsigned	 gen;		/* the message that last saved it */
	bool		 ds_check;	/* NS deleted or DS added */
	struct uset	*sets;
	unsigned	 nsets;
	uint8_t		 lname[DNAME_MAXLEN];	/* lowercase */
};

/* A name as it was before the current message first changed it. */
struct nsref;

struct undo {
	struct uname	*u;
	bool		 created;	/* new in the overlay */
	struct uset	*sets;
	unsigned	 nsets;
};

struct update {
	const struct zone	 *z;
	uint16_t		  rclass;
	bool			  is_signed;
	bool			  policy;	/* apex signs it */
	bool			  changed;
	bool			  soa_raised;	/* by an update */
	bool			  mchanged;	/* by the current message */
	unsigned		  gen;		/* messages applied */
	struct uname		**tab;		/* the overlay, by name hash */
	uint32_t		  mask, count;
	struct undo		 *undo;		/* of the current message */
	unsigned		  nundo, capundo;
	struct nsref		**refs;		/* NS records by target */
	uint32_t		  refmask, nrefs;
	bool			  refs_image;	/* the image's are in refs */
};

/* A read-only view of one RRset, from the image or the overlay. */
struct sview {
	uint16_t	 type, covered;
	uint32_t	 ttl, count;
	const uint8_t	*data;
	size_t		 size;
};

/* The RCODEs of RFC 2136 2.2 that only UPDATE uses. */
enum {
	UPD_YXDOMAIN = 6,
	UPD_YXRRSET = 7,
	UPD_NXRRSET = 8,
	UPD_NOTZONE = 10,
};

/* One record of the prerequisite or update section. */
struct mrec {
	const uint8_t	*owner;		/* as received */
	const uint8_t	*lname;
	const uint8_t	*rdata;
	size_t		 off;		/* owner, lname, rdata in the arena */
	uint32_t	 hash;
	uint32_t	 ttl;
	uint16_t	 type, rclass, rdlen;
	uint16_t	 covered;	/* RRSIG with RDATA; else 0 */
};

struct umsg {
	struct mrec	*rec;
	unsigned	 n, npre, cap;
	uint8_t		*arena;
	size_t		 alen, acap;
};

/* The overlay entry of a lowercase name, or NULL. */
struct uname	*update_find(const struct update *, const uint8_t *lname,
		    uint32_t hash);
void		 update_image_view(const struct zone_rrset *, struct sview *);
void		 update_uset_view(const struct uset *, struct sview *);
/* Writes the reason into why (if any) and returns rcode. */
uint16_t	 ufail(char *why, size_t whylen, uint16_t rcode,
		    const char *fmt, ...) PRINTF(4, 5);
/* The name's RRset of type as it is now (overlay, else image). */
bool		 update_cur_find(const struct update *, const uint8_t *lname,
		    uint32_t hash, uint16_t type, struct sview *);
/* Whether the in-zone name servers of lname's NS all have addresses. */
bool		 update_ns_targets_ok(const struct update *,
		    const uint8_t *lname, uint32_t hash);
/* Whether the name of d, if the message took its last address, is no
 * NS record's target. */
bool		 update_ns_glue_ok(struct update *, const struct undo *d);
/* Records an NS record the batch added (owner lowercase). */
void		 update_ns_note(struct update *, const uint8_t *owner,
		    const uint8_t *rdata, uint16_t rdlen);
void		 update_ns_free(struct update *);
/* The serial after serial, by method at time now. */
uint32_t	 update_next_serial(uint32_t serial, enum serial_method method,
		    uint64_t now);

/*
 * Reads msg into m: the zone section must name this zone (RFC 2136
 * 3.1.1), and the two sections must be well formed.
 * Returns: NOERROR, FORMERR or NOTAUTH (why set).
 * Ownership: release m with update_msg_free(), also on failure.
 */
uint16_t	 update_read_msg(const struct update *, struct umsg *m,
		    const uint8_t *msg, size_t len, char *why, size_t whylen);
void		 update_msg_free(struct umsg *m);

#endif
