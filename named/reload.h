/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Zone state in the parent: the current image of each zone, and loader
 * runs that replace them (at start, on reload and on reconfig).
 */
#ifndef APEX_RELOAD_H
#define APEX_RELOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/stat.h>

#include "conf.h"
#include "ipc.h"
#include "xferlink.h"

struct event_base;

enum zone_status {
	ZS_NONE,	/* never loaded */
	ZS_OK,
	ZS_FAILED,	/* the last load failed; an older image may serve */
};

struct zone_state {
	int		 fd;		/* the image served, -1: none */
	uint32_t	 serial;
	time_t		 loaded_at;	/* of the image served */
	struct stat	 st;		/* the file when last loaded */
	bool		 have_st;
	enum zone_status status;
	unsigned	 failures;	/* failed loads since start */
	char		*error;		/* the last load's problems */
	struct xfr_state xfr;		/* from apex-xferd */
	uint64_t	 installed;	/* parent's install count, then */
	/* Workers yet to say they serve image serial (the parent then
	 * tells apex-xferd, which answers the updates of that version). */
	unsigned	 serve_due;
	uint32_t	 serve_serial;
	/* A signed zone: fd is the signer's image; the loader's, never
	 * served, waits here for the signer (and a restarted one). */
	int		 unsigned_fd;	/* -1: none */
	uint32_t	 unsigned_serial;
	struct ipc_sign_state sign;	/* the signer's last report */
	bool		 have_sign;
};

/* A signed zone's new unsigned image is in unsigned_fd: to the signer. */
typedef void	reload_sign_fn(unsigned zone);
void	reload_set_sign(reload_sign_fn *);

/* Called when a loader run ends: ok/failed zone counts and the text of
 * every problem. */
typedef void	reload_done_fn(void *arg, unsigned ok, unsigned failed,
		    const char *errors);

/* Sets up state for the zones of cf (fds of kept zones move over). */
struct zone_state	*reload_states_new(const struct conf *cf,
			    const struct conf *old, struct zone_state *prev);
void	reload_states_free(struct zone_state *, unsigned n);

/*
 * Loads the given zones (all when which is NULL) in a loader child and
 * updates states; blocks until it is done. Used at start.
 */
void	reload_sync(const struct conf *cf, struct zone_state *zs,
	    uid_t uid, gid_t gid);

/*
 * Starts a loader run in the background for the zones in which[0..n),
 * or for every zone whose file changed (or failed last time) when which
 * is NULL. done is called when the loader has finished and each loaded
 * image was handed to install().
 * Returns: the number of zones being loaded (0: nothing to do; done is
 * not called), or -1 if a run is already going.
 */
typedef void	reload_install_fn(unsigned zone, int fd, uint32_t serial);
int	reload_start(struct event_base *base, const struct conf *cf,
	    struct zone_state *zs, const unsigned *which, unsigned n,
	    bool force, uid_t uid, gid_t gid, reload_install_fn *install,
	    reload_done_fn *done, void *arg);
bool	reload_running(void);

/*
 * Installs an image made elsewhere (a transferred version from
 * apex-xferd) as zone i's, as a loader run would: the state takes fd,
 * and install() is called.
 */
void	reload_install(const struct conf *cf, struct zone_state *zs,
	    unsigned i, int fd, uint32_t serial, reload_install_fn *install);
/* An updated version of a signed zone: its new unsigned image (fd taken
 * over), to the signer; the signed one it makes is served. */
void	reload_install_unsigned(const struct conf *cf, struct zone_state *zs,
	    unsigned i, int fd, uint32_t serial);

/* Whether zone i is a secondary that has no copy on disk yet: there is
 * nothing to load until its first transfer. */
bool	reload_waits_for_transfer(const struct conf *cf, unsigned i);

#endif
