/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The key manager (see keymgr.h). The state machine is the one of
 * "Flexible and Robust Key Rollover" (Van Rijswijk-Deij et al.) as BIND
 * 9.18 runs it, so that a key directory moves the same way under apex
 * as under named: each record type of a key (DNSKEY, ZRRSIG, KRRSIG,
 * DS) goes towards the key's goal one step at a time, a step is taken
 * only if the zone stays valid for every resolver cache (rules 1-3)
 * and the rollover method allows it, and only once the caches that
 * held the old state have expired.
 * Runs in: the signer; apex-ctl's status text is made here too.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "keymgr.h"

#define NA	DST_NA
#define HID	DST_HIDDEN
#define RUM	DST_RUMOURED
#define OMN	DST_OMNIPRESENT
#define UNR	DST_UNRETENTIVE
#define NKS	DKR_COUNT

/* The signature TTL when max-zone-ttl is 0 (unknown): a week. */
#define KM_TTLSIG_DEFAULT	604800
/* How often to look again while the parent's DS is not confirmed. */
#define KM_DS_RECHECK		3600

typedef enum dnskey_state	kst;

static const enum dnskey_time	state_time[NKS] = {
	DKT_DNSKEY_CHANGE, DKT_ZRRSIG_CHANGE, DKT_KRRSIG_CHANGE,
	DKT_DS_CHANGE,
};
static const char	*const rec_name[NKS] = {
	"DNSKEY", "ZRRSIG", "KRRSIG", "DS",
};

/* One run over a zone's keys. */
struct km {
	const struct keymgr_zone	*z;
	const struct dnssec_policy	*p;
	struct dnskey			**k;
	unsigned			 n;
	bool				*mod;	/* parallel to k */
	bool				*purge;
	int64_t				 now;
	int64_t				 next;
	bool				 changed;
	keymgr_log_fn			*logf;
	void				*logarg;
};

