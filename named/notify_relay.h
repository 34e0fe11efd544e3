/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Accepted NOTIFY messages on their way from a worker to apex-xferd,
 * held so that a flood cannot reach the parent: a zone's NOTIFY is
 * relayed at once if none was in the last NOTIFY_HOLD_MS, else it waits
 * for the end of that interval, merged with any others that arrive
 * meanwhile (the refresh it starts then sees the newest serial, so
 * nothing is lost). A few relays a second per zone and worker is all
 * the parent ever sees, however fast NOTIFYs come.
 * Runs in: worker.
 */
#ifndef APEX_NOTIFY_RELAY_H
#define APEX_NOTIFY_RELAY_H

#include <sys/socket.h>

#include <event2/event.h>

#include "conf.h"

#define NOTIFY_HOLD_MS	1000
#define NOTIFY_WAITING_MAX	256	/* zones waiting at once; beyond, a
					 * NOTIFY is dropped (the primary
					 * retries) */

void	notify_relay_init(struct event_base *, int parent,
	    const struct conf *);
/* NOTIFY for cf->zones[zone] from sa was accepted. */
void	notify_relay(unsigned zone, const struct sockaddr *sa);
/* NOTIFYs relayed, and dropped for want of room, so far. */
unsigned long	notify_relay_dropped(void);

#endif
