/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Privilege dropping and seccomp filters (libseccomp).
 * Runs in: every child of apex-named and apex-xferd, before its first
 * untrusted byte.
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>

#include <seccomp.h>

#include "error.h"
#include "log.h"
#include "sandbox.h"

/* Every process may leave. */
static const struct sandbox_rule always[] = {
	{ "exit", "end a thread" },
	{ "exit_group", "end the process" },
	{ "rt_sigreturn", "return from a signal handler" },
};

int
sandbox_drop_privileges(uid_t uid, gid_t gid)
{
	if (uid != 0) {
		pid_t parent = getppid();
		if (setgroups(0, NULL) != 0 ||
		    setresgid(gid, gid, gid) != 0 ||
		    setresuid(uid, uid, uid) != 0)
			return APEX_EIO;
		/* Changing credentials clears the parent-death signal; a
		 * child must not outlive apex-named. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
			return APEX_EIO;
		if (getppid() != parent)
			_exit(1);	/* the parent died meanwhile */
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return APEX_EIO;
	return 0;
}

#ifdef SANDBOX_TRAP
static void
sandbox_sigsys(int sig, siginfo_t *si, void *ctx)
{
	char buf[96];
	int n = snprintf(buf, sizeof(buf),
	    "sandbox: forbidden system call %d (trapped)\n", si->si_syscall);

	(void)sig;
	(void)ctx;
	if (n > 0)
		(void)write(STDERR_FILENO, buf, (size_t)n);
}
#endif

int
sandbox_kills(void)
{
#ifdef SANDBOX_TRAP
	return 0;
#else
	return 1;
#endif
}

/* The number of a system call, or -1 (logged) if this architecture
 * has none of that name. */
static int
resolve(const char *role, const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR) {
		log_debug("%s: sandbox: no system call %s here", role, name);
		return -1;
	}
	return nr;
}

static int
add_rules(scmp_filter_ctx ctx, const char *role,
    const struct sandbox_rule *rules, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int nr = resolve(role, rules[i].syscall);
		if (nr >= 0 &&
		    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) != 0)
			return APEX_EIO;
	}
	return 0;
}

static int
add_arg_rules(scmp_filter_ctx ctx, const char *role,
    const struct sandbox_arg_rule *rules, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int nr = resolve(role, rules[i].syscall);
		if (nr >= 0 && seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
		    SCMP_CMP(rules[i].arg, SCMP_CMP_MASKED_EQ, rules[i].mask,
		    rules[i].value)) != 0)
			return APEX_EIO;
	}
	return 0;
}

int
sandbox_enter(const char *role, const struct sandbox_rule *rules, size_t n,
    uid_t uid, gid_t gid, const char *dir)
{
	return sandbox_enter_args(role, rules, n, NULL, 0, uid, gid, dir);
}

int
sandbox_enter_args(const char *role, const struct sandbox_rule *rules,
    size_t n, const struct sandbox_arg_rule *args, size_t nargs, uid_t uid,
    gid_t gid, const char *dir)
{
	uint32_t deny = SCMP_ACT_KILL_PROCESS;

	if (dir != NULL && (chroot(dir) != 0 || chdir("/") != 0))
		return APEX_EIO;
	if (sandbox_drop_privileges(uid, gid) != 0)
		return APEX_EIO;
#ifdef SANDBOX_TRAP
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sandbox_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSYS, &sa, NULL);
	deny = SCMP_ACT_TRAP;
#endif
	scmp_filter_ctx ctx = seccomp_init(deny);
	if (ctx == NULL)
		return APEX_EIO;
	int rc = add_rules(ctx, role, always, nitems(always));
	if (rc == 0)
		rc = add_rules(ctx, role, rules, n);
	if (rc == 0)
		rc = add_arg_rules(ctx, role, args, nargs);
	/* clone3(2) takes its flags in memory, where no filter can look:
	 * it fails as if the kernel lacked it, and glibc falls back to
	 * clone(2), which a role's list may allow for threads alone. */
	int nr = resolve(role, "clone3");
	if (rc == 0 && nr >= 0 && seccomp_rule_add(ctx,
	    SCMP_ACT_ERRNO(ENOSYS), nr, 0) != 0)
		rc = APEX_EIO;
	if (rc == 0 && seccomp_load(ctx) != 0)
		rc = APEX_EIO;
	seccomp_release(ctx);
	return rc;
}