static void PRINTF(3, 4)
km_log(struct km *m, bool warning, const char *fmt, ...)
{
	char	buf[512];
	va_list	ap;

	if (m->logf == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	m->logf(m->logarg, warning, buf);
}

static const char *
role_name(const struct dnskey *k)
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

static bool
is_ksk(const struct dnskey *k)
{
	return (k->role & DNSKEY_ROLE_KSK) != 0;
}

static bool
is_zsk(const struct dnskey *k)
{
	return (k->role & DNSKEY_ROLE_ZSK) != 0;
}

static uint32_t
ttlsig(const struct dnssec_policy *p)
{
	return p->max_zone_ttl != 0 ? p->max_zone_ttl : KM_TTLSIG_DEFAULT;
}

/* Dsgn: how long until every RRset carries a new key's signature. */
static uint32_t
signdelay(const struct dnssec_policy *p)
{
	if (p->signatures_validity < p->signatures_refresh)
		return 0;
	return p->signatures_validity - p->signatures_refresh;
}

static void
set_time(struct km *m, unsigned i, enum dnskey_time t, int64_t v)
{
	if (m->k[i]->t[t] != v) {
		m->k[i]->t[t] = v;
		m->mod[i] = true;
	}
}

static void
set_state(struct km *m, unsigned i, enum dnskey_record r, kst s)
{
	if (m->k[i]->st[r] != s) {
		m->k[i]->st[r] = s;
		m->mod[i] = true;
	}
}

static void
set_goal(struct km *m, unsigned i, kst s)
{
	if (m->k[i]->goal != s) {
		m->k[i]->goal = s;
		m->mod[i] = true;
	}
}

static void
note_next(struct km *m, int64_t when)
{
	if (when > m->now && (m->next == 0 || when < m->next))
		m->next = when;
}

/* Removed time from the retire time: when the last cache forgot it. */
static void
settime_remove(struct km *m, unsigned i)
{
	const struct dnssec_policy *p = m->p;
	const struct dnskey *k = m->k[i];
	int64_t retire = k->t[DKT_INACTIVE], zr = 0, kr = 0;

	if (retire == 0)
		return;
	if (is_zsk(k))
		zr = retire + ttlsig(p) + p->zone_propagation_delay +
		    p->retire_safety + signdelay(p);
	if (is_ksk(k))
		kr = retire + p->parent_ds_ttl +
		    p->parent_propagation_delay + p->retire_safety;
	set_time(m, i, DKT_DELETE, kr > zr ? kr : zr);
}

/* When the DS may first be submitted: the DNSKEY (and, for the zone's
 * first key, its signatures) everywhere. */
static void
settime_syncpublish(struct km *m, unsigned i, bool first)
{
	const struct dnssec_policy *p = m->p;
	const struct dnskey *k = m->k[i];
	int64_t pub = k->t[DKT_PUBLISH], sp, zp;

	if (pub == 0 || !is_ksk(k))
		return;
	sp = pub + k->ttl + p->zone_propagation_delay + p->publish_safety;
	if (first) {
		zp = pub + ttlsig(p) + p->zone_propagation_delay +
		    p->publish_safety;
		if (zp > sp)
			sp = zp;
	}
	set_time(m, i, DKT_SYNCPUBLISH, sp);
}

static uint32_t
prepub_interval(const struct dnssec_policy *p, const struct dnskey *k)
{
	return k->ttl + p->publish_safety + p->zone_propagation_delay;
}

/*
 * When a successor of key i must be published (0: never). Fills in the
 * key's missing times on the way, as a retire time follows from the
 * lifetime and the removal from the retire time.
 */
static int64_t
prepublication_time(struct km *m, unsigned i, uint32_t lifetime)
{
	struct dnskey *k = m->k[i];
	int64_t prepub, retire;

	if (k->t[DKT_ACTIVATE] == 0)
		set_time(m, i, DKT_ACTIVATE, m->now);
	if (k->t[DKT_PUBLISH] == 0)
		set_time(m, i, DKT_PUBLISH, m->now);
	prepub = prepub_interval(m->p, k);
	if (is_ksk(k) && k->t[DKT_SYNCPUBLISH] == 0) {
		int64_t s1 = k->t[DKT_PUBLISH] + prepub, s2 = 0;

		if (k->predecessor == 0)
			s2 = k->t[DKT_PUBLISH] + ttlsig(m->p) +
			    m->p->publish_safety +
			    m->p->zone_propagation_delay;
		set_time(m, i, DKT_SYNCPUBLISH, s1 > s2 ? s1 : s2);
	}
	retire = k->t[DKT_INACTIVE];
	if (retire == 0) {
		if (!k->has_state && k->lifetime != lifetime) {
			k->lifetime = lifetime;
			m->mod[i] = true;
		}
		if (k->lifetime == 0)
			return 0;
		retire = k->t[DKT_ACTIVATE] + k->lifetime;
		set_time(m, i, DKT_INACTIVE, retire);
	}
	settime_remove(m, i);
	if (prepub > retire)
		return m->now;
	return retire - prepub;
}

static void
key_retire(struct km *m, unsigned i)
{
	struct dnskey *k = m->k[i];

	if (k->t[DKT_INACTIVE] == 0 || k->t[DKT_INACTIVE] > m->now)
		set_time(m, i, DKT_INACTIVE, m->now);
	set_goal(m, i, HID);
	settime_remove(m, i);
	/* A key without states is taken to be in full use. */
	if (k->st[DKR_DNSKEY] == NA) {
		set_state(m, i, DKR_DNSKEY, OMN);
		set_time(m, i, DKT_DNSKEY_CHANGE, m->now);
	}
	if (is_ksk(k) && k->st[DKR_KRRSIG] == NA) {
		set_state(m, i, DKR_KRRSIG, OMN);
		set_time(m, i, DKT_KRRSIG_CHANGE, m->now);
	}
	if (is_ksk(k) && k->st[DKR_DS] == NA) {
		set_state(m, i, DKR_DS, OMN);
		set_time(m, i, DKT_DS_CHANGE, m->now);
	}
	if (is_zsk(k) && k->st[DKR_ZRRSIG] == NA) {
		set_state(m, i, DKR_ZRRSIG, OMN);
		set_time(m, i, DKT_ZRRSIG_CHANGE, m->now);
	}
	km_log(m, false, "keymgr: %s: retire DNSKEY %u (%s)", m->z->name,
	    k->tag, role_name(k));
}

static unsigned
policy_bits(const struct dnssec_policy_key *pk)
{
	return pk->bits != 0 ? pk->bits : dnskey_alg_default_bits(pk->alg);
}

static bool
policy_match(const struct dnskey *k, const struct dnssec_policy_key *pk)
{
	return k->alg == pk->alg && k->bits == policy_bits(pk) &&
	    (k->role & DNSKEY_ROLE_CSK) == (pk->role & DNSKEY_ROLE_CSK);
}

static void
update_lifetime(struct km *m, unsigned i, uint32_t lifetime)
{
	struct dnskey *k = m->k[i];

	if (!k->has_state) {
		if (k->lifetime != lifetime) {
			k->lifetime = lifetime;
			m->mod[i] = true;
		}
		return;
	}
	/* Keys still hidden or already leaving keep their times. */
	if (k->goal != OMN || k->lifetime == lifetime)
		return;
	k->lifetime = lifetime;
	m->mod[i] = true;
	if (lifetime > 0) {
		int64_t a = k->t[DKT_ACTIVATE] ? k->t[DKT_ACTIVATE] : m->now;

		set_time(m, i, DKT_INACTIVE, a + lifetime);
		settime_remove(m, i);
	} else {
		set_time(m, i, DKT_INACTIVE, 0);
		set_time(m, i, DKT_DELETE, 0);
	}
}

/* The state a record moves to next on its way to the key's goal. */
static kst
desired_state(const struct dnskey *k, kst s)
{
	if (k->goal == HID) {
		if (s == RUM || s == OMN)
			return UNR;
		if (s == HID || s == UNR)
			return HID;
	} else if (k->goal == OMN) {
		if (s == RUM || s == OMN)
			return OMN;
		if (s == HID || s == UNR)
			return RUM;
	}
	return s;
}

/*
 * Whether key matches states (NA: any; HIDDEN also matches a state not
 * set), as if record type of subject were already in next (unless NA).
 */
static bool
match_state(const struct dnskey *key, const struct dnskey *subj, int type,
    kst next, const kst states[NKS])
{
	for (int i = 0; i < NKS; i++) {
		kst s;

		if (states[i] == NA)
			continue;
		if (next != NA && i == type && key->alg == subj->alg &&
		    key->tag == subj->tag)
			s = next;
		else if ((s = key->st[i]) == NA) {
			if (states[i] != HID)
				return false;
			continue;
		}
		if (s != states[i])
			return false;
	}
	return true;
}

static bool
direct_dep(const struct dnskey *d, const struct dnskey *k)
{
	return d->successor != 0 && k->predecessor != 0 &&
	    d->tag == k->predecessor && k->tag == d->successor;
}

/* Whether some key not yet fully hidden has k as its successor. */
static bool
dep(const struct km *m, const struct dnskey *k, uint16_t *who)
{
	static const kst hidden[NKS] = { HID, HID, HID, HID };

	for (unsigned i = 0; i < m->n; i++) {
		const struct dnskey *d = m->k[i];

		if (!direct_dep(d, k))
			continue;
		if (match_state(d, k, NA, NA, hidden))
			continue;
		if (who != NULL)
			*who = d->tag;
		return true;
	}
	return false;
}

/* Whether z succeeds x (equation 2), possibly through a chain of keys
 * rolled faster than a rollover takes. */
static bool
is_successor(const struct km *m, const struct dnskey *x,
    const struct dnskey *z, const struct dnskey *key, int type, kst next,
    unsigned depth)
{
	uint16_t dx, dz;
	kst zst[NKS];

	if (depth > m->n || dep(m, x, &dx) || !dep(m, z, &dz))
		return false;
	if (x->tag == dz)
		return true;
	for (int i = 0; i < NKS; i++)
		zst[i] = z->st[i];
	for (unsigned i = 0; i < m->n; i++) {
		const struct dnskey *y = m->k[i];

		if (y->tag == z->tag || y->tag != dz)
			continue;
		if (match_state(y, key, type, next, zst))
			return is_successor(m, x, y, key, type, next,
			    depth + 1);
	}
	return false;
}

/*
 * Whether a key matches states (of key's algorithm if match_alg), and
 * if check_succ, has a successor matching states2.
 */
static bool
exists_with_state(const struct km *m, const struct dnskey *key, int type,
    kst next, const kst states[NKS], const kst states2[NKS],
    bool check_succ, bool match_alg)
{
	for (unsigned i = 0; i < m->n; i++) {
		const struct dnskey *d = m->k[i];

		if (match_alg && d->alg != key->alg)
			continue;
		if (!match_state(d, key, type, next, states))
			continue;
		if (!check_succ)
			return true;
		for (unsigned j = 0; j < m->n; j++) {
			const struct dnskey *s = m->k[j];

			if (j == i || !match_state(s, key, type, next,
			    states2))
				continue;
			if (is_successor(m, d, s, key, type, next, 0))
				return true;
		}
	}
	return false;
}

static bool
has_successor(const struct km *m, const struct dnskey *pred)
{
	for (unsigned i = 0; i < m->n; i++)
		if (direct_dep(pred, m->k[i]))
			return true;
	return false;
}

/* Every DS hidden, or for a DS still known a chain of trust (3e). */
static bool
ds_hidden_or_chained(const struct km *m, const struct dnskey *key, int type,
    kst next, bool match_alg, bool must_be_hidden)
{
	static const kst ds_hidden[NKS] = { NA, NA, NA, HID };
	static const kst na[NKS] = { NA, NA, NA, NA };
	kst chained[NKS] = { OMN, NA, OMN, NA };

	for (unsigned i = 0; i < m->n; i++) {
		const struct dnskey *d = m->k[i];

		if (match_alg && d->alg != key->alg)
			continue;
		if (match_state(d, key, type, next, ds_hidden))
			continue;
		if (must_be_hidden)
			return false;
		if (match_state(d, key, type, next, chained))
			continue;
		chained[DKR_DS] = OMN;
		if (!exists_with_state(m, key, type, next, chained, na, false,
		    match_alg))
			return false;
	}
	return true;
}

/* Every DNSKEY hidden, or for one still known signatures (3i). */
static bool
dnskey_hidden_or_chained(const struct km *m, const struct dnskey *key,
    int type, kst next, bool match_alg)
{
	static const kst dnskey_hidden[NKS] = { HID, NA, NA, NA };
	static const kst na[NKS] = { NA, NA, NA, NA };
	kst chained[NKS] = { OMN, OMN, NA, NA };

	for (unsigned i = 0; i < m->n; i++) {
		const struct dnskey *d = m->k[i];

		if (match_alg && d->alg != key->alg)
			continue;
		if (match_state(d, key, type, next, dnskey_hidden))
			continue;
		chained[DKR_DNSKEY] = d->st[DKR_DNSKEY];
		if (!exists_with_state(m, key, type, next, chained, na, false,
		    match_alg))
			return false;
	}
	return true;
}

/* Rule 1: a DS at all times (3a). */
static bool
have_ds(const struct km *m, const struct dnskey *key, int type, kst next,
    bool to_insecure)
{
	static const kst present[NKS] = { NA, NA, NA, OMN };
	static const kst introducing[NKS] = { NA, NA, NA, RUM };
	static const kst na[NKS] = { NA, NA, NA, NA };

	return exists_with_state(m, key, type, next, present, na, false,
	    false) ||
	    exists_with_state(m, key, type, next, introducing, na, false,
	    false) ||
	    (to_insecure && exists_with_state(m, key, type, next, na, na,
	    false, false));
}

/* Rule 2: a DNSKEY at all times (3b-3e). */
static bool
have_dnskey(const struct km *m, const struct dnskey *key, int type,
    kst next)
{
	static const kst s[9][NKS] = {
		{ OMN, NA, OMN, OMN },	/* 3b */
		{ OMN, NA, OMN, UNR },	/* 3c predecessor */
		{ OMN, NA, OMN, RUM },	/* 3c successor */
		{ UNR, NA, UNR, OMN },	/* 3d predecessor */
		{ OMN, NA, UNR, OMN },
		{ UNR, NA, OMN, OMN },
		{ RUM, NA, RUM, OMN },	/* 3d successor */
		{ OMN, NA, RUM, OMN },
		{ RUM, NA, OMN, OMN },
	};
	static const kst na[NKS] = { NA, NA, NA, NA };

	if (exists_with_state(m, key, type, next, s[0], na, false, true) ||
	    exists_with_state(m, key, type, next, s[1], s[2], true, true))
		return true;
	/* The DNSKEY and KRRSIG of a pair move independently. */
	for (int p = 3; p <= 5; p++)
		for (int q = 6; q <= 8; q++)
			if (exists_with_state(m, key, type, next, s[p], s[q],
			    true, true))
				return true;
	return ds_hidden_or_chained(m, key, type, next, true, false);
}

/* Rule 3: signatures at all times (3f-3i). */
static bool
have_rrsig(const struct km *m, const struct dnskey *key, int type,
    kst next)
{
	static const kst s[5][NKS] = {
		{ OMN, OMN, NA, NA },	/* 3f */
		{ UNR, OMN, NA, NA },	/* 3g predecessor */
		{ RUM, OMN, NA, NA },	/* 3g successor */
		{ OMN, UNR, NA, NA },	/* 3h predecessor */
		{ OMN, RUM, NA, NA },	/* 3h successor */
	};
	static const kst na[NKS] = { NA, NA, NA, NA };

	return ds_hidden_or_chained(m, key, type, next, true, true) ||
	    exists_with_state(m, key, type, next, s[0], na, false, true) ||
	    exists_with_state(m, key, type, next, s[1], s[2], true, true) ||
	    exists_with_state(m, key, type, next, s[3], s[4], true, true) ||
	    dnskey_hidden_or_chained(m, key, type, next, true);
}

/*
 * The rollover methods: a ZSK's signatures only after its DNSKEY is
 * everywhere (pre-publication; unless the key brings in a new
 * algorithm), a KSK's DS only after its DNSKEY is (double-KSK).
 */
static bool
policy_approval(const struct km *m, const struct dnskey *key, int type,
    kst next)
{
	static const kst ksk_present[NKS] = { OMN, NA, OMN, OMN };
	static const kst ds_rumoured[NKS] = { OMN, NA, OMN, RUM };
	static const kst ds_retired[NKS] = { OMN, NA, OMN, UNR };
	static const kst ksk_rumoured[NKS] = { RUM, NA, NA, OMN };
	static const kst ksk_retired[NKS] = { UNR, NA, NA, OMN };
	static const kst na[NKS] = { NA, NA, NA, NA };
	kst dk = key->st[DKR_DNSKEY] == NA ? HID : key->st[DKR_DNSKEY];

	if (next != RUM)
		return true;
	switch (type) {
	case DKR_DNSKEY:
		return true;
	case DKR_ZRRSIG:
		if (dk == OMN)
			return true;
		return !(exists_with_state(m, key, type, next, ksk_present,
		    na, false, true) ||
		    exists_with_state(m, key, type, next, ds_retired,
		    ds_rumoured, true, true) ||
		    exists_with_state(m, key, type, next, ksk_retired,
		    ksk_rumoured, true, true));
	case DKR_KRRSIG:
		return dk != HID;
	case DKR_DS:
		return dk == OMN;
	}
	return false;
}

/* Equation 1: each rule that holds now still holds after the step. */
static bool
transition_allowed(const struct km *m, const struct dnskey *key, int type,
    kst next, bool to_insecure)
{
	return (!have_ds(m, key, type, NA, to_insecure) ||
	    have_ds(m, key, type, next, to_insecure)) &&
	    (!have_dnskey(m, key, type, NA) ||
	    have_dnskey(m, key, type, next)) &&
	    (!have_rrsig(m, key, type, NA) ||
	    have_rrsig(m, key, type, next));
}

/* Until when the DS step waits: the parent seen (or seen without it),
 * then its DS TTL passed. */
static int64_t
ds_wait(struct km *m, int64_t seen)
{
	if (seen == 0 || seen > m->now)
		return m->now + KM_DS_RECHECK;
	return seen + m->p->parent_ds_ttl + m->p->parent_propagation_delay +
	    m->p->retire_safety;
}

/* When record type of key i may move to next (RFC 7583 intervals). */
static int64_t
transition_time(struct km *m, unsigned i, int type, kst next)
{
	const struct dnssec_policy *p = m->p;
	struct dnskey *k = m->k[i];
	int64_t last;

	/* Moving into an uncertain state needs no wait. */
	if (next == RUM || next == UNR)
		return m->now;
	if ((last = k->t[state_time[type]]) == 0) {
		set_time(m, i, state_time[type], m->now);
		last = m->now;
	}
	switch (type) {
	case DKR_DNSKEY:
	case DKR_KRRSIG:
		/* Ipub = Dprp + TTLkey (+ publish-safety when arriving). */
		return last + k->ttl + p->zone_propagation_delay +
		    (next == OMN ? p->publish_safety : 0);
	case DKR_ZRRSIG: {
		/* Iret = Dsgn + Dprp + TTLsig; Dsgn only within a roll. */
		int64_t t = last + ttlsig(p) + p->zone_propagation_delay +
		    p->retire_safety;

		if (k->predecessor != 0 || k->successor != 0)
			t += signdelay(p);
		return t;
	}
	case DKR_DS:
		return ds_wait(m, next == OMN ? k->t[DKT_DS_PUBLISH] :
		    k->t[DKT_DS_DELETE]);
	}
	return m->now;
}

/* Tries the next step of record r of key i; whether it was taken. */
static bool
try_step(struct km *m, unsigned i, int r, bool to_insecure)
{
	struct dnskey *k = m->k[i];
	kst s = k->st[r], next;
	int64_t when;

	if (s == NA || (next = desired_state(k, s)) == s)
		return false;
	if (!policy_approval(m, k, r, next) ||
	    !transition_allowed(m, k, r, next, to_insecure))
		return false;
	when = transition_time(m, i, r, next);
	if (when > m->now) {
		note_next(m, when);
		return false;
	}
	set_state(m, i, r, next);
	set_time(m, i, state_time[r], m->now);
	km_log(m, false, "keymgr: %s: %s %u %s %s -> %s", m->z->name,
	    role_name(k), k->tag, rec_name[r], dnskey_state_name(s),
	    dnskey_state_name(next));
	return true;
}

/* Algorithm 1: take every allowed step until none is left. */
static void
update_states(struct km *m, bool to_insecure)
{
	bool changed;

	do {
		changed = false;
		for (unsigned i = 0; i < m->n; i++) {
			if (m->purge[i])
				continue;
			for (int r = 0; r < NKS; r++)
				if (try_step(m, i, r, to_insecure))
					changed = true;
		}
		if (changed)
			m->changed = true;
	} while (changed);
}

/* A state from the time it was entered: in, or full once wait passed. */
static kst
init_level(int64_t t, int64_t now, int64_t wait, kst cur, kst in, kst full)
{
	if (t == 0 || t > now)
		return cur;
	return t + wait <= now ? full : in;
}

static void
init_state(struct km *m, unsigned i, int r, kst s)
{
	if (m->k[i]->st[r] == NA) {
		set_state(m, i, r, s);
		set_time(m, i, state_time[r], m->now);
	}
}

/*
 * The role and states of a key that has none (made by dnssec-keygen, or
 * just now), from its flags and times; the goal from its times.
 */
static void
key_init(struct km *m, unsigned i, bool csk)
{
	const struct dnssec_policy *p = m->p;
	struct dnskey *k = m->k[i];
	int64_t now = m->now;
	uint32_t sigw = ttlsig(p) + p->zone_propagation_delay;
	uint32_t keyw = k->ttl + p->zone_propagation_delay;
	uint32_t dsw = p->parent_ds_ttl + p->parent_propagation_delay;
	kst dk = HID, ds = HID, zs = HID, goal = HID;

	if (!k->has_state) {
		if (k->role == 0)
			k->role = (k->flags & DNSKEY_F_SEP) ?
			    DNSKEY_ROLE_KSK : DNSKEY_ROLE_ZSK;
		if (csk)
			k->role = DNSKEY_ROLE_CSK;
	}
	zs = init_level(k->t[DKT_ACTIVATE], now, sigw, zs, RUM, OMN);
	dk = init_level(k->t[DKT_PUBLISH], now, keyw, dk, RUM, OMN);
	ds = init_level(k->t[DKT_SYNCPUBLISH], now, dsw, ds, RUM, OMN);
	if ((k->t[DKT_ACTIVATE] && k->t[DKT_ACTIVATE] <= now) ||
	    (k->t[DKT_PUBLISH] && k->t[DKT_PUBLISH] <= now) ||
	    (k->t[DKT_SYNCPUBLISH] && k->t[DKT_SYNCPUBLISH] <= now))
		goal = OMN;
	if (k->t[DKT_INACTIVE] && k->t[DKT_INACTIVE] <= now) {
		zs = init_level(k->t[DKT_INACTIVE], now, sigw, zs, UNR, HID);
		ds = UNR;
		goal = HID;
	}
	if (k->t[DKT_DELETE] && k->t[DKT_DELETE] <= now) {
		dk = init_level(k->t[DKT_DELETE], now, keyw, dk, UNR, HID);
		zs = ds = goal = HID;
	}
	if (k->goal == NA)
		set_goal(m, i, goal);
	init_state(m, i, DKR_DNSKEY, dk);
	if (is_ksk(k)) {
		init_state(m, i, DKR_KRRSIG, dk);
		init_state(m, i, DKR_DS, ds);
	}
	if (is_zsk(k))
		init_state(m, i, DKR_ZRRSIG, zs);
}

/* A key never used: no times but Generated, states hidden. */
static bool
is_unused(const struct dnskey *k)
{
	for (int t = 0; t < DKT_COUNT; t++) {
		int r = -1;

		if (t == DKT_CREATED || k->t[t] == 0)
			continue;
		for (int j = 0; j < NKS; j++)
			if (state_time[j] == (enum dnskey_time)t)
				r = j;
		if (r < 0 || k->st[r] != HID)
			return false;
	}
	return true;
}

/* Whether the key is in use now (its states win over its times). */
static bool
is_active(const struct dnskey *k, int64_t now)
{
	bool inactive = k->t[DKT_INACTIVE] && k->t[DKT_INACTIVE] <= now;
	bool time_ok = k->t[DKT_ACTIVATE] && k->t[DKT_ACTIVATE] <= now;
	bool ds_ok = true, zs_ok = true;

	if (is_ksk(k) && k->st[DKR_DS] != NA) {
		ds_ok = k->st[DKR_DS] == RUM || k->st[DKR_DS] == OMN;
		time_ok = true;
		inactive = false;
	}
	if (is_zsk(k) && k->st[DKR_ZRRSIG] != NA) {
		zs_ok = k->st[DKR_ZRRSIG] == RUM || k->st[DKR_ZRRSIG] == OMN;
		time_ok = true;
		inactive = false;
	}
	return ds_ok && zs_ok && time_ok && !inactive;
}

static int64_t
last_change(const struct dnskey *k)
{
	int64_t last = 0;

	for (int r = 0; r < NKS; r++)
		if (k->t[state_time[r]] > last)
			last = k->t[state_time[r]];
	return last;
}

/* Whether key i has been hidden for purge-keys; notes when it will. */
static bool
may_be_purged(struct km *m, unsigned i)
{
	const struct dnskey *k = m->k[i];
	uint32_t after = m->p->purge_keys;
	kst hidden[NKS] = { HID, NA, NA, NA };

	if (after == 0 || k->goal == OMN || is_unused(k))
		return false;
	if (is_ksk(k))
		hidden[DKR_KRRSIG] = hidden[DKR_DS] = HID;
	if (is_zsk(k))
		hidden[DKR_ZRRSIG] = HID;
	if (!match_state(k, k, 0, NA, hidden))
		return false;
	if (last_change(k) + after < m->now)
		return true;
	note_next(m, last_change(k) + after + 1);
	return false;
}

static void
purge_files(struct km *m, unsigned i)
{
	static const char *const ext[] = { ".key", ".private", ".state" };
	const struct dnskey *k = m->k[i];
	char path[sizeof(k->base) + 16];

	km_log(m, false, "keymgr: %s: purge DNSKEY %u (%s) according to "
	    "policy %s", m->z->name, k->tag, role_name(k), m->p->name);
	for (size_t e = 0; e < nitems(ext); e++) {
		snprintf(path, sizeof(path), "%s%s", k->base, ext[e]);
		if (unlink(path) == -1 && errno != ENOENT)
			km_log(m, true, "keymgr: %s: cannot purge %s: %s",
			    m->z->name, path, strerror(errno));
	}
	m->purge[i] = true;
	m->changed = true;
}

/* Appends a key to the run's set; returns its index. */
static unsigned
km_add(struct km *m, struct dnskey *k)
{
	m->k = xreallocarray(m->k, m->n + 1, sizeof(*m->k));
	m->mod = xreallocarray(m->mod, m->n + 1, sizeof(*m->mod));
	m->purge = xreallocarray(m->purge, m->n + 1, sizeof(*m->purge));
	m->k[m->n] = k;
	m->mod[m->n] = true;
	m->purge[m->n] = false;
	return m->n++;
}

/* A new key for policy key pk, with no states but hidden. */
static int
create_key(struct km *m, const struct dnssec_policy_key *pk, unsigned *idx,
    char *err, size_t errlen)
{
	uint16_t flags = DNSKEY_F_ZONE;
	struct dnskey *k;
	unsigned i;
	int rc;

	if (pk->role & DNSKEY_ROLE_KSK)
		flags |= DNSKEY_F_SEP;
	rc = dnskey_generate(m->z->keydir, m->z->origin, pk->alg,
	    policy_bits(pk), flags, (time_t)m->now, &k);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot make a %s key in %s: %s",
		    m->z->name, dnskey_alg_name(pk->alg), m->z->keydir,
		    rc == APEX_EIO ? strerror(errno) : apex_strerror(rc));
		return rc;
	}
	k->role = pk->role & DNSKEY_ROLE_CSK;
	k->lifetime = pk->lifetime;
	k->ttl = m->p->dnskey_ttl;
	k->t[DKT_CREATED] = m->now;
	k->goal = NA;
	for (int r = 0; r < NKS; r++)
		k->st[r] = NA;
	k->has_state = true;
	i = km_add(m, k);
	key_init(m, i, false);
	*idx = i;
	return 0;
}

