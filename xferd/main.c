/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * apex-xferd: started by the apex-named parent with fork and exec, its
 * message socket on descriptor 3. It reads the configuration, drops to
 * the unprivileged user and enters its seccomp sandbox before it touches
 * the network; from then on it serves transfers handed over by the
 * workers, keeps the journals, sends NOTIFY and refreshes secondary
 * zones. New zone versions (loaded or transferred) arrive as images from
 * the parent; transferred versions go back to it to be served.
 * Runs in: apex-xferd (unprivileged, seccomp).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl.h"
#include "error.h"
#include "ipc.h"
#include "log.h"
#include "pkt.h"
#include "rr.h"
#include "sandbox.h"
#include "xferd.h"
#include "zonediff.h"

#define PARENT_FD	3

struct xferd xd;

static void
usage(void)
{
	fprintf(stderr, "usage: apex-xferd -c file [-d] [-u uid] [-g gid]\n"
	    "apex-xferd is started by apex-named, not by hand.\n");
	exit(1);
}

static void
report(void *arg, const char *file, unsigned line, bool error,
    const char *msg)
{
	if (error)
		log_warnx("%s:%u: %s", file, line, msg);
}

struct xzone *
xferd_zone(const uint8_t *origin)
{
	const struct conf_zone *cz = conf_find_zone(xd.conf, origin);

	return cz ? &xd.zones[cz - xd.conf->zones] : NULL;
}

const struct tsig_key *
xferd_key(const char *name)
{
	return name ? tsig_find_key_str(&xd.keys, name) : NULL;
}

void
ximage_unref(struct ximage *img)
{
	if (img == NULL || --img->refs > 0)
		return;
	zone_unmap(&img->m);
	free(img);
}

void
xferd_error(struct xzone *z, enum log_category cat, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(z->error, sizeof(z->error), "%s", text);
	log_cat(cat, LOG_LEVEL_WARN, "zone %s: %s", z->cz->name, text);
}

/* MSG_XP_STATE: the zone's state, and its counters since last time. */
void
xferd_report(struct xzone *z)
{
	struct msg_buf *b = xmalloc(sizeof(*b));
	struct ipc_xfr_state st = {
		.expired = z->expired,
		.unsynced = z->unsynced,
		.frozen = z->frozen,
		.serial = z->img ? z->img->serial : 0,
		.last_refresh = (uint64_t)z->last_refresh,
		.next_refresh = (uint64_t)z->next_refresh,
		.expires = (uint64_t)z->expires,
		.journal_size = z->jok ? (uint64_t)z->j.size : 0,
	};

	for (unsigned i = 0; i < XC_MAX && i < XFR_STATE_COUNTERS; i++)
		st.count[i] = z->count[i];
	snprintf(st.error, sizeof(st.error), "%s", z->error);
	msg_buf_init(b);
	ipc_put_xp_state(b, z->cz->origin, &st);
	if (msg_send(xd.parent, MSG_XP_STATE, 0, b, -1) != 0)
		fatal("parent");
	memset(z->count, 0, sizeof(z->count));
	free(b);
}

/*
 * Opens a journal of the zone. The one updates and reloads append to:
 * `journal` if the zone names one; else FILE.jnl beside the zone file,
 * as BIND keeps it; and where the server's user may not write there
 * (zone files in /etc, a read-only tree), in state-directory, so such a
 * primary keeps IXFR. A signed zone's served versions have their own,
 * NAME.signed.jnl beside its signed copy: IXFR comes from there, and the
 * first one (of its unsigned versions) is what the loader replays.
 * Returns: whether it is open (path says which).
 */
