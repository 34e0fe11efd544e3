/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The configuration, read from a file in BIND's named.conf grammar.
 *
 * conf_parse.c turns the text into a generic tree (statements made of
 * words, quoted strings and nested blocks, with file and line for each);
 * conf.c walks that tree against tables of the statements and options
 * apex knows and fills struct conf. A statement apex does not implement
 * is an error naming file:line; a BIND option that means nothing to an
 * authoritative-only server is a warning naming it.
 *
 * The result is immutable once conf_load() returns. Everything in it is
 * owned by the struct conf and released by conf_free().
 */
#ifndef APEX_CONF_H
#define APEX_CONF_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "acl.h"
#include "dname.h"
#include "dnssec_policy.h"
#include "update.h"
#include "update_policy.h"
#include "util.h"

struct conf;

/* ---- the generic tree (conf_parse.c) ----------------------------- */

struct cfg_block;

struct cfg_val {
	char		*s;		/* word or string; NULL for a block */
	bool		 quoted;
	struct cfg_block *block;
	unsigned	 line;
};

struct cfg_stmt {
	const char	*file;		/* owned by the tree's file list */
	unsigned	 line;
	unsigned	 n;
	struct cfg_val	*v;
};

struct cfg_block {
	unsigned	 n;
	struct cfg_stmt	*s;
};

struct cfg_tree {
	struct cfg_block	 top;
	char			**files;	/* every file read */
	unsigned		 nfiles;
};

/* Problems are reported through this; error=false is a warning. */
typedef void	conf_report_fn(void *arg, const char *file, unsigned line,
		    bool error, const char *msg);

/*
 * Reads path (following include statements) into a tree.
 * Returns: the tree, or NULL after reporting a syntax or I/O error.
 * Ownership: caller owns the tree; release with cfg_tree_free().
 */
struct cfg_tree	*cfg_parse_file(const char *path, conf_report_fn *report,
		    void *arg);
/* Same for text in memory (name is used in messages). */
struct cfg_tree	*cfg_parse_string(const char *text, const char *name,
		    conf_report_fn *report, void *arg);
void	cfg_tree_free(struct cfg_tree *);

/* ---- the configuration (conf.c) ---------------------------------- */

#ifndef CONF_CONTROL_PATH
#define CONF_CONTROL_PATH	"/run/apex/control"
#endif

enum minimal_responses {
	MINIMAL_NO,
	MINIMAL_YES,
	MINIMAL_NO_AUTH,
	MINIMAL_NO_AUTH_RECURSIVE,	/* BIND 9.18's default */
};

enum conf_notify {
	NOTIFY_YES,
	NOTIFY_NO,
	NOTIFY_EXPLICIT,
	NOTIFY_PRIMARY_ONLY,	/* yes in primary zones, no in secondaries;
				 * resolved per zone, never in a zone's */
};

enum zone_type {
	ZONE_PRIMARY,
	ZONE_SECONDARY,
};

/* One listen-on or listen-on-v6 statement: the host's addresses of that
 * family that the list matches are bound, as BIND does. */
struct conf_listen {
	int		 family;	/* AF_INET or AF_INET6 */
	uint16_t	 port;		/* 0: the global port */
	struct acl	*acl;
};

struct conf_key {
	char		*name;
	char		*algorithm;
	char		*secret;	/* base64 as written */
	const char	*file;
	unsigned	 line;
};

struct conf_named_acl {
	char		*name;
	struct acl	*acl;
};

/* logging: channels and which categories go to them. */
enum conf_log_dest {
	LOGD_NULL,
	LOGD_FILE,
	LOGD_SYSLOG,
	LOGD_STDERR,
};

struct conf_channel {
	char			*name;
	enum conf_log_dest	 dest;
	char			*file;		/* LOGD_FILE */
	unsigned		 versions;	/* files kept on rotation */
	uint64_t		 size;		/* rotate above; 0: never */
	int			 facility;	/* LOGD_SYSLOG */
	int			 severity;	/* enum log_level */
	bool			 print_time;
	bool			 print_category;
	bool			 print_severity;
};

