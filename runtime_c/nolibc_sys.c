/*
 * The no-libc flavour's access to the process, through raw system calls.
 */
#include "nolibc.h"

long _initgate_os_gettid(void)
{
	return initgate_sys(INITGATE_SYS_gettid, 0, 0, 0);
}

long _initgate_os_getpid(void)
{
	return initgate_sys(INITGATE_SYS_getpid, 0, 0, 0);
}

long long _initgate_os_now_ns(void)
{
#ifdef INITGATE_SYS_clock_gettime
	struct initgate_timespec t;

	if (initgate_sys(INITGATE_SYS_clock_gettime, 1 /* MONOTONIC */, &t, 0))
		return -1;
	return t.tv_sec * 1000000000LL + t.tv_nsec;
#else
	return -1;
#endif
}

void _initgate_os_write_stderr(const char *s, unsigned long n)
{
	long done;

	while (n) {
		done = initgate_sys(INITGATE_SYS_write, 2, s, n);
		if (done == -4)		/* EINTR */
			continue;
		if (done <= 0)
			return;
		s += done;
		n -= done;
	}
}

/* What abort() does: SIGABRT, unblocked, to this thread; if a handler
 * returns, end the process anyway. */
void _initgate_os_abort(void)
{
	unsigned long long abrt = 1ULL << (INITGATE_SIGABRT - 1);

	_initgate_syscall(INITGATE_SYS_rt_sigprocmask, INITGATE_SIG_UNBLOCK,
			  (long)&abrt, 0, sizeof abrt, 0, 0);
	initgate_sys(INITGATE_SYS_tgkill, _initgate_os_getpid(),
		     _initgate_os_gettid(), INITGATE_SIGABRT);
	for (;;)
		initgate_sys(INITGATE_SYS_exit_group, 127, 0, 0);
}

const char *_initgate_os_strerror(int err)
{
	switch (err) {
	case 1: return "Operation not permitted";
	case 11: return "Resource temporarily unavailable";
	case 12: return "Cannot allocate memory";
	case 22: return "Invalid argument";
	default: return "system error";
	}
}