/* Publish and activate times of a successor of key a (BIND's). */
static void
successor_times(struct km *m, unsigned ni, unsigned ai, int64_t prepub)
{
	struct dnskey *nk = m->k[ni], *ak = m->k[ai];
	int64_t created = nk->t[DKT_CREATED], active;

	nk->predecessor = ak->tag;
	ak->successor = nk->tag;
	m->mod[ni] = m->mod[ai] = true;
	active = ak->t[DKT_INACTIVE];
	/* Both in the past: the successor starts at once. */
	if (prepub < created) {
		active += created - prepub;
		prepub = created;
	}
	if (active < created)
		active = created;
	set_time(m, ni, DKT_PUBLISH, prepub);
	set_time(m, ni, DKT_ACTIVATE, active);
	settime_syncpublish(m, ni, false);
	set_goal(m, ai, HID);
}

/*
 * A key for policy key pk when none is active, or a successor when the
 * active one's prepublication time has come.
 */
static int
key_rollover(struct km *m, const struct dnssec_policy_key *pk, int active,
    char *err, size_t errlen)
{
	int64_t prepub = 0;
	unsigned ni;
	int rc, cand = -1;

	if (active >= 0) {
		prepub = prepublication_time(m, active, pk->lifetime);
		if (prepub == 0 || prepub > m->now) {
			note_next(m, prepub);
			return 0;
		}
		if (has_successor(m, m->k[active]))
			return 0;
	}
	/* A key made beforehand (dnssec-keygen) is taken first. */
	for (unsigned i = 0; i < m->n && cand < 0; i++)
		if (!m->purge[i] && policy_match(m->k[i], pk) &&
		    is_unused(m->k[i]))
			cand = i;
	if (cand >= 0)
		ni = cand;
	else if ((rc = create_key(m, pk, &ni, err, errlen)) < 0)
		return rc;
	m->k[ni]->lifetime = pk->lifetime;
	if (active < 0) {
		set_time(m, ni, DKT_PUBLISH, m->now);
		set_time(m, ni, DKT_ACTIVATE, m->now);
		settime_syncpublish(m, ni, true);
	} else
		successor_times(m, ni, active, prepub);
	set_goal(m, ni, OMN);
	if (pk->lifetime > 0) {
		set_time(m, ni, DKT_INACTIVE, m->k[ni]->t[DKT_ACTIVATE] +
		    pk->lifetime);
		settime_remove(m, ni);
	}
	m->changed = true;
	km_log(m, false, "keymgr: %s: DNSKEY %u (%s) %s for policy %s",
	    m->z->name, m->k[ni]->tag, role_name(m->k[ni]),
	    cand >= 0 ? "selected" : "created", m->p->name);
	return 0;
}

