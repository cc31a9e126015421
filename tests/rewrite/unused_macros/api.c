/* A file with gates: gate.h's macros are there, and every one is used. */
#define SCALE 3

int lib_scale(int x);
int lib_scale(int x)
{
	return x * SCALE;
}

static int twice(int x)
{
	return 2 * x;
}

int lib_twice(int x);
int lib_twice(int x) { return twice(x); }
