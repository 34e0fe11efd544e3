/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/* Unit tests for lib/msg.c: framing over a real socketpair. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "error.h"
#include "ipc.h"
#include "msg.h"
#include "testutil.h"

static void
pair(int sv[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
}

START_TEST(test_msg_round_trip_with_fd)
{
	static struct msg_buf b;
	static struct msg m;
	int sv[2], fd = open("/dev/null", O_RDONLY);
	uint32_t v;
	char s[32];

	pair(sv);
	msg_buf_init(&b);
	msg_put_u32(&b, 42);
	msg_put_str(&b, "zone");
	ck_assert_int_eq(msg_send(sv[0], MSG_LP_ZONE, 7, &b, fd), 0);
	ck_assert_int_eq(msg_recv(sv[1], &m), 0);
	ck_assert_uint_eq(m.hdr.type, MSG_LP_ZONE);
	ck_assert_uint_eq(m.hdr.id, 7);
	ck_assert_int_ge(m.fd, 0);
	ck_assert_int_eq(msg_get_u32(&m, &v), 0);
	ck_assert_uint_eq(v, 42);
	ck_assert_int_ne(msg_end(&m), 0);	/* a string is left */
	ck_assert_int_eq(msg_get_str(&m, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "zone");
	ck_assert_int_eq(msg_end(&m), 0);
	ck_assert_int_ne(msg_get_u32(&m, &v), 0);	/* nothing more */
	close(m.fd);
	close(fd);
}
END_TEST

START_TEST(test_msg_rejects_truncated_unknown_and_old)
{
	static struct msg m;
	int sv[2];
	struct msg_hdr h = { MSG_LP_DONE, MSG_VERSION, 4, 0, 0 };

	pair(sv);
	/* header claims 4 payload octets that are not there */
	ck_assert_int_eq(write(sv[0], &h, sizeof(h)), (ssize_t)sizeof(h));
	ck_assert_int_eq(msg_recv(sv[1], &m), APEX_EMALF);
	/* shorter than a header */
	ck_assert_int_eq(write(sv[0], "abc", 3), 3);
	ck_assert_int_eq(msg_recv(sv[1], &m), APEX_EMALF);
	/* unknown type */
	h.len = 0;
	h.type = MSG_TYPE_MAX;
	ck_assert_int_eq(write(sv[0], &h, sizeof(h)), (ssize_t)sizeof(h));
	ck_assert_int_eq(msg_recv(sv[1], &m), APEX_EMALF);
	/* a flag promising a descriptor that did not come */
	h.type = MSG_LP_DONE;
	h.flags = MSG_F_FD;
	ck_assert_int_eq(write(sv[0], &h, sizeof(h)), (ssize_t)sizeof(h));
	ck_assert_int_eq(msg_recv(sv[1], &m), APEX_EMALF);
	/* another version */
	h.flags = 0;
	h.version = MSG_VERSION + 1;
	ck_assert_int_eq(write(sv[0], &h, sizeof(h)), (ssize_t)sizeof(h));
	ck_assert_int_eq(msg_recv(sv[1], &m), APEX_EVERSION);
	/* peer gone */
	close(sv[0]);
	ck_assert_int_eq(msg_recv(sv[1], &m), APEX_ENOENT);
}
END_TEST

START_TEST(test_msg_oversized_payload_refused)
{
	static struct msg_buf b;
	int sv[2];
	static uint8_t big[MSG_MAXPAYLOAD + 1];

	pair(sv);
	msg_buf_init(&b);
	msg_put_bytes(&b, big, sizeof(big));
	ck_assert(b.overflow);
	ck_assert_int_eq(msg_send(sv[0], MSG_LP_ERROR, 0, &b, -1), APEX_ELIMIT);
}
END_TEST

START_TEST(test_msg_string_with_nul_rejected)
{
	static struct msg_buf b;
	static struct msg m;
	int sv[2];
	char s[16];

	pair(sv);
	msg_buf_init(&b);
	msg_put_u32(&b, 3);
	msg_put_bytes(&b, "a\0b", 3);
	ck_assert_int_eq(msg_send(sv[0], MSG_LP_ERROR, 0, &b, -1), 0);
	ck_assert_int_eq(msg_recv(sv[1], &m), 0);
	ck_assert_int_eq(msg_get_str(&m, s, sizeof(s)), APEX_EMALF);
	msg_buf_init(&b);
	msg_put_str(&b, "0123456789abcdef");
	ck_assert_int_eq(msg_send(sv[0], MSG_LP_ERROR, 0, &b, -1), 0);
	ck_assert_int_eq(msg_recv(sv[1], &m), 0);
	ck_assert_int_eq(msg_get_str(&m, s, sizeof(s)), APEX_EMALF);
}
END_TEST

/* A request as apex-ctl sends it, through the socket and the decoder. */
static int
ctl_decode(uint16_t type, uint32_t cmd, const char *arg, bool extra,
    struct ctl_request *req)
{
	static struct msg_buf b;
	static struct msg m;
	int sv[2];

