/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * rndc's control channel. Runs in: control (unprivileged, seccomp).
 *
 * A connection from an address the channel's allow list admits sends
 * messages signed with one of the channel's keys; the first gets a
 * nonce, which every later one must carry (so a recorded command cannot
 * be played again on a new connection), and each later one is a command
 * line. status and zonestatus are answered here from the state report,
 * in BIND's words; the rest go to the parent as apex-ctl's requests do,
 * and the reply is worded as BIND's is where scripts read it. A message
 * that fails any check closes the connection, as BIND does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <openssl/crypto.h>

#include "acl.h"
#include "base64.h"
#include "isccc.h"
#include "log.h"
#include "msg.h"
#include "rndc.h"
#include "sbuf.h"

#define RNDC_MAX_CONNS	8	/* rndc connections at once */
#define RNDC_IDLE	60	/* seconds a connection may idle */
#define RNDC_SKEW	300	/* seconds of clock difference, as BIND */
#define RNDC_OUT_MAX	(MSG_MAXPAYLOAD + 4096)

/* BIND 9.18's result codes, which rndc -r prints by name. */
#define R_SUCCESS	0
#define R_NOTFOUND	23
#define R_FAILURE	25
#define R_UNKNOWNCOMMAND 172
#define R_NOTDYNAMIC	181

struct rndc_key {
	enum isccc_alg	 alg;
	uint8_t		 secret[256];
	size_t		 len;
};

struct rndc_channel {
	const struct conf_rndc_channel *conf;
	struct rndc_key	*keys;
	unsigned	 nkeys;
};

struct rndc_conn {
	int		 fd;		/* -1: free */
	struct event	*rev, *wev;
	const struct rndc_channel *ch;
	const struct rndc_key *key;	/* the key that signed the first */
	char		 peer[64];
	uint8_t		 in[4 + ISCCC_MSG_MAX];
	size_t		 inlen;
	uint8_t		*out;
	size_t		 outlen, outoff;
	uint32_t	 nonce;		/* 0: not given yet */
	uint32_t	 ser;		/* the request's serial */
	uint32_t	 req;		/* waiting for the parent */
	char		 type[1024];	/* the command line */
};

static struct {
	const struct conf	*conf;
	struct event_base	*base;
	struct rndc_channel	*ch;
	unsigned		 nch;
	struct rndc_conn	 conns[RNDC_MAX_CONNS];
	long			 cpus;
	char			 conf_path[4096];
} r;

static void	conn_readable(evutil_socket_t, short, void *);

/* ---- replies ------------------------------------------------------- */

static void
conn_close(struct rndc_conn *cn)
{
	if (cn->rev != NULL)
		event_free(cn->rev);
	if (cn->wev != NULL)
		event_free(cn->wev);
	close(cn->fd);
	free(cn->out);
	memset(cn, 0, sizeof(*cn));
	cn->fd = -1;
}

static void
conn_flush(struct rndc_conn *cn)
{
	while (cn->outoff < cn->outlen) {
		ssize_t n = send(cn->fd, cn->out + cn->outoff,
		    cn->outlen - cn->outoff, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			event_add(cn->wev, NULL);
			return;
		}
		if (n <= 0) {
			conn_close(cn);
			return;
		}
		cn->outoff += (size_t)n;
	}
	free(cn->out);
	cn->out = NULL;
	cn->outlen = cn->outoff = 0;
}

static void
conn_writable(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	conn_flush(arg);
}

/*
 * Answers the message in hand: _ctrl with the request's serial, the
 * times, _rpl and the nonce; _data with the command, the result and,
 * if any, err and text. Signed with the key the request was.
 */
static void
conn_reply(struct rndc_conn *cn, uint32_t result, const char *err,
    const char *text)
{
	struct isccc_writer w;
	uint32_t now = (uint32_t)time(NULL);

	cn->out = xmalloc(RNDC_OUT_MAX);
	isccc_w_init(&w, cn->out, RNDC_OUT_MAX, cn->key->alg);
	isccc_w_table(&w, "_ctrl");
	isccc_w_u32(&w, "_ser", cn->ser);
	isccc_w_u32(&w, "_tim", now);
	isccc_w_u32(&w, "_exp", now + 60);
	isccc_w_str(&w, "_rpl", "1");
	isccc_w_u32(&w, "_nonce", cn->nonce);
	isccc_w_end(&w);
	isccc_w_table(&w, "_data");
	isccc_w_str(&w, "type", cn->type);
	isccc_w_u32(&w, "result", result);
	if (err != NULL)
		isccc_w_str(&w, "err", err);
	if (text != NULL && *text != '\0')
		isccc_w_str(&w, "text", text);
	isccc_w_end(&w);
	cn->outlen = isccc_w_finish(&w, cn->key->secret, cn->key->len);
	cn->outoff = 0;
	if (cn->outlen == 0) {
		conn_close(cn);
		return;
	}
	conn_flush(cn);
}

