/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The key manager against a simulated clock and a simulated parent.
 *
 * Each step runs keymgr_run(), records what the zone publishes, plays
 * the registrar (the parent's DS set follows the CDS set, and
 * keymgr_checkds() is told), and checks that every resolver validates:
 * whatever mix of cached DS set (parent-ds-ttl + parent-propagation-
 * delay old at most), DNSKEY set (dnskey-ttl + zone-propagation-delay)
 * and zone signatures (max-zone-ttl + zone-propagation-delay) it may
 * hold, a DS leads to a published DNSKEY that signs the DNSKEY set,
 * and a published key signs the zone. That is checked from what the
 * zone and the parent publish, not from the key states, so a wrong
 * rule in the key manager shows as a bogus resolver.
 */
#include <dirent.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "keymgr.h"
#include "sbuf.h"
#include "testutil.h"

#define MAXK	16
#define MAXSNAP	8192

struct tagset {
	unsigned	n;
	uint16_t	t[MAXK];
};

struct snap {
	int64_t		t;
	struct tagset	pub, ksign, zsign, cds;
	bool		cds_delete;
};

struct psnap {
	int64_t		t;
	struct tagset	ds;
};

struct sim {
	char			 dir[64];
	uint8_t			 origin[DNAME_MAXLEN];
	struct dnssec_policy	 pol;
	struct dnssec_policy_key pk[4];
	struct keymgr_zone	 z;
	int64_t			 now, start;
	unsigned		 step;	/* seconds */
	struct keymgr_keys	 out;
	struct snap		*zs;
	unsigned		 nzs;
	struct psnap		*ps;
	unsigned		 nps;
	struct tagset		 parent;
	bool			 registrar;	/* the parent follows CDS */
	bool			 hold;		/* ... but not now */
	bool			 saw_cds_delete;
	struct sbuf		 trace;
};

static bool
ts_has(const struct tagset *s, uint16_t t)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->t[i] == t)
			return true;
	return false;
}

static void
ts_add(struct tagset *s, uint16_t t)
{
	if (!ts_has(s, t) && s->n < MAXK)
		s->t[s->n++] = t;
}

static bool
ts_eq(const struct tagset *a, const struct tagset *b)
{
	if (a->n != b->n)
		return false;
	for (unsigned i = 0; i < a->n; i++)
		if (!ts_has(b, a->t[i]))
			return false;
	return true;
}

/* The accelerated policy: TTLs of seconds, lifetimes of minutes. */
static void
fast_policy(struct sim *s)
{
	struct dnssec_policy *p = &s->pol;

	memset(p, 0, sizeof(*p));
	p->name = "fast";
	p->keys = s->pk;
	p->dnskey_ttl = 60;
	p->publish_safety = 10;
	p->retire_safety = 10;
	p->purge_keys = 300;
	p->signatures_refresh = 40;
	p->signatures_validity = 100;
	p->signatures_validity_dnskey = 100;
	p->signatures_jitter = 10;
	p->max_zone_ttl = 120;
	p->zone_propagation_delay = 5;
	p->parent_ds_ttl = 60;
	p->parent_propagation_delay = 10;
}

/* BIND's default policy, timings and all. */
static void
default_policy(struct sim *s)
{
	struct dnssec_policy *p = &s->pol;

	memset(p, 0, sizeof(*p));
	p->name = "default";
	p->builtin = true;
	p->keys = s->pk;
	p->nkeys = 1;
	s->pk[0] = (struct dnssec_policy_key){ .role = DNSKEY_ROLE_CSK,
	    .alg = 13 };
	p->dnskey_ttl = 3600;
	p->publish_safety = 3600;
	p->retire_safety = 3600;
	p->purge_keys = 90 * 86400;
	p->signatures_refresh = 5 * 86400;
	p->signatures_validity = 14 * 86400;
	p->signatures_validity_dnskey = 14 * 86400;
	p->signatures_jitter = 12 * 3600;
	p->max_zone_ttl = 86400;
	p->zone_propagation_delay = 300;
	p->parent_ds_ttl = 86400;
	p->parent_propagation_delay = 3600;
}

static void
add_key(struct sim *s, unsigned role, uint8_t alg, uint32_t lifetime)
{
	s->pk[s->pol.nkeys++] = (struct dnssec_policy_key){ .role = role,
	    .alg = alg, .lifetime = lifetime };
}

static struct sim *
sim_new(bool fast, unsigned step)
{
	struct sim *s = xcalloc(1, sizeof(*s));

	snprintf(s->dir, sizeof(s->dir), "/tmp/apex-keymgr-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(s->dir));
	ck_assert_int_gt(dname_from_str("example.", NULL, s->origin), 0);
	if (fast)
		fast_policy(s);
	else
		default_policy(s);
	s->z = (struct keymgr_zone){ .name = "example.", .origin = s->origin,
	    .keydir = s->dir, .policy = &s->pol };
	/* Not before the real clock: keymgr_rollover() takes now if
	 * earlier. */
	s->now = s->start = time(NULL);
	s->step = step;
	s->zs = xcalloc(MAXSNAP, sizeof(*s->zs));
	s->ps = xcalloc(MAXSNAP, sizeof(*s->ps));
	s->ps[s->nps++] = (struct psnap){ .t = s->now };
	s->registrar = true;
	sbuf_init(&s->trace);
	return s;
}

/* The files in dir (not . and ..); with rm, removed, and dir too. */
static unsigned
dir_files(const char *dir, bool rm)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4200];
	unsigned n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		n++;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (rm)
			unlink(path);
	}
	closedir(d);
	if (rm)
		rmdir(dir);
	return n;
}

static unsigned
count_files(const char *dir)
{
	return dir_files(dir, false);
}

static void
sim_free(struct sim *s)
{
	dir_files(s->dir, true);
	keymgr_keys_free(&s->out);
	sbuf_free(&s->trace);
	free(s->zs);
	free(s->ps);
	free(s);
}

