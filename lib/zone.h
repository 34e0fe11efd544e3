/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Zone images: one zone, compiled into a single read-only,
 * position-independent blob that every worker maps and answers from.
 *
 * Layout (all offsets are uint32 from the start of the blob, all integers
 * in host order except the prepared wire bytes inside RRsets):
 *
 *   struct zone_hdr
 *   struct zone_node[node_count]   in RFC 4034 6.1 canonical order, so
 *                                  the apex is node 0 and every node comes
 *                                  after its ancestors
 *   struct zone_slot[hash_mask+1]  open-addressing hash of owner names
 *   RRsets, 4-byte aligned, grouped per node: struct zone_rrset followed
 *                                  by count records, each a 16-bit RDLENGTH
 *                                  (network order) and RDATA as loaded
 *   owner names, lowercase wire form, absolute
 *   signed zones only: struct zone_dnode[node_count], then for NSEC3
 *                                  struct zone_n3[n3_count] in hash order
 *
 * An RRSIG RRset holds the signatures covering one type, with their own
 * TTL, and is written right after the RRset it covers (whose `sigs` bit
 * says so); RRSIGs whose RRset is absent come last. NSEC3 records live
 * at owners that are not names of the zone (RFC 5155 7.2.8): their nodes
 * carry ZN_NSEC3, which lookups skip, and zone_n3 indexes them by hash.
 *
 * Every ancestor of an owner name down to the apex exists as a node
 * (empty non-terminals have no RRsets), so a closest encloser is found by
 * stripping labels and probing the hash. A node's `up` field names the
 * topmost strict ancestor that interrupts a lookup (a delegation or a
 * DNAME owner), which makes the RFC 1034 4.3.2 walk O(1) per probe.
 *
 * The image is built by zone_builder (zone_build.c), verified once by
 * zone_open(), and never written after that.
 */
#ifndef APEX_ZONE_H
#define APEX_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dname.h"
#include "util.h"

#define ZONE_MAGIC	0x5a585041u	/* "APXZ" */
#define ZONE_VERSION	2u
#define ZONE_NONE	UINT32_MAX

enum zone_node_flag {
	ZN_APEX = 0x01,
	ZN_CUT = 0x02,		/* NS below the apex: a delegation */
	ZN_DNAME = 0x04,
	ZN_CNAME = 0x08,
	ZN_WILD_CHILD = 0x10,	/* "*.<this node>" exists */
	ZN_OCCLUDED = 0x20,	/* below a delegation or a DNAME */
	ZN_NSEC3 = 0x40,	/* only the NSEC3 chain: not a zone name */
	ZN_NSEC = 0x80,		/* owns an NSEC record */
};

/* How the zone denies existence: from the NSEC3PARAM at the apex and a
 * chain that matches it, else from an NSEC at the apex, else not. */
enum zone_denial {
	ZONE_DENIAL_NONE,
	ZONE_DENIAL_NSEC,
	ZONE_DENIAL_NSEC3,
};

struct zone_hdr {
	uint32_t	magic;
	uint32_t	version;
	uint64_t	size;		/* bytes in the blob */
	uint32_t	origin;		/* offset of the origin name */
	uint32_t	origin_len;
	uint32_t	origin_labels;
	uint32_t	rclass;
	uint32_t	serial;
	uint32_t	neg_ttl;	/* RFC 2308 5: min(SOA TTL, MINIMUM) */
	uint32_t	node_count;
	uint32_t	nodes;
	uint32_t	hash_mask;	/* slot count - 1, a power of two */
	uint32_t	slots;
	uint32_t	rrset_count;
	uint32_t	rr_count;
	uint32_t	denial;		/* enum zone_denial */
	uint32_t	dnodes;		/* offset of zone_dnode[], or 0 */
	uint32_t	n3;		/* offset of zone_n3[] */
	uint32_t	n3_count;
	uint16_t	n3_iterations;	/* of the NSEC3PARAM in use */
	uint8_t		n3_saltlen;
	uint8_t		n3_salt[255];
	uint8_t		pad[2];
};

/*
 * Where the proofs for a node are, precomputed at load so that a DO=1
 * answer costs at most one hash. NSEC: self is the node that owns the
 * NSEC at or before this name in canonical order (the one that covers
 * names after it); NSEC3: the zone_n3 entry matching this name's hash
 * (flagged ZONE_N3_MATCH) or covering it. wild: the same for
 * "*.<this name>", the wildcard a closest encloser denies. For NSEC3,
 * ZONE_NONE below a delegation or a DNAME; for NSEC, self is set there
 * too (a name that does not exist may sort after glue), wild is not.
 */
struct zone_dnode {
	uint32_t	self;
	uint32_t	wild;
};

#define ZONE_N3_MATCH	0x80000000u
#define ZONE_N3_INDEX	0x7fffffffu

