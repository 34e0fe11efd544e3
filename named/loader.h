/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The loader: turns zone files into sealed zone-image memfds.
 */
#ifndef APEX_LOADER_H
#define APEX_LOADER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf.h"
#include "util.h"

/* The last MSG_LP_ERROR text for a zone that did not load. */
#define LOADER_GAVE_UP	"zone not loaded"

/*
 * Loads one zone and returns its image as a sealed, read-only memfd.
 * Every problem is logged as file:line and, when sock >= 0, sent to the
 * parent. Returns: the fd, or -1.
 */
int	loader_load_zone(const struct conf *cf, unsigned zone, int sock,
	    uint32_t *serial);

/*
 * The loader child: enters its sandbox, loads the zones marked in
 * which[], sends MSG_LP_ZONE or MSG_LP_ERROR for each and MSG_LP_DONE,
 * then exits.
 */
void	loader_main(const struct conf *cf, int sock, const bool *which,
	    uid_t uid, gid_t gid) NORETURN;

/* apex-named -C: loads every zone in this process. Returns the number
 * of zones that failed. */
unsigned	loader_check(const struct conf *cf);

#endif
