/* SPDX-License-Identifier: ISC */
/*
 * updgen: a closed-loop load generator of RFC 2136 UPDATE messages over
 * TCP, signed with TSIG (hmac-sha256), for regress/bench/update.sh.
 *
 *   updgen -s ADDR -p PORT -z ZONE -y KEYNAME:BASE64SECRET
 *          [-c CONNS] [-l SECONDS] [-r RATE] [-t TAG] [-o FILE]
 *
 * Each of CONNS connections (one thread each) sends one update, waits for
 * its answer, and sends the next: add TXT at <i>.<conn>.<TAG>.<ZONE>,
 * then delete that RRset, then add the next name, and so on, so that
 * every message changes the zone (an add of a record that exists or a
 * delete of one that does not would be answered NOERROR without a
 * change, and without a journal write) and the zone never holds more
 * than CONNS extra records. With -r, the connections together send at
 * most RATE updates a second (a steady stream); without it, as fast as
 * the answers come.
 *
 * dnsperf -u would do, but its sender thread sleeps about a millisecond
 * whenever the outstanding limit is reached, so with one connection and
 * one outstanding update it tops out near 1,000 updates a second even
 * against a server that answers at once; a closed loop here does not.
 *
 * Prints (stdout, key value per line): answers by RCODE, timeouts,
 * updates per second (NOERROR answers received in the window over its
 * length), latency p50/p90/p99/max in ms (of every answer), and the
 * generator's own CPU seconds. With -o, every latency (ms, rcode) to FILE.
 * Answers are not TSIG-verified (the RCODE is all that is counted).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

static const char *addr = "127.0.0.1", *zone, *tag = "u";
static int port = 53, conns = 1;
static double seconds = 10, rate;
static uint8_t keyname[256], secret[128];
static size_t keynamelen, secretlen;
static uint8_t zonewire[256];
static size_t zonelen;
static double t_start, t_end;
static pthread_barrier_t barrier;

struct conn {
	pthread_t	 th;
	int		 id;
	double		*lat;		/* latencies of the answers, ms */
	size_t		 nlat, caplat;
	unsigned long	 rcode[16], timeouts, errors, late;
	FILE		*log;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t
name_wire(const char *name, uint8_t *out)
{
	size_t n = 0;
	const char *p = name, *dot;

	while (*p) {
		dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		if (l == 0 || l > 63 || n + l + 2 > 255) {
			fprintf(stderr, "updgen: bad name %s\n", name);
			exit(2);
		}
		out[n++] = l;
		for (size_t i = 0; i < l; i++) {
			char c = p[i];
			out[n++] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
		}
		p += l;
		if (*p == '.')
			p++;
	}
	out[n++] = 0;
	return n;
}

static uint8_t *
put16(uint8_t *p, unsigned v)
{
	p[0] = v >> 8;
	p[1] = v;
	return p + 2;
}

static uint8_t *
put32(uint8_t *p, unsigned long v)
{
	p = put16(p, (v >> 16) & 0xffff);
	return put16(p, v & 0xffff);
}