static const char *
st(enum dnskey_state x)
{
	static const char *const n[] = { "-", "hid", "RUM", "OMN", "unr" };

	return n[x];
}

static void
trace_table(struct sim *s)
{
	sbuf_printf(&s->trace, "t=+%lld parent DS:",
	    (long long)(s->now - s->start));
	for (unsigned i = 0; i < s->parent.n; i++)
		sbuf_printf(&s->trace, " %u", s->parent.t[i]);
	sbuf_printf(&s->trace, "%s%s next=+%lld\n",
	    s->out.cds_delete ? " cds-delete" : "",
	    s->out.unsigned_ok ? " unsigned-ok" : "",
	    s->out.next ? (long long)(s->out.next - s->start) : -1LL);
	for (unsigned i = 0; i < s->out.n; i++) {
		const struct dnskey *k = s->out.keys[i];
		const struct sign_key *u = &s->out.use[i];

		sbuf_printf(&s->trace, "  %5u alg %2u role %u goal %s "
		    "dnskey %s zrrsig %s krrsig %s ds %s |%s%s%s%s\n",
		    k->tag, k->alg, k->role, st(k->goal),
		    st(k->st[DKR_DNSKEY]), st(k->st[DKR_ZRRSIG]),
		    st(k->st[DKR_KRRSIG]), st(k->st[DKR_DS]),
		    u->publish ? " pub" : "", u->zsign ? " zsign" : "",
		    u->ksign ? " ksign" : "", u->cds ? " cds" : "");
	}
}

static void PRINTF(2, 3)
sim_fail(struct sim *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n--- state table at each step ---\n%s", msg,
	    s->trace.s ? s->trace.s : "");
	ck_abort_msg("%s", msg);
}

/* The parent's DS set follows the CDS set; the key manager is told. */
static void
registrar(struct sim *s, const struct snap *z)
{
	struct tagset want = s->parent;
	char err[256];

	if (!s->registrar || s->hold)
		return;
	if (z->cds_delete)
		want.n = 0;
	else if (z->cds.n > 0)
		want = z->cds;
	if (ts_eq(&want, &s->parent))
		return;
	for (unsigned i = 0; i < want.n; i++)
		if (!ts_has(&s->parent, want.t[i]) &&
		    keymgr_checkds(&s->z, want.t[i], true, s->now, err,
		    sizeof(err)) != 0)
			sim_fail(s, "checkds published %u: %s", want.t[i], err);
	for (unsigned i = 0; i < s->parent.n; i++)
		if (!ts_has(&want, s->parent.t[i]) &&
		    keymgr_checkds(&s->z, s->parent.t[i], false, s->now, err,
		    sizeof(err)) != 0)
			sim_fail(s, "checkds withdrawn %u: %s",
			    s->parent.t[i], err);
	s->parent = want;
	ck_assert_uint_lt(s->nps, MAXSNAP);
	s->ps[s->nps++] = (struct psnap){ .t = s->now, .ds = want };
}

/* Index of the first snapshot a cache of age ttl may still hold. */
static unsigned
zs_from(const struct sim *s, uint32_t ttl)
{
	unsigned i = s->nzs - 1;

	while (i > 0 && s->zs[i].t > s->now - ttl)
		i--;
	return i;
}

static unsigned
ps_from(const struct sim *s, uint32_t ttl)
{
	unsigned i = s->nps - 1;

	while (i > 0 && s->ps[i].t > s->now - ttl)
		i--;
	return i;
}

static bool
validates(const struct tagset *ds, const struct snap *k,
    const struct snap *sig)
{
	bool chain = false, signed_ok = false;

	for (unsigned i = 0; i < ds->n; i++)
		if (ts_has(&k->pub, ds->t[i]) && ts_has(&k->ksign, ds->t[i]))
			chain = true;
	for (unsigned i = 0; i < sig->zsign.n; i++)
		if (ts_has(&k->pub, sig->zsign.t[i]))
			signed_ok = true;
	return chain && signed_ok;
}

/* Every resolver, whatever it has cached, validates the zone. */
static void
check_resolvers(struct sim *s)
{
	const struct dnssec_policy *p = &s->pol;
	unsigned d0 = ps_from(s, p->parent_ds_ttl +
	    p->parent_propagation_delay);
	unsigned k0 = zs_from(s, p->dnskey_ttl + p->zone_propagation_delay);
	unsigned g0 = zs_from(s, p->max_zone_ttl + p->zone_propagation_delay);

	for (unsigned d = d0; d < s->nps; d++) {
		if (s->ps[d].ds.n == 0)
			continue;	/* insecure delegation */
		for (unsigned k = k0; k < s->nzs; k++)
			for (unsigned g = g0; g < s->nzs; g++)
				if (!validates(&s->ps[d].ds, &s->zs[k],
				    &s->zs[g]))
					sim_fail(s, "t=+%lld: bogus: DS set of "
					    "+%lld, DNSKEY set of +%lld, "
					    "signatures of +%lld",
					    (long long)(s->now - s->start),
					    (long long)(s->ps[d].t - s->start),
					    (long long)(s->zs[k].t - s->start),
					    (long long)(s->zs[g].t - s->start));
	}
}

/*
 * What a run returned is what its files say, read back: the .key's
 * record and times, the .state's role, times and states, and no state
 * for a record the key's role has no use for.
 */
