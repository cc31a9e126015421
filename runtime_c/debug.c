/*
 * The INITGATE_DEBUG summary: at exit (or dlclose), how many calls waited
 * at the gate and for how long in total.  The start and end of init are
 * logged where they happen, in init.c and notify.c.
 */
#include "internal.h"

__attribute__((destructor))
static void summary(void)
{
	struct initgate_line line;

	if (!_initgate_debug)
		return;
	_initgate_line_begin(&line);
	/* Relaxed: counters only.  The total holds the waits that ended. */
	_initgate_line_int(&line, __atomic_load_n(&_initgate_waits,
						  __ATOMIC_RELAXED));
	_initgate_line_str(&line, " calls waited at the gate, ");
	_initgate_line_ms(&line, __atomic_load_n(&_initgate_waited_ns,
						 __ATOMIC_RELAXED));
	_initgate_line_str(&line, " in total");
	_initgate_say(&line);
}
