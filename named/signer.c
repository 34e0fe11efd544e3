/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The signer role (see signer.h): one long-lived child, forked by the
 * parent, without TSIG or cookie secrets, the only process that opens
 * private key files.
 * Runs in: signer.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "error.h"
#include "fileio.h"
#include "ipc.h"
#include "journal.h"
#include "keymgr.h"
#include "log.h"
#include "msg.h"
#include "rr.h"
#include "rrbuf.h"
#include "sandbox.h"
#include "sbuf.h"
#include "sign.h"
#include "signer.h"
#include "signer_priv.h"
#include "zone.h"
#include "zonediff.h"

#define RETRY_MIN	5		/* seconds after a failed run */
#define RETRY_MAX	600
#define COPY_READ_MAX	((size_t)1 << 34)

static struct signer s;

/* ---- the signed copy on disk -------------------------------------- */

/* The signed version kept from the last run, so a restart re-signs
 * only what is due. A copy that does not verify is ignored. */
static void
read_copy(struct szone *z)
{
	char path[4096];
	size_t len = 0;
	uint8_t *p;

	conf_signed_path(z->cz, false, path, sizeof(path));
	if ((p = file_read_all(path, COPY_READ_MAX, &len)) == NULL)
		return;
	if (zone_open(&z->sz, p, len) != 0 ||
	    !dname_equal(z->sz.origin, z->cz->origin)) {
		log_cat(LOGC_DNSSEC, LOG_LEVEL_WARN, "zone %s: %s is not a "
		    "signed image of this zone; ignored", z->cz->name, path);
		free(p);
		return;
	}
	z->sblob = p;
	z->ssize = len;
	z->have_s = true;
	log_cat(LOGC_DNSSEC, LOG_LEVEL_INFO, "zone %s: signed copy %s, serial "
	    "%u", z->cz->name, path, z->sz.hdr->serial);
}

