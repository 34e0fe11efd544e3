/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Writing a transferred zone to its file, in presentation format (ldns
 * prints each record's fields but names; types it does not know go out
 * in the RFC 3597 generic form), atomically: a temporary file in the
 * same directory, fsync, rename over the old file, fsync of the
 * directory. A reader
 * (or a restart) sees the old file or the new one, never a mix.
 * Runs in: apex-xferd (unprivileged, seccomp).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "dname.h"
#include "rr.h"
#include "xferd.h"

/* One record in the RFC 3597 form: owner TTL CLASS TYPEnnn \# len hex. */
static void
put_generic(FILE *f, const uint8_t *owner, const struct zone_rrset *rs,
    const uint8_t *rec)
{
	char name[DNAME_STRLEN], cls[16];

	dname_to_zone_str(owner, name, sizeof(name));
	fprintf(f, "%s\t%u\t%s\tTYPE%u\t\\# %u", name, zone_rrset_ttl(rs),
	    rr_class_str(get16(rs->wire + 2), cls), rs->type, get16(rec));
	if (get16(rec) > 0)
		fputc(' ', f);
	for (unsigned i = 0; i < get16(rec); i++)
		fprintf(f, "%02x", rec[2 + i]);
	fputc('\n', f);
}

/*
 * One record: the owner and names in RDATA in apex's presentation form
 * (dname_to_zone_str() escapes every octet a zone file reader takes as
 * special, RFC 1035 5.1: "$", "@", quotes, parentheses, ";", blanks,
 * backslash, non-printable), every other field as ldns prints it.
 * Returns: false if ldns cannot.
 */
static bool
put_ldns(FILE *f, const uint8_t *owner, const struct zone_rrset *rs,
    const uint8_t *rec)
{
	uint8_t wire[DNAME_MAXLEN + 10 + 65535];
	char name[DNAME_STRLEN], cls[16], type[16];
	size_t ol = dname_len(owner), pos = 0;
	ldns_rr *rr = NULL;

	/* ldns prints what it cannot parse as it pleases; these are left
	 * to the generic form, which every zone file reader takes. */
	if (rr_type_is_meta(rs->type) || rs->type == TYPE_OPT)
		return false;
	memcpy(wire, owner, ol);
	memcpy(wire + ol, rs->wire, 8);
	memcpy(wire + ol + 8, rec, 2 + (size_t)get16(rec));
	if (ldns_wire2rr(&rr, wire, ol + 10 + get16(rec), &pos,
	    LDNS_SECTION_ANSWER) != LDNS_STATUS_OK || pos != ol + 10 +
	    get16(rec) || ldns_rr_rd_count(rr) == 0) {
		if (rr != NULL)
			ldns_rr_free(rr);
		return false;
	}
	fprintf(f, "%s\t%u\t%s\t%s", dname_to_zone_str(owner, name,
	    sizeof(name)), zone_rrset_ttl(rs), rr_class_str(get16(rs->wire +
	    2), cls), rr_type_str(rs->type, type));
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *rdf = ldns_rr_rdf(rr, i);
		fputc(i == 0 ? '\t' : ' ', f);
		if (ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_DNAME) {
			fputs(dname_to_zone_str(ldns_rdf_data(rdf), name,
			    sizeof(name)), f);
			continue;
		}
		char *s = ldns_rdf2str(rdf);
		if (s != NULL)
			fputs(s, f);
		free(s);
	}
	fputc('\n', f);
	ldns_rr_free(rr);
	return true;
}

static bool
known_to_ldns(uint16_t type)
{
	char buf[16];

	/* A type with a mnemonic in both tables is printed by ldns in the
	 * presentation form the zone file reader knows. */
	return ldns_rr_descript(type) != NULL &&
	    strncmp(rr_type_str(type, buf), "TYPE", 4) != 0;
}

static int
write_zone(FILE *f, const struct zone *z, const char *comment)
{
	char when[64];
	time_t now = time(NULL);
	struct tm tm;

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC",
	    gmtime_r(&now, &tm));
	fprintf(f, "; %s\n; written by apex-xferd at %s\n", comment, when);
	/* The SOA first, as people expect; then canonical order. */
	const struct zone_rrset *soa = zone_soa(z);
	if (soa != NULL && (!known_to_ldns(TYPE_SOA) || !put_ldns(f,
	    z->origin, soa, zone_rrset_data(soa))))
		put_generic(f, z->origin, soa, zone_rrset_data(soa));
	for (uint32_t i = 0; i < z->hdr->node_count; i++) {
		const struct zone_node *n = zone_node(z, i);
		const struct zone_rrset *rs = zone_rrset_first(z, n);
		for (unsigned k = 0; k < n->nrrsets; k++,
		    rs = zone_rrset_next(rs)) {
			const uint8_t *r = zone_rrset_data(rs);
			if (rs == soa)
				continue;
			bool ldns = known_to_ldns(rs->type);
			for (unsigned m = 0; m < rs->count; m++,
			    r += 2 + get16(r))
				if (!ldns || !put_ldns(f, zone_node_name(z, n),
				    rs, r))
					put_generic(f, zone_node_name(z, n), rs,
					    r);
		}
	}
	return ferror(f) ? -1 : 0;
}

int
zwrite_file(const char *path, const struct zone *z, const char *comment,
    char *err, size_t errlen)
{
	size_t n = strlen(path) + 16;
	char *tmp = xmalloc(n), *dir = xstrdup(path);
	FILE *f = NULL;
	int fd = -1, rc = -1;

	snprintf(tmp, n, "%s.xfr-new", path);
	/* A leftover of a failed run goes first; then the file is ours
	 * alone (O_EXCL: no link planted there is followed), and not
	 * readable by others: transfers of the zone may be limited. */
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0640);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	if (write_zone(f, z, comment) != 0 || fflush(f) != 0 ||
	    fsync(fileno(f)) != 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		fclose(f);
		(void)unlink(tmp);
		goto out;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		(void)unlink(tmp);
		goto out;
	}
	/* The rename itself must survive a crash too. */
	int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	rc = 0;
out:
	free(tmp);
	free(dir);
	return rc;
}
