/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * apex-named: command line, configuration, then the parent process (or,
 * with -C, a check of the configuration and every zone).
 * Runs in: apex-named parent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "loader.h"
#include "log.h"
#include "parent.h"

#define DEFAULT_CONF	SYSCONFDIR "/apex/named.conf"

static void
usage(void)
{
	fprintf(stderr, "usage: apex-named [-CfgV] [-c file] [-d level] "
	    "[-n workers] [-p port] [-t directory] [-u user]\n");
	exit(1);
}

static void
report(void *arg, const char *file, unsigned line, bool error,
    const char *msg)
{
	if (line > 0)
		fprintf(stderr, "%s:%u: %s%s\n", file, line,
		    error ? "" : "warning: ", msg);
	else
		fprintf(stderr, "%s: %s%s\n", file, error ? "" : "warning: ",
		    msg);
}

int
main(int argc, char **argv)
{
	struct parent_args pa = { 0 };
	const char *errstr = NULL;
	bool check = false;
	int ch;

	pa.conf_path = DEFAULT_CONF;
	while ((ch = getopt(argc, argv, "c:Cd:fgn:p:t:u:V")) != -1) {
		switch (ch) {
		case 'c': pa.conf_path = optarg; break;
		case 'C': check = true; break;
		case 'd': log_set_level(atoi(optarg) > 0 ? LOG_LEVEL_DEBUG :
		    LOG_LEVEL_INFO); break;
		case 'f': pa.foreground = true; break;
		case 'g': pa.foreground = pa.to_stderr = true; break;
		case 'n': pa.nworkers = (unsigned)strtoul(optarg, NULL, 10);
			if (pa.nworkers == 0 || pa.nworkers > 1024)
				errstr = "-n: expected 1 to 1024";
			break;
		case 'p': pa.port = (uint16_t)strtoul(optarg, NULL, 10);
			if (pa.port == 0)
				errstr = "-p: expected a port number";
			break;
		case 't': pa.chroot = optarg; break;
		case 'u': pa.user = optarg; pa.user_given = true; break;
		case 'V': printf("%s\n", PACKAGE_STRING); return 0;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (errstr != NULL) {
		fprintf(stderr, "apex-named: %s\n", errstr);
		return 1;
	}
	/* Until the logging statement is read: stderr in the foreground
	 * and for -C, syslog otherwise. */
	log_init("apex-named", pa.to_stderr || check || pa.foreground);
	pa.conf = conf_load(pa.conf_path, report, NULL);
	if (pa.conf == NULL)
		return 1;
	if (check) {
		log_set_plain(true);
		unsigned failed = loader_check(pa.conf);
		conf_free(pa.conf);
		return failed > 0 ? 1 : 0;
	}
	/* The parent changes to the zone directory; a reconfig and
	 * apex-xferd read the file by its full name. */
	char *full = realpath(pa.conf_path, NULL);
	if (full != NULL)
		pa.conf_path = full;
	parent_main(&pa);
}
