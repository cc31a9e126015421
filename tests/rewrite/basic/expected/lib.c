/*
 * The gate, as the rewrite pass puts it at the top of every rewritten source.
 *
 * `initgate rewrite` copies this file verbatim ahead of a `#line 1` directive,
 * so it must compile anywhere the user's code does: C89 with -pedantic -Werror,
 * freestanding builds with no libc headers, gcc and clang.  Hence no #include,
 * no `inline` keyword (C89 lacks it), and a declaration rather than a
 * statement, since C89 allows no statement before a block's declarations.
 *
 * The fast path, once init is done, is one acquire load, a compare and a
 * branch.  The acquire pairs with the release store in notify: whatever init
 * wrote is visible to a caller that sees INITGATE_DONE.  Everything else
 * (waiting, running init lazily, reporting failure) is out of line in
 * _initgate_wait, marked cold so the compiler keeps it off the hot path.
 */
#ifndef INITGATE_GATE_H
#define INITGATE_GATE_H

#define INITGATE_NOT_STARTED 0
#define INITGATE_RUNNING 1
#define INITGATE_DONE 2
#define INITGATE_FAILED 3

extern int _initgate_state __attribute__((visibility("hidden")));

extern void _initgate_wait(const char *function)
	__attribute__((visibility("hidden"), cold, noinline));

/*
 * An expression, not an inline function, so that debug info puts the gate's
 * few instructions on the line that holds it: the brace of the original
 * function, not a line of this prologue that exists only in the rewritten
 * copy.
 */
#define INITGATE_GATE(function) \
	(__builtin_expect(__atomic_load_n(&_initgate_state, __ATOMIC_ACQUIRE) \
			  != INITGATE_DONE, 0) \
	 ? (_initgate_wait(function), 0) : 0)

#define _cgo_wait_runtime_init_done() \
	int _initgate_passed __attribute__((unused)) = \
		INITGATE_GATE(__extension__ __FUNCTION__)

#endif
#line 1 "lib.c"
/* Linkage and visibility attributes decide what is gated. */
#include <stddef.h>
#include <stdio.h>

static int table[16];

int lib_init(void)
{
	size_t i;
	for (i = 0; i < 16; i++)
		table[i] = (int)(i * i);
	return 0;
}

int lib_square(int x) {_cgo_wait_runtime_init_done(); return table[x & 15]; }

static int helper(int x) { return x + 1; }

__attribute__((visibility("hidden"))) int lib_hidden(int x) { return helper(x); }

__attribute__((visibility("internal"))) int lib_internal(void) { return 3; }

__attribute__((visibility("protected"))) int lib_protected(void) {_cgo_wait_runtime_init_done(); return 4; }

int lib_declared_hidden(void) __attribute__((visibility("hidden")));
int lib_declared_hidden(void) { return 5; }

__attribute__((weak)) int lib_weak(void) {_cgo_wait_runtime_init_done(); return 6; }

void lib_print(const char *s)
{_cgo_wait_runtime_init_done();
	printf("%s\n", s);
}

int main(void) { return lib_square(2) - 4; }
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return lib_init(); }