/* the update message for step n of connection c, TSIG-signed; its length */
static size_t
build(uint8_t *buf, int c, unsigned long n, uint16_t id)
{
	static const uint8_t alg[] = "\013hmac-sha256";	/* + root label */
	char owner[512];
	uint8_t *p = buf, *msgend, mac[EVP_MAX_MD_SIZE], var[512], *v;
	unsigned int maclen;
	size_t algl = sizeof(alg);	/* includes the trailing 0 */
	time_t t = time(NULL);
	int add = (n % 2) == 0;

	snprintf(owner, sizeof(owner), "n%lu.c%d.%s.%s", n / 2, c, tag, zone);
	p = put16(p, id);
	p = put16(p, 5 << 11);		/* opcode UPDATE */
	p = put16(p, 1);		/* ZOCOUNT */
	p = put16(p, 0);		/* PRCOUNT */
	p = put16(p, 1);		/* UPCOUNT */
	p = put16(p, 0);		/* ADCOUNT, TSIG added below */
	memcpy(p, zonewire, zonelen);
	p += zonelen;
	p = put16(p, 6);		/* SOA */
	p = put16(p, 1);		/* IN */
	p += name_wire(owner, p);
	p = put16(p, 16);		/* TXT */
	if (add) {
		p = put16(p, 1);	/* IN */
		p = put32(p, 300);
		p = put16(p, 12);
		*p++ = 11;
		memcpy(p, "apex-update", 11);
		p += 11;
	} else {
		p = put16(p, 255);	/* ANY: delete the RRset */
		p = put32(p, 0);
		p = put16(p, 0);
	}
	msgend = p;
	/* TSIG variables (RFC 8945 4.3.3) after the message */
	v = var;
	memcpy(v, keyname, keynamelen);
	v += keynamelen;
	v = put16(v, 255);		/* ANY */
	v = put32(v, 0);
	memcpy(v, alg, algl);
	v += algl;
	v = put16(v, (t >> 32) & 0xffff);
	v = put32(v, t & 0xffffffff);
	v = put16(v, 300);		/* fudge */
	v = put16(v, 0);		/* error */
	v = put16(v, 0);		/* other len */
	{
		size_t ml = msgend - buf, vl = v - var;
		uint8_t all[1024];
		memcpy(all, buf, ml);
		memcpy(all + ml, var, vl);
		HMAC(EVP_sha256(), secret, secretlen, all, ml + vl, mac,
		    &maclen);
	}
	/* the TSIG RR */
	memcpy(p, keyname, keynamelen);
	p += keynamelen;
	p = put16(p, 250);
	p = put16(p, 255);
	p = put32(p, 0);
	uint8_t *rdlen = p;
	p += 2;
	uint8_t *rd = p;
	memcpy(p, alg, algl);
	p += algl;
	p = put16(p, (t >> 32) & 0xffff);
	p = put32(p, t & 0xffffffff);
	p = put16(p, 300);
	p = put16(p, maclen);
	memcpy(p, mac, maclen);
	p += maclen;
	p = put16(p, id);
	p = put16(p, 0);
	p = put16(p, 0);
	put16(rdlen, p - rd);
	put16(buf + 10, 1);		/* ADCOUNT */
	return p - buf;
}

static int
dial(void)
{
	struct sockaddr_in sin;
	struct timeval tv = { 5, 0 };
	int s, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	inet_pton(AF_INET, addr, &sin.sin_addr);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s == -1)
		return -1;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(s, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(s);
		return -1;
	}
	return s;
}

static int
readn(int s, uint8_t *b, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(s, b + got, n - got);
		if (r <= 0)
			return r == 0 ? -1 : (errno == EAGAIN ||
			    errno == EWOULDBLOCK ? -2 : -1);
		got += r;
	}
	return 0;
}

