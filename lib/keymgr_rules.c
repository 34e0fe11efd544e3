/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The key manager's state machine (see keymgr_priv.h): each record
 * type of a key (DNSKEY, ZRRSIG, KRRSIG, DS) goes towards the key's
 * goal one step at a time, a step is taken only if the zone stays
 * valid for every resolver cache (rules 1-3) and the rollover method
 * allows it, and only once the caches that held the old state have
 * expired.
 * Runs in: the signer.
 */
#include <stdio.h>
#include <string.h>

#include "keymgr_priv.h"

/* How often to look again while the parent's DS is not confirmed. */
#define KM_DS_RECHECK		3600

static const char	*const rec_name[NKS] = {
	"DNSKEY", "ZRRSIG", "KRRSIG", "DS",
};

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
bool
km_match_state(const struct dnskey *key, const struct dnskey *subj, int type,
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
bool
km_dep(const struct km *m, const struct dnskey *k, uint16_t *who)
{
	static const kst hidden[NKS] = { HID, HID, HID, HID };

	for (unsigned i = 0; i < m->n; i++) {
		const struct dnskey *d = m->k[i];

		if (!direct_dep(d, k))
			continue;
		if (km_match_state(d, k, NA, NA, hidden))
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

	if (depth > m->n || km_dep(m, x, &dx) || !km_dep(m, z, &dz))
		return false;
	if (x->tag == dz)
		return true;
	for (int i = 0; i < NKS; i++)
		zst[i] = z->st[i];
	for (unsigned i = 0; i < m->n; i++) {
		const struct dnskey *y = m->k[i];

		if (y->tag == z->tag || y->tag != dz)
			continue;
		if (km_match_state(y, key, type, next, zst))
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
		if (!km_match_state(d, key, type, next, states))
			continue;
		if (!check_succ)
			return true;
		for (unsigned j = 0; j < m->n; j++) {
			const struct dnskey *s = m->k[j];

			if (j == i || !km_match_state(s, key, type, next,
			    states2))
				continue;
			if (is_successor(m, d, s, key, type, next, 0))
				return true;
		}
	}
	return false;
}

bool
km_has_successor(const struct km *m, const struct dnskey *pred)
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
		if (km_match_state(d, key, type, next, ds_hidden))
			continue;
		if (must_be_hidden)
			return false;
		if (km_match_state(d, key, type, next, chained))
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
		if (km_match_state(d, key, type, next, dnskey_hidden))
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
	if ((last = k->t[km_state_time[type]]) == 0) {
		km_set_time(m, i, km_state_time[type], m->now);
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
		int64_t t = last + km_ttlsig(p) + p->zone_propagation_delay +
		    p->retire_safety;

		if (k->predecessor != 0 || k->successor != 0)
			t += km_signdelay(p);
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
		km_note_next(m, when);
		return false;
	}
	km_set_state(m, i, r, next);
	km_set_time(m, i, km_state_time[r], m->now);
	km_log(m, false, "keymgr: %s: %s %u %s %s -> %s", m->z->name,
	    km_role_name(k), k->tag, rec_name[r], dnskey_state_name(s),
	    dnskey_state_name(next));
	return true;
}

/* Algorithm 1: take every allowed step until none is left. */
void
km_update_states(struct km *m, bool to_insecure)
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

