/*
 * Notify: the init function may open the gate before it returns and keep
 * its thread as a service thread.  If it never calls this, the runtime
 * opens the gate when init returns 0 (init.c).
 */
#include "internal.h"

void x_cgo_notify_runtime_init_done(void);
void initgate_notify(void);

void x_cgo_notify_runtime_init_done(void)
{
	struct initgate_line line;
	long long now;

	/* Only a running init can be declared done: notify before init
	 * started, or after it failed, changes nothing. */
	if (!_initgate_os_publish(INITGATE_RUNNING, INITGATE_DONE))
		return;
	if (!_initgate_debug)
		return;
	now = _initgate_os_now_ns();
	_initgate_line_begin(&line);
	_initgate_line_str(&line, "init opened the gate early");
	if (now >= 0 && _initgate_started_ns >= 0) {
		_initgate_line_str(&line, ", after ");
		_initgate_line_ms(&line, now - _initgate_started_ns);
	}
	_initgate_say(&line);
}

void initgate_notify(void)
{
	x_cgo_notify_runtime_init_done();
}
