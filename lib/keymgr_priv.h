/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * What the key manager's files share: one run over a zone's keys, and
 * the small helpers on a key's role and timings.
 * keymgr.c: loading, making and retiring keys, writing their states;
 * keymgr_rules.c: the state machine's rules and steps;
 * keymgr_status.c: apex-ctl dnssec -status.
 */
#ifndef APEX_KEYMGR_PRIV_H
#define APEX_KEYMGR_PRIV_H

#include "keymgr.h"

#define NA	DST_NA
#define HID	DST_HIDDEN
#define RUM	DST_RUMOURED
#define OMN	DST_OMNIPRESENT
#define UNR	DST_UNRETENTIVE
#define NKS	DKR_COUNT

/* The signature TTL when max-zone-ttl is 0 (unknown): a week. */
#define KM_TTLSIG_DEFAULT	604800

typedef enum dnskey_state	kst;

/* The time of the last change of each record's state. */
extern const enum dnskey_time	km_state_time[NKS];

/*
 * One run over a zone's keys. Everything is decided in memory first;
 * files change only when the run commits (km_commit in keymgr.c).
 */
struct km {
	const struct keymgr_zone	*z;
	const struct dnssec_policy	*p;
	struct dnskey			**k;
	unsigned			 n;
	bool				*mod;	/* parallel to k: to write */
	bool				*purge;	/* to remove */
	bool				*made;	/* made this run */
	int64_t				 now;
	int64_t				 next;
	bool				 changed;
	keymgr_log_fn			*logf;
	void				*logarg;
};

void	km_log(struct km *, bool warning, const char *fmt, ...)
	    PRINTF(3, 4);
bool	km_is_unused(const struct dnskey *);

/* keymgr_rules.c */
bool	km_match_state(const struct dnskey *key, const struct dnskey *subj,
	    int type, kst next, const kst states[NKS]);
bool	km_dep(const struct km *, const struct dnskey *, uint16_t *who);
bool	km_has_successor(const struct km *, const struct dnskey *pred);
void	km_update_states(struct km *, bool to_insecure);

static inline const char *
km_role_name(const struct dnskey *k)
{
	switch (k->role & DNSKEY_ROLE_CSK) {
	case DNSKEY_ROLE_CSK:
		return "CSK";
	case DNSKEY_ROLE_KSK:
		return "KSK";
	case DNSKEY_ROLE_ZSK:
		return "ZSK";
	}
	return "NOSIGN";
}

static inline bool
km_is_ksk(const struct dnskey *k)
{
	return (k->role & DNSKEY_ROLE_KSK) != 0;
}

static inline bool
km_is_zsk(const struct dnskey *k)
{
	return (k->role & DNSKEY_ROLE_ZSK) != 0;
}

/* Whether a state means the record is (or may be) out there. */
static inline bool
km_up(kst s)
{
	return s == RUM || s == OMN;
}

static inline uint32_t
km_ttlsig(const struct dnssec_policy *p)
{
	return p->max_zone_ttl != 0 ? p->max_zone_ttl : KM_TTLSIG_DEFAULT;
}

/* Dsgn: how long until every RRset carries a new key's signature. */
static inline uint32_t
km_signdelay(const struct dnssec_policy *p)
{
	if (p->signatures_validity < p->signatures_refresh)
		return 0;
	return p->signatures_validity - p->signatures_refresh;
}

static inline uint32_t
km_prepub_interval(const struct dnssec_policy *p, const struct dnskey *k)
{
	return k->ttl + p->publish_safety + p->zone_propagation_delay;
}

static inline void
km_set_time(struct km *m, unsigned i, enum dnskey_time t, int64_t v)
{
	if (m->k[i]->t[t] != v) {
		m->k[i]->t[t] = v;
		m->mod[i] = true;
	}
}

static inline void
km_set_state(struct km *m, unsigned i, enum dnskey_record r, kst s)
{
	if (m->k[i]->st[r] != s) {
		m->k[i]->st[r] = s;
		m->mod[i] = true;
	}
}

/* Notes when the next run has something to do. */
static inline void
km_note_next(struct km *m, int64_t when)
{
	if (when > m->now && (m->next == 0 || when < m->next))
		m->next = when;
}

#endif
