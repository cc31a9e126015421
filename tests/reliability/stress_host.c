/*
 * One round of the stress suite: load a gated library (tests/reliability/
 * stress_lib.c) and call a seeded mix of its exported functions from
 * THREADS threads, started right after dlopen, while init is still filling
 * its table.
 *
 *   stress_host LIB THREADS CALLS SEED
 *
 * Prints one line: "calls C violations V early E init_runs R", where early
 * counts calls that began while the runtime said init was not done yet.
 * Exits 0 only when no call saw a partial init and init ran exactly once.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_THREADS 64
#define STATE_DONE 2

struct pair {
	unsigned first, last;
};

static int (*all)(void);
static int (*one)(unsigned);
static int (*nested)(unsigned);
static struct pair (*pair)(void);
static int (*state_is_done)(void);
static int (*state)(void);
static void (*counts)(unsigned long *, unsigned long *, int *);

static long calls_each;
static unsigned long bad, early, made;

struct worker {
	pthread_t thread;
	unsigned rng;
};

static unsigned next(unsigned *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static int call_one(unsigned *rng)
{
	struct pair p;

	switch (next(rng) % 5) {
	case 0:
		return all();
	case 1:
		return one(next(rng));
	case 2:
		return nested(next(rng));
	case 3:
		p = pair();
		return p.first && p.last;
	default:
		return state_is_done();
	}
}

static void *work(void *arg)
{
	struct worker *w = arg;
	long i;

	for (i = 0; i < calls_each; i++) {
		if (state() != STATE_DONE)
			__atomic_add_fetch(&early, 1, __ATOMIC_RELAXED);
		if (!call_one(&w->rng))
			__atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&made, 1, __ATOMIC_RELAXED);
	}
	return 0;
}

static void *sym(void *lib, const char *name)
{
	void *p = dlsym(lib, name);

	if (!p) {
		fprintf(stderr, "stress_host: %s\n", dlerror());
		exit(3);
	}
	return p;
}

int main(int argc, char **argv)
{
	struct worker w[MAX_THREADS];
	unsigned long lib_calls, lib_bad;
	int threads, i, init_runs;
	unsigned seed;
	void *lib;

	if (argc != 5 || (threads = atoi(argv[2])) < 1 ||
	    threads > MAX_THREADS) {
		fprintf(stderr, "usage: stress_host LIB THREADS(1-64) CALLS SEED\n");
		return 2;
	}
	calls_each = atol(argv[3]);
	seed = (unsigned)strtoul(argv[4], 0, 10) | 1;

	lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "stress_host: %s\n", dlerror());
		return 3;
	}
	all = sym(lib, "stress_all");
	one = sym(lib, "stress_one");
	nested = sym(lib, "stress_nested");
	pair = sym(lib, "stress_pair");
	state_is_done = sym(lib, "stress_state_is_done");
	state = sym(lib, "stress_state");
	counts = sym(lib, "stress_counts");

	for (i = 0; i < threads; i++) {
		w[i].rng = seed * 2654435761u + (unsigned)i * 40503u + 1;
		if (pthread_create(&w[i].thread, 0, work, &w[i])) {
			fprintf(stderr, "stress_host: pthread_create failed\n");
			return 3;
		}
	}
	for (i = 0; i < threads; i++)
		pthread_join(w[i].thread, 0);

	counts(&lib_calls, &lib_bad, &init_runs);
	printf("calls %lu violations %lu early %lu init_runs %d\n",
	       made, bad + lib_bad, early, init_runs);
	return bad || lib_bad || init_runs != 1 || lib_calls < made;
}
