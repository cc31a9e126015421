/*
 * Tells a host where init stands without passing the gate (ungated on
 * purpose, like every query): the load test asks it right after dlopen.
 */
#include "../../runtime_c/initgate.h"

__attribute__((visibility("default"))) int lib_state(void)
{
	return initgate_state(0);
}