static void *
run(void *arg)
{
	struct conn *c = arg;
	uint8_t msg[2048], ans[65536];
	unsigned long n = 0;
	uint16_t id = c->id * 7919;
	int s = dial();
	double t0, t1, next;

	pthread_barrier_wait(&barrier);
	next = t_start + (rate > 0 ? c->id / rate : 0);
	while (s != -1) {
		if (rate > 0) {
			double w = next - now();
			/* behind (a slow answer): no burst to catch up */
			if (w < -conns / rate) {
				next = now();
				w = 0;
			}
			if (w > 0) {
				struct timespec ts = { (time_t)w,
				    (long)((w - (time_t)w) * 1e9) };
				nanosleep(&ts, NULL);
			}
			next += conns / rate;
		}
		if (now() >= t_end)
			break;
		size_t len = build(msg + 2, c->id, n, ++id);
		put16(msg, len);
		t0 = now();
		if (write(s, msg, len + 2) != (ssize_t)(len + 2)) {
			c->errors++;
			break;
		}
		int r = readn(s, ans, 2);
		size_t alen = (ans[0] << 8) | ans[1];
		if (r == 0)
			r = readn(s, ans, alen);
		t1 = now();
		if (r == -2) {
			c->timeouts++;
			close(s);
			s = dial();
			continue;
		}
		if (r != 0 || alen < 12) {
			c->errors++;
			break;
		}
		/* a refused change leaves the name as it was: the next
		 * message is the same step again */
		int rc = ans[3] & 15;
		if (t1 > t_end) {
			c->late++;
			break;
		}
		c->rcode[rc]++;
		if (rc == 0)
			n++;
		{
			if (c->nlat == c->caplat) {
				c->caplat = c->caplat ? 2 * c->caplat : 4096;
				c->lat = realloc(c->lat, c->caplat *
				    sizeof(double));
				if (c->lat == NULL)
					abort();
			}
			c->lat[c->nlat++] = (t1 - t0) * 1000;
		}
		if (c->log)
			fprintf(c->log, "%.4f %d\n", (t1 - t0) * 1000, rc);
	}
	if (s != -1)
		close(s);
	return NULL;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	static const char *rname[16] = { "NOERROR", "FORMERR", "SERVFAIL",
	    "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
	    "NXRRSET", "NOTAUTH", "NOTZONE" };
	const char *key = NULL, *logf = NULL;
	struct conn *cs;
	struct rusage ru;
	double *all;
	size_t nall = 0;
	unsigned long rc[16] = { 0 }, to = 0, err = 0, late = 0;
	int ch;
	FILE *log = NULL;

	while ((ch = getopt(argc, argv, "s:p:z:y:c:l:r:t:o:")) != -1) {
		switch (ch) {
		case 's': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'z': zone = optarg; break;
		case 'y': key = optarg; break;
		case 'c': conns = atoi(optarg); break;
		case 'l': seconds = atof(optarg); break;
		case 'r': rate = atof(optarg); break;
		case 't': tag = optarg; break;
		case 'o': logf = optarg; break;
		default:
			fprintf(stderr, "usage: updgen -s ADDR -p PORT -z ZONE "
			    "-y NAME:SECRET [-c CONNS] [-l SECONDS] [-r RATE] "
			    "[-t TAG] [-o FILE]\n");
			return 2;
		}
	}
	if (zone == NULL || key == NULL || conns < 1 || strchr(key, ':') ==
	    NULL) {
		fprintf(stderr, "updgen: -z and -y NAME:SECRET needed\n");
		return 2;
	}
	{
		char kn[256];
		const char *colon = strchr(key, ':');
		snprintf(kn, sizeof(kn), "%.*s", (int)(colon - key), key);
		keynamelen = name_wire(kn, keyname);
		uint8_t tmp[sizeof(secret) + 4];
		int l = EVP_DecodeBlock(tmp, (const uint8_t *)colon + 1,
		    strlen(colon + 1));
		if (l < 0 || (size_t)l > sizeof(secret)) {
			fprintf(stderr, "updgen: bad secret\n");
			return 2;
		}
		/* EVP_DecodeBlock counts the padding as zero octets */
		size_t sl = strlen(colon + 1);
		while (sl > 0 && colon[sl] == '=') {
			l--;
			sl--;
		}
		memcpy(secret, tmp, l);
		secretlen = l;
	}
	zonelen = name_wire(zone, zonewire);
	if (logf && (log = fopen(logf, "w")) == NULL) {
		perror(logf);
		return 1;
	}
	cs = calloc(conns, sizeof(*cs));
	pthread_barrier_init(&barrier, NULL, conns + 1);
	for (int i = 0; i < conns; i++) {
		cs[i].id = i;
		cs[i].log = log;
		pthread_create(&cs[i].th, NULL, run, &cs[i]);
	}
	t_start = now() + 0.05;
	t_end = t_start + seconds;
	pthread_barrier_wait(&barrier);
	for (int i = 0; i < conns; i++) {
		pthread_join(cs[i].th, NULL);
		nall += cs[i].nlat;
	}
	all = malloc((nall + 1) * sizeof(double));
	nall = 0;
	for (int i = 0; i < conns; i++) {
		memcpy(all + nall, cs[i].lat, cs[i].nlat * sizeof(double));
		nall += cs[i].nlat;
		for (int r = 0; r < 16; r++)
			rc[r] += cs[i].rcode[r];
		to += cs[i].timeouts;
		err += cs[i].errors;
		late += cs[i].late;
	}
	qsort(all, nall, sizeof(double), cmp);
	for (int r = 0; r < 16; r++)
		if (rc[r])
			printf("rcode_%s %lu\n", rname[r] ? rname[r] : "other",
			    rc[r]);
	printf("answers %lu\n", (unsigned long)nall + rc[1] + rc[2] + rc[3] +
	    rc[4] + rc[5] + rc[6] + rc[7] + rc[8] + rc[9] + rc[10]);
	printf("noerror %lu\n", rc[0]);
	printf("timeouts %lu\nerrors %lu\nlate %lu\n", to, err, late);
	printf("seconds %.3f\n", seconds);
	printf("updates_per_s %.1f\n", rc[0] / seconds);
	{
		unsigned long tot = 0;
		for (int r = 0; r < 16; r++)
			tot += rc[r];
		printf("answers_per_s %.1f\n", tot / seconds);
	}
#define PCT(p) (nall ? all[(size_t)((p) * (nall - 1) + 0.5)] : 0)
	printf("p50_ms %.3f\np90_ms %.3f\np99_ms %.3f\nmax_ms %.3f\n",
	    PCT(0.5), PCT(0.9), PCT(0.99), nall ? all[nall - 1] : 0);
	getrusage(RUSAGE_SELF, &ru);
	printf("cpu_s %.3f\n", ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	if (log)
		fclose(log);
	return 0;
}
