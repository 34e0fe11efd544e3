/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The key manager: which keys a zone has, which of them are published
 * and sign, and when that changes, as BIND 9.18's keymgr does it (the
 * RFC 7583 timings, with the DNSKEY, ZRRSIG, KRRSIG and DS states of
 * each key moving hidden -> rumoured -> omnipresent -> unretentive ->
 * hidden only when the rules for a safe rollover allow).
 *
 * It creates the keys a policy asks for (and their successors when a
 * lifetime ends or a rollover is asked for), marks keys the policy no
 * longer names for retirement (an algorithm rollover), writes each
 * changed .state file, and purges keys hidden for purge-keys.
 * lib/keymgr_rules.c holds the state machine, lib/keymgr_status.c the
 * status text and JSON.
 *
 * Runs in: the signer; the status functions also in apex-named -C.
 */
#ifndef APEX_KEYMGR_H
#define APEX_KEYMGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dnskey.h"
#include "dnssec_policy.h"
#include "sbuf.h"
#include "sign.h"
#include "util.h"

struct keymgr_zone {
	const char			*name;		/* for messages */
	const uint8_t			*origin;
	const char			*keydir;
	const struct dnssec_policy	*policy;
};

/* What a run found: the zone's keys, and what each is used for. */
struct keymgr_keys {
	struct dnskey	**keys;
	unsigned	  n;
	struct sign_key	 *use;		/* parallel to keys */
	bool		  cds_delete;	/* insecure: the RFC 8078 delete */
	bool		  unsigned_ok;	/* insecure and every key hidden:
					 * the zone may be served unsigned */
	time_t		  next;		/* the next state change; 0: none */
	bool		  changed;	/* a key was made or a state moved */
};

typedef void	keymgr_log_fn(void *arg, bool warning, const char *msg);

/*
 * One run at now: loads the keys (with private parts for those that
 * sign), makes missing ones, moves states, writes .state files.
 * Returns: 0, APEX_EIO (key directory unreadable or unwritable, err
 * says which), APEX_ECRYPTO or APEX_EMALF (a key file that does not
 * load: any key that dnskey_scan() skips makes the run fail with
 * APEX_EMALF, as a key that cannot be read may be the one in use).
 * A run writes all its files or none: every key's new .state and .key
 * go to temporary names first (synced), and only once all are written
 * are they renamed over the old ones, then purged keys removed. On
 * failure *out is empty, no key's files changed and the keys the run
 * made are removed again; only a rename failing midway (the directory
 * changed under the run) can leave some keys written and not others.
 * Ownership: keymgr_keys_free().
 */
int	keymgr_run(const struct keymgr_zone *, time_t now,
	    struct keymgr_keys *out, keymgr_log_fn *, void *arg, char *err,
	    size_t errlen) MUST_CHECK;
void	keymgr_keys_free(struct keymgr_keys *);

/*
 * apex-ctl dnssec -checkds: the parent has (published) or no longer has
 * the DS of key tag (0: of every key with a KSK role whose DS is
 * rumoured, for published, or unretentive, for withdrawn), as of when.
 * The DS moves on once parent-ds-ttl + parent-propagation-delay +
 * retire-safety have passed since when.
 * Returns: 0, APEX_ENOENT (no such key), APEX_EINVAL (the key is not a
 * KSK or CSK) or APEX_EIO.
 */
int	keymgr_checkds(const struct keymgr_zone *, uint16_t tag,
	    bool published, time_t when, char *err, size_t errlen) MUST_CHECK;

/* apex-ctl dnssec -rollover: roll key tag at when (now if earlier): its
 * successor is published at when, so the key retires at when + its
 * DNSKEY TTL + publish-safety + zone-propagation-delay (BIND's rndc
 * dnssec -rollover). Returns: 0, APEX_ENOENT or APEX_EIO. */
int	keymgr_rollover(const struct keymgr_zone *, uint16_t tag,
	    time_t when, char *err, size_t errlen) MUST_CHECK;

/* apex-ctl dnssec -status: the keys, their states and the next event,
 * as text like BIND's rndc dnssec -status, or as JSON. */
void	keymgr_status(const struct keymgr_zone *, const struct keymgr_keys *,
	    time_t now, bool json, struct sbuf *out);

#endif
