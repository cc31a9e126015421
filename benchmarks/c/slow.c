/*
 * The library of the dlopen benchmark: an init that takes INIT_MS
 * milliseconds (a sleep stands for real work; 0 makes it empty), and one
 * exported function that tells whether init has run.  Built gated
 * (slow_init as the init function), and plain with -DIN_CONSTRUCTOR, which
 * runs the same init from a constructor, the way libraries do it without
 * initgate.
 */
#include <time.h>

#ifndef INIT_MS
#define INIT_MS 2000
#endif

int slow_init(void);
int slow_ready(void);

static int ready;

int slow_init(void)
{
#if INIT_MS > 0
	struct timespec left = { INIT_MS / 1000, INIT_MS % 1000 * 1000000L };

	while (nanosleep(&left, &left))
		;
#endif
	ready = 1;
	return 0;
}

#ifdef IN_CONSTRUCTOR
__attribute__((constructor)) static void run_init(void)
{
	slow_init();
}
#endif

int slow_ready(void)
{
	return ready;
}
