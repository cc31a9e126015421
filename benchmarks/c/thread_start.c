/*
 * The floor under a gated dlopen: how long the first pthread_create of a
 * fresh process takes, made the way the runtime makes its init thread
 * (runtime_c/libc_thread.c: detached, the runtime's default 8 MiB stack,
 * every signal blocked around the create).  A gated dlopen pays this on top
 * of what loading the same library costs; nothing else it does is as dear.
 *
 *   thread_start     prints "start NS"
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *idle(void *arg)
{
	return arg;
}

int main(void)
{
	pthread_attr_t attr;
	pthread_t thread;
	sigset_t all, old;
	long long start, started;
	int err;

	start = now_ns();
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 8 << 20);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&thread, &attr, idle, 0);
	pthread_sigmask(SIG_SETMASK, &old, 0);
	started = now_ns();
	pthread_attr_destroy(&attr);
	if (err) {
		fprintf(stderr, "thread_start: pthread_create failed (%d)\n", err);
		return 1;
	}
	printf("start %lld\n", started - start);
	fflush(stdout);
	/* Like dlopen_host: leave without waiting for the thread. */
	_exit(0);
}
