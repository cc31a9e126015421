/*
 * A test library, plain C as its author would write it (the tests run
 * `initgate rewrite --init held_init` on it), whose init the test
 * controls through the environment:
 *
 *   HELD_FD=N       init blocks reading one byte from fd N (the test holds
 *                   init until it writes that byte)
 *   HELD_STATUS=N   init returns N (failure when not 0)
 *   HELD_EARLY_FD=N init opens the gate, then blocks reading fd N, as a
 *                   service thread would go on working
 *   HELD_SELF_CALL  init calls the library's own exported API
 *   HELD_FORK       init forks; the child calls the API and exits
 *
 * Before it blocks, init records what its own thread looks like (its tid,
 * an address on its stack, its pthread attributes), for the host to read
 * through the ungated lib_init_* functions while init is still held.
 *
 * Built with -DHELD_PREFIX=x to read xHELD_FD etc. instead, so two copies
 * in one process are held separately; -DHELD_CTOR adds a constructor that
 * calls the API.  tests/runtime/bare.c is the same library without libc.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "initgate.h"

#ifndef HELD_PREFIX
#define HELD_PREFIX ""
#endif

static int value;
static int self_call_result = -1;
static long init_tid;
static int fork_child_status = -1;
static unsigned long init_stack;
static int init_detached = -1;
static long init_stack_size = -1;

static int env_int(const char *name, int fallback)
{
	char full[64] = HELD_PREFIX;
	const char *text;
	int i = 0, j = 0;

	while (full[i])
		i++;
	while (name[j] && i < 63)
		full[i++] = name[j++];
	full[i] = 0;
	text = getenv(full);
	return text ? atoi(text) : fallback;
}

static void wait_for_byte(int fd)
{
	char byte;

	if (fd >= 0 && read(fd, &byte, 1) != 1)
		_exit(99);
}

static void record_thread(void)
{
	pthread_attr_t attr;
	int detach;
	size_t size;
	char here;

	init_tid = syscall(SYS_gettid);
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		if (pthread_attr_getdetachstate(&attr, &detach) == 0)
			init_detached = detach == PTHREAD_CREATE_DETACHED;
		if (pthread_attr_getstacksize(&attr, &size) == 0)
			init_stack_size = (long)size;
		pthread_attr_destroy(&attr);
	}

	/* Release: the host polls it, then reads the rest. */
	__atomic_store_n(&init_stack, (unsigned long)&here, __ATOMIC_RELEASE);
}

int lib_value(void);

int held_init(void)
{
	record_thread();
	wait_for_byte(env_int("HELD_FD", -1));
	if (env_int("HELD_SELF_CALL", 0))
		self_call_result = lib_value();
	if (env_int("HELD_FORK", 0)) {
		pid_t child = fork();

		if (child == 0)
			_exit(lib_value() == 0 ? 0 : 1);
		if (child > 0 && waitpid(child, &fork_child_status, 0) != child)
			fork_child_status = -2;
	}
	value = 42;
	if (env_int("HELD_EARLY_FD", -1) >= 0) {
		initgate_notify();
		wait_for_byte(env_int("HELD_EARLY_FD", -1));
		value = 43;
	}
	return env_int("HELD_STATUS", 0);
}

int lib_value(void)
{
	return value;
}

long lib_init_tid(void)
{
	return init_tid;
}

int lib_self_call_result(void)
{
	return self_call_result;
}

int lib_fork_child_status(void)
{
	return fork_child_status;
}

#include "queries.h"

INITGATE_UNGATED int lib_init_detached(void)
{
	return init_detached;
}

INITGATE_UNGATED long lib_init_stack_size(void)
{
	return init_stack_size;
}

#ifdef HELD_CTOR
__attribute__((constructor))
static void calls_own_api(void)
{
	lib_value();
}
#endif

#ifdef HELD_HANDLER
#include <stdio.h>

void held_failed(const char *library, const char *function, int status);

INITGATE_UNGATED void held_failed(const char *library, const char *function,
				  int status)
{
	fprintf(stderr, "handler: %s %s %d\n", library, function, status);
	fflush(stderr);
	_exit(7);
}
#endif