static void
check_files(struct sim *s)
{
	static const char *const unused[][2] = {
		{ "ZRRSIGState", NULL },		/* KSK */
		{ "KRRSIGState", "DSState" },		/* ZSK */
	};

	for (unsigned i = 0; i < s->out.n; i++) {
		const struct dnskey *k = s->out.keys[i];
		struct dnskey *f;
		char err[256], path[4200], *text;
		size_t len;
		FILE *fp;

		if (dnskey_load(k->base, false, &f, err, sizeof(err)) != 0)
			sim_fail(s, "key %u: %s", k->tag, err);
		if (f->flags != k->flags || f->alg != k->alg ||
		    f->tag != k->tag || f->bits != k->bits ||
		    f->ttl != k->ttl || f->role != k->role ||
		    f->lifetime != k->lifetime || f->goal != k->goal ||
		    f->predecessor != k->predecessor ||
		    f->successor != k->successor || !f->has_state)
			sim_fail(s, "key %u: its files say otherwise", k->tag);
		for (int t = 0; t < DKT_COUNT; t++)
			if (f->t[t] != k->t[t])
				sim_fail(s, "key %u: time %d: %lld in its files, "
				    "%lld in the run", k->tag, t,
				    (long long)f->t[t], (long long)k->t[t]);
		for (int r = 0; r < DKR_COUNT; r++)
			if (f->st[r] != k->st[r])
				sim_fail(s, "key %u: state %d: %d in its files",
				    k->tag, r, f->st[r]);
		dnskey_free(f);
		if (k->role == DNSKEY_ROLE_CSK)
			continue;
		snprintf(path, sizeof(path), "%s.state", k->base);
		ck_assert_ptr_nonnull(fp = fopen(path, "r"));
		text = xcalloc(1, 8192);
		len = fread(text, 1, 8191, fp);
		fclose(fp);
		text[len] = '\0';
		for (int j = 0; j < 2; j++) {
			const char *u = unused[k->role == DNSKEY_ROLE_ZSK][j];

			if (u != NULL && strstr(text, u) != NULL)
				sim_fail(s, "key %u (role %u): %s written",
				    k->tag, k->role, u);
		}
		free(text);
	}
}

static void
sim_run(struct sim *s)
{
	struct snap *z;
	char err[256] = "";
	int rc;

	keymgr_keys_free(&s->out);
	rc = keymgr_run(&s->z, s->now, &s->out, NULL, NULL, err, sizeof(err));
	if (rc != 0)
		sim_fail(s, "keymgr_run: %d %s", rc, err);
	if (s->out.next != 0 && s->out.next <= s->now)
		sim_fail(s, "next %lld not after now", (long long)s->out.next);
	check_files(s);
	ck_assert_uint_lt(s->nzs, MAXSNAP);
	z = &s->zs[s->nzs++];
	memset(z, 0, sizeof(*z));
	z->t = s->now;
	z->cds_delete = s->out.cds_delete;
	if (z->cds_delete)
		s->saw_cds_delete = true;
	for (unsigned i = 0; i < s->out.n; i++) {
		const struct sign_key *u = &s->out.use[i];

		/* Private parts only for the keys that sign. */
		if ((u->key->pkey != NULL) != (u->zsign || u->ksign))
			sim_fail(s, "key %u: private part %sloaded",
			    u->key->tag, u->key->pkey ? "" : "not ");
		if (u->publish)
			ts_add(&z->pub, u->key->tag);
		if (u->ksign)
			ts_add(&z->ksign, u->key->tag);
		if (u->zsign)
			ts_add(&z->zsign, u->key->tag);
		if (u->cds)
			ts_add(&z->cds, u->key->tag);
	}
	if (s->out.changed || s->nzs == 1)
		trace_table(s);
	check_resolvers(s);
	registrar(s, z);
}

typedef bool	sim_pred(struct sim *, void *);

/* Steps the clock until pred holds; fails after max seconds. */
static void
run_until(struct sim *s, sim_pred *pred, void *arg, int64_t max,
    const char *what)
{
	int64_t end = s->now + max;

	for (;;) {
		sim_run(s);
		if (pred(s, arg))
			return;
		if (s->now >= end)
			sim_fail(s, "not reached in %lld s: %s",
			    (long long)max, what);
		s->now += s->step;
	}
}

static void
run_for(struct sim *s, int64_t secs)
{
	int64_t end = s->now + secs;

	while (s->now < end) {
		s->now += s->step;
		sim_run(s);
	}
}

static const struct dnskey *
key_by_tag(const struct sim *s, uint16_t tag)
{
	for (unsigned i = 0; i < s->out.n; i++)
		if (s->out.keys[i]->tag == tag)
			return s->out.keys[i];
	return NULL;
}

static bool
is_omni(const struct dnskey *k, enum dnskey_record r)
{
	return k != NULL && k->st[r] == DST_OMNIPRESENT;
}

/* Every key of role is fully in use, DS in the parent included. */
static bool
stable(struct sim *s, void *arg)
{
	unsigned n = 0;

	(void)arg;
	for (unsigned i = 0; i < s->out.n; i++) {
		const struct dnskey *k = s->out.keys[i];

		if (k->goal != DST_OMNIPRESENT)
			return false;
		for (int r = 0; r < DKR_COUNT; r++)
			if (k->st[r] != DST_NA && k->st[r] != DST_OMNIPRESENT)
				return false;
		n++;
	}
	return n == s->pol.nkeys && n > 0;
}

/* The key tag is gone: hidden everywhere, or purged. */
static bool
gone(struct sim *s, void *arg)
{
	const struct dnskey *k = key_by_tag(s, *(uint16_t *)arg);

	if (k == NULL)
		return true;
	for (int r = 0; r < DKR_COUNT; r++)
		if (k->st[r] != DST_NA && k->st[r] != DST_HIDDEN)
			return false;
	return true;
}

static bool
purged(struct sim *s, void *arg)
{
	return key_by_tag(s, *(uint16_t *)arg) == NULL;
}

static uint16_t
tag_of_role(const struct sim *s, unsigned role, unsigned nth)
{
	for (unsigned i = 0; i < s->out.n; i++)
		if (s->out.keys[i]->role == role && nth-- == 0)
			return s->out.keys[i]->tag;
	return 0;
}

/* The key of role that is not tag (0: none). */
static uint16_t
other_of_role(const struct sim *s, unsigned role, uint16_t tag)
{
	for (unsigned i = 0; i < s->out.n; i++)
		if (s->out.keys[i]->role == role &&
		    s->out.keys[i]->tag != tag)
			return s->out.keys[i]->tag;
	return 0;
}

