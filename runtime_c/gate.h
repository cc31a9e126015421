/*
 * The gate, as the rewrite pass puts it at the top of every rewritten source.
 *
 * `initgate rewrite` copies this file verbatim ahead of a `#line 1` directive,
 * so it must compile anywhere the user's code does: C89 with -pedantic -Werror,
 * freestanding builds with no libc headers, gcc and clang.  Hence no #include,
 * no `inline` keyword (C89 lacks it), and a declaration rather than a
 * statement, since C89 allows no statement before a block's declarations.
 *
 * There it is the main file's own text, where -Wunused-macros reports every
 * macro the file never uses (a header's it leaves alone); so a rewritten file
 * gets only what its gates expand to.  The include guard is the gate macro
 * itself, and the names only the runtime uses are defined for includers alone.
 *
 * The fast path, once init is done, is one acquire load, a compare and a
 * branch.  The acquire pairs with the release store in notify: whatever init
 * wrote is visible to a caller that sees INITGATE_DONE.  Everything else
 * (waiting, running init lazily, reporting failure) is out of line in
 * _initgate_wait, marked cold so the compiler keeps it off the hot path.
 *
 * A call from C clobbers the argument registers, so a function whose
 * arguments are still needed after the gate would save them on its hot path
 * too (gcc often moves one to a callee-saved register, with a push and a pop
 * on every call).  On x86_64 the slow path is therefore entered from
 * assembly instead, through runtime_c/arch/x86_64-gate.S, which preserves
 * every register: the compiler sees no call, so it saves nothing and makes
 * no frame for the gate, whatever the function's shape; the hot path is the
 * three instructions (and a register move where the load needs a register
 * an argument holds).
 */
#ifndef INITGATE_GATE

#define INITGATE_DONE 2

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
	 ? (INITGATE_SLOW_PATH(function), 0) : 0)

#if defined(__x86_64__) && defined(__LP64__)
/*
 * Past the 128-byte red zone, where a leaf function may keep data the
 * compiler does not know a call would overwrite; the name goes on the stack,
 * and the entry's CFI tells unwinders where this function's frame is.  The
 * braces give the same instructions in AT&T and Intel syntax (-masm=intel).
 * The call is direct, as a hidden function's is in the small and medium
 * code models: a library over 2 GiB built -mcmodel=large would not link.
 */
#define INITGATE_SLOW_PATH(function) \
	__extension__ ({ \
		__asm__ __volatile__( \
			"lea {-128(%%rsp), %%rsp|rsp, [rsp - 128]}\n\t" \
			"push %0\n\t" \
			"call _initgate_wait_preserving\n\t" \
			"lea {136(%%rsp), %%rsp|rsp, [rsp + 136]}" \
			: : "r" (function) : "memory", "cc"); \
	})
#else
#define INITGATE_SLOW_PATH(function) _initgate_wait(function)
#endif

#define _cgo_wait_runtime_init_done() \
	int _initgate_passed __attribute__((unused)) = \
		INITGATE_GATE(__extension__ __FUNCTION__)

/*
 * For the runtime and its tests, which include this file: the other states,
 * and what a gate calls (the note's `wait` field).
 */
#if defined(__INCLUDE_LEVEL__) && __INCLUDE_LEVEL__ > 0
#define INITGATE_NOT_STARTED 0
#define INITGATE_RUNNING 1
#define INITGATE_FAILED 3
#if defined(__x86_64__) && defined(__LP64__)
#define INITGATE_WAIT_ENTRY _initgate_wait_preserving
#else
#define INITGATE_WAIT_ENTRY _initgate_wait
#endif
#endif

#endif
