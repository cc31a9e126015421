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

struct point lib_point(int x, int y)
{_cgo_wait_runtime_init_done(); struct point p; p.x = x; p.y = y; return p; }

struct point *
lib_point_ptr(void)
{_cgo_wait_runtime_init_done();
	static struct point p;
	return &p;
}

noreturn void lib_abort(void) {_cgo_wait_runtime_init_done(); abort(); }
_Noreturn void lib_exit(int code) {_cgo_wait_runtime_init_done(); exit(code); }
__attribute__((noreturn)) void lib_die(void) {_cgo_wait_runtime_init_done(); abort(); }

__attribute__((unused)) __attribute__((noinline)) int lib_attr_before(void)
{_cgo_wait_runtime_init_done(); return 1; }
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
static int _initgate_init(void) __attribute__((alias("lib_init")));
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return _initgate_init(); }
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 2\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_init\"\n1: .balign 4\n.popsection\n");