static bool
csk_ds_rumoured(struct sim *s, void *arg)
{
	const struct dnskey *k = s->out.n == 1 ? s->out.keys[0] : NULL;

	(void)arg;
	return is_omni(k, DKR_DNSKEY) && is_omni(k, DKR_ZRRSIG) &&
	    is_omni(k, DKR_KRRSIG) && k->st[DKR_DS] == DST_RUMOURED;
}

static bool
ds_omni(struct sim *s, void *arg)
{
	return is_omni(key_by_tag(s, *(uint16_t *)arg), DKR_DS);
}

START_TEST(fresh_default)
{
	struct sim *s = sim_new(false, 600);
	const struct dnskey *k;
	struct sbuf sb;
	char err[256], want[128];
	uint16_t tag;

	s->registrar = false;
	sim_run(s);
	ck_assert_uint_eq(s->out.n, 1);
	k = s->out.keys[0];
	tag = k->tag;
	ck_assert_uint_eq(k->flags, 257);
	ck_assert_uint_eq(k->role, DNSKEY_ROLE_CSK);
	ck_assert_uint_eq(k->alg, 13);
	ck_assert_uint_eq(k->bits, 256);
	ck_assert_uint_eq(k->ttl, 3600);
	/* An unsigned zone's first key goes in at once. */
	ck_assert_int_eq(k->goal, DST_OMNIPRESENT);
	ck_assert_int_eq(k->st[DKR_DNSKEY], DST_RUMOURED);
	ck_assert_int_eq(k->st[DKR_ZRRSIG], DST_RUMOURED);
	ck_assert_int_eq(k->st[DKR_KRRSIG], DST_RUMOURED);
	ck_assert_int_eq(k->st[DKR_DS], DST_HIDDEN);
	ck_assert(s->out.use[0].publish && s->out.use[0].zsign &&
	    s->out.use[0].ksign && !s->out.use[0].cds);
	ck_assert(s->out.changed);
	/* DNSKEY omnipresent after dnskey-ttl + propagation + safety. */
	ck_assert_int_eq(s->out.next, s->now + 3600 + 300 + 3600);

	run_until(s, csk_ds_rumoured, NULL, 3 * 86400, "DS rumoured");
	/* Only once the signatures are everywhere. */
	ck_assert_int_ge(s->now - s->start, 86400 + 300 + 3600);
	ck_assert(s->out.use[0].cds);
	ck_assert_int_eq(keymgr_checkds(&s->z, 4242 == tag ? 4243 : 4242,
	    true, s->now, err, sizeof(err)), APEX_ENOENT);
	ck_assert_int_eq(keymgr_checkds(&s->z, 0, true, s->now, err,
	    sizeof(err)), 0);
	k = NULL;
	sim_run(s);
	ck_assert_int_eq(s->out.keys[0]->t[DKT_DS_PUBLISH], s->now);
	int64_t seen = s->now;
	run_until(s, ds_omni, &tag, 3 * 86400, "DS omnipresent");
	ck_assert_int_ge(s->now - seen, 86400 + 3600 + 3600);
	ck_assert(s->out.use[0].cds);

	run_for(s, 30 * 86400);
	ck_assert(stable(s, NULL));
	ck_assert(!s->out.changed);
	ck_assert_int_eq(s->out.next, 0);

	sbuf_init(&sb);
	keymgr_status(&s->z, &s->out, s->now, false, &sb);
	snprintf(want, sizeof(want), "key: %u (ECDSAP256SHA256), CSK", tag);
	ck_assert_msg(strstr(sb.s, want) != NULL, "%s", sb.s);
	ck_assert_msg(strstr(sb.s, "dnssec-policy: default\n") != NULL, "%s",
	    sb.s);
	ck_assert_msg(strstr(sb.s, "  published:      yes - since ") != NULL,
	    "%s", sb.s);
	ck_assert_msg(strstr(sb.s, "  No rollover scheduled\n") != NULL, "%s",
	    sb.s);
	ck_assert_msg(strstr(sb.s, "  - ds:             omnipresent\n") !=
	    NULL, "%s", sb.s);
	sbuf_free(&sb);
	sbuf_init(&sb);
	keymgr_status(&s->z, &s->out, s->now, true, &sb);
	snprintf(want, sizeof(want), "{\"tag\":%u,\"algorithm\":13,", tag);
	ck_assert_msg(strstr(sb.s, want) != NULL, "%s", sb.s);
	ck_assert_msg(strstr(sb.s, "\"ds\":\"omnipresent\"") != NULL, "%s",
	    sb.s);
	ck_assert_msg(strstr(sb.s, "\"next_event\":{\"event\":\"none\"") !=
	    NULL, "%s", sb.s);
	sbuf_free(&sb);
	sim_free(s);
}
END_TEST

