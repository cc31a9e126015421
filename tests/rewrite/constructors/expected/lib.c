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
/* Constructors and destructors run before init exists: never gated. */
static int order;

void lib_init(void) { order = 1; }

__attribute__((constructor)) void lib_ctor(void) { order = 2; }
__attribute__((__constructor__)) void lib_ctor_underscored(void) { order = 3; }
__attribute__((constructor(200))) void lib_ctor_priority(void) { order = 4; }
[[gnu::constructor]] void lib_ctor_c23(void) { order = 5; }
void lib_ctor_declared(void) __attribute__((constructor));
void lib_ctor_declared(void) { order = 6; }

__attribute__((destructor)) void lib_dtor(void) { order = 7; }
__attribute__((__destructor__(300))) void lib_dtor_priority(void) { order = 8; }
void __attribute__((used, destructor)) lib_dtor_middle(void) { order = 9; }

__attribute__((used)) int lib_used(void) {_cgo_wait_runtime_init_done(); return order; }
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { lib_init(); return 0; }
