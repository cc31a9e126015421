/*
 * initgate.h: what a gated library's own code may ask of the runtime.
 *
 * Every function here is hidden, like the rest of the runtime: a library
 * that wants to offer one to its users exports a wrapper of its own, marked
 * INITGATE_UNGATED so the rewrite pass leaves it without a gate (a query
 * that waited for init would defeat its purpose).
 *
 * This header includes nothing and uses only C89 and GNU attributes, so it
 * compiles wherever the library does, freestanding builds included.
 */
#ifndef INITGATE_H
#define INITGATE_H

/* The states, as in gate.h (an identical redefinition is allowed). */
#define INITGATE_NOT_STARTED 0
#define INITGATE_RUNNING 1
#define INITGATE_DONE 2
#define INITGATE_FAILED 3

/*
 * Marks an exported function that must not be gated.  The rewrite pass
 * reads the annotation through libclang; gcc has no such attribute, and
 * needs none, since only the rewrite pass looks.
 */
#if defined(__clang__)
#define INITGATE_UNGATED __attribute__((annotate("initgate:ungated")))
#else
#define INITGATE_UNGATED
#endif

#define INITGATE_API __attribute__((visibility("hidden")))

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Opens the gate now, from the init function (or a thread it started),
 * before init returns: callers proceed, and the init thread may go on as a
 * service thread.  Without it, the gate opens when init returns 0.  It does
 * nothing unless init is running.
 */
INITGATE_API void initgate_notify(void);
INITGATE_API void x_cgo_notify_runtime_init_done(void);

/*
 * The state now, one of INITGATE_*, without blocking.  When it is
 * INITGATE_FAILED and `status` is not null, *status is what the init
 * function returned (0 otherwise).
 */
INITGATE_API int initgate_state(int *status);

/*
 * Waits until init is done or failed, at most timeout_ms milliseconds
 * (0: not at all; negative: no limit), and returns the state then.  It
 * never runs init itself and never waits when called on the init thread
 * or when init has not started.
 */
INITGATE_API int initgate_wait_for(long timeout_ms);

/*
 * The process's arguments and environment, for the init function.  Where
 * the C library passes them to load-time code (glibc) they are exactly
 * what main gets; elsewhere the libc flavour reads /proc/self/cmdline and
 * environ.  The no-libc flavour has them only from glibc-like loaders:
 * initgate_argc() is 0 and the others null otherwise.
 */
INITGATE_API int initgate_argc(void);
INITGATE_API char **initgate_argv(void);
INITGATE_API char **initgate_envp(void);

#ifdef __cplusplus
}
#endif

#endif
