/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Response rate limiting: the table of accounts, their credit and debt,
 * slips, and the rate-limit log lines. See rrl.h for the model.
 * Runs in: worker (unprivileged, seccomp), and the tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "acl.h"
#include "dname.h"
#include "log.h"
#include "rr.h"
#include "rrl.h"
#include "util.h"

#define NONE		UINT32_MAX
/* Age of an entry never charged: older than any window. */
#define FOREVER		(1u << 30)
/* BIND's: a limited account logs again after this long, and an account
 * idle this long with credit again gets its "stop limiting" line. */
#define LOG_AGAIN_SECS	1800
#define STOP_LOG_SECS	60
/* Lines per second per worker; a flood from spoofed prefixes would
 * otherwise start a line for every new account. */
#define LOG_PER_SECOND	20
/* Entries looked at from the old end for one that may be reused. */
#define STEAL_TRIES	8
#define STOP_SCAN	64

struct rrl_key {
	uint8_t		addr[8];	/* the prefix, masked */
	uint32_t	check;		/* hash of the rest and the name */
	uint16_t	qtype;
	uint8_t		qclass;		/* low octet, as BIND */
	uint8_t		kind;
	uint8_t		v6;
	uint8_t		pad[3];
};

struct rrl_entry {
	struct rrl_key	key;
	int32_t		responses;	/* credit; negative: debt */
	uint32_t	ts;		/* last charged, seconds */
	uint32_t	log_ts;		/* last start or continue line */
	uint8_t		slip_cnt;
	bool		fresh;		/* never charged */
	bool		logged;		/* a start line, no stop line yet */
	bool		in_hash;
	uint32_t	hnext, hprev;	/* chain of the bucket */
	uint32_t	lnext, lprev;	/* LRU: next is older */
};

static const char *const kind_names[RRL_NKINDS] = {
	[RRL_RESPONSE] = "response", [RRL_REFERRAL] = "referral",
	[RRL_NODATA] = "nodata", [RRL_NXDOMAIN] = "nxdomain",
	[RRL_ERROR] = "error", [RRL_ALL] = "all", [RRL_TCP] = "tcp",
};

const char *
rrl_kind_name(enum rrl_kind k)
{
	return k < RRL_NKINDS ? kind_names[k] : "?";
}

static void
make_mask(uint8_t *mask, size_t len, unsigned bits)
{
	memset(mask, 0, len);
	for (size_t i = 0; i < len && bits > 0; i++) {
		unsigned b = bits > 8 ? 8 : bits;
		mask[i] = (uint8_t)(0xff00u >> b);
		bits -= b;
	}
}

void
rrl_init(struct rrl *r, const struct conf_rrl *conf, unsigned nworkers,
    const uint8_t key[16])
{
	memset(r, 0, sizeof(*r));
	r->conf = conf;
	r->n = conf->max_table_size;
	r->e = xcalloc(r->n, sizeof(*r->e));
	uint32_t nb = 1;
	while (nb < r->n && nb < (1u << 30))
		nb <<= 1;
	r->mask = nb - 1;
	r->bucket = xmalloc(nb * sizeof(*r->bucket));
	memset(r->bucket, 0xff, nb * sizeof(*r->bucket));
	r->lru_head = r->lru_tail = NONE;
	memcpy(r->hkey, key, sizeof(r->hkey));
	make_mask(r->v4mask, sizeof(r->v4mask), conf->ipv4_prefix);
	make_mask(r->v6mask, sizeof(r->v6mask), conf->ipv6_prefix);
	/* qps-scale is the server's rate; each worker sees its share. */
	if (conf->qps_scale > 0) {
		r->qps_scale = conf->qps_scale / (nworkers ? nworkers : 1);
		if (r->qps_scale == 0)
			r->qps_scale = 1;
	}
}

void
rrl_free(struct rrl *r)
{
	if (r == NULL)
		return;
	free(r->e);
	free(r->bucket);
	r->e = NULL;
	r->bucket = NULL;
}

/* ---- the table ---------------------------------------------------- */

static void
lru_unlink(struct rrl *r, struct rrl_entry *e)
{
	if (e->lprev != NONE)
		r->e[e->lprev].lnext = e->lnext;
	else
		r->lru_head = e->lnext;
	if (e->lnext != NONE)
		r->e[e->lnext].lprev = e->lprev;
	else
		r->lru_tail = e->lprev;
}