/* The active key for policy key pk (-1: none); retires extra ones. */
static int
find_active(struct km *m, const struct dnssec_policy_key *pk)
{
	int active = -1;

	for (unsigned i = 0; i < m->n; i++) {
		struct dnskey *k = m->k[i];

		if (m->purge[i] || !policy_match(k, pk))
			continue;
		update_lifetime(m, i, pk->lifetime);
		if (active >= 0) {
			/* Two signing keys for one policy key: one goes. */
			if (!is_unused(k) && k->goal == OMN &&
			    !dep(m, k, NULL) && !dep(m, m->k[active], NULL))
				key_retire(m, i);
			continue;
		}
		if (k->goal == OMN || is_active(k, m->now))
			active = i;
	}
	return active;
}

static void
km_free(struct km *m)
{
	dnskey_free_all(m->k, m->n);
	free(m->mod);
	free(m->purge);
	m->k = NULL;
	m->mod = m->purge = NULL;
	m->n = 0;
}

static int
km_load(struct km *m, const struct keymgr_zone *z, bool want_private,
    char *err, size_t errlen)
{
	char lerr[256] = "";
	int rc;

	memset(m, 0, sizeof(*m));
	m->z = z;
	m->p = z->policy;
	rc = dnskey_scan(z->keydir, z->origin, want_private, &m->k, &m->n,
	    lerr, sizeof(lerr));
	if (rc < 0) {
		snprintf(err, errlen, "%s: key directory %s: %s", z->name,
		    z->keydir, lerr[0] ? lerr : apex_strerror(rc));
		return rc;
	}
	/* A key that does not load might be the one in use: making a new
	 * one in its place could break the chain of trust. */
	if (lerr[0] != '\0') {
		snprintf(err, errlen, "%s: %s", z->name, lerr);
		km_free(m);
		return APEX_EMALF;
	}
	m->mod = xcalloc(m->n + 1, sizeof(*m->mod));
	m->purge = xcalloc(m->n + 1, sizeof(*m->purge));
	/* A record the key's role has no use for has no state (BIND
	 * writes none), whatever a .state file says. */
	for (unsigned i = 0; i < m->n; i++) {
		struct dnskey *k = m->k[i];

		if (k->role != 0 && !is_ksk(k))
			k->st[DKR_KRRSIG] = k->st[DKR_DS] = NA;
		if (k->role != 0 && !is_zsk(k))
			k->st[DKR_ZRRSIG] = NA;
	}
	return 0;
}

