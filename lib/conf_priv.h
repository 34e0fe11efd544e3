/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * What conf.c and conf_service.c share while interpreting the statement
 * tree: the interpretation context and the value helpers. Private to
 * lib/conf*.c.
 */
#ifndef APEX_CONF_PRIV_H
#define APEX_CONF_PRIV_H

#include <stdbool.h>

#include "conf.h"

struct ctx {
	struct conf		*conf;
	const struct cfg_tree	*tree;
	conf_report_fn		*report;
	void			*arg;
	unsigned		 errors;
	/* named ACLs: statements, and whether each is being built */
	const struct cfg_stmt	**acl_stmt;
	bool			*acl_busy;
	/* options' dnssec-policy NAME, checked in each zone taking it */
	const char		*opt_policy;
	const struct cfg_stmt	*opt_policy_st;
	/* an also-notify element that is neither an address nor a list:
	 * an error only if NOTIFY is on, as BIND checks it (while one is
	 * parsed, in_also) */
	bool			 in_also;
	const struct cfg_stmt	*bad_also;
	char			 bad_also_word[256];
};

/* Reports a bad also-notify element kept by the parser: an error if
 * notify is on, else a warning. */
void	conf_also_notify_check(struct ctx *, int notify);

void	conf_creport(struct ctx *, const struct cfg_stmt *, bool error,
	    const char *, ...) PRINTF(4, 5);
#define ERR(c, st, ...)		conf_creport(c, st, true, __VA_ARGS__)
#define WARN(c, st, ...)	conf_creport(c, st, false, __VA_ARGS__)

/* Value i of a statement if it is a word or string, else NULL. */
const char	*conf_word(const struct cfg_stmt *, unsigned i);
/* Value i of a statement if it is a block, else NULL. */
const struct cfg_block	*conf_block_at(const struct cfg_stmt *, unsigned i);
/* Case-insensitive equality; false for NULL. */
bool	conf_is(const char *a, const char *b);
/* The one value of "NAME VALUE;", or NULL after reporting. */
const char	*conf_single(struct ctx *, const struct cfg_stmt *);
int	conf_get_bool(struct ctx *, const struct cfg_stmt *, bool *out);
int	conf_parse_uint(const char *s, unsigned long max, unsigned long *out);
int	conf_get_uint(struct ctx *, const struct cfg_stmt *, unsigned long min,
	    unsigned long max, unsigned long *out);
/* An address match list from a block; NULL after reporting. */
struct acl	*conf_build_aml(struct ctx *, const struct cfg_stmt *,
		    const struct cfg_block *, unsigned depth);
/* file relative to the directory option. Caller owns the result. */
char	*conf_resolve_path(const struct conf *, const char *file);

int	conf_get_notify(struct ctx *, const struct cfg_stmt *);

/* conf_xfr.c: transfers. */
void	conf_xfr_defaults(struct conf_xfr *);
void	conf_xfr_inherit(struct conf_xfr *zone, const struct conf_xfr *opts);
void	conf_xfr_free(struct conf_xfr *);
bool	conf_xfr_option(struct ctx *, const struct cfg_stmt *,
	    struct conf_xfr *);
int	conf_parse_remotes(struct ctx *, const struct cfg_stmt *,
	    unsigned first, struct conf_remotes *);
void	conf_remotes_free(struct conf_remotes *);
void	conf_stmt_primaries(struct ctx *, const struct cfg_stmt *);
/* An IPv4 (af AF_INET, addr 4 octets) or IPv6 socket address with
 * port. Returns: its length. */
socklen_t	conf_sockaddr(int af, const uint8_t *addr, uint16_t port,
		    struct sockaddr_storage *ss);
/* transfer-source[-v6], notify-source[-v6] into x. Returns: true if st
 * is one of them. */
bool	conf_xfr_source_option(struct ctx *, const struct cfg_stmt *,
	    struct conf_xfr *x);

/* conf_server.c */
void	conf_stmt_server(struct ctx *, const struct cfg_stmt *);
void	conf_servers_free(struct conf *);

/* conf_rrl.c: rate-limit. */
void	conf_rrl_defaults(struct conf_rrl *);
void	conf_stmt_rate_limit(struct ctx *, const struct cfg_stmt *);

/* conf_update.c: dynamic update. */
void	conf_update_defaults(struct conf_update *);
void	conf_update_free(struct conf_update *);
/* An options statement of dynamic update; false if name is none. */
bool	conf_update_option(struct ctx *, const struct cfg_stmt *,
	    struct conf_update *);
/* Whether conf_update_zone() reads this zone statement. */
bool	conf_update_is_zone_option(const char *name);
/* Reads and resolves the zone's dynamic update statements; z->type
 * must be known. */
void	conf_update_zone(struct ctx *, const struct cfg_stmt *zone,
	    const struct cfg_block *, struct conf_zone *z);
void	conf_update_zone_free(struct conf_zone *);

/* conf_dnssec.c: dnssec-policy, key-directory, inline-signing. */
/* The built-in policies "default" and "insecure". */
void	conf_dnssec_defaults(struct conf *);
void	conf_dnssec_free(struct conf *);
/* A top-level dnssec-policy NAME { ... }; statement. */
void	conf_stmt_dnssec_policy(struct ctx *, const struct cfg_stmt *);
/* An options statement of DNSSEC signing; false if name is none. The
 * policies must all have been read. */
bool	conf_dnssec_option(struct ctx *, const struct cfg_stmt *);
/* Whether conf_dnssec_zone() reads this zone statement. */
bool	conf_dnssec_is_zone_option(const char *name);
/* Reads and checks the zone's signing statements; z->type and
 * z->dynamic (conf_update_zone()) must be known. */
void	conf_dnssec_zone(struct ctx *, const struct cfg_stmt *zone,
	    const struct cfg_block *, struct conf_zone *z);
void	conf_dnssec_zone_free(struct conf_zone *);

/* conf_service.c: logging, controls, statistics-channels. */
void	conf_logging_defaults(struct conf_logging *);
void	conf_stmt_logging(struct ctx *, const struct cfg_stmt *);
void	conf_stmt_controls(struct ctx *, const struct cfg_stmt *);

/* conf_compat.c: BIND options done as BIND does or warned about with
 * what apex does instead. Returns: true if st is one of them. */
bool	conf_compat_option(struct ctx *, const struct cfg_stmt *,
	    bool in_zone);
void	conf_stmt_statistics(struct ctx *, const struct cfg_stmt *);

#endif
