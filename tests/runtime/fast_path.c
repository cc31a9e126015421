/*
 * The smallest exported function there is, for the gate's fast path in
 * tests/test_gate_fast_path.py: built as written, and gated by `initgate
 * rewrite --init fast_path_init`, then compared instruction by instruction.
 */
int fast_path_init(void)
{
	return 0;
}

int fast_path_add(int a, int b)
{
	return a + b;
}
