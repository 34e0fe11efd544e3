/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * apex-ctl tsig-keygen [-a ALG] NAME: prints a key clause with a random
 * secret as long as the hash's output, which BIND, NSD (as a key:
 * section, same secret), Knot and apex accept.
 * Runs in: apex-ctl.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>

#include "base64.h"
#include "keygen.h"

static const struct {
	const char	*name;
	size_t		 bytes;
} algs[] = {
	{ "hmac-md5", 16 }, { "hmac-sha1", 20 }, { "hmac-sha224", 28 },
	{ "hmac-sha256", 32 }, { "hmac-sha384", 48 }, { "hmac-sha512", 64 },
};

int
keygen_main(int argc, char **argv)
{
	const char *alg = "hmac-sha256";
	unsigned char secret[64];
	char b64[100];
	size_t bytes = 0;
	int ch;

	optind = 1;
	while ((ch = getopt(argc, argv, "a:")) != -1) {
		if (ch != 'a') {
			fprintf(stderr, "usage: apex-ctl tsig-keygen [-a alg] "
			    "name\n");
			return 1;
		}
		alg = optarg;
	}
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(algs[i].name, alg) == 0)
			bytes = algs[i].bytes;
	if (bytes == 0 || optind != argc - 1) {
		fprintf(stderr, "usage: apex-ctl tsig-keygen [-a hmac-md5|"
		    "hmac-sha1|hmac-sha224|hmac-sha256|hmac-sha384|"
		    "hmac-sha512] name\n");
		return 1;
	}
	if (getrandom(secret, bytes, 0) != (ssize_t)bytes) {
		perror("apex-ctl: getrandom");
		return 1;
	}
	base64_encode(secret, bytes, b64);
	printf("key \"%s\" {\n\talgorithm %s;\n\tsecret \"%s\";\n};\n",
	    argv[optind], alg, b64);
	return 0;
}
