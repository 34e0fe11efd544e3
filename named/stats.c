/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The shared counters (see stats.h).
 * Runs in: parent (mapping), workers (counting), control (reading).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "config.h"
#include "log.h"
#include "pkt.h"
#include "reload.h"
#include "rr.h"
#include "sbuf.h"
#include "stats.h"

const unsigned stats_size_le[STATS_NSIZE - 1] = {
	64, 128, 256, 512, 1232, 4096, 16384,
};
const unsigned stats_lat_le_us[STATS_NLAT - 1] = {
	10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
};

static const struct {
	uint16_t	 type;
	const char	*name;
} qtypes[STATS_NQTYPE - 1] = {
#define X(n, v) { v, #n },
	STATS_QTYPES
#undef X
};

/* A block's memfd is sized to whole pages and sealed at that size: a
 * worker cannot shrink it under the control process (SIGBUS). */
static size_t
block_size(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t page = pg > 0 ? (size_t)pg : 4096;

	return (sizeof(struct stats_block) + page - 1) / page * page;
}

void
stats_set_create(struct stats_set *set, unsigned n)
{
	char path[64];

	set->n = n;
	set->fd = xcalloc(n + 1, sizeof(int));
	set->ro = xcalloc(n + 1, sizeof(int));
	for (unsigned k = 0; k < n; k++) {
		int fd = memfd_create("apex-counters", MFD_CLOEXEC |
		    MFD_ALLOW_SEALING);
		if (fd < 0 || ftruncate(fd, (off_t)block_size()) != 0 ||
		    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
		    F_SEAL_SEAL) != 0)
			fatal("counters");
		/* A second, read-only open of the same memory: mapped from
		 * it, the control process can never make its view
		 * writable (mprotect needs a writable file). */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		int ro = open(path, O_RDONLY | O_CLOEXEC);
		if (ro < 0)
			fatal("counters: %s", path);
		set->fd[k] = fd;
		set->ro[k] = ro;
	}
}

struct stats_block *
stats_block_map(int fd, bool writable)
{
	void *b = mmap(NULL, block_size(), writable ? PROT_READ | PROT_WRITE :
	    PROT_READ, MAP_SHARED, fd, 0);

	return b == MAP_FAILED ? NULL : b;
}

unsigned
stats_qtype_index(uint16_t qtype)
{
	/* The common ones first: this runs for every query. */
	switch (qtype) {
	case TYPE_A:
		return 0;
	case TYPE_AAAA:
		return 7;
	}
	for (unsigned i = 0; i < STATS_NQTYPE - 1; i++)
		if (qtypes[i].type == qtype)
			return i;
	return STATS_NQTYPE - 1;
}

const char *
stats_qtype_name(unsigned i)
{
	return i < STATS_NQTYPE - 1 ? qtypes[i].name : "other";
}

void
stats_latency(struct stats_block *b, uint64_t ns, unsigned n)
{
	unsigned s = 0;
	uint64_t us = ns / 1000;

	while (s < STATS_NLAT - 1 && us > stats_lat_le_us[s])
		s++;
	b->latency[s] += n;
	b->latency_sum_ns += ns * n;
}

void
stats_sum(struct stats_block *const *blocks, unsigned n,
    struct stats_block *out)
{
	const uint64_t *src;
	uint64_t *dst = (uint64_t *)(void *)out;
	size_t words = sizeof(*out) / sizeof(uint64_t);

	memset(out, 0, sizeof(*out));
	for (unsigned k = 0; k < n; k++) {
		src = (const uint64_t *)(const void *)blocks[k];
		for (size_t i = 0; i < words; i++)
			dst[i] += __atomic_load_n(&src[i], __ATOMIC_RELAXED);
	}
}

/* ---- rendering ---------------------------------------------------- */

static const char *const status_names[] = { "none", "ok", "failed" };

void
server_view_free(struct server_view *v)
{
	for (uint32_t i = 0; i < v->nzones; i++) {
		free(v->zones[i].name);
		free(v->zones[i].file);
		free(v->zones[i].error);
		free(v->zones[i].xfr_error);
		free(v->zones[i].sign_error);
	}
	free(v->zones);
	memset(v, 0, sizeof(*v));
}

/* A signed zone is degraded while its signing fails, and when its
 * earliest signature expires within signatures-refresh (the re-signing
 * that should have happened did not). */
static bool
zone_signing_healthy(const struct zone_view *z, struct sbuf *why)
{
	uint64_t now = (uint64_t)time(NULL);

	if (!z->is_signed || !z->serving)
		return true;
	if (z->sign_failing) {
		sbuf_printf(why, "zone %s: signing failed: %s\n", z->name,
		    z->sign_error ? z->sign_error : "");
		return false;
	}
	/* The run is due at expiry - refresh; a moment's grace for it. */
	uint64_t grace = z->sig_refresh / 10 < 60 ? z->sig_refresh / 10 : 60;
	if (z->sig_expiry != 0 && z->sig_expiry + grace < now +
	    z->sig_refresh) {
		sbuf_printf(why, "zone %s: a signature expires in %llu s\n",
		    z->name, (unsigned long long)(z->sig_expiry > now ?
		    z->sig_expiry - now : 0));
		return false;
	}
	return true;
}

