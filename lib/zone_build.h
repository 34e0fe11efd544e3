/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The zone builder's state, shared by zone_build.c (records, order,
 * layout) and zone_check.c (the checks a zone must pass to load, and
 * their reports). Not an interface: nothing else includes this.
 */
#ifndef APEX_ZONE_BUILD_H
#define APEX_ZONE_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "dname.h"
#include "util.h"
#include "zone.h"

struct zb_name {
	uint32_t	off;		/* lowercase name in zb->names */
	uint32_t	key;		/* sort key in zb->keys */
	uint32_t	hash;
	uint32_t	parent;		/* name index; ZONE_NONE for origin */
	uint32_t	rank;		/* position in canonical order */
	uint32_t	nrec;
	uint16_t	keylen;
	uint8_t		len;
	uint8_t		labels;
};

struct zb_rec {
	uint32_t	name;
	uint32_t	seq;		/* position in the file(s) */
	uint32_t	tag;
	uint32_t	ttl;
	uint32_t	rdata;		/* offset in zb->rdata */
	uint16_t	type;
	uint16_t	rdlen;
};

struct zb_buf {
	uint8_t		*p;
	size_t		 len, cap;
};

struct zone_builder {
	uint8_t		 origin[DNAME_MAXLEN];
	unsigned	 origin_len, origin_labels;
	uint16_t	 rclass;
	zone_report_fn	*report;
	void		*arg;
	unsigned	 errors;
	unsigned	 max_per_type, max_types;
	uint32_t	 max_records;

	struct zb_name	*name;
	uint32_t	 nname, capname;
	uint32_t	*tab;		/* hash of name indexes */
	uint32_t	 tabmask;
	struct zb_rec	*rec;
	uint32_t	 nrec, caprec;
	struct zb_buf	 names, keys, rdata;
	uint32_t	 last;		/* name of the previous record */
	uint32_t	 now;		/* for signatures expired at load */
	uint32_t	 expired;	/* how many */
	uint32_t	 expired_tag;	/* the first of them */
	uint32_t	 expired_at;
	char		 expired_what[DNAME_STRLEN + 16];
};

/* One name of the sorted zone: its records' range in the record index. */
struct zb_node {
	uint32_t	name;		/* builder name index */
	uint32_t	first, end;	/* range in the sorted record index */
	uint32_t	up;
	uint16_t	flags;
	uint16_t	nrrsets;
};

/* Reports a problem; tag is the record's (file and line), 0 for none. */
void	zb_report(struct zone_builder *, uint32_t tag, bool error,
	    const char *fmt, ...) PRINTF(4, 5);
/* Reports a problem about an owner name. */
void	zb_report_at(struct zone_builder *, uint32_t tag, bool error,
	    const uint8_t *owner, const char *fmt, ...) PRINTF(5, 6);
void	zb_report_expired(struct zone_builder *);

const uint8_t	*zb_name_wire(const struct zone_builder *, uint32_t i);
uint32_t	zb_lookup(const struct zone_builder *, const uint8_t *lname,
		    size_t len, uint32_t hash);
/* The end of the RRset (RRSIGs: per type covered) that starts at i. */
uint32_t	zb_rrset_end(const struct zone_builder *, const uint32_t *idx,
		    uint32_t i, uint32_t end);
/* Whether record i repeats the one before it in its RRset. */
bool	zb_rec_is_dup(const struct zone_builder *, const uint32_t *idx,
	    uint32_t i, uint32_t first);
/* The type an RRSIG record covers; 0 for other types. */
uint16_t	zb_rec_covered(const struct zone_builder *,
		    const struct zb_rec *);
bool	zb_node_has(const struct zone_builder *, const uint32_t *idx,
	    const struct zb_node *, uint16_t type);

/* The checks of one name, and of the name servers of an apex or cut. */
void	zb_check_node(struct zone_builder *, const uint32_t *idx,
	    const struct zb_node *);
void	zb_check_ns_targets(struct zone_builder *, const uint32_t *idx,
	    const struct zb_node *nodes, const struct zb_node *);

#endif
