/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * BIND's rndc control channel (controls { inet ... };), served by the
 * control process beside apex-ctl's socket: rndc's messages
 * (lib/isccc.h), their HMAC with the channel's keys, the nonce
 * exchange, and rndc's commands mapped onto apex's.
 */
#ifndef APEX_RNDC_H
#define APEX_RNDC_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>

#include "conf.h"
#include "sbuf.h"
#include "stats.h"

/*
 * Listens on fds[i] for cf->control.inet[i]. Decodes the channels'
 * keys, so it runs before the sandbox.
 */
void	rndc_init(const struct conf *cf, const int *fds, unsigned n,
	    struct event_base *base);

/* The parent's reply to request id. Returns: false if no rndc
 * connection waits for it. */
bool	rndc_parent_reply(uint32_t id, bool ok, const char *text);

/* ---- what control.c gives rndc.c ---------------------------------- */

/* Sends a command to the parent; its reply comes to
 * rndc_parent_reply() with the id returned. */
uint32_t	control_forward(uint32_t cmd, uint32_t flags, const char *arg);
/* apex-ctl stats's text: the counters summed and the state report. */
void	control_stats_text(struct sbuf *out);
/* The parent's last state report. */
const struct server_view *control_view(void);

#endif