int
server_view_healthy(const struct server_view *v, struct sbuf *why)
{
	int ok = 1;

	if (v->workers_up < v->nworkers) {
		sbuf_printf(why, "%u of %u workers up\n", v->workers_up,
		    v->nworkers);
		ok = 0;
	}
	for (uint32_t i = 0; i < v->nzones; i++)
		if (!v->zones[i].serving) {
			sbuf_printf(why, "zone %s %s\n", v->zones[i].name,
			    v->zones[i].expired ? "expired" :
			    v->zones[i].secondary ? "not transferred yet" :
			    "not loaded");
			ok = 0;
		}
	for (uint32_t i = 0; i < v->nzones; i++)
		if (!zone_signing_healthy(&v->zones[i], why))
			ok = 0;
	if (!v->xferd_up) {
		sbuf_printf(why, "apex-xferd not running\n");
		ok = 0;
	}
	if ((v->signer & SIGNER_WANTED) && !(v->signer & SIGNER_UP)) {
		sbuf_printf(why, "signer not running (signed zones serve "
		    "their last signed version)\n");
		ok = 0;
	}
	if (v->started == 0) {
		sbuf_printf(why, "starting\n");
		ok = 0;
	}
	return ok;
}

static const char *
when(uint64_t t, char *buf, size_t size)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t == 0)
		return "never";
	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

void
render_status(const struct server_view *v, int json, struct sbuf *b)
{
	unsigned serving = 0, failed = 0;
	char t[32];

	for (uint32_t i = 0; i < v->nzones; i++) {
		serving += v->zones[i].serving;
		failed += v->zones[i].status == 2;
	}
	if (json) {
		sbuf_printf(b, "{\"version\":\"%s\",\"started\":\"%s\","
		    "\"workers\":%u,\"workers_up\":%u,\"restarts\":%llu,"
		    "\"reloads\":%llu,\"zones\":%u,\"zones_serving\":%u,"
		    "\"zones_failed\":%u,\"querylog\":%s,"
		    "\"reload_running\":%s,\"xferd_up\":%s}\n", PACKAGE_VERSION,
		    when(v->started, t, sizeof(t)), v->nworkers, v->workers_up,
		    (unsigned long long)v->restarts,
		    (unsigned long long)v->reloads, v->nzones, serving, failed,
		    v->querylog ? "true" : "false", v->busy ? "true" : "false",
		    v->xferd_up ? "true" : "false");
		return;
	}
	sbuf_printf(b, "version: apex %s\nstarted: %s\nworkers: %u of %u "
	    "up\nrestarts: %llu\nreloads: %llu\nzones: %u (%u serving, %u "
	    "failed the last load)\nquery logging: %s\nreload running: "
	    "%s\napex-xferd: %s\n", PACKAGE_VERSION, when(v->started, t,
	    sizeof(t)), v->workers_up, v->nworkers,
	    (unsigned long long)v->restarts, (unsigned long long)v->reloads,
	    v->nzones, serving, failed, v->querylog ? "on" : "off",
	    v->busy ? "yes" : "no", v->xferd_up ? "up" : "down");
}

/* The names of struct zone_view's xfr_count[], in their order. */
static const char *const xfr_count_names[XFR_STATE_COUNTERS] = {
	"transfers_out", "transfers_out_failed", "transfers_in",
	"transfers_in_failed", "notify_sent", "notify_received",
	"refresh_failures", "updates", "updates_rejected",
	"updates_refused", "updates_failed", "updates_within_1ms",
	"updates_within_5ms", "updates_within_10ms", "updates_within_50ms",
	"updates_within_100ms", "updates_within_500ms", "updates_within_1s",
	"updates_slower", "update_latency_sum_us",
};

/* Where the update counters start in xfr_count[]. */
#define ZC_UPD		7
#define ZC_UPD_LATENCY	(ZC_UPD + 4)
#define ZC_UPD_SUM	(ZC_UPD_LATENCY + XFR_UPDATE_BUCKETS)

static void
zonestatus_signing_json(const struct zone_view *z, struct sbuf *b)
{
	char t[32];

	sbuf_printf(b, ",\"signed\":true,\"signing_failing\":%s,"
	    "\"signature_expiry\":\"%s\",", z->sign_failing ? "true" :
	    "false", when(z->sig_expiry, t, sizeof(t)));
	sbuf_printf(b, "\"next_signing\":\"%s\",", when(z->next_resign, t,
	    sizeof(t)));
	sbuf_printf(b, "\"next_key_event\":\"%s\",\"signing_runs\":%llu,"
	    "\"signing_failures\":%llu,\"signatures_made\":%llu,"
	    "\"keys\":{\"ksk\":%u,\"zsk\":%u,\"csk\":%u},"
	    "\"last_signing_error\":", when(z->next_key_event, t, sizeof(t)),
	    (unsigned long long)z->sign_runs,
	    (unsigned long long)z->sign_failures,
	    (unsigned long long)z->sigs_made, z->keys[0], z->keys[1],
	    z->keys[2]);
	sbuf_json_str(b, z->sign_error ? z->sign_error : "");
}

