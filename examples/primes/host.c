/*
 * host: loads a primes library with dlopen() and shows what initgate does to
 * the timeline: dlopen returns at once, the first call waits for init, later
 * calls cost what an ordinary call costs.
 *
 * usage: host LIBRARY.so
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define LATER_CALLS 10000000

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *need(void *lib, const char *name)
{
	void *sym = dlsym(lib, name);

	if (!sym) {
		fprintf(stderr, "host: %s\n", dlerror());
		exit(1);
	}
	return sym;
}

int main(int argc, char **argv)
{
	int64_t (*count_below)(uint32_t);
	int (*is_prime)(uint32_t);
	double t0, t1, t2, t3;
	void *lib;
	long hits = 0;
	uint32_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s LIBRARY.so\n", argv[0]);
		return 2;
	}

	t0 = now();
	lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	t1 = now();
	if (!lib) {
		fprintf(stderr, "host: %s\n", dlerror());
		return 1;
	}
	count_below = (int64_t (*)(uint32_t))need(lib, "primes_count_below");
	is_prime = (int (*)(uint32_t))need(lib, "primes_is_prime");

	/* The first call is the one that may wait at the gate. */
	t2 = now();
	printf("primes below 400,000,000: %lld\n", (long long)count_below(400000000u));
	t3 = now();

	printf("dlopen took            %9.3f ms\n", (t1 - t0) * 1e3);
	printf("first call waited      %9.3f ms\n", (t3 - t2) * 1e3);

	t0 = now();
	for (i = 0; i < LATER_CALLS; i++)
		hits += is_prime(i);
	t1 = now();
	printf("later calls cost       %9.2f ns each (%ld primes below %d)\n",
	       (t1 - t0) * 1e9 / LATER_CALLS, hits, LATER_CALLS);
	return 0;
}