static int
km_write(struct km *m, unsigned i, char *err, size_t errlen)
{
	if (!m->mod[i] || m->purge[i])
		return 0;
	m->k[i]->has_state = true;
	if (dnskey_write_state(m->k[i]) < 0) {
		snprintf(err, errlen, "%s: cannot write %s.state: %s",
		    m->z->name, m->k[i]->base, strerror(errno));
		return APEX_EIO;
	}
	m->mod[i] = false;
	return 0;
}

/* Keys the policy no longer names retire; hidden ones are purged. */
static void
check_keys(struct km *m)
{
	unsigned n = m->n;

	for (unsigned i = 0; i < n; i++) {
		bool found = false;

		key_init(m, i, n == 1);
		for (unsigned j = 0; j < m->p->nkeys && !found; j++)
			found = policy_match(m->k[i], &m->p->keys[j]);
		if (!found && (m->k[i]->goal != HID ||
		    m->k[i]->t[DKT_INACTIVE] == 0))
			key_retire(m, i);
		if (may_be_purged(m, i))
			purge_files(m, i);
	}
}

static bool
up(kst s)
{
	return s == RUM || s == OMN;
}

/* What each key is used for, from its states. */
static void
fill_out(struct km *m, struct keymgr_keys *out)
{
	unsigned n = 0;
	bool all_hidden = true, ksk_signs = false;

	out->keys = xcalloc(m->n + 1, sizeof(*out->keys));
	out->use = xcalloc(m->n + 1, sizeof(*out->use));
	for (unsigned i = 0; i < m->n; i++) {
		struct dnskey *k = m->k[i];
		struct sign_key *u = &out->use[n];

		if (m->purge[i]) {
			dnskey_free(k);
			continue;
		}
		out->keys[n] = k;
		u->key = k;
		u->publish = up(k->st[DKR_DNSKEY]);
		u->zsign = is_zsk(k) && up(k->st[DKR_ZRRSIG]);
		u->ksign = is_ksk(k) && up(k->st[DKR_KRRSIG]);
		u->cds = is_ksk(k) && up(k->st[DKR_DS]) && u->publish;
		if (u->publish && u->ksign)
			ksk_signs = true;
		for (int r = 0; r < NKS; r++)
			if (k->st[r] != NA && k->st[r] != HID)
				all_hidden = false;
		n++;
	}
	out->n = n;
	/* The delete records need a key that signs them. */
	out->cds_delete = m->p->insecure && ksk_signs;
	out->unsigned_ok = m->p->insecure && all_hidden;
	out->next = (time_t)m->next;
	out->changed = m->changed;
	free(m->k);
	free(m->mod);
	free(m->purge);
	m->k = NULL;
	m->n = 0;
}

