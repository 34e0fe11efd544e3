/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The one message format every apex process speaks: typed, versioned
 * messages over AF_UNIX SOCK_SEQPACKET socketpairs, one datagram each,
 * with at most one file descriptor attached (SCM_RIGHTS), and only to
 * the types that carry one (MSG_LP_ZONE, MSG_PW_ZONE, MSG_WP_XFR,
 * MSG_PX_ZONE, MSG_PX_XFR, MSG_XP_LOAD): msg_recv() closes every other
 * descriptor a peer attaches, so none can pile up in the receiver.
 *
 * Header (host byte order): uint16 type, uint16 version, uint32 len
 * (payload octets, at most MSG_MAXPAYLOAD), uint32 id (request or zone),
 * uint32 flags (MSG_F_FD when a descriptor travels with it).
 *
 * Readers take the payload apart with msg_get_*() and finish with
 * msg_end(), which fails unless every octet was consumed. Trust rule: a
 * malformed message from a less privileged peer is logged and that peer
 * restarted or dropped; one from the parent is fatal for the child.
 */
#ifndef APEX_MSG_H
#define APEX_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define MSG_VERSION	7
#define MSG_PX_ZONE_UNSIGNED	1	/* id of MSG_PX_ZONE */
#define MSG_MAXPAYLOAD	65536
#define MSG_F_FD	0x1

/*
 * Channels: LP loader->parent, PW parent->worker, WP worker->parent,
 * PC parent->control, CP control->parent, CTL apex-ctl<->control. Any
 * child may send MSG_LOG to the parent.
 */
enum msg_type {
	MSG_NONE = 0,
	MSG_LP_ZONE,	/* id: zone; u32 serial; fd: sealed image memfd */
	MSG_LP_ERROR,	/* id: zone; str: "file:line: problem" */
	MSG_LP_DONE,	/* every zone it was given was handled */

	MSG_PW_ZONE,	/* id: zone; u32 serial; fd: image to serve */
	MSG_PW_QUERYLOG,	/* u32: 1 on, 0 off */
	MSG_PW_RETIRE,	/* stop reading, finish TCP answers, exit */
	MSG_PW_TEST_SYSCALL,	/* test hook: make a forbidden system call */
	MSG_PW_TEST_WRITE,	/* test hook: str: descriptor numbers, by
				 * commas, to write one octet to */
	MSG_WP_READY,	/* zones mapped, serving */
	MSG_WP_ZONE_OK,	/* id: zone; u32 serial: now serving it */
	MSG_WP_ZONE_BAD,	/* id: zone; the image did not verify */
	MSG_WP_XFR,	/* a transfer request, see below; fd: the TCP
			 * connection */
	MSG_WP_NOTIFY,	/* name: zone; u32 len, bytes: sockaddr of the
			 * sender (already checked against the zone) */
	MSG_PW_EXPIRED,	/* id: zone; u32 1: expired (SERVFAIL), 0: not;
			 * u64 when it expires (seconds since the epoch,
			 * 0: not known), for EXPIRE (RFC 7314) */

	MSG_PX_ZONE,	/* name: zone; u32 serial; fd: image now served;
			 * id MSG_PX_ZONE_UNSIGNED: a signed zone's
			 * unsigned version (updates apply to it) */
	MSG_PX_XFR,	/* as MSG_WP_XFR, relayed */
	MSG_PX_NOTIFY,	/* as MSG_WP_NOTIFY, relayed */
	MSG_PX_COMMAND,	/* id: request; u32 command; name: zone */
	MSG_XP_REPLY,	/* id: request; u32 status (0 ok); str text */
	MSG_XP_LOAD,	/* name: zone; u32 serial; fd: image of a version
			 * just transferred and written to disk */
	MSG_XP_STATE,	/* name: zone; the transfer state, see below */
	MSG_XP_READY,	/* configuration read, sandboxed: send the zones */
	MSG_PX_START,	/* every served image has been sent */

	/* An UPDATE (RFC 2136) that came over UDP, on its way from a
	 * worker through the parent to apex-xferd, and its answer on the
	 * way back (see struct ipc_update). Over TCP the connection goes
	 * to apex-xferd as MSG_WP_XFR does. */
	MSG_WP_UPDATE,
	MSG_PX_UPDATE,
	MSG_XP_UPDATE,
	MSG_PW_UPDATE,