static bool
journal_open_any(struct xzone *z, struct journal *j, bool served,
    char *path, size_t n)
{
	if (served && conf_zone_signed(z->cz)) {
		conf_signed_path(z->cz, true, path, n);
		return journal_open(j, path, z->cz->origin) == 0;
	}
	if (z->cz->journal != NULL) {
		snprintf(path, n, "%s", z->cz->journal);
		return journal_open(j, path, z->cz->origin) == 0;
	}
	snprintf(path, n, "%s.jnl", z->cz->file);
	if (journal_open(j, path, z->cz->origin) == 0)
		return true;
	if ((errno != EACCES && errno != EPERM && errno != EROFS) ||
	    xd.conf->state_directory == NULL)
		return false;
	journal_state_path(xd.conf->state_directory, z->cz->name, path, n);
	if (journal_open(j, path, z->cz->origin) != 0)
		return false;
	log_cat(LOGC_XFER_OUT, LOG_LEVEL_INFO, "zone %s: %s.jnl cannot be "
	    "written; the journal is %s", z->cz->name, z->cz->file, path);
	return true;
}

static bool
journal_use(struct xzone *z, struct journal *j, bool served, bool *ok,
    bool *failed)
{
	char path[4096];

	if (*ok)
		return true;
	/* A zone in memory only keeps no journal: IXFR requests get the
	 * whole zone (RFC 1995 4 allows it). */
	if (z->cz->file == NULL && z->cz->journal == NULL)
		return false;
	/* A failed open is tried again at the next use: a disk that was
	 * full may have room now. Logged once until it works. */
	if (!journal_open_any(z, j, served, path, sizeof(path))) {
		if (!*failed)
			log_cat(LOGC_XFER_OUT, LOG_LEVEL_WARN, "zone %s: "
			    "journal %s: %s%s", z->cz->name, path,
			    strerror(errno), served ? "; IXFR requests get "
			    "the whole zone" : "");
		*failed = true;
		return false;
	}
	if (*failed)
		log_cat(LOGC_XFER_OUT, LOG_LEVEL_INFO, "zone %s: journal %s "
		    "opened", z->cz->name, path);
	if (j->note[0] != '\0')
		log_cat(LOGC_XFER_OUT, LOG_LEVEL_WARN, "zone %s: journal "
		    "%s: %s", z->cz->name, path, j->note);
	*failed = false;
	*ok = true;
	return true;
}

bool
xferd_journal(struct xzone *z)
{
	return journal_use(z, &z->j, true, &z->jok, &z->jfailed);
}

struct journal *
xferd_update_journal(struct xzone *z)
{
	if (!conf_zone_signed(z->cz))
		return xferd_journal(z) ? &z->j : NULL;
	return journal_use(z, &z->uj, false, &z->ujok, &z->ujfailed) ?
	    &z->uj : NULL;
}

/* A new version replaced old (RFC 1995 with BIND's ixfr-from-differences):
 * what changed goes into the journal. */
static void
journal_diff(struct xzone *z, struct journal *j, const struct ximage *old,
    const struct ximage *new)
{
	struct rrbuf del, add;
	uint32_t last;

	if (j == NULL)
		return;
	rrbuf_init(&del);
	rrbuf_init(&add);
	if (zone_diff(&old->z, &new->z, &del, &add) != 0)
		goto out;
	if (journal_last(j, &last) && last != old->serial &&
	    journal_reset(j) != 0)
		goto fail;
	if (journal_append(j, old->serial, new->serial, &del, &add) != 0)
		goto fail;
	log_cat(LOGC_XFER_OUT, LOG_LEVEL_INFO, "zone %s: journal: serial %u "
	    "to %u, %u records deleted, %u added", z->cz->name, old->serial,
	    new->serial, del.count - 1, add.count - 1);
	/* Updates not yet in the zone file are in this journal alone. */
	if ((j != &z->uj || !z->unsynced) &&
	    journal_trim(j, z->cz->xfr.max_journal_size) != 0)
		goto fail;
	goto out;
fail:
	log_cat(LOGC_XFER_OUT, LOG_LEVEL_WARN, "zone %s: journal %s: %s",
	    z->cz->name, j->path, strerror(errno));
	/* A journal that may not hold every difference must not be used. */
	(void)journal_reset(j);
out:
	rrbuf_free(&del);
	rrbuf_free(&add);
}