struct zone_n3 {
	uint8_t		hash[20];
	uint32_t	node;		/* owner of the NSEC3 record */
};

struct zone_node {
	uint32_t	name;		/* offset of the lowercase owner name */
	uint32_t	rrsets;		/* offset of the first RRset */
	uint32_t	up;		/* interrupting ancestor, or NONE */
	uint32_t	hash;		/* dname_hash() of the owner */
	uint16_t	nrrsets;
	uint16_t	flags;		/* enum zone_node_flag */
	uint8_t		name_len;
	uint8_t		labels;		/* labels of the owner, without root */
	uint16_t	pad;
};

struct zone_slot {
	uint32_t	hash;
	uint32_t	node;		/* ZONE_NONE: empty */
};

#define ZONE_RRSET_MAX	32767	/* records in one RRset */

struct zone_rrset {
	uint8_t		wire[8];	/* TYPE, CLASS, TTL as sent */
	uint16_t	type;
	uint16_t	count:15;	/* records that follow */
	uint16_t	sigs:1;		/* the next RRset holds its RRSIGs */
	uint32_t	size;		/* bytes of those records */
};

/* A mapped, verified image. Borrowed from whoever mapped the blob. */
struct zone {
	const uint8_t		*base;
	size_t			 size;
	const struct zone_hdr	*hdr;
	const struct zone_node	*nodes;
	const struct zone_slot	*slots;
	const uint8_t		*origin;
	const struct zone_dnode	*dnodes;	/* NULL: unsigned */
	const struct zone_n3	*n3;
};

/*
 * Checks a blob from end to end (every offset, name and record length in
 * bounds) and fills z. The blob must stay mapped while z is used.
 * Returns: 0 or APEX_EMALF.
 */
int	zone_open(struct zone *z, const void *blob, size_t size) MUST_CHECK;

/*
 * Fills z from an image the caller has just built itself, without the
 * checks of zone_open(): for the builder, which must not pay for them
 * twice on a large zone. Never for an image from another process.
 */
void	zone_attach(struct zone *z, const void *blob, size_t size);

/* An image mapped from a memfd. */
struct zone_mapping {
	void	*base;
	size_t	 size;
};

/*
 * Maps the sealed image memfd fd read-only and verifies it into z.
 * Returns: 0, APEX_EMALF (not sealed, or corrupt) or APEX_EIO.
 */
int	zone_map(int fd, struct zone *z, struct zone_mapping *m) MUST_CHECK;
void	zone_unmap(struct zone_mapping *m);

/*
 * Copies a built image into a new memfd and seals it, so nobody can
 * change it once handed on. name labels the memfd (for /proc).
 * Returns: the fd, or -1 (errno set).
 */
int	zone_memfd(const char *name, const void *blob, size_t size);

static inline const struct zone_node *
zone_node(const struct zone *z, uint32_t i)
{
	return &z->nodes[i];
}

static inline const uint8_t *
zone_node_name(const struct zone *z, const struct zone_node *n)
{
	return z->base + n->name;
}

static inline const struct zone_rrset *
zone_rrset_first(const struct zone *z, const struct zone_node *n)
{
	return (const struct zone_rrset *)(const void *)(z->base + n->rrsets);
}

static inline const struct zone_rrset *
zone_rrset_next(const struct zone_rrset *rs)
{
	size_t step = (sizeof(*rs) + rs->size + 3) & ~(size_t)3;

	return (const struct zone_rrset *)(const void *)
	    ((const uint8_t *)rs + step);
}

static inline const uint8_t *
zone_rrset_data(const struct zone_rrset *rs)
{
	return (const uint8_t *)(rs + 1);
}

static inline uint32_t
zone_rrset_ttl(const struct zone_rrset *rs)
{
	return get32(rs->wire + 4);
}

/* The RRSIGs covering rs, or NULL. */
static inline const struct zone_rrset *
zone_rrset_sigs(const struct zone_rrset *rs)
{
	return rs->sigs ? zone_rrset_next(rs) : NULL;
}

/* The type an RRSIG RRset covers. */
static inline uint16_t
zone_rrsig_covered(const struct zone_rrset *rs)
{
	return get16(zone_rrset_data(rs) + 2);
}

/* The RRSIG RRset at n covering type, or NULL. */
const struct zone_rrset	*zone_find_sigs(const struct zone *z,
	    const struct zone_node *n, uint16_t covered);

/* The node's RRset of the given type, or NULL. */
const struct zone_rrset	*zone_find_rrset(const struct zone *z,
	    const struct zone_node *n, uint16_t type);

/* The SOA RRset at the apex, or NULL. */
const struct zone_rrset	*zone_soa(const struct zone *z);

