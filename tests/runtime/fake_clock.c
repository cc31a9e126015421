/*
 * Preloaded into the host (LD_PRELOAD): a clock on which time passes only
 * while somebody waits for it.  clock_gettime reads the real clock plus an
 * offset, and pthread_cond_timedwait returns ETIMEDOUT at once, having moved
 * the offset on towards its deadline by at most a second, as a real wait
 * that timed out, or woke early, would.  A watchdog of ten seconds is then
 * reached in microseconds, through the same steps as on the real clock.
 * Untimed waits are left alone: they still sleep until woken.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NS 1000000000LL
#define STEP_NS NS		/* the most one timed wait moves the clock */

static long long offset_ns;

int clock_gettime(clockid_t clock, struct timespec *t)
{
	long long ns;

	/* The system call itself: the C library's would be this function. */
	if (syscall(SYS_clock_gettime, clock, t))
		return -1;
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
		return 0;
	ns = t->tv_sec * NS + t->tv_nsec +
	     __atomic_load_n(&offset_ns, __ATOMIC_RELAXED);
	t->tv_sec = ns / NS;
	t->tv_nsec = ns % NS;
	return 0;
}

int pthread_cond_timedwait(pthread_cond_t *cond, pthread_mutex_t *mutex,
			   const struct timespec *deadline)
{
	struct timespec now;
	long long left;

	(void)cond;
	(void)mutex;
	clock_gettime(CLOCK_REALTIME, &now);
	left = (deadline->tv_sec - now.tv_sec) * NS +
	       deadline->tv_nsec - now.tv_nsec;
	if (left > STEP_NS)
		left = STEP_NS;
	if (left > 0)
		__atomic_add_fetch(&offset_ns, left, __ATOMIC_RELAXED);
	return ETIMEDOUT;
}
