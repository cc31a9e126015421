/*
 * The library of the gate-cost and scaling benchmarks: one exported function
 * that does almost nothing, so the gate is most of what a call costs.  The
 * benchmarks build it twice from this one file: plainly, and through the
 * whole initgate pipeline with bench_init as the init function.
 */
int bench_init(void);
int bench_noop(int x);

int bench_init(void)
{
	return 0;
}

int bench_noop(int x)
{
	return x + 1;
}
