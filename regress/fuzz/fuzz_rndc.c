/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * libFuzzer target: any bytes as an rndc message after its length
 * prefix, through isccc_parse(), isccc_verify() with the seeds' key and
 * every lookup the control process makes (lib/isccc.c). Whatever the
 * command line read, a reply written with it must parse back, verify
 * and carry it unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "isccc.h"

/* The key regress/fuzz/seeds_rndc.py signs its seeds with. */
static const uint8_t key[] = "apex fuzz rndc key";

static void
round_trip(const char *type, uint32_t ser)
{
	static uint8_t out[4096];
	struct isccc_writer w;
	struct isccc_msg r;
	char back[1024];
	uint32_t v;

	isccc_w_init(&w, out, sizeof(out), ISCCC_HMAC_SHA256);
	isccc_w_table(&w, "_ctrl");
	isccc_w_u32(&w, "_ser", ser);
	isccc_w_str(&w, "_rpl", "1");
	isccc_w_end(&w);
	isccc_w_table(&w, "_data");
	isccc_w_str(&w, "type", type);
	isccc_w_end(&w);
	size_t n = isccc_w_finish(&w, key, sizeof(key) - 1);
	if (n < 4 || isccc_parse(out + 4, n - 4, &r) != 0 ||
	    !isccc_verify(&r, ISCCC_HMAC_SHA256, key, sizeof(key) - 1) ||
	    isccc_verify(&r, ISCCC_HMAC_SHA512, key, sizeof(key) - 1) ||
	    !isccc_get_str(r.data, "type", back, sizeof(back)) ||
	    strcmp(back, type) != 0 || !isccc_get_u32(r.ctrl, "_ser", &v) ||
	    v != ser)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum isccc_alg algs[] = { ISCCC_HMAC_MD5,
	    ISCCC_HMAC_SHA1, ISCCC_HMAC_SHA256, ISCCC_HMAC_SHA512 };
	struct isccc_msg m;
	struct isccc_region v;
	char type[1024];
	uint32_t ser = 0, u;

	if (isccc_parse(data, size, &m) != 0)
		return 0;
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		(void)isccc_verify(&m, algs[i], key, sizeof(key) - 1);
	(void)isccc_get_u32(m.ctrl, "_ser", &ser);
	(void)isccc_get_u32(m.ctrl, "_tim", &u);
	(void)isccc_get_u32(m.ctrl, "_nonce", &u);
	(void)isccc_lookup(m.ctrl, "_rpl", ISCCC_BINARY, &v);
	if (!isccc_get_str(m.data, "type", type, sizeof(type)))
		strcpy(type, "");
	round_trip(type, ser);
	return 0;
}
