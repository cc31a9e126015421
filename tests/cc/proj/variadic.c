/*
 * The smallest library verify misjudges: a variadic function that reads a
 * double saves the vector registers first (x86_64: `test %al,%al; je`), and
 * that prologue runs before the gate although the gate is its first statement.
 */
#include <stdarg.h>

static void variadic_init(void)
{
}

double variadic_first(int count, ...)
{
	va_list ap;
	double first;

	va_start(ap, count);
	first = count > 0 ? va_arg(ap, double) : 0.0;
	va_end(ap);
	return first;
}
