/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Holding accepted NOTIFYs before they go to apex-xferd (notify_relay.h).
 * Runs in: worker.
 */
#include <string.h>
#include <time.h>

#include "error.h"
#include "ipc.h"
#include "log.h"
#include "msg.h"
#include "notify_relay.h"

struct waiting {
	unsigned		 zone;
	struct sockaddr_storage	 from;
};

static struct {
	struct event_base	*base;
	int			 parent;
	const struct conf	*conf;
	uint64_t		*last_ms;	/* per zone: last relay */
	struct waiting		 wait[NOTIFY_WAITING_MAX];
	unsigned		 nwait;
	struct event		*timer;
	unsigned long		 dropped;
} nr;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static socklen_t
sa_len(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

/* Lost if the parent is not reading: the primary retries. */
static void
send_now(unsigned zone, const struct sockaddr *sa)
{
	struct msg_buf mb;

	msg_buf_init(&mb);
	ipc_put_notify(&mb, nr.conf->zones[zone].origin, sa, sa_len(sa));
	if (msg_send(nr.parent, MSG_WP_NOTIFY, 0, &mb, -1) != 0)
		nr.dropped++;
	nr.last_ms[zone] = now_ms();
}

static void
arm(void)
{
	uint64_t now = now_ms(), first = UINT64_MAX;

	for (unsigned i = 0; i < nr.nwait; i++) {
		uint64_t due = nr.last_ms[nr.wait[i].zone] + NOTIFY_HOLD_MS;
		if (due < first)
			first = due;
	}
	if (nr.nwait == 0)
		return;
	uint64_t ms = first > now ? first - now : 0;
	struct timeval tv = { (time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000 };
	evtimer_add(nr.timer, &tv);
}

/* The interval of some waiting zones is over: relay them. */
static void
release(evutil_socket_t fd, short events, void *arg)
{
	uint64_t now = now_ms();
	unsigned k = 0;

	(void)fd;
	(void)events;
	(void)arg;
	for (unsigned i = 0; i < nr.nwait; i++) {
		struct waiting *wt = &nr.wait[i];
		if (nr.last_ms[wt->zone] + NOTIFY_HOLD_MS <= now)
			send_now(wt->zone, (struct sockaddr *)&wt->from);
		else
			nr.wait[k++] = *wt;
	}
	nr.nwait = k;
	arm();
}

void
notify_relay_init(struct event_base *base, int parent, const struct conf *cf)
{
	nr.base = base;
	nr.parent = parent;
	nr.conf = cf;
	nr.last_ms = xcalloc(cf->nzones + 1, sizeof(*nr.last_ms));
	if ((nr.timer = evtimer_new(base, release, NULL)) == NULL)
		fatalx("notify timer");
}

void
notify_relay(unsigned zone, const struct sockaddr *sa)
{
	if (zone >= nr.conf->nzones)
		return;
	if (nr.last_ms[zone] == 0 ||
	    now_ms() >= nr.last_ms[zone] + NOTIFY_HOLD_MS) {
		send_now(zone, sa);
		return;
	}
	for (unsigned i = 0; i < nr.nwait; i++)
		if (nr.wait[i].zone == zone) {
			memcpy(&nr.wait[i].from, sa, sa_len(sa));
			return;
		}
	if (nr.nwait == NOTIFY_WAITING_MAX) {
		nr.dropped++;
		return;
	}
	nr.wait[nr.nwait].zone = zone;
	memcpy(&nr.wait[nr.nwait].from, sa, sa_len(sa));
	nr.nwait++;
	arm();
}

unsigned long
notify_relay_dropped(void)
{
	return nr.dropped;
}
