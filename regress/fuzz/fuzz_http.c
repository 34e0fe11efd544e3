/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * libFuzzer target: the octets an HTTP client sends to a statistics
 * channel, through http_parse() as the control process calls it: after
 * every read, on all that arrived so far. The first octet sets the size
 * of the reads (at least a 32nd of the input). Whatever the input, the
 * reader must decide by the time HTTP_HEADER_MAX octets are in (the
 * control process holds no more), and only with the answers the control
 * process knows how to send.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "http.h"

static void
check_decision(const struct http_request *req)
{
	switch (req->status) {
	case 0:
		if (req->route > HTTP_ROUTE_JSON)
			abort();
		break;
	case 400:
	case 405:
	case 413:
	case 431:
	case 505:
		break;
	default:
		abort();
	}
	if (http_result_of(req->status) >= HTTP_RES_COUNT ||
	    http_reason(req->status) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request req;
	size_t step, len = 0;
	char *buf;

	if (size == 0)
		return 0;
	step = 1 + data[0] % 64;
	data++;
	size--;
	/* At most about 32 reads: each parses everything so far. */
	if (step < size / 32)
		step = size / 32;
	/* Exactly what was read, no terminator: an overread shows. */
	if ((buf = malloc(HTTP_HEADER_MAX)) == NULL)
		return 0;
	while (len < size && len < HTTP_HEADER_MAX) {
		size_t n = size - len < step ? size - len : step;
		if (n > HTTP_HEADER_MAX - len)
			n = HTTP_HEADER_MAX - len;
		memcpy(buf + len, data + len, n);
		len += n;
		char *copy = malloc(len);
		if (copy == NULL)
			break;
		memcpy(copy, buf, len);
		int rc = http_parse(copy, len, &req);
		free(copy);
		if (rc == HTTP_DONE) {
			check_decision(&req);
			break;
		}
		if (rc != HTTP_MORE || len == HTTP_HEADER_MAX)
			abort();	/* a full buffer must be decided */
	}
	free(buf);
	return 0;
}
