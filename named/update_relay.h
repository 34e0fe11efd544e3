/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * UPDATE messages (RFC 2136) that came over UDP, on their way from a
 * worker to apex-xferd, which owns every change to a zone, and their
 * answers on the way back: the answer leaves by the UDP socket the
 * update came in on, so the client sees it from the address it asked.
 * The worker has already checked that the zone takes updates and that
 * allow-update (or, for update-policy, a valid TSIG key) admits the
 * client, so a flood nobody may send never leaves it. At most
 * UPDATE_RELAY_MAX updates a second are relayed by each worker; the
 * rest are dropped, and the client retries as after any lost datagram.
 * Runs in: worker.
 */
#ifndef APEX_UPDATE_RELAY_H
#define APEX_UPDATE_RELAY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "msg.h"

#define UPDATE_RELAY_MAX	20000

/* udp[0..nudp): the worker's UDP sockets, by index. */
void	update_relay_init(int parent, const int *udp, unsigned nudp);
/* An update that came on udp[sock] from peer. */
void	update_relay(unsigned sock, const struct sockaddr *peer,
	    const uint8_t *msg, size_t len);
/* MSG_PW_UPDATE: sends the answer. Returns: 0, or APEX_EMALF. */
int	update_relay_answer(struct msg *m);
/* Updates dropped (over the rate, or the parent not reading). */
unsigned long	update_relay_dropped(void);

#endif
