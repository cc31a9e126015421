#include "absent.h"
int lib_init(void) { return 0; }
