/*
 * shapes: exported functions of the shapes compilers treat differently,
 * for verify's compiler matrix (tests/test_verify_compilers.py), which
 * rewrites this file with `initgate rewrite --init shapes_init` and builds
 * it with every compiler, architecture and optimization level.  It
 * includes nothing, so any target's compiler builds it without a C library.
 */

struct shapes_pair {
	long first;
	long second;
	long third;
};

static int ready;

int shapes_init(void)
{
	ready = 1;
	return 0;
}

/* A leaf: nothing to save, often no frame at all. */
int shapes_leaf(int a, int b)
{
	return a * b + ready;
}

/* Calls another export, which passes the gate again. */
int shapes_caller(int a)
{
	return shapes_leaf(a, a + 1) + 2;
}

/* More arguments than registers: the rest come on the stack. */
long shapes_many(long a, long b, long c, long d, long e, long f, long g, long h,
		 long i, long j, long k)
{
	return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i + 10 * j
		+ 11 * k;
}

/* Returns nothing, and stores through its argument once past the gate. */
void shapes_void(int *out, int value)
{
	*out = value + ready;
}

/* Variadic: the register arguments are saved to the frame first. */
int shapes_variadic(int count, ...)
{
	__builtin_va_list ap;
	int sum = 0;

	__builtin_va_start(ap, count);
	while (count-- > 0)
		sum += __builtin_va_arg(ap, int);
	__builtin_va_end(ap);
	return sum;
}

/* Returns a structure in memory the caller passes a hidden pointer to. */
struct shapes_pair shapes_struct(long a)
{
	struct shapes_pair pair = { a, a + ready, a * 2 };

	return pair;
}
