/*
 * The runtime's own constructor: records what only the loader can tell us,
 * while the loader's lock makes it safe to ask.
 *
 * It runs for every library that links the runtime, patched or not, and
 * before the library's own constructors (priority 101 sorts ahead of plain
 * ones), so the library's name, the arguments and INITGATE_DEBUG are known
 * whichever way init gets claimed.  It starts nothing: that is the rt0 lib
 * entry's job, which runs last.
 */
#include "internal.h"

const char *_initgate_library;
int _initgate_debug;
int _initgate_argc;
char **_initgate_argv;
char **_initgate_envp;

static void fork_prepare(void)
{
	/* Acquire: decides whether to wait; the gate re-reads anyway. */
	if (__atomic_load_n(&_initgate_state, __ATOMIC_ACQUIRE)
	    != INITGATE_RUNNING || _initgate_on_init_thread())
		return;
	_initgate_await("fork");
}

/* Init still running in a child means the init thread forked: the child's
 * only thread is its copy, so it becomes the init thread here. */
static void fork_child(void)
{
	/* Relaxed: only this thread exists in the child. */
	if (__atomic_load_n(&_initgate_state, __ATOMIC_RELAXED)
	    != INITGATE_RUNNING)
		return;
	__atomic_store_n(&_initgate_init_tid, _initgate_os_gettid(),
			 __ATOMIC_RELAXED);
	__atomic_store_n(&_initgate_init_pid, _initgate_os_getpid(),
			 __ATOMIC_RELAXED);
}

static const char *base_name(const char *path)
{
	const char *base = path;

	for (; path && *path; path++)
		if (*path == '/')
			base = path + 1;
	return base;
}

__attribute__((constructor(101)))
static void loaded(int argc, char **argv, char **envp)
{
	const char *debug;

	/* Reading these where the loader passes nothing would crash (musl
	 * calls .init_array functions with no arguments). */
	if (_initgate_os_loader_passes_args(envp)) {
		_initgate_argc = argc;
		_initgate_argv = argv;
		_initgate_envp = envp;
	}

	_initgate_library = base_name(_initgate_os_library_path());
	debug = _initgate_os_getenv("INITGATE_DEBUG");
	_initgate_debug = debug && debug[0] && !(debug[0] == '0' && !debug[1]);
	_initgate_os_watch_fork(fork_prepare, fork_child);

	/*
	 * Pin the library now, on the loader's thread, which already holds
	 * the loader's lock: done from the init thread, the dlopen this takes
	 * would wait for that lock, which a constructor blocked at our gate
	 * may be holding.
	 */
	_initgate_os_keep_loaded();
}
