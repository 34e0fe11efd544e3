/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * BIND's session key, for update-policy local: when a zone has that
 * policy, the parent makes an HMAC key at start (and keeps it across
 * reconfigs), adds it to the configuration's keys so the workers verify
 * it, and writes it to session-keyfile for `nsupdate -l` to read;
 * apex-xferd, which reads the configuration itself, reads the key back
 * from that file as root before it drops its privileges.
 * Runs in: apex-named parent, apex-xferd.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "base64.h"
#include "conf.h"
#include "fileio.h"

static size_t
key_octets(const char *alg)
{
	static const struct {
		const char	*name;
		size_t		 n;
	} algs[] = { { "hmac-md5", 16 }, { "hmac-sha1", 20 },
	    { "hmac-sha224", 28 }, { "hmac-sha256", 32 },
	    { "hmac-sha384", 48 }, { "hmac-sha512", 64 } };

	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcasecmp(alg, algs[i].name) == 0)
			return algs[i].n;
	return 0;
}

static void
add_key(struct conf *cf, const char *secret)
{
	struct conf_key k;

	memset(&k, 0, sizeof(k));
	k.name = xstrdup(cf->session_keyname);
	k.algorithm = xstrdup(cf->session_keyalg);
	k.secret = xstrdup(secret);
	k.file = cf->path;
	cf->keys = xreallocarray(cf->keys, cf->nkeys + 1, sizeof(k));
	cf->keys[cf->nkeys++] = k;
}

static const char *
find_secret(const struct conf *cf)
{
	for (unsigned i = 0; cf != NULL && i < cf->nkeys; i++)
		if (strcasecmp(cf->keys[i].name, cf->session_keyname) == 0 &&
		    strcasecmp(cf->keys[i].algorithm, cf->session_keyalg) == 0)
			return cf->keys[i].secret;
	return NULL;
}

/* The key file as BIND writes it: a key statement, mode 0600. */
static int
write_keyfile(const struct conf *cf, const char *secret)
{
	char *dir = xstrdup(cf->session_keyfile);
	char tmp[4096];
	FILE *f;
	int fd;

	(void)mkdir(dirname(dir), 0755);
	free(dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", cf->session_keyfile);
	(void)unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) < 0 || (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(f, "key \"%s\" {\n\talgorithm %s;\n\tsecret \"%s\";\n};\n",
	    cf->session_keyname, cf->session_keyalg, secret);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		unlink(tmp);
		return -1;
	}
	fclose(f);
	if (rename(tmp, cf->session_keyfile) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
conf_session_make(struct conf *cf, const struct conf *prev)
{
	uint8_t raw[64];
	char b64[BASE64_LEN(64) + 1];
	size_t n = key_octets(cf->session_keyalg);

	if (!cf->session_needed || find_secret(cf) != NULL)
		return 0;
	if (n == 0) {
		errno = EINVAL;
		return -1;
	}
	const char *old = find_secret(prev);
	if (old != NULL)
		snprintf(b64, sizeof(b64), "%s", old);
	else if (getrandom(raw, n, 0) != (ssize_t)n)
		return -1;
	else
		base64_encode(raw, n, b64);
	OPENSSL_cleanse(raw, sizeof(raw));
	add_key(cf, b64);
	int rc = cf->session_keyfile != NULL ? write_keyfile(cf, b64) : 0;
	OPENSSL_cleanse(b64, sizeof(b64));
	return rc;
}

int
conf_session_read(struct conf *cf)
{
	size_t len;
	char *text, *s, *e;

	if (!cf->session_needed || cf->session_keyfile == NULL ||
	    find_secret(cf) != NULL)
		return 0;
	if ((text = (char *)file_read_all(cf->session_keyfile, 4096,
	    &len)) == NULL)
		return -1;
	text = xrealloc_wipe(text, len, len + 1);
	text[len] = '\0';
	int rc = -1;
	if ((s = strstr(text, "secret \"")) != NULL &&
	    (e = strchr(s + 8, '"')) != NULL) {
		*e = '\0';
		add_key(cf, s + 8);
		rc = 0;
	} else
		errno = EINVAL;
	OPENSSL_cleanse(text, len);
	free(text);
	return rc;
}
