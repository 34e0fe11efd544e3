/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The key manager (see keymgr.h). The state machine is the one of
 * "Flexible and Robust Key Rollover" (Van Rijswijk-Deij et al.) as BIND
 * 9.18 runs it, so that a key directory moves the same way under apex
 * as under named (its rules are in keymgr_rules.c). This file loads a
 * zone's keys, makes and retires them as the policy says, and writes
 * what changed: all of a run's files or none of them.
 * Runs in: the signer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "error.h"
#include "keymgr_priv.h"

const enum dnskey_time	km_state_time[NKS] = {
	DKT_DNSKEY_CHANGE, DKT_ZRRSIG_CHANGE, DKT_KRRSIG_CHANGE,
	DKT_DS_CHANGE,
};

void
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

static void
set_goal(struct km *m, unsigned i, kst s)
{
	if (m->k[i]->goal != s) {
		m->k[i]->goal = s;
		m->mod[i] = true;
	}
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
	if (km_is_zsk(k))
		zr = retire + km_ttlsig(p) + p->zone_propagation_delay +
		    p->retire_safety + km_signdelay(p);
	if (km_is_ksk(k))
		kr = retire + p->parent_ds_ttl +
		    p->parent_propagation_delay + p->retire_safety;
	km_set_time(m, i, DKT_DELETE, kr > zr ? kr : zr);
}

/* When the DS may first be submitted: the DNSKEY (and, for the zone's
 * first key, its signatures) everywhere. */
static void
settime_syncpublish(struct km *m, unsigned i, bool first)
{
	const struct dnssec_policy *p = m->p;
	const struct dnskey *k = m->k[i];
	int64_t pub = k->t[DKT_PUBLISH], sp, zp;

	if (pub == 0 || !km_is_ksk(k))
		return;
	sp = pub + k->ttl + p->zone_propagation_delay + p->publish_safety;
	if (first) {
		zp = pub + km_ttlsig(p) + p->zone_propagation_delay +
		    p->publish_safety;
		if (zp > sp)
			sp = zp;
	}
	km_set_time(m, i, DKT_SYNCPUBLISH, sp);
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
		km_set_time(m, i, DKT_ACTIVATE, m->now);
	if (k->t[DKT_PUBLISH] == 0)
		km_set_time(m, i, DKT_PUBLISH, m->now);
	prepub = km_prepub_interval(m->p, k);
	if (km_is_ksk(k) && k->t[DKT_SYNCPUBLISH] == 0) {
		int64_t s1 = k->t[DKT_PUBLISH] + prepub, s2 = 0;

		if (k->predecessor == 0)
			s2 = k->t[DKT_PUBLISH] + km_ttlsig(m->p) +
			    m->p->publish_safety +
			    m->p->zone_propagation_delay;
		km_set_time(m, i, DKT_SYNCPUBLISH, s1 > s2 ? s1 : s2);
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
		km_set_time(m, i, DKT_INACTIVE, retire);
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
		km_set_time(m, i, DKT_INACTIVE, m->now);
	set_goal(m, i, HID);
	settime_remove(m, i);
	/* A key without states is taken to be in full use. */
	if (k->st[DKR_DNSKEY] == NA) {
		km_set_state(m, i, DKR_DNSKEY, OMN);
		km_set_time(m, i, DKT_DNSKEY_CHANGE, m->now);
	}
	if (km_is_ksk(k) && k->st[DKR_KRRSIG] == NA) {
		km_set_state(m, i, DKR_KRRSIG, OMN);
		km_set_time(m, i, DKT_KRRSIG_CHANGE, m->now);
	}
	if (km_is_ksk(k) && k->st[DKR_DS] == NA) {
		km_set_state(m, i, DKR_DS, OMN);
		km_set_time(m, i, DKT_DS_CHANGE, m->now);
	}
	if (km_is_zsk(k) && k->st[DKR_ZRRSIG] == NA) {
		km_set_state(m, i, DKR_ZRRSIG, OMN);
		km_set_time(m, i, DKT_ZRRSIG_CHANGE, m->now);
	}
	km_log(m, false, "keymgr: %s: retire DNSKEY %u (%s)", m->z->name,
	    k->tag, km_role_name(k));
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

		km_set_time(m, i, DKT_INACTIVE, a + lifetime);
		settime_remove(m, i);
	} else {
		km_set_time(m, i, DKT_INACTIVE, 0);
		km_set_time(m, i, DKT_DELETE, 0);
	}
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
		km_set_state(m, i, r, s);
		km_set_time(m, i, km_state_time[r], m->now);
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
	uint32_t sigw = km_ttlsig(p) + p->zone_propagation_delay;
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
	if (km_is_ksk(k)) {
		init_state(m, i, DKR_KRRSIG, dk);
		init_state(m, i, DKR_DS, ds);
	}
	if (km_is_zsk(k))
		init_state(m, i, DKR_ZRRSIG, zs);
}

