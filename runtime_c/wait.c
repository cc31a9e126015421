/*
 * The gate's slow path: everything a gated call does when the inline fast
 * path in gate.h did not see INITGATE_DONE.
 *
 * The state only moves forward (NOT_STARTED -> RUNNING -> DONE or FAILED),
 * with one exception: RUNNING -> NOT_STARTED when no init thread could be
 * started, which hands init to the next caller.  So the loop below looks at
 * the state, acts on it, and looks again until it may return.
 */
#include "internal.h"

int _initgate_state;
int _initgate_status;

void _initgate_wait(const char *function)
{
	for (;;) {
		/* Acquire: pairs with the release in publish, so a caller that
		 * sees DONE also sees everything init wrote. */
		int state = __atomic_load_n(&_initgate_state, __ATOMIC_ACQUIRE);

		if (state == INITGATE_DONE)
			return;
		if (state == INITGATE_FAILED)
			_initgate_report_failure(function);
		if (state == INITGATE_NOT_STARTED) {
			_initgate_claim(function);
			continue;
		}

		/* RUNNING.  The init thread calling its own API must not wait
		 * for itself. */
		if (_initgate_on_init_thread())
			return;
		_initgate_await(function);
	}
}

/* The gate as a real function, for assembly and hand-written callers. */
#undef _cgo_wait_runtime_init_done
void _cgo_wait_runtime_init_done(void);

void _cgo_wait_runtime_init_done(void)
{
	(void)INITGATE_GATE("_cgo_wait_runtime_init_done");
}
