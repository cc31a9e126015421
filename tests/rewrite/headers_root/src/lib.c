#include <stdlib.h>
#include "../include/util.h"

int lib_init(void) { return 0; }
int lib_use(int x) { return util_twice(x) + util_exported(x); }
