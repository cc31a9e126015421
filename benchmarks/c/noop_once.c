/*
 * The other gate a user would write by hand: pthread_once at the top of
 * every exported function.  Init then runs lazily, on the first caller's
 * thread, not at load time; after it, each call still goes through the
 * C library's pthread_once.
 */
#include <pthread.h>

int bench_init(void);
int bench_noop(int x);

static pthread_once_t once = PTHREAD_ONCE_INIT;

int bench_init(void)
{
	return 0;
}

static void run_init(void)
{
	bench_init();
}

int bench_noop(int x)
{
	pthread_once(&once, run_init);
	return x + 1;
}