static struct ximage *
image_map(struct xzone *z, int fd)
{
	struct ximage *img = xcalloc(1, sizeof(*img));

	if (zone_map(fd, &img->z, &img->m) != 0) {
		log_warnx("zone %s: image from the parent does not verify",
		    z->cz->name);
		free(img);
		return NULL;
	}
	img->refs = 1;
	img->serial = img->z.hdr->serial;
	return img;
}

/*
 * The journal j (NULL: none usable) against a new version replacing
 * old: the difference appended unless j has it already. Returns:
 * whether j ended at the new version already (an update's, or one the
 * loader rebuilt from the journal).
 */
static bool
journal_follow(struct xzone *z, struct journal *j, const struct ximage *old,
    const struct ximage *img)
{
	uint32_t last;
	bool journaled = j != NULL && journal_last(j, &last) &&
	    last == img->serial;

	if (old != NULL && rr_serial_gt(img->serial, old->serial)) {
		if (!journaled)
			journal_diff(z, j, old, img);
	} else if (old != NULL && img->serial != old->serial) {
		log_cat(LOGC_XFER_OUT, LOG_LEVEL_WARN, "zone %s: serial "
		    "went back from %u to %u; journal emptied", z->cz->name,
		    old->serial, img->serial);
		if (j != NULL)
			(void)journal_reset(j);
	} else if (old == NULL && j != NULL && !journaled &&
	    journal_last(j, &last)) {
		/* Changed while apex was not running: the journal does not
		 * lead to this version. */
		log_cat(LOGC_XFER_OUT, LOG_LEVEL_INFO, "zone %s: journal "
		    "ends at serial %u, the zone is at %u; journal emptied",
		    z->cz->name, last, img->serial);
		(void)journal_reset(j);
	}
	return journaled;
}

/* The version updates apply to is new: a commit's may be answered, and
 * the loader may have replayed updates the file lacks, written again
 * (at update-sync-delay) to be sure. */
static void
update_base_new(struct xzone *z, const struct ximage *old,
    const struct ximage *img, bool journaled, struct journal *j)
{
	if (old == NULL && journaled && z->cz->dynamic && j->n > 0) {
		z->unsynced = true;
		xupdate_arm_sync(z);
	}
	xupdate_new_image(z);
	xupdate_served(z, img->serial);
}

/* MSG_PX_ZONE: the version the workers serve now. */
static void
xferd_install(struct xzone *z, int fd)
{
	struct ximage *img = image_map(z, fd);
	struct ximage *old = z->img;

	if (img == NULL)
		return;
	struct journal *j = xferd_journal(z) ? &z->j : NULL;
	bool journaled = journal_follow(z, j, old, img);
	bool changed = old == NULL || old->serial != img->serial;
	z->img = img;
	if (!conf_zone_signed(z->cz)) {
		xin_new_image(z, old == NULL);
		update_base_new(z, old, img, journaled, j);
	}
	ximage_unref(old);
	if (changed)
		notify_zone(z);
	xferd_report(z);
}

/* MSG_PX_ZONE, MSG_PX_ZONE_UNSIGNED: a signed zone's unsigned version,
 * which is not served: updates and transfers in apply to it, and sync
 * writes it. Only a dynamic zone journals it (for the loader). */
static void
xferd_install_unsigned(struct xzone *z, int fd)
{
	struct ximage *img = image_map(z, fd);
	struct ximage *old = z->uimg;

	if (img == NULL)
		return;
	struct journal *j = z->cz->dynamic ? xferd_update_journal(z) : NULL;
	bool journaled = j != NULL && journal_follow(z, j, old, img);
	z->uimg = img;
	xin_new_image(z, old == NULL);
	if (j != NULL)
		update_base_new(z, old, img, journaled, j);
	ximage_unref(old);
	xferd_report(z);
}

