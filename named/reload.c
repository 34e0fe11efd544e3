/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Zone state and loader runs. The parent forks a loader child for each
 * run; it reads back typed messages (an image memfd, or the text of a
 * problem, per zone) and never looks inside a zone file itself. One run
 * at a time: a reload asked for during a run is refused, not queued.
 * Runs in: apex-named parent.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <event2/event.h>

#include "child.h"
#include "error.h"
#include "ipc.h"
#include "loader.h"
#include "log.h"
#include "logging.h"
#include "msg.h"
#include "reload.h"
#include "signer.h"

static struct reload_state {
	const struct conf	*conf;
	struct zone_state	*zs;
	struct child		 c;	/* the loader of this run */
	pid_t			 pid;
	int			 sock;
	struct event		*ev;
	reload_install_fn	*install;
	reload_done_fn		*done;
	void			*arg;
	unsigned		 ok, failed;
	char			*errors;	/* accumulated problem text */
	size_t			 errlen;
	struct msg		*m;
	bool			*pending;	/* per zone: in this run */
	char			**first_problem;	/* per zone */
} r = { .pid = -1, .sock = -1 };

static reload_sign_fn *sign_hook;

void
reload_set_sign(reload_sign_fn *fn)
{
	sign_hook = fn;
}

static void	reload_end_run(void);

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Two zone file paths, either of which may be NULL (no file). */
static bool
same_path(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

struct zone_state *
reload_states_new(const struct conf *cf, const struct conf *old,
    struct zone_state *prev)
{
	struct zone_state *zs = xcalloc(cf->nzones + 1, sizeof(*zs));

	for (unsigned i = 0; i < cf->nzones; i++) {
		zs[i].fd = -1;
		zs[i].unsigned_fd = -1;
		if (old == NULL)
			continue;
		/* A zone with the same name, file and limits keeps its
		 * image; if the file changed, a reload replaces it. */
		const struct conf_zone *nz = &cf->zones[i];
		for (unsigned k = 0; k < old->nzones; k++) {
			const struct conf_zone *oz = &old->zones[k];
			if (prev[k].fd < 0 || !dname_equal(oz->origin,
			    nz->origin) || !same_path(oz->file, nz->file) ||
			    oz->max_records_per_type !=
			    nz->max_records_per_type ||
			    oz->max_types_per_name != nz->max_types_per_name ||
			    conf_zone_signed(oz) != conf_zone_signed(nz))
				continue;
			zs[i] = prev[k];
			zs[i].serve_due = 0;	/* a new apex-xferd gets all */
			zs[i].error = prev[k].error ?
			    xstrdup(prev[k].error) : NULL;
			zs[i].xfr.error = prev[k].xfr.error ?
			    xstrdup(prev[k].xfr.error) : NULL;
			prev[k].fd = -1;
			prev[k].unsigned_fd = -1;
		}
	}
	return zs;
}

void
reload_states_free(struct zone_state *zs, unsigned n)
{
	if (zs == NULL)
		return;
	for (unsigned i = 0; i < n; i++) {
		if (zs[i].fd >= 0)
			close(zs[i].fd);
		if (zs[i].unsigned_fd >= 0)
			close(zs[i].unsigned_fd);
		free(zs[i].error);
		free(zs[i].xfr.error);
	}
	free(zs);
}

static void
add_error(const char *text)
{
	size_t n = strlen(text);

	r.errors = xrealloc(r.errors, r.errlen + n + 2);
	memcpy(r.errors + r.errlen, text, n);
	r.errlen += n;
	r.errors[r.errlen++] = '\n';
	r.errors[r.errlen] = '\0';
}

static void
zone_failed(unsigned i, const char *why)
{
	struct zone_state *z = &r.zs[i];
	char text[2200];

	z->status = ZS_FAILED;
	z->failures++;
	/* The first problem the loader reported says more than "not
	 * loaded"; keep it as the zone's last error. */
	if (r.first_problem[i] != NULL) {
		free(z->error);
		z->error = r.first_problem[i];
		r.first_problem[i] = NULL;
	} else {
		free(z->error);
		z->error = xstrdup(why);
	}
	snprintf(text, sizeof(text), "zone %s: %s%s", r.conf->zones[i].name,
	    why, z->fd >= 0 ? " (the previous version stays)" : "");
	add_error(text);
	r.failed++;
}

/* Records a problem line for zone i; the zone fails with the last one. */
static void
zone_problem(unsigned i, const char *text)
{
	char line[2200];

	snprintf(line, sizeof(line), "zone %s: %s", r.conf->zones[i].name,
	    text);
	log_warnx("%s", line);
	add_error(line);
	if (r.first_problem[i] == NULL)
		r.first_problem[i] = xstrdup(text);
}

static void
set_image(const struct conf *cf, struct zone_state *z, unsigned i, int fd,
    uint32_t serial)
{
	struct stat st;

	if (cf->zones[i].file != NULL && stat(cf->zones[i].file, &st) == 0) {
		z->st = st;
		z->have_st = true;
	}
	if (z->fd >= 0)
		close(z->fd);
	z->fd = fd;
	z->serial = serial;
	z->loaded_at = time(NULL);
	z->status = ZS_OK;
	free(z->error);
	z->error = NULL;
}

/* A signed zone's unsigned image: kept for the signer, never served
 * (the signed image it makes replaces fd). */
static void
set_unsigned(struct zone_state *z, int fd, uint32_t serial)
{
	if (z->unsigned_fd >= 0)
		close(z->unsigned_fd);
	z->unsigned_fd = fd;
	z->unsigned_serial = serial;
	if (z->fd >= 0 || z->status == ZS_NONE)
		z->status = ZS_OK;
}

static void
zone_loaded_unsigned(unsigned i, int fd, uint32_t serial)
{
	struct zone_state *z = &r.zs[i];
	struct stat st;

	if (r.conf->zones[i].file != NULL &&
	    stat(r.conf->zones[i].file, &st) == 0) {
		z->st = st;
		z->have_st = true;
	}
	set_unsigned(z, fd, serial);
	r.ok++;
	log_info("zone %s: loaded serial %u; to the signer",
	    r.conf->zones[i].name, serial);
	if (sign_hook != NULL)
		sign_hook(i);
}

void
reload_install_unsigned(const struct conf *cf, struct zone_state *zs,
    unsigned i, int fd, uint32_t serial)
{
	set_unsigned(&zs[i], fd, serial);
	log_info("zone %s: serial %u %s; to the signer", cf->zones[i].name,
	    serial, cf->zones[i].type == ZONE_SECONDARY ? "transferred" :
	    "updated");
	if (sign_hook != NULL)
		sign_hook(i);
}

static void
zone_loaded(unsigned i, int fd, uint32_t serial)
{
	if (conf_zone_signed(&r.conf->zones[i])) {
		zone_loaded_unsigned(i, fd, serial);
		return;
	}
	set_image(r.conf, &r.zs[i], i, fd, serial);
	r.ok++;
	log_info("zone %s: loaded serial %u", r.conf->zones[i].name, serial);
	if (r.install != NULL)
		r.install(i, fd, serial);
}

void
reload_install(const struct conf *cf, struct zone_state *zs, unsigned i,
    int fd, uint32_t serial, reload_install_fn *install)
{
	set_image(cf, &zs[i], i, fd, serial);
	log_info("zone %s: serial %u %s", cf->zones[i].name, serial,
	    conf_zone_signed(&cf->zones[i]) ? "signed" :
	    cf->zones[i].type == ZONE_SECONDARY ? "transferred" : "updated");
	if (install != NULL)
		install(i, fd, serial);
}

bool
reload_waits_for_transfer(const struct conf *cf, unsigned i)
{
	struct stat st;

	/* A secondary without a file lives in memory only: it always
	 * waits for its transfer. */
	return cf->zones[i].type == ZONE_SECONDARY &&
	    (cf->zones[i].file == NULL ||
	    (stat(cf->zones[i].file, &st) != 0 && errno == ENOENT));
}

/* One message from the loader. Returns: false when the run is over. */
static bool
reload_dispatch(void)
{
	struct msg *m = r.m;
	uint32_t serial;
	char text[2048];
	int rc = msg_recv(r.sock, m);

	if (rc != 0) {
		log_warnx("loader: %s", rc == APEX_ENOENT ?
		    "exited before it was done" : apex_strerror(rc));
		return false;
	}
	if (m->hdr.type == MSG_LP_DONE) {
		if (ipc_get_empty(m) != 0)
			goto malformed;
		return false;
	}
	if (m->hdr.type != MSG_LOG && (m->hdr.id >= r.conf->nzones ||
	    !r.pending[m->hdr.id])) {
		log_warnx("loader: message for zone %u it was not given",
		    m->hdr.id);
		goto bad;
	}
	switch (m->hdr.type) {
	case MSG_LP_ZONE:
		if (ipc_get_lp_zone(m, &serial) != 0)
			goto malformed;
		r.pending[m->hdr.id] = false;
		zone_loaded(m->hdr.id, m->fd, serial);
		return true;
	case MSG_LP_ERROR:
		if (ipc_get_lp_error(m, text, sizeof(text)) != 0)
			goto malformed;
		if (strcmp(text, LOADER_GAVE_UP) == 0) {
			r.pending[m->hdr.id] = false;
			zone_failed(m->hdr.id, "not loaded");
		} else
			zone_problem(m->hdr.id, text);
		return true;
	case MSG_LOG:
		if (logging_from_child(m) != 0)
			goto malformed;
		return true;
	}
malformed:
	log_warnx("loader: malformed %s", msg_type_str(m->hdr.type));
bad:
	if (m->fd >= 0)
		close(m->fd);
	/* Trust rule: a loader that breaks the protocol is stopped. */
	return false;
}

static void
reload_finish(void)
{
	for (unsigned i = 0; i < r.conf->nzones; i++)
		if (r.pending[i]) {
			r.pending[i] = false;
			zone_failed(i, "the loader did not report on it");
		}
	if (r.ev != NULL)
		event_free(r.ev);
	r.ev = NULL;
	close(r.sock);
	r.sock = -1;
	kill(r.pid, SIGKILL);
	while (waitpid(r.pid, NULL, 0) < 0 && errno == EINTR)
		;
	r.pid = -1;
	r.c.pid = 0;
	r.c.sock = -1;
	reload_end_run();
	if (r.done != NULL)
		r.done(r.arg, r.ok, r.failed, r.errors ? r.errors : "");
	free(r.errors);
	r.errors = NULL;
	r.errlen = 0;
}

static void
reload_readable(evutil_socket_t fd, short events, void *arg)
{
	while (r.sock >= 0) {
		if (!reload_dispatch()) {
			reload_finish();
			return;
		}
		/* Drain what is there without blocking the parent. */
		struct msghdr mh = { 0 };
		if (recvmsg(r.sock, &mh, MSG_PEEK | MSG_DONTWAIT) < 0)
			return;
	}
}

struct loader_run {
	const struct conf	*conf;
	uid_t			 uid;
	gid_t			 gid;
};

/* In the new loader: the role takes over. */
static void
run_loader(void *arg, int sock)
{
	struct loader_run *lr = arg;

	loader_main(lr->conf, sock, r.pending, lr->uid, lr->gid);
}

/* Starts the loader for the pending zones: it keeps nothing of the
 * parent's but its channel, and no TSIG secret. */
static int
reload_fork(const struct conf *cf, uid_t uid, gid_t gid)
{
	struct loader_run lr = { cf, uid, gid };

	snprintf(r.c.name, sizeof(r.c.name), "loader");
	if (child_start(&r.c, NULL, NULL, 0, 0, run_loader, &lr, NULL,
	    NULL) != 0)
		return -1;
	r.pid = r.c.pid;
	r.sock = r.c.sock;
	if (r.m == NULL)
		r.m = xmalloc(sizeof(*r.m));
	return 0;
}

/* Frees what one run keeps per zone. */
static void
reload_end_run(void)
{
	for (unsigned i = 0; r.first_problem != NULL && i < r.conf->nzones;
	    i++)
		free(r.first_problem[i]);
	free(r.first_problem);
	r.first_problem = NULL;
	free(r.pending);
	r.pending = NULL;
}

static void
reload_begin(const struct conf *cf, struct zone_state *zs)
{
	r.conf = cf;
	r.zs = zs;
	r.ok = r.failed = 0;
	r.pending = xcalloc(cf->nzones + 1, sizeof(bool));
	r.first_problem = xcalloc(cf->nzones + 1, sizeof(char *));
}

void
reload_sync(const struct conf *cf, struct zone_state *zs, uid_t uid,
    gid_t gid)
{
	reload_begin(cf, zs);
	for (unsigned i = 0; i < cf->nzones; i++)
		r.pending[i] = zs[i].fd < 0 &&
		    !reload_waits_for_transfer(cf, i);
	r.install = NULL;
	r.done = NULL;
	if (reload_fork(cf, uid, gid) != 0)
		fatal("fork loader");
	while (reload_dispatch())
		;
	reload_finish();
}

int
reload_start(struct event_base *base, const struct conf *cf,
    struct zone_state *zs, const unsigned *which, unsigned n, bool force,
    uid_t uid, gid_t gid, reload_install_fn *install, reload_done_fn *done,
    void *arg)
{
	unsigned count = 0;

	if (r.pid >= 0)
		return -1;
	reload_begin(cf, zs);
	for (unsigned i = 0; i < cf->nzones; i++) {
		struct stat st;
		bool want = which == NULL;
		for (unsigned k = 0; which != NULL && k < n; k++)
			want |= which[k] == i;
		if (!want || reload_waits_for_transfer(cf, i))
			continue;
		/* A secondary's file is apex-xferd's to write: it changes
		 * with every transfer (and its time with every refresh), and
		 * the new version is already served. Only a reload that
		 * names the zone reads it again. */
		if (which == NULL && cf->zones[i].type == ZONE_SECONDARY &&
		    zs[i].fd >= 0)
			continue;
		/* So is a dynamic zone's, rewritten after its updates,
		 * unless it is frozen for editing by hand. */
		if (which == NULL && cf->zones[i].dynamic && zs[i].fd >= 0 &&
		    !zs[i].xfr.frozen)
			continue;
		/* Unchanged files are skipped unless asked for by name;
		 * a zone that failed is always tried again. */
		if (!force && zs[i].status == ZS_OK && zs[i].have_st &&
		    stat(cf->zones[i].file, &st) == 0 &&
		    same_file(&st, &zs[i].st))
			continue;
		r.pending[i] = true;
		count++;
	}
	if (count == 0) {
		reload_end_run();
		return 0;
	}
	r.install = install;
	r.done = done;
	r.arg = arg;
	if (reload_fork(cf, uid, gid) != 0) {
		log_warn("fork loader");
		reload_end_run();
		return -1;
	}
	r.ev = event_new(base, r.sock, EV_READ | EV_PERSIST, reload_readable,
	    NULL);
	if (r.ev == NULL || event_add(r.ev, NULL) != 0)
		fatalx("loader event");
	return (int)count;
}

bool
reload_running(void)
{
	return r.pid >= 0;
}
