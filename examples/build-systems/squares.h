/* A small library for the build-system examples: a table its init fills. */
#ifndef SQUARES_H
#define SQUARES_H

/* The square of n, 0 <= n < SQUARES_COUNT, from the table init built. */
long squares_get(int n);

/* The sum of the whole table: 0^2 + 1^2 + ... + (SQUARES_COUNT - 1)^2. */
long squares_sum(void);

#define SQUARES_COUNT 1000

#endif