bool
xferd_read_request(const uint8_t *req, size_t len,
    const struct sockaddr *peer, struct pkt_query *q, struct tsig_ctx *tsig,
    bool *signed_, uint16_t *rcode, uint16_t *tsig_error, char *who,
    size_t wholen)
{
	struct tsig_rr trr;
	char addr[64];

	*signed_ = false;
	*rcode = RCODE_NOERROR;
	*tsig_error = 0;
	enum pkt_verdict v = pkt_parse_query(req, len, q);
	if (v == PKT_DROP)
		return false;
	sockaddr_str(peer, addr, sizeof(addr));
	snprintf(who, wholen, "%s", addr);
	if (v != PKT_OK) {
		*rcode = RCODE_FORMERR;
		return true;
	}
	if (!q->tsig)
		return true;
	int e = tsig_verify_request(&xd.keys, req, len, q->tsig_pos,
	    (uint64_t)time(NULL), tsig, &trr);
	/* A TSIG record that does not parse gets an unsigned FORMERR; a
	 * bad MAC or key a TSIG error, signed where RFC 8945 5.3.2 says. */
	*signed_ = e != TSIG_FORMERR;
	if (e == TSIG_FORMERR || e == TSIG_FORMERR_MAC) {
		*rcode = RCODE_FORMERR;
		*tsig_error = e == TSIG_FORMERR_MAC ? TSIG_BADSIG : 0;
	} else if (e != TSIG_NOERROR) {
		bool update = PKT_OPCODE(q->flags) == OPCODE_UPDATE;
		log_cat(update ? LOGC_UPDATE_SECURITY : LOGC_SECURITY,
		    LOG_LEVEL_INFO, "client %s: %s with TSIG error %d", addr,
		    update ? "update" : "transfer request", e);
		*rcode = RCODE_NOTAUTH;
		*tsig_error = (uint16_t)e;
	} else
		snprintf(who, wholen, "%s (key %s)", addr,
		    tsig->key->name_str);
	return true;
}

bool
xferd_load(const struct conf_zone *cz, uint32_t serial, const void *blob,
    size_t size, char *err, size_t errlen)
{
	struct msg_buf b;
	int fd = zone_memfd(cz->name, blob, size);

	if (fd < 0) {
		snprintf(err, errlen, "memfd: %s", strerror(errno));
		return false;
	}
	msg_buf_init(&b);
	ipc_put_xp_load(&b, cz->origin, serial);
	if (msg_send(xd.parent, MSG_XP_LOAD, 0, &b, fd) != 0)
		fatal("parent");
	close(fd);
	return true;
}

static void
reply(uint32_t req, bool ok, const char *text)
{
	struct msg_buf b;

	msg_buf_init(&b);
	ipc_put_reply(&b, ok, text);
	if (msg_send(xd.parent, MSG_XP_REPLY, req, &b, -1) != 0)
		fatal("parent");
}

static void
xferd_command(uint32_t req, uint32_t cmd, struct xzone *z)
{
	char text[512];

	if (z == NULL) {
		reply(req, false, "no such zone");
		return;
	}
	switch (cmd) {
	case CTL_REFRESH:
	case CTL_RETRANSFER:
		if (z->cz->type != ZONE_SECONDARY) {
			snprintf(text, sizeof(text), "zone %s is not a "
			    "secondary zone", z->cz->name);
			reply(req, false, text);
			return;
		}
		xin_refresh(z, cmd == CTL_RETRANSFER);
		snprintf(text, sizeof(text), "zone %s: %s started",
		    z->cz->name, cmd == CTL_REFRESH ? "refresh" : "transfer");
		reply(req, true, text);
		return;
	case CTL_NOTIFY:
		if (z->img == NULL) {
			snprintf(text, sizeof(text), "zone %s has no data to "
			    "announce", z->cz->name);
			reply(req, false, text);
			return;
		}
		if (z->cz->xfr.notify == NOTIFY_NO) {
			snprintf(text, sizeof(text), "zone %s: notify is off",
			    z->cz->name);
			reply(req, false, text);
			return;
		}
		notify_zone(z);
		snprintf(text, sizeof(text), "zone %s: NOTIFY sent",
		    z->cz->name);
		reply(req, true, text);
		return;
	case CTL_SYNC:
	case CTL_FREEZE:
	case CTL_THAW: {
		bool ok = xupdate_command(z, cmd, text, sizeof(text));
		reply(req, ok, text);
		return;
	}
	}
	reply(req, false, "unknown command");
}