static void
zonestatus_signing_text(const struct zone_view *z, struct sbuf *b)
{
	char t[32];

	sbuf_printf(b, "signed: yes%s\n", z->sign_failing ?
	    " (the last signing run failed)" : "");
	sbuf_printf(b, "earliest signature expiry: %s\n", when(z->sig_expiry,
	    t, sizeof(t)));
	sbuf_printf(b, "next signing: %s\n", when(z->next_resign, t,
	    sizeof(t)));
	sbuf_printf(b, "next key event: %s\n", when(z->next_key_event, t,
	    sizeof(t)));
	sbuf_printf(b, "signing runs: %llu (%llu failed), %llu signatures "
	    "made\nkeys: %u KSK, %u ZSK, %u CSK\n",
	    (unsigned long long)z->sign_runs,
	    (unsigned long long)z->sign_failures,
	    (unsigned long long)z->sigs_made, z->keys[0], z->keys[1],
	    z->keys[2]);
	if (z->sign_error != NULL && *z->sign_error)
		sbuf_printf(b, "last signing error: %s\n", z->sign_error);
}

int
render_zonestatus(const struct server_view *v, const char *zone, int json,
    struct sbuf *b)
{
	const struct zone_view *z = NULL;
	uint8_t a[DNAME_MAXLEN], n[DNAME_MAXLEN];
	char t[32];

	if (dname_from_str(zone, NULL, a) < 0)
		return -1;
	for (uint32_t i = 0; i < v->nzones && z == NULL; i++)
		if (dname_from_str(v->zones[i].name, NULL, n) >= 0 &&
		    dname_equal(a, n))
			z = &v->zones[i];
	if (z == NULL)
		return -1;
	const char *st = z->status < 3 ? status_names[z->status] : "?";
	const char *type = z->secondary ? "secondary" : "primary";
	if (json) {
		sbuf_printf(b, "{\"zone\":");
		sbuf_json_str(b, z->name);
		sbuf_printf(b, ",\"type\":\"%s\",\"file\":", type);
		sbuf_json_str(b, z->file);
		sbuf_printf(b, ",\"serving\":%s,\"serial\":%u,"
		    "\"loaded\":\"%s\",\"last_load\":\"%s\","
		    "\"load_failures\":%u,\"last_error\":",
		    z->serving ? "true" : "false", z->serial,
		    when(z->loaded_at, t, sizeof(t)), st, z->failures);
		sbuf_json_str(b, z->error);
		if (z->secondary) {
			sbuf_printf(b, ",\"expired\":%s,\"last_refresh\":"
			    "\"%s\",", z->expired ? "true" : "false",
			    when(z->last_refresh, t, sizeof(t)));
			sbuf_printf(b, "\"next_refresh\":\"%s\",",
			    when(z->next_refresh, t, sizeof(t)));
			sbuf_printf(b, "\"expires\":\"%s\"",
			    when(z->expires, t, sizeof(t)));
		}
		if (z->dynamic)
			sbuf_printf(b, ",\"dynamic\":true,\"unsynced\":%s,"
			    "\"frozen\":%s", z->unsynced ? "true" : "false",
			    z->frozen ? "true" : "false");
		sbuf_printf(b, ",\"journal_bytes\":%llu",
		    (unsigned long long)z->journal_size);
		for (unsigned k = 0; k < XFR_STATE_COUNTERS; k++)
			sbuf_printf(b, ",\"%s\":%llu", xfr_count_names[k],
			    (unsigned long long)z->xfr_count[k]);
		sbuf_printf(b, ",\"last_transfer_error\":");
		sbuf_json_str(b, z->xfr_error ? z->xfr_error : "");
		if (z->is_signed)
			zonestatus_signing_json(z, b);
		sbuf_printf(b, "}\n");
		return 0;
	}
	if (z->is_signed)
		zonestatus_signing_text(z, b);
	sbuf_printf(b, "zone: %s\ntype: %s\nfile: %s\nserving: %s\n",
	    z->name, type, z->file, z->serving ? "yes" : z->expired ?
	    "no (expired: SERVFAIL)" : "no");
	if (z->loaded_at != 0)
		sbuf_printf(b, "serial: %u\nloaded: %s\n", z->serial,
		    when(z->loaded_at, t, sizeof(t)));
	sbuf_printf(b, "last load: %s\nload failures: %u\n", st,
	    z->failures);
	if (*z->error)
		sbuf_printf(b, "last error: %s\n", z->error);
	if (z->secondary) {
		sbuf_printf(b, "last refresh: %s\n", when(z->last_refresh, t,
		    sizeof(t)));
		sbuf_printf(b, "next refresh: %s\n", when(z->next_refresh, t,
		    sizeof(t)));
		sbuf_printf(b, "expires: %s%s\n", when(z->expires, t,
		    sizeof(t)), z->expired ? " (expired)" : "");
		sbuf_printf(b, "transfers in: %llu ok, %llu failed\n"
		    "refresh failures: %llu\nNOTIFY received: %llu\n",
		    (unsigned long long)z->xfr_count[2],
		    (unsigned long long)z->xfr_count[3],
		    (unsigned long long)z->xfr_count[6],
		    (unsigned long long)z->xfr_count[5]);
	}
	sbuf_printf(b, "transfers out: %llu ok, %llu failed\nNOTIFY sent: "
	    "%llu\njournal: %llu octets\n",
	    (unsigned long long)z->xfr_count[0],
	    (unsigned long long)z->xfr_count[1],
	    (unsigned long long)z->xfr_count[4],
	    (unsigned long long)z->journal_size);
	if (z->dynamic)
		sbuf_printf(b, "dynamic: yes%s\nzone file: %s\nupdates: %llu "
		    "applied, %llu rejected, %llu refused, %llu failed\n",
		    z->frozen ? " (frozen: updates refused)" : "", z->unsynced ?
		    "updates not yet written (apex-ctl sync writes them)" :
		    "up to date", (unsigned long long)z->xfr_count[ZC_UPD],
		    (unsigned long long)z->xfr_count[ZC_UPD + 1],
		    (unsigned long long)z->xfr_count[ZC_UPD + 2],
		    (unsigned long long)z->xfr_count[ZC_UPD + 3]);
	if (z->xfr_error != NULL && *z->xfr_error)
		sbuf_printf(b, "last transfer error: %s\n", z->xfr_error);
	return 0;
}

