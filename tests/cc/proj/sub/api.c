/*
 * A library source that needs its own folder for a quoted include and
 * reports where the compiler thinks it is: __FILE__ and __LINE__ must name
 * this file, not the wrapper's rewritten copy.
 */
#include "api.h"

static int ready;

static void api_init(void)
{
	ready = 1;
}

int api_answer(void)
{
	return ready ? API_ANSWER : -1;
}

const char *api_file(void)
{
	return __FILE__;
}

int api_line(void)
{
	return __LINE__;
}
