/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The signer: the one process that reads DNSSEC private keys. It gets
 * the operator's image of each zone with a dnssec-policy from the parent
 * (MSG_PS_SIGN), runs the key manager, signs what changed or is due
 * (lib/sign.c), keeps the signed version on disk (ZONE.signed in the
 * key directory, the image itself) and hands it back as a sealed
 * memfd (MSG_SP_ZONE), which then travels like any other image: to the
 * workers, and to
 * apex-xferd, whose journal gets the signed difference for IXFR.
 * A timer re-signs before signatures-refresh and moves keys along.
 *
 * It has no network socket and cannot make one: seccomp allows no
 * socket(2). It never sees a query, a transfer or an update.
 */
#ifndef APEX_SIGNER_H
#define APEX_SIGNER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "conf.h"
#include "util.h"

/* The signer child: sandboxed, it serves the parent until the channel
 * closes. */
void	signer_main(const struct conf *cf, int sock, uid_t uid, gid_t gid)
	    NORETURN;

#endif