/* The private parts of the keys that sign; the others stay public. */
static int
load_private(const struct keymgr_zone *z, struct keymgr_keys *out,
    char *err, size_t errlen)
{
	for (unsigned i = 0; i < out->n; i++) {
		struct dnskey *k = out->keys[i], *full;
		char lerr[256] = "";
		int rc;

		/* A key made this run still has its private part. */
		if (k->pkey != NULL ||
		    (!out->use[i].zsign && !out->use[i].ksign))
			continue;
		rc = dnskey_load(k->base, true, &full, lerr, sizeof(lerr));
		if (rc < 0) {
			snprintf(err, errlen, "%s: key %u: %s", z->name,
			    k->tag, lerr[0] ? lerr : apex_strerror(rc));
			return rc;
		}
		k->pkey = full->pkey;
		full->pkey = NULL;
		dnskey_free(full);
	}
	return 0;
}

int
keymgr_run(const struct keymgr_zone *z, time_t now, struct keymgr_keys *out,
    keymgr_log_fn *logf, void *arg, char *err, size_t errlen)
{
	struct km m;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = km_load(&m, z, false, err, errlen)) < 0)
		return rc;
	m.now = now;
	m.logf = logf;
	m.logarg = arg;
	check_keys(&m);
	for (unsigned j = 0; j < m.p->nkeys; j++) {
		const struct dnssec_policy_key *pk = &m.p->keys[j];

		rc = key_rollover(&m, pk, find_active(&m, pk), err, errlen);
		if (rc < 0)
			goto fail;
	}
	update_states(&m, m.p->nkeys == 0);
	for (unsigned i = 0; i < m.n; i++) {
		if (m.k[i]->ttl != m.p->dnskey_ttl) {
			m.k[i]->ttl = m.p->dnskey_ttl;
			m.mod[i] = true;
		}
		if (m.mod[i] && !m.purge[i])
			m.changed = true;
		if ((rc = km_write(&m, i, err, errlen)) < 0)
			goto fail;
	}
	fill_out(&m, out);
	if ((rc = load_private(z, out, err, errlen)) < 0)
		keymgr_keys_free(out);
	return rc;
