/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Query counters in shared memory. Each worker slot has its own block,
 * a sealed memfd that the parent creates at start and never maps: the
 * worker in that slot maps it writable (one writer, no atomics), the
 * control process maps every block read-only, from a read-only open of
 * the same memory, and sums them. No worker can reach another's block,
 * and the control process trusts nothing in them but counters. A
 * restarted worker takes over its slot's block, so counters survive
 * restarts; two generations of workers (during a reconfig) use two sets
 * of slots.
 */
#ifndef APEX_STATS_H
#define APEX_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "msg.h"
#include "util.h"

/* QTYPEs counted by name; the rest go to "other". */
#define STATS_QTYPES	\
	X(A, 1) X(NS, 2) X(CNAME, 5) X(SOA, 6) X(PTR, 12) X(MX, 15)	\
	X(TXT, 16) X(AAAA, 28) X(SRV, 33) X(NAPTR, 35) X(DS, 43)	\
	X(DNSKEY, 48) X(SVCB, 64) X(HTTPS, 65) X(CAA, 257) X(ANY, 255)	\
	X(AXFR, 252) X(IXFR, 251)
#define STATS_NQTYPE	19	/* the list above, then other */
#define STATS_NRCODE	24	/* extended RCODEs 0-23 */
#define STATS_NSIZE	8	/* response size histogram buckets */
#define STATS_NLAT	11	/* latency histogram buckets */
/* Rate limiting: what was done, by the kind of account that decided
 * (response, referral, nodata, nxdomain, error, all: enum rrl_kind). */
#define STATS_NRRL_ACTION	3
#define STATS_NRRL_KIND		6

enum stats_rrl_action {
	STATS_RRL_DROPPED,
	STATS_RRL_SLIPPED,
	STATS_RRL_LOG_ONLY,	/* would have been limited */
};

extern const unsigned stats_size_le[STATS_NSIZE - 1];	/* octets */
extern const unsigned stats_lat_le_us[STATS_NLAT - 1];	/* microseconds */

enum stats_transport {
	STATS_UDP,
	STATS_TCP,
};

/* Why a worker closed a TCP connection on its own. */
enum stats_tcp_close {
	STATS_CLOSE_IDLE,		/* nothing sent or owed */
	STATS_CLOSE_READ_TIMEOUT,	/* a query never completed */
	STATS_CLOSE_WRITE_TIMEOUT,	/* answers left unread */
	STATS_NCLOSE
};

struct stats_block {
	uint64_t	queries[2];		/* by transport */
	uint64_t	qtype[STATS_NQTYPE];
	uint64_t	rcode[STATS_NRCODE];
	uint64_t	size[STATS_NSIZE];	/* responses by size */
	uint64_t	size_sum;		/* octets sent */
	uint64_t	latency[STATS_NLAT];	/* queries by latency */
	uint64_t	latency_sum_ns;
	uint64_t	dropped;		/* not answered */
	uint64_t	truncated;		/* TC set */
	uint64_t	tcp_accepted;
	uint64_t	tcp_refused;		/* over tcp-clients */
	uint64_t	dropped_log_lines;	/* query log batches lost */
	uint64_t	rrl[STATS_NRRL_ACTION][STATS_NRRL_KIND];
	uint64_t	tcp_refused_addr;	/* over the per-address cap */
	uint64_t	tcp_closed[STATS_NCLOSE];	/* by timeouts */
	uint64_t	tcp_paused;	/* reads stopped: answers unread */
	/*
	 * The control process keeps these itself and adds them to the sums
	 * it renders; they stay 0 in the shared blocks.
	 */
	uint64_t	http_requests[HTTP_RES_COUNT];	/* by result */
	uint64_t	http_refused_acl;	/* not in the allow list */
	uint64_t	http_refused_limit;	/* over the connection cap */
	uint64_t	ctl_refused;		/* apex-ctl over the cap */
	uint64_t	ctl_idle_closed;	/* apex-ctl connections idle */
} __attribute__((aligned(64)));

/* The blocks, as the parent holds them: descriptors only. */
struct stats_set {
	unsigned	 n;
	int		*fd;	/* read-write: block k's worker */
	int		*ro;	/* read-only: the control process */
};

/* Creates n zeroed blocks (fatal on failure: it runs at start). */
void	stats_set_create(struct stats_set *, unsigned n);
/* Maps one block. Returns: the block, or NULL (errno set). */
struct stats_block	*stats_block_map(int fd, bool writable);