#define CONF_MAX_CHANNELS_PER_CATEGORY	8

struct conf_logging {
	struct conf_channel	*channels;	/* the predefined ones first */
	unsigned		 nchannels;
	/* per category: channel indexes; ncat[c] == 0: as "default" */
	unsigned		 cat[16][CONF_MAX_CHANNELS_PER_CATEGORY];
	unsigned		 ncat[16];
};

/* controls { unix "PATH" perm P owner U group G; }; */
/* controls { inet ADDR [port N] allow { aml } [keys { K; }]
 * [read-only B]; }: a channel for BIND's rndc. */
struct conf_rndc_channel {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	struct acl		*allow;
	unsigned		*keys;		/* indexes into conf.keys */
	unsigned		 nkeys;
	bool			 read_only;
};

struct conf_control {
	char		*path;		/* NULL: no control channel */
	unsigned	 perm;
	unsigned	 owner;
	unsigned	 group;
	struct conf_rndc_channel *inet;
	unsigned	 ninet;
};

/* statistics-channels { inet ADDR port N allow { aml }; }; */
struct conf_stats_channel {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	struct acl		*allow;		/* NULL: localhost only */
};

/* A server to transfer from or to notify: address, port, TSIG key. */
struct conf_remote {
	struct sockaddr_storage	 ss;		/* port included */
	socklen_t		 len;
	char			*key;		/* NULL: unsigned */
	/* primaries ... source ADDR { }: the local address to use; family
	 * 0: the zone's transfer-source. */
	struct sockaddr_storage	 src;
};

struct conf_remotes {
	struct conf_remote	*r;
	unsigned		 n;
};

/* primaries NAME { ... }; (or masters) */
struct conf_named_remotes {
	char			*name;
	struct conf_remotes	 list;
	const struct cfg_stmt	*st;		/* while parsing only */
};

/* Transfer settings: options give the defaults, zones override them. */
struct conf_xfr {
	int		 notify;		/* enum conf_notify */
	struct conf_remotes also_notify;
	struct acl	*allow_notify;		/* NULL: primaries only */
	uint64_t	 max_journal_size;	/* octets */
	uint32_t	 max_records;		/* 0: no limit */
	uint32_t	 max_transfer_time_in;	/* seconds */
	uint32_t	 max_transfer_idle_in;	/* seconds */
	uint32_t	 min_refresh, max_refresh;	/* seconds */
	uint32_t	 min_retry, max_retry;		/* seconds */
	/* transfer-source and notify-source: [0] IPv4 ([-v6]: [1] IPv6);
	 * family 0: any address, any port. */
	struct sockaddr_storage	 xfr_src[2];
	struct sockaddr_storage	 notify_src[2];
	bool		 request_ixfr;		/* else always AXFR */
	bool		 notify_to_soa;		/* NOTIFY the MNAME too */
	unsigned	 set;			/* which fields were given */
};

/* server ADDR[/LEN] { ... }; the tri-states are -1 when not given. */
struct conf_server {
	struct acl_elem		 prefix;
	char			*key;		/* keys { K; }, or NULL */
	int			 request_ixfr, provide_ixfr, bogus;
	struct sockaddr_storage	 xfr_src[2];	/* family 0: not given */
	struct sockaddr_storage	 notify_src[2];
};


/* The source address to bind for a remote of family af: the remote's
 * own, else its server statement's (cf may be NULL), else the zone's;
 * NULL if none is set. */
const struct sockaddr_storage *conf_xfr_source(const struct conf *cf,
	    const struct conf_xfr *, const struct conf_remote *, int af);

/*
 * rate-limit { ... }; (response rate limiting, as in BIND 9). Rates are
 * responses per second per client prefix and account; 0 is no limit.
 * A rate that was not given takes responses-per-second's, as in BIND.
 */
enum conf_rrl_rate {
	RRL_RATE_RESPONSES,
	RRL_RATE_REFERRALS,
	RRL_RATE_NODATA,
	RRL_RATE_NXDOMAINS,
	RRL_RATE_ERRORS,
	RRL_RATE_ALL,
	RRL_NRATES,
};