/* apex-ctl sync with no zone: every dynamic zone's file. */
static void
sync_all(uint32_t req)
{
	char text[512], all[4096] = "";
	unsigned n = 0, failed = 0;

	for (unsigned i = 0; i < xd.nzones; i++) {
		if (!xd.zones[i].cz->dynamic)
			continue;
		n++;
		if (!xupdate_command(&xd.zones[i], CTL_SYNC, text,
		    sizeof(text))) {
			failed++;
			size_t k = strlen(all);
			snprintf(all + k, sizeof(all) - k, "%s\n", text);
		}
	}
	size_t k = strlen(all);
	snprintf(all + k, sizeof(all) - k, "%u dynamic zone%s written, %u "
	    "failed", n - failed, n == 1 ? "" : "s", failed);
	reply(req, failed == 0, all);
}

/*
 * Transfer and update hand-overs that arrive before every image is in
 * (apex-xferd just started) wait for MSG_PX_START, so an update sent
 * right after a start is answered, not dropped. At most HELD_MAX; the
 * rest are dropped, and the client asks again.
 */
#define HELD_MAX	32

static struct msg	*held[HELD_MAX];
static unsigned		 nheld;
static void		 xferd_handle(struct msg *);

static void
hold(struct msg *m)
{
	if (nheld == HELD_MAX) {
		if (m->fd >= 0)
			close(m->fd);
		return;
	}
	struct msg *c = xmalloc(sizeof(*c));
	c->hdr = m->hdr;
	c->fd = m->fd;
	c->pos = 0;
	memcpy(c->payload, m->payload, m->hdr.len);
	held[nheld++] = c;
}

static void
release_held(void)
{
	for (unsigned i = 0; i < nheld; i++) {
		xferd_handle(held[i]);
		free(held[i]);
	}
	nheld = 0;
}

static void
xferd_dispatch(evutil_socket_t fd, short events, void *arg)
{
	struct msg *m = xd.m;
	int rc = msg_recv(fd, m);

	if (rc == APEX_ENOENT)
		_exit(0);	/* the parent is gone */
	if (rc != 0)
		fatalx("parent: %s", apex_strerror(rc));
	xferd_handle(m);
}

