/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The sandbox mechanism: chroot, privilege drop, no_new_privs and a
 * seccomp allow-list. The policy is each role's: a static table of
 * system calls, one per line with the reason, next to its
 * sandbox_enter() call. A call outside the list kills the process, or,
 * built with --enable-sandbox-trap, is logged and fails with ENOSYS.
 */
#ifndef APEX_SANDBOX_H
#define APEX_SANDBOX_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/types.h>

#include "util.h"

struct sandbox_rule {
	const char	*syscall;	/* name, as in syscalls(2) */
	const char	*why;
};

/*
 * A call allowed only when its argument arg, masked with mask, equals
 * value. Several rules for one call: any of them allows it. Each role
 * lists these in a second table beside the first.
 */
struct sandbox_arg_rule {
	const char	*syscall;
	const char	*why;
	unsigned	 arg;		/* 0-based */
	uint64_t	 mask;
	uint64_t	 value;
};

/* openat(2)'s flags (argument 2): for reading only. */
#define SANDBOX_OPENAT_RDONLY	\
	2, O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND, O_RDONLY
/* open(2)'s flags (argument 1): for reading only. */
#define SANDBOX_OPEN_RDONLY	\
	1, O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND, O_RDONLY
/* mmap(2) and mprotect(2) (argument 2, prot) without PROT_EXEC. */
#define SANDBOX_NO_EXEC		2, PROT_EXEC, 0

/*
 * Switches to uid/gid with no supplementary groups and sets
 * no_new_privs. uid 0 means "stay as we are" (a server started by an
 * unprivileged user). Returns: 0 or APEX_EIO (errno set).
 */
int	sandbox_drop_privileges(uid_t uid, gid_t gid) MUST_CHECK;

/*
 * Enters the sandbox: chroot(dir) if dir is not NULL, then the privilege
 * drop above, then the seccomp filter that allows only rules[0..n) (plus
 * what every process needs to exit). Names unknown to this kernel's
 * architecture are skipped. Returns: 0 or APEX_EIO.
 */
int	sandbox_enter(const char *role, const struct sandbox_rule *rules,
	    size_t n, uid_t uid, gid_t gid, const char *dir) MUST_CHECK;
/* The same, with the calls of args[0..nargs) allowed as they say. */
int	sandbox_enter_args(const char *role, const struct sandbox_rule *rules,
	    size_t n, const struct sandbox_arg_rule *args, size_t nargs,
	    uid_t uid, gid_t gid, const char *dir) MUST_CHECK;

/* Whether this build kills on a violation (not the trap build). */
int	sandbox_kills(void);

#endif