/* A ZSK rolled by its lifetime: pre-publication. */
START_TEST(zsk_rollover)
{
	struct sim *s = sim_new(true, 5);
	uint16_t ksk, zsk, zsk2;
	char err[256];
	struct sbuf sb;

	add_key(s, DNSKEY_ROLE_KSK, 13, 0);
	add_key(s, DNSKEY_ROLE_ZSK, 13, 900);
	run_until(s, stable, NULL, 3600, "KSK and ZSK in use");
	ksk = tag_of_role(s, DNSKEY_ROLE_KSK, 0);
	zsk = tag_of_role(s, DNSKEY_ROLE_ZSK, 0);
	ck_assert_uint_eq(key_by_tag(s, ksk)->flags, 257);
	ck_assert_uint_eq(key_by_tag(s, zsk)->flags, 256);
	ck_assert_int_eq(key_by_tag(s, zsk)->st[DKR_DS], DST_NA);
	ck_assert_int_eq(key_by_tag(s, zsk)->st[DKR_KRRSIG], DST_NA);
	ck_assert_int_eq(key_by_tag(s, ksk)->st[DKR_ZRRSIG], DST_NA);
	ck_assert_int_eq(keymgr_checkds(&s->z, zsk, true, s->now, err,
	    sizeof(err)), APEX_EINVAL);

	sbuf_init(&sb);
	keymgr_status(&s->z, &s->out, s->now, false, &sb);
	ck_assert_msg(strstr(sb.s, "  Next rollover scheduled on ") != NULL,
	    "%s", sb.s);
	sbuf_free(&sb);

	if (getenv("KM_SHOW") != NULL) {
		sbuf_init(&sb);
		keymgr_status(&s->z, &s->out, s->now, false, &sb);
		keymgr_status(&s->z, &s->out, s->now, true, &sb);
		fprintf(stderr, "%s", sb.s);
		sbuf_free(&sb);
	}
	run_until(s, gone, &zsk, 3 * 3600, "first ZSK removed");
	zsk2 = other_of_role(s, DNSKEY_ROLE_ZSK, zsk);
	ck_assert_uint_ne(zsk2, 0);
	ck_assert_uint_eq(key_by_tag(s, zsk2)->predecessor, zsk);
	ck_assert(is_omni(key_by_tag(s, ksk), DKR_DS));
	/* The successor was published before it signed. */
	ck_assert_int_lt(key_by_tag(s, zsk2)->t[DKT_PUBLISH],
	    key_by_tag(s, zsk2)->t[DKT_ACTIVATE]);
	char path[4200];
	snprintf(path, sizeof(path), "%s.key", key_by_tag(s, zsk)->base);
	ck_assert_int_eq(access(path, F_OK), 0);
	run_until(s, purged, &zsk, 3600, "first ZSK purged");
	/* Its files went with it. */
	ck_assert_int_ne(access(path, F_OK), 0);
	/* More rollovers, each safe. */
	run_for(s, 3 * 3600);
	ck_assert(is_omni(key_by_tag(s, ksk), DKR_DS));
	sim_free(s);
}
END_TEST

struct roll {
	unsigned	role;
	uint16_t	old;
};

static bool
successor_ds_rumoured(struct sim *s, void *arg)
{
	struct roll *r = arg;
	const struct dnskey *k = key_by_tag(s, other_of_role(s, r->role,
	    r->old));

	return k != NULL && k->st[DKR_DS] == DST_RUMOURED;
}

/* A KSK (or CSK) rolled by its lifetime: double-DS, the parent told. */
static void
ksk_roll(unsigned role)
{
	struct sim *s = sim_new(true, 5);
	uint16_t old, new;
	const struct dnskey *o, *n;

	add_key(s, role, 13, 1200);
	if (role == DNSKEY_ROLE_KSK)
		add_key(s, DNSKEY_ROLE_ZSK, 13, 0);
	run_until(s, stable, NULL, 3600, "keys in use");
	old = tag_of_role(s, role, 0);
	/* The parent does not act yet: the rollover must wait. */
	s->hold = true;
	struct roll r = { role, old };
	run_until(s, successor_ds_rumoured, &r, 3 * 3600,
	    "successor's DS submitted");
	new = other_of_role(s, role, old);
	ck_assert_uint_eq(key_by_tag(s, new)->predecessor, old);
	ck_assert_uint_eq(key_by_tag(s, old)->successor, new);
	run_for(s, 600);
	o = key_by_tag(s, old);
	n = key_by_tag(s, new);
	/* The old DS is on its way out, but the old key stays until the
	 * parent is seen without it. */
	ck_assert(is_omni(o, DKR_DNSKEY) && is_omni(o, DKR_KRRSIG));
	ck_assert_int_eq(o->st[DKR_DS], DST_UNRETENTIVE);
	if (n->st[DKR_DS] != DST_RUMOURED)
		sim_fail(s, "successor DS not rumoured");
	for (unsigned i = 0; i < s->out.n; i++)
		if (s->out.keys[i] == n)
			ck_assert(s->out.use[i].cds && s->out.use[i].ksign);
	s->hold = false;
	run_until(s, gone, &old, 3 * 3600, "old key removed");
	ck_assert(is_omni(key_by_tag(s, new), DKR_DS));
	ck_assert(!ts_has(&s->parent, old) && ts_has(&s->parent, new));
	ck_assert_int_ne(key_by_tag(s, new)->t[DKT_DS_PUBLISH], 0);
	if (key_by_tag(s, old) != NULL)
		ck_assert_int_ne(key_by_tag(s, old)->t[DKT_DS_DELETE], 0);
	run_for(s, 2 * 3600);
	sim_free(s);
}

START_TEST(ksk_rollover)
{
	ksk_roll(DNSKEY_ROLE_KSK);
}
END_TEST

START_TEST(csk_rollover)
{
	ksk_roll(DNSKEY_ROLE_CSK);
}
END_TEST

static bool
alg_done(struct sim *s, void *arg)
{
	(void)arg;
	return s->out.n == 1 && s->out.keys[0]->alg == 15 && stable(s, NULL);
}

START_TEST(algorithm_rollover)
{
	struct sim *s = sim_new(true, 5);
	uint16_t old;

	add_key(s, DNSKEY_ROLE_CSK, 13, 0);
	run_until(s, stable, NULL, 3600, "CSK in use");
	old = s->out.keys[0]->tag;
	s->pk[0].alg = 15;
	sim_run(s);
	ck_assert_uint_eq(s->out.n, 2);
	ck_assert_int_eq(key_by_tag(s, old)->goal, DST_HIDDEN);
	run_until(s, gone, &old, 3 * 3600, "old algorithm removed");
	run_until(s, alg_done, NULL, 3 * 3600, "new algorithm alone");
	ck_assert(ts_has(&s->parent, s->out.keys[0]->tag));
	ck_assert_uint_eq(s->parent.n, 1);
	sim_free(s);
}
END_TEST

static bool
is_unsigned(struct sim *s, void *arg)
{
	(void)arg;
	return s->out.unsigned_ok;
}

