/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * apex-xferd: zone transfers out (AXFR, IXFR from the journal), NOTIFY
 * out, and the secondary side (refresh timers, NOTIFY in, IXFR with
 * AXFR fallback, validation, atomic writes). One process, one event
 * loop; the state of every zone lives in struct xzone.
 */
#ifndef APEX_XFERD_H
#define APEX_XFERD_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>

#include <event2/event.h>

#include "conf.h"
#include "journal.h"
#include "log.h"
#include "msg.h"
#include "rrbuf.h"
#include "tsig.h"
#include "zone.h"

/* A mapped image, shared by the zone and the transfers reading it. */
struct ximage {
	unsigned		refs;
	struct zone		z;
	struct zone_mapping	m;
	uint32_t		serial;
};

/* Indexes of struct xzone's counters (the order of MSG_XP_STATE). */
enum xcount {
	XC_OUT_OK,
	XC_OUT_FAILED,
	XC_IN_OK,
	XC_IN_FAILED,
	XC_NOTIFY_SENT,
	XC_NOTIFY_RECEIVED,
	XC_REFRESH_FAILED,
	XC_UPD_OK,
	XC_UPD_REJECTED,
	XC_UPD_REFUSED,
	XC_UPD_FAILED,
	XC_UPD_LATENCY,		/* XFR_UPDATE_BUCKETS of them */
	XC_UPD_LATENCY_SUM = XC_UPD_LATENCY + XFR_UPDATE_BUCKETS,
	XC_MAX,
};

struct xin;
struct xnotify;

struct xzone {
	const struct conf_zone	*cz;
	struct ximage		*img;		/* NULL: nothing yet */
	struct journal		 j;		/* of the versions served */
	bool			 jfailed;	/* the last open failed */
	bool			 jok;		/* j is usable */
	/* A signed zone's unsigned version and its journal (updates). */
	struct ximage		*uimg;
	struct journal		 uj;
	bool			 ujfailed, ujok;

	/* Secondary side. */
	struct xin		*in;		/* a refresh running */
	struct event		*timer;
	time_t			 last_refresh, next_refresh, expires;
	bool			 expired;
	bool			 again;		/* refresh once more after */
	bool			 want_axfr;	/* next transfer: AXFR */
	bool			 queued;	/* for a transfers-in slot */
	bool			 pending_timers; /* from the next image */

	struct xnotify		*notify;	/* NOTIFY round running */

	/* Dynamic update (update.c). */
	struct xupd		*upd_wait;	/* for the next commit */
	struct xupd		*upd_sent;	/* committed, not served yet */
	uint32_t		 upd_serial;	/* of upd_sent's version */
	struct event		*upd_ev;	/* the next commit */
	struct event		*sync_ev;	/* the zone file's rewrite */
	bool			 unsynced;	/* updates not in the file */
	bool			 frozen;	/* apex-ctl freeze */
	bool			 thawing;	/* until the next image */

	uint64_t		 count[XC_MAX];	/* since the last report */
	char			 error[256];	/* the last one, or "" */
};

struct xferd {
	struct conf		*conf;
	struct tsig_keyring	 keys;
	struct event_base	*base;
	int			 parent;
	struct xzone		*zones;
	unsigned		 nzones;
	unsigned		 out_running;
	unsigned		 in_running;
	bool			 started;	/* MSG_PX_START arrived */
	struct msg		*m;
};

extern struct xferd	xd;

/* main.c */
struct xzone	*xferd_zone(const uint8_t *origin);
void	xferd_report(struct xzone *);
void	xferd_error(struct xzone *, enum log_category, const char *, ...)
	    PRINTF(3, 4);
void	ximage_unref(struct ximage *);
/*
 * A request handed over by a worker (a transfer's or an update's): read
 * into q and its TSIG checked as a server does (RFC 8945 5.2), with who
 * set to "addr#port (key k)". Returns: false to drop it unanswered;
 * else *rcode is NOERROR to go on, or the error to answer with
 * *tsig_error, signed if *signed_.
 */
struct pkt_query;
bool	xferd_read_request(const uint8_t *req, size_t len,
	    const struct sockaddr *peer, struct pkt_query *q,
	    struct tsig_ctx *tsig, bool *signed_, uint16_t *rcode,
	    uint16_t *tsig_error, char *who, size_t wholen);
/* A new version (a transfer's, an update's) to the parent, which serves
 * it (MSG_XP_LOAD). Returns: false with err. */
bool	xferd_load(const struct conf_zone *, uint32_t serial,
	    const void *blob, size_t size, char *err, size_t errlen);
/* The TSIG key named in the configuration, or NULL. */
const struct tsig_key	*xferd_key(const char *name);
/* Opens the zone's journal (of the versions served) if not tried yet;
 * returns whether usable. */
bool	xferd_journal(struct xzone *);
/* The journal updates go to (for a signed zone, of its unsigned
 * versions), opened if need be; NULL if it cannot be. */
struct journal	*xferd_update_journal(struct xzone *);
/* The version changes apply to (updates, transfers in, the serial a
 * primary's is compared with): for a signed zone its unsigned one. */
struct ximage	*xferd_base(const struct xzone *);

/* out.c: a TCP connection with a transfer request, from a worker. */
void	xout_start(int fd, const struct sockaddr *peer, socklen_t peerlen,
	    const uint8_t *data, size_t len);

/* notify.c: tell the zone's secondaries about a new version. */
void	notify_zone(struct xzone *);

/* in.c */
void	xin_start(struct xzone *);	/* after MSG_PX_START */
void	xin_new_image(struct xzone *, bool first);
void	xin_refresh(struct xzone *, bool axfr);
void	xin_notify(struct xzone *, const struct sockaddr *from);

/* zwrite.c: the zone in z to path, atomically. */
int	zwrite_file(const char *path, const struct zone *z,
	    const char *comment, char *err, size_t errlen);

/* update.c */
struct xout;
struct ipc_update;
struct pkt_query;
void	xupdate_request(const uint8_t *req, size_t len,
	    const struct pkt_query *q, struct tsig_ctx *tsig, bool signed_,
	    const struct sockaddr *peer, const char *who, struct xout *conn,
	    const struct ipc_update *src);
void	xupdate_udp(const struct ipc_update *src);
void	xupdate_served(struct xzone *, uint32_t serial);
void	xupdate_new_image(struct xzone *);
void	xupdate_conn_gone(struct xout *);
void	xupdate_arm_sync(struct xzone *);
bool	xupdate_command(struct xzone *, uint32_t cmd, char *text, size_t n);

/* out.c: the answer to an update that came on connection x. */
void	xout_update_answer(struct xout *x, const uint8_t *msg, size_t len);

#endif
