/*
 * The query API of initgate.h, for library authors who want to tell their
 * users where init stands.  None of it runs init or blocks past its
 * timeout, so an ungated function can call it at any time.
 */
#include "internal.h"

int initgate_state(int *status);
int initgate_wait_for(long timeout_ms);
int initgate_argc(void);
char **initgate_argv(void);
char **initgate_envp(void);

int initgate_state(int *status)
{
	/* Acquire: a caller that sees FAILED also sees its status. */
	int state = __atomic_load_n(&_initgate_state, __ATOMIC_ACQUIRE);

	if (status)
		*status = state == INITGATE_FAILED
			? __atomic_load_n(&_initgate_status, __ATOMIC_RELAXED)
			: 0;
	return state;
}

int initgate_wait_for(long timeout_ms)
{
	long long start = _initgate_os_now_ns(), now;
	long left = timeout_ms;

	/* The init thread would wait for itself, and nothing may be waited
	 * for when init never started. */
	while (initgate_state(0) == INITGATE_RUNNING
	       && !_initgate_on_init_thread() && left != 0) {
		_initgate_os_sleep_while_running(left);
		if (timeout_ms < 0)
			continue;
		now = _initgate_os_now_ns();
		if (start < 0 || now < 0)
			break;
		left = timeout_ms - (long)((now - start) / 1000000);
		if (left < 0)
			left = 0;
	}
	return initgate_state(0);
}

int initgate_argc(void)
{
	_initgate_os_fill_args();
	return _initgate_argc;
}

char **initgate_argv(void)
{
	_initgate_os_fill_args();
	return _initgate_argv;
}

char **initgate_envp(void)
{
	_initgate_os_fill_args();
	return _initgate_envp;
}
