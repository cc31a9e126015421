/*
 * What the runtime's files share: its state, its build-time settings, the
 * message builder, and the interface each flavour provides.
 *
 * The generic files (wait.c, init.c, rt0.c, ...) hold every decision once.
 * A flavour supplies the few things that differ between a process with a C
 * library and one without: libc_*.c use pthreads, dladdr and friends;
 * nolibc_*.c use raw system calls through runtime_c/arch/ARCH.S.  Both
 * provide exactly the _initgate_os_* functions declared below.
 *
 * This header includes nothing from a C library, so the no-libc flavour can
 * use it under -ffreestanding.
 */
#ifndef INITGATE_INTERNAL_H
#define INITGATE_INTERNAL_H

#include "gate.h"

/* Build-time settings; `initgate runtime` passes -D for each one it sets. */
#ifndef INITGATE_STACK_SIZE
#define INITGATE_STACK_SIZE (8UL << 20)
#endif
#ifndef INITGATE_WATCHDOG_MS
#define INITGATE_WATCHDOG_MS 10000
#endif

/* Bounded retries when thread creation fails with EAGAIN. */
#define INITGATE_START_TRIES 6
#define INITGATE_EAGAIN 11

#pragma GCC visibility push(hidden)

/* The state (gate.h declares _initgate_state) and what init left behind. */
extern int _initgate_status;
extern long _initgate_init_tid;
extern long _initgate_init_pid;
extern long long _initgate_started_ns;

/* What the loader told us (load.c). */
extern const char *_initgate_library;
extern int _initgate_debug;
extern int _initgate_argc;
extern char **_initgate_argv;
extern char **_initgate_envp;

/* Counters for the INITGATE_DEBUG summary at exit. */
extern unsigned long _initgate_waits;
extern long long _initgate_waited_ns;

/* The user's init, defined by the rewritten source (ABI.md). */
int _initgate_user_init(void);

/* Generic steps, each in its own file. */
void _initgate_claim(const char *function);		/* init.c */
int _initgate_claim_for_thread(void);			/* init.c */
void _initgate_run_init(const char *function);		/* init.c */
int _initgate_on_init_thread(void);			/* init.c */
void _initgate_await(const char *function);		/* await.c */
__attribute__((noreturn))
void _initgate_report_failure(const char *function);	/* fail.c */
void _initgate_rt0_lib(int argc, char **argv, char **envp);

/*
 * One message line: "initgate: LIBRARY: " then the parts, written with a
 * single write so lines from several threads never interleave (line.c).
 */
struct initgate_line {
	unsigned len;
	char buf[512];
};

void _initgate_line_begin(struct initgate_line *line);
void _initgate_line_str(struct initgate_line *line, const char *s);
void _initgate_line_int(struct initgate_line *line, long long n);
void _initgate_line_ms(struct initgate_line *line, long long ns);
void _initgate_say(struct initgate_line *line);
__attribute__((noreturn)) void _initgate_die(struct initgate_line *line);

/* The flavour: libc_*.c or nolibc_*.c. */

/* Start fn on a new detached thread with every signal blocked: 0 or errno. */
int _initgate_os_start_thread(void (*fn)(void));
void _initgate_os_name_thread(const char *library);

/* Move the state from `from` to `to` (release) and wake every waiter. */
int _initgate_os_publish(int from, int to);

/* Sleep while the state is RUNNING, at most timeout_ms (-1: no limit). */
void _initgate_os_sleep_while_running(long timeout_ms);
void _initgate_os_pause(long ms);

long _initgate_os_gettid(void);
long _initgate_os_getpid(void);
long long _initgate_os_now_ns(void);		/* monotonic; -1 if unknown */
void _initgate_os_write_stderr(const char *s, unsigned long n);
__attribute__((noreturn)) void _initgate_os_abort(void);
const char *_initgate_os_strerror(int err);

/* Load time, under the loader's lock (load.c calls these). */
int _initgate_os_loader_passes_args(char **envp);
const char *_initgate_os_library_path(void);
const char *_initgate_os_getenv(const char *name);
void _initgate_os_watch_fork(void (*prepare)(void), void (*child)(void));
void _initgate_os_keep_loaded(void);
void _initgate_os_fill_args(void);

#pragma GCC visibility pop

#endif
