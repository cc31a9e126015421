/*
 * held.c without a C library (-ffreestanding -nostdlib): the same exported
 * API and the same controls from the environment (HELD_FD, HELD_STATUS,
 * HELD_EARLY_FD, HELD_SELF_CALL, -DHELD_PREFIX, -DHELD_CTOR; see held.c),
 * except those that need a C library (fork, pthread attributes).  It is
 * gated by `initgate rewrite --init bare_init` and linked with the no-libc
 * runtime.  The environment is the one the loader passed (initgate_envp),
 * and the pipe is read through the runtime's own raw system call, since
 * there is no read() to call.
 */
#include "initgate.h"

#ifndef HELD_PREFIX
#define HELD_PREFIX ""
#endif

#define SYS_read_x86_64 0
#define SYS_gettid_x86_64 186

long _initgate_syscall(long number, long a1, long a2, long a3, long a4,
		       long a5, long a6) __attribute__((visibility("hidden")));

static int value;
static int self_call_result = -1;
static long init_tid;
static unsigned long init_stack;

/* Does `entry` read PREFIX NAME "="?  Then *rest is what follows. */
static int is_var(const char *entry, const char *name, const char **rest)
{
	const char *prefix = HELD_PREFIX;

	while (*prefix && *entry == *prefix)
		entry++, prefix++;
	while (!*prefix && *name && *entry == *name)
		entry++, name++;
	*rest = entry + 1;
	return !*prefix && !*name && *entry == '=';
}

static int env_int(const char *name, int fallback)
{
	char **env = initgate_envp();
	const char *text;
	int n;

	for (; env && *env; env++) {
		if (!is_var(*env, name, &text))
			continue;
		for (n = 0; *text >= '0' && *text <= '9'; text++)
			n = n * 10 + *text - '0';
		return n;
	}
	return fallback;
}

static int wait_for_byte(int fd)
{
	char byte;

	return fd < 0 || _initgate_syscall(SYS_read_x86_64, fd, (long)&byte, 1,
					   0, 0, 0) == 1;
}

int lib_value(void);

int bare_init(void)
{
	char here;

	init_tid = _initgate_syscall(SYS_gettid_x86_64, 0, 0, 0, 0, 0, 0);
	/* Release: the host polls it (lib_init_stack). */
	__atomic_store_n(&init_stack, (unsigned long)&here, __ATOMIC_RELEASE);
	if (!wait_for_byte(env_int("HELD_FD", -1)))
		return 99;
	if (env_int("HELD_SELF_CALL", 0))
		self_call_result = lib_value();
	value = 42;
	if (env_int("HELD_EARLY_FD", -1) >= 0) {
		initgate_notify();
		if (!wait_for_byte(env_int("HELD_EARLY_FD", -1)))
			return 99;
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

#include "queries.h"

#ifdef HELD_CTOR
__attribute__((constructor))
static void calls_own_api(void)
{
	lib_value();
}
#endif