/* Error text, cut to fit (paths may be long). */
static void PRINTF(3, 4)
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
write_fully(int fd, const void *buf, size_t len)
{
	const uint8_t *q = buf;

	while (len > 0) {
		ssize_t n = write(fd, q, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		q += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes the new signed version through a temporary file, durably,
 * before it is served: a failure leaves the old copy in place. */
static int
write_copy(const struct szone *z, const void *blob, size_t size, char *err,
    size_t errlen)
{
	char path[4096], tmp[4200];
	int fd;

	conf_signed_path(z->cz, false, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0640);
	if (fd < 0 || write_fully(fd, blob, size) != 0 || fsync(fd) != 0 ||
	    close(fd) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		(void)unlink(tmp);
		set_err(err, errlen, "%s: %s", tmp, strerror(e));
		return APEX_EIO;
	}
	if (rename(tmp, path) != 0) {
		set_err(err, errlen, "rename to %s: %s", path,
		    strerror(errno));
		(void)unlink(tmp);
		return APEX_EIO;
	}
	if ((fd = open(z->cz->key_directory, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	return 0;
}

/* ---- one signing run ---------------------------------------------- */

static void
keymgr_log(void *arg, bool warning, const char *msg)
{
	const struct szone *z = arg;

	/* The key manager names the zone itself. */
	(void)z;
	log_cat(LOGC_DNSSEC, warning ? LOG_LEVEL_WARN : LOG_LEVEL_INFO,
	    "%s", msg);
}

/* BIND's inline-signing serial: the operator's if it is newer, else one
 * more than the last signed one (re-signing alone moves it on). */
static uint32_t
next_serial(const struct szone *z)
{
	if (!z->have_s || rr_serial_gt(z->userial, z->sz.hdr->serial))
		return z->userial;
	uint32_t next = z->sz.hdr->serial + 1;
	return next == 0 ? 1 : next;
}

/* The NSEC3 salt: kept from the last signed version while the policy's
 * length is the same, so a run does not rebuild the chain. */
static void
pick_salt(const struct szone *z, struct sign_params *sp)
{
	const struct dnssec_policy *pol = z->cz->dnssec_policy;

	sp->saltlen = pol->nsec3_saltlen;
	if (sp->saltlen == 0)
		return;
	if (z->have_s && z->sz.hdr->denial == ZONE_DENIAL_NSEC3 &&
	    z->sz.hdr->n3_saltlen == sp->saltlen) {
		memcpy(sp->salt, z->sz.hdr->n3_salt, sp->saltlen);
		return;
	}
	if (getrandom(sp->salt, sp->saltlen, 0) != (ssize_t)sp->saltlen)
		fatal("getrandom");
}

static void
fill_params(const struct szone *z, const struct keymgr_keys *k,
    time_t now, struct sign_params *sp)
{
	const struct dnssec_policy *pol = z->cz->dnssec_policy;

	memset(sp, 0, sizeof(*sp));
	sp->now = (uint32_t)now;
	sp->serial = next_serial(z);
	sp->validity = pol->signatures_validity;
	sp->validity_dnskey = pol->signatures_validity_dnskey;
	sp->refresh = pol->signatures_refresh;
	/* Jitter must leave signatures valid past the next refresh. */
	sp->jitter = pol->signatures_jitter;
	if (sp->validity > sp->refresh &&
	    sp->jitter > (sp->validity - sp->refresh) / 2)
		sp->jitter = (sp->validity - sp->refresh) / 2;
	sp->dnskey_ttl = pol->dnskey_ttl;
	sp->nsec3 = pol->nsec3;
	sp->optout = pol->nsec3_optout;
	sp->iterations = pol->nsec3_iterations;
	pick_salt(z, sp);
	sp->cds_delete = k->cds_delete;
	sp->keys = k->use;
	sp->nkeys = k->n;
	sp->max_records = z->cz->xfr.max_records;
	sp->threads = s.threads;
}

/* Sends the new version to the parent as a sealed memfd and keeps it
 * as the base of the next run. */
static void
send_image(struct szone *z)
{
	struct msg_buf b;
	int fd = zone_memfd(z->cz->name, z->sblob, z->ssize);

	if (fd < 0)
		fatal("zone %s: memfd", z->cz->name);
	msg_buf_init(&b);
	ipc_put_lp_zone(&b, z->sz.hdr->serial);
	if (msg_send(s.sock, MSG_SP_ZONE, z->index, &b, fd) != 0)
		fatal("send zone %s", z->cz->name);
	close(fd);
	z->sent = true;
}

static void
publish(struct szone *z, void *blob, size_t size)
{
	free(z->sblob);
	z->sblob = blob;
	z->ssize = size;
	zone_attach(&z->sz, blob, size);
	z->have_s = true;
	send_image(z);
}

/* Whether a list of differences holds only the SOA and its RRSIGs. */
static bool
only_soa(const struct rrbuf *b)
{
	struct rrview v;
	size_t pos = 0;

	while (rrbuf_next(b->p, b->len, &pos, &v) == 0)
		if (v.type != TYPE_SOA && !(v.type == TYPE_RRSIG &&
		    v.rdlen >= 2 && get16(v.rdata) == TYPE_SOA))
			return false;
	return true;
}

/* Whether blob differs from the version served only by its SOA serial
 * (and the SOA's signature): then it is not worth a new version. */
static bool
unchanged(const struct szone *z, const void *blob, size_t size)
{
	struct zone nz;
	struct rrbuf del, add;
	bool same;

	if (!z->have_s)
		return false;
	zone_attach(&nz, blob, size);
	rrbuf_init(&del);
	rrbuf_init(&add);
	same = zone_diff(&z->sz, &nz, &del, &add) == 0 && only_soa(&del) &&
	    only_soa(&add);
	rrbuf_free(&del);
	rrbuf_free(&add);
	return same;
}

static time_t
earliest(time_t a, time_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

/* Builds, keeps and hands over the next signed version of z. */
static int
sign_run(struct szone *z, time_t now, bool forced, char *err, size_t errlen)
{
	struct keymgr_zone kz = { z->cz->name, z->cz->origin,
	    z->cz->key_directory, z->cz->dnssec_policy };
	struct keymgr_keys k;
	struct sign_params sp;
	struct sign_stats st = { 0 };
	void *blob = NULL;
	size_t size = 0;
	int rc;

	memset(&k, 0, sizeof(k));
	if ((rc = keymgr_run(&kz, now, &k, keymgr_log, z, err, errlen)) != 0)
		return rc;
	fill_params(z, &k, now, &sp);
	if (k.unsigned_ok)
		rc = signer_unsigned_copy(&z->uz, sp.serial, &blob, &size,
		    err, errlen);
	else
		rc = sign_zone(&z->uz, z->have_s ? &z->sz : NULL, &sp, &blob,
		    &size, &st, err, errlen);
	/* Nothing changed and nothing was due (a restart, a reload of
	 * the same records): the version served stays, serial and all. */
	bool same = rc == 0 && !forced && !k.changed && unchanged(z, blob,
	    size);
	if (same) {
		free(blob);
		blob = NULL;
	} else if (rc == 0 && (rc = write_copy(z, blob, size, err,
	    errlen)) != 0)
		free(blob);
	if (rc != 0) {
		keymgr_keys_free(&k);
		return rc;
	}
	keymgr_keys_free(&z->keys);
	z->keys = k;
	if (same && !z->sent)
		send_image(z);
	else if (!same)
		publish(z, blob, size);
	z->st.sigs_made += st.sigs_made;
	z->st.rrsets_signed += st.rrsets_signed;
	z->st.earliest_expiry = st.earliest_expiry;
	z->next = earliest(st.next_refresh > (uint32_t)now ?
	    (time_t)st.next_refresh : 0, k.next);
	if (same) {
		log_cat(LOGC_DNSSEC, LOG_LEVEL_INFO, "zone %s: serial %u: "
		    "nothing changed, nothing due", z->cz->name,
		    z->sz.hdr->serial);
		return 0;
	}
	log_cat(LOGC_DNSSEC, LOG_LEVEL_INFO, "zone %s: serial %u signed: %llu "
	    "signatures made, %llu kept", z->cz->name, sp.serial,
	    (unsigned long long)st.sigs_made,
	    (unsigned long long)st.sigs_kept);
	return 0;
}

static void
count_keys(const struct szone *z, uint32_t keys[3])
{
	memset(keys, 0, 3 * sizeof(uint32_t));
	for (unsigned i = 0; i < z->keys.n; i++) {
		const struct sign_key *u = &z->keys.use[i];
		if (!u->publish && !u->zsign && !u->ksign)
			continue;
		unsigned role = z->keys.keys[i]->role;
		keys[role == DNSKEY_ROLE_CSK ? 2 : role == DNSKEY_ROLE_ZSK ?
		    1 : 0]++;
	}
}

void
signer_send_state(struct szone *z)
{
	struct msg_buf b;

	z->st.serial = z->have_s ? z->sz.hdr->serial : 0;
	z->st.next_resign = (uint64_t)z->next;
	z->st.next_key_event = (uint64_t)z->keys.next;
	count_keys(z, z->st.keys);
	msg_buf_init(&b);
	ipc_put_sp_state(&b, &z->st);
	if (msg_send(s.sock, MSG_SP_STATE, z->index, &b, -1) != 0)
		fatal("send state");
	z->st.runs = z->st.failures = 0;
	z->st.sigs_made = z->st.rrsets_signed = 0;
}

/* A run, now: on failure the last signed version keeps serving (the
 * parent is told why) and the run is tried again later. */
void
signer_zone_run(struct szone *z, bool forced)
{
	char err[512] = "";
	time_t now = time(NULL);

	if (!z->have_u)
		return;
	z->st.runs++;
	z->st.last_run = (uint64_t)now;
	if (sign_run(z, now, forced, err, sizeof(err)) == 0) {
		z->st.failing = false;
		z->st.error[0] = '\0';
		z->retry = 0;
	} else {
		struct msg_buf b;
		z->st.failures++;
		z->st.failing = true;
		snprintf(z->st.error, sizeof(z->st.error), "%s", err);
		z->retry = z->retry == 0 ? RETRY_MIN : z->retry * 2;
		if (z->retry > RETRY_MAX)
			z->retry = RETRY_MAX;
		z->next = now + z->retry;
		log_cat(LOGC_DNSSEC, LOG_LEVEL_WARN, "zone %s: signing "
		    "failed: %s; %s", z->cz->name, err, z->have_s ?
		    "the last signed version keeps serving" :
		    "nothing is served");
		msg_buf_init(&b);
		ipc_put_lp_error(&b, err);
		if (msg_send(s.sock, MSG_SP_ERROR, z->index, &b, -1) != 0)
			fatal("send");
	}
	signer_send_state(z);
}

/* ---- messages and timers ------------------------------------------ */

/* MSG_PS_SIGN: the operator's version of a zone, to sign. */
static void
take_unsigned(struct msg *m)
{
	uint32_t serial;

	if (m->hdr.id >= s.nzones || ipc_get_lp_zone(m, &serial) != 0 ||
	    !conf_zone_signed(s.zones[m->hdr.id].cz))
		fatalx("signer: malformed %s", msg_type_str(m->hdr.type));
	struct szone *z = &s.zones[m->hdr.id];
	struct zone_mapping um;
	struct zone uz;
	if (zone_map(m->fd, &uz, &um) != 0) {
		log_warnx("zone %s: image from the parent does not verify",
		    z->cz->name);
		close(m->fd);
		return;
	}
	close(m->fd);
	if (z->have_u)
		zone_unmap(&z->um);
	z->um = um;
	z->uz = uz;
	z->have_u = true;
	z->userial = serial;
	signer_zone_run(z, false);
}

static void
dispatch(struct msg *m)
{
	uint32_t cmd, flags;
	char arg[1024];

	switch (m->hdr.type) {
	case MSG_PS_SIGN:
		take_unsigned(m);
		return;
	case MSG_PS_COMMAND:
		if (ipc_get_request(m, &cmd, &flags, arg, sizeof(arg)) != 0)
			fatalx("signer: malformed command");
		signer_command(&s, m->hdr.id, cmd, flags, arg);
		return;
	default:
		fatalx("signer: unexpected %s", msg_type_str(m->hdr.type));
	}
}

static int
poll_timeout(void)
{
	time_t now = time(NULL), next = 0;

	for (unsigned i = 0; i < s.nzones; i++)
		if (s.zones[i].have_u)
			next = earliest(next, s.zones[i].next);
	if (next == 0)
		return 3600 * 1000;
	if (next <= now)
		return 0;
	return next - now > 3600 ? 3600 * 1000 : (int)(next - now) * 1000;
}

static void
run_due(void)
{
	time_t now = time(NULL);

	for (unsigned i = 0; i < s.nzones; i++) {
		struct szone *z = &s.zones[i];
		if (z->have_u && z->next != 0 && z->next <= now)
			signer_zone_run(z, false);
	}
}

/*
 * The signer reads and writes the key directories, its signed copies
 * and nothing else; it makes memfds and talks to the parent. No
 * socket(2), connect(2) or bind(2): it cannot reach a network.
 */
static const struct sandbox_rule signer_allow[] = {
	{ "read", "key files, signed copies" },
	{ "write", "key state, signed copies, images" },
	{ "close", "close them" },
	{ "fstat", "size of a file" },
	{ "newfstatat", "fstat on newer libc" },
	{ "lseek", "libc stdio" },
	{ "getdents64", "list a key directory" },
	{ "access", "whether a key has a .state file" },
	{ "faccessat", "access on newer libc" },
	{ "faccessat2", "access on newer libc" },
	{ "rename", "replace a .state file or signed copy" },
	{ "unlink", "a temporary file; purge-keys" },
	{ "fsync", "make a signed copy durable" },
	{ "fchmod", "private key files 0600 whatever the umask" },
	{ "fdatasync", "libc" },
	{ "munmap", "unmap images; free" },
	{ "mremap", "realloc while building an image" },
	{ "madvise", "malloc" },
	{ "brk", "malloc" },
	{ "memfd_create", "the image of a signed zone" },
	{ "fcntl", "seal the image" },
	{ "sendmsg", "hand the image to the parent" },
	{ "recvmsg", "images and commands from the parent" },
	{ "sendto", "log lines to the parent" },
	{ "poll", "wait for the parent or a timer" },
	{ "ppoll", "poll on newer libc" },
	{ "clock_gettime", "signature times" },
	{ "gettimeofday", "libc time" },
	{ "getrandom", "key generation; salts; malloc" },
	{ "futex", "libc and libcrypto locks" },
	{ "getpid", "libcrypto" },
	{ "sysinfo", "glibc's qsort() asks for the memory size" },
	{ "set_robust_list", "a new signing thread" },
	{ "rseq", "a new signing thread" },
	{ "rt_sigprocmask", "glibc blocks signals while it starts a thread" },
	{ "gettid", "libc, in a signing thread" },
	{ "rt_sigaction", "glibc's thread signal handlers, at the first "
	    "thread" },
	{ "sched_getaffinity", "a new thread (sanitizer builds)" },
	{ "sigaltstack", "a new thread's signal stack (sanitizer builds)" },
};

static const struct sandbox_arg_rule signer_allow_args[] = {
	{ "mmap", "map images; malloc (never executable)", SANDBOX_NO_EXEC },
	{ "mprotect", "malloc (never executable)", SANDBOX_NO_EXEC },
	{ "openat", "key files and signed copies", 2, 0, 0 },
	/* Threads only: clone(2) without CLONE_THREAD would be a new
	 * process. clone3(2) fails with ENOSYS in every sandbox (its
	 * flags are in memory, out of a filter's reach), and glibc then
	 * uses clone(2). */
	{ "clone", "signing threads (CLONE_THREAD only)", 0, CLONE_THREAD,
	    CLONE_THREAD },
};

/* The CPUs the signer may run on: the threads that compute signatures. */
static unsigned
cpu_count(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 1;
	int n = CPU_COUNT(&set);
	return n > 0 ? (unsigned)n : 1;
}

static void
signer_setup(const struct conf *cf)
{
	s.nzones = cf->nzones;
	s.zones = xcalloc(cf->nzones + 1, sizeof(*s.zones));
	for (unsigned i = 0; i < cf->nzones; i++) {
		s.zones[i].cz = &cf->zones[i];
		s.zones[i].index = i;
	}
	s.conf = cf;
}

void
signer_main(const struct conf *cf, int sock, uid_t uid, gid_t gid)
{
	struct msg *m = xmalloc(sizeof(*m));

	log_set_role("signer");
	(void)prctl(PR_SET_NAME, "apex-signer");
	msg_log_to(sock);
	s.sock = sock;
	signer_setup(cf);
	/* libcrypto reads its configuration and loads its providers
	 * before the sandbox shuts the file system. */
	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1)
		fatalx("signer: libcrypto");
	signer_warm_crypto();
	s.threads = cpu_count();
	if (sandbox_enter_args("signer", signer_allow, nitems(signer_allow),
	    signer_allow_args, nitems(signer_allow_args), uid, gid, NULL) != 0)
		fatal("signer: sandbox");
	for (unsigned i = 0; i < s.nzones; i++)
		if (conf_zone_signed(s.zones[i].cz))
			read_copy(&s.zones[i]);
	if (msg_send(sock, MSG_SP_READY, 0, NULL, -1) != 0)
		fatal("send");
	for (;;) {
		struct pollfd pfd = { sock, POLLIN, 0 };
		int n = poll(&pfd, 1, poll_timeout());
		if (n < 0 && errno != EINTR)
			fatal("poll");
		if (n > 0) {
			int rc = msg_recv(sock, m);
			if (rc == APEX_ENOENT)
				_exit(0);	/* the parent is gone */
			if (rc != 0)
				fatalx("signer: %s", apex_strerror(rc));
			dispatch(m);
		}
		run_due();
	}
}
