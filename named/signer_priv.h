/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * What signer.c (runs and timers) and signer_ctl.c (apex-ctl commands,
 * the unsigned copy) share. Nothing else includes this.
 */
#ifndef APEX_SIGNER_PRIV_H
#define APEX_SIGNER_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "conf.h"
#include "ipc.h"
#include "keymgr.h"
#include "zone.h"

struct szone {
	const struct conf_zone	*cz;
	unsigned		 index;
	/* The operator's version, mapped from the parent's memfd. */
	struct zone_mapping	 um;
	struct zone		 uz;
	bool			 have_u;
	uint32_t		 userial;
	/* The signed version served, and kept on disk. */
	void			*sblob;
	size_t			 ssize;
	struct zone		 sz;
	bool			 have_s;
	bool			 sent;		/* to the parent, by this
						 * signer */
	struct keymgr_keys	 keys;		/* of the last run */
	time_t			 next;		/* the next run; 0: none */
	unsigned		 retry;		/* seconds, after a failure */
	struct ipc_sign_state	 st;
};

struct signer {
	const struct conf	*conf;
	int			 sock;
	struct szone		*zones;
	unsigned		 nzones;
	unsigned		 threads;	/* CPUs this process may use */
};

/* signer.c */
/* forced: a new version even if nothing changed (apex-ctl sign). */
void	signer_zone_run(struct szone *, bool forced);
void	signer_send_state(struct szone *);

/* signer_ctl.c */
void	signer_command(struct signer *, uint32_t req, uint32_t cmd,
	    uint32_t flags, const char *arg);
/* The operator's version with its SOA serial set, for a zone whose
 * keys are all gone (dnssec-policy insecure, to the end). */
int	signer_unsigned_copy(const struct zone *uz, uint32_t serial,
	    void **blob, size_t *size, char *err, size_t errlen) MUST_CHECK;
/* Fetches every digest and key type once, while files can be read. */
void	signer_warm_crypto(void);

#endif
