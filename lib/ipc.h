/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The payloads of the messages that cross a privilege boundary toward
 * the parent (and the hand-overs it relays to apex-xferd): one encoder
 * and one decoder per message type, side by side, so the two sides
 * cannot drift. Every decoder checks the whole message: the descriptor
 * it must or must not carry, every field's bounds, msg_end(). What a
 * less privileged child sends goes through these and nothing else.
 * Returns of the decoders: 0, or APEX_EMALF.
 * Runs in: apex-named parent and every child; apex-xferd.
 */
#ifndef APEX_IPC_H
#define APEX_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "msg.h"
#include "util.h"

/* Messages with an empty payload and no descriptor: MSG_LP_DONE,
 * MSG_WP_READY, MSG_XP_READY, MSG_PX_START, MSG_PW_RETIRE. */
int	ipc_get_empty(struct msg *) MUST_CHECK;

/* MSG_LP_ZONE: the loader's image of a zone (fd); id: the zone. */
void	ipc_put_lp_zone(struct msg_buf *, uint32_t serial);
int	ipc_get_lp_zone(struct msg *, uint32_t *serial) MUST_CHECK;

/* MSG_LP_ERROR: a problem with a zone ("file:line: text"). */
void	ipc_put_lp_error(struct msg_buf *, const char *text);
int	ipc_get_lp_error(struct msg *, char *text, size_t size) MUST_CHECK;

/* MSG_WP_ZONE_OK, MSG_WP_ZONE_BAD: a worker took, or refused, an image. */
void	ipc_put_wp_zone_ack(struct msg_buf *, uint32_t serial);
int	ipc_get_wp_zone_ack(struct msg *, uint32_t *serial) MUST_CHECK;

/*
 * MSG_WP_XFR and MSG_PX_XFR (fd: the client's TCP connection): the
 * client's address and the octets it sent from the transfer request on.
 * The decoder's data points into the message.
 */
struct ipc_xfr {
	struct sockaddr_storage	 peer;
	socklen_t		 peerlen;
	const uint8_t		*data;
	size_t			 len;
};
void	ipc_put_xfr(struct msg_buf *, const struct sockaddr *, socklen_t,
	    const uint8_t *data, size_t len);
int	ipc_get_xfr(struct msg *, struct ipc_xfr *) MUST_CHECK;

/* MSG_WP_NOTIFY and MSG_PX_NOTIFY: an accepted NOTIFY for a zone. */
void	ipc_put_notify(struct msg_buf *, const uint8_t *origin,
	    const struct sockaddr *, socklen_t);
int	ipc_get_notify(struct msg *, uint8_t origin[255],
	    struct sockaddr_storage *, socklen_t *) MUST_CHECK;

/*
 * MSG_WP_UPDATE, MSG_PX_UPDATE, MSG_XP_UPDATE, MSG_PW_UPDATE: an UPDATE
 * that came over UDP, or its answer. slot and gen name the worker it
 * came through (0 from the worker itself: the parent fills them in),
 * sock the worker's UDP socket it came on (the answer leaves by the
 * same one, so the client sees it from the address it asked), peer the
 * client. The decoder's data points into the message.
 */
struct ipc_update {
	uint32_t		 slot, gen, sock;
	struct sockaddr_storage	 peer;
	socklen_t		 peerlen;
	const uint8_t		*data;
	size_t			 len;
};
void	ipc_put_update(struct msg_buf *, const struct ipc_update *);
int	ipc_get_update(struct msg *, struct ipc_update *) MUST_CHECK;

/* MSG_XP_LOAD: a version just transferred and on disk (fd: image). */
void	ipc_put_xp_load(struct msg_buf *, const uint8_t *origin,
	    uint32_t serial);
int	ipc_get_xp_load(struct msg *, uint8_t origin[255], uint32_t *serial)
	    MUST_CHECK;

/* MSG_XP_STATE: a zone's transfer state and its counters' increments. */
#define XFR_ERROR_MAX	255
struct ipc_xfr_state {
	bool		 expired;
	bool		 unsynced;	/* updates not yet in the zone file */
	bool		 frozen;
	uint32_t	 serial;
	uint64_t	 last_refresh, next_refresh, expires;
	uint64_t	 journal_size;
	uint64_t	 count[XFR_STATE_COUNTERS];
	char		 error[XFR_ERROR_MAX + 1];	/* "": none */
};
void	ipc_put_xp_state(struct msg_buf *, const uint8_t *origin,
	    const struct ipc_xfr_state *);
int	ipc_get_xp_state(struct msg *, uint8_t origin[255],
	    struct ipc_xfr_state *) MUST_CHECK;

/*
 * MSG_PS_SIGN and MSG_SP_ZONE carry MSG_LP_ZONE's payload (the serial,
 * fd: the image), MSG_SP_ERROR MSG_LP_ERROR's, MSG_PS_COMMAND
 * MSG_CP_REQUEST's and MSG_SP_REPLY MSG_XP_REPLY's.
 *
 * MSG_SP_STATE: a signed zone's state. Times are seconds since the
 * epoch (0: none); runs, failures, sigs_made and rrsets_signed are
 * increments since the last report; keys counts the zone's keys per
 * role (KSK, ZSK, CSK) that are published or signing.
 */
#define SIGN_ERROR_MAX	255
struct ipc_sign_state {
	bool		 failing;	/* the last run failed */
	uint32_t	 serial;	/* of the signed version served */
	uint64_t	 earliest_expiry;	/* of its signatures */
	uint64_t	 next_resign;	/* next signing run */
	uint64_t	 next_key_event;
	uint64_t	 last_run;
	uint64_t	 runs, failures, sigs_made, rrsets_signed;
	uint32_t	 keys[3];	/* KSK, ZSK, CSK */
	char		 error[SIGN_ERROR_MAX + 1];	/* "": none */
};
void	ipc_put_sp_state(struct msg_buf *, const struct ipc_sign_state *);
int	ipc_get_sp_state(struct msg *, struct ipc_sign_state *) MUST_CHECK;

/* MSG_XP_REPLY, MSG_PC_REPLY, MSG_CTL_REPLY: id: the request. */
void	ipc_put_reply(struct msg_buf *, bool ok, const char *text);
int	ipc_get_reply(struct msg *, bool *ok, char *text, size_t size)
	    MUST_CHECK;

/* MSG_CP_REQUEST, MSG_CTL_REQUEST: an apex-ctl command (id: the
 * request, never 0, for MSG_CP_REQUEST). */
void	ipc_put_request(struct msg_buf *, uint32_t cmd, uint32_t flags,
	    const char *arg);
int	ipc_get_request(struct msg *, uint32_t *cmd, uint32_t *flags,
	    char *arg, size_t size) MUST_CHECK;

/* A MSG_CTL_REQUEST as the control process reads it. */
struct ctl_request {
	uint32_t	cmd;		/* enum ctl_command */
	uint32_t	flags;		/* CTL_F_* */
	char		arg[1024];
};

/*
 * Decodes m, a request from apex-ctl, into req: type MSG_CTL_REQUEST,
 * a known command, the whole payload consumed.
 * Returns: 0 or APEX_EMALF.
 */
int	ctl_request_decode(struct msg *m, struct ctl_request *req) MUST_CHECK;

#endif
