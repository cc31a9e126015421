/*
 * The stress suite's library, plain C as an author would write it (the
 * suite runs `initgate rewrite --init stress_init` on it).
 *
 * Init fills a table slowly, over STRESS_INIT_US microseconds taken from
 * the environment, and writes `ready` last.  Every exported function checks,
 * before anything else, that it sees the whole table and `ready`: a call
 * that got past the gate before init finished sees a partial table, and
 * counts a violation.  The checks read plain (non-atomic) memory on
 * purpose, so ThreadSanitizer reports a race if the gate ever lets a
 * caller in early.
 */
#include <stdlib.h>
#include <time.h>

#include "initgate.h"

#define TABLE 512
#define READY 0x5eed1e55u
#define STEPS 16

static unsigned table[TABLE];
static unsigned ready;
static unsigned seed;
static unsigned long violations;
static unsigned long calls;
static int init_runs;

static unsigned entry(unsigned i)
{
	unsigned x = (i + 1) * 2654435761u ^ seed;

	return x ^ (x >> 13);
}

static void pause_us(long us)
{
	struct timespec t = { us / 1000000, us % 1000000 * 1000 };

	while (us > 0 && nanosleep(&t, &t))
		;
}

int stress_peek(void);

int stress_init(void)
{
	const char *text = getenv("STRESS_INIT_US");
	long us = text ? atol(text) : 0;
	unsigned i;

	__atomic_add_fetch(&init_runs, 1, __ATOMIC_RELAXED);
	text = getenv("STRESS_SEED");
	seed = text ? (unsigned)strtoul(text, 0, 10) : 1;

	/* The init thread's own call into the API must not wait. */
	stress_peek();
	for (i = 0; i < TABLE; i++) {
		table[i] = entry(i);
		if (i % (TABLE / STEPS) == 0)
			pause_us(us / STEPS);
	}
	ready = READY;
	return 0;
}

/* 1 when this call sees everything init wrote; counts every call. */
static int sees_init(unsigned from, unsigned count)
{
	unsigned i, ok = ready == READY;

	for (i = 0; i < count; i++)
		ok &= table[(from + i) % TABLE] == entry((from + i) % TABLE);
	__atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
	if (!ok)
		__atomic_add_fetch(&violations, 1, __ATOMIC_RELAXED);
	return (int)ok;
}

/* Called by init itself: no check, it runs before the table is full. */
int stress_peek(void)
{
	return (int)(ready == READY);
}

int stress_all(void)
{
	return sees_init(0, TABLE);
}

int stress_one(unsigned i)
{
	return sees_init(i, 1);
}

int stress_nested(unsigned i)
{
	/* An exported function calling another: both pass the gate. */
	return sees_init(i, 8) & stress_one(i * 7);
}

struct stress_pair {
	unsigned first, last;
};

struct stress_pair stress_pair(void)
{
	struct stress_pair p;

	p.first = (unsigned)sees_init(0, 1);
	p.last = (unsigned)sees_init(TABLE - 1, 1);
	return p;
}

int stress_state_is_done(void)
{
	/* The runtime's own view, from inside a gated body. */
	return sees_init(seed % TABLE, 2) &
	       (initgate_state(0) == INITGATE_DONE);
}

/* Counters for the host; ungated so they answer at any time. */
INITGATE_UNGATED void stress_counts(unsigned long *n_calls,
				    unsigned long *n_violations,
				    int *n_init_runs)
{
	*n_calls = __atomic_load_n(&calls, __ATOMIC_RELAXED);
	*n_violations = __atomic_load_n(&violations, __ATOMIC_RELAXED);
	*n_init_runs = __atomic_load_n(&init_runs, __ATOMIC_RELAXED);
}

INITGATE_UNGATED int stress_state(void)
{
	return initgate_state(0);
}
