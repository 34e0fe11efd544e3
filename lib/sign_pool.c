/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Signatures computed on several threads.
 * Runs in: the signer.
 *
 * sign_emit() adds each new RRSIG to the builder with its signature
 * field zeroed and queues what is to be signed (the RRSIG RDATA up to
 * the signature, then the RRset in canonical form). There are two
 * batches: while the threads sign one, the run goes on filling the
 * other; when that is full the run helps finish the first, copies its
 * signatures into the builder's records (only the run's thread touches
 * the builder, which may move as it grows) and hands over the second.
 * So the canonical forms, the chains and the image are made while the
 * other CPUs sign. The batches are bounded (jobs and octets): signing a
 * large zone costs a few megabytes more, not a copy of the zone.
 * Signatures do not depend on each other, so the image is the one a
 * single thread makes (the randomness of ECDSA aside).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIGN_PRIVATE
#include "error.h"
#include "sign.h"

#define BATCH_JOBS	16384
#define BATCH_OCTETS	(8u << 20)
#define CHUNK		32		/* jobs a thread takes at once */
#define THREADS_MAX	16

struct sign_job {
	uint32_t	rec;		/* the RRSIG in the builder */
	uint32_t	off, len;	/* what to sign, in data */
	uint32_t	sigoff;		/* its signature, in sig */
	uint16_t	key;		/* index in the parameters' keys */
	uint16_t	siglen;
};

struct sign_batch {
	struct sign_job	*jobs;
	uint32_t	 njobs, cap;
	struct sign_buf	 data, sig;
	size_t		 len, siglen;
	uint32_t	 next, done;	/* jobs taken, finished (under mu) */
};

/* One thread's keys set up for signing (dnskey_signer_new()); a key
 * past the first 16 signs through dnskey_sign(). */
struct signers {
	struct dnskey_signer	*s[16];
};

struct sign_pool {
	struct sign_ctx		*c;
	struct signers		 own;		/* the run's thread's */
	pthread_mutex_t		 mu;
	pthread_cond_t		 work, finished;
	struct sign_batch	 b[2];
	unsigned		 fill;		/* the batch being filled */
	struct sign_batch	*flight;	/* being signed, or NULL */
	int			 failed;	/* key index + 1; 0: none */
	bool			 stop;
	pthread_t		 tid[THREADS_MAX];
	unsigned		 nthreads;
};


static bool
run_job(struct sign_pool *pl, struct sign_batch *b, const struct sign_job *j,
    struct signers *sg)
{
	const struct dnskey *key = pl->c->params->keys[j->key].key;
	uint8_t sig[DNSKEY_SIG_MAX];
	int n;

	if (j->key < nitems(sg->s) && sg->s[j->key] == NULL)
		sg->s[j->key] = dnskey_signer_new(key);
	if (j->key < nitems(sg->s) && sg->s[j->key] != NULL)
		n = dnskey_signer_sign(sg->s[j->key], b->data.p + j->off,
		    j->len, sig);
	else
		n = dnskey_sign(key, b->data.p + j->off, j->len, sig);
	if (n != j->siglen)
		return false;
	memcpy(b->sig.p + j->sigoff, sig, j->siglen);
	return true;
}

/* Takes and signs one chunk of the batch in flight, with mu held (it is
 * let go while signing). Returns: false if there was nothing to take. */
static bool
work_chunk(struct sign_pool *pl, struct signers *sg)
{
	struct sign_batch *b = pl->flight;

	if (b == NULL || b->next >= b->njobs)
		return false;
	uint32_t i = b->next, end = i + CHUNK < b->njobs ? i + CHUNK :
	    b->njobs;
	b->next = end;
	pthread_mutex_unlock(&pl->mu);
	int failed = 0;
	for (uint32_t k = i; k < end && failed == 0; k++)
		if (!run_job(pl, b, &b->jobs[k], sg))
			failed = (int)b->jobs[k].key + 1;
	pthread_mutex_lock(&pl->mu);
	if (failed != 0 && pl->failed == 0)
		pl->failed = failed;
	b->done += end - i;
	if (b->done == b->njobs)
		pthread_cond_broadcast(&pl->finished);
	return true;
}

static void
signers_free(struct signers *sg)
{
	for (unsigned k = 0; k < nitems(sg->s); k++)
		dnskey_signer_free(sg->s[k]);
}

static void *
pool_thread(void *arg)
{
	struct sign_pool *pl = arg;
	struct signers sg;

	memset(&sg, 0, sizeof(sg));
	pthread_mutex_lock(&pl->mu);
	while (!pl->stop)
		if (!work_chunk(pl, &sg))
			pthread_cond_wait(&pl->work, &pl->mu);
	pthread_mutex_unlock(&pl->mu);
	signers_free(&sg);
	return NULL;
}

