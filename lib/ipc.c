/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Encoders and decoders of the messages toward the parent (ipc.h).
 * Runs in: apex-named parent and every child; apex-xferd.
 */
#include <string.h>
#include <netinet/in.h>

#include "error.h"
#include "ipc.h"

static int
no_fd(const struct msg *m)
{
	return m->fd < 0 ? 0 : APEX_EMALF;
}

static int
with_fd(const struct msg *m)
{
	return m->fd >= 0 ? 0 : APEX_EMALF;
}

/* An address of the family its length says. */
static int
get_sockaddr(struct msg *m, struct sockaddr_storage *ss, socklen_t *len)
{
	uint32_t n;

	memset(ss, 0, sizeof(*ss));
	if (msg_get_u32(m, &n) != 0 || n > sizeof(*ss) ||
	    n < sizeof(sa_family_t) || msg_get_bytes(m, ss, n) != 0)
		return APEX_EMALF;
	if (!(ss->ss_family == AF_INET && n >= sizeof(struct sockaddr_in)) &&
	    !(ss->ss_family == AF_INET6 && n >= sizeof(struct sockaddr_in6)))
		return APEX_EMALF;
	*len = (socklen_t)n;
	return 0;
}

static void
put_sockaddr(struct msg_buf *b, const struct sockaddr *sa, socklen_t len)
{
	msg_put_u32(b, (uint32_t)len);
	msg_put_bytes(b, sa, len);
}

int
ipc_get_empty(struct msg *m)
{
	return no_fd(m) == 0 && msg_end(m) == 0 ? 0 : APEX_EMALF;
}

void
ipc_put_lp_zone(struct msg_buf *b, uint32_t serial)
{
	msg_put_u32(b, serial);
}

int
ipc_get_lp_zone(struct msg *m, uint32_t *serial)
{
	return with_fd(m) == 0 && msg_get_u32(m, serial) == 0 &&
	    msg_end(m) == 0 ? 0 : APEX_EMALF;
}

void
ipc_put_lp_error(struct msg_buf *b, const char *text)
{
	msg_put_str(b, text);
}

int
ipc_get_lp_error(struct msg *m, char *text, size_t size)
{
	return no_fd(m) == 0 && msg_get_str(m, text, size) == 0 &&
	    msg_end(m) == 0 ? 0 : APEX_EMALF;
}

void
ipc_put_wp_zone_ack(struct msg_buf *b, uint32_t serial)
{
	msg_put_u32(b, serial);
}

int
ipc_get_wp_zone_ack(struct msg *m, uint32_t *serial)
{
	return no_fd(m) == 0 && msg_get_u32(m, serial) == 0 &&
	    msg_end(m) == 0 ? 0 : APEX_EMALF;
}

void
ipc_put_xfr(struct msg_buf *b, const struct sockaddr *sa, socklen_t salen,
    const uint8_t *data, size_t len)
{
	put_sockaddr(b, sa, salen);
	msg_put_u32(b, (uint32_t)len);
	msg_put_bytes(b, data, len);
}

int
ipc_get_xfr(struct msg *m, struct ipc_xfr *x)
{
	uint32_t n;

	if (with_fd(m) != 0 || get_sockaddr(m, &x->peer, &x->peerlen) != 0 ||
	    msg_get_u32(m, &n) != 0 || n > m->hdr.len - m->pos)
		return APEX_EMALF;
	x->data = m->payload + m->pos;
	x->len = n;
	m->pos += n;
	return msg_end(m);
}

void
ipc_put_update(struct msg_buf *b, const struct ipc_update *u)
{
	msg_put_u32(b, u->slot);
	msg_put_u32(b, u->gen);
	msg_put_u32(b, u->sock);
	put_sockaddr(b, (const struct sockaddr *)&u->peer, u->peerlen);
	msg_put_u32(b, (uint32_t)u->len);
	msg_put_bytes(b, u->data, u->len);
}

