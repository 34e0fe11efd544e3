/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Reloads (a loader run, then every worker takes the new images) and
 * reconfigs (a new generation of workers on a new configuration, the
 * old one retired once the new one serves).
 * Runs in: apex-named parent.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <event2/event.h>

#include "child.h"
#include "control.h"
#include "error.h"
#include "ipc.h"
#include "listen.h"
#include "log.h"
#include "logging.h"
#include "msg.h"
#include "parent.h"
#include "reload.h"
#include "sandbox.h"
#include "stats.h"
#include "tsig.h"
#include "worker.h"
#include "xferlink.h"
#include "parent_priv.h"

/* ---- reloads ------------------------------------------------------ */

void
parent_install_zone(unsigned zone, int fd, uint32_t serial)
{
	struct msg_buf b;

	unsigned before = p.acks_due;

	p.zs[zone].installed = ++p.installed;
	msg_buf_init(&b);
	msg_put_u32(&b, serial);
	parent_broadcast(MSG_PW_ZONE, zone, &b, fd);
	/* apex-xferd hears of it once every worker serves it, so an
	 * update is answered only when a query sees it. */
	p.zs[zone].serve_due = p.acks_due - before;
	p.zs[zone].serve_serial = serial;
	if (p.zs[zone].serve_due == 0)
		xferlink_zone(p.conf->zones[zone].origin, serial, fd);
}

/* Every version still waiting for the workers' word goes to apex-xferd
 * now (a worker died: its replacement is sent the image when ready). */
void
parent_served_flush(void)
{
	for (unsigned i = 0; i < p.conf->nzones; i++)
		if (p.zs[i].serve_due > 0) {
			p.zs[i].serve_due = 0;
			if (p.zs[i].fd >= 0)
				xferlink_zone(p.conf->zones[i].origin,
				    p.zs[i].serial, p.zs[i].fd);
		}
}

/* Replies once the loader is done and every worker took the images. */
void
parent_reload_progress(void)
{
	if (!p.loader_done || p.acks_due > 0)
		return;
	p.loader_done = false;
	char text[256];
	snprintf(text, sizeof(text), "%u zone%s reloaded, %u failed",
	    p.reload_ok, p.reload_ok == 1 ? "" : "s", p.reload_failed);
	log_info("reload: %s", text);
	if (p.reload_req != 0) {
		/* Every problem (file:line) first, then the summary. */
		const char *errs = p.reload_errors ? p.reload_errors : "";
		size_t n = strlen(errs) + strlen(text) + 1;
		char *all = xmalloc(n);
		snprintf(all, n, "%s%s", errs, text);
		parent_reply(p.reload_req, p.reload_failed == 0, all);
		free(all);
		p.reload_req = 0;
	}
	free(p.reload_errors);
	p.reload_errors = NULL;
	parent_sd_notify("READY=1");
	parent_push_state();
}

static void
parent_reload_done(void *arg, unsigned ok, unsigned failed,
    const char *errors)
{
	p.reload_ok = ok;
	p.reload_failed = failed;
	/* The last run's text, if its images were never all taken (a
	 * worker died first), gives way to this run's. */
	free(p.reload_errors);
	p.reload_errors = xstrdup(errors);
	p.loader_done = true;
	p.reloads++;
	parent_reload_progress();
}

/* Reloads zone (NULL: every changed zone) for request req (0: none). */
void
parent_reload(const char *zone, uint32_t req)
{
	unsigned which = 0;
	int n;

	if (zone != NULL) {
		uint8_t origin[DNAME_MAXLEN];
		const struct conf_zone *z = NULL;
		if (dname_from_str(zone, NULL, origin) >= 0)
			z = conf_find_zone(p.conf, origin);
		if (z == NULL) {
			parent_reply(req, false, "no such zone");
			return;
		}
		which = (unsigned)(z - p.conf->zones);
		if (z->dynamic && p.zs[which].xfr.unsynced &&
		    !p.zs[which].xfr.frozen) {
			/* The file lacks updates only the journal has:
			 * loading it would take them back. */
			char text[512];
			snprintf(text, sizeof(text), "zone %s is dynamic and "
			    "its file lacks recent updates: run apex-ctl sync "
			    "%s first, or apex-ctl freeze %s to edit the file "
			    "and apex-ctl thaw %s after", z->name, z->name,
			    z->name, z->name);
			parent_reply(req, false, text);
			return;
		}
	}
	parent_sd_notify("RELOADING=1");
	n = reload_start(p.base, p.conf, p.zs, zone ? &which : NULL,
	    zone ? 1 : 0, zone != NULL, p.uid, p.gid, parent_install_zone,
	    parent_reload_done, NULL);
	if (n < 0) {
		parent_reply(req, false, "a reload is already running");
		return;
	}
	if (n == 0) {
		parent_sd_notify("READY=1");
		parent_reply(req, true, "no zone file changed");
		return;
	}
	log_info("reload: loading %d zone%s", n, n == 1 ? "" : "s");
	p.reload_req = req;
	p.acks_due = 0;
}

/* ---- reconfig ----------------------------------------------------- */

struct conf_errors {
	char	text[4096];
};

static void
conf_error_text(void *arg, const char *file, unsigned line, bool error,
    const char *msg)
{
	struct conf_errors *e = arg;
	size_t n = strlen(e->text);

	log_warnx("%s:%u: %s%s", file, line, error ? "" : "warning: ", msg);
	if (error)
		snprintf(e->text + n, sizeof(e->text) - n, "%s:%u: %s\n",
		    file, line, msg);
}

