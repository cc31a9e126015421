#line 1 "api.c"
/* A file with gates: gate.h's macros are there, and every one is used. */
#define SCALE 3

int lib_scale(int x);
int lib_scale(int x)
{_cgo_wait_runtime_init_done();
	return x * SCALE;
}

static int twice(int x)
{
	return 2 * x;
}

int lib_twice(int x);
int lib_twice(int x) {_cgo_wait_runtime_init_done(); return twice(x); }
