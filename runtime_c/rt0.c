/*
 * The rt0 lib entry: what the loader calls through the .init_array slot once
 * patch-elf has retargeted it.  It claims init, starts the init thread and
 * returns, so dlopen (or program start-up) does not wait for init.
 *
 * Its arguments are the ones .init_array functions get; the runtime's own
 * constructor in load.c has already recorded them where the C library
 * passes them at all, so they are not read here.
 */
#include "internal.h"

static void init_thread(void)
{
	_initgate_os_name_thread(_initgate_library);
	_initgate_run_init(0);
}

/*
 * Retries EAGAIN a bounded number of times, pausing 1, 2, 4... ms between
 * tries; not after the last one, which would only hold up dlopen.
 */
static int start(void)
{
	int err = 0, tries;
	long pause_ms = 1;

	for (tries = 1; ; tries++) {
		err = _initgate_os_start_thread(init_thread);
		if (err != INITGATE_EAGAIN || tries == INITGATE_START_TRIES)
			break;
		_initgate_os_pause(pause_ms);
		pause_ms *= 2;
	}
	return err;
}

void _initgate_rt0_lib(int argc, char **argv, char **envp)
{
	struct initgate_line line;
	int err;

	(void)argc;
	(void)argv;
	(void)envp;

	/* A constructor that called the library's API ran init already. */
	if (!_initgate_claim_for_thread())
		return;

	err = start();
	if (err == 0)
		return;

	/* No thread: hand init back, so the first call runs it. */
	_initgate_line_begin(&line);
	_initgate_line_str(&line, "cannot start the init thread (");
	_initgate_line_str(&line, _initgate_os_strerror(err));
	_initgate_line_str(&line, "); init will run on the first call");
	_initgate_say(&line);
	_initgate_os_publish(INITGATE_RUNNING, INITGATE_NOT_STARTED);
}