/* Every worker of the new generation is up: retire the old one. */
void
parent_generation_ready(void)
{
	for (unsigned k = 0; k < p.nworkers; k++)
		if (!p.workers[k].ready)
			return;
	for (unsigned k = 0; k < p.nold; k++)
		if (p.old[k].c.pid != 0)
			(void)parent_worker_send(&p.old[k], MSG_PW_RETIRE, 0,
			    NULL, -1);
	if (p.reconfig_req != 0) {
		parent_reply(p.reconfig_req, true, "reconfigured");
		p.reconfig_req = 0;
	}
	parent_sd_notify("READY=1");
	log_info("reconfig: generation %u serving", p.gen);
}

/*
 * Rereads named.conf: a new generation of workers starts on the new
 * configuration and the same sockets (new ones for new addresses); the
 * old generation stops reading and finishes its TCP answers. Queries
 * wait in the shared sockets meanwhile, so none is lost.
 */
/* The new configuration is in place: logging, apex-xferd and a new
 * generation of workers follow it. */
static void
reconfig_start_generation(uint32_t req)
{
	logging_setup(p.conf, p.args->to_stderr);
	xferlink_restart();
	parent_signer_reconfig();
	p.gen++;
	p.workers = xcalloc(p.nworkers, sizeof(*p.workers));
	for (unsigned k = 0; k < p.nworkers; k++)
		parent_fork_worker(k);
	p.reconfig_req = req;
	p.reloads++;
	parent_push_state();
}

/* Reads named.conf again. Returns: the new configuration, or NULL (the
 * errors went to apex-ctl). */
static struct conf *
reconfig_load(uint32_t req)
{
	struct conf_errors err = { "" };

	/* A relative directory in the file is relative to where apex-named
	 * started, as the first time. */
	if (p.start_cwd != NULL && chdir(p.start_cwd) != 0)
		log_warn("chdir %s", p.start_cwd);
	struct conf *nc = conf_load(p.args->conf_path, conf_error_text, &err);
	const char *dir = nc != NULL && nc->directory ? nc->directory :
	    p.conf->directory;
	if (dir != NULL && chdir(dir) != 0)
		log_warn("directory %s", dir);
	if (nc == NULL)
		parent_reply(req, false, err.text);
	return nc;
}

/* The sockets and keys of nc. Returns: 0, or -1 (replied; nothing kept). */
static int
reconfig_prepare(uint32_t req, struct conf *nc, struct listen_addr **addrs,
    unsigned *naddrs, struct slot_socks **socks, struct tsig_keyring *keys)
{
	const char *why = "a key's secret is not valid base64";

	*naddrs = listen_addresses(nc, p.args->port, addrs);
	if (*naddrs == 0) {
		parent_reply(req, false, "no address to listen on");
		free(*addrs);
		return -1;
	}
	if (parent_open_sockets(*addrs, *naddrs, socks, &why) == 0) {
		/* The session key stays what nsupdate -l has read. */
		if (conf_session_make(nc, p.conf) != 0)
			why = "session-keyfile cannot be written";
		else if (tsig_keyring_load(nc, keys) == 0)
			return 0;
	}
	parent_reply(req, false, why);
	parent_close_slot_socks(*socks, *naddrs, p.socks, p.naddrs);
	free(*addrs);
	return -1;
}

void
parent_reconfig(uint32_t req)
{
	struct listen_addr *addrs;
	struct slot_socks *socks;
	struct tsig_keyring keys;
	unsigned naddrs;

	if (p.old != NULL || reload_running()) {
		parent_reply(req, false, "a reload or reconfig is running");
		return;
	}
	struct conf *nc = reconfig_load(req);
	if (nc == NULL)
		return;
	p.next_conf = nc;
	parent_sd_notify("RELOADING=1");
	parent_state_directory(nc);
	nc->cookie_secret_set = true;
	memcpy(nc->cookie_secret, p.conf->cookie_secret,
	    sizeof(nc->cookie_secret));
	if (reconfig_prepare(req, nc, &addrs, &naddrs, &socks, &keys) != 0) {
		p.next_conf = NULL;
		conf_free(nc);
		parent_sd_notify("READY=1");
		return;
	}
	tsig_keyring_free(&p.keys);
	p.keys = keys;
	struct zone_state *zs = reload_states_new(nc, p.conf, p.zs);
	reload_sync(nc, zs, p.uid, p.gid);
	reload_states_free(p.zs, p.conf->nzones);
	p.zs = zs;
	/* The old generation keeps its sockets until it is gone. */
	p.old = p.workers;
	p.nold = p.nworkers;
	p.old_socks = p.socks;
	p.old_naddrs = p.naddrs;
	free(p.addrs);
	p.addrs = addrs;
	p.naddrs = naddrs;
	p.socks = socks;
	conf_free(p.conf);
	p.conf = nc;
	p.next_conf = NULL;
	reconfig_start_generation(req);
}

void
parent_old_gone(void)
{
	for (unsigned k = 0; k < p.nold; k++)
		if (p.old[k].c.pid != 0)
			return;
	parent_close_slot_socks(p.old_socks, p.old_naddrs, p.socks, p.naddrs);
	p.old_socks = NULL;
	free(p.old);
	p.old = NULL;
	p.nold = 0;
}