static void
lru_push(struct rrl *r, uint32_t i)
{
	struct rrl_entry *e = &r->e[i];

	e->lprev = NONE;
	e->lnext = r->lru_head;
	if (r->lru_head != NONE)
		r->e[r->lru_head].lprev = i;
	r->lru_head = i;
	if (r->lru_tail == NONE)
		r->lru_tail = i;
}

static void
hash_unlink(struct rrl *r, struct rrl_entry *e, uint32_t b)
{
	if (e->hprev != NONE)
		r->e[e->hprev].hnext = e->hnext;
	else
		r->bucket[b] = e->hnext;
	if (e->hnext != NONE)
		r->e[e->hnext].hprev = e->hprev;
	e->in_hash = false;
}

static uint32_t
entry_bucket(const struct rrl *r, const struct rrl_entry *e)
{
	/* The check value is a hash of the whole key. */
	return (e->key.check * 2654435761u) & r->mask;
}

/* Seconds since the entry was last charged; time going back counts as
 * no time. */
static uint32_t
entry_age(const struct rrl_entry *e, uint32_t now)
{
	if (e->fresh)
		return FOREVER;
	return (int32_t)(now - e->ts) < 0 ? 0 : now - e->ts;
}

static int
kind_rate(const struct rrl *r, enum rrl_kind k)
{
	return k == RRL_TCP ? 1 : (int)r->conf->rate[k];
}

/* The credit the entry would have now, capped at one second's. */
static int64_t
entry_balance(const struct rrl *r, const struct rrl_entry *e, uint32_t now)
{
	int rate = kind_rate(r, e->key.kind);
	int64_t b = e->responses + (int64_t)entry_age(e, now) * rate;

	return b > rate ? rate : b;
}

/* ---- log lines ---------------------------------------------------- */

/* A new second: says how many lines the last one left out. */
static void
log_new_second(struct rrl *r, uint32_t now)
{
	if (r->log_second == now)
		return;
	if (r->log_suppressed > 0)
		log_cat(LOGC_RATE_LIMIT, LOG_LEVEL_INFO, "%u rate-limit log "
		    "lines suppressed", r->log_suppressed);
	r->log_second = now;
	r->log_lines = 0;
	r->log_suppressed = 0;
}

/* At most LOG_PER_SECOND lines per second. */
static bool
log_allowed(struct rrl *r, uint32_t now)
{
	log_new_second(r, now);
	if (r->log_lines >= LOG_PER_SECOND) {
		r->log_suppressed++;
		return false;
	}
	r->log_lines++;
	return true;
}

/* "127.0.0.0/24" */
static void
prefix_str(const struct rrl *r, const struct rrl_key *k, char *buf,
    size_t size)
{
	uint8_t a[16] = { 0 };
	char host[INET6_ADDRSTRLEN];

	memcpy(a, k->addr, k->v6 ? 8 : 4);
	if (inet_ntop(k->v6 ? AF_INET6 : AF_INET, a, host,
	    sizeof(host)) == NULL)
		snprintf(host, sizeof(host), "?");
	snprintf(buf, size, "%s/%u", host,
	    k->v6 ? r->conf->ipv6_prefix : r->conf->ipv4_prefix);
}

/* BIND's wording: "limit NXDOMAIN responses to 192.0.2.0/24 for
 * example.com  (0123abcd)". */
