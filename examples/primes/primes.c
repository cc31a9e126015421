/*
 * primes: a sieve of Eratosthenes over the odd numbers below PRIMES_LIMIT,
 * one bit each, plus a running count per 64-bit word so that counting
 * primes below n is a table look-up and a popcount.
 *
 * Building the tables takes a second or more: the kind of init that does
 * not belong in a constructor, where it would stall every dlopen().  Here it
 * is primes_init, which initgate runs on its own thread at load time; every
 * exported function below waits at the gate until it has finished.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "primes.h"

#define ODD_COUNT (PRIMES_LIMIT / 2)
#define WORDS ((ODD_COUNT + 63) / 64)

/* Bit i of composite set means 2i+1 is not prime. */
static uint64_t *composite;

/* primes_before_word[w]: odd primes among 2i+1 for i < 64w, for w <= WORDS. */
static uint32_t *primes_before_word;

static int is_composite_index(uint32_t i)
{
	return (composite[i / 64] >> (i % 64)) & 1;
}

static void sieve(void)
{
	uint64_t i, j;

	composite[0] |= 1;	/* 1 is not prime */
	for (i = 1; (2 * i + 1) * (2 * i + 1) < PRIMES_LIMIT; i++) {
		uint64_t p = 2 * i + 1;

		if (is_composite_index((uint32_t)i))
			continue;
		for (j = (p * p) / 2; j < ODD_COUNT; j += p)
			composite[j / 64] |= (uint64_t)1 << (j % 64);
	}
}

static void count(void)
{
	uint32_t running = 0;
	uint64_t w;

	for (w = 0; w < WORDS; w++) {
		uint64_t primes = ~composite[w];

		if (w == WORDS - 1 && ODD_COUNT % 64)
			primes &= ((uint64_t)1 << (ODD_COUNT % 64)) - 1;
		primes_before_word[w] = running;
		running += (uint32_t)__builtin_popcountll(primes);
	}
	primes_before_word[WORDS] = running;
}

/* The init function named to initgate: 0 on success. */
int primes_init(void)
{
	composite = calloc(WORDS, sizeof(*composite));
	primes_before_word = malloc((WORDS + 1) * sizeof(*primes_before_word));
	if (!composite || !primes_before_word)
		return 1;
	sieve();
	count();
	return 0;
}

int primes_is_prime(uint32_t n)
{
	if (n >= PRIMES_LIMIT)
		return -1;
	if (n == 2)
		return 1;
	if (n % 2 == 0)
		return 0;
	return !is_composite_index(n / 2);
}

int64_t primes_count_below(uint32_t n)
{
	uint32_t odd_below, w, bits;
	uint64_t primes;

	if (n > PRIMES_LIMIT)
		return -1;
	if (n <= 2)
		return 0;

	/* Odd numbers 2i+1 below n are those with i < n/2 (i = 0 is 1). */
	odd_below = n / 2;
	w = odd_below / 64;
	bits = odd_below % 64;
	primes = 0;
	if (bits)
		primes = ~composite[w] & (((uint64_t)1 << bits) - 1);
	return 1 + (int64_t)primes_before_word[w] + __builtin_popcountll(primes);
}

uint32_t primes_nth(uint32_t k)
{
	uint32_t lo = 0, hi = WORDS, w, i;

	if (k == 0)
		return 2;
	k -= 1;		/* now counting odd primes */

	/* The last word whose running count is <= k holds the answer. */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (primes_before_word[mid] <= k)
			lo = mid;
		else
			hi = mid;
	}
	w = lo;
	k -= primes_before_word[w];
	for (i = 0; i < 64 && (uint64_t)w * 64 + i < ODD_COUNT; i++) {
		if ((composite[w] >> i) & 1)
			continue;
		if (k == 0)
			return 2 * (w * 64 + i) + 1;
		k--;
	}
	return 0;
}