	pair(sv);
	msg_buf_init(&b);
	msg_put_u32(&b, cmd);
	msg_put_u32(&b, CTL_F_JSON);
	msg_put_str(&b, arg);
	if (extra)
		msg_put_u32(&b, 0);
	ck_assert_int_eq(msg_send(sv[0], type, 0, &b, -1), 0);
	ck_assert_int_eq(msg_recv(sv[1], &m), 0);
	close(sv[0]);
	close(sv[1]);
	return ctl_request_decode(&m, req);
}

START_TEST(test_msg_ctl_request_decodes)
{
	struct ctl_request req;

	ck_assert_int_eq(ctl_decode(MSG_CTL_REQUEST, CTL_ZONESTATUS,
	    "example.com", false, &req), 0);
	ck_assert_uint_eq(req.cmd, CTL_ZONESTATUS);
	ck_assert_uint_eq(req.flags, CTL_F_JSON);
	ck_assert_str_eq(req.arg, "example.com");
}
END_TEST

START_TEST(test_msg_ctl_request_rejects_malformed)
{
	struct ctl_request req;
	char big[2000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	/* not a request, no command, an unknown one, trailing octets, an
	 * argument longer than the decoder takes */
	ck_assert_int_eq(ctl_decode(MSG_CP_REQUEST, CTL_STATUS, "", false,
	    &req), APEX_EMALF);
	ck_assert_int_eq(ctl_decode(MSG_CTL_REQUEST, 0, "", false, &req),
	    APEX_EMALF);
	ck_assert_int_eq(ctl_decode(MSG_CTL_REQUEST, CTL_COMMAND_MAX, "",
	    false, &req), APEX_EMALF);
	ck_assert_int_eq(ctl_decode(MSG_CTL_REQUEST, CTL_STATUS, "", true,
	    &req), APEX_EMALF);
	ck_assert_int_eq(ctl_decode(MSG_CTL_REQUEST, CTL_RELOAD, big, false,
	    &req), APEX_EMALF);
}
END_TEST

/* Descriptors open in this process. */
static int
count_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

/* Sends a header with nfds copies of /dev/null attached. */
static void
send_with_fds(int sock, uint16_t type, uint32_t flags, int nfds)
{
	struct msg_hdr h = { type, MSG_VERSION, 0, 0, flags };
	struct iovec iov = { &h, sizeof(h) };
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(4 * sizeof(int))];
	} cm;
	struct msghdr mh;
	int fds[4];

	for (int i = 0; i < nfds; i++)
		fds[i] = open("/dev/null", O_RDONLY);
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds > 0) {
		mh.msg_control = cm.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	ck_assert_int_eq(sendmsg(sock, &mh, 0), (ssize_t)sizeof(h));
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
}

/* A peer that attaches descriptors where none belong, or several, gets
 * APEX_EMALF and every descriptor is closed: none accumulates in the
 * receiver. */
START_TEST(test_msg_stray_fds_closed)
{
	static struct msg m;
	int sv[2];

	pair(sv);
	int before = count_fds();
	for (int round = 0; round < 50; round++) {
		send_with_fds(sv[0], MSG_LOG, MSG_F_FD, 1);
		ck_assert_int_eq(msg_recv(sv[1], &m), APEX_EMALF);
		ck_assert_int_eq(m.fd, -1);
		send_with_fds(sv[0], MSG_LP_DONE, 0, 1);
		ck_assert_int_eq(msg_recv(sv[1], &m), APEX_EMALF);
		send_with_fds(sv[0], MSG_LP_ZONE, MSG_F_FD, 2);
		ck_assert_int_eq(msg_recv(sv[1], &m), APEX_EMALF);
		send_with_fds(sv[0], MSG_LP_ZONE, MSG_F_FD, 4);
		ck_assert_int_eq(msg_recv(sv[1], &m), APEX_EMALF);
		send_with_fds(sv[0], MSG_LP_ZONE, 0, 1);
		ck_assert_int_eq(msg_recv(sv[1], &m), APEX_EMALF);
	}
	ck_assert_int_eq(count_fds(), before);
	/* The one legitimate form still works. */
	send_with_fds(sv[0], MSG_LP_ZONE, MSG_F_FD, 1);
	ck_assert_int_eq(msg_recv(sv[1], &m), 0);
	ck_assert_int_ge(m.fd, 0);
	close(m.fd);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

static Suite *
msg_suite(void)
{
	Suite *s = suite_create("msg");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_msg_round_trip_with_fd);
	tcase_add_test(tc, test_msg_stray_fds_closed);
	tcase_add_test(tc, test_msg_rejects_truncated_unknown_and_old);
	tcase_add_test(tc, test_msg_oversized_payload_refused);
	tcase_add_test(tc, test_msg_string_with_nul_rejected);
	tcase_add_test(tc, test_msg_ctl_request_decodes);
	tcase_add_test(tc, test_msg_ctl_request_rejects_malformed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(msg_suite());
}