static void
log_limit(const struct rrl *r, const struct rrl_entry *e,
    const struct rrl_query *q, const char *what)
{
	static const char *const kinds[RRL_NKINDS] = {
		[RRL_REFERRAL] = "referral ", [RRL_NODATA] = "NODATA ",
		[RRL_NXDOMAIN] = "NXDOMAIN ", [RRL_ERROR] = "error ",
		[RRL_ALL] = "all ",
	};
	const struct rrl_key *k = &e->key;
	char pfx[INET6_ADDRSTRLEN + 8], name[DNAME_STRLEN + 2] = "";
	char about[DNAME_STRLEN + 64] = "";
	const char *kind = kinds[k->kind] ? kinds[k->kind] : "";

	prefix_str(r, k, pfx, sizeof(pfx));
	if (q != NULL && q->name != NULL && k->kind <= RRL_NXDOMAIN) {
		size_t n = 0;
		if (q->wild) {
			memcpy(name, "*.", 3);
			n = 2;
		}
		dname_to_str(q->name, name + n, sizeof(name) - n);
		n = strlen(name);
		if (n > 1 && name[n - 1] == '.')
			name[n - 1] = '\0';
		char cls[16], type[16];
		/* NXDOMAIN accounts have no class, referral and NODATA
		 * ones no type (their answers have none). */
		snprintf(about, sizeof(about), " for %s%s%s%s%s", name,
		    k->kind == RRL_NXDOMAIN ? "" : " ",
		    k->kind == RRL_NXDOMAIN ? "" : rr_class_str(q->qclass, cls),
		    k->kind == RRL_RESPONSE ? " " : "",
		    k->kind == RRL_RESPONSE ? rr_type_str(q->qtype, type) : "");
	}
	log_cat(LOGC_RATE_LIMIT, LOG_LEVEL_INFO, "%s%s %sresponses to %s%s"
	    "  (%08x)", r->conf->log_only ? "would " : "", what, kind, pfx,
	    about, k->check);
}

static void
log_stop(struct rrl *r, struct rrl_entry *e, bool early, uint32_t now)
{
	if (!e->logged)
		return;
	e->logged = false;
	r->nlogged--;
	if (log_allowed(r, now))
		log_limit(r, e, NULL, early ? "*stop limiting" :
		    "stop limiting");
}

/*
 * Once a second, "stop limiting" for accounts idle for a minute that
 * have credit again. They sit at the old end of the LRU list, so a
 * short walk from there finds them (as BIND, a few per second).
 */
static void
maintain(struct rrl *r, uint32_t now)
{
	if (r->nlogged == 0 || r->maint_second == now)
		return;
	r->maint_second = now;
	uint32_t i = r->lru_tail;
	for (unsigned n = 0; i != NONE && n < STOP_SCAN; n++) {
		struct rrl_entry *e = &r->e[i];
		i = e->lprev;
		if (entry_age(e, now) < STOP_LOG_SECS)
			break;
		if (e->logged && entry_balance(r, e, now) >= 0)
			log_stop(r, e, false, now);
	}
}

