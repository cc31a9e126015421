/*
 * The no-libc flavour's gate: waiters sleep in futex on the state word
 * itself, while it still reads RUNNING; a change of state is one CAS and
 * a wake of everyone.  The kernel checks the word and sleeps atomically,
 * so a change between our check and the sleep cannot be missed.
 */
#include "nolibc.h"

int _initgate_os_publish(int from, int to)
{
	/* Release: pairs with the gate's acquire load, so whoever sees the
	 * new state sees everything written before it. */
	if (!__atomic_compare_exchange_n(&_initgate_state, &from, to, 0,
					 __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		return 0;
	initgate_sys(INITGATE_SYS_futex, &_initgate_state,
		     INITGATE_FUTEX_WAKE_PRIVATE, 0x7fffffff);
	return 1;
}

static void futex_wait(int *word, int value, long timeout_ms)
{
	struct initgate_timespec t, *timeout = 0;

	if (timeout_ms >= 0) {
		t.tv_sec = timeout_ms / 1000;
		t.tv_nsec = timeout_ms % 1000 * 1000000;
		timeout = &t;
	}
	/* Returns at a wake, a change of *word, a signal or the timeout:
	 * every caller re-checks. */
	_initgate_syscall(INITGATE_SYS_futex, (long)word,
			  INITGATE_FUTEX_WAIT_PRIVATE, value, (long)timeout,
			  0, 0);
}

void _initgate_os_sleep_while_running(long timeout_ms)
{
	futex_wait(&_initgate_state, INITGATE_RUNNING, timeout_ms);
}

/* A sleep without nanosleep: a futex nobody ever wakes, with a timeout. */
void _initgate_os_pause(long ms)
{
	static int never;

	futex_wait(&never, 0, ms);
}