int
ipc_get_update(struct msg *m, struct ipc_update *u)
{
	uint32_t n;

	/* A DNS message over UDP: at most 65535 octets, at least a
	 * header. */
	if (no_fd(m) != 0 || msg_get_u32(m, &u->slot) != 0 ||
	    msg_get_u32(m, &u->gen) != 0 || msg_get_u32(m, &u->sock) != 0 ||
	    get_sockaddr(m, &u->peer, &u->peerlen) != 0 ||
	    msg_get_u32(m, &n) != 0 || n > m->hdr.len - m->pos || n < 12 ||
	    n > 65535)
		return APEX_EMALF;
	u->data = m->payload + m->pos;
	u->len = n;
	m->pos += n;
	return msg_end(m);
}

void
ipc_put_notify(struct msg_buf *b, const uint8_t *origin,
    const struct sockaddr *sa, socklen_t salen)
{
	msg_put_name(b, origin);
	put_sockaddr(b, sa, salen);
}

int
ipc_get_notify(struct msg *m, uint8_t origin[255],
    struct sockaddr_storage *ss, socklen_t *salen)
{
	return no_fd(m) == 0 && msg_get_name(m, origin) == 0 &&
	    get_sockaddr(m, ss, salen) == 0 && msg_end(m) == 0 ? 0 :
	    APEX_EMALF;
}

void
ipc_put_xp_load(struct msg_buf *b, const uint8_t *origin, uint32_t serial)
{
	msg_put_name(b, origin);
	msg_put_u32(b, serial);
}

int
ipc_get_xp_load(struct msg *m, uint8_t origin[255], uint32_t *serial)
{
	return with_fd(m) == 0 && msg_get_name(m, origin) == 0 &&
	    msg_get_u32(m, serial) == 0 && msg_end(m) == 0 ? 0 : APEX_EMALF;
}

void
ipc_put_xp_state(struct msg_buf *b, const uint8_t *origin,
    const struct ipc_xfr_state *st)
{
	msg_put_name(b, origin);
	msg_put_u32(b, (st->expired ? XFR_F_EXPIRED : 0) |
	    (st->unsynced ? XFR_F_UNSYNCED : 0) |
	    (st->frozen ? XFR_F_FROZEN : 0));
	msg_put_u32(b, st->serial);
	msg_put_u64(b, st->last_refresh);
	msg_put_u64(b, st->next_refresh);
	msg_put_u64(b, st->expires);
	msg_put_u64(b, st->journal_size);
	for (unsigned i = 0; i < XFR_STATE_COUNTERS; i++)
		msg_put_u64(b, st->count[i]);
	msg_put_str(b, st->error);
}

int
ipc_get_xp_state(struct msg *m, uint8_t origin[255], struct ipc_xfr_state *st)
{
	uint32_t flags;

	memset(st, 0, sizeof(*st));
	if (no_fd(m) != 0 || msg_get_name(m, origin) != 0 ||
	    msg_get_u32(m, &flags) != 0 || flags > (XFR_F_EXPIRED |
	    XFR_F_UNSYNCED | XFR_F_FROZEN) ||
	    msg_get_u32(m, &st->serial) != 0 ||
	    msg_get_u64(m, &st->last_refresh) != 0 ||
	    msg_get_u64(m, &st->next_refresh) != 0 ||
	    msg_get_u64(m, &st->expires) != 0 ||
	    msg_get_u64(m, &st->journal_size) != 0)
		return APEX_EMALF;
	for (unsigned i = 0; i < XFR_STATE_COUNTERS; i++)
		if (msg_get_u64(m, &st->count[i]) != 0)
			return APEX_EMALF;
	if (msg_get_str(m, st->error, sizeof(st->error)) != 0 ||
	    msg_end(m) != 0)
		return APEX_EMALF;
	st->expired = (flags & XFR_F_EXPIRED) != 0;
	st->unsynced = (flags & XFR_F_UNSYNCED) != 0;
	st->frozen = (flags & XFR_F_FROZEN) != 0;
	return 0;
}