/* A key never used: no times but Generated, states hidden. */
bool
km_is_unused(const struct dnskey *k)
{
	for (int t = 0; t < DKT_COUNT; t++) {
		int r = -1;

		if (t == DKT_CREATED || k->t[t] == 0)
			continue;
		for (int j = 0; j < NKS; j++)
			if (km_state_time[j] == (enum dnskey_time)t)
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

	if (km_is_ksk(k) && k->st[DKR_DS] != NA) {
		ds_ok = k->st[DKR_DS] == RUM || k->st[DKR_DS] == OMN;
		time_ok = true;
		inactive = false;
	}
	if (km_is_zsk(k) && k->st[DKR_ZRRSIG] != NA) {
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
		if (k->t[km_state_time[r]] > last)
			last = k->t[km_state_time[r]];
	return last;
}

/* Whether key i has been hidden for purge-keys; notes when it will. */
static bool
may_be_purged(struct km *m, unsigned i)
{
	const struct dnskey *k = m->k[i];
	uint32_t after = m->p->purge_keys;
	kst hidden[NKS] = { HID, NA, NA, NA };

	if (after == 0 || k->goal == OMN || km_is_unused(k))
		return false;
	if (km_is_ksk(k))
		hidden[DKR_KRRSIG] = hidden[DKR_DS] = HID;
	if (km_is_zsk(k))
		hidden[DKR_ZRRSIG] = HID;
	if (!km_match_state(k, k, 0, NA, hidden))
		return false;
	if (last_change(k) + after < m->now)
		return true;
	km_note_next(m, last_change(k) + after + 1);
	return false;
}

/* Marks key i for removal; its files go when the run commits. */
static void
mark_purge(struct km *m, unsigned i)
{
	m->purge[i] = true;
	m->changed = true;
}

/* Removes the three files of key i. */
static void
remove_files(struct km *m, unsigned i)
{
	static const char *const ext[] = { ".key", ".private", ".state" };
	const struct dnskey *k = m->k[i];
	char path[sizeof(k->base) + 16];

	for (size_t e = 0; e < nitems(ext); e++) {
		snprintf(path, sizeof(path), "%s%s", k->base, ext[e]);
		if (unlink(path) == -1 && errno != ENOENT)
			km_log(m, true, "keymgr: %s: cannot remove %s: %s",
			    m->z->name, path, strerror(errno));
	}
}

/* Appends a key to the run's set; returns its index. */
static unsigned
km_add(struct km *m, struct dnskey *k)
{
	m->k = xreallocarray(m->k, m->n + 1, sizeof(*m->k));
	m->mod = xreallocarray(m->mod, m->n + 1, sizeof(*m->mod));
	m->purge = xreallocarray(m->purge, m->n + 1, sizeof(*m->purge));
	m->made = xreallocarray(m->made, m->n + 1, sizeof(*m->made));
	m->k[m->n] = k;
	m->mod[m->n] = true;
	m->purge[m->n] = false;
	m->made[m->n] = false;
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
	/* Its files are removed again if the run fails. */
	m->made[i] = true;
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
	km_set_time(m, ni, DKT_PUBLISH, prepub);
	km_set_time(m, ni, DKT_ACTIVATE, active);
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
			km_note_next(m, prepub);
			return 0;
		}
		if (km_has_successor(m, m->k[active]))
			return 0;
	}
	/* A key made beforehand (dnssec-keygen) is taken first. */
	for (unsigned i = 0; i < m->n && cand < 0; i++)
		if (!m->purge[i] && policy_match(m->k[i], pk) &&
		    km_is_unused(m->k[i]))
			cand = i;
	if (cand >= 0)
		ni = cand;
	else if ((rc = create_key(m, pk, &ni, err, errlen)) < 0)
		return rc;
	m->k[ni]->lifetime = pk->lifetime;
	if (active < 0) {
		km_set_time(m, ni, DKT_PUBLISH, m->now);
		km_set_time(m, ni, DKT_ACTIVATE, m->now);
		settime_syncpublish(m, ni, true);
	} else
		successor_times(m, ni, active, prepub);
	set_goal(m, ni, OMN);
	if (pk->lifetime > 0) {
		km_set_time(m, ni, DKT_INACTIVE, m->k[ni]->t[DKT_ACTIVATE] +
		    pk->lifetime);
		settime_remove(m, ni);
	}
	m->changed = true;
	km_log(m, false, "keymgr: %s: DNSKEY %u (%s) %s for policy %s",
	    m->z->name, m->k[ni]->tag, km_role_name(m->k[ni]),
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
			if (!km_is_unused(k) && k->goal == OMN &&
			    !km_dep(m, k, NULL) &&
			    !km_dep(m, m->k[active], NULL))
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
	free(m->made);
	m->k = NULL;
	m->mod = m->purge = m->made = NULL;
	m->n = 0;
}

/* A run that failed: the keys it made go, so that none is left half
 * set up (a .state the run never wrote to its end). */
static void
km_abort(struct km *m)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->made[i])
			remove_files(m, i);
	km_free(m);
}

