/*
 * The host of the wake-up benchmark: how long after init finished does a
 * caller blocked at the gate get its call's result?
 *
 *   wake_host gate LIB   dlopen LIB, call wake_done_ns at once (it waits for
 *                        init), print "NS_AFTER_INIT NS_CALLED_BEFORE_INIT"
 *   wake_host floor N    N times: a thread blocked on a condition variable,
 *                        woken by a broadcast after a timestamp; one line of
 *                        the same two numbers each
 *
 * "floor" is the same handoff written by hand in one process, with no
 * library: what waking a sleeping thread costs on this machine at all.  The
 * second number is positive when the caller was really waiting; a run
 * where it is not measures no wake-up and the benchmark drops it.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FLOOR_SLEEP_MS 5

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int done;
static long long done_ns;

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int gate(const char *path)
{
	long long (*done_at)(void), called, finished, returned;
	void *lib = dlopen(path, RTLD_NOW);

	if (!lib || !(done_at = (long long (*)(void))dlsym(lib, "wake_done_ns"))) {
		fprintf(stderr, "wake_host: %s\n", dlerror());
		return 1;
	}
	called = now_ns();
	finished = done_at();
	returned = now_ns();
	printf("%lld %lld\n", returned - finished, finished - called);
	return 0;
}

static void *opener(void *unused)
{
	struct timespec left = { 0, FLOOR_SLEEP_MS * 1000000L };

	(void)unused;
	while (nanosleep(&left, &left))
		;
	pthread_mutex_lock(&lock);
	done_ns = now_ns();
	done = 1;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
	return 0;
}

static int floor_runs(long runs)
{
	long long called, returned;
	pthread_t thread;
	long r;

	for (r = 0; r < runs; r++) {
		done = 0;
		called = now_ns();
		if (pthread_create(&thread, 0, opener, 0)) {
			fprintf(stderr, "wake_host: cannot start a thread\n");
			return 1;
		}
		pthread_mutex_lock(&lock);
		while (!done)
			pthread_cond_wait(&changed, &lock);
		pthread_mutex_unlock(&lock);
		returned = now_ns();
		pthread_join(thread, 0);
		printf("%lld %lld\n", returned - done_ns, done_ns - called);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "gate"))
		return gate(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "floor"))
		return floor_runs(atol(argv[2]));
	fprintf(stderr, "usage: wake_host gate LIB | floor N\n");
	return 2;
}
