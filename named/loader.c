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
#include <sys/stat.h>
#include <sys/mman.h>

#include "error.h"
#include "fileio.h"
#include "ipc.h"
#include "journal.h"
#include "loader.h"
#include "reload.h"
#include "log.h"
#include "msg.h"
#include "rr.h"
#include "sandbox.h"
#include "xfrin.h"
#include "zone.h"
#include "zonefile.h"

#define JOURNAL_READ_MAX	((size_t)1 << 32)

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

/* A dynamic zone's journal, where apex-xferd keeps it: journal "FILE",
 * FILE.jnl, or in state-directory. */
static uint8_t *
read_journal(const struct conf *cf, const struct conf_zone *z, size_t *len,
    char *path, size_t n)
{
	struct journal_entry *e;
	unsigned ne;
	uint8_t *p;

	if (z->journal != NULL) {
		snprintf(path, n, "%s", z->journal);
		return file_read_all(path, JOURNAL_READ_MAX, len);
	}
	snprintf(path, n, "%s.jnl", z->file);
	if ((p = file_read_all(path, JOURNAL_READ_MAX, len)) != NULL &&
	    journal_scan(p, *len, z->origin, &e, &ne) >= 0) {
		free(e);
		return p;
	}
	free(p);
	if (cf->state_directory == NULL)
		return NULL;
	journal_state_path(cf->state_directory, z->name, path, n);
	return file_read_all(path, JOURNAL_READ_MAX, len);
}

struct replay_ctx {
	struct report_ctx	*r;
	const char		*path;
};

static void
replay_report(void *arg, uint32_t tag, bool error, const char *msg)
{
	struct replay_ctx *c = arg;

	report_problem(c->r, c->path, 0, error, msg);
}

/*
 * A dynamic zone's updates newer than its file, from the journal (RFC
 * 2136 3.8: an update answered is never lost). A journal that leads on
 * from the file's serial but does not apply to it fails the load, as in
 * BIND: serving the file would drop the updates.
 * Returns: 0 (blob replaced if there was anything to replay), or -1.
 */
static int
replay_journal(const struct conf *cf, const struct conf_zone *z,
    struct report_ctx *r, void **blob, size_t *size)
{
	char path[4096], err[256] = "";
	size_t len = 0;
	uint8_t *jnl = read_journal(cf, z, &len, path, sizeof(path));
	struct replay_ctx c = { r, path };
	struct zone cur;
	uint32_t to = 0;

	if (jnl == NULL || zone_open(&cur, *blob, *size) != 0) {
		free(jnl);
		return 0;
	}
	struct zone_builder *zb = zone_builder_new(z->origin, z->rclass,
	    replay_report, &c);
	zone_builder_set_limits(zb, z->max_records_per_type,
	    z->max_types_per_name, z->xfr.max_records);
	int rc = journal_replay(jnl, len, &cur, zb, &to, err, sizeof(err));
	void *nb = NULL;
	size_t ns = 0;
	if (rc > 0 && zone_builder_finish(zb, &nb, &ns) != 0)
		rc = -1;
	zone_builder_free(zb);
	free(jnl);
	if (rc < 0) {
		report_problem(r, path, 0, true, err[0] ? err : "the "
		    "journal's updates do not build");
		return -1;
	}
	if (rc > 0) {
		log_info("zone %s: updates replayed from %s: serial %u to %u",
		    z->name, path, cur.hdr->serial, to);
		free(*blob);
		*blob = nb;
		*size = ns;
	}
	return 0;
}

/*
 * A zone signed by a policy has no TTL above max-zone-ttl, as in BIND:
 * the key manager's waits are computed from it, so a longer TTL could
 * keep a retired key's signatures in caches after the key is gone.
 * Returns: 0, or -1 after reporting.
 */
static int
check_max_zone_ttl(const struct conf_zone *z, struct report_ctx *r,
    const void *blob, size_t size)
{
	uint32_t max = z->dnssec_policy->max_zone_ttl;
	struct zone zn;
	char name[DNAME_STRLEN], text[DNAME_STRLEN + 128], tn[16];

	if (max == 0 || zone_open(&zn, blob, size) != 0)
		return 0;
	for (uint32_t i = 0; i < zn.hdr->node_count; i++) {
		const struct zone_node *n = zone_node(&zn, i);
		const struct zone_rrset *rs = zone_rrset_first(&zn, n);
		for (unsigned k = 0; k < n->nrrsets; k++,
		    rs = zone_rrset_next(rs)) {
			if (zone_rrset_ttl(rs) <= max)
				continue;
			snprintf(text, sizeof(text), "%s %s: TTL %u exceeds "
			    "the policy's max-zone-ttl %u", dname_to_str(
			    zone_node_name(&zn, n), name, sizeof(name)),
			    rr_type_str(rs->type, tn), zone_rrset_ttl(rs), max);
			report_problem(r, z->file, 0, true, text);
			return -1;
		}
	}
	return 0;
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
	if (z->dynamic && replay_journal(cf, z, &r, &blob, &size) != 0) {
		free(blob);
		return -1;
	}
	if (z->dnssec_policy != NULL && check_max_zone_ttl(z, &r, blob,
	    size) != 0) {
		free(blob);
		return -1;
	}
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
			log_info("zone %s: secondary, %s", cf->zones[i].name,
			    cf->zones[i].file == NULL ? "kept in memory only "
			    "(no file)" : "no copy yet");
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
