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
 * Built with -DHELD_PREFIX=x to read xHELD_FD etc. instead, so two copies
 * in one process are held separately; -DHELD_CTOR adds a constructor that
 * calls the API.
 */
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

int lib_value(void);

int held_init(void)
{
	init_tid = syscall(SYS_gettid);
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

/* Queries must never wait: rewrite leaves these without a gate. */
INITGATE_UNGATED int lib_state(void)
{
	return initgate_state(0);
}

INITGATE_UNGATED int lib_wait_for(long ms)
{
	return initgate_wait_for(ms);
}

INITGATE_UNGATED int lib_argc(void)
{
	return initgate_argc();
}

INITGATE_UNGATED char **lib_argv(void)
{
	return initgate_argv();
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