static bool
no_keys(struct sim *s, void *arg)
{
	(void)arg;
	return s->out.n == 0;
}

START_TEST(go_insecure)
{
	struct sim *s = sim_new(true, 5);
	uint16_t tag;

	add_key(s, DNSKEY_ROLE_KSK, 13, 0);
	add_key(s, DNSKEY_ROLE_ZSK, 13, 0);
	run_until(s, stable, NULL, 3600, "keys in use");
	ck_assert(!s->out.cds_delete && !s->out.unsigned_ok);
	tag = tag_of_role(s, DNSKEY_ROLE_KSK, 0);
	s->pol.name = "insecure";
	s->pol.insecure = true;
	s->pol.nkeys = 0;
	/* The DS must leave the parent before the keys leave the zone. */
	s->hold = true;
	sim_run(s);
	ck_assert(s->out.cds_delete);
	run_for(s, 3600);
	if (!s->out.cds_delete || s->out.unsigned_ok)
		sim_fail(s, "keys left before the parent's DS");
	ck_assert(s->out.use[0].publish && s->out.use[1].publish);
	s->hold = false;
	run_until(s, is_unsigned, NULL, 3 * 3600, "unsigned");
	ck_assert(s->saw_cds_delete);
	ck_assert(!s->out.cds_delete);
	ck_assert_uint_eq(s->parent.n, 0);
	ck_assert_int_ne(key_by_tag(s, tag)->t[DKT_DS_DELETE], 0);
	run_until(s, no_keys, NULL, 3600, "keys purged");
	ck_assert(s->out.unsigned_ok);
	sim_free(s);
}
END_TEST

/* apex-ctl dnssec -rollover of a key with no lifetime. */
START_TEST(manual_rollover)
{
	struct sim *s = sim_new(true, 5);
	uint16_t zsk;
	char err[256];

	add_key(s, DNSKEY_ROLE_KSK, 13, 0);
	add_key(s, DNSKEY_ROLE_ZSK, 13, 0);
	run_until(s, stable, NULL, 3600, "keys in use");
	zsk = tag_of_role(s, DNSKEY_ROLE_ZSK, 0);
	ck_assert_int_eq(keymgr_rollover(&s->z, 4242 == zsk ? 4243 : 4242,
	    s->now, err, sizeof(err)), APEX_ENOENT);
	ck_assert_int_eq(keymgr_rollover(&s->z, zsk, s->now, err,
	    sizeof(err)), 0);
	sim_run(s);
	/* The successor is published at once. */
	ck_assert_uint_eq(s->out.n, 3);
	ck_assert_uint_eq(key_by_tag(s, zsk)->successor,
	    other_of_role(s, DNSKEY_ROLE_ZSK, zsk));
	run_until(s, gone, &zsk, 3 * 3600, "old ZSK removed");
	run_for(s, 3600);
	ck_assert_uint_eq(s->out.n, 2);
	sim_free(s);
}
END_TEST

/*
 * A CSK as dnssec-keygen makes it (no .state; times in the .key
 * comments), published 10 days ago, its DS 9. Without the tool, one
 * written here in the same form. Returns its tag.
 */
static uint16_t
keygen_key(struct sim *s)
{
	char cmd[512], line[256];
	struct dnskey *k;
	unsigned tag = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "dnssec-keygen -q -K %s -a 13 -f KSK "
	    "-L 60 -P -10d -A -10d -P sync -9d example. 2>/dev/null",
	    s->dir);
	if (system("command -v dnssec-keygen >/dev/null 2>&1") == 0 &&
	    (f = popen(cmd, "r")) != NULL) {
		if (fgets(line, sizeof(line), f) != NULL)
			sscanf(line, "Kexample.+013+%5u", &tag);
		ck_assert_int_eq(pclose(f), 0);
		ck_assert_uint_ne(tag, 0);
		return (uint16_t)tag;
	}
	fprintf(stderr, "check_keymgr: no dnssec-keygen in PATH: "
	    "adopting a key written in its form instead\n");
	ck_assert_int_eq(dnskey_generate(s->dir, s->origin, 13, 256, 257,
	    s->now, &k), 0);
	tag = k->tag;
	k->ttl = 60;
	k->t[DKT_PUBLISH] = k->t[DKT_ACTIVATE] = s->now - 10 * 86400;
	k->t[DKT_SYNCPUBLISH] = s->now - 9 * 86400;
	ck_assert_int_eq(dnskey_write_state(k), 0);
	snprintf(line, sizeof(line), "%s.state", k->base);
	ck_assert_int_eq(unlink(line), 0);
	dnskey_free(k);
	return (uint16_t)tag;
}

/* A key made by dnssec-keygen (no .state), in the zone for days. */
START_TEST(adopt_keygen_key)
{
	struct sim *s = sim_new(true, 5);
	uint16_t tag;

	add_key(s, DNSKEY_ROLE_CSK, 13, 0);
	tag = keygen_key(s);
	ck_assert_uint_eq(count_files(s->dir), 2);
	s->ps[s->nps++] = (struct psnap){ .t = s->now - 86400,
	    .ds = { 1, { tag } } };
	s->parent = s->ps[s->nps - 1].ds;
	sim_run(s);
	/* Taken as the policy's CSK, in full use: no new key. */
	ck_assert_uint_eq(s->out.n, 1);
	ck_assert_uint_eq(s->out.keys[0]->tag, tag);
	ck_assert_uint_eq(s->out.keys[0]->role, DNSKEY_ROLE_CSK);
	ck_assert(stable(s, NULL));
	run_for(s, 3600);
	ck_assert_uint_eq(s->out.n, 1);
	ck_assert(stable(s, NULL));
	sim_free(s);
}
END_TEST

