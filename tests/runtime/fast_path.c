/*
 * Exported functions of the shapes whose gated hot path could grow beyond
 * the gate itself, for tests/test_gate_fast_path.py: built as written, and
 * gated by `initgate rewrite --init fast_path_init`, then compared
 * instruction by instruction.  A call from C on the slow path would make
 * the compiler keep each function's arguments somewhere the call cannot
 * clobber, on the hot path too: fast_path_index got a push and a pop of
 * %rbx that way, and fast_path_many a frame.
 */
extern const char *const fast_path_names[];
const char *const fast_path_names[] = { "zero", "one", "two" };

int fast_path_init(void)
{
	return 0;
}

int fast_path_add(int a, int b)
{
	return a + b;
}

const char *fast_path_index(int i)
{
	return fast_path_names[2 - i];
}

double fast_path_scale(double x, double y)
{
	return x * y + 1;
}

int fast_path_many(int a, int b, int c, int d, int e, int f, int g)
{
	return a + b + c + d + e + f + g;
}
