/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * apex-ctl dnssec -status: a zone's keys as text like BIND's rndc
 * dnssec -status, or as JSON (see keymgr.h).
 * Runs in: the signer and apex-named -C.
 */
#include <stdio.h>
#include <time.h>

#include "keymgr_priv.h"

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
	bool zsk = km_is_zsk(k);
	kst s = k->st[zsk ? DKR_ZRRSIG : DKR_KRRSIG];
	int64_t act = k->t[zsk ? DKT_ACTIVATE : DKT_PUBLISH];
	int64_t ret = k->t[zsk ? DKT_INACTIVE : DKT_DELETE];

	*when = 0;
	if (act == 0)
		return EV_NONE;
	if (k->goal == HID && (s == UNR || s == HID)) {
		if (!km_up(k->st[DKR_DNSKEY]))
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
	if (km_prepub_interval(p, k) > ret)
		*when = now;
	else
		*when = ret - km_prepub_interval(p, k);
	return EV_ROLLOVER;
}

static void
status_use(struct sbuf *out, const char *what, kst s, int64_t t,
    int64_t now)
{
	char tb[64];

	sbuf_printf(out, "  %-16s", what);
	if (km_up(s))
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
	    km_role_name(k));
	status_use(out, "published:", k->st[DKR_DNSKEY], k->t[DKT_PUBLISH],
	    now);
	if (km_is_ksk(k))
		status_use(out, "key signing:", k->st[DKR_KRRSIG],
		    k->t[DKT_PUBLISH], now);
	if (km_is_zsk(k))
		status_use(out, "zone signing:", k->st[DKR_ZRRSIG],
		    k->t[DKT_ACTIVATE], now);
	sbuf_printf(out, "\n");
	switch (key_event(p, k, now, &when)) {
	case EV_NONE:
		if (k->t[km_is_zsk(k) ? DKT_ACTIVATE : DKT_PUBLISH] != 0)
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
	    k->bits, k->flags, km_role_name(k), k->lifetime, k->predecessor,
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
		if (km_is_unused(k))
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