void
render_stats(const struct server_view *v, const struct stats_block *s,
    int json, struct sbuf *b)
{
	uint64_t total = s->queries[STATS_UDP] + s->queries[STATS_TCP];

	if (json) {
		sbuf_printf(b, "{\"queries\":{\"udp\":%llu,\"tcp\":%llu},"
		    "\"qtypes\":{", (unsigned long long)s->queries[STATS_UDP],
		    (unsigned long long)s->queries[STATS_TCP]);
		for (unsigned i = 0, n = 0; i < STATS_NQTYPE; i++)
			if (s->qtype[i] > 0)
				sbuf_printf(b, "%s\"%s\":%llu", n++ ? "," : "",
				    stats_qtype_name(i),
				    (unsigned long long)s->qtype[i]);
		sbuf_printf(b, "},\"rcodes\":{");
		for (unsigned i = 0, n = 0; i < STATS_NRCODE; i++)
			if (s->rcode[i] > 0)
				sbuf_printf(b, "%s\"%s\":%llu", n++ ? "," : "",
				    rr_rcode_str(i),
				    (unsigned long long)s->rcode[i]);
		sbuf_printf(b, "},\"dropped\":%llu,\"truncated\":%llu,"
		    "\"tcp_accepted\":%llu,\"tcp_refused\":%llu,"
		    "\"restarts\":%llu}\n", (unsigned long long)s->dropped,
		    (unsigned long long)s->truncated,
		    (unsigned long long)s->tcp_accepted,
		    (unsigned long long)s->tcp_refused,
		    (unsigned long long)v->restarts);
		return;
	}
	sbuf_printf(b, "queries: %llu (udp %llu, tcp %llu)\n",
	    (unsigned long long)total,
	    (unsigned long long)s->queries[STATS_UDP],
	    (unsigned long long)s->queries[STATS_TCP]);
	for (unsigned i = 0; i < STATS_NQTYPE; i++)
		if (s->qtype[i] > 0)
			sbuf_printf(b, "  type %s: %llu\n", stats_qtype_name(i),
			    (unsigned long long)s->qtype[i]);
	for (unsigned i = 0; i < STATS_NRCODE; i++)
		if (s->rcode[i] > 0)
			sbuf_printf(b, "  rcode %s: %llu\n", rr_rcode_str(i),
			    (unsigned long long)s->rcode[i]);
	sbuf_printf(b, "dropped: %llu\ntruncated: %llu\ntcp connections: "
	    "%llu accepted, %llu refused\nrestarts: %llu\n",
	    (unsigned long long)s->dropped, (unsigned long long)s->truncated,
	    (unsigned long long)s->tcp_accepted,
	    (unsigned long long)s->tcp_refused,
	    (unsigned long long)v->restarts);
}

static void
metric_head(struct sbuf *b, const char *name, const char *type,
    const char *help)
{
	sbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Prometheus label values escape \, " and newline. */
static void
label(struct sbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			sbuf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			sbuf_printf(b, "\\n");
		else
			sbuf_printf(b, "%c", *s);
	}
}