	/* The signer (named/signer.c): the operator's image of a zone
	 * in, its signed image out. A signed zone is served only from
	 * MSG_SP_ZONE; its unsigned image never reaches a worker. */
	MSG_PS_SIGN,	/* id: zone; u32 serial; fd: the unsigned image */
	MSG_SP_ZONE,	/* id: zone; u32 serial; fd: the signed image */
	MSG_SP_ERROR,	/* id: zone; str: why signing failed (the last
			 * signed version keeps serving) */
	MSG_SP_STATE,	/* id: zone; struct ipc_sign_state */
	MSG_SP_READY,	/* keys and signed copies read: send the zones */
	MSG_PS_COMMAND,	/* id: request; u32 command; u32 flags; str arg */
	MSG_SP_REPLY,	/* id: request; u32 status (0 ok); str text */

	MSG_CP_REQUEST,	/* id: request; u32 command; u32 flags; str arg */
	MSG_PC_REPLY,	/* id: request; u32 status (0 ok); str text */
	MSG_PC_STATE,	/* the parent's state for status, /metrics, /health,
			 * with the first zones */
	MSG_PC_STATE_MORE,	/* the next zones of that state */

	MSG_CTL_REQUEST,	/* apex-ctl: u32 command; u32 flags; str arg */
	MSG_CTL_REPLY,	/* to apex-ctl: u32 status (0 ok); str text */

	MSG_LOG,	/* u32 category; u32 level; str line */
	MSG_TYPE_MAX,
};

/* apex-ctl commands (MSG_CTL_REQUEST and MSG_CP_REQUEST). */
enum ctl_command {
	CTL_STATUS = 1,
	CTL_RELOAD,		/* arg: zone, or empty for every changed zone */
	CTL_RECONFIG,
	CTL_ZONESTATUS,		/* arg: zone */
	CTL_STATS,
	CTL_QUERYLOG,		/* arg: "on", "off" or empty to toggle */
	CTL_STOP,
	CTL_HALT,
	CTL_REOPEN,
	CTL_REFRESH,		/* arg: zone */
	CTL_RETRANSFER,		/* arg: zone */
	CTL_NOTIFY,		/* arg: zone */
	CTL_TEST_SYSCALL,	/* only with APEX_TEST_HOOKS=1 in the env */
	CTL_TEST_WRITE,		/* the same; arg: descriptor numbers */
	CTL_SYNC,		/* arg: zone, or empty: every dynamic zone */
	CTL_FREEZE,		/* arg: zone */
	CTL_THAW,		/* arg: zone */
	CTL_SIGN,		/* arg: zone: re-sign now */
	CTL_DNSSEC,		/* arg: -status|-checkds|-rollover ... zone */
	CTL_COMMAND_MAX,
};

#define CTL_F_JSON	0x1	/* answer in JSON */

/*
 * MSG_WP_XFR and MSG_PX_XFR: u32 length and the octets of the client's
 * sockaddr, u32 length and the octets the client sent from the transfer
 * request on (2-octet length, request, anything after it).
 *
 * MSG_XP_STATE: u32 flags (XFR_F_*), u32 serial, u64 last refresh, u64
 * next refresh, u64 expiry (seconds since the epoch, 0: none), u64
 * journal size; then what happened since the last report, as u64
 * increments: transfers out ok, out failed, in ok, in failed, NOTIFY
 * sent, NOTIFY received, refresh failures, updates applied, rejected
 * (a prerequisite or the message), refused (not allowed, frozen),
 * failed (SERVFAIL), then the update latency histogram
 * (XFR_UPDATE_BUCKETS counts of updates answered within each bound of
 * xfr_update_bounds_us[], the last one for the rest) and the sum of
 * the latencies in microseconds; then str: the last error ("": none).
 */
#define XFR_F_EXPIRED		0x1
#define XFR_F_UNSYNCED		0x2	/* updates not yet in the zone file */
#define XFR_F_FROZEN		0x4
#define XFR_UPDATE_BUCKETS	8
#define XFR_STATE_COUNTERS	(11 + XFR_UPDATE_BUCKETS + 1)

