/*
 * matrix_lib: the gated library of the architecture matrix
 * (tests/test_arch_matrix.py), built for every architecture and runtime
 * flavour from this one source, which includes nothing a C library
 * provides, so it also compiles freestanding.
 *
 * Its init tells the host which thread runs it (matrix_init_tid), then
 * waits until the host releases matrix_release, a futex word: the test,
 * not a clock, decides when init ends.  It then records what the runtime
 * says main's arguments are, which the host compares with its own.  The
 * host defines and exports both words.
 */
#include "initgate.h"

extern int matrix_release;
extern int matrix_init_tid;

/*
 * hold_libc.c or hold_nolibc.c: stores the calling thread's id in
 * *tid, then returns once *release is non-zero.
 */
__attribute__((visibility("hidden"))) void matrix_hold(int *tid, int *release);

static int initialized_value;
static int seen_argc;
static const char *seen_arg0;

int matrix_init(void)
{
	char **argv;

	matrix_hold(&matrix_init_tid, &matrix_release);
	seen_argc = initgate_argc();
	argv = initgate_argv();
	seen_arg0 = argv ? argv[0] : 0;
	initialized_value = 42;
	return 0;
}

int matrix_value(void)
{
	return initialized_value;
}

int matrix_argc(void)
{
	return seen_argc;
}

const char *matrix_arg0(void)
{
	return seen_arg0;
}
