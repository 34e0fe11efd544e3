/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * UDP updates to apex-xferd and their answers back (update_relay.h).
 * Runs in: worker.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>

#include "error.h"
#include "ipc.h"
#include "update_relay.h"

static struct {
	int		 parent;
	const int	*udp;
	unsigned	 nudp;
	time_t		 second;	/* of the count below */
	unsigned	 count;
	unsigned long	 dropped;
} ur;

void
update_relay_init(int parent, const int *udp, unsigned nudp)
{
	ur.parent = parent;
	ur.udp = udp;
	ur.nudp = nudp;
}

void
update_relay(unsigned sock, const struct sockaddr *peer, const uint8_t *msg,
    size_t len)
{
	struct ipc_update u;
	struct msg_buf *b;
	time_t now = time(NULL);

	if (now != ur.second) {
		ur.second = now;
		ur.count = 0;
	}
	if (++ur.count > UPDATE_RELAY_MAX) {
		ur.dropped++;
		return;
	}
	memset(&u, 0, sizeof(u));
	u.sock = sock;
	u.peerlen = peer->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	memcpy(&u.peer, peer, u.peerlen);
	u.data = msg;
	u.len = len;
	b = xmalloc(sizeof(*b));
	msg_buf_init(b);
	ipc_put_update(b, &u);
	if (msg_send(ur.parent, MSG_WP_UPDATE, 0, b, -1) != 0)
		ur.dropped++;
	free(b);
}

int
update_relay_answer(struct msg *m)
{
	struct ipc_update u;

	if (ipc_get_update(m, &u) != 0 || u.sock >= ur.nudp)
		return APEX_EMALF;
	/* Lost like any datagram if the socket is full: the client
	 * retries, and an update applied already fails its own
	 * prerequisites or changes nothing the second time. */
	(void)sendto(ur.udp[u.sock], u.data, u.len, MSG_DONTWAIT,
	    (const struct sockaddr *)&u.peer, u.peerlen);
	return 0;
}

unsigned long
update_relay_dropped(void)
{
	return ur.dropped;
}