static void
xferd_handle(struct msg *m)
{
	uint8_t name[DNAME_MAXLEN];
	struct sockaddr_storage ss;
	struct ipc_xfr x;
	socklen_t alen;
	uint32_t v;
	struct xzone *z;

	memset(&ss, 0, sizeof(ss));
	/* Trust rule: a malformed message from the parent is fatal. */
	switch (m->hdr.type) {
	case MSG_PX_ZONE:
		if (m->fd < 0 || msg_get_name(m, name) != 0 ||
		    msg_get_u32(m, &v) != 0 || msg_end(m) != 0)
			goto bad;
		if (m->hdr.id != 0 && m->hdr.id != MSG_PX_ZONE_UNSIGNED)
			goto bad;
		z = xferd_zone(name);
		if (z != NULL && m->hdr.id == 0)
			xferd_install(z, m->fd);
		else if (z != NULL && conf_zone_signed(z->cz))
			xferd_install_unsigned(z, m->fd);
		close(m->fd);
		return;
	case MSG_PX_START:
		xd.started = true;
		for (unsigned i = 0; i < xd.nzones; i++) {
			xin_start(&xd.zones[i]);
			xferd_report(&xd.zones[i]);
		}
		release_held();
		return;
	/*
	 * Transfer requests and NOTIFY come from a worker, relayed as they
	 * were sent: a malformed one is dropped, not fatal. Before the
	 * images are in, there is nothing to serve from; the client tries
	 * again, and every secondary zone is refreshed at the start anyway.
	 */
	case MSG_PX_XFR:
		if (!xd.started) {
			hold(m);
			return;
		}
		if (ipc_get_xfr(m, &x) != 0) {
			log_warnx("a malformed transfer hand-over");
			if (m->fd >= 0)
				close(m->fd);
			return;
		}
		xout_start(m->fd, (struct sockaddr *)&x.peer, x.peerlen,
		    x.data, x.len);
		return;
	case MSG_PX_NOTIFY:
		if (ipc_get_notify(m, name, &ss, &alen) != 0) {
			log_warnx("a malformed NOTIFY hand-over");
			if (m->fd >= 0)
				close(m->fd);
			return;
		}
		if ((z = xferd_zone(name)) != NULL && xd.started)
			xin_notify(z, (struct sockaddr *)&ss);
		return;
	case MSG_PX_COMMAND:
		if (m->fd >= 0 || msg_get_u32(m, &v) != 0 ||
		    msg_get_name(m, name) != 0 || msg_end(m) != 0)
			goto bad;
		if (!xd.started)
			reply(m->hdr.id, false, "apex-xferd is starting; try "
			    "again");
		else if (v == CTL_SYNC && name[0] == 0 &&
		    xferd_zone(name) == NULL)
			sync_all(m->hdr.id);
		else
			xferd_command(m->hdr.id, v, xferd_zone(name));
		return;
	case MSG_PX_UPDATE: {
		struct ipc_update u;
		if (ipc_get_update(m, &u) != 0) {
			log_warnx("a malformed update hand-over");
			return;
		}
		if (xd.started)
			xupdate_udp(&u);
		else
			hold(m);
		return;
	}
	}
bad:
	fatalx("parent: unexpected or malformed %s",
	    msg_type_str(m->hdr.type));
}

/*
 * What apex-xferd may do once sandboxed: TCP and UDP to primaries and
 * secondaries, files in the zone directory (zone files, journals, their
 * temporary copies), image memfds, and the message socket.
 */
static const struct sandbox_rule xferd_allow[] = {
	{ "read", "transfers, files" },
	{ "write", "transfers, files" },
	{ "close", "connections and files" },
	{ "openat", "zone files and journals" },
	{ "open", "zone files and journals (older libc)" },
	{ "fstat", "file sizes" },
	{ "newfstatat", "fstat on newer libc" },
	{ "lseek", "journal size; stdio" },
	{ "pread64", "journal records" },
	{ "pwrite64", "journal records" },
	{ "fsync", "zone files before rename" },
	{ "fdatasync", "journal records" },
	{ "ftruncate", "a journal's damaged tail" },
	{ "rename", "a written zone file into place" },
	{ "renameat", "rename on newer libc" },
	{ "renameat2", "rename on newer libc" },
	{ "unlink", "temporary files after a failure" },
	{ "unlinkat", "unlink on newer libc" },
	{ "utimensat", "mark a secondary's file refreshed" },
	{ "munmap", "release images; free" },
	{ "mremap", "realloc" },
	{ "madvise", "free returns memory" },
	{ "brk", "malloc" },
	{ "memfd_create", "the image of a transferred zone" },
	{ "fcntl", "seals of images; non-blocking sockets" },
	{ "connect", "connections to primaries" },
	{ "bind", "transfer-source and notify-source addresses" },
	{ "getsockopt", "the result of a connect" },
	{ "setsockopt", "socket options" },
	{ "getsockname", "libevent" },
	{ "getpeername", "the client of a transfer handed over" },
	{ "sendto", "NOTIFY, SOA queries; send()" },
	{ "recvfrom", "their answers; recv()" },
	{ "sendmsg", "messages to the parent" },
	{ "recvmsg", "messages and descriptors from the parent" },
	{ "shutdown", "end of a transfer" },
	{ "epoll_wait", "libevent" },
	{ "epoll_pwait", "libevent" },
	{ "epoll_ctl", "libevent" },
	{ "clock_gettime", "timers, TSIG time" },
	{ "gettimeofday", "libevent timers" },
	{ "time", "TSIG time, timers" },
	{ "getpid", "libevent" },
	{ "getrandom", "message IDs; malloc" },
	{ "futex", "libc locks" },
	{ "rt_sigprocmask", "libc" },
	{ "sysinfo", "glibc's qsort() asks for the memory size" },
};

