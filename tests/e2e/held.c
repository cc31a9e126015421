/*
 * A library whose init is held until the test says so: held_init blocks
 * reading the pipe named by HELD_INIT_FD, so the test decides, not a clock,
 * when init ends.
 */
#include <stdlib.h>
#include <unistd.h>

static int initialized_value;

int held_init(void)
{
	const char *fd = getenv("HELD_INIT_FD");
	char byte;

	if (fd && read(atoi(fd), &byte, 1) != 1)
		return 1;
	initialized_value = 42;
	return 0;
}

static int twice(int x)
{
	return 2 * x;
}

int held_value(void)
{
	return initialized_value;
}

int held_twice_value(void)
{
	return twice(held_value()) / 2;
}

/* The same value under two more exported names whose code is another
 * function's: an alias of a static function, and an ifunc whose resolver
 * returns one.  Both must wait at the gate like held_value. */
static int read_value(void)
{
	return initialized_value;
}

int held_value_alias(void) __attribute__((alias("read_value")));

static int (*resolve_value(void))(void)
{
	return read_value;
}

int held_value_ifunc(void) __attribute__((ifunc("resolve_value")));