/* ---- BIND's status and zonestatus ------------------------------ */

static void
http_date(char *buf, size_t size, uint64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void
render_bind_status(const struct server_view *v, struct sbuf *out)
{
	char when[64];
	sbuf_printf(out, "version: %s\n", r.conf->version);
	sbuf_printf(out, "running on %s: Linux\n", r.conf->hostname);
	http_date(when, sizeof(when), v->started);
	sbuf_printf(out, "boot time: %s\n", when);
	sbuf_printf(out, "configuration file: %s\n", r.conf_path);
	sbuf_printf(out, "CPUs found: %ld\n", r.cpus);
	sbuf_printf(out, "worker threads: %u\n", v->nworkers);
	sbuf_printf(out, "number of zones: %u (0 automatic)\n", v->nzones);
	sbuf_printf(out, "debug level: 0\n");
	sbuf_printf(out, "query logging is %s\n", v->querylog ? "ON" : "OFF");
	if (v->workers_up == v->nworkers)
		sbuf_printf(out, "server is up and running");
	else
		sbuf_printf(out, "server is up: %u of %u workers running",
		    v->workers_up, v->nworkers);
}

static void
render_bind_zonestatus(const struct zone_view *z, struct sbuf *out)
{
	char when[64];

	sbuf_printf(out, "name: %s\ntype: %s\n", z->name,
	    z->secondary ? "secondary" : "primary");
	if (z->file != NULL && *z->file != '\0')
		sbuf_printf(out, "files: %s\n", z->file);
	sbuf_printf(out, "serial: %u\n", z->serial);
	if (z->loaded_at != 0) {
		http_date(when, sizeof(when), z->loaded_at);
		sbuf_printf(out, "last loaded: %s\n", when);
	}
	if (z->secondary && z->next_refresh != 0) {
		http_date(when, sizeof(when), z->next_refresh);
		sbuf_printf(out, "next refresh: %s\n", when);
	}
	if (z->secondary && z->expires != 0) {
		http_date(when, sizeof(when), z->expires);
		sbuf_printf(out, "expires: %s\n", when);
	}
	sbuf_printf(out, "secure: %s\n", z->is_signed ? "yes" : "no");
	if (z->is_signed) {
		sbuf_printf(out, "inline signing: yes\n");
		sbuf_printf(out, "key maintenance: automatic\n");
		if (z->next_key_event != 0) {
			http_date(when, sizeof(when), z->next_key_event);
			sbuf_printf(out, "next key event: %s\n", when);
		}
		if (z->next_resign != 0) {
			http_date(when, sizeof(when), z->next_resign);
			sbuf_printf(out, "next resign time: %s\n", when);
		}
	}
	sbuf_printf(out, "dynamic: %s\n", z->dynamic ? "yes" : "no");
	if (z->dynamic)
		sbuf_printf(out, "frozen: %s\n", z->frozen ? "yes" : "no");
	sbuf_printf(out, "reconfigurable via modzone: no");
}

/* ---- commands ------------------------------------------------------ */

enum {
	C_RO = 0x1,		/* allowed on a read-only channel */
	C_ZONE = 0x2,		/* takes ZONE [CLASS [VIEW]] */
	C_NEEDZONE = 0x4,	/* ... and must have it */
	C_LOCAL = 0x8,		/* answered here */
};

static const struct rndc_cmd {
	const char	*name;
	uint32_t	 ctl;
	unsigned	 flags;
	const char	*done;		/* BIND's text on success */
} cmds[] = {
	{ "null", 0, C_RO | C_LOCAL, NULL },
	{ "status", CTL_STATUS, C_RO | C_LOCAL, NULL },
	{ "zonestatus", CTL_ZONESTATUS, C_RO | C_LOCAL | C_ZONE | C_NEEDZONE,
	    NULL },
	{ "reload", CTL_RELOAD, C_ZONE, NULL },
	{ "reconfig", CTL_RECONFIG, 0, "" },
	{ "refresh", CTL_REFRESH, C_ZONE | C_NEEDZONE,
	    "zone refresh queued" },
	{ "retransfer", CTL_RETRANSFER, C_ZONE | C_NEEDZONE, "" },
	{ "notify", CTL_NOTIFY, C_ZONE | C_NEEDZONE, "zone notify queued" },
	{ "stats", CTL_STATS, C_LOCAL, NULL },
	{ "querylog", CTL_QUERYLOG, 0, "" },
	{ "stop", CTL_STOP, 0, "" },
	{ "halt", CTL_HALT, 0, "" },
	{ "reopen", CTL_REOPEN, 0, "" },
	{ "closelogs", CTL_REOPEN, 0, "" },
	{ "freeze", CTL_FREEZE, C_ZONE | C_NEEDZONE, "" },
	{ "thaw", CTL_THAW, C_ZONE | C_NEEDZONE,
	    "The zone reload and thaw was successful." },
	{ "unfreeze", CTL_THAW, C_ZONE | C_NEEDZONE,
	    "The zone reload and thaw was successful." },
	{ "sync", CTL_SYNC, C_ZONE, "" },
	{ "sign", CTL_SIGN, C_ZONE | C_NEEDZONE, "" },
	{ "loadkeys", CTL_SIGN, C_ZONE | C_NEEDZONE, "" },
	{ "dnssec", CTL_DNSSEC, 0, NULL },
};

/* Splits a command line into at most max words ("..." quoting as rndc
 * writes it). Returns: the count, or -1 if there are more. */
static int
split(char *s, char **w, int max)
{
	int n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (*s == '\0')
			return n;
		if (n == max)
			return -1;
		if (*s == '"') {
			w[n++] = ++s;
			s += strcspn(s, "\"");
		} else {
			w[n++] = s;
			s += strcspn(s, " \t\n");
		}
		if (*s != '\0')
			*s++ = '\0';
	}
}