static const struct sandbox_arg_rule xferd_allow_args[] = {
	{ "socket", "IPv4 connections to primaries, NOTIFY", 0, 0xffff,
	    AF_INET },
	{ "socket", "IPv6 connections to primaries, NOTIFY", 0, 0xffff,
	    AF_INET6 },
	{ "mmap", "zone images; malloc (never executable)", SANDBOX_NO_EXEC },
};

int
main(int argc, char **argv)
{
	const char *conf_path = NULL;
	uid_t uid = 0;
	gid_t gid = 0;
	int ch;

	while ((ch = getopt(argc, argv, "c:dg:u:")) != -1) {
		switch (ch) {
		case 'c': conf_path = optarg; break;
		case 'd': log_set_level(LOG_LEVEL_DEBUG); break;
		case 'g': gid = (gid_t)strtoul(optarg, NULL, 10); break;
		case 'u': uid = (uid_t)strtoul(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (conf_path == NULL || optind != argc ||
	    fcntl(PARENT_FD, F_GETFD) < 0)
		usage();
	signal(SIGPIPE, SIG_IGN);
	log_init("apex-xferd", true);
	xd.parent = PARENT_FD;
	(void)fcntl(PARENT_FD, F_SETFD, FD_CLOEXEC);
	msg_log_to(PARENT_FD);
	log_set_role("xferd");
	if ((xd.conf = conf_load(conf_path, report, NULL)) == NULL)
		fatalx("%s: cannot use the configuration", conf_path);
	if (xd.conf->directory != NULL && chdir(xd.conf->directory) != 0)
		fatal("directory %s", xd.conf->directory);
	/* As root still: the parent wrote it before starting us. */
	if (conf_session_read(xd.conf) != 0)
		log_warn("session-keyfile %s: update-policy local refuses "
		    "every update", xd.conf->session_keyfile);
	if (tsig_keyring_load(xd.conf, &xd.keys) != 0)
		fatalx("a key's secret is not valid base64");
	tsig_init();
	xd.nzones = xd.conf->nzones;
	xd.zones = xcalloc(xd.nzones + 1, sizeof(*xd.zones));
	for (unsigned i = 0; i < xd.nzones; i++) {
		xd.zones[i].cz = &xd.conf->zones[i];
		xd.zones[i].j.fd = -1;
	}
	xd.m = xmalloc(sizeof(*xd.m));
	if ((xd.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	struct event *pev = event_new(xd.base, PARENT_FD, EV_READ | EV_PERSIST,
	    xferd_dispatch, NULL);
	if (pev == NULL || event_add(pev, NULL) != 0)
		fatalx("parent event");
	if (sandbox_enter_args("xferd", xferd_allow, nitems(xferd_allow),
	    xferd_allow_args, nitems(xferd_allow_args), uid, gid, NULL) != 0)
		fatal("sandbox");
	if (msg_send(xd.parent, MSG_XP_READY, 0, NULL, -1) != 0)
		fatal("parent");
	event_base_dispatch(xd.base);
	fatalx("event loop ended");
}