static void
render_histogram(struct sbuf *b, const char *name, const uint64_t *buckets,
    unsigned nb, const unsigned *le, double scale, double sum)
{
	uint64_t acc = 0;

	for (unsigned i = 0; i < nb - 1; i++) {
		acc += buckets[i];
		sbuf_printf(b, "%s_bucket{le=\"%g\"} %llu\n", name,
		    le[i] * scale, (unsigned long long)acc);
	}
	acc += buckets[nb - 1];
	sbuf_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.9g\n"
	    "%s_count %llu\n", name, (unsigned long long)acc, name, sum, name,
	    (unsigned long long)acc);
}

/* What a per-zone metric shows, and for which zones. */
enum zone_field {
	ZF_SERIAL, ZF_LOADED, ZF_SERVING, ZF_FAILURES, ZF_EXPIRED,
	ZF_JOURNAL, ZF_LAST_REFRESH, ZF_EXPIRES, ZF_UNSYNCED,
	ZF_SIG_EXPIRY, ZF_NEXT_KEY, ZF_NEXT_RESIGN, ZF_SIGN_OK,
	ZF_SIGN_FAILED, ZF_SIGS_MADE, ZF_RRSETS_SIGNED, ZF_SIGN_FAILING,
	ZF_KEYS_KSK, ZF_KEYS_ZSK, ZF_KEYS_CSK,
	ZF_COUNT,	/* + k: xfr_count[k] */
};
enum zone_filter { ZALL, ZSERVING, ZSECONDARY, ZSECONDARY_KNOWN, ZDYNAMIC,
	ZSIGNED };

static uint64_t
zone_value(const struct zone_view *z, unsigned f)
{
	switch (f) {
	case ZF_SERIAL: return z->serial;
	case ZF_LOADED: return z->loaded_at;
	case ZF_SERVING: return z->serving;
	case ZF_FAILURES: return z->failures;
	case ZF_EXPIRED: return z->expired;
	case ZF_JOURNAL: return z->journal_size;
	case ZF_LAST_REFRESH: return z->last_refresh;
	case ZF_EXPIRES: return z->expires;
	case ZF_UNSYNCED: return z->unsynced;
	case ZF_SIG_EXPIRY: return z->sig_expiry;
	case ZF_NEXT_KEY: return z->next_key_event;
	case ZF_NEXT_RESIGN: return z->next_resign;
	case ZF_SIGN_OK: return z->sign_runs - z->sign_failures;
	case ZF_SIGN_FAILED: return z->sign_failures;
	case ZF_SIGS_MADE: return z->sigs_made;
	case ZF_RRSETS_SIGNED: return z->rrsets_signed;
	case ZF_SIGN_FAILING: return z->sign_failing;
	case ZF_KEYS_KSK: return z->keys[0];
	case ZF_KEYS_ZSK: return z->keys[1];
	case ZF_KEYS_CSK: return z->keys[2];
	}
	return z->xfr_count[f - ZF_COUNT];
}

/* One line per zone: NAME{zone="Z"EXTRA} VALUE. */
static void
zone_metric(const struct server_view *v, struct sbuf *b, const char *name,
    const char *extra, unsigned f, enum zone_filter filter)
{
	for (uint32_t i = 0; i < v->nzones; i++) {
		const struct zone_view *z = &v->zones[i];
		uint64_t val = zone_value(z, f);
		if ((filter == ZSERVING && !z->serving) ||
		    ((filter == ZSECONDARY || filter == ZSECONDARY_KNOWN) &&
		    !z->secondary) ||
		    (filter == ZSECONDARY_KNOWN && val == 0) ||
		    (filter == ZDYNAMIC && !z->dynamic) ||
		    (filter == ZSIGNED && !z->is_signed))
			continue;
		sbuf_printf(b, "%s{zone=\"", name);
		label(b, z->name);
		sbuf_printf(b, "\"%s} %llu\n", extra, (unsigned long long)val);
	}
}

/* apex_update_duration_seconds: from an update's arrival in apex-xferd
 * to its answer (applied, on disk and served), per dynamic zone. */
static void
render_update_latency(const struct server_view *v, struct sbuf *b)
{
	static const char *const le[XFR_UPDATE_BUCKETS - 1] = {
		"0.001", "0.005", "0.01", "0.05", "0.1", "0.5", "1",
	};
	const char *name = "apex_update_duration_seconds";

	metric_head(b, name, "histogram", "Time from an update's arrival "
	    "to its answer, applied, durable and served.");
	for (uint32_t i = 0; i < v->nzones; i++) {
		const struct zone_view *z = &v->zones[i];
		uint64_t acc = 0;
		if (!z->dynamic)
			continue;
		for (unsigned k = 0; k < XFR_UPDATE_BUCKETS; k++) {
			acc += z->xfr_count[ZC_UPD_LATENCY + k];
			sbuf_printf(b, "%s_bucket{zone=\"", name);
			label(b, z->name);
			sbuf_printf(b, "\",le=\"%s\"} %llu\n", k + 1 <
			    XFR_UPDATE_BUCKETS ? le[k] : "+Inf",
			    (unsigned long long)acc);
		}
		sbuf_printf(b, "%s_sum{zone=\"", name);
		label(b, z->name);
		sbuf_printf(b, "\"} %.6f\n%s_count{zone=\"", (double)
		    z->xfr_count[ZC_UPD_SUM] / 1e6, name);
		label(b, z->name);
		sbuf_printf(b, "\"} %llu\n", (unsigned long long)acc);
	}
}

