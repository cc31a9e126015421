/*
 * The host of the gate-cost and scaling benchmarks.  It is linked against
 * libnoop.so and calls bench_noop through the PLT; LD_LIBRARY_PATH picks
 * which build of the library it gets (plain, gated, mutex, once).
 *
 *   loop_host time N RUNS       one line per run: nanoseconds per call, in
 *                               this thread's CPU time (time the machine
 *                               gave to other processes is not counted)
 *   loop_host count N           one run of N calls, for callgrind: only
 *                               run_loop is measured (--toggle-collect)
 *   loop_host threads T N RUNS  one line per run, with T threads making N
 *                               calls each at once: calls per second of
 *                               wall-clock time, then calls per second of
 *                               each thread's CPU time, summed over threads
 *
 * Every mode first makes one call and so waits until init is done (and
 * resolves the PLT entry): the loops measure the gate after init only.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int bench_noop(int x);

static volatile int sink;
static pthread_barrier_t start_line;
static long calls_per_thread;

/* What each calling thread measured of itself. */
struct span {
	long long start, end, cpu;
};
static struct span spans[64];

static long long clock_ns(clockid_t clock)
{
	struct timespec t;

	clock_gettime(clock, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long long now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* Noinline, so that callgrind's --toggle-collect can name it. */
__attribute__((noinline)) static int run_loop(long n)
{
	int acc = 0;
	long i;

	for (i = 0; i < n; i++)
		acc += bench_noop((int)i);
	return acc;
}

static void *caller(void *slot)
{
	struct span *span = slot;
	long long cpu;

	pthread_barrier_wait(&start_line);
	span->start = now_ns();
	cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	sink = run_loop(calls_per_thread);
	span->cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu;
	span->end = now_ns();
	return 0;
}

static void threaded_run(int threads)
{
	pthread_t ids[64];
	long long first, last;
	double cpu_rate = 0;
	int i;

	pthread_barrier_init(&start_line, 0, threads + 1);
	for (i = 0; i < threads; i++)
		if (pthread_create(&ids[i], 0, caller, &spans[i])) {
			fprintf(stderr, "loop_host: cannot start thread %d\n", i);
			exit(1);
		}
	pthread_barrier_wait(&start_line);
	for (i = 0; i < threads; i++)
		pthread_join(ids[i], 0);
	pthread_barrier_destroy(&start_line);

	/* Wall time from the first thread's start to the last one's end. */
	first = spans[0].start;
	last = spans[0].end;
	for (i = 0; i < threads; i++) {
		if (spans[i].start < first)
			first = spans[i].start;
		if (spans[i].end > last)
			last = spans[i].end;
		cpu_rate += calls_per_thread * 1e9 / spans[i].cpu;
	}
	printf("%.0f %.0f\n", threads * calls_per_thread * 1e9 / (last - first),
	       cpu_rate);
}

static void usage(void)
{
	fprintf(stderr, "usage: loop_host time N RUNS | count N | "
		"threads T N RUNS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long n, runs, r;
	int threads;

	if (argc < 3)
		usage();
	sink = bench_noop(0);
	n = atol(argv[2]);

	if (!strcmp(argv[1], "count") && argc == 3) {
		sink = run_loop(n);
	} else if (!strcmp(argv[1], "time") && argc == 4 && n > 0) {
		runs = atol(argv[3]);
		for (r = 0; r < runs; r++) {
			long long start = clock_ns(CLOCK_THREAD_CPUTIME_ID);

			sink = run_loop(n);
			printf("%.4f\n", (double)(clock_ns(CLOCK_THREAD_CPUTIME_ID)
						  - start) / n);
		}
	} else if (!strcmp(argv[1], "threads") && argc == 5) {
		threads = atoi(argv[2]);
		if (threads < 1 || threads > 64)
			usage();
		calls_per_thread = atol(argv[3]);
		runs = atol(argv[4]);
		for (r = 0; r < runs; r++)
			threaded_run(threads);
	} else {
		usage();
	}
	return 0;
}