/* Index of qtype in qtype[]. */
unsigned	stats_qtype_index(uint16_t qtype);
/* Name of index i of qtype[] ("other" for the last). */
const char	*stats_qtype_name(unsigned i);

/* Counts one answered query (worker, query path). */
static inline void
stats_count(struct stats_block *b, enum stats_transport t, uint16_t qtype,
    uint16_t rcode, size_t size, int tc)
{
	unsigned s = 0;

	b->queries[t]++;
	b->qtype[stats_qtype_index(qtype)]++;
	b->rcode[rcode < STATS_NRCODE ? rcode : 0]++;
	while (s < STATS_NSIZE - 1 && size > stats_size_le[s])
		s++;
	b->size[s]++;
	b->size_sum += size;
	if (tc)
		b->truncated++;
}

/* Counts n queries that waited ns nanoseconds each. */
void	stats_latency(struct stats_block *b, uint64_t ns, unsigned n);

/* Sums blocks[0..n) into out. */
void	stats_sum(struct stats_block *const *blocks, unsigned n,
	    struct stats_block *out);

/* ---- what the control process shows ------------------------------- */

struct sbuf;

struct zone_view {
	char		*name;
	char		*file;
	uint32_t	 serving;	/* an image is served */
	uint32_t	 status;	/* enum zone_status (reload.h) */
	uint32_t	 serial;
	uint64_t	 loaded_at;
	uint32_t	 failures;
	char		*error;
	/* zone transfers (apex-xferd) */
	uint32_t	 secondary;
	uint32_t	 expired;
	bool		 dynamic;	/* takes updates */
	bool		 unsynced;	/* updates not yet in the file */
	bool		 frozen;
	uint64_t	 last_refresh, next_refresh, expires;
	uint64_t	 journal_size;
	uint64_t	 xfr_count[XFR_STATE_COUNTERS];	/* as MSG_XP_STATE */
	char		*xfr_error;
	/* signing (the signer), for zones with a dnssec-policy */
	bool		 is_signed;
	uint32_t	 sign_failing;
	uint64_t	 sig_expiry;	/* the earliest signature's */
	uint64_t	 next_resign, next_key_event, last_sign;
	uint64_t	 sign_runs, sign_failures, sigs_made, rrsets_signed;
	uint32_t	 keys[3];	/* KSK, ZSK, CSK in use */
	uint32_t	 sig_refresh;	/* signatures-refresh */
	char		*sign_error;
};

/* The flags of a zone in the state report. */
#define ZV_EXPIRED	0x1
#define ZV_UNSYNCED	0x2
#define ZV_FROZEN	0x4
#define ZV_DYNAMIC	0x8
#define ZV_SIGNED	0x10

/* Longest strings of a zone in the state report, and the most one zone
 * takes in it. */
#define STATE_NAME_MAX	1023
#define STATE_FILE_MAX	4095
#define STATE_TEXT_MAX	1023
#define STATE_ZONE_MAX	(STATE_NAME_MAX + STATE_FILE_MAX + \
			    3 * STATE_TEXT_MAX + 512)

/* The parent's state, as MSG_PC_STATE (and MSG_PC_STATE_MORE) carry it. */
#define SIGNER_WANTED	1u	/* a zone has a dnssec-policy */
#define SIGNER_UP	2u	/* the signer runs and is ready */

struct server_view {
	uint64_t	 started;
	uint32_t	 nworkers, workers_up;
	uint64_t	 restarts, reloads;
	uint32_t	 querylog, busy;
	uint32_t	 xferd_up;	/* apex-xferd is running */
	uint32_t	 signer;	/* SIGNER_WANTED, SIGNER_UP bits */
	uint32_t	 nzones;
	struct zone_view *zones;
};

void	server_view_free(struct server_view *);
/* Whether every worker is up and every zone is served; *why if not. */
int	server_view_healthy(const struct server_view *, struct sbuf *why);

void	render_status(const struct server_view *, int json, struct sbuf *);
/* Returns: 0, or -1 if there is no such zone. */
int	render_zonestatus(const struct server_view *, const char *zone,
	    int json, struct sbuf *);
void	render_stats(const struct server_view *, const struct stats_block *,
	    int json, struct sbuf *);
/* Prometheus text exposition format 0.0.4. */
void	render_metrics(const struct server_view *, const struct stats_block *,
	    struct sbuf *);

#endif
