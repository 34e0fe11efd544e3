/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * A strict reader of HTTP/1.1 GET and HEAD requests (RFC 9112) for the
 * statistics channels. It has no state and allocates nothing: it looks
 * at what was read so far and says "more" or what to answer. Anything
 * that is not a plain request without a body is refused rather than
 * interpreted, so no input makes the caller buffer more than
 * HTTP_HEADER_MAX octets.
 * Runs in: control (unprivileged, seccomp).
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "http.h"

struct span {
	const char	*p;
	size_t		 n;
};

static bool
is_tchar(unsigned char ch)
{
	/* RFC 9110 5.6.2 token characters. */
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') ||
	    (ch != 0 && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

static bool
span_is(struct span s, const char *lit)
{
	return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

static bool
span_is_nocase(struct span s, const char *lit)
{
	return s.n == strlen(lit) && strncasecmp(s.p, lit, s.n) == 0;
}

/* Offset of the first CRLF in buf[from, len), or len if none. */
static size_t
find_crlf(const char *buf, size_t from, size_t len)
{
	for (size_t i = from; i + 1 < len; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n')
			return i;
	return len;
}

static int
done(struct http_request *req, int status)
{
	req->status = status;
	return HTTP_DONE;
}

/*
 * The method, as soon as it is known: a client that sends a POST is
 * answered before its body, and before the rest of its header.
 * Returns: 0 (GET or HEAD, or not known yet), or the error status.
 */
static int
check_method(const char *buf, size_t len, struct http_request *req)
{
	size_t i = 0;

	while (i < len && is_tchar((unsigned char)buf[i]))
		i++;
	if (i == len)
		return i > 4 ? 405 : 0;	/* longer than HEAD already */
	if (buf[i] != ' ' || i == 0)
		return 400;
	struct span m = { buf, i };
	if (span_is(m, "HEAD"))
		req->head = true;
	else if (!span_is(m, "GET"))
		return 405;
	return 0;
}

/* METHOD SP request-target SP HTTP-version, the method already checked. */
static int
parse_request_line(const char *buf, size_t len, struct http_request *req,
    bool *http11)
{
	const char *sp1 = memchr(buf, ' ', len);
	size_t off = (size_t)(sp1 - buf) + 1;
	const char *sp2 = memchr(buf + off, ' ', len - off);

	if (sp2 == NULL)
		return 400;
	struct span target = { buf + off, (size_t)(sp2 - (buf + off)) };
	struct span version = { sp2 + 1, len - (size_t)(sp2 + 1 - buf) };
	if (target.n == 0 || target.p[0] != '/')
		return 400;
	for (size_t i = 0; i < target.n; i++)
		if ((unsigned char)target.p[i] <= 0x20 ||
		    (unsigned char)target.p[i] >= 0x7f)
			return 400;
	if (version.n != 8 || memcmp(version.p, "HTTP/", 5) != 0 ||
	    version.p[6] != '.' || version.p[5] < '0' || version.p[5] > '9' ||
	    version.p[7] < '0' || version.p[7] > '9')
		return 400;
	if (!span_is(version, "HTTP/1.1") && !span_is(version, "HTTP/1.0"))
		return 505;
	*http11 = span_is(version, "HTTP/1.1");
	if (span_is(target, "/metrics"))
		req->route = HTTP_ROUTE_METRICS;
	else if (span_is(target, "/health"))
		req->route = HTTP_ROUTE_HEALTH;
	else if (span_is(target, "/json"))
		req->route = HTTP_ROUTE_JSON;
	else
		req->route = HTTP_ROUTE_NONE;
	return 0;
}

/*
 * One header field line. A body is refused (GET and HEAD need none),
 * whether announced by Content-Length or Transfer-Encoding.
 * Returns: 0 or the error status; *hosts counts Host fields.
 */
static int
parse_field(const char *p, size_t n, unsigned *hosts)
{
	size_t i = 0;

	/* No obs-fold, no space before the colon (RFC 9112 5.1, 5.2). */
	while (i < n && is_tchar((unsigned char)p[i]))
		i++;
	if (i == 0 || i == n || p[i] != ':')
		return 400;
	struct span name = { p, i };
	for (size_t k = i + 1; k < n; k++) {
		unsigned char ch = (unsigned char)p[k];
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return 400;
	}
	i++;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	while (n > i && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	struct span value = { p + i, n - i };
	if (span_is_nocase(name, "Host"))
		(*hosts)++;
	else if (span_is_nocase(name, "Transfer-Encoding"))
		return 413;
	else if (span_is_nocase(name, "Content-Length")) {
		if (value.n == 0)
			return 400;
		for (size_t k = 0; k < value.n; k++)
			if (value.p[k] < '0' || value.p[k] > '9')
				return 400;
			else if (value.p[k] != '0')
				return 413;
	}
	return 0;
}

int
http_parse(const char *buf, size_t len, struct http_request *req)
{
	bool http11 = false;
	unsigned hosts = 0;
	int st;

	memset(req, 0, sizeof(*req));
	if ((st = check_method(buf, len, req)) != 0)
		return done(req, st);
	size_t eol = find_crlf(buf, 0, len);
	if (eol == len)
		return len >= HTTP_HEADER_MAX ? done(req, 431) : HTTP_MORE;
	if ((st = parse_request_line(buf, eol, req, &http11)) != 0)
		return done(req, st);
	/* Nothing is interpreted before the whole header is in: a field
	 * line cut by the read would look malformed. */
	size_t lim = len < HTTP_HEADER_MAX ? len : HTTP_HEADER_MAX;
	size_t off = eol + 2, end;
	for (;;) {
		end = find_crlf(buf, off, lim);
		if (end == lim)
			return lim >= HTTP_HEADER_MAX ? done(req, 431) :
			    HTTP_MORE;
		if (end == off)
			break;
		off = end + 2;
	}
	for (off = eol + 2; off < end; off = eol + 2) {
		eol = find_crlf(buf, off, end + 2);
		if ((st = parse_field(buf + off, eol - off, &hosts)) != 0)
			return done(req, st);
	}
	/* RFC 9112 3.2: exactly one Host in an HTTP/1.1 request. */
	if ((http11 && hosts != 1) || hosts > 1)
		return done(req, 400);
	return done(req, 0);
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 413:
		return "Content Too Large";
	case 431:
		return "Request Header Fields Too Large";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	}
	return "Error";
}

enum http_result
http_result_of(int status)
{
	switch (status) {
	case 200:
	case 503:
		return HTTP_RES_OK;
	case 404:
		return HTTP_RES_NOT_FOUND;
	case 405:
		return HTTP_RES_METHOD;
	case 408:
		return HTTP_RES_TIMEOUT;
	case 413:
	case 431:
		return HTTP_RES_TOO_LARGE;
	}
	return HTTP_RES_BAD_REQUEST;
}

const char *
http_result_name(enum http_result r)
{
	static const char *const names[HTTP_RES_COUNT] = {
		"ok", "not-found", "bad-request", "method", "too-large",
		"timeout",
	};

	return r < HTTP_RES_COUNT ? names[r] : "bad-request";
}
