/*
 * Init failed: no caller may run library code.  Each gated call either
 * hands the failure to the user's handler (named at build time with
 * -DINITGATE_FAILURE_HANDLER=NAME) or prints one line and aborts.  A
 * handler that returns gets the same line and abort: returning into the
 * library would run it uninitialized.
 */
#include "internal.h"

#ifdef INITGATE_FAILURE_HANDLER
__attribute__((visibility("hidden")))
void INITGATE_FAILURE_HANDLER(const char *library, const char *function,
			      int status);
#endif

void _initgate_report_failure(const char *function)
{
	struct initgate_line line;

	/* Relaxed: the gate's acquire load of FAILED ordered it. */
	int status = __atomic_load_n(&_initgate_status, __ATOMIC_RELAXED);

#ifdef INITGATE_FAILURE_HANDLER
	INITGATE_FAILURE_HANDLER(_initgate_library, function, status);
#endif
	_initgate_line_begin(&line);
	_initgate_line_str(&line, "init failed with status ");
	_initgate_line_int(&line, status);
	_initgate_line_str(&line, "; ");
	_initgate_line_str(&line, function);
	_initgate_line_str(&line, "() cannot run");
	_initgate_die(&line);
}