static int
km_load(struct km *m, const struct keymgr_zone *z, char *err,
    size_t errlen)
{
	char lerr[256] = "";
	int rc;

	memset(m, 0, sizeof(*m));
	m->z = z;
	m->p = z->policy;
	rc = dnskey_scan(z->keydir, z->origin, false, &m->k, &m->n, lerr,
	    sizeof(lerr));
	if (rc < 0) {
		snprintf(err, errlen, "%s: key directory %s: %s", z->name,
		    z->keydir, lerr[0] ? lerr : apex_strerror(rc));
		return rc;
	}
	m->mod = xcalloc(m->n + 1, sizeof(*m->mod));
	m->purge = xcalloc(m->n + 1, sizeof(*m->purge));
	m->made = xcalloc(m->n + 1, sizeof(*m->made));
	/* A key that does not load might be the one in use: making a new
	 * one in its place could break the chain of trust. */
	if (lerr[0] != '\0') {
		snprintf(err, errlen, "%s: %s", z->name, lerr);
		km_free(m);
		return APEX_EMALF;
	}
	/* A record the key's role has no use for has no state (BIND
	 * writes none), whatever a .state file says. */
	for (unsigned i = 0; i < m->n; i++) {
		struct dnskey *k = m->k[i];

		if (k->role != 0 && !km_is_ksk(k))
			k->st[DKR_KRRSIG] = k->st[DKR_DS] = NA;
		if (k->role != 0 && !km_is_zsk(k))
			k->st[DKR_ZRRSIG] = NA;
	}
	return 0;
}

/* Key i's files while the run has not committed: ".keymgr-" and its
 * name, which dnskey_scan() does not take for a key. */
static bool
tmp_base(const struct km *m, unsigned i, char *buf, size_t size)
{
	const char *b = m->k[i]->base, *slash = strrchr(b, '/');
	int n;

	n = snprintf(buf, size, "%s/.keymgr-%s", m->z->keydir,
	    slash != NULL ? slash + 1 : b);
	return n >= 0 && (size_t)n < size;
}

static void
unlink_tmp(const struct km *m, unsigned i)
{
	char base[sizeof(m->k[i]->base)], path[sizeof(base) + 16];

	if (!tmp_base(m, i, base, sizeof(base)))
		return;
	snprintf(path, sizeof(path), "%s.state", base);
	unlink(path);
	snprintf(path, sizeof(path), "%s.key", base);
	unlink(path);
}

static bool
to_write(const struct km *m, unsigned i)
{
	return m->mod[i] && !m->purge[i];
}

