/*
 * The libc flavour's access to the process: time, ids, stderr, abort.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

long _initgate_os_gettid(void)
{
	return syscall(SYS_gettid);
}

long _initgate_os_getpid(void)
{
	return getpid();
}

long long _initgate_os_now_ns(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_MONOTONIC, &t))
		return -1;
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

void _initgate_os_write_stderr(const char *s, unsigned long n)
{
	ssize_t done;

	while (n && ((done = write(2, s, n)) > 0 || errno == EINTR)) {
		if (done > 0) {
			s += done;
			n -= done;
		}
	}
}

void _initgate_os_abort(void)
{
	abort();
}

const char *_initgate_os_strerror(int err)
{
	return strerror(err);
}
