/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Dynamic update configuration (RFC 2136) with BIND 9.18's grammar and
 * checks: allow-update, update-policy, allow-update-forwarding and
 * serial-update-method, and apex's update-sync-delay, as options
 * (defaults) and per zone. Rule types that need what apex does not have
 * (Kerberos, the client's address, an external daemon, a session key)
 * are errors naming them, so no rule is silently dropped.
 * Runs in: apex-named parent, apex-xferd, apex-named -C.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "conf_priv.h"
#include "rr.h"

/* About 15 minutes, as BIND writes a dynamic zone's file. */
#define UPDATE_SYNC_DELAY	900
/* The longest delay: past it the journal would grow for weeks. */
#define UPDATE_SYNC_MAX		(28 * 86400)

/* Bits of conf_update.set and of the statements a zone gave. */
enum {
	US_ALLOW = 0x01,
	US_FORWARD = 0x02,
	US_METHOD = 0x04,
	US_DELAY = 0x08,
	US_POLICY = 0x10,
};

/* Bits of conf_zone.update_owned */
enum {
	UO_ALLOW = 0x01,
	UO_FORWARD = 0x02,
};

void
conf_update_defaults(struct conf_update *u)
{
	memset(u, 0, sizeof(*u));
	u->serial_update_method = SERIAL_INCREMENT;
	u->update_sync_delay = UPDATE_SYNC_DELAY;
}

void
conf_update_free(struct conf_update *u)
{
	acl_free(u->allow_update);
	acl_free(u->allow_update_forwarding);
	u->allow_update = NULL;
	u->allow_update_forwarding = NULL;
}

void
conf_update_zone_free(struct conf_zone *z)
{
	if (z->update_owned & UO_ALLOW)
		acl_free(z->allow_update);
	if (z->update_owned & UO_FORWARD)
		acl_free(z->allow_update_forwarding);
	update_policy_free(z->update_policy);
	z->allow_update = NULL;
	z->allow_update_forwarding = NULL;
	z->update_policy = NULL;
	z->update_owned = 0;
}

/* ---- values ------------------------------------------------------ */

/* "NAME { aml };" Returns: the list, or NULL after reporting. */
static struct acl *
update_aml(struct ctx *c, const struct cfg_stmt *st)
{
	if (st->n != 2 || conf_block_at(st, 1) == NULL) {
		ERR(c, st, "%s: expected an address match list { ... }",
		    st->v[0].s);
		return NULL;
	}
	return conf_build_aml(c, st, conf_block_at(st, 1), 0);
}

static int
get_method(struct ctx *c, const struct cfg_stmt *st, enum serial_method *out)
{
	const char *v = conf_single(c, st);

	if (v == NULL)
		return -1;
	if (conf_is(v, "increment"))
		*out = SERIAL_INCREMENT;
	else if (conf_is(v, "unixtime"))
		*out = SERIAL_UNIXTIME;
	else if (conf_is(v, "date"))
		*out = SERIAL_DATE;
	else {
		ERR(c, st, "serial-update-method: expected increment, "
		    "unixtime or date, not '%s'", v);
		return -1;
	}
	return 0;
}

static int
get_delay(struct ctx *c, const struct cfg_stmt *st, unsigned *out)
{
	unsigned long v;

	if (conf_get_uint(c, st, 0, UPDATE_SYNC_MAX, &v) != 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* Which bit a statement name sets; 0 if it is none of ours. */
static unsigned
update_bit(const char *name)
{
	if (conf_is(name, "allow-update"))
		return US_ALLOW;
	if (conf_is(name, "allow-update-forwarding"))
		return US_FORWARD;
	if (conf_is(name, "serial-update-method"))
		return US_METHOD;
	if (conf_is(name, "update-sync-delay"))
		return US_DELAY;
	if (conf_is(name, "update-policy"))
		return US_POLICY;
	return 0;
}

bool
conf_update_is_zone_option(const char *name)
{
	return update_bit(name) != 0;
}

/* ---- options ----------------------------------------------------- */

bool
conf_update_option(struct ctx *c, const struct cfg_stmt *st,
    struct conf_update *u)
{
	const char *name = conf_word(st, 0);
	unsigned bit = update_bit(name);

	if (bit == 0)
		return false;
	if (bit == US_POLICY) {
		ERR(c, st, "update-policy: only a zone may have one");
		return true;
	}
	if (u->set & bit) {
		/* BIND rejects a second one too. */
		ERR(c, st, "%s: given twice", name);
		return true;
	}
	u->set |= bit;
	if (bit == US_ALLOW)
		u->allow_update = update_aml(c, st);
	else if (bit == US_FORWARD)
		u->allow_update_forwarding = update_aml(c, st);
	else if (bit == US_METHOD)
		(void)get_method(c, st, &u->serial_update_method);
	else
		(void)get_delay(c, st, &u->update_sync_delay);
	return true;
}

/* ---- update-policy ----------------------------------------------- */

static const struct {
	const char		*name;
	enum update_match	 match;
} rule_types[] = {
	{ "name", UPDATE_MATCH_NAME },
	{ "subdomain", UPDATE_MATCH_SUBDOMAIN },
	{ "zonesub", UPDATE_MATCH_ZONESUB },
	{ "wildcard", UPDATE_MATCH_WILDCARD },
	{ "self", UPDATE_MATCH_SELF },
	{ "selfsub", UPDATE_MATCH_SELFSUB },
	{ "selfwild", UPDATE_MATCH_SELFWILD },
};

/* BIND's other rule types: Kerberos and Windows principals, the
 * client's address, an external daemon. */
static const char *const unsupported_types[] = {
	"krb5-self", "krb5-selfsub", "krb5-subdomain",
	"krb5-subdomain-self-rhs", "ms-self", "ms-selfsub", "ms-subdomain",
	"ms-subdomain-self-rhs", "tcp-self", "6to4-self", "external",
};

/* Returns: 0 and the rule's match in *m, or -1 after reporting. */
static int
rule_match(struct ctx *c, const struct cfg_stmt *o, const char *w,
    enum update_match *m)
{
	for (size_t i = 0; i < nitems(rule_types); i++)
		if (conf_is(w, rule_types[i].name)) {
			*m = rule_types[i].match;
			return 0;
		}
	for (size_t i = 0; i < nitems(unsupported_types); i++)
		if (conf_is(w, unsupported_types[i])) {
			ERR(c, o, "update-policy: rule type '%s' is not "
			    "supported by apex (only name, subdomain, zonesub, "
			    "wildcard, self, selfsub and selfwild are)", w);
			return -1;
		}
	ERR(c, o, "update-policy: unknown rule type '%s'", w ? w : "{");
	return -1;
}

/* A name of a rule, absolute and lowercase. Returns: 0 or -1. */
static int
rule_name(struct ctx *c, const struct cfg_stmt *o, const char *s,
    uint8_t out[DNAME_MAXLEN])
{
	int len = s != NULL ? dname_from_str(s, NULL, out) : -1;

	if (len < 0) {
		ERR(c, o, "update-policy: '%s' is not a valid name",
		    s ? s : "{");
		return -1;
	}
	dname_lower(out, out, (size_t)len);
	return 0;
}

/* The checks named-checkconf makes on the name field of a rule. */
static int
check_rule_name(struct ctx *c, const struct cfg_stmt *o,
    struct update_rule *r, const char *s)
{
	static const uint8_t root[1] = { 0 };
	uint16_t t;

	switch (r->match) {
	case UPDATE_MATCH_NAME:
	case UPDATE_MATCH_SUBDOMAIN:
	case UPDATE_MATCH_WILDCARD:
		/* "grant k name A;" forgot the name: A is a type. */
		if (rr_type_from_str(s, &t) == 0) {
			ERR(c, o, "update-policy: '%s' rule without a name "
			    "('%s' is a type)", conf_word(o, 2), s);
			return -1;
		}
		if (r->match == UPDATE_MATCH_WILDCARD &&
		    !(r->name[0] == 1 && r->name[1] == '*')) {
			ERR(c, o, "update-policy: '%s' is not a wildcard", s);
			return -1;
		}
		return 0;
	case UPDATE_MATCH_SELF:
	case UPDATE_MATCH_SELFSUB:
	case UPDATE_MATCH_SELFWILD:
		/* The name is a placeholder here: the signer's name is
		 * what counts. */
		if (!dname_equal(r->name, root) &&
		    !dname_equal(r->name, r->identity)) {
			ERR(c, o, "update-policy: the name of a '%s' rule "
			    "must be '.' or the identity", conf_word(o, 2));
			return -1;
		}
		memcpy(r->name, root, 1);
		return 0;
	case UPDATE_MATCH_ZONESUB:
		break;
	}
	return 0;
}

/* TYPE ... from value i on. Returns: 0 or -1 after reporting. */
static int
rule_types_list(struct ctx *c, const struct cfg_stmt *o, unsigned i,
    struct update_rule *r)
{
	if (i >= o->n)
		return 0;
	r->types = xcalloc(o->n - i, sizeof(*r->types));
	for (; i < o->n; i++) {
		const char *w = conf_word(o, i);
		if (w != NULL && strchr(w, '(') != NULL) {
			/* A limit the policy could not keep: refused
			 * rather than ignored. */
			ERR(c, o, "update-policy: record limits such as "
			    "'%s' are not supported", w);
			return -1;
		}
		if (w == NULL || rr_type_from_str(w, &r->types[r->ntypes]) !=
		    0) {
			ERR(c, o, "update-policy: '%s' is not a valid type",
			    w ? w : "{");
			return -1;
		}
		r->ntypes++;
	}
	return 0;
}

/*
 * ( grant | deny ) IDENTITY RULETYPE [ NAME ] [ TYPE ... ];
 * zonesub takes no NAME; every other rule type needs one.
 * Returns: 0, or -1 after reporting (r->types is then still r's).
 */
static int
parse_rule(struct ctx *c, const struct cfg_stmt *o, struct update_rule *r)
{
	const char *mode = conf_word(o, 0);
	unsigned i = 3;

	memset(r, 0, sizeof(*r));
	if (conf_is(mode, "grant"))
		r->grant = true;
	else if (!conf_is(mode, "deny")) {
		ERR(c, o, "update-policy: expected grant or deny, not '%s'",
		    mode ? mode : "{");
		return -1;
	}
	if (o->n < 3) {
		ERR(c, o, "update-policy: expected ( grant | deny ) "
		    "IDENTITY RULETYPE [NAME] [TYPES];");
		return -1;
	}
	/* The rule type first: an unsupported one has identities that
	 * are no names (external's "local:PATH"). */
	if (rule_match(c, o, conf_word(o, 2), &r->match) != 0 ||
	    rule_name(c, o, conf_word(o, 1), r->identity) != 0)
		return -1;
	if (r->match != UPDATE_MATCH_ZONESUB) {
		const char *s = conf_word(o, 3);
		if (s == NULL) {
			ERR(c, o, "update-policy: a '%s' rule needs a name",
			    conf_word(o, 2));
			return -1;
		}
		if (rule_name(c, o, s, r->name) != 0 ||
		    check_rule_name(c, o, r, s) != 0)
			return -1;
		i = 4;
	}
	return rule_types_list(c, o, i, r);
}

/*
 * update-policy local: as BIND, grant the session key every type
 * anywhere in the zone, when the update comes from one of the server's
 * own addresses (nsupdate -l).
 */
static struct conf_update_policy *
local_policy(struct ctx *c, const struct cfg_stmt *st)
{
	struct conf_update_policy *p = xcalloc(1, sizeof(*p));
	struct update_rule *r;

	p->rules = xcalloc(1, sizeof(*p->rules));
	r = &p->rules[0];
	r->grant = true;
	r->match = UPDATE_MATCH_ZONESUB;
	r->local_only = true;
	int len = dname_from_str(c->conf->session_keyname, NULL, r->identity);
	if (len < 0) {
		ERR(c, st, "session-keyname '%s' is not a domain name",
		    c->conf->session_keyname);
		free(p->rules);
		free(p);
		return NULL;
	}
	dname_lower(r->identity, r->identity, (size_t)len);
	r->name[0] = 0;
	r->types = xcalloc(1, sizeof(*r->types));
	r->types[0] = TYPE_ANY;
	r->ntypes = 1;
	p->nrules = 1;
	c->conf->session_needed = true;
	return p;
}

/* update-policy { rule; ... }; Returns: the policy or NULL. */
static struct conf_update_policy *
parse_policy(struct ctx *c, const struct cfg_stmt *st)
{
	const struct cfg_block *b = conf_block_at(st, 1);

	if (st->n == 2 && conf_is(conf_word(st, 1), "local"))
		return local_policy(c, st);
	if (st->n != 2 || b == NULL) {
		ERR(c, st, "update-policy: expected update-policy { ( grant "
		    "| deny ) IDENTITY RULETYPE [NAME] [TYPES]; ... };");
		return NULL;
	}
	struct conf_update_policy *p = xcalloc(1, sizeof(*p));
	p->rules = xcalloc(b->n + 1, sizeof(*p->rules));
	unsigned errors = c->errors;
	for (unsigned i = 0; i < b->n; i++) {
		struct update_rule *r = &p->rules[p->nrules];
		if (parse_rule(c, &b->s[i], r) == 0)
			p->nrules++;
		else
			free(r->types);
	}
	if (c->errors != errors) {
		update_policy_free(p);
		return NULL;
	}
	return p;
}

/* ---- zones ------------------------------------------------------- */

/* Whether a statement may stand in a zone of this type, as BIND has it:
 * updates are for primaries, forwarding them for secondaries. */
static bool
allowed_in(struct ctx *c, const struct cfg_stmt *o, const struct conf_zone *z,
    unsigned bit)
{
	bool primary_only = bit != US_FORWARD;

	if (primary_only == (z->type == ZONE_PRIMARY))
		return true;
	ERR(c, o, "zone '%s': %s is not allowed in a %s zone", z->name,
	    conf_word(o, 0), z->type == ZONE_PRIMARY ? "primary" :
	    "secondary");
	return false;
}

/* One statement of ours in a zone. Returns: its bit, 0 if in error. */
static unsigned
zone_stmt(struct ctx *c, const struct cfg_stmt *o, struct conf_zone *z,
    unsigned given)
{
	unsigned bit = update_bit(conf_word(o, 0));

	if (given & bit) {
		ERR(c, o, "zone '%s': %s given twice", z->name,
		    conf_word(o, 0));
		return 0;
	}
	if (!allowed_in(c, o, z, bit))
		return 0;
	switch (bit) {
	case US_ALLOW:
		z->allow_update = update_aml(c, o);
		z->update_owned |= UO_ALLOW;
		break;
	case US_FORWARD:
		z->allow_update_forwarding = update_aml(c, o);
		z->update_owned |= UO_FORWARD;
		break;
	case US_METHOD:
		(void)get_method(c, o, &z->serial_update_method);
		break;
	case US_DELAY:
		(void)get_delay(c, o, &z->update_sync_delay);
		break;
	case US_POLICY:
		z->update_policy = parse_policy(c, o);
		break;
	}
	return bit;
}

/* As BIND's dns_acl_isnone(): { none; } (or { !any; }) allows nobody,
 * and a zone with it is not dynamic. */
static bool
acl_is_none(const struct acl *a)
{
	return a->n == 1 && ((a->elem[0].kind == ACL_NONE &&
	    !a->elem[0].negated) || (a->elem[0].kind == ACL_ANY &&
	    a->elem[0].negated));
}

/*
 * As BIND's dns_acl_isinsecure(): whether a list lets some client in by
 * its address alone, other than this host's own. Such updates carry no
 * proof of who sent them; BIND warns about them, and so does apex.
 */
static bool
acl_is_insecure(const struct ctx *c, const struct acl *a, unsigned depth)
{
	for (unsigned i = 0; a != NULL && i < a->n; i++) {
		const struct acl_elem *e = &a->elem[i];
		if (e->negated)
			continue;
		switch (e->kind) {
		case ACL_KEY:
		case ACL_NONE:
			break;
		case ACL_ANY:
			return true;
		case ACL_PREFIX:
			if (e->family == AF_INET ? e->prefixlen < 8 ||
			    e->addr[0] != 127 : e->prefixlen != 128 ||
			    memcmp(e->addr, in6addr_loopback.s6_addr, 16) != 0)
				return true;
			break;
		case ACL_NESTED:
			if (e->nested == c->conf->localhost)
				break;
			if (e->nested == c->conf->localnets || depth > 32 ||
			    acl_is_insecure(c, e->nested, depth + 1))
				return true;
			break;
		}
	}
	return false;
}

/* What the zone did not give comes from the options (borrowed). */
static void
zone_inherit(struct conf_zone *z, const struct conf_update *o,
    unsigned given)
{
	if (!(given & US_ALLOW) && z->type == ZONE_PRIMARY &&
	    z->update_policy == NULL)
		z->allow_update = o->allow_update;
	if (!(given & US_FORWARD) && z->type == ZONE_SECONDARY)
		z->allow_update_forwarding = o->allow_update_forwarding;
	if (!(given & US_METHOD))
		z->serial_update_method = o->serial_update_method;
	if (!(given & US_DELAY))
		z->update_sync_delay = o->update_sync_delay;
	if (z->allow_update != NULL && acl_is_none(z->allow_update)) {
		if (z->update_owned & UO_ALLOW)
			acl_free(z->allow_update);
		z->update_owned &= ~UO_ALLOW;
		z->allow_update = NULL;
	}
	z->dynamic = z->type == ZONE_PRIMARY &&
	    (z->allow_update != NULL || z->update_policy != NULL);
}

void
conf_update_zone(struct ctx *c, const struct cfg_stmt *st,
    const struct cfg_block *b, struct conf_zone *z)
{
	const struct cfg_stmt *policy = NULL;
	unsigned given = 0;

	for (unsigned i = 0; i < b->n; i++) {
		const struct cfg_stmt *o = &b->s[i];
		if (update_bit(conf_word(o, 0)) == 0)
			continue;
		given |= zone_stmt(c, o, z, given);
		if (update_bit(conf_word(o, 0)) == US_POLICY)
			policy = o;
	}
	if ((given & US_ALLOW) && (given & US_POLICY)) {
		/* BIND would ignore allow-update: an error, so that
		 * nobody believes the list still applies. */
		ERR(c, policy, "zone '%s': allow-update and update-policy "
		    "cannot both be given (the policy alone would decide)",
		    z->name);
		conf_update_zone_free(z);
	}
	zone_inherit(z, &c->conf->update, given);
	if (acl_is_insecure(c, z->allow_update, 0))
		WARN(c, st, "zone '%s': allow-update lets clients update "
		    "the zone without a key, by their address alone", z->name);
}
