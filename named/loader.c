/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The loader reads zone files (lib/zonefile.c) and hands each compiled
 * zone image back to the parent as a sealed memfd, so workers can map it
 * and nobody can change it afterwards.
 * Runs in: loader (forked by the parent for each load, unprivileged);
 * and in apex-named -C.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/mman.h>

#include "error.h"
#include "ipc.h"
#include "loader.h"
#include "reload.h"
#include "log.h"
#include "msg.h"
#include "rr.h"
#include "sandbox.h"
#include "zone.h"
#include "zonefile.h"

struct report_ctx {
	const struct conf_zone	*zone;
	unsigned		 index;
	int			 sock;
};

static void
report_problem(void *arg, const char *file, unsigned line, bool error,
    const char *msg)
{
	struct report_ctx *r = arg;
	char text[2048];

	if (line > 0)
		snprintf(text, sizeof(text), "%s:%u: %s", file, line, msg);
	else
		snprintf(text, sizeof(text), "%s: %s", file, msg);
	if (r->sock < 0) {
		/* apex-named -C: named-checkzone's plain file:line form */
		log_warnx("%s%s", error ? "" : "warning: ", text);
		return;
	}
	if (!error) {
		log_info("zone %s: warning: %s", r->zone->name, text);
		return;
	}
	/* The parent logs it, and tells apex-ctl. */
	struct msg_buf *b = xmalloc(sizeof(*b));
	msg_buf_init(b);
	ipc_put_lp_error(b, text);
	if (msg_send(r->sock, MSG_LP_ERROR, r->index, b, -1) != 0)
		log_warn("send error report");
	free(b);
}

int
loader_load_zone(const struct conf *cf, unsigned zone, int sock,
    uint32_t *serial)
{
	const struct conf_zone *z = &cf->zones[zone];
	struct report_ctx r = { z, zone, sock };
	struct zonefile_opts opts = { cf->directory, z->rclass,
	    z->max_records_per_type, z->max_types_per_name, report_problem,
	    &r, z->xfr.max_records };
	void *blob;
	size_t size;

	int rc = zonefile_load(z->file, z->origin, &opts, &blob, &size);
	if (rc != 0)
		return -1;	/* every problem was reported */
	*serial = ((const struct zone_hdr *)blob)->serial;
	int fd = zone_memfd(z->name, blob, size);
	if (fd < 0)
		log_warn("zone %s: memfd", z->name);
	free(blob);
	return fd;
}

/*
 * The loader reads only zone files: it opens them, maps or reads them,
 * and writes images into memfds it creates. No sockets but the one to
 * the parent, nothing else on the file system.
 */
static const struct sandbox_rule loader_allow[] = {
	{ "read", "read zone files" },
	{ "close", "close them" },
	{ "fstat", "size of a zone file" },
	{ "newfstatat", "fstat on newer libc" },
	{ "lseek", "libc stdio" },
	{ "munmap", "unmap them; free" },
	{ "mremap", "realloc while building an image" },
	{ "madvise", "sequential reading of zone files" },
	{ "brk", "malloc" },
	{ "memfd_create", "the image of a zone" },
	{ "write", "write the image" },
	{ "fcntl", "seal the image" },
	{ "sendmsg", "hand the image to the parent" },
	{ "sendto", "log lines to the parent" },
	{ "getcwd", "libzscanner resolves paths" },
	{ "futex", "libc locks" },
	{ "getrandom", "libc malloc" },
	{ "sysinfo", "glibc's qsort() asks for the memory size" },
};

static const struct sandbox_arg_rule loader_allow_args[] = {
	{ "openat", "zone files and $INCLUDE files, read-only",
	    SANDBOX_OPENAT_RDONLY },
	{ "open", "zone files (older libc), read-only", SANDBOX_OPEN_RDONLY },
	{ "mmap", "map zone files; malloc (never executable)",
	    SANDBOX_NO_EXEC },
};

void
loader_main(const struct conf *cf, int sock, const bool *which, uid_t uid,
    gid_t gid)
{
	log_set_role("loader");
	(void)prctl(PR_SET_NAME, "apex-loader");
	msg_log_to(sock);
	if (sandbox_enter_args("loader", loader_allow, nitems(loader_allow),
	    loader_allow_args, nitems(loader_allow_args), uid, gid, NULL) != 0)
		fatal("loader: sandbox");
	for (unsigned i = 0; i < cf->nzones; i++) {
		if (!which[i])
			continue;
		uint32_t serial = 0;
		int fd = loader_load_zone(cf, i, sock, &serial);
		struct msg_buf b;
		msg_buf_init(&b);
		if (fd < 0) {
			ipc_put_lp_error(&b, LOADER_GAVE_UP);
			if (msg_send(sock, MSG_LP_ERROR, i, &b, -1) != 0)
				fatal("send");
			continue;
		}
		ipc_put_lp_zone(&b, serial);
		if (msg_send(sock, MSG_LP_ZONE, i, &b, fd) != 0)
			fatal("send zone %s", cf->zones[i].name);
		close(fd);
	}
	if (msg_send(sock, MSG_LP_DONE, 0, NULL, -1) != 0)
		fatal("send");
	_exit(0);
}

unsigned
loader_check(const struct conf *cf)
{
	unsigned failed = 0;

	for (unsigned i = 0; i < cf->nzones; i++) {
		uint32_t serial;
		if (reload_waits_for_transfer(cf, i)) {
			/* Nothing to check until the first transfer. */
			log_info("zone %s: secondary, no copy yet",
			    cf->zones[i].name);
			continue;
		}
		int fd = loader_load_zone(cf, i, -1, &serial);
		if (fd < 0)
			failed++;
		else
			close(fd);
	}
	return failed;
}
