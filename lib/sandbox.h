/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Privilege dropping for child processes (the mechanism; each role
 * decides when to call it).
 */
#ifndef APEX_SANDBOX_H
#define APEX_SANDBOX_H

#include <sys/types.h>

#include "util.h"

/*
 * Switches to uid/gid with no supplementary groups and sets
 * no_new_privs. uid 0 means "stay as we are" (a server started by an
 * unprivileged user). Returns: 0 or APEX_EIO (errno set).
 */
int	sandbox_drop_privileges(uid_t uid, gid_t gid) MUST_CHECK;

#endif
