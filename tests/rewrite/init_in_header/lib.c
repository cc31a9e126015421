#include "init.h"

int lib_api(void) { return lib_init(); }