static void
render_zone_metrics(const struct server_view *v, struct sbuf *b)
{
	static const struct {
		const char	*name, *type, *help, *extra;
		unsigned	 field;
		enum zone_filter filter;
		bool		 head;		/* first line of a metric */
	} m[] = {
		{ "apex_zone_serial", "gauge", "SOA serial of the zone version "
		    "served.", "", ZF_SERIAL, ZSERVING, true },
		{ "apex_zone_loaded_timestamp_seconds", "gauge",
		    "When the zone version served was loaded.", "", ZF_LOADED,
		    ZSERVING, true },
		{ "apex_zone_serving", "gauge", "1 if a version of the zone is "
		    "served.", "", ZF_SERVING, ZALL, true },
		{ "apex_zone_load_failures_total", "counter", "Failed loads of "
		    "the zone since the server started.", "", ZF_FAILURES, ZALL,
		    true },
		{ "apex_xfr_out_total", "counter", "Outgoing zone transfers "
		    "(AXFR, IXFR), by result.", ",result=\"ok\"", ZF_COUNT + 0,
		    ZALL, true },
		{ "apex_xfr_out_total", NULL, NULL, ",result=\"failed\"",
		    ZF_COUNT + 1, ZALL, false },
		{ "apex_xfr_in_total", "counter", "Incoming zone transfers of "
		    "secondary zones, by result.", ",result=\"ok\"",
		    ZF_COUNT + 2, ZALL, true },
		{ "apex_xfr_in_total", NULL, NULL, ",result=\"failed\"",
		    ZF_COUNT + 3, ZALL, false },
		{ "apex_notify_sent_total", "counter", "NOTIFY messages sent "
		    "(retries included).", "", ZF_COUNT + 4, ZALL, true },
		{ "apex_notify_received_total", "counter", "NOTIFY messages "
		    "accepted for secondary zones.", "", ZF_COUNT + 5, ZALL,
		    true },
		{ "apex_refresh_failures_total", "counter", "Refreshes of "
		    "secondary zones that reached no primary.", "",
		    ZF_COUNT + 6, ZALL, true },
		{ "apex_zone_last_refresh_timestamp_seconds", "gauge", "When a "
		    "secondary zone was last found current at a primary.", "",
		    ZF_LAST_REFRESH, ZSECONDARY_KNOWN, true },
		{ "apex_zone_expiry_timestamp_seconds", "gauge", "When a "
		    "secondary zone expires without a successful refresh.", "",
		    ZF_EXPIRES, ZSECONDARY_KNOWN, true },
		{ "apex_zone_expired", "gauge", "1 if a secondary zone has "
		    "expired and answers SERVFAIL.", "", ZF_EXPIRED, ZSECONDARY,
		    true },
		{ "apex_journal_bytes", "gauge", "Size of the zone's IXFR "
		    "journal file.", "", ZF_JOURNAL, ZALL, true },
		{ "apex_updates_total", "counter", "Dynamic updates (RFC "
		    "2136) of the zone, by result: applied, rejected (a "
		    "prerequisite or the message), refused (not allowed, "
		    "frozen), failed (SERVFAIL).", ",result=\"applied\"",
		    ZF_COUNT + ZC_UPD, ZDYNAMIC, true },
		{ "apex_updates_total", NULL, NULL, ",result=\"rejected\"",
		    ZF_COUNT + ZC_UPD + 1, ZDYNAMIC, false },
		{ "apex_updates_total", NULL, NULL, ",result=\"refused\"",
		    ZF_COUNT + ZC_UPD + 2, ZDYNAMIC, false },
		{ "apex_updates_total", NULL, NULL, ",result=\"failed\"",
		    ZF_COUNT + ZC_UPD + 3, ZDYNAMIC, false },
		{ "apex_zone_unsynced", "gauge", "1 if the zone has updates "
		    "that are in its journal but not yet in its file.", "",
		    ZF_UNSYNCED, ZDYNAMIC, true },
		{ "apex_dnssec_signature_expiry_timestamp_seconds", "gauge",
		    "When the earliest signature of the signed version served "
		    "expires.", "", ZF_SIG_EXPIRY, ZSIGNED, true },
		{ "apex_dnssec_next_key_event_timestamp_seconds", "gauge",
		    "When a key of the zone next changes state (0: none "
		    "planned).", "", ZF_NEXT_KEY, ZSIGNED, true },
		{ "apex_dnssec_next_signing_timestamp_seconds", "gauge",
		    "When the zone is next signed by the timer.", "",
		    ZF_NEXT_RESIGN, ZSIGNED, true },
		{ "apex_dnssec_signing_runs_total", "counter", "Signing runs "
		    "of the zone, by result.", ",result=\"ok\"", ZF_SIGN_OK,
		    ZSIGNED, true },
		{ "apex_dnssec_signing_runs_total", NULL, NULL,
		    ",result=\"failed\"", ZF_SIGN_FAILED, ZSIGNED, false },
		{ "apex_dnssec_signing_failing", "gauge", "1 if the last "
		    "signing run failed (the previous signed version serves).",
		    "", ZF_SIGN_FAILING, ZSIGNED, true },
		{ "apex_dnssec_signatures_made_total", "counter", "RRSIG "
		    "records computed.", "", ZF_SIGS_MADE, ZSIGNED, true },
		{ "apex_dnssec_rrsets_signed_total", "counter", "RRsets that "
		    "got a new signature.", "", ZF_RRSETS_SIGNED, ZSIGNED,
		    true },
		{ "apex_dnssec_keys", "gauge", "Keys published or signing, by "
		    "role.", ",role=\"ksk\"", ZF_KEYS_KSK, ZSIGNED, true },
		{ "apex_dnssec_keys", NULL, NULL, ",role=\"zsk\"",
		    ZF_KEYS_ZSK, ZSIGNED, false },
		{ "apex_dnssec_keys", NULL, NULL, ",role=\"csk\"",
		    ZF_KEYS_CSK, ZSIGNED, false },
	};

	for (size_t i = 0; i < nitems(m); i++) {
		if (m[i].head)
			metric_head(b, m[i].name, m[i].type, m[i].help);
		zone_metric(v, b, m[i].name, m[i].extra, m[i].field,
		    m[i].filter);
	}
	render_update_latency(v, b);
}