/* Writes the new .state and .key of key i under its temporary name. */
static int
write_tmp(struct km *m, unsigned i, char *err, size_t errlen)
{
	struct dnskey *t = xmalloc(sizeof(*t));
	int rc, e;

	m->k[i]->has_state = true;
	memcpy(t, m->k[i], sizeof(*t));
	t->pkey = NULL;
	if (!tmp_base(m, i, t->base, sizeof(t->base))) {
		rc = APEX_EIO;
		e = ENAMETOOLONG;
	} else {
		rc = dnskey_write_state(t);
		e = errno;
	}
	if (rc < 0)
		snprintf(err, errlen, "%s: cannot write %s.state: %s",
		    m->z->name, t->base, strerror(e));
	free(t);
	errno = e;
	return rc < 0 ? APEX_EIO : 0;
}

/* Moves key i's temporary files over its own. */
static int
rename_tmp(struct km *m, unsigned i, char *err, size_t errlen)
{
	static const char *const ext[] = { ".state", ".key" };
	char base[sizeof(m->k[i]->base)];
	char from[sizeof(base) + 16], to[sizeof(base) + 16];

	if (!tmp_base(m, i, base, sizeof(base))) {
		snprintf(err, errlen, "%s: %s: name too long", m->z->name,
		    m->k[i]->base);
		return APEX_EIO;
	}
	for (size_t e = 0; e < nitems(ext); e++) {
		snprintf(from, sizeof(from), "%s%s", base, ext[e]);
		snprintf(to, sizeof(to), "%s%s", m->k[i]->base, ext[e]);
		if (rename(from, to) != 0) {
			snprintf(err, errlen, "%s: cannot rename %s: %s",
			    m->z->name, from, strerror(errno));
			return APEX_EIO;
		}
	}
	return 0;
}

static void
fsync_keydir(struct km *m)
{
	int fd = open(m->z->keydir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) != 0)
		km_log(m, true, "keymgr: %s: cannot sync %s: %s", m->z->name,
		    m->z->keydir, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/*
 * Writes every changed key: first all under temporary names (each
 * synced), then renamed over the old files, so that a failed write
 * leaves every file as it was. Then purged keys lose their files.
 * Only a rename failing midway (the directory changed under the run)
 * can leave some keys written and others not.
 */
static int
km_commit(struct km *m, char *err, size_t errlen)
{
	unsigned i;
	bool any = false;
	int rc = 0;

	for (i = 0; i < m->n && rc == 0; i++)
		if (to_write(m, i) && (rc = write_tmp(m, i, err, errlen)) < 0)
			unlink_tmp(m, i);
	if (rc < 0) {
		for (unsigned j = 0; j + 1 < i; j++)
			if (to_write(m, j))
				unlink_tmp(m, j);
		return rc;
	}
	for (i = 0; i < m->n && rc == 0; i++)
		if (to_write(m, i)) {
			rc = rename_tmp(m, i, err, errlen);
			any = true;
		}
	/* After a failed rename: the failed key's leftovers, and the
	 * keys not reached. */
	for (i = rc < 0 ? i - 1 : m->n; i < m->n; i++)
		if (to_write(m, i))
			unlink_tmp(m, i);
	if (any)
		fsync_keydir(m);
	if (rc < 0)
		return rc;
	for (i = 0; i < m->n; i++) {
		m->mod[i] = false;
		if (!m->purge[i])
			continue;
		km_log(m, false, "keymgr: %s: purge DNSKEY %u (%s) according "
		    "to policy %s", m->z->name, m->k[i]->tag,
		    km_role_name(m->k[i]), m->p->name);
		remove_files(m, i);
	}
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
			mark_purge(m, i);
	}
}

/* Whether key i signs, from its states. */
static bool
signs(const struct dnskey *k)
{
	return (km_is_zsk(k) && km_up(k->st[DKR_ZRRSIG])) ||
	    (km_is_ksk(k) && km_up(k->st[DKR_KRRSIG]));
}

/* What each key is used for, from its states; the keys move to out. */
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
		u->publish = km_up(k->st[DKR_DNSKEY]);
		u->zsign = km_is_zsk(k) && km_up(k->st[DKR_ZRRSIG]);
		u->ksign = km_is_ksk(k) && km_up(k->st[DKR_KRRSIG]);
		u->cds = km_is_ksk(k) && km_up(k->st[DKR_DS]) && u->publish;
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
	m->n = 0;
	km_free(m);
}

/*
 * The private parts of the keys that sign; the others are public only
 * (a key made this run has its private part from dnskey_generate(),
 * dropped until the key signs).
 */
