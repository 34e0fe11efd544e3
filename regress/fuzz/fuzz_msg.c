/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * libFuzzer target: any bytes as an IPC datagram from a child, through
 * msg_recv() and the payload readers, as the parent reads them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "msg.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct msg m;
	static int sv[2] = { -1, -1 };
	char s[256];
	uint8_t name[255];
	uint32_t v;
	uint64_t w;

	if (size == 0 || size > 70000)
		return 0;
	if (sv[0] < 0 && socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0)
		abort();
	if (write(sv[0], data, size) != (ssize_t)size)
		return 0;
	if (msg_recv(sv[1], &m) != 0)
		return 0;
	/* Read the payload the ways the parent's decoders do. */
	for (size_t i = 0; i < size && msg_end(&m) != 0; i++) {
		switch (data[i] % 5) {
		case 0:
			if (msg_get_u32(&m, &v) != 0)
				goto out;
			break;
		case 1:
			if (msg_get_u64(&m, &w) != 0)
				goto out;
			break;
		case 2:
			if (msg_get_str(&m, s, sizeof(s)) != 0)
				goto out;
			break;
		case 3:
			if (msg_get_name(&m, name) != 0)
				goto out;
			break;
		case 4:
			/* a sockaddr of a transfer request, or a NOTIFY */
			if (msg_get_bytes(&m, s, data[i] % 129) != 0)
				goto out;
			break;
		}
	}
out:
	if (m.fd >= 0)
		close(m.fd);
	return 0;
}
