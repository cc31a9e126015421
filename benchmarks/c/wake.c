/*
 * The library of the wake-up benchmark.  Its init sleeps INIT_MS
 * milliseconds (long enough for the host's call to be waiting at the
 * gate), then records the monotonic time as the very last thing before it
 * returns and the runtime opens the gate.
 */
#include <time.h>

#ifndef INIT_MS
#define INIT_MS 5
#endif

int wake_init(void);
long long wake_done_ns(void);

static long long done_ns;

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int wake_init(void)
{
	struct timespec left = { 0, INIT_MS * 1000000L };

	while (nanosleep(&left, &left))
		;
	done_ns = now_ns();
	return 0;
}

/* Gated: returns only once init is done, with the time init finished. */
long long wake_done_ns(void)
{
	return done_ns;
}