void
ipc_put_sp_state(struct msg_buf *b, const struct ipc_sign_state *st)
{
	msg_put_u32(b, st->failing ? 1 : 0);
	msg_put_u32(b, st->serial);
	msg_put_u64(b, st->earliest_expiry);
	msg_put_u64(b, st->next_resign);
	msg_put_u64(b, st->next_key_event);
	msg_put_u64(b, st->last_run);
	msg_put_u64(b, st->runs);
	msg_put_u64(b, st->failures);
	msg_put_u64(b, st->sigs_made);
	msg_put_u64(b, st->rrsets_signed);
	for (unsigned i = 0; i < nitems(st->keys); i++)
		msg_put_u32(b, st->keys[i]);
	msg_put_str(b, st->error);
}

int
ipc_get_sp_state(struct msg *m, struct ipc_sign_state *st)
{
	uint32_t failing;

	memset(st, 0, sizeof(*st));
	if (no_fd(m) != 0 || msg_get_u32(m, &failing) != 0 || failing > 1 ||
	    msg_get_u32(m, &st->serial) != 0 ||
	    msg_get_u64(m, &st->earliest_expiry) != 0 ||
	    msg_get_u64(m, &st->next_resign) != 0 ||
	    msg_get_u64(m, &st->next_key_event) != 0 ||
	    msg_get_u64(m, &st->last_run) != 0 ||
	    msg_get_u64(m, &st->runs) != 0 ||
	    msg_get_u64(m, &st->failures) != 0 ||
	    msg_get_u64(m, &st->sigs_made) != 0 ||
	    msg_get_u64(m, &st->rrsets_signed) != 0)
		return APEX_EMALF;
	for (unsigned i = 0; i < nitems(st->keys); i++)
		if (msg_get_u32(m, &st->keys[i]) != 0)
			return APEX_EMALF;
	if (msg_get_str(m, st->error, sizeof(st->error)) != 0 ||
	    msg_end(m) != 0)
		return APEX_EMALF;
	st->failing = failing != 0;
	return 0;
}

void
ipc_put_reply(struct msg_buf *b, bool ok, const char *text)
{
	size_t n = strlen(text);

	/* The reply must fit in one message with its header fields. */
	if (n > MSG_MAXPAYLOAD - 16)
		n = MSG_MAXPAYLOAD - 16;
	msg_put_u32(b, ok ? 0 : 1);
	msg_put_u32(b, (uint32_t)n);
	msg_put_bytes(b, text, n);
}

int
ipc_get_reply(struct msg *m, bool *ok, char *text, size_t size)
{
	uint32_t status;

	if (no_fd(m) != 0 || msg_get_u32(m, &status) != 0 || status > 1 ||
	    msg_get_str(m, text, size) != 0 || msg_end(m) != 0)
		return APEX_EMALF;
	*ok = status == 0;
	return 0;
}

void
ipc_put_request(struct msg_buf *b, uint32_t cmd, uint32_t flags,
    const char *arg)
{
	msg_put_u32(b, cmd);
	msg_put_u32(b, flags);
	msg_put_str(b, arg);
}

int
ipc_get_request(struct msg *m, uint32_t *cmd, uint32_t *flags, char *arg,
    size_t size)
{
	return no_fd(m) == 0 && msg_get_u32(m, cmd) == 0 &&
	    msg_get_u32(m, flags) == 0 && msg_get_str(m, arg, size) == 0 &&
	    msg_end(m) == 0 ? 0 : APEX_EMALF;
}

int
ctl_request_decode(struct msg *m, struct ctl_request *req)
{
	if (m->hdr.type != MSG_CTL_REQUEST || ipc_get_request(m, &req->cmd,
	    &req->flags, req->arg, sizeof(req->arg)) != 0 || req->cmd == 0 ||
	    req->cmd >= CTL_COMMAND_MAX)
		return APEX_EMALF;
	return 0;
}
