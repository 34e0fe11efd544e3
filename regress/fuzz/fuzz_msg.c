/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * libFuzzer target: any bytes as an IPC datagram from a child, through
 * msg_recv() and then the decoder the parent applies to that type (the
 * ones in lib/ipc.c, and logging_from_child() for MSG_LOG), as a
 * compromised child would send them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "ipc.h"
#include "logging.h"
#include "msg.h"

static void
decode(struct msg *m)
{
	static char text[65536];
	uint8_t name[255];
	struct sockaddr_storage ss;
	struct ipc_xfr_state st;
	struct ipc_xfr x;
	socklen_t sl;
	uint32_t a, b;
	bool ok;

	switch (m->hdr.type) {
	case MSG_LP_ZONE:
		(void)ipc_get_lp_zone(m, &a);
		break;
	case MSG_LP_ERROR:
		(void)ipc_get_lp_error(m, text, 2048);
		break;
	case MSG_LP_DONE:
	case MSG_WP_READY:
	case MSG_XP_READY:
		(void)ipc_get_empty(m);
		break;
	case MSG_WP_ZONE_OK:
	case MSG_WP_ZONE_BAD:
		(void)ipc_get_wp_zone_ack(m, &a);
		break;
	case MSG_WP_XFR:
		(void)ipc_get_xfr(m, &x);
		break;
	case MSG_WP_UPDATE:
	case MSG_XP_UPDATE: {
		struct ipc_update u;
		(void)ipc_get_update(m, &u);
		break;
	}
	case MSG_WP_NOTIFY:
		(void)ipc_get_notify(m, name, &ss, &sl);
		break;
	case MSG_XP_LOAD:
		(void)ipc_get_xp_load(m, name, &a);
		break;
	case MSG_XP_STATE:
		(void)ipc_get_xp_state(m, name, &st);
		break;
	case MSG_XP_REPLY:
		(void)ipc_get_reply(m, &ok, text, 4096);
		break;
	case MSG_CP_REQUEST:
		(void)ipc_get_request(m, &a, &b, text, 1024);
		break;
	case MSG_LOG:
		(void)logging_from_child(m);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct msg m;
	static int sv[2] = { -1, -1 };

	if (size == 0 || size > 70000)
		return 0;
	if (sv[0] < 0 && socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0)
		abort();
	if (write(sv[0], data, size) != (ssize_t)size)
		return 0;
	if (msg_recv(sv[1], &m) != 0)
		return 0;
	decode(&m);
	if (m.fd >= 0)
		close(m.fd);
	return 0;
}
