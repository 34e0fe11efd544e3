/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/* Unit tests for named/http.c (the statistics channels' request reader). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "testutil.h"

/* http_parse() on a string; *req gets the decision. */
static int
parse(const char *text, struct http_request *req)
{
	return http_parse(text, strlen(text), req);
}

START_TEST(test_http_routes_get_and_head)
{
	struct http_request r;

	ck_assert_int_eq(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n"
	    "Accept: */*\r\n\r\n", &r), HTTP_DONE);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(r.route, HTTP_ROUTE_METRICS);
	ck_assert(!r.head);
	ck_assert_int_eq(parse("HEAD /health HTTP/1.0\r\n\r\n", &r), HTTP_DONE);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(r.route, HTTP_ROUTE_HEALTH);
	ck_assert(r.head);
	ck_assert_int_eq(parse("GET /json HTTP/1.1\r\nhost: x\r\n"
	    "Content-Length: 0\r\n\r\n", &r), HTTP_DONE);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(r.route, HTTP_ROUTE_JSON);
	ck_assert_int_eq(parse("GET /metrics?x HTTP/1.1\r\nHost: x\r\n\r\n",
	    &r), HTTP_DONE);
	ck_assert_int_eq(r.route, HTTP_ROUTE_NONE);
}
END_TEST

START_TEST(test_http_waits_for_the_whole_header)
{
	struct http_request r;

	ck_assert_int_eq(parse("", &r), HTTP_MORE);
	ck_assert_int_eq(parse("GE", &r), HTTP_MORE);
	ck_assert_int_eq(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n", &r),
	    HTTP_MORE);
	ck_assert_int_eq(parse("GET /metrics HTTP/1.1\r\nHost: x\r", &r),
	    HTTP_MORE);
}
END_TEST

START_TEST(test_http_refuses_methods_at_once)
{
	struct http_request r;

	/* Decided before the header is in, let alone a body. */
	ck_assert_int_eq(parse("POST ", &r), HTTP_DONE);
	ck_assert_int_eq(r.status, 405);
	ck_assert_int_eq(parse("DELETE", &r), HTTP_DONE);
	ck_assert_int_eq(r.status, 405);
	ck_assert_int_eq(parse("get /metrics HTTP/1.1\r\n", &r), HTTP_DONE);
	ck_assert_int_eq(r.status, 405);
	ck_assert_int_eq(parse(" GET", &r), HTTP_DONE);
	ck_assert_int_eq(r.status, 400);
}
END_TEST

START_TEST(test_http_refuses_bodies)
{
	struct http_request r;

	ck_assert_int_eq(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 10\r\n\r\n", &r), HTTP_DONE);
	ck_assert_int_eq(r.status, 413);
	ck_assert_int_eq(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 00099999999999999999999\r\n\r\n", &r), HTTP_DONE);
	ck_assert_int_eq(r.status, 413);
	ck_assert_int_eq(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", &r), HTTP_DONE);
	ck_assert_int_eq(r.status, 413);
	ck_assert_int_eq(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: -1\r\n\r\n", &r), HTTP_DONE);
	ck_assert_int_eq(r.status, 400);
}
END_TEST

START_TEST(test_http_refuses_malformed_requests)
{
	static const char *const bad[] = {
		"GET /metrics HTTP/1.1\r\n\r\n",		/* no Host */
		"GET /metrics HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
		"GET metrics HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET  /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /metrics HTTP/1.1 \r\nHost: x\r\n\r\n",
		"GET /metrics\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost: x\r\nX: a\001b\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
		"GET /me\ttrics HTTP/1.1\r\nHost: x\r\n\r\n",
	};
	struct http_request r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(parse(bad[i], &r), HTTP_DONE);
		ck_assert_msg(r.status == 400, "%zu: %d", i, r.status);
	}
	ck_assert_int_eq(parse("GET /metrics HTTP/2.0\r\nHost: x\r\n\r\n", &r),
	    HTTP_DONE);
	ck_assert_int_eq(r.status, 505);
}
END_TEST

START_TEST(test_http_decides_within_the_header_limit)
{
	struct http_request r;
	char *buf = malloc(HTTP_HEADER_MAX);
	const char *start = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: ";

	ck_assert_ptr_nonnull(buf);
	memset(buf, 'y', HTTP_HEADER_MAX);
	memcpy(buf, start, strlen(start));
	ck_assert_int_eq(http_parse(buf, HTTP_HEADER_MAX - 1, &r), HTTP_MORE);
	ck_assert_int_eq(http_parse(buf, HTTP_HEADER_MAX, &r), HTTP_DONE);
	ck_assert_int_eq(r.status, 431);
	/* A request line that fills the buffer alone. */
	memset(buf, '/', HTTP_HEADER_MAX);
	memcpy(buf, "GET ", 4);
	ck_assert_int_eq(http_parse(buf, HTTP_HEADER_MAX, &r), HTTP_DONE);
	ck_assert_int_eq(r.status, 431);
	free(buf);
}
END_TEST

START_TEST(test_http_result_names)
{
	ck_assert_str_eq(http_result_name(http_result_of(200)), "ok");
	ck_assert_str_eq(http_result_name(http_result_of(503)), "ok");
	ck_assert_str_eq(http_result_name(http_result_of(431)), "too-large");
	ck_assert_str_eq(http_result_name(http_result_of(505)),
	    "bad-request");
	ck_assert_str_eq(http_reason(431), "Request Header Fields Too Large");
}
END_TEST

static Suite *
http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_http_routes_get_and_head);
	tcase_add_test(tc, test_http_waits_for_the_whole_header);
	tcase_add_test(tc, test_http_refuses_methods_at_once);
	tcase_add_test(tc, test_http_refuses_bodies);
	tcase_add_test(tc, test_http_refuses_malformed_requests);
	tcase_add_test(tc, test_http_decides_within_the_header_limit);
	tcase_add_test(tc, test_http_result_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(http_suite());
}
