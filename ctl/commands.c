/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * apex-ctl commands: a table (no string-prefix chains), and one request
 * and reply over the control socket in the framing every apex process
 * uses.
 * Runs in: apex-ctl.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "commands.h"
#include "error.h"
#include "msg.h"

/* A reload of a large zone can take a while. */
#define REPLY_TIMEOUT_MS	(10 * 60 * 1000)

static const struct ctl_command_def commands[] = {
	{ "status", CTL_STATUS, 0, NULL, "the server's state", false },
	{ "reload", CTL_RELOAD, 1, "[zone]",
	    "reload every zone whose file changed, or one zone", false },
	{ "reconfig", CTL_RECONFIG, 0, NULL,
	    "reread the configuration: zones, addresses, options", false },
	{ "zonestatus", CTL_ZONESTATUS, 2, "zone",
	    "serial, load time and errors of a zone", false },
	{ "stats", CTL_STATS, 0, NULL, "query counters", false },
	{ "querylog", CTL_QUERYLOG, 1, "[on|off]",
	    "switch query logging (no argument: toggle)", false },
	{ "reopen", CTL_REOPEN, 0, NULL, "reopen log files", false },
	{ "stop", CTL_STOP, 0, NULL,
	    "stop, after finishing the answers in progress", false },
	{ "halt", CTL_HALT, 0, NULL, "stop at once", false },
	{ "refresh", CTL_REFRESH, 2, "zone",
	    "check a secondary zone's primary now", false },
	{ "retransfer", CTL_RETRANSFER, 2, "zone",
	    "transfer a secondary zone again", false },
	{ "notify", CTL_NOTIFY, 2, "zone",
	    "send NOTIFY for a zone", false },
	{ "sync", CTL_SYNC, 1, "[zone]",
	    "write a dynamic zone's file now (no argument: every one)",
	    false },
	{ "freeze", CTL_FREEZE, 2, "zone",
	    "refuse updates and write the file, to edit it by hand", false },
	{ "thaw", CTL_THAW, 2, "zone",
	    "reload the edited file and take updates again", false },
	{ "sign", CTL_SIGN, 2, "zone",
	    "sign a zone with a dnssec-policy now", false },
	{ "dnssec", CTL_DNSSEC, 3, "args",
	    "keys and rollovers (see apex-ctl(8))", false },
	{ "test-syscall", CTL_TEST_SYSCALL, 0, NULL,
	    "make a worker call a forbidden system call (tests)", true },
	{ "test-write", CTL_TEST_WRITE, 2, "fds",
	    "make a worker write to descriptor numbers (tests)", true },
};

const struct ctl_command_def *
ctl_find(const char *name)
{
	for (size_t i = 0; i < nitems(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

void
ctl_usage(void)
{
	fprintf(stderr, "usage: apex-ctl [--json] [-s socket] command "
	    "[argument]"
	    "\n\ncommands:\n");
	for (size_t i = 0; i < nitems(commands); i++)
		if (!commands[i].hidden)
			fprintf(stderr, "  %-11s %-9s %s\n", commands[i].name,
			    commands[i].argname ? commands[i].argname : "",
			    commands[i].help);
	fprintf(stderr, "  %-11s %-9s %s\n", "tsig-keygen", "[-a alg] name",
	    "print a new TSIG key clause");
}

int
ctl_run(const char *path, const struct ctl_command_def *cmd, const char *arg,
    bool json)
{
	struct sockaddr_un sun;
	struct msg_buf b;
	struct msg *m = NULL;
	char *text = NULL;
	uint32_t status = 1;
	int fd = -1, rc = 1;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "apex-ctl: %s: path too long\n", path);
		return 1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		fprintf(stderr, "apex-ctl: %s: %s (is apex-named running?)\n",
		    path, strerror(errno));
		goto out;
	}
	msg_buf_init(&b);
	msg_put_u32(&b, (uint32_t)cmd->command);
	msg_put_u32(&b, json ? CTL_F_JSON : 0);
	msg_put_str(&b, arg ? arg : "");
	if (msg_send(fd, MSG_CTL_REQUEST, 0, &b, -1) != 0) {
		fprintf(stderr, "apex-ctl: send: %s\n", strerror(errno));
		goto out;
	}
	struct pollfd pfd = { fd, POLLIN, 0 };
	if (poll(&pfd, 1, REPLY_TIMEOUT_MS) != 1) {
		fprintf(stderr, "apex-ctl: no reply from the server\n");
		goto out;
	}
	m = xmalloc(sizeof(*m));
	text = xmalloc(MSG_MAXPAYLOAD);
	if (msg_recv(fd, m) != 0 || m->hdr.type != MSG_CTL_REPLY ||
	    msg_get_u32(m, &status) != 0 ||
	    msg_get_str(m, text, MSG_MAXPAYLOAD) != 0 || msg_end(m) != 0) {
		fprintf(stderr, "apex-ctl: bad reply from the server (is it "
		    "the same version?)\n");
		goto out;
	}
	size_t n = strlen(text);
	fprintf(status == 0 ? stdout : stderr, "%s%s", text,
	    n > 0 && text[n - 1] != '\n' ? "\n" : "");
	rc = status == 0 ? 0 : 1;
out:
	if (fd >= 0)
		close(fd);
	free(text);
	free(m);
	return rc;
}
