/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * libFuzzer target: any bytes as a datagram on the control socket,
 * through msg_recv() and ctl_request_decode() (lib/ipc.c), as the
 * control process reads a request from apex-ctl. A request that decodes must name a
 * known command and carry a terminated argument.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "ipc.h"
#include "msg.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct msg m;
	static int sv[2] = { -1, -1 };
	struct ctl_request req;

	if (size == 0 || size > 70000)
		return 0;
	if (sv[0] < 0 && socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0)
		abort();
	if (write(sv[0], data, size) != (ssize_t)size)
		return 0;
	if (msg_recv(sv[1], &m) != 0)
		return 0;
	if (m.fd >= 0)
		close(m.fd);
	if (ctl_request_decode(&m, &req) != 0)
		return 0;
	if (req.cmd == 0 || req.cmd >= CTL_COMMAND_MAX ||
	    memchr(req.arg, '\0', sizeof(req.arg)) == NULL ||
	    m.pos != m.hdr.len)
		abort();
	return 0;
}
