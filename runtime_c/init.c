/*
 * Claiming init and running it.
 *
 * Whoever moves the state from NOT_STARTED to RUNNING owns init: the rt0
 * lib entry (which then runs it on a new thread), or a gated call that came
 * first (a constructor of the same library, or any call into a library that
 * was never patched), which runs it on its own thread.  Either way init runs
 * once, and everyone else waits for the gate to open.
 */
#include "internal.h"

long _initgate_init_tid;
long _initgate_init_pid;
long long _initgate_started_ns;

extern int _initgate_islibrary;

int _initgate_on_init_thread(void)
{
	/* Relaxed: only the init thread itself can find its own tid here,
	 * and it wrote it before calling init. */
	return __atomic_load_n(&_initgate_init_tid, __ATOMIC_RELAXED)
		== _initgate_os_gettid();
}

static void log_start(const char *function)
{
	struct initgate_line line;

	if (!_initgate_debug)
		return;
	_initgate_line_begin(&line);
	if (!function) {
		_initgate_line_str(&line, "init started on its own thread");
	} else {
		_initgate_line_str(&line, "init started on the first call, in ");
		_initgate_line_str(&line, function);
		_initgate_line_str(&line, __atomic_load_n(&_initgate_islibrary,
						__ATOMIC_RELAXED)
				   ? "() (called before the load-time entry)"
				   : "() (the library was not patched)");
	}
	_initgate_say(&line);
}

static void log_end(int status, int opened)
{
	struct initgate_line line;
	long long now = _initgate_os_now_ns();

	if (!_initgate_debug && !(status && !opened))
		return;
	_initgate_line_begin(&line);
	if (opened) {
		_initgate_line_str(&line, status ? "init failed with status "
				   : "init done");
		if (status)
			_initgate_line_int(&line, status);
	} else {
		/* The init function opened the gate itself, then failed:
		 * callers are already in, so say so whatever the setting. */
		_initgate_line_str(&line, "init returned ");
		_initgate_line_int(&line, status);
		_initgate_line_str(&line, " after it had opened the gate");
	}
	if (now >= 0 && _initgate_started_ns >= 0) {
		_initgate_line_str(&line, " in ");
		_initgate_line_ms(&line, now - _initgate_started_ns);
	}
	_initgate_say(&line);
}

/*
 * Runs on the thread that claimed init, with the state RUNNING: `function`
 * is the gated call that claimed it, or null on the init thread.
 */
void _initgate_run_init(const char *function)
{
	int status, opened;

	/* Relaxed: see _initgate_on_init_thread. */
	__atomic_store_n(&_initgate_init_tid, _initgate_os_gettid(),
			 __ATOMIC_RELAXED);
	_initgate_started_ns = _initgate_os_now_ns();
	log_start(function);

	status = _initgate_user_init();

	/*
	 * Say how init ended before opening the gate: once it is open, a
	 * caller may abort the process on a failure and the line would be
	 * lost.  Acquire: the init function may have opened it itself.
	 */
	opened = __atomic_load_n(&_initgate_state, __ATOMIC_ACQUIRE)
		== INITGATE_RUNNING;
	log_end(status, opened);

	if (status == 0) {
		_initgate_os_publish(INITGATE_RUNNING, INITGATE_DONE);
	} else {
		/* Relaxed: the release in publish orders it before FAILED. */
		__atomic_store_n(&_initgate_status, status, __ATOMIC_RELAXED);
		_initgate_os_publish(INITGATE_RUNNING, INITGATE_FAILED);
	}
}

/*
 * Moves the state from NOT_STARTED to RUNNING; 1 if this caller did, and so
 * owns init.  The rt0 lib entry then runs init on a new thread; a gated
 * call runs it right where it is (_initgate_claim).
 */
int _initgate_claim_for_thread(void)
{
	int expected = INITGATE_NOT_STARTED;

	/* Relaxed: every claimer in this process stores the same value, and
	 * the CAS below releases it to whoever sees RUNNING. */
	__atomic_store_n(&_initgate_init_pid, _initgate_os_getpid(),
			 __ATOMIC_RELAXED);

	/* Acq_rel on success: releases init_pid; acquire on failure, since
	 * the caller re-reads the state anyway. */
	return __atomic_compare_exchange_n(&_initgate_state, &expected,
					   INITGATE_RUNNING, 0, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

/* A gated call found init not started: claim it and run it right here. */
void _initgate_claim(const char *function)
{
	if (_initgate_claim_for_thread())
		_initgate_run_init(function);
}