/* The node with exactly this lowercase name and hash, or ZONE_NONE. */
uint32_t	zone_find_node(const struct zone *z, const uint8_t *lname,
	    size_t len, uint32_t hash);
/* Same, hashing the name itself. */
uint32_t	zone_find_name(const struct zone *z, const uint8_t *lname);

enum zone_match {
	ZM_EXACT,	/* node is the name; may still be empty (ENT) */
	ZM_WILDCARD,	/* node is the wildcard that matched */
	ZM_DELEGATION,	/* node is the zone cut at or above the name */
	ZM_DNAME,	/* node owns the DNAME above the name */
	ZM_NXDOMAIN,	/* node is the closest encloser */
};

struct zone_lookup {
	enum zone_match	match;
	uint32_t	node;
	uint32_t	encloser;	/* closest encloser (all matches) */
	bool		exact;		/* the name itself exists */
};

/*
 * RFC 1034 4.3.2 step 3 for one name inside the zone: exact match,
 * referral at the topmost cut, DNAME above the name, wildcard at the
 * closest encloser (RFC 4592), or no such name. A cut at the name itself
 * is reported as ZM_DELEGATION; the caller decides (DS is answered from
 * the parent side). lname is lowercase; h holds its suffix hashes.
 */
void	zone_lookup(const struct zone *z, const uint8_t *lname,
	    const struct dname_view *v, const uint32_t *h,
	    struct zone_lookup *out);

/* ---- denial of existence (zone_dnssec.c) -------------------------- */

/* The last node at or before lname in canonical order (lname is
 * lowercase, at or below the origin). */
uint32_t	zone_node_before(const struct zone *z, const uint8_t *lname);

/* The NSEC3 hash of a lowercase name with the zone's parameters. */
void	zone_n3_hash(const struct zone *z, const uint8_t *lname, size_t len,
	    uint8_t out[20]);

/* The zone_n3 entry matching hash (with ZONE_N3_MATCH) or covering it;
 * ZONE_NONE if the zone has no NSEC3 chain. */
uint32_t	zone_n3_find(const struct zone *z, const uint8_t hash[20]);

/* ---- building ---------------------------------------------------- */

struct zone_builder;

/*
 * Problems found while building. tag is what the caller passed with the
 * record involved (zonefile.c packs file and line in it); 0 means none.
 */
typedef void	zone_report_fn(void *arg, uint32_t tag, bool error,
		    const char *msg);

/* Caller owns the result; release with zone_builder_free(). */
struct zone_builder	*zone_builder_new(const uint8_t *origin,
			    uint16_t rclass, zone_report_fn *report,
			    void *arg);
void	zone_builder_free(struct zone_builder *);
/* Largest RRset and most RRsets per name that are accepted, and most
 * records in the zone (BIND's max-records); 0: any. */
void	zone_builder_set_limits(struct zone_builder *, unsigned per_type,
	    unsigned types_per_name, uint32_t max_records);

/*
 * Adds one record; owner in any case. Records outside the zone are
 * reported and rejected.
 * Returns: 0, APEX_EZONE (reported) or APEX_ELIMIT.
 */
int	zone_builder_add(struct zone_builder *, const uint8_t *owner,
	    uint16_t type, uint32_t ttl, const uint8_t *rdata, size_t rdlen,
	    uint32_t tag) MUST_CHECK;

/*
 * How many records have been added, and the RDATA of the i-th (from 0,
 * in the order added) with its length, to be completed in place before
 * zone_builder_finish(): the signer adds RRSIGs with room for their
 * signatures and fills it once they are computed. The pointer is valid
 * until the next zone_builder_add().
 */
uint32_t	 zone_builder_count(const struct zone_builder *);
uint8_t		*zone_builder_rdata(struct zone_builder *, uint32_t i,
		    uint16_t *rdlen);

/*
 * Checks the zone (SOA and NS at the apex, CNAME beside other data,
 * DNAME rules, glue for in-zone name servers) and compiles the image.
 * Returns: 0 with *blob and *size set, or APEX_EZONE after reporting
 * every problem.
 * Ownership: caller owns *blob; release with free().
 */
int	zone_builder_finish(struct zone_builder *, void **blob, size_t *size)
	    MUST_CHECK;

/*
 * For zone_builder_finish() only: chooses how a built image denies
 * existence and appends its proof index (zone_dnode, zone_n3), marking
 * NSEC3 chain owners. tags name the apex NSEC3PARAM and DNSKEY records
 * for reports.
 * Returns: 0, APEX_EZONE (reported) or APEX_ELIMIT.
 */
struct zone_dnssec_tags {
	uint32_t	nsec3param;
	uint32_t	dnskey;
};
int	zone_dnssec_index(void **blob, size_t *size,
	    const struct zone_dnssec_tags *tags, zone_report_fn *report,
	    void *arg) MUST_CHECK;

#endif
