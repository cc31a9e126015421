/*
 * The library of the build-system examples.  squares_init is its init
 * function: it fills the table that every exported function reads, so
 * without the gate a caller could see an empty table.  It is hidden: the
 * export table holds only the API, and init runs on its own thread.
 */
#include "squares.h"

static long table[SQUARES_COUNT];

__attribute__((visibility("hidden"))) int squares_init(void)
{
	int n;

	for (n = 0; n < SQUARES_COUNT; n++)
		table[n] = (long)n * n;
	return 0;
}

long squares_get(int n)
{
	if (n < 0 || n >= SQUARES_COUNT)
		return -1;
	return table[n];
}

long squares_sum(void)
{
	long sum = 0;
	int n;

	for (n = 0; n < SQUARES_COUNT; n++)
		sum += squares_get(n);
	return sum;
}
