/*
 * Preloaded into the host (LD_PRELOAD): pthread_create fails with EAGAIN
 * the first REFUSE_THREADS=N times it is called, as it does while a process
 * is at its thread limit for a moment, and works again after that.  At exit
 * it says how many it refused, so a test knows the refusals happened.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef int create_fn(pthread_t *, const pthread_attr_t *,
		      void *(*)(void *), void *);

static int refused;

int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
		   void *(*fn)(void *), void *arg)
{
	const char *limit = getenv("REFUSE_THREADS");
	create_fn *next;

	if (limit && refused < atoi(limit)) {
		refused++;
		return EAGAIN;
	}
	next = (create_fn *)dlsym(RTLD_NEXT, "pthread_create");
	return next(thread, attr, fn, arg);
}

__attribute__((destructor))
static void report(void)
{
	printf("refused %d thread creations\n", refused);
}
