/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Privilege dropping.
 * Runs in: every child of apex-named, right after fork.
 */
#include <grp.h>
#include <unistd.h>
#include <sys/prctl.h>

#include "error.h"
#include "sandbox.h"

int
sandbox_drop_privileges(uid_t uid, gid_t gid)
{
	if (uid != 0) {
		if (setgroups(0, NULL) != 0 ||
		    setresgid(gid, gid, gid) != 0 ||
		    setresuid(uid, uid, uid) != 0)
			return APEX_EIO;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return APEX_EIO;
	return 0;
}
