/*
 * Waiting for a running init: sleep until the state leaves RUNNING, warn
 * once if that takes longer than the watchdog allows, and count the wait for
 * the INITGATE_DEBUG summary.
 */
#include "internal.h"

unsigned long _initgate_waits;
long long _initgate_waited_ns;

static void warn(const char *function)
{
	struct initgate_line line;

	_initgate_line_begin(&line);
	_initgate_line_str(&line, function);
	_initgate_line_str(&line, "() has waited ");
	_initgate_line_ms(&line, (long long)INITGATE_WATCHDOG_MS * 1000000);
	_initgate_line_str(&line, " for init; is it called from a constructor, "
			   "or holding a lock that init needs? Still waiting");
	_initgate_say(&line);
}

static int running(void)
{
	/* Acquire: the caller of _initgate_await re-reads the state anyway;
	 * this only decides whether to sleep again. */
	return __atomic_load_n(&_initgate_state, __ATOMIC_ACQUIRE)
		== INITGATE_RUNNING;
}

static void orphaned(const char *function)
{
	struct initgate_line line;

	_initgate_line_begin(&line);
	_initgate_line_str(&line, function);
	_initgate_line_str(&line, "() cannot run: this process forked while "
			   "init was running, and no thread here will finish it");
	_initgate_die(&line);
}

void _initgate_await(const char *function)
{
	long long start = _initgate_os_now_ns(), now;
	long long waited = 0, limit = (long long)INITGATE_WATCHDOG_MS * 1000000;
	int warned = INITGATE_WATCHDOG_MS <= 0;

	/* Relaxed: init_pid was written by the claimer before its RUNNING was
	 * visible to us through the acquire load in the gate. */
	if (__atomic_load_n(&_initgate_init_pid, __ATOMIC_RELAXED)
	    != _initgate_os_getpid())
		orphaned(function);

	/* Relaxed: statistics only, read once at exit.  Counted now, so that
	 * calls still waiting when the process exits are counted too. */
	__atomic_add_fetch(&_initgate_waits, 1, __ATOMIC_RELAXED);

	while (running()) {
		long slice = -1;

		if (!warned)
			slice = (long)((limit - waited) / 1000000) + 1;
		_initgate_os_sleep_while_running(slice);

		/* Without a clock, a sleep that ended while still running
		 * counts as a full slice. */
		now = _initgate_os_now_ns();
		if (start >= 0 && now >= 0)
			waited = now - start;
		else if (running())
			waited = limit;
		if (!warned && waited >= limit && running()) {
			warn(function);
			warned = 1;
		}
	}

	if (start >= 0 && (now = _initgate_os_now_ns()) >= 0)
		__atomic_add_fetch(&_initgate_waited_ns, now - start,
				   __ATOMIC_RELAXED);
}
