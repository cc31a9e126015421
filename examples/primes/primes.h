/*
 * primes: answers about prime numbers below PRIMES_LIMIT in constant time,
 * from tables built once when the library loads.
 */
#ifndef PRIMES_H
#define PRIMES_H

#include <stdint.h>

#define PRIMES_LIMIT 400000000u

/* 1 if n is prime, 0 if not, -1 if n >= PRIMES_LIMIT. */
int primes_is_prime(uint32_t n);

/* How many primes are below n (n <= PRIMES_LIMIT), or -1. */
int64_t primes_count_below(uint32_t n);

/* The k-th prime, counting 2 as the 0th, or 0 if it is not below the limit. */
uint32_t primes_nth(uint32_t k);

#endif