/* Writes text to path (replacing it). */
static void
put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(run_errors)
{
	struct sim *s = sim_new(true, 5);
	struct keymgr_keys out;
	struct keymgr_zone z;
	char err[256] = "", path[4200];
	uint16_t tag;

	add_key(s, DNSKEY_ROLE_CSK, 13, 0);
	z = s->z;
	z.keydir = "/nonexistent/keys";
	ck_assert_int_eq(keymgr_run(&z, s->now, &out, NULL, NULL, err,
	    sizeof(err)), APEX_EIO);
	ck_assert_uint_eq(out.n, 0);
	ck_assert_ptr_null(out.keys);
	ck_assert_msg(strstr(err, "/nonexistent/keys") != NULL, "%s", err);
	sim_run(s);
	ck_assert_uint_eq(s->out.n, 1);
	tag = s->out.keys[0]->tag;
	/* A key file that does not load (a truncated .key): nothing is
	 * made in its place. */
	snprintf(path, sizeof(path), "%s.key", s->out.keys[0]->base);
	put_file(path, "; This is a key-signing key\nexample. 60 IN DNSKEY "
	    "257 3 13 AAAA\n");
	ck_assert_int_eq(keymgr_run(&s->z, s->now, &out, NULL, NULL, err,
	    sizeof(err)), APEX_EMALF);
	ck_assert_uint_eq(out.n, 0);
	ck_assert_msg(strstr(err, path) != NULL, "%s", err);
	ck_assert_uint_eq(count_files(s->dir), 3);
	(void)tag;
	sim_free(s);
}
END_TEST

/* Every file of a key directory, name and content. */
struct dirsnap {
	unsigned	n;
	char		name[64][128];
	char		*text[64];
	size_t		len[64];
};

static void
dir_snap(const char *dir, struct dirsnap *d)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char path[4200];
	struct stat sb;

	ck_assert_ptr_nonnull(dp);
	memset(d, 0, sizeof(*d));
	while ((de = readdir(dp)) != NULL) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		ck_assert_uint_lt(d->n, 64);
		snprintf(d->name[d->n], sizeof(d->name[0]), "%s", de->d_name);
		d->text[d->n] = xmalloc((size_t)sb.st_size + 1);
		ck_assert_ptr_nonnull(f = fopen(path, "r"));
		d->len[d->n] = fread(d->text[d->n], 1, (size_t)sb.st_size, f);
		fclose(f);
		d->n++;
	}
	closedir(dp);
}

static void
dir_snap_free(struct dirsnap *d)
{
	for (unsigned i = 0; i < d->n; i++)
		free(d->text[i]);
	d->n = 0;
}

/* The directory's files are byte for byte those of before. */
static void
dir_same(const char *dir, struct dirsnap *before)
{
	struct dirsnap now;

	dir_snap(dir, &now);
	ck_assert_uint_eq(now.n, before->n);
	for (unsigned i = 0; i < before->n; i++) {
		unsigned j;

		for (j = 0; j < now.n; j++)
			if (strcmp(now.name[j], before->name[i]) == 0)
				break;
		ck_assert_msg(j < now.n, "%s gone", before->name[i]);
		ck_assert_msg(now.len[j] == before->len[i] &&
		    memcmp(now.text[j], before->text[i], now.len[j]) == 0,
		    "%s changed", before->name[i]);
	}
	dir_snap_free(&now);
}

/* Gives dir and its files to uid (and the gid of the same number). */
static void
dir_chown(const char *dir, uid_t uid)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4200];

	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(lchown(dir, uid, (gid_t)uid), 0);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;	/* not "..": it is the parent */
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ck_assert_int_eq(lchown(path, uid, (gid_t)uid), 0);
	}
	closedir(d);
}

/* Where a key's new .state is written before the run commits. */
static void
tmp_state_path(const struct dnskey *k, char *buf, size_t size)
{
	const char *slash = strrchr(k->base, '/');

	snprintf(buf, size, "%.*s/.keymgr-%s.state", (int)(slash - k->base),
	    k->base, slash + 1);
}

/* Directories in the way of the temporary .state of key j (all keys:
 * -1): writing those fails. */
static void
obstacles(struct sim *s, int j, bool make)
{
	char path[4200];

	for (unsigned i = 0; i < s->out.n; i++) {
		if (j >= 0 && i != (unsigned)j)
			continue;
		tmp_state_path(s->out.keys[i], path, sizeof(path));
		if (make)
			ck_assert_int_eq(mkdir(path, 0700), 0);
		else
			ck_assert_int_eq(rmdir(path), 0);
	}
}

/* A run at now with obstacles as obstacles() puts them; whether it
 * failed (and then left every file as it was). */
static bool
run_blocked(struct sim *s, int j)
{
	struct keymgr_keys out;
	struct dirsnap before;
	char err[256];
	bool failed = false;

	dir_snap(s->dir, &before);
	obstacles(s, j, true);
	if (keymgr_run(&s->z, s->now, &out, NULL, NULL, err,
	    sizeof(err)) == 0)
		keymgr_keys_free(&out);
	else {
		ck_assert_msg(strstr(err, "cannot write") != NULL, "%s", err);
		failed = true;
	}
	obstacles(s, j, false);
	if (failed)
		dir_same(s->dir, &before);
	dir_snap_free(&before);
	return failed;
}

static bool
same_file(const char *a, const char *b)
{
	char x[8192], y[8192];
	size_t nx = 0, ny = 0;
	FILE *f;

	if ((f = fopen(a, "r")) != NULL) {
		nx = fread(x, 1, sizeof(x), f);
		fclose(f);
	}
	if ((f = fopen(b, "r")) != NULL) {
		ny = fread(y, 1, sizeof(y), f);
		fclose(f);
	}
	return nx == ny && memcmp(x, y, nx) == 0;
}

/* Which keys a run at now changes, found by a run on a copy of the
 * key directory. Returns: how many; *last: the last of them. */