struct msg_hdr {
	uint16_t	type;
	uint16_t	version;
	uint32_t	len;
	uint32_t	id;
	uint32_t	flags;
};

struct msg {
	struct msg_hdr	hdr;
	int		fd;		/* -1 unless MSG_F_FD */
	size_t		pos;		/* read position in payload */
	uint8_t		payload[MSG_MAXPAYLOAD];
};

/* Building a payload before sending. */
struct msg_buf {
	size_t		len;
	bool		overflow;
	uint8_t		data[MSG_MAXPAYLOAD];
};

void	msg_buf_init(struct msg_buf *);
void	msg_put_u32(struct msg_buf *, uint32_t);
void	msg_put_u64(struct msg_buf *, uint64_t);
void	msg_put_bytes(struct msg_buf *, const void *, size_t);
/* A string: u32 length, then the octets (no NUL). */
void	msg_put_str(struct msg_buf *, const char *);

/*
 * Sends one message; fd (-1 for none) is duplicated into the peer.
 * b may be NULL for an empty payload.
 * Returns: 0, APEX_ELIMIT (payload overflowed) or APEX_EIO (errno set).
 */
int	msg_send(int sock, uint16_t type, uint32_t id,
	    const struct msg_buf *b, int fd) MUST_CHECK;

/*
 * A queue of messages for a peer that must never make the sender wait
 * (the parent sends through one to each child): a message goes at once
 * if the socket takes it and nothing waits before it, else it is queued
 * with a duplicate of its fd, and msg_queue_flush() sends what waits
 * when the socket is writable again.
 */
#define MSG_QUEUE_MAX	100000	/* a peer this far behind is stuck */

struct msg_queued;
struct msg_queue {
	struct msg_queued	*head, *tail;
	unsigned		 n;
};

void	msg_queue_init(struct msg_queue *);
/* Drops every queued message (closing their fds). */
void	msg_queue_clear(struct msg_queue *);
/*
 * Returns: 0 (sent or queued; check msg_queue_pending()), APEX_ELIMIT
 * (payload overflowed, or the queue is full) or APEX_EIO (peer gone).
 */
int	msg_queue_send(struct msg_queue *, int sock, uint16_t type,
	    uint32_t id, const struct msg_buf *b, int fd) MUST_CHECK;
/* Returns: 0 (nothing waits), 1 (more waits for the socket) or
 * APEX_EIO. */
int	msg_queue_flush(struct msg_queue *, int sock) MUST_CHECK;

static inline bool
msg_queue_pending(const struct msg_queue *q)
{
	return q->head != NULL;
}

/*
 * Receives one message into m. A descriptor that arrives with it is in
 * m->fd and belongs to the caller.
 * Returns: 0, APEX_ENOENT (peer closed), APEX_EIO (errno set),
 * APEX_EMALF (bad size, type or descriptor) or APEX_EVERSION.
 */
int	msg_recv(int sock, struct msg *m) MUST_CHECK;

int	msg_get_u32(struct msg *, uint32_t *) MUST_CHECK;
int	msg_get_u64(struct msg *, uint64_t *) MUST_CHECK;
/* A string into buf (NUL-terminated); fails if it does not fit or
 * contains a NUL. */
int	msg_get_str(struct msg *, char *buf, size_t size) MUST_CHECK;
/* A domain name: u32 length, then the uncompressed wire form. */
void	msg_put_name(struct msg_buf *, const uint8_t *name);
/* Reads a name put with msg_put_name(), checking that it is one. */
int	msg_get_name(struct msg *, uint8_t name[255]) MUST_CHECK;
/* Exactly n octets. */
int	msg_get_bytes(struct msg *, void *buf, size_t n) MUST_CHECK;
/* Returns: 0 if the whole payload was consumed, else APEX_EMALF. */
int	msg_end(const struct msg *) MUST_CHECK;

const char	*msg_type_str(uint16_t type);

/*
 * Makes log_*() in this process send MSG_LOG to the parent over sock
 * (non-blocking: a line that does not fit in the socket is counted and
 * dropped, never waited for).
 */
void	msg_log_to(int sock);
/* Lines dropped so far because the parent was not reading. */
unsigned long	msg_log_dropped(void);

#endif