/* apex_rrl_responses_total: rate limiting, by action and kind. */
static void
render_rrl_metrics(const struct stats_block *s, struct sbuf *b)
{
	static const char *const actions[STATS_NRRL_ACTION] = {
		"dropped", "slipped", "passed-log-only",
	};
	static const char *const kinds[STATS_NRRL_KIND] = {
		"response", "referral", "nodata", "nxdomain", "error", "all",
	};

	metric_head(b, "apex_rrl_responses_total", "counter",
	    "UDP responses rate-limited, by action and kind of account.");
	for (unsigned a = 0; a < STATS_NRRL_ACTION; a++)
		for (unsigned k = 0; k < STATS_NRRL_KIND; k++)
			sbuf_printf(b, "apex_rrl_responses_total{action=\"%s\","
			    "class=\"%s\"} %llu\n", actions[a], kinds[k],
			    (unsigned long long)s->rrl[a][k]);
}

/* What the listeners' bounds did: refusals and closes by reason. */
static void
render_bounds_metrics(const struct stats_block *s, struct sbuf *b)
{
	static const char *const closed[STATS_NCLOSE] = {
		"idle", "read-timeout", "write-timeout",
	};

	metric_head(b, "apex_tcp_connections_total", "counter",
	    "TCP connections, accepted or refused (over tcp-clients, or "
	    "over tcp-clients-per-address).");
	sbuf_printf(b, "apex_tcp_connections_total{result=\"accepted\"} "
	    "%llu\napex_tcp_connections_total{result=\"refused\"} %llu\n"
	    "apex_tcp_connections_total{result=\"per-address-limit\"} %llu\n",
	    (unsigned long long)s->tcp_accepted,
	    (unsigned long long)s->tcp_refused,
	    (unsigned long long)s->tcp_refused_addr);
	metric_head(b, "apex_tcp_connections_closed_total", "counter",
	    "TCP connections closed by the server's timeouts, by reason.");
	for (unsigned i = 0; i < STATS_NCLOSE; i++)
		sbuf_printf(b, "apex_tcp_connections_closed_total"
		    "{reason=\"%s\"} %llu\n", closed[i],
		    (unsigned long long)s->tcp_closed[i]);
	metric_head(b, "apex_tcp_reads_paused_total", "counter",
	    "Times a TCP connection stopped being read until its client "
	    "read the answers queued for it.");
	sbuf_printf(b, "apex_tcp_reads_paused_total %llu\n",
	    (unsigned long long)s->tcp_paused);
	metric_head(b, "apex_http_requests_total", "counter",
	    "Statistics channel requests, by result.");
	for (unsigned i = 0; i < HTTP_RES_COUNT; i++)
		sbuf_printf(b, "apex_http_requests_total{result=\"%s\"} %llu\n",
		    http_result_name(i),
		    (unsigned long long)s->http_requests[i]);
	metric_head(b, "apex_http_connections_refused_total", "counter",
	    "Statistics channel connections closed at accept, by reason.");
	sbuf_printf(b, "apex_http_connections_refused_total{reason=\"allow\"} "
	    "%llu\napex_http_connections_refused_total{reason=\"limit\"} "
	    "%llu\n", (unsigned long long)s->http_refused_acl,
	    (unsigned long long)s->http_refused_limit);
	metric_head(b, "apex_control_connections_closed_total", "counter",
	    "apex-ctl connections refused over the cap, or closed idle.");
	sbuf_printf(b, "apex_control_connections_closed_total"
	    "{reason=\"limit\"} %llu\napex_control_connections_closed_total"
	    "{reason=\"idle\"} %llu\n", (unsigned long long)s->ctl_refused,
	    (unsigned long long)s->ctl_idle_closed);
}