static unsigned
keys_changed(struct sim *s, int *last)
{
	struct keymgr_keys out;
	struct keymgr_zone z = s->z;
	char copy[64] = "/tmp/apex-keymgr-XXXXXX", cmd[256], a[4200];
	char b[4200], err[256];
	unsigned n = 0;

	ck_assert_ptr_nonnull(mkdtemp(copy));
	snprintf(cmd, sizeof(cmd), "cp -p %s/* %s/", s->dir, copy);
	ck_assert_int_eq(system(cmd), 0);
	z.keydir = copy;
	ck_assert_int_eq(keymgr_run(&z, s->now, &out, NULL, NULL, err,
	    sizeof(err)), 0);
	keymgr_keys_free(&out);
	for (unsigned i = 0; i < s->out.n; i++) {
		const char *name = strrchr(s->out.keys[i]->base, '/') + 1;

		snprintf(a, sizeof(a), "%s.state", s->out.keys[i]->base);
		snprintf(b, sizeof(b), "%s/%s.state", copy, name);
		if (!same_file(a, b)) {
			n++;
			*last = (int)i;
		}
	}
	dir_files(copy, true);
	return n;
}

/*
 * A run whose writes fail changes no file and leaves no key it made.
 * The clock steps through a ZSK rollover; at each step a run with every
 * key's temporary .state blocked (it fails whenever a key changes; one
 * of them would make the successor), then, when the run changes more
 * than one key, one with only the last of them blocked (the others'
 * new files are written, then the run fails).
 */
START_TEST(run_all_or_nothing)
{
	struct sim *s = sim_new(true, 5);
	unsigned failed_all = 0, failed_some = 0, nkeys, made = 0;

	add_key(s, DNSKEY_ROLE_KSK, 13, 0);
	add_key(s, DNSKEY_ROLE_ZSK, 13, 600);
	run_until(s, stable, NULL, 3600, "keys in use");
	for (int step = 0; step < 500; step++) {
		int last = -1;

		s->now += s->step;
		nkeys = s->out.n;
		if (!run_blocked(s, -1)) {
			sim_run(s);
			continue;
		}
		failed_all++;
		if (keys_changed(s, &last) > 1) {
			ck_assert(run_blocked(s, last));
			failed_some++;
		}
		sim_run(s);
		if (s->out.n > nkeys)
			made++;
	}
	ck_assert_uint_gt(failed_all, 0);
	ck_assert_uint_gt(failed_some, 0);
	ck_assert_uint_gt(made, 0);
	/* Nothing but the keys' own files is left. */
	ck_assert_uint_eq(count_files(s->dir), 3 * s->out.n);
	sim_free(s);
}
END_TEST

/*
 * The same with a key directory that cannot be written: mode 0500. Root
 * ignores modes, so then the run is made by uid 65534 in a child.
 */
START_TEST(run_unwritable)
{
	struct sim *s = sim_new(true, 5);
	struct keymgr_keys out;
	struct dirsnap before;
	char err[256];
	int64_t t;
	int rc, status;
	pid_t pid;

	add_key(s, DNSKEY_ROLE_KSK, 13, 0);
	add_key(s, DNSKEY_ROLE_ZSK, 13, 0);
	sim_run(s);
	/* The next run moves states of both keys. */
	ck_assert_int_ne(s->out.next, 0);
	t = s->out.next;
	dir_snap(s->dir, &before);
	if (geteuid() != 0) {
		ck_assert_int_eq(chmod(s->dir, 0500), 0);
		rc = keymgr_run(&s->z, t, &out, NULL, NULL, err, sizeof(err));
		ck_assert_int_eq(chmod(s->dir, 0700), 0);
		ck_assert_int_eq(rc, APEX_EIO);
	} else {
		dir_chown(s->dir, 65534);
		ck_assert_int_eq(chmod(s->dir, 0500), 0);
		if ((pid = fork()) == 0) {
			if (setgid(65534) != 0 || setuid(65534) != 0)
				_exit(2);
			rc = keymgr_run(&s->z, t, &out, NULL, NULL, err,
			    sizeof(err));
			_exit(rc == APEX_EIO ? 0 : 1);
		}
		ck_assert_int_gt(pid, 0);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_int_eq(chmod(s->dir, 0700), 0);
		ck_assert(WIFEXITED(status));
		ck_assert_int_eq(WEXITSTATUS(status), 0);
	}
	dir_same(s->dir, &before);
	dir_snap_free(&before);
	/* Writable again, the same run goes through. */
	s->now = t;
	sim_run(s);
	ck_assert(s->out.changed);
	sim_free(s);
}
END_TEST

/* A run that fails after making a key removes it: the policy's second
 * key cannot be made (RSA of 512 bits), so the first goes again. */
START_TEST(run_removes_made_keys)
{
	struct sim *s = sim_new(true, 5);
	struct keymgr_keys out;
	char err[256] = "";

	add_key(s, DNSKEY_ROLE_KSK, 13, 0);
	add_key(s, DNSKEY_ROLE_ZSK, 8, 0);
	s->pk[1].bits = 512;
	ck_assert_int_lt(keymgr_run(&s->z, s->now, &out, NULL, NULL, err,
	    sizeof(err)), 0);
	ck_assert_msg(strstr(err, "cannot make") != NULL, "%s", err);
	ck_assert_uint_eq(out.n, 0);
	ck_assert_uint_eq(count_files(s->dir), 0);
	sim_free(s);
}
END_TEST

static Suite *
keymgr_suite(void)
{
	Suite *s = suite_create("keymgr");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, fresh_default);
	tcase_add_test(tc, zsk_rollover);
	tcase_add_test(tc, ksk_rollover);
	tcase_add_test(tc, csk_rollover);
	tcase_add_test(tc, algorithm_rollover);
	tcase_add_test(tc, go_insecure);
	tcase_add_test(tc, manual_rollover);
	tcase_add_test(tc, adopt_keygen_key);
	tcase_add_test(tc, run_errors);
	tcase_add_test(tc, run_all_or_nothing);
	tcase_add_test(tc, run_unwritable);
	tcase_add_test(tc, run_removes_made_keys);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	srandom((unsigned)getpid());
	return run_suite(keymgr_suite());
}
