/*
 * A small library as `initgate rewrite` leaves it: every export gated, the
 * constructor and the static function not.  EXPORT keeps the exports visible
 * when the scenario compiles with -fvisibility=hidden.
 */
#include "../../runtime_c/gate.h"

#define EXPORT __attribute__((visibility("default")))

static int ready;
EXPORT int counter = 7;

__attribute__((constructor)) static void early(void)
{
	ready = 1;
}

static int twice(int x)
{
	return 2 * x;
}

EXPORT int add(int a, int b) { _cgo_wait_runtime_init_done();
	return a + b + ready;
}

EXPORT int add_twice(int a, int b) { _cgo_wait_runtime_init_done();
	return twice(add(a, b));
}

EXPORT const char *name(void) { _cgo_wait_runtime_init_done();
	return "lib";
}

/* The init function, named with `initgate rewrite --init lib_init`. */
EXPORT int lib_init(void)
{
	ready = 1;
	return 0;
}

static int _initgate_init(void) __attribute__((alias("lib_init")));
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return _initgate_init(); }
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 2\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_init\"\n1: .balign 4\n.popsection\n");