/* ---- accounts ----------------------------------------------------- */

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND(v0, v1, v2, v3) do {					\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

/*
 * SipHash-1-3 of the key and name, on every UDP response. A hash table
 * needs a keyed hash that clients cannot aim at one chain, not a MAC,
 * and one round per word (as in the hash tables of Rust and Python)
 * makes it three times cheaper than lib/siphash.c's SipHash-2-4, whose
 * cost showed in the query rate.
 */
static uint64_t
key_hash(const uint8_t key[16], const uint8_t *p, size_t len)
{
	uint64_t k0, k1, m;

	memcpy(&k0, key, 8);
	memcpy(&k1, key + 8, 8);
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL;
	uint64_t v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL;
	uint64_t v3 = k1 ^ 0x7465646279746573ULL;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		memcpy(&m, p + i, 8);
		v3 ^= m;
		SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	uint8_t last[8] = { 0 };
	memcpy(last, p + i, len - i);
	last[7] = (uint8_t)len;
	memcpy(&m, last, 8);
	v3 ^= m;
	SIPROUND(v0, v1, v2, v3);
	v0 ^= m;
	v2 ^= 0xff;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

static void
make_key(const struct rrl *r, const struct sockaddr *sa, enum rrl_kind kind,
    const struct rrl_query *q, struct rrl_key *k)
{
	uint8_t in[sizeof(*k) + 1 + DNAME_MAXLEN];
	size_t n = 0;

	memset(k, 0, sizeof(*k));
	k->kind = (uint8_t)kind;
	if (sa->sa_family == AF_INET6) {
		const uint8_t *a = ((const struct sockaddr_in6 *)(const void *)
		    sa)->sin6_addr.s6_addr;
		static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
		if (memcmp(a, mapped, 12) == 0)
			memcpy(k->addr, a + 12, 4);	/* as IPv4 */
		else {
			k->v6 = 1;
			for (unsigned i = 0; i < 8; i++)
				k->addr[i] = a[i] & r->v6mask[i];
		}
	} else if (sa->sa_family == AF_INET)
		memcpy(k->addr, &((const struct sockaddr_in *)(const void *)
		    sa)->sin_addr, 4);
	if (!k->v6)
		for (unsigned i = 0; i < 4; i++)
			k->addr[i] &= r->v4mask[i];
	/* Referrals and NODATA have no type in their answers, so BIND
	 * counts them per name and class only; NXDOMAIN per zone. */
	if (kind == RRL_RESPONSE)
		k->qtype = q->qtype;
	if (kind == RRL_RESPONSE || kind == RRL_REFERRAL || kind == RRL_NODATA)
		k->qclass = (uint8_t)q->qclass;
	memcpy(in, k, sizeof(*k));
	n = sizeof(*k);
	if (kind <= RRL_NXDOMAIN && q->name != NULL) {
		in[n++] = q->wild;
		size_t len = dname_len(q->name);
		memcpy(in + n, q->name, len);
		n += len;
	}
	k->check = (uint32_t)key_hash(r->hkey, in, n);
}

/* An entry to reuse: one never used, else an old one that is neither
 * in debt nor logged, else the oldest. */
static uint32_t
steal(struct rrl *r, uint32_t now)
{
	if (r->used < r->n)
		return r->used++;
	uint32_t i = r->lru_tail;
	for (unsigned n = 0; i != NONE && n < STEAL_TRIES; n++) {
		const struct rrl_entry *e = &r->e[i];
		if (!e->logged && entry_balance(r, e, now) >= 0)
			return i;
		i = e->lprev;
	}
	return r->lru_tail;
}

static struct rrl_entry *
get_entry(struct rrl *r, const struct rrl_key *k, uint32_t now, bool create)
{
	uint32_t b = (k->check * 2654435761u) & r->mask;

	for (uint32_t i = r->bucket[b]; i != NONE; i = r->e[i].hnext) {
		struct rrl_entry *e = &r->e[i];
		if (memcmp(&e->key, k, sizeof(*k)) == 0) {
			/* Ages are in seconds, so the list need only be in
			 * order to the second: an entry moves once a second
			 * at most, which spares the cache lines of its
			 * neighbours on the busiest accounts. */
			if (e->fresh || e->ts != now) {
				lru_unlink(r, e);
				lru_push(r, i);
			}
			return e;
		}
	}
	if (!create)
		return NULL;
	uint32_t i = steal(r, now);
	struct rrl_entry *e = &r->e[i];
	if (e->in_hash) {
		log_stop(r, e, true, now);
		hash_unlink(r, e, entry_bucket(r, e));
		lru_unlink(r, e);
	}
	memset(e, 0, sizeof(*e));
	e->key = *k;
	e->fresh = true;
	e->in_hash = true;
	e->hprev = NONE;
	e->hnext = r->bucket[b];
	if (e->hnext != NONE)
		r->e[e->hnext].hprev = i;
	r->bucket[b] = i;
	lru_push(r, i);
	return e;
}

/*
 * The rate of a kind under qps-scale: scaled down in proportion when
 * this worker answers more than its share of qps-scale, but never for
 * a client that used TCP within the window (it is not spoofed).
 */
static int
scaled_rate(struct rrl *r, const struct sockaddr *sa, enum rrl_kind kind,
    double scale, uint32_t now)
{
	int rate = kind_rate(r, kind);
	struct rrl_key k;

	if (scale >= 1.0)
		return rate;
	make_key(r, sa, RRL_TCP, NULL, &k);
	const struct rrl_entry *t = get_entry(r, &k, now, false);
	if (t != NULL && entry_age(t, now) < r->conf->window)
		return rate;
	int n = (int)(rate * scale);
	return n < 1 ? 1 : n;
}

/* Credits the time since the last response, then debits this one. */
static enum rrl_verdict
debit(struct rrl *r, struct rrl_entry *e, int rate, double scale,
    uint32_t now)
{
	int32_t min = -(int32_t)r->conf->window * rate;
	uint32_t age = entry_age(e, now);

	if (age > r->conf->window) {
		e->responses = rate;
		e->slip_cnt = 0;
	} else if (age > 0) {
		e->responses += rate * (int32_t)age;
		if (e->responses > rate) {
			e->responses = rate;
			e->slip_cnt = 0;
		}
	}
	e->fresh = false;
	e->ts = now;
	if (--e->responses >= 0)
		return RRL_PASS;
	if (e->responses < min)
		e->responses = min;
	int slip = (int)r->conf->slip;
	if (slip > 2 && scale < 1.0) {
		slip = (int)(slip * scale);
		if (slip < 2)
			slip = 2;
	}
	/* The first limited response of each slip ones is truncated;
	 * all-per-second only drops, as in BIND. */
	if (slip != 0 && e->key.kind != RRL_ALL) {
		if (e->slip_cnt++ == 0) {
			if (e->slip_cnt >= slip)
				e->slip_cnt = 0;
			return RRL_SLIP;
		}
		if (e->slip_cnt >= slip)
			e->slip_cnt = 0;
	}
	return RRL_DROP;
}

/* The estimated queries per second of this worker, against its share
 * of qps-scale. Returns: the factor to scale rates by (1: none). */
static double
qps_factor(struct rrl *r, uint32_t now)
{
	if (r->qps_scale == 0)
		return 1.0;
	r->qps_responses++;
	int32_t secs = (int32_t)(now - r->qps_time);
	double qps = r->qps;
	if (secs < 0 || r->qps_time == 0) {
		r->qps_time = now;
		r->qps_responses = 1;
	} else if (secs > 0) {
		qps = (double)r->qps_responses / secs;
		if ((uint32_t)secs >= r->conf->window) {
			r->qps = qps;
			r->qps_responses = 0;
			r->qps_time = now;
		} else if (qps < r->qps)
			qps = r->qps;
	}
	return qps > r->qps_scale ? r->qps_scale / qps : 1.0;
}

/* One account: found or made, then charged. */
static enum rrl_verdict
charge(struct rrl *r, const struct sockaddr *sa, enum rrl_kind kind,
    const struct rrl_query *q, double scale, uint32_t now,
    struct rrl_entry **out)
{
	struct rrl_key k;

	make_key(r, sa, kind, q, &k);
	struct rrl_entry *e = get_entry(r, &k, now, true);
	*out = e;
	/* Back after a quiet minute with credit: the burst is over. */
	if (e->logged && entry_age(e, now) >= STOP_LOG_SECS &&
	    entry_balance(r, e, now) >= 0)
		log_stop(r, e, false, now);
	return debit(r, e, scaled_rate(r, sa, kind, scale, now), scale, now);
}

static void
note_limited(struct rrl *r, struct rrl_entry *e, const struct rrl_query *q,
    uint32_t now)
{
	if (e->logged && now - e->log_ts < LOG_AGAIN_SECS)
		return;
	if (!log_allowed(r, now))
		return;
	log_limit(r, e, q, e->logged ? "continue limiting" : "limit");
	if (!e->logged)
		r->nlogged++;
	e->logged = true;
	e->log_ts = now;
}

enum rrl_verdict
rrl_check(struct rrl *r, const struct sockaddr *sa, bool tcp,
    const struct rrl_query *q, uint32_t now, enum rrl_kind *by)
{
	struct rrl_entry *e = NULL, *all;

	*by = q->kind;
	if (r->conf->exempt != NULL &&
	    acl_match(r->conf->exempt, sa, NULL) == ACL_ALLOW)
		return RRL_PASS;
	double scale = qps_factor(r, now);
	if (r->log_suppressed > 0)
		log_new_second(r, now);
	maintain(r, now);
	if (tcp) {
		/* Never limited; under qps-scale, remembered as a client
		 * that is not spoofed. */
		if (scale < 1.0) {
			struct rrl_key k;
			make_key(r, sa, RRL_TCP, NULL, &k);
			e = get_entry(r, &k, now, true);
			e->fresh = false;
			e->ts = now;
		}
		return RRL_PASS;
	}
	enum rrl_verdict v = RRL_PASS;
	if (r->conf->rate[q->kind] != 0)
		v = charge(r, sa, q->kind, q, scale, now, &e);
	if (r->conf->rate[RRL_ALL] != 0) {
		enum rrl_verdict va = charge(r, sa, RRL_ALL, q, scale, now,
		    &all);
		if (va != RRL_PASS) {
			v = va;
			e = all;
			*by = RRL_ALL;
		}
	}
	if (v != RRL_PASS)
		note_limited(r, e, q, now);
	return v;
}
