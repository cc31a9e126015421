/*
 * The gate a user would write by hand the way the reference Go commit did:
 * init on a thread started by a constructor, and every exported function
 * taking a mutex and checking a flag under it (waiting on a condition
 * variable until init sets it).  Correct, but every call writes the mutex,
 * a cache line all calling threads share.
 */
#include <pthread.h>

int bench_init(void);
int bench_noop(int x);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_changed = PTHREAD_COND_INITIALIZER;
static int done;

int bench_init(void)
{
	return 0;
}

static void *init_thread(void *unused)
{
	(void)unused;
	bench_init();
	pthread_mutex_lock(&lock);
	done = 1;
	pthread_cond_broadcast(&done_changed);
	pthread_mutex_unlock(&lock);
	return 0;
}

__attribute__((constructor)) static void start_init(void)
{
	pthread_t thread;

	if (pthread_create(&thread, 0, init_thread, 0) == 0)
		pthread_detach(thread);
	else
		init_thread(0);
}

static void wait_for_init(void)
{
	pthread_mutex_lock(&lock);
	while (!done)
		pthread_cond_wait(&done_changed, &lock);
	pthread_mutex_unlock(&lock);
}

int bench_noop(int x)
{
	wait_for_init();
	return x + 1;
}
