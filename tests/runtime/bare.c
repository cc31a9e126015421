/*
 * A test library with no C library at all (-ffreestanding -nostdlib),
 * gated by `initgate rewrite --init bare_init` and linked with the no-libc
 * runtime.  Like held.c, its init blocks reading a byte from the fd
 * in HELD_FD, and returns HELD_STATUS; it reads both from the environment
 * the loader passed (initgate_envp) and reads the pipe through the
 * runtime's own raw system call, since there is no read() to call.
 */
#include "initgate.h"

#define SYS_read_x86_64 0
#define SYS_gettid_x86_64 186

long _initgate_syscall(long number, long a1, long a2, long a3, long a4,
		       long a5, long a6) __attribute__((visibility("hidden")));

static int value;
static long init_tid;

static int env_int(const char *name, int fallback)
{
	char **env = initgate_envp();
	int i, n;

	for (; env && *env; env++) {
		for (i = 0; name[i] && (*env)[i] == name[i]; i++)
			;
		if (name[i] || (*env)[i] != '=')
			continue;
		for (n = 0, i++; (*env)[i] >= '0' && (*env)[i] <= '9'; i++)
			n = n * 10 + (*env)[i] - '0';
		return n;
	}
	return fallback;
}

int bare_init(void)
{
	int fd = env_int("HELD_FD", -1);
	char byte;

	init_tid = _initgate_syscall(SYS_gettid_x86_64, 0, 0, 0, 0, 0, 0);
	if (fd >= 0 && _initgate_syscall(SYS_read_x86_64, fd, (long)&byte, 1,
					 0, 0, 0) != 1)
		return 99;
	value = 42;
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

INITGATE_UNGATED int lib_state(void)
{
	return initgate_state(0);
}