static int
load_private(struct km *m, char *err, size_t errlen)
{
	for (unsigned i = 0; i < m->n; i++) {
		struct dnskey *k = m->k[i], *full;
		char lerr[256] = "";
		int rc;

		if (m->purge[i] || !signs(k)) {
			EVP_PKEY_free(k->pkey);
			k->pkey = NULL;
			continue;
		}
		if (k->pkey != NULL)
			continue;
		rc = dnskey_load(k->base, true, &full, lerr, sizeof(lerr));
		if (rc < 0) {
			snprintf(err, errlen, "%s: key %u: %s", m->z->name,
			    k->tag, lerr[0] ? lerr : apex_strerror(rc));
			return rc;
		}
		k->pkey = full->pkey;
		full->pkey = NULL;
		dnskey_free(full);
	}
	return 0;
}

/* The keys the policy asks for, and each record's next step. */
static int
km_decide(struct km *m, char *err, size_t errlen)
{
	int rc;

	check_keys(m);
	for (unsigned j = 0; j < m->p->nkeys; j++) {
		const struct dnssec_policy_key *pk = &m->p->keys[j];

		rc = key_rollover(m, pk, find_active(m, pk), err, errlen);
		if (rc < 0)
			return rc;
	}
	km_update_states(m, m->p->nkeys == 0);
	for (unsigned i = 0; i < m->n; i++) {
		if (m->k[i]->ttl != m->p->dnskey_ttl) {
			m->k[i]->ttl = m->p->dnskey_ttl;
			m->mod[i] = true;
		}
		if (m->mod[i] && !m->purge[i])
			m->changed = true;
	}
	return 0;
}

/*
 * Everything is decided and every private part needed is loaded before
 * a file changes; then all files are written at once (km_commit).
 */
int
keymgr_run(const struct keymgr_zone *z, time_t now, struct keymgr_keys *out,
    keymgr_log_fn *logf, void *arg, char *err, size_t errlen)
{
	struct km m;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = km_load(&m, z, err, errlen)) < 0)
		return rc;
	m.now = now;
	m.logf = logf;
	m.logarg = arg;
	if ((rc = km_decide(&m, err, errlen)) < 0 ||
	    (rc = load_private(&m, err, errlen)) < 0 ||
	    (rc = km_commit(&m, err, errlen)) < 0) {
		km_abort(&m);
		return rc;
	}
	fill_out(&m, out);
	return 0;
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
		km_set_time(m, i, DKT_DS_PUBLISH, when);
		km_set_state(m, i, DKR_DS, RUM);
	} else {
		km_set_time(m, i, DKT_DS_DELETE, when);
		km_set_state(m, i, DKR_DS, UNR);
	}
}

int
keymgr_checkds(const struct keymgr_zone *z, uint16_t tag, bool published,
    time_t when, char *err, size_t errlen)
{
	struct km m;
	unsigned found = 0;
	int rc;

	if ((rc = km_load(&m, z, err, errlen)) < 0)
		return rc;
	for (unsigned i = 0; i < m.n; i++) {
		struct dnskey *k = m.k[i];

		if (tag != 0 && k->tag != tag)
			continue;
		if (tag != 0 && !km_is_ksk(k)) {
			snprintf(err, errlen, "%s: key %u is not a KSK",
			    z->name, tag);
			rc = APEX_EINVAL;
			goto out;
		}
		/* Without a tag: the keys whose DS is on its way. */
		if (tag == 0 && (!km_is_ksk(k) ||
		    k->st[DKR_DS] != (published ? RUM : UNR)))
			continue;
		checkds_one(&m, i, published, when);
		found++;
	}
	if (found > 0)
		rc = km_commit(&m, err, errlen);
	else {
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
	if ((rc = km_load(&m, z, err, errlen)) < 0)
		return rc;
	rc = APEX_ENOENT;
	snprintf(err, errlen, "%s: no key %u", z->name, tag);
	for (unsigned i = 0; i < m.n; i++) {
		struct dnskey *k = m.k[i];

		if (k->tag != tag)
			continue;
		/* Retire so that the successor is published at when. */
		km_set_time(&m, i, DKT_INACTIVE, (int64_t)when +
		    km_prepub_interval(m.p, k));
		err[0] = '\0';
		rc = km_commit(&m, err, errlen);
		break;
	}
	km_free(&m);
	return rc;
}