struct conf_rrl {
	bool		 enabled;	/* the statement was given */
	unsigned	 rate[RRL_NRATES];
	unsigned	 window;	/* seconds of debt and history */
	unsigned	 slip;		/* every Nth limited one truncated */
	unsigned	 ipv4_prefix, ipv6_prefix;	/* bits */
	unsigned	 qps_scale;	/* 0: rates are not scaled */
	unsigned	 max_table_size, min_table_size;	/* entries */
	bool		 log_only;
	struct acl	*exempt;	/* NULL: nobody */
};

/*
 * Dynamic update (RFC 2136) settings that options give to every zone:
 * allow-update, allow-update-forwarding, serial-update-method and
 * update-sync-delay (conf_update.c).
 */
struct conf_update {
	struct acl	*allow_update;		/* NULL: not given */
	struct acl	*allow_update_forwarding;	/* NULL: not given */
	enum serial_method serial_update_method;
	unsigned	 update_sync_delay;	/* seconds */
	unsigned	 set;			/* which were given */
};

struct conf_zone {
	char		*name;		/* as written, for messages */
	uint8_t		 origin[DNAME_MAXLEN];
	uint16_t	 rclass;
	enum zone_type	 type;
	char		*file;		/* resolved against directory */
	char		*journal;	/* journal "FILE", resolved; NULL:
					 * FILE.jnl, or in state_directory
					 * where FILE's directory is not
					 * the server's to write */
	struct acl	*allow_query;	/* NULL: inherit from options */
	struct acl	*allow_transfer;
	struct conf_remotes primaries;	/* secondary zones */
	struct conf_xfr	 xfr;		/* resolved against the options */
	unsigned	 max_records_per_type;	/* resolved, 0: none */
	unsigned	 max_types_per_name;
	bool		 max_records_set, max_types_set;
	/*
	 * Dynamic update, resolved against the options. Only a primary
	 * zone takes updates: a secondary's allow_update and
	 * update_policy are NULL. With an update_policy, allow_update is
	 * NULL (the policy decides alone, as in BIND). Note that
	 * acl_allows() lets everyone through a NULL list: test for NULL
	 * (or dynamic) first.
	 */
	struct acl	*allow_update;	/* NULL: none (also for { none; }) */
	struct conf_update_policy *update_policy;	/* NULL: none */
	struct acl	*allow_update_forwarding;	/* secondaries;
							 * NULL: none */
	enum serial_method serial_update_method;
	unsigned	 update_sync_delay;	/* seconds to write the zone
						 * file after a change; 0: at
						 * once */
	bool		 dynamic;	/* primary with allow_update or
					 * update_policy */
	unsigned	 update_owned;	/* conf_update.c: which ACLs the
					 * zone owns (not the options') */
	/*
	 * DNSSEC signing (conf_dnssec.c), resolved against the options.
	 * The policy points into conf->policies. A zone with one is
	 * dynamic or inline_signing (a secondary: inline_signing).
	 */
	const struct dnssec_policy *dnssec_policy;	/* NULL: none */
	bool		 inline_signing;
	char		*key_directory;	/* resolved; the server's
					 * directory if not given */
	const char	*conf_file;
	unsigned	 conf_line;
};

