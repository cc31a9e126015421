/* Definitions in every shape C allows. */
#include <stdarg.h>
#include <stdlib.h>
#include <stdnoreturn.h>

struct point { int x, y; };

int lib_init() { return 0; }

int lib_knr(a, b)
	int a;
	char *b;
{
	return a + (b != 0);
}

lib_implicit_int(x)
{
	return x;
}

int lib_sum(int n, ...)
{
	va_list ap;
	int total = 0;
	va_start(ap, n);
	while (n-- > 0)
		total += va_arg(ap, int);
	va_end(ap);
	return total;
}

struct point lib_point(int x, int y)
{ struct point p; p.x = x; p.y = y; return p; }

struct point *
lib_point_ptr(void)
{
	static struct point p;
	return &p;
}

noreturn void lib_abort(void) { abort(); }
_Noreturn void lib_exit(int code) { exit(code); }
__attribute__((noreturn)) void lib_die(void) { abort(); }

__attribute__((unused)) __attribute__((noinline)) int lib_attr_before(void)
{ return 1; }
int __attribute__((noinline)) lib_attr_middle(void) { return 2; }
int lib_attr_after(void) __attribute__((noinline, cold));
int lib_attr_after(void) { return 3; }

int (*lib_returns_fn(void))(void) { return lib_attr_after; }

int
lib_brace_next_line(void)
{
	return 4;
}

int lib_empty(void) {}

int lib_comment(void) /* { not this one */ { return 5; }