static struct sign_pool *
pool_new(struct sign_ctx *c)
{
	struct sign_pool *pl = xcalloc(1, sizeof(*pl));
	unsigned want = c->params->threads;

	pl->c = c;
	pthread_mutex_init(&pl->mu, NULL);
	pthread_cond_init(&pl->work, NULL);
	pthread_cond_init(&pl->finished, NULL);
	if (want > THREADS_MAX)
		want = THREADS_MAX;
	/* The run's own thread signs too. Fewer threads than wanted (a
	 * limit on threads) only make the run slower. */
	while (pl->nthreads + 1 < want && pthread_create(
	    &pl->tid[pl->nthreads], NULL, pool_thread, pl) == 0)
		pl->nthreads++;
	return pl;
}

/* The run's thread: the batch in flight finished (helping with it),
 * its signatures written into the builder. With mu held. */
static void
land(struct sign_pool *pl, struct signers *sg)
{
	struct sign_batch *b = pl->flight;

	if (b == NULL)
		return;
	while (work_chunk(pl, sg))
		;
	while (b->done < b->njobs)
		pthread_cond_wait(&pl->finished, &pl->mu);
	pl->flight = NULL;
	for (uint32_t k = 0; k < b->njobs && pl->failed == 0; k++) {
		const struct sign_job *j = &b->jobs[k];
		uint16_t rdlen;
		uint8_t *rd = zone_builder_rdata(pl->c->zb, j->rec, &rdlen);
		if (rd == NULL || rdlen < j->siglen)
			abort();	/* the builder lost a record it made */
		memcpy(rd + rdlen - j->siglen, b->sig.p + j->sigoff,
		    j->siglen);
	}
	b->njobs = b->next = b->done = 0;
	b->len = b->siglen = 0;
}

static int
failure(struct sign_pool *pl)
{
	const struct dnskey *k;

	if (pl->failed == 0)
		return 0;
	k = pl->c->params->keys[pl->failed - 1].key;
	snprintf(pl->c->err, pl->c->errlen, "key %u (algorithm %u) could not "
	    "sign", k->tag, k->alg);
	return APEX_ECRYPTO;
}

/* The batch being filled goes to the threads; the other one, landed,
 * is filled next. */
static int
hand_over(struct sign_pool *pl)
{
	pthread_mutex_lock(&pl->mu);
	land(pl, &pl->own);
	pl->flight = &pl->b[pl->fill];
	pl->fill ^= 1;
	pthread_cond_broadcast(&pl->work);
	pthread_mutex_unlock(&pl->mu);
	return failure(pl);
}

int
sign_queue(struct sign_ctx *c, unsigned key, size_t len, size_t siglen)
{
	if (c->pool == NULL)
		c->pool = pool_new(c);
	struct sign_pool *pl = c->pool;
	struct sign_batch *b = &pl->b[pl->fill];

	if (b->njobs == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1024;
		b->jobs = xreallocarray(b->jobs, b->cap, sizeof(*b->jobs));
	}
	sign_buf_need(&b->data, b->len + len);
	sign_buf_need(&b->sig, b->siglen + siglen);
	memcpy(b->data.p + b->len, c->data.p, len);
	b->jobs[b->njobs++] = (struct sign_job){
		.rec = zone_builder_count(c->zb) - 1,
		.off = (uint32_t)b->len, .len = (uint32_t)len,
		.sigoff = (uint32_t)b->siglen,
		.key = (uint16_t)key, .siglen = (uint16_t)siglen,
	};
	b->len += len;
	b->siglen += siglen;
	if (b->njobs >= BATCH_JOBS || b->len >= BATCH_OCTETS)
		return hand_over(pl);
	return 0;
}

int
sign_flush(struct sign_ctx *c)
{
	struct sign_pool *pl = c->pool;
	int rc;

	if (pl == NULL)
		return 0;
	if ((rc = hand_over(pl)) != 0)
		return rc;
	pthread_mutex_lock(&pl->mu);
	land(pl, &pl->own);
	pthread_mutex_unlock(&pl->mu);
	return failure(pl);
}

void
sign_pool_free(struct sign_ctx *c)
{
	struct sign_pool *pl = c->pool;

	if (pl == NULL)
		return;
	pthread_mutex_lock(&pl->mu);
	pl->stop = true;
	pthread_cond_broadcast(&pl->work);
	pthread_mutex_unlock(&pl->mu);
	for (unsigned i = 0; i < pl->nthreads; i++)
		pthread_join(pl->tid[i], NULL);
	signers_free(&pl->own);
	for (unsigned i = 0; i < 2; i++) {
		free(pl->b[i].jobs);
		free(pl->b[i].data.p);
		free(pl->b[i].sig.p);
	}
	pthread_mutex_destroy(&pl->mu);
	pthread_cond_destroy(&pl->work);
	pthread_cond_destroy(&pl->finished);
	free(pl);
	c->pool = NULL;
}
