/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * apex-ctl: the control client of apex-named.
 * Runs in: apex-ctl.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "conf.h"
#include "keygen.h"

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = getenv("APEX_CTL_SOCKET");
	bool json = false;
	int ch;

	if (path == NULL)
		path = CONF_CONTROL_PATH;
	while ((ch = getopt_long(argc, argv, "+js:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j': json = true; break;
		case 's': path = optarg; break;
		default: ctl_usage(); return 1;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc >= 1 && strcmp(argv[0], "--json") == 0) {
		json = true;
		argc--;
		argv++;
	}
	if (argc < 1) {
		ctl_usage();
		return 1;
	}
	if (strcmp(argv[0], "tsig-keygen") == 0)
		return keygen_main(argc, argv);
	const struct ctl_command_def *cmd = ctl_find(argv[0]);
	/* A trailing --json is taken too, as rndc users write it. */
	if (argc > 1 && strcmp(argv[argc - 1], "--json") == 0) {
		json = true;
		argc--;
	}
	char words[1024] = "";
	if (cmd != NULL && cmd->arg == 3 && argc >= 2) {
		/* rndc's dnssec: several words, one argument */
		for (int i = 1; i < argc; i++) {
			size_t n = strlen(words);
			if (snprintf(words + n, sizeof(words) - n, "%s%s",
			    i > 1 ? " " : "", argv[i]) >= (int)(sizeof(words) -
			    n)) {
				fprintf(stderr, "apex-ctl: arguments "
				    "too long\n");
				return 1;
			}
		}
		return ctl_run(path, cmd, words, json);
	}
	if (cmd == NULL || (cmd->arg == 0 && argc > 1) ||
	    (cmd->arg >= 2 && argc != 2) || argc > 2) {
		if (cmd == NULL)
			fprintf(stderr, "apex-ctl: unknown command: %s\n",
			    argv[0]);
		else
			fprintf(stderr, "apex-ctl: usage: %s %s\n", cmd->name,
			    cmd->argname ? cmd->argname : "");
		return 1;
	}
	return ctl_run(path, cmd, argc > 1 ? argv[1] : NULL, json);
}
