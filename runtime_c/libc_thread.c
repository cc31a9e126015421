/*
 * Thread create, pthreads flavour: a detached thread with every signal
 * blocked (the host's signal handlers must never run on it), on a stack of
 * INITGATE_STACK_SIZE bytes.  One attempt per call: rt0.c decides about
 * retries.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "internal.h"

int x_cgo_sys_thread_create(void *(*fn)(void *), void *arg);

int x_cgo_sys_thread_create(void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	pthread_t thread;
	sigset_t all, old;
	int err;

	err = pthread_attr_init(&attr);
	if (err)
		return err;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_attr_setstacksize(&attr, INITGATE_STACK_SIZE);

	/* The new thread inherits the creator's mask; restore ours after. */
	sigfillset(&all);
	if (!err) {
		pthread_sigmask(SIG_SETMASK, &all, &old);
		err = pthread_create(&thread, &attr, fn, arg);
		pthread_sigmask(SIG_SETMASK, &old, 0);
	}
	pthread_attr_destroy(&attr);
	return err;
}

static void *trampoline(void *fn)
{
	((void (*)(void))fn)();
	return 0;
}

int _initgate_os_start_thread(void (*fn)(void))
{
	return x_cgo_sys_thread_create(trampoline, (void *)fn);
}

/* "libfoo.so.1" shows as "libfoo-init" in top -H and debuggers. */
void _initgate_os_name_thread(const char *library)
{
	char name[16];
	size_t n = strcspn(library, ".");

	if (n > 10)
		n = 10;
	memcpy(name, library, n);
	memcpy(name + n, "-init", 6);
	pthread_setname_np(pthread_self(), name);
}