fail:
	km_free(&m);
	return rc;
}

void
keymgr_keys_free(struct keymgr_keys *ks)
{
	dnskey_free_all(ks->keys, ks->n);
	free(ks->use);
	memset(ks, 0, sizeof(*ks));
}

static void
checkds_one(struct km *m, unsigned i, bool published, int64_t when)
{
	if (published) {
		set_time(m, i, DKT_DS_PUBLISH, when);
		set_state(m, i, DKR_DS, RUM);
	} else {
		set_time(m, i, DKT_DS_DELETE, when);
		set_state(m, i, DKR_DS, UNR);
	}
}

int
keymgr_checkds(const struct keymgr_zone *z, uint16_t tag, bool published,
    time_t when, char *err, size_t errlen)
{
	struct km m;
	unsigned found = 0;
	int rc;

	if ((rc = km_load(&m, z, false, err, errlen)) < 0)
		return rc;
	for (unsigned i = 0; i < m.n; i++) {
		struct dnskey *k = m.k[i];

		if (tag != 0 && k->tag != tag)
			continue;
		if (tag != 0 && !is_ksk(k)) {
			snprintf(err, errlen, "%s: key %u is not a KSK",
			    z->name, tag);
			rc = APEX_EINVAL;
			goto out;
		}
		/* Without a tag: the keys whose DS is on its way. */
		if (tag == 0 && (!is_ksk(k) ||
		    k->st[DKR_DS] != (published ? RUM : UNR)))
			continue;
		checkds_one(&m, i, published, when);
		found++;
		if ((rc = km_write(&m, i, err, errlen)) < 0)
			goto out;
	}
	if (found == 0) {
		snprintf(err, errlen, "%s: no key %s", z->name, tag != 0 ?
		    "with that tag" : "waiting for the parent's DS");
		rc = APEX_ENOENT;
	}
out:
	km_free(&m);
	return rc;
}

int
keymgr_rollover(const struct keymgr_zone *z, uint16_t tag, time_t when,
    char *err, size_t errlen)
{
	struct km m;
	time_t now = time(NULL);
	int rc;

	if (when < now)
		when = now;
	if ((rc = km_load(&m, z, false, err, errlen)) < 0)
		return rc;
	rc = APEX_ENOENT;
	snprintf(err, errlen, "%s: no key %u", z->name, tag);
	for (unsigned i = 0; i < m.n; i++) {
		struct dnskey *k = m.k[i];

		if (k->tag != tag)
			continue;
		/* Retire so that the successor is published at when. */
		set_time(&m, i, DKT_INACTIVE, (int64_t)when +
		    prepub_interval(m.p, k));
		err[0] = '\0';
		rc = km_write(&m, i, err, errlen);
		break;
	}
	km_free(&m);
	return rc;
}

/* The status text's times: BIND's ctime form, in UTC. */
static const char *
fmt_time(int64_t t, char buf[64])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, 64, "%a %b %e %H:%M:%S %Y", &tm) == 0)
		snprintf(buf, 64, "%lld", (long long)t);
	return buf;
}

enum key_event {
	EV_NONE,		/* never active, or nothing scheduled */
	EV_ROLLOVER,		/* the successor's prepublication */
	EV_RETIRE,
	EV_ROLLOVER_DUE,
	EV_REMOVE,		/* retired, the DNSKEY still published */
	EV_REMOVED,
};

static const char *const event_name[] = {
	"none", "rollover", "retire", "rollover-due", "remove", "removed",
};

/* The next event of a key's life, as rndc dnssec -status tells it. */
static enum key_event
key_event(const struct dnssec_policy *p, const struct dnskey *k,
    int64_t now, int64_t *when)
{
	bool zsk = is_zsk(k);
	kst s = k->st[zsk ? DKR_ZRRSIG : DKR_KRRSIG];
	int64_t act = k->t[zsk ? DKT_ACTIVATE : DKT_PUBLISH];
	int64_t ret = k->t[zsk ? DKT_INACTIVE : DKT_DELETE];

	*when = 0;
	if (act == 0)
		return EV_NONE;
	if (k->goal == HID && (s == UNR || s == HID)) {
		if (!up(k->st[DKR_DNSKEY]))
			return EV_REMOVED;
		*when = k->t[DKT_DELETE];
		return *when != 0 ? EV_REMOVE : EV_NONE;
	}
	if (ret == 0)
		return EV_NONE;
	*when = ret;
	if (now >= ret)
		return EV_ROLLOVER_DUE;
	if (k->goal != OMN)
		return EV_RETIRE;
	if (prepub_interval(p, k) > ret)
		*when = now;
	else
		*when = ret - prepub_interval(p, k);
	return EV_ROLLOVER;
}

static void
status_use(struct sbuf *out, const char *what, kst s, int64_t t,
    int64_t now)
{
	char tb[64];

	sbuf_printf(out, "  %-16s", what);
	if (up(s))
		sbuf_printf(out, "yes - since %s\n", fmt_time(t, tb));
	else if (now < t)
		sbuf_printf(out, "no  - scheduled %s\n", fmt_time(t, tb));
	else
		sbuf_printf(out, "no\n");
}