void
render_metrics(const struct server_view *v, const struct stats_block *s,
    struct sbuf *b)
{
	metric_head(b, "apex_build_info", "gauge", "Version of apex.");
	sbuf_printf(b, "apex_build_info{version=\"%s\"} 1\n",
	    PACKAGE_VERSION);
	metric_head(b, "apex_start_time_seconds", "gauge",
	    "When the server started, in seconds since the epoch.");
	sbuf_printf(b, "apex_start_time_seconds %llu\n",
	    (unsigned long long)v->started);
	metric_head(b, "apex_queries_total", "counter",
	    "Queries answered, by transport.");
	sbuf_printf(b, "apex_queries_total{transport=\"udp\"} %llu\n"
	    "apex_queries_total{transport=\"tcp\"} %llu\n",
	    (unsigned long long)s->queries[STATS_UDP],
	    (unsigned long long)s->queries[STATS_TCP]);
	metric_head(b, "apex_queries_by_type_total", "counter",
	    "Queries answered, by QTYPE.");
	for (unsigned i = 0; i < STATS_NQTYPE; i++)
		sbuf_printf(b, "apex_queries_by_type_total{type=\"%s\"} "
		    "%llu\n", stats_qtype_name(i),
		    (unsigned long long)s->qtype[i]);
	metric_head(b, "apex_responses_by_rcode_total", "counter",
	    "Responses sent, by RCODE.");
	for (unsigned i = 0; i < STATS_NRCODE; i++)
		if (s->rcode[i] > 0 || i <= 5)
			sbuf_printf(b, "apex_responses_by_rcode_total"
			    "{rcode=\"%s\"} %llu\n", rr_rcode_str(i),
			    (unsigned long long)s->rcode[i]);
	metric_head(b, "apex_response_size_bytes", "histogram",
	    "Size of the responses sent.");
	render_histogram(b, "apex_response_size_bytes", s->size, STATS_NSIZE,
	    stats_size_le, 1, (double)s->size_sum);
	metric_head(b, "apex_query_duration_seconds", "histogram",
	    "Time from reading a batch of queries to sending its answers.");
	render_histogram(b, "apex_query_duration_seconds", s->latency,
	    STATS_NLAT, stats_lat_le_us, 1e-6, s->latency_sum_ns * 1e-9);
	metric_head(b, "apex_queries_dropped_total", "counter",
	    "Messages not answered: malformed, responses, unsendable.");
	sbuf_printf(b, "apex_queries_dropped_total %llu\n",
	    (unsigned long long)s->dropped);
	metric_head(b, "apex_responses_truncated_total", "counter",
	    "UDP responses sent with TC=1.");
	sbuf_printf(b, "apex_responses_truncated_total %llu\n",
	    (unsigned long long)s->truncated);
	render_rrl_metrics(s, b);
	render_bounds_metrics(s, b);
	metric_head(b, "apex_xferd_up", "gauge",
	    "1 if apex-xferd (transfers, updates, NOTIFY) runs and has "
	    "every zone.");
	sbuf_printf(b, "apex_xferd_up %u\n", v->xferd_up);
	if (v->signer & SIGNER_WANTED) {
		metric_head(b, "apex_signer_up", "gauge", "1 if the signer "
		    "(private keys, signing) runs; only with signed zones.");
		sbuf_printf(b, "apex_signer_up %u\n",
		    (v->signer & SIGNER_UP) ? 1 : 0);
	}
	metric_head(b, "apex_workers", "gauge", "Query workers.");
	sbuf_printf(b, "apex_workers{state=\"configured\"} %u\n"
	    "apex_workers{state=\"up\"} %u\n", v->nworkers, v->workers_up);
	metric_head(b, "apex_child_restarts_total", "counter",
	    "Workers and control processes restarted after dying.");
	sbuf_printf(b, "apex_child_restarts_total %llu\n",
	    (unsigned long long)v->restarts);
	metric_head(b, "apex_reloads_total", "counter",
	    "Zone reloads and reconfigs done.");
	sbuf_printf(b, "apex_reloads_total %llu\n",
	    (unsigned long long)v->reloads);
	metric_head(b, "apex_querylog_enabled", "gauge",
	    "1 if queries are being logged.");
	sbuf_printf(b, "apex_querylog_enabled %u\n", v->querylog);
	render_zone_metrics(v, b);
}
