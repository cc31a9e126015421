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
/* Definitions in every shape C allows. */
#include <stdarg.h>
#include <stdlib.h>
#include <stdnoreturn.h>

struct point { int x, y; };

int lib_init() { return 0; }

int lib_knr(a, b)
	int a;
	char *b;
{_cgo_wait_runtime_init_done();
	return a + (b != 0);
}

lib_implicit_int(x)
{_cgo_wait_runtime_init_done();
	return x;
}

int lib_sum(int n, ...)
{_cgo_wait_runtime_init_done();
	va_list ap;
	int total = 0;
	va_start(ap, n);
	while (n-- > 0)
		total += va_arg(ap, int);
	va_end(ap);
	return total;
}

struct point lib_point(int x, int y) {_cgo_wait_runtime_init_done(); struct point p; p.x = x; p.y = y; return p; }

struct point *
lib_point_ptr(void)
{_cgo_wait_runtime_init_done();
	static struct point p;
	return &p;
}

noreturn void lib_abort(void) {_cgo_wait_runtime_init_done(); abort(); }
_Noreturn void lib_exit(int code) {_cgo_wait_runtime_init_done(); exit(code); }
__attribute__((noreturn)) void lib_die(void) {_cgo_wait_runtime_init_done(); abort(); }

__attribute__((unused)) __attribute__((noinline)) int lib_attr_before(void) {_cgo_wait_runtime_init_done(); return 1; }
int __attribute__((noinline)) lib_attr_middle(void) {_cgo_wait_runtime_init_done(); return 2; }
int lib_attr_after(void) __attribute__((noinline, cold));
int lib_attr_after(void) {_cgo_wait_runtime_init_done(); return 3; }

int (*lib_returns_fn(void))(void) {_cgo_wait_runtime_init_done(); return lib_attr_after; }

int
lib_brace_next_line(void)
{_cgo_wait_runtime_init_done();
	return 4;
}

int lib_empty(void) {_cgo_wait_runtime_init_done();}

int lib_comment(void) /* { not this one */ {_cgo_wait_runtime_init_done(); return 5; }
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return lib_init(); }