static bool
same_zone(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 1 && a[la - 1] == '.')
		la--;
	if (lb > 1 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

static const struct zone_view *
find_zone(const char *name)
{
	const struct server_view *v = control_view();

	for (uint32_t i = 0; v->zones != NULL && i < v->nzones; i++)
		if (same_zone(v->zones[i].name, name))
			return &v->zones[i];
	return NULL;
}

/*
 * ZONE [CLASS [VIEW]] at w[0..n): the zone, which exists in the class
 * IN of the default view (or the one view). Replies and returns NULL if
 * not.
 */
static const struct zone_view *
zone_arg(struct rndc_conn *cn, char **w, int n)
{
	const struct zone_view *z;
	char text[1200];

	if (n > 3 || (n >= 2 && strcasecmp(w[1], "IN") != 0)) {
		conn_reply(cn, R_FAILURE, "failure", "unknown class or too "
		    "many arguments: apex serves class IN in one view");
		return NULL;
	}
	/* The view: _default, or the one view the configuration has. */
	bool view = n < 3 || strcmp(w[2], "_default") == 0 ||
	    (r.conf->view_name != NULL && strcmp(w[2], r.conf->view_name) ==
	    0);
	if ((z = find_zone(w[0])) == NULL || !view) {
		snprintf(text, sizeof(text), "no matching zone '%s' in %s",
		    w[0], n == 3 ? "that view" : "any view");
		conn_reply(cn, R_NOTFOUND, "not found", text);
		return NULL;
	}
	return z;
}

static void
command_local(struct rndc_conn *cn, const struct rndc_cmd *c,
    const struct zone_view *z)
{
	struct sbuf out;

	sbuf_init(&out);
	if (c->ctl == CTL_STATUS)
		render_bind_status(control_view(), &out);
	else if (c->ctl == CTL_ZONESTATUS)
		render_bind_zonestatus(z, &out);
	else if (c->ctl == CTL_STATS)
		control_stats_text(&out);
	conn_reply(cn, R_SUCCESS, NULL, out.s);
	sbuf_free(&out);
}

/* The argument apex's command takes, from rndc's words after the name. */
static void
command_arg(const struct rndc_cmd *c, char **w, int n,
    const struct zone_view *z, char *arg, size_t size)
{
	arg[0] = '\0';
	if (z != NULL) {
		snprintf(arg, size, "%s", z->name);
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *a = w[i];
		if (c->ctl == CTL_QUERYLOG && (strcasecmp(a, "yes") == 0 ||
		    strcasecmp(a, "true") == 0))
			a = "on";
		else if (c->ctl == CTL_QUERYLOG && (strcasecmp(a, "no") == 0
		    || strcasecmp(a, "false") == 0))
			a = "off";
		size_t len = strlen(arg);
		snprintf(arg + len, size - len, "%s%s", i > 0 ? " " : "", a);
	}
}

/* Whether the zone's configuration says notify no. */
static bool
notify_off(const char *name)
{
	for (unsigned i = 0; i < r.conf->nzones; i++)
		if (same_zone(r.conf->zones[i].name, name))
			return r.conf->zones[i].xfr.notify == NOTIFY_NO;
	return false;
}

/* BIND's answer when a zone is not of the kind a command needs: true
 * if it was given. */
static bool
zone_refused(struct rndc_conn *cn, const struct rndc_cmd *c,
    const struct zone_view *z)
{
	if (c->ctl == CTL_REFRESH && !z->secondary)
		conn_reply(cn, R_FAILURE, "failure",
		    "not a secondary, mirror, or stub zone");
	else if (c->ctl == CTL_RETRANSFER && !z->secondary)
		conn_reply(cn, R_FAILURE, "failure",
		    "retransfer: inappropriate zone type: primary");
	else if ((c->ctl == CTL_FREEZE || c->ctl == CTL_THAW ||
	    c->ctl == CTL_SYNC) && !z->dynamic)
		conn_reply(cn, R_NOTDYNAMIC, "not dynamic", NULL);
	else if (c->ctl == CTL_NOTIFY && notify_off(z->name))
		/* BIND queues it and sends nothing; apex-ctl says why
		 * nothing is sent. */
		conn_reply(cn, R_SUCCESS, NULL, "zone notify queued");
	else
		return false;
	return true;
}

/* The command a line starts with, or NULL. */
static const struct rndc_cmd *
find_cmd(const char *line)
{
	size_t n = strcspn(line, " \t\n");

	for (size_t i = 0; i < nitems(cmds); i++)
		if (strlen(cmds[i].name) == n &&
		    strncasecmp(line, cmds[i].name, n) == 0)
			return &cmds[i];
	return NULL;
}

static const struct timeval rndc_idle = { RNDC_IDLE, 0 };

static void
command(struct rndc_conn *cn)
{
	char line[sizeof(cn->type)], *w[16], arg[1024];
	const struct rndc_cmd *c = NULL;
	const struct zone_view *z = NULL;
	int n;

	memcpy(line, cn->type, sizeof(line));
	if ((n = split(line, w, (int)nitems(w))) <= 0) {
		conn_reply(cn, R_UNKNOWNCOMMAND, "unknown command", NULL);
		return;
	}
	if ((c = find_cmd(w[0])) == NULL) {
		conn_reply(cn, R_UNKNOWNCOMMAND, "unknown command", NULL);
		return;
	}
	log_cat(LOGC_GENERAL, c->ctl == 0 || c->ctl == CTL_STATUS ?
	    LOG_LEVEL_DEBUG : LOG_LEVEL_INFO,
	    "received control channel command '%s' from %s", cn->type,
	    cn->peer);
	if (cn->ch->conf->read_only && !(c->flags & C_RO)) {
		log_cat(LOGC_SECURITY, LOG_LEVEL_WARN, "rejecting restricted "
		    "control channel command '%s'", cn->type);
		conn_reply(cn, R_FAILURE, "failure", NULL);
		return;
	}
	/* sync -clean: the journal is folded into the file anyway. */
	if (c->ctl == CTL_SYNC && n > 1 && strcmp(w[1], "-clean") == 0) {
		for (int i = 1; i + 1 < n; i++)
			w[i] = w[i + 1];
		n--;
	}
	if ((c->flags & C_NEEDZONE) && n < 2) {
		conn_reply(cn, R_FAILURE, "failure", "a zone name is needed");
		return;
	}
	if ((c->flags & C_ZONE) && n >= 2 &&
	    (z = zone_arg(cn, w + 1, n - 1)) == NULL)
		return;
	if (c->ctl == 0) {
		conn_reply(cn, R_SUCCESS, NULL, NULL);
		return;
	}
	if (z != NULL && zone_refused(cn, c, z))
		return;
	if (c->flags & C_LOCAL) {
		command_local(cn, c, z);
		return;
	}
	command_arg(c, w + 1, n - 1, z, arg, sizeof(arg));
	cn->req = control_forward(c->ctl, 0, arg);
	event_del(cn->rev);	/* one command at a time */
}

/* The text BIND gives for a command apex has done. */
static const char *
done_text(const struct rndc_cmd *c, const char *line, const char *apex)
{
	if (c->ctl == CTL_RELOAD) {
		bool zone = strchr(line, ' ') != NULL;
		if (!zone)
			return "server reload successful";
		return strstr(apex, "no zone file changed") != NULL ?
		    "zone reload up-to-date" : "zone reload successful";
	}
	return c->done != NULL ? c->done : apex;
}

bool
rndc_parent_reply(uint32_t id, bool ok, const char *text)
{
	for (unsigned i = 0; i < RNDC_MAX_CONNS; i++) {
		struct rndc_conn *cn = &r.conns[i];
		if (cn->fd < 0 || cn->req != id || id == 0)
			continue;
		cn->req = 0;
		const struct rndc_cmd *c = find_cmd(cn->type +
		    strspn(cn->type, " \t\n"));
		if (c == NULL)
			conn_reply(cn, R_FAILURE, "failure", text);
		else if (ok)
			conn_reply(cn, R_SUCCESS, NULL,
			    done_text(c, cn->type, text));
		else
			conn_reply(cn, R_FAILURE, "failure", text);
		if (cn->fd >= 0)
			event_add(cn->rev, &rndc_idle);
		return true;
	}
	return false;
}

/* ---- messages ------------------------------------------------------ */

/* The key of the channel that signed m, or NULL. */
static const struct rndc_key *
message_key(const struct rndc_conn *cn, const struct isccc_msg *m)
{
	for (unsigned i = 0; i < cn->ch->nkeys; i++) {
		const struct rndc_key *k = &cn->ch->keys[i];
		if (isccc_verify(m, k->alg, k->secret, k->len))
			return k;
	}
	return NULL;
}

/* Why a signed message is not to be obeyed, or NULL: a reply, a time
 * too far from ours, an expiry passed, a wrong or missing nonce, no
 * command. */
static const char *
message_refused(struct rndc_conn *cn, const struct isccc_msg *m)
{
	uint32_t tim, exp, nonce;
	int64_t now = (int64_t)time(NULL);
	struct isccc_region v;

	if (m->ctrl.p == NULL || m->data.p == NULL)
		return "no _ctrl or _data";
	if (isccc_lookup(m->ctrl, "_rpl", ISCCC_BINARY, &v))
		return "a reply";
	if (!isccc_get_u32(m->ctrl, "_ser", &cn->ser) ||
	    !isccc_get_u32(m->ctrl, "_tim", &tim))
		return "no serial or time";
	if (tim + (int64_t)RNDC_SKEW < now || tim - (int64_t)RNDC_SKEW > now)
		return "clock skew";
	if (isccc_get_u32(m->ctrl, "_exp", &exp) && now > exp)
		return "expired";
	if (cn->nonce != 0 && (!isccc_get_u32(m->ctrl, "_nonce", &nonce) ||
	    nonce != cn->nonce))
		return "bad nonce";
	if (!isccc_get_str(m->data, "type", cn->type, sizeof(cn->type)))
		return "no command";
	return NULL;
}

static void
message(struct rndc_conn *cn, const uint8_t *buf, size_t len)
{
	struct isccc_msg m;
	const struct rndc_key *k;
	const char *why = "malformed";

	if (isccc_parse(buf, len, &m) != 0)
		goto refuse;
	why = "bad auth";
	/* Every message of a connection is signed with the same key. */
	if ((k = message_key(cn, &m)) == NULL ||
	    (cn->key != NULL && k != cn->key))
		goto refuse;
	cn->key = k;
	if ((why = message_refused(cn, &m)) != NULL)
		goto refuse;
	if (cn->nonce == 0) {
		while (cn->nonce == 0)
			if (getrandom(&cn->nonce, sizeof(cn->nonce), 0) !=
			    sizeof(cn->nonce))
				fatal("getrandom");
		conn_reply(cn, R_SUCCESS, NULL, NULL);
		return;
	}
	command(cn);
	return;
refuse:
	log_cat(LOGC_SECURITY, LOG_LEVEL_WARN,
	    "invalid command from %s: %s", cn->peer, why);
	conn_close(cn);
}

static void
conn_readable(evutil_socket_t fd, short events, void *arg)
{
	struct rndc_conn *cn = arg;

	if (events & EV_TIMEOUT) {
		conn_close(cn);
		return;
	}
	size_t want = cn->inlen < 4 ? 4 : 4 + (size_t)(cn->in[0] << 24 |
	    cn->in[1] << 16 | cn->in[2] << 8 | cn->in[3]);
	ssize_t n = recv(fd, cn->in + cn->inlen, want - cn->inlen, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(cn);
		return;
	}
	cn->inlen += (size_t)n;
	if (cn->inlen == 4) {
		uint32_t len = (uint32_t)cn->in[0] << 24 |
		    (uint32_t)cn->in[1] << 16 | (uint32_t)cn->in[2] << 8 |
		    cn->in[3];
		if (len < 4 || len > ISCCC_MSG_MAX) {
			log_cat(LOGC_SECURITY, LOG_LEVEL_WARN, "invalid "
			    "command from %s: length %u", cn->peer, len);
			conn_close(cn);
		}
		return;
	}
	if (cn->inlen < want)
		return;
	cn->inlen = 0;
	if (cn->out != NULL) {	/* rndc sends one message at a time */
		conn_close(cn);
		return;
	}
	message(cn, cn->in + 4, want - 4);
}

/* ---- listeners ----------------------------------------------------- */

static void
rndc_accept(evutil_socket_t lfd, short events, void *arg)
{
	const struct rndc_channel *ch = arg;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	char peer[64];

	(void)events;
	if (fd < 0)
		return;
	sockaddr_str((struct sockaddr *)&ss, peer, sizeof(peer));
	if (!acl_allows(ch->conf->allow, (struct sockaddr *)&ss, NULL)) {
		log_cat(LOGC_SECURITY, LOG_LEVEL_WARN, "rejected command "
		    "channel message from %s", peer);
		close(fd);
		return;
	}
	for (unsigned i = 0; i < RNDC_MAX_CONNS; i++) {
		struct rndc_conn *cn = &r.conns[i];
		if (cn->fd >= 0)
			continue;
		cn->fd = fd;
		cn->ch = ch;
		snprintf(cn->peer, sizeof(cn->peer), "%s", peer);
		cn->rev = event_new(r.base, fd, EV_READ | EV_PERSIST,
		    conn_readable, cn);
		cn->wev = event_new(r.base, fd, EV_WRITE, conn_writable, cn);
		if (cn->rev == NULL || cn->wev == NULL ||
		    event_add(cn->rev, &rndc_idle) != 0)
			fatalx("rndc connection event");
		return;
	}
	log_cat(LOGC_SECURITY, LOG_LEVEL_WARN, "rndc: too many connections; "
	    "%s refused", peer);
	close(fd);
}

/* A key's secret, decoded now: the configuration's copy is base64. */
static int
key_load(const struct conf_key *ck, struct rndc_key *k)
{
	int n;

	if (isccc_alg_from_str(ck->algorithm, &k->alg) != 0 ||
	    (n = base64_decode(ck->secret, k->secret, sizeof(k->secret))) <= 0)
		return -1;
	k->len = (size_t)n;
	return 0;
}

void
rndc_init(const struct conf *cf, const int *fds, unsigned n,
    struct event_base *base)
{
	r.conf = cf;
	r.base = base;
	/* sysconf() reads /sys: not from inside the sandbox. */
	if ((r.cpus = sysconf(_SC_NPROCESSORS_ONLN)) < 1)
		r.cpus = 1;
	if (realpath(cf->path, r.conf_path) == NULL)
		snprintf(r.conf_path, sizeof(r.conf_path), "%s", cf->path);
	for (unsigned i = 0; i < RNDC_MAX_CONNS; i++)
		r.conns[i].fd = -1;
	r.nch = n;
	r.ch = xcalloc(n + 1, sizeof(*r.ch));
	for (unsigned i = 0; i < n; i++) {
		struct rndc_channel *ch = &r.ch[i];
		ch->conf = &cf->control.inet[i];
		ch->keys = xcalloc(ch->conf->nkeys + 1, sizeof(*ch->keys));
		for (unsigned k = 0; k < ch->conf->nkeys; k++)
			if (key_load(&cf->keys[ch->conf->keys[k]],
			    &ch->keys[ch->nkeys]) == 0)
				ch->nkeys++;
		struct event *ev = event_new(base, fds[i], EV_READ |
		    EV_PERSIST, rndc_accept, ch);
		if (ev == NULL || event_add(ev, NULL) != 0)
			fatalx("rndc channel");
	}
	/* OpenSSL sets its HMAC up on first use: here, before the
	 * sandbox, rather than inside it. */
	struct isccc_writer w;
	uint8_t buf[256];
	isccc_w_init(&w, buf, sizeof(buf), ISCCC_HMAC_SHA256);
	(void)isccc_w_finish(&w, buf, 16);
	OPENSSL_cleanse(buf, sizeof(buf));
}