struct conf {
	char			*path;
	char			*directory;
	char			*state_directory;	/* journals where
							 * zone files' are
							 * not writable */
	char			*pid_file;	/* NULL: none */
	uint16_t		 port;		/* options port, or 53 */
	struct conf_listen	*listen;	/* none: BIND's defaults */
	unsigned		 nlisten;
	char			*version;	/* NULL: "none" */
	char			*hostname;	/* NULL: "none" */
	char			*view_name;	/* the one view, or NULL */
	/* update-policy local: BIND's session key (conf_session.c) */
	bool			 session_needed;
	char			*session_keyfile;	/* NULL: none */
	char			*session_keyname;
	char			*session_keyalg;
	char			*server_id;	/* NULL: "none" */
	uint16_t		 edns_udp_size;
	uint16_t		 max_udp_size;
	enum minimal_responses	 minimal_responses;
	bool			 minimal_any;
	struct acl		*allow_query;	/* NULL: any */
	struct acl		*allow_transfer;
	struct acl		*blackhole;	/* ignored clients, or NULL */
	bool			 provide_ixfr;	/* else IXFR gets the zone */
	bool			 querylog;
	bool			 answer_cookie;
	bool			 cookie_secret_set;
	uint8_t			 cookie_secret[16];	/* SipHash key */
	struct conf_xfr		 xfr;		/* defaults for zones */
	unsigned		 transfers_out;	/* at once */
	unsigned		 transfers_in;
	unsigned		 max_records_per_type;	/* 0: no limit */
	unsigned		 max_types_per_name;	/* 0: no limit */
	unsigned		 tcp_clients;
	unsigned		 tcp_clients_per_address;	/* 0: none */
	unsigned		 tcp_idle_timeout;	/* milliseconds */
	struct conf_rrl		 rrl;
	struct conf_update	 update;	/* defaults for zones */
	/* dnssec-policy statements: "default" and "insecure" first */
	struct dnssec_policy	*policies;
	unsigned		 npolicies;
	/* options' dnssec-policy (NULL: none, or not defined) and
	 * key-directory as written (NULL: directory); zones have them
	 * resolved */
	const struct dnssec_policy *dnssec_policy;
	char			*key_directory;

	struct conf_logging	 logging;
	struct conf_control	 control;
	struct conf_stats_channel *stats;
	unsigned		 nstats;

	struct conf_named_acl	*acls;
	unsigned		 nacls;
	struct conf_named_remotes *remotes;
	unsigned		 nremotes;
	struct conf_key		*keys;
	unsigned		 nkeys;
	struct conf_server	*servers;
	unsigned		 nservers;
	struct conf_zone	*zones;
	unsigned		 nzones;
	struct acl		*localhost, *localnets;
};

/*
 * Loads and checks a configuration file. Every problem goes to report;
 * warnings do not stop the load.
 * Returns: the configuration, or NULL if there was an error.
 * Ownership: caller owns the result; release with conf_free().
 */
struct conf	*conf_load(const char *path, conf_report_fn *report,
		    void *arg);
struct conf	*conf_load_string(const char *text, const char *name,
		    conf_report_fn *report, void *arg);
/*
 * Overwrites every secret in cf (TSIG key secrets, the cookie secret):
 * a child that verifies no MAC calls it on its copy of the parent's
 * configuration.
 */
/* Overwrites every key secret and the cookie secret; with keep_control,
 * the secrets of keys an rndc channel names stay (the control process
 * verifies rndc's messages with them). */
void	conf_wipe_secrets(struct conf *, bool keep_control);

/*
 * The session key of update-policy local, when a zone has it: made (or
 * taken over from prev, a reconfig's old configuration), added to cf's
 * keys and written to session-keyfile (the parent); or read back from
 * that file (apex-xferd). Nothing without such a zone.
 * Returns: 0, or -1 (errno set).
 */
int	conf_session_make(struct conf *cf, const struct conf *prev);
int	conf_session_read(struct conf *cf);

/* The server statement with the longest prefix holding sa, or NULL. */
const struct conf_server *conf_find_server(const struct conf *,
	    const struct sockaddr *sa);
void	conf_free(struct conf *);

/* The zone with this origin (case-insensitive), or NULL. */
/* Whether zone z is served signed by apex (a primary or secondary with
 * a dnssec-policy). */
bool	conf_zone_signed(const struct conf_zone *z);
/* Where zone z's signed copy is kept, NAME.signed in its key directory
 * (the name escaped as journal_state_path() does), and the journal of
 * its signed versions, NAME.signed.jnl, which IXFR is served from. */
void	conf_signed_path(const struct conf_zone *z, bool journal, char *path,
	    size_t n);
const struct conf_zone	*conf_find_zone(const struct conf *,
			    const uint8_t *origin);

#endif
