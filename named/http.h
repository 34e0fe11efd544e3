/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The request reader of the statistics channels: a strict HTTP/1.1
 * (and 1.0) reader that accepts GET and HEAD of a few paths and nothing
 * else. It looks only at the octets read so far and decides as early as
 * it can: a method other than GET or HEAD is refused once the request
 * line is in, a header over HTTP_HEADER_MAX octets is refused once that
 * many have arrived, and a request that announces a body is refused,
 * so the caller never has to hold more than HTTP_HEADER_MAX octets.
 * The reader keeps no state: the caller calls it again on the whole
 * buffer after every read.
 */
#ifndef APEX_HTTP_H
#define APEX_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_HEADER_MAX	8192	/* request line and header fields */

enum http_route {
	HTTP_ROUTE_NONE,		/* no such path: 404 */
	HTTP_ROUTE_METRICS,
	HTTP_ROUTE_HEALTH,
	HTTP_ROUTE_JSON,
};

/* What became of a request, for apex_http_requests_total. */
enum http_result {
	HTTP_RES_OK,			/* answered from a route */
	HTTP_RES_NOT_FOUND,		/* 404 */
	HTTP_RES_BAD_REQUEST,		/* 400, 505 */
	HTTP_RES_METHOD,		/* 405 */
	HTTP_RES_TOO_LARGE,		/* 413 (a body), 431 (the header) */
	HTTP_RES_TIMEOUT,		/* not complete in time */
	HTTP_RES_COUNT
};

struct http_request {
	int		 status;	/* 0: route it; else the error */
	bool		 head;		/* HEAD: no body in the answer */
	enum http_route	 route;
};

#define HTTP_MORE	0	/* read more */
#define HTTP_DONE	1	/* *req says what to answer */

/*
 * Looks at the len octets a client has sent on a connection so far.
 * Returns: HTTP_MORE while the header is incomplete and still within
 * bounds, otherwise HTTP_DONE with *req filled in: status 0 and the
 * route, or the error status (400, 405, 413, 431, 505) to answer with.
 */
int	http_parse(const char *buf, size_t len, struct http_request *req);

/* The reason phrase of status ("Error" for one it does not know). */
const char	*http_reason(int status);

/* enum http_result of an answer with this status. */
enum http_result	http_result_of(int status);

/* Label value of r in apex_http_requests_total. */
const char	*http_result_name(enum http_result r);

#endif