static void
status_text_key(const struct dnssec_policy *p, const struct dnskey *k,
    int64_t now, struct sbuf *out)
{
	static const char *const lbl[NKS] = {
		"dnskey:", "zone rrsig:", "key rrsig:", "ds:",
	};
	static const int order[NKS] = { DKR_DNSKEY, DKR_DS, DKR_ZRRSIG,
	    DKR_KRRSIG };
	const char *an = dnskey_alg_name(k->alg);
	char tb[64];
	int64_t when;

	sbuf_printf(out, "\nkey: %u (%s), %s\n", k->tag, an ? an : "?",
	    role_name(k));
	status_use(out, "published:", k->st[DKR_DNSKEY], k->t[DKT_PUBLISH],
	    now);
	if (is_ksk(k))
		status_use(out, "key signing:", k->st[DKR_KRRSIG],
		    k->t[DKT_PUBLISH], now);
	if (is_zsk(k))
		status_use(out, "zone signing:", k->st[DKR_ZRRSIG],
		    k->t[DKT_ACTIVATE], now);
	sbuf_printf(out, "\n");
	switch (key_event(p, k, now, &when)) {
	case EV_NONE:
		if (k->t[is_zsk(k) ? DKT_ACTIVATE : DKT_PUBLISH] != 0)
			sbuf_printf(out, "  No rollover scheduled\n");
		break;
	case EV_ROLLOVER:
		sbuf_printf(out, "  Next rollover scheduled on %s\n",
		    fmt_time(when, tb));
		break;
	case EV_RETIRE:
		sbuf_printf(out, "  Key will retire on %s\n",
		    fmt_time(when, tb));
		break;
	case EV_ROLLOVER_DUE:
		sbuf_printf(out, "  Rollover is due since %s\n",
		    fmt_time(when, tb));
		break;
	case EV_REMOVE:
		sbuf_printf(out, "  Key is retired, will be removed on %s\n",
		    fmt_time(when, tb));
		break;
	case EV_REMOVED:
		sbuf_printf(out, "  Key has been removed from the zone\n");
		break;
	}
	if (k->goal != NA)
		sbuf_printf(out, "  - %-16s%s\n", "goal:",
		    dnskey_state_name(k->goal));
	for (int r = 0; r < NKS; r++)
		if (k->st[order[r]] != NA)
			sbuf_printf(out, "  - %-16s%s\n", lbl[order[r]],
			    dnskey_state_name(k->st[order[r]]));
}

static void
json_state(struct sbuf *out, const char *name, kst s, bool comma)
{
	sbuf_printf(out, "\"%s\":", name);
	if (s == NA)
		sbuf_printf(out, "null");
	else
		sbuf_json_str(out, dnskey_state_name(s));
	if (comma)
		sbuf_printf(out, ",");
}

static void
status_json_key(const struct dnssec_policy *p, const struct dnskey *k,
    const struct sign_key *u, int64_t now, struct sbuf *out)
{
	static const char *const tname[DKT_COUNT] = {
		"created", "publish", "activate", "inactive", "delete",
		"sync_publish", "sync_delete", "dnskey_change",
		"zrrsig_change", "krrsig_change", "ds_change", "ds_publish",
		"ds_delete",
	};
	const char *an = dnskey_alg_name(k->alg);
	enum key_event ev;
	int64_t when;

	sbuf_printf(out, "{\"tag\":%u,\"algorithm\":%u,\"algorithm_name\":",
	    k->tag, k->alg);
	sbuf_json_str(out, an ? an : "");
	sbuf_printf(out, ",\"bits\":%u,\"flags\":%u,\"role\":\"%s\","
	    "\"lifetime\":%u,\"predecessor\":%u,\"successor\":%u,",
	    k->bits, k->flags, role_name(k), k->lifetime, k->predecessor,
	    k->successor);
	json_state(out, "goal", k->goal, true);
	sbuf_printf(out, "\"states\":{");
	json_state(out, "dnskey", k->st[DKR_DNSKEY], true);
	json_state(out, "zrrsig", k->st[DKR_ZRRSIG], true);
	json_state(out, "krrsig", k->st[DKR_KRRSIG], true);
	json_state(out, "ds", k->st[DKR_DS], false);
	sbuf_printf(out, "},\"times\":{");
	for (int t = 0; t < DKT_COUNT; t++)
		sbuf_printf(out, "%s\"%s\":%lld", t ? "," : "", tname[t],
		    (long long)k->t[t]);
	sbuf_printf(out, "}");
	if (u != NULL)
		sbuf_printf(out, ",\"publish\":%s,\"zsign\":%s,\"ksign\":%s,"
		    "\"cds\":%s", u->publish ? "true" : "false",
		    u->zsign ? "true" : "false", u->ksign ? "true" : "false",
		    u->cds ? "true" : "false");
	ev = key_event(p, k, now, &when);
	sbuf_printf(out, ",\"next_event\":{\"event\":\"%s\",\"time\":%lld}}",
	    event_name[ev], (long long)when);
}

void
keymgr_status(const struct keymgr_zone *z, const struct keymgr_keys *ks,
    time_t now, bool json, struct sbuf *out)
{
	const struct dnssec_policy *p = z->policy;
	char tb[64];
	bool first = true;

	if (json) {
		sbuf_printf(out, "{\"zone\":");
		sbuf_json_str(out, z->name);
		sbuf_printf(out, ",\"dnssec_policy\":");
		sbuf_json_str(out, p->name);
		sbuf_printf(out, ",\"now\":%lld,\"next\":%lld,"
		    "\"cds_delete\":%s,\"unsigned_ok\":%s,\"keys\":[",
		    (long long)now, (long long)ks->next,
		    ks->cds_delete ? "true" : "false",
		    ks->unsigned_ok ? "true" : "false");
	} else {
		sbuf_printf(out, "dnssec-policy: %s\n", p->name);
		sbuf_printf(out, "current time:  %s\n", fmt_time(now, tb));
	}
	for (unsigned i = 0; i < ks->n; i++) {
		const struct dnskey *k = ks->keys[i];

		/* Keys made beforehand and never used are not shown. */
		if (is_unused(k))
			continue;
		if (!json) {
			status_text_key(p, k, now, out);
			continue;
		}
		if (!first)
			sbuf_printf(out, ",");
		first = false;
		status_json_key(p, k, ks->use ? &ks->use[i] : NULL, now,
		    out);
	}
	if (json)
		sbuf_printf(out, "]}\n");
}
