/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Signatures computed on several threads.
 * Runs in: the signer.
 *
 * sign_emit() adds each new
 * RRSIG to the builder with its signature field zeroed and queues what
 * is to be signed (the RRSIG RDATA up to the signature, then the RRset
 * in canonical form); when the queue is full, and before the image is
 * finished, every thread takes jobs from it and writes the signatures
 * into the builder's records in place. The queue is bounded (jobs and
 * octets) so that signing a large zone costs a few megabytes more, not
 * a copy of the zone. Signatures do not depend on each other, so the
 * result is the image one thread would make (ECDSA and RSA-PSS aside,
 * whose signatures are random anyway).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIGN_PRIVATE
#include "error.h"
#include "sign.h"

#define QUEUE_JOBS	16384
#define QUEUE_OCTETS	(8u << 20)
#define BATCH		32		/* jobs a thread takes at once */
#define THREADS_MAX	16

struct sign_job {
	uint32_t	rec;		/* the RRSIG in the builder */
	uint32_t	off, len;	/* what to sign, in c->jobdata */
	uint16_t	key;		/* index in the parameters' keys */
	uint16_t	siglen;
};

struct pool_run {
	struct sign_ctx	*c;
	atomic_uint	 next;
	atomic_int	 failed;	/* key index + 1; 0: none */
};

int
sign_queue(struct sign_ctx *c, unsigned key, size_t len, size_t siglen)
{
	if (c->njobs == c->capjobs) {
		c->capjobs = c->capjobs ? c->capjobs * 2 : 1024;
		c->jobs = xreallocarray(c->jobs, c->capjobs, sizeof(*c->jobs));
	}
	sign_buf_need(&c->jobdata, c->jobdata_len + len);
	memcpy(c->jobdata.p + c->jobdata_len, c->data.p, len);
	c->jobs[c->njobs++] = (struct sign_job){
		.rec = zone_builder_count(c->zb) - 1,
		.off = (uint32_t)c->jobdata_len, .len = (uint32_t)len,
		.key = (uint16_t)key, .siglen = (uint16_t)siglen,
	};
	c->jobdata_len += len;
	if (c->njobs >= QUEUE_JOBS || c->jobdata_len >= QUEUE_OCTETS)
		return sign_flush(c);
	return 0;
}

static bool
run_job(struct sign_ctx *c, const struct sign_job *j,
    struct dnskey_signer **signers)
{
	const struct sign_key *sk = &c->params->keys[j->key];
	uint8_t sig[DNSKEY_SIG_MAX], *rd;
	uint16_t rdlen;

	if (signers[j->key] == NULL &&
	    (signers[j->key] = dnskey_signer_new(sk->key)) == NULL)
		return false;
	int n = dnskey_signer_sign(signers[j->key], c->jobdata.p + j->off,
	    j->len, sig);
	rd = zone_builder_rdata(c->zb, j->rec, &rdlen);
	if (n != j->siglen || rd == NULL || rdlen < j->siglen)
		return false;
	memcpy(rd + rdlen - j->siglen, sig, j->siglen);
	return true;
}

static void *
pool_thread(void *arg)
{
	struct pool_run *pr = arg;
	struct sign_ctx *c = pr->c;
	unsigned nkeys = c->params->nkeys;
	struct dnskey_signer **signers = xcalloc(nkeys + 1, sizeof(*signers));

	for (;;) {
		unsigned i = atomic_fetch_add(&pr->next, BATCH);
		if (i >= c->njobs || atomic_load(&pr->failed) != 0)
			break;
		unsigned end = i + BATCH < c->njobs ? i + BATCH : c->njobs;
		for (; i < end; i++)
			if (!run_job(c, &c->jobs[i], signers)) {
				int none = 0;
				atomic_compare_exchange_strong(&pr->failed,
				    &none, (int)c->jobs[i].key + 1);
				break;
			}
	}
	for (unsigned k = 0; k < nkeys; k++)
		dnskey_signer_free(signers[k]);
	free(signers);
	return NULL;
}

int
sign_flush(struct sign_ctx *c)
{
	pthread_t tid[THREADS_MAX];
	struct pool_run pr = { .c = c };
	unsigned want = c->params->threads, started = 0;

	if (c->njobs == 0)
		return 0;
	if (want > THREADS_MAX)
		want = THREADS_MAX;
	/* This thread works too; fewer threads than wanted (a limit on
	 * threads) only makes the run slower. */
	while (started + 1 < want && c->njobs > started * BATCH * 4 &&
	    pthread_create(&tid[started], NULL, pool_thread, &pr) == 0)
		started++;
	pool_thread(&pr);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	c->njobs = 0;
	c->jobdata_len = 0;
	int failed = atomic_load(&pr.failed);
	if (failed != 0) {
		const struct dnskey *k = c->params->keys[failed - 1].key;
		snprintf(c->err, c->errlen, "key %u (algorithm %u) could not "
		    "sign", k->tag, k->alg);
		return APEX_ECRYPTO;
	}
	return 0;
}

void
sign_pool_free(struct sign_ctx *c)
{
	free(c->jobs);
	free(c->jobdata.p);
}
